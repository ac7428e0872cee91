//! Reading a directory on disk into a [`FileTree`]: a plain-folder template,
//! or the dirty working tree of a local git template.
//!
//! Symlinks are never followed: they become [`Node::Symlink`] with their link
//! text, and the renderer decides what to do with them. `.git` entries are
//! skipped. For a working tree, git's own ignore rules (via libgit2) decide
//! what is part of the template, and tracked files always are. Reading git
//! objects is `git.rs`'s job.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use git2::Repository;

use super::submodule::{Gitlink, Links};
use super::SourceError;
use crate::tree::{is_executable, FileTree, Node};

/// What to do with one directory entry.
enum Verdict {
    Take,
    Skip,
}

/// Reads a plain folder: everything except `.git` entries.
pub fn read_folder(root: &Path, src: &str) -> Result<FileTree, SourceError> {
    walk(root, src, &mut |_, _| Verdict::Take)
}

/// Reads the working tree of a non-bare repository as the author sees it:
/// tracked files that still exist, plus untracked files git does not
/// ignore. Submodules and nested repositories are left out: the files of
/// submodules come from their own repositories (see [`worktree_links`]).
pub fn read_worktree(repo: &Repository, root: &Path, src: &str) -> Result<FileTree, SourceError> {
    let index = repo.index().map_err(|source| SourceError::Git {
        action: "read the index",
        src: src.to_string(),
        source,
    })?;
    let mut tracked = HashSet::new();
    let mut tracked_dirs = HashSet::new();
    let mut gitlinks = HashSet::new();
    for entry in index.iter() {
        let Ok(path) = String::from_utf8(entry.path) else {
            continue;
        };
        if entry.mode == 0o160000 {
            gitlinks.insert(path);
            continue;
        }
        let mut end = 0;
        while let Some(i) = path[end..].find('/') {
            end += i;
            tracked_dirs.insert(path[..end].to_string());
            end += 1;
        }
        tracked.insert(path);
    }
    walk(root, src, &mut |rel, is_dir| {
        if is_dir {
            if gitlinks.contains(rel) {
                return Verdict::Skip;
            }
            if tracked_dirs.contains(rel) {
                return Verdict::Take;
            }
            if root.join(rel).join(".git").exists() {
                return Verdict::Skip;
            }
            let ignored = repo.is_path_ignored(format!("{rel}/")).unwrap_or(false);
            if ignored {
                Verdict::Skip
            } else {
                Verdict::Take
            }
        } else if tracked.contains(rel) || !repo.is_path_ignored(rel).unwrap_or(false) {
            Verdict::Take
        } else {
            Verdict::Skip
        }
    })
}

