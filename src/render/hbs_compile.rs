//! Compiling a file template without making handlebars' parser walk its
//! plain text one character at a time.
//!
//! The parser (pest) spends most of a compile on the text between tags: a
//! templated source file is mostly such text. [`compile`] hands the parser
//! a stand-in where the inside of each long stretch of plain text is a
//! short marker, and puts the text back into the compiled template. What
//! the parser decides from plain text is kept exactly: the whitespace at
//! both ends of each stretch (whitespace control `~` and standalone lines
//! look only at it), the number of lines (so every line number is the
//! same), and the length of the stretch's last line (so every column is).
//!
//! Only texts whose tags it can delimit for certain are rewritten: none
//! with comments, raw blocks, escaped `\{{`, or the marker characters; a
//! tag ends at the first `}}` outside string literals and `[...]`
//! segments. A stand-in that does not compile is compiled as written,
//! so a template error is always reported on the real text.

use handlebars::template::{Template, TemplateElement};

/// Starts a marker; then the stretch's number, [`NUMBER_END`], its line
/// breaks and padding, and [`END`].
const START: char = '\u{E000}';
const NUMBER_END: char = '\u{E001}';
const END: char = '\u{E002}';

/// Stretches shorter than this are left to the parser.
const MIN_STRETCH: usize = 48;

/// Compiles `text` as `Template::compile` does.
pub fn compile(text: &str) -> Result<Template, handlebars::TemplateError> {
    if let Some((stand_in, stretches)) = stand_in(text) {
        if let Ok(mut template) = Template::compile(&stand_in) {
            if restore(&mut template, &stretches) {
                return Ok(template);
            }
        }
    }
    Template::compile(text)
}

/// The text with long stretches of plain text replaced by markers, and
/// those stretches in order; `None` when nothing would be gained or the
/// text is not one this can rewrite safely.
fn stand_in(text: &str) -> Option<(String, Vec<&str>)> {
    if text.contains("{{!")
        || text.contains("{{{{")
        || text.contains("\\{{")
        || text.contains([START, NUMBER_END, END])
    {
        return None;
    }
    let mut out = String::with_capacity(text.len() / 4);
    let mut stretches = Vec::new();
    let mut rest = text;
    loop {
        let (plain, tail) = match rest.find("{{") {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        push_plain(&mut out, &mut stretches, plain);
        if tail.is_empty() {
            break;
        }
        let len = tag_len(tail)?;
        out.push_str(&tail[..len]);
        rest = &tail[len..];
    }
    (!stretches.is_empty()).then_some((out, stretches))
}

/// Appends a stretch of plain text, or its marker when it is long enough.
fn push_plain<'a>(out: &mut String, stretches: &mut Vec<&'a str>, plain: &'a str) {
    let inner = plain.trim_start();
    let lead = &plain[..plain.len() - inner.len()];
    let inner = inner.trim_end();
    let trail = &plain[lead.len() + inner.len()..];
    let last_line = inner.rsplit('\n').next().unwrap_or_default();
    let breaks = inner.len() - inner.replace('\n', "").len();
    let number = stretches.len().to_string();
    // The marker's last line must be as long as the stretch's.
    let first_line_len = 2 + number.len();
    let last_len = last_line.chars().count();
    let fits = if breaks == 0 {
        last_len > first_line_len
    } else {
        last_len >= 1
    };
    if inner.len() < MIN_STRETCH || !fits || inner.contains('\r') {
        out.push_str(plain);
        return;
    }
    out.push_str(lead);
    out.push(START);
    out.push_str(&number);
    out.push(NUMBER_END);
    let pad = if breaks == 0 {
        last_len - first_line_len - 1
    } else {
        for _ in 0..breaks {
            out.push('\n');
        }
        last_len - 1
    };
    out.extend(std::iter::repeat_n('x', pad));
    out.push(END);
    out.push_str(trail);
    stretches.push(inner);
}

