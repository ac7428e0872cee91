//! Every failure graft reports to a person, with the exit code it maps to.
//!
//! Core modules return [`Error`]; only `commands` turn it into output. The
//! printed form is `error: <what>`, one `caused by:` line per source in the
//! chain, and a `hint:` where one helps (see [`Error::hint`]).
//!
//! The errors are grouped by the stage of the pipeline that raises them,
//! in the order data flows: [`SourceError`] (reading the template),
//! [`ConfigError`] (its `graft.yml` or `copier.yml`), [`AnswerError`]
//! (answers from flags, files and prompts), [`RenderError`] (the rendered
//! tree), [`ProjectError`] (the project an update, recopy or remove works
//! on), [`TaskError`] (commands the template runs) and [`ApplyError`]
//! (writing and rolling back). [`Error`] holds one of them, or one of the
//! few failures any stage can meet (bad usage, I/O, an interrupt). Each
//! layer has its own [`kind`](Error::kind), hint and exit code, and the
//! top level delegates to it, so what a person and a script see does not
//! depend on the grouping.
//!
//! This module sits below every stage: it uses nothing of the crate but
//! [`SourceError`] and the leaf [`quote`](crate::quote), so every stage
//! can use it without a cycle.

use std::path::PathBuf;

use crate::source::SourceError;

mod answer;
mod apply;
mod config;
mod project;
mod render;
mod task;

pub use answer::AnswerError;
pub use apply::{ApplyError, Unrestored, JOURNAL_DIR};
pub use config::ConfigError;
pub use project::ProjectError;
pub use render::{InjectError, RenderError, RenderFailure};
pub use task::TaskError;

