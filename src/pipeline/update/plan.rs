//! What an update does to each path of the project.

use std::collections::BTreeSet;
use std::path::Path;

use rayon::prelude::*;

use super::{Prepared, Renders, UpdateSettings};
use crate::apply;
use crate::dialect::Dialect;
use crate::error::{Error, RenderError};
use crate::merge::{self, ConflictStyle, UpdateInput};
use crate::plan::{self, Action, Change, Plan};
use crate::project_git::{CleanFiles, ProjectRepo};
use crate::tree::{FileTree, Node};

/// What the update does to each path of the project: the three-way plan,
/// injected blocks, folders, the answers file, and the dialect's rules
/// for conflicts.
pub(super) fn plan_update(
    s: &UpdateSettings,
    dest: &Path,
    answers_rel: &str,
    p: &Prepared,
    r: &Renders,
) -> Result<Plan, Error> {
    let (old, new, written) = (&r.old, &r.new, r.written());
    let new_config = &p.new_config;
    // A Copier template's patterns are rendered with the new answers, as
    // its copy renders them.
    let ctx = crate::render::Context::of(&new.answers.context)?;
    let rendering = Some((&new.engine, &ctx));
    let skip = crate::render::skip_matcher_with(new_config, &s.render.skip, rendering)?;
    let exclude = crate::render::exclude_matcher_with(new_config, &s.render.exclude, rendering)?;
    let recreate_skipped = new_config.dialect.recreates_missing_skipped_files();
    let mut project = read_project(
        dest,
        &old.rendered.tree,
        &written.rendered.tree,
        p.known.as_ref(),
    )?;
    if recreate_skipped {
        read_skipped(dest, &written.rendered.tree, &skip, &mut project)?;
    }
    let mut plan = merge::plan_update(&UpdateInput {
        old: &old.rendered.tree,
        new: &written.rendered.tree,
        project: &project,
        skip_if_exists: &skip,
        new_exclude: &exclude,
        style: if !s.rej {
            ConflictStyle::Inline
        } else if new_config.dialect == Dialect::Copier {
            // Copier's projects get Copier's `.rej` files.
            ConflictStyle::CopierRej {
                context: s.context_lines,
            }
        } else {
            ConflictStyle::Rej
        },
        recreate_skipped,
    })?;
    plan.changes.extend(block_changes(
        dest,
        &old.external_blocks,
        &written.external_blocks,
        answers_rel,
    )?);
    order_folders(dest, &mut plan, &old.rendered.tree, &written.rendered.tree)?;
    if let Some(text) = &written.answers_text {
        push_answers_file(&mut plan, dest, &written.answers_path, text)?;
    }
    plan::free_extra_names(dest, &mut plan)?;
    let mut inside = apply::Inside::new(dest);
    for change in plan.writes() {
        inside.check(&change.path)?;
        for (extra, _) in &change.extra {
            inside.check(extra)?;
        }
    }
    conflicts_as_the_dialect_writes_them(new_config.dialect, p.git.as_ref(), &mut plan);
    Ok(plan)
}

/// Reads what the project holds at every path where the two renders
/// differ. Where they agree the template changed nothing and the project's
/// bytes do not matter (SPEC §6, first row), so an update reads only the
/// files the template touched, not the whole project. A file that `known`
/// (the project's git index, which proved the tree clean) shows still
/// holding what the old version wrote is not read either.
pub fn read_project(
    dest: &Path,
    old: &FileTree,
    new: &FileTree,
    known: Option<&CleanFiles>,
) -> Result<FileTree, Error> {
    let paths: Vec<String> = merge::paths(old, new)
        .into_iter()
        .filter(|p| old.get(p) != new.get(p))
        .collect();
    let nodes: Vec<(String, Option<Node>)> = paths
        .into_par_iter()
        .map(|p| {
            let node = match (old.get(&p), known) {
                (Some(node @ Node::File { bytes, executable }), Some(known))
                    if known.holds(&p, bytes, *executable) =>
                {
                    Some(node.clone())
                }
                _ => plan::read_node(dest, &p)?,
            };
            Ok((p, node))
        })
        .collect::<Result<_, Error>>()?;
    let mut tree = FileTree::new();
    for (path, node) in nodes {
        if let Some(node) = node {
            tree.entries.insert(path, node);
        }
    }
    // A folder the new version makes a file goes only if it holds nothing
    // but what the old version put there: everything in it is looked at.
    let replaced: Vec<String> = tree
        .entries
        .iter()
        .filter(|(p, n)| {
            matches!(n, Node::Dir)
                && matches!(old.get(p), Some(Node::Dir))
                && matches!(new.get(p), Some(Node::File { .. } | Node::Symlink { .. }))
        })
        .map(|(p, _)| p.clone())
        .collect();
    for dir in replaced {
        read_folder(dest, &dir, &mut tree)?;
    }
    Ok(tree)
}

/// Adds what the project holds at the `skip_if_exists` files of the new
/// render that [`read_project`] left unread (the template did not change
/// them), so a missing one can be made again.
fn read_skipped(
    dest: &Path,
    new: &FileTree,
    skip: &crate::render::PathMatcher,
    project: &mut FileTree,
) -> Result<(), Error> {
    for (path, node) in &new.entries {
        if matches!(node, Node::Dir)
            || project.entries.contains_key(path)
            || !skip.matches(path, false)
        {
            continue;
        }
        if let Some(found) = plan::read_node(dest, path)? {
            project.entries.insert(path.clone(), found);
        }
    }
    Ok(())
}

