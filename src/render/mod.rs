//! Rendering a template tree into the tree of the project it produces.
//!
//! Input is the template's [`FileTree`] and a context; output is a new
//! [`FileTree`] in memory. Nothing here touches the disk. Paths are checked
//! here (no `..`, no absolute paths, no symlink out of the template), so no
//! later stage can be handed a path that escapes the destination.

mod engine;
mod hbs;
mod hbs_compile;
pub mod jinja;
mod jinja_engine;
mod nesting;
mod walk;

pub use crate::paths::{clean_relative, in_git_dir, normalize_relative, PathMatcher};
pub(crate) use crate::paths::{resolve_link, MAX_LINK_DEPTH};
pub use engine::{truthy, Compiled, Context, Engine};

use std::collections::BTreeMap;

use serde_json::Value;

use crate::config::TemplateConfig;
use crate::dialect::OPERATION;
use crate::error::{Error, RenderError};
use crate::progress::Progress;
use crate::tree::{Bytes, FileTree, Node};

/// The result of a render.
#[derive(Debug, Default)]
pub struct Rendered {
    pub tree: FileTree,
    /// Rendered path → template path it came from, for messages.
    pub sources: BTreeMap<String, String>,
}

/// True for bytes graft never renders: a NUL byte, or not UTF-8.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes.contains(&0) || std::str::from_utf8(bytes).is_err()
}

/// Builds the engine for a template: its dialect's engine, plus, for
/// handlebars, the partials found under `_partials` (template-root
/// relative), named by their path inside that folder without the template
/// suffix. `trusted` says whether the template's commands may run (Jinja's
/// `shell` filter).
pub fn engine_for(template: &FileTree, config: &TemplateConfig) -> Result<Engine, Error> {
    engine_with_warnings(template, config, false).map(|(engine, _)| engine)
}

/// [`engine_for`], with the warnings of the engine's set-up (an extension
/// a Copier template declares that graft cannot run).
pub fn engine_with_warnings(
    template: &FileTree,
    config: &TemplateConfig,
    trusted: bool,
) -> Result<(Engine, Vec<String>), Error> {
    let (mut engine, warnings) = Engine::for_template(template, config, trusted)?;
    let dir = config.settings.partials.trim_matches('/');
    if dir.is_empty() || !engine.uses_partials() {
        return Ok((engine, warnings));
    }
    let prefix = format!("{dir}/");
    let suffix = config.settings.templates_suffix.as_str();
    for (path, bytes) in template.files() {
        let Some(rel) = path.strip_prefix(&prefix) else {
            continue;
        };
        let name = if !suffix.is_empty() {
            rel.strip_suffix(suffix).unwrap_or(rel)
        } else {
            rel
        };
        let text = std::str::from_utf8(bytes)
            .map_err(|_| RenderError::BinaryTemplate(path.to_string()))?;
        engine.add_partial(name, text, path)?;
    }
    engine.check_partials()?;
    Ok((engine, warnings))
}

/// Renders `_subdirectory` and checks it stays inside the template.
pub fn render_root(
    template: &FileTree,
    config: &TemplateConfig,
    engine: &Engine,
    ctx: &Context,
) -> Result<String, Error> {
    let raw = &config.settings.subdirectory;
    let rendered = engine.render(&format!("{} (_subdirectory)", config.file), raw, ctx)?;
    let root = clean_relative(&rendered).map_err(|reason| RenderError::UnsafePath {
        path: rendered.clone(),
        from: "_subdirectory".to_string(),
        reason: format!("{reason}; `_subdirectory` must stay inside the template"),
    })?;
    if !root.is_empty() && !matches!(template.get(&root), Some(Node::Dir)) {
        return Err(Error::config(
            &config.file,
            1,
            format!("`_subdirectory` is `{root}`, which is not a folder of the template"),
        ));
    }
    Ok(root)
}

/// The patterns no render ever produces: graft's journal folder. They come
/// last, so no `!pattern` of a template can re-include them.
const ALWAYS_EXCLUDED: [&str; 1] = ["/.graft-journal"];

/// `_exclude` of a template: the defaults, its own patterns, `-x`, and
/// graft's own folders.
pub fn exclude_matcher(config: &TemplateConfig, extra: &[String]) -> Result<PathMatcher, Error> {
    exclude_matcher_with(config, extra, None)
}

