//! YAML as plain data with the line of every node.
//!
//! Templates and answers files come from strangers, so YAML is read into
//! [`Yaml`], a tree of plain values: tags never construct anything. Each node
//! keeps its line so that errors can point at it. Parsing is done by
//! `serde-saphyr`, which reads YAML 1.1 booleans (`yes`, `no`, `on`, `off`) as
//! Copier users expect.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_saphyr::{Spanned, Tagged};

/// A YAML node with its 1-based line.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Yaml,
    pub line: u64,
    /// For a mapping value, the line of its key (else the same as `line`).
    pub key_line: u64,
}

/// A YAML value; mapping keys keep their order.
#[derive(Clone, Debug, PartialEq)]
pub enum Yaml {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

/// One `---` document of a file, with its tag when it has one (`!include`).
#[derive(Debug)]
pub struct Document {
    pub tag: Option<String>,
    pub node: Node,
}

impl Node {
    fn from_spanned(s: Spanned<Yaml>) -> Node {
        let line = s.referenced.line();
        Node {
            line,
            key_line: line,
            value: s.value,
        }
    }

    /// The value without locations, as JSON data for the render context.
    pub fn to_json(&self) -> Value {
        self.value.to_json()
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Yaml::Str(s) => Some(s),
            _ => None,
        }
    }

    /// What kind of value this is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self.value {
            Yaml::Null => "null",
            Yaml::Bool(_) => "a boolean",
            Yaml::Int(_) => "an integer",
            Yaml::Float(_) => "a number",
            Yaml::Str(_) => "a string",
            Yaml::Seq(_) => "a list",
            Yaml::Map(_) => "a mapping",
        }
    }
}

/// What kind of JSON value this is, for error messages.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

