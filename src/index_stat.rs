//! Proving a git work tree clean from its index's stat data, as `git
//! status` does, without libgit2's status scan.
//!
//! libgit2 reads every tree object of HEAD to compare it with the index,
//! and looks for a `.gitignore` in every folder; on a project of 1,000
//! files that is about 1,800 system calls. Here HEAD is compared with the
//! index through the index's own cache of tree ids (the `TREE` extension),
//! each tracked file is `lstat`ed once and compared with the stat data the
//! index recorded for it, and each tracked folder is listed once to find
//! files the index does not know.
//!
//! The answer is one-sided: [`proves_clean`] says `true` only when every
//! check passed. [`clean_files`] says so too, with what the index then
//! knows of each file (its blob id), so an update need not read a file
//! to know it still holds what the template last wrote. Anything it does not understand or cannot decide cheaply
//! (an index format it does not parse, a file whose stat data changed, a
//! racily clean entry, an untracked file that is not ignored, a submodule,
//! `core.fileMode = false`) gives `false`, and the caller asks libgit2,
//! whose answer (and list of paths) is the one reported.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::Repository;

/// Whether the work tree of `repo` under `prefix` (relative to the work
/// tree root, `/`-separated, empty for all of it) certainly has no
/// uncommitted changes: nothing staged, modified, deleted or untracked
/// and not ignored. `false` means "not proven", not "dirty".
pub fn proves_clean(repo: &Repository, prefix: &str) -> bool {
    check(repo, prefix, false).is_some()
}

/// What a work tree proven clean holds: each tracked file's blob id,
/// executable bit and size, by path relative to the prefix. Filled only
/// where git converts no file's bytes on checkout (no attributes anywhere,
/// no `core.autocrlf`), so each file holds exactly the bytes of its blob.
#[derive(Debug, Default)]
pub struct CleanFiles {
    files: HashMap<String, Known>,
}

/// What the index says of one file, which its stat data showed unchanged.
#[derive(Debug)]
struct Known {
    id: git2::Oid,
    executable: bool,
    /// The size of the file on disk (not of its blob).
    size: u32,
}

impl CleanFiles {
    /// Whether the file at `rel` certainly holds `bytes`, with this
    /// executable bit: its blob is theirs, and its size on disk too (a
    /// conversion git made when the file was added would show there).
    pub fn holds(&self, rel: &str, bytes: &[u8], executable: bool) -> bool {
        self.files.get(rel).is_some_and(|k| {
            k.executable == executable
                && k.size as usize == bytes.len()
                && k.id == crate::tree::blob_id(bytes)
        })
    }
}

/// [`proves_clean`], with what the index knows of the files when it says
/// yes; `None` means "not proven".
pub fn clean_files(repo: &Repository, prefix: &str) -> Option<CleanFiles> {
    check(repo, prefix, true)
}

/// `Some` when the work tree under `prefix` is proven clean; with `files`,
/// what the index knows of them (see [`CleanFiles`]).
#[cfg(unix)]
fn check(repo: &Repository, prefix: &str, files: bool) -> Option<CleanFiles> {
    use std::os::unix::fs::MetadataExt;

    let workdir = repo.workdir()?;
    let config = repo.config().ok()?;
    if !config.get_bool("core.fileMode").unwrap_or(true) {
        return None;
    }
    let index_path = repo.path().join("index");
    let data = std::fs::read(&index_path).ok()?;
    let index_meta = std::fs::metadata(&index_path).ok()?;
    let stamp = (index_meta.mtime(), index_meta.mtime_nsec());
    let index = parse(&data)?;
    let head = repo.head().ok()?.peel_to_tree().ok()?.id();
    if index.tree != Some(head.as_bytes().try_into().ok()?) {
        return None;
    }
    let tracked = Tracked::of(&index.entries, prefix);
    tracked.unchanged_and_nothing_else(repo, workdir, prefix, stamp)?;
    if !files || !bytes_as_committed(repo, &config, &index) {
        return Some(CleanFiles::default());
    }
    let files = tracked
        .files
        .values()
        .filter(|e| e.mode != 0o120000)
        .map(|e| {
            let rel = match prefix {
                "" => e.path,
                _ => &e.path[prefix.len() + 1..],
            };
            let known = Known {
                id: git2::Oid::from_bytes(&e.id).ok()?,
                executable: e.mode == 0o100755,
                size: e.size,
            };
            Some((rel.to_string(), known))
        })
        .collect::<Option<_>>()?;
    Some(CleanFiles { files })
}

