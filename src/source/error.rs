//! The errors of the source layer, and the hints shown under them.
//!
//! Every failure to turn a SRC string into a [`crate::tree::FileTree`] ends up
//! here: parsing, reaching and caching the repository, resolving a ref, and
//! reading files. Messages are lowercase, name things in backticks, and never
//! contain credentials: they always use the display form of the source.
//! Presentation (colours, "error:" prefixes, printing the hint) belongs to
//! the caller.

use std::path::PathBuf;

/// Something went wrong while locating or reading a template.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// SRC is neither an existing directory nor a git URL form we know.
    #[error("`{src}` is not a directory or a git URL")]
    NotASource { src: String },

    /// SRC looked like a URL but cannot be one.
    #[error("malformed git URL `{url}`: {reason}")]
    MalformedUrl { url: String, reason: String },

    /// The remote could not be fetched (network, missing repository, ...).
    #[error("cannot reach `{url}`")]
    Unreachable {
        url: String,
        /// Whether an older copy is in the cache, so `--offline` would help.
        cached: bool,
        #[source]
        source: git2::Error,
    },

    /// This build of libgit2 cannot speak the URL's protocol (ssh without
    /// libssh2, typically).
    #[error("cannot fetch `{url}`: its protocol is not supported by this build of graft")]
    UnsupportedProtocol {
        url: String,
        #[source]
        source: git2::Error,
    },

    /// The remote asked for credentials and none of ours were accepted.
    #[error("authentication failed for `{url}`")]
    Auth {
        url: String,
        #[source]
        source: git2::Error,
    },

    /// `offline` was requested but the source was never fetched.
    #[error("no cached copy of `{src}`; run once without --offline")]
    OfflineNoCache { src: String },

    /// `offline` was requested and the cached mirror cannot be opened.
    #[error("the cached copy of `{src}` at `{path}` is unusable; run once without --offline")]
    CacheCorrupt {
        src: String,
        path: PathBuf,
        #[source]
        source: git2::Error,
    },

    /// The cached mirror still cannot be read after it was cloned afresh.
    #[error("the cached copy of `{src}` at `{path}` cannot be read, even after fetching it again")]
    MirrorDamaged {
        src: String,
        path: PathBuf,
        #[source]
        source: git2::Error,
    },

    /// An explicit ref that is not a tag, branch, commit or describe string.
    #[error("unknown ref `{vcs_ref}` in `{src}`")]
    UnknownRef {
        vcs_ref: String,
        src: String,
        /// A few version tags that do exist, highest first, for the hint.
        suggestions: Vec<String>,
    },

    /// A short sha that matches more than one object.
    #[error("ref `{vcs_ref}` is ambiguous in `{src}`")]
    AmbiguousRef { vcs_ref: String, src: String },

    /// A ref was asked of a template that is a plain folder.
    #[error("`{src}` is not a git repository, so it has no ref `{vcs_ref}`")]
    NotARepository { vcs_ref: String, src: String },

    /// The repository has no commit at all.
    #[error("`{src}` is an empty repository (no commits)")]
    EmptyRepository { src: String },

    /// A shallow clone lacks the history needed for versions and updates.
    #[error("`{src}` is a shallow clone; graft needs the full history")]
    ShallowRepository { src: String },

    /// A file or symlink name (or link text) that is not UTF-8.
    #[error("template path `{path}` in `{src}` is not valid UTF-8")]
    NonUtf8Path { path: String, src: String },

    /// A git tree holding a name that could escape or confuse the output
    /// (`..`, a slash, a NUL byte...).
    #[error("template entry `{path}` in `{src}` has an invalid name")]
    InvalidEntryName { path: String, src: String },

    /// The `.gitmodules` of a repository is not git's config syntax.
    #[error("the `.gitmodules` of `{src}` is not valid git config (line {line})")]
    BadGitmodules { src: String, line: usize },

    /// A gitlink (submodule entry) that `.gitmodules` gives no URL for.
    #[error("submodule `{path}` has no URL in the `.gitmodules` of `{src}`")]
    SubmoduleNotConfigured { path: String, src: String },

    /// A submodule URL graft cannot or will not fetch.
    #[error("submodule `{path}` of `{src}` has an unusable URL `{url}`: {reason}")]
    SubmoduleUrl {
        path: String,
        /// As written in `.gitmodules`, without credentials.
        url: String,
        src: String,
        reason: String,
    },

    /// A submodule's repository could not be opened, fetched or read.
    #[error("cannot read submodule `{path}` from `{url}`")]
    Submodule {
        path: String,
        url: String,
        #[source]
        source: Box<SourceError>,
    },

    /// A submodule's repository lacks the commit the template records.
    #[error("submodule `{path}` is at commit `{commit}`, which `{url}` does not have")]
    SubmoduleCommitMissing {
        path: String,
        url: String,
        commit: String,
        /// Whether the repository was read from the cache without fetching.
        offline: bool,
    },

    /// Submodules nested deeper than graft follows them.
    #[error("submodule `{path}` is nested more than {limit} submodules deep")]
    SubmoduleTooDeep { path: String, limit: usize },

    /// A filesystem operation failed.
    #[error("cannot {action} `{path}`")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Any other libgit2 failure on an opened repository.
    #[error("cannot {action} in `{src}`")]
    Git {
        action: &'static str,
        src: String,
        #[source]
        source: git2::Error,
    },
}

