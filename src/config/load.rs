//! Reading `graft.yml` into a [`TemplateConfig`].
//!
//! The file may hold several `---` documents; a document that is only
//! `!include GLOB` pulls in other YAML files of the template. Later
//! definitions win, and list settings concatenate.

use std::collections::HashSet;

use globset::Glob;
use indexmap::IndexMap;
use serde_json::Value;

use super::yaml::{self, Node, Yaml};
use super::{
    Anchor, Choice, Command, Injection, Migration, Origin, Question, QuestionType, Settings, Stage,
    Task, TemplateConfig,
};
use crate::dialect::Dialect;
use crate::error::{ConfigError, Error, RenderError};
use crate::tree::{FileTree, Node as TreeNode};

/// Settings whose lists concatenate across documents instead of replacing.
const LIST_SETTINGS: [&str; 7] = [
    "_exclude",
    "_skip_if_exists",
    "_tasks",
    "_migrations",
    "_secret_questions",
    "_injections",
    "_jinja_extensions",
];

const QUESTION_FIELDS: [&str; 10] = [
    "type",
    "help",
    "default",
    "choices",
    "multiselect",
    "when",
    "validator",
    "secret",
    "placeholder",
    "multiline",
];

/// The question types, as an error names them.
pub const TYPES: &str = "str, int, float, bool, yaml, json, path";

/// A top-level key as read, with the file it came from.
struct Entry {
    file: String,
    key_line: u64,
    node: Node,
}

/// [`load`], except that a template with no configuration file of any
/// dialect is read as a template of `bare` that sets nothing, when `bare`
/// is Copier's dialect: Copier renders a template without `copier.yml`
/// with its defaults. graft's own dialect needs its file, so `None` (or
/// graft's dialect) keeps that an error.
pub fn load_as(
    tree: &FileTree,
    name: &str,
    bare: Option<Dialect>,
) -> Result<TemplateConfig, Error> {
    match bare {
        Some(dialect @ Dialect::Copier) if Dialect::detect(tree).is_none() => Ok(TemplateConfig {
            dialect,
            file: dialect.config_files()[0].to_string(),
            settings: Settings::of(dialect),
            questions: Vec::new(),
        }),
        _ => load(tree, name),
    }
}

/// Loads the configuration at the root of `tree`; `name` is the template
/// source, used when the file is missing.
pub fn load(tree: &FileTree, name: &str) -> Result<TemplateConfig, Error> {
    let dialect = Dialect::detect(tree).unwrap_or_default();
    let mut present = Vec::new();
    for &file in dialect.config_files() {
        if resolve_file(tree, file)?.is_some() {
            present.push(file);
        }
    }
    let file = match present.as_slice() {
        [] => return Err(ConfigError::NoConfig(name.to_string()).into()),
        [one] => *one,
        [first, second, ..] => {
            return Err(Error::config(
                *second,
                1,
                format!("both `{first}` and `{second}` exist; keep one"),
            ))
        }
    };

    let mut entries: IndexMap<String, Entry> = IndexMap::new();
    let mut lists: IndexMap<String, Vec<(String, Node)>> = IndexMap::new();
    let mut stack = Vec::new();
    read_file(tree, file, &mut entries, &mut lists, &mut stack)?;

    let mut settings = Settings::of(dialect);
    let mut questions = Vec::new();
    for (key, entry) in &entries {
        if key.starts_with('_') {
            apply_setting(dialect, &mut settings, key, entry)?;
        } else {
            questions.push(question(dialect, key, entry)?);
        }
    }
    for (key, items) in &lists {
        // Copier concatenates only these across documents; its other
        // lists are settings like any other, the last document winning.
        let items = match (dialect, key.as_str()) {
            (Dialect::Copier, "_tasks" | "_migrations" | "_injections") => {
                &items[items.len() - 1..]
            }
            _ => &items[..],
        };
        for (file, node) in items {
            apply_list_setting(dialect, &mut settings, key, file, node)?;
        }
    }

    for name in &settings.secret_questions {
        if let Some(q) = questions.iter_mut().find(|q| &q.name == name) {
            q.secret = true;
        }
    }
    for q in &questions {
        if q.secret && q.default.is_none() {
            return Err(Error::config(
                &q.origin.file,
                q.origin.line,
                format!("secret question `{}` needs a default", q.name),
            ));
        }
    }

    Ok(TemplateConfig {
        dialect,
        file: file.to_string(),
        settings,
        questions,
    })
}

