//! Every failure graft reports to a person, with the exit code it maps to.
//!
//! Core modules return [`Error`]; only `commands` turn it into output. The
//! printed form is `error: <what>`, one `caused by:` line per source in the
//! chain, and a `hint:` where one helps (see [`Error::hint`]).

use std::path::PathBuf;

use crate::source::SourceError;

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

    /// A problem in `graft.yml` or another YAML file, with its location.
    #[error("{file}:{line}: {message}")]
    Config {
        file: String,
        line: u64,
        message: String,
    },

    /// A YAML or JSON file that is not valid, outside the template (data files, answers files).
    #[error("`{file}` is not valid {format}: {message}")]
    DataFile {
        file: String,
        format: &'static str,
        message: String,
    },

    /// A data file that parses but is not a mapping of answers.
    #[error("`{file}` must be a mapping of question names to answers, not {found}")]
    DataFileShape { file: String, found: &'static str },

    /// A template that does not compile or render.
    #[error("{}", render_location(file, *line))]
    Render {
        file: String,
        line: Option<usize>,
        #[source]
        source: RenderFailure,
    },

    /// A question without an answer in a run that cannot prompt.
    #[error("no answer for question `{question}` and no terminal to ask on")]
    MissingAnswer { question: String, has_default: bool },

    /// A question `--ask` names, without a terminal to ask it on.
    #[error("`--ask` names question `{question}`, and there is no terminal to ask it on")]
    AskWithoutTerminal { question: String },

    /// A question that `--defaults` cannot answer.
    #[error("question `{question}` has no default, so `--defaults` cannot answer it")]
    NoDefault { question: String },

    /// An answer that does not parse, is not a choice, or fails its validator.
    #[error("invalid answer for `{question}` from {origin}: {message}")]
    InvalidAnswer {
        question: String,
        origin: String,
        message: String,
    },

    /// A switch of Copier's command line that graft cannot honour.
    #[error("`{flag}` is not supported: {reason}")]
    UnsupportedFlag { flag: String, reason: String },

    /// `copier check-update` on a project whose versions cannot be compared.
    #[error("cannot check for a newer version: {reason}")]
    CannotCheck { reason: String },

    /// A `--data` argument without `=`.
    #[error("`--data {0}` is not of the form KEY=VALUE")]
    DataSyntax(String),

    /// A rendered path that would leave the destination or the template.
    #[error("path `{path}` (from `{from}`) {reason}")]
    UnsafePath {
        path: String,
        from: String,
        reason: String,
    },

    /// A template symlink that points outside the template or nowhere.
    #[error("symlink `{path}` in the template points to `{target}`, {reason}")]
    BadSymlink {
        path: String,
        target: String,
        reason: String,
    },

    /// Two template files that render to the same path.
    #[error("`{first}` and `{second}` both render to `{path}`")]
    PathCollision {
        path: String,
        first: String,
        second: String,
    },

    /// A file with the template suffix that is not text.
    #[error("`{0}` has the template suffix but is binary, so it cannot be rendered")]
    BinaryTemplate(String),

    /// The template has no `graft.yml` / `graft.yaml`.
    #[error("no `graft.yml` or `graft.yaml` at the root of template `{0}`")]
    NoConfig(String),

    /// Copy into an existing folder whose files differ, without `--overwrite`.
    #[error("{} existing file(s) in `{}` would be overwritten: {}", paths.len(), dest.display(), list(paths))]
    WouldOverwrite { dest: PathBuf, paths: Vec<String> },

    /// The template needs a newer graft.
    #[error("template needs graft {required} or newer; this is graft {current}")]
    TooOld { required: String, current: String },

    /// A Copier template needs a newer Copier than graft matches.
    #[error("template needs Copier {required} or newer; graft renders Copier templates as Copier {current} does")]
    CopierTooOld { required: String, current: String },

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

    /// The template source could not be read.
    #[error(transparent)]
    Source(Box<SourceError>),

    /// The person answered a prompt with Ctrl-C or the terminal went away.
    #[error("prompt failed: {0}")]
    Prompt(String),

    /// The template wants to run commands and is not trusted.
    #[error("template `{src}` wants to run commands, and it is not trusted:\n{}", commands.iter().map(|c| format!("  {c}")).collect::<Vec<_>>().join("\n"))]
    NeedsTrust { src: String, commands: Vec<String> },

    /// A task or migration exited with an error.
    #[error("{what} `{command}` failed with {status}")]
    CommandFailed {
        what: &'static str,
        command: String,
        status: String,
    },

    /// A path the template reads that lies outside the destination, without trust.
    #[error("`_external_data` `{name}` reads `{path}`, outside the destination")]
    ExternalDataOutside { name: String, path: String },

    /// An `_external_data` path that is a folder, pipe, socket or device.
    #[error("`_external_data` `{name}` reads `{}`, which is a {kind}, not a regular file", path.display())]
    ExternalDataNotAFile {
        name: String,
        path: PathBuf,
        kind: &'static str,
    },

    /// An `_external_data` file larger than graft reads.
    #[error("`_external_data` `{name}` reads `{}`, which is larger than {} MiB", path.display(), limit / (1024 * 1024))]
    ExternalDataTooLarge {
        name: String,
        path: PathBuf,
        limit: u64,
    },

    /// A journal left in the project that names a path outside it: not
    /// one graft wrote, so nothing is rolled back.
    #[error("the journal `{}` names `{entry}`, which is not a path inside the project", journal.display())]
    UnsafeJournal { journal: PathBuf, entry: String },

    /// A journal in the project that graft did not write here: nothing in
    /// it is applied.
    #[error("the journal `{}` was not written by graft here: {reason}", journal.display())]
    UntrustedJournal { journal: PathBuf, reason: String },

    /// A roll back that could not restore every path: after `first` (the
    /// error that stopped the run), or of an interrupted run's journal.
    #[error("{}", rollback_incomplete(first.is_some(), unrestored))]
    RollbackIncomplete {
        first: Option<Box<Error>>,
        journal: PathBuf,
        unrestored: Vec<crate::journal::Unrestored>,
    },

    /// The project has no answers file to update from.
    #[error("no answers file `{}` in `{}`", file, dest.display())]
    NoAnswersFile { dest: PathBuf, file: String },

    /// The recorded version cannot be found in the template any more.
    #[error("cannot render the recorded version `{reference}` of `{src}`")]
    OldVersionMissing {
        reference: String,
        src: String,
        #[source]
        source: Box<SourceError>,
    },

    /// A git template's answers file that names no version to update from.
    #[error("`{file}` records no version of `{src}`: `_commit` and `_commit_sha` are missing")]
    NoRecordedVersion { file: String, src: String },

    /// The target version is older than the recorded one.
    #[error("refusing to downgrade from `{from}` to `{to}`")]
    Downgrade { from: String, to: String },

    /// The project's git work tree has uncommitted changes.
    #[error("`{}` has uncommitted changes: {}", dest.display(), list(paths))]
    DirtyTree { dest: PathBuf, paths: Vec<String> },

    /// An `_injections` entry whose target file or marker is missing.
    #[error("cannot inject a block of `{owner}` into `{file}`")]
    Injection {
        file: String,
        owner: String,
        #[source]
        source: crate::inject::InjectError,
    },

    /// `graft remove` found files or blocks the project changed.
    #[error("{} file(s) or block(s) of `{owner}` were modified: {}", paths.len(), list(paths))]
    Modified { owner: String, paths: Vec<String> },

    /// SIGINT or SIGTERM during the run.
    #[error("interrupted")]
    Interrupted,
}

