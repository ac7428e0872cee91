//! Source rewrites for the Jinja2 that minijinja does not parse or does
//! not run as Jinja2 does.
//!
//! Three constructs of real Copier templates:
//!
//! - `{% now 'utc', '%Y' %}` (jinja2_time / cookiecutter), also with a
//!   shift: `{% now 'utc' + 'days=1' %}`. It becomes
//!   `{% filter _graft_now('utc', '%Y') %}{% endfilter %}`: still a block
//!   tag, so `trim_blocks`, `lstrip_blocks` and `-` markers act on it as
//!   they act on the original.
//! - Python's `%` operator on a string literal, `"%s-%s" % (a, b)`. It
//!   becomes `_graft_percent("%s-%s", a, b)`. The right operand is what
//!   Python's grammar binds to `%`: a unary expression with its
//!   attributes, subscripts, calls and filters. Only a string literal on
//!   the left is rewritten; `fmt % x` with `fmt` a variable stays the
//!   number operator it is for minijinja.
//! - A list or dict changed in place: `{% set env = dict() %}` then
//!   `{% set _ = env.update({...}) %}`, or `{% do items.append(x) %}`.
//!   minijinja's values never change, so when a file calls such a method
//!   on a name, each `{% set NAME = EXPR %}` of that name in the file
//!   becomes `{% set NAME = (EXPR)|_graft_mutable %}`: a list or dict
//!   that does (see [`mutable`](super::mutable)).
//!
//! The scan follows the lexer's rules that matter here: the template's
//! delimiters from `_envops`, string literals (a `}}` inside quotes does
//! not end a tag), bracket balancing, comments and `{% raw %}` blocks,
//! which are copied untouched.

use std::borrow::Cow;

use super::{mutable, Delimiters};

/// Rewrites `text`, or borrows it when nothing needs rewriting.
pub fn rewrite<'a>(text: &'a str, d: &Delimiters) -> Cow<'a, str> {
    let changed_in_place = changed_in_place(text, d);
    let mut out = String::new();
    let mut copied = 0;
    let mut changed = false;
    for tag in Tags::new(text, d) {
        let (open, close) = tag.delimiters(d);
        let replacement = match tag.kind {
            Tag::Block => {
                let (lead, body, trail) = split_markers(tag.inner);
                let keyword = body.split_whitespace().next().unwrap_or("");
                if keyword == "now" {
                    let args = body.trim_start()["now".len()..].trim();
                    Some(now_tag(lead, args, trail, d))
                } else if let Some(new) = (keyword == "set")
                    .then(|| mutable_set(body, &changed_in_place))
                    .flatten()
                {
                    Some(format!("{open}{lead}{new}{trail}{close}"))
                } else {
                    rewrite_percent(tag.inner).map(|new| format!("{open}{new}{close}"))
                }
            }
            _ => rewrite_percent(tag.inner).map(|new| format!("{open}{new}{close}")),
        };
        if let Some(replacement) = replacement {
            out.push_str(&text[copied..tag.start]);
            out.push_str(&replacement);
            copied = tag.end;
            changed = true;
        }
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// A variable or block tag of a template: comments and `{% raw %}`
/// blocks are stepped over.
struct TagAt<'a> {
    start: usize,
    end: usize,
    kind: Tag,
    inner: &'a str,
}

impl TagAt<'_> {
    fn delimiters<'d>(&self, d: &'d Delimiters) -> (&'d str, &'d str) {
        delimiters(self.kind, d)
    }
}

fn delimiters(kind: Tag, d: &Delimiters) -> (&str, &str) {
    match kind {
        Tag::Variable => (&d.variable.0, &d.variable.1),
        Tag::Block => (&d.block.0, &d.block.1),
        Tag::Comment => (&d.comment.0, &d.comment.1),
    }
}

struct Tags<'a, 'd> {
    text: &'a str,
    d: &'d Delimiters,
    pos: usize,
}

impl<'a, 'd> Tags<'a, 'd> {
    fn new(text: &'a str, d: &'d Delimiters) -> Self {
        Tags { text, d, pos: 0 }
    }
}

