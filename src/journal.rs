//! The journal: how a run's writes are undone, by the run itself or by the
//! next graft command after the run was killed.
//!
//! Before a run changes a path it records, in `.graft-journal/index` inside
//! the project, how to undo that change, with a hash of what the undo puts
//! back (the prior bytes, kept as a backup beside the index: a hard link to
//! the prior file, or a copy of its bytes in the journal's one pack file)
//! or takes away (the bytes graft wrote). An undo that finds the path already as it
//! should be does nothing, so entries of changes that never happened are
//! never touched, and a roll back that stopped half way can run again.
//!
//! The journal is a folder in the project, so it may also come from a
//! stranger (a cloned repository). It is trusted only if graft wrote it on
//! this machine: each run registers its journal's token in a folder outside
//! every project (the registry, in graft's cache folder), and a journal
//! whose token is not registered for this project is refused, never
//! applied. Every path it names must be one graft could have written: inside
//! the project, never through a symlink leading out, never in `.git`.
//!
//! A roll back does not stop at the first path it cannot restore: it
//! restores every path it can, then reports those it could not, and keeps
//! the journal so the next command finishes the work.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use git2::Oid;

use crate::error::{ApplyError, Error};
pub use crate::error::{Unrestored, JOURNAL_DIR};
pub use crate::tree::blob_id;
use crate::tree::is_executable;
const INDEX: &str = "index";
/// The file in the journal folder that holds the prior bytes of the files
/// a run writes over in place, one after another.
const PACK: &str = "pack";
/// The first line of every journal index this graft writes, before its token.
const HEADER: &str = "graft-journal 2";
/// What every temporary file graft writes in a project starts with.
const TEMP_PREFIX: &str = ".graft-tmp-";

/// Fault injection for tests: `GRAFT_FAIL_AFTER_WRITES=N` makes the N+1th
/// write fail, `GRAFT_ABORT_AFTER_WRITES=N` kills the process after N
/// writes (a crash), `GRAFT_INTERRUPT_AFTER_WRITES=N` sends it SIGINT, and
/// `GRAFT_FAIL_RESTORES=N` makes the first N restores of a roll back fail.
#[derive(Clone, Copy, Debug, Default)]
pub struct FaultInjection {
    pub fail_after: Option<usize>,
    pub abort_after: Option<usize>,
    /// Sends SIGINT to this process after N writes.
    pub interrupt_after: Option<usize>,
    pub fail_restores: Option<usize>,
}

/// Where this process registers its journals, and the faults it injects.
#[derive(Clone, Debug)]
pub struct Journals {
    /// A folder outside every project.
    pub registry: PathBuf,
    pub faults: FaultInjection,
}

/// How to undo one change.
#[derive(Debug, Clone)]
pub(crate) enum Undo {
    /// The path did not exist and graft wrote the file or symlink whose
    /// bytes (or link text) hash to `written`: remove it if it still holds
    /// them.
    Remove { path: String, written: Oid },
    /// Like `Remove`, for a file graft wrote in place (not renamed into
    /// place) in a folder the run created: an empty file there is that
    /// write cut short, and goes too. Only files of at most one page are
    /// written so (see `apply`), which a killed process leaves empty or
    /// whole.
    Create { path: String, written: Oid },
    /// A file existed with bytes hashing to `id`: put the backup back.
    Restore {
        path: String,
        backup: Backup,
        executable: bool,
        id: Oid,
    },
    /// A symlink existed: recreate it.
    Relink { path: String, target: String },
    /// The folder was created by this run: remove it if empty.
    RemoveDir(String),
    /// An empty folder was removed by this run: create it again.
    MakeDir(String),
    /// The project's git index: put the backup back (`None`: there was no
    /// index, so remove the one written).
    GitIndex { backup: Option<(PathBuf, Oid)> },
}

/// Where the prior bytes of a file are kept.
#[derive(Debug, Clone)]
pub(crate) enum Backup {
    /// A file of its own in the journal folder: a hard link to the prior
    /// file, which graft then replaces with a new file (never writes into).
    File(PathBuf),
    /// `len` bytes at `offset` of the journal's pack (`pack`: its path), a
    /// copy of the prior bytes: graft then writes over the file in place.
    Packed {
        pack: PathBuf,
        offset: u64,
        len: u64,
    },
}

impl Backup {
    /// How the index names the backup: a file name, or `@offset+len` in the
    /// pack.
    fn name(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Backup::File(path) => backup_name(path),
            Backup::Packed { offset, len, .. } => format!("@{offset}+{len}").into(),
        }
    }
}

/// A backup's name in the index. Every backup is [`Journal::backup`]'s
/// `<journal>/NNNNNN`, or a name [`recover`] read and checked to be a
/// plain file name, so it always has one: the default is never taken.
fn backup_name(backup: &Path) -> std::borrow::Cow<'_, str> {
    backup
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default()
}

impl Undo {
    fn line(&self) -> String {
        match self {
            Undo::Remove { path, written } => format!("remove\t{written}\t{}\n", escape(path)),
            Undo::Create { path, written } => format!("create\t{written}\t{}\n", escape(path)),
            Undo::Restore {
                path,
                backup,
                executable,
                id,
            } => format!(
                "restore\t{}\t{}\t{id}\t{}\n",
                u8::from(*executable),
                backup.name(),
                escape(path)
            ),
            Undo::Relink { path, target } => {
                format!("relink\t{}\t{}\n", escape(target), escape(path))
            }
            Undo::RemoveDir(p) => format!("rmdir\t{}\n", escape(p)),
            Undo::MakeDir(p) => format!("mkdir\t{}\n", escape(p)),
            Undo::GitIndex { backup: None } => "gitindex\t-\t-\n".to_string(),
            Undo::GitIndex {
                backup: Some((backup, id)),
            } => format!("gitindex\t{}\t{id}\n", backup_name(backup)),
        }
    }

