//! Python's `str()`, `repr()` and `%` formatting of template values.
//!
//! Jinja2 prints a value with `str()`: `True`, `None`, `['a', 1]`,
//! `{'k': 'v'}`, `1e+16`. minijinja prints `true`, `none`, `["a", 1]`. A
//! Copier template that writes `debug: {{ debug }}` must produce
//! `debug: True`, so the environment's formatter, `string`, `join` and the
//! `%` operator go through this module.

use std::fmt::Write;

use minijinja::value::ValueKind;
use minijinja::{Error, ErrorKind, Value};

use super::pydata::float_repr;

/// Python's `str(value)`.
pub fn py_str(value: &Value) -> String {
    match value.kind() {
        ValueKind::String => value.as_str().unwrap_or_default().to_owned(),
        ValueKind::Undefined => String::new(),
        _ => py_repr(value),
    }
}

/// Python's `repr(value)`.
pub fn py_repr(value: &Value) -> String {
    let mut out = String::new();
    write_repr(&mut out, value);
    out
}

fn write_repr(out: &mut String, value: &Value) {
    match value.kind() {
        ValueKind::Undefined => {}
        ValueKind::None => out.push_str("None"),
        ValueKind::Bool => out.push_str(if value.is_true() { "True" } else { "False" }),
        ValueKind::Number => {
            if value.is_integer() {
                let _ = write!(out, "{value}");
            } else {
                out.push_str(&float_repr(
                    f64::try_from(value.clone()).unwrap_or(f64::NAN),
                ));
            }
        }
        ValueKind::String => out.push_str(&str_repr(value.as_str().unwrap_or_default())),
        ValueKind::Seq | ValueKind::Iterable => {
            let (open, close) = if value.is_tuple() {
                ("(", ")")
            } else {
                ("[", "]")
            };
            out.push_str(open);
            let mut count = 0;
            if let Ok(items) = value.try_iter() {
                for (index, item) in items.enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    write_repr(out, &item);
                    count += 1;
                }
            }
            if count == 1 && value.is_tuple() {
                out.push(',');
            }
            out.push_str(close);
        }
        ValueKind::Map => {
            out.push('{');
            if let Ok(keys) = value.try_iter() {
                for (index, key) in keys.enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    write_repr(out, &key);
                    out.push_str(": ");
                    write_repr(out, &value.get_item(&key).unwrap_or_default());
                }
            }
            out.push('}');
        }
        _ => {
            let _ = write!(out, "{value}");
        }
    }
}

/// Characters `str.isprintable()` rejects, as far as a template can
/// meet them: controls, separators other than the space, format
/// characters and private use.
fn is_printable(c: char) -> bool {
    let code = u32::from(c);
    !(code < 0x20
        || (0x7f..=0xa0).contains(&code)
        || code == 0xad
        || code == 0x1680
        || (0x2000..=0x200f).contains(&code)
        || (0x2028..=0x202f).contains(&code)
        || (0x205f..=0x206f).contains(&code)
        || code == 0x3000
        || code == 0xfeff
        || (0xfff9..=0xfffb).contains(&code)
        || (0xe000..=0xf8ff).contains(&code)
        || code >= 0xf0000)
}

/// Python's `repr(str)`: single quotes unless the text holds a single
/// quote and no double quote.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c if u32::from(c) <= 0xff => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if u32::from(c) <= 0xffff => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08x}", u32::from(c));
            }
        }
    }
    out.push(quote);
    out
}

fn format_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

