//! Injected blocks (SPEC §12): content a template puts next to a marker line
//! of a file it does not own, fenced with comment lines that name the
//! answers file owning the block, so it can be found, updated and removed.
//!
//! ```text
//! # graft: routers
//! # >>> graft .graft-answers.module-customers.yml
//! api_router.include_router(customers_router)
//! # <<< graft .graft-answers.module-customers.yml
//! ```
//!
//! Everything here is text in, text out; commands decide where the text
//! comes from and where it goes.

use crate::render::Context;

use crate::config::{Anchor, Injection};
pub use crate::error::InjectError;
use crate::error::{Error, RenderError};
use crate::render::{clean_relative, Engine};

/// The comment syntax of the fence lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub prefix: String,
    pub suffix: String,
}

/// Comment syntax by file type: `//` for C-like languages, `<!-- -->` for
/// markup, `--` for SQL and Lua, `#` for everything else.
pub fn comment_for(path: &str, explicit: Option<&str>) -> Comment {
    let (prefix, suffix) = match explicit {
        Some(c) => match c.trim().split_once(char::is_whitespace) {
            Some((p, s)) => (p.trim().to_string(), s.trim().to_string()),
            None => (c.trim().to_string(), String::new()),
        },
        None => {
            let ext = path
                .rsplit_once('.')
                .map(|(_, e)| e.to_ascii_lowercase())
                .unwrap_or_default();
            match ext.as_str() {
                "js" | "mjs" | "cjs" | "ts" | "tsx" | "jsx" | "rs" | "go" | "java" | "kt"
                | "kts" | "c" | "h" | "cc" | "cpp" | "hpp" | "cs" | "swift" | "scala" | "dart"
                | "php" | "groovy" | "gradle" | "proto" | "jsonc" => {
                    ("//".to_string(), String::new())
                }
                "html" | "htm" | "md" | "markdown" | "xml" | "vue" | "svelte" | "svg" => {
                    ("<!--".to_string(), "-->".to_string())
                }
                "sql" | "lua" | "hs" => ("--".to_string(), String::new()),
                _ => ("#".to_string(), String::new()),
            }
        }
    };
    Comment { prefix, suffix }
}

/// A rendered injection, ready to be put into a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Target path relative to DEST.
    pub into: String,
    pub anchor: Anchor,
    /// Block content, ending with a newline.
    pub content: String,
    pub comment: Comment,
    /// No other injection of the same template goes into this file, so a
    /// block of its owner anywhere in the file is this one, even after the
    /// marker line was edited. With several, only the run of blocks next
    /// to this injection's marker counts.
    pub alone: bool,
}

/// Renders the `_injections` of a template.
pub fn render(
    engine: &Engine,
    injections: &[Injection],
    ctx: &Context,
) -> Result<Vec<Block>, Error> {
    let mut blocks = injections
        .iter()
        .map(|inj| {
            let origin = format!("{} (injection)", inj.origin);
            let into = engine.render(&origin, &inj.into, ctx)?;
            let into = match clean_relative(&into) {
                Ok(p) if !p.is_empty() => p,
                Err(reason) if crate::render::in_git_dir(&into) => {
                    return Err(RenderError::UnsafePath {
                        path: into,
                        from: origin,
                        reason,
                    }
                    .into())
                }
                _ => {
                    return Err(RenderError::UnsafePath {
                        path: into,
                        from: origin,
                        reason: "must be a file inside the destination".to_string(),
                    }
                    .into())
                }
            };
            let anchor = match &inj.anchor {
                Anchor::After(m) => {
                    Anchor::After(engine.render(&origin, m, ctx)?.trim().to_string())
                }
                Anchor::Before(m) => {
                    Anchor::Before(engine.render(&origin, m, ctx)?.trim().to_string())
                }
            };
            let mut content = engine.render(&origin, &inj.content, ctx)?;
            if !content.is_empty() && !content.ends_with('\n') {
                content.push('\n');
            }
            let comment = comment_for(&into, inj.comment.as_deref());
            Ok(Block {
                into,
                anchor,
                content,
                comment,
                alone: true,
            })
        })
        .collect::<Result<Vec<Block>, Error>>()?;
    let targets: Vec<String> = blocks.iter().map(|b| b.into.clone()).collect();
    for block in &mut blocks {
        block.alone = targets.iter().filter(|t| **t == block.into).count() == 1;
    }
    Ok(blocks)
}

