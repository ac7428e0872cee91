//! Writing a plan so that nothing is ever half-done.
//!
//! A file that replaces a regular file of at most [`OVERWRITE_MAX`] bytes
//! with no other link is written over it in place, after its prior bytes
//! were copied into the journal's pack: no file is created, renamed or
//! freed, which on ext4 is most of a write's cost. Every other write that
//! replaces or may replace something goes to a temporary file in the same
//! folder and is renamed into place, the prior file kept as a hard link in
//! the journal. A small file (at most a page) in a folder this run created,
//! where nothing can be in the way, is written in place: a killed process
//! leaves it empty or whole, and the journal knows an empty one for a write
//! cut short. Before the first change a journal (see [`crate::journal`]) is
//! created in the destination, and the prior state of every path is saved
//! there before it is touched. An error rolls everything back; a
//! process killed in the middle leaves the journal, and
//! [`crate::journal::recover`] (run first by every command, under the
//! project's lock) restores the exact prior bytes from it. The journal
//! guards against a process that dies, not against a machine that loses
//! power: it is written before each change but not flushed to disk, like
//! the files themselves (a power loss may leave a file that was being
//! written over in place part old, part new; flushing the journal first
//! would make every run wait for the disk several times).
//!
//! Files are written in batches, several at a time: the prior state of every
//! path of a batch is saved and journaled first, in one write, and then the
//! batch's files are written in parallel. Folders, deletions and removals of
//! folders are applied one at a time, in plan order, between batches. Only
//! regular files, symlinks and folders are ever read or replaced; a file
//! that is a FIFO, socket or device is never opened.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{ApplyError, Error, RenderError};
pub use crate::inside::{check_inside, Inside};
use crate::journal::{
    blob_id, exec_mode, make_symlink, mode_of, overwrite, set_mode, single_link, Backup, Journal,
    Journals, Undo,
};
use crate::plan::Plan;
use crate::progress::Progress;
use crate::tree::{is_executable, Node};

pub use crate::journal::{recover, FaultInjection, JOURNAL_DIR};

/// The project's git index, written in the same transaction as the files
/// (the conflicts it records as unmerged), so a run killed in between
/// leaves neither.
pub struct IndexWrite<'a> {
    /// The index file, which is backed up before `write` replaces it.
    pub path: PathBuf,
    pub write: Box<dyn FnOnce() -> Result<(), Error> + 'a>,
}

/// An open set of changes to a destination.
pub struct Transaction {
    root: PathBuf,
    journal: Journal,
    undo: Vec<Undo>,
    /// Folders known to exist: checked or created by this run.
    dirs: HashSet<String>,
    /// Folders this run created (`""`: the root), so nothing was in them
    /// but what this run put there.
    created: HashSet<String>,
    /// Paths written in created folders, so a second write at one of them
    /// is not taken for a write where nothing is.
    placed: HashSet<String>,
    /// Names handed out to backups so far.
    backups: usize,
    writes: usize,
    faults: FaultInjection,
    /// The most prior bytes a batch copies into the pack ([`PACK_MAX`]).
    pack_limit: u64,
}

/// What was at a path before a write replaced it.
struct Prior {
    undo: Option<Undo>,
    /// Nothing is there and the file is written in place (see the module
    /// documentation).
    in_place: bool,
    symlink: bool,
    /// A folder is there.
    dir: bool,
    /// The permission bits of the file that is there.
    mode: Option<u32>,
}

impl Prior {
    /// A file is there, its bytes are in the pack, and the new bytes are
    /// written over it.
    fn overwrites(&self) -> bool {
        matches!(
            self.undo,
            Some(Undo::Restore {
                backup: Backup::Packed { .. },
                ..
            })
        )
    }
}

impl Transaction {
    /// Starts a transaction in `root`, which must exist.
    pub fn begin(root: &Path, journals: &Journals) -> Result<Transaction, Error> {
        Ok(Transaction {
            root: root.to_path_buf(),
            journal: Journal::begin(root, journals)?,
            undo: Vec::new(),
            dirs: HashSet::new(),
            created: HashSet::new(),
            placed: HashSet::new(),
            backups: 0,
            writes: 0,
            faults: journals.faults,
            pack_limit: PACK_MAX,
        })
    }

