//! The Jinja engine of the Copier dialect: one minijinja environment per
//! template, set up as Copier sets up Jinja2, loading the template's files
//! (for `{% include %}`, `{% import %}`, `{% extends %}`) by their path from
//! the template's root, each compiled once per run.

use std::borrow::Cow;
use std::sync::Arc;

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};

use super::engine::Context;
use super::jinja::preprocess::yield_tag;
use super::jinja::{new_environment, preprocess, Delimiters, JinjaOptions};
use crate::config::TemplateConfig;
use crate::error::Error;
use crate::tree::{Bytes, FileTree, Node};

pub struct Jinja {
    env: Environment<'static>,
    opts: Arc<JinjaOptions>,
    /// The texts that open a variable, a block or a comment.
    markers: Vec<String>,
    /// Whether every text must be rendered even without markers (Jinja
    /// drops a last newline when told to).
    always: bool,
    /// The template's delimiters, for finding `{% yield %}` in names.
    delimiters: Delimiters,
}

impl Jinja {
    pub fn new(
        tree: &FileTree,
        config: &TemplateConfig,
        trusted: bool,
    ) -> Result<(Jinja, Vec<String>), Error> {
        let opts = Arc::new(JinjaOptions {
            envops: config.settings.envops.clone(),
            extensions: config.settings.jinja_extensions.clone(),
            trusted,
        });
        let (mut env, warnings) = new_environment(&opts)
            .map_err(|m| Error::config(&config.file, 1, format!("`_envops`: {m}")))?;
        if !warnings.is_empty() {
            // What a missing extension would have defined must not print
            // as nothing.
            env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        }
        // Copier's Jinja escapes nothing unless `_envops` turns `autoescape`
        // on, and then everywhere; minijinja would choose by file name and
        // quote every value of a `.json` or `.yml` file.
        let autoescape = config
            .settings
            .envops
            .get("autoescape")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        env.set_auto_escape_callback(move |_| match autoescape {
            true => AutoEscape::Html,
            false => AutoEscape::None,
        });
        let syntax = env.syntax();
        let mut markers: Vec<String> = vec![
            syntax.block_delimiters().0.to_string(),
            syntax.variable_delimiters().0.to_string(),
            syntax.comment_delimiters().0.to_string(),
        ];
        markers.extend(syntax.line_statement_prefix().map(str::to_string));
        markers.extend(syntax.line_comment_prefix().map(str::to_string));
        let always = !syntax.keep_trailing_newline();
        // `new_environment` has checked them.
        let delimiters = Delimiters::from_envops(&opts.envops)
            .map_err(|m| Error::config(&config.file, 1, format!("`_envops`: {m}")))?;
        let files = Arc::new(tree.clone());
        let loader_opts = opts.clone();
        env.set_loader(move |name| load(&files, name, &loader_opts));
        Ok((
            Jinja {
                env,
                opts,
                markers,
                always,
                delimiters,
            },
            warnings,
        ))
    }

    pub fn has_syntax(&self, text: &str) -> bool {
        self.always || text.contains('\r') || self.markers.iter().any(|m| text.contains(m.as_str()))
    }

    pub fn render(&self, file: &str, text: &str, ctx: &Context) -> Result<String, Error> {
        if !self.has_syntax(text) {
            return Ok(text.to_string());
        }
        let source = source_text(text, &self.opts);
        self.env
            .render_named_str(file, &source, ctx.jinja())
            .map_err(|e| render_error(file, e))
    }