fn read_file(
    tree: &FileTree,
    file: &str,
    entries: &mut IndexMap<String, Entry>,
    lists: &mut IndexMap<String, Vec<(String, Node)>>,
    stack: &mut Vec<String>,
) -> Result<(), Error> {
    let Some(TreeNode::File { bytes, .. }) = resolve_file(tree, file)?.and_then(|p| tree.get(&p))
    else {
        return Err(Error::config(file, 1, "file not found in the template"));
    };
    let text =
        std::str::from_utf8(bytes).map_err(|_| Error::config(file, 1, "not valid UTF-8 text"))?;
    let docs = yaml::parse_documents(text).map_err(|e| Error::config(file, e.line, e.message))?;
    stack.push(file.to_string());
    for doc in docs {
        if doc.tag.as_deref() == Some("!include") {
            let Some(pattern) = doc.node.as_str() else {
                return Err(Error::config(
                    file,
                    doc.node.line,
                    "`!include` takes a glob of files inside the template",
                ));
            };
            for included in include_matches(tree, file, doc.node.line, pattern)? {
                if stack.contains(&included) {
                    return Err(Error::config(
                        file,
                        doc.node.line,
                        format!("`!include {pattern}` includes `{included}` again (a cycle)"),
                    ));
                }
                read_file(tree, &included, entries, lists, stack)?;
            }
            continue;
        }
        if let Some(tag) = &doc.tag {
            return Err(Error::config(
                file,
                doc.node.line,
                format!("unsupported tag `{tag}` on a document; only `!include` is allowed"),
            ));
        }
        match doc.node.value {
            Yaml::Null => {}
            Yaml::Map(map) => {
                for (key, node) in map {
                    if LIST_SETTINGS.contains(&key.as_str()) {
                        lists.entry(key).or_default().push((file.to_string(), node));
                    } else {
                        let key_line = node.key_line;
                        entries.insert(
                            key,
                            Entry {
                                file: file.to_string(),
                                key_line,
                                node,
                            },
                        );
                    }
                }
            }
            _ => {
                return Err(Error::config(
                    file,
                    doc.node.line,
                    format!(
                        "expected a mapping of settings and questions, found {}",
                        doc.node.kind()
                    ),
                ))
            }
        }
    }
    stack.pop();
    Ok(())
}

/// The file `path` is, its symlinks followed inside the template as any
/// template symlink is; `None` when there is no file there. A symlink that
/// leads outside the template, nowhere, or around in a loop is an error.
fn resolve_file(tree: &FileTree, path: &str) -> Result<Option<String>, Error> {
    let mut current = path.to_string();
    for _ in 0..=crate::paths::MAX_LINK_DEPTH {
        let target = match tree.get(&current) {
            Some(TreeNode::File { .. }) => return Ok(Some(current)),
            Some(TreeNode::Symlink { target }) => target,
            Some(TreeNode::Dir) | None if current == path => return Ok(None),
            Some(TreeNode::Dir) | None => {
                return Err(bad_link(tree, path, "which does not exist in the template"))
            }
        };
        let parent = current.rsplit_once('/').map_or("", |(p, _)| p);
        current = crate::paths::resolve_link(parent, target)
            .ok_or_else(|| bad_link(tree, path, "which is outside the template"))?;
    }
    Err(bad_link(tree, path, "which is a loop of symlinks"))
}

fn bad_link(tree: &FileTree, path: &str, reason: &str) -> Error {
    let target = match tree.get(path) {
        Some(TreeNode::Symlink { target }) => target.clone(),
        _ => String::new(),
    };
    RenderError::BadSymlink {
        path: path.to_string(),
        target,
        reason: reason.to_string(),
    }
    .into()
}

/// Template files matched by an `!include` glob, sorted; the glob must stay
/// inside the template. Symlinks to files of the template match like the
/// files; symlinks leading elsewhere do not.
fn include_matches(
    tree: &FileTree,
    file: &str,
    line: u64,
    pattern: &str,
) -> Result<Vec<String>, Error> {
    let escapes = pattern.starts_with('/')
        || pattern.contains('\\')
        || pattern.split('/').any(|seg| seg == "..");
    if escapes {
        return Err(Error::config(
            file,
            line,
            format!("`!include {pattern}` must name files inside the template"),
        ));
    }
    let pattern_trimmed = pattern.trim_start_matches("./");
    let glob = Glob::new(pattern_trimmed)
        .map_err(|e| Error::config(file, line, format!("bad `!include` glob: {e}")))?
        .compile_matcher();
    let found: Vec<String> = tree
        .entries
        .iter()
        .filter(|(p, node)| {
            glob.is_match(p.as_str())
                && match node {
                    TreeNode::File { .. } => true,
                    TreeNode::Symlink { .. } => matches!(resolve_file(tree, p), Ok(Some(_))),
                    TreeNode::Dir => false,
                }
        })
        .map(|(p, _)| p.clone())
        .collect();
    if found.is_empty() {
        return Err(Error::config(
            file,
            line,
            format!("`!include {pattern}` matches no file of the template"),
        ));
    }
    Ok(found)
}

