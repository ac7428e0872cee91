//! Jinja2's built-in filters, tests and globals where minijinja's differ
//! from them or are missing, and the formatter that prints values as
//! Python's `str()` does.
//!
//! Each filter here is a port of the function in `jinja2/filters.py`
//! (3.1), including its positional-or-keyword arguments, so
//! `"9.6"|int`, `"0x1A"|int(base=16)`, `2.5|round` (banker's rounding,
//! a float), `['a','A']|unique` (case-insensitive) and `x|indent(2, true)`
//! give Jinja2's results.

use minijinja::value::{Kwargs, Rest, ValueKind};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, Value};

use super::pydata::PyData;
use super::pyjson::{self, JsonOptions};
use super::pystr::{percent_format, py_repr, py_str};

/// Positional-or-keyword arguments, as a Python function receives them.
pub struct PyArgs {
    positional: Vec<Value>,
    kwargs: Kwargs,
}

impl PyArgs {
    pub fn new(positional: Rest<Value>, kwargs: Kwargs) -> PyArgs {
        PyArgs {
            positional: positional.0,
            kwargs,
        }
    }

    /// The argument at `index`, or passed as `name=`.
    pub fn get(&self, index: usize, name: &str) -> Result<Option<Value>, Error> {
        let keyword: Option<Value> = self.kwargs.get(name)?;
        match (self.positional.get(index), keyword) {
            (Some(_), Some(_)) => Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("got multiple values for argument `{name}`"),
            )),
            (Some(v), None) => Ok(Some(v.clone())),
            (None, k) => Ok(k.filter(|v| !v.is_undefined())),
        }
    }

    pub fn flag(&self, index: usize, name: &str, default: bool) -> Result<bool, Error> {
        Ok(self.get(index, name)?.map_or(default, |v| v.is_true()))
    }

    /// Fails on unknown keywords and extra positional arguments.
    pub fn finish(&self, max_positional: usize) -> Result<(), Error> {
        if self.positional.len() > max_positional {
            return Err(Error::from(ErrorKind::TooManyArguments));
        }
        self.kwargs.assert_all_used()
    }
}

pub fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

/// Prints values as Jinja2 does: `str(value)`, HTML-escaped under
/// autoescape unless marked safe.
pub fn python_formatter(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if value.is_undefined() || value.is_safe() {
        return minijinja::escape_formatter(out, state, value);
    }
    let text = py_str(value);
    let text = match state.auto_escape() {
        AutoEscape::None => text,
        _ => markup_escape(&text),
    };
    out.write_str(&text)
        .map_err(|_| invalid("cannot write output"))
}

/// markupsafe's `escape`.
pub fn markup_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn register(env: &mut Environment<'static>) {
    env.add_filter("int", int);
    env.add_filter("float", float);
    env.add_filter("round", round);
    env.add_filter("title", title);
    env.add_filter("string", |v: Value| py_str(&v));
    env.add_filter("join", join);
    env.add_filter("center", center);
    env.add_filter("truncate", truncate);
    env.add_filter("indent", indent);
    env.add_filter("wordwrap", wordwrap);
    env.add_filter("wordcount", wordcount);
    env.add_filter("filesizeformat", filesizeformat);
    env.add_filter("escape", escape);
    env.add_filter("e", escape);
    env.add_filter("forceescape", |v: Value| {
        Value::from_safe_string(markup_escape(&py_str(&v)))
    });
    env.add_filter("xmlattr", xmlattr);
    env.add_filter("format", format);
    env.add_filter("tojson", tojson);
    env.add_filter("unique", unique);
    env.add_filter("pprint", |v: Value| py_repr(&v));
    env.add_filter("striptags", minijinja_contrib::filters::striptags);
    env.add_filter("dictsort", dictsort);
    env.add_filter("items", |v: Value| -> Result<Value, Error> {
        if v.is_undefined() {
            return Ok(Value::from(Vec::<Value>::new()));
        }
        let mut items = Vec::new();
        for key in v.try_iter()? {
            let item = v.get_item(&key)?;
            items.push(tuple([key, item]));
        }
        Ok(Value::from(items))
    });
    env.add_test("callable", |v: Value| {
        v.as_object()
            .is_some_and(|o| matches!(o.repr(), minijinja::value::ObjectRepr::Plain))
            || v.kind() == ValueKind::Plain
    });
    env.add_test("sequence", |v: Value| {
        matches!(
            v.kind(),
            ValueKind::Seq | ValueKind::Map | ValueKind::String | ValueKind::Bytes
        )
    });
    env.add_function("_graft_percent", |format: String, args: Rest<Value>| {
        let args = match args.as_slice() {
            [one] if one.is_tuple() => one.try_iter()?.collect(),
            _ => args.0,
        };
        percent_format(&format, &args).map(Value::from)
    });
    env.add_function("cycler", minijinja_contrib::globals::cycler);
    env.add_function("joiner", minijinja_contrib::globals::joiner);
}

