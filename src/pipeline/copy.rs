//! `graft copy`: the template read at the version asked for, and a render
//! written into DEST, which the copy may create.

use std::path::{Path, PathBuf};

use super::open::{lock_project, roll_back_interrupted};
use super::over::OverProject;
use super::recorded::OpenSettings;
use super::render::{
    check_version, render_message, render_project, RenderRequest, RenderSettings, ShowProgress,
};
use crate::config;
use crate::dialect::{Dialect, Operation};
use crate::env::Env;
use crate::error::Error;
use crate::interrupt;
use crate::lock::ProjectLock;
use crate::plan;
use crate::printer::Printer;
use crate::report::{TaskEntry, TemplateInfo};
use crate::source::{Revision, SourceSpec, TemplateRepo};
use crate::tree::FileTree;
use crate::trust;

/// What `graft copy` does, resolved from its flags.
pub struct CopySettings<'a> {
    pub open: OpenSettings,
    pub render: RenderSettings,
    /// SRC as the person gave it.
    pub src_given: String,
    /// DEST as the person gave it, for messages.
    pub dest_given: PathBuf,
    /// `--vcs-ref`: the version to copy; none means the newest.
    pub vcs_ref: Option<String>,
    /// Questions take their defaults (`--defaults`, `--force`).
    pub use_defaults: bool,
    /// Replace files that differ without asking (`--overwrite`, `--force`).
    pub overwrite: bool,
    /// Keep a DEST this copy created when the copy fails.
    pub keep_on_error: bool,
    /// `--diff` with `--pretend`: print what would change.
    pub diff: bool,
    pub progress: &'a ShowProgress<'a>,
}

/// What a copy did: its plan, its tasks and the template version.
pub struct Copied {
    pub plan: plan::Plan,
    pub tasks: Vec<TaskEntry>,
    pub template: TemplateInfo,
}

/// Copies the template `s` names into `dest` (absolute): reads it, asks
/// and renders, writes (creating DEST when it is missing), runs the tasks
/// and says the template's closing message.
pub fn copy(s: &CopySettings, env: &Env, printer: &Printer, dest: &Path) -> Result<Copied, Error> {
    let lock = open_dest(env, dest, printer)?;
    let user = env.user_settings()?;
    let (src_display, revision, tree, config) =
        read_template(&s.src_given, s.vcs_ref.as_deref(), &s.open, env, printer)?;
    let trusted = s.open.trust || trust::is_trusted(&src_display, &user.trust);
    let recorded = recorded_by_copier(&config, dest, s.render.answers_file.as_deref())?;
    let mut prompter = env.prompter();
    let inputs = RenderRequest {
        operation: Operation::Copy,
        src_display: &src_display,
        src_given: &s.src_given,
        dest_given: &s.dest_given,
        vcs_ref: s.vcs_ref.as_deref(),
        revision: &revision,
        dest,
        settings: &s.render,
        user: &user,
        recorded,
        skip_answered: false,
        use_defaults: s.use_defaults,
        trusted,
        progress: s.progress,
        compiled: None,
        printer: Some(printer),
    };
    if let Some(message) = &config.settings.message_before_copy {
        printer.message(&render_message(&config, message, &inputs)?);
    }
    let project = render_project(&tree, &config, &inputs, prompter.as_mut())?;
    // The render shares every file it copied with the template tree; what
    // only the tree holds (the sources of rendered files) is done with.
    drop(tree);
    let over = OverProject {
        env,
        printer,
        settings: &s.render,
        diff: s.diff,
        progress: s.progress,
        dest,
        dest_given: &s.dest_given,
        new_dest: false,
        config: &config,
        project: &project,
        trusted,
        src: &src_display,
        overwrite: s.overwrite,
        operation: Operation::Copy,
    };
    let (plan, tasks) = write_into_dest(over, lock, s.keep_on_error, prompter.as_mut())?;
    if !s.render.pretend {
        if let Some(message) = &config.settings.message_after_copy {
            printer.message(&project.message(&config, "_message_after_copy", message)?);
        }
    }
    Ok(Copied {
        plan,
        tasks,
        template: TemplateInfo {
            src: src_display,
            from: None,
            to: revision.describe,
        },
    })
}

/// Locks DEST when it exists, before anything reads it, and rolls back
/// what a killed run left there; a new one is locked only once it is
/// created, before it is planned over.
fn open_dest(env: &Env, dest: &Path, printer: &Printer) -> Result<Option<ProjectLock>, Error> {
    if dest.exists() && !dest.is_dir() {
        return Err(Error::io(
            "copy into",
            dest,
            std::io::Error::other("it is a file, not a folder"),
        ));
    }
    if !dest.is_dir() {
        return Ok(None);
    }
    let lock = lock_project(env, dest, printer)?;
    roll_back_interrupted(env, dest, printer)?;
    Ok(Some(lock))
}

/// Copier copying over a project it made takes the answers recorded there
/// (in `--answers-file`, else `.copier-answers.yml`) as defaults.
fn recorded_by_copier(
    config: &config::TemplateConfig,
    dest: &Path,
    answers_file: Option<&str>,
) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    Ok(match config.dialect {
        Dialect::Copier => crate::project::recorded_answers(
            dest,
            answers_file.unwrap_or(Dialect::Copier.default_answers_file()),
        )?,
        Dialect::Graft => Default::default(),
    })
}

/// Reads the template at the version asked for, warns about what the
/// source says, and loads its configuration.
fn read_template(
    src: &str,
    vcs_ref: Option<&str>,
    open: &OpenSettings,
    env: &Env,
    printer: &Printer,
) -> Result<(String, Revision, FileTree, config::TemplateConfig), Error> {
    let spec = SourceSpec::parse(src, &env.cwd)?;
    let src_display = spec.display();
    let repo = TemplateRepo::open(&spec, &open.source)?;
    // A local template's check for uncommitted changes runs beside the
    // reading; its warning comes first all the same.
    let (mut revision, pending) = repo.resolve_beside(vcs_ref, open.prereleases)?;
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

/// Writes the render into DEST, creating it (and locking it) first when
/// it is missing. A folder this copy creates goes again if the copy fails
/// or is interrupted (see `interrupt`), unless `keep_on_error`, so no
/// interruption ends the process while it is there.
fn write_into_dest(
    mut over: OverProject,
    mut lock: Option<ProjectLock>,
    keep_on_error: bool,
    prompter: &mut dyn crate::prompt::Prompter,
) -> Result<(plan::Plan, Vec<crate::report::TaskEntry>), Error> {
    let mut region = None;
    let created = match (&lock, over.settings.pretend) {
        (None, false) => {
            region = Some(interrupt::Deferred::begin());
            let created = create_dest(over.dest)?;
            lock = Some(lock_project(over.env, over.dest, over.printer)?);
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

/// Creates DEST and its missing parents; returns the topmost folder created.
fn create_dest(dest: &Path) -> Result<Option<PathBuf>, Error> {
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
