//! `graft check [DEST]...`: is a newer template version available, and has
//! the project drifted from what the template generated?
//!
//! One project prints a line per answers file and its drift. Several
//! projects (several DESTs, or a DEST that is a folder of projects, such as
//! a folder of checkouts) print one summary table, and one JSON object with
//! a row per answers file and the counts; a project that cannot be checked
//! is a row with its error, and the others are still checked.
//!
//! Drift includes damaged wiring: blocks the answers file injected into
//! other files whose fences or marker lines a hand-resolved merge broke.
//! `--fix` (which looks at every answers file of the project) restores them
//! when the lines between the fences are still what graft wrote, and writes
//! nothing else; damage it cannot repair safely is reported with the reason
//! and makes the check exit 1.

mod fleet;

use std::path::{Path, PathBuf};

use fleet::{print_fleet_json, print_table, Row, Summary};

use super::Env;
use crate::cli::{CheckArgs, CommonArgs};
use crate::error::{Error, EXIT_ATTENTION, EXIT_FAILURE};
use crate::pipeline::check::{check_project, CheckSettings};
pub use crate::pipeline::check::{CheckReport, Drift, Look};
use crate::printer::{quote_path, Printer};
use crate::project::answers_files;

/// What the flags ask a check to look at.
fn look(args: &CheckArgs) -> Look {
    Look {
        updates: !args.drift_only,
        drift: !args.updates_only,
        drift_fails: args.drift_only || args.fail_on_drift,
        fix: args.fix,
    }
}

/// The settings of a check that prints through `printer`.
fn settings(args: &CheckArgs, env: &Env, printer: &Printer) -> CheckSettings {
    let common = CommonArgs {
        prereleases: args.prereleases,
        quiet: printer.quiet,
        ..CommonArgs::default()
    };
    CheckSettings {
        open: super::open_settings(env, &common),
        answers_file: args.answers_file.clone(),
    }
}

pub fn run(args: &CheckArgs, env: &Env) -> Result<i32, Error> {
    let look = look(args);
    let projects = projects(args, env)?;
    if let [Project { dest, folder: None }] = projects.as_slice() {
        return run_one(args, dest, look, env);
    }
    let printer = env.printer(&CommonArgs::default());
    let settings = settings(args, env, &printer);
    let mut rows = Vec::new();
    for project in &projects {
        let name = project.name();
        match check_project(env, &project.dest, &settings, look, &printer) {
            Ok(reports) => rows.extend(reports.into_iter().map(|report| Row {
                project: name.clone(),
                result: Ok(report),
            })),
            Err(e) => rows.push(Row {
                project: name,
                result: Err(e),
            }),
        }
    }
    let summary = Summary::of(&rows);
    print_table(&printer, &rows, &summary);
    if args.json {
        print_fleet_json(&rows, &summary)?;
    }
    Ok(if summary.failed > 0 {
        EXIT_FAILURE
    } else if rows
        .iter()
        .any(|row| row.result.as_ref().is_ok_and(|r| look.attention(r)))
    {
        EXIT_ATTENTION
    } else {
        0
    })
}

/// One project: a line per answers file, then its drift.
fn run_one(args: &CheckArgs, dest: &Path, look: Look, env: &Env) -> Result<i32, Error> {
    let printer = env.printer(&CommonArgs {
        quiet: args.json,
        ..CommonArgs::default()
    });
    let reports = check_project(env, dest, &settings(args, env, &printer), look, &printer)?;
    for r in &reports {
        let current = r.current_version.as_deref().unwrap_or("(untagged)");
        let latest = r.latest_version.as_deref().unwrap_or("(no version tags)");
        let drifted = r.drift.as_ref().is_some_and(|d| !d.is_empty());
        let line = match r.update_available {
            Some(true) => format!("{current} → {latest} available"),
            Some(false) => format!("{current} is up to date"),
            None if drifted => format!("drifted from {current}"),
            None => format!("no drift from {current}"),
        };
        printer.info(&format!("{}: {line} ({})", r.answers_file, r.src));
        if let Some(d) = &r.drift {
            for p in &d.modified {
                printer.info(&format!("  modified  {}", quote_path(p)));
            }
            for p in &d.deleted {
                printer.info(&format!("   deleted  {}", quote_path(p)));
            }
            for b in &d.damaged {
                let path = quote_path(&b.path);
                let line = match (&b.refused, b.fixed) {
                    (_, true) => format!("  restored  {path}: {}", b.problem),
                    (Some(why), false) => {
                        format!("   damaged  {path}: {}; not restored: {why}", b.problem)
                    }
                    (None, false) => format!(
                        "   damaged  {path}: {} (`graft check --fix` restores it)",
                        b.problem
                    ),
                };
                printer.info(&line);
            }
        }
    }
    if args.json {
        crate::report::print_json(&reports)?;
    }
    Ok(if reports.iter().any(|r| look.attention(r)) {
        EXIT_ATTENTION
    } else {
        0
    })
}

/// A project to check: its folder, and the folder of projects it was
/// found in (`None` when a DEST named it).
struct Project {
    dest: PathBuf,
    folder: Option<PathBuf>,
}

impl Project {
    /// How the table and the JSON name it: the DEST as given, or the folder
    /// of projects as given joined with its sub-folder's name.
    fn name(&self) -> String {
        let shown = match &self.folder {
            Some(folder) if folder == Path::new(".") => {
                PathBuf::from(self.dest.file_name().unwrap_or_default())
            }
            Some(folder) => folder.join(self.dest.file_name().unwrap_or_default()),
            None => self.dest.clone(),
        };
        shown.display().to_string()
    }
}

/// The projects the DEST arguments name: each DEST that holds an answers
/// file, and the sub-folders that hold one of each DEST that does not.
fn projects(args: &CheckArgs, env: &Env) -> Result<Vec<Project>, Error> {
    let answers_file = args.answers_file.as_deref();
    let mut out = Vec::new();
    for given in &args.dests {
        let dest = env.absolute(given);
        let not_a_project = match answers_files(&dest, answers_file) {
            Ok(_) => {
                out.push(Project {
                    dest: given.clone(),
                    folder: None,
                });
                continue;
            }
            Err(e) => e,
        };
        let inside = projects_in(&dest, answers_file);
        if inside.is_empty() {
            return Err(not_a_project);
        }
        out.extend(inside.into_iter().map(|name| Project {
            dest: given.join(name),
            folder: Some(given.clone()),
        }));
    }
    Ok(out)
}

/// The names of the sub-folders of `dir` that hold an answers file, in
/// name order; hidden folders (`.git`) are left out.
fn projects_in(dir: &Path, answers_file: Option<&str>) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| !name.starts_with('.'))
        .filter(|name| answers_files(&dir.join(name), answers_file).is_ok())
        .collect();
    names.sort();
    names
}

/// Checks the first project `args` names, looking at everything (what
/// Copier's `check-update` reads): one report per answers file.
pub fn check(args: &CheckArgs, env: &Env, printer: &Printer) -> Result<Vec<CheckReport>, Error> {
    let dest = args.dests.first().map_or(Path::new("."), PathBuf::as_path);
    check_project(
        env,
        dest,
        &settings(args, env, printer),
        look(args),
        printer,
    )
}
