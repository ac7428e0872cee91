//! Copier's Jinja2 environment, rebuilt on minijinja.
//!
//! Copier renders templates with a Jinja2 `SandboxedEnvironment` that it
//! configures from `_envops`, extends with jinja2_ansible_filters and any
//! `_jinja_extensions`, and gives a `pathjoin` global. This module builds a
//! [`minijinja::Environment`] that renders the same text for what real
//! templates use:
//!
//! - the syntax settings of `_envops` (delimiters, line prefixes,
//!   `trim_blocks`, `lstrip_blocks`, `keep_trailing_newline`, which Copier
//!   turns on), jinja2's lenient `Undefined` (or `StrictUndefined`);
//! - values printed as Python prints them (`True`, `None`, `['a']`);
//! - the Jinja2 built-ins minijinja lacks or treats differently
//!   ([`jinja2`]), Ansible's filters ([`ansible`]), the extensions templates
//!   declare and the filters popular templates define for themselves
//!   ([`extensions`]), and Python string methods ([`methods`]);
//! - a source rewrite ([`preprocess`]) for the Jinja2 syntax minijinja does
//!   not parse: the `{% now %}` tag and the `%` string operator.
//!
//! It does not read `copier.yml`, walk files or decide what to render:
//! the dialect plumbing does, and calls [`new_environment`] and
//! [`preprocess`]. Python extensions that ship inside a template cannot
//! run; they come back as warnings, not errors, because most only add
//! filters graft may already provide.

pub mod ansible;
pub mod extensions;
pub mod hash;
pub mod jinja2;
pub mod methods;
pub mod mutable;
pub mod preprocess;
pub mod pydata;
pub mod pyjson;
pub mod pystr;
pub mod pyyaml;
pub mod time;

use std::borrow::Cow;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::Value as Json;

/// How a template wants its Jinja2 environment, from `copier.yml`.
#[derive(Debug, Clone, Default)]
pub struct JinjaOptions {
    /// Copier `_envops` as given (keys: block_start_string, block_end_string, variable_start_string, variable_end_string, comment_start_string, comment_end_string, line_statement_prefix, line_comment_prefix, trim_blocks, lstrip_blocks, keep_trailing_newline, autoescape ...). Copier defaults keep_trailing_newline to true.
    pub envops: serde_json::Map<String, serde_json::Value>,
    /// `_jinja_extensions` names as declared by the template.
    pub extensions: Vec<String>,
    /// Whether commands may run (the `shell` filter of jinja2_shell_extension; refused with a clear error otherwise).
    pub trusted: bool,
}

/// The delimiters and whitespace rules `_envops` sets, with Jinja2's
/// defaults for what it leaves out.
#[derive(Debug, Clone, PartialEq)]
pub struct Delimiters {
    pub block: (String, String),
    pub variable: (String, String),
    pub comment: (String, String),
    pub line_statement_prefix: Option<String>,
    pub line_comment_prefix: Option<String>,
    pub trim_blocks: bool,
    pub lstrip_blocks: bool,
    pub keep_trailing_newline: bool,
}

/// `_envops` keys Jinja2's `Environment` accepts but that change nothing
/// graft renders.
const IGNORED_ENVOPS: &[&str] = &[
    "optimized",
    "cache_size",
    "auto_reload",
    "enable_async",
    "finalize",
    "loader",
    "bytecode_cache",
];

