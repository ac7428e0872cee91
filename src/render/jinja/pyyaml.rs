//! PyYAML's `yaml.dump`, ported so `to_yaml` and `to_nice_yaml` write the
//! bytes Copier writes.
//!
//! Copier's filters are jinja2_ansible_filters':
//! `to_nice_yaml` is `yaml.dump(v, indent=4, allow_unicode=True,
//! default_flow_style=False)` and `to_yaml` is `yaml.dump(v,
//! allow_unicode=True, default_flow_style=None)`. Their output depends on
//! many small rules of PyYAML 6: keys sorted, YAML 1.1 look-alikes (`yes`,
//! `0755`, `2024-01-01`, `~`, `''`) quoted, single quotes preferred to
//! double, lines folded at 80 columns, flow style for collections of
//! scalars under `default_flow_style=None`, `...` after a plain root
//! scalar. So this is not a YAML writer of our own design but a port of
//! PyYAML's representer (`represent_*`), resolver (the implicit tags that
//! force quoting) and emitter (`analyze_scalar`, `choose_scalar_style`,
//! `write_plain`, `write_single_quoted`, `write_double_quoted`, the block
//! and flow collection states), kept close to the Python so the two can be
//! read side by side. A property test compares it with the real PyYAML.
//!
//! Not ported: anchors and aliases (PyYAML writes `&id001` when one Python
//! object appears twice; template values never share identity), tags for
//! Python-only types (`!!python/tuple`), canonical mode and block scalar
//! styles, which `yaml.dump` only uses when asked for explicitly.

use std::sync::OnceLock;

use regex::Regex;

use super::pydata::{float_repr, sorted_pairs, PyData};

/// The `yaml.dump` keyword arguments the filters accept.
#[derive(Debug, Clone)]
pub struct DumpOptions {
    pub indent: Option<i64>,
    pub width: Option<i64>,
    /// `None` lets PyYAML pick flow style for collections of scalars.
    pub default_flow_style: Option<bool>,
    pub sort_keys: bool,
    pub allow_unicode: bool,
    pub explicit_start: bool,
    pub explicit_end: bool,
}

impl DumpOptions {
    /// `to_nice_yaml`'s call.
    pub fn nice() -> DumpOptions {
        DumpOptions {
            indent: Some(4),
            width: None,
            default_flow_style: Some(false),
            sort_keys: true,
            allow_unicode: true,
            explicit_start: false,
            explicit_end: false,
        }
    }

    /// `to_yaml`'s call.
    pub fn plain() -> DumpOptions {
        DumpOptions {
            indent: None,
            default_flow_style: None,
            ..DumpOptions::nice()
        }
    }
}

/// `yaml.dump(data, **options)`.
pub fn dump(data: &PyData, options: &DumpOptions) -> String {
    let node = represent(data, options);
    let mut emitter = Emitter::new(options);
    emitter.emit_document(&node);
    emitter.out
}

// ---------------------------------------------------------------------------
// Representer and resolver: PyData → nodes, as `SafeRepresenter` builds them.

/// A representation node, with what the serializer adds to its events.
enum Node {
    Scalar {
        value: String,
        /// `event.implicit[0]`: the plain text resolves back to this tag,
        /// so it may be written unquoted.
        plain_implicit: bool,
        /// Length of the tag PyYAML prepares (`!!str`), which counts
        /// against the 128-character limit of simple keys.
        tag_len: usize,
    },
    Seq {
        flow: bool,
        items: Vec<Node>,
    },
    Map {
        flow: bool,
        pairs: Vec<(Node, Node)>,
    },
}

impl Node {
    fn is_plain_scalar(&self) -> bool {
        // `represent_sequence`'s "best style": every item a scalar without
        // an explicit style, which holds for all represented scalars.
        matches!(self, Node::Scalar { .. })
    }
}

