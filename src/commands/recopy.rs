//! `graft recopy [DEST]`: render the recorded (or `--vcs-ref`) version from
//! scratch with the recorded answers and write it over the project, keeping
//! files the template does not produce. (`copier recopy` renders the latest
//! version without `--vcs-ref`, as Copier does.)

use super::{progress_bars, render_settings, Env};
use crate::cli::RecopyArgs;
use crate::error::Error;
use crate::pipeline::recopy::{recopy_one, RecopySettings};
use crate::project::answers_files;
use crate::source::VersionAsked;

/// Whether the recorded version is the one to render: without
/// `--vcs-ref` (unless Copier's recopy asked for the latest), or with
/// `:current:`.
fn renders_recorded(args: &RecopyArgs) -> bool {
    match VersionAsked::from_flag(args.common.vcs_ref.as_deref()) {
        VersionAsked::Newest => !args.latest,
        VersionAsked::Current => true,
        VersionAsked::Ref(_) => false,
    }
}

pub fn run(args: &RecopyArgs, env: &Env) -> Result<i32, Error> {
    let common = &args.common;
    let printer = env.printer(common);
    let (dest, _lock) = super::open_project(env, &args.dest, &printer, "recopy")?;
    let files = answers_files(&dest, common.answers_file.as_deref())?;
    let progress = progress_bars(env.stderr_terminal && !common.quiet);
    let settings = RecopySettings {
        open: super::open_settings(env, common),
        render: render_settings(common),
        dest_given: args.dest.clone(),
        vcs_ref: VersionAsked::from_flag(common.vcs_ref.as_deref()),
        renders_recorded: renders_recorded(args),
        defaults: common.defaults,
        skip_answered: args.skip_answered,
        overwrite: args.overwrite,
        diff: common.diff && !common.json,
        progress: &progress,
    };
    let mut reports = Vec::new();
    for answers_rel in &files {
        reports.push(recopy_one(&settings, env, &printer, &dest, answers_rel)?);
    }
    if common.json {
        crate::report::print_json(&reports)?;
    }
    Ok(0)
}