impl Yaml {
    pub fn to_json(&self) -> Value {
        match self {
            Yaml::Null => Value::Null,
            Yaml::Bool(b) => Value::Bool(*b),
            Yaml::Int(i) => Value::from(*i),
            Yaml::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Yaml::Str(s) => Value::String(s.clone()),
            Yaml::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Yaml::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// A parse failure: the line (when known) and the message without a snippet.
#[derive(Debug)]
pub struct ParseError {
    pub line: u64,
    pub message: String,
}

fn parse_error(e: serde_saphyr::Error) -> ParseError {
    let line = e.location().map(|l| l.line()).unwrap_or(1);
    let mut message = e.without_snippet().to_string();
    // serde-saphyr appends "at line L, column C"; we print the line ourselves.
    if let Some(i) = message.rfind(" at line ") {
        message.truncate(i);
    }
    // The parser's own words for its nesting limit name an internal budget.
    if message.starts_with("budget breached: Depth") || message == "recursion limit exceeded" {
        message = "mappings and lists are nested too deeply".to_string();
    }
    ParseError { line, message }
}

/// Parses every document of a YAML stream.
///
/// Booleans follow YAML 1.1 as PyYAML (and so Copier) reads them: `yes`,
/// `no`, `on`, `off`, `true`, `false` in their usual cases. serde-saphyr
/// also reads a plain `y` or `n` as a boolean; graft keeps those as text
/// (`choices: [x, y, z]` stays three letters) by parsing a second time with
/// YAML 1.2 booleans and taking the text wherever only `y`/`n` differed.
/// Mapping keys are always taken as written, so a question may be named `n`.
pub fn parse_documents(text: &str) -> Result<Vec<Document>, ParseError> {
    let docs: Vec<Tagged<Spanned<Yaml>>> =
        serde_saphyr::from_multiple(text).map_err(parse_error)?;
    let strict: Vec<Tagged<Spanned<Yaml>>> = serde_saphyr::from_multiple_with_options(
        text,
        serde_saphyr::options! { strict_booleans: true },
    )
    .map_err(parse_error)?;
    Ok(docs
        .into_iter()
        .zip(strict)
        .map(|(Tagged(s, tag), Tagged(strict, _))| {
            let mut node = Node::from_spanned(s);
            keep_short_booleans_as_text(&mut node.value, &strict.value);
            Document { tag, node }
        })
        .collect())
}

fn keep_short_booleans_as_text(value: &mut Yaml, strict: &Yaml) {
    match (value, strict) {
        (v @ Yaml::Bool(_), Yaml::Str(s)) if matches!(s.as_str(), "y" | "Y" | "n" | "N") => {
            *v = Yaml::Str(s.clone());
        }
        (Yaml::Seq(items), Yaml::Seq(strict_items)) => {
            for (a, b) in items.iter_mut().zip(strict_items) {
                keep_short_booleans_as_text(&mut a.value, &b.value);
            }
        }
        (Yaml::Map(entries), Yaml::Map(strict_entries)) => {
            // Keys are read as written: a key `n` or `on` is that text.
            for ((key, a), (strict_key, b)) in entries.iter_mut().zip(strict_entries) {
                key.clone_from(strict_key);
                keep_short_booleans_as_text(&mut a.value, &b.value);
            }
        }
        _ => {}
    }
}

/// Parses a single YAML document (an empty text is `Null`).
pub fn parse(text: &str) -> Result<Node, ParseError> {
    let mut docs = parse_documents(text)?;
    match docs.len() {
        0 => Ok(Node {
            value: Yaml::Null,
            line: 1,
            key_line: 1,
        }),
        1 => Ok(docs.remove(0).node),
        _ => Err(ParseError {
            line: docs[1].node.line,
            message: "expected one YAML document, found several".to_string(),
        }),
    }
}

/// Reads a scalar as text, the way a mapping key is written.
fn scalar_key(v: Yaml) -> Option<String> {
    match v {
        Yaml::Null => Some(String::new()),
        Yaml::Bool(b) => Some(b.to_string()),
        Yaml::Int(i) => Some(i.to_string()),
        Yaml::Float(f) => Some(f.to_string()),
        Yaml::Str(s) => Some(s),
        Yaml::Seq(_) | Yaml::Map(_) => None,
    }
}

impl<'de> Deserialize<'de> for Yaml {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct YamlVisitor;
        impl<'de> Visitor<'de> for YamlVisitor {
            type Value = Yaml;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<Yaml, E> {
                Ok(Yaml::Null)
            }
            fn visit_none<E>(self) -> Result<Yaml, E> {
                Ok(Yaml::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Yaml, D::Error> {
                Yaml::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Yaml, E> {
                Ok(Yaml::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Yaml, E> {
                Ok(Yaml::Int(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Yaml, E> {
                match i64::try_from(v) {
                    Ok(i) => Ok(Yaml::Int(i)),
                    Err(_) => Ok(Yaml::Float(v as f64)),
                }
            }
            fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Yaml, E> {
                match i64::try_from(v) {
                    Ok(i) => Ok(Yaml::Int(i)),
                    Err(_) => Ok(Yaml::Float(v as f64)),
                }
            }
            fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Yaml, E> {
                match i64::try_from(v) {
                    Ok(i) => Ok(Yaml::Int(i)),
                    Err(_) => Ok(Yaml::Float(v as f64)),
                }
            }
            fn visit_f64<E>(self, v: f64) -> Result<Yaml, E> {
                Ok(Yaml::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Yaml, E> {
                Ok(Yaml::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Yaml, E> {
                Ok(Yaml::Str(v))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Yaml, E> {
                Ok(Yaml::Str(String::from_utf8_lossy(v).into_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Yaml, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<Yaml>>()? {
                    items.push(Node::from_spanned(item));
                }
                Ok(Yaml::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Yaml, A::Error> {
                let mut entries: Vec<(String, Node)> = Vec::new();
                while let Some(key) = map.next_key::<Spanned<Yaml>>()? {
                    let key_line = key.referenced.line();
                    let Some(key) = scalar_key(key.value) else {
                        return Err(serde::de::Error::custom(
                            "a mapping key must be a plain value, not a list or mapping",
                        ));
                    };
                    let mut value = Node::from_spanned(map.next_value::<Spanned<Yaml>>()?);
                    value.key_line = key_line;
                    entries.push((key, value));
                }
                Ok(Yaml::Map(entries))
            }
        }
        d.deserialize_any(YamlVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_lines_and_yaml11_booleans() {
        let node = parse("b: yes\na:\n  - 1\n  - off\n  - y\n  - 'no'\n").unwrap();
        let Yaml::Map(entries) = node.value else {
            panic!("not a map")
        };
        assert_eq!(entries[0].0, "b");
        assert_eq!(entries[0].1.value, Yaml::Bool(true));
        assert_eq!(entries[1].0, "a");
        assert_eq!(entries[1].1.line, 3);
        assert_eq!(
            entries[1].1.to_json(),
            serde_json::json!([1, false, "y", "no"]),
            "YAML 1.1 `off` is false"
        );
    }

    #[test]
    fn object_tags_stay_plain_data() {
        let node = parse("x: !!python/object/apply:os.system [\"touch pwned\"]\n").unwrap();
        assert_eq!(node.to_json(), serde_json::json!({"x": ["touch pwned"]}));
    }

    #[test]
    fn syntax_error_has_line() {
        let err = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(!err.message.contains("line 3"), "{}", err.message);
    }

    #[test]
    fn include_document_keeps_tag() {
        let docs = parse_documents("!include common.yml\n---\nq: 1\n").unwrap();
        assert_eq!(docs[0].tag.as_deref(), Some("!include"));
        assert_eq!(docs[0].node.as_str(), Some("common.yml"));
        assert_eq!(docs[1].tag, None);
    }
}
