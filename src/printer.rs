//! Everything graft prints on stderr: status lines, messages, warnings and
//! errors, in the output mode the person chose.

use console::Style;

use crate::error::Error;
use crate::plan::Action;

/// Output mode and color choice, resolved once from flags and environment.
#[derive(Clone, Copy, Debug, Default)]
pub struct Printer {
    pub quiet: bool,
    pub verbose: bool,
    pub color: bool,
}

impl Printer {
    fn style(&self, s: Style) -> Style {
        if self.color {
            s.force_styling(true)
        } else {
            s.force_styling(false)
        }
    }

    /// One status line: the action word, right-aligned, then the path.
    pub fn status(&self, action: Action, path: &str) {
        if self.quiet {
            return;
        }
        let style = match action {
            Action::Create => Style::new().green(),
            Action::Identical => Style::new().dim(),
            Action::Update | Action::Merge => Style::new().yellow(),
            Action::Conflict => Style::new().red().bold(),
            Action::Delete => Style::new().red(),
            Action::Keep | Action::Skip => Style::new().cyan(),
        };
        eprintln!("{:>10}  {path}", self.style(style).apply_to(action.word()));
    }

    /// A normal line of information.
    pub fn info(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }

    /// A line shown only with `--verbose`.
    pub fn detail(&self, text: &str) {
        if self.verbose && !self.quiet {
            eprintln!("{}", self.style(Style::new().dim()).apply_to(text));
        }
    }

    /// A warning; shown even with `--quiet`.
    pub fn warn(&self, text: &str) {
        eprintln!(
            "{} {text}",
            self.style(Style::new().yellow().bold())
                .apply_to("warning:")
        );
    }

    /// A template's message (`_message_before_copy`, …).
    pub fn message(&self, text: &str) {
        if !self.quiet && !text.trim().is_empty() {
            eprintln!("{}", text.trim_end());
        }
    }

    /// The error format: `error:`, `caused by:` lines, `hint:`; an error
    /// that came first is printed first.
    pub fn error(&self, e: &Error) {
        if let Some(first) = e.preceding() {
            self.error(first);
        }
        let red = self.style(Style::new().red().bold());
        eprintln!("{} {e}", red.apply_to("error:"));
        let mut source = std::error::Error::source(e);
        while let Some(cause) = source {
            eprintln!(
                "{} {cause}",
                self.style(Style::new().bold()).apply_to("caused by:")
            );
            source = cause.source();
        }
        if let Some(hint) = e.hint() {
            eprintln!(
                "{} {hint}",
                self.style(Style::new().cyan().bold()).apply_to("hint:")
            );
        }
    }
}

/// `path` as git prints it (`core.quotePath`): as it is, unless it holds a
/// control character, `"` or `\\`; then in double quotes with C escapes,
/// so a name can never move the cursor or color the terminal.
pub fn quote_path(path: &str) -> std::borrow::Cow<'_, str> {
    if !path
        .chars()
        .any(|c| c.is_control() || c == '"' || c == '\\')
    {
        return path.into();
    }
    let mut out = String::from("\"");
    for c in path.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0b' => out.push_str("\\v"),
            '\x0c' => out.push_str("\\f"),
            c if c.is_control() => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:03o}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out.into()
}
