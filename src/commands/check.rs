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

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::update::{drift, open_recorded, read_answers, render_recorded};
use super::Env;
use crate::cli::{CheckArgs, CommonArgs};
use crate::error::{Error, EXIT_ATTENTION, EXIT_FAILURE};
use crate::plan::Plan;
use crate::printer::{quote_path, Printer};
use crate::project::answers_files;
use crate::{apply, inject};

/// One answers file's result; the `--json` shape documented in docs/commands.md.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub answers_file: String,
    pub src: String,
    pub current_version: Option<String>,
    pub latest_version: Option<String>,
    /// `None` with `--drift-only`: not looked at.
    pub update_available: Option<bool>,
    /// `None` with `--updates-only`: not looked at.
    pub drift: Option<Drift>,
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
    /// Injected blocks whose fences or marker line are damaged.
    pub damaged: Vec<Damaged>,
}

/// A block this answers file injected into another file, whose fences or
/// marker line are damaged (a merge conflict resolved by hand, say).
#[derive(Debug, Serialize)]
pub struct Damaged {
    /// The file holding the block.
    pub path: String,
    /// What is wrong: `closing fence missing`.
    pub problem: String,
    /// `--fix` restored it.
    pub fixed: bool,
    /// Why it cannot be restored safely; `None` when it can (or was).
    pub refused: Option<String>,
}

impl Drift {
    /// Damage that `--fix` repaired is no drift any more.
    fn is_empty(&self) -> bool {
        self.modified.is_empty() && self.deleted.is_empty() && self.unfixed() == 0
    }

    fn len(&self) -> usize {
        self.modified.len() + self.deleted.len() + self.unfixed()
    }

    fn unfixed(&self) -> usize {
        self.damaged.iter().filter(|d| !d.fixed).count()
    }

    /// `--fix` was asked for and could not restore everything.
    fn refused(&self) -> bool {
        self.damaged.iter().any(|d| d.refused.is_some())
    }
}

/// What a check looks at, and what makes it exit 1.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    pub updates: bool,
    pub drift: bool,
    /// Drift makes the check exit 1 (a newer version always does).
    pub drift_fails: bool,
    /// Restore damaged fences and markers (`--fix`); one that cannot be
    /// restored makes the check exit 1.
    pub fix: bool,
}

impl Look {
    pub fn of(args: &CheckArgs) -> Look {
        Look {
            updates: !args.drift_only,
            drift: !args.updates_only,
            drift_fails: args.drift_only || args.fail_on_drift,
            fix: args.fix,
        }
    }

    /// Whether this report needs attention: exit code 1.
    fn attention(&self, r: &CheckReport) -> bool {
        r.update_available == Some(true)
            || (self.drift_fails && r.drift.as_ref().is_some_and(|d| !d.is_empty()))
            || (self.fix && r.drift.as_ref().is_some_and(Drift::refused))
    }
}

