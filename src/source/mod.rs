//! The source layer: from the SRC argument to the template's files in memory.
//!
//! [`SourceSpec::parse`] normalises SRC, [`TemplateRepo::open`] opens a local
//! repository or folder, or fetches a remote into its cached bare mirror,
//! [`TemplateRepo::resolve`] picks a commit (a version tag by default) and
//! describes it, and [`TemplateRepo::read_tree`] reads that commit's files
//! into a [`FileTree`], with the files of its submodules under their paths
//! (`submodule.rs`). Nothing here renders, prompts, prints (except the
//! optional fetch progress bar) or writes outside the cache; loading
//! `graft.yml` from the tree is the caller's job.

mod cache;
mod error;
mod fetch;
mod folder;
mod git;
mod gitmodules;
mod spec;
mod submodule;
mod version;

#[cfg(test)]
mod tests;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::Repository;

use crate::tree::{FileTree, Node};

pub use error::SourceError;
pub use git::{FileId, NO_TAGS_WARNING, ONLY_PRERELEASES_WARNING};
pub use spec::{cache_dir_name, percent_decode, strip_credentials, SourceSpec};
pub use submodule::MAX_DEPTH as MAX_SUBMODULE_DEPTH;
pub use version::{parse_version_tag, pep440};

/// The template version a command is asked for (`--vcs-ref`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum VersionAsked {
    /// No `--vcs-ref`: the newest version.
    #[default]
    Newest,
    /// `:current:`: the version the project records.
    Current,
    /// A tag, branch or commit.
    Ref(String),
}

impl VersionAsked {
    /// What `--vcs-ref` asks for.
    pub fn from_flag(flag: Option<&str>) -> VersionAsked {
        match flag {
            None => VersionAsked::Newest,
            Some(":current:") => VersionAsked::Current,
            Some(r) => VersionAsked::Ref(r.to_string()),
        }
    }

    /// The ref to resolve, `None` for the newest version (and for the
    /// recorded one, which the caller knows already).
    pub fn git_ref(&self) -> Option<&str> {
        match self {
            VersionAsked::Ref(r) => Some(r),
            VersionAsked::Newest | VersionAsked::Current => None,
        }
    }
}

/// The warning added when a local template has uncommitted changes that the
/// chosen version does not include.
pub const DIRTY_IGNORED_WARNING: &str =
    "template has uncommitted changes, which are not used; pass `--vcs-ref HEAD` to include them";

/// The warning added when `HEAD` of a dirty working tree is read.
pub const DIRTY_WARNING: &str =
    "template has uncommitted changes; the recorded commit will not reproduce them";

/// How to reach remote templates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceOptions {
    /// Where mirrors of remote templates live.
    pub cache_dir: PathBuf,
    /// Use the cached mirror as it is, without any network access.
    pub offline: bool,
    /// Draw a fetch progress bar on stderr. The caller sets this only when
    /// stderr is a terminal and output is not quiet.
    pub show_progress: bool,
}

impl SourceOptions {
    /// Online, no progress bar, cache from [`SourceOptions::cache_dir_from_env`].
    pub fn from_env() -> SourceOptions {
        SourceOptions {
            cache_dir: SourceOptions::cache_dir_from_env(),
            offline: false,
            show_progress: false,
        }
    }

    /// `$GRAFT_CACHE_DIR` if set and not empty, else the user's cache
    /// directory plus `graft`, else (no home at all) a directory in the
    /// system temp dir, so graft still works in bare containers.
    pub fn cache_dir_from_env() -> PathBuf {
        cache_dir_from(std::env::var_os("GRAFT_CACHE_DIR"), dirs::cache_dir())
    }
}

/// [`SourceOptions::cache_dir_from_env`] without the environment, for tests.
fn cache_dir_from(var: Option<std::ffi::OsString>, user_cache: Option<PathBuf>) -> PathBuf {
    match var {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => match user_cache {
            Some(dir) => dir.join("graft"),
            None => std::env::temp_dir().join("graft-cache"),
        },
    }
}

