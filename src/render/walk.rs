//! The walk of [`super::render`]: each entry of the template's view gets
//! its rendered path (or is dropped: an empty name, `_exclude`, the
//! partials folder, a folder already dropped), folders and symlinks are
//! placed at once, and files are collected to be rendered in parallel.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use super::{
    clean_relative, in_git_dir, is_binary, normalize_relative, resolve_link, Context, Engine,
    PathMatcher, Rendered, ViewNode, ALWAYS_EXCLUDED,
};
use crate::config::TemplateConfig;
use crate::error::{Error, RenderError};
use crate::progress::Progress;
use crate::tree::{Bytes, Node};

/// A file whose contents still need rendering.
struct Job<'a> {
    path: String,
    source: String,
    bytes: &'a Bytes,
    executable: bool,
    templated: bool,
    /// The context of its path's `{% yield %}` items, if any.
    ctx: Option<Arc<Context>>,
}

/// Where an entry goes (one of several places when a `{% yield %}` in its
/// path, or its folder's, makes it several).
struct Placed {
    /// The rendered path.
    path: String,
    /// The template path it comes from, for errors.
    source: String,
    /// Whether the templates suffix made it a template.
    templated: bool,
    /// The context of the `{% yield %}` items of its path, if any.
    ctx: Option<Arc<Context>>,
}

/// A place of a template folder in the render: its rendered path, and the
/// context of the `{% yield %}` items of that path, if any.
#[derive(Clone)]
struct Place {
    path: String,
    ctx: Option<Arc<Context>>,
}

pub(super) struct Walk<'a> {
    config: &'a TemplateConfig,
    engine: &'a Engine,
    ctx: &'a Context,
    exclude: &'a PathMatcher,
    always_excluded: PathMatcher,
    root: &'a str,
    suffix: &'a str,
    /// The partials folder relative to `root`, never rendered.
    partials: Option<String>,
    /// Whether a symlink with the suffix is a template (Copier).
    links_rendered: bool,
    /// Copier takes a file's mode from git's index, where a symlink it
    /// follows has no executable bit.
    link_mode: bool,
    /// Entries that carry the suffix: `X.hbs` wins over `X`.
    suffixed: HashSet<&'a str>,
    /// Rendered places of each template folder: none when it was dropped,
    /// several when a `{% yield %}` in its path made several (after
    /// `_exclude`, its paths may still be matched one by one).
    dirs: HashMap<String, Vec<Place>>,
    out: Rendered,
    jobs: Vec<Job<'a>>,
    /// Rendered path → whether its template file carried the suffix.
    claimed: HashMap<String, bool>,
}