fn err(file: &str, node: &Node, message: impl Into<String>) -> Error {
    Error::config(file, node.line, message)
}

fn string(file: &str, key: &str, node: &Node) -> Result<String, Error> {
    match &node.value {
        Yaml::Str(s) => Ok(s.clone()),
        Yaml::Int(i) => Ok(i.to_string()),
        Yaml::Float(f) => Ok(f.to_string()),
        Yaml::Bool(b) => Ok(b.to_string()),
        _ => Err(err(
            file,
            node,
            format!("`{key}` must be a string, found {}", node.kind()),
        )),
    }
}

fn opt_string(file: &str, key: &str, node: &Node) -> Result<Option<String>, Error> {
    match node.value {
        Yaml::Null => Ok(None),
        _ => string(file, key, node).map(Some),
    }
}

fn boolean(file: &str, key: &str, node: &Node) -> Result<bool, Error> {
    match &node.value {
        Yaml::Bool(b) => Ok(*b),
        Yaml::Str(s) => crate::config::parse_bool(s).ok_or_else(|| {
            err(
                file,
                node,
                format!("`{key}` must be true or false, found `{s}`"),
            )
        }),
        _ => Err(err(
            file,
            node,
            format!("`{key}` must be true or false, found {}", node.kind()),
        )),
    }
}

/// A string or a list of strings.
fn strings(file: &str, key: &str, node: &Node) -> Result<Vec<String>, Error> {
    match &node.value {
        Yaml::Null => Ok(Vec::new()),
        Yaml::Seq(items) => items.iter().map(|i| string(file, key, i)).collect(),
        _ => Ok(vec![string(file, key, node)?]),
    }
}

fn apply_setting(
    dialect: Dialect,
    settings: &mut Settings,
    key: &str,
    entry: &Entry,
) -> Result<(), Error> {
    let (file, node) = (entry.file.as_str(), &entry.node);
    if dialect == Dialect::Copier {
        match key {
            "_envops" => {
                return match node.to_json() {
                    Value::Object(map) => {
                        settings.envops = map;
                        Ok(())
                    }
                    Value::Null => Ok(()),
                    _ => Err(err(file, node, "`_envops` must be a mapping")),
                }
            }
            "_min_copier_version" => {
                settings.min_copier_version = Some(string(file, key, node)?);
                return Ok(());
            }
            // graft's own settings mean nothing to Copier.
            "_min_graft_version" | "_partials" => return Ok(()),
            _ => {}
        }
    }
    match key {
        "_subdirectory" => settings.subdirectory = opt_string(file, key, node)?.unwrap_or_default(),
        "_templates_suffix" => {
            settings.templates_suffix = opt_string(file, key, node)?.unwrap_or_default()
        }
        "_answers_file" => {
            settings.answers_file = string(file, key, node)?;
            if settings.answers_file.trim().is_empty() {
                return Err(err(file, node, "`_answers_file` must not be empty"));
            }
        }
        "_message_before_copy" => settings.message_before_copy = opt_string(file, key, node)?,
        "_message_after_copy" => settings.message_after_copy = opt_string(file, key, node)?,
        "_message_before_update" => settings.message_before_update = opt_string(file, key, node)?,
        "_message_after_update" => settings.message_after_update = opt_string(file, key, node)?,
        "_min_graft_version" => {
            let text = string(file, key, node)?;
            let version = parse_version(&text)
                .ok_or_else(|| err(file, node, format!("`{key}` is not a version: `{text}`")))?;
            settings.min_graft_version = Some(version);
        }
        "_preserve_symlinks" => settings.preserve_symlinks = boolean(file, key, node)?,
        "_partials" => settings.partials = string(file, key, node)?.trim_matches('/').to_string(),
        "_external_data" => {
            let Yaml::Map(map) = &node.value else {
                return Err(err(
                    file,
                    node,
                    format!("`{key}` must map names to paths, found {}", node.kind()),
                ));
            };
            settings.external_data = map
                .iter()
                .map(|(name, path)| Ok((name.clone(), string(file, key, path)?)))
                .collect::<Result<_, Error>>()?;
        }
        // Copier ignores settings it does not know, and so does its dialect.
        _ if dialect == Dialect::Copier => {}
        _ => {
            return Err(Error::config(
                file,
                entry.key_line,
                format!("unknown setting `{key}`"),
            ))
        }
    }
    Ok(())
}