/// Python's `int(str, base)`: whitespace, `_` between digits, a sign and
/// the base's prefix are allowed.
pub fn parse_python_int(text: &str, base: u32) -> Option<i128> {
    let s = text.trim();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let lower = s.to_ascii_lowercase();
    let (base, digits) = match base {
        0 => {
            if let Some(d) = lower.strip_prefix("0x") {
                (16, d.to_owned())
            } else if let Some(d) = lower.strip_prefix("0o") {
                (8, d.to_owned())
            } else if let Some(d) = lower.strip_prefix("0b") {
                (2, d.to_owned())
            } else if lower.trim_start_matches('0').is_empty() || !lower.starts_with('0') {
                (10, lower.clone())
            } else {
                return None;
            }
        }
        16 => (16, lower.strip_prefix("0x").unwrap_or(&lower).to_owned()),
        8 => (8, lower.strip_prefix("0o").unwrap_or(&lower).to_owned()),
        2 => (2, lower.strip_prefix("0b").unwrap_or(&lower).to_owned()),
        b => (b, lower.clone()),
    };
    let digits = digits.strip_prefix('_').unwrap_or(&digits);
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let cleaned: String = digits.chars().filter(|c| *c != '_').collect();
    let value = i128::from_str_radix(&cleaned, base).ok()?;
    Some(if negative { -value } else { value })
}

/// Python's `float(str)`.
pub fn parse_python_float(text: &str) -> Option<f64> {
    let s = text.trim();
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        return lower.parse::<f64>().ok().or_else(|| {
            let negative = lower.starts_with('-');
            let f = if unsigned == "nan" {
                f64::NAN
            } else {
                f64::INFINITY
            };
            Some(if negative { -f } else { f })
        });
    }
    if s.is_empty()
        || s.contains("__")
        || s.starts_with('_')
        || s.ends_with('_')
        || s.contains("_.")
        || s.contains("._")
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-' | '_'))
    {
        return None;
    }
    s.replace('_', "").parse::<f64>().ok()
}

fn number_from(value: &Value) -> Option<Value> {
    match value.kind() {
        ValueKind::Number => Some(value.clone()),
        ValueKind::Bool => Some(Value::from(i64::from(value.is_true()))),
        _ => None,
    }
}

/// `do_int(value, default=0, base=10)`.
fn int(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let args = PyArgs::new(args, kwargs);
    let default = args.get(0, "default")?.unwrap_or(Value::from(0));
    let base = match args.get(1, "base")? {
        Some(b) => u32::try_from(b).map_err(|_| invalid("int() base must be an integer"))?,
        None => 10,
    };
    args.finish(2)?;
    if let Some(s) = value.as_str() {
        if let Some(i) = parse_python_int(s, base) {
            return Ok(Value::from(i));
        }
        return Ok(match parse_python_float(s) {
            Some(f) if f.is_finite() => Value::from(f.trunc() as i128),
            Some(_) => return Err(invalid("cannot convert float infinity or NaN to integer")),
            None => default,
        });
    }
    match number_from(&value) {
        Some(n) if n.is_integer() => Ok(n),
        Some(n) => {
            let f = f64::try_from(n)?;
            if f.is_finite() {
                Ok(Value::from(f.trunc() as i128))
            } else {
                Err(invalid("cannot convert float infinity or NaN to integer"))
            }
        }
        None => Ok(default),
    }
}

/// `do_float(value, default=0.0)`.
fn float(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let args = PyArgs::new(args, kwargs);
    let default = args.get(0, "default")?.unwrap_or(Value::from(0.0));
    args.finish(1)?;
    if let Some(s) = value.as_str() {
        return Ok(parse_python_float(s).map_or(default, Value::from));
    }
    match number_from(&value) {
        Some(n) => Ok(Value::from(f64::try_from(n)?)),
        None => Ok(default),
    }
}

