//! The project's own git repository, when it has one: refusing to update a
//! dirty work tree, and recording conflicts as unmerged index entries so
//! `git status` shows them and merge tools work.
//!
//! A project need not be a git repository; every function here is a no-op
//! then.

use std::path::{Path, PathBuf};

use git2::{IndexEntry, IndexTime, Repository, StatusOptions};

use crate::error::Error;
pub use crate::index_stat::CleanFiles;
use crate::plan::Sides;

/// How `git status` lists a conflict graft records in the index, in git's
/// own words, which depend on whether the conflict has a base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unmerged {
    /// `UU`: stages 1 (the old render), 2 and 3.
    BothModified,
    /// `AA`: the template and the project each added the file, so there is
    /// no stage 1, as in a git merge of two additions.
    BothAdded,
}

impl Unmerged {
    /// How the conflict with these sides is recorded.
    pub fn of(sides: &Sides) -> Unmerged {
        match sides.base {
            Some(_) => Unmerged::BothModified,
            None => Unmerged::BothAdded,
        }
    }

    /// What `git status` calls it.
    pub fn name(self) -> &'static str {
        match self {
            Unmerged::BothModified => "both modified",
            Unmerged::BothAdded => "both added",
        }
    }
}

/// The git work tree holding a project folder.
pub struct ProjectRepo {
    repo: Repository,
    /// The project folder relative to the work tree root, `/`-separated.
    prefix: String,
}

fn git_error(what: &str, e: git2::Error) -> Error {
    Error::io(
        "read git repository at",
        what,
        std::io::Error::other(e.message().to_string()),
    )
}

/// The git index of the work tree that holds `dest`, if any.
pub fn index_path(dest: &Path) -> Option<PathBuf> {
    ProjectRepo::discover(dest).map(|r| r.index_path())
}

/// What [`ProjectRepo::uncommitted`] found.
pub struct Uncommitted {
    /// The paths with uncommitted changes: none for a clean tree.
    pub paths: Vec<String>,
    /// What a clean tree holds, when its index proved it clean.
    pub known: Option<CleanFiles>,
}

impl ProjectRepo {
    /// The index file of this work tree.
    pub fn index_path(&self) -> PathBuf {
        self.repo.path().join("index")
    }

    /// Finds the work tree that holds `dest`, if any. Searched for as git
    /// searches (`open_ext`), so a `.git` file that points elsewhere
    /// (`git init --separate-git-dir`, a submodule, a linked work tree)
    /// keeps its own folder as the work tree; opening the git folder it
    /// names would take that folder's parent instead.
    pub fn discover(dest: &Path) -> Option<ProjectRepo> {
        let repo = Repository::open_ext(
            dest,
            git2::RepositoryOpenFlags::empty(),
            std::iter::empty::<&std::ffi::OsStr>(),
        )
        .ok()?;
        let workdir = repo.workdir()?.canonicalize().ok()?;
        let dest = dest.canonicalize().ok()?;
        let rel: PathBuf = dest.strip_prefix(&workdir).ok()?.to_path_buf();
        let prefix = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        Some(ProjectRepo { repo, prefix })
    }

    fn full(&self, rel: &str) -> String {
        if self.prefix.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.prefix)
        }
    }

    /// The paths under the project folder with uncommitted changes
    /// (modified, staged, deleted or untracked and not ignored), relative
    /// to the work tree; for a tree the index proves clean, what it knows
    /// of the files.
    pub fn uncommitted(&self) -> Result<Uncommitted, Error> {
        if let Some(known) = crate::index_stat::clean_files(&self.repo, &self.prefix) {
            return Ok(Uncommitted {
                paths: Vec::new(),
                known: Some(known),
            });
        }
        let mut opts = StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        if !self.prefix.is_empty() {
            opts.pathspec(format!("{}/", self.prefix));
        }
        let statuses = self
            .repo
            .statuses(Some(&mut opts))
            .map_err(|e| git_error(&self.prefix, e))?;
        let paths = statuses
            .iter()
            .filter(|s| !s.status().is_ignored())
            .filter_map(|s| s.path().ok().map(str::to_string))
            .collect();
        Ok(Uncommitted { paths, known: None })
    }

    /// Whether git ignores executable bits on disk here
    /// (`core.fileMode=false`, the Windows default): then a changed bit
    /// must be written into the index, or the next commit loses it.
    pub fn ignores_file_modes(&self) -> bool {
        self.repo
            .config()
            .and_then(|c| c.get_bool("core.fileMode"))
            .is_ok_and(|file_mode| !file_mode)
    }

    /// Gives each tracked path (relative to the project) the executable
    /// bit in its index entry, keeping the entry's content: what
    /// `git update-index --cacheinfo` does, and Copier does when git
    /// ignores file modes. Untracked and unmerged paths are left alone.
    pub fn set_index_modes(&self, modes: &[(&str, bool)]) -> Result<(), Error> {
        let mut index = self.repo.index().map_err(|e| git_error("index", e))?;
        let mut changed = false;
        for (rel, executable) in modes {
            let path = self.full(rel);
            let Some(mut entry) = index.get_path(Path::new(&path), 0) else {
                continue;
            };
            let mode = if *executable { 0o100755 } else { 0o100644 };
            if entry.mode == mode || !matches!(entry.mode, 0o100644 | 0o100755) {
                continue;
            }
            entry.mode = mode;
            index.add(&entry).map_err(|e| git_error(&path, e))?;
            changed = true;
        }
        if changed {
            index.write().map_err(|e| git_error("index", e))?;
        }
        Ok(())
    }

    /// Records each conflicted path (relative to the project) as unmerged:
    /// stage 1 = the old render, 2 = the project, 3 = the new render; a
    /// path without an old render has no stage 1 (see [`Unmerged`]).
    pub fn mark_conflicts(&self, conflicts: &[(&str, &Sides, bool)]) -> Result<(), Error> {
        if conflicts.is_empty() {
            return Ok(());
        }
        let mut index = self.repo.index().map_err(|e| git_error("index", e))?;
        for (rel, sides, executable) in conflicts {
            let path = self.full(rel);
            let mode = if *executable { 0o100755 } else { 0o100644 };
            let _ = index.remove_path(Path::new(&path));
            let stages = [
                (1u16, sides.base.as_deref()),
                (2, Some(&sides.ours[..])),
                (3, Some(&sides.theirs[..])),
            ];
            for (stage, data) in stages {
                let Some(data) = data else { continue };
                let id = self.repo.blob(data).map_err(|e| git_error(&path, e))?;
                let entry = IndexEntry {
                    ctime: IndexTime::new(0, 0),
                    mtime: IndexTime::new(0, 0),
                    dev: 0,
                    ino: 0,
                    mode,
                    uid: 0,
                    gid: 0,
                    file_size: data.len() as u32,
                    id,
                    flags: (stage << 12) | (path.len().min(0xfff) as u16),
                    flags_extended: 0,
                    path: path.as_bytes().to_vec(),
                };
                index.add(&entry).map_err(|e| git_error(&path, e))?;
            }
        }
        index.write().map_err(|e| git_error("index", e))
    }
}
