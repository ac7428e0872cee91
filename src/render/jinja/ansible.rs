//! jinja2_ansible_filters 1.3 (`AnsibleCoreFiltersExtension`), which
//! Copier loads into every environment.
//!
//! Every pure filter of its `FilterModule.filters()` is here, under the
//! same name and with the same arguments. Left out, on purpose:
//!
//! - `fileglob`: it lists files of the machine relative to the working
//!   directory, not of the template; a template cannot rely on it.
//! - `to_datetime`: it returns a Python `datetime` whose arithmetic
//!   (`(a - b).days`) minijinja values cannot offer.
//!
//! `ans_random`, `shuffle` and `random_mac` draw from the system's
//! randomness; with a `seed` they are repeatable, as in Ansible, but the
//! sequence is not Python's Mersenne Twister.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::path::{Component, Path, PathBuf};

use minijinja::value::{Kwargs, Rest, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State, Value};
use regex::Regex;

use super::hash::{hex, hexdigest, sha1};
use super::jinja2::{get_path, invalid, tuple, PyArgs};
use super::pydata::PyData;
use super::pyjson::{self, JsonOptions};
use super::pystr::{py_repr, py_str};
use super::pyyaml::{self, DumpOptions};
use super::time;

pub fn register(env: &mut Environment<'static>) {
    env.add_filter("ans_groupby", ans_groupby);
    env.add_filter("b64decode", b64decode);
    env.add_filter("b64encode", b64encode);
    env.add_filter("to_uuid", |v: Value| to_uuid(&py_str(&v)));
    env.add_filter("to_json", to_json);
    env.add_filter("to_nice_json", to_nice_json);
    env.add_filter("from_json", from_json);
    env.add_filter("to_yaml", |v: Value, a: Rest<Value>, k: Kwargs| {
        to_yaml(v, a, k, DumpOptions::plain())
    });
    env.add_filter("to_nice_yaml", |v: Value, a: Rest<Value>, k: Kwargs| {
        to_yaml(v, a, k, DumpOptions::nice())
    });
    env.add_filter("from_yaml", from_yaml);
    env.add_filter("from_yaml_all", from_yaml_all);
    env.add_filter("basename", |v: Value| posix_split(&py_str(&v)).1);
    env.add_filter("dirname", |v: Value| posix_split(&py_str(&v)).0);
    env.add_filter("expanduser", |v: Value| expanduser(&py_str(&v)));
    env.add_filter("expandvars", |v: Value| expandvars(&py_str(&v)));
    env.add_filter("realpath", |v: Value| realpath(&py_str(&v)));
    env.add_filter("relpath", relpath);
    env.add_filter("splitext", |v: Value| {
        let (root, ext) = splitext(&py_str(&v));
        tuple([Value::from(root), Value::from(ext)])
    });
    env.add_filter("win_basename", |v: Value| win_split(&py_str(&v)).1);
    env.add_filter("win_dirname", |v: Value| win_split(&py_str(&v)).0);
    env.add_filter("win_splitdrive", |v: Value| {
        let (drive, rest) = win_splitdrive(&py_str(&v));
        tuple([Value::from(drive), Value::from(rest)])
    });
    env.add_filter("bool", to_bool);
    env.add_filter("strftime", strftime);
    env.add_filter("quote", |v: Value| shell_quote(&py_str(&v)));
    env.add_filter("md5", |v: Value| {
        hex(&super::hash::md5(py_str(&v).as_bytes()))
    });
    env.add_filter("sha1", |v: Value| hex(&sha1(py_str(&v).as_bytes())));
    env.add_filter("checksum", |v: Value| hex(&sha1(py_str(&v).as_bytes())));
    env.add_filter("hash", |v: Value, hashtype: Option<String>| {
        hexdigest(hashtype.as_deref().unwrap_or("sha1"), py_str(&v).as_bytes())
            .map_or(Value::from(()), Value::from)
    });
    env.add_filter("regex_replace", regex_replace);
    env.add_filter("regex_escape", regex_escape);
    env.add_filter("regex_search", regex_search);
    env.add_filter("regex_findall", regex_findall);
    env.add_filter("ternary", ternary);
    env.add_filter("ans_random", ans_random);
    env.add_filter("random", |seq: Value| -> Result<Value, Error> {
        // Jinja2's built-in `random`: a random item of a sequence.
        let items: Vec<Value> = seq.try_iter()?.collect();
        if items.is_empty() {
            return Err(invalid("No random item, sequence was empty."));
        }
        Ok(items[Rng::new(None).below(items.len() as u64) as usize].clone())
    });
    env.add_filter("shuffle", shuffle);
    env.add_filter("mandatory", mandatory);
    env.add_filter("comment", comment);
    env.add_filter("type_debug", |v: Value| type_name(&v));
    env.add_filter("combine", combine);
    env.add_filter("extract", extract);
    env.add_filter("flatten", |v: Value, args: Rest<Value>, kwargs: Kwargs| {
        let args = PyArgs::new(args, kwargs);
        let levels = args.get(0, "levels")?.filter(|l| !l.is_none());
        args.finish(1)?;
        flatten(&v, levels.map(i64::try_from).transpose()?)
    });
    env.add_filter("subelements", subelements);
    env.add_filter("random_mac", random_mac);
}

