//! Submodules: the files of a template's submodules, grafted into its tree.
//!
//! Copier checks a template out with `git submodule update --init
//! --recursive`, so the files of its submodules are part of the template.
//! graft reads them the way it reads the template itself: for each gitlink
//! of the commit, the `.gitmodules` of that same commit gives the URL
//! (relative URLs resolved against the URL of the repository that holds
//! the gitlink, see `gitmodules.rs`), the repository there is opened like
//! a SRC (a cached mirror of a remote, fetched unless `--offline`; a local
//! repository read in place), and the tree of the recorded commit goes
//! under the gitlink's path; then the same for its own gitlinks.
//!
//! What this guards against: a template that is not on this machine cannot
//! reach into it, so a local path or `file://` URL is refused below a
//! remote repository (git refuses `file` transport for submodules by
//! default); each repository is opened, and so fetched, at most once per
//! run however often it appears; submodules nest at most [`MAX_DEPTH`]
//! deep; and no git hook can run, as no git program does. A commit cannot
//! contain itself through its submodules (a gitlink names a commit that
//! existed before it), so a chain of repositories that refer back to each
//! other always ends; the depth limit is what keeps it short.

use git2::Oid;

use super::gitmodules::{resolve_url, Gitmodules};
use super::spec::{cache_key, strip_credentials};
use super::{git, SourceError, SourceSpec, TemplateRepo};

/// How deep submodules may nest (a submodule of the template is 1 deep).
pub const MAX_DEPTH: usize = 8;

/// A submodule entry of a commit's tree: where it sits, and the commit of
/// the submodule's repository it records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gitlink {
    pub path: String,
    pub commit: Oid,
}

/// What one repository's part of the template says about its submodules.
#[derive(Debug, Default)]
pub struct Links {
    pub gitlinks: Vec<Gitlink>,
    /// The text of its `.gitmodules`; only read when there are gitlinks.
    pub gitmodules: Option<String>,
}

/// Gitlinks still to read, and the repository that holds them.
struct Level {
    /// The key of the holder in [`TemplateRepo::submodules`]; `None` for
    /// the template itself.
    holder: Option<String>,
    links: Links,
    /// Where the holder's files go in the template's tree.
    prefix: String,
    depth: usize,
}

impl TemplateRepo {
    /// Reads every submodule named by `links` (those of the template's own
    /// files), and theirs in turn, with `read(repository, commit, path)`,
    /// and hands each part to `graft` with the path it goes under.
    pub(super) fn graft_submodules<T>(
        &self,
        links: Links,
        read: impl Fn(&TemplateRepo, &str, &str) -> Result<(T, Links), SourceError>,
        mut graft: impl FnMut(&str, T),
    ) -> Result<(), SourceError> {
        let mut pending = vec![Level {
            holder: None,
            links,
            prefix: String::new(),
            depth: 0,
        }];
        while let Some(level) = pending.pop() {
            if level.links.gitlinks.is_empty() {
                continue;
            }
            let holder = match &level.holder {
                None => self.spec.clone(),
                Some(key) => self.submodules.borrow()[key].spec.clone(),
            };
            let holder_src = holder.display();
            let modules = Gitmodules::parse(level.links.gitmodules.as_deref().unwrap_or(""))
                .map_err(|e| SourceError::BadGitmodules {
                    src: holder_src.clone(),
                    line: e.line,
                })?;
            for link in level.links.gitlinks {
                let path = if level.prefix.is_empty() {
                    link.path.clone()
                } else {
                    format!("{}/{}", level.prefix, link.path)
                };
                let depth = level.depth + 1;
                if depth > MAX_DEPTH {
                    return Err(SourceError::SubmoduleTooDeep {
                        path,
                        limit: MAX_DEPTH,
                    });
                }
                let url = modules.url_of(&link.path).ok_or_else(|| {
                    SourceError::SubmoduleNotConfigured {
                        path: path.clone(),
                        src: holder_src.clone(),
                    }
                })?;
                let (key, spec) = submodule_spec(&holder, url, &path)?;
                let (part, links) = self.read_submodule(&key, &spec, &link, &path, &read)?;
                graft(&path, part);
                pending.push(Level {
                    holder: Some(key),
                    links,
                    prefix: path,
                    depth,
                });
            }
        }
        Ok(())
    }

