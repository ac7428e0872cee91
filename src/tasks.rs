//! Running a template's `_tasks` and `_migrations` in the destination.
//!
//! Tasks run only after the files are written, never inside a render, and
//! only with consent (see `trust`). A failing command stops the run with
//! its command and exit status.

use crate::dialect::{Dialect, Operation};
use std::path::Path;

use crate::render::Context;
use serde_json::{Map, Value};

use crate::config::{Command, Migration, Stage, Task};
use crate::error::{Error, RenderError, TaskError};
use crate::interrupt::TaskEnd;
use crate::render::{clean_relative, Engine};
use crate::source::pep440;

/// A command ready to run: rendered, with its folder inside DEST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreparedCommand {
    pub command: Command,
    /// The dialect of the template, which names the task's environment.
    pub dialect: Dialect,
    /// Relative to DEST; empty for DEST itself.
    pub working_directory: String,
    /// Extra environment for migrations (`GRAFT_STAGE`, …).
    pub env: Vec<(String, String)>,
    /// The command as shown to people: secret answers replaced by `****`.
    pub shown: String,
}

impl PreparedCommand {
    /// The command for messages and reports; never shows a secret.
    pub fn display(&self) -> String {
        self.shown.clone()
    }
}

/// The values of secret answers, so they can be masked wherever commands
/// are shown.
pub fn secret_values(
    config: &crate::config::TemplateConfig,
    context: &Map<String, Value>,
) -> Vec<String> {
    config
        .questions
        .iter()
        .filter(|q| q.secret)
        .filter_map(|q| match context.get(&q.name) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        })
        .collect()
}

/// `command` as shown to people: every secret replaced by `****`. Masked
/// argument by argument before quoting, so quoting cannot split a secret.
fn shown(command: &Command, secrets: &[String]) -> String {
    let Ok(masked) = command.map(|text| {
        let mut out = text.to_string();
        for s in secrets {
            out = out.replace(s.as_str(), "****");
        }
        Ok::<_, std::convert::Infallible>(out)
    });
    masked.to_string()
}

fn render_command(
    engine: &Engine,
    origin: &str,
    cmd: &Command,
    ctx: &Context,
) -> Result<Command, Error> {
    cmd.map(|text| engine.render(origin, text, ctx))
}

fn working_directory(
    engine: &Engine,
    origin: &str,
    wd: &Option<String>,
    ctx: &Context,
) -> Result<String, Error> {
    let Some(wd) = wd else {
        return Ok(String::new());
    };
    let rendered = engine.render(origin, wd, ctx)?;
    clean_relative(&rendered).map_err(|reason| {
        RenderError::UnsafePath {
            path: rendered,
            from: format!("{origin} (working_directory)"),
            reason: format!("{reason}; a task runs inside the destination"),
        }
        .into()
    })
}

/// Renders the tasks whose `when` holds.
pub fn prepare_tasks(
    dialect: Dialect,
    engine: &Engine,
    tasks: &[Task],
    context: &Map<String, Value>,
    secrets: &[String],
) -> Result<Vec<PreparedCommand>, Error> {
    let mut context = context.clone();
    let mut env = Vec::new();
    if dialect == Dialect::Copier {
        // Copier's tasks see `_stage`, `$STAGE` and their phase.
        context.insert("_stage".into(), "task".into());
        dialect.set_phase(&mut context, crate::dialect::Phase::Tasks);
        env.extend(dialect.env_var("STAGE").map(|n| (n, "task".to_string())));
    }
    let ctx = Context::of(&context)?;
    let mut out = Vec::new();
    for task in tasks {
        let origin = format!("{} (task)", task.origin);
        if let Some(when) = &task.when {
            if !engine.condition(&origin, when, &ctx)? {
                continue;
            }
        }
        let command = render_command(engine, &origin, &task.command, &ctx)?;
        out.push(PreparedCommand {
            shown: shown(&command, secrets),
            command,
            dialect,
            working_directory: working_directory(engine, &origin, &task.working_directory, &ctx)?,
            env: env.clone(),
        });
    }
    Ok(out)
}

/// The two versions an update goes between, as versions and as `git
/// describe` names them.
pub struct Crossing<'a> {
    pub from: &'a semver::Version,
    pub to: &'a semver::Version,
    pub from_commit: &'a str,
    pub to_commit: &'a str,
}

/// Renders the migrations of `stage` that the update crosses (`from <
/// version <= to`, or every update for one without a version); graft's in
/// version order, Copier's in the order the template lists them.
pub fn prepare_migrations(
    dialect: Dialect,
    engine: &Engine,
    migrations: &[Migration],
    stage: Stage,
    crossing: &Crossing,
    context: &Map<String, Value>,
    secrets: &[String],
) -> Result<Vec<PreparedCommand>, Error> {
    let (from, to) = (crossing.from, crossing.to);
    let mut selected: Vec<&Migration> = migrations
        .iter()
        .filter(|m| m.stage.is_none_or(|s| s == stage))
        .filter(|m| m.version.as_ref().is_none_or(|v| from < v && v <= to))
        .collect();
    if dialect == Dialect::Graft {
        selected.sort_by(|a, b| a.version.cmp(&b.version));
    }
    let mut out = Vec::new();
    for m in selected {
        let origin = format!("{} (migration)", m.origin);
        let (context, env) = migration_context(dialect, m, stage, crossing, context);
        let ctx = Context::of(&context)?;
        if let Some(when) = &m.when {
            if !engine.condition(&origin, when, &ctx)? {
                continue;
            }
        }
        let command = render_command(engine, &origin, &m.command, &ctx)?;
        out.push(PreparedCommand {
            shown: shown(&command, secrets),
            command,
            dialect,
            working_directory: working_directory(engine, &origin, &m.working_directory, &ctx)?,
            env,
        });
    }
    Ok(out)
}

