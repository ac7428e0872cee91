//! Writing a plan so that nothing is ever half-done.
//!
//! Every write goes to a temporary file in the same folder and is renamed
//! into place. Before the first change a journal folder is created in the
//! destination and the prior state of every path is saved there before it is
//! touched. An error rolls everything back from memory; a process killed in
//! the middle leaves the journal, and [`recover`] (run first by every
//! command) restores the exact prior bytes from it. The journal guards
//! against a process that dies, not against a machine that loses power: it
//! is written before each change but not flushed to disk, like the files
//! themselves.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::plan::Plan;
use crate::tree::Node;

/// The journal folder inside the destination while a run is writing.
pub const JOURNAL_DIR: &str = ".graft-journal";
const JOURNAL_INDEX: &str = "index";

/// How to undo one change.
#[derive(Debug)]
enum Undo {
    /// The path did not exist: remove it.
    Remove(String),
    /// A file existed: restore it from the journal backup.
    Restore {
        path: String,
        backup: PathBuf,
        executable: bool,
    },
    /// A symlink existed: recreate it.
    Relink { path: String, target: String },
    /// The folder was created by this run: remove it if empty.
    RemoveDir(String),
    /// An empty folder was removed by this run: create it again.
    MakeDir(String),
}

/// Fault injection for tests: `GRAFT_FAIL_AFTER_WRITES=N` makes the N+1th
/// write fail, `GRAFT_ABORT_AFTER_WRITES=N` kills the process after N writes
/// (a crash), and `GRAFT_INTERRUPT_AFTER_WRITES=N` sends it SIGINT.
#[derive(Clone, Copy, Debug, Default)]
pub struct FaultInjection {
    pub fail_after: Option<usize>,
    pub abort_after: Option<usize>,
    /// Sends SIGINT to this process after N writes.
    pub interrupt_after: Option<usize>,
}

/// An open set of changes to a destination.
pub struct Transaction {
    root: PathBuf,
    journal: PathBuf,
    index: fs::File,
    undo: Vec<Undo>,
    writes: usize,
    faults: FaultInjection,
}

impl Transaction {
    /// Starts a transaction in `root`, which must exist.
    pub fn begin(root: &Path, faults: FaultInjection) -> Result<Transaction, Error> {
        let journal = root.join(JOURNAL_DIR);
        fs::create_dir(&journal).map_err(|e| Error::io("create journal", &journal, e))?;
        let index_path = journal.join(JOURNAL_INDEX);
        let index =
            fs::File::create(&index_path).map_err(|e| Error::io("write", &index_path, e))?;
        Ok(Transaction {
            root: root.to_path_buf(),
            journal,
            index,
            undo: Vec::new(),
            writes: 0,
            faults,
        })
    }

    fn record(&mut self, undo: Undo) -> Result<(), Error> {
        let line = match &undo {
            Undo::Remove(p) => format!("remove\t{p}\n"),
            Undo::Restore {
                path,
                backup,
                executable,
            } => format!(
                "restore\t{}\t{}\t{path}\n",
                u8::from(*executable),
                backup
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            ),
            Undo::Relink { path, target } => format!("relink\t{}\t{path}\n", escape(target)),
            Undo::RemoveDir(p) => format!("rmdir\t{p}\n"),
            Undo::MakeDir(p) => format!("mkdir\t{p}\n"),
        };
        // Written (not flushed to disk) before the change it protects: a
        // killed process cannot lose what it handed to the kernel, so
        // `recover` always sees it. A flush per entry made every run wait
        // for the disk once per file (see bench/README.md).
        self.index
            .write_all(line.as_bytes())
            .map_err(|e| Error::io("write", self.journal.join(JOURNAL_INDEX), e))?;
        self.undo.push(undo);
        Ok(())
    }

    fn tick(&mut self, path: &Path) -> Result<(), Error> {
        if self.faults.abort_after == Some(self.writes) {
            std::process::abort();
        }
        #[cfg(unix)]
        if self.faults.interrupt_after == Some(self.writes) {
            let _ = signal_hook::low_level::raise(signal_hook::consts::SIGINT);
        }
        if self.faults.fail_after == Some(self.writes) {
            return Err(Error::io(
                "write",
                path,
                std::io::Error::other("injected failure"),
            ));
        }
        self.writes += 1;
        Ok(())
    }

