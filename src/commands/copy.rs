//! `graft copy SRC DEST`: render a template into a new or existing folder.

use std::path::Path;

use super::{check_version, render_project, Env, RenderRequest};
use crate::cli::CopyArgs;
use crate::config;
use crate::dialect::{Dialect, Operation};
use crate::error::Error;
use crate::interrupt;
use crate::plan::{self, Action};
use crate::printer::Printer;
use crate::report::{Report, TemplateInfo};
use crate::source::{Revision, SourceSpec, TemplateRepo};
use crate::tree::FileTree;
use crate::trust;

pub fn run(args: &CopyArgs, env: &Env) -> Result<i32, Error> {
    let common = &args.common;
    let printer = env.printer(common);
    let use_defaults = common.defaults || args.force;
    let (dest, lock) = open_dest(args, env, &printer)?;
    let user = env.user_settings()?;
    let (src_display, revision, tree, config) = read_template(args, env, &printer)?;
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

    let over = super::over::OverProject {
        env,
        printer: &printer,
        common,
        settings: &settings,
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
    let (plan, task_entries) = write_into_dest(over, lock, args.keep_on_error, prompter.as_mut())?;
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

/// Writes the render into DEST, creating it (and locking it) first when
/// it is missing. A folder this copy creates goes again if the copy fails
/// or is interrupted (see `interrupt`), unless `keep_on_error`, so no
/// interruption ends the process while it is there.
fn write_into_dest(
    mut over: super::over::OverProject,
    mut lock: Option<crate::lock::ProjectLock>,
    keep_on_error: bool,
    prompter: &mut dyn crate::prompt::Prompter,
) -> Result<(plan::Plan, Vec<crate::report::TaskEntry>), Error> {
    let mut region = None;
    let created = match (&lock, over.common.pretend) {
        (None, false) => {
            region = Some(interrupt::Deferred::begin());
            let created = create_dest(over.dest)?;
            lock = Some(super::lock_project(over.env, over.dest, over.printer)?);
            created
        }
        _ => None,
    };
    over.new_dest = created.is_some();
    let written = over.write(prompter);
    drop(lock);
    let written = match &region {
        Some(_) => written.and_then(|done| interrupt::check().map(|()| done)),
        None => written,
    };
    if written.is_err() {
        if let Some(created) = created.filter(|_| !keep_on_error) {
            let _ = std::fs::remove_dir_all(created);
        }
    }
    drop(region);
    written
}

/// Reads the template at the version asked for, warns about what the
/// source says, and loads its configuration.
fn read_template(
    args: &CopyArgs,
    env: &Env,
    printer: &Printer,
) -> Result<(String, Revision, FileTree, config::TemplateConfig), Error> {
    let common = &args.common;
    let spec = SourceSpec::parse(&args.src, &env.cwd)?;
    let src_display = spec.display();
    let repo = TemplateRepo::open(&spec, &env.source_options(common))?;
    // A local template's check for uncommitted changes runs beside the
    // reading; its warning comes first all the same.
    let (mut revision, pending) =
        repo.resolve_beside(common.vcs_ref.as_deref(), common.prereleases)?;
    let tree = repo.read_tree(&revision);
    pending.finish(&mut revision)?;
    for w in &revision.warnings {
        printer.warn(w);
    }
    let tree = tree?;
    // The files are in memory: close the repository, its mapped packs and
    // caches, before the render needs memory of its own.
    drop(repo);
    let config = config::load_as(&tree, &src_display, env.bare_dialect)?;
    check_version(&config)?;
    Ok((src_display, revision, tree, config))
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

/// Creates DEST and its missing parents; returns the topmost folder created.
fn create_dest(dest: &Path) -> Result<Option<std::path::PathBuf>, Error> {
    if dest.is_dir() {
        return Ok(None);
    }
    let mut top = dest.to_path_buf();
    while let Some(parent) = top.parent() {
        if parent.as_os_str().is_empty() || parent.exists() {
            break;
        }
        top = parent.to_path_buf();
    }
    std::fs::create_dir_all(dest).map_err(|e| Error::io("create folder", dest, e))?;
    Ok(Some(top))
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