/// Python's `format % args`: `args` is a tuple's items, or one value
/// (a mapping serves `%(name)s`).
pub fn percent_format(format: &str, args: &[Value]) -> Result<String, Error> {
    let mapping = match args {
        [one] if one.kind() == ValueKind::Map => Some(one),
        _ => None,
    };
    let mut positional = Positional { args, next: 0 };
    let mut out = String::new();
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        let key = mapping_key(&chars, &mut i)?;
        let spec = Spec::parse(&chars, &mut i, &mut positional)?;
        let Some(&conversion) = chars.get(i) else {
            return Err(format_error("incomplete format"));
        };
        i += 1;
        if conversion == '%' {
            out.push('%');
            continue;
        }
        let arg = match (&key, mapping) {
            (Some(key), Some(mapping)) => {
                let item = mapping.get_item(&Value::from(key.as_str()))?;
                if item.is_undefined() {
                    return Err(format_error(format!("KeyError: {}", str_repr(key))));
                }
                item
            }
            (Some(_), None) => return Err(format_error("format requires a mapping")),
            (None, _) => positional.take()?,
        };
        out.push_str(&spec.apply(conversion, &arg)?);
    }
    if mapping.is_none() && positional.next < args.len() {
        return Err(format_error(
            "not all arguments converted during string formatting",
        ));
    }
    Ok(out)
}

/// The arguments of a `%` format consumed in order, by conversions and by
/// `*` widths and precisions.
struct Positional<'a> {
    args: &'a [Value],
    next: usize,
}

impl Positional<'_> {
    fn take(&mut self) -> Result<Value, Error> {
        let arg = self
            .args
            .get(self.next)
            .cloned()
            .ok_or_else(|| format_error("not enough arguments for format string"))?;
        self.next += 1;
        Ok(arg)
    }
}

/// The decimal number at `chars[*i]` (0 when there is none), moving `i`
/// past it.
fn digits(chars: &[char], i: &mut usize) -> usize {
    let mut n = 0;
    while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
        n = n * 10 + d as usize;
        *i += 1;
    }
    n
}

/// The `(name)` of `%(name)s` at `chars[*i]`, if any, moving `i` past it.
/// Parentheses nest inside the key, as in Python.
fn mapping_key(chars: &[char], i: &mut usize) -> Result<Option<String>, Error> {
    if chars.get(*i) != Some(&'(') {
        return Ok(None);
    }
    let mut depth = 1;
    let start = *i + 1;
    *i += 1;
    while *i < chars.len() && depth > 0 {
        match chars[*i] {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        *i += 1;
    }
    if depth > 0 {
        return Err(format_error("incomplete format key"));
    }
    Ok(Some(chars[start..*i - 1].iter().collect()))
}

#[derive(Default)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alternate: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
}

impl Spec {
    /// The flags, width, precision and length modifier of a directive at
    /// `chars[*i]`, moving `i` to its conversion character. A `*` width or
    /// precision takes the next positional argument.
    fn parse(chars: &[char], i: &mut usize, args: &mut Positional) -> Result<Spec, Error> {
        let mut spec = Spec::default();
        while let Some(&c) = chars.get(*i) {
            match c {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '#' => spec.alternate = true,
                '0' => spec.zero = true,
                _ => break,
            }
            *i += 1;
        }
        if chars.get(*i) == Some(&'*') {
            let width = args.take()?;
            let width = i64::try_from(width).map_err(|_| format_error("* wants int"))?;
            if width < 0 {
                spec.left = true;
            }
            spec.width = width.unsigned_abs() as usize;
            *i += 1;
        } else {
            spec.width = digits(chars, i);
        }
        if chars.get(*i) == Some(&'.') {
            *i += 1;
            let precision = if chars.get(*i) == Some(&'*') {
                let p = args.take()?;
                let precision = usize::try_from(p).map_err(|_| format_error("* wants int"))?;
                *i += 1;
                precision
            } else {
                digits(chars, i)
            };
            spec.precision = Some(precision);
        }
        // Length modifiers are accepted and ignored, as in Python.
        while matches!(chars.get(*i), Some('h' | 'l' | 'L')) {
            *i += 1;
        }
        Ok(spec)
    }

    fn pad(&self, body: String, numeric: bool) -> String {
        let len = body.chars().count();
        if len >= self.width {
            return body;
        }
        let fill = self.width - len;
        if self.left {
            body + &" ".repeat(fill)
        } else if self.zero && numeric {
            // Zeros go after the sign and any 0x prefix.
            let sign_len = body
                .find(|c: char| !matches!(c, '+' | '-' | ' '))
                .unwrap_or(0);
            let (sign, rest) = body.split_at(sign_len);
            let (prefix, digits) = if self.alternate
                && (rest.starts_with("0x") || rest.starts_with("0X") || rest.starts_with("0o"))
            {
                rest.split_at(2)
            } else {
                ("", rest)
            };
            format!("{sign}{prefix}{}{digits}", "0".repeat(fill))
        } else {
            " ".repeat(fill) + &body
        }
    }