/// Exit code for "finished, but needs attention" (conflicts, drift, newer version).
pub const EXIT_ATTENTION: i32 = 1;
/// Exit code for bad input or failure.
pub const EXIT_FAILURE: i32 = 2;
/// Exit code when the template wants to run commands and is not trusted.
pub const EXIT_TRUST: i32 = 4;
/// Exit code after SIGINT/SIGTERM.
pub const EXIT_INTERRUPTED: i32 = 130;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad command-line input that clap could not catch.
    #[error("{0}")]
    Usage(String),

    /// A switch of Copier's command line that graft cannot honour.
    #[error("`{flag}` is not supported: {reason}")]
    UnsupportedFlag { flag: String, reason: String },

    /// `copier check-update` on a project whose versions cannot be compared.
    #[error("cannot check for a newer version: {reason}")]
    CannotCheck { reason: String },

    /// Reading or writing a file failed.
    #[error("cannot {action} `{}`", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Something other than a file, folder or symlink (a FIFO, a socket, a
    /// device) where graft would read or replace a file: opening it could
    /// block forever or touch hardware, so graft stops instead.
    #[error("`{}` is a {kind}, not a regular file", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },

    /// SIGINT or SIGTERM during the run.
    #[error("interrupted")]
    Interrupted,

    /// The template source could not be read.
    #[error(transparent)]
    Source(Box<SourceError>),

    /// The template's configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),

    /// The answers to the template's questions.
    #[error(transparent)]
    Answer(#[from] AnswerError),

    /// Rendering the template into a tree.
    #[error(transparent)]
    Render(#[from] RenderError),

    /// The project an update, recopy or remove works on.
    #[error(transparent)]
    Project(#[from] ProjectError),

    /// Commands the template runs.
    #[error(transparent)]
    Task(#[from] TaskError),

    /// Writing the result, and rolling it back.
    #[error(transparent)]
    Apply(#[from] ApplyError),
}

/// At most ten of `paths`, in backticks, and how many more there are.
fn list(paths: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut out = paths
        .iter()
        .take(SHOWN)
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        out.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    out
}

impl From<SourceError> for Error {
    fn from(e: SourceError) -> Error {
        Error::Source(Box::new(e))
    }
}

impl Error {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// A problem in a YAML file, at `line` of `file`.
    pub fn config(file: impl Into<String>, line: u64, message: impl Into<String>) -> Error {
        ConfigError::Invalid {
            file: file.into(),
            line,
            message: message.into(),
        }
        .into()
    }

    /// A template that does not compile or render: the engine's `message`,
    /// about `file` at `line` where it knows the line.
    pub fn render(
        file: impl Into<String>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Error {
        RenderError::Template {
            file: file.into(),
            line,
            source: RenderFailure(message.into()),
        }
        .into()
    }

    /// A stable name for this kind of failure, printed in `--json` error
    /// reports so scripts can tell a trust refusal from a bad answer from
    /// a missing template. The names are part of graft's interface.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Usage(_) | Error::UnsupportedFlag { .. } => "usage",
            Error::CannotCheck { .. } => "cannot_check",
            Error::Io { .. } | Error::NotAFile { .. } => "io",
            Error::Interrupted => "interrupted",
            Error::Source(e) => e.kind(),
            Error::Config(e) => e.kind(),
            Error::Answer(e) => e.kind(),
            Error::Render(e) => e.kind(),
            Error::Project(e) => e.kind(),
            Error::Task(e) => e.kind(),
            Error::Apply(e) => e.kind(),
        }
    }

    /// The `--json` form of this error: kind, message, causes and hint.
    pub fn to_json(&self) -> serde_json::Value {
        let mut causes = Vec::new();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            causes.push(serde_json::Value::String(cause.to_string()));
            source = cause.source();
        }
        let mut out = serde_json::json!({
            "kind": self.kind(),
            "message": self.to_string(),
            "causes": causes,
            "hint": self.hint(),
            "exit_code": self.exit_code(),
        });
        if let Some(first) = self.preceding() {
            out["after"] = first.to_json();
        }
        out
    }

    /// The error that came first, printed before this one.
    pub fn preceding(&self) -> Option<&Error> {
        match self {
            Error::Apply(e) => e.preceding(),
            _ => None,
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Interrupted => EXIT_INTERRUPTED,
            Error::Usage(_)
            | Error::UnsupportedFlag { .. }
            | Error::CannotCheck { .. }
            | Error::Io { .. }
            | Error::NotAFile { .. }
            | Error::Source(_)
            | Error::Config(_)
            | Error::Render(_) => EXIT_FAILURE,
            Error::Answer(e) => e.exit_code(),
            Error::Project(e) => e.exit_code(),
            Error::Task(e) => e.exit_code(),
            Error::Apply(e) => e.exit_code(),
        }
    }

    /// A next step for the person, where there is an obvious one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::NotAFile { .. } => Some(
                "graft only reads and replaces regular files; move it out of the way and run again"
                    .to_string(),
            ),
            Error::Usage(_)
            | Error::UnsupportedFlag { .. }
            | Error::CannotCheck { .. }
            | Error::Io { .. }
            | Error::Interrupted => None,
            Error::Source(e) => e.hint(),
            Error::Config(e) => e.hint(),
            Error::Answer(e) => e.hint(),
            Error::Render(e) => e.hint(),
            Error::Project(e) => e.hint(),
            Error::Task(e) => e.hint(),
            Error::Apply(e) => e.hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names and exit codes scripts rely on, one error of every kind:
    /// which layer holds a failure must not change what they see.
    #[test]
    fn kinds_and_exit_codes_are_stable() {
        let s = String::new;
        let p = PathBuf::new;
        let trust = || TaskError::NeedsTrust {
            src: s(),
            commands: vec![],
        };
        let gone = || SourceError::UnknownRef {
            vcs_ref: s(),
            src: s(),
            suggestions: vec![],
        };
        #[rustfmt::skip]
        let cases: Vec<(Error, &str, i32)> = vec![
            (Error::Usage(s()), "usage", 2),
            (AnswerError::DataSyntax(s()).into(), "usage", 2),
            (Error::UnsupportedFlag { flag: s(), reason: s() }, "usage", 2),
            (Error::CannotCheck { reason: s() }, "cannot_check", 2),
            (Error::config("f", 1, "m"), "template_error", 2),
            (Error::render("f", None, "m"), "template_error", 2),
            (RenderError::BadSymlink { path: s(), target: s(), reason: s() }.into(), "template_error", 2),
            (RenderError::PathCollision { path: s(), first: s(), second: s() }.into(), "template_error", 2),
            (RenderError::BinaryTemplate(s()).into(), "template_error", 2),
            (RenderError::Injection { file: s(), owner: s(), source: InjectError(s()) }.into(), "template_error", 2),
            (ConfigError::NoConfig(s()).into(), "template_error", 2),
            (ConfigError::TooOld { required: s(), current: s() }.into(), "graft_too_old", 2),
            (ConfigError::CopierTooOld { required: s(), current: s() }.into(), "graft_too_old", 2),
            (AnswerError::DataFile { file: s(), format: "YAML", message: s() }.into(), "invalid_data_file", 2),
            (AnswerError::DataFileShape { file: s(), found: "a list" }.into(), "invalid_data_file", 2),
            (AnswerError::MissingAnswer { question: s(), has_default: false }.into(), "missing_answer", 2),
            (AnswerError::NoDefault { question: s() }.into(), "missing_answer", 2),
            (AnswerError::AskWithoutTerminal { question: s() }.into(), "missing_answer", 2),
            (AnswerError::InvalidAnswer { question: s(), origin: s(), message: s() }.into(), "invalid_answer", 2),
            (AnswerError::Prompt(s()).into(), "prompt", 2),
            (AnswerError::ExternalDataNotAFile { name: s(), path: p(), kind: "FIFO" }.into(), "invalid_external_data", 2),
            (AnswerError::ExternalDataTooLarge { name: s(), path: p(), limit: 1 }.into(), "invalid_external_data", 2),
            (AnswerError::ExternalDataOutside { name: s(), path: s() }.into(), "trust_refused", 4),
            (RenderError::UnsafePath { path: s(), from: s(), reason: s() }.into(), "unsafe_path", 2),
            (Error::io("read", "f", std::io::Error::other("x")), "io", 2),
            (Error::NotAFile { path: p(), kind: "FIFO" }, "io", 2),
            (trust().into(), "trust_refused", 4),
            (TaskError::CommandFailed { what: "task", command: s(), status: s() }.into(), "task_failed", 2),
            (ApplyError::WouldOverwrite { dest: p(), paths: vec![] }.into(), "would_overwrite", 2),
            (ApplyError::UnsafeJournal { journal: p(), entry: s() }.into(), "untrusted_journal", 2),
            (ApplyError::UntrustedJournal { journal: p(), reason: s() }.into(), "untrusted_journal", 2),
            (ApplyError::RollbackIncomplete { first: None, journal: p(), unrestored: vec![] }.into(), "rollback_incomplete", 2),
            // After an error, a roll back exits as that error would.
            (ApplyError::RollbackIncomplete { first: Some(Box::new(trust().into())), journal: p(), unrestored: vec![] }.into(), "rollback_incomplete", 4),
            (ProjectError::NoAnswersFile { dest: p(), file: s() }.into(), "no_answers_file", 2),
            (gone().into(), "unknown_ref", 2),
            (ProjectError::OldVersionMissing { reference: s(), src: s(), source: Box::new(gone()) }.into(), "recorded_version_missing", 2),
            (ProjectError::NoRecordedVersion { file: s(), src: s() }.into(), "recorded_version_missing", 2),
            (ProjectError::Downgrade { from: s(), to: s() }.into(), "downgrade", 2),
            (ProjectError::DirtyTree { dest: p(), paths: vec![] }.into(), "dirty_project", 2),
            (ProjectError::Modified { owner: s(), paths: vec![] }.into(), "modified", 1),
            (Error::Interrupted, "interrupted", 130),
        ];
        for (error, kind, code) in cases {
            assert_eq!((error.kind(), error.exit_code()), (kind, code), "{error:?}");
            assert_eq!(error.to_json()["kind"], kind);
        }
    }
}