/// Whether git writes every file of this work tree with exactly the bytes
/// of its blob: no attributes file that could ask for a conversion or a
/// filter (in the tree, in `.git/info`, the user's or the system's), and
/// no `core.autocrlf`.
#[cfg(unix)]
fn bytes_as_committed(repo: &Repository, config: &git2::Config, index: &Index) -> bool {
    if config.get_string("core.autocrlf").is_ok_and(|v| {
        !matches!(
            v.to_ascii_lowercase().as_str(),
            "false" | "no" | "off" | "0" | ""
        )
    }) || config.get_string("core.attributesFile").is_ok()
    {
        return false;
    }
    if index
        .entries
        .iter()
        .any(|e| e.path.rsplit('/').next() == Some(".gitattributes"))
    {
        return false;
    }
    let user = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")))
        .map(|dir| dir.join("git/attributes"));
    let files = [
        Some(repo.path().join("info/attributes")),
        user,
        Some("/etc/gitattributes".into()),
    ];
    files
        .into_iter()
        .flatten()
        .all(|f| std::fs::symlink_metadata(f).is_err())
}

/// The tracked files under a prefix, by path, and the folders that hold
/// them.
#[cfg(unix)]
struct Tracked<'a> {
    files: HashMap<&'a str, &'a Entry<'a>>,
    dirs: HashSet<&'a str>,
}

#[cfg(unix)]
impl<'a> Tracked<'a> {
    fn of(entries: &'a [Entry<'a>], prefix: &'a str) -> Tracked<'a> {
        let mut tracked = Tracked {
            files: HashMap::new(),
            dirs: HashSet::from([prefix]),
        };
        for entry in entries.iter().filter(|e| under(prefix, e.path)) {
            tracked.files.insert(entry.path, entry);
            let mut path = entry.path;
            while let Some((parent, _)) = path.rsplit_once('/') {
                if !tracked.dirs.insert(parent) {
                    break;
                }
                path = parent;
            }
        }
        tracked
    }

    /// `Some` when every tracked file has the stat data the index recorded
    /// and is not racily clean (written in the same instant as the index,
    /// `stamp`), and every other name in the tracked folders is a tracked
    /// folder or ignored. Each folder is listed once, and its files are
    /// looked at through it (no path walk from the root per file).
    fn unchanged_and_nothing_else(
        &self,
        repo: &Repository,
        workdir: &Path,
        prefix: &str,
        stamp: (i64, i64),
    ) -> Option<()> {
        let mut seen = 0;
        for dir in &self.dirs {
            if !under(prefix, dir) && *dir != prefix {
                continue;
            }
            for item in std::fs::read_dir(workdir.join(dir)).ok()? {
                let item = item.ok()?;
                let name = item.file_name();
                let name = name.to_str()?;
                if dir.is_empty() && name == ".git" {
                    continue;
                }
                let rel = if dir.is_empty() {
                    name.to_string()
                } else {
                    format!("{dir}/{name}")
                };
                if let Some(entry) = self.files.get(rel.as_str()) {
                    if !entry_unchanged(&item.metadata().ok()?, entry, stamp)? {
                        return None;
                    }
                    seen += 1;
                    continue;
                }
                if self.dirs.contains(rel.as_str()) {
                    continue;
                }
                let is_dir = item.file_type().ok()?.is_dir();
                let asked = if is_dir { format!("{rel}/") } else { rel };
                if !repo.is_path_ignored(Path::new(&asked)).ok()? {
                    return None;
                }
            }
        }
        // A tracked file no folder listed is deleted.
        (seen == self.files.len()).then_some(())
    }
}

/// Whether `path` lies under `prefix` (everything does under `""`).
#[cfg(unix)]
fn under(prefix: &str, path: &str) -> bool {
    prefix.is_empty()
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether a file with metadata `meta` (not following a symlink) has the
/// stat data the index recorded for `entry` and is not racily clean;
/// `None` for something that is neither a file nor a symlink.
#[cfg(unix)]
fn entry_unchanged(meta: &std::fs::Metadata, entry: &Entry, stamp: (i64, i64)) -> Option<bool> {
    use std::os::unix::fs::MetadataExt;

    let mode = if meta.file_type().is_symlink() {
        0o120000
    } else if meta.file_type().is_file() {
        if meta.mode() & 0o100 != 0 {
            0o100755
        } else {
            0o100644
        }
    } else {
        return None;
    };
    let same = entry.mode == mode
        && entry.size == meta.size() as u32
        && entry.mtime == (meta.mtime() as u32, meta.mtime_nsec() as u32)
        && entry.ctime == (meta.ctime() as u32, meta.ctime_nsec() as u32)
        && entry.ino == meta.ino() as u32
        && entry.uid == meta.uid()
        && entry.gid == meta.gid();
    // An entry written in the same instant as its file may hide a change
    // of the same size: git calls it racily clean and looks.
    let racy = (i64::from(entry.mtime.0), i64::from(entry.mtime.1)) >= stamp;
    Some(same && !racy)
}

#[cfg(not(unix))]
fn check(_: &Repository, _: &str, _: bool) -> Option<CleanFiles> {
    None
}

/// One stage-0 entry of the index, with the stat data git compares.
struct Entry<'a> {
    path: &'a str,
    mode: u32,
    /// The blob id.
    id: [u8; 20],
    size: u32,
    mtime: (u32, u32),
    ctime: (u32, u32),
    ino: u32,
    uid: u32,
    gid: u32,
}