impl<'a> Iterator for Tags<'a, '_> {
    type Item = TagAt<'a>;

    fn next(&mut self) -> Option<TagAt<'a>> {
        let (text, d) = (self.text, self.d);
        loop {
            let (start, kind) = next_tag(text, self.pos, d)?;
            let (open, close) = delimiters(kind, d);
            let inner_start = start + open.len();
            if kind == Tag::Comment {
                self.pos = text[inner_start..]
                    .find(close)
                    .map_or(text.len(), |i| inner_start + i + close.len());
                continue;
            }
            let Some(inner_end) = find_tag_end(text, inner_start, close) else {
                self.pos = text.len();
                return None;
            };
            let end = inner_end + close.len();
            let inner = &text[inner_start..inner_end];
            self.pos = end;
            if kind == Tag::Block {
                let (_, body, _) = split_markers(inner);
                if body.split_whitespace().next() == Some("raw") {
                    self.pos = skip_raw(text, end, d);
                    continue;
                }
            }
            return Some(TagAt {
                start,
                end,
                kind,
                inner,
            });
        }
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Tag {
    Variable,
    Block,
    Comment,
}

/// The next tag opening at or after `pos`; the longest delimiter wins
/// where two start at the same place, as in Jinja2's lexer.
fn next_tag(text: &str, pos: usize, d: &Delimiters) -> Option<(usize, Tag)> {
    let candidates = [
        (d.variable.0.as_str(), Tag::Variable),
        (d.block.0.as_str(), Tag::Block),
        (d.comment.0.as_str(), Tag::Comment),
    ];
    let mut best: Option<(usize, usize, Tag)> = None;
    for (open, tag) in candidates {
        if let Some(i) = text[pos..].find(open) {
            let at = pos + i;
            let better = match best {
                None => true,
                Some((b_at, b_len, _)) => at < b_at || (at == b_at && open.len() > b_len),
            };
            if better {
                best = Some((at, open.len(), tag));
            }
        }
    }
    best.map(|(at, _, tag)| (at, tag))
}