    fn path(&self) -> Option<&str> {
        match self {
            Undo::Remove { path, .. }
            | Undo::Create { path, .. }
            | Undo::Restore { path, .. }
            | Undo::Relink { path, .. } => Some(path),
            Undo::RemoveDir(p) | Undo::MakeDir(p) => Some(p),
            Undo::GitIndex { .. } => None,
        }
    }
}

/// An open journal of one run.
pub(crate) struct Journal {
    root: PathBuf,
    dir: PathBuf,
    index: fs::File,
    /// The pack, once a backup went into it, and its length.
    pack: Option<(fs::File, u64)>,
    token: String,
    registered: PathBuf,
}

impl Journal {
    /// Registers a new journal for `root` and creates it there.
    pub fn begin(root: &Path, journals: &Journals) -> Result<Journal, Error> {
        let token = new_token();
        fs::create_dir_all(&journals.registry)
            .map_err(|e| Error::io("register the journal in", &journals.registry, e))?;
        let registered = journals.registry.join(&token);
        let canonical = root
            .canonicalize()
            .map_err(|e| Error::io("read", root, e))?;
        fs::write(&registered, format!("{}\n", canonical.display()))
            .map_err(|e| Error::io("register the journal in", &registered, e))?;
        let dir = root.join(JOURNAL_DIR);
        let created = fs::create_dir(&dir)
            .map_err(|e| Error::io("create journal", &dir, e))
            .and_then(|()| {
                let path = dir.join(INDEX);
                let mut index =
                    fs::File::create(&path).map_err(|e| Error::io("write", &path, e))?;
                index
                    .write_all(format!("{HEADER}\t{token}\n").as_bytes())
                    .map_err(|e| Error::io("write", &path, e))?;
                Ok(index)
            });
        match created {
            Ok(index) => Ok(Journal {
                root: root.to_path_buf(),
                dir,
                index,
                pack: None,
                token,
                registered,
            }),
            Err(e) => {
                let _ = fs::remove_dir_all(&dir);
                let _ = fs::remove_file(&registered);
                Err(e)
            }
        }
    }

    /// The path of backup number `n`.
    pub fn backup(&self, n: usize) -> PathBuf {
        self.dir.join(format!("{n:06}"))
    }

    /// Appends `backups`, the prior bytes of files one after another, to
    /// the pack; returns their path and the offset they start at.
    pub fn pack(&mut self, backups: &[u8]) -> Result<(PathBuf, u64), Error> {
        let path = self.dir.join(PACK);
        let (file, len) = match &mut self.pack {
            Some(pack) => pack,
            none => none.insert((
                fs::File::create_new(&path).map_err(|e| Error::io("write", &path, e))?,
                0,
            )),
        };
        let offset = *len;
        file.write_all(backups)
            .map_err(|e| Error::io("write", &path, e))?;
        *len += backups.len() as u64;
        Ok((path, offset))
    }

    /// What this run's temporary files are named from.
    pub fn temp_prefix(&self) -> String {
        format!("{TEMP_PREFIX}{}-", self.token)
    }

    /// Writes `undo` to the index, in order, before the changes they
    /// protect. Written, not flushed to disk: a killed process cannot lose
    /// what it handed to the kernel, so the next command always sees it. A
    /// flush per entry made every run wait for the disk once per file (see
    /// bench/README.md).
    pub fn record(&mut self, undo: &[Undo]) -> Result<(), Error> {
        let lines: String = undo.iter().map(Undo::line).collect();
        self.index
            .write_all(lines.as_bytes())
            .map_err(|e| Error::io("write", self.dir.join(INDEX), e))
    }

    /// Keeps every change: the journal goes.
    pub fn close(self) -> Result<(), Error> {
        fs::remove_dir_all(&self.dir).map_err(|e| Error::io("remove", &self.dir, e))?;
        let _ = fs::remove_file(&self.registered);
        Ok(())
    }

    /// Undoes `undo`, newest first. The journal goes when every path was
    /// restored; otherwise it stays for the next command, and the paths
    /// that could not be restored are returned with the reason.
    pub fn roll_back(self, undo: &[Undo], faults: &FaultInjection) -> Vec<Unrestored> {
        let mut failures = faults.fail_restores.unwrap_or(0);
        let left = undo_all(&self.root, &self.token, undo, &mut failures);
        if left.is_empty() && self.close().is_err() {
            return vec![Unrestored {
                path: JOURNAL_DIR.to_string(),
                reason: "cannot be removed".to_string(),
            }];
        }
        left
    }
}

/// A token no other journal has: the process and the time.
fn new_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        // A clock set before 1970 reads as 0: the process id alone still
        // tells this run's journal from any other running graft's.
        .unwrap_or_default();
    format!("{}-{nanos}", std::process::id())
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Undoes every entry it can, newest first; returns those it could not.
/// `failures` injected restore failures are still due.
fn undo_all(root: &Path, token: &str, undo: &[Undo], failures: &mut usize) -> Vec<Unrestored> {
    let mut left = Vec::new();
    for u in undo.iter().rev() {
        let result = match undo_one(root, token, u) {
            Ok(Done::Nothing) => Ok(()),
            Ok(Done::Changed) if *failures > 0 => {
                *failures -= 1;
                Err("injected failure".to_string())
            }
            Ok(Done::Changed) => Ok(()),
            Err(reason) => Err(reason),
        };
        if let Err(reason) = result {
            left.push(Unrestored {
                path: u.path().unwrap_or(".git/index").to_string(),
                reason,
            });
        }
    }
    remove_temp_files(root, token, undo);
    left
}