pub fn run(args: &CheckArgs, env: &Env) -> Result<i32, Error> {
    let look = Look::of(args);
    let projects = projects(args, env)?;
    if let [Project { dest, folder: None }] = projects.as_slice() {
        return run_one(args, dest, look, env);
    }
    let printer = env.printer(&CommonArgs::default());
    let mut rows = Vec::new();
    for project in &projects {
        let name = project.name();
        match check_project(env, &project.dest, args, look, &printer) {
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
    let reports = check_project(env, dest, args, look, &printer)?;
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
    check_project(env, dest, args, Look::of(args), printer)
}

/// Checks every answers file of the project `dest` (or the one `args`
/// names): one report each, in order. Warnings go to `printer`.
fn check_project(
    env: &Env,
    dest: &Path,
    args: &CheckArgs,
    look: Look,
    printer: &Printer,
) -> Result<Vec<CheckReport>, Error> {
    let common = CommonArgs {
        prereleases: args.prereleases,
        quiet: printer.quiet,
        ..CommonArgs::default()
    };
    let (dest, _lock) = super::open_project(env, dest, printer, "check")?;
    let mut reports = Vec::new();
    let mut files = answers_files(&dest, args.answers_file.as_deref())?;
    if look.fix && args.answers_file.is_none() {
        // The blocks to repair belong to the modules: every answers file.
        files.extend(module_answers_files(&dest, &files)?);
    }
    for answers_rel in files {
        let (recorded, file, drift) = if look.drift {
            let (recorded, file, pristine) = render_recorded(env, &dest, &answers_rel, &common)?;
            let mut d = Drift::default();
            for (path, _, now) in drift(&pristine.rendered.tree, &dest)? {
                match now {
                    None => d.deleted.push(path),
                    Some(_) => d.modified.push(path),
                }
            }
            d.damaged = damaged_blocks(
                env,
                &dest,
                &pristine.external_blocks,
                &answers_rel,
                look.fix,
            )?;
            (recorded, file, Some(d))
        } else {
            let file = read_answers(&dest, &answers_rel)?;
            let recorded = open_recorded(&file, &answers_rel, &dest, env, &common)?;
            (recorded, file, None)
        };
        for w in &recorded.warnings {
            printer.warn(w);
        }
        let latest = look
            .updates
            .then(|| recorded.repo.latest_version(args.prereleases))
            .flatten();
        let update_available = look
            .updates
            .then(|| match (&recorded.revision.version, &latest) {
                (Some(current), Some((latest, _))) => latest > current,
                (None, Some(_)) => true,
                _ => false,
            });
        reports.push(CheckReport {
            answers_file: answers_rel,
            src: recorded.spec.display(),
            current_version: file.commit.clone().or(recorded.revision.describe.clone()),
            latest_version: latest.map(|(_, tag)| tag),
            update_available,
            drift,
            git: recorded.repo.is_git(),
            recorded_version_known: recorded.revision.version.is_some(),
        });
    }
    Ok(reports)
}

/// The `.graft-answers*.yml` files of the project besides `known`, in name
/// order: those of the modules added to it.
fn module_answers_files(dest: &Path, known: &[String]) -> Result<Vec<String>, Error> {
    let mut found: Vec<String> = std::fs::read_dir(dest)
        .map_err(|e| Error::io("read", dest, e))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with(".graft-answers")
                && (n.ends_with(".yml") || n.ends_with(".yaml"))
                && !known.contains(n)
        })
        .collect();
    found.sort();
    Ok(found)
}

/// The blocks of `owner` whose fences or marker lines are damaged, file by
/// file; with `fix`, each file whose damage can all be repaired safely is
/// rewritten (fence and marker lines only), in one transaction. A file
/// with damage that cannot be repaired is left as it is.
fn damaged_blocks(
    env: &Env,
    dest: &Path,
    blocks: &[inject::Block],
    owner: &str,
    fix: bool,
) -> Result<Vec<Damaged>, Error> {
    let mut out = Vec::new();
    let mut plan = Plan::default();
    for file in super::remove::injected_files(dest, blocks)? {
        let target = file.target;
        let mut text = file.text.clone();
        let mut found = Vec::new();
        for block in blocks.iter().filter(|b| b.into == target) {
            let Some(damage) = inject::diagnose(&text, block, owner) else {
                continue;
            };
            let refused = match damage.repair {
                Ok(repaired) => {
                    text = repaired;
                    None
                }
                Err(why) => Some(why),
            };
            found.push(Damaged {
                path: target.to_string(),
                problem: damage.problem,
                fixed: false,
                refused,
            });
        }
        if fix && !found.is_empty() && found.iter().all(|d| d.refused.is_none()) {
            for d in &mut found {
                d.fixed = true;
            }
            plan.changes.push(file.rewrite(text, "fences restored"));
        }
        out.extend(found);
    }
    if !plan.changes.is_empty() {
        apply::apply(
            dest,
            &plan,
            &env.journals(),
            &super::ProgressBar::start(false, ""),
        )?;
    }
    Ok(out)
}

/// One row of a check of several projects: an answers file's report, or
/// why the project could not be checked.
struct Row {
    project: String,
    result: Result<CheckReport, Error>,
}

/// The counts under the table, and in the JSON: projects, not rows (a
/// project with two answers files counts once).
#[derive(Debug, Default, Serialize)]
struct Summary {
    projects: usize,
    update_available: usize,
    drifted: usize,
    up_to_date: usize,
    failed: usize,
}