/// Where the tag that starts its inside at `from` closes: the first
/// `close` outside string literals and brackets.
fn find_tag_end(text: &str, from: usize, close: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if depth == 0 && text[i..].starts_with(close) {
            return Some(i);
        }
        match b {
            b'\'' | b'"' => quote = Some(b),
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Splits `-`/`+` whitespace markers off a block tag's inside.
fn split_markers(inner: &str) -> (&str, &str, &str) {
    let lead = if inner.starts_with(['-', '+']) {
        &inner[..1]
    } else {
        ""
    };
    let rest = &inner[lead.len()..];
    let trail = if rest.ends_with(['-', '+']) {
        &rest[rest.len() - 1..]
    } else {
        ""
    };
    (lead, &rest[..rest.len() - trail.len()], trail)
}

/// Past the `{% endraw %}` that closes a raw block opened before `from`.
fn skip_raw(text: &str, from: usize, d: &Delimiters) -> usize {
    let mut pos = from;
    while let Some(i) = text[pos..].find(d.block.0.as_str()) {
        let start = pos + i + d.block.0.len();
        let Some(end) = text[start..].find(d.block.1.as_str()) else {
            break;
        };
        let (_, body, _) = split_markers(&text[start..start + end]);
        if body.trim() == "endraw" {
            return start + end + d.block.1.len();
        }
        pos = start;
    }
    text.len()
}

/// `{% now EXPR [, FORMAT] %}` as a filter block.
fn now_tag(lead: &str, args: &str, trail: &str, d: &Delimiters) -> String {
    let tokens = tokenize(args);
    let comma = top_level_position(&tokens, |t| t.text == ",");
    let (expr, format) = match comma {
        Some(i) => (join_tokens(&tokens[..i]), join_tokens(&tokens[i + 1..])),
        None => (join_tokens(&tokens), "none".to_owned()),
    };
    let expr_tokens = tokenize(&expr);
    // The last `+`/`-` at the top that is a binary operator splits
    // `'utc' + 'hours=2'` as Jinja2's parser does.
    let split = (0..expr_tokens.len()).rev().find(|&i| {
        let t = &expr_tokens[i];
        (t.text == "+" || t.text == "-")
            && depth_at(&expr_tokens, i) == 0
            && previous_significant(&expr_tokens, i).is_some_and(|p| p.ends_operand())
    });
    let call = match split {
        Some(i) => format!(
            "_graft_now({}, \"{}\", {}, {})",
            rewrite_percent_or_same(&join_tokens(&expr_tokens[..i])),
            expr_tokens[i].text,
            rewrite_percent_or_same(&join_tokens(&expr_tokens[i + 1..])),
            rewrite_percent_or_same(&format)
        ),
        None => format!(
            "_graft_now({}, {})",
            rewrite_percent_or_same(&expr),
            rewrite_percent_or_same(&format)
        ),
    };
    let (open, close) = (&d.block.0, &d.block.1);
    format!("{open}{lead} filter {call} {close}{open} endfilter {trail}{close}")
}

// --- Copier's `{% yield %}` in path names ------------------------------------

/// A path name holding Copier's `{% yield NAME from ITEMS %}BODY{% endyield %}`.
#[derive(Debug, PartialEq)]
pub struct YieldTag {
    /// The variable each item is bound to.
    pub name: String,
    /// The expression of the items.
    pub items: String,
    /// The path name with the tag replaced by its body: what renders once
    /// per item.
    pub text: String,
}

/// The `{% yield %}` tag of the path name `text`; `None` when it has none.
/// A second one, or one never closed, is an error, as in Copier.
pub fn yield_tag(text: &str, d: &Delimiters) -> Result<Option<YieldTag>, String> {
    let mut found: Option<(TagAt, String, String)> = None;
    let mut end: Option<TagAt> = None;
    for tag in Tags::new(text, d) {
        if tag.kind != Tag::Block {
            continue;
        }
        let (_, body, _) = split_markers(tag.inner);
        let mut words = body.split_whitespace();
        match words.next() {
            Some("yield") if found.is_some() => {
                return Err("only one `yield` tag is allowed in a path name".to_string());
            }
            Some("yield") => {
                let tokens = tokenize(body);
                let name = next_significant(&tokens, 0)
                    .and_then(|i| next_significant(&tokens, i + 1))
                    .filter(|&i| tokens[i].kind == Kind::Name);
                let from = name
                    .and_then(|i| next_significant(&tokens, i + 1))
                    .filter(|&i| tokens[i].text == "from");
                let (Some(name), Some(from)) = (name, from) else {
                    return Err(format!(
                        "expected `yield NAME from ITEMS`, found `{}`",
                        body.trim()
                    ));
                };
                let items = join_tokens(&tokens[from + 1..]);
                found = Some((tag, tokens[name].text.to_string(), items));
            }
            Some("endyield") if found.is_some() && end.is_none() => end = Some(tag),
            _ => {}
        }
    }
    let Some((open, name, items)) = found else {
        return Ok(None);
    };
    let Some(close) = end else {
        return Err("a `yield` tag is never closed by `endyield`".to_string());
    };
    let text = format!(
        "{}{}{}",
        &text[..open.start],
        &text[open.end..close.start],
        &text[close.end..]
    );
    Ok(Some(YieldTag { name, items, text }))
}

// --- lists and dicts changed in place ----------------------------------------

/// The names (`items`, `ns.env`) on which a tag of `text` calls a method
/// that changes a list or dict in place: `items.append(x)`.
fn changed_in_place(text: &str, d: &Delimiters) -> Vec<String> {
    let methods = mutable::LIST_METHODS.iter().chain(&mutable::DICT_METHODS);
    // One pass over the text's dots before any tokenizing: most files
    // call no such method.
    let calls = text.match_indices('.').any(|(i, _)| {
        let after = &text[i + 1..];
        methods
            .clone()
            .any(|m| after.starts_with(m) && after[m.len()..].starts_with('('))
    });
    if !calls {
        return Vec::new();
    }
    let mut names = Vec::new();
    for tag in Tags::new(text, d) {
        let tokens = tokenize(tag.inner);
        for i in 2..tokens.len().saturating_sub(1) {
            let is_call = tokens[i].kind == Kind::Name
                && methods.clone().any(|m| *m == tokens[i].text)
                && tokens[i - 1].text == "."
                && tokens[i + 1].text == "(";
            if !is_call {
                continue;
            }
            // The dotted name before `.method`: `ns.env` in `ns.env.update(`.
            let mut first = i - 2;
            if tokens[first].kind != Kind::Name {
                continue;
            }
            while first >= 2
                && tokens[first - 1].text == "."
                && tokens[first - 2].kind == Kind::Name
            {
                first -= 2;
            }
            let name = join_tokens(&tokens[first..i - 1]);
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// `set NAME = EXPR` (a block tag's body) with `EXPR` made a list or dict
/// that changes in place, when `NAME` is one of `names`; `None` otherwise.
fn mutable_set(body: &str, names: &[String]) -> Option<String> {
    if names.is_empty() {
        return None;
    }
    let tokens = tokenize(body);
    let first = next_significant(&tokens, 0)?;
    let equals = top_level_position(&tokens, |t| t.text == "=")?;
    let target = join_tokens(&tokens[first + 1..equals]);
    if !names.contains(&target) {
        return None;
    }
    let expr = rewrite_percent_or_same(&join_tokens(&tokens[equals + 1..]));
    Some(format!(" set {target} = ({expr})|_graft_mutable "))
}

// --- expressions -----------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Space,
    Str,
    Name,
    Number,
    Open,
    Close,
    Op,
}

#[derive(Debug, Clone)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
}

impl Token<'_> {
    /// Whether this token can end an operand (so a following `+` or `%`
    /// is binary).
    fn ends_operand(&self) -> bool {
        matches!(
            self.kind,
            Kind::Str | Kind::Name | Kind::Number | Kind::Close
        ) && !matches!(
            self.text,
            "and" | "or" | "not" | "in" | "is" | "if" | "else"
        )
    }
}

fn tokenize(s: &str) -> Vec<Token<'_>> {
    let bytes = s.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        let kind = if b.is_ascii_whitespace() {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            Kind::Space
        } else if b == b'\'' || b == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
            Kind::Str
        } else if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80)
            {
                i += 1;
            }
            Kind::Name
        } else if b.is_ascii_digit() {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.')
            {
                i += 1;
            }
            Kind::Number
        } else if matches!(b, b'(' | b'[' | b'{') {
            i += 1;
            Kind::Open
        } else if matches!(b, b')' | b']' | b'}') {
            i += 1;
            Kind::Close
        } else {
            let two = s.get(i..i + 2).unwrap_or("");
            i += if matches!(two, "**" | "//" | "==" | "!=" | "<=" | ">=") {
                2
            } else {
                // One character, whole in UTF-8.
                s[i..].chars().next().map_or(1, char::len_utf8)
            };
            Kind::Op
        };
        tokens.push(Token {
            kind,
            text: &s[start..i],
        });
    }
    tokens
}