    fn sign(&self, negative: bool) -> &'static str {
        if negative {
            "-"
        } else if self.plus {
            "+"
        } else if self.space {
            " "
        } else {
            ""
        }
    }

    fn apply(&self, conversion: char, arg: &Value) -> Result<String, Error> {
        match conversion {
            's' | 'r' | 'a' => {
                let text = if conversion == 's' {
                    py_str(arg)
                } else {
                    py_repr(arg)
                };
                let text = match self.precision {
                    Some(p) => text.chars().take(p).collect(),
                    None => text,
                };
                Ok(self.pad(text, false))
            }
            'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                let int = to_int(arg, conversion)?;
                let digits = match conversion {
                    'x' => format!("{:x}", int.unsigned_abs()),
                    'X' => format!("{:X}", int.unsigned_abs()),
                    'o' => format!("{:o}", int.unsigned_abs()),
                    _ => int.unsigned_abs().to_string(),
                };
                let digits = match self.precision {
                    Some(p) if digits.len() < p => "0".repeat(p - digits.len()) + &digits,
                    _ => digits,
                };
                let prefix = match (self.alternate, conversion) {
                    (true, 'x') => "0x",
                    (true, 'X') => "0X",
                    (true, 'o') => "0o",
                    _ => "",
                };
                Ok(self.pad(format!("{}{prefix}{digits}", self.sign(int < 0)), true))
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let f = to_float(arg)?;
                let body = format_float(f, conversion, self.precision.unwrap_or(6), self.alternate);
                let sign = self.sign(f.is_sign_negative() && !f.is_nan());
                Ok(self.pad(format!("{sign}{body}"), f.is_finite()))
            }
            'c' => {
                let c = match arg.as_str() {
                    Some(s) if s.chars().count() == 1 => s.to_owned(),
                    Some(_) => return Err(format_error("%c requires int or char")),
                    None => u32::try_from(arg.clone())
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or_else(|| format_error("%c requires int or char"))?
                        .to_string(),
                };
                Ok(self.pad(c, false))
            }
            other => Err(format_error(format!(
                "unsupported format character '{other}'"
            ))),
        }
    }
}

fn to_int(arg: &Value, conversion: char) -> Result<i128, Error> {
    if arg.is_integer() || arg.kind() == ValueKind::Bool {
        return i128::try_from(arg.clone()).map_err(|e| format_error(e.to_string()));
    }
    if arg.kind() == ValueKind::Number && matches!(conversion, 'd' | 'i' | 'u') {
        let f = f64::try_from(arg.clone()).unwrap_or(f64::NAN);
        if f.is_finite() {
            return Ok(f.trunc() as i128);
        }
        return Err(format_error(
            "cannot convert float infinity or NaN to integer",
        ));
    }
    Err(format_error(format!(
        "%{conversion} format: a real number is required, not {}",
        arg.kind()
    )))
}

fn to_float(arg: &Value) -> Result<f64, Error> {
    if arg.kind() == ValueKind::Number || arg.kind() == ValueKind::Bool {
        return f64::try_from(arg.clone()).map_err(|e| format_error(e.to_string()));
    }
    Err(format_error(format!(
        "must be real number, not {}",
        arg.kind()
    )))
}