fn represent(data: &PyData, options: &DumpOptions) -> Node {
    let scalar = |value: String, tag: &str| Node::Scalar {
        plain_implicit: resolves_to(&value) == tag,
        tag_len: tag.len() + 2,
        value,
    };
    match data {
        PyData::None => scalar("null".into(), "null"),
        PyData::Bool(b) => scalar(if *b { "true" } else { "false" }.into(), "bool"),
        PyData::Int(i) => scalar(i.to_string(), "int"),
        PyData::Float(f) => scalar(yaml_float(*f), "float"),
        PyData::Str(s) => scalar(s.clone(), "str"),
        PyData::List(items) => {
            let items: Vec<Node> = items.iter().map(|i| represent(i, options)).collect();
            let best = items.iter().all(Node::is_plain_scalar);
            Node::Seq {
                flow: options.default_flow_style.unwrap_or(best),
                items,
            }
        }
        PyData::Dict(pairs) => {
            let ordered: Vec<&(PyData, PyData)> = if options.sort_keys {
                sorted_pairs(pairs).unwrap_or_else(|| pairs.iter().collect())
            } else {
                pairs.iter().collect()
            };
            let pairs: Vec<(Node, Node)> = ordered
                .into_iter()
                .map(|(k, v)| (represent(k, options), represent(v, options)))
                .collect();
            let best = pairs
                .iter()
                .all(|(k, v)| k.is_plain_scalar() && v.is_plain_scalar());
            Node::Map {
                flow: options.default_flow_style.unwrap_or(best),
                pairs,
            }
        }
    }
}

/// `SafeRepresenter.represent_float`.
fn yaml_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    let value = float_repr(f).to_lowercase();
    if !value.contains('.') && value.contains('e') {
        value.replacen('e', ".0e", 1)
    } else {
        value
    }
}

/// The implicit resolvers of PyYAML's `Resolver`, keyed by the first
/// characters they are tried for.
fn resolvers() -> &'static [(&'static str, &'static str, Regex)] {
    static RESOLVERS: OnceLock<Vec<(&str, &str, Regex)>> = OnceLock::new();
    RESOLVERS.get_or_init(|| {
        let raw: [(&str, &str, &str); 8] = [
            (
                "bool",
                "yYnNtTfFoO",
                r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
            ),
            (
                "float",
                "-+0123456789.",
                r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
            ),
            (
                "int",
                "-+0123456789",
                r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
            ),
            ("merge", "<", r"^(?:<<)$"),
            ("null", "~nN", r"^(?:~|null|Null|NULL|)$"),
            (
                "timestamp",
                "0123456789",
                r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$",
            ),
            ("value", "=", r"^(?:=)$"),
            ("yaml", "!&*", r"^(?:!|&|\*)$"),
        ];
        raw.into_iter()
            .map(|(tag, first, re)| (tag, first, Regex::new(re).expect("static regex")))
            .collect()
    })
}

/// `Resolver.resolve(ScalarNode, value, (True, False))`, as a tag name.
fn resolves_to(value: &str) -> &'static str {
    // The empty string is looked up under '' and only the null resolver is
    // registered there.
    let Some(first) = value.chars().next() else {
        return "null";
    };
    // Python's `$` also matches before one final newline.
    let matches =
        |re: &Regex| re.is_match(value) || value.strip_suffix('\n').is_some_and(|v| re.is_match(v));
    resolvers()
        .iter()
        .find(|(_, firsts, re)| firsts.contains(first) && matches(re))
        .map_or("str", |(tag, _, _)| tag)
}

// ---------------------------------------------------------------------------
// Emitter: a port of `yaml.emitter.Emitter` without canonical mode, tags,
// anchors and block scalars.

const BREAKS: &[char] = &['\n', '\u{85}', '\u{2028}', '\u{2029}'];
const SPACE_OR_BREAK: &[char] = &[' ', '\n', '\u{85}', '\u{2028}', '\u{2029}'];
const WHITESPACE_LIKE: &[char] = &[
    '\0', ' ', '\t', '\r', '\n', '\u{85}', '\u{2028}', '\u{2029}',
];

struct Analysis {
    empty: bool,
    multiline: bool,
    allow_flow_plain: bool,
    allow_block_plain: bool,
    allow_single_quoted: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Single,
    Double,
}

struct Emitter {
    out: String,
    best_indent: usize,
    best_width: usize,
    allow_unicode: bool,
    explicit_start: bool,
    explicit_end: bool,
    indents: Vec<Option<usize>>,
    indent: Option<usize>,
    flow_level: usize,
    root_context: bool,
    mapping_context: bool,
    simple_key_context: bool,
    column: usize,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
}