impl Block {
    fn marker(&self) -> &str {
        match &self.anchor {
            Anchor::After(m) | Anchor::Before(m) => m,
        }
    }

    fn fence(&self, arrows: &str, owner: &str) -> String {
        let suffix = if self.comment.suffix.is_empty() {
            String::new()
        } else {
            format!(" {}", self.comment.suffix)
        };
        format!("{} {arrows} graft {owner}{suffix}", self.comment.prefix)
    }

    /// The block's lines, indented like the marker line.
    fn text(&self, owner: &str, indent: &str, content: &str) -> String {
        let mut out = format!("{indent}{}\n", self.fence(">>>", owner));
        for line in content.split_inclusive('\n') {
            if line.trim().is_empty() {
                out.push_str(line);
            } else {
                out.push_str(indent);
                out.push_str(line);
            }
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{indent}{}\n", self.fence("<<<", owner)));
        out
    }
}

/// Where a block stands in a file: line indexes of its fences.
struct Found {
    open: usize,
    close: usize,
}

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// Every block of `owner` in the file, in order.
fn blocks_of(lines: &[&str], block: &Block, owner: &str) -> Vec<Found> {
    let open = block.fence(">>>", owner);
    let close = block.fence("<<<", owner);
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == open {
            if let Some(j) = (i + 1..lines.len()).find(|&j| lines[j].trim() == close) {
                out.push(Found { open: i, close: j });
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn marker_index(lines: &[&str], marker: &str) -> Option<usize> {
    lines.iter().position(|l| l.trim() == marker)
}

/// Any graft block opening on line `i`: returns the line of its close fence.
fn any_block_at(lines: &[&str], i: usize, comment: &Comment) -> Option<usize> {
    let start = format!("{} >>> graft ", comment.prefix);
    let line = lines.get(i)?.trim();
    let owner_part = line.strip_prefix(&start)?;
    let close = format!("{} <<< graft {owner_part}", comment.prefix);
    (i + 1..lines.len()).find(|&j| lines[j].trim() == close)
}

/// The block of `owner` for this injection: the only one in the file when
/// the injection is [`Block::alone`] there, else the one in the run of
/// blocks next to the marker.
fn locate(lines: &[&str], block: &Block, owner: &str) -> Option<Found> {
    let mut found = blocks_of(lines, block, owner);
    if block.alone && found.len() <= 1 {
        return found.pop();
    }
    let m = marker_index(lines, block.marker())?;
    match block.anchor {
        Anchor::After(_) => {
            let mut i = m + 1;
            while let Some(close) = any_block_at(lines, i, &block.comment) {
                if let Some(pos) = found.iter().position(|f| f.open == i) {
                    return Some(found.swap_remove(pos));
                }
                i = close + 1;
            }
            None
        }
        Anchor::Before(_) => found
            .into_iter()
            .rev()
            .find(|f| f.close < m && blocks_between(lines, f.close + 1, m, &block.comment)),
    }
}

/// Whether lines `from..to` are only whole graft blocks.
fn blocks_between(lines: &[&str], from: usize, to: usize, comment: &Comment) -> bool {
    let mut i = from;
    while i < to {
        match any_block_at(lines, i, comment) {
            Some(close) => i = close + 1,
            None => return false,
        }
    }
    true
}

fn indent_of(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// The current content of `owner`'s block for this injection, without the
/// indentation graft added; `None` when the file has no such block.
pub fn content(text: &str, block: &Block, owner: &str) -> Option<String> {
    let lines = lines(text);
    let found = locate(&lines, block, owner)?;
    let indent = indent_of(lines[found.open]);
    Some(
        lines[found.open + 1..found.close]
            .iter()
            .map(|l| l.strip_prefix(indent).unwrap_or(l))
            .collect(),
    )
}

/// Puts the block into `text`: replaces `owner`'s block in place when there
/// is one (so applying twice changes nothing), else inserts it next to the
/// marker, after the blocks already there.
pub fn apply(text: &str, block: &Block, owner: &str) -> Result<String, InjectError> {
    apply_content(text, block, owner, &block.content)
}

/// Like [`apply`], with other content (the result of a merge).
pub fn apply_content(
    text: &str,
    block: &Block,
    owner: &str,
    content: &str,
) -> Result<String, InjectError> {
    let lines = lines(text);
    if let Some(found) = locate(&lines, block, owner) {
        let indent = indent_of(lines[found.open]);
        let mut out: String = lines[..found.open].concat();
        out.push_str(&block.text(owner, indent, content));
        out.push_str(&lines[found.close + 1..].concat());
        return Ok(out);
    }
    let Some(m) = marker_index(&lines, block.marker()) else {
        return Err(InjectError(format!(
            "marker line `{}` not found in `{}`",
            block.marker(),
            block.into
        )));
    };
    let indent = indent_of(lines[m]);
    let at = match block.anchor {
        Anchor::After(_) => {
            let mut i = m + 1;
            while let Some(close) = any_block_at(&lines, i, &block.comment) {
                i = close + 1;
            }
            i
        }
        Anchor::Before(_) => m,
    };
    let mut out: String = lines[..at].concat();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&block.text(owner, indent, content));
    out.push_str(&lines[at..].concat());
    Ok(out)
}

/// Removes `owner`'s block for this injection; `None` when there is none.
pub fn remove(text: &str, block: &Block, owner: &str) -> Option<String> {
    let lines = lines(text);
    let found = locate(&lines, block, owner)?;
    let mut out: String = lines[..found.open].concat();
    out.push_str(&lines[found.close + 1..].concat());
    Some(out)
}

/// Damage to the fences or the marker line of one injected block, found by
/// [`diagnose`]: a merge conflict resolved by hand may drop a fence line (it
/// looks like a conflict marker) or the marker, and then graft can no
/// longer find, update or remove the block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damage {
    /// What is wrong, for people: `closing fence missing`.
    pub problem: String,
    /// The file with the fences and marker put back, or why that is not
    /// safe. Only fence and marker lines are ever written: the lines
    /// between the fences must be exactly what graft wrote.
    pub repair: Result<String, String>,
}

/// Looks at `owner`'s block for this injection in `text`, whose content
/// graft last wrote as `block.content`: `None` when its fences are whole
/// and its marker line is there, or when the block is simply gone (deleted
/// on purpose: drift, not damage).
pub fn diagnose(text: &str, block: &Block, owner: &str) -> Option<Damage> {
    if content(text, block, owner).is_some() {
        return missing_marker(text, block, owner).map(|repaired| Damage {
            problem: format!("marker line `{}` missing", block.marker()),
            repair: Ok(repaired),
        });
    }
    if let Some(damage) = unmarked_block(text, block, owner) {
        return Some(damage);
    }
    let lines = lines(text);
    let open = block.fence(">>>", owner);
    let close = block.fence("<<<", owner);
    let whole = whole_blocks(&lines, &block.comment);
    let inside = |i: usize| whole.iter().any(|&(a, b)| a <= i && i <= b);
    // Lines that were meant to be this owner's fences: exact, or mangled
    // (a prefix lost, text glued on) but still naming the owner.
    let open_mark = format!(">>> graft {owner}");
    let close_mark = format!("<<< graft {owner}");
    let fence_like = |i: usize| {
        let t = lines[i].trim();
        !inside(i) && (t.contains(&open_mark) || t.contains(&close_mark))
    };
    let strays: Vec<usize> = (0..lines.len()).filter(|&i| fence_like(i)).collect();

    let wanted: Vec<&str> = block.content.split_inclusive('\n').collect();
    let found = positions_of(&lines, &wanted, &inside);
    if strays.is_empty() && found.is_empty() {
        return None;
    }
    let refuse = |problem: String, why: &str| {
        Some(Damage {
            problem,
            repair: Err(why.to_string()),
        })
    };
    let [p] = found[..] else {
        let why = if found.is_empty() {
            "the lines between the fences are not what graft wrote (edited, or merged with other lines)"
        } else {
            "the lines graft wrote appear more than once; which of them is the block is not clear"
        };
        return refuse("fences broken".to_string(), why);
    };
    let end = p + wanted.len();
    let has_open = p > 0 && fence_like(p - 1);
    let has_close = end < lines.len() && fence_like(end);
    let problem = fence_problems(
        has_open.then(|| lines[p - 1].trim() == open),
        has_close.then(|| lines[end].trim() == close),
    );
    let from = if has_open { p - 1 } else { p };
    let to = if has_close { end + 1 } else { end };
    if let Some(&stray) = strays.iter().find(|&&i| i < from || i >= to) {
        return refuse(
            problem,
            &format!(
                "line {} is another fence of this block; which lines it encloses is not clear",
                stray + 1
            ),
        );
    }
    let indent = if has_open {
        indent_of(lines[p - 1])
    } else {
        indent_of(lines[p])
    };
    let mut out = with_fences(&lines, p..end, from..to, indent, [&open, &close]);
    let problem = match missing_marker(&out, block, owner) {
        Some(with_marker) => {
            out = with_marker;
            format!("{problem}, marker line `{}` missing", block.marker())
        }
        None => problem,
    };
    Some(Damage {
        problem,
        repair: Ok(out),
    })
}

/// What is wrong with a block's fences: each one missing (`None`), or
/// there but not what graft writes (`Some(false)`).
fn fence_problems(open: Option<bool>, close: Option<bool>) -> String {
    let mut problems = Vec::new();
    for (fence, which) in [(open, "opening"), (close, "closing")] {
        match fence {
            None => problems.push(format!("{which} fence missing")),
            Some(false) => problems.push(format!("{which} fence broken")),
            Some(true) => {}
        }
    }
    problems.join(", ")
}

/// Where the lines `wanted` stand in `lines`, compared without the
/// indent and line ends, outside every whole block (`inside`).
fn positions_of(lines: &[&str], wanted: &[&str], inside: &dyn Fn(usize) -> bool) -> Vec<usize> {
    if wanted.is_empty() {
        return Vec::new();
    }
    (0..lines.len().saturating_sub(wanted.len() - 1))
        .filter(|&p| {
            (p..p + wanted.len()).all(|i| !inside(i))
                && wanted
                    .iter()
                    .zip(&lines[p..])
                    .all(|(w, l)| l.trim() == w.trim())
        })
        .collect()
}

/// The damage when the marker line is gone and the block is whole but
/// not found by it: with several injections into the file, a block is
/// found by its marker, and without it by being the one whole block with
/// this content.
fn unmarked_block(text: &str, block: &Block, owner: &str) -> Option<Damage> {
    let lines = lines(text);
    if marker_index(&lines, block.marker()).is_none() {
        let mut same = blocks_of(&lines, block, owner).into_iter().filter(|f| {
            let indent = indent_of(lines[f.open]);
            let now: String = lines[f.open + 1..f.close]
                .iter()
                .map(|l| l.strip_prefix(indent).unwrap_or(l))
                .collect();
            now == block.content
        });
        if let (Some(found), None) = (same.next(), same.next()) {
            return Some(Damage {
                problem: format!("marker line `{}` missing", block.marker()),
                repair: Ok(insert_marker(&lines, block, &found)),
            });
        }
    }
    None
}

/// `lines` with the block's lines `body` fenced again: whatever stood at
/// `outer` (the body and its broken fences) becomes the fences `open` and
/// `close` at `indent` around the body.
fn with_fences(
    lines: &[&str],
    body: std::ops::Range<usize>,
    outer: std::ops::Range<usize>,
    indent: &str,
    [open, close]: [&str; 2],
) -> String {
    let mut out: String = lines[..outer.start].concat();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!("{indent}{open}\n"));
    let mut text: String = lines[body].concat();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    out.push_str(&text);
    out.push_str(&format!("{indent}{close}\n"));
    out.push_str(&lines[outer.end..].concat());
    out
}

/// `text` with the injection's marker line put back next to the run of
/// blocks holding `owner`'s block; `None` when the marker is there (or the
/// block is not).
fn missing_marker(text: &str, block: &Block, owner: &str) -> Option<String> {
    let lines = lines(text);
    if marker_index(&lines, block.marker()).is_some() {
        return None;
    }
    let found = locate(&lines, block, owner)?;
    Some(insert_marker(&lines, block, &found))
}

/// The file with the injection's marker line next to the run of blocks
/// holding `found`: before it for `after:`, after it for `before:`.
fn insert_marker(lines: &[&str], block: &Block, found: &Found) -> String {
    let indent = indent_of(lines[found.open]);
    let at = match block.anchor {
        Anchor::After(_) => {
            let whole = whole_blocks(lines, &block.comment);
            let mut start = found.open;
            while let Some(&(open, _)) = whole.iter().find(|&&(_, close)| close + 1 == start) {
                start = open;
            }
            start
        }
        Anchor::Before(_) => {
            let mut i = found.close + 1;
            while let Some(close) = any_block_at(lines, i, &block.comment) {
                i = close + 1;
            }
            i
        }
    };
    let mut out: String = lines[..at].concat();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!("{indent}{}\n", block.marker()));
    out.push_str(&lines[at..].concat());
    out
}

/// The line ranges (open, close) of every whole graft block in the file.
fn whole_blocks(lines: &[&str], comment: &Comment) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        match any_block_at(lines, i, comment) {
            Some(close) => {
                out.push((i, close));
                i = close + 1;
            }
            None => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(content: &str) -> Block {
        Block {
            into: "router.py".into(),
            anchor: Anchor::After("# graft: routers".into()),
            content: content.into(),
            comment: comment_for("router.py", None),
            alone: true,
        }
    }

    const BASE: &str = "import x\n\n# graft: routers\n\nend()\n";

    #[test]
    fn insert_is_idempotent_and_removable() {
        let b = block("include(customers)\n");
        let once = apply(BASE, &b, ".a-customers.yml").unwrap();
        assert_eq!(
            once,
            "import x\n\n# graft: routers\n# >>> graft .a-customers.yml\ninclude(customers)\n# <<< graft .a-customers.yml\n\nend()\n"
        );
        assert_eq!(apply(&once, &b, ".a-customers.yml").unwrap(), once);
        let two = apply(&once, &block("include(orders)\n"), ".a-orders.yml").unwrap();
        assert_eq!(
            two,
            "import x\n\n# graft: routers\n# >>> graft .a-customers.yml\ninclude(customers)\n# <<< graft .a-customers.yml\n# >>> graft .a-orders.yml\ninclude(orders)\n# <<< graft .a-orders.yml\n\nend()\n"
        );
        assert_eq!(
            remove(&two, &b, ".a-customers.yml").unwrap(),
            apply(BASE, &block("include(orders)\n"), ".a-orders.yml").unwrap()
        );
        assert_eq!(
            content(&two, &b, ".a-orders.yml").as_deref(),
            Some("include(orders)\n")
        );
    }

    #[test]
    fn indentation_and_before() {
        let text = "def f():\n    # here\n    pass\n";
        let b = Block {
            into: "a.py".into(),
            anchor: Anchor::Before("# here".into()),
            content: "x = 1\n".into(),
            comment: comment_for("a.py", None),
            alone: true,
        };
        let out = apply(text, &b, "o").unwrap();
        assert_eq!(
            out,
            "def f():\n    # >>> graft o\n    x = 1\n    # <<< graft o\n    # here\n    pass\n"
        );
        assert_eq!(content(&out, &b, "o").as_deref(), Some("x = 1\n"));
        assert_eq!(remove(&out, &b, "o").unwrap(), text);
    }

    #[test]
    fn comment_styles() {
        assert_eq!(comment_for("a/b.ts", None).prefix, "//");
        let html = comment_for("index.html", None);
        assert_eq!(
            (html.prefix.as_str(), html.suffix.as_str()),
            ("<!--", "-->")
        );
        assert_eq!(comment_for("x.conf", Some(";")).prefix, ";");
        let b = Block {
            into: "README.md".into(),
            anchor: Anchor::After("<!-- modules -->".into()),
            content: "- customers\n".into(),
            comment: comment_for("README.md", None),
            alone: true,
        };
        assert_eq!(
            apply("<!-- modules -->\n", &b, "o").unwrap(),
            "<!-- modules -->\n<!-- >>> graft o -->\n- customers\n<!-- <<< graft o -->\n"
        );
    }

    #[test]
    fn two_injections_into_one_file_each_keep_their_own_block() {
        let at = |marker: &str, content: &str| Block {
            into: "router.py".into(),
            anchor: Anchor::After(marker.into()),
            content: content.into(),
            comment: comment_for("router.py", None),
            alone: false,
        };
        let imports = at("# imports", "import customers\n");
        let routers = at("# routers", "include(customers)\n");
        let text = "# imports\n# routers\n";
        let both = apply(&apply(text, &imports, "o").unwrap(), &routers, "o").unwrap();
        assert_eq!(
            both,
            "# imports\n# >>> graft o\nimport customers\n# <<< graft o\n\
             # routers\n# >>> graft o\ninclude(customers)\n# <<< graft o\n"
        );
        assert_eq!(apply(&both, &imports, "o").unwrap(), both);
        assert_eq!(
            content(&both, &routers, "o").as_deref(),
            Some("include(customers)\n")
        );
        assert_eq!(
            remove(&remove(&both, &imports, "o").unwrap(), &routers, "o").unwrap(),
            text
        );
        // Without its own marker an injection fails; it never takes the
        // block of another injection of the same owner.
        let only_imports = apply("# imports\n", &imports, "o").unwrap();
        assert!(apply(&only_imports, &routers, "o").is_err());
    }

    #[test]
    fn missing_marker_is_an_error() {
        let e = apply("nothing here\n", &block("x\n"), "o").unwrap_err();
        assert_eq!(
            e.to_string(),
            "marker line `# graft: routers` not found in `router.py`"
        );
    }

    fn routers_with(blocks: &[(&str, &str)]) -> String {
        let mut text = BASE.to_string();
        for (owner, line) in blocks {
            text = apply(&text, &block(&format!("{line}\n")), owner).unwrap();
        }
        text
    }

    #[test]
    fn whole_fences_are_not_damage_and_a_deleted_block_is_drift() {
        let text = routers_with(&[(".a.yml", "include(a)")]);
        assert_eq!(diagnose(&text, &block("include(a)\n"), ".a.yml"), None);
        // Edited between whole fences: drift, not damage.
        assert_eq!(diagnose(&text, &block("include(b)\n"), ".a.yml"), None);
        assert_eq!(diagnose(BASE, &block("include(a)\n"), ".a.yml"), None);
    }

    #[test]
    fn a_missing_or_broken_fence_is_restored_when_the_content_is_graft_s() {
        let b = block("include(a)\n");
        let good = routers_with(&[(".a.yml", "include(a)"), (".b.yml", "include(b)")]);
        for (damaged, problem) in [
            (
                good.replace("# <<< graft .a.yml\n", ""),
                "closing fence missing",
            ),
            (
                good.replace("# >>> graft .a.yml\n", ""),
                "opening fence missing",
            ),
            (
                good.replace("# >>> graft .a.yml\n", "")
                    .replace("# <<< graft .a.yml\n", ""),
                "opening fence missing, closing fence missing",
            ),
            (
                good.replace("# <<< graft .a.yml\n", "<<< graft .a.yml =======\n"),
                "closing fence broken",
            ),
        ] {
            let d = diagnose(&damaged, &b, ".a.yml").expect("damage");
            assert_eq!(d.problem, problem, "{damaged}");
            assert_eq!(d.repair, Ok(good.clone()), "{damaged}");
        }
    }

    #[test]
    fn a_lost_marker_goes_back_before_the_run_of_blocks() {
        let good = routers_with(&[(".a.yml", "include(a)"), (".b.yml", "include(b)")]);
        let damaged = good.replace("# graft: routers\n", "");
        let d = diagnose(&damaged, &block("include(b)\n"), ".b.yml").expect("damage");
        assert_eq!(d.problem, "marker line `# graft: routers` missing");
        assert_eq!(d.repair, Ok(good.clone()));
        let both = damaged.replace("# <<< graft .b.yml\n", "");
        let d = diagnose(&both, &block("include(b)\n"), ".b.yml").expect("damage");
        assert_eq!(
            d.problem,
            "closing fence missing, marker line `# graft: routers` missing"
        );
        assert_eq!(d.repair, Ok(good));
    }

    #[test]
    fn edited_content_without_whole_fences_is_refused() {
        let good = routers_with(&[(".a.yml", "include(a)")]);
        let damaged = good
            .replace("# <<< graft .a.yml\n", "")
            .replace("include(a)", "include(a, debug=True)");
        let d = diagnose(&damaged, &block("include(a)\n"), ".a.yml").expect("damage");
        assert_eq!(d.problem, "fences broken");
        assert!(d
            .repair
            .unwrap_err()
            .starts_with("the lines between the fences are not what graft wrote"));
        let twice = format!("{}include(a)\n", good.replace("# <<< graft .a.yml\n", ""));
        let d = diagnose(&twice, &block("include(a)\n"), ".a.yml").expect("damage");
        assert!(d.repair.unwrap_err().contains("more than once"));
    }
}