impl Summary {
    fn of(rows: &[Row]) -> Summary {
        let mut summary = Summary::default();
        let mut i = 0;
        while i < rows.len() {
            let project = &rows[i].project;
            let end = rows[i..]
                .iter()
                .position(|r| &r.project != project)
                .map_or(rows.len(), |n| i + n);
            let mine = &rows[i..end];
            summary.projects += 1;
            if mine.iter().any(|r| r.result.is_err()) {
                summary.failed += 1;
            } else {
                let reports = mine.iter().filter_map(|r| r.result.as_ref().ok());
                let (mut update, mut drifted) = (false, false);
                for r in reports {
                    update |= r.update_available == Some(true);
                    drifted |= r.drift.as_ref().is_some_and(|d| !d.is_empty());
                }
                summary.update_available += usize::from(update);
                summary.drifted += usize::from(drifted);
                summary.up_to_date += usize::from(!update && !drifted);
            }
            i = end;
        }
        summary
    }

    /// `3 projects: 1 update available, 1 drifted, 1 up to date`.
    fn line(&self) -> String {
        let noun = if self.projects == 1 {
            "project"
        } else {
            "projects"
        };
        let mut parts = Vec::new();
        for (n, what) in [
            (self.update_available, "update available"),
            (self.drifted, "drifted"),
            (self.up_to_date, "up to date"),
            (self.failed, "failed"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        format!("{} {noun}: {}", self.projects, parts.join(", "))
    }
}

/// The table of a check of several projects, on stderr.
fn print_table(printer: &Printer, rows: &[Row], summary: &Summary) {
    let header = [
        "PROJECT", "TEMPLATE", "RECORDED", "LATEST", "DRIFT", "STATUS",
    ];
    let mut lines: Vec<[String; 6]> = vec![header.map(String::from)];
    for row in rows {
        lines.push(match &row.result {
            Ok(r) => {
                let project = if r.answers_file == ".graft-answers.yml"
                    || r.answers_file == ".copier-answers.yml"
                {
                    row.project.clone()
                } else {
                    format!("{} ({})", row.project, r.answers_file)
                };
                let dash = || "-".to_string();
                let drifted = r.drift.as_ref().is_some_and(|d| !d.is_empty());
                let mut status = Vec::new();
                if r.update_available == Some(true) {
                    status.push("update available");
                }
                if drifted {
                    status.push("drifted");
                }
                if status.is_empty() {
                    status.push("up to date");
                }
                [
                    project,
                    r.src.clone(),
                    r.current_version.clone().unwrap_or_else(dash),
                    match r.update_available {
                        Some(_) => r.latest_version.clone().unwrap_or_else(dash),
                        None => dash(),
                    },
                    r.drift.as_ref().map_or_else(dash, |d| d.len().to_string()),
                    status.join(", "),
                ]
            }
            Err(e) => [
                row.project.clone(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                format!("error: {e}"),
            ],
        });
    }
    let mut widths = [0usize; 6];
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for line in &lines {
        let mut text = String::new();
        for (i, (cell, w)) in line.iter().zip(widths).enumerate() {
            if i + 1 == line.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<w$}  "));
            }
        }
        printer.info(text.trim_end());
    }
    printer.info(&summary.line());
}

/// The JSON of a check of several projects: every row, then the counts.
fn print_fleet_json(rows: &[Row], summary: &Summary) -> Result<(), Error> {
    #[derive(Serialize)]
    struct Fleet<'a> {
        projects: Vec<serde_json::Value>,
        summary: &'a Summary,
    }
    let projects = rows
        .iter()
        .map(|row| {
            let mut object = serde_json::Map::new();
            object.insert("project".into(), row.project.clone().into());
            let rest = match &row.result {
                // Text, flags and lists of text: `to_value` cannot fail.
                Ok(report) => serde_json::to_value(report).unwrap_or_default(),
                Err(e) => serde_json::json!({ "error": e.to_json() }),
            };
            if let serde_json::Value::Object(rest) = rest {
                object.extend(rest);
            }
            serde_json::Value::Object(object)
        })
        .collect();
    let fleet = Fleet { projects, summary };
    crate::report::print(&fleet)
}
