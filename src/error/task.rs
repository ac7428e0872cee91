//! Commands the template runs: tasks and migrations, and the consent they
//! need.

use super::{EXIT_FAILURE, EXIT_TRUST};

/// A command the template wants run that graft may not run, or that failed.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
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
}

impl TaskError {
    /// See [`Error::kind`](super::Error::kind).
    pub fn kind(&self) -> &'static str {
        match self {
            TaskError::NeedsTrust { .. } => "trust_refused",
            TaskError::CommandFailed { .. } => "task_failed",
        }
    }

    /// See [`Error::exit_code`](super::Error::exit_code): a refusal for
    /// want of trust has its own code, so scripts can ask for consent.
    pub fn exit_code(&self) -> i32 {
        match self {
            TaskError::NeedsTrust { .. } => EXIT_TRUST,
            TaskError::CommandFailed { .. } => EXIT_FAILURE,
        }
    }

    /// See [`Error::hint`](super::Error::hint).
    pub fn hint(&self) -> Option<String> {
        match self {
            TaskError::NeedsTrust { .. } => Some(
                "review the commands; if you trust this template, run again with `--trust` or add it to `trust:` in your settings (or skip tasks with `--skip-tasks`)"
                    .to_string(),
            ),
            TaskError::CommandFailed { .. } => None,
        }
    }
}