fn apply_list_setting(
    dialect: Dialect,
    settings: &mut Settings,
    key: &str,
    file: &str,
    node: &Node,
) -> Result<(), Error> {
    match key {
        "_exclude" => {
            settings.exclude_set = true;
            settings.exclude.extend(strings(file, key, node)?)
        }
        "_jinja_extensions" if dialect == Dialect::Copier => {
            settings.jinja_extensions.extend(strings(file, key, node)?)
        }
        "_jinja_extensions" => {
            return Err(err(
                file,
                node,
                "unknown setting `_jinja_extensions` (Jinja extensions are for Copier templates)",
            ))
        }
        "_skip_if_exists" => settings.skip_if_exists.extend(strings(file, key, node)?),
        "_secret_questions" => settings.secret_questions.extend(strings(file, key, node)?),
        "_tasks" => {
            for item in list_items(node) {
                settings.tasks.push(task(dialect, file, item)?);
            }
        }
        "_migrations" if dialect == Dialect::Copier => {
            for item in list_items(node) {
                let found = copier_migration(settings, file, item)?;
                settings.migrations.extend(found);
            }
        }
        "_migrations" => {
            for item in list_items(node) {
                settings.migrations.push(migration(file, item)?);
            }
        }
        "_injections" if dialect == Dialect::Copier => {}
        "_injections" => {
            for item in list_items(node) {
                settings.injections.push(injection(file, item)?);
            }
        }
        _ => unreachable!("LIST_SETTINGS and apply_list_setting disagree on `{key}`"),
    }
    Ok(())
}

fn list_items(node: &Node) -> Vec<&Node> {
    match &node.value {
        Yaml::Null => Vec::new(),
        Yaml::Seq(items) => items.iter().collect(),
        _ => vec![node],
    }
}

fn command(file: &str, node: &Node) -> Result<Command, Error> {
    match &node.value {
        Yaml::Str(s) => Ok(Command::Shell(s.clone())),
        Yaml::Seq(items) if !items.is_empty() => Ok(Command::Argv(
            items
                .iter()
                .map(|i| string(file, "command", i))
                .collect::<Result<_, _>>()?,
        )),
        _ => Err(err(
            file,
            node,
            "a command is a string (run by `sh -c`) or a non-empty list (run directly)",
        )),
    }
}

/// The fields of a `{command, ...}` mapping, checked against `allowed`.
fn fields<'a>(
    file: &str,
    map: &'a [(String, Node)],
    what: &str,
    allowed: &[&str],
) -> Result<IndexMap<&'a str, &'a Node>, Error> {
    let mut out = IndexMap::new();
    for (k, v) in map {
        if !allowed.contains(&k.as_str()) {
            return Err(err(
                file,
                v,
                format!(
                    "unknown field `{k}` in {what}; expected one of {}",
                    allowed.join(", ")
                ),
            ));
        }
        out.insert(k.as_str(), v);
    }
    Ok(out)
}

fn task(dialect: Dialect, file: &str, node: &Node) -> Result<Task, Error> {
    let origin = Origin {
        file: file.to_string(),
        line: node.line,
    };
    let Yaml::Map(map) = &node.value else {
        return Ok(Task {
            command: command(file, node)?,
            when: None,
            working_directory: None,
            origin,
        });
    };
    let allowed = ["command", "when", "working_directory"];
    let map: Vec<(String, Node)> = match dialect {
        // Copier reads the fields it knows and ignores the rest.
        Dialect::Copier => map
            .iter()
            .filter(|(k, _)| allowed.contains(&k.as_str()))
            .cloned()
            .collect(),
        Dialect::Graft => map.clone(),
    };
    let f = fields(file, &map, "a task", &allowed)?;
    let Some(cmd) = f.get("command") else {
        return Err(err(file, node, "a task mapping needs `command`"));
    };
    Ok(Task {
        command: command(file, cmd)?,
        when: f.get("when").map(|n| n.to_json()),
        working_directory: match f.get("working_directory") {
            Some(n) => opt_string(file, "working_directory", n)?,
            None => None,
        },
        origin,
    })
}

fn migration(file: &str, node: &Node) -> Result<Migration, Error> {
    let Yaml::Map(map) = &node.value else {
        return Err(err(
            file,
            node,
            "a migration is a mapping with `command` and `version`",
        ));
    };
    let f = fields(
        file,
        map,
        "a migration",
        &["command", "version", "when", "working_directory", "stage"],
    )?;
    let (Some(cmd), Some(version)) = (f.get("command"), f.get("version")) else {
        return Err(err(file, node, "a migration needs `command` and `version`"));
    };
    let text = string(file, "version", version)?;
    let version = parse_version(&text)
        .ok_or_else(|| err(file, version, format!("`{text}` is not a version")))?;
    let text = text.trim().to_string();
    let stage = match f.get("stage") {
        None => Stage::After,
        Some(n) => match n.as_str() {
            Some("before") => Stage::Before,
            Some("after") => Stage::After,
            _ => return Err(err(file, n, "`stage` is `before` or `after`")),
        },
    };
    Ok(Migration {
        command: command(file, cmd)?,
        version: Some(version),
        version_text: Some(text),
        stage: Some(stage),
        when: f.get("when").map(|n| n.to_json()),
        working_directory: match f.get("working_directory") {
            Some(n) => opt_string(file, "working_directory", n)?,
            None => None,
        },
        origin: Origin {
            file: file.to_string(),
            line: node.line,
        },
    })
}