/// C-style `%e`, `%f`, `%g` without the sign.
pub fn format_float(f: f64, conversion: char, precision: usize, alternate: bool) -> String {
    let upper = conversion.is_ascii_uppercase();
    let f = f.abs();
    let body = if f.is_nan() {
        "nan".to_owned()
    } else if f.is_infinite() {
        "inf".to_owned()
    } else {
        match conversion.to_ascii_lowercase() {
            'e' => exp_notation(f, precision, alternate),
            'f' => {
                let s = format!("{f:.precision$}");
                if alternate && precision == 0 {
                    s + "."
                } else {
                    s
                }
            }
            _ => {
                let p = precision.max(1);
                let exp = if f == 0.0 {
                    0
                } else {
                    // The exponent after rounding to p significant digits.
                    let s = format!("{:.*e}", p - 1, f);
                    s.split_once('e')
                        .and_then(|(_, e)| e.parse::<i32>().ok())
                        .unwrap_or(0)
                };
                let s = if exp < -4 || exp >= p as i32 {
                    exp_notation(f, p - 1, alternate)
                } else {
                    let decimals = (p as i32 - 1 - exp).max(0) as usize;
                    format!("{f:.decimals$}")
                };
                if alternate {
                    s
                } else {
                    strip_zeros(&s)
                }
            }
        }
    };
    if upper {
        body.to_uppercase()
    } else {
        body
    }
}

fn exp_notation(f: f64, precision: usize, alternate: bool) -> String {
    let s = format!("{f:.precision$e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mantissa = if alternate && !mantissa.contains('.') {
        format!("{mantissa}.")
    } else {
        mantissa.to_owned()
    };
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.abs())
}

fn strip_zeros(s: &str) -> String {
    let (number, exp) = match s.find('e') {
        Some(i) => s.split_at(i),
        None => (s, ""),
    };
    let number = if number.contains('.') {
        number.trim_end_matches('0').trim_end_matches('.')
    } else {
        number
    };
    format!("{number}{exp}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: &str) -> Value {
        Value::from(minijinja::value::Serde(
            serde_json::from_str::<serde_json::Value>(json).unwrap(),
        ))
    }

    #[test]
    fn str_and_repr_match_python() {
        assert_eq!(py_str(&v("true")), "True");
        assert_eq!(py_str(&v("null")), "None");
        assert_eq!(
            py_str(&v(r#"["a", 1, 2.0, null, false]"#)),
            "['a', 1, 2.0, None, False]"
        );
        assert_eq!(
            py_str(&v(r#"{"k": "it's", "n": {"x": []}}"#)),
            r#"{'k': "it's", 'n': {'x': []}}"#
        );
        assert_eq!(str_repr("a'b\"c\n\u{a0}é"), r#"'a\'b"c\n\xa0é'"#);
        assert_eq!(py_str(&Value::from(1e16)), "1e+16");
    }

    #[test]
    fn percent_format_matches_python() {
        // Expected values from Python 3.11.
        let cases: &[(&str, &[Value], &str)] = &[
            ("%s-%s", &[Value::from("a"), Value::from(2)], "a-2"),
            (
                "%05.1f|%-4d|%x|%#o",
                &[
                    Value::from(2.66666),
                    Value::from(7),
                    Value::from(255),
                    Value::from(8),
                ],
                "002.7|7   |ff|0o10",
            ),
            (
                "%+d %e %g %g %G",
                &[
                    Value::from(5),
                    Value::from(12345.678),
                    Value::from(0.00001234),
                    Value::from(1234567.0),
                    Value::from(1e-10),
                ],
                "+5 1.234568e+04 1.234e-05 1.23457e+06 1E-10",
            ),
            (
                "%r %s %.2s %c%%",
                &[
                    Value::from("x"),
                    Value::from(true),
                    Value::from("abc"),
                    Value::from(65),
                ],
                "'x' True ab A%",
            ),
            ("%d", &[Value::from(3.9)], "3"),
            ("%10.3s|", &[Value::from("abcdef")], "       abc|"),
        ];
        for (format, args, want) in cases {
            assert_eq!(&percent_format(format, args).unwrap(), want, "{format}");
        }
        let mapping = v(r#"{"name": "graft", "n": 3}"#);
        assert_eq!(
            percent_format("%(name)s has %(n)03d", &[mapping]).unwrap(),
            "graft has 003"
        );
        assert!(percent_format("%s %s", &[Value::from(1)]).is_err());
        assert!(percent_format("%s", &[Value::from(1), Value::from(2)]).is_err());
    }
}
