//! The template's `graft.yml`: settings and questions, as typed values.
//!
//! [`load`] reads the file (and its `!include`d documents) from the
//! template's in-memory tree, so loading a template never runs or reads
//! anything outside it. Every error names the file and line.

mod load;
pub mod yaml;

pub use load::{choices_from_text, load, load_as, TYPES};

use serde_json::Value;

use crate::dialect::Dialect;

/// Whether the configuration file of `tree` may pull in other files of the
/// template (`!include`, or a symlink to another file); errs on the side
/// of yes.
pub fn includes_files(tree: &crate::tree::FileTree) -> bool {
    let dialect = Dialect::detect(tree).unwrap_or_default();
    dialect.config_files().iter().any(|f| match tree.get(f) {
        Some(crate::tree::Node::File { bytes, .. }) => {
            bytes.windows(b"!include".len()).any(|w| w == b"!include")
        }
        Some(crate::tree::Node::Symlink { .. }) => true,
        _ => false,
    })
}

/// Where a definition came from, for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: u64,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A loaded template configuration.
#[derive(Clone, Debug)]
pub struct TemplateConfig {
    /// The template format.
    pub dialect: Dialect,
    /// The file the configuration was read from (`graft.yml` or `graft.yaml`).
    pub file: String,
    pub settings: Settings,
    /// Questions in declaration order.
    pub questions: Vec<Question>,
}

/// The `_`-prefixed settings of SPEC §2.
#[derive(Clone, Debug)]
pub struct Settings {
    pub subdirectory: String,
    pub templates_suffix: String,
    /// The template's own patterns; see [`TemplateConfig::excludes`] for
    /// the dialect's defaults.
    pub exclude: Vec<String>,
    /// Whether the template sets `_exclude` (a Copier template that does
    /// replaces Copier's default excludes).
    pub exclude_set: bool,
    pub skip_if_exists: Vec<String>,
    pub answers_file: String,
    pub tasks: Vec<Task>,
    pub migrations: Vec<Migration>,
    pub message_before_copy: Option<String>,
    pub message_after_copy: Option<String>,
    pub message_before_update: Option<String>,
    pub message_after_update: Option<String>,
    pub min_graft_version: Option<semver::Version>,
    pub preserve_symlinks: bool,
    pub secret_questions: Vec<String>,
    pub partials: String,
    /// Name → templated path relative to the destination, in declaration order.
    pub external_data: Vec<(String, String)>,
    /// Blocks this template wires into files of the project (SPEC §12).
    pub injections: Vec<Injection>,
    /// Copier's `_envops`: how Jinja is set up (delimiters, whitespace).
    pub envops: serde_json::Map<String, Value>,
    /// Copier's `_jinja_extensions`, as declared.
    pub jinja_extensions: Vec<String>,
    /// Copier's `_min_copier_version`, as written.
    pub min_copier_version: Option<String>,
}

/// Where an injected block goes relative to its marker line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Anchor {
    After(String),
    Before(String),
}

/// An entry of `_injections`: templated content put next to a marker line
/// of a file inside the destination, fenced so it can be found again.
#[derive(Clone, Debug)]
pub struct Injection {
    /// Templated path of the target file, relative to DEST.
    pub into: String,
    /// Templated marker text; a line whose trimmed text equals it.
    pub anchor: Anchor,
    /// Templated block content.
    pub content: String,
    /// Comment syntax override: `#`, `//`, or `<!-- -->` (prefix and suffix).
    pub comment: Option<String>,
    pub origin: Origin,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::of(Dialect::default())
    }
}

impl Settings {
    /// The settings of a template of `dialect` that sets none.
    pub fn of(dialect: Dialect) -> Settings {
        Settings {
            subdirectory: String::new(),
            templates_suffix: dialect.default_templates_suffix().to_string(),
            exclude: Vec::new(),
            exclude_set: false,
            skip_if_exists: Vec::new(),
            answers_file: dialect.default_answers_file().to_string(),
            tasks: Vec::new(),
            migrations: Vec::new(),
            message_before_copy: None,
            message_after_copy: None,
            message_before_update: None,
            message_after_update: None,
            min_graft_version: None,
            preserve_symlinks: false,
            secret_questions: Vec::new(),
            partials: "_partials".to_string(),
            external_data: Vec::new(),
            injections: Vec::new(),
            envops: serde_json::Map::new(),
            jinja_extensions: Vec::new(),
            min_copier_version: None,
        }
    }
}

impl TemplateConfig {
    /// The exclude patterns of the template, its dialect's defaults first.
    /// As Copier does, a Copier template that sets `_exclude`, or renders
    /// from a `_subdirectory`, replaces the defaults.
    pub fn excludes(&self) -> Vec<String> {
        let s = &self.settings;
        let defaults = match self.dialect {
            Dialect::Graft => true,
            Dialect::Copier => {
                !s.exclude_set
                    && s.subdirectory
                        .trim_matches(|c| c == '/' || c == '.')
                        .is_empty()
            }
        };
        let mut out: Vec<String> = Vec::new();
        if defaults {
            out.extend(
                self.dialect
                    .default_excludes()
                    .iter()
                    .map(|p| p.to_string()),
            );
        }
        out.extend(s.exclude.iter().cloned());
        out
    }
}

/// How a task or migration command is run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Run with `sh -c`.
    Shell(String),
    /// Run directly, no shell.
    Argv(Vec<String>),
}

