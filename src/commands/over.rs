//! The tail copy and recopy share: a render written over a project folder.
//! Plan it against what is there, settle the files that differ, require
//! trust for the tasks, print the plan, then write and run the tasks, or,
//! with `--pretend`, say what would happen.

use std::path::Path;

use super::{print_diffs, print_plan, Env, ProjectRender};
use crate::apply;
use crate::cli::CommonArgs;
use crate::config::TemplateConfig;
use crate::error::Error;
use crate::plan::Plan;
use crate::printer::Printer;
use crate::prompt::Prompter;
use crate::report::TaskEntry;
use crate::tasks;

/// A render on its way into a project folder, which exists and is locked
/// unless this is `--pretend`.
pub struct OverProject<'a> {
    pub env: &'a Env,
    pub printer: &'a Printer,
    pub common: &'a CommonArgs,
    /// The settings the render was given, resolved from `common`.
    pub settings: &'a super::RenderSettings,
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
    pub operation: &'static str,
}

impl OverProject<'_> {
    /// Plans, settles, writes and runs the tasks (or prints what it would
    /// do); returns the plan and the tasks' report entries.
    pub fn write(&self, prompter: &mut dyn Prompter) -> Result<(Plan, Vec<TaskEntry>), Error> {
        let (common, printer, dest) = (self.common, self.printer, self.dest);
        let mut plan =
            super::plan_over_project(dest, self.new_dest, self.config, common, self.project)?;
        super::settle_conflicts(
            &mut plan,
            self.overwrite,
            self.env,
            common,
            prompter,
            printer,
            self.dest_given,
        )?;
        let prepared = super::project_tasks(self.config, self.project)?;
        super::require_trust(&prepared, self.trusted, self.settings, self.src)?;
        print_plan(printer, &plan);
        let status = match (common.skip_tasks, common.pretend) {
            (true, _) => "skipped",
            (false, true) => "pretend",
            (false, false) => "ran",
        };
        let entries = prepared.iter().map(|t| TaskEntry::of(t, status)).collect();
        if common.pretend {
            if common.diff && !common.json {
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
            let bar =
                super::ProgressBar::start(self.env.stderr_terminal && !common.quiet, "writing");
            let journals = self.env.journals();
            match self.new_dest {
                true => apply::apply_into_new(dest, &plan, &journals, &bar)?,
                false => apply::apply(dest, &plan, &journals, &bar)?,
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
