//! Working with an opened template repository: checking it is usable,
//! resolving a ref or the default version to a commit, describing that
//! commit like `git describe --tags --always`, and reading the commit's
//! files straight from the object database (no checkout).
//!
//! The repository may be a local clone, a bare repository, or a mirror from
//! the cache; this module does not care which. Reading a dirty working tree
//! is `folder.rs`'s job; this module only says whether it is dirty.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use git2::{
    Commit, DescribeFormatOptions, DescribeOptions, ErrorCode, Oid, Repository, StatusOptions,
    TreeEntry,
};
use semver::Version;

use super::submodule::Gitlink;
use super::version::{latest, nearest_version, version_tags, VersionTag};
use super::{Revision, SourceError};
use crate::tree::{Bytes, FileTree, Node};

pub const NO_TAGS_WARNING: &str = "template has no version tags; using HEAD";
pub const ONLY_PRERELEASES_WARNING: &str =
    "template has only prerelease version tags; using HEAD (allow prereleases to use them)";

fn git_err<'a>(action: &'static str, src: &'a str) -> impl Fn(git2::Error) -> SourceError + 'a {
    move |source| SourceError::Git {
        action,
        src: src.to_string(),
        source,
    }
}

/// Refuses repositories graft cannot work with: shallow ones (versions and
/// updates need history) and empty ones.
pub fn check_usable(repo: &Repository, src: &str) -> Result<(), SourceError> {
    if repo.is_shallow() {
        return Err(SourceError::ShallowRepository {
            src: src.to_string(),
        });
    }
    let has_commit = repo
        .references()
        .map_err(git_err("list refs", src))?
        .flatten()
        .any(|r| r.peel_to_commit().is_ok());
    if !has_commit && repo.head().is_err() {
        return Err(SourceError::EmptyRepository {
            src: src.to_string(),
        });
    }
    Ok(())
}

/// Picks the commit to render: `vcs_ref` if given, else the highest version
/// tag, else HEAD (with a warning). `worktree` is left false; the caller
/// decides about dirty working trees.
pub fn resolve(
    repo: &Repository,
    src: &str,
    vcs_ref: Option<&str>,
    prereleases: bool,
) -> Result<Revision, SourceError> {
    let tags = version_tags(repo).map_err(git_err("list tags", src))?;
    let mut warnings = Vec::new();
    let fallback_head = vcs_ref.is_none() && latest(&tags, prereleases).is_none();
    let (commit, tag_name) = match vcs_ref {
        Some(r) => find_ref(repo, src, r, &tags)?,
        None => match latest(&tags, prereleases) {
            Some(t) => (
                repo.find_commit(t.commit)
                    .map_err(git_err("read a commit", src))?,
                Some(t.name.clone()),
            ),
            None => {
                warnings.push(if tags.is_empty() {
                    NO_TAGS_WARNING.to_string()
                } else {
                    ONLY_PRERELEASES_WARNING.to_string()
                });
                let head = head_commit(repo).ok_or_else(|| SourceError::UnknownRef {
                    vcs_ref: "HEAD".to_string(),
                    src: src.to_string(),
                    suggestions: Vec::new(),
                })?;
                (head, None)
            }
        },
    };
    let describe = describe(repo, &commit).map_err(git_err("describe a commit", src))?;
    let version = nearest_version(repo, commit.id(), &tags, tag_name.as_deref());
    Ok(Revision {
        sha: Some(commit.id().to_string()),
        describe: Some(describe),
        version,
        worktree: false,
        fallback_head,
        warnings,
    })
}

/// The highest version tag, for `graft check`.
pub fn latest_version(repo: &Repository, prereleases: bool) -> Option<(Version, String)> {
    let tags = version_tags(repo).ok()?;
    latest(&tags, prereleases).map(|t| (t.version.clone(), t.name.clone()))
}

fn head_commit(repo: &Repository) -> Option<Commit<'_>> {
    repo.head().ok()?.peel_to_commit().ok()
}