/// The revision of a template chosen by [`TemplateRepo::resolve`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Revision {
    /// Full 40-hex commit id (`_commit_sha`); `None` for a plain folder.
    pub sha: Option<String>,
    /// The commit as `git describe --tags --always` prints it (`_commit`);
    /// `None` for a plain folder.
    pub describe: Option<String>,
    /// The version of the revision: its own version tag, or else the
    /// nearest version tag it descends from. `None` when there is none.
    pub version: Option<semver::Version>,
    /// The files come from the working tree (explicit `HEAD` of a dirty
    /// local repository), not from the commit named by `sha`.
    pub worktree: bool,
    /// No version was asked for and the template has no version tag to
    /// choose (or only prereleases): the commit is HEAD's.
    pub fallback_head: bool,
    /// Things the user should be told, as full sentences without a prefix.
    pub warnings: Vec<String>,
}

/// An opened template: a plain folder, or a git repository (local, or the
/// cached mirror of a remote).
pub struct TemplateRepo {
    spec: SourceSpec,
    kind: Kind,
    /// Contents read so far, shared by every tree read from this template.
    blobs: std::sync::Mutex<git::BlobCache>,
    /// How the template was opened; its submodules are opened alike.
    opts: SourceOptions,
    /// The repositories of the submodules read so far, at any depth, by
    /// where they are: each is opened, and fetched, once per run.
    submodules: RefCell<HashMap<String, TemplateRepo>>,
}

enum Kind {
    Folder(PathBuf),
    Git {
        /// Replaced by a fresh clone when a cached mirror turns out damaged
        /// (`None` only if that clone failed).
        repo: RefCell<Option<Repository>>,
        /// The working tree of a local non-bare repository; `None` for bare
        /// repositories and mirrors.
        workdir: Option<PathBuf>,
        /// Set for the cached mirror of a remote.
        mirror: Option<Mirror>,
    },
}

/// The cached mirror of a remote, and how to fetch it again.
struct Mirror {
    url: String,
    opts: SourceOptions,
    path: PathBuf,
    /// Whether it was already cloned afresh in this run.
    recreated: Cell<bool>,
}

impl std::fmt::Debug for TemplateRepo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.kind {
            Kind::Folder(_) => "folder",
            Kind::Git {
                workdir: Some(_), ..
            } => "git",
            Kind::Git { workdir: None, .. } => "bare git",
        };
        f.debug_struct("TemplateRepo")
            .field("src", &self.spec.display())
            .field("kind", &kind)
            .finish()
    }
}

/// The check for uncommitted changes of a local template's working tree,
/// running beside the reading (see [`TemplateRepo::resolve_beside`]).
pub struct PendingCheck {
    src: String,
    check: Option<std::thread::JoinHandle<Result<bool, git2::Error>>>,
}

impl PendingCheck {
    /// Waits for the check and adds its warning to `rev`.
    pub fn finish(self, rev: &mut Revision) -> Result<(), SourceError> {
        let Some(check) = self.check else {
            return Ok(());
        };
        let dirty = check
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            .map_err(|source| dirty_check_error(&self.src, source))?;
        if dirty {
            rev.warnings.push(DIRTY_IGNORED_WARNING.to_string());
        }
        Ok(())
    }
}

fn dirty_check_error(src: &str, source: git2::Error) -> SourceError {
    SourceError::Git {
        action: "check the working tree",
        src: src.to_string(),
        source,
    }
}

impl TemplateRepo {
    /// Opens the template. Remote sources are fetched into (or, offline,
    /// read from) their mirror in `opts.cache_dir`; that is the only
    /// network access of the source layer.
    pub fn open(spec: &SourceSpec, opts: &SourceOptions) -> Result<TemplateRepo, SourceError> {
        let src = spec.display();
        let kind = match spec {
            SourceSpec::Local(path) => open_local(path, &src)?,
            SourceSpec::Remote { url } => {
                let (repo, path) = cache::open_mirror(spec, url, opts)?;
                Kind::Git {
                    repo: RefCell::new(Some(repo)),
                    workdir: None,
                    mirror: Some(Mirror {
                        url: url.clone(),
                        opts: opts.clone(),
                        path,
                        recreated: Cell::new(false),
                    }),
                }
            }
        };
        let template = TemplateRepo {
            spec: spec.clone(),
            kind,
            blobs: Default::default(),
            opts: opts.clone(),
            submodules: Default::default(),
        };
        if matches!(spec, SourceSpec::Remote { .. }) {
            template.with_repo(|repo| git::check_usable(repo, &src))?;
        }
        Ok(template)
    }