    /// Declares the root a folder this run created and nothing else wrote
    /// in since (a copy into a new folder).
    fn root_is_new(&mut self) {
        self.created.insert(String::new());
    }

    /// Whether nothing can be at `rel` but what this run put there: its
    /// folder was created by this run.
    fn in_created(&self, rel: &str) -> bool {
        self.created.contains(parent(rel))
    }

    /// Journals `undo`, in order, before the changes they protect.
    fn record_all(&mut self, undo: Vec<Undo>) -> Result<(), Error> {
        self.journal.record(&undo)?;
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
            // In a folder this run created, only what it made is there.
            let known_missing = self.in_created(dir) && !self.placed.contains(dir);
            match (!known_missing).then(|| fs::symlink_metadata(&path)) {
                Some(Ok(m)) if m.is_dir() => {}
                Some(Ok(_)) => {
                    return Err(Error::io(
                        "create folder",
                        &path,
                        std::io::Error::other("a file is in the way"),
                    ))
                }
                None | Some(Err(_)) => {
                    self.record(Undo::RemoveDir(dir.to_string()))?;
                    fs::create_dir(&path).map_err(|e| Error::io("create folder", &path, e))?;
                    self.created.insert(dir.to_string());
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
        if self.dirs.contains(rel) {
            return Ok(());
        }
        if !path.is_dir() {
            self.record(Undo::RemoveDir(rel.to_string()))?;
            fs::create_dir(&path).map_err(|e| Error::io("create folder", &path, e))?;
            self.created.insert(rel.to_string());
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
        let mut pack = Pack {
            bytes: Vec::new(),
            limit: self.pack_limit,
        };
        let prior = items
            .iter()
            .enumerate()
            .map(|(i, (rel, node))| match node {
                Some(node @ Node::File { .. })
                    if self.in_created(rel)
                        && !self.placed.contains(*rel)
                        && !self.dirs.contains(*rel) =>
                {
                    Ok(nothing_there(rel, node))
                }
                _ => save(&self.root, &self.journal, rel, *node, first + i, &mut pack),
            })
            .collect::<Result<Vec<Prior>, Error>>()?;
        let prior = self.packed(prior, pack)?;
        for (rel, _) in items {
            if self.in_created(rel) {
                self.placed.insert(rel.to_string());
            }
        }
        for ((rel, _), p) in items.iter().zip(&prior) {
            if p.dir {
                // A folder is in the way and goes with everything in it.
                let inside = format!("{rel}/");
                self.dirs.retain(|d| d != rel && !d.starts_with(&inside));
            }
        }
        let changes: Vec<(&str, Option<&Node>, &Prior)> = items
            .iter()
            .zip(&prior)
            .map(|((rel, node), p)| (*rel, *node, p))
            .collect();
        self.record_all(prior.iter().filter_map(|p| p.undo.clone()).collect())?;
        // One folder per thread at a time: file creations in one folder
        // take turns on its lock, and threads waiting there spin.
        let root = &self.root;
        let prefix = self.journal.temp_prefix();
        changes
            .par_chunk_by(|a, b| parent(a.0) == parent(b.0))
            .try_for_each(|folder| {
                folder.iter().try_for_each(|(rel, node, prior)| match node {
                    Some(node) => put(root, rel, node, prior, &prefix),
                    None => remove_existing(&root.join(rel)),
                })
            })
    }

    /// Writes the prior bytes `save` collected into the journal's pack, and
    /// points the undo entries that refer to them at where they went.
    fn packed(&mut self, mut prior: Vec<Prior>, pack: Pack) -> Result<Vec<Prior>, Error> {
        if pack.bytes.is_empty() && !prior.iter().any(Prior::overwrites) {
            return Ok(prior);
        }
        let (path, start) = self.journal.pack(&pack.bytes)?;
        for p in &mut prior {
            if let Some(Undo::Restore {
                backup: Backup::Packed { pack, offset, .. },
                ..
            }) = &mut p.undo
            {
                *pack = path.clone();
                *offset += start;
            }
        }
        Ok(prior)
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
        self.created.remove(rel);
        fs::remove_dir(&path).map_err(|e| Error::io("remove folder", &path, e))
    }

    /// Backs up the git index at `index.path` and writes it; a fault may
    /// hit just before and just after.
    fn write_index(&mut self, index: IndexWrite) -> Result<(), Error> {
        self.tick(&index.path)?;
        let backup = match fs::symlink_metadata(&index.path) {
            Ok(m) if m.is_file() => {
                let to = self.journal.backup(self.backups);
                self.backups += 1;
                let id = backup_file(&index.path, &to, m.len())?;
                Some((to, id))
            }
            _ => None,
        };
        self.record(Undo::GitIndex { backup })?;
        (index.write)()?;
        self.tick(&index.path)
    }

    /// Keeps every change and removes the journal.
    pub fn commit(self) -> Result<(), Error> {
        self.journal.close()
    }

    /// Undoes every change it can with these faults; returns the paths it
    /// could not restore.
    #[cfg(test)]
    pub(crate) fn roll_back_with(self, faults: &FaultInjection) -> Vec<crate::journal::Unrestored> {
        self.journal.roll_back(&self.undo, faults)
    }

    /// Undoes every change it can, newest first. The error, when some path
    /// could not be restored, says which, and the journal stays for the next
    /// command to finish.
    pub fn rollback(self, cause: Option<Error>) -> Result<(), Error> {
        let Transaction {
            root,
            journal,
            undo,
            faults,
            ..
        } = self;
        let unrestored = journal.roll_back(&undo, &faults);
        if unrestored.is_empty() {
            return cause.map_or(Ok(()), Err);
        }
        Err(ApplyError::RollbackIncomplete {
            first: cause.map(Box::new),
            journal: root.join(JOURNAL_DIR),
            unrestored,
        }
        .into())
    }
}

/// The operating system's error behind one that `tempfile` wrapped with
/// the temporary file's name, which means nothing to a person.
fn without_temp_path(e: std::io::Error) -> std::io::Error {
    let Some(text) = e.get_ref().map(ToString::to_string) else {
        return e;
    };
    match text.find(" at path \"") {
        Some(end) => std::io::Error::new(e.kind(), &text[..end]),
        None => e,
    }
}

/// The folder part of a relative path.
fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The largest file written in place rather than renamed into place: one
/// page, which the kernel copies into a file at once, so a process killed
/// while writing it leaves it empty or whole.
const IN_PLACE_MAX: usize = 4096;

/// The prior state of a path in a folder this run created, where nothing
/// is, without looking: the file `node` goes there.
fn nothing_there(rel: &str, node: &Node) -> Prior {
    let (written, in_place) = match node {
        Node::File { bytes, .. } => (blob_id(bytes), bytes.len() <= IN_PLACE_MAX),
        Node::Symlink { target } => (blob_id(target.as_bytes()), false),
        Node::Dir => (blob_id(b""), false),
    };
    let path = rel.to_string();
    Prior {
        undo: Some(match in_place {
            true => Undo::Create { path, written },
            false => Undo::Remove { path, written },
        }),
        in_place,
        symlink: false,
        dir: false,
        mode: None,
    }
}

/// The largest file written over in place (see the module documentation):
/// its prior bytes are copied into the journal's pack first. A larger one
/// is replaced by a new file, the prior one kept as a hard link.
const OVERWRITE_MAX: u64 = 1 << 20;

/// The most prior bytes one batch copies into the journal's pack (they
/// are held in memory until the batch is journaled); the files after them
/// are replaced, their prior files kept as hard links.
const PACK_MAX: u64 = 16 << 20;

/// The prior bytes of the files of one batch that are written over in
/// place, one after another, before they go into the journal's pack.
struct Pack {
    bytes: Vec<u8>,
    /// At most this many bytes.
    limit: u64,
}

impl Pack {
    /// Whether a file of `size` bytes is written over in place, its prior
    /// bytes added here.
    fn takes(&self, size: u64) -> bool {
        size <= OVERWRITE_MAX && self.bytes.len() as u64 + size <= self.limit
    }

    /// Adds the bytes of the file at `path` (`size` bytes long when last
    /// looked at); returns where they are and their blob id. The offset is
    /// in this batch's bytes: [`Transaction::packed`] adds where they
    /// start in the pack.
    fn save(&mut self, path: &Path, size: u64) -> Result<(Backup, git2::Oid), Error> {
        let bytes = crate::tree::read_sized(path, size).map_err(|e| Error::io("read", path, e))?;
        let backup = Backup::Packed {
            pack: PathBuf::new(),
            offset: self.bytes.len() as u64,
            len: bytes.len() as u64,
        };
        self.bytes.extend_from_slice(&bytes);
        Ok((backup, blob_id(&bytes)))
    }
}

/// Saves what is at `rel` so it can be restored, as backup number `n` or in
/// `pack`; `node` is what will be written there (`None`: it is deleted). A
/// folder is not saved (nothing replaces one without failing first).
fn save(
    root: &Path,
    journal: &Journal,
    rel: &str,
    node: Option<&Node>,
    n: usize,
    pack: &mut Pack,
) -> Result<Prior, Error> {
    let path = root.join(rel);
    let mut prior = Prior {
        undo: None,
        in_place: false,
        symlink: false,
        dir: false,
        mode: None,
    };
    match fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            prior.undo = node.and_then(|node| {
                let written = match node {
                    Node::File { bytes, .. } => blob_id(bytes),
                    Node::Symlink { target } => blob_id(target.as_bytes()),
                    Node::Dir => return None,
                };
                Some(Undo::Remove {
                    path: rel.to_string(),
                    written,
                })
            });
        }
        Err(e) => return Err(Error::io("read", path, e)),
        Ok(m) if m.file_type().is_symlink() => {
            let target = fs::read_link(&path).map_err(|e| Error::io("read", &path, e))?;
            prior.undo = Some(Undo::Relink {
                path: rel.to_string(),
                target: target.to_string_lossy().into_owned(),
            });
            prior.symlink = true;
        }
        Ok(m) if m.is_dir() => prior.dir = true,
        Ok(m) if m.is_file() => {
            let overwritten =
                matches!(node, Some(Node::File { .. })) && pack.takes(m.len()) && single_link(&m);
            let (backup, id) = match overwritten {
                true => pack.save(&path, m.len())?,
                false => {
                    let backup = journal.backup(n);
                    let id = backup_file(&path, &backup, m.len())?;
                    (Backup::File(backup), id)
                }
            };
            prior.undo = Some(Undo::Restore {
                path: rel.to_string(),
                backup,
                executable: is_executable(&m),
                id,
            });
            prior.mode = Some(mode_of(&m));
        }
        Ok(_) => {
            return Err(Error::io(
                "replace",
                path,
                std::io::Error::other("it is not a regular file (a FIFO, socket or device)"),
            ))
        }
    }
    Ok(prior)
}

/// Keeps the file at `path` (`size` bytes long when last looked at) as
/// `backup` and returns the blob id of its bytes. A hard link keeps the prior bytes without copying them: nothing
/// here writes into an existing file (a change is a new file renamed over
/// it), so the linked inode never changes. It also keeps the replaced inode
/// allocated until the journal goes, which spares ext4 a scan past every
/// freshly freed inode on each later file creation. Where a link cannot be
/// made (another file system), copy.
fn backup_file(path: &Path, backup: &Path, size: u64) -> Result<git2::Oid, Error> {
    if fs::hard_link(path, backup).is_err() {
        fs::copy(path, backup).map_err(|e| Error::io("back up", path, e))?;
    }
    let bytes = crate::tree::read_sized(backup, size).map_err(|e| Error::io("back up", path, e))?;
    Ok(blob_id(&bytes))
}

/// Writes a file (a temporary file renamed into place) or a symlink at
/// `rel`, over what `prior` found there. A file that replaces a file keeps
/// its permission bits, but for the executable bits the template sets.
fn put(root: &Path, rel: &str, node: &Node, prior: &Prior, prefix: &str) -> Result<(), Error> {
    let path = root.join(rel);
    match node {
        Node::File { bytes, executable } => {
            let mode = match prior.mode {
                Some(mode) => exec_mode(mode, *executable),
                None if *executable => 0o755,
                None => 0o644,
            };
            if prior.in_place {
                return write_new(&path, bytes, mode).map_err(|e| Error::io("write", &path, e));
            }
            if prior.overwrites() {
                // Anything but the file that was saved (gone, made a
                // symlink, read-only, busy): a new file is renamed over it.
                if let Ok(file) = overwrite(&path, bytes) {
                    if prior.mode != Some(mode) {
                        set_mode(&file, mode).map_err(|e| Error::io("write", &path, e))?;
                    }
                    return Ok(());
                }
            }
            let dir = path.parent().unwrap_or(root);
            let mut tmp = temp_builder(prefix, mode)
                .tempfile_in(dir)
                .map_err(|e| Error::io("write", &path, without_temp_path(e)))?;
            tmp.as_file_mut()
                .write_all(bytes)
                .map_err(|e| Error::io("write", &path, e))?;
            if !created_with(mode) {
                set_mode(tmp.as_file(), mode).map_err(|e| Error::io("write", &path, e))?;
            }
            if prior.symlink {
                remove_if_symlink(&path)?;
            }
            tmp.persist(&path)
                .map_err(|e| Error::io("write", &path, without_temp_path(e.error)))?;
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

/// Creates the file at `path`, where nothing is, with `bytes` and `mode`.
/// A failed write removes the file again: it is this run's own, half
/// written.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    let mut file = options.open(path)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| match created_with(mode) {
            true => Ok(()),
            false => set_mode(&file, mode),
        });
    if written.is_err() {
        drop(file);
        let _ = fs::remove_file(path);
    }
    written
}

/// A temporary file created with `mode` (as far as the umask lets it).
fn temp_builder(prefix: &str, mode: u32) -> tempfile::Builder<'_, '_> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(mode));
    #[cfg(not(unix))]
    let _ = mode;
    builder
}