fn join_tokens(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| t.text)
        .collect::<String>()
        .trim()
        .to_owned()
}

fn depth_at(tokens: &[Token], index: usize) -> i32 {
    tokens[..index].iter().fold(0, |depth, t| match t.kind {
        Kind::Open => depth + 1,
        Kind::Close => depth - 1,
        _ => depth,
    })
}

fn top_level_position(tokens: &[Token], pred: impl Fn(&Token) -> bool) -> Option<usize> {
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth -= 1,
            _ if depth == 0 && pred(t) => return Some(i),
            _ => {}
        }
    }
    None
}

fn previous_significant<'t, 'a>(tokens: &'t [Token<'a>], index: usize) -> Option<&'t Token<'a>> {
    tokens[..index].iter().rev().find(|t| t.kind != Kind::Space)
}

fn next_significant(tokens: &[Token], from: usize) -> Option<usize> {
    (from..tokens.len()).find(|&i| tokens[i].kind != Kind::Space)
}

/// The index just past the bracket group opening at `open`.
fn skip_group(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// The end (exclusive) of the unary expression starting at `start`:
/// sign, primary, then `.name`, `[..]`, `(..)` and `|filter(..)`.
fn operand_end(tokens: &[Token], start: usize) -> Option<usize> {
    let mut i = next_significant(tokens, start)?;
    while matches!(tokens[i].text, "-" | "+") {
        i = next_significant(tokens, i + 1)?;
    }
    let t = &tokens[i];
    let mut end = match t.kind {
        Kind::Str | Kind::Name | Kind::Number => i + 1,
        Kind::Open => skip_group(tokens, i),
        _ => return None,
    };
    loop {
        let Some(next) = next_significant(tokens, end) else {
            return Some(end);
        };
        let t = &tokens[next];
        match (t.kind, t.text) {
            (Kind::Op, "." | "|") => {
                let Some(name) = next_significant(tokens, next + 1) else {
                    return Some(end);
                };
                if tokens[name].kind != Kind::Name {
                    return Some(end);
                }
                end = name + 1;
                // Filter names may be dotted.
                while tokens.get(end).is_some_and(|t| t.text == ".")
                    && tokens.get(end + 1).is_some_and(|t| t.kind == Kind::Name)
                    && t.text == "|"
                {
                    end += 2;
                }
            }
            (Kind::Open, "(" | "[") => end = skip_group(tokens, next),
            _ => return Some(end),
        }
    }
}

/// Items of a parenthesized tuple `( a, b )`, or `None` when the group
/// is not a tuple (no top-level comma).
fn tuple_items(tokens: &[Token]) -> Option<Vec<String>> {
    let first = next_significant(tokens, 0)?;
    if tokens[first].text != "(" || skip_group(tokens, first) != tokens.len() {
        return None;
    }
    let inner = &tokens[first + 1..tokens.len() - 1];
    let mut items = Vec::new();
    let mut depth = 0;
    let mut current = 0;
    let mut comma = false;
    for (i, t) in inner.iter().enumerate() {
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth -= 1,
            Kind::Op if depth == 0 && t.text == "," => {
                items.push(join_tokens(&inner[current..i]));
                current = i + 1;
                comma = true;
            }
            _ => {}
        }
    }
    let last = join_tokens(&inner[current..]);
    if !last.is_empty() {
        items.push(last);
    }
    if comma || inner.iter().all(|t| t.kind == Kind::Space) {
        Some(items)
    } else {
        None
    }
}