/// Whether an undo had anything to do.
enum Done {
    Nothing,
    Changed,
}

/// Undoes one step, or finds nothing to undo; the error is why the path
/// was left as it is.
fn undo_one(root: &Path, token: &str, u: &Undo) -> Result<Done, String> {
    match u {
        Undo::Remove { path, written } => remove_written(&root.join(path), *written, false),
        Undo::Create { path, written } => remove_written(&root.join(path), *written, true),
        Undo::RemoveDir(rel) => Ok(match fs::remove_dir(root.join(rel)) {
            Ok(()) => Done::Changed,
            // Missing, or holding what graft did not write: left as it is.
            Err(_) => Done::Nothing,
        }),
        Undo::MakeDir(rel) => {
            let p = root.join(rel);
            if p.is_dir() {
                return Ok(Done::Nothing);
            }
            fs::create_dir_all(&p).map_err(io_reason)?;
            Ok(Done::Changed)
        }
        Undo::Relink { path, target } => relink(&root.join(path), target, token),
        Undo::Restore {
            path,
            backup,
            executable,
            id,
        } => restore(&root.join(path), backup, *executable, *id, token),
        Undo::GitIndex { backup } => restore_git_index(root, backup.as_ref(), token),
    }
}

/// An I/O failure as the reason a path was left as it is.
fn io_reason(e: std::io::Error) -> String {
    e.to_string()
}

/// Removes the file or symlink graft wrote at `p` if it still hashes to
/// `written`. With `in_place`, an empty file is a write cut short and goes
/// too (see [`Undo::Create`]).
fn remove_written(p: &Path, written: Oid, in_place: bool) -> Result<Done, String> {
    match fs::symlink_metadata(p) {
        Err(_) => Ok(Done::Nothing),
        Ok(m) if m.file_type().is_symlink() => {
            let target = fs::read_link(p).map_err(io_reason)?;
            if blob_id(target.to_string_lossy().as_bytes()) != written {
                return Err("changed since graft wrote it, so it was kept".to_string());
            }
            fs::remove_file(p).map_err(io_reason)?;
            Ok(Done::Changed)
        }
        Ok(m) if m.is_file() => {
            let cut_short = in_place && m.len() == 0;
            if !cut_short && file_id(p).map_err(io_reason)? != written {
                return Err("changed since graft wrote it, so it was kept".to_string());
            }
            fs::remove_file(p).map_err(io_reason)?;
            Ok(Done::Changed)
        }
        Ok(_) => Err("is no longer the file graft wrote, so it was kept".to_string()),
    }
}

/// Puts back the symlink to `target` that was at `p`.
fn relink(p: &Path, target: &str, token: &str) -> Result<Done, String> {
    if fs::read_link(p).is_ok_and(|t| t.as_os_str() == target) {
        return Ok(Done::Nothing);
    }
    clear(p)?;
    // Made aside and renamed over what graft wrote there.
    let tmp = temp_beside(p, token, "relink");
    let _ = fs::remove_file(&tmp);
    make_symlink(target, &tmp).map_err(io_reason)?;
    fs::rename(&tmp, p).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        e.to_string()
    })?;
    Ok(Done::Changed)
}

/// Puts back the file that was at `p` from its backup, with its
/// executable bit, unless it is already there.
fn restore(
    p: &Path,
    backup: &Backup,
    executable: bool,
    id: Oid,
    token: &str,
) -> Result<Done, String> {
    if fs::symlink_metadata(p).is_ok_and(|m| m.is_file() && is_executable(&m) == executable)
        && file_id(p).ok() == Some(id)
    {
        return Ok(Done::Nothing);
    }
    put_back(p, backup, id, token)?;
    if let Ok(f) = fs::File::open(p) {
        if let Ok(m) = f.metadata() {
            if is_executable(&m) != executable {
                set_mode(&f, exec_mode(mode_of(&m), executable)).map_err(io_reason)?;
            }
        }
    }
    Ok(Done::Changed)
}

/// Puts back the project's git index, or removes the one written when
/// there was none.
fn restore_git_index(
    root: &Path,
    backup: Option<&(PathBuf, Oid)>,
    token: &str,
) -> Result<Done, String> {
    let Some(index) = crate::project_git::index_path(root) else {
        return Ok(Done::Nothing);
    };
    match backup {
        None => match fs::remove_file(&index) {
            Ok(()) => Ok(Done::Changed),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Done::Nothing),
            Err(e) => Err(e.to_string()),
        },
        Some((backup, id)) => {
            if file_id(&index).ok() == Some(*id) {
                return Ok(Done::Nothing);
            }
            put_back_file(&index, backup, *id, token)?;
            Ok(Done::Changed)
        }
    }
}

/// Replaces whatever is at `p` with the backup, which must still hash to
/// `id`. A backup in the pack is written over the file graft wrote there
/// (which holds at least the prior file's blocks: see
/// [`overwrite`]), so a full disk does not stop it either.
fn put_back(p: &Path, backup: &Backup, id: Oid, token: &str) -> Result<(), String> {
    let (pack, offset, len) = match backup {
        Backup::File(file) => return put_back_file(p, file, id, token),
        Backup::Packed { pack, offset, len } => (pack, *offset, *len),
    };
    let bytes = read_packed(pack, offset, len)
        .map_err(|e| format!("its backup in the journal cannot be read: {e}"))?;
    if blob_id(&bytes) != id {
        return Err("its backup in the journal was changed, so it was kept".to_string());
    }
    clear(p)?;
    if overwrite(p, &bytes).is_ok() {
        return Ok(());
    }
    let tmp = temp_beside(p, token, "restore");
    let _ = fs::remove_file(&tmp);
    fs::write(&tmp, &bytes)
        .and_then(|()| fs::rename(&tmp, p))
        .map_err(|e| {
            let _ = fs::remove_file(&tmp);
            e.to_string()
        })
}