    /// Runs `op` on the repository. When the repository is a cached mirror
    /// and `op` fails reading it (a damaged pack, object or ref), the
    /// mirror is cloned afresh once and `op` runs again; offline, or if it
    /// fails again, the error names the mirror.
    fn with_repo<T>(
        &self,
        op: impl Fn(&Repository) -> Result<T, SourceError>,
    ) -> Result<T, SourceError> {
        let Kind::Git { repo, mirror, .. } = &self.kind else {
            return Err(SourceError::NotARepository {
                vcs_ref: "HEAD".to_string(),
                src: self.spec.display(),
            });
        };
        let first = op(&*opened(repo, &self.spec)?);
        let Some(mirror) = mirror else {
            return first;
        };
        let source = match first {
            Err(SourceError::Git { source, .. }) => source,
            other => return other,
        };
        let src = self.spec.display();
        if mirror.opts.offline {
            return Err(SourceError::CacheCorrupt {
                src,
                path: mirror.path.clone(),
                source,
            });
        }
        if mirror.recreated.replace(true) {
            return Err(SourceError::MirrorDamaged {
                src,
                path: mirror.path.clone(),
                source,
            });
        }
        // libgit2 keeps the packs of an open repository mapped by their
        // path, and the fresh clone has the same path: close the old one
        // first, or its damaged packs would be read again.
        drop(repo.replace(None));
        let fresh = cache::recreate_mirror(&self.spec, &mirror.url, &mirror.opts)?;
        *repo.borrow_mut() = Some(fresh);
        match op(&*opened(repo, &self.spec)?) {
            Err(SourceError::Git { source, .. }) => Err(SourceError::MirrorDamaged {
                src,
                path: mirror.path.clone(),
                source,
            }),
            other => other,
        }
    }

    pub fn spec(&self) -> &SourceSpec {
        &self.spec
    }

    /// Whether the template has versions and commits at all.
    pub fn is_git(&self) -> bool {
        matches!(self.kind, Kind::Git { .. })
    }

    /// Chooses the revision to render.
    ///
    /// Without `vcs_ref`: the highest version tag (prereleases only when
    /// `prereleases`), else HEAD with a warning. With one: a tag, branch,
    /// full or short sha, `git describe` string, or `HEAD`. Explicit `HEAD`
    /// of a local repository with uncommitted changes selects the working
    /// tree, with a warning.
    pub fn resolve(
        &self,
        vcs_ref: Option<&str>,
        prereleases: bool,
    ) -> Result<Revision, SourceError> {
        let (mut rev, pending) = self.resolve_beside(vcs_ref, prereleases)?;
        pending.finish(&mut rev)?;
        Ok(rev)
    }

    /// [`TemplateRepo::resolve`], except that where the check for
    /// uncommitted changes only decides a warning (no `--vcs-ref`, and no
    /// version tag, so HEAD is rendered without them), it runs on a thread
    /// of its own, beside whatever the caller does next: it looks at every
    /// file of the working tree, as `git status` does, which is as much
    /// work as reading the template. A version tag is rendered without
    /// that check, as Copier does: the tagged commit is what was asked
    /// for, whatever the working tree holds. [`PendingCheck::finish`]
    /// adds its warning.
    pub fn resolve_beside(
        &self,
        vcs_ref: Option<&str>,
        prereleases: bool,
    ) -> Result<(Revision, PendingCheck), SourceError> {
        let src = self.spec.display();
        let mut pending = PendingCheck {
            src: src.clone(),
            check: None,
        };
        match &self.kind {
            Kind::Folder(_) => match vcs_ref {
                None | Some("HEAD") => Ok((Revision::default(), pending)),
                Some(r) => Err(SourceError::NotARepository {
                    vcs_ref: r.to_string(),
                    src,
                }),
            },
            Kind::Git { repo, workdir, .. } => {
                let mut rev =
                    self.with_repo(|repo| git::resolve(repo, &src, vcs_ref, prereleases))?;
                let explicit_head = vcs_ref == Some("HEAD");
                match workdir {
                    Some(_) if explicit_head => {
                        let dirty = git::is_dirty(&*opened(repo, &self.spec)?)
                            .map_err(|source| dirty_check_error(&src, source))?;
                        if dirty {
                            rev.worktree = true;
                            rev.warnings.push(DIRTY_WARNING.to_string());
                        }
                    }
                    Some(workdir) if rev.fallback_head => {
                        let workdir = workdir.clone();
                        pending.check = Some(std::thread::spawn(move || {
                            git::is_dirty(&Repository::open(&workdir)?)
                        }));
                    }
                    _ => {}
                }
                Ok((rev, pending))
            }
        }
    }