/// Resolves an explicit ref. Order follows git's own: an exact `refs/...`
/// name, a tag, a branch (local, then remote-tracking), a full or short sha,
/// the `g<sha>` of a describe string, then any other revision expression
/// libgit2 understands (`main~2`). Returns the tag name when it was a tag.
fn find_ref<'r>(
    repo: &'r Repository,
    src: &str,
    vcs_ref: &str,
    tags: &[VersionTag],
) -> Result<(Commit<'r>, Option<String>), SourceError> {
    let unknown = || SourceError::UnknownRef {
        vcs_ref: vcs_ref.to_string(),
        src: src.to_string(),
        suggestions: tags.iter().rev().take(5).map(|t| t.name.clone()).collect(),
    };
    let ambiguous = || SourceError::AmbiguousRef {
        vcs_ref: vcs_ref.to_string(),
        src: src.to_string(),
    };
    if vcs_ref.is_empty() {
        return Err(unknown());
    }
    if vcs_ref == "HEAD" {
        return head_commit(repo).map(|c| (c, None)).ok_or_else(unknown);
    }
    let mut candidates = Vec::new();
    if vcs_ref.starts_with("refs/") {
        candidates.push(vcs_ref.to_string());
    }
    candidates.push(format!("refs/tags/{vcs_ref}"));
    candidates.push(format!("refs/heads/{vcs_ref}"));
    candidates.push(format!("refs/remotes/{vcs_ref}"));
    candidates.push(format!("refs/remotes/origin/{vcs_ref}"));
    for name in &candidates {
        if let Ok(reference) = repo.find_reference(name) {
            if let Ok(commit) = reference.peel_to_commit() {
                let tag = name.strip_prefix("refs/tags/").map(str::to_string);
                return Ok((commit, tag));
            }
        }
    }
    let hex = if is_hex(vcs_ref) {
        Some(vcs_ref)
    } else {
        describe_sha(vcs_ref)
    };
    if let Some(hex) = hex {
        if (4..=40).contains(&hex.len()) {
            match repo.find_object_by_prefix(hex, None) {
                Ok(object) => {
                    if let Ok(commit) = object.peel_to_commit() {
                        return Ok((commit, None));
                    }
                }
                Err(e) if e.code() == ErrorCode::Ambiguous => return Err(ambiguous()),
                Err(_) => {}
            }
        }
    }
    match repo.revparse_single(vcs_ref) {
        Ok(object) => match object.peel_to_commit() {
            Ok(commit) => Ok((commit, None)),
            Err(_) => Err(unknown()),
        },
        Err(e) if e.code() == ErrorCode::Ambiguous => Err(ambiguous()),
        Err(_) => Err(unknown()),
    }
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The sha part of a `git describe` string: `v1.0.0-2-gabc1234` → `abc1234`.
pub fn describe_sha(s: &str) -> Option<&str> {
    let (rest, hash) = s.rsplit_once("-g")?;
    let (tag, count) = rest.rsplit_once('-')?;
    let valid = !tag.is_empty()
        && !count.is_empty()
        && count.bytes().all(|b| b.is_ascii_digit())
        && hash.len() >= 4
        && is_hex(hash);
    valid.then_some(hash)
}

/// `git describe --tags --always` for `commit`, including git's choice of
/// abbreviation length (libgit2 alone always starts from 7).
pub fn describe(repo: &Repository, commit: &Commit<'_>) -> Result<String, git2::Error> {
    let mut options = DescribeOptions::new();
    options.describe_tags().show_commit_oid_as_fallback(true);
    let mut format = DescribeFormatOptions::new();
    format.abbreviated_size(abbrev_len(repo));
    commit.as_object().describe(&options)?.format(Some(&format))
}

/// The abbreviation length git would start from: `core.abbrev` when set to
/// a number or to no/false (full length); otherwise ("auto", the default)
/// derived from the number of packed objects as git does, never below 7.
/// libgit2 then lengthens it further if the prefix is ambiguous, as git does.
pub fn abbrev_len(repo: &Repository) -> u32 {
    let configured = repo
        .config()
        .ok()
        .and_then(|c| c.get_string("core.abbrev").ok());
    if let Some(value) = configured {
        let value = value.trim().to_ascii_lowercase();
        match value.as_str() {
            "auto" => {}
            "" | "no" | "false" | "off" => return 40,
            _ => {
                if let Ok(n) = value.parse::<u32>() {
                    return n.clamp(4, 40);
                }
            }
        }
    }
    auto_abbrev_len(packed_object_count(&repo.commondir().join("objects")))
}

/// git's formula: one more than the highest set bit of the object count,
/// halved (rounding up) to get hex digits, at least 7.
pub fn auto_abbrev_len(count: u64) -> u32 {
    let bits = if count == 0 {
        1
    } else {
        64 - count.leading_zeros()
    };
    bits.div_ceil(2).clamp(7, 40)
}

/// Objects in the pack indexes of an object directory and its alternates,
/// which is what git's "approximate object count" counts (loose objects are
/// left out there too).
fn packed_object_count(objects: &Path) -> u64 {
    let mut dirs = vec![objects.to_path_buf()];
    if let Ok(alternates) = std::fs::read_to_string(objects.join("info/alternates")) {
        for line in alternates.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let path = PathBuf::from(line);
            dirs.push(if path.is_absolute() {
                path
            } else {
                objects.join(path)
            });
        }
    }
    let mut count = 0u64;
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir.join("pack")) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "idx") && path.with_extension("pack").is_file()
            {
                count += idx_object_count(&path).unwrap_or(0);
            }
        }
    }
    count
}