/// Versions in `_min_graft_version` and migrations read like version tags.
fn parse_version(text: &str) -> Option<semver::Version> {
    crate::source::parse_version_tag(text.trim())
}

fn injection(file: &str, node: &Node) -> Result<Injection, Error> {
    let Yaml::Map(map) = &node.value else {
        return Err(err(
            file,
            node,
            "an injection is a mapping with `into`, `after` or `before`, and `content`",
        ));
    };
    let f = fields(
        file,
        map,
        "an injection",
        &["into", "after", "before", "content", "comment"],
    )?;
    let text = |key: &str| -> Result<Option<String>, Error> {
        match f.get(key) {
            Some(n) => opt_string(file, key, n),
            None => Ok(None),
        }
    };
    let (Some(into), Some(content)) = (text("into")?, text("content")?) else {
        return Err(err(file, node, "an injection needs `into` and `content`"));
    };
    let anchor = match (text("after")?, text("before")?) {
        (Some(a), None) => Anchor::After(a),
        (None, Some(b)) => Anchor::Before(b),
        _ => {
            return Err(err(
                file,
                node,
                "an injection needs exactly one of `after` and `before`",
            ))
        }
    };
    Ok(Injection {
        into,
        anchor,
        content,
        comment: text("comment")?,
        origin: Origin {
            file: file.to_string(),
            line: node.line,
        },
    })
}

fn question(dialect: Dialect, name: &str, entry: &Entry) -> Result<Question, Error> {
    let file = entry.file.as_str();
    let origin = Origin {
        file: file.to_string(),
        line: entry.key_line,
    };
    let invalid_name = name.is_empty()
        || name
            .chars()
            .any(|c| !(c.is_alphanumeric() || c == '_' || c == '-'));
    if invalid_name {
        return Err(Error::config(
            file,
            entry.key_line,
            format!("`{name}` is not a valid question name (letters, digits, `_` and `-` only)"),
        ));
    }
    let mut q = Question {
        name: name.to_string(),
        ty: QuestionType::Str,
        help: None,
        default: None,
        choices: None,
        choices_text: None,
        type_text: None,
        multiselect: false,
        when: None,
        validator: None,
        secret: false,
        placeholder: None,
        multiline: false,
        origin,
    };
    let Yaml::Map(map) = &entry.node.value else {
        // Shorthand: `name: value` is `name: {default: value}`.
        let default = entry.node.to_json();
        q.ty = match dialect {
            Dialect::Copier => copier_type(Some(&default)),
            Dialect::Graft => QuestionType::infer(&default),
        };
        q.default = Some(default);
        return Ok(q);
    };
    let mut explicit_type = None;
    let mut seen = HashSet::new();
    for (field, node) in map {
        seen.insert(field.as_str());
        question_field(dialect, file, &mut q, field, node, &mut explicit_type)?;
    }
    if q.multiselect && !q.has_choices() {
        return Err(Error::config(
            file,
            entry.key_line,
            format!("question `{name}` has `multiselect` but no `choices`"),
        ));
    }
    q.ty = match explicit_type {
        Some(t) => t,
        None => inferred_type(dialect, &q),
    };
    Ok(q)
}

/// Reads one field of question `q` (`type` into `explicit_type`).
fn question_field(
    dialect: Dialect,
    file: &str,
    q: &mut Question,
    field: &str,
    node: &Node,
    explicit_type: &mut Option<QuestionType>,
) -> Result<(), Error> {
    let name = q.name.clone();
    let name = name.as_str();
    match field {
        "type" => {
            let text = string(file, field, node)?;
            match QuestionType::parse(&text) {
                Some(ty) => *explicit_type = Some(ty),
                // Copier renders `type`, and reads it when it asks.
                None if dialect == Dialect::Copier => q.type_text = Some(text),
                None => {
                    let message = format!(
                        "question `{name}` has unknown type `{text}`; expected one of {TYPES}"
                    );
                    return Err(err(file, node, message));
                }
            }
        }
        "help" => q.help = opt_string(file, field, node)?,
        "default" => q.default = Some(node.to_json()),
        "choices" => match &node.value {
            // Copier renders choices written as text, then reads them.
            Yaml::Str(text) if dialect == Dialect::Copier => q.choices_text = Some(text.clone()),
            _ => q.choices = Some(choices(dialect, file, name, node)?),
        },
        "multiselect" => q.multiselect = boolean(file, field, node)?,
        "when" => q.when = Some(node.to_json()),
        "validator" => q.validator = opt_string(file, field, node)?,
        "secret" => q.secret = boolean(file, field, node)?,
        "placeholder" => q.placeholder = opt_string(file, field, node)?,
        // Copier renders `multiline`, which only shapes the prompt.
        "multiline" if dialect == Dialect::Copier && matches!(node.value, Yaml::Str(_)) => {
            q.multiline = node
                .as_str()
                .and_then(crate::config::parse_bool)
                .unwrap_or(true)
        }
        "multiline" => q.multiline = boolean(file, field, node)?,
        // Copier ignores the fields it does not know.
        _ if dialect == Dialect::Copier => {}
        other => {
            return Err(err(
                file,
                node,
                format!(
                    "unknown field `{other}` in question `{name}`; expected one of {}",
                    QUESTION_FIELDS.join(", ")
                ),
            ))
        }
    }
    Ok(())
}

