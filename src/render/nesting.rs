//! How deeply a template nests, checked before handlebars sees it.
//!
//! Handlebars parses and renders by recursion: a template with thousands of
//! nested blocks or subexpressions, or partials that include each other,
//! would overflow the stack and abort graft. So every text is scanned first
//! ([`scan`]): blocks (`{{#…}}`, `{{^…}}`, each `{{else if …}}` of a chain)
//! and subexpressions (`(…)`) add a level, and the partials it includes
//! are noted. [`PartialGraph`] then follows the includes between partials
//! (files of `_partials` and `{{#*inline}}` definitions): a cycle is an
//! error naming it, and the nesting a text reaches through its partials
//! counts against the same limit.
//!
//! The scan is deliberately simple and errs on the side of counting more:
//! it is a guard against abuse, with a limit ([`MAX_NESTING`]) far above
//! what any real template nests, not a second parser. Partials named by an
//! expression (`{{> (name)}}`) may be any partial.

use std::collections::{BTreeMap, HashMap};

/// The deepest nesting of blocks, subexpressions and partials graft
/// renders. Real templates nest a handful of levels; this leaves room for
/// generated ones while keeping the renderer well inside the stack of a
/// worker thread.
pub const MAX_NESTING: usize = 128;

/// What [`scan`] found in one text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// The deepest nesting of the text outside inline partials.
    pub depth: usize,
    /// Partials it includes, with where.
    pub includes: Vec<Include>,
    /// Inline partials it defines (`{{#*inline "name"}}`), by name: their
    /// deepest nesting and the partials they include.
    pub inlines: BTreeMap<String, (usize, Vec<Include>)>,
}

/// One `{{> name}}` or `{{#> name}}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Include {
    /// The partial's name; `None` when an expression names it.
    pub target: Option<String>,
    /// The nesting at the include.
    pub depth: usize,
    /// The 1-based line of the include.
    pub line: usize,
}

/// A text nests deeper than [`MAX_NESTING`] at `line`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooDeep {
    pub line: usize,
}

/// An open block while scanning: how many levels it adds (an `else if`
/// chain adds one per link) and the inline partial it defines, if any.
struct Frame {
    weight: usize,
    inline: Option<String>,
}

/// Scans a handlebars text for its nesting and its partial includes,
/// stopping at the first place deeper than [`MAX_NESTING`].
pub fn scan(text: &str) -> Result<Scan, TooDeep> {
    let b = text.as_bytes();
    let mut scanner = Scanner::default();
    let mut line = 1usize;
    let mut i = 0usize;
    while i < b.len() {
        if b[i] == b'\n' {
            line += 1;
            i += 1;
            continue;
        }
        if !b[i..].starts_with(b"{{") {
            i += 1;
            continue;
        }
        if i > 0 && b[i - 1] == b'\\' {
            i += 2;
            continue;
        }
        let start_line = line;
        if let Some(end) = unparsed_end(b, i) {
            line += count_lines(&b[i..end]);
            i = end;
            continue;
        }
        let (inner, parens, end) = mustache(b, i + 2);
        line += count_lines(&b[i..end]);
        i = end;
        scanner.tag(&inner, parens, start_line)?;
    }
    Ok(scanner.out)
}

/// Where the raw block (`{{{{raw}}}}…{{{{/raw}}}}`) or comment (`{{! … }}`,
/// `{{!-- … --}}`) starting at `i` ends; `None` when the mustache at `i` is
/// neither. Their insides are text, whatever braces they hold.
fn unparsed_end(b: &[u8], i: usize) -> Option<usize> {
    if b[i..].starts_with(b"{{{{") {
        let end = find(b, i + 4, b"{{{{/")
            .and_then(|close| find(b, close, b"}}}}").map(|e| e + 4))
            .unwrap_or(b.len());
        return Some(end);
    }
    if b[i..].starts_with(b"{{!") {
        let closing: &[u8] = if b[i..].starts_with(b"{{!--") {
            b"--}}"
        } else {
            b"}}"
        };
        return Some(find(b, i + 3, closing).map_or(b.len(), |e| e + closing.len()));
    }
    None
}

