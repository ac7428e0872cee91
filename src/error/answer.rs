//! The answers to the template's questions: from `--data`, data files,
//! the answers file, prompts and `_external_data`.

use std::path::PathBuf;

use super::{EXIT_FAILURE, EXIT_TRUST};

/// An answer graft cannot get, or cannot use.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    /// A `--data` argument without `=`.
    #[error("`--data {0}` is not of the form KEY=VALUE")]
    DataSyntax(String),

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

    /// The person answered a prompt with Ctrl-C or the terminal went away.
    #[error("prompt failed: {0}")]
    Prompt(String),

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
}

impl AnswerError {
    /// See [`Error::kind`](super::Error::kind).
    pub fn kind(&self) -> &'static str {
        match self {
            AnswerError::DataSyntax(_) => "usage",
            AnswerError::DataFile { .. } | AnswerError::DataFileShape { .. } => "invalid_data_file",
            AnswerError::MissingAnswer { .. }
            | AnswerError::NoDefault { .. }
            | AnswerError::AskWithoutTerminal { .. } => "missing_answer",
            AnswerError::InvalidAnswer { .. } => "invalid_answer",
            AnswerError::Prompt(_) => "prompt",
            AnswerError::ExternalDataOutside { .. } => "trust_refused",
            AnswerError::ExternalDataNotAFile { .. } | AnswerError::ExternalDataTooLarge { .. } => {
                "invalid_external_data"
            }
        }
    }

    /// See [`Error::exit_code`](super::Error::exit_code): reading outside
    /// the destination is refused for want of trust, like running commands.
    pub fn exit_code(&self) -> i32 {
        match self {
            AnswerError::ExternalDataOutside { .. } => EXIT_TRUST,
            _ => EXIT_FAILURE,
        }
    }

    /// See [`Error::hint`](super::Error::hint).
    pub fn hint(&self) -> Option<String> {
        match self {
            AnswerError::MissingAnswer {
                question,
                has_default,
            } => Some(if *has_default {
                format!(
                    "pass `--data {question}=VALUE`, put it in a `--data-file`, or use `--defaults` to take its default"
                )
            } else {
                format!("pass `--data {question}=VALUE` or put it in a `--data-file`")
            }),
            AnswerError::AskWithoutTerminal { question } => Some(format!(
                "run it on a terminal, or leave out `--ask` and pass `--data {question}=VALUE`"
            )),
            AnswerError::NoDefault { question } => Some(format!(
                "pass `--data {question}=VALUE` or put it in a `--data-file`"
            )),
            AnswerError::ExternalDataOutside { .. } => {
                Some("run again with `--trust` if you trust this template".to_string())
            }
            AnswerError::DataSyntax(_)
            | AnswerError::DataFile { .. }
            | AnswerError::DataFileShape { .. }
            | AnswerError::InvalidAnswer { .. }
            | AnswerError::Prompt(_)
            | AnswerError::ExternalDataNotAFile { .. }
            | AnswerError::ExternalDataTooLarge { .. } => None,
        }
    }
}