impl Emitter {
    fn new(options: &DumpOptions) -> Emitter {
        let best_indent = match options.indent {
            Some(i) if 1 < i && i < 10 => i as usize,
            _ => 2,
        };
        let best_width = match options.width {
            Some(w) if w > (best_indent * 2) as i64 => usize::try_from(w).unwrap_or(usize::MAX),
            _ => 80,
        };
        Emitter {
            out: String::new(),
            best_indent,
            best_width,
            allow_unicode: options.allow_unicode,
            explicit_start: options.explicit_start,
            explicit_end: options.explicit_end,
            indents: Vec::new(),
            indent: None,
            flow_level: 0,
            root_context: false,
            mapping_context: false,
            simple_key_context: false,
            column: 0,
            whitespace: true,
            indention: true,
            open_ended: false,
        }
    }

    /// STREAM-START, DOCUMENT-START, the node, DOCUMENT-END, STREAM-END.
    fn emit_document(&mut self, node: &Node) {
        if self.explicit_start {
            self.write_indent();
            self.write_indicator("---", true, false, false);
        }
        self.expect_node(node, true, false, false);
        // expect_document_end
        self.write_indent();
        if self.explicit_end {
            self.write_indicator("...", true, false, false);
            self.write_indent();
        }
        // expect_document_start at STREAM-END
        if self.open_ended {
            self.write_indicator("...", true, false, false);
            self.write_indent();
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        match self.indent {
            None => self.indent = Some(if flow { self.best_indent } else { 0 }),
            Some(i) if !indentless => self.indent = Some(i + self.best_indent),
            Some(_) => {}
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().flatten();
    }

    fn expect_node(&mut self, node: &Node, root: bool, mapping: bool, simple_key: bool) {
        self.root_context = root;
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        match node {
            Node::Scalar {
                value,
                plain_implicit,
                ..
            } => {
                self.increase_indent(true, false);
                self.process_scalar(value, *plain_implicit);
                self.pop_indent();
            }
            Node::Seq { flow, items } => {
                if self.flow_level > 0 || *flow || items.is_empty() {
                    self.expect_flow_sequence(items);
                } else {
                    self.expect_block_sequence(items);
                }
            }
            Node::Map { flow, pairs } => {
                if self.flow_level > 0 || *flow || pairs.is_empty() {
                    self.expect_flow_mapping(pairs);
                } else {
                    self.expect_block_mapping(pairs);
                }
            }
        }
    }

    fn expect_flow_sequence(&mut self, items: &[Node]) {
        self.write_indicator("[", true, true, false);
        self.flow_level += 1;
        self.increase_indent(true, false);
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.write_indicator(",", false, false, false);
            }
            if self.column > self.best_width {
                self.write_indent();
            }
            self.expect_node(item, false, false, false);
        }
        self.pop_indent();
        self.flow_level -= 1;
        self.write_indicator("]", false, false, false);
    }

