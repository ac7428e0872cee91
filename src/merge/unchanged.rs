//! Template files an update does not need to read.
//!
//! A file that both versions hold at the same path with the same blob and
//! mode, and that is copied rather than rendered, comes out of both renders
//! byte for byte the same, at the same place: SPEC §6's first row ("template
//! unchanged: untouched"), whatever the project did to it. Leaving such files
//! out of both renders gives the same plan without reading, holding or
//! comparing them; on a typical update that is most of the template.
//!
//! Only files whose fate provably does not depend on the render qualify:
//! no `{{` in the path, no template suffix (nor a suffixed sibling that
//! would replace them), not a configuration file, not a partial, not the
//! target of an injection or the answers file, in neither or both versions'
//! `_exclude`, under the same plain `_subdirectory`; and none at all when a
//! version has symlinks (which may point at them) or renders every file
//! (`_templates_suffix: ""`). [`check_rendered`] then refuses a render that
//! puts another file where one of them would have been, as a full render
//! would.

use std::collections::{BTreeSet, HashMap};

use crate::config::TemplateConfig;
use crate::error::{Error, RenderError};
use crate::render::{clean_relative, exclude_matcher, PathMatcher, Rendered};
use crate::source::FileId;

/// One version of the template: its files (by path, from the tree objects)
/// and its configuration.
pub struct Version<'a> {
    pub files: &'a HashMap<String, FileId>,
    pub config: &'a TemplateConfig,
}

const SYMLINK: i32 = 0o120000;

/// The template paths (not rendered paths) that can be left unread.
pub fn unread_paths(
    old: &Version,
    new: &Version,
    answers_file: &str,
    extra_exclude: &[String],
) -> Result<BTreeSet<String>, Error> {
    let (o, n) = (&old.config.settings, &new.config.settings);
    let has_symlinks = |v: &Version| v.files.values().any(|(_, mode)| *mode == SYMLINK);
    let plain = |s: &str| !crate::render::Engine::graft_syntax(s);
    // Jinja includes and imports may read any file of the template.
    let jinja = [old.config.dialect, new.config.dialect].contains(&crate::dialect::Dialect::Copier);
    if jinja
        || has_symlinks(old)
        || has_symlinks(new)
        || o.templates_suffix.is_empty()
        || n.templates_suffix.is_empty()
        || o.subdirectory != n.subdirectory
        || !plain(&o.subdirectory)
    {
        return Ok(BTreeSet::new());
    }
    let Ok(root) = clean_relative(&o.subdirectory) else {
        return Ok(BTreeSet::new());
    };
    let Some(targets) = written_by_graft([old.config, new.config], answers_file) else {
        return Ok(BTreeSet::new());
    };
    let partials: Vec<String> = [&o.partials, &n.partials]
        .iter()
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty())
        .map(|p| format!("{p}/"))
        .collect();
    let suffixes = [o.templates_suffix.as_str(), n.templates_suffix.as_str()];
    let old_exclude = exclude_matcher(old.config, extra_exclude)?;
    let new_exclude = exclude_matcher(new.config, extra_exclude)?;
    // The same patterns leave out the same paths in both versions: only
    // patterns that changed need each path matched.
    let excludes_changed = old.config.excludes() != new.config.excludes();

    let mut out = BTreeSet::new();
    for (path, id) in old.files {
        if new.files.get(path) != Some(id)
            || id.1 == SYMLINK
            || !plain(path)
            || [old.config, new.config]
                .iter()
                .any(|c| c.dialect.config_files().contains(&path.as_str()))
            || partials.iter().any(|p| path.starts_with(p.as_str()))
            || suffixes.iter().any(|s| {
                path.ends_with(s) || {
                    let sibling = format!("{path}{s}");
                    old.files.contains_key(&sibling) || new.files.contains_key(&sibling)
                }
            })
        {
            continue;
        }
        let Some(rel) = under_root(&root, path) else {
            // Outside the render root: neither version renders it.
            out.insert(path.clone());
            continue;
        };
        if targets.contains(rel)
            || (excludes_changed && excluded(&old_exclude, rel) != excluded(&new_exclude, rel))
        {
            continue;
        }
        out.insert(path.clone());
    }
    Ok(out)
}

/// The files graft itself writes besides the render: answers files and
/// injection targets. `None` when a target is templated (it cannot be
/// known before the render).
fn written_by_graft(configs: [&TemplateConfig; 2], answers_file: &str) -> Option<BTreeSet<String>> {
    let plain = |s: &str| !crate::render::Engine::graft_syntax(s);
    let mut targets = BTreeSet::from([answers_file.to_string()]);
    for config in configs {
        for injection in &config.settings.injections {
            match clean_relative(&injection.into) {
                Ok(path) if plain(&injection.into) => targets.insert(path),
                _ => return None,
            };
        }
        if let Ok(path) = clean_relative(&config.settings.answers_file) {
            targets.insert(path);
        }
    }
    Some(targets)
}

/// `path` relative to the render root, or `None` when it lies outside.
fn under_root<'a>(root: &str, path: &'a str) -> Option<&'a str> {
    match root {
        "" => Some(path),
        r => path.strip_prefix(r).and_then(|p| p.strip_prefix('/')),
    }
}