    /// See [`Engine::yields`](super::Engine::yields).
    pub fn yields(
        &self,
        file: &str,
        part: &str,
        ctx: &Context,
    ) -> Result<Option<(String, Vec<Context>)>, Error> {
        if !part.contains(self.markers[0].as_str()) {
            return Ok(None);
        }
        let Some(tag) =
            yield_tag(part, &self.delimiters).map_err(|m| Error::render(file, None, m))?
        else {
            return Ok(None);
        };
        let items = self
            .env
            .compile_expression(&tag.items)
            .and_then(|e| e.eval(ctx.jinja()))
            .map_err(|e| render_error(file, e))?;
        let mut contexts = Vec::new();
        // Jinja2 iterates an undefined value as an empty one.
        if !items.is_undefined() {
            let items = items.try_iter().map_err(|e| render_error(file, e))?;
            for item in items {
                let value = serde_json::to_value(&item)
                    .map_err(|e| Error::render(file, None, e.to_string()))?;
                contexts.push(ctx.with(&tag.name, value)?);
            }
        }
        Ok(Some((tag.text, contexts)))
    }

    pub fn render_file(&self, file: &str, bytes: &Bytes, ctx: &Context) -> Result<String, Error> {
        let text = String::from_utf8_lossy(bytes);
        if !self.has_syntax(&text) {
            return Ok(text.into_owned());
        }
        let template = self
            .env
            .get_template(file)
            .map_err(|e| render_error(file, e))?;
        template
            .render(ctx.jinja())
            .map_err(|e| render_error(file, e))
    }
}

/// The text Jinja compiles for `text`: line ends made `\n` as Jinja2's
/// lexer makes them, then Jinja2-only syntax rewritten.
fn source_text<'a>(text: &'a str, opts: &JinjaOptions) -> Cow<'a, str> {
    if text.contains('\r') {
        let unified = text.replace("\r\n", "\n").replace('\r', "\n");
        Cow::Owned(preprocess(&unified, opts).into_owned())
    } else {
        preprocess(text, opts)
    }
}

/// The template file `name` (a path from the template's root), its
/// symlinks followed inside the template.
fn load(
    tree: &FileTree,
    name: &str,
    opts: &JinjaOptions,
) -> Result<Option<String>, minijinja::Error> {
    let mut path = name.trim_start_matches("./").to_string();
    for _ in 0..=super::MAX_LINK_DEPTH {
        match tree.get(&path) {
            Some(Node::File { bytes, .. }) => {
                let text = std::str::from_utf8(bytes).map_err(|_| {
                    minijinja::Error::new(
                        ErrorKind::CannotDeserialize,
                        format!("`{name}` is not UTF-8 text"),
                    )
                })?;
                return Ok(Some(source_text(text, opts).into_owned()));
            }
            Some(Node::Symlink { target }) => {
                let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
                match super::resolve_link(parent, target) {
                    Some(next) => path = next,
                    None => return Ok(None),
                }
            }
            _ => return Ok(None),
        }
    }
    Ok(None)
}

fn render_error(file: &str, e: minijinja::Error) -> Error {
    let mut message = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        message.push_str(&format!(": {c}"));
        cause = c.source();
    }
    Error::render(e.name().unwrap_or(file), e.line(), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(copier_yml: &str, file: &str, text: &str) -> String {
        let mut tree = FileTree::new();
        tree.insert("copier.yml", Node::file(copier_yml));
        tree.insert(file, Node::file(text));
        let config = crate::config::load(&tree, "t").unwrap();
        let (jinja, _) = Jinja::new(&tree, &config, false).unwrap();
        let ctx = Context::of(&serde_json::json!({"name": "a<b"})).unwrap();
        let Some(Node::File { bytes, .. }) = tree.get(file) else {
            unreachable!("the file was just inserted")
        };
        jinja.render_file(file, bytes, &ctx).unwrap()
    }

    #[test]
    fn values_are_escaped_only_when_envops_say_so() {
        for file in ["data.json.jinja", "c.yml.jinja", "page.html.jinja"] {
            assert_eq!(render("", file, "{{ name }}"), "a<b", "{file}");
        }
        assert_eq!(
            render("_envops: {autoescape: true}", "c.yml.jinja", "{{ name }}"),
            "a&lt;b"
        );
    }
}