    /// Saves what is at `rel` so it can be restored.
    fn save(&mut self, rel: &str) -> Result<(), Error> {
        let path = self.root.join(rel);
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.record(Undo::Remove(rel.to_string()))
            }
            Err(e) => Err(Error::io("read", path, e)),
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&path).map_err(|e| Error::io("read", &path, e))?;
                self.record(Undo::Relink {
                    path: rel.to_string(),
                    target: target.to_string_lossy().into_owned(),
                })
            }
            Ok(m) if m.is_dir() => Ok(()),
            Ok(m) => {
                let backup = self.journal.join(format!("{:06}", self.undo.len()));
                // A hard link keeps the prior bytes without copying them:
                // nothing here writes into an existing file (a change is a
                // new file renamed over it), so the linked inode never
                // changes. It also keeps the replaced inode allocated until
                // the journal goes, which spares ext4 a scan past every
                // freshly freed inode on each later file creation. Where a
                // link cannot be made (another file system), copy.
                if fs::hard_link(&path, &backup).is_err() {
                    fs::copy(&path, &backup).map_err(|e| Error::io("back up", &path, e))?;
                }
                self.record(Undo::Restore {
                    path: rel.to_string(),
                    backup,
                    executable: executable(&m),
                })
            }
        }
    }

    /// Creates the parent folders of `rel`, recording the ones it made.
    fn parents(&mut self, rel: &str) -> Result<(), Error> {
        let mut end = 0;
        while let Some(i) = rel[end..].find('/') {
            end += i;
            let dir = &rel[..end];
            let path = self.root.join(dir);
            match fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    return Err(Error::io(
                        "create folder",
                        &path,
                        std::io::Error::other("a file is in the way"),
                    ))
                }
                Err(_) => {
                    self.record(Undo::RemoveDir(dir.to_string()))?;
                    fs::create_dir(&path).map_err(|e| Error::io("create folder", &path, e))?;
                }
            }
            end += 1;
        }
        Ok(())
    }

    /// Writes `node` at `rel`, replacing what is there.
    pub fn write(&mut self, rel: &str, node: &Node) -> Result<(), Error> {
        let path = self.root.join(rel);
        self.tick(&path)?;
        self.parents(rel)?;
        match node {
            Node::Dir => {
                if !path.is_dir() {
                    self.record(Undo::RemoveDir(rel.to_string()))?;
                    fs::create_dir(&path).map_err(|e| Error::io("create folder", &path, e))?;
                }
            }
            Node::File { bytes, executable } => {
                self.save(rel)?;
                let dir = path.parent().unwrap_or(&self.root);
                let mut tmp = tempfile::Builder::new()
                    .prefix(".graft-tmp-")
                    .tempfile_in(dir)
                    .map_err(|e| Error::io("write", &path, e))?;
                tmp.write_all(bytes)
                    .map_err(|e| Error::io("write", &path, e))?;
                set_executable(tmp.as_file(), *executable)
                    .map_err(|e| Error::io("write", &path, e))?;
                remove_if_symlink(&path)?;
                tmp.persist(&path)
                    .map_err(|e| Error::io("write", &path, e.error))?;
            }
            Node::Symlink { target } => {
                self.save(rel)?;
                remove_existing(&path)?;
                make_symlink(target, &path).map_err(|e| Error::io("create symlink", &path, e))?;
            }
        }
        Ok(())
    }

    /// Deletes the file or symlink at `rel`.
    pub fn remove(&mut self, rel: &str) -> Result<(), Error> {
        let path = self.root.join(rel);
        self.tick(&path)?;
        self.save(rel)?;
        remove_existing(&path)
    }

    /// Removes the empty folder at `rel`.
    pub fn remove_empty_dir(&mut self, rel: &str) -> Result<(), Error> {
        let path = self.root.join(rel);
        self.tick(&path)?;
        self.record(Undo::MakeDir(rel.to_string()))?;
        fs::remove_dir(&path).map_err(|e| Error::io("remove folder", &path, e))
    }

    /// Keeps every change and removes the journal.
    pub fn commit(self) -> Result<(), Error> {
        fs::remove_dir_all(&self.journal).map_err(|e| Error::io("remove", &self.journal, e))
    }

    /// Undoes every change, newest first, and removes the journal.
    pub fn rollback(self) -> Result<(), Error> {
        let Transaction {
            root,
            journal,
            undo,
            ..
        } = self;
        undo_all(&root, undo)?;
        fs::remove_dir_all(&journal).map_err(|e| Error::io("remove", &journal, e))
    }
}

