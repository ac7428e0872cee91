//! The tail copy and recopy share: a render written over a project folder.
//! Plan it against what is there, settle the files that differ, require
//! trust for the tasks, print the plan, then write and run the tasks, or,
//! with `--pretend`, say what would happen.

use std::path::Path;

use super::render::{
    inject_into_project, project_tasks, require_trust, ProjectRender, RenderSettings, ShowProgress,
};
use crate::apply;
use crate::config::TemplateConfig;
use crate::dialect::Operation;
use crate::env::Env;
use crate::error::{ApplyError, Error};
use crate::plan::Plan;
use crate::printer::Printer;
use crate::printer::{print_diffs, print_plan};
use crate::prompt::Prompter;
use crate::render;
use crate::report::{TaskEntry, TaskStatus};
use crate::tasks;

/// A render on its way into a project folder, which exists and is locked
/// unless this is `--pretend`.
pub struct OverProject<'a> {
    pub env: &'a Env,
    pub printer: &'a Printer,
    /// The settings the render was given.
    pub settings: &'a RenderSettings,
    /// `--diff` with `--pretend`: print what would change.
    pub diff: bool,
    /// Progress bars for writing.
    pub progress: &'a ShowProgress<'a>,
    pub dest: &'a Path,
    /// DEST as the person gave it, for messages.
    pub dest_given: &'a Path,
    /// DEST was created by this run, and is empty.
    pub new_dest: bool,
    pub config: &'a TemplateConfig,
    pub project: &'a ProjectRender,
    pub trusted: bool,
    pub src: &'a str,
    /// Replace files that differ without asking.
    pub overwrite: bool,
    /// `copy` or `recopy`, for the tasks' environment.
    pub operation: Operation,
}

impl OverProject<'_> {
    /// Plans, settles, writes and runs the tasks (or prints what it would
    /// do); returns the plan and the tasks' report entries.
    pub fn write(&self, prompter: &mut dyn Prompter) -> Result<(Plan, Vec<TaskEntry>), Error> {
        let (common, printer, dest) = (self.settings, self.printer, self.dest);
        let mut plan =
            plan_over_project(dest, self.new_dest, self.config, &common.skip, self.project)?;
        settle_conflicts(
            &mut plan,
            self.overwrite,
            self.env.interactive,
            common.pretend,
            prompter,
            printer,
            self.dest_given,
        )?;
        let prepared = project_tasks(self.config, self.project)?;
        require_trust(&prepared, self.trusted, self.settings, self.src)?;
        print_plan(printer, &plan);
        let status = match (common.skip_tasks, common.pretend) {
            (true, _) => TaskStatus::Skipped,
            (false, true) => TaskStatus::Pretend,
            (false, false) => TaskStatus::Ran,
        };
        let entries = prepared.iter().map(|t| TaskEntry::of(t, status)).collect();
        if common.pretend {
            if self.diff {
                print_diffs(&plan);
            }
            if !common.skip_tasks {
                for t in &prepared {
                    printer.info(&format!("would run: {}", t.display()));
                }
            }
            printer.info("pretend: nothing was written");
            return Ok((plan, entries));
        }
        {
            let bar = (self.progress)("writing");
            let journals = self.env.journals();
            match self.new_dest {
                true => apply::apply_into_new(dest, &plan, &journals, bar.as_ref())?,
                false => apply::apply(dest, &plan, &journals, bar.as_ref())?,
            }
        }
        let answers = tasks::answer_env(self.config.dialect, &self.project.answers.context);
        for t in prepared.iter().filter(|_| !common.skip_tasks) {
            printer.detail(&format!("running: {}", t.display()));
            tasks::run("task", t, dest, self.operation, &answers)?;
        }
        Ok((plan, entries))
    }
}

/// Plans writing a rendered project over DEST (copy, recopy): the rendered
/// files, the blocks injected into the project's files, and the answers
/// file last; every write is checked to stay inside DEST.
fn plan_over_project(
    dest: &Path,
    new_dest: bool,
    config: &TemplateConfig,
    extra_skip: &[String],
    project: &ProjectRender,
) -> Result<crate::plan::Plan, Error> {
    let ctx = render::Context::of(&project.answers.context)?;
    let skip = render::skip_matcher_with(config, extra_skip, Some((&project.engine, &ctx)))?;
    let mut plan = crate::plan::plan_copy(
        &project.rendered.tree,
        (!new_dest).then_some(dest),
        &skip,
        project
            .answers_text
            .as_ref()
            .map(|text| (project.answers_path.as_str(), text.clone().into_bytes())),
    )?;
    let injected = inject_into_project(dest, &project.external_blocks, &project.answers_path)?;
    let answers_change = match project.answers_text {
        Some(_) => plan.changes.pop(),
        None => None,
    };
    plan.changes.extend(injected);
    plan.changes.extend(answers_change);
    // A folder this run created holds no symlinks to go through.
    if !new_dest && dest.is_dir() {
        let mut inside = crate::apply::Inside::new(dest);
        for change in plan.writes() {
            inside.check(&change.path)?;
        }
    }
    Ok(plan)
}

/// Settles the files that would change in copy and recopy: `--overwrite`
/// replaces them, a terminal asks per file, and otherwise the run stops
/// before writing anything (after printing the plan with `--pretend`).
fn settle_conflicts(
    plan: &mut crate::plan::Plan,
    overwrite: bool,
    interactive: bool,
    pretend: bool,
    prompter: &mut dyn Prompter,
    printer: &Printer,
    dest_arg: &Path,
) -> Result<(), Error> {
    use crate::plan::Action;
    let conflicts = plan.paths(Action::Conflict);
    if conflicts.is_empty() {
        return Ok(());
    }
    let can_ask = interactive && !pretend;
    if !overwrite && !can_ask {
        if pretend {
            crate::printer::print_plan(printer, plan);
        }
        return Err(ApplyError::WouldOverwrite {
            dest: dest_arg.to_path_buf(),
            paths: conflicts,
        }
        .into());
    }
    for c in plan
        .changes
        .iter_mut()
        .filter(|c| c.action == Action::Conflict)
    {
        if overwrite || prompter.confirm(&format!("Overwrite `{}`?", c.path), false)? {
            c.action = Action::Update;
        } else {
            c.action = Action::Skip;
            c.write = None;
        }
    }
    Ok(())
}