/// The type of a question without `type`: Copier's rule, or graft's (the
/// default's type, or the first choice's).
fn inferred_type(dialect: Dialect, q: &Question) -> QuestionType {
    if dialect == Dialect::Copier {
        return copier_type(q.default.as_ref());
    }
    let sample = match (&q.default, &q.choices) {
        (Some(Value::Array(items)), _) if q.multiselect => items.first().cloned(),
        (Some(d), _) if !q.multiselect => Some(d.clone()),
        (_, Some(choices)) => choices.first().map(|c| c.value.clone()),
        _ => None,
    };
    sample
        .as_ref()
        .map_or(QuestionType::Str, QuestionType::infer)
}

/// The type Copier gives a question without `type`: that of its default
/// when it is a string, a number or a bool, else `yaml`.
fn copier_type(default: Option<&Value>) -> QuestionType {
    match default {
        Some(Value::Bool(_)) => QuestionType::Bool,
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => QuestionType::Int,
        Some(Value::Number(_)) => QuestionType::Float,
        Some(Value::String(_)) => QuestionType::Str,
        _ => QuestionType::Yaml,
    }
}

/// A `_migrations` entry in Copier's forms: a command (string or list)
/// run on every update; `{command, version, when, working_directory}`,
/// run before and after the merge where `when` (by default `_stage ==
/// "after"`) holds, for the updates that cross `version` when it is given;
/// or the legacy `{version, before: [...], after: [...]}`.
fn copier_migration(settings: &Settings, file: &str, node: &Node) -> Result<Vec<Migration>, Error> {
    let origin = Origin {
        file: file.to_string(),
        line: node.line,
    };
    let start = settings
        .envops
        .get("variable_start_string")
        .and_then(Value::as_str)
        .unwrap_or("{{");
    let end = settings
        .envops
        .get("variable_end_string")
        .and_then(Value::as_str)
        .unwrap_or("}}");
    let after_only = Value::String(format!("{start} _stage == \"after\" {end}"));
    let Yaml::Map(map) = &node.value else {
        return Ok(vec![Migration {
            command: command(file, node)?,
            version: None,
            version_text: None,
            stage: None,
            when: Some(after_only),
            working_directory: None,
            origin,
        }]);
    };
    let get = |k: &str| map.iter().find(|(key, _)| key == k).map(|(_, n)| n);
    let (version, version_text) = match get("version") {
        Some(n) => {
            let text = string(file, "version", n)?;
            let version = parse_version(&text)
                .ok_or_else(|| err(file, n, format!("`{text}` is not a version")))?;
            (Some(version), Some(text))
        }
        None => (None, None),
    };
    if get("before").is_some() || get("after").is_some() {
        let Some(version) = version else {
            return Err(err(
                file,
                node,
                "a migration with `before` or `after` needs `version`",
            ));
        };
        let mut out = Vec::new();
        for (key, stage) in [("before", Stage::Before), ("after", Stage::After)] {
            if let Some(list) = get(key) {
                for item in list_items(list) {
                    out.push(Migration {
                        command: command(file, item)?,
                        version: Some(version.clone()),
                        version_text: version_text.clone(),
                        stage: Some(stage),
                        when: None,
                        working_directory: None,
                        origin: origin.clone(),
                    });
                }
            }
        }
        return Ok(out);
    }
    let Some(cmd) = get("command") else {
        return Err(err(file, node, "a migration needs `command`"));
    };
    Ok(vec![Migration {
        command: command(file, cmd)?,
        version,
        version_text,
        stage: None,
        when: Some(get("when").map_or(after_only, |n| n.to_json())),
        working_directory: match get("working_directory") {
            Some(n) => opt_string(file, "working_directory", n)?,
            None => None,
        },
        origin,
    }])
}

