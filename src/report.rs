//! The `--json` report of copy, update and recopy: one object on stdout.
//! Its shape is documented in docs/commands.md and is stable.

use serde::Serialize;

use crate::error::Error;
use crate::plan::{Action, Plan};

#[derive(Debug, Serialize)]
pub struct Report {
    /// `copy`, `update` or `recopy`.
    pub command: &'static str,
    pub template: TemplateInfo,
    /// Every path the run looked at, with what happened to it.
    pub files: Vec<FileEntry>,
    /// Paths left with conflicts.
    pub conflicts: Vec<String>,
    /// Tasks run (or, with `--pretend`, that would run).
    pub tasks: Vec<TaskEntry>,
    /// True when `--pretend` was given and nothing was written.
    pub pretend: bool,
}

#[derive(Debug, Serialize)]
pub struct TemplateInfo {
    pub src: String,
    /// The version the project was at before (`null` for copy).
    pub from: Option<String>,
    /// The version rendered now (`null` for a folder that is not a git repository).
    pub to: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct FileEntry {
    pub path: String,
    pub action: Action,
    /// Files written beside it (`PATH.rej`, `PATH.graft-new`), under the
    /// names they got; left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra_files: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct TaskEntry {
    pub command: String,
    pub working_directory: String,
    pub status: TaskStatus,
}

/// What became of a task or migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    Ran,
    /// `--skip-tasks`.
    Skipped,
    /// `--pretend`: it would have run.
    Pretend,
}

impl TaskEntry {
    /// The entry of a task or migration, shown as people see it (secrets masked).
    pub fn of(command: &crate::tasks::PreparedCommand, status: TaskStatus) -> TaskEntry {
        TaskEntry {
            command: command.display(),
            working_directory: command.working_directory.clone(),
            status,
        }
    }
}

impl Report {
    pub fn files_from(plan: &Plan) -> Vec<FileEntry> {
        plan.changes
            .iter()
            .map(|c| FileEntry {
                path: c.path.clone(),
                action: c.action,
                extra_files: c.extra.iter().map(|(p, _)| p.clone()).collect(),
            })
            .collect()
    }
}

/// Prints one `--json` report on stdout, pretty: every command's report
/// goes through here. Reports hold text, numbers, lists and maps with text
/// keys, which JSON always represents; a failure to write one is still an
/// error, never a missing or empty report.
pub fn print<T: Serialize + ?Sized>(report: &T) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(report).map_err(|e| {
        Error::io(
            "write the JSON report to",
            "stdout",
            std::io::Error::other(e),
        )
    })?;
    println!("{text}");
    Ok(())
}

/// Prints the `--json` output of a command over one or more answers files:
/// the report itself for one, an array of them for several.
pub fn print_json<T: Serialize>(reports: &[T]) -> Result<(), Error> {
    match reports {
        [one] => print(one),
        all => print(all),
    }
}