/// Python's class name of a value, as `type_debug` reports it.
pub fn type_name(value: &Value) -> &'static str {
    match value.kind() {
        ValueKind::Undefined => "Undefined",
        ValueKind::None => "NoneType",
        ValueKind::Bool => "bool",
        ValueKind::Number if value.is_integer() => "int",
        ValueKind::Number => "float",
        ValueKind::String if value.is_safe() => "Markup",
        ValueKind::String => "str",
        ValueKind::Bytes => "bytes",
        ValueKind::Seq if value.is_tuple() => "tuple",
        ValueKind::Seq => "list",
        ValueKind::Map => "dict",
        _ => "object",
    }
}

// --- base64 and uuid -------------------------------------------------------

pub fn base64_encode(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// `base64.b64decode`: characters outside the alphabet are discarded,
/// padding is required.
pub fn base64_decode(text: &str) -> Result<Vec<u8>, Error> {
    use base64::Engine as _;
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(kept)
        .map_err(|e| match e {
            base64::DecodeError::InvalidPadding | base64::DecodeError::InvalidLength(_) => {
                invalid("Incorrect padding")
            }
            _ => invalid("Invalid base64-encoded string"),
        })
}

fn check_encoding(encoding: Option<&str>) -> Result<(), Error> {
    match encoding.map(|e| e.to_ascii_lowercase().replace('_', "-")) {
        None => Ok(()),
        Some(e) if e == "utf-8" || e == "utf8" => Ok(()),
        Some(e) => Err(invalid(format!(
            "graft only supports the utf-8 encoding, not `{e}`"
        ))),
    }
}

fn b64encode(value: Value, encoding: Option<String>) -> Result<String, Error> {
    check_encoding(encoding.as_deref())?;
    Ok(base64_encode(py_str(&value).as_bytes()))
}

fn b64decode(value: Value, encoding: Option<String>) -> Result<String, Error> {
    check_encoding(encoding.as_deref())?;
    String::from_utf8(base64_decode(&py_str(&value))?)
        .map_err(|_| invalid("'utf-8' codec can't decode the decoded bytes"))
}

/// `uuid.uuid5(UUID("20851c88-ac15-449f-9ee7-74829105da86"), name)`.
pub fn to_uuid(name: &str) -> String {
    const NAMESPACE: [u8; 16] = [
        0x20, 0x85, 0x1c, 0x88, 0xac, 0x15, 0x44, 0x9f, 0x9e, 0xe7, 0x74, 0x82, 0x91, 0x05, 0xda,
        0x86,
    ];
    let mut data = NAMESPACE.to_vec();
    data.extend_from_slice(name.as_bytes());
    let digest = sha1(&data);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    format_uuid(&bytes)
}

pub fn format_uuid(bytes: &[u8; 16]) -> String {
    let h = hex(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

// --- json and yaml ---------------------------------------------------------

/// `json.dumps` keyword arguments from a filter call.
fn json_options(
    args: &PyArgs,
    first: usize,
    mut options: JsonOptions,
) -> Result<JsonOptions, Error> {
    if let Some(indent) = args.get(first, "indent")? {
        options.indent = match indent.kind() {
            ValueKind::None => None,
            ValueKind::String => Some(py_str(&indent)),
            _ => Some(" ".repeat(usize::try_from(indent)?)),
        };
        if options.indent.is_some() && options.separators.as_ref().is_some_and(|s| s.0 == ", ") {
            options.separators = None;
        }
    }
    if let Some(sort) = args.get(first + 1, "sort_keys")? {
        options.sort_keys = sort.is_true();
    }
    if let Some(ascii) = args.get(usize::MAX, "ensure_ascii")? {
        options.ensure_ascii = ascii.is_true();
    }
    if let Some(separators) = args.get(usize::MAX, "separators")? {
        let item = separators.get_item(&Value::from(0))?;
        let key = separators.get_item(&Value::from(1))?;
        options.separators = Some((py_str(&item), py_str(&key)));
    }
    // Copier passes `default=`; values from templates never need it.
    let _ = args.get(usize::MAX, "default")?;
    let _ = args.get(usize::MAX, "allow_nan")?;
    let _ = args.get(usize::MAX, "skipkeys")?;
    Ok(options)
}

fn to_json(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<String, Error> {
    let args = PyArgs::new(args, kwargs);
    let options = json_options(&args, usize::MAX - 2, JsonOptions::default())?;
    args.finish(0)?;
    pyjson::dumps(&PyData::from_value(&value)?, &options).map_err(|e| invalid(e.to_string()))
}

/// `to_nice_json(a, indent=4, sort_keys=True)`, falling back to
/// `to_json` when the keys cannot be sorted, as Ansible's does.
fn to_nice_json(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<String, Error> {
    let args = PyArgs::new(args, kwargs);
    let defaults = JsonOptions {
        indent: Some("    ".into()),
        sort_keys: true,
        separators: Some((",".into(), ": ".into())),
        ..JsonOptions::default()
    };
    let options = json_options(&args, 0, defaults)?;
    args.finish(2)?;
    let data = PyData::from_value(&value)?;
    match pyjson::dumps(&data, &options) {
        Ok(json) => Ok(json),
        Err(_) => pyjson::dumps(&data, &JsonOptions::default()).map_err(|e| invalid(e.to_string())),
    }
}

fn from_json(value: Value) -> Result<Value, Error> {
    let text = py_str(&value);
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| invalid(format!("from_json: {e}")))?;
    Ok(Value::from(minijinja::value::Serde(json)))
}

fn to_yaml(
    value: Value,
    args: Rest<Value>,
    kwargs: Kwargs,
    mut options: DumpOptions,
) -> Result<String, Error> {
    let args = PyArgs::new(args, kwargs);
    // to_nice_yaml(a, indent=4, ...); to_yaml takes keywords only.
    if let Some(indent) = args.get(0, "indent")? {
        options.indent = Some(i64::try_from(indent)?);
    }
    if let Some(width) = args.get(usize::MAX, "width")? {
        options.width = i64::try_from(width.clone()).ok().or(Some(i64::MAX));
    }
    if let Some(flow) = args.get(usize::MAX, "default_flow_style")? {
        options.default_flow_style = if flow.is_none() {
            None
        } else {
            Some(flow.is_true())
        };
    }
    if let Some(sort) = args.get(usize::MAX, "sort_keys")? {
        options.sort_keys = sort.is_true();
    }
    if let Some(unicode) = args.get(usize::MAX, "allow_unicode")? {
        options.allow_unicode = unicode.is_true();
    }
    if let Some(start) = args.get(usize::MAX, "explicit_start")? {
        options.explicit_start = start.is_true();
    }
    if let Some(end) = args.get(usize::MAX, "explicit_end")? {
        options.explicit_end = end.is_true();
    }
    args.finish(1)?;
    Ok(pyyaml::dump(&PyData::from_value(&value)?, &options))
}

/// `yaml.safe_load`, through serde-saphyr with YAML 1.1's octal numbers
/// and booleans.
fn load_yaml(text: &str) -> Result<Vec<serde_json::Value>, Error> {
    let options = serde_saphyr::options! { legacy_octal_numbers: true };
    serde_saphyr::from_str_multiple_with_options::<serde_json::Value, Vec<_>>(text, options)
        .map_err(|e| invalid(format!("from_yaml: {e}")))
}

fn from_yaml(value: Value) -> Result<Value, Error> {
    let Some(text) = value.as_str() else {
        return Ok(value);
    };
    let docs = load_yaml(text)?;
    Ok(docs
        .into_iter()
        .next()
        .map_or(Value::from(()), |d| Value::from(minijinja::value::Serde(d))))
}

fn from_yaml_all(value: Value) -> Result<Value, Error> {
    let Some(text) = value.as_str() else {
        return Ok(value);
    };
    Ok(Value::from(
        load_yaml(text)?
            .into_iter()
            .map(|d| Value::from(minijinja::value::Serde(d)))
            .collect::<Vec<_>>(),
    ))
}

// --- paths -----------------------------------------------------------------

/// `posixpath.split`: (head, tail), with the head's trailing slashes
/// removed unless it is all slashes.
pub fn posix_split(path: &str) -> (String, String) {
    let cut = path.rfind('/').map_or(0, |i| i + 1);
    let (head, tail) = path.split_at(cut);
    let head = if !head.is_empty() && head.chars().any(|c| c != '/') {
        head.trim_end_matches('/')
    } else {
        head
    };
    (head.to_owned(), tail.to_owned())
}

/// `posixpath.splitext`.
pub fn splitext(path: &str) -> (String, String) {
    let base_start = path.rfind('/').map_or(0, |i| i + 1);
    let base = &path[base_start..];
    let leading_dots = base.len() - base.trim_start_matches('.').len();
    match base.rfind('.') {
        Some(dot) if dot >= leading_dots && dot > 0 => {
            let at = base_start + dot;
            (path[..at].to_owned(), path[at..].to_owned())
        }
        _ => (path.to_owned(), String::new()),
    }
}

fn win_splitdrive(path: &str) -> (String, String) {
    let normalized = path.replace('/', "\\");
    if normalized.starts_with("\\\\") && !normalized.starts_with("\\\\\\") {
        // UNC: \\server\share
        let rest = &normalized[2..];
        if let Some(i) = rest.find('\\') {
            let after = &rest[i + 1..];
            let share_end = after.find('\\').map_or(after.len(), |j| j);
            if share_end > 0 {
                let end = 2 + i + 1 + share_end;
                return (path[..end].to_owned(), path[end..].to_owned());
            }
        }
        return (String::new(), path.to_owned());
    }
    let bytes = path.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' {
        return (path[..2].to_owned(), path[2..].to_owned());
    }
    (String::new(), path.to_owned())
}

/// `ntpath.split`.
fn win_split(path: &str) -> (String, String) {
    let (drive, rest) = win_splitdrive(path);
    let cut = rest.rfind(['/', '\\']).map_or(0, |i| i + 1);
    let (head, tail) = rest.split_at(cut);
    let trimmed = head.trim_end_matches(['/', '\\']);
    let head = if trimmed.is_empty() { head } else { trimmed };
    (format!("{drive}{head}"), tail.to_owned())
}

fn home() -> Option<String> {
    std::env::var("HOME")
        .ok()
        .or_else(|| dirs::home_dir().map(|h| h.to_string_lossy().into_owned()))
}

/// `posixpath.expanduser` for `~` and `~/...` (other users' homes stay).
fn expanduser(path: &str) -> String {
    if path == "~" || path.starts_with("~/") {
        if let Some(home) = home() {
            let home = home.trim_end_matches('/');
            let home = if home.is_empty() { "/" } else { home };
            return format!("{home}{}", &path[1..]);
        }
    }
    path.to_owned()
}

/// `posixpath.expandvars`: `$NAME` and `${NAME}`; unknown names stay.
fn expandvars(path: &str) -> String {
    static VAR: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = VAR.get_or_init(|| Regex::new(r"\$(\w+|\{[^}]*\})").expect("static regex"));
    re.replace_all(path, |caps: &regex::Captures| {
        let name = caps[1].trim_start_matches('{').trim_end_matches('}');
        std::env::var(name).unwrap_or_else(|_| caps[0].to_owned())
    })
    .into_owned()
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn absolute(path: &str) -> PathBuf {
    let path = Path::new(path);
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    normalize(&joined)
}

fn realpath(path: &str) -> String {
    let abs = absolute(path);
    std::fs::canonicalize(&abs)
        .unwrap_or(abs)
        .to_string_lossy()
        .into_owned()
}

/// `os.path.relpath(path, start=os.curdir)`.
fn relpath(path: Value, start: Option<Value>) -> String {
    let path = absolute(&py_str(&path));
    let start = absolute(&start.map_or_else(|| ".".to_owned(), |s| py_str(&s)));
    let p: Vec<_> = path.components().collect();
    let s: Vec<_> = start.components().collect();
    let common = p.iter().zip(&s).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); s.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

// --- types, time, quoting --------------------------------------------------

/// Ansible's `bool`: `yes`, `on`, `1`, `true` (any case) and `1` are true.
fn to_bool(value: Value) -> Value {
    match value.kind() {
        ValueKind::None | ValueKind::Bool => value,
        ValueKind::String => {
            let s = value.as_str().unwrap_or_default().to_lowercase();
            Value::from(matches!(s.as_str(), "yes" | "on" | "1" | "true"))
        }
        ValueKind::Number => Value::from(
            value.as_i64() == Some(1) && value.is_integer()
                || f64::try_from(value.clone()).is_ok_and(|f| f == 1.0),
        ),
        _ => Value::from(false),
    }
}

/// `strftime(string_format, second=None)`: local time.
fn strftime(format: Value, second: Option<Value>) -> Result<String, Error> {
    let tz = jiff::tz::TimeZone::system();
    let zoned = match second.filter(|s| !s.is_none()) {
        None => jiff::Timestamp::now().to_zoned(tz),
        Some(s) => {
            let seconds = match s.as_str() {
                Some(text) => super::jinja2::parse_python_int(text, 10),
                None => i128::try_from(s.clone())
                    .ok()
                    .or_else(|| f64::try_from(s.clone()).ok().map(|f| f.trunc() as i128)),
            }
            .ok_or_else(|| invalid(format!("Invalid value for epoch value ({})", py_str(&s))))?;
            let ts =
                jiff::Timestamp::from_second(seconds as i64).map_err(|e| invalid(e.to_string()))?;
            ts.to_zoned(tz)
        }
    };
    Ok(time::strftime(&zoned, &py_str(&format)))
}

/// `shlex.quote`.
pub fn shell_quote(s: &str) -> String {
    if s.is_empty() {
        return "''".to_owned();
    }
    let safe = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
    if safe {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\"'\"'"))
    }
}

// --- regular expressions ---------------------------------------------------

/// The type of a compiled Python pattern: fancy-regex, which adds to
/// Rust's regex what Python's `re` has and it lacks (lookaround,
/// backreferences), backtracking only where a pattern needs it.
type PyRegex = fancy_regex::Regex;
type PyCaptures<'t> = fancy_regex::Captures<'t, str>;

/// Compiles a Python pattern.
fn python_regex(pattern: &str, ignorecase: bool, multiline: bool) -> Result<PyRegex, Error> {
    fancy_regex::RegexBuilder::new(pattern)
        .case_insensitive(ignorecase)
        .multi_line(multiline)
        .build()
        .map_err(|e| {
            invalid(format!(
                "cannot use the regular expression `{pattern}`: {e}"
            ))
        })
}

/// The matches of `re` in `text`, each with its groups; a pattern that
/// backtracks past fancy-regex's limit is an error naming it.
fn all_captures<'t>(re: &PyRegex, text: &'t str) -> Result<Vec<PyCaptures<'t>>, Error> {
    re.captures_iter(text)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("cannot match `{}`: {e}", re.as_str())))
}