    /// Opens the submodule kept under `key` (the first time it is named),
    /// checks that it has the commit `link` names, and reads that commit
    /// with `read`. Its errors say which submodule they are about.
    fn read_submodule<T, R>(
        &self,
        key: &str,
        spec: &SourceSpec,
        link: &Gitlink,
        path: &str,
        read: &R,
    ) -> Result<(T, Links), SourceError>
    where
        R: Fn(&TemplateRepo, &str, &str) -> Result<(T, Links), SourceError>,
    {
        let shown = spec.display();
        let wrap = |source: SourceError| SourceError::Submodule {
            path: path.to_string(),
            url: shown.clone(),
            source: Box::new(source),
        };
        if !self.submodules.borrow().contains_key(key) {
            let repo = TemplateRepo::open(spec, &self.opts).map_err(wrap)?;
            if !repo.is_git() {
                return Err(wrap(SourceError::NotARepository {
                    vcs_ref: link.commit.to_string(),
                    src: shown.clone(),
                }));
            }
            self.submodules.borrow_mut().insert(key.to_string(), repo);
        }
        let submodules = self.submodules.borrow();
        let sub = &submodules[key];
        let found = sub
            .with_repo(|repo| git::has_commit(repo, link.commit, &shown))
            .map_err(wrap)?;
        if !found {
            return Err(SourceError::SubmoduleCommitMissing {
                path: path.to_string(),
                url: shown,
                commit: link.commit.to_string(),
                offline: self.opts.offline && spec.is_remote(),
            });
        }
        read(sub, &link.commit.to_string(), path).map_err(wrap)
    }
}

/// The source a submodule is fetched from, and the key it is kept under:
/// its URL resolved against the repository `holder` that names it, read
/// like a SRC, and on this machine only when `holder` is too.
fn submodule_spec(
    holder: &SourceSpec,
    url: &str,
    path: &str,
) -> Result<(String, SourceSpec), SourceError> {
    let base = match holder {
        SourceSpec::Local(dir) => dir.to_string_lossy().into_owned(),
        SourceSpec::Remote { url } => url.clone(),
    };
    let unusable = |reason: String| SourceError::SubmoduleUrl {
        path: path.to_string(),
        url: strip_credentials(url),
        src: holder.display(),
        reason,
    };
    let resolved = resolve_url(&base, url).map_err(|p| unusable(p.to_string()))?;
    // Absolute by now, so the working directory plays no part.
    let spec = SourceSpec::parse(&resolved, std::path::Path::new("/")).map_err(|source| {
        SourceError::Submodule {
            path: path.to_string(),
            url: strip_credentials(&resolved),
            source: Box::new(source),
        }
    })?;
    if is_on_this_machine(&spec) && !is_on_this_machine(holder) {
        return Err(unusable(format!(
            "`{}` is on this machine, and a template fetched from elsewhere cannot reach into it",
            spec.display()
        )));
    }
    let key = match &spec {
        SourceSpec::Local(dir) => dir.to_string_lossy().into_owned(),
        SourceSpec::Remote { url } => cache_key(url),
    };
    Ok((key, spec))
}

/// A local directory or a `file://` URL.
fn is_on_this_machine(spec: &SourceSpec) -> bool {
    match spec {
        SourceSpec::Local(_) => true,
        SourceSpec::Remote { url } => url
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("file://")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn local_urls_only_below_local_templates() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("lib")).unwrap();
        let local = SourceSpec::Local(root.join("tpl"));
        let file = SourceSpec::Remote {
            url: format!("file://{}", root.join("tpl").display()),
        };
        let remote = SourceSpec::Remote {
            url: "https://u:secret@host.example/o/tpl.git".to_string(),
        };
        let lib = root.join("lib");
        for holder in [&local, &file] {
            let (key, spec) = submodule_spec(holder, "../lib", "vendor/lib").unwrap();
            assert!(is_on_this_machine(&spec), "{spec:?}");
            assert!(key.ends_with("lib"), "{key}");
        }
        assert_eq!(
            submodule_spec(&local, "../lib", "v").unwrap().1,
            SourceSpec::Local(lib.clone())
        );
        let (key, spec) = submodule_spec(&remote, "../lib.git", "v").unwrap();
        assert_eq!(key, "https://host.example/o/lib");
        assert_eq!(spec.display(), "https://host.example/o/lib.git");
        for url in [
            lib.display().to_string(),
            format!("file://{}", lib.display()),
        ] {
            let err = submodule_spec(&remote, &url, "vendor/lib").unwrap_err();
            assert_eq!(err.kind(), "submodule");
            assert!(
                err.to_string().starts_with(&format!(
                    "submodule `vendor/lib` of `https://host.example/o/tpl.git` has an unusable URL `{url}`: "
                )),
                "{err}"
            );
        }
    }

    #[test]
    fn unusable_urls_name_the_submodule() {
        let holder = SourceSpec::Local(PathBuf::from("/srv/tpl"));
        let err = submodule_spec(&holder, "lib.git", "vendor/lib").unwrap_err();
        assert_eq!(
            err.to_string(),
            "submodule `vendor/lib` of `/srv/tpl` has an unusable URL `lib.git`: \
             a relative URL must start with `./` or `../` (it is relative to the template's URL)"
        );
        let err = submodule_spec(&holder, "../missing-graft-test", "v").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot read submodule `v` from `/srv/missing-graft-test`"
        );
        assert_eq!(err.kind(), "bad_source");
        assert_eq!(
            err.hint().as_deref(),
            Some("check the submodule's `url` in `.gitmodules`")
        );
    }
}