fn rewrite_percent_or_same(expr: &str) -> String {
    rewrite_percent(expr).unwrap_or_else(|| expr.to_owned())
}

/// `"fmt" % operand` → `_graft_percent("fmt", args...)` throughout an
/// expression; `None` when there is none.
fn rewrite_percent(expr: &str) -> Option<String> {
    let tokens = tokenize(expr);
    let mut out = String::new();
    let mut i = 0;
    let mut changed = false;
    while i < tokens.len() {
        let t = &tokens[i];
        let is_candidate = t.kind == Kind::Str
            && !previous_significant(&tokens, i)
                .is_some_and(|p| matches!(p.text, "*" | "/" | "//" | "%" | "**" | "." | "|"));
        if is_candidate {
            if let Some(op) = next_significant(&tokens, i + 1).filter(|&j| tokens[j].text == "%") {
                if let Some(end) = operand_end(&tokens, op + 1) {
                    let operand = &tokens[op + 1..end];
                    let args = match tuple_items(operand) {
                        Some(items) => items
                            .iter()
                            .map(|item| rewrite_percent_or_same(item))
                            .collect::<Vec<_>>(),
                        None => vec![rewrite_percent_or_same(&join_tokens(operand))],
                    };
                    let mut call = format!("_graft_percent({}", t.text);
                    for arg in args {
                        call.push_str(", ");
                        call.push_str(&arg);
                    }
                    call.push(')');
                    out.push_str(&call);
                    // Keep the whitespace that followed the operand.
                    i = end;
                    changed = true;
                    continue;
                }
            }
        }
        out.push_str(t.text);
        i += 1;
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Delimiters {
        Delimiters::from_envops(&serde_json::Map::new()).unwrap()
    }

    fn run(text: &str) -> String {
        rewrite(text, &defaults()).into_owned()
    }

    #[test]
    fn untouched_text_is_borrowed() {
        let text = "{{ a % 2 }} {% if x %}{{ '%s' }}{% endif %} {# '%s' % x #}";
        assert!(matches!(rewrite(text, &defaults()), Cow::Borrowed(_)));
    }

    #[test]
    fn percent_on_string_literals() {
        assert_eq!(
            run(r#"{{ "%s-%s" % (a, b) }}"#),
            r#"{{ _graft_percent("%s-%s", a, b) }}"#
        );
        assert_eq!(
            run("{{ '%02d' % n|int + 1 }}"),
            "{{ _graft_percent('%02d', n|int) + 1 }}"
        );
        assert_eq!(
            run("{% set v = 'v%s' % ver.split('.')[0] %}"),
            "{% set v = _graft_percent('v%s', ver.split('.')[0]) %}"
        );
        assert_eq!(
            run("{{ x ~ '%s' % ('%d' % n,) }}"),
            "{{ x ~ _graft_percent('%s', _graft_percent('%d', n)) }}"
        );
        assert_eq!(
            run("{{ '%(a)s' % {'a': 1} }}"),
            "{{ _graft_percent('%(a)s', {'a': 1}) }}"
        );
        assert_eq!(run("{{ '%s' % (x) }}"), "{{ _graft_percent('%s', (x)) }}");
    }

    #[test]
    fn now_tag_becomes_a_filter_block() {
        assert_eq!(
            run("{% now 'utc', '%Y' %}"),
            "{% filter _graft_now('utc', '%Y') %}{% endfilter %}"
        );
        assert_eq!(
            run("{%- now 'local' -%}"),
            "{%- filter _graft_now('local', none) %}{% endfilter -%}"
        );
        assert_eq!(
            run("{% now 'utc' + 'hours=2, days=1', '%H' %}"),
            "{% filter _graft_now('utc', \"+\", 'hours=2, days=1', '%H') %}{% endfilter %}"
        );
    }

    #[test]
    fn a_name_changed_in_place_is_assigned_a_changeable_value() {
        assert_eq!(
            run("{%- set env = dict() -%}{% set _ = env.update({'a': 1}) %}"),
            "{%- set env = (dict())|_graft_mutable -%}{% set _ = env.update({'a': 1}) %}"
        );
        assert_eq!(
            run(
                "{% set ns.items = [] %}{% do ns.items.append('%s' % x) %}{% set ns.items = [1] %}"
            ),
            "{% set ns.items = ([])|_graft_mutable %}\
             {% do ns.items.append(_graft_percent('%s', x)) %}\
             {% set ns.items = ([1])|_graft_mutable %}"
        );
        // Other names, strings, comments and raw blocks are left alone.
        for text in [
            "{% set other = [] %}{% do items.append(1) %}",
            "{% set items = [] %}{{ 'items.append(1)' }}",
            "{% set items = [] %}{# items.append(1) #}",
            "{% set items = [] %}{% raw %}{% do items.append(1) %}{% endraw %}",
            "{% set items %}x{% endset %}{% do items.append(1) %}",
        ] {
            assert!(
                matches!(rewrite(text, &defaults()), Cow::Borrowed(_)),
                "{text}"
            );
        }
    }

    #[test]
    fn a_yield_tag_in_a_path_name_is_found_with_its_body() {
        let d = defaults();
        assert_eq!(
            yield_tag(
                "pre-{% yield cmd from commands|sort %}{{ cmd.name }}{% endyield %}.py",
                &d
            ),
            Ok(Some(YieldTag {
                name: "cmd".into(),
                items: "commands|sort".into(),
                text: "pre-{{ cmd.name }}.py".into(),
            }))
        );
        assert_eq!(yield_tag("{{ name }}.py", &d), Ok(None));
        assert_eq!(
            yield_tag("{% yield a from x %}{{ a }}{% endyield %}{% yield b from y %}{{ b }}{% endyield %}", &d),
            Err("only one `yield` tag is allowed in a path name".into())
        );
        assert_eq!(
            yield_tag("{% yield a from x %}{{ a }}", &d),
            Err("a `yield` tag is never closed by `endyield`".into())
        );
        assert_eq!(
            yield_tag("{% yield from x %}{% endyield %}", &d),
            Err("expected `yield NAME from ITEMS`, found `yield from x`".into())
        );
    }

    #[test]
    fn custom_delimiters_raw_and_strings() {
        let mut envops = serde_json::Map::new();
        for (k, v) in [
            ("block_start_string", "[%"),
            ("block_end_string", "%]"),
            ("variable_start_string", "[["),
            ("variable_end_string", "]]"),
        ] {
            envops.insert(k.into(), v.into());
        }
        let d = Delimiters::from_envops(&envops).unwrap();
        assert_eq!(
            rewrite("{{ '%s' % x }} [[ '%s' % x[0] ]] [% now 'utc' %]", &d),
            "{{ '%s' % x }} [[ _graft_percent('%s', x[0]) ]] [% filter _graft_now('utc', none) %][% endfilter %]"
        );
        assert_eq!(
            run("{% raw %}{{ '%s' % x }}{% endraw %}{{ '}}%s' % y }}"),
            "{% raw %}{{ '%s' % x }}{% endraw %}{{ _graft_percent('}}%s', y) }}"
        );
    }
}