/// Python's `round(x, n)`: the exact decimal value of the float,
/// rounded half to even, which is also how Rust formats with a precision.
pub fn python_round(f: f64, digits: i32) -> f64 {
    if !f.is_finite() {
        return f;
    }
    if digits >= 0 {
        let text = format!("{:.*}", digits as usize, f);
        return text.parse().unwrap_or(f);
    }
    let factor = 10f64.powi(-digits);
    let y = f / factor;
    let r = y.round();
    let r = if (y - y.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
        r - y.signum()
    } else {
        r
    };
    r * factor
}

/// `do_round(value, precision=0, method='common')`.
fn round(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let args = PyArgs::new(args, kwargs);
    let precision = match args.get(0, "precision")? {
        Some(p) => i32::try_from(p).map_err(|_| invalid("precision must be an integer"))?,
        None => 0,
    };
    let method = args.get(1, "method")?;
    args.finish(2)?;
    let method = method.as_ref().and_then(|m| m.as_str()).unwrap_or("common");
    if value.is_integer() && method == "common" {
        return Ok(value);
    }
    let f = f64::try_from(number_from(&value).ok_or_else(|| {
        invalid(format!(
            "type {} doesn't define __round__ method",
            value.kind()
        ))
    })?)?;
    let factor = 10f64.powi(precision);
    Ok(Value::from(match method {
        "common" => python_round(f, precision),
        "ceil" => (f * factor).ceil() / factor,
        "floor" => (f * factor).floor() / factor,
        _ => return Err(invalid("method must be common, ceil or floor")),
    }))
}

/// `do_title`: capitalises after whitespace, `-`, and opening brackets.
fn title(value: Value) -> Value {
    let s = py_str(&value);
    let mut out = String::with_capacity(s.len());
    let mut at_start = true;
    for c in s.chars() {
        if c.is_whitespace() || matches!(c, '-' | '(' | '{' | '[' | '<') {
            out.push(c);
            at_start = true;
        } else if at_start {
            out.extend(c.to_uppercase());
            at_start = false;
        } else {
            out.extend(c.to_lowercase());
        }
    }
    Value::from(out)
}

/// `do_join(value, d='', attribute=None)`.
fn join(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let args = PyArgs::new(args, kwargs);
    let separator = args.get(0, "d")?.map(|v| py_str(&v)).unwrap_or_default();
    let attribute = args.get(1, "attribute")?;
    args.finish(2)?;
    if value.is_undefined() || value.is_none() {
        return Ok(Value::from(""));
    }
    if let Some(s) = value.as_str() {
        let chars: Vec<String> = s.chars().map(String::from).collect();
        return Ok(Value::from(chars.join(&separator)));
    }
    let mut parts = Vec::new();
    for item in value.try_iter()? {
        let item = match &attribute {
            Some(attr) => get_path(&item, attr)?,
            None => item,
        };
        parts.push(py_str(&item));
    }
    Ok(Value::from(parts.join(&separator)))
}

/// Jinja2's `make_attrgetter`: `a.b.0` walks attributes and indexes.
pub fn get_path(value: &Value, path: &Value) -> Result<Value, Error> {
    if let Some(index) = path.as_i64() {
        return value.get_item(&Value::from(index));
    }
    let path = py_str(path);
    let mut current = value.clone();
    for part in path.split('.') {
        current = match part.parse::<i64>() {
            Ok(i) => current.get_item(&Value::from(i))?,
            Err(_) => current.get_attr(part)?,
        };
    }
    Ok(current)
}

/// Python's `str.center(width, fillchar)`.
pub fn py_center(s: &str, width: usize, fill: char) -> String {
    let len = s.chars().count();
    if width <= len {
        return s.to_owned();
    }
    let margin = width - len;
    let left = margin / 2 + (margin & width & 1);
    let fill_str = |n: usize| std::iter::repeat_n(fill, n).collect::<String>();
    format!("{}{s}{}", fill_str(left), fill_str(margin - left))
}

/// `do_center(value, width=80)`.
fn center(value: Value, width: Option<usize>) -> Value {
    Value::from(py_center(&py_str(&value), width.unwrap_or(80), ' '))
}