fn undo_all(root: &Path, undo: Vec<Undo>) -> Result<(), Error> {
    for u in undo.into_iter().rev() {
        match u {
            Undo::Remove(rel) => remove_existing(&root.join(rel))?,
            Undo::RemoveDir(rel) => {
                let _ = fs::remove_dir(root.join(rel));
            }
            Undo::MakeDir(rel) => {
                let p = root.join(rel);
                if !p.is_dir() {
                    fs::create_dir_all(&p).map_err(|e| Error::io("restore", &p, e))?;
                }
            }
            Undo::Relink { path, target } => {
                let p = root.join(path);
                remove_existing(&p)?;
                make_symlink(&target, &p).map_err(|e| Error::io("restore", &p, e))?;
            }
            Undo::Restore {
                path,
                backup,
                executable,
            } => {
                let p = root.join(path);
                remove_if_symlink(&p)?;
                if p.is_dir() {
                    fs::remove_dir_all(&p).map_err(|e| Error::io("restore", &p, e))?;
                }
                let tmp = p.with_file_name(format!(
                    ".graft-tmp-restore-{}",
                    p.file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default()
                ));
                fs::copy(&backup, &tmp).map_err(|e| Error::io("restore", &p, e))?;
                if let Ok(f) = fs::File::open(&tmp) {
                    set_executable(&f, executable).map_err(|e| Error::io("restore", &p, e))?;
                }
                fs::rename(&tmp, &p).map_err(|e| Error::io("restore", &p, e))?;
            }
        }
    }
    Ok(())
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Rolls back a run that was killed while writing in `root`. Returns true
/// when there was something to roll back.
pub fn recover(root: &Path) -> Result<bool, Error> {
    let journal = root.join(JOURNAL_DIR);
    let index_path = journal.join(JOURNAL_INDEX);
    let text = match fs::read_to_string(&index_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if journal.is_dir() {
                fs::remove_dir_all(&journal).map_err(|e| Error::io("remove", &journal, e))?;
                return Ok(true);
            }
            return Ok(false);
        }
        Err(e) => return Err(Error::io("read", index_path, e)),
    };
    // The journal is a file in the project, which may come from a stranger:
    // every path it names is checked before anything is undone.
    let inside = |rel: &str| -> Result<String, Error> {
        let unsafe_entry = || Error::UnsafeJournal {
            journal: index_path.clone(),
            entry: rel.to_string(),
        };
        if crate::render::clean_relative(rel).ok().as_deref() != Some(rel) || rel.is_empty() {
            return Err(unsafe_entry());
        }
        check_inside(root, rel).map_err(|_| unsafe_entry())?;
        Ok(rel.to_string())
    };
    let mut undo = Vec::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.splitn(4, '\t').collect();
        match parts.as_slice() {
            ["remove", p] => undo.push(Undo::Remove(inside(p)?)),
            ["rmdir", p] => undo.push(Undo::RemoveDir(inside(p)?)),
            ["mkdir", p] => undo.push(Undo::MakeDir(inside(p)?)),
            ["relink", t, p] => undo.push(Undo::Relink {
                path: inside(p)?,
                target: unescape(t),
            }),
            ["restore", x, b, p] => {
                // Backups are plain files inside the journal folder.
                if b.is_empty() || b.contains(['/', '\\']) || *b == "." || *b == ".." {
                    return Err(Error::UnsafeJournal {
                        journal: index_path.clone(),
                        entry: b.to_string(),
                    });
                }
                undo.push(Undo::Restore {
                    path: inside(p)?,
                    backup: journal.join(b),
                    executable: *x == "1",
                })
            }
            // A torn last line: that change never started.
            _ => {}
        }
    }
    undo_all(root, undo)?;
    fs::remove_dir_all(&journal).map_err(|e| Error::io("remove", &journal, e))?;
    Ok(true)
}

/// Turns SIGINT and SIGTERM into a flag while it lives, so the write phase
/// can stop between two writes and roll back instead of dying half-way.
struct InterruptGuard {
    flag: std::sync::Arc<std::sync::atomic::AtomicBool>,
    #[cfg(unix)]
    ids: Vec<signal_hook::SigId>,
}

impl InterruptGuard {
    fn install() -> InterruptGuard {
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        #[cfg(unix)]
        let ids = [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM]
            .into_iter()
            .filter_map(|sig| signal_hook::flag::register(sig, flag.clone()).ok())
            .collect();
        InterruptGuard {
            flag,
            #[cfg(unix)]
            ids,
        }
    }