/// The template engine's own message, kept as a source so it prints as `caused by:`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RenderFailure(pub String);

fn render_location(file: &str, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("cannot render `{file}` at line {line}"),
        None => format!("cannot render `{file}`"),
    }
}

fn rollback_incomplete(after_error: bool, unrestored: &[crate::journal::Unrestored]) -> String {
    let what = if after_error {
        "and the roll back"
    } else {
        "the roll back of an interrupted graft run"
    };
    let paths: Vec<String> = unrestored
        .iter()
        .map(|u| format!("{} ({})", crate::printer::quote_path(&u.path), u.reason))
        .collect();
    format!(
        "{what} could not restore {} path(s): {}",
        unrestored.len(),
        paths.join(", ")
    )
}

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

    pub fn config(file: impl Into<String>, line: u64, message: impl Into<String>) -> Error {
        Error::Config {
            file: file.into(),
            line,
            message: message.into(),
        }
    }

    /// A stable name for this kind of failure, printed in `--json` error
    /// reports so scripts can tell a trust refusal from a bad answer from
    /// a missing template. The names are part of graft's interface.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Usage(_) | Error::DataSyntax(_) | Error::UnsupportedFlag { .. } => "usage",
            Error::CannotCheck { .. } => "cannot_check",
            Error::Config { .. }
            | Error::Render { .. }
            | Error::BadSymlink { .. }
            | Error::PathCollision { .. }
            | Error::BinaryTemplate(_)
            | Error::NoConfig(_)
            | Error::Injection { .. } => "template_error",
            Error::TooOld { .. } | Error::CopierTooOld { .. } => "graft_too_old",
            Error::DataFile { .. } | Error::DataFileShape { .. } => "invalid_data_file",
            Error::MissingAnswer { .. }
            | Error::NoDefault { .. }
            | Error::AskWithoutTerminal { .. } => "missing_answer",
            Error::InvalidAnswer { .. } => "invalid_answer",
            Error::UnsafePath { .. } => "unsafe_path",
            Error::WouldOverwrite { .. } => "would_overwrite",
            Error::Io { .. } | Error::NotAFile { .. } => "io",
            Error::ExternalDataNotAFile { .. } | Error::ExternalDataTooLarge { .. } => {
                "invalid_external_data"
            }
            Error::Source(e) => e.kind(),
            Error::Prompt(_) => "prompt",
            Error::NeedsTrust { .. } | Error::ExternalDataOutside { .. } => "trust_refused",
            Error::CommandFailed { .. } => "task_failed",
            Error::UnsafeJournal { .. } | Error::UntrustedJournal { .. } => "untrusted_journal",
            Error::RollbackIncomplete { .. } => "rollback_incomplete",
            Error::NoAnswersFile { .. } => "no_answers_file",
            Error::OldVersionMissing { .. } | Error::NoRecordedVersion { .. } => {
                "recorded_version_missing"
            }
            Error::Downgrade { .. } => "downgrade",
            Error::DirtyTree { .. } => "dirty_project",
            Error::Modified { .. } => "modified",
            Error::Interrupted => "interrupted",
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
            Error::RollbackIncomplete { first, .. } => first.as_deref(),
            _ => None,
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::RollbackIncomplete {
                first: Some(first), ..
            } => first.exit_code(),
            Error::Interrupted => EXIT_INTERRUPTED,
            Error::Modified { .. } => EXIT_ATTENTION,
            Error::NeedsTrust { .. } | Error::ExternalDataOutside { .. } => EXIT_TRUST,
            _ => EXIT_FAILURE,
        }
    }

    /// A next step for the person, where there is an obvious one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::MissingAnswer {
                question,
                has_default,
            } => Some(if *has_default {
                format!(
                    "pass `--data {question}=VALUE`, put it in a `--data-file`, or use `--defaults` to take its default"
                )
            } else {
                format!("pass `--data {question}=VALUE` or put it in a `--data-file`")
            }),
            Error::AskWithoutTerminal { question } => Some(format!(
                "run it on a terminal, or leave out `--ask` and pass `--data {question}=VALUE`"
            )),
            Error::NoDefault { question } => Some(format!(
                "pass `--data {question}=VALUE` or put it in a `--data-file`"
            )),
            Error::WouldOverwrite { .. } => Some(
                "use `--overwrite` to replace them, or run on a terminal to decide per file"
                    .to_string(),
            ),
            Error::NeedsTrust { .. } => Some(
                "review the commands; if you trust this template, run again with `--trust` or add it to `trust:` in your settings (or skip tasks with `--skip-tasks`)"
                    .to_string(),
            ),
            Error::ExternalDataOutside { .. } => {
                Some("run again with `--trust` if you trust this template".to_string())
            }
            Error::NoAnswersFile { .. } => Some(
                "run `graft update` in a project made by `graft copy`, or name its answers file with `-a`"
                    .to_string(),
            ),
            Error::OldVersionMissing { .. } => Some(
                "the tag or commit is gone from the template; `graft recopy --vcs-ref REF` renders a version from scratch over the project"
                    .to_string(),
            ),
            Error::NotAFile { .. } => Some(
                "graft only reads and replaces regular files; move it out of the way and run again"
                    .to_string(),
            ),
            Error::NoRecordedVersion { .. } => Some(
                "`graft recopy --vcs-ref REF` renders the version REF from scratch over the project and records it"
                    .to_string(),
            ),
            Error::Downgrade { .. } => Some("pick a newer version with `--vcs-ref`".to_string()),
            Error::DirtyTree { .. } => Some(
                "commit or stash your changes first so the update is easy to review, or pass `--allow-dirty`"
                    .to_string(),
            ),
            Error::Injection { .. } => Some(
                "injections need their target file and marker line in the project; add the marker, or apply the template that provides it first"
                    .to_string(),
            ),
            Error::Modified { .. } => Some(
                "nothing was deleted; keep them with `--keep-modified` (the rest is removed), or revert them first"
                    .to_string(),
            ),
            Error::TooOld { .. } => Some("install a newer graft".to_string()),
            Error::UnsafeJournal { .. } => Some(format!(
                "graft did not write this journal and rolled nothing back; check the project, then delete `{}`",
                crate::apply::JOURNAL_DIR
            )),
            Error::UntrustedJournal { .. } => Some(format!(
                "graft rolled nothing back; if no graft command was interrupted in this project (a journal can come with a cloned repository), check the project, then delete `{}`",
                crate::apply::JOURNAL_DIR
            )),
            Error::RollbackIncomplete { journal, .. } => Some(format!(
                "the journal `{}` keeps their prior state and stays; the next graft command in this project finishes the roll back",
                journal.display()
            )),
            Error::Source(e) => e.hint(),
            _ => None,
        }
    }
}