/// Reads the object count of a pack index: the last fan-out entry, after an
/// 8-byte header in version 2 and at the start in version 1.
fn idx_object_count(path: &Path) -> Option<u64> {
    let mut header = [0u8; 8 + 256 * 4];
    File::open(path).ok()?.read_exact(&mut header).ok()?;
    let fanout = if header[..4] == [0xff, b't', b'O', b'c'] {
        8
    } else {
        0
    };
    let last = fanout + 255 * 4;
    let bytes: [u8; 4] = header[last..last + 4].try_into().ok()?;
    Some(u64::from(u32::from_be_bytes(bytes)))
}

/// Whether the working tree differs from HEAD: modified, staged, deleted or
/// untracked (not ignored) files. Submodules are not looked into.
pub fn is_dirty(repo: &Repository) -> Result<bool, git2::Error> {
    if crate::index_stat::proves_clean(repo, "") {
        return Ok(false);
    }
    let mut options = StatusOptions::new();
    options
        .include_untracked(true)
        .include_ignored(false)
        .recurse_untracked_dirs(false)
        .exclude_submodules(true);
    Ok(!repo.statuses(Some(&mut options))?.is_empty())
}

/// Calls `visit` with the path, id and mode of every entry of a commit's
/// tree, folders before what they hold, reading tree objects only.
/// Submodules are included (mode 0o160000); `.git` entries are not, as git
/// itself refuses to check them out.
fn walk(
    repo: &Repository,
    sha: &str,
    src: &str,
    mut visit: impl FnMut(String, Oid, i32) -> Result<(), SourceError>,
) -> Result<(), SourceError> {
    let oid = Oid::from_str(sha).map_err(git_err("read a commit", src))?;
    let commit = repo
        .find_commit(oid)
        .map_err(git_err("read a commit", src))?;
    let root = commit.tree().map_err(git_err("read a tree", src))?;
    let mut stack = vec![(String::new(), root)];
    while let Some((prefix, tree)) = stack.pop() {
        for entry in tree.iter() {
            let Some(path) = entry_path(&prefix, &entry, src)? else {
                continue;
            };
            if entry.filemode() == 0o040000 {
                let sub = repo
                    .find_tree(entry.id())
                    .map_err(git_err("read a tree", src))?;
                stack.push((path.clone(), sub));
            }
            visit(path, entry.id(), entry.filemode())?;
        }
    }
    Ok(())
}

/// A file or symlink of a commit: its blob id and git mode.
pub type FileId = (Oid, i32);

/// The blob id and mode of every file and symlink of a commit, by path,
/// without reading any file; and its gitlinks.
pub fn commit_files(
    repo: &Repository,
    sha: &str,
    src: &str,
) -> Result<(HashMap<String, FileId>, Vec<Gitlink>), SourceError> {
    let mut out = HashMap::new();
    let mut gitlinks = Vec::new();
    walk(repo, sha, src, |path, id, mode| {
        match mode {
            0o040000 => {}
            0o160000 => gitlinks.push(Gitlink { path, commit: id }),
            _ => {
                out.insert(path, (id, mode));
            }
        }
        Ok(())
    })?;
    Ok((out, gitlinks))
}

/// File contents already read from a repository, by blob id. It does not
/// keep them alive: contents live as long as a tree that holds them.
pub type BlobCache = HashMap<Oid, Weak<[u8]>>;

