//! Names from templates and answers made safe to print: paths quoted the
//! way git quotes them, control characters escaped in other text. A leaf:
//! the printer and the error messages both use it.

use std::borrow::Cow;
use std::fmt::Write;

/// A path as git prints it (`core.quotePath`): as it is, unless it holds
/// a control character, `"` or `\`; then in double quotes, with `\t`,
/// `\n`, `\r`, `\"`, `\\` (and `\a`, `\b`, `\v`, `\f`) and octal
/// escapes of the other control bytes (`\033`). Unlike git's default,
/// other non-ASCII text stays readable, as with `core.quotePath=false`;
/// only the C1 control characters (U+0080 to U+009F), which terminals act
/// on too, are escaped byte by byte (`\302\233`).
pub fn quote_path(path: &str) -> Cow<'_, str> {
    if !path
        .chars()
        .any(|c| c.is_control() || c == '"' || c == '\\')
    {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() + 2);
    out.push('"');
    for c in path.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => push_escaped(&mut out, c),
        }
    }
    out.push('"');
    Cow::Owned(out)
}

/// `text` with its control characters escaped as [`quote_path`] escapes
/// them, without quotes; line breaks are kept when `keep_newlines`.
pub fn escape_controls(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let escaped = |c: char| c.is_control() && !(keep_newlines && c == '\n');
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Pushes `c`, C-escaped when it is a control character.
fn push_escaped(out: &mut String, c: char) {
    let named = match c {
        '\x07' => "\\a",
        '\x08' => "\\b",
        '\t' => "\\t",
        '\n' => "\\n",
        '\x0b' => "\\v",
        '\x0c' => "\\f",
        '\r' => "\\r",
        c if c.is_control() => {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "\\{b:03o}");
            }
            return;
        }
        c => {
            out.push(c);
            return;
        }
    };
    out.push_str(named);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_as_git_quotes_them() {
        let cases = [
            ("plain/name.txt", "plain/name.txt"),
            ("café/naïve.txt", "café/naïve.txt"),
            ("a\tb", "\"a\\tb\""),
            ("line\nbreak", "\"line\\nbreak\""),
            ("cr\r", "\"cr\\r\""),
            ("\x1b[31mred", "\"\\033[31mred\""),
            ("say \"hi\"", "\"say \\\"hi\\\"\""),
            ("back\\slash", "\"back\\\\slash\""),
            ("del\x7f", "\"del\\177\""),
            ("csi\u{9b}", "\"csi\\302\\233\""),
            ("bell\x07", "\"bell\\a\""),
        ];
        for (path, want) in cases {
            assert_eq!(quote_path(path), want, "{path:?}");
        }
    }

    #[test]
    fn control_characters_in_text_are_escaped() {
        assert_eq!(escape_controls("a `b\x1b[2J` c", false), "a `b\\033[2J` c");
        assert_eq!(escape_controls("one\ntwo\r", false), "one\\ntwo\\r");
        assert_eq!(escape_controls("one\ntwo\r", true), "one\ntwo\\r");
        assert_eq!(
            escape_controls("quote \" and \\ stay", false),
            "quote \" and \\ stay"
        );
    }
}
