//! `copier check-update [DEST]` (graft under the name `copier`): graft's
//! check of one answers file, told the way Copier 9 tells it: on stdout,
//! versions written as PEP 440 writes them, exit code 2 with `--quiet`
//! when a newer version exists. Drift, which Copier does not look at, is
//! left out.

use std::path::PathBuf;

use super::check::{check, CheckReport};
use super::Env;
use crate::cli::CheckArgs;
use crate::error::Error;
use crate::printer::Printer;

/// Copier's exit code for `check-update --quiet` when a newer version exists.
pub const EXIT_UPDATE_AVAILABLE: i32 = 2;

/// The settings of one `copier check-update`.
#[derive(Debug)]
pub struct CheckUpdate {
    pub dest: PathBuf,
    pub answers_file: Option<String>,
    pub prereleases: bool,
    /// Print nothing; tell a newer version by the exit code.
    pub quiet: bool,
    /// Print Copier's JSON object instead of its sentences.
    pub json: bool,
}

impl CheckUpdate {
    /// The `graft check` this is.
    pub fn check_args(&self) -> CheckArgs {
        CheckArgs {
            answers_file: self.answers_file.clone(),
            prereleases: self.prereleases,
            ..CheckArgs::of(self.dest.clone())
        }
    }
}

pub fn run(settings: &CheckUpdate, env: &Env, printer: &Printer) -> Result<i32, Error> {
    let reports = check(&settings.check_args(), env, printer)?;
    // Copier reads one answers file; graft's check, without `-a`, every
    // one it finds. The first is the one Copier would read.
    let Some(report) = reports.first() else {
        return Ok(0);
    };
    let (current, latest) = versions(report)?;
    if settings.quiet {
        return Ok(if report.update_available == Some(true) {
            EXIT_UPDATE_AVAILABLE
        } else {
            0
        });
    }
    if settings.json {
        // Copier prints Python's `json.dumps`: `", "` and `": "` separators.
        println!(
            "{{\"update_available\": {}, \"current_version\": {}, \"latest_version\": {}}}",
            report.update_available == Some(true),
            serde_json::Value::String(current),
            serde_json::Value::String(latest),
        );
    } else if report.update_available == Some(true) {
        println!(
            "New template version available.\nCurrent version is {current}, latest version is {latest}."
        );
    } else {
        println!("Project is up-to-date!");
    }
    Ok(0)
}

/// The recorded and the latest version in PEP 440 form, or Copier's
/// reason why they cannot be compared.
fn versions(report: &CheckReport) -> Result<(String, String), Error> {
    let cannot = |reason: String| Err(Error::CannotCheck { reason });
    if !report.git {
        return cannot(format!(
            "`{}` is not a git repository, and only git templates have versions",
            report.src
        ));
    }
    let current = match (&report.current_version, report.recorded_version_known) {
        (Some(current), true) => current,
        (recorded, _) => {
            return cannot(format!(
                "the recorded version `{}` in `{}` is not a version tag or a commit after one",
                recorded.as_deref().unwrap_or(""),
                report.answers_file
            ))
        }
    };
    let Some(latest) = &report.latest_version else {
        return cannot(format!("`{}` has no version tags", report.src));
    };
    Ok((pep440(current), pep440(latest)))
}

pub use crate::source::pep440;
