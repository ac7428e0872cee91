//! `graft remove [DEST] -a ANSWERS_FILE`: take a template (usually a module)
//! out of the project again. Deletes every file whose bytes still equal the
//! pristine render, removes its injected blocks, prunes folders left empty
//! and deletes the answers file; stops before deleting anything when the
//! project changed one of them, unless `--keep-modified`.

use serde::Serialize;

use super::Env;
use crate::apply;
use crate::cli::{CommonArgs, RemoveArgs};
use crate::error::{Error, ProjectError};
use crate::pipeline::recorded::render_recorded;
use crate::pipeline::remove::removal;
use crate::plan::{Action, Plan};

/// The `--json` report of remove, documented in docs/commands.md.
#[derive(Debug, Serialize)]
pub struct RemoveReport {
    pub command: &'static str,
    pub answers_file: String,
    pub files: Vec<crate::report::FileEntry>,
    /// Files and blocks kept because the project modified them.
    pub modified: Vec<String>,
    pub pretend: bool,
}

pub fn run(args: &RemoveArgs, env: &Env) -> Result<i32, Error> {
    let common = CommonArgs::default();
    let printer = env.printer(&common);
    let (dest, _lock) = super::open_project(env, &args.dest, &printer, "remove from")?;
    let owner = args.answers_file.as_str();
    if !dest.join(owner).is_file() {
        return Err(ProjectError::NoAnswersFile {
            dest: args.dest.clone(),
            file: owner.to_string(),
        }
        .into());
    }
    let (recorded, _, pristine) =
        render_recorded(env, &dest, owner, &super::open_settings(env, &common))?;
    for w in &recorded.warnings {
        printer.warn(w);
    }

    let (plan, modified) = removal(&dest, &pristine, owner)?;

    if !modified.is_empty() && !args.keep_modified {
        print(&printer, &plan);
        return Err(ProjectError::Modified {
            owner: owner.to_string(),
            paths: modified,
        }
        .into());
    }
    print(&printer, &plan);
    if args.pretend {
        printer.info("pretend: nothing was written");
    } else {
        let bar = super::ProgressBar::start(env.stderr_terminal && !args.json, "removing");
        apply::apply(&dest, &plan, &env.journals(), &bar)?;
        drop(bar);
        printer.info(&format!(
            "\nremoved `{owner}` from {}: {} deleted, {} kept because modified",
            args.dest.display(),
            plan.count(Action::Delete),
            modified.len()
        ));
    }
    if args.json {
        let report = RemoveReport {
            command: "remove",
            answers_file: owner.to_string(),
            files: crate::report::Report::files_from(&plan),
            modified,
            pretend: args.pretend,
        };
        crate::report::print(&report)?;
    }
    Ok(0)
}

fn print(printer: &crate::printer::Printer, plan: &Plan) {
    for c in &plan.changes {
        match &c.note {
            Some(n) => printer.status(c.action, &format!("{} ({n})", c.path)),
            None => printer.status(c.action, &c.path),
        }
    }
}