    fn interrupted(&self) -> bool {
        self.flag.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for InterruptGuard {
    fn drop(&mut self) {
        #[cfg(unix)]
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Applies every write of `plan` in one transaction.
pub fn apply(root: &Path, plan: &Plan, faults: FaultInjection) -> Result<(), Error> {
    let guard = InterruptGuard::install();
    let mut tx = Transaction::begin(root, faults)?;
    let result = (|| {
        for change in plan.writes() {
            if guard.interrupted() {
                return Err(Error::Interrupted);
            }
            match (&change.write, change.action) {
                (Some(node), _) => tx.write(&change.path, node)?,
                (None, crate::plan::Action::Delete) if change.before == Some(Node::Dir) => {
                    tx.remove_empty_dir(&change.path)?
                }
                (None, crate::plan::Action::Delete) => tx.remove(&change.path)?,
                _ => {}
            }
            for (path, node) in &change.extra {
                tx.write(path, node)?;
            }
        }
        Ok(())
    })();
    let result = result.and_then(|()| {
        if guard.interrupted() {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    });
    match result {
        Ok(()) => tx.commit(),
        Err(e) => {
            tx.rollback()?;
            Err(e)
        }
    }
}

fn remove_if_symlink(path: &Path) -> Result<(), Error> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        fs::remove_file(path).map_err(|e| Error::io("remove", path, e))?;
    }
    Ok(())
}

fn remove_existing(path: &Path) -> Result<(), Error> {
    match fs::symlink_metadata(path) {
        Err(_) => Ok(()),
        Ok(m) if m.is_dir() => fs::remove_dir_all(path).map_err(|e| Error::io("remove", path, e)),
        Ok(_) => fs::remove_file(path).map_err(|e| Error::io("remove", path, e)),
    }
}

#[cfg(unix)]
fn executable(m: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn executable(_: &fs::Metadata) -> bool {
    false
}

#[cfg(unix)]
fn set_executable(f: &fs::File, exec: bool) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = if exec { 0o755 } else { 0o644 };
    f.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_executable(_: &fs::File, _: bool) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn make_symlink(target: &str, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn make_symlink(_: &str, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "symlinks are not supported on this platform",
    ))
}

/// Checks that writing `rel` under `root` never goes through a symlink that
/// leads outside `root`.
pub fn check_inside(root: &Path, rel: &str) -> Result<(), Error> {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut current = root.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        current.push(part);
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let resolved = current.canonicalize().ok();
                if !resolved.is_some_and(|r| r.starts_with(&canonical_root)) {
                    return Err(Error::UnsafePath {
                        path: rel.to_string(),
                        from: current.display().to_string(),
                        reason:
                            "would be written through a symlink that leads outside the destination"
                                .to_string(),
                    });
                }
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, Change};

    #[test]
    fn journal_naming_paths_outside_the_root_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("victim.txt");
        let root = dir.path().join("project");
        fs::create_dir_all(root.join(JOURNAL_DIR)).unwrap();
        fs::write(&outside, "mine").unwrap();
        std::os::unix::fs::symlink("..", root.join("up")).unwrap();
        for (line, entry) in [
            ("remove\t../victim.txt\n", "../victim.txt"),
            ("remove\t/etc/passwd\n", "/etc/passwd"),
            ("remove\tup/victim.txt\n", "up/victim.txt"),
            ("rmdir\ta/./b\n", "a/./b"),
            ("restore\t0\t../../secret\tstolen\n", "../../secret"),
        ] {
            let index = root.join(JOURNAL_DIR).join(JOURNAL_INDEX);
            fs::write(&index, format!("remove\tfine.txt\n{line}")).unwrap();
            let e = recover(&root).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(
                    "the journal `{}` names `{entry}`, which is not a path inside the project",
                    index.display()
                )
            );
            assert_eq!(fs::read_to_string(&outside).unwrap(), "mine");
            assert!(
                index.exists(),
                "the journal is kept for the person to inspect"
            );
        }
    }

    #[test]
    fn rollback_restores_exact_state() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("keep.txt"), "old").unwrap();
        let plan = Plan {
            changes: vec![
                Change::new("keep.txt", Action::Update, Some(Node::file("new")), None),
                Change::new("a/b/new.txt", Action::Create, Some(Node::file("x")), None),
            ],
        };
        for fail_after in 0..2 {
            let e = apply(
                root,
                &plan,
                FaultInjection {
                    fail_after: Some(fail_after),
                    ..Default::default()
                },
            );
            assert!(e.is_err());
            assert_eq!(fs::read_to_string(root.join("keep.txt")).unwrap(), "old");
            assert!(!root.join("a").exists());
            assert!(!root.join(JOURNAL_DIR).exists());
        }
        apply(root, &plan, FaultInjection::default()).unwrap();
        assert_eq!(fs::read_to_string(root.join("a/b/new.txt")).unwrap(), "x");
    }

    #[test]
    fn recover_from_journal() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("f.txt"), "before").unwrap();
        let mut tx = Transaction::begin(root, FaultInjection::default()).unwrap();
        tx.write("f.txt", &Node::file("after")).unwrap();
        tx.write("new/g.txt", &Node::file("g")).unwrap();
        std::mem::forget(tx); // as if the process died here
        assert!(recover(root).unwrap());
        assert_eq!(fs::read_to_string(root.join("f.txt")).unwrap(), "before");
        assert!(!root.join("new").exists());
        assert!(!root.join(JOURNAL_DIR).exists());
        assert!(!recover(root).unwrap());
    }
}
