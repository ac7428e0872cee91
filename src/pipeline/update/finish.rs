//! After the plan: writing it (or saying what would be written), the
//! migrations and tasks, and the report.

use std::path::Path;

use serde_json::Value;

use super::{Prepared, Renders, UpdateSettings};
use crate::apply;
use crate::dialect::Operation;
use crate::env::Env;
use crate::error::{Error, EXIT_ATTENTION};
use crate::plan::{Action, Plan};
use crate::printer::{print_diffs, Printer};
use crate::project_git::Unmerged;
use crate::report::{Report, TaskEntry, TaskStatus, TemplateInfo};
use crate::tasks::{self, PreparedCommand};
use crate::tree::Node;

pub(super) fn print_update_plan(printer: &Printer, plan: &Plan) {
    for change in &plan.changes {
        if change.action == Action::Identical {
            continue;
        }
        printer.status_noted(change.action, &change.path, change.note.as_deref());
    }
}

/// `--pretend`: the diffs, and what would run.
pub(super) fn pretend(
    s: &UpdateSettings,
    printer: &Printer,
    plan: &Plan,
    r: &mut Renders,
    after_migrations: &[PreparedCommand],
    tasks: &[PreparedCommand],
) {
    if s.diff {
        print_diffs(plan);
    }
    for m in r.before_migrations.iter().chain(after_migrations) {
        printer.info(&format!("would run migration: {}", m.display()));
        r.task_entries.push(TaskEntry::of(m, TaskStatus::Pretend));
    }
    for t in tasks {
        if s.render.skip_tasks {
            r.task_entries.push(TaskEntry::of(t, TaskStatus::Skipped));
        } else {
            printer.info(&format!("would run: {}", t.display()));
            r.task_entries.push(TaskEntry::of(t, TaskStatus::Pretend));
        }
    }
    printer.info("pretend: nothing was written");
}

