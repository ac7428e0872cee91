//! Python methods on template values (`name.rsplit('-', 1)`,
//! `name.title()`): minijinja-contrib's `pycompat` plus the ones it lacks
//! that templates call, with Python's semantics where pycompat's differ.

use minijinja::value::{from_args, Kwargs, ValueKind};
use minijinja::{Error, ErrorKind, State, Value};

use super::jinja2::{invalid, py_center, tuple};
use super::mutable;
use super::pystr::py_str;

/// The environment's unknown-method callback.
pub fn unknown_method_callback(
    state: &mut State,
    value: &Value,
    method: &str,
    args: &[Value],
) -> Result<Value, Error> {
    if let Some(s) = value.as_str() {
        if let Some(result) = string_method(s, method, args)? {
            return Ok(result);
        }
    }
    if matches!(value.kind(), ValueKind::Map | ValueKind::Seq) && method == "copy" {
        let () = from_args(args)?;
        return Ok(value.clone());
    }
    if value.kind() == ValueKind::Seq && method == "index" {
        let (needle,): (Value,) = from_args(args)?;
        return value
            .try_iter()?
            .position(|item| item == needle)
            .map(Value::from)
            .ok_or_else(|| invalid(format!("{} is not in list", py_str(&needle))));
    }
    let result = minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args);
    let changes = match value.kind() {
        ValueKind::Seq => mutable::LIST_METHODS.contains(&method),
        ValueKind::Map => mutable::DICT_METHODS.contains(&method),
        _ => false,
    };
    match result {
        Err(e) if changes && e.kind() == ErrorKind::UnknownMethod => {
            let what = if value.kind() == ValueKind::Seq {
                "list"
            } else {
                "dict"
            };
            Err(Error::new(
                ErrorKind::UnknownMethod,
                format!(
                    "`{method}()` changes a {what} in place, which graft can do only for a \
                     {what} this file assigns with `{{% set NAME = ... %}}` and changes as \
                     `NAME.{method}(...)`"
                ),
            ))
        }
        result => result,
    }
}

/// Python's `str.title()`: a letter is upper-cased when the character
/// before it is not a letter ("hello-world's x1y" → "Hello-World'S X1Y").
pub fn py_title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut previous_cased = false;
    for c in s.chars() {
        if previous_cased {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        previous_cased = c.is_alphabetic();
    }
    out
}

fn split_whitespace_right(s: &str, maxsplit: i64) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = s.trim_end();
    while !rest.is_empty() {
        if maxsplit >= 0 && parts.len() as i64 == maxsplit {
            parts.push(rest.to_owned());
            break;
        }
        match rest.rfind(char::is_whitespace) {
            Some(i) => {
                let ws_len = rest[i..].chars().next().map_or(1, char::len_utf8);
                parts.push(rest[i + ws_len..].to_owned());
                rest = rest[..i].trim_end();
            }
            None => {
                parts.push(rest.to_owned());
                break;
            }
        }
    }
    parts.reverse();
    parts
}

/// Python `str` methods minijinja lacks, or has with other semantics.
/// `Ok(None)` means "not a string method we know": the caller falls back
/// to pycompat. Each group of related methods has its own helper.
fn string_method(s: &str, method: &str, args: &[Value]) -> Result<Option<Value>, Error> {
    let value = match method {
        "title" => {
            let () = from_args(args)?;
            Value::from(py_title(s))
        }
        "rsplit" => rsplit(s, args)?,
        "swapcase" => {
            let () = from_args(args)?;
            Value::from(swapcase(s))
        }
        "center" | "ljust" | "rjust" => Value::from(justify(s, method, args)?),
        "zfill" => {
            let (width,): (usize,) = from_args(args)?;
            Value::from(zfill(s, width))
        }
        "partition" | "rpartition" => partition(s, method, args)?,
        "index" | "rindex" => find_index(s, method, args)?,
        "casefold" => {
            let () = from_args(args)?;
            Value::from(s.to_lowercase().replace('ß', "ss"))
        }
        "isidentifier" | "istitle" | "isdecimal" => {
            let () = from_args(args)?;
            Value::from(is_predicate(s, method))
        }
        "removeprefix" => {
            let (prefix,): (String,) = from_args(args)?;
            Value::from(s.strip_prefix(prefix.as_str()).unwrap_or(s).to_owned())
        }
        "removesuffix" => {
            let (suffix,): (String,) = from_args(args)?;
            Value::from(s.strip_suffix(suffix.as_str()).unwrap_or(s).to_owned())
        }
        "expandtabs" => {
            let (tabsize,): (Option<usize>,) = from_args(args)?;
            Value::from(expand_tabs(s, tabsize.unwrap_or(8)))
        }
        "encode" | "decode" => {
            return Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("graft templates work on text; `str.{method}` is not available"),
            ))
        }
        _ => return Ok(None),
    };
    Ok(Some(value))
}

