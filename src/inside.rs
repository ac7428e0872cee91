//! Writes never go through a symlink out of the folder they are meant for:
//! each folder on a path is looked at once, and a symlink among them must
//! resolve inside the root.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, RenderError};

/// Checks that writing `rel` under `root` never goes through a symlink that
/// leads outside `root`.
pub fn check_inside(root: &Path, rel: &str) -> Result<(), Error> {
    Inside::new(root).check(rel)
}

/// Checks, path after path, that writes under a root never go through a
/// symlink that leads outside it; each folder is looked at once.
pub struct Inside {
    root: PathBuf,
    canonical_root: Option<PathBuf>,
    /// Folders found to be plain folders (not symlinks).
    plain: HashSet<String>,
    /// Folders found missing: nothing under them is looked at again.
    missing: HashSet<String>,
}

impl Inside {
    pub fn new(root: &Path) -> Inside {
        Inside {
            root: root.to_path_buf(),
            canonical_root: None,
            plain: HashSet::new(),
            missing: HashSet::new(),
        }
    }

    pub fn check(&mut self, rel: &str) -> Result<(), Error> {
        let mut end = 0;
        while let Some(i) = rel[end..].find('/') {
            end += i;
            let dir = &rel[..end];
            end += 1;
            if self.plain.contains(dir) {
                continue;
            }
            if self.missing.contains(dir) {
                break;
            }
            let current = self.root.join(dir);
            match fs::symlink_metadata(&current) {
                Ok(m) if m.file_type().is_symlink() => {
                    let root = self.canonical_root.get_or_insert_with(|| {
                        self.root
                            .canonicalize()
                            .unwrap_or_else(|_| self.root.clone())
                    });
                    let resolved = current.canonicalize().ok();
                    if !resolved.is_some_and(|r| r.starts_with(root)) {
                        return Err(RenderError::UnsafePath {
                            path: rel.to_string(),
                            from: current.display().to_string(),
                            reason: "would be written through a symlink that leads outside \
                                     the destination"
                                .to_string(),
                        }
                        .into());
                    }
                }
                Ok(_) => {
                    self.plain.insert(dir.to_string());
                }
                Err(_) => {
                    self.missing.insert(dir.to_string());
                    break;
                }
            }
        }
        Ok(())
    }
}