/// A Python `re.sub` replacement (`\1`, `\g<name>`, `\n`) as a closure.
fn expand_replacement(replacement: &str, caps: &PyCaptures) -> Result<String, Error> {
    let mut out = String::new();
    let chars: Vec<char> = replacement.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' || i + 1 == chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let next = chars[i + 1];
        i += 2;
        match next {
            'g' if chars.get(i) == Some(&'<') => {
                let end = chars[i..]
                    .iter()
                    .position(|c| *c == '>')
                    .ok_or_else(|| invalid("missing >, unterminated name"))?;
                let name: String = chars[i + 1..i + end].iter().collect();
                i += end + 1;
                let group = match name.parse::<usize>() {
                    Ok(n) => caps.get(n),
                    Err(_) => caps.name(&name),
                };
                out.push_str(group.map_or("", |m| m.as_str()));
            }
            d if d.is_ascii_digit() => {
                let mut n = d.to_digit(10).unwrap_or(0) as usize;
                if let Some(d2) = chars.get(i).and_then(|c| c.to_digit(10)) {
                    n = n * 10 + d2 as usize;
                    i += 1;
                }
                if n >= caps.len() {
                    return Err(invalid(format!("invalid group reference {n}")));
                }
                out.push_str(caps.get(n).map_or("", |m| m.as_str()));
            }
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            '\\' => out.push('\\'),
            other if other.is_ascii_alphabetic() => {
                return Err(invalid(format!("bad escape \\{other}")));
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// `regex_replace(value='', pattern='', replacement='', ignorecase=False)`.
fn regex_replace(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<String, Error> {
    let args = PyArgs::new(args, kwargs);
    let pattern = args
        .get(0, "pattern")?
        .map(|v| py_str(&v))
        .unwrap_or_default();
    let replacement = args
        .get(1, "replacement")?
        .map(|v| py_str(&v))
        .unwrap_or_default();
    let ignorecase = args.flag(2, "ignorecase", false)?;
    let multiline = args.flag(3, "multiline", false)?;
    args.finish(4)?;
    let text = py_str(&value);
    let re = python_regex(&pattern, ignorecase, multiline)?;
    let mut out = String::new();
    let mut last = 0;
    for caps in all_captures(&re, &text)? {
        let m = caps.get(0).expect("group 0");
        out.push_str(&text[last..m.start()]);
        out.push_str(&expand_replacement(&replacement, &caps)?);
        last = m.end();
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// `re.escape`.
pub fn python_re_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn regex_escape(value: Value, re_type: Option<String>) -> Result<String, Error> {
    let s = py_str(&value);
    match re_type.as_deref().unwrap_or("python") {
        "python" => Ok(python_re_escape(&s)),
        "posix_basic" => {
            let mut out = String::new();
            for c in s.chars() {
                if "].[^$*\\".contains(c) {
                    out.push('\\');
                }
                out.push(c);
            }
            Ok(out)
        }
        "posix_extended" => Err(invalid("Regex type (posix_extended) not yet implemented")),
        other => Err(invalid(format!("Invalid regex type ({other})"))),
    }
}

/// `regex_search(value, regex, *args, ignorecase=, multiline=)`.
fn regex_search(
    value: Value,
    regex: String,
    args: Rest<Value>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let ignorecase = kwargs.get::<Option<bool>>("ignorecase")?.unwrap_or(false);
    let multiline = kwargs.get::<Option<bool>>("multiline")?.unwrap_or(false);
    kwargs.assert_all_used()?;
    let mut groups = Vec::new();
    for arg in args.iter() {
        let arg = py_str(arg);
        if let Some(name) = arg.strip_prefix("\\g<").and_then(|r| r.strip_suffix('>')) {
            groups.push(name.to_owned());
        } else if let Some(n) = arg
            .strip_prefix('\\')
            .filter(|n| n.parse::<usize>().is_ok())
        {
            groups.push(n.to_owned());
        } else {
            return Err(invalid("Unknown argument"));
        }
    }
    let text = py_str(&value);
    let re = python_regex(&regex, ignorecase, multiline)?;
    let found = re
        .captures(&text)
        .map_err(|e| invalid(format!("cannot match `{regex}`: {e}")))?;
    let Some(caps) = found else {
        return Ok(Value::from(()));
    };
    if groups.is_empty() {
        return Ok(Value::from(caps.get(0).map_or("", |m| m.as_str())));
    }
    let mut items = Vec::new();
    for group in groups {
        let m = match group.parse::<usize>() {
            Ok(n) => caps.get(n),
            Err(_) => caps.name(&group),
        };
        items.push(m.map_or(Value::from(()), |m| Value::from(m.as_str())));
    }
    Ok(Value::from(items))
}

/// `re.findall`: whole matches, one group's text, or tuples of groups.
fn regex_findall(
    value: Value,
    regex: String,
    args: Rest<Value>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let args = PyArgs::new(args, kwargs);
    let multiline = args.flag(0, "multiline", false)?;
    let ignorecase = args.flag(1, "ignorecase", false)?;
    args.finish(2)?;
    let text = py_str(&value);
    let re = python_regex(&regex, ignorecase, multiline)?;
    let groups = re.captures_len() - 1;
    let mut out = Vec::new();
    for caps in all_captures(&re, &text)? {
        let text_of = |i: usize| Value::from(caps.get(i).map_or("", |m| m.as_str()));
        out.push(match groups {
            0 => text_of(0),
            1 => text_of(1),
            n => Value::from(minijinja::value::Tuple::from(
                (1..=n).map(text_of).collect::<Vec<_>>(),
            )),
        });
    }
    Ok(Value::from(out))
}

// --- logic and data --------------------------------------------------------

/// `ternary(value, true_val, false_val, none_val=None)`.
fn ternary(value: Value, true_val: Value, false_val: Value, none_val: Option<Value>) -> Value {
    match none_val {
        Some(none_val) if value.is_none() && !none_val.is_none() => none_val,
        _ if value.is_true() => true_val,
        _ => false_val,
    }
}

/// A random source: seeded (repeatable) or from the system.
struct Rng(u64);

impl Rng {
    fn new(seed: Option<&Value>) -> Rng {
        let mut hasher = match seed {
            Some(seed) => {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                py_repr(seed).hash(&mut h);
                h
            }
            None => RandomState::new().build_hasher(),
        };
        0x9e37_79b9_7f4a_7c15u64.hash(&mut hasher);
        Rng(hasher.finish())
    }

    /// SplitMix64.
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

/// `ans_random(end, start=None, step=None, seed=None)`.
fn ans_random(end: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let args = PyArgs::new(args, kwargs);
    let start = args.get(0, "start")?;
    let step = args.get(1, "step")?;
    let seed = args.get(2, "seed")?.filter(|s| !s.is_none());
    args.finish(3)?;
    let mut rng = Rng::new(seed.as_ref());
    if end.is_integer() {
        let end = i64::try_from(end)?;
        let start = start.filter(|v| v.is_true()).map_or(Ok(0), i64::try_from)?;
        let step = step.filter(|v| v.is_true()).map_or(Ok(1), i64::try_from)?;
        if step == 0 {
            return Err(invalid("zero step for randrange()"));
        }
        let count = (end - start + step - step.signum()) / step;
        if count <= 0 {
            return Err(invalid(format!(
                "empty range in randrange({start}, {end}, {step})"
            )));
        }
        return Ok(Value::from(start + step * rng.below(count as u64) as i64));
    }
    if start.is_some_and(|v| v.is_true()) || step.is_some_and(|v| v.is_true()) {
        return Err(invalid(
            "start and step can only be used with integer values",
        ));
    }
    let items: Vec<Value> = end
        .try_iter()
        .map_err(|_| invalid("random can only be used on sequences and integers"))?
        .collect();
    if items.is_empty() {
        return Err(invalid("Cannot choose from an empty sequence"));
    }
    let index = rng.below(items.len() as u64) as usize;
    Ok(items[index].clone())
}

/// `shuffle(mylist, seed=None)`.
fn shuffle(value: Value, seed: Option<Value>) -> Value {
    let Ok(iter) = value.try_iter() else {
        return value;
    };
    let mut items: Vec<Value> = iter.collect();
    let mut rng = Rng::new(seed.as_ref().filter(|s| s.is_true()));
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
    Value::from(items)
}

/// `random_mac(value, seed=None)`.
fn random_mac(value: Value, seed: Option<Value>) -> Result<String, Error> {
    let Some(prefix) = value.as_str() else {
        return Err(invalid(format!(
            "Invalid value type ({}) for random_mac ({})",
            type_name(&value),
            py_str(&value)
        )));
    };
    let prefix = prefix.to_lowercase();
    let items: Vec<&str> = prefix.split(':').collect();
    if items.len() > 5 {
        return Err(invalid(format!(
            "Invalid value ({prefix}) for random_mac: 5 colon(:) separated items max"
        )));
    }
    let mut errors = Vec::new();
    for item in &items {
        if item.is_empty() {
            errors.push("empty item".to_owned());
        } else if !(item.len() >= 2 && item.chars().take(2).all(|c| c.is_ascii_hexdigit())) {
            errors.push(format!("{item} not hexa byte"));
        }
    }
    if !errors.is_empty() {
        return Err(invalid(format!(
            "Invalid value ({prefix}) for random_mac: {}",
            errors.join(",")
        )));
    }
    let mut rng = Rng::new(seed.as_ref().filter(|s| !s.is_none()));
    let v = 68_719_476_736 + rng.below(1_099_511_627_775 - 68_719_476_736 + 1);
    let remain = 2 * (6 - items.len());
    let hex = format!("{v:x}");
    let mut out = prefix.clone();
    for pair in hex.as_bytes()[..remain.min(hex.len())].chunks(2) {
        out.push(':');
        out.push_str(std::str::from_utf8(pair).unwrap_or_default());
    }
    Ok(out)
}

/// `mandatory(a, msg=None)`.
fn mandatory(value: Value, msg: Option<Value>) -> Result<Value, Error> {
    if !value.is_undefined() {
        return Ok(value);
    }
    Err(Error::new(
        ErrorKind::UndefinedError,
        match msg {
            Some(msg) => py_str(&msg),
            None => "Mandatory variable not defined.".to_owned(),
        },
    ))
}

/// `comment(text, style='plain', **kw)`.
fn comment(text: Value, style: Option<String>, kwargs: Kwargs) -> Result<String, Error> {
    let style = style.unwrap_or_else(|| "plain".to_owned());
    let (beginning, decoration, end) = match style.as_str() {
        "plain" => ("", "# ", ""),
        "erlang" => ("", "% ", ""),
        "c" => ("", "// ", ""),
        "cblock" => ("/*", " * ", " */"),
        "xml" => ("<!--", " - ", "-->"),
        other => return Err(invalid(format!("unknown comment style `{other}`"))),
    };
    let text = py_str(&text);
    let get = |key: &str| -> Result<Option<String>, Error> {
        Ok(kwargs.get::<Option<Value>>(key)?.map(|v| py_str(&v)))
    };
    let prepostfix = get("decoration")?.unwrap_or_else(|| decoration.to_owned());
    let newline = get("newline")?.unwrap_or_else(|| "\n".to_owned());
    let beginning = get("beginning")?.unwrap_or_else(|| beginning.to_owned());
    let prefix = get("prefix")?.unwrap_or_else(|| prepostfix.trim_end().to_owned());
    let prefix_count: usize = get("prefix_count")?.map_or(1, |c| c.parse().unwrap_or(1));
    let decoration = get("decoration")?.unwrap_or_else(|| decoration.to_owned());
    let postfix = get("postfix")?.unwrap_or_else(|| prepostfix.trim_end().to_owned());
    let postfix_count: usize = get("postfix_count")?.map_or(1, |c| c.parse().unwrap_or(1));
    let end = get("end")?.unwrap_or_else(|| end.to_owned());
    kwargs.assert_all_used()?;

    let str_beginning = if beginning.is_empty() {
        String::new()
    } else {
        format!("{beginning}{newline}")
    };
    let str_prefix = if prefix.is_empty() {
        String::new()
    } else if prefix != newline {
        format!("{prefix}{newline}").repeat(prefix_count)
    } else {
        newline.repeat(prefix_count)
    };
    let str_text = format!(
        "{decoration}{}",
        text.replace(&newline, &format!("{newline}{decoration}"))
    )
    .replace(
        &format!("{decoration}{newline}"),
        &format!("{}{newline}", decoration.trim_end()),
    );
    let mut str_postfix = String::new();
    for _ in 0..postfix_count {
        str_postfix.push_str(&newline);
        str_postfix.push_str(&postfix);
    }
    let str_end = if end.is_empty() {
        String::new()
    } else {
        format!("{newline}{end}")
    };
    Ok(format!(
        "{str_beginning}{str_prefix}{str_text}{str_postfix}{str_end}"
    ))
}

fn is_mapping(v: &Value) -> bool {
    v.kind() == ValueKind::Map
}

fn to_pairs(v: &Value) -> Result<Vec<(Value, Value)>, Error> {
    let mut pairs = Vec::new();
    for key in v.try_iter()? {
        let item = v.get_item(&key)?;
        pairs.push((key, item));
    }
    Ok(pairs)
}

fn check_defined(v: &Value) -> Result<(), Error> {
    match v.kind() {
        ValueKind::Undefined => Err(Error::new(
            ErrorKind::UndefinedError,
            "combine: a value is undefined",
        )),
        ValueKind::Map => to_pairs(v)?
            .iter()
            .try_for_each(|(_, item)| check_defined(item)),
        ValueKind::Seq => v.try_iter()?.try_for_each(|item| check_defined(&item)),
        _ => Ok(()),
    }
}

/// Ansible's `merge_hash(x, y, recursive, list_merge)`.
fn merge_hash(x: &Value, y: &Value, recursive: bool, list_merge: &str) -> Result<Value, Error> {
    if !(is_mapping(x) && is_mapping(y)) {
        return Err(invalid(format!(
            "failed to combine variables, expected dicts but got a '{}' and a '{}'",
            type_name(x),
            type_name(y)
        )));
    }
    let mut merged = to_pairs(x)?;
    for (key, y_value) in to_pairs(y)? {
        let Some(slot) = merged.iter_mut().find(|(k, _)| *k == key) else {
            merged.push((key, y_value));
            continue;
        };
        let x_value = slot.1.clone();
        if is_mapping(&x_value) && is_mapping(&y_value) {
            slot.1 = if recursive {
                merge_hash(&x_value, &y_value, recursive, list_merge)?
            } else {
                y_value
            };
            continue;
        }
        if x_value.kind() == ValueKind::Seq && y_value.kind() == ValueKind::Seq {
            let xs: Vec<Value> = x_value.try_iter()?.collect();
            let ys: Vec<Value> = y_value.try_iter()?.collect();
            slot.1 = Value::from(match list_merge {
                "replace" => ys,
                "keep" => xs,
                "append" => xs.into_iter().chain(ys).collect(),
                "prepend" => ys.into_iter().chain(xs).collect(),
                "append_rp" => xs
                    .into_iter()
                    .filter(|x| !ys.contains(x))
                    .chain(ys.clone())
                    .collect(),
                _ => ys
                    .iter()
                    .cloned()
                    .chain(xs.into_iter().filter(|x| !ys.contains(x)))
                    .collect(),
            });
            continue;
        }
        slot.1 = y_value;
    }
    Ok(Value::from_pairs(merged))
}

/// `combine(*terms, recursive=False, list_merge='replace')`.
fn combine(first: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let recursive = kwargs.get::<Option<bool>>("recursive")?.unwrap_or(false);
    let list_merge = kwargs
        .get::<Option<String>>("list_merge")?
        .unwrap_or_else(|| "replace".to_owned());
    if kwargs.args().count() > 0 {
        kwargs.assert_all_used().map_err(|_| {
            invalid("'recursive' and 'list_merge' are the only valid keyword arguments")
        })?;
    }
    if !matches!(
        list_merge.as_str(),
        "replace" | "keep" | "append" | "prepend" | "append_rp" | "prepend_rp"
    ) {
        return Err(invalid(
            "merge_hash: 'list_merge' argument can only be equal to 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp'",
        ));
    }
    let terms: Vec<Value> = std::iter::once(first).chain(rest.0).collect();
    let dicts = flatten_values(&terms, Some(1))?;
    dicts.iter().try_for_each(check_defined)?;
    let mut iter = dicts.into_iter().rev();
    let Some(mut result) = iter.next() else {
        return Ok(Value::from_pairs(Vec::<(Value, Value)>::new()));
    };
    for dict in iter {
        result = merge_hash(&dict, &result, recursive, &list_merge)?;
    }
    Ok(result)
}

/// `extract(item, container, morekeys=None)`.
fn extract(item: Value, container: Value, morekeys: Option<Value>) -> Result<Value, Error> {
    let mut value = container.get_item(&item)?;
    if let Some(keys) = morekeys.filter(|k| !k.is_none()) {
        let keys: Vec<Value> = if keys.kind() == ValueKind::Seq {
            keys.try_iter()?.collect()
        } else {
            vec![keys]
        };
        for key in keys {
            if value.is_undefined() {
                break;
            }
            value = value.get_item(&key)?;
        }
    }
    Ok(value)
}

fn flatten_values(items: &[Value], levels: Option<i64>) -> Result<Vec<Value>, Error> {
    let mut out = Vec::new();
    for element in items {
        if element.is_none() || matches!(element.as_str(), Some("None" | "null")) {
            break;
        }
        if element.kind() == ValueKind::Seq {
            let inner: Vec<Value> = element.try_iter()?.collect();
            match levels {
                None => out.extend(flatten_values(&inner, None)?),
                Some(l) if l >= 1 => out.extend(flatten_values(&inner, Some(l - 1))?),
                Some(_) => out.push(element.clone()),
            }
        } else {
            out.push(element.clone());
        }
    }
    Ok(out)
}

/// `flatten(mylist, levels=None)`: stops at the first `None`.
fn flatten(value: &Value, levels: Option<i64>) -> Result<Value, Error> {
    let items: Vec<Value> = value.try_iter()?.collect();
    Ok(Value::from(flatten_values(&items, levels)?))
}

/// `subelements(obj, subelements, skip_missing=False)`.
fn subelements(obj: Value, path: Value, skip_missing: Option<bool>) -> Result<Value, Error> {
    let elements: Vec<Value> = match obj.kind() {
        ValueKind::Map => to_pairs(&obj)?.into_iter().map(|(_, v)| v).collect(),
        ValueKind::Seq => obj.try_iter()?.collect(),
        _ => return Err(invalid("obj must be a list of dicts or a nested dict")),
    };
    let keys: Vec<Value> = match path.kind() {
        ValueKind::Seq => path.try_iter()?.collect(),
        ValueKind::String => py_str(&path).split('.').map(Value::from).collect(),
        _ => return Err(invalid("subelements must be a list or a string")),
    };
    let mut results = Vec::new();
    for element in elements {
        let mut values = element.clone();
        let mut skipped = false;
        for key in &keys {
            let next = values.get_item(key)?;
            if next.is_undefined() {
                if skip_missing.unwrap_or(false) {
                    skipped = true;
                    break;
                }
                return Err(invalid(format!(
                    "could not find {} key in iterated item {}",
                    py_repr(key),
                    py_repr(&values)
                )));
            }
            values = next;
        }
        if skipped {
            continue;
        }
        if values.kind() != ValueKind::Seq {
            return Err(invalid(format!(
                "the key {} should point to a list, got {}",
                py_repr(keys.last().unwrap_or(&Value::from(()))),
                py_repr(&values)
            )));
        }
        for value in values.try_iter()? {
            results.push(tuple([element.clone(), value]));
        }
    }
    Ok(Value::from(results))
}

/// `ans_groupby(value, attribute)`: Jinja2's `groupby` as plain tuples.
fn ans_groupby(state: &State, value: Value, attribute: Value) -> Result<Value, Error> {
    let _ = state;
    let mut items: Vec<(Value, Value)> = Vec::new();
    for item in value.try_iter()? {
        items.push((get_path(&item, &attribute)?, item));
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
    for (key, item) in items {
        match groups.last_mut() {
            Some((k, list)) if *k == key => list.push(item),
            _ => groups.push((key, vec![item])),
        }
    }
    Ok(Value::from(
        groups
            .into_iter()
            .map(|(k, list)| tuple([k, Value::from(list)]))
            .collect::<Vec<_>>(),
    ))
}