/// `do_truncate(s, length=255, killwords=False, end='...', leeway=None)`.
fn truncate(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let args = PyArgs::new(args, kwargs);
    let length = match args.get(0, "length")? {
        Some(l) => usize::try_from(l)?,
        None => 255,
    };
    let killwords = args.flag(1, "killwords", false)?;
    let end = args
        .get(2, "end")?
        .map_or_else(|| "...".to_owned(), |v| py_str(&v));
    let leeway = match args.get(3, "leeway")? {
        Some(l) => usize::try_from(l)?,
        None => 5,
    };
    args.finish(4)?;
    let s = py_str(&value);
    let end_len = end.chars().count();
    if length < end_len {
        return Err(invalid(format!(
            "expected length >= {end_len}, got {length}"
        )));
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= length + leeway {
        return Ok(Value::from(s));
    }
    let head: String = chars[..length - end_len].iter().collect();
    if killwords {
        return Ok(Value::from(head + &end));
    }
    let kept = match head.rfind(' ') {
        Some(i) => head[..i].to_owned(),
        None => head,
    };
    Ok(Value::from(kept + &end))
}

/// Python's `str.splitlines()`.
pub fn py_splitlines(s: &str, keepends: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            current.push(c);
            continue;
        }
        if keepends {
            current.push(c);
        }
        if c == '\r' && chars.peek() == Some(&'\n') {
            chars.next();
            if keepends {
                current.push('\n');
            }
        }
        lines.push(std::mem::take(&mut current));
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// `do_indent(s, width=4, first=False, blank=False)`.
fn indent(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let args = PyArgs::new(args, kwargs);
    let indention = match args.get(0, "width")? {
        Some(w) if w.kind() == ValueKind::String => py_str(&w),
        Some(w) => " ".repeat(usize::try_from(w)?),
        None => "    ".to_owned(),
    };
    let first = args.flag(1, "first", false)?;
    let blank = args.flag(2, "blank", false)?;
    args.finish(3)?;
    let s = py_str(&value) + "\n";
    let lines = py_splitlines(&s, false);
    let mut rv = if blank {
        lines.join(&format!("\n{indention}"))
    } else {
        let mut iter = lines.into_iter();
        let mut rv = iter.next().unwrap_or_default();
        let rest: Vec<String> = iter
            .map(|line| {
                if line.is_empty() {
                    line
                } else {
                    format!("{indention}{line}")
                }
            })
            .collect();
        if !rest.is_empty() {
            rv.push('\n');
            rv.push_str(&rest.join("\n"));
        }
        rv
    };
    if first {
        rv = indention + &rv;
    }
    Ok(value_like(&value, rv))
}

fn value_like(original: &Value, text: String) -> Value {
    if original.is_safe() {
        Value::from_safe_string(text)
    } else {
        Value::from(text)
    }
}

/// Python's `textwrap.wrap` with Jinja2's settings: no tab expansion, no
/// whitespace replacement, long words broken, and words split after
/// hyphens between letters.
pub fn textwrap(
    line: &str,
    width: usize,
    break_long_words: bool,
    break_on_hyphens: bool,
) -> Vec<String> {
    let chunks = split_chunks(line, break_on_hyphens);
    let mut chunks: Vec<String> = chunks.into_iter().rev().collect();
    let mut lines = Vec::new();
    let width = width.max(1);
    while !chunks.is_empty() {
        let mut current: Vec<String> = Vec::new();
        let mut current_len = 0;
        // Drop leading whitespace of every line but the first.
        if !lines.is_empty() && chunks.last().is_some_and(|c| c.trim().is_empty()) {
            chunks.pop();
        }
        while let Some(chunk) = chunks.last() {
            let len = chunk.chars().count();
            if current_len + len <= width {
                current_len += len;
                current.push(chunks.pop().unwrap_or_default());
            } else {
                break;
            }
        }
        if chunks.last().is_some_and(|c| c.chars().count() > width) {
            let space_left = if width < 1 { 1 } else { width - current_len };
            if break_long_words {
                let chunk = chunks.pop().unwrap_or_default();
                let mut end = space_left;
                if break_on_hyphens && chunk.chars().count() > space_left {
                    let head: Vec<char> = chunk.chars().take(space_left).collect();
                    if let Some(hyphen) = head.iter().rposition(|c| *c == '-') {
                        if hyphen > 0 && head[..hyphen].iter().any(|c| *c != '-') {
                            end = hyphen + 1;
                        }
                    }
                }
                let head: String = chunk.chars().take(end).collect();
                let tail: String = chunk.chars().skip(end).collect();
                current.push(head);
                if !tail.is_empty() {
                    chunks.push(tail);
                }
            } else if current.is_empty() {
                current.push(chunks.pop().unwrap_or_default());
            }
        }
        // Drop trailing whitespace.
        if current.last().is_some_and(|c| c.trim().is_empty()) {
            current.pop();
        }
        if !current.is_empty() {
            lines.push(current.concat());
        }
    }
    lines
}

/// textwrap's chunking: runs of whitespace, and words (split after a
/// hyphen that stands between letters when asked to).
fn split_chunks(text: &str, break_on_hyphens: bool) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut in_space = None;
    for c in text.chars() {
        let space = c.is_whitespace();
        if in_space.is_some_and(|s| s != space) {
            chunks.push(std::mem::take(&mut current));
        }
        in_space = Some(space);
        current.push(c);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    if !break_on_hyphens {
        return chunks;
    }
    let mut split = Vec::new();
    for chunk in chunks {
        if chunk.trim().is_empty() {
            split.push(chunk);
            continue;
        }
        let chars: Vec<char> = chunk.chars().collect();
        let mut start = 0;
        for i in 0..chars.len() {
            // "ab-c": break after a hyphen preceded by two letters (or
            // letter-hyphen-letter) and followed by a letter.
            if chars[i] == '-'
                && i >= 2
                && i + 1 < chars.len()
                && chars[i - 1].is_alphabetic()
                && (chars[i - 2].is_alphabetic() || chars[i - 2] == '-')
                && chars[i + 1].is_alphabetic()
            {
                split.push(chars[start..=i].iter().collect());
                start = i + 1;
            }
        }
        split.push(chars[start..].iter().collect());
    }
    split
}

/// `do_wordwrap(s, width=79, break_long_words=True, wrapstring=None,
/// break_on_hyphens=True)`.
fn wordwrap(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let args = PyArgs::new(args, kwargs);
    let width = match args.get(0, "width")? {
        Some(w) => usize::try_from(w)?,
        None => 79,
    };
    let break_long_words = args.flag(1, "break_long_words", true)?;
    let wrapstring = args
        .get(2, "wrapstring")?
        .filter(|v| !v.is_none())
        .map_or_else(|| "\n".to_owned(), |v| py_str(&v));
    let break_on_hyphens = args.flag(3, "break_on_hyphens", true)?;
    args.finish(4)?;
    let s = py_str(&value);
    let paragraphs: Vec<String> = py_splitlines(&s, false)
        .iter()
        .map(|line| textwrap(line, width, break_long_words, break_on_hyphens).join(&wrapstring))
        .collect();
    Ok(Value::from(paragraphs.join(&wrapstring)))
}

/// `do_wordcount`: matches of `\w+`.
fn wordcount(value: Value) -> usize {
    let s = py_str(&value);
    let mut count = 0;
    let mut in_word = false;
    for c in s.chars() {
        let word = c.is_alphanumeric() || c == '_';
        if word && !in_word {
            count += 1;
        }
        in_word = word;
    }
    count
}

/// `do_filesizeformat(value, binary=False)`.
fn filesizeformat(value: Value, binary: Option<bool>) -> Result<String, Error> {
    let bytes = match value.as_str() {
        Some(s) => {
            parse_python_float(s).ok_or_else(|| invalid("could not convert string to float"))?
        }
        None => f64::try_from(number_from(&value).ok_or_else(|| invalid("a number is required"))?)?,
    };
    let binary = binary.unwrap_or(false);
    let base: f64 = if binary { 1024.0 } else { 1000.0 };
    let prefixes = if binary {
        ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
    } else {
        ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
    };
    if bytes == 1.0 {
        return Ok("1 Byte".into());
    }
    if bytes < base {
        return Ok(format!("{} Bytes", bytes.trunc() as i128));
    }
    let mut unit = base;
    let mut prefix = prefixes[0];
    for (i, p) in prefixes.iter().enumerate() {
        unit = base.powi(i as i32 + 2);
        prefix = p;
        if bytes < unit {
            break;
        }
    }
    Ok(format!("{:.1} {prefix}", base * bytes / unit))
}

/// `escape`: markupsafe's escaping; safe values pass through.
fn escape(value: Value) -> Value {
    if value.is_safe() {
        return value;
    }
    Value::from_safe_string(markup_escape(&py_str(&value)))
}

/// `do_xmlattr(d, autospace=True)`.
fn xmlattr(value: Value, autospace: Option<bool>) -> Result<Value, Error> {
    let mut items = Vec::new();
    for key in value.try_iter()? {
        let item = value.get_item(&key)?;
        if item.is_none() || item.is_undefined() {
            continue;
        }
        let key = py_str(&key);
        if key.is_empty() || key.chars().any(|c| c.is_whitespace() || "/>=".contains(c)) {
            return Err(invalid(format!(
                "Invalid character in attribute name: {key:?}"
            )));
        }
        items.push(format!(
            "{}=\"{}\"",
            markup_escape(&key),
            markup_escape(&py_str(&item))
        ));
    }
    let mut rv = items.join(" ");
    if autospace.unwrap_or(true) && !rv.is_empty() {
        rv.insert(0, ' ');
    }
    Ok(Value::from_safe_string(rv))
}

/// `do_format(value, *args, **kwargs)`: `value % (kwargs or args)`.
fn format(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let keys: Vec<String> = kwargs.args().map(str::to_owned).collect();
    if !keys.is_empty() {
        if !args.is_empty() {
            return Err(invalid(
                "can't handle positional and keyword arguments at the same time",
            ));
        }
        let mut map = Vec::new();
        for key in keys {
            let item: Value = kwargs.get(&key)?;
            map.push((Value::from(key), item));
        }
        let mapping = Value::from_pairs(map);
        return Ok(Value::from(percent_format(&py_str(&value), &[mapping])?));
    }
    Ok(Value::from(percent_format(&py_str(&value), &args)?))
}

/// `do_tojson(value, indent=None)`: sorted keys, HTML-safe.
fn tojson(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let args = PyArgs::new(args, kwargs);
    let indent = args.get(0, "indent")?;
    args.finish(1)?;
    let options = JsonOptions {
        indent: match indent {
            Some(i) if i.kind() == ValueKind::String => Some(py_str(&i)),
            Some(i) if !i.is_none() => Some(" ".repeat(usize::try_from(i)?)),
            _ => None,
        },
        sort_keys: true,
        ..JsonOptions::default()
    };
    let json = pyjson::dumps(&PyData::from_value(&value)?, &options)
        .map_err(|e| invalid(e.to_string()))?;
    Ok(Value::from_safe_string(pyjson::html_safe(&json)))
}

/// Jinja2's `ignore_case`: strings compare lower-cased.
fn fold(value: &Value, case_sensitive: bool) -> Value {
    match value.as_str() {
        Some(s) if !case_sensitive => Value::from(s.to_lowercase()),
        _ => value.clone(),
    }
}

/// `do_unique(value, case_sensitive=False, attribute=None)`.
fn unique(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let args = PyArgs::new(args, kwargs);
    let case_sensitive = args.flag(0, "case_sensitive", false)?;
    let attribute = args.get(1, "attribute")?;
    args.finish(2)?;
    let mut seen: Vec<Value> = Vec::new();
    let mut out = Vec::new();
    for item in value.try_iter()? {
        let key = match &attribute {
            Some(attr) => get_path(&item, attr)?,
            None => item.clone(),
        };
        let key = fold(&key, case_sensitive);
        if !seen.contains(&key) {
            seen.push(key);
            out.push(item);
        }
    }
    Ok(Value::from(out))
}

/// A Python tuple: printed `('a', 1)` by [`py_str`].
pub fn tuple<const N: usize>(items: [Value; N]) -> Value {
    Value::from(minijinja::value::Tuple::from(items))
}

/// `do_dictsort(value, case_sensitive=False, by='key', reverse=False)`.
fn dictsort(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let args = PyArgs::new(args, kwargs);
    let case_sensitive = args.flag(0, "case_sensitive", false)?;
    let by = args
        .get(1, "by")?
        .map_or_else(|| "key".to_owned(), |v| py_str(&v));
    let reverse = args.flag(2, "reverse", false)?;
    args.finish(3)?;
    let position = match by.as_str() {
        "key" => 0,
        "value" => 1,
        _ => return Err(invalid("You can only sort by either \"key\" or \"value\"")),
    };
    let mut items = Vec::new();
    for key in value.try_iter()? {
        let item = value.get_item(&key)?;
        items.push((key, item));
    }
    items.sort_by(|a, b| {
        let (x, y) = if position == 0 {
            (&a.0, &b.0)
        } else {
            (&a.1, &b.1)
        };
        fold(x, case_sensitive).cmp(&fold(y, case_sensitive))
    });
    if reverse {
        items.reverse();
    }
    Ok(Value::from(
        items
            .into_iter()
            .map(|(k, v)| tuple([k, v]))
            .collect::<Vec<_>>(),
    ))
}
