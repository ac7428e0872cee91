//! `graft check [DEST]`: is a newer template version available, and has the
//! project drifted from what the template generated?

use serde::Serialize;

use super::update::{answers_files, drift, render_recorded};
use super::Env;
use crate::cli::{CheckArgs, CommonArgs};
use crate::error::{Error, EXIT_ATTENTION};
use crate::printer::{quote_path, Printer};

/// One answers file's result; the `--json` shape documented in README.md.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub answers_file: String,
    pub src: String,
    pub current_version: Option<String>,
    pub latest_version: Option<String>,
    pub update_available: bool,
    pub drift: Drift,
    /// The template is a git repository (a folder has no versions).
    #[serde(skip)]
    pub git: bool,
    /// The recorded revision is, or descends from, a version tag.
    #[serde(skip)]
    pub recorded_version_known: bool,
}

#[derive(Debug, Serialize, Default)]
pub struct Drift {
    pub modified: Vec<String>,
    pub deleted: Vec<String>,
}

pub fn run(args: &CheckArgs, env: &Env) -> Result<i32, Error> {
    let printer = env.printer(&CommonArgs {
        quiet: args.json,
        ..CommonArgs::default()
    });
    let reports = check(args, env, &printer)?;
    for r in &reports {
        let current = r.current_version.as_deref().unwrap_or("(untagged)");
        let latest = r.latest_version.as_deref().unwrap_or("(no version tags)");
        if r.update_available {
            printer.info(&format!(
                "{}: {current} → {latest} available ({})",
                r.answers_file, r.src
            ));
        } else {
            printer.info(&format!(
                "{}: {current} is up to date ({})",
                r.answers_file, r.src
            ));
        }
        for p in &r.drift.modified {
            printer.info(&format!("  modified  {}", quote_path(p)));
        }
        for p in &r.drift.deleted {
            printer.info(&format!("   deleted  {}", quote_path(p)));
        }
    }
    if args.json {
        crate::report::print_json(&reports);
    }
    Ok(if reports.iter().any(|r| r.update_available) {
        EXIT_ATTENTION
    } else {
        0
    })
}

/// Checks every answers file of the project (or the one `args` names):
/// one report each, in order. Warnings go to `printer`.
pub fn check(args: &CheckArgs, env: &Env, printer: &Printer) -> Result<Vec<CheckReport>, Error> {
    let common = CommonArgs {
        prereleases: args.prereleases,
        quiet: printer.quiet,
        ..CommonArgs::default()
    };
    let (dest, _lock) = super::open_project(env, &args.dest, printer, "check")?;
    let mut reports = Vec::new();
    for answers_rel in answers_files(&dest, args.answers_file.as_deref())? {
        let (recorded, file, pristine) = render_recorded(env, &dest, &answers_rel, &common)?;
        for w in &recorded.warnings {
            printer.warn(w);
        }
        let latest = recorded.repo.latest_version(args.prereleases);
        let update_available = match (&recorded.revision.version, &latest) {
            (Some(current), Some((latest, _))) => latest > current,
            (None, Some(_)) => true,
            _ => false,
        };
        let mut d = Drift::default();
        for (path, _, now) in drift(&pristine.rendered.tree, &dest)? {
            match now {
                None => d.deleted.push(path),
                Some(_) => d.modified.push(path),
            }
        }
        reports.push(CheckReport {
            answers_file: answers_rel,
            src: recorded.spec.display(),
            current_version: file.commit.clone().or(recorded.revision.describe.clone()),
            latest_version: latest.map(|(_, tag)| tag),
            update_available,
            drift: d,
            git: recorded.repo.is_git(),
            recorded_version_known: recorded.revision.version.is_some(),
        });
    }
    Ok(reports)
}