/// What [`parse`] reads of an index file.
struct Index<'a> {
    entries: Vec<Entry<'a>>,
    /// The tree id the cached tree gives the whole index, when valid.
    tree: Option<[u8; 20]>,
}

/// Reads an index file of version 2 or 3 with SHA-1 ids. `None` for
/// anything else, and for an index with conflicts, gitlinks, entries
/// flagged assume-valid, skip-worktree or intent-to-add, or an extension
/// git requires readers to understand (a split or sparse index).
fn parse(data: &[u8]) -> Option<Index<'_>> {
    let u32_at = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
    };
    if data.get(..4)? != b"DIRC" {
        return None;
    }
    let version = u32_at(4)?;
    if !(2..=3).contains(&version) {
        return None;
    }
    let count = u32_at(8)? as usize;
    let end = data.len().checked_sub(20)?;
    let mut at = 12;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let flags = u16::from_be_bytes(data.get(at + 60..at + 62)?.try_into().ok()?);
        let extended = flags & 0x4000 != 0;
        let stage = (flags >> 12) & 3;
        if flags & 0x8000 != 0 || stage != 0 {
            return None;
        }
        let name_at = at + if extended { 64 } else { 62 };
        if extended && data.get(at + 62..at + 64)? != [0, 0] {
            return None;
        }
        let len = data.get(name_at..end)?.iter().position(|&b| b == 0)?;
        let path = std::str::from_utf8(&data[name_at..name_at + len]).ok()?;
        let mode = u32_at(at + 24)?;
        if !matches!(mode, 0o100644 | 0o100755 | 0o120000) {
            return None;
        }
        entries.push(Entry {
            path,
            mode,
            id: data.get(at + 40..at + 60)?.try_into().ok()?,
            size: u32_at(at + 36)?,
            mtime: (u32_at(at + 8)?, u32_at(at + 12)?),
            ctime: (u32_at(at)?, u32_at(at + 4)?),
            ino: u32_at(at + 20)?,
            uid: u32_at(at + 28)?,
            gid: u32_at(at + 32)?,
        });
        // Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
        at += ((name_at - at) + len + 8) & !7;
    }
    let mut tree = None;
    while at + 8 <= end {
        let signature = data.get(at..at + 4)?;
        let size = u32_at(at + 4)? as usize;
        let body = data.get(at + 8..(at + 8).checked_add(size)?)?;
        match signature {
            b"TREE" => tree = root_tree(body, count),
            // Optional extensions start with a capital letter.
            [b'A'..=b'Z', ..] => {}
            _ => return None,
        }
        at += 8 + size;
    }
    (at == end).then_some(Index { entries, tree })
}

