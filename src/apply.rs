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
//!
//! Files are written in batches, several at a time: the prior state of every
//! path of a batch is saved and journaled first, in one write, and then the
//! batch's files are written in parallel. Folders, deletions and removals of
//! folders are applied one at a time, in plan order, between batches.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

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
    /// Folders known to exist: checked or created by this run.
    dirs: HashSet<String>,
    /// Names handed out to backups so far.
    backups: usize,
    writes: usize,
    faults: FaultInjection,
}

/// What was at a path before a write replaced it.
struct Prior {
    undo: Option<Undo>,
    symlink: bool,
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
            dirs: HashSet::new(),
            backups: 0,
            writes: 0,
            faults,
        })
    }

    /// Journals `undo`, in order, before the changes they protect.
    fn record_all(&mut self, undo: Vec<Undo>) -> Result<(), Error> {
        let mut lines = String::new();
        for u in &undo {
            match u {
                Undo::Remove(p) => lines.push_str(&format!("remove\t{p}\n")),
                Undo::Restore {
                    path,
                    backup,
                    executable,
                } => lines.push_str(&format!(
                    "restore\t{}\t{}\t{path}\n",
                    u8::from(*executable),
                    backup
                        .file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default()
                )),
                Undo::Relink { path, target } => {
                    lines.push_str(&format!("relink\t{}\t{path}\n", escape(target)))
                }
                Undo::RemoveDir(p) => lines.push_str(&format!("rmdir\t{p}\n")),
                Undo::MakeDir(p) => lines.push_str(&format!("mkdir\t{p}\n")),
            }
        }
        // Written (not flushed to disk) before the changes they protect: a
        // killed process cannot lose what it handed to the kernel, so
        // `recover` always sees it. A flush per entry made every run wait
        // for the disk once per file (see bench/README.md).
        self.index
            .write_all(lines.as_bytes())
            .map_err(|e| Error::io("write", self.journal.join(JOURNAL_INDEX), e))?;
        self.undo.extend(undo);
        Ok(())
    }

    fn record(&mut self, undo: Undo) -> Result<(), Error> {
        self.record_all(vec![undo])
    }

    /// How many writes may run before a fault is due: a batch never runs
    /// past one, so an injected fault hits the same write as without
    /// batches.
    fn room(&self) -> usize {
        [
            self.faults.fail_after,
            self.faults.abort_after,
            self.faults.interrupt_after,
        ]
        .into_iter()
        .flatten()
        .filter(|&n| n >= self.writes)
        .map(|n| n - self.writes)
        .min()
        .unwrap_or(usize::MAX)
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

    /// Creates the parent folders of `rel`, recording the ones it made.
    fn parents(&mut self, rel: &str) -> Result<(), Error> {
        let mut end = 0;
        while let Some(i) = rel[end..].find('/') {
            end += i;
            let dir = &rel[..end];
            end += 1;
            if self.dirs.contains(dir) {
                continue;
            }
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
            self.dirs.insert(dir.to_string());
        }
        Ok(())
    }

    /// Writes `node` at `rel`, replacing what is there.
    pub fn write(&mut self, rel: &str, node: &Node) -> Result<(), Error> {
        match node {
            Node::Dir => self.make_dir(rel),
            _ => self.put_all(&[(rel, Some(node))]),
        }
    }

    fn make_dir(&mut self, rel: &str) -> Result<(), Error> {
        let path = self.root.join(rel);
        self.tick(&path)?;
        self.parents(rel)?;
        if !path.is_dir() {
            self.record(Undo::RemoveDir(rel.to_string()))?;
            fs::create_dir(&path).map_err(|e| Error::io("create folder", &path, e))?;
        }
        self.dirs.insert(rel.to_string());
        Ok(())
    }

    /// Writes files and symlinks (`Some`) and deletes files (`None`) at
    /// distinct paths, in parallel: first the prior state of every path is
    /// saved and journaled, then they are changed. A failure leaves every
    /// started change in the journal, so a rollback undoes all of them
    /// whichever finished.
    fn put_all(&mut self, items: &[(&str, Option<&Node>)]) -> Result<(), Error> {
        for (rel, node) in items {
            self.tick(&self.root.join(rel))?;
            if node.is_some() {
                self.parents(rel)?;
            }
        }
        let first = self.backups;
        self.backups += items.len();
        // Backups all go into the journal folder: one thread.
        let prior = items
            .iter()
            .enumerate()
            .map(|(i, (rel, _))| save(&self.root, &self.journal, rel, first + i))
            .collect::<Result<Vec<Prior>, Error>>()?;
        for ((rel, _), p) in items.iter().zip(&prior) {
            if p.undo.is_none() {
                // A folder is in the way and goes with everything in it.
                let inside = format!("{rel}/");
                self.dirs.retain(|d| d != rel && !d.starts_with(&inside));
            }
        }
        let changes: Vec<(&str, Option<&Node>, bool)> = items
            .iter()
            .zip(&prior)
            .map(|((rel, node), p)| (*rel, *node, p.symlink))
            .collect();
        self.record_all(prior.into_iter().filter_map(|p| p.undo).collect())?;
        // One folder per thread at a time: file creations in one folder
        // take turns on its lock, and threads waiting there spin.
        let root = &self.root;
        changes
            .par_chunk_by(|a, b| parent(a.0) == parent(b.0))
            .try_for_each(|folder| {
                folder
                    .iter()
                    .try_for_each(|(rel, node, symlink)| match node {
                        Some(node) => put(root, rel, node, *symlink),
                        None => remove_existing(&root.join(rel)),
                    })
            })
    }

    /// Deletes the file or symlink at `rel`.
    pub fn remove(&mut self, rel: &str) -> Result<(), Error> {
        self.put_all(&[(rel, None)])
    }

    /// Removes the empty folder at `rel`.
    pub fn remove_empty_dir(&mut self, rel: &str) -> Result<(), Error> {
        let path = self.root.join(rel);
        self.tick(&path)?;
        self.record(Undo::MakeDir(rel.to_string()))?;
        self.dirs.remove(rel);
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

/// The folder part of a relative path.
fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Saves what is at `rel` so it can be restored, as backup number `n`.
/// A folder is not saved (nothing replaces one without failing first).
fn save(root: &Path, journal: &Path, rel: &str, n: usize) -> Result<Prior, Error> {
    let path = root.join(rel);
    let (undo, symlink) = match fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            (Some(Undo::Remove(rel.to_string())), false)
        }
        Err(e) => return Err(Error::io("read", path, e)),
        Ok(m) if m.file_type().is_symlink() => {
            let target = fs::read_link(&path).map_err(|e| Error::io("read", &path, e))?;
            let undo = Undo::Relink {
                path: rel.to_string(),
                target: target.to_string_lossy().into_owned(),
            };
            (Some(undo), true)
        }
        Ok(m) if m.is_dir() => (None, false),
        Ok(m) => {
            let backup = journal.join(format!("{n:06}"));
            // A hard link keeps the prior bytes without copying them:
            // nothing here writes into an existing file (a change is a new
            // file renamed over it), so the linked inode never changes. It
            // also keeps the replaced inode allocated until the journal
            // goes, which spares ext4 a scan past every freshly freed inode
            // on each later file creation. Where a link cannot be made
            // (another file system), copy.
            if fs::hard_link(&path, &backup).is_err() {
                fs::copy(&path, &backup).map_err(|e| Error::io("back up", &path, e))?;
            }
            let undo = Undo::Restore {
                path: rel.to_string(),
                backup,
                executable: executable(&m),
            };
            (Some(undo), false)
        }
    };
    Ok(Prior { undo, symlink })
}

