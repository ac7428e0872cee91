//! One graft command at a time per project.
//!
//! Every command that reads or writes a project holds an exclusive advisory
//! lock on the project folder for as long as it reads, plans and writes:
//! a second command on the same project waits for it, saying so, and then
//! sees the finished result. Only a command that holds the lock rolls back
//! a journal, so a live run's journal is never taken for an interrupted one.
//!
//! The lock is the operating system's (`flock` on the folder itself on
//! Unix, through `std::fs::File::lock`): it needs no file of its own in the
//! project, and it is released when the process ends, however it ends, so a
//! killed run never leaves a stale lock behind. It guards against other
//! graft processes, not against other programs, which do not ask for it.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The held lock on a project folder; released on drop.
#[derive(Debug)]
pub struct ProjectLock {
    _handle: File,
    folder: PathBuf,
}

impl ProjectLock {
    /// Locks `folder` (which must exist), waiting while another graft
    /// process holds it; `waiting` is called once before the wait.
    pub fn acquire(folder: &Path, waiting: impl FnOnce()) -> Result<ProjectLock, Error> {
        let handle = open(folder)?;
        match handle.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                waiting();
                handle
                    .lock()
                    .map_err(|e| Error::io("lock the project", folder, e))?;
            }
            Err(TryLockError::Error(e)) => return Err(Error::io("lock the project", folder, e)),
        }
        Ok(ProjectLock {
            _handle: handle,
            folder: folder.to_path_buf(),
        })
    }

    /// The lock the parent graft process holds on `folder` while this
    /// process runs as its task: taking it again would wait forever.
    pub fn inherited(folder: &Path) -> Result<ProjectLock, Error> {
        Ok(ProjectLock {
            _handle: open(folder)?,
            folder: folder.to_path_buf(),
        })
    }

    /// The locked folder.
    pub fn folder(&self) -> &Path {
        &self.folder
    }
}

#[cfg(unix)]
fn open(folder: &Path) -> Result<File, Error> {
    File::open(folder).map_err(|e| Error::io("lock the project", folder, e))
}

/// Where a folder cannot be opened as a file, a lock file beside the
/// journal stands in for it.
#[cfg(not(unix))]
fn open(folder: &Path) -> Result<File, Error> {
    let path = folder.join(".graft-lock");
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io("lock the project", &path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn a_second_holder_waits_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = ProjectLock::acquire(dir.path(), || panic!("nobody holds it yet")).unwrap();
        let released = Arc::new(AtomicBool::new(false));
        let waited = Arc::new(AtomicBool::new(false));
        let (path, r, w) = (dir.path().to_path_buf(), released.clone(), waited.clone());
        let second = std::thread::spawn(move || {
            let _lock = ProjectLock::acquire(&path, || w.store(true, Ordering::SeqCst)).unwrap();
            assert!(r.load(Ordering::SeqCst), "got the lock while it was held");
        });
        std::thread::sleep(Duration::from_millis(200));
        released.store(true, Ordering::SeqCst);
        drop(first);
        second.join().unwrap();
        assert!(waited.load(Ordering::SeqCst), "said that it waits");
    }
}
