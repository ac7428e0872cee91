//! The ordered file operations of a run, computed before anything is written.
//!
//! A plan compares a rendered tree with the destination on disk and says per
//! path what will happen. Commands decide what to do with conflicts; the
//! apply step only executes a plan.

use std::collections::BTreeSet;
use std::path::Path;

use crate::error::Error;
use crate::render::PathMatcher;
use crate::tree::{is_executable, FileTree, Node};

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
    let bytes =
        crate::tree::read_sized(&path, meta.len()).map_err(|e| Error::io("read", &path, e))?;
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

/// What a file that is not a regular file or symlink is, in words.
#[cfg(unix)]
pub fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "folder"
    } else if kind.is_fifo() {
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
pub fn special_kind(kind: &std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        "folder"
    } else {
        "special file"
    }
}

/// Plans a copy of `rendered` into `dest`: create what is missing, leave
/// identical files, skip existing `_skip_if_exists` files, and mark every
/// other existing path that differs as a conflict. `answers` (path, bytes)
/// is always written. A `dest` of `None` is a folder this run created,
/// where nothing is: everything is created, without looking.
pub fn plan_copy(
    rendered: &FileTree,
    dest: Option<&Path>,
    skip_if_exists: &PathMatcher,
    answers: Option<(&str, Vec<u8>)>,
) -> Result<Plan, Error> {
    let read_node = |dest: Option<&Path>, rel: &str| match dest {
        Some(dest) => read_node(dest, rel),
        None => Ok(None),
    };
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
    let Some((path, bytes)) = answers else {
        return Ok(plan);
    };
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

/// Gives every file a change writes beside its path (`PATH.rej`,
/// `PATH.graft-new`, or a folder such as `PATH.graft-new/…`) a name that
/// holds nothing of the project's own: the name itself when nothing is
/// there or exactly what graft would write, else the first free one of
/// `PATH.1.rej`, `PATH.2.rej`, … (the number goes before graft's
/// extension). A renamed one is said in the change's note. Only file types
/// are looked at before a file is read, so a FIFO there is never opened.
pub fn free_extra_names(dest: &Path, plan: &mut Plan) -> Result<(), Error> {
    let mut used: BTreeSet<String> = plan.changes.iter().map(|c| c.path.clone()).collect();
    for change in &mut plan.changes {
        let mut roots: Vec<String> = Vec::new();
        for (name, _) in &change.extra {
            let root = extra_root(&change.path, name).to_string();
            if !roots.contains(&root) {
                roots.push(root);
            }
        }
        for root in roots {
            let Some(ext) = root.strip_prefix(&format!("{}.", change.path)) else {
                continue;
            };
            let inside: Vec<(&str, &Node)> = change
                .extra
                .iter()
                .filter_map(|(name, node)| {
                    let rest = name.strip_prefix(&root)?;
                    (rest.is_empty() || rest.starts_with('/')).then_some((rest, node))
                })
                .collect();
            let mut candidate = root.clone();
            let mut n = 0;
            while used.contains(&candidate) || !is_free(dest, &candidate, &inside)? {
                n += 1;
                candidate = format!("{}.{n}.{ext}", change.path);
            }
            used.insert(candidate.clone());
            if candidate == root {
                continue;
            }
            for (name, _) in &mut change.extra {
                if let Some(rest) = name.strip_prefix(&root) {
                    if rest.is_empty() || rest.starts_with('/') {
                        *name = format!("{candidate}{rest}");
                    }
                }
            }
            let (old, new) = (format!("`{root}`"), format!("`{candidate}`"));
            change.note = Some(match &change.note {
                Some(note) if note.contains(&old) => {
                    format!("{}, as {old} already exists", note.replace(&old, &new))
                }
                Some(note) => format!("{note}; {new} written beside it, as {old} already exists"),
                None => format!("{new} written beside it, as {old} already exists"),
            });
        }
    }
    Ok(())
}

/// The name an extra file of `path` stands under: `PATH.rej` for itself,
/// `PATH.graft-new` for `PATH.graft-new/inner/file`.
fn extra_root<'a>(path: &str, name: &'a str) -> &'a str {
    let start = if name.starts_with(path) {
        path.len()
    } else {
        0
    };
    match name[start..].find('/') {
        Some(i) => &name[..start + i],
        None => name,
    }
}

/// Whether graft may write `inside` (relative names under `root`, `""`
/// for `root` itself) at `root`: nothing is there, or the very file.
fn is_free(dest: &Path, root: &str, inside: &[(&str, &Node)]) -> Result<bool, Error> {
    let path = dest.join(root);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    let [("", node)] = inside else {
        return Ok(false);
    };
    if !meta.is_file() {
        return Ok(false);
    }
    Ok(read_node(dest, root)?.as_ref() == Some(*node))
}

/// Equal content, mode and kind.
pub fn same(a: &Node, b: &Node) -> bool {
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_files_move_to_the_first_free_name_and_folders_move_whole() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path();
        std::fs::write(dest.join("a.txt.rej"), "mine").unwrap();
        std::fs::write(dest.join("a.txt.1.rej"), "mine too").unwrap();
        std::fs::write(dest.join("b.txt.rej"), "graft's").unwrap();
        std::fs::create_dir(dest.join("c.graft-new")).unwrap();
        let mut a = Change::new("a.txt", Action::Conflict, None, None);
        a.extra.push(("a.txt.rej".into(), Node::file("hunks")));
        let mut b = Change::new("b.txt", Action::Conflict, None, None);
        b.extra.push(("b.txt.rej".into(), Node::file("graft's")));
        let mut c = Change::new("c", Action::Conflict, None, None);
        c.extra.push(("c.graft-new/x".into(), Node::file("x")));
        c.extra.push(("c.graft-new/y/z".into(), Node::file("z")));
        let mut plan = Plan {
            changes: vec![a, b, c],
        };
        free_extra_names(dest, &mut plan).unwrap();
        let names: Vec<Vec<&str>> = plan
            .changes
            .iter()
            .map(|c| c.extra.iter().map(|(p, _)| p.as_str()).collect())
            .collect();
        assert_eq!(
            names,
            [
                vec!["a.txt.2.rej"],
                vec!["b.txt.rej"],
                vec!["c.1.graft-new/x", "c.1.graft-new/y/z"]
            ]
        );
        assert_eq!(
            plan.changes[0].note.as_deref(),
            Some("`a.txt.2.rej` written beside it, as `a.txt.rej` already exists")
        );
        assert_eq!(plan.changes[1].note, None);
    }
}
