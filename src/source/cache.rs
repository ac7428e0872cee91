//! The cache of bare mirrors of remote templates.
//!
//! Layout: `CACHE/mirrors/NAME.git` is the mirror of one remote and
//! `CACHE/mirrors/NAME.lock` its lock, with NAME from
//! [`super::spec::cache_dir_name`]. The lock is held (an exclusive
//! `File::lock`) while a mirror is created, repaired or fetched, so several
//! graft processes can share a cache; reading objects afterwards needs no
//! lock, because fetches only add objects and never repack. A clone is made
//! in a temporary directory beside the mirror and renamed into place, so a
//! failed clone leaves no mirror behind. A damaged mirror (unreadable HEAD,
//! refs or objects) is replaced the same way: the fresh clone is swapped in
//! only once it succeeded. This module decides *which* repository to open;
//! `fetch.rs` does the network part.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use git2::{ErrorClass, ErrorCode, Repository};

use super::fetch::fetch_mirror;
use super::spec::SourceSpec;
use super::{SourceError, SourceOptions};

/// Where the mirror of a remote lives: the mirrors folder, the mirror's
/// name, and its path.
fn location(spec: &SourceSpec, url: &str, opts: &SourceOptions) -> (PathBuf, String, PathBuf) {
    let name = spec
        .cache_name()
        .unwrap_or_else(|| super::spec::cache_dir_name(url));
    let dir = opts.cache_dir.join("mirrors");
    let mirror = dir.join(format!("{name}.git"));
    (dir, name, mirror)
}

/// Opens the mirror of a remote source, fetching it first unless offline;
/// returns it with its path.
pub fn open_mirror(
    spec: &SourceSpec,
    url: &str,
    opts: &SourceOptions,
) -> Result<(Repository, PathBuf), SourceError> {
    let shown = spec.display();
    let (dir, name, mirror) = location(spec, url, opts);

    if opts.offline {
        if !mirror.exists() {
            return Err(SourceError::OfflineNoCache { src: shown });
        }
        // Waiting for a concurrent fetch keeps us from reading a mirror
        // whose HEAD is being repointed.
        // A read-only shared cache cannot be locked; reading it is still fine.
        let _lock = lock(&dir, &name).ok();
        return match open_existing(&mirror) {
            Ok(repo) => Ok((repo, mirror)),
            Err(source) => Err(SourceError::CacheCorrupt {
                src: shown,
                path: mirror,
                source,
            }),
        };
    }

    fs::create_dir_all(&dir).map_err(|source| SourceError::Io {
        action: "create the cache directory",
        path: dir.clone(),
        source,
    })?;
    let _lock = lock(&dir, &name)?;
    remove_stale_temps(&dir, &name);

    if mirror.exists() {
        // A fetch can "succeed" on a mirror that lost objects (it believes
        // it has them), so health is checked either way.
        if let Ok(repo) = open_existing(&mirror) {
            match fetch_mirror(&repo, url, opts.show_progress, true) {
                Ok(()) if is_healthy(&repo) => return Ok((repo, mirror)),
                Err(e) if is_healthy(&repo) && !is_local_damage(&e) => return Err(e),
                _ => {}
            }
        }
        // Unopenable or broken: start over.
    }
    clone_fresh(&dir, &name, &mirror, url, opts.show_progress)?;
    let repo = open_existing(&mirror).map_err(|source| SourceError::Git {
        action: "open the new mirror",
        src: shown,
        source,
    })?;
    Ok((repo, mirror))
}

/// Replaces the mirror of a remote with a fresh clone, after reading it
/// failed: a damaged pack or object shows only when it is read. The old
/// mirror stays in place until the clone succeeded.
pub fn recreate_mirror(
    spec: &SourceSpec,
    url: &str,
    opts: &SourceOptions,
) -> Result<Repository, SourceError> {
    let (dir, name, mirror) = location(spec, url, opts);
    let _lock = lock(&dir, &name)?;
    remove_stale_temps(&dir, &name);
    clone_fresh(&dir, &name, &mirror, url, opts.show_progress)?;
    open_existing(&mirror).map_err(|source| SourceError::Git {
        action: "open the new mirror",
        src: spec.display(),
        source,
    })
}

