//! `graft copy SRC DEST`: render a template into a new or existing folder.

use std::path::Path;

use super::{render_project, Env, RenderRequest};
use crate::cli::CopyArgs;
use crate::config;
use crate::dialect::{Dialect, Operation};
use crate::error::Error;
use crate::plan::{self, Action};
use crate::printer::Printer;
use crate::report::{Report, TemplateInfo};
use crate::trust;

pub fn run(args: &CopyArgs, env: &Env) -> Result<i32, Error> {
    let common = &args.common;
    let printer = env.printer(common);
    let use_defaults = common.defaults || args.force;
    let (dest, lock) = open_dest(args, env, &printer)?;
    let user = env.user_settings()?;
    let (src_display, revision, tree, config) = crate::pipeline::copy::read_template(
        &args.src,
        common.vcs_ref.as_deref(),
        &super::open_settings(env, common),
        env,
        &printer,
    )?;
    let trusted = common.trust || trust::is_trusted(&src_display, &user.trust);

    let recorded = recorded_by_copier(&config, &dest, common)?;
    let mut prompter = env.prompter();
    let settings = super::render_settings(common);
    let progress = super::progress_bars(env.stderr_terminal && !common.quiet);
    let inputs = RenderRequest {
        operation: Operation::Copy,
        src_display: &src_display,
        src_given: &args.src,
        dest_given: &args.dest,
        vcs_ref: common.vcs_ref.as_deref(),
        revision: &revision,
        dest: &dest,
        settings: &settings,
        user: &user,
        recorded,
        skip_answered: false,
        use_defaults,
        trusted,
        progress: &progress,
        compiled: None,
        printer: Some(&printer),
    };
    if let Some(message) = &config.settings.message_before_copy {
        printer.message(&super::render_message(&config, message, &inputs)?);
    }
    let project = render_project(&tree, &config, &inputs, prompter.as_mut())?;
    // The render shares every file it copied with the template tree; what
    // only the tree holds (the sources of rendered files) is done with.
    drop(tree);

    let over = crate::pipeline::over::OverProject {
        env,
        printer: &printer,
        settings: &settings,
        diff: common.diff && !common.json,
        progress: &progress,
        dest: &dest,
        dest_given: &args.dest,
        new_dest: false,
        config: &config,
        project: &project,
        trusted,
        src: &src_display,
        overwrite: args.overwrite || args.force,
        operation: "copy",
    };
    let (plan, task_entries) =
        crate::pipeline::copy::write_into_dest(over, lock, args.keep_on_error, prompter.as_mut())?;
    let template = TemplateInfo {
        src: src_display,
        from: None,
        to: revision.describe,
    };
    finish(
        args,
        &printer,
        &config,
        &project,
        &plan,
        task_entries,
        template,
    )?;
    Ok(0)
}

/// DEST, absolute; an existing folder is locked before anything reads it
/// (and a killed run's journal rolled back), a new one only once it is
/// created, before it is planned over.
fn open_dest(
    args: &CopyArgs,
    env: &Env,
    printer: &Printer,
) -> Result<(std::path::PathBuf, Option<crate::lock::ProjectLock>), Error> {
    let dest = env.absolute(&args.dest);
    if dest.exists() && !dest.is_dir() {
        return Err(Error::io(
            "copy into",
            &dest,
            std::io::Error::other("it is a file, not a folder"),
        ));
    }
    if !dest.is_dir() {
        return Ok((dest, None));
    }
    let lock = super::lock_project(env, &dest, printer)?;
    super::roll_back_interrupted(env, &dest, printer)?;
    Ok((dest, Some(lock)))
}

/// Copier copying over a project it made takes the answers recorded there
/// (in `--answers-file`, else `.copier-answers.yml`) as defaults.
fn recorded_by_copier(
    config: &config::TemplateConfig,
    dest: &Path,
    common: &crate::cli::CommonArgs,
) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    Ok(match config.dialect {
        Dialect::Copier => crate::project::recorded_answers(
            dest,
            common
                .answers_file
                .as_deref()
                .unwrap_or(Dialect::Copier.default_answers_file()),
        )?,
        Dialect::Graft => Default::default(),
    })
}

/// After the copy: the message, the summary line and the JSON report.
fn finish(
    args: &CopyArgs,
    printer: &Printer,
    config: &config::TemplateConfig,
    project: &super::ProjectRender,
    plan: &plan::Plan,
    task_entries: Vec<crate::report::TaskEntry>,
    template: TemplateInfo,
) -> Result<(), Error> {
    let common = &args.common;
    if !common.pretend {
        if let Some(message) = &config.settings.message_after_copy {
            printer.message(&project.message(config, "_message_after_copy", message)?);
        }
        summary(
            printer,
            plan,
            &template.src,
            template.to.as_deref(),
            &args.dest,
        );
    }
    if common.json {
        let report = Report {
            command: "copy",
            template,
            files: Report::files_from(plan),
            conflicts: Vec::new(),
            tasks: task_entries,
            pretend: common.pretend,
        };
        crate::report::print(&report)?;
    }
    Ok(())
}

fn summary(printer: &Printer, plan: &plan::Plan, src: &str, version: Option<&str>, dest: &Path) {
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