    fn expect_flow_mapping(&mut self, pairs: &[(Node, Node)]) {
        self.write_indicator("{", true, true, false);
        self.flow_level += 1;
        self.increase_indent(true, false);
        for (index, (key, value)) in pairs.iter().enumerate() {
            if index > 0 {
                self.write_indicator(",", false, false, false);
            }
            if self.column > self.best_width {
                self.write_indent();
            }
            if check_simple_key(key) {
                self.expect_node(key, false, true, true);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, false);
                self.expect_node(key, false, true, false);
                if self.column > self.best_width {
                    self.write_indent();
                }
                self.write_indicator(":", true, false, false);
            }
            self.expect_node(value, false, true, false);
        }
        self.pop_indent();
        self.flow_level -= 1;
        self.write_indicator("}", false, false, false);
    }

    fn expect_block_sequence(&mut self, items: &[Node]) {
        let indentless = self.mapping_context && !self.indention;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.expect_node(item, false, false, false);
        }
        self.pop_indent();
    }

    fn expect_block_mapping(&mut self, pairs: &[(Node, Node)]) {
        self.increase_indent(false, false);
        for (key, value) in pairs {
            self.write_indent();
            if check_simple_key(key) {
                self.expect_node(key, false, true, true);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.expect_node(key, false, true, false);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.expect_node(value, false, true, false);
        }
        self.pop_indent();
    }

    fn choose_scalar_style(&self, analysis: &Analysis, plain_implicit: bool) -> Style {
        if plain_implicit
            && !(self.simple_key_context && (analysis.empty || analysis.multiline))
            && ((self.flow_level > 0 && analysis.allow_flow_plain)
                || (self.flow_level == 0 && analysis.allow_block_plain))
        {
            return Style::Plain;
        }
        if analysis.allow_single_quoted && !(self.simple_key_context && analysis.multiline) {
            return Style::Single;
        }
        Style::Double
    }

    fn process_scalar(&mut self, value: &str, plain_implicit: bool) {
        let text: Vec<char> = value.chars().collect();
        let analysis = analyze_scalar(&text, self.allow_unicode);
        let split = !self.simple_key_context;
        match self.choose_scalar_style(&analysis, plain_implicit) {
            Style::Double => self.write_double_quoted(&text, split),
            Style::Single => self.write_single_quoted(&text, split),
            Style::Plain => self.write_plain(&text, split),
        }
    }

    // Writers.

    fn write_str(&mut self, data: &str) {
        self.column += data.chars().count();
        self.out.push_str(data);
    }

    fn write_chars(&mut self, data: &[char]) {
        self.column += data.len();
        self.out.extend(data);
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        whitespace: bool,
        indention: bool,
    ) {
        if !self.whitespace && need_whitespace {
            self.write_str(" ");
        }
        self.write_str(indicator);
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
        self.open_ended = false;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.write_line_break(None);
        }
        if self.column < indent {
            self.whitespace = true;
            let pad = " ".repeat(indent - self.column);
            self.write_str(&pad);
        }
    }

    fn write_line_break(&mut self, data: Option<char>) {
        self.whitespace = true;
        self.indention = true;
        self.column = 0;
        self.out.push(data.unwrap_or('\n'));
    }

    fn write_breaks(&mut self, breaks: &[char]) {
        for br in breaks {
            if *br == '\n' {
                self.write_line_break(None);
            } else {
                self.write_line_break(Some(*br));
            }
        }
    }

    fn write_single_quoted(&mut self, text: &[char], split: bool) {
        self.write_indicator("'", true, false, false);
        let mut spaces = false;
        let mut breaks = false;
        let (mut start, mut end) = (0, 0);
        while end <= text.len() {
            let ch = text.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end
                        && self.column > self.best_width
                        && split
                        && start != 0
                        && end != text.len()
                    {
                        self.write_indent();
                    } else {
                        self.write_chars(&text[start..end]);
                    }
                    start = end;
                }
            } else if breaks {
                if ch.is_none_or(|c| !BREAKS.contains(&c)) {
                    if text[start] == '\n' {
                        self.write_line_break(None);
                    }
                    self.write_breaks(&text[start..end]);
                    self.write_indent();
                    start = end;
                }
            } else if ch.is_none_or(|c| SPACE_OR_BREAK.contains(&c) || c == '\'') && start < end {
                self.write_chars(&text[start..end]);
                start = end;
            }
            if ch == Some('\'') {
                self.write_str("''");
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = BREAKS.contains(&c);
            }
            end += 1;
        }
        self.write_indicator("'", false, false, false);
    }

    fn write_double_quoted(&mut self, text: &[char], split: bool) {
        self.write_indicator("\"", true, false, false);
        let (mut start, mut end) = (0, 0);
        while end <= text.len() {
            let ch = text.get(end).copied();
            let needs_escape = |c: char| {
                matches!(
                    c,
                    '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}'
                ) || !(('\x20'..='\x7E').contains(&c)
                    || (self.allow_unicode
                        && (('\u{A0}'..='\u{D7FF}').contains(&c)
                            || ('\u{E000}'..='\u{FFFD}').contains(&c))))
            };
            if ch.is_none_or(needs_escape) {
                if start < end {
                    self.write_chars(&text[start..end]);
                    start = end;
                }
                if let Some(c) = ch {
                    let data = match c {
                        '\0' => "\\0".to_owned(),
                        '\x07' => "\\a".to_owned(),
                        '\x08' => "\\b".to_owned(),
                        '\x09' => "\\t".to_owned(),
                        '\x0A' => "\\n".to_owned(),
                        '\x0B' => "\\v".to_owned(),
                        '\x0C' => "\\f".to_owned(),
                        '\x0D' => "\\r".to_owned(),
                        '\x1B' => "\\e".to_owned(),
                        '"' => "\\\"".to_owned(),
                        '\\' => "\\\\".to_owned(),
                        '\u{85}' => "\\N".to_owned(),
                        '\u{A0}' => "\\_".to_owned(),
                        '\u{2028}' => "\\L".to_owned(),
                        '\u{2029}' => "\\P".to_owned(),
                        c if u32::from(c) <= 0xFF => format!("\\x{:02X}", u32::from(c)),
                        c if u32::from(c) <= 0xFFFF => format!("\\u{:04X}", u32::from(c)),
                        c => format!("\\U{:08X}", u32::from(c)),
                    };
                    self.write_str(&data);
                    start = end + 1;
                }
            }
            if 0 < end
                && end + 1 < text.len()
                && (ch == Some(' ') || start >= end)
                && (self.column + end) as isize - start as isize > self.best_width as isize
                && split
            {
                if start < end {
                    self.write_chars(&text[start..end]);
                    start = end;
                }
                self.write_str("\\");
                self.write_indent();
                self.whitespace = false;
                self.indention = false;
                if text[start] == ' ' {
                    self.write_str("\\");
                }
            }
            end += 1;
        }
        self.write_indicator("\"", false, false, false);
    }

    fn write_plain(&mut self, text: &[char], split: bool) {
        if self.root_context {
            self.open_ended = true;
        }
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.write_str(" ");
        }
        self.whitespace = false;
        self.indention = false;
        let mut spaces = false;
        let mut breaks = false;
        let (mut start, mut end) = (0, 0);
        while end <= text.len() {
            let ch = text.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > self.best_width && split {
                        self.write_indent();
                        self.whitespace = false;
                        self.indention = false;
                    } else {
                        self.write_chars(&text[start..end]);
                    }
                    start = end;
                }
            } else if breaks {
                if ch.is_none_or(|c| !BREAKS.contains(&c)) {
                    if text[start] == '\n' {
                        self.write_line_break(None);
                    }
                    self.write_breaks(&text[start..end]);
                    self.write_indent();
                    self.whitespace = false;
                    self.indention = false;
                    start = end;
                }
            } else if ch.is_none_or(|c| SPACE_OR_BREAK.contains(&c)) {
                self.write_chars(&text[start..end]);
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = BREAKS.contains(&c);
            }
            end += 1;
        }
    }
}

