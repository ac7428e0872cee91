//! `graft recopy [DEST]`: render the recorded (or `--vcs-ref`) version from
//! scratch with the recorded answers and write it over the project, keeping
//! files the template does not produce. (`copier recopy` renders the latest
//! version without `--vcs-ref`, as Copier does.)

use std::path::Path;

use super::update::{
    answers_files, load_template, open_recorded, open_template, read_answers, Recorded,
};
use super::{render_project, Env, RenderRequest, RenderSettings};
use crate::answers::AnswersFile;
use crate::cli::RecopyArgs;
use crate::config::TemplateConfig;
use crate::dialect::Operation;
use crate::error::{Error, ProjectError};
use crate::plan::Action;
use crate::printer::Printer;
use crate::report::{Report, TemplateInfo};
use crate::source::Revision;
use crate::tree::FileTree;
use crate::trust;

/// Whether the recorded version is the one to render: without
/// `--vcs-ref` (unless Copier's recopy asked for the latest), or with
/// `:current:`.
fn renders_recorded(args: &RecopyArgs) -> bool {
    match args.common.vcs_ref.as_deref() {
        None => !args.latest,
        Some(r) => r == ":current:",
    }
}

pub fn run(args: &RecopyArgs, env: &Env) -> Result<i32, Error> {
    let common = &args.common;
    let printer = env.printer(common);
    let (dest, _lock) = super::open_project(env, &args.dest, &printer, "recopy")?;
    let files = answers_files(&dest, common.answers_file.as_deref())?;
    let mut reports = Vec::new();
    for answers_rel in &files {
        reports.push(recopy_one(args, env, &printer, &dest, answers_rel)?);
    }
    if common.json {
        crate::report::print_json(&reports)?;
    }
    Ok(0)
}

/// Recopies the template of one answers file over the project.
fn recopy_one(
    args: &RecopyArgs,
    env: &Env,
    printer: &Printer,
    dest: &Path,
    answers_rel: &str,
) -> Result<Report, Error> {
    let common = &args.common;
    let recorded_file = read_answers(dest, answers_rel)?;
    let user = env.user_settings()?;
    let (src, revision, tree, config) =
        read_template(args, env, printer, dest, answers_rel, &recorded_file)?;
    let trusted = common.trust || trust::is_trusted(&src, &user.trust);
    let mut prompter = env.prompter();
    let settings = RenderSettings {
        answers_file: Some(answers_rel.to_string()),
        ..super::render_settings(common)
    };
    let progress = super::progress_bars(env.stderr_terminal && !common.quiet);
    let vcs_ref = config
        .dialect
        .asked_ref(common.vcs_ref.as_deref(), &recorded_file);
    let inputs = RenderRequest {
        operation: Operation::Recopy,
        src_display: &src,
        src_given: &recorded_file.src_path,
        dest_given: &args.dest,
        vcs_ref: vcs_ref.as_deref(),
        revision: &revision,
        dest,
        settings: &settings,
        user: &user,
        recorded: recorded_file.answers.clone(),
        skip_answered: args.skip_answered,
        use_defaults: common.defaults,
        trusted,
        progress: &progress,
        compiled: None,
        printer: Some(printer),
    };
    let project = render_project(&tree, &config, &inputs, prompter.as_mut())?;
    let (plan, entries) = super::over::OverProject {
        env,
        printer,
        common,
        settings: &settings,
        dest,
        dest_given: &args.dest,
        new_dest: false,
        config: &config,
        project: &project,
        trusted,
        src: &src,
        overwrite: args.overwrite,
        operation: "recopy",
    }
    .write(prompter.as_mut())?;
    if !common.pretend {
        printer.info(&format!(
            "\nrecopied {src} {} over {}: {} created, {} updated, {} identical, {} skipped",
            revision.describe.as_deref().unwrap_or(""),
            args.dest.display(),
            plan.count(Action::Create),
            plan.count(Action::Update),
            plan.count(Action::Identical),
            plan.count(Action::Skip),
        ));
    }
    Ok(Report {
        command: "recopy",
        template: TemplateInfo {
            src,
            from: recorded_file.commit.clone(),
            to: revision.describe.clone(),
        },
        files: Report::files_from(&plan),
        conflicts: Vec::new(),
        tasks: entries,
        pretend: common.pretend,
    })
}

/// Opens the recorded template and reads the version to render: the
/// recorded one, or the one asked for (which makes a recorded version the
/// template lost irrelevant).
fn read_template(
    args: &RecopyArgs,
    env: &Env,
    printer: &Printer,
    dest: &Path,
    answers_rel: &str,
    recorded_file: &AnswersFile,
) -> Result<(String, Revision, FileTree, TemplateConfig), Error> {
    let common = &args.common;
    let recorded = match open_recorded(recorded_file, answers_rel, dest, env, common) {
        Ok(recorded) => recorded,
        // An explicit ref makes the recorded one irrelevant.
        Err(Error::Project(
            ProjectError::OldVersionMissing { .. } | ProjectError::NoRecordedVersion { .. },
        )) if !renders_recorded(args) => {
            let (spec, repo) = open_template(recorded_file, dest, env, common)?;
            Recorded {
                spec,
                repo,
                revision: Revision::default(),
                warnings: Vec::new(),
            }
        }
        Err(e) => return Err(e),
    };
    for w in &recorded.warnings {
        printer.warn(w);
    }
    let src = recorded.spec.display();
    let revision = if renders_recorded(args) {
        recorded.revision.clone()
    } else {
        let explicit = common.vcs_ref.as_deref();
        recorded.repo.resolve(explicit, common.prereleases)?
    };
    for w in &revision.warnings {
        printer.warn(w);
    }
    let (tree, config) = load_template(
        &recorded.repo,
        &revision,
        &src,
        env.bare_dialect_for(answers_rel),
    )?;
    Ok((src, revision, tree, config))
}