/// The state of [`scan`] between mustaches: what it found so far, the open
/// blocks, and the levels they add up to.
#[derive(Default)]
struct Scanner {
    out: Scan,
    stack: Vec<Frame>,
    blocks: usize,
}

impl Scanner {
    /// Takes one mustache: `inner` is its text between the braces, `parens`
    /// its deepest subexpression nesting, `line` where it starts.
    fn tag(&mut self, inner: &str, parens: usize, line: usize) -> Result<(), TooDeep> {
        let inner = inner.trim_start_matches('~').trim_start();
        let inner = inner.strip_suffix('~').unwrap_or(inner).trim_end();
        // The inline partial the mustache sits in, before it opens its own.
        let owner = self.stack.iter().rev().find_map(|f| f.inline.clone());
        let owner = owner.as_deref();
        if let Some(rest) = inner.strip_prefix('#') {
            self.note(owner, self.blocks + 1 + parens, line)?;
            self.open_block(owner, rest.trim_start(), line);
        } else if let Some(rest) = inner.strip_prefix('^') {
            if !rest.trim().is_empty() {
                self.note(owner, self.blocks + 1 + parens, line)?;
                self.stack.push(Frame {
                    weight: 1,
                    inline: None,
                });
                self.blocks += 1;
            }
        } else if inner.starts_with('/') {
            if let Some(frame) = self.stack.pop() {
                self.blocks -= frame.weight;
            }
        } else if let Some(rest) = inner.strip_prefix('>') {
            self.note(owner, self.blocks + parens, line)?;
            self.include(owner, rest, self.blocks, line);
        } else if let Some(rest) = inner.strip_prefix("else") {
            if rest.starts_with(char::is_whitespace) && !rest.trim().is_empty() {
                if let Some(frame) = self.stack.last_mut() {
                    frame.weight += 1;
                    self.blocks += 1;
                }
                self.note(owner, self.blocks + parens, line)?;
            }
        } else {
            self.note(owner, self.blocks + parens, line)?;
        }
        Ok(())
    }

    /// Opens the block of `{{#rest}}`, noting a partial block's include or
    /// an inline partial's definition.
    fn open_block(&mut self, owner: Option<&str>, rest: &str, line: usize) {
        let mut inline = None;
        if let Some(partial) = rest.strip_prefix('>') {
            self.include(owner, partial, self.blocks, line);
        } else if let Some(decorator) = rest.strip_prefix("*inline") {
            inline = quoted(decorator.trim_start());
            if let Some(name) = &inline {
                self.out.inlines.entry(name.clone()).or_default();
            }
        }
        self.stack.push(Frame { weight: 1, inline });
        self.blocks += 1;
    }

    /// Records nesting `depth` at `line` for the text or for the inline
    /// partial `owner`; too deep is an error.
    fn note(&mut self, owner: Option<&str>, depth: usize, line: usize) -> Result<(), TooDeep> {
        if depth > MAX_NESTING {
            return Err(TooDeep { line });
        }
        let slot = match owner {
            Some(name) => &mut self.out.inlines.entry(name.to_owned()).or_default().0,
            None => &mut self.out.depth,
        };
        *slot = (*slot).max(depth);
        Ok(())
    }

    /// Records the include of the partial `rest` names, at nesting `depth`,
    /// for the text or for the inline partial `owner`. `@partial-block` is
    /// the caller's block, not a partial.
    fn include(&mut self, owner: Option<&str>, rest: &str, depth: usize, line: usize) {
        let target = partial_name(rest);
        if target.as_deref() == Some("@partial-block") {
            return;
        }
        let include = Include {
            target,
            depth,
            line,
        };
        match owner {
            Some(name) => self
                .out
                .inlines
                .entry(name.to_owned())
                .or_default()
                .1
                .push(include),
            None => self.out.includes.push(include),
        }
    }
}