impl Command {
    /// The same command with `f` applied to the shell text or to every
    /// argument (rendering, masking secrets).
    pub fn map<E>(&self, mut f: impl FnMut(&str) -> Result<String, E>) -> Result<Command, E> {
        Ok(match self {
            Command::Shell(s) => Command::Shell(f(s)?),
            Command::Argv(args) => {
                Command::Argv(args.iter().map(|a| f(a)).collect::<Result<_, _>>()?)
            }
        })
    }
}

/// Shows a command as a person would type it into `sh`: shell text as is,
/// an argv list with every argument that a shell would split or expand put
/// in single quotes, so `[sh, -c, "echo a b"]` reads `sh -c 'echo a b'`.
impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Shell(s) => f.write_str(s),
            Command::Argv(args) => {
                let quoted: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
                f.write_str(&quoted.join(" "))
            }
        }
    }
}

/// `arg` as one `sh` word: unchanged when it holds only characters no shell
/// treats specially, else in single quotes (a `'` inside becomes `'\''`).
fn shell_quote(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-+=/.,:@%".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// An entry of `_tasks`.
#[derive(Clone, Debug)]
pub struct Task {
    pub command: Command,
    /// Templated condition; `None` means always.
    pub when: Option<Value>,
    pub working_directory: Option<String>,
    pub origin: Origin,
}

/// When a migration runs relative to the merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Before,
    After,
}

/// An entry of `_migrations`.
#[derive(Clone, Debug)]
pub struct Migration {
    pub command: Command,
    /// The version that brings it; `None` runs it on every update (a
    /// Copier migration without `version`).
    pub version: Option<semver::Version>,
    /// `version` as the template wrote it (`v2.0.0`).
    pub version_text: Option<String>,
    /// When it runs; `None` runs it before and after the merge, its `when`
    /// telling the two apart by `_stage` (Copier's migrations).
    pub stage: Option<Stage>,
    pub when: Option<Value>,
    pub working_directory: Option<String>,
    pub origin: Origin,
}

/// The type of a question's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuestionType {
    Str,
    Int,
    Float,
    Bool,
    Yaml,
    Json,
    Path,
}

impl QuestionType {
    pub fn parse(s: &str) -> Option<QuestionType> {
        Some(match s {
            "str" => QuestionType::Str,
            "int" => QuestionType::Int,
            "float" => QuestionType::Float,
            "bool" => QuestionType::Bool,
            "yaml" => QuestionType::Yaml,
            "json" => QuestionType::Json,
            "path" => QuestionType::Path,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            QuestionType::Str => "str",
            QuestionType::Int => "int",
            QuestionType::Float => "float",
            QuestionType::Bool => "bool",
            QuestionType::Yaml => "yaml",
            QuestionType::Json => "json",
            QuestionType::Path => "path",
        }
    }

    /// The type a default value implies when `type` is absent.
    pub fn infer(value: &Value) -> QuestionType {
        match value {
            Value::Bool(_) => QuestionType::Bool,
            Value::Number(n) if n.is_i64() || n.is_u64() => QuestionType::Int,
            Value::Number(_) => QuestionType::Float,
            Value::Array(_) | Value::Object(_) => QuestionType::Yaml,
            Value::Null | Value::String(_) => QuestionType::Str,
        }
    }
}

/// One option of a question with `choices`.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub label: String,
    pub value: Value,
    /// Templated; a non-empty rendering disables the choice with that message.
    pub validator: Option<String>,
}

/// A question of the template.
#[derive(Clone, Debug)]
pub struct Question {
    pub name: String,
    pub ty: QuestionType,
    pub help: Option<String>,
    pub default: Option<Value>,
    pub choices: Option<Vec<Choice>>,
    /// A Copier question's `choices` written as text: rendered with the
    /// answers so far and read as YAML (see [`choices_from_text`]) each
    /// time the question is asked; `choices` is then `None`.
    pub choices_text: Option<String>,
    /// A Copier question's `type` that is no type name (a template, such
    /// as `"{% if x %}int{% endif %}"`): rendered with the answers so far
    /// when the question is answered, which gives `ty`.
    pub type_text: Option<String>,
    pub multiselect: bool,
    /// Templated bool; `None` means always asked.
    pub when: Option<Value>,
    pub validator: Option<String>,
    pub secret: bool,
    pub placeholder: Option<String>,
    pub multiline: bool,
    pub origin: Origin,
}

impl Question {
    /// Whether the answer is picked from choices, listed or rendered.
    pub fn has_choices(&self) -> bool {
        self.choices.is_some() || self.choices_text.is_some()
    }
}

/// Reads y/yes/t/true/on/1 and n/no/f/false/off/0 in any case.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "t" | "true" | "on" | "1" => Some(true),
        "n" | "no" | "f" | "false" | "off" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> String {
        Command::Argv(args.iter().map(|a| a.to_string()).collect()).to_string()
    }

    #[test]
    fn argv_is_shown_shell_quoted() {
        assert_eq!(
            argv(&["python3", "-m", "venv", ".venv"]),
            "python3 -m venv .venv"
        );
        assert_eq!(
            argv(&["sh", "-c", "echo second $(basename $PWD) >> log.txt"]),
            "sh -c 'echo second $(basename $PWD) >> log.txt'"
        );
        assert_eq!(argv(&["echo", "it's", ""]), r"echo 'it'\''s' ''");
        assert_eq!(argv(&["a*", "~x", r"a\b"]), r"'a*' '~x' 'a\b'");
        assert_eq!(
            Command::Shell("echo 'a b'".into()).to_string(),
            "echo 'a b'"
        );
    }
}