impl Delimiters {
    /// Reads the syntax part of `_envops`; a value of the wrong type is an
    /// error, as Jinja2 fails on it too.
    pub fn from_envops(envops: &serde_json::Map<String, Json>) -> Result<Delimiters, String> {
        let text = |key: &str, default: &str| -> Result<String, String> {
            match envops.get(key) {
                None => Ok(default.to_owned()),
                Some(Json::String(s)) if !s.is_empty() => Ok(s.clone()),
                Some(other) => Err(format!(
                    "`_envops.{key}` must be a non-empty string, not `{other}`"
                )),
            }
        };
        let prefix = |key: &str| -> Result<Option<String>, String> {
            match envops.get(key) {
                None | Some(Json::Null) => Ok(None),
                Some(Json::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
                Some(other) => Err(format!(
                    "`_envops.{key}` must be a non-empty string, not `{other}`"
                )),
            }
        };
        let flag = |key: &str, default: bool| -> Result<bool, String> {
            match envops.get(key) {
                None => Ok(default),
                Some(Json::Bool(b)) => Ok(*b),
                Some(other) => Err(format!(
                    "`_envops.{key}` must be true or false, not `{other}`"
                )),
            }
        };
        Ok(Delimiters {
            block: (
                text("block_start_string", "{%")?,
                text("block_end_string", "%}")?,
            ),
            variable: (
                text("variable_start_string", "{{")?,
                text("variable_end_string", "}}")?,
            ),
            comment: (
                text("comment_start_string", "{#")?,
                text("comment_end_string", "#}")?,
            ),
            line_statement_prefix: prefix("line_statement_prefix")?,
            line_comment_prefix: prefix("line_comment_prefix")?,
            trim_blocks: flag("trim_blocks", false)?,
            lstrip_blocks: flag("lstrip_blocks", false)?,
            keep_trailing_newline: flag("keep_trailing_newline", true)?,
        })
    }

    fn syntax(&self) -> Result<SyntaxConfig, String> {
        let mut builder = SyntaxConfig::builder();
        builder
            .block_delimiters(self.block.0.clone(), self.block.1.clone())
            .variable_delimiters(self.variable.0.clone(), self.variable.1.clone())
            .comment_delimiters(self.comment.0.clone(), self.comment.1.clone())
            .trim_blocks(self.trim_blocks)
            .lstrip_blocks(self.lstrip_blocks)
            .keep_trailing_newline(self.keep_trailing_newline);
        if let Some(prefix) = &self.line_statement_prefix {
            builder.line_statement_prefix(prefix.clone());
        }
        if let Some(prefix) = &self.line_comment_prefix {
            builder.line_comment_prefix(prefix.clone());
        }
        builder
            .build()
            .map_err(|e| format!("invalid `_envops` delimiters: {e}"))
    }
}

/// Builds the environment Copier would build for these options.
///
/// Warnings for declared extensions graft cannot provide (template-local Python), each naming the extension.
pub fn new_environment(
    opts: &JinjaOptions,
) -> Result<(minijinja::Environment<'static>, Vec<String>), String> {
    let mut warnings = Vec::new();
    let mut env = Environment::new();

    for key in opts.envops.keys() {
        match key.as_str() {
            "block_start_string"
            | "block_end_string"
            | "variable_start_string"
            | "variable_end_string"
            | "comment_start_string"
            | "comment_end_string"
            | "line_statement_prefix"
            | "line_comment_prefix"
            | "trim_blocks"
            | "lstrip_blocks"
            | "keep_trailing_newline"
            | "autoescape"
            | "undefined"
            | "newline_sequence" => {}
            key if IGNORED_ENVOPS.contains(&key) => {}
            other => return Err(format!("`_envops` has an unknown setting `{other}`")),
        }
    }
    env.set_syntax(Delimiters::from_envops(&opts.envops)?.syntax()?);
    match opts.envops.get("newline_sequence") {
        None => {}
        Some(Json::String(s)) if s == "\n" => {}
        Some(other) => warnings.push(format!(
            "graft always writes `\\n` line breaks; `_envops.newline_sequence` {other} is ignored"
        )),
    }
    match opts.envops.get("undefined") {
        None => env.set_undefined_behavior(UndefinedBehavior::Lenient),
        Some(Json::String(s)) if s == "jinja2.Undefined" => {
            env.set_undefined_behavior(UndefinedBehavior::Lenient)
        }
        Some(Json::String(s)) if s == "jinja2.StrictUndefined" => {
            env.set_undefined_behavior(UndefinedBehavior::Strict)
        }
        Some(other) => {
            return Err(format!(
                "unsupported `_envops.undefined` value {other}; supported values are \
                 \"jinja2.Undefined\" and \"jinja2.StrictUndefined\""
            ))
        }
    }
    match opts.envops.get("autoescape") {
        None | Some(Json::Bool(false)) => env.set_auto_escape_callback(|_| AutoEscape::None),
        Some(Json::Bool(true)) => env.set_auto_escape_callback(|_| AutoEscape::Html),
        Some(other) => {
            return Err(format!(
                "`_envops.autoescape` must be true or false, not `{other}`"
            ))
        }
    }
    env.set_formatter(jinja2::python_formatter);
    env.set_unknown_method_callback(methods::unknown_method_callback);
    env.add_filter("_graft_mutable", mutable::mutable);

    jinja2::register(&mut env);
    ansible::register(&mut env);
    extensions::register(&mut env, opts.trusted);

    for name in &opts.extensions {
        if let Some(warning) = extensions::check_extension(name) {
            warnings.push(warning);
        }
    }
    Ok((env, warnings))
}

/// Rewrites Jinja2-only syntax minijinja does not parse into equivalent minijinja syntax before compiling (e.g. `{% now 'utc', '%Y' %}` from jinja2_time → a call of a registered function; Python `%` string formatting `"%s-%s" % (a, b)` → a registered filter/function call) — honouring the custom delimiters from envops. Return the text unchanged (Cow::Borrowed) when nothing applies.
pub fn preprocess<'a>(text: &'a str, opts: &JinjaOptions) -> Cow<'a, str> {
    match Delimiters::from_envops(&opts.envops) {
        Ok(delimiters) => preprocess::rewrite(text, &delimiters),
        // new_environment reports the bad `_envops`; nothing to rewrite
        // with until it is fixed.
        Err(_) => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests;