/// The root's id in a `TREE` extension, when it is valid for all `count`
/// entries: `"" NUL count SP subtrees LF id`.
fn root_tree(body: &[u8], count: usize) -> Option<[u8; 20]> {
    let rest = body.strip_prefix(b"\0")?;
    let line_end = rest.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(&rest[..line_end]).ok()?;
    let (entries, _) = line.split_once(' ')?;
    if entries.parse::<usize>().ok()? != count {
        return None;
    }
    rest.get(line_end + 1..line_end + 21)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .status()
            .expect("git runs")
            .success();
        assert!(ok, "git {args:?}");
    }

    /// A committed work tree whose files are older than its index, so no
    /// entry is racily clean.
    fn committed() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/deep")).expect("mkdir");
        std::fs::write(root.join("README.md"), "hello\n").expect("write");
        std::fs::write(root.join("src/deep/lib.rs"), "fn f() {}\n").expect("write");
        std::fs::write(root.join(".gitignore"), "target/\n*.log\n").expect("write");
        git(root, &["init", "-q"]);
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "c"]);
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for f in ["README.md", "src/deep/lib.rs", ".gitignore"] {
            let file = std::fs::File::options()
                .write(true)
                .open(root.join(f))
                .expect("open");
            file.set_modified(old).expect("set mtime");
        }
        git(root, &["update-index", "-q", "--refresh"]);
        dir
    }

    fn clean(root: &Path, prefix: &str) -> bool {
        proves_clean(&Repository::open(root).expect("repo"), prefix)
    }

    fn known(root: &Path, prefix: &str) -> CleanFiles {
        clean_files(&Repository::open(root).expect("repo"), prefix).expect("proven clean")
    }

    /// Commits `text` at `name` in the tree of [`committed`], keeping it
    /// proven clean.
    fn commit_file(root: &Path, name: &str, text: &str) {
        std::fs::write(root.join(name), text).expect("write");
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", name]);
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let file = std::fs::File::options()
            .write(true)
            .open(root.join(name))
            .expect("open");
        file.set_modified(old).expect("set mtime");
        git(root, &["update-index", "-q", "--refresh"]);
    }

    /// Whether this machine has an attributes file outside every
    /// repository, which makes every tree's bytes unknown.
    fn global_attributes() -> bool {
        let home = std::env::var_os("HOME").unwrap_or_default();
        Path::new(&home).join(".config/git/attributes").exists()
            || std::env::var_os("XDG_CONFIG_HOME").is_some()
            || Path::new("/etc/gitattributes").exists()
    }

    #[test]
    fn a_clean_tree_tells_what_each_file_holds() {
        let dir = committed();
        if global_attributes() {
            eprintln!("skipped: this machine has a global attributes file");
            return;
        }
        let k = known(dir.path(), "");
        assert!(k.holds("README.md", b"hello\n", false));
        assert!(!k.holds("README.md", b"hellO\n", false));
        assert!(!k.holds("README.md", b"hello\n", true));
        assert!(!k.holds("README.md", b"hello\n\n", false));
        assert!(!k.holds("missing.md", b"", false));
        let k = known(dir.path(), "src");
        assert!(k.holds("deep/lib.rs", b"fn f() {}\n", false));
        assert!(!k.holds("README.md", b"hello\n", false));
    }

    #[test]
    fn nothing_is_known_where_git_may_convert_bytes() {
        let dir = committed();
        git(dir.path(), &["config", "core.autocrlf", "input"]);
        assert!(!known(dir.path(), "").holds("README.md", b"hello\n", false));

        let dir = committed();
        commit_file(dir.path(), "src/.gitattributes", "*.md text eol=crlf\n");
        assert!(!known(dir.path(), "").holds("README.md", b"hello\n", false));

        let dir = committed();
        std::fs::write(dir.path().join(".git/info/attributes"), "* -text\n").expect("write");
        assert!(!known(dir.path(), "").holds("README.md", b"hello\n", false));

        // The template's check asks only whether the tree is clean.
        let dir = committed();
        let repo = Repository::open(dir.path()).expect("repo");
        assert!(check(&repo, "", false).expect("clean").files.is_empty());
    }

    #[test]
    fn a_committed_tree_is_proven_clean_and_ignored_files_do_not_count() {
        let dir = committed();
        assert!(clean(dir.path(), ""));
        assert!(clean(dir.path(), "src"));
        std::fs::create_dir(dir.path().join("target")).expect("mkdir");
        std::fs::write(dir.path().join("target/x"), "x").expect("write");
        std::fs::write(dir.path().join("src/a.log"), "x").expect("write");
        assert!(clean(dir.path(), ""));
    }

    #[test]
    fn changes_of_every_kind_are_not_proven_clean() {
        type Change = fn(&Path);
        let changes: [Change; 8] = [
            |r| std::fs::write(r.join("README.md"), "hellO\n").expect("write"),
            |r| std::fs::write(r.join("src/new.rs"), "").expect("write"),
            |r| std::fs::remove_file(r.join("src/deep/lib.rs")).expect("rm"),
            |r| std::fs::remove_dir_all(r.join("src/deep")).expect("rm -r"),
            |r| {
                std::fs::remove_file(r.join("README.md")).expect("rm");
                std::fs::create_dir(r.join("README.md")).expect("mkdir");
            },
            |r| {
                std::fs::create_dir(r.join("other")).expect("mkdir");
                std::fs::write(r.join("other/file"), "").expect("write");
            },
            |r| {
                std::fs::write(r.join("staged"), "s").expect("write");
                git(r, &["add", "staged"]);
            },
            |r| {
                use std::os::unix::fs::PermissionsExt;
                let p = std::fs::Permissions::from_mode(0o755);
                std::fs::set_permissions(r.join("README.md"), p).expect("chmod");
            },
        ];
        for (i, change) in changes.iter().enumerate() {
            let dir = committed();
            change(dir.path());
            assert!(!clean(dir.path(), ""), "change {i}");
        }
    }

    #[test]
    fn a_change_outside_the_prefix_does_not_count() {
        let dir = committed();
        std::fs::write(dir.path().join("README.md"), "changed\n").expect("write");
        assert!(!clean(dir.path(), ""));
        assert!(clean(dir.path(), "src"));
    }

    #[test]
    fn an_index_it_does_not_parse_is_not_proven_clean() {
        assert!(parse(b"DIRC\0\0\0\x04\0\0\0\0").is_none());
        assert!(parse(b"nonsense").is_none());
    }
}