/// `len` bytes at `offset` of the pack.
fn read_packed(pack: &Path, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Seek, SeekFrom};
    let mut file = fs::File::open(pack)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut bytes = Vec::new();
    file.take(len).read_to_end(&mut bytes)?;
    if bytes.len() as u64 != len {
        return Err(std::io::Error::other(
            "the pack is shorter than the index says",
        ));
    }
    Ok(bytes)
}

/// Writes `bytes` over the file at `p`, in place: the same inode, so no
/// file is created, renamed or freed. Only a regular file with no other
/// link is written into (a hard link elsewhere would change too), and
/// never through a symlink or into a FIFO; anything else is an error and
/// the caller writes a new file instead.
///
/// The bytes go over the old ones from the start, and the file is cut to
/// their length only after: until then it keeps every block it had, so
/// putting a backup back over a write cut short by a full disk needs no
/// new blocks.
pub(crate) fn overwrite(p: &Path, bytes: &[u8]) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK,
    );
    let mut file = options.open(p)?;
    let m = file.metadata()?;
    if !m.is_file() || !single_link(&m) {
        return Err(std::io::Error::other("not a file graft writes into"));
    }
    file.write_all(bytes)?;
    if m.len() > bytes.len() as u64 {
        file.set_len(bytes.len() as u64)?;
    }
    Ok(file)
}

/// Whether a file has no other name: writing into it changes nothing
/// elsewhere.
#[cfg(unix)]
pub(crate) fn single_link(m: &fs::Metadata) -> bool {
    std::os::unix::fs::MetadataExt::nlink(m) == 1
}

#[cfg(not(unix))]
pub(crate) fn single_link(_: &fs::Metadata) -> bool {
    false
}

/// [`put_back`] of a backup of its own: linked into place, so a full disk
/// cannot stop it.
fn put_back_file(p: &Path, backup: &Path, id: Oid, token: &str) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    match file_id(backup) {
        Ok(found) if found == id => {}
        Ok(_) => return Err("its backup in the journal was changed, so it was kept".to_string()),
        Err(e) => return Err(format!("its backup in the journal cannot be read: {e}")),
    }
    clear(p)?;
    let tmp = temp_beside(p, token, "restore");
    let _ = fs::remove_file(&tmp);
    if fs::hard_link(backup, &tmp).is_err() {
        fs::copy(backup, &tmp).map_err(io)?;
    }
    fs::rename(&tmp, p).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        e.to_string()
    })
}

/// A temporary name beside `p` that this run's clean-up knows. `p` is a
/// path inside the project (a checked relative path joined to its root,
/// or git's index), so it has a file name and the default is never taken.
fn temp_beside(p: &Path, token: &str, what: &str) -> PathBuf {
    p.with_file_name(format!(
        "{TEMP_PREFIX}{token}-{what}-{}",
        p.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ))
}

/// Makes room at `p` for a file or symlink: removes a symlink, or an empty
/// folder graft left in its place. A folder with something in it stays.
fn clear(p: &Path) -> Result<(), String> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.file_type().is_symlink() => fs::remove_file(p).map_err(|e| e.to_string()),
        Ok(m) if m.is_dir() => {
            fs::remove_dir(p).map_err(|_| "a folder that is not empty is in the way".to_string())
        }
        _ => Ok(()),
    }
}

/// The blob id of the file at `p`.
fn file_id(p: &Path) -> std::io::Result<Oid> {
    let mut bytes = Vec::new();
    fs::File::open(p)?.read_to_end(&mut bytes)?;
    Ok(blob_id(&bytes))
}