impl SourceError {
    /// A stable name for this kind of failure, for scripts (`--json`).
    pub fn kind(&self) -> &'static str {
        match self {
            SourceError::NotASource { .. } | SourceError::MalformedUrl { .. } => "bad_source",
            SourceError::Unreachable { .. } | SourceError::UnsupportedProtocol { .. } => {
                "unreachable_source"
            }
            SourceError::Auth { .. } => "authentication",
            SourceError::OfflineNoCache { .. } => "offline_without_cache",
            SourceError::CacheCorrupt { .. } | SourceError::MirrorDamaged { .. } => "cache_corrupt",
            SourceError::UnknownRef { .. }
            | SourceError::AmbiguousRef { .. }
            | SourceError::NotARepository { .. } => "unknown_ref",
            SourceError::EmptyRepository { .. } | SourceError::ShallowRepository { .. } => {
                "unusable_repository"
            }
            SourceError::NonUtf8Path { .. } | SourceError::InvalidEntryName { .. } => {
                "template_error"
            }
            SourceError::BadGitmodules { .. }
            | SourceError::SubmoduleNotConfigured { .. }
            | SourceError::SubmoduleUrl { .. }
            | SourceError::SubmoduleCommitMissing { .. }
            | SourceError::SubmoduleTooDeep { .. } => "submodule",
            // What went wrong, not where: `offline_without_cache` and
            // `unreachable_source` mean the same for a submodule.
            SourceError::Submodule { source, .. } => source.kind(),
            SourceError::Io { .. } => "io",
            SourceError::Git { .. } => "git",
        }
    }

    /// A sentence telling the user what to do next, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            SourceError::NotASource { .. }
            | SourceError::MalformedUrl { .. }
            | SourceError::Unreachable { .. }
            | SourceError::UnsupportedProtocol { .. }
            | SourceError::Auth { .. }
            | SourceError::OfflineNoCache { .. }
            | SourceError::CacheCorrupt { .. }
            | SourceError::MirrorDamaged { .. } => self.fetch_hint(),
            SourceError::UnknownRef { .. }
            | SourceError::AmbiguousRef { .. }
            | SourceError::NotARepository { .. }
            | SourceError::EmptyRepository { .. }
            | SourceError::ShallowRepository { .. }
            | SourceError::NonUtf8Path { .. }
            | SourceError::InvalidEntryName { .. } => self.repository_hint(),
            SourceError::BadGitmodules { .. }
            | SourceError::SubmoduleNotConfigured { .. }
            | SourceError::SubmoduleUrl { .. }
            | SourceError::Submodule { .. }
            | SourceError::SubmoduleCommitMissing { .. }
            | SourceError::SubmoduleTooDeep { .. } => self.submodule_hint(),
            SourceError::Io { .. } | SourceError::Git { .. } => None,
        }
    }

    /// The hint for a source that cannot be read or fetched.
    fn fetch_hint(&self) -> Option<String> {
        match self {
            SourceError::NotASource { .. } => Some(
                "pass the path of a template folder, or a git URL such as \
                 `https://host/owner/repo.git`, `git@host:owner/repo.git` or `gh:owner/repo`"
                    .to_string(),
            ),
            SourceError::MalformedUrl { .. } => Some(
                "git URLs look like `https://host/owner/repo.git`, `ssh://git@host/owner/repo.git`, \
                 `git@host:owner/repo.git`, `git://host/repo.git`, `file:///path/to/repo`, \
                 `gh:owner/repo` or `gl:owner/repo`"
                    .to_string(),
            ),
            SourceError::Unreachable { cached: true, .. } => Some(
                "check the URL and your network connection, or pass --offline to use the cached copy"
                    .to_string(),
            ),
            SourceError::Unreachable { cached: false, .. } => {
                Some("check the URL, your network connection and your access rights".to_string())
            }
            SourceError::UnsupportedProtocol { .. } => {
                Some("this build of graft has no ssh support; use the template's https URL instead".to_string())
            }
            SourceError::Auth { .. } => Some(
                "for https URLs configure a git credential helper (`git config --global \
                 credential.helper ...`); for ssh URLs add your key to ssh-agent"
                    .to_string(),
            ),
            SourceError::CacheCorrupt { .. } => Some(
                "without --offline graft deletes the broken copy and fetches a new one".to_string(),
            ),
            SourceError::MirrorDamaged { .. } => Some(
                "the remote repository itself may be damaged; check it with `git fsck`".to_string(),
            ),
            // `OfflineNoCache` has none; other groups are not asked here.
            _ => None,
        }
    }

    /// The hint for a ref or repository that cannot be used.
    fn repository_hint(&self) -> Option<String> {
        match self {
            SourceError::UnknownRef { suggestions, .. } if !suggestions.is_empty() => {
                Some(format!(
                    "use a tag, a branch, a commit sha or `HEAD`; latest version tags: {}",
                    suggestions
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
            SourceError::UnknownRef { .. } => {
                Some("use a tag, a branch, a commit sha or `HEAD`".to_string())
            }
            SourceError::AmbiguousRef { .. } => {
                Some("give more characters of the commit sha".to_string())
            }
            SourceError::NotARepository { .. } => Some(
                "drop the ref to use the folder as it is, or make it a git repository".to_string(),
            ),
            SourceError::EmptyRepository { .. } => {
                Some("commit the template's files first".to_string())
            }
            SourceError::ShallowRepository { .. } => {
                Some("run `git fetch --unshallow` in it, or use its URL instead".to_string())
            }
            SourceError::NonUtf8Path { .. } => {
                Some("rename it: graft only handles UTF-8 paths".to_string())
            }
            // `InvalidEntryName` has none; other groups are not asked here.
            _ => None,
        }
    }

    /// The hint for a submodule that cannot be grafted.
    fn submodule_hint(&self) -> Option<String> {
        match self {
            SourceError::BadGitmodules { .. } => {
                Some("`git config -f .gitmodules --list` shows where git stops reading it".to_string())
            }
            SourceError::SubmoduleNotConfigured { path, .. } => Some(format!(
                "register it with `git submodule add URL {path}`, or drop it with `git rm --cached {path}`"
            )),
            SourceError::SubmoduleUrl { .. } => {
                Some("correct the submodule's `url` in `.gitmodules`".to_string())
            }
            SourceError::Submodule { source, .. } => match **source {
                SourceError::Unreachable { .. }
                | SourceError::UnsupportedProtocol { .. }
                | SourceError::Auth { .. }
                | SourceError::OfflineNoCache { .. }
                | SourceError::CacheCorrupt { .. }
                | SourceError::MirrorDamaged { .. } => source.hint(),
                _ => Some("check the submodule's `url` in `.gitmodules`".to_string()),
            },
            SourceError::SubmoduleCommitMissing { offline: true, .. } => Some(
                "the cached copy may be older than the template; run once without --offline"
                    .to_string(),
            ),
            SourceError::SubmoduleCommitMissing { .. } => Some(
                "push that commit to a branch or tag of the submodule's repository (graft fetches only those)"
                    .to_string(),
            ),
            // `SubmoduleTooDeep` has none; other groups are not asked here.
            _ => None,
        }
    }
}