/// Whether a file created with `mode` has exactly those permission bits:
/// the process's umask clears none of them, so no `chmod` is needed.
fn created_with(mode: u32) -> bool {
    mode & !0o777 == 0 && umask().is_some_and(|mask| mode & mask == 0)
}

/// The process's umask, read once from `/proc/self/status` (setting it to
/// read it would race with other threads creating files). `None` where it
/// cannot be read: every file is then given its mode explicitly.
fn umask() -> Option<u32> {
    static UMASK: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();
    *UMASK.get_or_init(|| {
        let status = fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find_map(|l| l.strip_prefix("Umask:"))?;
        u32::from_str_radix(line.trim(), 8).ok()
    })
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

/// Applies every write of `plan` in one transaction; each file or folder
/// written or removed counts one on `progress`.
pub fn apply(
    root: &Path,
    plan: &Plan,
    journals: &Journals,
    progress: &dyn Progress,
) -> Result<(), Error> {
    apply_with_index(root, plan, journals, None, progress)
}

/// Applies every write of `plan` into `root`, a folder this run created
/// and that nothing was written in since: nothing is looked up there
/// before it is written.
pub fn apply_into_new(
    root: &Path,
    plan: &Plan,
    journals: &Journals,
    progress: &dyn Progress,
) -> Result<(), Error> {
    apply_all(root, true, plan, journals, None, progress)
}

/// Applies every write of `plan`, and then `index`, in one transaction.
pub fn apply_with_index(
    root: &Path,
    plan: &Plan,
    journals: &Journals,
    index: Option<IndexWrite>,
    progress: &dyn Progress,
) -> Result<(), Error> {
    apply_all(root, false, plan, journals, index, progress)
}

fn apply_all(
    root: &Path,
    new_root: bool,
    plan: &Plan,
    journals: &Journals,
    index: Option<IndexWrite>,
    progress: &dyn Progress,
) -> Result<(), Error> {
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
    // Every stage refuses such paths already; this is the last line.
    for step in &steps {
        let (Step::Write(rel, _) | Step::Remove(rel) | Step::RemoveDir(rel)) = step;
        if let Err(reason) = crate::render::clean_relative(rel) {
            return Err(RenderError::UnsafePath {
                path: rel.to_string(),
                from: "the plan".to_string(),
                reason,
            }
            .into());
        }
    }
    progress.set_total(steps.len() as u64);
    // SIGINT and SIGTERM stop the write phase between two writes and roll
    // it back, instead of ending the process half-way.
    let region = crate::interrupt::Deferred::begin();
    crate::interrupt::check()?;
    let mut tx = Transaction::begin(root, journals)?;
    if new_root {
        tx.root_is_new();
    }
    let result = (|| {
        let mut rest = &steps[..];
        while let Some(step) = rest.first() {
            crate::interrupt::check()?;
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
            progress.advance(taken as u64);
        }
        if let Some(index) = index {
            tx.write_index(index)?;
        }
        Ok(())
    })();
    let result = result.and_then(|()| crate::interrupt::check());
    let done = match result {
        Ok(()) => tx.commit(),
        Err(e) => tx.rollback(Some(e)),
    };
    drop(region);
    done
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, Change};

    /// A journal registry outside every test root.
    pub(crate) fn journals() -> (tempfile::TempDir, Journals) {
        let registry = tempfile::tempdir().unwrap();
        let journals = Journals {
            registry: registry.path().to_path_buf(),
            faults: FaultInjection::default(),
        };
        (registry, journals)
    }

    fn apply_failing_after(root: &Path, plan: &Plan, writes: usize) -> Result<(), Error> {
        let (_registry, mut journals) = journals();
        journals.faults.fail_after = Some(writes);
        apply(root, plan, &journals, &crate::progress::NoProgress)
    }

    #[test]
    fn a_batch_packs_prior_bytes_up_to_its_limit_and_links_the_rest() {
        let (_registry, journals) = journals();
        let root = tempfile::tempdir().unwrap();
        let path = |f: &str| root.path().join(f);
        for f in ["a", "b", "c"] {
            fs::write(path(f), format!("{f}-prior")).unwrap();
        }
        let mut tx = Transaction::begin(root.path(), &journals).unwrap();
        tx.pack_limit = 10;
        let node = Node::file("new");
        tx.put_all(&[("a", Some(&node)), ("b", Some(&node)), ("c", Some(&node))])
            .unwrap();
        let dir = root.path().join(JOURNAL_DIR);
        assert_eq!(fs::read_to_string(dir.join("pack")).unwrap(), "a-prior");
        assert!(!dir.join("000000").exists());
        assert_eq!(fs::read_to_string(dir.join("000001")).unwrap(), "b-prior");
        assert_eq!(fs::read_to_string(dir.join("000002")).unwrap(), "c-prior");
        for f in ["a", "b", "c"] {
            assert_eq!(fs::read_to_string(path(f)).unwrap(), "new");
        }
        assert!(tx.roll_back_with(&FaultInjection::default()).is_empty());
        for f in ["a", "b", "c"] {
            assert_eq!(fs::read_to_string(path(f)).unwrap(), format!("{f}-prior"));
        }
        assert!(!dir.exists());
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
        let (_registry, journals) = journals();
        apply(root, &plan, &journals, &crate::progress::NoProgress).unwrap();
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
        let (_registry, journals) = journals();
        apply(root, &plan, &journals, &crate::progress::NoProgress).unwrap();
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
        let (_registry, journals) = journals();
        apply(root, &plan, &journals, &crate::progress::NoProgress).unwrap();
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
    fn small_files_in_new_folders_are_written_in_place_and_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("keep.txt"), "old").unwrap();
        let big = "x".repeat(IN_PLACE_MAX + 1);
        let (_registry, journals) = journals();
        let mut tx = Transaction::begin(root, &journals).unwrap();
        tx.write("keep.txt", &Node::file("new")).unwrap();
        tx.write("a/b/small.txt", &Node::file("small")).unwrap();
        tx.write("a/b/big.txt", &Node::file(big.clone())).unwrap();
        let index = fs::read_to_string(root.join(JOURNAL_DIR).join("index")).unwrap();
        let kinds: Vec<&str> = index
            .lines()
            .skip(1)
            .map(|l| l.split('\t').next().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["restore", "rmdir", "rmdir", "create", "remove"],
            "{index}"
        );
        assert_eq!(
            fs::read_to_string(root.join("a/b/small.txt")).unwrap(),
            "small"
        );
        assert_eq!(fs::read_to_string(root.join("a/b/big.txt")).unwrap(), big);
        // As if the process died between creating a file in place and
        // writing it: the empty file is this run's, and goes.
        fs::write(root.join("a/b/small.txt"), "").unwrap();
        std::mem::forget(tx);
        assert!(recover(root, &journals).unwrap());
        assert_eq!(fs::read_to_string(root.join("keep.txt")).unwrap(), "old");
        assert!(!root.join("a").exists());
    }

    #[test]
    fn a_second_write_at_a_path_in_a_new_folder_backs_the_first_up() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let (_registry, journals) = journals();
        let mut tx = Transaction::begin(root, &journals).unwrap();
        tx.write("a/f.txt", &Node::file("first")).unwrap();
        tx.write("a/f.txt", &Node::file("second")).unwrap();
        assert_eq!(fs::read_to_string(root.join("a/f.txt")).unwrap(), "second");
        std::mem::forget(tx);
        assert!(recover(root, &journals).unwrap());
        assert!(!root.join("a").exists());
    }

    #[test]
    fn an_empty_file_where_graft_renamed_a_file_into_place_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let (_registry, journals) = journals();
        let mut tx = Transaction::begin(root, &journals).unwrap();
        tx.write("old/f.txt", &Node::file("x".repeat(IN_PLACE_MAX + 1)))
            .unwrap();
        fs::write(root.join("old/f.txt"), "").unwrap();
        std::mem::forget(tx);
        assert!(recover(root, &journals).is_err());
        assert!(root.join("old/f.txt").exists());
    }

    #[test]
    fn a_copy_into_a_new_folder_writes_without_looking_and_rolls_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("new");
        fs::create_dir(&root).unwrap();
        let plan = Plan {
            changes: (0..40)
                .map(|i| {
                    let path = format!("d{}/f{i}.txt", i % 3);
                    Change::new(&path, Action::Create, Some(Node::file(path.clone())), None)
                })
                .collect(),
        };
        let (_registry, mut journals) = journals();
        journals.faults.fail_after = Some(25);
        let progress = crate::progress::NoProgress;
        assert!(apply_into_new(&root, &plan, &journals, &progress).is_err());
        assert_eq!(fs::read_dir(&root).unwrap().count(), 0);
        journals.faults.fail_after = None;
        apply_into_new(&root, &plan, &journals, &progress).unwrap();
        assert_eq!(
            fs::read_to_string(root.join("d1/f7.txt")).unwrap(),
            "d1/f7.txt"
        );
        assert!(!root.join(JOURNAL_DIR).exists());
    }

    #[test]
    fn recover_from_journal() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("f.txt"), "before").unwrap();
        let (_registry, journals) = journals();
        let mut tx = Transaction::begin(root, &journals).unwrap();
        tx.write("f.txt", &Node::file("after")).unwrap();
        tx.write("new/g.txt", &Node::file("g")).unwrap();
        std::mem::forget(tx); // as if the process died here
        assert!(recover(root, &journals).unwrap());
        assert_eq!(fs::read_to_string(root.join("f.txt")).unwrap(), "before");
        assert!(!root.join("new").exists());
        assert!(!root.join(JOURNAL_DIR).exists());
        assert!(!recover(root, &journals).unwrap());
    }
}