/// `str.rsplit(sep=None, maxsplit=-1)`, positional or keyword.
fn rsplit(s: &str, args: &[Value]) -> Result<Value, Error> {
    let (sep, maxsplit, kwargs): (Option<Value>, Option<i64>, Kwargs) = from_args(args)?;
    let sep = match kwargs.get::<Option<Value>>("sep")? {
        Some(k) => Some(k),
        None => sep,
    };
    let maxsplit = kwargs
        .get::<Option<i64>>("maxsplit")?
        .or(maxsplit)
        .unwrap_or(-1);
    kwargs.assert_all_used()?;
    let parts: Vec<String> = match sep.filter(|s| !s.is_none()) {
        None => split_whitespace_right(s, maxsplit),
        Some(sep) => {
            let sep = py_str(&sep);
            if sep.is_empty() {
                return Err(invalid("empty separator"));
            }
            let mut parts: Vec<String> = if maxsplit < 0 {
                s.rsplit(sep.as_str()).map(str::to_owned).collect()
            } else {
                s.rsplitn(maxsplit as usize + 1, sep.as_str())
                    .map(str::to_owned)
                    .collect()
            };
            parts.reverse();
            parts
        }
    };
    Ok(Value::from(parts))
}

fn swapcase(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_uppercase() {
                c.to_lowercase().collect::<Vec<_>>()
            } else {
                c.to_uppercase().collect()
            }
        })
        .collect()
}

/// `str.center`, `str.ljust` and `str.rjust`: `(width, fillchar=' ')`.
fn justify(s: &str, method: &str, args: &[Value]) -> Result<String, Error> {
    let (width, fill): (usize, Option<String>) = from_args(args)?;
    let fill = match fill {
        Some(f) if f.chars().count() == 1 => f.chars().next().unwrap_or(' '),
        Some(_) => {
            return Err(invalid(
                "The fill character must be exactly one character long",
            ))
        }
        None => ' ',
    };
    let len = s.chars().count();
    let pad = |n: usize| std::iter::repeat_n(fill, n).collect::<String>();
    Ok(match method {
        "center" => py_center(s, width, fill),
        "ljust" => format!("{s}{}", pad(width.saturating_sub(len))),
        _ => format!("{}{s}", pad(width.saturating_sub(len))),
    })
}

/// `str.zfill`: zeros go after a leading sign, as in Python.
fn zfill(s: &str, width: usize) -> String {
    let len = s.chars().count();
    if len >= width {
        return s.to_owned();
    }
    let (sign, digits) = match s.chars().next() {
        Some(c @ ('+' | '-')) => (c.to_string(), &s[1..]),
        _ => (String::new(), s),
    };
    format!("{sign}{}{digits}", "0".repeat(width - len))
}

/// `str.partition` and `str.rpartition`: always a 3-tuple.
fn partition(s: &str, method: &str, args: &[Value]) -> Result<Value, Error> {
    let (sep,): (String,) = from_args(args)?;
    if sep.is_empty() {
        return Err(invalid("empty separator"));
    }
    let found = if method == "partition" {
        s.find(sep.as_str())
    } else {
        s.rfind(sep.as_str())
    };
    let parts = match found {
        Some(i) => [&s[..i], sep.as_str(), &s[i + sep.len()..]],
        None if method == "partition" => [s, "", ""],
        None => ["", "", s],
    };
    Ok(tuple(parts.map(Value::from)))
}

/// `str.index` and `str.rindex`: a character index, an error when absent.
fn find_index(s: &str, method: &str, args: &[Value]) -> Result<Value, Error> {
    let (needle,): (String,) = from_args(args)?;
    let found = if method == "index" {
        s.find(needle.as_str())
    } else {
        s.rfind(needle.as_str())
    };
    match found {
        Some(i) => Ok(Value::from(s[..i].chars().count())),
        None => Err(invalid("substring not found")),
    }
}

/// `str.isidentifier`, `str.istitle` and `str.isdecimal`.
fn is_predicate(s: &str, method: &str) -> bool {
    match method {
        "isidentifier" => {
            let mut chars = s.chars();
            chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && chars.all(|c| c.is_alphanumeric() || c == '_')
        }
        "istitle" => s.chars().any(char::is_alphabetic) && py_title(s) == s,
        _ => !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()),
    }
}

/// `str.expandtabs`: columns restart after `\n` and `\r`.
fn expand_tabs(s: &str, tabsize: usize) -> String {
    let mut out = String::new();
    let mut column = 0;
    for c in s.chars() {
        match c {
            '\t' => {
                let n = if tabsize == 0 {
                    0
                } else {
                    tabsize - column % tabsize
                };
                out.push_str(&" ".repeat(n));
                column += n;
            }
            '\n' | '\r' => {
                out.push(c);
                column = 0;
            }
            c => {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_is_python_str_title() {
        assert_eq!(py_title("hello-world's x1y"), "Hello-World'S X1Y");
        assert_eq!(py_title("ÉCOLE élève"), "École Élève");
    }
}