/// The choices of a Copier question written as text, once rendered
/// (`text`): a YAML list or mapping in any of the forms `choices` takes.
pub fn choices_from_text(question: &Question, text: &str) -> Result<Vec<Choice>, Error> {
    let file = format!("{} (choices of `{}`)", question.origin, question.name);
    let node = yaml::parse(text).map_err(|e| Error::config(&file, e.line, e.message))?;
    choices(Dialect::Copier, &file, &question.name, &node)
}

/// A choice written `label: {value, validator}` (or, in Copier's
/// templates, `[label, {value, validator}]`). Copier ignores other keys.
fn extended_choice(
    dialect: Dialect,
    file: &str,
    label: &str,
    node: &Node,
) -> Result<Choice, Error> {
    let Yaml::Map(inner) = &node.value else {
        return Err(err(
            file,
            node,
            format!("choice `{label}` must be a mapping"),
        ));
    };
    let known = ["value", "validator"];
    let inner: Vec<(String, Node)> = match dialect {
        Dialect::Copier => inner
            .iter()
            .filter(|(k, _)| known.contains(&k.as_str()))
            .cloned()
            .collect(),
        Dialect::Graft => inner.clone(),
    };
    let f = fields(file, &inner, "a choice", &known)?;
    let Some(value) = f.get("value") else {
        return Err(err(file, node, format!("choice `{label}` needs `value`")));
    };
    let value = match value.to_json() {
        Value::Null if dialect == Dialect::Copier => Value::String(label.to_string()),
        value => value,
    };
    Ok(Choice {
        label: label.to_string(),
        value,
        validator: match f.get("validator") {
            Some(n) => opt_string(file, "validator", n)?,
            None => None,
        },
    })
}