/// Writes a file (a temporary file renamed into place) or a symlink at
/// `rel`; `symlink` says a symlink is there now.
fn put(root: &Path, rel: &str, node: &Node, symlink: bool) -> Result<(), Error> {
    let path = root.join(rel);
    match node {
        Node::File { bytes, executable } => {
            let dir = path.parent().unwrap_or(root);
            let mut tmp = tempfile::Builder::new()
                .prefix(".graft-tmp-")
                .tempfile_in(dir)
                .map_err(|e| Error::io("write", &path, e))?;
            tmp.write_all(bytes)
                .map_err(|e| Error::io("write", &path, e))?;
            set_executable(tmp.as_file(), *executable).map_err(|e| Error::io("write", &path, e))?;
            if symlink {
                remove_if_symlink(&path)?;
            }
            tmp.persist(&path)
                .map_err(|e| Error::io("write", &path, e.error))?;
        }
        Node::Symlink { target } => {
            remove_existing(&path)?;
            make_symlink(target, &path).map_err(|e| Error::io("create symlink", &path, e))?;
        }
        Node::Dir => {
            return Err(Error::io(
                "write",
                &path,
                std::io::Error::other("a folder is not written as a file"),
            ))
        }
    }
    Ok(())
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

/// One step of applying a plan.
enum Step<'a> {
    /// A file or symlink, or a folder.
    Write(&'a str, &'a Node),
    Remove(&'a str),
    RemoveDir(&'a str),
}

/// The most files journaled and written as one batch.
const BATCH: usize = 512;

/// The writes of files and symlinks and the deletions of files that start
/// `steps`, up to `most`, that can be applied in any order: each at its own
/// path, and none inside a path deleted before it.
fn batch<'a>(steps: &[Step<'a>], most: usize) -> Vec<(&'a str, Option<&'a Node>)> {
    let mut out = Vec::new();
    let mut deleted: HashSet<&str> = HashSet::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for step in steps.iter().take(most) {
        let (rel, node) = match step {
            Step::Write(_, Node::Dir) | Step::RemoveDir(_) => break,
            Step::Write(rel, node) => (*rel, Some(*node)),
            Step::Remove(rel) => (*rel, None),
        };
        if !seen.insert(rel) {
            break;
        }
        let mut folder = rel;
        while let Some((up, _)) = folder.rsplit_once('/') {
            if deleted.contains(up) {
                return out;
            }
            folder = up;
        }
        if node.is_none() {
            deleted.insert(rel);
        }
        out.push((rel, node));
    }
    out
}

