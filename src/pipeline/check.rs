//! `graft check`: is a newer template version available, and has the
//! project drifted from what the template generated (files changed or
//! deleted, injected blocks whose fences a hand-resolved merge broke)?

use std::path::Path;

use serde::Serialize;

use super::blocks::injected_files;
use super::open::open_project;
use super::recorded::{drift, open_recorded, render_recorded, OpenSettings};
use crate::env::Env;
use crate::error::Error;
use crate::plan::Plan;
use crate::printer::Printer;
use crate::project::{answers_files, read_answers};
use crate::{apply, inject};

/// What `graft check` looks at, resolved from its flags.
pub struct CheckSettings {
    pub open: OpenSettings,
    /// `-a FILE`: only this answers file.
    pub answers_file: Option<String>,
}

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
    pub fn is_empty(&self) -> bool {
        self.modified.is_empty() && self.deleted.is_empty() && self.unfixed() == 0
    }

    pub fn len(&self) -> usize {
        self.modified.len() + self.deleted.len() + self.unfixed()
    }

    fn unfixed(&self) -> usize {
        self.damaged.iter().filter(|d| !d.fixed).count()
    }

    /// `--fix` was asked for and could not restore everything.
    pub fn refused(&self) -> bool {
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
    /// Whether this report needs attention: exit code 1.
    pub fn attention(&self, r: &CheckReport) -> bool {
        r.update_available == Some(true)
            || (self.drift_fails && r.drift.as_ref().is_some_and(|d| !d.is_empty()))
            || (self.fix && r.drift.as_ref().is_some_and(Drift::refused))
    }
}

/// Checks every answers file of the project `dest` (or the one `settings`
/// names): one report each, in order. Warnings go to `printer`.
pub fn check_project(
    env: &Env,
    dest: &Path,
    settings: &CheckSettings,
    look: Look,
    printer: &Printer,
) -> Result<Vec<CheckReport>, Error> {
    let (dest, _lock) = open_project(env, dest, printer, "check")?;
    let mut reports = Vec::new();
    let mut files = answers_files(&dest, settings.answers_file.as_deref())?;
    if look.fix && settings.answers_file.is_none() {
        // The blocks to repair belong to the modules: every answers file.
        files.extend(module_answers_files(&dest, &files)?);
    }
    for answers_rel in files {
        let (recorded, file, drift) = if look.drift {
            let (recorded, file, pristine) =
                render_recorded(env, &dest, &answers_rel, &settings.open)?;
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
            let recorded = open_recorded(&file, &answers_rel, &dest, &settings.open)?;
            (recorded, file, None)
        };
        for w in &recorded.warnings {
            printer.warn(w);
        }
        let latest = look
            .updates
            .then(|| recorded.repo.latest_version(settings.open.prereleases))
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
    for file in injected_files(dest, blocks)? {
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
        apply::apply(dest, &plan, &env.journals(), &crate::progress::NoProgress)?;
    }
    Ok(out)
}