/// Reads the directories of a commit's tree, and the files and symlinks
/// for which `keep` says yes, into memory; and lists its gitlinks, whose
/// files are in other repositories (see `submodule.rs`).
///
/// `blobs` carries contents between calls: an update reads two commits that
/// share most files, and each shared file is then read (inflated) once and
/// held in memory once.
pub fn read_commit_tree(
    repo: &Repository,
    sha: &str,
    src: &str,
    blobs: &mut BlobCache,
    keep: &dyn Fn(&str) -> bool,
) -> Result<(FileTree, Vec<Gitlink>), SourceError> {
    let mut out = FileTree::new();
    let mut gitlinks = Vec::new();
    walk(repo, sha, src, |path, id, mode| {
        match mode {
            0o040000 => out.insert(&path, Node::Dir),
            0o160000 => gitlinks.push(Gitlink { path, commit: id }),
            _ if !keep(&path) => {}
            mode => {
                let bytes = match blobs.get(&id).and_then(Weak::upgrade) {
                    Some(bytes) => bytes,
                    None => {
                        let blob = repo.find_blob(id).map_err(git_err("read a file", src))?;
                        let bytes = Bytes::from(blob.content());
                        blobs.insert(id, Arc::downgrade(&bytes));
                        bytes
                    }
                };
                if mode == 0o120000 {
                    let target = String::from_utf8(bytes.to_vec()).map_err(|_| {
                        SourceError::NonUtf8Path {
                            path: path.clone(),
                            src: src.to_string(),
                        }
                    })?;
                    out.insert(&path, Node::Symlink { target });
                } else {
                    out.insert(
                        &path,
                        Node::File {
                            bytes,
                            executable: mode == 0o100755,
                        },
                    );
                }
            }
        }
        Ok(())
    })?;
    Ok((out, gitlinks))
}

/// The text of the `.gitmodules` file at the root of a commit; `None` when
/// there is none, or it is not a regular file (git refuses a symlink).
pub fn gitmodules(repo: &Repository, sha: &str, src: &str) -> Result<Option<String>, SourceError> {
    let oid = Oid::from_str(sha).map_err(git_err("read a commit", src))?;
    let commit = repo
        .find_commit(oid)
        .map_err(git_err("read a commit", src))?;
    let tree = commit.tree().map_err(git_err("read a tree", src))?;
    let Some(entry) = tree.get_name(".gitmodules") else {
        return Ok(None);
    };
    if !matches!(entry.filemode(), 0o100644 | 0o100755) {
        return Ok(None);
    }
    let blob = repo
        .find_blob(entry.id())
        .map_err(git_err("read a file", src))?;
    Ok(Some(String::from_utf8_lossy(blob.content()).into_owned()))
}

/// Whether the repository holds the commit `oid`.
pub fn has_commit(repo: &Repository, oid: Oid, src: &str) -> Result<bool, SourceError> {
    match repo.find_object(oid, None) {
        Ok(object) => Ok(object.peel_to_commit().is_ok_and(|c| c.id() == oid)),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(false),
        Err(e) => Err(git_err("read a commit", src)(e)),
    }
}

/// The tree path of an entry, or `None` for entries to skip (`.git`).
/// Rejects names that are not UTF-8 or could not be a single path segment.
fn entry_path(
    prefix: &str,
    entry: &TreeEntry<'_>,
    src: &str,
) -> Result<Option<String>, SourceError> {
    let raw = entry.name_bytes();
    let join = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        }
    };
    let Ok(name) = std::str::from_utf8(raw) else {
        return Err(SourceError::NonUtf8Path {
            path: join(&String::from_utf8_lossy(raw)),
            src: src.to_string(),
        });
    };
    if name.eq_ignore_ascii_case(".git") {
        return Ok(None);
    }
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(SourceError::InvalidEntryName {
            path: join(name),
            src: src.to_string(),
        });
    }
    Ok(Some(join(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_sha_parts() {
        assert_eq!(describe_sha("v1.0.0-2-gabc1234"), Some("abc1234"));
        assert_eq!(describe_sha("my-tag-10-gABCDEF12"), Some("ABCDEF12"));
        assert_eq!(describe_sha("v1.0.0"), None);
        assert_eq!(describe_sha("v1.0.0-x-gabc1234"), None);
        assert_eq!(describe_sha("-2-gabc1234"), None);
        assert_eq!(describe_sha("v1-2-gxyz1234"), None);
        assert_eq!(describe_sha("v1-2-gab"), None);
        assert_eq!(describe_sha("feature-gabc1234"), None);
    }

    #[test]
    fn auto_abbrev_follows_git() {
        assert_eq!(auto_abbrev_len(0), 7);
        assert_eq!(auto_abbrev_len(3), 7);
        assert_eq!(auto_abbrev_len(16_383), 7);
        assert_eq!(auto_abbrev_len(16_384), 8);
        assert_eq!(auto_abbrev_len(65_535), 8);
        assert_eq!(auto_abbrev_len(65_536), 9);
        assert_eq!(auto_abbrev_len(u64::MAX), 32);
    }
}