/// [`exclude_matcher`], the patterns rendered first when an engine and
/// context are given and the template is a Copier template (Copier renders
/// the template's patterns and `-x` alike, and a pattern rendering to
/// several lines is that many patterns).
pub fn exclude_matcher_with(
    config: &TemplateConfig,
    extra: &[String],
    render: Option<(&Engine, &Context)>,
) -> Result<PathMatcher, Error> {
    let own = rendered_patterns(
        config,
        config.excludes(),
        &format!("{} (_exclude)", config.file),
        render,
    )?;
    let extra = rendered_patterns(config, extra.to_vec(), "`--exclude`", render)?;
    let patterns: Vec<String> = own
        .into_iter()
        .chain(extra)
        .chain(ALWAYS_EXCLUDED.iter().map(|s| s.to_string()))
        .collect();
    PathMatcher::new(&patterns).map_err(|e| Error::config(&config.file, 1, e))
}

/// `_skip_if_exists` of a template plus `-s` patterns.
pub fn skip_matcher(config: &TemplateConfig, extra: &[String]) -> Result<PathMatcher, Error> {
    skip_matcher_with(config, extra, None)
}

/// [`skip_matcher`], rendering a Copier template's patterns and `-s` as
/// Copier does.
pub fn skip_matcher_with(
    config: &TemplateConfig,
    extra: &[String],
    render: Option<(&Engine, &Context)>,
) -> Result<PathMatcher, Error> {
    let own = rendered_patterns(
        config,
        config.settings.skip_if_exists.clone(),
        &format!("{} (_skip_if_exists)", config.file),
        render,
    )?;
    let extra = rendered_patterns(config, extra.to_vec(), "`--skip`", render)?;
    let patterns: Vec<String> = own.into_iter().chain(extra).collect();
    PathMatcher::new(&patterns).map_err(|e| Error::config(&config.file, 1, e))
}

/// `patterns` rendered when the template is a Copier template; `origin`
/// names where they come from in a render error.
fn rendered_patterns(
    config: &TemplateConfig,
    patterns: Vec<String>,
    origin: &str,
    render: Option<(&Engine, &Context)>,
) -> Result<Vec<String>, Error> {
    let Some((engine, ctx)) = render.filter(|_| config.dialect == crate::dialect::Dialect::Copier)
    else {
        return Ok(patterns);
    };
    let mut out = Vec::new();
    for p in patterns {
        let text = engine.render(origin, &p, ctx)?;
        out.extend(text.lines().map(str::to_string));
    }
    Ok(out)
}

/// One template entry under the render root, with symlinks resolved.
enum ViewNode<'a> {
    File {
        bytes: &'a Bytes,
        executable: bool,
        /// Reached through a symlink to it.
        via_link: bool,
    },
    Symlink {
        target: &'a str,
    },
    Dir,
}

/// Lists the entries under `root` as `(path relative to root, node)`; in
/// follow mode a link to a file becomes that file and a link to a folder
/// becomes a copy of it, and any link leaving the template is refused.
fn view<'a>(
    template: &'a FileTree,
    root: &str,
    preserve_symlinks: bool,
) -> Result<Vec<(String, ViewNode<'a>)>, Error> {
    let prefix = if root.is_empty() {
        String::new()
    } else {
        format!("{root}/")
    };
    let mut out = Vec::new();
    for (path, node) in template.entries.range(prefix.clone()..) {
        let Some(rel) = path.strip_prefix(&prefix) else {
            break;
        };
        if rel.is_empty() {
            continue;
        }
        add_view_entry(
            template,
            path,
            rel.to_string(),
            node,
            preserve_symlinks,
            0,
            &mut out,
        )?;
    }
    Ok(out)
}

