//! The ordered file operations of a run, computed before anything is written.
//!
//! A plan compares a rendered tree with the destination on disk and says per
//! path what will happen. Commands decide what to do with conflicts; the
//! apply step only executes a plan.

use std::collections::BTreeSet;
use std::path::Path;

use crate::error::Error;
use crate::render::PathMatcher;
use crate::tree::{FileTree, Node};

/// What happens to one path; the names are the status words users see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Identical,
    Update,
    Merge,
    Conflict,
    Delete,
    Keep,
    Skip,
}

impl Action {
    pub fn word(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Identical => "identical",
            Action::Update => "update",
            Action::Merge => "merge",
            Action::Conflict => "conflict",
            Action::Delete => "delete",
            Action::Keep => "keep",
            Action::Skip => "skip",
        }
    }
}

/// One planned change.
#[derive(Clone, Debug)]
pub struct Change {
    pub path: String,
    pub action: Action,
    /// What to write at `path`; `None` writes nothing (or deletes, for `Delete`).
    pub write: Option<Node>,
    /// The bytes on disk before, for diffs.
    pub before: Option<Node>,
    /// Extra files written beside it (`PATH.rej`, `PATH.graft-new`).
    pub extra: Vec<(String, Node)>,
    /// For a conflict: the three sides, so git can record them as unmerged.
    pub sides: Option<Box<Sides>>,
    /// Why this action was chosen, when it is not obvious.
    pub note: Option<String>,
}

/// The base, ours (project) and theirs (new template) contents of a conflict.
#[derive(Clone, Debug)]
pub struct Sides {
    pub base: Option<Vec<u8>>,
    pub ours: Vec<u8>,
    pub theirs: Vec<u8>,
}

impl Change {
    pub fn new(path: &str, action: Action, write: Option<Node>, before: Option<Node>) -> Change {
        Change {
            path: path.to_string(),
            action,
            write,
            before,
            extra: Vec::new(),
            sides: None,
            note: None,
        }
    }
}

/// Every change of a run, in path order.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
}

impl Plan {
    /// Changes that will write or delete something.
    pub fn writes(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| c.write.is_some() || c.action == Action::Delete || !c.extra.is_empty())
    }

    /// The paths whose action is `action`, in plan order.
    pub fn paths(&self, action: Action) -> Vec<String> {
        self.changes
            .iter()
            .filter(|c| c.action == action)
            .map(|c| c.path.clone())
            .collect()
    }

    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }
}

/// Reads what is at `rel` under `root` without following a final symlink.
pub fn read_node(root: &Path, rel: &str) -> Result<Option<Node>, Error> {
    let path = root.join(rel);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Ok(None),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(&path).map_err(|e| Error::io("read", &path, e))?;
        return Ok(Some(Node::Symlink {
            target: target.to_string_lossy().into_owned(),
        }));
    }
    if meta.is_dir() {
        return Ok(Some(Node::Dir));
    }
    require_regular(&path, &meta)?;
    let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
    Ok(Some(Node::File {
        bytes: bytes.into(),
        executable: is_executable(&meta),
    }))
}

/// Refuses anything but a regular file before it is opened: reading a FIFO
/// blocks until something writes to it, and a device is not the
/// project's to read.
pub fn require_regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), Error> {
    if meta.is_file() {
        return Ok(());
    }
    Err(Error::NotAFile {
        path: path.to_path_buf(),
        kind: special_kind(&meta.file_type()),
    })
}

/// What a file that is not a regular file, folder or symlink is, in words.
#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "FIFO"
    } else if kind.is_socket() {
        "socket"
    } else if kind.is_block_device() {
        "block device"
    } else if kind.is_char_device() {
        "character device"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "special file"
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &std::fs::Metadata) -> bool {
    false
}

/// Plans a copy of `rendered` into `dest`: create what is missing, leave
/// identical files, skip existing `_skip_if_exists` files, and mark every
/// other existing path that differs as a conflict. `answers` (path, bytes)
/// is always written.
pub fn plan_copy(
    rendered: &FileTree,
    dest: &Path,
    skip_if_exists: &PathMatcher,
    answers: (&str, Vec<u8>),
) -> Result<Plan, Error> {
    let mut plan = Plan::default();
    let mut entries = rendered.entries.iter().peekable();
    while let Some((path, node)) = entries.next() {
        // Folders with contents are created with their files; only empty
        // folders are changes of their own.
        if matches!(node, Node::Dir)
            && entries.peek().is_some_and(|(next, _)| {
                next.strip_prefix(path.as_str())
                    .is_some_and(|r| r.starts_with('/'))
            })
        {
            continue;
        }
        let before = read_node(dest, path)?;
        let action = match (&before, node) {
            (None, _) => Action::Create,
            (Some(Node::Dir), Node::Dir) => continue,
            (Some(b), n) if same(b, n) => Action::Identical,
            (Some(_), n) if !matches!(n, Node::Dir) && skip_if_exists.matches(path, false) => {
                Action::Skip
            }
            _ => Action::Conflict,
        };
        let write = matches!(action, Action::Create | Action::Conflict).then(|| node.clone());
        plan.changes.push(Change::new(path, action, write, before));
    }
    let (path, bytes) = answers;
    let node = Node::file(bytes);
    let before = read_node(dest, path)?;
    let action = match &before {
        None => Action::Create,
        Some(b) if same(b, &node) => Action::Identical,
        Some(_) => Action::Update,
    };
    let write = (action != Action::Identical).then_some(node);
    plan.changes.push(Change::new(path, action, write, before));
    Ok(plan)
}

/// The folders among `dirs` (paths relative to `dest`) that hold nothing
/// once the paths in `deleted` are gone, as `Delete` changes, deepest first
/// so they apply after the deletions that empty them. A folder that still
/// holds anything else, such as a file of the project's own, stays.
pub fn prune_empty_dirs<'a>(
    dest: &Path,
    dirs: impl IntoIterator<Item = &'a str>,
    deleted: &BTreeSet<String>,
) -> Result<Vec<Change>, Error> {
    let mut dirs: Vec<&str> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
    let mut pruned: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    for dir in dirs {
        let path = dest.join(dir);
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        let mut empty = true;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read", &path, e))?;
            let rel = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if !deleted.contains(&rel) && !pruned.contains(&rel) {
                empty = false;
                break;
            }
        }
        if empty {
            pruned.insert(dir.to_string());
            out.push(Change::new(dir, Action::Delete, None, Some(Node::Dir)));
        }
    }
    Ok(out)
}

/// Equal content, mode and kind.
pub fn same(a: &Node, b: &Node) -> bool {
    a == b
}
