//! The project an update, recopy or remove works on: its answers file,
//! the template version it records, and its work tree.

use std::path::PathBuf;

use super::{list, EXIT_ATTENTION, EXIT_FAILURE};
use crate::source::SourceError;

/// A project graft cannot update, recopy or remove from as asked.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
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

    /// `graft remove` found files or blocks the project changed.
    #[error("{} file(s) or block(s) of `{owner}` were modified: {}", paths.len(), list(paths))]
    Modified { owner: String, paths: Vec<String> },
}

impl ProjectError {
    /// See [`Error::kind`](super::Error::kind).
    pub fn kind(&self) -> &'static str {
        match self {
            ProjectError::NoAnswersFile { .. } => "no_answers_file",
            ProjectError::OldVersionMissing { .. } | ProjectError::NoRecordedVersion { .. } => {
                "recorded_version_missing"
            }
            ProjectError::Downgrade { .. } => "downgrade",
            ProjectError::DirtyTree { .. } => "dirty_project",
            ProjectError::Modified { .. } => "modified",
        }
    }

    /// See [`Error::exit_code`](super::Error::exit_code): modified files
    /// that `graft remove` kept need attention, not a fix.
    pub fn exit_code(&self) -> i32 {
        match self {
            ProjectError::Modified { .. } => EXIT_ATTENTION,
            _ => EXIT_FAILURE,
        }
    }

    /// See [`Error::hint`](super::Error::hint).
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            ProjectError::NoAnswersFile { .. } => {
                "run `graft update` in a project made by `graft copy`, or name its answers file with `-a`"
            }
            ProjectError::OldVersionMissing { .. } => {
                "the tag or commit is gone from the template; `graft recopy --vcs-ref REF` renders a version from scratch over the project"
            }
            ProjectError::NoRecordedVersion { .. } => {
                "`graft recopy --vcs-ref REF` renders the version REF from scratch over the project and records it"
            }
            ProjectError::Downgrade { .. } => "pick a newer version with `--vcs-ref`",
            ProjectError::DirtyTree { .. } => {
                "commit or stash your changes first so the update is easy to review, or pass `--allow-dirty`"
            }
            ProjectError::Modified { .. } => {
                "nothing was deleted; keep them with `--keep-modified` (the rest is removed), or revert them first"
            }
        };
        Some(hint.to_string())
    }
}