/// `Emitter.check_simple_key`: short single-line scalars and empty
/// collections may be written as `key: value`, anything else as `? key`.
fn check_simple_key(node: &Node) -> bool {
    match node {
        Node::Scalar { value, tag_len, .. } => {
            let length = tag_len + value.chars().count();
            length < 128 && !value.is_empty() && !value.contains(BREAKS)
        }
        // "!!seq" / "!!map"
        Node::Seq { items, .. } => items.is_empty(),
        Node::Map { pairs, .. } => pairs.is_empty(),
    }
}

/// `Emitter.analyze_scalar`, minus the block-scalar verdicts `yaml.dump`
/// never uses.
fn analyze_scalar(text: &[char], allow_unicode: bool) -> Analysis {
    if text.is_empty() {
        return Analysis {
            empty: true,
            multiline: false,
            allow_flow_plain: false,
            allow_block_plain: true,
            allow_single_quoted: true,
        };
    }
    let Indicators { flow, block } = Indicators::of(text);
    let line_breaks = text.iter().any(|c| BREAKS.contains(c));
    let special_characters = text.iter().any(|&c| is_special(c, allow_unicode));
    let spacing = Spacing::of(text);

    let mut allow_flow_plain = true;
    let mut allow_block_plain = true;
    let mut allow_single_quoted = true;

    if spacing.leading_space
        || spacing.leading_break
        || spacing.trailing_space
        || spacing.trailing_break
    {
        allow_flow_plain = false;
        allow_block_plain = false;
    }
    if spacing.break_space {
        allow_flow_plain = false;
        allow_block_plain = false;
        allow_single_quoted = false;
    }
    if spacing.space_break || special_characters {
        allow_flow_plain = false;
        allow_block_plain = false;
        allow_single_quoted = false;
    }
    if line_breaks {
        allow_flow_plain = false;
        allow_block_plain = false;
    }
    if flow {
        allow_flow_plain = false;
    }
    if block {
        allow_block_plain = false;
    }
    Analysis {
        empty: false,
        multiline: line_breaks,
        allow_flow_plain,
        allow_block_plain,
        allow_single_quoted,
    }
}

