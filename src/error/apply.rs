//! Writing the result into the project, and rolling it back: the
//! journal's failures, and the files a copy would overwrite.

use std::path::PathBuf;

use super::{list, Error, EXIT_FAILURE};
use crate::quote::quote_path;

/// The journal folder inside the destination while a run is writing.
/// It lives here, not in `journal`, because the hints name it.
pub const JOURNAL_DIR: &str = ".graft-journal";

/// A path a roll back could not put back as it was, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrestored {
    pub path: String,
    pub reason: String,
}

/// A write graft refuses, or a roll back it cannot finish.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Copy into an existing folder whose files differ, without `--overwrite`.
    #[error("{} existing file(s) in `{}` would be overwritten: {}", paths.len(), dest.display(), list(paths))]
    WouldOverwrite { dest: PathBuf, paths: Vec<String> },

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
        unrestored: Vec<Unrestored>,
    },
}

fn rollback_incomplete(after_error: bool, unrestored: &[Unrestored]) -> String {
    let what = if after_error {
        "and the roll back"
    } else {
        "the roll back of an interrupted graft run"
    };
    let paths: Vec<String> = unrestored
        .iter()
        .map(|u| format!("{} ({})", quote_path(&u.path), u.reason))
        .collect();
    format!(
        "{what} could not restore {} path(s): {}",
        unrestored.len(),
        paths.join(", ")
    )
}

impl ApplyError {
    /// See [`Error::kind`](super::Error::kind).
    pub fn kind(&self) -> &'static str {
        match self {
            ApplyError::WouldOverwrite { .. } => "would_overwrite",
            ApplyError::UnsafeJournal { .. } | ApplyError::UntrustedJournal { .. } => {
                "untrusted_journal"
            }
            ApplyError::RollbackIncomplete { .. } => "rollback_incomplete",
        }
    }

    /// See [`Error::preceding`](super::Error::preceding).
    pub fn preceding(&self) -> Option<&Error> {
        match self {
            ApplyError::RollbackIncomplete { first, .. } => first.as_deref(),
            _ => None,
        }
    }

    /// See [`Error::exit_code`](super::Error::exit_code): a roll back
    /// after an error exits as that error would.
    pub fn exit_code(&self) -> i32 {
        match self.preceding() {
            Some(first) => first.exit_code(),
            None => EXIT_FAILURE,
        }
    }

    /// See [`Error::hint`](super::Error::hint).
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            ApplyError::WouldOverwrite { .. } => {
                "use `--overwrite` to replace them, or run on a terminal to decide per file"
                    .to_string()
            }
            ApplyError::UnsafeJournal { .. } => format!(
                "graft did not write this journal and rolled nothing back; check the project, then delete `{JOURNAL_DIR}`"
            ),
            ApplyError::UntrustedJournal { .. } => format!(
                "graft rolled nothing back; if no graft command was interrupted in this project (a journal can come with a cloned repository), check the project, then delete `{JOURNAL_DIR}`"
            ),
            ApplyError::RollbackIncomplete { journal, .. } => format!(
                "the journal `{}` keeps their prior state and stays; the next graft command in this project finishes the roll back",
                journal.display()
            ),
        })
    }
}