/// The length of the tag at the start of `text` (which starts with `{{`),
/// through its closing `}}`; `None` when it has none.
fn tag_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 2;
    while i + 1 < bytes.len() {
        match bytes[i] {
            b'{' => return None,
            quote @ (b'"' | b'\'') => {
                i += 1;
                while *bytes.get(i)? != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' => {
                while *bytes.get(i)? != b']' {
                    i += 1;
                }
            }
            b'}' if bytes[i + 1] == b'}' => {
                // `}}}` closes a triple-stash: the tag ends after it.
                let end = if bytes.get(i + 2) == Some(&b'}') {
                    i + 3
                } else {
                    i + 2
                };
                return Some(end);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Puts the stretches back in place of their markers, everywhere in the
/// template; `false` if a marker is missing or out of place.
fn restore(template: &mut Template, stretches: &[&str]) -> bool {
    let mut next = 0;
    restore_in(template, stretches, &mut next) && next == stretches.len()
}

fn restore_in(template: &mut Template, stretches: &[&str], next: &mut usize) -> bool {
    for element in &mut template.elements {
        let ok = match element {
            TemplateElement::RawString(text) => restore_text(text, stretches, next),
            TemplateElement::Comment(text) => !text.contains(START),
            TemplateElement::HtmlExpression(h)
            | TemplateElement::Expression(h)
            | TemplateElement::HelperBlock(h) => {
                h.template
                    .as_mut()
                    .is_none_or(|t| restore_in(t, stretches, next))
                    && h.inverse
                        .as_mut()
                        .is_none_or(|t| restore_in(t, stretches, next))
            }
            TemplateElement::DecoratorExpression(d)
            | TemplateElement::DecoratorBlock(d)
            | TemplateElement::PartialExpression(d)
            | TemplateElement::PartialBlock(d) => d
                .template
                .as_mut()
                .is_none_or(|t| restore_in(t, stretches, next)),
            // An element this does not know may hold a marker: give up.
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Replaces the markers in one piece of plain text, which must be the
/// next ones in order.
fn restore_text(text: &mut String, stretches: &[&str], next: &mut usize) -> bool {
    if !text.contains(START) {
        return true;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(START) {
        out.push_str(&rest[..at]);
        let marker = &rest[at + START.len_utf8()..];
        let Some((number, after)) = marker.split_once(NUMBER_END) else {
            return false;
        };
        let Some((_, after)) = after.split_once(END) else {
            return false;
        };
        if number.parse::<usize>().ok() != Some(*next) {
            return false;
        }
        out.push_str(stretches[*next]);
        *next += 1;
        rest = after;
    }
    out.push_str(rest);
    *text = out;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &str = "fn main() { let x = compute(1, 2, 3); println!(\"{x}\"); }";

    /// Texts that exercise what the parser decides from plain text.
    fn samples() -> Vec<String> {
        let body = format!("{LONG}\n    {LONG}\n{LONG}");
        vec![
            format!("{body}\n"),
            format!("{{{{name}}}} {body} {{{{name}}}}\n{body}"),
            format!("  {body}\n{{{{#if a}}}}\n  {body}\n{{{{else}}}}\n{body}\n{{{{/if}}}}\n{body}\n"),
            format!("{body}  {{{{~name~}}}}  \n\n {body}\n"),
            format!("{body}\n  {{{{#each list}}}}\n    {body} {{{{this}}}}\n  {{{{/each}}}}\n"),
            format!("{body}\n  {{{{> part}}}}\n{body}\n{{{{#*inline \"x\"}}}}\n{body}\n{{{{/inline}}}}\n"),
            format!("{body} {{{{replace name \"}}}}\" '{{' }}}} {body} {{{{{{raw}}}}}} {body}"),
            format!("{body}\r\n{{{{name}}}}\r\n{body}"),
            format!("é {body} ü\n{{{{name}}}}{body}"),
            format!("{body}\n{{{{#if a}}}}{body}{{{{/if}}}}"),
        ]
    }

    #[test]
    fn compiles_as_handlebars_does() {
        for text in samples() {
            let expected = Template::compile(&text).expect("compiles");
            assert_eq!(compile(&text).expect("compiles"), expected, "{text}");
        }
    }

    #[test]
    fn long_plain_text_is_replaced_and_put_back() {
        let text = &samples()[2];
        let (stand_in, stretches) = stand_in(text).expect("rewritten");
        assert!(stand_in.len() < text.len() / 2);
        assert_eq!(stand_in.lines().count(), text.lines().count());
        assert_eq!(stretches.len(), 4);
    }

    #[test]
    fn errors_are_those_of_the_text_as_written() {
        let text = format!("{LONG}\n{LONG}\n{{{{#if a}}}}\n{LONG}\n");
        let expected = Template::compile(&text).expect_err("unclosed block");
        let got = compile(&text).expect_err("unclosed block");
        assert_eq!(got.to_string(), expected.to_string());
    }

    #[test]
    fn texts_it_cannot_delimit_are_left_alone() {
        for text in [
            format!("{LONG} {{{{!-- }}}} --}}}} {LONG}"),
            format!("{LONG} {{{{{{{{raw}}}}}}}} {{{{x}}}} {{{{{{{{/raw}}}}}}}} {LONG}"),
            format!("{LONG} \\{{{{x}}}} {LONG}"),
            format!("{LONG} {{{{x {LONG}"),
        ] {
            assert!(stand_in(&text).is_none(), "{text}");
        }
    }
}
