//! `graft copy SRC DEST`: render a template into a new or existing folder.

use std::path::Path;

use super::{progress_bars, render_settings, Env};
use crate::cli::CopyArgs;
use crate::error::Error;
use crate::pipeline::copy::{copy, Copied, CopySettings};
use crate::plan::{Action, Plan};
use crate::printer::Printer;
use crate::report::Report;

pub fn run(args: &CopyArgs, env: &Env) -> Result<i32, Error> {
    let common = &args.common;
    let printer = env.printer(common);
    let progress = progress_bars(env.stderr_terminal && !common.quiet);
    let settings = CopySettings {
        open: super::open_settings(env, common),
        render: render_settings(common),
        src_given: args.src.clone(),
        dest_given: args.dest.clone(),
        vcs_ref: common.vcs_ref.clone(),
        use_defaults: common.defaults || args.force,
        overwrite: args.overwrite || args.force,
        keep_on_error: args.keep_on_error,
        diff: common.diff && !common.json,
        progress: &progress,
    };
    let Copied {
        plan,
        tasks,
        template,
    } = copy(&settings, env, &printer, &env.absolute(&args.dest))?;
    if !common.pretend {
        summary(
            &printer,
            &plan,
            &template.src,
            template.to.as_deref(),
            &args.dest,
        );
    }
    if common.json {
        let report = Report {
            command: "copy",
            template,
            files: Report::files_from(&plan),
            conflicts: Vec::new(),
            tasks,
            pretend: common.pretend,
        };
        crate::report::print(&report)?;
    }
    Ok(0)
}

fn summary(printer: &Printer, plan: &Plan, src: &str, version: Option<&str>, dest: &Path) {
    let version = version.map(|v| format!(" {v}")).unwrap_or_default();
    printer.info(&format!(
        "\ncopied {src}{version} into {}: {} created, {} updated, {} identical, {} skipped",
        dest.display(),
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::Identical),
        plan.count(Action::Skip),
    ));
}