/// Adds everything inside the project's folder `rel` to `tree`, without
/// following symlinks.
fn read_folder(dest: &Path, rel: &str, tree: &mut FileTree) -> Result<(), Error> {
    let path = dest.join(rel);
    for entry in std::fs::read_dir(&path).map_err(|e| Error::io("read", &path, e))? {
        let entry = entry.map_err(|e| Error::io("read", &path, e))?;
        let inner = format!("{rel}/{}", entry.file_name().to_string_lossy());
        match plan::read_node(dest, &inner)? {
            Some(Node::Dir) => {
                tree.entries.insert(inner.clone(), Node::Dir);
                read_folder(dest, &inner, tree)?;
            }
            Some(node) => {
                tree.entries.insert(inner, node);
            }
            None => {}
        }
    }
    Ok(())
}

/// A folder the template dropped (or made a file) goes once the update
/// leaves it empty; a file that takes its place comes after.
fn order_folders(
    dest: &Path,
    plan: &mut Plan,
    old: &FileTree,
    new: &FileTree,
) -> Result<(), Error> {
    let deleted: BTreeSet<String> = plan.paths(Action::Delete).into_iter().collect();
    let dropped_dirs: BTreeSet<&str> = old
        .entries
        .iter()
        .filter(|(p, n)| matches!(n, Node::Dir) && !matches!(new.get(p), Some(Node::Dir)))
        .map(|(p, _)| p.as_str())
        .collect();
    let (in_place_of_folders, changes): (Vec<Change>, Vec<Change>) =
        std::mem::take(&mut plan.changes)
            .into_iter()
            .partition(|c| c.write.is_some() && dropped_dirs.contains(c.path.as_str()));
    plan.changes = changes;
    plan.changes
        .extend(plan::prune_empty_dirs(dest, dropped_dirs, &deleted)?);
    plan.changes.extend(in_place_of_folders);
    Ok(())
}

/// Copier keeps the project's executable bit on a conflicted file (where
/// git tracks modes) and records an add/add conflict against an empty base.
fn conflicts_as_the_dialect_writes_them(
    dialect: Dialect,
    git: Option<&ProjectRepo>,
    plan: &mut Plan,
) {
    if dialect.conflicts_keep_the_project_s_mode() && git.is_some_and(|g| !g.ignores_file_modes()) {
        for change in plan
            .changes
            .iter_mut()
            .filter(|c| c.action == Action::Conflict)
        {
            if let (
                Some(Node::File { executable, .. }),
                Some(Node::File {
                    executable: ours, ..
                }),
            ) = (&mut change.write, &change.before)
            {
                *executable = *ours;
            }
        }
    }
    if dialect.indexes_empty_base_when_added_by_both() {
        for sides in plan
            .changes
            .iter_mut()
            .filter_map(|c| c.sides.as_deref_mut())
        {
            sides.base.get_or_insert_with(Vec::new);
        }
    }
}

/// Adds the answers file, which is always rewritten.
pub fn push_answers_file(plan: &mut Plan, dest: &Path, rel: &str, text: &str) -> Result<(), Error> {
    let node = Node::file(text.as_bytes());
    let before = plan::read_node(dest, rel)?;
    let action = match &before {
        None => Action::Create,
        Some(b) if *b == node => Action::Identical,
        Some(_) => Action::Update,
    };
    plan.changes.retain(|c| c.path != rel);
    let write = (action != Action::Identical).then_some(node);
    plan.changes.push(Change::new(rel, action, write, before));
    Ok(())
}

/// Updates the blocks this template injected into files it does not own.
fn block_changes(
    dest: &Path,
    old: &[crate::inject::Block],
    new: &[crate::inject::Block],
    owner: &str,
) -> Result<Vec<Change>, Error> {
    let mut targets: Vec<&str> = Vec::new();
    for b in old.iter().chain(new) {
        if !targets.contains(&b.into.as_str()) {
            targets.push(&b.into);
        }
    }
    let mut out = Vec::new();
    for target in targets {
        let olds: Vec<_> = old.iter().filter(|b| b.into == target).collect();
        let news: Vec<_> = new.iter().filter(|b| b.into == target).collect();
        let before = plan::read_node(dest, target)?;
        let Some(Node::File { bytes, executable }) = &before else {
            if news.is_empty() {
                continue;
            }
            return Err(RenderError::Injection {
                file: target.to_string(),
                owner: owner.to_string(),
                source: crate::inject::InjectError(format!(
                    "`{target}` is not a file of the project"
                )),
            }
            .into());
        };
        let text = String::from_utf8_lossy(bytes).into_owned();
        let result = merge::update_blocks(&text, &olds, &news, owner)?;
        if result.text == text && result.action == Action::Identical {
            continue;
        }
        let write = (result.text != text).then(|| Node::File {
            bytes: result.text.into_bytes().into(),
            executable: *executable,
        });
        let mut change = Change::new(target, result.action, write, before.clone());
        change.note = result.note;
        out.push(change);
    }
    Ok(out)
}