/// The `choices` of `question`: a list of values or `[label, value]` pairs,
/// or a mapping of labels to values; never empty.
fn choices(
    dialect: Dialect,
    file: &str,
    question: &str,
    node: &Node,
) -> Result<Vec<Choice>, Error> {
    let out: Vec<Choice> = match &node.value {
        Yaml::Seq(items) => items
            .iter()
            .map(|item| listed_choice(dialect, file, question, item))
            .collect::<Result<_, _>>()?,
        Yaml::Map(map) => map
            .iter()
            .map(|(label, v)| match &v.value {
                Yaml::Map(_) => extended_choice(dialect, file, label, v),
                _ => Ok(Choice {
                    label: label.clone(),
                    value: choice_value(dialect, label, v),
                    validator: None,
                }),
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(err(
                file,
                node,
                format!("`choices` of `{question}` must be a list or a mapping"),
            ))
        }
    };
    if out.is_empty() {
        return Err(err(
            file,
            node,
            format!("`choices` of `{question}` is empty"),
        ));
    }
    Ok(out)
}

/// One item of a `choices` list.
fn listed_choice(
    dialect: Dialect,
    file: &str,
    question: &str,
    item: &Node,
) -> Result<Choice, Error> {
    let copier = dialect == Dialect::Copier;
    let plain = |value: Value| Choice {
        label: choice_label(&value),
        value,
        validator: None,
    };
    match &item.value {
        // A Copier `[label, {value, validator}]` pair.
        Yaml::Seq(pair) if copier && pair.len() == 2 && matches!(pair[1].value, Yaml::Map(_)) => {
            extended_choice(dialect, file, &choice_label(&pair[0].to_json()), &pair[1])
        }
        // `[label, value]` pairs, as Copier allows.
        Yaml::Seq(pair) if pair.len() == 2 => {
            let label = choice_label(&pair[0].to_json());
            Ok(Choice {
                value: choice_value(dialect, &label, &pair[1]),
                label,
                validator: None,
            })
        }
        // Copier takes a mapping as one value.
        Yaml::Map(_) if copier => Ok(plain(item.to_json())),
        Yaml::Seq(_) | Yaml::Map(_) => Err(err(
            file,
            item,
            format!("a choice of `{question}` must be a plain value or a [label, value] pair"),
        )),
        _ => Ok(plain(item.to_json())),
    }
}

/// The label shown for a choice given by its value: a string as it is,
/// anything else as JSON.
fn choice_label(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A choice's value; a Copier choice whose value is null has its label for
/// value.
fn choice_value(dialect: Dialect, label: &str, v: &Node) -> Value {
    match v.to_json() {
        Value::Null if dialect == Dialect::Copier => Value::String(label.to_string()),
        value => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> FileTree {
        let mut t = FileTree::new();
        for (p, c) in files {
            t.insert(p, TreeNode::file(c.as_bytes()));
        }
        t
    }

    fn load_err(files: &[(&str, &str)]) -> String {
        load(&tree(files), "t").unwrap_err().to_string()
    }

    #[test]
    fn a_template_without_configuration_is_copier_s_only_when_asked() {
        let bare = tree(&[("README.md.jinja", "{{ name }}\n")]);
        let c = load_as(&bare, "t", Some(Dialect::Copier)).unwrap();
        assert_eq!(
            (c.dialect, c.file.as_str()),
            (Dialect::Copier, "copier.yml")
        );
        assert!(c.questions.is_empty());
        assert_eq!(c.settings.answers_file, ".copier-answers.yml");
        for bare_as in [None, Some(Dialect::Graft)] {
            assert_eq!(
                load_as(&bare, "t", bare_as).unwrap_err().to_string(),
                "no `graft.yml` or `graft.yaml` at the root of template `t`"
            );
        }
        // A configuration file decides, whatever is asked.
        let graft = tree(&[("graft.yml", "name: x\n")]);
        let c = load_as(&graft, "t", Some(Dialect::Copier)).unwrap();
        assert_eq!(c.dialect, Dialect::Graft);
    }

    #[test]
    fn shorthand_and_inference() {
        let c = load(
            &tree(&[(
                "graft.yml",
                "name: demo\ncount: 3\nratio: 0.5\nflag: yes\nitems: [a]\n",
            )]),
            "t",
        )
        .unwrap();
        let types: Vec<_> = c.questions.iter().map(|q| q.ty.name()).collect();
        assert_eq!(types, ["str", "int", "float", "bool", "yaml"]);
        assert_eq!(c.questions[2].origin.line, 3);
    }

    #[test]
    fn includes_merge_and_lists_concatenate() {
        let c = load(
            &tree(&[
                (
                    "graft.yml",
                    "!include shared/*.yml\n---\n_exclude: [b]\nname: late\n",
                ),
                ("shared/a.yml", "_exclude: [a]\nname: early\nother: 1\n"),
            ]),
            "t",
        )
        .unwrap();
        assert_eq!(c.settings.exclude, ["a", "b"]);
        let names: Vec<_> = c.questions.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(names, ["name", "other"]);
        assert_eq!(c.questions[0].default, Some(Value::from("late")));
    }

    #[test]
    fn include_outside_template_is_refused() {
        assert_eq!(
            load_err(&[("graft.yml", "!include ../secret.yml\n")]),
            "graft.yml:1: `!include ../secret.yml` must name files inside the template"
        );
    }

    #[test]
    fn unknown_type_names_line() {
        assert_eq!(
            load_err(&[("graft.yml", "a: 1\nb:\n  type: text\n")]),
            "graft.yml:3: question `b` has unknown type `text`; expected one of str, int, float, bool, yaml, json, path"
        );
    }

    #[test]
    fn unknown_setting_names_line() {
        assert_eq!(
            load_err(&[("graft.yml", "a: 1\n_exlude: [x]\n")]),
            "graft.yml:2: unknown setting `_exlude`"
        );
    }

    #[test]
    fn secret_needs_default() {
        assert_eq!(
            load_err(&[("graft.yml", "token:\n  secret: true\n")]),
            "graft.yml:1: secret question `token` needs a default"
        );
    }

    #[test]
    fn copier_choice_forms() {
        let c = load(
            &tree(&[(
                "copier.yml",
                "a:\n  choices: {one: null, two: {value: null}}\nb:\n  choices: [[x, {value: 1, validator: 'no', disabled: ''}]]\nc:\n  choices: '{{ items }}'\nd:\n  choices: [{k: v}]\n",
            )]),
            "t",
        )
        .unwrap();
        let values = |i: usize| -> Vec<Value> {
            let choices: &Vec<Choice> = c.questions[i].choices.as_ref().unwrap();
            choices.iter().map(|c| c.value.clone()).collect()
        };
        // A null value is the label.
        assert_eq!(values(0), [Value::from("one"), Value::from("two")]);
        assert_eq!(values(1), [Value::from(1)]);
        assert_eq!(
            c.questions[1].choices.as_ref().unwrap()[0]
                .validator
                .as_deref(),
            Some("no")
        );
        assert_eq!(c.questions[2].choices_text.as_deref(), Some("{{ items }}"));
        assert!(c.questions[2].has_choices());
        assert_eq!(values(3), [serde_json::json!({"k": "v"})]);
    }

    #[test]
    fn three_choice_forms() {
        let c = load(
            &tree(&[(
                "graft.yml",
                "a:\n  choices: [x, y]\nb:\n  choices: {X: 1, Y: 2}\nc:\n  choices:\n    X: {value: x, validator: 'no'}\n",
            )]),
            "t",
        )
        .unwrap();
        assert_eq!(
            c.questions[0].choices.as_ref().unwrap()[1].value,
            Value::from("y")
        );
        assert_eq!(c.questions[1].ty, QuestionType::Int);
        assert_eq!(
            c.questions[2].choices.as_ref().unwrap()[0]
                .validator
                .as_deref(),
            Some("no")
        );
    }
}