/// Whether a render leaves out the file at `rel`: the file or one of its
/// folders is excluded.
fn excluded(matcher: &PathMatcher, rel: &str) -> bool {
    let mut end = 0;
    while let Some(i) = rel[end..].find('/') {
        end += i;
        if matcher.matches(&rel[..end], true) {
            return true;
        }
        end += 1;
    }
    matcher.matches(rel, false)
}

/// Refuses renders that put something where an unread file would be: with
/// every file read, the render would have found the two colliding.
pub fn check_rendered(
    unread: &BTreeSet<String>,
    subdirectory: &str,
    renders: [&Rendered; 2],
) -> Result<(), Error> {
    let root = clean_relative(subdirectory).unwrap_or_default();
    for path in unread {
        let Some(rel) = under_root(&root, path) else {
            continue;
        };
        for render in renders {
            if render.tree.get(rel).is_some() {
                return Err(RenderError::PathCollision {
                    path: rel.to_string(),
                    first: path.clone(),
                    second: render.sources.get(rel).cloned().unwrap_or_default(),
                }
                .into());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{FileTree, Node};
    use git2::Oid;

    const BLOB: i32 = 0o100644;

    fn id(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    fn files(entries: &[(&str, u8)]) -> HashMap<String, FileId> {
        entries
            .iter()
            .map(|(p, n)| (p.to_string(), (id(*n), BLOB)))
            .collect()
    }

    fn config(yaml: &str) -> TemplateConfig {
        let mut tree = FileTree::new();
        tree.insert("graft.yml", Node::file(yaml));
        crate::config::load(&tree, "t").unwrap_or_else(|e| panic!("{yaml}: {e}"))
    }

    /// The unread paths of an update from `old` to `new`, each version's
    /// files given with a blob number and its `graft.yml`.
    fn unread(old: (&[(&str, u8)], &str), new: (&[(&str, u8)], &str)) -> Vec<String> {
        let (old_files, new_files) = (files(old.0), files(new.0));
        let (old_config, new_config) = (config(old.1), config(new.1));
        let set = unread_paths(
            &Version {
                files: &old_files,
                config: &old_config,
            },
            &Version {
                files: &new_files,
                config: &new_config,
            },
            ".graft-answers.yml",
            &["cli-excluded.txt".to_string()],
        )
        .unwrap();
        set.into_iter().collect()
    }

    #[test]
    fn only_files_copied_unchanged_to_the_same_place_stay_unread() {
        let common: &[(&str, u8)] = &[
            ("graft.yml", 1),
            ("same.txt", 2),
            ("dir/same.py", 3),
            ("bin/tool", 4),
            ("changed.txt", 5),
            ("page.html.hbs", 6),
            ("readme.md", 7),
            ("{{name}}/x.txt", 8),
            ("_partials/p.hbs", 9),
            ("parts/q.txt", 10),
            ("app/main.py", 11),
            (".graft-answers.yml", 12),
            ("cli-excluded.txt", 13),
            ("old-excluded.txt", 14),
            ("both-excluded.txt", 15),
        ];
        let old = [common, &[("changed.txt", 50), ("only-old.txt", 51)]].concat();
        let new = [common, &[("readme.md.hbs", 60), ("only-new.txt", 61)]].concat();
        let injection = "_injections:\n  - into: app/main.py\n    after: '# m'\n    content: x\n";
        assert_eq!(
            unread(
                (&old, "_exclude: [old-excluded.txt, both-excluded.txt]\n"),
                (
                    &new,
                    &format!("_exclude: [both-excluded.txt]\n_partials: parts\n{injection}")
                ),
            ),
            [
                "bin/tool",
                "both-excluded.txt",
                "cli-excluded.txt",
                "dir/same.py",
                "same.txt",
            ]
        );
    }

    #[test]
    fn nothing_stays_unread_when_a_version_may_render_or_link_any_file() {
        let files: &[(&str, u8)] = &[("graft.yml", 1), ("same.txt", 2)];
        assert_eq!(unread((files, ""), (files, "")), ["same.txt"]);
        assert!(unread((files, ""), (files, "_templates_suffix: ''\n")).is_empty());
        assert!(unread((files, "_subdirectory: a\n"), (files, "")).is_empty());
        assert!(unread(
            (files, "_subdirectory: '{{name}}'\n"),
            (files, "_subdirectory: '{{name}}'\n")
        )
        .is_empty());
        let templated_injection =
            "_injections:\n  - into: '{{name}}.py'\n    after: '# m'\n    content: x\n";
        assert!(unread((files, ""), (files, templated_injection)).is_empty());

        let mut with_link = self::files(files);
        with_link.insert("link".to_string(), (id(9), SYMLINK));
        let (plain, c) = (self::files(files), config(""));
        let set = unread_paths(
            &Version {
                files: &plain,
                config: &c,
            },
            &Version {
                files: &with_link,
                config: &c,
            },
            ".graft-answers.yml",
            &[],
        )
        .unwrap();
        assert!(set.is_empty());
    }

    #[test]
    fn files_outside_the_render_root_stay_unread_and_inside_are_judged_relative_to_it() {
        let files: &[(&str, u8)] = &[
            ("graft.yml", 1),
            ("docs/notes.txt", 2),
            ("root/kept.txt", 3),
            ("root/excluded.txt", 4),
        ];
        assert_eq!(
            unread(
                (files, "_subdirectory: root\n"),
                (files, "_subdirectory: root\n_exclude: [/excluded.txt]\n")
            ),
            ["docs/notes.txt", "root/kept.txt"]
        );
    }
}