/// Removes this run's temporary files from every folder it wrote in.
fn remove_temp_files(root: &Path, token: &str, undo: &[Undo]) {
    let prefix = format!("{TEMP_PREFIX}{token}-");
    let mut folders: Vec<&str> = undo
        .iter()
        .filter_map(Undo::path)
        .map(|p| p.rsplit_once('/').map_or("", |(dir, _)| dir))
        .collect();
    folders.push("");
    folders.sort_unstable();
    folders.dedup();
    for folder in folders {
        let Ok(entries) = fs::read_dir(root.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Rolls back a run that was killed while writing in `root`. Returns true
/// when there was something to roll back. The caller holds the project's
/// lock, so the journal is not a live run's.
pub fn recover(root: &Path, journals: &Journals) -> Result<bool, Error> {
    let dir = root.join(JOURNAL_DIR);
    let index = dir.join(INDEX);
    // Never opened unless it is a regular file: a FIFO would block.
    if fs::symlink_metadata(&index).is_ok_and(|m| !m.is_file()) {
        return Err(untrusted(&index, "it is not a regular file"));
    }
    let text = match fs::read(&index) {
        Ok(t) => String::from_utf8_lossy(&t).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Killed between creating the folder and its index: nothing
            // was changed. An empty folder is all there is to remove.
            if fs::remove_dir(&dir).is_ok() {
                return Ok(true);
            }
            if dir.exists() {
                return Err(untrusted(&dir, "it has no index"));
            }
            return Ok(false);
        }
        Err(e) => return Err(Error::io("read", index, e)),
    };
    let mut lines = text.split_inclusive('\n');
    let token = match lines.next().and_then(|l| l.strip_suffix('\n')) {
        Some(first) => match first.split_once('\t') {
            Some((HEADER, token)) if valid_token(token) => token.to_string(),
            _ => return Err(untrusted(&index, "it is not in the form graft writes")),
        },
        None => return Err(untrusted(&index, "it is not in the form graft writes")),
    };
    let registered = journals.registry.join(&token);
    let canonical = root
        .canonicalize()
        .map_err(|e| Error::io("read", root, e))?;
    match fs::read_to_string(&registered) {
        Ok(owner) if owner.trim_end_matches('\n') == canonical.to_string_lossy() => {}
        _ => {
            return Err(untrusted(
                &index,
                "graft has no record of writing it here on this machine",
            ))
        }
    }
    let undo = parse(root, &index, &dir, lines)?;
    // A roll back runs to its end; SIGINT or SIGTERM stops the command
    // after it.
    let region = crate::interrupt::Deferred::begin();
    let left = undo_all(root, &token, &undo, &mut 0);
    if !left.is_empty() {
        return Err(ApplyError::RollbackIncomplete {
            first: None,
            journal: dir,
            unrestored: left,
        }
        .into());
    }
    fs::remove_dir_all(&dir).map_err(|e| Error::io("remove", &dir, e))?;
    let _ = fs::remove_file(&registered);
    region.finish()?;
    Ok(true)
}

fn untrusted(journal: &Path, reason: &str) -> Error {
    ApplyError::UntrustedJournal {
        journal: journal.to_path_buf(),
        reason: reason.to_string(),
    }
    .into()
}

fn valid_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 64 && token.bytes().all(|b| b.is_ascii_digit() || b == b'-')
}

/// The entries of a journal index after its header; every path is checked
/// to be one graft could have written.
fn parse<'a>(
    root: &Path,
    index: &Path,
    dir: &Path,
    lines: impl Iterator<Item = &'a str>,
) -> Result<Vec<Undo>, Error> {
    let refuse = |entry: &str| -> Error {
        ApplyError::UnsafeJournal {
            journal: index.to_path_buf(),
            entry: entry.to_string(),
        }
        .into()
    };
    let mut inside = crate::inside::Inside::new(root);
    let mut path = |raw: &str| -> Result<String, Error> {
        let rel = unescape(raw);
        if rel.is_empty() || crate::render::clean_relative(&rel).ok().as_deref() != Some(&rel) {
            return Err(refuse(&rel));
        }
        inside.check(&rel).map_err(|_| refuse(&rel))?;
        Ok(rel)
    };
    let backup = |name: &str| -> Result<PathBuf, Error> {
        // Backups are plain files inside the journal folder.
        if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
            return Err(refuse(name));
        }
        Ok(dir.join(name))
    };
    let packed = |name: &str| -> Result<Backup, Error> {
        match in_pack(name) {
            Some((offset, len)) => Ok(Backup::Packed {
                pack: dir.join(PACK),
                offset,
                len,
            }),
            None => Ok(Backup::File(backup(name)?)),
        }
    };
    let id = |s: &str| Oid::from_str(s).map_err(|_| refuse(s));
    let mut undo = Vec::new();
    for line in lines {
        // A torn last line: that change never started.
        let Some(line) = line.strip_suffix('\n') else {
            break;
        };
        let parts: Vec<&str> = line.split('\t').collect();
        undo.push(match parts.as_slice() {
            ["remove", w, p] => Undo::Remove {
                written: id(w)?,
                path: path(p)?,
            },
            ["create", w, p] => Undo::Create {
                written: id(w)?,
                path: path(p)?,
            },
            ["rmdir", p] => Undo::RemoveDir(path(p)?),
            ["mkdir", p] => Undo::MakeDir(path(p)?),
            ["relink", t, p] => Undo::Relink {
                target: unescape(t),
                path: path(p)?,
            },
            ["restore", x, b, i, p] => Undo::Restore {
                executable: *x == "1",
                backup: packed(b)?,
                id: id(i)?,
                path: path(p)?,
            },
            ["gitindex", "-", "-"] => Undo::GitIndex { backup: None },
            ["gitindex", b, i] => Undo::GitIndex {
                backup: Some((backup(b)?, id(i)?)),
            },
            _ => return Err(refuse(line)),
        });
    }
    Ok(undo)
}

/// The offset and length of a backup in the pack, from its name in the
/// index (`@offset+len`, see [`Backup::name`]).
fn in_pack(name: &str) -> Option<(u64, u64)> {
    let (offset, len) = name.strip_prefix('@')?.split_once('+')?;
    Some((offset.parse().ok()?, len.parse().ok()?))
}