    /// Reads the files of `rev` (from [`TemplateRepo::resolve`] of this
    /// template), with the files of its submodules under their paths. A
    /// git revision without `sha` reads HEAD.
    pub fn read_tree(&self, rev: &Revision) -> Result<FileTree, SourceError> {
        self.read_tree_filtered(rev, &|_| true)
    }

    /// Like [`TemplateRepo::read_tree`], reading only the files and
    /// symlinks for which `keep` says yes from a commit (every folder is
    /// there). A plain folder or a working tree is read whole.
    pub fn read_tree_filtered(
        &self,
        rev: &Revision,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<FileTree, SourceError> {
        let src = self.spec.display();
        match &self.kind {
            Kind::Folder(path) => folder::read_folder(path, &src),
            Kind::Git {
                repo,
                workdir: Some(workdir),
                ..
            } if rev.worktree => {
                let (mut tree, links) = {
                    let repo = opened(repo, &self.spec)?;
                    (
                        folder::read_worktree(&repo, workdir, &src)?,
                        folder::worktree_links(&repo, workdir, &src)?,
                    )
                };
                self.graft_submodules(
                    links,
                    |sub, sha, _| sub.read_commit(sha, &|_| true),
                    |prefix, part| graft_tree(&mut tree, prefix, part),
                )?;
                Ok(tree)
            }
            Kind::Git { .. } => {
                let sha = self.commit_of(rev)?;
                let (mut tree, links) = self.read_commit(&sha, keep)?;
                self.graft_submodules(
                    links,
                    |sub, sha, prefix| sub.read_commit(sha, &|p| keep(&format!("{prefix}/{p}"))),
                    |prefix, part| graft_tree(&mut tree, prefix, part),
                )?;
                Ok(tree)
            }
        }
    }

    /// The folders of commit `sha`, its files for which `keep` says yes,
    /// and its submodules.
    fn read_commit(
        &self,
        sha: &str,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<(FileTree, submodule::Links), SourceError> {
        let src = self.spec.display();
        self.with_repo(|repo| {
            // Entries are inserted whole, so a poisoned cache is still sound.
            let mut blobs = self.blobs.lock().unwrap_or_else(|e| e.into_inner());
            let (tree, gitlinks) = git::read_commit_tree(repo, sha, &src, &mut blobs, keep)?;
            let links = self.links(repo, sha, gitlinks)?;
            Ok((tree, links))
        })
    }

    /// The file ids of commit `sha`, and its submodules.
    fn commit_ids(
        &self,
        sha: &str,
    ) -> Result<(HashMap<String, FileId>, submodule::Links), SourceError> {
        let src = self.spec.display();
        self.with_repo(|repo| {
            let (ids, gitlinks) = git::commit_files(repo, sha, &src)?;
            let links = self.links(repo, sha, gitlinks)?;
            Ok((ids, links))
        })
    }

    /// `gitlinks` of commit `sha`, with its `.gitmodules` if there are any.
    fn links(
        &self,
        repo: &Repository,
        sha: &str,
        gitlinks: Vec<submodule::Gitlink>,
    ) -> Result<submodule::Links, SourceError> {
        let gitmodules = if gitlinks.is_empty() {
            None
        } else {
            git::gitmodules(repo, sha, &self.spec.display())?
        };
        Ok(submodule::Links {
            gitlinks,
            gitmodules,
        })
    }

    /// The blob id and mode of every file and symlink of `rev` by path,
    /// its submodules' included, read from tree objects only; `None` when
    /// `rev` is not a commit (a plain folder, or a working tree).
    pub fn file_ids(
        &self,
        rev: &Revision,
    ) -> Result<Option<HashMap<String, git::FileId>>, SourceError> {
        match &self.kind {
            Kind::Git { .. } if !rev.worktree => {
                let sha = self.commit_of(rev)?;
                let (mut ids, links) = self.commit_ids(&sha)?;
                self.graft_submodules(
                    links,
                    |sub, sha, _| sub.commit_ids(sha),
                    |prefix, part| {
                        ids.extend(
                            part.into_iter()
                                .map(|(p, id)| (format!("{prefix}/{p}"), id)),
                        )
                    },
                )?;
                Ok(Some(ids))
            }
            _ => Ok(None),
        }
    }

    /// The commit of a git revision; HEAD when it names none.
    fn commit_of(&self, rev: &Revision) -> Result<String, SourceError> {
        match &rev.sha {
            Some(sha) => Ok(sha.clone()),
            None => {
                let head = self.with_repo(|repo| {
                    git::resolve(repo, &self.spec.display(), Some("HEAD"), false)
                })?;
                head.sha.ok_or_else(|| SourceError::UnknownRef {
                    vcs_ref: "HEAD".to_string(),
                    src: self.spec.display(),
                    suggestions: Vec::new(),
                })
            }
        }
    }

    /// The highest version tag and its name, for `graft check`; `None` for
    /// plain folders and repositories without version tags.
    pub fn latest_version(&self, prereleases: bool) -> Option<(semver::Version, String)> {
        match &self.kind {
            Kind::Folder(_) => None,
            Kind::Git { repo, .. } => {
                git::latest_version(&*opened(repo, &self.spec).ok()?, prereleases)
            }
        }
    }
}

/// The repository of a git template; an error only after a damaged mirror
/// could not be cloned afresh (that error was reported already).
fn opened<'a>(
    repo: &'a RefCell<Option<Repository>>,
    spec: &SourceSpec,
) -> Result<std::cell::Ref<'a, Repository>, SourceError> {
    std::cell::Ref::filter_map(repo.borrow(), Option::as_ref).map_err(|_| SourceError::Git {
        action: "open the cached mirror",
        src: spec.display(),
        source: git2::Error::from_str("the mirror could not be fetched again"),
    })
}

