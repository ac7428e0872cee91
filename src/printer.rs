//! Everything graft prints on stderr: status lines, messages, warnings and
//! errors, in the output mode the person chose.
//!
//! Names come from templates and answers, so they may hold terminal
//! control characters. Paths are printed the way git prints them
//! ([`quote_path`]); the text of warnings and errors has its control
//! characters escaped ([`escape_controls`]), so nothing a template or an
//! answer holds can move the cursor, change colours or fake a line.

use console::Style;

use crate::error::{Error, TaskError};
use crate::plan::{Action, Plan};
pub use crate::quote::{escape_controls, quote_path};

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
        self.status_noted(action, path, None);
    }

    /// A status line with a note after the path: `merge  a.txt (note)`.
    pub fn status_noted(&self, action: Action, path: &str, note: Option<&str>) {
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
        let note = note
            .map(|n| format!(" ({})", escape_controls(n, false)))
            .unwrap_or_default();
        eprintln!(
            "{:>10}  {}{note}",
            self.style(style).apply_to(action.word()),
            quote_path(path)
        );
    }

    /// A normal line of information.
    pub fn info(&self, text: &str) {
        if !self.quiet {
            eprintln!("{}", escape_controls(text, true));
        }
    }

    /// A line shown only with `--verbose`.
    pub fn detail(&self, text: &str) {
        if self.verbose && !self.quiet {
            eprintln!(
                "{}",
                self.style(Style::new().dim())
                    .apply_to(escape_controls(text, true))
            );
        }
    }

    /// A warning; shown even with `--quiet`.
    pub fn warn(&self, text: &str) {
        eprintln!(
            "{} {}",
            self.style(Style::new().yellow().bold())
                .apply_to("warning:"),
            escape_controls(text, false)
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
        // Only the list of commands a template wants to run is laid out
        // on several lines.
        let lines = matches!(e, Error::Task(TaskError::NeedsTrust { .. }));
        eprintln!(
            "{} {}",
            red.apply_to("error:"),
            escape_controls(&e.to_string(), lines)
        );
        let mut source = std::error::Error::source(e);
        while let Some(cause) = source {
            eprintln!(
                "{} {}",
                self.style(Style::new().bold()).apply_to("caused by:"),
                escape_controls(&cause.to_string(), false)
            );
            source = cause.source();
        }
        if let Some(hint) = e.hint() {
            eprintln!(
                "{} {}",
                self.style(Style::new().cyan().bold()).apply_to("hint:"),
                escape_controls(&hint, false)
            );
        }
    }
}

/// Prints one status line per planned change.
pub fn print_plan(printer: &Printer, plan: &Plan) {
    for change in &plan.changes {
        printer.status(change.action, &change.path);
    }
}

/// Prints the unified diff of every change that writes or deletes, on stdout.
pub fn print_diffs(plan: &Plan) {
    use crate::tree::Node;
    let text = |n: &Option<Node>| -> Option<Option<String>> {
        match n {
            None | Some(Node::Dir) => Some(Some(String::new())),
            Some(Node::File { bytes, .. }) if crate::render::is_binary(bytes) => Some(None),
            Some(Node::File { bytes, .. }) => {
                Some(Some(String::from_utf8_lossy(bytes).into_owned()))
            }
            Some(Node::Symlink { target }) => Some(Some(format!("-> {target}\n"))),
        }
    };
    for change in plan.writes() {
        let after = match change.action {
            Action::Delete => None,
            _ => change.write.clone(),
        };
        let (Some(old), Some(new)) = (text(&change.before), text(&after)) else {
            continue;
        };
        match (old, new) {
            (Some(old), Some(new)) => {
                if old == new {
                    continue;
                }
                let diff = similar::TextDiff::from_lines(&old, &new);
                let a = if change.before.is_some() {
                    quote_path(&format!("a/{}", change.path)).into_owned()
                } else {
                    "/dev/null".to_string()
                };
                let b = if after.is_some() {
                    quote_path(&format!("b/{}", change.path)).into_owned()
                } else {
                    "/dev/null".to_string()
                };
                print!("{}", diff.unified_diff().context_radius(3).header(&a, &b));
            }
            _ => println!(
                "Binary files {} and {} differ",
                quote_path(&format!("a/{}", change.path)),
                quote_path(&format!("b/{}", change.path))
            ),
        }
    }
}