/// Writes the plan, and the git index in the same transaction.
pub(super) fn execute(
    env: &Env,
    dest: &Path,
    s: &UpdateSettings,
    p: &Prepared,
    plan: &Plan,
) -> Result<(), Error> {
    let marked: Vec<(&str, &crate::plan::Sides, bool)> = plan
        .changes
        .iter()
        .filter_map(|c| {
            let sides = c.sides.as_deref()?;
            let exec = matches!(
                c.write.as_ref().or(c.before.as_ref()),
                Some(Node::File {
                    executable: true,
                    ..
                })
            );
            Some((c.path.as_str(), sides, exec))
        })
        .collect();
    // Where git ignores executable bits on disk, a bit the update
    // changes goes into the index too, or the next commit loses it.
    let modes: Vec<(&str, bool)> = match &p.git {
        Some(git) if git.ignores_file_modes() => plan
            .changes
            .iter()
            .filter(|c| c.sides.is_none())
            .filter_map(|c| match &c.write {
                Some(Node::File { executable, .. }) => Some((c.path.as_str(), *executable)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    // The conflicts go into the git index in the same transaction as
    // the files: a run killed in between leaves neither.
    let index = match &p.git {
        Some(git) if !marked.is_empty() || !modes.is_empty() => Some(apply::IndexWrite {
            path: git.index_path(),
            write: Box::new(|| {
                git.set_index_modes(&modes)?;
                git.mark_conflicts(&marked)
            }),
        }),
        _ => None,
    };
    let bar = (s.progress)("writing");
    apply::apply_with_index(dest, plan, &env.journals(), index, bar.as_ref())
}

/// After the write: the `after` migrations, the tasks, the message.
pub(super) fn run_after(
    printer: &Printer,
    dest: &Path,
    s: &UpdateSettings,
    p: &Prepared,
    r: &mut Renders,
    after_migrations: &[PreparedCommand],
    tasks: &[PreparedCommand],
) -> Result<(), Error> {
    run_commands(
        "migration",
        after_migrations,
        dest,
        &r.new.answers.context,
        printer,
        &mut r.task_entries,
    )?;
    if s.render.skip_tasks {
        r.task_entries
            .extend(tasks.iter().map(|t| TaskEntry::of(t, TaskStatus::Skipped)));
    } else {
        run_commands(
            "task",
            tasks,
            dest,
            &r.new.answers.context,
            printer,
            &mut r.task_entries,
        )?;
    }
    if let Some(message) = &p.new_config.settings.message_after_update {
        printer.message(
            &r.new
                .message(&p.new_config, "_message_after_update", message)?,
        );
    }
    Ok(())
}

pub(super) fn run_commands(
    what: &'static str,
    commands: &[PreparedCommand],
    dest: &Path,
    context: &serde_json::Map<String, Value>,
    printer: &Printer,
    entries: &mut Vec<TaskEntry>,
) -> Result<(), Error> {
    let Some(dialect) = commands.first().map(|c| c.dialect) else {
        return Ok(());
    };
    let answers = tasks::answer_env(dialect, context);
    for c in commands {
        printer.detail(&format!("running {what}: {}", c.display()));
        tasks::run(what, c, dest, Operation::Update, &answers)?;
        entries.push(TaskEntry::of(c, TaskStatus::Ran));
    }
    Ok(())
}

/// The summary line, what to do about conflicts, the report and the exit
/// code.
pub(super) fn report(
    printer: &Printer,
    s: &UpdateSettings,
    p: Prepared,
    r: Renders,
    plan: &Plan,
) -> (i32, Report) {
    let conflicts = plan.paths(Action::Conflict);
    let from = p.old_rev.describe;
    let to = p.new_rev.describe;
    let src = p.src;
    printer.info(&format!(
        "\n{} {src} from {} to {}: {} updated, {} merged, {} created, {} deleted, {} kept, {} conflict(s)",
        if s.render.pretend { "would update" } else { "updated" },
        from.as_deref().unwrap_or("(folder)"),
        to.as_deref().unwrap_or("(folder)"),
        plan.count(Action::Update),
        plan.count(Action::Merge),
        plan.count(Action::Create),
        plan.count(Action::Delete),
        plan.count(Action::Keep),
        conflicts.len(),
    ));
    if !conflicts.is_empty() && !s.render.pretend {
        let unmerged: Vec<Unmerged> = match &p.git {
            Some(_) => plan
                .changes
                .iter()
                .filter_map(|c| c.sides.as_deref().map(Unmerged::of))
                .collect(),
            None => Vec::new(),
        };
        printer.info(&resolve_hint(conflicts.len(), &unmerged, p.git.is_some()));
    }
    let code = if conflicts.is_empty() {
        0
    } else {
        EXIT_ATTENTION
    };
    let report = Report {
        command: "update",
        template: TemplateInfo { src, from, to },
        files: Report::files_from(plan),
        conflicts,
        tasks: r.task_entries,
        pretend: s.render.pretend,
    };
    (code, report)
}

/// The line that ends an update that left `conflicts` conflicts: what to
/// do, and how `git status` lists the ones recorded in the index
/// (`unmerged`; `git` says whether the project is in a git work tree).
/// Conflicts that are not text (a folder that became a file, a symlink)
/// are not recorded there.
fn resolve_hint(conflicts: usize, unmerged: &[Unmerged], git: bool) -> String {
    if !git {
        return "resolve the conflicts".to_string();
    }
    if unmerged.is_empty() {
        return "resolve the conflicts, then commit".to_string();
    }
    let mut names: Vec<&str> = Vec::new();
    for kind in [Unmerged::BothModified, Unmerged::BothAdded] {
        if unmerged.contains(&kind) {
            names.push(kind.name());
        }
    }
    let which = if unmerged.len() == conflicts {
        "them".to_string()
    } else {
        format!("{} of them", unmerged.len())
    };
    format!(
        "resolve the conflicts, then commit; `git status` lists {which} as {}",
        names.join(" or ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resolve_hint_names_the_conflicts_as_git_status_lists_them() {
        use Unmerged::{BothAdded, BothModified};
        let lists = "resolve the conflicts, then commit; `git status` lists";
        for (conflicts, unmerged, git, want) in [
            (
                1,
                &[BothModified][..],
                true,
                format!("{lists} them as both modified"),
            ),
            (1, &[BothAdded], true, format!("{lists} them as both added")),
            (
                3,
                &[BothAdded, BothModified, BothModified],
                true,
                format!("{lists} them as both modified or both added"),
            ),
            (
                2,
                &[BothModified],
                true,
                format!("{lists} 1 of them as both modified"),
            ),
            (
                1,
                &[],
                true,
                "resolve the conflicts, then commit".to_string(),
            ),
            (1, &[], false, "resolve the conflicts".to_string()),
        ] {
            assert_eq!(resolve_hint(conflicts, unmerged, git), want, "{unmerged:?}");
        }
    }
}
