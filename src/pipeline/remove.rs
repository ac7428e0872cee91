//! `graft remove`: what taking a template out of the project does.

use std::collections::BTreeSet;
use std::path::Path;

use super::blocks::injected_files;
use super::render::ProjectRender;
use crate::error::Error;
use crate::inject;
use crate::plan::{self, Action, Change, Plan};
use crate::tree::Node;

/// What removing the template of `owner` does: every file still as the
/// pristine render wrote it is deleted, a modified one kept (and listed),
/// its blocks taken out of other files, the answers file deleted and the
/// folders left empty too.
pub fn removal(
    dest: &Path,
    pristine: &ProjectRender,
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