fn add_view_entry<'a>(
    template: &'a FileTree,
    full: &str,
    rel: String,
    node: &'a Node,
    preserve: bool,
    depth: usize,
    out: &mut Vec<(String, ViewNode<'a>)>,
) -> Result<(), Error> {
    match node {
        Node::File { bytes, executable } => out.push((
            rel,
            ViewNode::File {
                bytes,
                executable: *executable,
                via_link: false,
            },
        )),
        Node::Dir => out.push((rel, ViewNode::Dir)),
        Node::Symlink { target } if preserve => out.push((rel, ViewNode::Symlink { target })),
        Node::Symlink { target } => {
            let bad = |reason: &str| RenderError::BadSymlink {
                path: full.to_string(),
                target: target.clone(),
                reason: reason.to_string(),
            };
            if depth >= MAX_LINK_DEPTH {
                return Err(bad("which is a loop of symlinks").into());
            }
            let parent = full.rsplit_once('/').map_or("", |(p, _)| p);
            let resolved =
                resolve_link(parent, target).ok_or_else(|| bad("which is outside the template"))?;
            let Some(target_node) = template.get(&resolved) else {
                return Err(bad("which does not exist in the template").into());
            };
            match target_node {
                Node::Dir => {
                    out.push((rel.clone(), ViewNode::Dir));
                    let inner_prefix = format!("{resolved}/");
                    for (path, node) in template.entries.range(inner_prefix.clone()..) {
                        let Some(inner) = path.strip_prefix(&inner_prefix) else {
                            break;
                        };
                        add_view_entry(
                            template,
                            path,
                            format!("{rel}/{inner}"),
                            node,
                            preserve,
                            depth + 1,
                            out,
                        )?;
                    }
                }
                other => {
                    add_view_entry(template, &resolved, rel, other, preserve, depth + 1, out)?;
                    if let Some((_, ViewNode::File { via_link, .. })) = out.last_mut() {
                        *via_link = true;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Renders the template at `root` with `ctx`.
///
/// `extra_exclude` are `-x` patterns. Files named `X<suffix>` are rendered
/// into `X`; other files are copied byte for byte. Each file done counts
/// one on `progress`.
pub fn render(
    template: &FileTree,
    config: &TemplateConfig,
    engine: &Engine,
    context: &Value,
    root: &str,
    extra_exclude: &[String],
    progress: &dyn Progress,
) -> Result<Rendered, Error> {
    let ctx = Context::of(context)?;
    let exclude = exclude_matcher_with(config, extra_exclude, Some((engine, &ctx)))?;
    // Copier gives `_copier_operation` to tasks and `_exclude`, not files.
    let ctx = match context {
        Value::Object(map) if map.contains_key(OPERATION) => {
            let mut map = map.clone();
            map.remove(OPERATION);
            Context::of(&map)?
        }
        _ => ctx,
    };
    let entries = view(template, root, config.settings.preserve_symlinks)?;
    let mut walk = walk::Walk::new(config, engine, &ctx, &exclude, root, &entries)?;
    for (rel, node) in &entries {
        walk.entry(rel, node)?;
    }
    walk.render_files(progress)
}

fn collision(out: &Rendered, path: &str, second: String) -> Error {
    RenderError::PathCollision {
        path: path.to_string(),
        first: out.sources.get(path).cloned().unwrap_or_default(),
        second,
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(files: &[(&str, Node)]) -> FileTree {
        let mut t = FileTree::new();
        t.insert("graft.yml", Node::file("name: x\n"));
        for (p, n) in files {
            t.insert(p, n.clone());
        }
        t
    }

    fn run(t: &FileTree, ctx: Value) -> Result<Vec<(String, String)>, Error> {
        let config = crate::config::load(t, "t").unwrap();
        let engine = engine_for(t, &config)?;
        let c = Context::of(&ctx).unwrap();
        let root = render_root(t, &config, &engine, &c)?;
        let r = render(
            t,
            &config,
            &engine,
            &ctx,
            &root,
            &[],
            &crate::progress::NoProgress,
        )?;
        Ok(r.tree
            .entries
            .iter()
            .map(|(p, n)| {
                let shown = match n {
                    Node::File { bytes, .. } => String::from_utf8_lossy(bytes).into_owned(),
                    Node::Symlink { target } => format!("-> {target}"),
                    Node::Dir => "/".to_string(),
                };
                (p.clone(), shown)
            })
            .collect())
    }

    #[test]
    fn names_contents_and_suffix_rule() {
        let t = template(&[
            ("{{name}}/main.py.hbs", Node::file("print('{{name}}')")),
            ("{{name}}/raw.txt", Node::file("{{name}}")),
            ("{{when docker 'Dockerfile'}}.hbs", Node::file("FROM x")),
            ("{{when docker '.docker'}}/conf", Node::file("c")),
            ("a.txt", Node::file("plain")),
            ("a.txt.hbs", Node::file("{{name}}")),
        ]);
        let got = run(&t, json!({"name": "app", "docker": false})).unwrap();
        let want: Vec<(String, String)> = [
            ("a.txt", "app"),
            ("app", "/"),
            ("app/main.py", "print('app')"),
            ("app/raw.txt", "{{name}}"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn escaping_names_are_refused() {
        for name in ["{{p}}/x.txt", "a/{{p}}"] {
            for p in ["../evil", "/etc/passwd", "C:/x", "a/../../b"] {
                let t = template(&[(name, Node::file("x"))]);
                let e = run(&t, json!({"name": "x", "p": p})).unwrap_err();
                assert!(
                    matches!(e, Error::Render(RenderError::UnsafePath { .. })),
                    "{name} {p}: {e}"
                );
            }
        }
    }

    #[test]
    fn follows_links_inside_and_refuses_outside() {
        let t = template(&[
            ("real/f.txt", Node::file("data")),
            (
                "link",
                Node::Symlink {
                    target: "real".into(),
                },
            ),
            (
                "flink.txt",
                Node::Symlink {
                    target: "real/f.txt".into(),
                },
            ),
        ]);
        let got = run(&t, json!({})).unwrap();
        assert!(got.contains(&("link/f.txt".into(), "data".into())));
        assert!(got.contains(&("flink.txt".into(), "data".into())));

        for target in ["../outside", "/etc/passwd", "real/../../x"] {
            let t = template(&[(
                "bad",
                Node::Symlink {
                    target: target.into(),
                },
            )]);
            let e = run(&t, json!({})).unwrap_err();
            assert!(
                matches!(e, Error::Render(RenderError::BadSymlink { .. })),
                "{target}: {e}"
            );
        }
    }

    #[test]
    fn never_renders_a_journal_folder() {
        let mut t = template(&[
            (".graft-journal/index", Node::file("remove\t../x\n")),
            ("a.txt", Node::file("a")),
        ]);
        t.insert("graft.yml", Node::file("_exclude: ['!.graft-journal']\n"));
        let got = run(&t, json!({})).unwrap();
        assert_eq!(got, vec![("a.txt".to_string(), "a".to_string())]);
    }

    #[test]
    fn a_copier_negation_brings_back_a_file_of_an_excluded_folder() {
        let excludes = "_exclude: ['*', '!/foo/keep.txt', '!.graft-journal/*']\n";
        let mut copier = FileTree::new();
        copier.insert("copier.yml", Node::file(excludes));
        let mut graft = template(&[]);
        graft.insert("graft.yml", Node::file(excludes));
        for t in [&mut copier, &mut graft] {
            t.insert("foo/keep.txt", Node::file("k"));
            t.insert("foo/drop.txt", Node::file("d"));
            t.insert(".graft-journal/index", Node::file("j"));
        }
        let kept = vec![
            ("foo".to_string(), "/".to_string()),
            ("foo/keep.txt".to_string(), "k".to_string()),
        ];
        assert_eq!(run(&copier, json!({})).unwrap(), kept);
        // graft's templates follow git: an excluded folder keeps all it holds out.
        assert_eq!(run(&graft, json!({})).unwrap(), Vec::new());
    }

    #[test]
    fn a_copier_symlink_named_with_the_suffix_has_its_target_rendered() {
        let mut t = FileTree::new();
        t.insert("copier.yml", Node::file("_preserve_symlinks: true\n"));
        let link = |target: &str| Node::Symlink {
            target: target.into(),
        };
        t.insert("a.txt.jinja", link("{{ name }}.txt"));
        t.insert("b.txt", link("{{ name }}.txt"));
        let got = run(&t, json!({"name": "x"})).unwrap();
        assert_eq!(
            got,
            vec![
                ("a.txt".to_string(), "-> x.txt".to_string()),
                ("b.txt".to_string(), "-> {{ name }}.txt".to_string()),
            ]
        );
    }

    #[test]
    fn binary_with_suffix_is_an_error() {
        let t = template(&[("img.png.hbs", Node::file(vec![0u8, 1, 2]))]);
        let e = run(&t, json!({})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`img.png.hbs` has the template suffix but is binary, so it cannot be rendered"
        );
    }
}