/// What migration `m` is told about the update it runs in: the context it
/// renders with and the environment it runs in. Copier's migrations see
/// their facts as `_stage`, `_version_from` … and as `$STAGE`,
/// `$VERSION_FROM` …; graft's as `$GRAFT_STAGE`, `$GRAFT_VERSION_FROM` …
fn migration_context(
    dialect: Dialect,
    m: &Migration,
    stage: Stage,
    crossing: &Crossing,
    context: &Map<String, Value>,
) -> (Map<String, Value>, Vec<(String, String)>) {
    let stage_name = match stage {
        Stage::Before => "before",
        Stage::After => "after",
    };
    let mut context = context.clone();
    let mut env = Vec::new();
    match dialect {
        Dialect::Copier => {
            context.insert("_copier_phase".into(), "migrate".into());
            for (k, v) in &copier_migration_facts(m, stage_name, crossing) {
                context.insert(format!("_{k}"), Value::String(v.clone()));
                env.push((k.to_ascii_uppercase(), v.clone()));
            }
        }
        Dialect::Graft => {
            env.extend(
                [
                    ("STAGE", stage_name.to_string()),
                    ("VERSION_FROM", crossing.from.to_string()),
                    ("VERSION_TO", crossing.to.to_string()),
                    (
                        "MIGRATION_VERSION",
                        m.version
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                    ),
                ]
                .into_iter()
                .filter_map(|(name, value)| Some((dialect.env_var(name)?, value))),
            );
        }
    }
    (context, env)
}

/// The facts a Copier migration is given, by their lowercase names.
fn copier_migration_facts(
    m: &Migration,
    stage_name: &str,
    crossing: &Crossing,
) -> Vec<(&'static str, String)> {
    let mut facts = vec![
        ("stage", stage_name.to_string()),
        ("version_from", crossing.from_commit.to_string()),
        ("version_to", crossing.to_commit.to_string()),
        ("version_pep440_from", pep440(crossing.from_commit)),
        ("version_pep440_to", pep440(crossing.to_commit)),
    ];
    if let Some(v) = &m.version {
        let text = m.version_text.clone().unwrap_or_else(|| v.to_string());
        facts.push(("version_pep440_current", pep440(&text)));
        facts.push(("version_current", text));
    }
    facts
}

/// `GRAFT_ANSWER_<NAME>` for every answer; text as is, other values as JSON.
pub fn answer_env(dialect: Dialect, answers: &Map<String, Value>) -> Vec<(String, String)> {
    answers
        .iter()
        .filter(|(k, _)| !k.starts_with('_'))
        .filter_map(|(k, v)| {
            let name = k
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect::<String>();
            let value = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((dialect.env_var(&format!("ANSWER_{name}"))?, value))
        })
        .collect()
}

/// The variable that tells a graft started by a task or migration that its
/// parent holds the lock of this project folder.
pub const LOCKED_PROJECT_VAR: &str = "GRAFT_LOCKED_PROJECT";

/// Runs one command in `dest`, its output on stderr and its stdin closed,
/// in a process group of its own: SIGINT and SIGTERM reach graft, which
/// stops the group and fails with [`Error::Interrupted`] (see
/// [`crate::interrupt`]).
pub fn run(
    what: &'static str,
    cmd: &PreparedCommand,
    dest: &Path,
    operation: Operation,
    answers: &[(String, String)],
) -> Result<(), Error> {
    let dir = dest.join(&cmd.working_directory);
    let mut process = match &cmd.command {
        Command::Shell(s) => {
            let mut p = std::process::Command::new("sh");
            p.arg("-c").arg(s);
            p
        }
        Command::Argv(args) => {
            let mut p = std::process::Command::new(&args[0]);
            p.args(&args[1..]);
            p
        }
    };
    if let Some(name) = cmd.dialect.env_var("OPERATION") {
        process.env(name, operation.as_str());
    }
    process
        .current_dir(&dir)
        .env(
            LOCKED_PROJECT_VAR,
            dest.canonicalize().unwrap_or_else(|_| dest.to_path_buf()),
        )
        .envs(answers.iter().map(|(k, v)| (k, v)))
        .envs(cmd.env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        // Keep stdout clean for `--json`: task output goes to stderr.
        .stdout(std::io::stderr());
    let status = match crate::interrupt::run_task(&mut process) {
        Ok(TaskEnd::Exited(status)) => status,
        Ok(TaskEnd::Interrupted) => return Err(Error::Interrupted),
        Err(e) => {
            return Err(TaskError::CommandFailed {
                what,
                command: cmd.display(),
                status: format!("an error starting it: {e}"),
            }
            .into())
        }
    };
    if !status.success() {
        return Err(TaskError::CommandFailed {
            what,
            command: cmd.display(),
            status: match status.code() {
                Some(code) => format!("exit code {code}"),
                None => "a signal".to_string(),
            },
        }
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_before_quoting() {
        let secrets = vec!["it's s3cret".to_string()];
        let argv = Command::Argv(vec!["login".into(), "--token=it's s3cret".into()]);
        assert_eq!(shown(&argv, &secrets), "login '--token=****'");
        let shell = Command::Shell("login 'it's s3cret'".into());
        assert_eq!(shown(&shell, &secrets), "login '****'");
    }
}