/// Whether a scalar holds characters that mean something to YAML in flow
/// context (`[a, b]`) or in block context (`key: value`), so that writing it
/// plain would change what it reads as.
struct Indicators {
    flow: bool,
    block: bool,
}

impl Indicators {
    /// The first-character and in-text checks of `analyze_scalar`, over a
    /// non-empty `text`.
    fn of(text: &[char]) -> Indicators {
        let mut flow = false;
        let mut block = false;
        let starts_with = |prefix: &str| {
            let prefix: Vec<char> = prefix.chars().collect();
            text.starts_with(&prefix)
        };
        if starts_with("---") || starts_with("...") {
            block = true;
            flow = true;
        }
        for (index, &ch) in text.iter().enumerate() {
            let preceded_by_whitespace = index == 0 || WHITESPACE_LIKE.contains(&text[index - 1]);
            let followed_by_whitespace =
                index + 1 >= text.len() || WHITESPACE_LIKE.contains(&text[index + 1]);
            if index == 0 {
                if "#,[]{}&*!|>'\"%@`".contains(ch) {
                    flow = true;
                    block = true;
                }
                if ch == '?' || ch == ':' {
                    flow = true;
                    if followed_by_whitespace {
                        block = true;
                    }
                }
                if ch == '-' && followed_by_whitespace {
                    flow = true;
                    block = true;
                }
            } else {
                if ",?[]{}".contains(ch) {
                    flow = true;
                }
                if ch == ':' {
                    flow = true;
                    if followed_by_whitespace {
                        block = true;
                    }
                }
                if ch == '#' && preceded_by_whitespace {
                    flow = true;
                    block = true;
                }
            }
        }
        Indicators { flow, block }
    }
}

/// A character PyYAML will not write unquoted: anything outside printable
/// ASCII and `\n`, except the printable Unicode ranges when
/// `allow_unicode` is set.
fn is_special(ch: char, allow_unicode: bool) -> bool {
    if ch == '\n' || ('\x20'..='\x7E').contains(&ch) {
        return false;
    }
    let code = u32::from(ch);
    let printable_unicode = (ch == '\u{85}'
        || (0xA0..=0xD7FF).contains(&code)
        || (0xE000..=0xFFFD).contains(&code)
        || (0x10000..0x10FFFF).contains(&code))
        && ch != '\u{FEFF}';
    !(printable_unicode && allow_unicode)
}

/// Where a scalar has spaces and line breaks that plain or single-quoted
/// style would lose or fold.
struct Spacing {
    leading_space: bool,
    leading_break: bool,
    trailing_space: bool,
    trailing_break: bool,
    /// A space right after a line break.
    break_space: bool,
    /// A line break right after a space.
    space_break: bool,
}

impl Spacing {
    fn of(text: &[char]) -> Spacing {
        let mut spacing = Spacing {
            leading_space: false,
            leading_break: false,
            trailing_space: false,
            trailing_break: false,
            break_space: false,
            space_break: false,
        };
        let mut previous_space = false;
        let mut previous_break = false;
        for (index, &ch) in text.iter().enumerate() {
            let first = index == 0;
            let last = index == text.len() - 1;
            if ch == ' ' {
                spacing.leading_space |= first;
                spacing.trailing_space |= last;
                spacing.break_space |= previous_break;
                previous_space = true;
                previous_break = false;
            } else if BREAKS.contains(&ch) {
                spacing.leading_break |= first;
                spacing.trailing_break |= last;
                spacing.space_break |= previous_space;
                previous_space = false;
                previous_break = true;
            } else {
                previous_space = false;
                previous_break = false;
            }
        }
        spacing
    }
}

#[cfg(test)]
mod tests;