/// The inside of a mustache starting at `from` (just after `{{`), the
/// deepest parenthesis nesting in it, and the index just past its `}}`.
/// Quoted strings may hold braces and parentheses.
fn mustache(b: &[u8], from: usize) -> (String, usize, usize) {
    let mut quote = None;
    let mut parens = 0usize;
    let mut deepest = 0usize;
    let mut k = from;
    while k < b.len() {
        let c = b[k];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'(' => {
                    parens += 1;
                    deepest = deepest.max(parens);
                }
                b')' => parens = parens.saturating_sub(1),
                b'}' if b.get(k + 1) == Some(&b'}') => {
                    let inner = String::from_utf8_lossy(&b[from..k]).into_owned();
                    return (inner, deepest, k + 2);
                }
                _ => {}
            },
        }
        k += 1;
    }
    (
        String::from_utf8_lossy(&b[from..]).into_owned(),
        deepest,
        b.len(),
    )
}

/// The static name of an included partial (`name`, `'name'`, `[name]`);
/// `None` when an expression names it.
fn partial_name(rest: &str) -> Option<String> {
    let rest = rest.trim_start();
    if let Some(name) = quoted(rest) {
        return Some(name);
    }
    if let Some(inner) = rest.strip_prefix('[') {
        return inner.split_once(']').map(|(name, _)| name.to_string());
    }
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || !c.is_ascii() || "-_@/.".contains(*c))
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The text of a string literal at the start of `s`.
fn quoted(s: &str) -> Option<String> {
    let q = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    s[1..].split_once(q).map(|(name, _)| name.to_string())
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn count_lines(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

/// Partials and what they include, to find cycles and the nesting reached
/// through them.
#[derive(Clone, Debug, Default)]
pub struct PartialGraph {
    nodes: BTreeMap<String, PartialNode>,
}

#[derive(Clone, Debug, Default)]
struct PartialNode {
    /// The file that defines it, for errors.
    file: String,
    depth: usize,
    includes: Vec<Include>,
}

/// Why the partials cannot be rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphError {
    /// Partials that include each other: the names, the first repeated last.
    Cycle {
        chain: Vec<String>,
        file: String,
        line: usize,
    },
    /// Including the partials nests deeper than [`MAX_NESTING`].
    TooDeep {
        partial: String,
        file: String,
        line: usize,
    },
}

impl PartialGraph {
    /// Adds the partial `name` defined in `file`, and the inline partials
    /// its text defines.
    pub fn add(&mut self, name: &str, file: &str, scan: &Scan) {
        self.merge(name, file, scan.depth, &scan.includes);
        self.add_inlines(file, scan);
    }

    /// Adds the inline partials of a text.
    pub fn add_inlines(&mut self, file: &str, scan: &Scan) {
        for (inline, (depth, includes)) in &scan.inlines {
            self.merge(inline, file, *depth, includes);
        }
    }

    fn merge(&mut self, name: &str, file: &str, depth: usize, includes: &[Include]) {
        let node = self
            .nodes
            .entry(name.to_string())
            .or_insert_with(|| PartialNode {
                file: file.to_string(),
                ..PartialNode::default()
            });
        node.depth = node.depth.max(depth);
        node.includes.extend_from_slice(includes);
    }

    /// The deepest nesting each partial reaches, its includes followed;
    /// an error for a cycle or a nesting deeper than [`MAX_NESTING`].
    pub fn depths(&self) -> Result<HashMap<String, usize>, GraphError> {
        let mut done = HashMap::new();
        for name in self.nodes.keys() {
            let mut path = Vec::new();
            self.depth_of(name, &mut path, &mut done)?;
        }
        Ok(done)
    }

    /// The nesting a text reaches with `includes` at its own `depth`.
    pub fn depth_with(
        &self,
        depth: usize,
        includes: &[Include],
        depths: &HashMap<String, usize>,
    ) -> (usize, Option<(String, usize)>) {
        let mut deepest = (depth, None);
        for include in includes {
            for target in self.targets(include, None) {
                let reached = include.depth + 1 + depths.get(target).copied().unwrap_or(0);
                if reached > deepest.0 {
                    deepest = (reached, Some((target.to_string(), include.line)));
                }
            }
        }
        deepest
    }

    /// The partials an include may render: its target when that is a
    /// known partial, any other partial when an expression names it.
    fn targets<'a>(&'a self, include: &'a Include, from: Option<&'a str>) -> Vec<&'a str> {
        match &include.target {
            Some(name) if self.nodes.contains_key(name) => vec![name.as_str()],
            Some(_) => Vec::new(),
            None => self
                .nodes
                .keys()
                .map(String::as_str)
                .filter(|n| Some(*n) != from)
                .collect(),
        }
    }

    fn depth_of(
        &self,
        name: &str,
        path: &mut Vec<String>,
        done: &mut HashMap<String, usize>,
    ) -> Result<usize, GraphError> {
        if let Some(depth) = done.get(name) {
            return Ok(*depth);
        }
        let Some(node) = self.nodes.get(name) else {
            return Ok(0);
        };
        if let Some(at) = path.iter().position(|p| p == name) {
            let mut chain = path[at..].to_vec();
            chain.push(name.to_string());
            let first = &self.nodes[&chain[0]];
            let line = first
                .includes
                .iter()
                .find(|i| {
                    self.targets(i, Some(&chain[0]))
                        .contains(&chain[1].as_str())
                })
                .map_or(1, |i| i.line);
            return Err(GraphError::Cycle {
                chain,
                file: first.file.clone(),
                line,
            });
        }
        path.push(name.to_string());
        let mut deepest = node.depth;
        for include in &node.includes {
            for target in self.targets(include, Some(name)) {
                // Each include nests one level more: a longer chain is too
                // deep whatever it holds (and is not followed further).
                if path.len() > MAX_NESTING {
                    return Err(GraphError::TooDeep {
                        partial: target.to_string(),
                        file: node.file.clone(),
                        line: include.line,
                    });
                }
                let reached = include.depth + 1 + self.depth_of(target, path, done)?;
                if reached > MAX_NESTING {
                    return Err(GraphError::TooDeep {
                        partial: target.to_string(),
                        file: node.file.clone(),
                        line: include.line,
                    });
                }
                deepest = deepest.max(reached);
            }
        }
        path.pop();
        done.insert(name.to_string(), deepest);
        Ok(deepest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(text: &str) -> usize {
        scan(text).unwrap().depth
    }

    #[test]
    fn blocks_chains_and_subexpressions_count() {
        assert_eq!(depth("plain {{x}}"), 0);
        assert_eq!(depth("{{#if a}}{{#each b}}{{x}}{{/each}}{{/if}}"), 2);
        assert_eq!(depth("{{#if a}}{{/if}}{{#if b}}{{/if}}"), 1);
        assert_eq!(depth("{{x (not (eq a b))}}"), 2);
        assert_eq!(depth("{{#if (not a)}}{{/if}}"), 2);
        assert_eq!(
            depth("{{#if a}}1{{else if b}}2{{else if c}}{{x}}{{/if}}{{y}}"),
            3
        );
        assert_eq!(depth("{{#if a}}1{{else}}2{{/if}}{{^}}"), 1);
        assert_eq!(depth("{{^if a}}x{{/if}}"), 1);
        assert_eq!(depth("{{~#if a~}}x{{~/if~}}"), 1);
    }

    #[test]
    fn comments_raw_blocks_escapes_and_strings_are_text() {
        assert_eq!(depth("{{!-- {{#if a}} --}}{{! {{#if}} }}"), 0);
        assert_eq!(depth("{{{{raw}}}}{{#if a}}{{{{/raw}}}}"), 0);
        assert_eq!(depth("\\{{#if a}}"), 0);
        assert_eq!(depth("{{x '((({{#if'}}"), 0);
    }

    #[test]
    fn too_deep_names_the_line() {
        let ok = format!(
            "{}{}",
            "{{#if a}}".repeat(MAX_NESTING),
            "{{/if}}".repeat(MAX_NESTING)
        );
        assert_eq!(depth(&ok), MAX_NESTING);
        let deep = format!("a\nb\n{}", "{{#if a}}\n".repeat(MAX_NESTING + 1));
        assert_eq!(
            scan(&deep),
            Err(TooDeep {
                line: 3 + MAX_NESTING
            })
        );
        let parens = format!("\n{{{{x {}a}}}}", "(not ".repeat(MAX_NESTING + 1));
        assert_eq!(scan(&parens), Err(TooDeep { line: 2 }));
        let chain = format!("{{{{#if a}}}}{}{{{{/if}}}}", "{{else if b}}".repeat(5000));
        assert_eq!(scan(&chain), Err(TooDeep { line: 1 }));
    }

    #[test]
    fn includes_and_inline_partials() {
        let s = scan(
            "{{> a}}{{#if x}}{{> 'b c'}}{{/if}}{{> (pick)}}{{#> layout}}{{> @partial-block}}{{/layout}}\n\
             {{#*inline \"row\"}}{{#if y}}{{> a}}{{/if}}{{/inline}}",
        )
        .unwrap();
        let targets: Vec<_> = s
            .includes
            .iter()
            .map(|i| (i.target.as_deref(), i.depth, i.line))
            .collect();
        assert_eq!(
            targets,
            [
                (Some("a"), 0, 1),
                (Some("b c"), 1, 1),
                (None, 0, 1),
                (Some("layout"), 0, 1)
            ]
        );
        let (row_depth, row_includes) = &s.inlines["row"];
        assert_eq!(*row_depth, 2);
        assert_eq!(row_includes[0].target.as_deref(), Some("a"));
        assert_eq!(row_includes[0].line, 2);
    }

    fn graph(partials: &[(&str, &str)]) -> PartialGraph {
        let mut g = PartialGraph::default();
        for (name, text) in partials {
            g.add(name, &format!("_partials/{name}.hbs"), &scan(text).unwrap());
        }
        g
    }

    #[test]
    fn cycles_are_named() {
        let err = graph(&[("p", "x\n{{> q}}"), ("q", "{{> p}}")])
            .depths()
            .unwrap_err();
        assert_eq!(
            err,
            GraphError::Cycle {
                chain: vec!["p".into(), "q".into(), "p".into()],
                file: "_partials/p.hbs".into(),
                line: 2,
            }
        );
        let err = graph(&[("p", "{{#if a}}{{> p}}{{/if}}")])
            .depths()
            .unwrap_err();
        assert!(
            matches!(&err, GraphError::Cycle { chain, .. } if chain == &["p", "p"]),
            "{err:?}"
        );
        // Through an inline partial of a partial.
        let err = graph(&[("p", "{{#*inline \"i\"}}{{> p}}{{/inline}}{{> i}}")])
            .depths()
            .unwrap_err();
        assert!(
            matches!(&err, GraphError::Cycle { chain, .. } if chain == &["i", "p", "i"]),
            "{err:?}"
        );
    }

    #[test]
    fn depth_adds_up_through_partials() {
        let g = graph(&[("a", "{{#if x}}{{> b}}{{/if}}"), ("b", "{{#if y}}{{/if}}")]);
        let depths = g.depths().unwrap();
        assert_eq!(depths["b"], 1);
        assert_eq!(depths["a"], 3);
        let s = scan("{{#if z}}{{> a}}{{/if}}").unwrap();
        assert_eq!(
            g.depth_with(s.depth, &s.includes, &depths),
            (5, Some(("a".to_string(), 1)))
        );

        // A chain of partials each a little nested goes over the limit.
        let texts: Vec<(String, String)> = (0..100)
            .map(|n| {
                (
                    format!("p{n}"),
                    format!("{{{{#if x}}}}{{{{> p{}}}}}{{{{/if}}}}", n + 1),
                )
            })
            .collect();
        let refs: Vec<(&str, &str)> = texts
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let err = graph(&refs).depths().unwrap_err();
        assert!(matches!(err, GraphError::TooDeep { .. }), "{err:?}");
    }
}