/// Applies every write of `plan` in one transaction.
pub fn apply(root: &Path, plan: &Plan, faults: FaultInjection) -> Result<(), Error> {
    use crate::plan::Action;
    let mut steps = Vec::new();
    for change in plan.writes() {
        match (&change.write, change.action) {
            (Some(node), _) => steps.push(Step::Write(&change.path, node)),
            (None, Action::Delete) if change.before == Some(Node::Dir) => {
                steps.push(Step::RemoveDir(&change.path))
            }
            (None, Action::Delete) => steps.push(Step::Remove(&change.path)),
            _ => {}
        }
        steps.extend(change.extra.iter().map(|(p, n)| Step::Write(p, n)));
    }
    let guard = InterruptGuard::install();
    let mut tx = Transaction::begin(root, faults)?;
    let result = (|| {
        let mut rest = &steps[..];
        while let Some(step) = rest.first() {
            if guard.interrupted() {
                return Err(Error::Interrupted);
            }
            let taken = match step {
                Step::Write(rel, Node::Dir) => {
                    tx.make_dir(rel)?;
                    1
                }
                Step::Write(..) | Step::Remove(_) => {
                    let batch = batch(rest, tx.room().clamp(1, BATCH));
                    tx.put_all(&batch)?;
                    batch.len()
                }
                Step::RemoveDir(rel) => {
                    tx.remove_empty_dir(rel)?;
                    1
                }
            };
            rest = &rest[taken..];
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
    Inside::new(root).check(rel)
}

/// Checks, path after path, that writes under a root never go through a
/// symlink that leads outside it; each folder is looked at once.
pub struct Inside {
    root: PathBuf,
    canonical_root: Option<PathBuf>,
    /// Folders found to be plain folders (not symlinks).
    plain: HashSet<String>,
}

impl Inside {
    pub fn new(root: &Path) -> Inside {
        Inside {
            root: root.to_path_buf(),
            canonical_root: None,
            plain: HashSet::new(),
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
                        return Err(Error::UnsafePath {
                            path: rel.to_string(),
                            from: current.display().to_string(),
                            reason: "would be written through a symlink that leads outside \
                                     the destination"
                                .to_string(),
                        });
                    }
                }
                Ok(_) => {
                    self.plain.insert(dir.to_string());
                }
                Err(_) => break,
            }
        }
        Ok(())
    }
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

    fn apply_failing_after(root: &Path, plan: &Plan, writes: usize) -> Result<(), Error> {
        let faults = FaultInjection {
            fail_after: Some(writes),
            ..Default::default()
        };
        apply(root, plan, faults)
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
            let e = apply_failing_after(root, &plan, fail_after);
            assert!(e.is_err());
            assert_eq!(fs::read_to_string(root.join("keep.txt")).unwrap(), "old");
            assert!(!root.join("a").exists());
            assert!(!root.join(JOURNAL_DIR).exists());
        }
        apply(root, &plan, FaultInjection::default()).unwrap();
        assert_eq!(fs::read_to_string(root.join("a/b/new.txt")).unwrap(), "x");
    }

    #[test]
    fn a_failure_inside_a_batch_rolls_back_every_write_of_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("keep.txt"), "old").unwrap();
        std::os::unix::fs::symlink("keep.txt", root.join("link")).unwrap();
        fs::write(root.join("gone.txt"), "gone").unwrap();
        let mut changes = vec![
            Change::new("gone.txt", Action::Delete, None, Some(Node::file("gone"))),
            Change::new("keep.txt", Action::Update, Some(Node::file("new")), None),
            Change::new("link", Action::Update, Some(Node::file("was a link")), None),
        ];
        for i in 0..(BATCH + 100) {
            let path = format!("d{}/e{}/f{i}.txt", i % 7, i % 3);
            changes.push(Change::new(
                &path,
                Action::Create,
                Some(Node::file(path.clone())),
                None,
            ));
        }
        let plan = Plan { changes };
        let writes = plan.changes.len();
        for fail_after in [0, 1, 2, 300, BATCH + 1, writes - 1] {
            let e = apply_failing_after(root, &plan, fail_after);
            assert!(e.is_err(), "fails after {fail_after} writes");
            let mut left: Vec<_> = fs::read_dir(root)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            left.sort();
            assert_eq!(
                left,
                ["gone.txt", "keep.txt", "link"],
                "after {fail_after} writes"
            );
            assert_eq!(fs::read_to_string(root.join("gone.txt")).unwrap(), "gone");
            assert_eq!(fs::read_to_string(root.join("keep.txt")).unwrap(), "old");
            assert_eq!(
                fs::read_link(root.join("link")).unwrap(),
                Path::new("keep.txt")
            );
        }
        apply(root, &plan, FaultInjection::default()).unwrap();
        assert!(!root.join("gone.txt").exists());
        assert_eq!(fs::read_to_string(root.join("link")).unwrap(), "was a link");
        assert_eq!(
            fs::read_to_string(root.join("d3/e1/f10.txt")).unwrap(),
            "d3/e1/f10.txt"
        );
        assert!(!root.join(JOURNAL_DIR).exists());
    }

    #[test]
    fn a_file_deleted_before_a_folder_takes_its_place_is_gone_first() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("a"), "file").unwrap();
        fs::write(root.join("b.txt"), "old").unwrap();
        let plan = Plan {
            changes: vec![
                Change::new("a", Action::Delete, None, Some(Node::file("file"))),
                Change::new("a/inside.txt", Action::Create, Some(Node::file("x")), None),
                Change::new("b.txt", Action::Delete, None, Some(Node::file("old"))),
                Change::new("c.txt", Action::Create, Some(Node::file("c")), None),
            ],
        };
        apply(root, &plan, FaultInjection::default()).unwrap();
        assert_eq!(fs::read_to_string(root.join("a/inside.txt")).unwrap(), "x");
        assert!(!root.join("b.txt").exists());
        assert_eq!(fs::read_to_string(root.join("c.txt")).unwrap(), "c");

        let steps = [
            Step::Remove("a"),
            Step::Remove("b.txt"),
            Step::Write("c.txt", &Node::Dir),
        ];
        assert_eq!(batch(&steps, BATCH).len(), 2);
        let file = Node::file("x");
        let steps = [
            Step::Write("x", &file),
            Step::Remove("a"),
            Step::Write("a/b", &file),
        ];
        assert_eq!(
            batch(&steps, BATCH).len(),
            2,
            "ends before a path under a deleted one"
        );
        let steps = [Step::Write("x", &file), Step::Write("x", &file)];
        assert_eq!(
            batch(&steps, BATCH).len(),
            1,
            "ends before a path seen already"
        );
        assert_eq!(batch(&steps, 1).len(), 1);
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
