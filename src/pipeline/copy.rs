//! `graft copy`: the template read at the version asked for, and a render
//! written into DEST, which the copy may create.

use std::path::{Path, PathBuf};

use super::open::lock_project;
use super::over::OverProject;
use super::recorded::OpenSettings;
use super::render::check_version;
use crate::config;
use crate::env::Env;
use crate::error::Error;
use crate::interrupt;
use crate::plan;
use crate::printer::Printer;
use crate::source::{Revision, SourceSpec, TemplateRepo};
use crate::tree::FileTree;

/// Reads the template at the version asked for, warns about what the
/// source says, and loads its configuration.
pub fn read_template(
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
pub fn write_into_dest(
    mut over: OverProject,
    mut lock: Option<crate::lock::ProjectLock>,
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
