//! In-memory file trees: what a template holds, what a render produces.
//!
//! Every stage of graft passes these around instead of touching the disk:
//! a source reads a template into a [`FileTree`], the renderer turns it into
//! another [`FileTree`], and only the apply step writes. Paths are relative,
//! `/`-separated, without a leading or trailing slash, and never contain
//! `.` or `..` segments.

use std::collections::BTreeMap;
use std::sync::Arc;

/// File contents, shared rather than copied: a file that passes unchanged
/// from the template through both renders into the plan is held in memory
/// once, which keeps an update of 10,000 files within tens of megabytes.
pub type Bytes = Arc<[u8]>;

/// Git's rule for the executable bit of a file on disk: its owner may
/// execute it. Every stage that reads a file's mode uses this one rule.
/// Reads the whole file at `path`, `size` being its length when it was
/// last looked at: the buffer is sized from it, so the read takes one call
/// and one more to see the end (`std::fs::read` asks the size again).
/// A file that grew or shrank since is still read whole.
pub fn read_sized(path: &std::path::Path, size: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    file.take(u64::MAX).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(unix)]
pub fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o100 != 0
}

#[cfg(not(unix))]
pub fn is_executable(_: &std::fs::Metadata) -> bool {
    false
}

/// One entry of a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A regular file with its exact bytes.
    File { bytes: Bytes, executable: bool },
    /// A symbolic link, holding the link text exactly as stored.
    Symlink { target: String },
    /// A directory. Every directory of the tree has its own entry, so empty
    /// directories survive a round trip.
    Dir,
}

impl Node {
    /// A non-executable file.
    pub fn file(bytes: impl Into<Vec<u8>>) -> Node {
        Node::File {
            bytes: bytes.into().into(),
            executable: false,
        }
    }
}

/// A set of paths with their contents, ordered by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileTree {
    pub entries: BTreeMap<String, Node>,
}

impl FileTree {
    pub fn new() -> FileTree {
        FileTree::default()
    }

    /// Inserts `node` at `path` and a `Dir` entry for every missing parent.
    pub fn insert(&mut self, path: &str, node: Node) {
        let mut end = 0;
        while let Some(i) = path[end..].find('/') {
            end += i;
            self.entries
                .entry(path[..end].to_string())
                .or_insert(Node::Dir);
            end += 1;
        }
        self.entries.insert(path.to_string(), node);
    }

    pub fn get(&self, path: &str) -> Option<&Node> {
        self.entries.get(path)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Regular files only, in path order.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.entries.iter().filter_map(|(p, n)| match n {
            Node::File { bytes, .. } => Some((p.as_str(), &bytes[..])),
            _ => None,
        })
    }
}

/// The git blob id of `bytes`: the hash a journal entry carries, and what
/// the git index records for a file.
///
/// Computed with the `sha1` crate (which uses the CPU's SHA instructions
/// where there are some) rather than libgit2's collision-detecting SHA-1:
/// the id is the same, and hashing every file a run writes or backs up
/// took a twentieth of a copy's time.
pub fn blob_id(bytes: &[u8]) -> git2::Oid {
    use sha1::Digest;
    let mut hash = sha1::Sha1::new();
    hash.update(format!("blob {}\0", bytes.len()).as_bytes());
    hash.update(bytes);
    git2::Oid::from_bytes(&hash.finalize()).unwrap_or(git2::Oid::ZERO_SHA1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_creates_parent_dirs() {
        let mut tree = FileTree::new();
        tree.insert("a/b/c.txt", Node::file("x"));
        let paths: Vec<_> = tree.entries.keys().map(String::as_str).collect();
        assert_eq!(paths, ["a", "a/b", "a/b/c.txt"]);
        assert_eq!(tree.get("a/b"), Some(&Node::Dir));
    }
}