/// The submodules of a working tree, as `git add -A` would record them:
/// every gitlink of the index at the commit checked out in its folder (the
/// staged one when it is not checked out), and the `.gitmodules` file of
/// the working tree.
pub fn worktree_links(repo: &Repository, root: &Path, src: &str) -> Result<Links, SourceError> {
    let index = repo.index().map_err(|source| SourceError::Git {
        action: "read the index",
        src: src.to_string(),
        source,
    })?;
    let mut gitlinks = Vec::new();
    for entry in index.iter().filter(|e| e.mode == 0o160000) {
        let Ok(path) = String::from_utf8(entry.path) else {
            continue;
        };
        let checked_out = Repository::open(root.join(&path))
            .ok()
            .and_then(|sub| sub.head().ok()?.peel_to_commit().ok().map(|c| c.id()));
        gitlinks.push(Gitlink {
            commit: checked_out.unwrap_or(entry.id),
            path,
        });
    }
    let file = root.join(".gitmodules");
    let gitmodules = match fs::symlink_metadata(&file) {
        Ok(meta) if meta.is_file() && !gitlinks.is_empty() => {
            let bytes = fs::read(&file).map_err(|source| SourceError::Io {
                action: "read",
                path: file.clone(),
                source,
            })?;
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        _ => None,
    };
    Ok(Links {
        gitlinks,
        gitmodules,
    })
}

/// Depth-first walk without following symlinks. `filter` sees every path
/// relative to `root` (`/`-separated) and whether it is a real directory.
fn walk(
    root: &Path,
    src: &str,
    filter: &mut dyn FnMut(&str, bool) -> Verdict,
) -> Result<FileTree, SourceError> {
    let io = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| SourceError::Io {
            action,
            path,
            source,
        }
    };
    let mut out = FileTree::new();
    let mut stack = vec![String::new()];
    while let Some(dir_rel) = stack.pop() {
        let dir = if dir_rel.is_empty() {
            root.to_path_buf()
        } else {
            root.join(&dir_rel)
        };
        let entries = fs::read_dir(&dir).map_err(io("read the directory", &dir))?;
        for entry in entries {
            let entry = entry.map_err(io("read the directory", &dir))?;
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str() else {
                return Err(SourceError::NonUtf8Path {
                    path: entry.path().display().to_string(),
                    src: src.to_string(),
                });
            };
            if name == ".git" {
                continue;
            }
            let rel = if dir_rel.is_empty() {
                name.to_string()
            } else {
                format!("{dir_rel}/{name}")
            };
            let path = entry.path();
            let meta = fs::symlink_metadata(&path).map_err(io("inspect", &path))?;
            let kind = meta.file_type();
            if kind.is_dir() {
                if let Verdict::Take = filter(&rel, true) {
                    out.insert(&rel, Node::Dir);
                    stack.push(rel);
                }
            } else if kind.is_symlink() {
                if let Verdict::Take = filter(&rel, false) {
                    let target = fs::read_link(&path).map_err(io("read the symlink", &path))?;
                    let target = target
                        .to_str()
                        .ok_or_else(|| SourceError::NonUtf8Path {
                            path: path.display().to_string(),
                            src: src.to_string(),
                        })?
                        .to_string();
                    out.insert(&rel, Node::Symlink { target });
                }
            } else if kind.is_file() {
                if let Verdict::Take = filter(&rel, false) {
                    let bytes = fs::read(&path).map_err(io("read", &path))?;
                    out.insert(
                        &rel,
                        Node::File {
                            bytes: bytes.into(),
                            executable: is_executable(&meta),
                        },
                    );
                }
            }
            // Sockets, fifos and devices are not template content.
        }
    }
    Ok(out)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};

    #[test]
    fn reads_plain_folder_without_following_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/empty")).unwrap();
        fs::create_dir_all(root.join(".git/objects")).unwrap();
        fs::write(root.join(".git/HEAD"), "x").unwrap();
        fs::write(root.join("a/f.txt"), "hello").unwrap();
        fs::write(root.join("run.sh"), "#!/bin/sh\n").unwrap();
        fs::set_permissions(root.join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
        symlink("a/f.txt", root.join("link")).unwrap();
        symlink("/nonexistent/x", root.join("dangling")).unwrap();
        symlink("a", root.join("dirlink")).unwrap();

        let tree = read_folder(root, "t").unwrap();
        let paths: Vec<&str> = tree.entries.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            ["a", "a/empty", "a/f.txt", "dangling", "dirlink", "link", "run.sh"]
        );
        assert_eq!(tree.get("a/f.txt"), Some(&Node::file("hello")));
        assert_eq!(
            tree.get("run.sh"),
            Some(&Node::File {
                bytes: b"#!/bin/sh\n".to_vec().into(),
                executable: true
            })
        );
        assert_eq!(
            tree.get("dirlink"),
            Some(&Node::Symlink {
                target: "a".to_string()
            })
        );
        assert_eq!(
            tree.get("dangling"),
            Some(&Node::Symlink {
                target: "/nonexistent/x".to_string()
            })
        );
    }

    #[test]
    fn non_utf8_names_are_an_error() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let name = OsStr::from_bytes(b"bad\xff");
        if fs::write(dir.path().join(name), "x").is_err() {
            return; // The filesystem refuses such names; nothing to test.
        }
        let err = read_folder(dir.path(), "t").unwrap_err();
        assert!(matches!(err, SourceError::NonUtf8Path { .. }), "{err:?}");
    }
}