/// Whether a fetch failed on the mirror's own data (its refs or objects)
/// rather than on the remote or the network.
fn is_local_damage(e: &SourceError) -> bool {
    let SourceError::Unreachable { source, .. } = e else {
        return false;
    };
    matches!(
        source.class(),
        ErrorClass::Odb
            | ErrorClass::Zlib
            | ErrorClass::Object
            | ErrorClass::Reference
            | ErrorClass::Tree
            | ErrorClass::Index
    )
}

/// Opens a mirror, refusing anything that is not a bare repository.
fn open_existing(path: &Path) -> Result<Repository, git2::Error> {
    let repo = Repository::open_bare(path)?;
    if !repo.is_bare() {
        return Err(git2::Error::from_str(
            "the cached mirror is not a bare repository",
        ));
    }
    // Make sure the object database, HEAD and refs are readable at all.
    repo.odb()?;
    readable_head(&repo)?;
    for reference in repo.references()? {
        reference?;
    }
    Ok(repo)
}

/// HEAD parses (a HEAD pointing at a branch that does not exist is fine).
fn readable_head(repo: &Repository) -> Result<(), git2::Error> {
    match repo.head() {
        Ok(_) => Ok(()),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether a mirror whose fetch failed is itself sound (every ref resolves
/// to an object that exists), so the failure was the remote's and the
/// mirror must be kept for `--offline`.
fn is_healthy(repo: &Repository) -> bool {
    let check = || -> Result<bool, git2::Error> {
        readable_head(repo)?;
        let odb = repo.odb()?;
        for reference in repo.references()? {
            let reference = reference?;
            let Ok(resolved) = reference.resolve() else {
                // A dangling symbolic ref (HEAD of an emptied remote) is fine.
                continue;
            };
            if let Some(oid) = resolved.target() {
                if !odb.exists(oid) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    };
    check().unwrap_or(false)
}

/// Clones into `NAME.tmp-XXXX` next to the mirror, then swaps it into
/// place (moving any old mirror aside first): a failure or a kill half-way
/// leaves only temp dirs, which the next run removes.
fn clone_fresh(
    dir: &Path,
    name: &str,
    mirror: &Path,
    url: &str,
    show_progress: bool,
) -> Result<(), SourceError> {
    let tmp = tempfile::Builder::new()
        .prefix(&format!("{name}.tmp-"))
        .tempdir_in(dir)
        .map_err(|source| SourceError::Io {
            action: "create a temporary directory in",
            path: dir.to_path_buf(),
            source,
        })?;
    {
        let repo = Repository::init_bare(tmp.path()).map_err(|source| SourceError::Git {
            action: "create a mirror",
            src: dir.display().to_string(),
            source,
        })?;
        fetch_mirror(&repo, url, show_progress, false)?;
    }
    if fs::symlink_metadata(mirror).is_ok() {
        let old = dir.join(format!("{name}.tmp-old-{}", std::process::id()));
        remove_path(&old)?;
        fs::rename(mirror, &old).map_err(|source| SourceError::Io {
            action: "move aside the broken mirror",
            path: mirror.to_path_buf(),
            source,
        })?;
        remove_path(&old)?;
    }
    fs::rename(tmp.path(), mirror).map_err(|source| SourceError::Io {
        action: "move the new mirror to",
        path: mirror.to_path_buf(),
        source,
    })?;
    // The directory now lives at `mirror`; nothing is left to delete.
    let _ = tmp.keep();
    Ok(())
}

/// Takes the exclusive lock of one mirror, waiting for other holders.
fn lock(dir: &Path, name: &str) -> Result<File, SourceError> {
    let path = dir.join(format!("{name}.lock"));
    let io_err = |action, source| SourceError::Io {
        action,
        path: path.clone(),
        source,
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io_err("open the cache lock", e))?;
    file.lock().map_err(|e| io_err("lock", e))?;
    Ok(file)
}

/// Removes leftovers of interrupted first clones of this mirror. Only called
/// with the lock held, so no live clone can be among them.
fn remove_stale_temps(dir: &Path, name: &str) {
    let prefix = format!("{name}.tmp-");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(&prefix))
        {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn remove_path(path: &Path) -> Result<(), SourceError> {
    let result = match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(_) => Ok(()),
    };
    result.map_err(|source| SourceError::Io {
        action: "remove the broken mirror",
        path: path.to_path_buf(),
        source,
    })
}
