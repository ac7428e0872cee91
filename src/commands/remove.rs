//! `graft remove [DEST] -a ANSWERS_FILE`: take a template (usually a module)
//! out of the project again. Deletes every file whose bytes still equal the
//! pristine render, removes its injected blocks, prunes folders left empty
//! and deletes the answers file; stops before deleting anything when the
//! project changed one of them, unless `--keep-modified`.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use super::update::render_recorded;
use super::Env;
use crate::apply;
use crate::cli::{CommonArgs, RemoveArgs};
use crate::error::{Error, ProjectError};
use crate::inject;
use crate::plan::{self, Action, Change, Plan};
use crate::tree::Node;

/// The `--json` report of remove, documented in docs/commands.md.
#[derive(Debug, Serialize)]
pub struct RemoveReport {
    pub command: &'static str,
    pub answers_file: String,
    pub files: Vec<crate::report::FileEntry>,
    /// Files and blocks kept because the project modified them.
    pub modified: Vec<String>,
    pub pretend: bool,
}

pub fn run(args: &RemoveArgs, env: &Env) -> Result<i32, Error> {
    let common = CommonArgs::default();
    let printer = env.printer(&common);
    let (dest, _lock) = super::open_project(env, &args.dest, &printer, "remove from")?;
    let owner = args.answers_file.as_str();
    if !dest.join(owner).is_file() {
        return Err(ProjectError::NoAnswersFile {
            dest: args.dest.clone(),
            file: owner.to_string(),
        }
        .into());
    }
    let (recorded, _, pristine) = render_recorded(env, &dest, owner, &common)?;
    for w in &recorded.warnings {
        printer.warn(w);
    }

    let (plan, modified) = removal(&dest, &pristine, owner)?;

    if !modified.is_empty() && !args.keep_modified {
        print(&printer, &plan);
        return Err(ProjectError::Modified {
            owner: owner.to_string(),
            paths: modified,
        }
        .into());
    }
    print(&printer, &plan);
    if args.pretend {
        printer.info("pretend: nothing was written");
    } else {
        let bar = super::ProgressBar::start(env.stderr_terminal && !args.json, "removing");
        apply::apply(&dest, &plan, &env.journals(), &bar)?;
        drop(bar);
        printer.info(&format!(
            "\nremoved `{owner}` from {}: {} deleted, {} kept because modified",
            args.dest.display(),
            plan.count(Action::Delete),
            modified.len()
        ));
    }
    if args.json {
        let report = RemoveReport {
            command: "remove",
            answers_file: owner.to_string(),
            files: crate::report::Report::files_from(&plan),
            modified,
            pretend: args.pretend,
        };
        crate::report::print(&report)?;
    }
    Ok(0)
}

fn print(printer: &crate::printer::Printer, plan: &Plan) {
    for c in &plan.changes {
        match &c.note {
            Some(n) => printer.status(c.action, &format!("{} ({n})", c.path)),
            None => printer.status(c.action, &c.path),
        }
    }
}

/// What removing the template of `owner` does: every file still as the
/// pristine render wrote it is deleted, a modified one kept (and listed),
/// its blocks taken out of other files, the answers file deleted and the
/// folders left empty too.
fn removal(
    dest: &Path,
    pristine: &super::ProjectRender,
    owner: &str,
) -> Result<(Plan, Vec<String>), Error> {
    let mut plan = Plan::default();
    let mut modified = Vec::new();
    let mut deleted: BTreeSet<String> = BTreeSet::new();
    for (path, node) in &pristine.rendered.tree.entries {
        if matches!(node, Node::Dir) {
            continue;
        }
        match plan::read_node(dest, path)? {
            None => {}
            Some(now) if &now == node => {
                deleted.insert(path.clone());
                plan.changes
                    .push(Change::new(path, Action::Delete, None, Some(now)));
            }
            Some(now) => {
                modified.push(path.clone());
                let mut c = Change::new(path, Action::Keep, None, Some(now));
                c.note = Some("modified".to_string());
                plan.changes.push(c);
            }
        }
    }
    plan.changes.extend(block_removals(
        dest,
        &pristine.external_blocks,
        owner,
        &mut modified,
    )?);
    deleted.insert(owner.to_string());
    plan.changes.push(Change::new(
        owner,
        Action::Delete,
        None,
        plan::read_node(dest, owner)?,
    ));
    let dirs = pristine
        .rendered
        .tree
        .entries
        .iter()
        .filter(|(_, n)| matches!(n, Node::Dir))
        .map(|(p, _)| p.as_str());
    plan.changes
        .extend(plan::prune_empty_dirs(dest, dirs, &deleted)?);

    Ok((plan, modified))
}

/// Removes the pristine blocks of `owner`; a block the project edited is
/// reported as modified and left in place.
fn block_removals(
    dest: &Path,
    blocks: &[inject::Block],
    owner: &str,
    modified: &mut Vec<String>,
) -> Result<Vec<Change>, Error> {
    let mut out = Vec::new();
    for file in injected_files(dest, blocks)? {
        let target = file.target;
        let mut text = file.text.clone();
        for block in blocks.iter().filter(|b| b.into == target) {
            match inject::content(&text, block, owner) {
                None => {}
                Some(c) if c == block.content => {
                    text = inject::remove(&text, block, owner).unwrap_or(text);
                }
                Some(_) => modified.push(format!("{target} (block)")),
            }
        }
        if text != file.text {
            out.push(file.rewrite(text, "injected block removed"));
        }
    }
    Ok(out)
}

/// A file the blocks of one template are injected into, as it is on disk.
pub(super) struct InjectedFile<'a> {
    pub target: &'a str,
    pub before: Node,
    pub text: String,
    pub executable: bool,
}

impl InjectedFile<'_> {
    /// The change that writes `text` over this file, saying why.
    pub fn rewrite(&self, text: String, note: &str) -> plan::Change {
        let node = Node::File {
            bytes: text.into_bytes().into(),
            executable: self.executable,
        };
        let mut change = plan::Change::new(
            self.target,
            plan::Action::Update,
            Some(node),
            Some(self.before.clone()),
        );
        change.note = Some(note.to_string());
        change
    }
}

/// Every file `blocks` are injected into, once each in the order first
/// named, that is a regular file in `dest` (a missing one is left out).
pub(super) fn injected_files<'a>(
    dest: &Path,
    blocks: &'a [inject::Block],
) -> Result<Vec<InjectedFile<'a>>, Error> {
    let mut targets: Vec<&str> = Vec::new();
    for b in blocks {
        if !targets.contains(&b.into.as_str()) {
            targets.push(&b.into);
        }
    }
    let mut out = Vec::new();
    for target in targets {
        if let Some(before) = plan::read_node(dest, target)? {
            if let Node::File { bytes, executable } = &before {
                let (text, executable) = (String::from_utf8_lossy(bytes).into_owned(), *executable);
                out.push(InjectedFile {
                    target,
                    before,
                    text,
                    executable,
                });
            }
        }
    }
    Ok(out)
}
