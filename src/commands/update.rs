//! `graft update`: resolves the settings, opens and locks the project, and
//! runs the update pipeline ([`crate::pipeline::update`]).

use super::{progress_bars, render_settings, Env};
use crate::cli::{ConflictStyle, UpdateArgs};
use crate::error::Error;
use crate::pipeline::update::{update, UpdateSettings};
use crate::source::VersionAsked;

pub fn run(args: &UpdateArgs, env: &Env) -> Result<i32, Error> {
    let common = &args.common;
    let printer = env.printer(common);
    let (dest, _lock) = super::open_project(env, &args.dest, &printer, "update")?;
    let progress = progress_bars(env.stderr_terminal && !common.quiet);
    let settings = UpdateSettings {
        open: super::open_settings(env, common),
        render: render_settings(common),
        dest_given: args.dest.clone(),
        vcs_ref: VersionAsked::from_flag(common.vcs_ref.as_deref()),
        defaults: common.defaults,
        skip_answered: args.skip_answered,
        rej: args.conflict == ConflictStyle::Rej,
        context_lines: args.context_lines,
        diff: common.diff && !common.json,
        allow_dirty: args.allow_dirty,
        progress: &progress,
    };
    let (code, reports) = update(&settings, env, &printer, &dest)?;
    if common.json {
        crate::report::print_json(&reports)?;
    }
    Ok(code)
}