impl<'a> Walk<'a> {
    pub(super) fn new(
        config: &'a TemplateConfig,
        engine: &'a Engine,
        ctx: &'a Context,
        exclude: &'a PathMatcher,
        root: &'a str,
        entries: &'a [(String, ViewNode<'a>)],
    ) -> Result<Walk<'a>, Error> {
        let settings = &config.settings;
        let always_excluded = PathMatcher::new(&ALWAYS_EXCLUDED.map(String::from))
            .map_err(|e| Error::config(&config.file, 1, e))?;
        let suffix = settings.templates_suffix.as_str();
        let partials = {
            let p = settings.partials.trim_matches('/');
            let p = if engine.uses_partials() { p } else { "" };
            match root {
                _ if p.is_empty() => None,
                "" => Some(p.to_string()),
                r => p.strip_prefix(&format!("{r}/")).map(str::to_string),
            }
        };
        let links_rendered = config.dialect.renders_symlinks();
        let suffixed = if suffix.is_empty() {
            HashSet::new()
        } else {
            entries
                .iter()
                .filter(|(_, n)| may_be_template(n, links_rendered))
                .map(|(p, _)| p.as_str())
                .filter(|p| p.ends_with(suffix))
                .collect()
        };
        Ok(Walk {
            config,
            engine,
            ctx,
            exclude,
            always_excluded,
            root,
            suffix,
            partials,
            links_rendered,
            link_mode: engine.is_jinja(),
            suffixed,
            dirs: HashMap::new(),
            out: Rendered::default(),
            jobs: Vec::new(),
            claimed: HashMap::new(),
        })
    }

    /// Places one entry (entries come parents first).
    pub(super) fn entry(&mut self, rel: &str, node: &'a ViewNode<'a>) -> Result<(), Error> {
        let (parent, _) = rel.rsplit_once('/').unwrap_or(("", rel));
        let parents = if parent.is_empty() {
            vec![Place {
                path: String::new(),
                ctx: None,
            }]
        } else {
            self.dirs.get(parent).cloned().unwrap_or_default()
        };
        if matches!(node, ViewNode::Dir) {
            self.dirs.insert(rel.to_string(), Vec::new());
        }
        for parent in parents {
            for placed in self.place(rel, node, parent)? {
                match node {
                    ViewNode::Dir => self.dir(rel, placed)?,
                    ViewNode::Symlink { target } => self.symlink(placed, target)?,
                    ViewNode::File {
                        bytes,
                        executable,
                        via_link,
                    } => {
                        let executable = *executable && !(self.link_mode && *via_link);
                        self.file(placed, bytes, executable)?
                    }
                }
            }
        }
        Ok(())
    }

    /// The names `raw_name` of the template file `source` renders to, each
    /// a clean relative path with the context its entry renders with: one,
    /// or one per item of a `{% yield %}`, or none when it renders to
    /// nothing (the entry is dropped).
    fn rendered_names(
        &self,
        source: &str,
        raw_name: &str,
        ctx: Option<Arc<Context>>,
    ) -> Result<Vec<Place>, Error> {
        let base = ctx.as_deref().unwrap_or(self.ctx);
        let Some((text, contexts)) = self.engine.yields(source, raw_name, base)? else {
            let name = self.rendered_name(source, raw_name, base)?;
            return Ok(name.map(|path| Place { path, ctx }).into_iter().collect());
        };
        let mut names = Vec::new();
        for item_ctx in contexts {
            if let Some(path) = self.rendered_name(source, &text, &item_ctx)? {
                names.push(Place {
                    path,
                    ctx: Some(Arc::new(item_ctx)),
                });
            }
        }
        Ok(names)
    }

    /// The name `raw_name` of the template file `source` renders to, as a
    /// clean relative path; `None` when it renders to nothing.
    fn rendered_name(
        &self,
        source: &str,
        raw_name: &str,
        ctx: &Context,
    ) -> Result<Option<String>, Error> {
        let name_out = self.engine.render(source, raw_name, ctx)?;
        if name_out.is_empty() {
            return Ok(None);
        }
        let rendered_rel =
            normalize_relative(&name_out).map_err(|reason| RenderError::UnsafePath {
                path: name_out.clone(),
                from: source.to_string(),
                reason,
            })?;
        if rendered_rel.is_empty() {
            return Err(RenderError::UnsafePath {
                path: name_out,
                from: source.to_string(),
                reason: "renders to no name".to_string(),
            }
            .into());
        }
        Ok(Some(rendered_rel))
    }

    /// The rendered paths of an entry in the place `parent` of its folder:
    /// none when it is dropped, one per item of a `{% yield %}` in its name.
    /// A folder's places are added to `dirs`.
    fn place(&mut self, rel: &str, node: &ViewNode, parent: Place) -> Result<Vec<Placed>, Error> {
        let (_, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let is_dir = matches!(node, ViewNode::Dir);
        if self.partials.as_deref() == Some(rel) {
            return Ok(Vec::new());
        }
        let Some((raw_name, templated)) = self.template_name(rel, name, node) else {
            return Ok(Vec::new());
        };
        let source = self.full(rel);
        let mut placed = Vec::new();
        for Place {
            path: rendered_rel,
            ctx,
        } in self.rendered_names(&source, raw_name, parent.ctx)?
        {
            let path = if parent.path.is_empty() {
                rendered_rel
            } else {
                format!("{}/{rendered_rel}", parent.path)
            };
            // Copier matches a folder's path as it matches a file's, so
            // `build/` drops what is in `build` but not the folder.
            if self
                .exclude
                .matches(&path, is_dir && !self.engine.is_jinja())
            {
                // Its paths are still matched one by one when the dialect
                // says so; never in a folder no render may write to.
                let walk = self.config.dialect.excludes_match_each_path()
                    && !self.always_excluded.matches(&path, true)
                    && !in_git_dir(&path);
                if is_dir && walk {
                    self.add_place(rel, Place { path, ctx });
                }
                continue;
            }
            // After `_exclude`, whatever it says: a path git takes for its
            // own folder is never written.
            if let Err(reason) = clean_relative(&path) {
                return Err(RenderError::UnsafePath {
                    path,
                    from: source,
                    reason,
                }
                .into());
            }
            placed.push(Placed {
                path,
                source: source.clone(),
                templated,
                ctx,
            });
        }
        Ok(placed)
    }

    fn add_place(&mut self, rel: &str, place: Place) {
        self.dirs.entry(rel.to_string()).or_default().push(place);
    }

    /// The name to render and whether the entry is a template; `None` for
    /// `X` beside a template `X<suffix>`, which wins.
    fn template_name<'n>(
        &self,
        rel: &str,
        name: &'n str,
        node: &ViewNode,
    ) -> Option<(&'n str, bool)> {
        if !may_be_template(node, self.links_rendered) {
            return Some((name, false));
        }
        if self.suffix.is_empty() {
            return Some((name, true));
        }
        match name.strip_suffix(self.suffix) {
            Some(stripped) if !stripped.is_empty() => Some((stripped, true)),
            Some(_) => Some((name, false)),
            None if self
                .suffixed
                .contains(format!("{rel}{}", self.suffix).as_str()) =>
            {
                None
            }
            None => Some((name, false)),
        }
    }

    fn full(&self, rel: &str) -> String {
        if self.root.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.root)
        }
    }

    fn dir(&mut self, rel: &str, placed: Placed) -> Result<(), Error> {
        let Placed {
            path, source, ctx, ..
        } = placed;
        self.add_place(
            rel,
            Place {
                path: path.clone(),
                ctx,
            },
        );
        if let Some(Node::Dir) | None = self.out.tree.get(&path) {
            self.out.tree.insert(&path, Node::Dir);
            self.out.sources.entry(path).or_insert(source);
            Ok(())
        } else {
            Err(super::collision(&self.out, &path, source))
        }
    }

    fn symlink(&mut self, placed: Placed, target: &str) -> Result<(), Error> {
        let Placed {
            path,
            source,
            templated,
            ctx,
        } = placed;
        let target = if templated {
            let ctx = ctx.as_deref().unwrap_or(self.ctx);
            self.engine.render(&source, target, ctx)?
        } else {
            target.to_string()
        };
        let parent_dir = path.rsplit_once('/').map_or("", |(p, _)| p);
        let refused = match resolve_link(parent_dir, &target) {
            None => Some("is a symlink that leads outside the destination"),
            Some(to) if in_git_dir(&to) => Some("is a symlink into git's own folder"),
            Some(_) => None,
        };
        if let Some(reason) = refused {
            return Err(RenderError::UnsafePath {
                path: format!("{path} -> {target}"),
                from: source,
                reason: reason.to_string(),
            }
            .into());
        }
        if self.out.tree.get(&path).is_some() {
            return Err(super::collision(&self.out, &path, source));
        }
        self.out.tree.insert(&path, Node::Symlink { target });
        self.out.sources.insert(path, source);
        Ok(())
    }

    fn file(&mut self, placed: Placed, bytes: &'a Bytes, executable: bool) -> Result<(), Error> {
        let Placed {
            path,
            source,
            templated,
            ctx,
        } = placed;
        if self.claimed.contains_key(&path) || self.out.tree.get(&path).is_some() {
            return Err(super::collision(&self.out, &path, source));
        }
        self.claimed.insert(path.clone(), templated);
        self.out.sources.insert(path.clone(), source.clone());
        self.jobs.push(Job {
            path,
            source,
            bytes,
            executable,
            templated,
            ctx,
        });
        Ok(())
    }

    /// Renders (or copies) the collected files in parallel, each counted
    /// on `progress`, and returns the whole render.
    pub(super) fn render_files(self, progress: &dyn Progress) -> Result<Rendered, Error> {
        let Walk {
            engine,
            ctx,
            suffix,
            mut out,
            jobs,
            ..
        } = self;
        let suffix_required = !suffix.is_empty();
        progress.set_total(jobs.len() as u64);
        let files: Vec<(String, Node)> = jobs
            .into_par_iter()
            .map(|job| {
                // Copied files share the template's bytes.
                let bytes = if !job.templated {
                    job.bytes.clone()
                } else if is_binary(job.bytes) {
                    if suffix_required {
                        return Err(RenderError::BinaryTemplate(job.source).into());
                    }
                    job.bytes.clone()
                } else {
                    // UTF-8: checked by is_binary above.
                    let ctx = job.ctx.as_deref().unwrap_or(ctx);
                    engine
                        .render_file(&job.source, job.bytes, ctx)?
                        .into_bytes()
                        .into()
                };
                progress.advance(1);
                Ok((
                    job.path,
                    Node::File {
                        bytes,
                        executable: job.executable,
                    },
                ))
            })
            .collect::<Result<_, Error>>()?;
        for (path, node) in files {
            out.tree.insert(&path, node);
        }
        Ok(out)
    }
}

/// Whether the templates suffix can make this entry a template.
fn may_be_template(node: &ViewNode, links_rendered: bool) -> bool {
    match node {
        ViewNode::File { .. } => true,
        ViewNode::Symlink { .. } => links_rendered,
        ViewNode::Dir => false,
    }
}
