//! Opening a project: its folder locked for this command, and what a
//! killed graft run left half-written in it rolled back first.

use std::path::{Path, PathBuf};

use crate::env::Env;
use crate::error::Error;
use crate::lock::ProjectLock;
use crate::printer::Printer;
use crate::project::Project;

/// Resolves an existing project folder, locks it for this command, and
/// first rolls back what a killed graft run left half-written in it (every
/// command does this before reading the project), saying what it waits for
/// and what it rolled back. The lock is held until the returned
/// [`ProjectLock`] drops.
pub fn open_project(
    env: &Env,
    dest: &Path,
    printer: &Printer,
    verb: &'static str,
) -> Result<(PathBuf, ProjectLock), Error> {
    let dest = env.absolute(dest);
    let opened = Project::open(
        &dest,
        verb,
        &env.journals(),
        env.locked_project.as_deref(),
        || waiting(printer, &dest),
    )?;
    if opened.rolled_back {
        rolled_back(printer, &dest);
    }
    Ok((opened.project.dest, opened.project.lock))
}

/// Locks the project folder `dest`, saying so when another graft command
/// holds it and this one waits.
pub fn lock_project(env: &Env, dest: &Path, printer: &Printer) -> Result<ProjectLock, Error> {
    Project::lock(dest, env.locked_project.as_deref(), || {
        waiting(printer, dest)
    })
}

fn waiting(printer: &Printer, dest: &Path) {
    printer.info(&format!(
        "waiting for another graft command working in `{}` to finish",
        dest.display()
    ));
}

fn rolled_back(printer: &Printer, dest: &Path) {
    printer.warn(&format!(
        "rolled back an interrupted graft run in `{}`",
        dest.display()
    ));
}

/// Rolls back a journal left in `dest`, saying so.
pub fn roll_back_interrupted(env: &Env, dest: &Path, printer: &Printer) -> Result<(), Error> {
    if crate::apply::recover(dest, &env.journals())? {
        rolled_back(printer, dest);
    }
    Ok(())
}
