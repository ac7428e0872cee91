//! The engine a template's files are rendered with, whatever its dialect:
//! handlebars for graft's own templates, Jinja for Copier's. The rest of
//! graft renders through [`Engine`] with a [`Context`] and never names the
//! template language.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::hbs::Hbs;
use super::jinja_engine::Jinja;
use crate::config::TemplateConfig;
use crate::dialect::Dialect;
use crate::error::Error;
use crate::tree::{Bytes, FileTree};

pub use super::hbs::{truthy, Compiled};

/// The data a template renders with: plain JSON values (answers, the run's
/// own facts, `_external_data`). Graft's own type, so that no stage
/// outside the engines depends on how an engine holds its data; each
/// engine converts it once, on first use.
pub struct Context {
    value: Value,
    hbs: OnceLock<handlebars::Context>,
    jinja: OnceLock<minijinja::Value>,
}

impl Context {
    /// The context holding `data`, which must serialize to a JSON object.
    pub fn of(data: &impl serde::Serialize) -> Result<Context, Error> {
        let value = serde_json::to_value(data).map_err(|e| Error::Usage(e.to_string()))?;
        if !value.is_object() {
            return Err(Error::Usage(
                "a render context must be a mapping".to_string(),
            ));
        }
        Ok(Context {
            value,
            hbs: OnceLock::new(),
            jinja: OnceLock::new(),
        })
    }

    /// The data as JSON.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// This context with `name` bound to `value`.
    pub fn with(&self, name: &str, value: Value) -> Result<Context, Error> {
        let mut data = self.value.clone();
        if let Value::Object(map) = &mut data {
            map.insert(name.to_string(), value);
        }
        Context::of(&data)
    }

    pub(super) fn hbs(&self) -> Result<&handlebars::Context, Error> {
        // A clone of the JSON, not a second serialization of it.
        Ok(self
            .hbs
            .get_or_init(|| handlebars::Context::from(self.value.clone())))
    }

    pub(super) fn jinja(&self) -> &minijinja::Value {
        self.jinja
            .get_or_init(|| minijinja::Value::from(minijinja::value::Serde(&self.value)))
    }
}

/// A template language set up for one template.
pub struct Engine(Kind);