/// The permission bits of a file.
#[cfg(unix)]
pub(crate) fn mode_of(m: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
pub(crate) fn mode_of(_: &fs::Metadata) -> u32 {
    0o644
}

/// `mode` with its executable bits set where it can be read (as git and
/// `chmod +x` do) or cleared.
pub(crate) fn exec_mode(mode: u32, executable: bool) -> u32 {
    if executable {
        mode | 0o100 | ((mode & 0o444) >> 2)
    } else {
        mode & !0o111
    }
}

#[cfg(unix)]
pub(crate) fn set_mode(f: &fs::File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    f.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
pub(crate) fn set_mode(_: &fs::File, _: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
pub(crate) fn make_symlink(target: &str, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
pub(crate) fn make_symlink(_: &str, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "symlinks are not supported on this platform",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::Transaction;
    use crate::tree::Node;

    /// A project folder and a registry outside it.
    struct World {
        _dir: tempfile::TempDir,
        root: PathBuf,
        journals: Journals,
    }

    fn world() -> World {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        fs::create_dir(&root).unwrap();
        let journals = Journals {
            registry: dir.path().join("registry"),
            faults: FaultInjection::default(),
        };
        World {
            _dir: dir,
            root,
            journals,
        }
    }

    impl World {
        /// Plants a journal index holding `entries` under a header whose
        /// token is registered for this project.
        fn plant_registered(&self, entries: &str) -> PathBuf {
            fs::create_dir_all(&self.journals.registry).unwrap();
            let canonical = self.root.canonicalize().unwrap();
            fs::write(
                self.journals.registry.join("7-7"),
                format!("{}\n", canonical.display()),
            )
            .unwrap();
            self.plant(&format!("{HEADER}\t7-7\n{entries}"))
        }

        fn plant(&self, index: &str) -> PathBuf {
            let dir = self.root.join(JOURNAL_DIR);
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join(INDEX), index).unwrap();
            dir.join(INDEX)
        }

        /// The transaction of a run that dies after writing `f.txt`.
        fn killed_run(&self) {
            fs::write(self.root.join("f.txt"), "before").unwrap();
            let mut tx = Transaction::begin(&self.root, &self.journals).unwrap();
            tx.write("f.txt", &Node::file("after")).unwrap();
            tx.write("new/g.txt", &Node::file("g")).unwrap();
            std::mem::forget(tx);
        }
    }

    const ZERO: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn a_journal_graft_did_not_register_is_refused_and_nothing_is_touched() {
        let w = world();
        fs::write(w.root.join("important.txt"), "mine").unwrap();
        let written = blob_id(b"mine");
        for index in [
            format!("remove\t{written}\timportant.txt\n"),
            format!("{HEADER}\t1-1\nremove\t{written}\timportant.txt\n"),
            format!("{HEADER}\t../x\nremove\t{written}\timportant.txt\n"),
            String::new(),
        ] {
            let path = w.plant(&index);
            let e = recover(&w.root, &w.journals).unwrap_err();
            assert!(
                matches!(&e, Error::Apply(ApplyError::UntrustedJournal { journal, .. }) if *journal == path),
                "{e}"
            );
            assert_eq!(
                fs::read_to_string(w.root.join("important.txt")).unwrap(),
                "mine"
            );
            assert!(
                path.exists(),
                "the journal is kept for the person to inspect"
            );
        }
    }

    #[test]
    fn a_journal_index_that_is_a_fifo_is_refused_without_opening_it() {
        let w = world();
        let index = w.root.join(JOURNAL_DIR).join(INDEX);
        fs::create_dir_all(index.parent().unwrap()).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(&index)
            .status()
            .unwrap();
        assert!(made.success());
        let e = recover(&w.root, &w.journals).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "the journal `{}` was not written by graft here: it is not a regular file",
                index.display()
            )
        );
    }

    #[test]
    fn a_journal_registered_for_another_project_is_refused() {
        let w = world();
        let other = w.root.parent().unwrap().join("other");
        fs::create_dir(&other).unwrap();
        fs::create_dir_all(&w.journals.registry).unwrap();
        fs::write(
            w.journals.registry.join("7-7"),
            format!("{}\n", other.canonicalize().unwrap().display()),
        )
        .unwrap();
        fs::write(w.root.join("important.txt"), "mine").unwrap();
        w.plant(&format!(
            "{HEADER}\t7-7\nremove\t{}\timportant.txt\n",
            blob_id(b"mine")
        ));
        let e = recover(&w.root, &w.journals).unwrap_err();
        assert!(
            matches!(e, Error::Apply(ApplyError::UntrustedJournal { .. })),
            "{e}"
        );
        assert!(w.root.join("important.txt").exists());
    }

    #[test]
    fn a_registered_journal_naming_a_path_graft_cannot_write_is_refused_untouched() {
        let w = world();
        let outside = w.root.parent().unwrap().join("victim.txt");
        fs::write(&outside, "mine").unwrap();
        std::os::unix::fs::symlink("..", w.root.join("up")).unwrap();
        for (line, entry) in [
            (format!("remove\t{ZERO}\t../victim.txt"), "../victim.txt"),
            (format!("remove\t{ZERO}\t/etc/passwd"), "/etc/passwd"),
            (format!("remove\t{ZERO}\tup/victim.txt"), "up/victim.txt"),
            ("rmdir\ta/./b".to_string(), "a/./b"),
            (
                format!("restore\t1\t000001\t{ZERO}\t.git/hooks/pre-commit"),
                ".git/hooks/pre-commit",
            ),
            (
                format!("restore\t0\t000001\t{ZERO}\t.GIT/config"),
                ".GIT/config",
            ),
            (
                format!("remove\t{ZERO}\tsrc/.git./config"),
                "src/.git./config",
            ),
            (
                format!("restore\t0\t../../secret\t{ZERO}\tstolen"),
                "../../secret",
            ),
            (
                "restore\t0\t000001\tnot-a-hash\tx".to_string(),
                "not-a-hash",
            ),
            ("chmod\t777\tx".to_string(), "chmod\t777\tx"),
        ] {
            let index = w.plant_registered(&format!("remove\t{ZERO}\tfine.txt\n{line}\n"));
            let e = recover(&w.root, &w.journals).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(
                    "the journal `{}` names `{entry}`, which is not a path inside the project",
                    index.display()
                )
            );
            assert_eq!(fs::read_to_string(&outside).unwrap(), "mine");
            assert!(index.exists());
        }
    }

    #[test]
    fn a_killed_run_is_rolled_back_with_its_temporary_files() {
        let w = world();
        w.killed_run();
        // A temporary file the killed run had not renamed into place yet.
        let token = fs::read_dir(&w.journals.registry)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .file_name();
        let tmp = format!("{TEMP_PREFIX}{}-abc", token.to_string_lossy());
        fs::write(w.root.join(&tmp), "").unwrap();
        fs::write(w.root.join(".graft-tmp-someone-else"), "theirs").unwrap();
        assert!(recover(&w.root, &w.journals).unwrap());
        assert_eq!(fs::read_to_string(w.root.join("f.txt")).unwrap(), "before");
        assert!(!w.root.join("new").exists());
        assert!(!w.root.join(&tmp).exists());
        assert!(w.root.join(".graft-tmp-someone-else").exists());
        assert!(!w.root.join(JOURNAL_DIR).exists());
        assert_eq!(fs::read_dir(&w.journals.registry).unwrap().count(), 0);
        assert!(!recover(&w.root, &w.journals).unwrap());
    }

    #[test]
    fn a_file_changed_since_graft_wrote_it_is_kept_and_the_journal_stays() {
        let w = world();
        w.killed_run();
        fs::write(w.root.join("new/g.txt"), "the person's").unwrap();
        let e = recover(&w.root, &w.journals).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the roll back of an interrupted graft run could not restore 1 path(s): \
             new/g.txt (changed since graft wrote it, so it was kept)"
        );
        assert_eq!(fs::read_to_string(w.root.join("f.txt")).unwrap(), "before");
        assert_eq!(
            fs::read_to_string(w.root.join("new/g.txt")).unwrap(),
            "the person's"
        );
        assert!(w.root.join(JOURNAL_DIR).exists());
        // Once the person moved it away, the next command finishes.
        fs::remove_file(w.root.join("new/g.txt")).unwrap();
        assert!(recover(&w.root, &w.journals).unwrap());
        assert!(!w.root.join("new").exists());
    }

    #[test]
    fn a_backup_that_changed_is_never_put_back() {
        // f.txt was written over in place, its prior bytes in the pack.
        let w = world();
        w.killed_run();
        let pack = w.root.join(JOURNAL_DIR).join(PACK);
        assert_eq!(fs::read_to_string(&pack).unwrap(), "before");
        fs::write(&pack, "planted").unwrap();
        let e = recover(&w.root, &w.journals).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("f.txt (its backup in the journal was changed, so it was kept)"),
            "{e}"
        );
        assert_eq!(fs::read_to_string(w.root.join("f.txt")).unwrap(), "after");
        assert!(!w.root.join("new").exists(), "the rest was rolled back");

        // A pack cut short is no backup either.
        fs::write(&pack, "bef").unwrap();
        let e = recover(&w.root, &w.journals).unwrap_err();
        assert!(
            e.to_string().ends_with(
                "f.txt (its backup in the journal cannot be read: \
                 the pack is shorter than the index says)"
            ),
            "{e}"
        );

        // A backup of its own (the file was deleted, not written over).
        let w = world();
        fs::write(w.root.join("f.txt"), "before").unwrap();
        let mut tx = Transaction::begin(&w.root, &w.journals).unwrap();
        tx.remove("f.txt").unwrap();
        std::mem::forget(tx);
        let backup = w.root.join(JOURNAL_DIR).join("000000");
        fs::remove_file(&backup).unwrap();
        fs::write(&backup, "planted").unwrap();
        let e = recover(&w.root, &w.journals).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("f.txt (its backup in the journal was changed, so it was kept)"),
            "{e}"
        );
        assert!(!w.root.join("f.txt").exists());
    }

    #[test]
    fn a_file_written_over_in_place_keeps_its_inode_and_rolls_back_exactly() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let w = world();
        let ino = |p: &str| fs::metadata(w.root.join(p)).unwrap().ino();
        fs::write(w.root.join("short.txt"), "a longer prior text\n").unwrap();
        fs::write(w.root.join("long.txt"), "short\n").unwrap();
        fs::write(w.root.join("run.sh"), "echo 1\n").unwrap();
        fs::set_permissions(w.root.join("run.sh"), fs::Permissions::from_mode(0o640)).unwrap();
        let before = [ino("short.txt"), ino("long.txt"), ino("run.sh")];
        let mut tx = Transaction::begin(&w.root, &w.journals).unwrap();
        tx.write("short.txt", &Node::file("new\n")).unwrap();
        tx.write("long.txt", &Node::file("a longer new text\n"))
            .unwrap();
        tx.write(
            "run.sh",
            &Node::File {
                bytes: b"echo 2\n".to_vec().into(),
                executable: true,
            },
        )
        .unwrap();
        assert_eq!(
            fs::read_to_string(w.root.join("short.txt")).unwrap(),
            "new\n"
        );
        assert_eq!(
            fs::read_to_string(w.root.join("long.txt")).unwrap(),
            "a longer new text\n"
        );
        let mode = fs::metadata(w.root.join("run.sh")).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o750);
        assert_eq!(before, [ino("short.txt"), ino("long.txt"), ino("run.sh")]);
        assert_eq!(
            fs::read_to_string(w.root.join(JOURNAL_DIR).join(PACK)).unwrap(),
            "a longer prior text\nshort\necho 1\n"
        );
        std::mem::forget(tx);
        // A write cut short: part new, part old.
        fs::write(w.root.join("long.txt"), "a longe").unwrap();
        assert!(recover(&w.root, &w.journals).unwrap());
        assert_eq!(
            fs::read_to_string(w.root.join("short.txt")).unwrap(),
            "a longer prior text\n"
        );
        assert_eq!(
            fs::read_to_string(w.root.join("long.txt")).unwrap(),
            "short\n"
        );
        assert_eq!(
            fs::read_to_string(w.root.join("run.sh")).unwrap(),
            "echo 1\n"
        );
        let mode = fs::metadata(w.root.join("run.sh")).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert_eq!(before, [ino("short.txt"), ino("long.txt"), ino("run.sh")]);
    }

    #[test]
    fn a_file_with_another_link_is_replaced_never_written_into() {
        use std::os::unix::fs::MetadataExt;
        let w = world();
        let outside = tempfile::tempdir_in(w.root.parent().unwrap()).unwrap();
        fs::write(outside.path().join("shared.txt"), "shared\n").unwrap();
        fs::hard_link(outside.path().join("shared.txt"), w.root.join("f.txt")).unwrap();
        let mut tx = Transaction::begin(&w.root, &w.journals).unwrap();
        tx.write("f.txt", &Node::file("mine\n")).unwrap();
        tx.commit().unwrap();
        assert_eq!(fs::read_to_string(w.root.join("f.txt")).unwrap(), "mine\n");
        assert_eq!(
            fs::read_to_string(outside.path().join("shared.txt")).unwrap(),
            "shared\n"
        );
        assert_eq!(fs::metadata(w.root.join("f.txt")).unwrap().nlink(), 1);
    }

    #[test]
    fn overwrite_writes_into_a_lone_regular_file_only() {
        let w = world();
        let p = |name: &str| w.root.join(name);
        // A FIFO is refused without blocking, a symlink is not followed,
        // a second link is left alone.
        assert!(std::process::Command::new("mkfifo")
            .arg(p("fifo"))
            .status()
            .unwrap()
            .success());
        assert!(overwrite(&p("fifo"), b"x").is_err());
        fs::write(p("target.txt"), "target").unwrap();
        std::os::unix::fs::symlink("target.txt", p("link")).unwrap();
        assert!(overwrite(&p("link"), b"x").is_err());
        fs::hard_link(p("target.txt"), p("second")).unwrap();
        assert!(overwrite(&p("second"), b"x").is_err());
        assert_eq!(fs::read_to_string(p("target.txt")).unwrap(), "target");
        assert!(overwrite(&p("missing"), b"x").is_err());
        assert!(!p("missing").exists());
        fs::write(p("lone.txt"), "0123456789").unwrap();
        overwrite(&p("lone.txt"), b"abc").unwrap();
        assert_eq!(fs::read_to_string(p("lone.txt")).unwrap(), "abc");
    }

    #[test]
    fn a_roll_back_goes_on_past_a_path_it_cannot_restore() {
        let w = world();
        fs::write(w.root.join("a.txt"), "a").unwrap();
        fs::write(w.root.join("b.txt"), "b").unwrap();
        let mut tx = Transaction::begin(&w.root, &w.journals).unwrap();
        tx.write("a.txt", &Node::file("A")).unwrap();
        tx.write("b.txt", &Node::file("B")).unwrap();
        tx.write("c.txt", &Node::file("C")).unwrap();
        let faults = FaultInjection {
            fail_restores: Some(1),
            ..FaultInjection::default()
        };
        let journal = &w.root.join(JOURNAL_DIR);
        let left = tx.roll_back_with(&faults);
        // Newest first: c.txt is the one that failed; a and b are back.
        assert_eq!(
            left,
            [Unrestored {
                path: "c.txt".to_string(),
                reason: "injected failure".to_string()
            }]
        );
        assert_eq!(fs::read_to_string(w.root.join("a.txt")).unwrap(), "a");
        assert_eq!(fs::read_to_string(w.root.join("b.txt")).unwrap(), "b");
        assert!(journal.exists());
        assert!(recover(&w.root, &w.journals).unwrap());
        assert!(!w.root.join("c.txt").exists());
        assert!(!journal.exists());
    }

    #[test]
    fn undo_entries_of_changes_that_never_happened_are_not_touched() {
        let w = world();
        fs::write(w.root.join("f.txt"), "before").unwrap();
        let id = blob_id(b"before");
        fs::create_dir(w.root.join(JOURNAL_DIR)).unwrap();
        // Recorded, but the run died before replacing the file: restoring
        // it would need nothing, so nothing is written (the folder may
        // even be read-only).
        let backup = w.root.join(JOURNAL_DIR).join("000000");
        fs::hard_link(w.root.join("f.txt"), &backup).unwrap();
        let undo = [Undo::Restore {
            path: "f.txt".to_string(),
            backup: Backup::File(backup),
            executable: false,
            id,
        }];
        let inode =
            std::os::unix::fs::MetadataExt::ino(&fs::metadata(w.root.join("f.txt")).unwrap());
        assert!(undo_all(&w.root, "1-1", &undo, &mut 0).is_empty());
        let after =
            std::os::unix::fs::MetadataExt::ino(&fs::metadata(w.root.join("f.txt")).unwrap());
        assert_eq!(inode, after, "the file was left as it was");
    }

    #[test]
    fn paths_with_tabs_and_newlines_survive_the_journal() {
        let w = world();
        let name = "odd\tname\nwith breaks\r.txt";
        fs::write(w.root.join(name), "before").unwrap();
        let mut tx = Transaction::begin(&w.root, &w.journals).unwrap();
        tx.write(name, &Node::file("after")).unwrap();
        std::mem::forget(tx);
        assert!(recover(&w.root, &w.journals).unwrap());
        assert_eq!(fs::read_to_string(w.root.join(name)).unwrap(), "before");
    }

    #[test]
    fn blob_ids_are_git_s() {
        for bytes in [
            &b""[..],
            b"hello\n",
            &[0u8, 255, 10, 13][..],
            &[b'x'; 70_000][..],
        ] {
            assert_eq!(
                blob_id(bytes),
                Oid::hash_object(git2::ObjectType::Blob, bytes).unwrap()
            );
        }
    }

    #[test]
    fn exec_mode_sets_and_clears_executable_bits_where_readable() {
        assert_eq!(exec_mode(0o600, true), 0o700);
        assert_eq!(exec_mode(0o644, true), 0o755);
        assert_eq!(exec_mode(0o640, true), 0o750);
        assert_eq!(exec_mode(0o755, false), 0o644);
        assert_eq!(exec_mode(0o700, false), 0o600);
    }
}
