//! Python's `json.dumps`, for the JSON filters Copier templates use:
//! Ansible's `to_json` and `to_nice_json`, Jinja2's `tojson` and
//! cookiecutter's `jsonify`. Each is a `json.dumps` call with different
//! arguments, and the bytes differ accordingly (`", "` separators, ASCII
//! escapes, `NaN`, sorted or insertion order).

use super::pydata::{float_repr, sorted_pairs, PyData};

/// The `json.dumps` keyword arguments the filters use.
#[derive(Debug, Clone)]
pub struct JsonOptions {
    /// `indent=`: the string one level of indentation adds.
    pub indent: Option<String>,
    pub sort_keys: bool,
    pub ensure_ascii: bool,
    /// `separators=`; `None` is Python's default for the given indent.
    pub separators: Option<(String, String)>,
}

impl Default for JsonOptions {
    fn default() -> Self {
        JsonOptions {
            indent: None,
            sort_keys: false,
            ensure_ascii: true,
            separators: None,
        }
    }
}

/// Why Python's `json.dumps` would raise.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonError {
    /// `sort_keys=True` on keys of unrelated types.
    UnorderableKeys,
    /// A key that is not a str, int, float, bool or None.
    BadKey,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonError::UnorderableKeys => f.write_str("cannot sort keys of different types"),
            JsonError::BadKey => f.write_str("keys must be str, int, float, bool or None"),
        }
    }
}

/// `json.dumps(data, **options)`.
pub fn dumps(data: &PyData, options: &JsonOptions) -> Result<String, JsonError> {
    let (item_sep, key_sep) = match &options.separators {
        Some((item, key)) => (item.clone(), key.clone()),
        None if options.indent.is_some() => (",".to_owned(), ": ".to_owned()),
        None => (", ".to_owned(), ": ".to_owned()),
    };
    let writer = Writer {
        options,
        item_sep,
        key_sep,
    };
    let mut out = String::new();
    writer.write(&mut out, data, 0)?;
    Ok(out)
}

struct Writer<'a> {
    options: &'a JsonOptions,
    item_sep: String,
    key_sep: String,
}

impl Writer<'_> {
    fn newline(&self, out: &mut String, level: usize) {
        if let Some(indent) = &self.options.indent {
            out.push('\n');
            for _ in 0..level {
                out.push_str(indent);
            }
        }
    }

    fn write(&self, out: &mut String, data: &PyData, level: usize) -> Result<(), JsonError> {
        match data {
            PyData::None => out.push_str("null"),
            PyData::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            PyData::Int(i) => out.push_str(&i.to_string()),
            PyData::Float(f) => out.push_str(&json_float(*f)),
            PyData::Str(s) => write_string(out, s, self.options.ensure_ascii),
            PyData::List(items) => {
                if items.is_empty() {
                    out.push_str("[]");
                    return Ok(());
                }
                out.push('[');
                self.newline(out, level + 1);
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push_str(&self.item_sep);
                        self.newline(out, level + 1);
                    }
                    self.write(out, item, level + 1)?;
                }
                self.newline(out, level);
                out.push(']');
            }
            PyData::Dict(pairs) => {
                if pairs.is_empty() {
                    out.push_str("{}");
                    return Ok(());
                }
                let ordered: Vec<&(PyData, PyData)> = if self.options.sort_keys {
                    sorted_pairs(pairs).ok_or(JsonError::UnorderableKeys)?
                } else {
                    pairs.iter().collect()
                };
                out.push('{');
                self.newline(out, level + 1);
                for (index, (key, value)) in ordered.into_iter().enumerate() {
                    if index > 0 {
                        out.push_str(&self.item_sep);
                        self.newline(out, level + 1);
                    }
                    let key = match key {
                        PyData::Str(s) => s.clone(),
                        PyData::Float(f) => json_float(*f),
                        PyData::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
                        PyData::None => "null".to_owned(),
                        PyData::Int(i) => i.to_string(),
                        PyData::List(_) | PyData::Dict(_) => return Err(JsonError::BadKey),
                    };
                    write_string(out, &key, self.options.ensure_ascii);
                    out.push_str(&self.key_sep);
                    self.write(out, value, level + 1)?;
                }
                self.newline(out, level);
                out.push('}');
            }
        }
        Ok(())
    }
}

fn json_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        float_repr(f)
    }
}

/// `encode_basestring_ascii` / `encode_basestring`.
fn write_string(out: &mut String, s: &str, ensure_ascii: bool) {
    use std::fmt::Write;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if ensure_ascii && (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Jinja2's `htmlsafe_json_dumps`: `tojson`'s output may sit inside HTML.
pub fn html_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\'', "\\u0027")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(json: &str) -> PyData {
        PyData::from_json(&serde_json::from_str(json).unwrap())
    }

    #[test]
    fn defaults_match_python() {
        // json.dumps({"b": [1, 2.5, None], "a": "é\n<"})
        let d = data(r#"{"b": [1, 2.5, null], "a": "é\n<😀"}"#);
        assert_eq!(
            dumps(&d, &JsonOptions::default()).unwrap(),
            r#"{"b": [1, 2.5, null], "a": "\u00e9\n<\ud83d\ude00"}"#
        );
    }

    #[test]
    fn nice_json_matches_python() {
        // json.dumps(v, indent=4, sort_keys=True, separators=(",", ": "))
        let d = data(r#"{"b": [1, {}], "a": [], "c": {"x": true}}"#);
        let options = JsonOptions {
            indent: Some("    ".into()),
            sort_keys: true,
            separators: Some((",".into(), ": ".into())),
            ..JsonOptions::default()
        };
        assert_eq!(
            dumps(&d, &options).unwrap(),
            "{\n    \"a\": [],\n    \"b\": [\n        1,\n        {}\n    ],\n    \"c\": {\n        \"x\": true\n    }\n}"
        );
    }

    #[test]
    fn special_floats_and_control_characters() {
        let d = PyData::List(vec![
            PyData::Float(f64::NAN),
            PyData::Float(f64::NEG_INFINITY),
            PyData::Float(1e16),
            PyData::Str("\x01\x7f".into()),
        ]);
        assert_eq!(
            dumps(&d, &JsonOptions::default()).unwrap(),
            r#"[NaN, -Infinity, 1e+16, "\u0001\u007f"]"#
        );
    }
}