/// A local directory is a git template when it is itself a repository (its
/// root, its `.git` directory, or a bare repository); a plain folder
/// otherwise, even inside some other repository.
fn open_local(path: &Path, src: &str) -> Result<Kind, SourceError> {
    match Repository::open(path) {
        Ok(repo) => {
            git::check_usable(&repo, src)?;
            let workdir = repo.workdir().map(Path::to_path_buf);
            Ok(Kind::Git {
                repo: RefCell::new(Some(repo)),
                workdir,
                mirror: None,
            })
        }
        Err(source) if path.join(".git").exists() => Err(SourceError::Git {
            action: "open the repository",
            src: src.to_string(),
            source,
        }),
        Err(_) => Ok(Kind::Folder(path.to_path_buf())),
    }
}

/// Puts the files of a submodule, `part`, into `tree` under `prefix`.
fn graft_tree(tree: &mut FileTree, prefix: &str, part: FileTree) {
    tree.insert(prefix, Node::Dir);
    for (path, node) in part.entries {
        tree.entries.insert(format!("{prefix}/{path}"), node);
    }
}

/// Whether `tree` has a regular file at `path` (e.g. `graft.yml`).
pub fn has_file(tree: &FileTree, path: &str) -> bool {
    matches!(tree.get(path), Some(Node::File { .. }))
}

#[cfg(test)]
mod options_tests {
    use super::*;

    #[test]
    fn cache_dir_precedence() {
        let user = Some(PathBuf::from("/home/u/.cache"));
        assert_eq!(
            cache_dir_from(Some("/c".into()), user.clone()),
            PathBuf::from("/c")
        );
        assert_eq!(
            cache_dir_from(Some("".into()), user.clone()),
            PathBuf::from("/home/u/.cache/graft")
        );
        assert_eq!(
            cache_dir_from(None, user),
            PathBuf::from("/home/u/.cache/graft")
        );
        assert_eq!(
            cache_dir_from(None, None),
            std::env::temp_dir().join("graft-cache")
        );
    }
}