enum Kind {
    Handlebars(Box<Hbs>),
    Jinja(Box<Jinja>),
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl Engine {
    /// A new engine for a template of its dialect: `tree` is the whole
    /// template (Jinja's includes and imports name files of it from its
    /// root), `config` its configuration, `trusted` whether its commands
    /// may run (Copier's `shell` filter). Also returns the warnings of the
    /// set-up (an extension graft cannot run).
    pub fn for_template(
        tree: &FileTree,
        config: &TemplateConfig,
        trusted: bool,
    ) -> Result<(Engine, Vec<String>), Error> {
        match config.dialect {
            Dialect::Graft => Ok((Engine::new(), Vec::new())),
            Dialect::Copier => Engine::jinja(tree, config, trusted),
        }
    }

    /// graft's handlebars engine with its helpers and no partials.
    pub fn new() -> Engine {
        Engine(Kind::Handlebars(Box::default()))
    }

    /// A Jinja engine set up as Copier sets up Jinja for `config`, loading
    /// includes and imports from `tree`; with the warnings of the set-up.
    pub fn jinja(
        tree: &FileTree,
        config: &TemplateConfig,
        trusted: bool,
    ) -> Result<(Engine, Vec<String>), Error> {
        let (jinja, warnings) = Jinja::new(tree, config, trusted)?;
        Ok((Engine(Kind::Jinja(Box::new(jinja))), warnings))
    }

    /// Whether this is the Jinja engine of Copier's templates.
    pub fn is_jinja(&self) -> bool {
        matches!(self.0, Kind::Jinja(_))
    }

    /// Whether this engine takes partials from a folder of the template
    /// (handlebars); Jinja includes files by their path instead.
    pub fn uses_partials(&self) -> bool {
        matches!(self.0, Kind::Handlebars(_))
    }

    /// Keeps the templates this engine compiles for files in `compiled`,
    /// and reuses the ones already there (handlebars only: a Jinja engine
    /// compiles each file of its template once by itself).
    pub fn share_compiled(&mut self, compiled: Arc<Compiled>) {
        if let Kind::Handlebars(h) = &mut self.0 {
            h.share_compiled(compiled);
        }
    }

    /// Registers a partial; `file` names it in errors. Call
    /// [`Engine::check_partials`] once all are added.
    pub fn add_partial(&mut self, name: &str, text: &str, file: &str) -> Result<(), Error> {
        match &mut self.0 {
            Kind::Handlebars(h) => h.add_partial(name, text, file),
            Kind::Jinja(_) => Ok(()),
        }
    }

    /// Refuses partials that include each other, or nest too deep.
    pub fn check_partials(&mut self) -> Result<(), Error> {
        match &mut self.0 {
            Kind::Handlebars(h) => h.check_partials(),
            Kind::Jinja(_) => Ok(()),
        }
    }

    /// Whether `text` holds anything this engine would render; text without
    /// it renders to itself.
    pub fn has_syntax(&self, text: &str) -> bool {
        match &self.0 {
            Kind::Handlebars(_) => Hbs::has_syntax(text),
            Kind::Jinja(j) => j.has_syntax(text),
        }
    }

    /// Whether `text` holds syntax of graft's own dialect, which renders
    /// templates without reading other files.
    pub fn graft_syntax(text: &str) -> bool {
        Hbs::has_syntax(text)
    }

    /// Renders `text` with `ctx`; `file` names it in errors (a path, or
    /// `graft.yml:12 (default of name)`).
    pub fn render(&self, file: &str, text: &str, ctx: &Context) -> Result<String, Error> {
        match &self.0 {
            Kind::Handlebars(h) => h.render(file, text, ctx),
            Kind::Jinja(j) => j.render(file, text, ctx),
        }
    }

    /// Copier's `{% yield NAME from ITEMS %}BODY{% endyield %}` in the
    /// path name `part` of the template file `file`: the name to render
    /// once per item (the tag replaced by its body) and, per item, `ctx`
    /// with `NAME` bound to it. `None` when `part` holds no such tag, and
    /// always for graft's own templates.
    pub fn yields(
        &self,
        file: &str,
        part: &str,
        ctx: &Context,
    ) -> Result<Option<(String, Vec<Context>)>, Error> {
        match &self.0 {
            Kind::Handlebars(_) => Ok(None),
            Kind::Jinja(j) => j.yields(file, part, ctx),
        }
    }

    /// Renders the contents of the template file `file` (its path from the
    /// template's root), `bytes` being its UTF-8 text.
    pub fn render_file(&self, file: &str, bytes: &Bytes, ctx: &Context) -> Result<String, Error> {
        match &self.0 {
            Kind::Handlebars(h) => h.render_file(file, bytes, ctx),
            Kind::Jinja(j) => j.render_file(file, bytes, ctx),
        }
    }

    /// Renders a value: strings are templates, lists and mappings are
    /// rendered leaf by leaf, other values are returned as they are.
    pub fn render_value(&self, file: &str, value: &Value, ctx: &Context) -> Result<Value, Error> {
        Ok(match value {
            Value::String(s) => Value::String(self.render(file, s, ctx)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.render_value(file, v, ctx))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.render_value(file, v, ctx)?)))
                    .collect::<Result<_, Error>>()?,
            ),
            other => other.clone(),
        })
    }

    /// Evaluates a `when`-style condition: a bool, or a template whose output
    /// is read as a bool (empty, `false`, `no`, `0`… are false; for a
    /// Copier template, as Copier reads it: see [`copier_truth`]).
    pub fn condition(&self, file: &str, value: &Value, ctx: &Context) -> Result<bool, Error> {
        match value {
            Value::String(s) => {
                let out = self.render(file, s, ctx)?;
                Ok(match self.0 {
                    Kind::Jinja(_) => copier_truth(&out),
                    Kind::Handlebars(_) => {
                        crate::config::parse_bool(out.trim()).unwrap_or(!out.trim().is_empty())
                    }
                })
            }
            other => Ok(truthy(other)),
        }
    }
}

/// Whether Copier reads `text` as true: a number when it is not zero
/// (`0.0`, `-0` are false); YAML's words for true and false as they say,
/// and its nulls (`~`, `null`, `none`) as false; else true unless blank.
fn copier_truth(text: &str) -> bool {
    let text = text.trim();
    if let Ok(number) = text.parse::<f64>() {
        return number != 0.0;
    }
    !matches!(
        text.to_lowercase().as_str(),
        "" | "n" | "no" | "f" | "false" | "off" | "~" | "null" | "none"
    )
}

#[cfg(test)]
mod tests {
    use super::copier_truth;

    #[test]
    fn copier_reads_conditions_as_copier_does() {
        for t in [
            "1",
            "1.1",
            "-0.001",
            "00001",
            "+000.001",
            "trUe",
            "Yes",
            "Y",
            "on",
            "1st",
            "hello! 🤗",
        ] {
            assert!(copier_truth(t), "{t}");
        }
        for f in [
            "", "  ", "0", "0.0", "-000", "faLse", "nO", "N", "off", "~", "NonE", "nulL",
        ] {
            assert!(!copier_truth(f), "{f:?}");
        }
    }
}
