//! Three-way update of a project: old render, new render, project on disk.
//!
//! [`plan_update`] decides per path what happens (SPEC §6 table) and runs
//! the text merge where both sides changed a file. It is pure: the project
//! is passed in as a tree read beforehand, and the result is a [`Plan`].
//! Conflicts stay values ([`Sides`]) until the apply step writes them.

pub mod replay;
pub mod text;
pub mod unchanged;

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{Error, RenderError};
use crate::plan::{Action, Change, Plan, Sides};
use crate::render::{is_binary, PathMatcher};
use crate::tree::{FileTree, Node};

/// How conflicts are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictStyle {
    /// `git merge-file` markers inside the file.
    Inline,
    /// The template's version with clean hunks merged, project hunks in `PATH.rej`.
    Rej,
    /// Copier's `rej`: the project's changes, cut into hunks with this
    /// many lines of context, replayed onto the template's version as
    /// `git apply --reject` replays them; what does not apply goes to
    /// `PATH.rej` in git's format, and nothing is recorded as unmerged.
    CopierRej { context: usize },
}

/// The inputs of an update plan.
pub struct UpdateInput<'a> {
    /// The template at the recorded version with the recorded answers.
    pub old: &'a FileTree,
    /// The template at the target version with the new answers.
    pub new: &'a FileTree,
    /// What is on disk at every path of `old` and `new`.
    pub project: &'a FileTree,
    /// `_skip_if_exists` of the new version, plus `-s`.
    pub skip_if_exists: &'a PathMatcher,
    /// `_exclude` of the new version, plus `-x`: paths it matches are left alone.
    pub new_exclude: &'a PathMatcher,
    pub style: ConflictStyle,
    /// A `skip_if_exists` file the project deleted comes back even where
    /// the template did not change it (Copier's rule; `project` must then
    /// hold those paths too). Otherwise it comes back only with a change.
    pub recreate_skipped: bool,
}

/// Minimum line similarity for a removed and an added file to count as a rename.
const RENAME_SIMILARITY: f32 = 0.5;
/// Above this many removed × added candidates, only same-name renames are tried.
const RENAME_PAIR_LIMIT: usize = 250_000;

/// Paths that graft compares: every path of the old and new renders.
pub fn paths(old: &FileTree, new: &FileTree) -> BTreeSet<String> {
    old.entries
        .keys()
        .chain(new.entries.keys())
        .cloned()
        .collect()
}

/// Plans the update of every path.
pub fn plan_update(input: &UpdateInput) -> Result<Plan, Error> {
    let UpdateInput {
        old, new, project, ..
    } = *input;
    let renames = detect_renames(input);
    let renamed_from: BTreeMap<&str, &str> = renames
        .iter()
        .map(|(o, n)| (n.as_str(), o.as_str()))
        .collect();
    let renamed_old: BTreeSet<&str> = renames.iter().map(|(o, _)| o.as_str()).collect();

    let mut plan = Plan::default();
    // Folders of the new version whose place a file of the project's own
    // holds: their files are written beside it instead.
    let mut blocked: Vec<String> = Vec::new();
    for path in paths(old, new) {
        if blocked.iter().any(|b| is_under(&path, b)) {
            continue;
        }
        let o = old.get(&path);
        let n = new.get(&path);
        let p = project.get(&path);
        let skip = input.skip_if_exists.matches(&path, false);
        match (o, n) {
            (Some(Node::Dir), Some(Node::Dir)) | (Some(Node::Dir), None) => continue,
            (Some(Node::Dir), Some(n)) => {
                plan.changes
                    .extend(folder_to_file(input, &path, n, p, &renamed_old, skip)?);
                continue;
            }
            (o, Some(Node::Dir)) => {
                let (changes, blocks) = file_to_folder(new, &path, o, p);
                plan.changes.extend(changes);
                if blocks {
                    blocked.push(path);
                }
                continue;
            }
            _ => {}
        }
        if let Some(from) = renamed_from.get(path.as_str()) {
            plan.changes.push(carried_rename(input, &path, from, n, p)?);
            continue;
        }
        if renamed_old.contains(path.as_str()) {
            if let Some(node) = p {
                let mut change = Change::new(&path, Action::Delete, None, Some(node.clone()));
                change.note = Some("renamed by the template".to_string());
                plan.changes.push(change);
            }
            continue;
        }
        if n.is_none() && input.new_exclude.matches(&path, false) {
            continue;
        }
        if input.recreate_skipped && skip && o == n && p.is_none() {
            if let Some(n) = n {
                let mut c = Change::new(&path, Action::Create, Some(n.clone()), None);
                c.note = Some("skip-if-exists, and missing".to_string());
                plan.changes.push(c);
                continue;
            }
        }
        let change = three_way(&path, o, n, p, skip, input.style)?;
        if change.action != Action::Identical || o != n {
            plan.changes.push(change);
        }
    }
    plan.changes.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(plan)
}

/// The template moved `from` to `path`: the project's edits of `from`
/// are carried along to the new path.
fn carried_rename(
    input: &UpdateInput,
    path: &str,
    from: &str,
    n: Option<&Node>,
    p: Option<&Node>,
) -> Result<Change, Error> {
    let (o_from, p_from) = (input.old.get(from), input.project.get(from));
    let mut change = if o_from == n {
        Change::new(path, Action::Create, p_from.cloned(), None)
    } else {
        three_way(path, o_from, n, p_from, false, input.style)?
    };
    if matches!(change.action, Action::Update | Action::Identical) {
        change.action = Action::Create;
        change.write = change.write.or_else(|| p_from.cloned());
    }
    change.note = Some(format!(
        "renamed from `{from}` by the template; your edits were carried over"
    ));
    change.before = p.cloned();
    Ok(change)
}

/// Whether `path` lies inside the folder `dir`.
fn is_under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// A folder of the old version that the new version makes a file (or a
/// symlink). The files inside go by the rules of the table, path by path.
/// When the project's folder holds only what the old version put there,
/// it is deleted with them and the file is created in its place (the
/// update moves the creation after the folder's removal). When it holds
/// anything else (an edited file, a file of its own), the folder and
/// those files stay, and the new file is written beside it as
/// `PATH.graft-new`: a conflict. A project that deleted the folder keeps
/// it deleted; one that put its own file there merges it like a file both
/// added.
fn folder_to_file(
    input: &UpdateInput,
    path: &str,
    n: &Node,
    p: Option<&Node>,
    renamed_old: &BTreeSet<&str>,
    skip_if_exists: bool,
) -> Result<Vec<Change>, Error> {
    let UpdateInput { old, project, .. } = *input;
    let change = match p {
        None => {
            let mut c = Change::new(path, Action::Keep, None, None);
            c.note = Some("deleted in the project; stays deleted".to_string());
            c
        }
        Some(Node::Dir) => {
            let pristine = project
                .entries
                .range::<str, _>((std::ops::Bound::Excluded(path), std::ops::Bound::Unbounded))
                .take_while(|(k, _)| k.starts_with(path))
                .filter(|(k, _)| is_under(k, path))
                .all(|(k, node)| {
                    (old.get(k) == Some(node) || renamed_old.contains(k.as_str()))
                        && !input.new_exclude.matches(k, matches!(node, Node::Dir))
                });
            if pristine {
                let mut c = Change::new(path, Action::Create, Some(n.clone()), None);
                c.note = Some("the template replaced this folder with a file".to_string());
                c
            } else {
                let mut c = Change::new(path, Action::Conflict, None, Some(Node::Dir));
                c.extra.push((format!("{path}.graft-new"), n.clone()));
                c.note = Some(format!(
                    "the template replaced this folder with a file; the folder holds files \
                     of yours, so it stays, and the template's file is in `{path}.graft-new`"
                ));
                c
            }
        }
        Some(p) => three_way(path, None, Some(n), Some(p), skip_if_exists, input.style)?,
    };
    Ok(vec![change])
}

/// A folder of the new version at `path`, where the old version had a
/// file, a symlink or nothing. An unchanged file or symlink of the old
/// version is deleted and the folder's files are created in its place.
/// A file the project edited, or a file of its own, stays; the folder's
/// files are written beside it under `PATH.graft-new/`, a conflict, and
/// the second value is true. A symlink of the project's own stays too,
/// and the files go through it as before.
fn file_to_folder(
    new: &FileTree,
    path: &str,
    o: Option<&Node>,
    p: Option<&Node>,
) -> (Vec<Change>, bool) {
    let inside: Vec<(&String, &Node)> = new
        .entries
        .range::<str, _>((std::ops::Bound::Excluded(path), std::ops::Bound::Unbounded))
        .take_while(|(k, _)| k.starts_with(path))
        .filter(|(k, _)| is_under(k, path))
        .collect();
    match p {
        Some(p) if o.is_some() && o == Some(p) => {
            let mut delete = Change::new(path, Action::Delete, None, Some(p.clone()));
            delete.note = Some("the template replaced this file with a folder".to_string());
            let mut out = vec![delete];
            if inside.is_empty() {
                out.push(Change::new(path, Action::Create, Some(Node::Dir), None));
            }
            (out, false)
        }
        Some(p @ Node::File { .. }) => {
            let mut c = Change::new(path, Action::Conflict, None, Some(p.clone()));
            let beside = format!("{path}.graft-new");
            c.extra = inside
                .iter()
                .filter(|(_, node)| !matches!(node, Node::Dir))
                .map(|(k, node)| (format!("{beside}{}", &k[path.len()..]), (*node).clone()))
                .collect();
            if c.extra.is_empty() {
                c.extra.push((beside.clone(), Node::Dir));
            }
            let what = if o.is_some() {
                "the template replaced this file with a folder"
            } else {
                "the template added a folder here"
            };
            c.note = Some(format!(
                "{what}; your file stays, and the template's files are in `{beside}/`"
            ));
            (vec![c], true)
        }
        None if o.is_none() && inside.is_empty() => (
            // A new folder on its own; one with files is created with them.
            vec![Change::new(path, Action::Create, Some(Node::Dir), None)],
            false,
        ),
        _ => (Vec::new(), false),
    }
}

/// The executable bit: the template's change unless the project changed it.
fn merged_mode(o: Option<&Node>, n: &Node, p: &Node) -> bool {
    let exec = |node: &Node| {
        matches!(
            node,
            Node::File {
                executable: true,
                ..
            }
        )
    };
    match o {
        Some(o) if exec(o) != exec(p) => exec(p),
        _ => exec(n),
    }
}

fn bytes(node: &Node) -> Option<&[u8]> {
    match node {
        Node::File { bytes, .. } => Some(bytes),
        _ => None,
    }
}

/// One row of the SPEC §6 table. `Identical` with `o == n` means untouched.
fn three_way(
    path: &str,
    o: Option<&Node>,
    n: Option<&Node>,
    p: Option<&Node>,
    skip_if_exists: bool,
    style: ConflictStyle,
) -> Result<Change, Error> {
    let before = p.cloned();
    let change = |action, write: Option<Node>| Change::new(path, action, write, before.clone());
    Ok(match (o, n, p) {
        (_, _, _) if o == n && o.is_some() => change(Action::Identical, None),
        (_, None, None) => change(Action::Identical, None),
        // The template added or changed it, the project has none.
        (None, Some(n), None) => change(Action::Create, Some(n.clone())),
        (Some(_), Some(n), None) => {
            if skip_if_exists {
                change(Action::Create, Some(n.clone()))
            } else {
                let mut c = change(Action::Keep, None);
                c.note = Some("deleted in the project; stays deleted".to_string());
                c
            }
        }
        (_, Some(_), Some(_)) if skip_if_exists => change(Action::Skip, None),
        (_, Some(n), Some(p)) if p == n => change(Action::Identical, None),
        // The template removed it.
        (Some(o), None, Some(p)) => {
            if o == p {
                change(Action::Delete, None)
            } else {
                let mut c = change(Action::Keep, None);
                c.note = Some("removed by the template, kept because modified".to_string());
                c
            }
        }
        (Some(o), Some(n), Some(p)) if o == p => change(Action::Update, Some(n.clone())),
        (o, Some(n), Some(p)) => merge_node(path, o, n, p, style, before.clone())?,
        (None, None, Some(_)) => change(Action::Identical, None),
    })
}

fn merge_node(
    path: &str,
    o: Option<&Node>,
    n: &Node,
    p: &Node,
    style: ConflictStyle,
    before: Option<Node>,
) -> Result<Change, Error> {
    let base = match o {
        Some(node) => bytes(node),
        None => Some(&[][..]),
    };
    let (Some(base), Some(theirs), Some(ours)) = (base, bytes(n), bytes(p)) else {
        return Ok(side_conflict(path, o, n, p, before));
    };
    if is_binary(base) || is_binary(theirs) || is_binary(ours) {
        return Ok(side_conflict(path, o, n, p, before));
    }
    // Same content, only the mode differs: follow the mode rule.
    let executable = merged_mode(o, n, p);
    let file = |bytes: Vec<u8>| Node::File {
        bytes: bytes.into(),
        executable,
    };
    if ours == theirs {
        return Ok(Change::new(
            path,
            Action::Update,
            Some(file(ours.to_vec())),
            before,
        ));
    }
    if base == ours {
        return Ok(Change::new(
            path,
            Action::Update,
            Some(file(theirs.to_vec())),
            before,
        ));
    }
    if base == theirs {
        // Only the project changed the content; maybe the mode changed.
        if executable
            == matches!(
                p,
                Node::File {
                    executable: true,
                    ..
                }
            )
        {
            return Ok(Change::new(path, Action::Identical, None, before));
        }
        return Ok(Change::new(
            path,
            Action::Update,
            Some(file(ours.to_vec())),
            before,
        ));
    }
    let mut change = merge_text(path, [base, ours, theirs], o.is_some(), style, executable)?;
    change.before = before;
    if o.is_none() {
        change.note = Some("added by both the template and the project".to_string());
    }
    Ok(change)
}

/// The text merge of a file both sides changed, written in `style`;
/// `had_base` says whether the old render had the file (the conflict's
/// stage 1). The change has no `before` yet.
fn merge_text(
    path: &str,
    [base, ours, theirs]: [&[u8]; 3],
    had_base: bool,
    style: ConflictStyle,
    executable: bool,
) -> Result<Change, Error> {
    let file = |bytes: Vec<u8>| Node::File {
        bytes: bytes.into(),
        executable,
    };
    let sides = || {
        Some(Box::new(Sides {
            base: had_base.then(|| base.to_vec()),
            ours: ours.to_vec(),
            theirs: theirs.to_vec(),
        }))
    };
    let fail = |e: text::MergeError| Error::io("merge", path, std::io::Error::other(e.to_string()));
    // The merged file, and for a conflict the `.rej` beside it (if the
    // style writes one) and whether git records it as unmerged.
    let (merged, conflict) = match style {
        ConflictStyle::Inline => match text::merge(base, ours, theirs).map_err(fail)? {
            text::TextMerge::Clean(merged) => (merged, None),
            text::TextMerge::Conflicted { inline, .. } => (inline, Some((None, true))),
        },
        ConflictStyle::CopierRej { context } => {
            let r = replay::replay(base, ours, theirs, context, path).map_err(fail)?;
            (r.merged, r.rej.map(|rej| (Some(rej), false)))
        }
        ConflictStyle::Rej => {
            let r = text::merge_rej(base, ours, theirs).map_err(fail)?;
            (r.merged, r.rej.map(|rej| (Some(rej), true)))
        }
    };
    let Some((rej, unmerged)) = conflict else {
        return Ok(Change::new(path, Action::Merge, Some(file(merged)), None));
    };
    let mut c = Change::new(path, Action::Conflict, Some(file(merged)), None);
    if let Some(rej) = rej {
        c.extra.push((format!("{path}.rej"), Node::file(rej)));
    }
    if unmerged {
        c.sides = sides();
    }
    Ok(c)
}

/// A conflict that cannot be merged as text (binary files, symlinks): the
/// project's version stays, the template's is written to `PATH.graft-new`.
fn side_conflict(path: &str, o: Option<&Node>, n: &Node, p: &Node, before: Option<Node>) -> Change {
    let mut c = Change::new(path, Action::Conflict, None, before);
    c.extra.push((format!("{path}.graft-new"), n.clone()));
    if let (Some(ours), Some(theirs)) = (bytes(p), bytes(n)) {
        c.sides = Some(Box::new(Sides {
            base: o.and_then(bytes).map(<[u8]>::to_vec),
            ours: ours.to_vec(),
            theirs: theirs.to_vec(),
        }));
    }
    c.note = Some(format!(
        "cannot merge; the template's version is in `{path}.graft-new`"
    ));
    c
}

/// Pairs (old path, new path) where the template renamed a file that the
/// project edited: the old path is gone from the new render, the new path
/// is new, the project has no file there, and the contents are similar.
fn detect_renames<'a>(input: &UpdateInput<'a>) -> Vec<(String, String)> {
    let UpdateInput {
        old, new, project, ..
    } = *input;
    let removed: Vec<(&str, &[u8])> = old
        .files()
        .filter(|(p, b)| {
            !new.entries.contains_key(*p)
                && project.get(p).and_then(bytes).is_some_and(|pb| pb != *b)
        })
        .collect();
    if removed.is_empty() {
        return Vec::new();
    }
    let added: Vec<(&str, &[u8])> = new
        .files()
        .filter(|(p, _)| {
            !old.entries.contains_key(*p)
                && project.get(p).is_none()
                && !blocked_by_project_file(old, project, p)
        })
        .collect();
    let only_same_name = removed.len() * added.len() > RENAME_PAIR_LIMIT;
    let added = rename_candidates(added);
    let mut taken: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    for (old_path, old_text) in rename_candidates(removed) {
        let Some((a, a_lines)) = old_text else {
            continue;
        };
        let best = best_rename(old_path, (a, &a_lines), &added, &taken, only_same_name);
        if let Some(new_path) = best {
            taken.insert(new_path);
            out.push((old_path.to_string(), new_path.to_string()));
        }
    }
    out
}

/// Whether a file of the project's own sits where a folder above `p` goes
/// in the new version: it keeps that folder's files from being written, so
/// none of them is a rename.
fn blocked_by_project_file(old: &FileTree, project: &FileTree, p: &str) -> bool {
    let mut up = p;
    while let Some((dir, _)) = up.rsplit_once('/') {
        if let Some(node @ (Node::File { .. } | Node::Symlink { .. })) = project.get(dir) {
            if old.get(dir) != Some(node) {
                return true;
            }
        }
        up = dir;
    }
    false
}

/// Each text once: its lines as a sorted multiset of hashes, which bounds
/// the similarity of a pair cheaply (see [`best_rename`]), and `None` when
/// binary.
fn rename_candidates<'a>(files: Vec<(&'a str, &'a [u8])>) -> Vec<RenameCandidate<'a>> {
    files
        .into_iter()
        .map(|(p, b)| {
            let text = std::str::from_utf8(b).ok().filter(|_| !is_binary(b));
            (p, text.map(|t| (t, line_hashes(t))))
        })
        .collect()
}

/// The added file most similar to the removed `old_path` (with its text
/// and line hashes), if any is similar enough and not `taken`; a file of
/// the same name wins a tie. With `only_same_name`, other names are not
/// compared at all.
fn best_rename<'a>(
    old_path: &str,
    (a, a_lines): (&str, &[(u64, usize)]),
    added: &[RenameCandidate<'a>],
    taken: &BTreeSet<&str>,
    only_same_name: bool,
) -> Option<&'a str> {
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let mut best: Option<(f32, &str)> = None;
    for (new_path, new_text) in added {
        let Some((b, b_lines)) = new_text else {
            continue;
        };
        if taken.contains(*new_path) {
            continue;
        }
        let same_name = name(old_path) == name(new_path);
        if only_same_name && !same_name {
            continue;
        }
        // The diff's matching lines are a subset of the lines both
        // hold, so this bound rejects dissimilar pairs without a diff,
        // whose cost grows with the square of their lines.
        if similarity_bound(a, a_lines, b, b_lines) < RENAME_SIMILARITY {
            continue;
        }
        let ratio = similarity(a, b);
        let score = ratio + if same_name { 0.01 } else { 0.0 };
        if ratio >= RENAME_SIMILARITY && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, *new_path));
        }
    }
    best.map(|(_, new_path)| new_path)
}

/// A file that may be one side of a rename: its path, and its text with
/// [`line_hashes`], or `None` when it is binary.
type RenameCandidate<'a> = (&'a str, Option<(&'a str, Vec<(u64, usize)>)>);

/// How much of two texts their diff keeps: twice the bytes of the lines
/// they share in order, over the bytes of both. Weighing lines by their
/// bytes, as git's similarity index does, keeps closing braces and blank
/// lines, which any two files of one language share, from making two
/// unrelated files look alike.
fn similarity(a: &str, b: &str) -> f32 {
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    let diff = similar::TextDiff::from_lines(a, b);
    let old = diff.old_slices();
    let shared: usize = diff
        .ops()
        .iter()
        .filter_map(|op| match *op {
            similar::DiffOp::Equal { old_index, len, .. } => Some(
                old[old_index..old_index + len]
                    .iter()
                    .map(|l| l.len())
                    .sum::<usize>(),
            ),
            _ => None,
        })
        .sum();
    (2 * shared) as f32 / total as f32
}

/// An upper bound of [`similarity`] from the lines both texts hold in any
/// order.
fn similarity_bound(a: &str, a_lines: &[(u64, usize)], b: &str, b_lines: &[(u64, usize)]) -> f32 {
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    (2 * shared_bytes(a_lines, b_lines)) as f32 / total as f32
}

/// Hash and length of the lines of `text`, split as the diff splits them,
/// sorted.
fn line_hashes(text: &str) -> Vec<(u64, usize)> {
    use similar::DiffableStr;
    use std::hash::{Hash, Hasher};
    let mut out: Vec<(u64, usize)> = text
        .tokenize_lines()
        .into_iter()
        .map(|line| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            line.hash(&mut h);
            (h.finish(), line.len())
        })
        .collect();
    out.sort_unstable();
    out
}

/// Bytes of the intersection of two sorted multisets of lines. A hash
/// collision can only make it larger (the longer line counts), so it stays
/// an upper bound of the bytes of matching lines.
fn shared_bytes(a: &[(u64, usize)], b: &[(u64, usize)]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += a[i].1.max(b[j].1);
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> FileTree {
        let mut t = FileTree::new();
        for (p, c) in files {
            t.insert(p, Node::file(c.as_bytes()));
        }
        t
    }

    fn plan(
        old: &[(&str, &str)],
        new: &[(&str, &str)],
        project: &[(&str, &str)],
    ) -> Vec<(String, Action, Option<String>)> {
        let none = PathMatcher::new(&[]).unwrap();
        let (o, n, p) = (tree(old), tree(new), tree(project));
        let plan = plan_update(&UpdateInput {
            old: &o,
            new: &n,
            project: &p,
            skip_if_exists: &none,
            new_exclude: &none,
            style: ConflictStyle::Inline,
            recreate_skipped: false,
        })
        .unwrap();
        plan.changes
            .into_iter()
            .map(|c| {
                let written = c
                    .write
                    .as_ref()
                    .and_then(bytes)
                    .map(|b| String::from_utf8_lossy(b).into_owned());
                (c.path, c.action, written)
            })
            .collect()
    }

    #[test]
    fn spec_table_rows() {
        use Action::*;
        let s = |x: &str| Some(x.to_string());
        // a a any: untouched
        assert_eq!(plan(&[("f", "a")], &[("f", "a")], &[("f", "c")]), vec![]);
        // a b a: write b
        assert_eq!(
            plan(&[("f", "a")], &[("f", "b")], &[("f", "a")]),
            vec![("f".into(), Update, s("b"))]
        );
        // a b b: nothing
        assert_eq!(
            plan(&[("f", "a")], &[("f", "b")], &[("f", "b")]),
            vec![("f".into(), Identical, None)]
        );
        // a b -: stays deleted
        assert_eq!(
            plan(&[("f", "a")], &[("f", "b")], &[]),
            vec![("f".into(), Keep, None)]
        );
        // a - a: delete
        assert_eq!(
            plan(&[("f", "a")], &[], &[("f", "a")]),
            vec![("f".into(), Delete, None)]
        );
        // a - c: keep
        assert_eq!(
            plan(&[("f", "a")], &[], &[("f", "c")]),
            vec![("f".into(), Keep, None)]
        );
        // - b -: create
        assert_eq!(
            plan(&[], &[("f", "b")], &[]),
            vec![("f".into(), Create, s("b"))]
        );
        // - b b: nothing
        assert_eq!(
            plan(&[], &[("f", "b")], &[("f", "b")]),
            vec![("f".into(), Identical, None)]
        );
        // - b c: conflict against an empty base
        let rows = plan(&[], &[("f", "b\n")], &[("f", "c\n")]);
        assert_eq!(rows[0].1, Conflict);
        assert_eq!(
            rows[0].2.as_deref(),
            Some("<<<<<<< before updating\nc\n=======\nb\n>>>>>>> after updating\n")
        );
    }

    #[test]
    fn a_deleted_skip_if_exists_file_comes_back_unchanged_only_when_asked() {
        let skip = PathMatcher::new(&["skip_me".to_string()]).unwrap();
        let none = PathMatcher::new(&[]).unwrap();
        let (o, n, p) = (
            tree(&[("skip_me", "1"), ("other", "1")]),
            tree(&[("skip_me", "1"), ("other", "1")]),
            tree(&[]),
        );
        let planned = |recreate_skipped| {
            plan_update(&UpdateInput {
                old: &o,
                new: &n,
                project: &p,
                skip_if_exists: &skip,
                new_exclude: &none,
                style: ConflictStyle::Inline,
                recreate_skipped,
            })
            .unwrap()
            .changes
            .into_iter()
            .map(|c| (c.path, c.action))
            .collect::<Vec<_>>()
        };
        assert_eq!(planned(false), vec![]);
        assert_eq!(planned(true), vec![("skip_me".to_string(), Action::Create)]);
    }

    #[test]
    fn a_folder_becomes_a_file_only_when_it_holds_nothing_of_the_projects() {
        use Action::*;
        let s = |x: &str| Some(x.to_string());
        let old = [("dir/a", "a"), ("dir/sub/b", "b")];
        assert_eq!(
            plan(&old, &[("dir", "f")], &old),
            vec![
                ("dir".into(), Create, s("f")),
                ("dir/a".into(), Delete, None),
                ("dir/sub/b".into(), Delete, None),
            ]
        );
        assert_eq!(
            plan(&old, &[("dir", "f")], &[("dir/a", "a"), ("dir/mine", "m")]),
            vec![
                ("dir".into(), Conflict, None),
                ("dir/a".into(), Delete, None),
                ("dir/sub/b".into(), Identical, None),
            ]
        );
        assert_eq!(
            plan(&old, &[("dir", "f")], &[("dir/a", "edited")]),
            vec![
                ("dir".into(), Conflict, None),
                ("dir/a".into(), Keep, None),
                ("dir/sub/b".into(), Identical, None),
            ]
        );
        assert_eq!(
            plan(&old, &[("dir", "f")], &[]),
            vec![
                ("dir".into(), Keep, None),
                ("dir/a".into(), Identical, None),
                ("dir/sub/b".into(), Identical, None),
            ]
        );
    }

    #[test]
    fn a_file_becomes_a_folder_only_when_the_project_left_it_unchanged() {
        use Action::*;
        let s = |x: &str| Some(x.to_string());
        let new = [("thing/a", "a")];
        assert_eq!(
            plan(&[("thing", "t")], &new, &[("thing", "t")]),
            vec![
                ("thing".into(), Delete, None),
                ("thing/a".into(), Create, s("a")),
            ]
        );
        for (old, project) in [(&[("thing", "t")][..], "edited"), (&[][..], "ours")] {
            assert_eq!(
                plan(old, &new, &[("thing", project)]),
                vec![("thing".into(), Conflict, None)],
                "{old:?}"
            );
        }
        assert_eq!(
            plan(&[("thing", "t")], &new, &[]),
            vec![("thing/a".into(), Create, s("a"))]
        );
    }

    #[test]
    fn clean_merge_keeps_both_edits() {
        let rows = plan(
            &[("f", "1\n2\n3\n4\n5\n")],
            &[("f", "1\n2\n3\n4\nfive\n")],
            &[("f", "one\n2\n3\n4\n5\n")],
        );
        assert_eq!(
            rows,
            vec![(
                "f".into(),
                Action::Merge,
                Some("one\n2\n3\n4\nfive\n".into())
            )]
        );
    }

    #[test]
    fn line_bound_is_never_below_the_diff_ratio() {
        let texts = [
            "a\nb\nc\n",
            "a\r\nb\rc",
            "c\nb\na\n",
            "a\nb\nc\nd\n",
            "x\ny\n",
            "\n\n\n",
            "",
        ];
        for a in texts {
            for b in texts {
                let (ha, hb) = (line_hashes(a), line_hashes(b));
                let bound = similarity_bound(a, &ha, b, &hb);
                let ratio = similarity(a, b);
                assert!(bound >= ratio, "{a:?} {b:?}: {bound} < {ratio}");
            }
        }
    }

    #[test]
    fn files_sharing_only_braces_and_blank_lines_are_not_a_rename() {
        let code = |names: &[&str]| -> String {
            names
                .iter()
                .map(|n| format!("export function {n}(items: number[]) {{\n  return items.length * {};\n}}\n\n", n.len()))
                .collect()
        };
        let old = code(&["cacheReport", "ledgerQueue", "invoiceWorker"]);
        let new = code(&["permissionWindow", "sampleChannel", "shipmentSession"]);
        // More than half of their lines are the same (`}`, blank lines and
        // one `return`), but few of their bytes.
        let (a, b) = (line_hashes(&old), line_hashes(&new));
        let shared = a.iter().filter(|l| b.contains(l)).count();
        assert_eq!((shared, a.len()), (7, 12));
        assert!(similarity(&old, &new) < 0.1);
        let mine = format!("{old}// mine\n");
        let rows = plan(&[("a.ts", &old)], &[("b.ts", &new)], &[("a.ts", &mine)]);
        assert_eq!(
            rows,
            vec![
                ("a.ts".into(), Action::Keep, None),
                ("b.ts".into(), Action::Create, Some(new.clone())),
            ]
        );
    }

    #[test]
    fn rename_carries_edits() {
        let body = "a\nb\nc\nd\ne\nf\n";
        let rows = plan(
            &[("old/name.py", body)],
            &[("new/name.py", body)],
            &[("old/name.py", "a\nb\nc\nd\ne\nf\nmine\n")],
        );
        assert_eq!(
            rows,
            vec![
                (
                    "new/name.py".into(),
                    Action::Create,
                    Some("a\nb\nc\nd\ne\nf\nmine\n".into())
                ),
                ("old/name.py".into(), Action::Delete, None),
            ]
        );
    }
}

/// The result of updating the injected blocks of one file.
#[derive(Debug, PartialEq, Eq)]
pub struct BlockUpdate {
    pub text: String,
    /// `Identical` (nothing to do), `Update`, `Merge`, `Conflict` or `Keep`.
    pub action: Action,
    pub note: Option<String>,
}

/// Updates `owner`'s blocks in the text of one file: each block is a small
/// file of its own going through the same three-way rules (old render, new
/// render, what the file holds now).
pub fn update_blocks(
    text: &str,
    old: &[&crate::inject::Block],
    new: &[&crate::inject::Block],
    owner: &str,
) -> Result<BlockUpdate, Error> {
    let mut out = text.to_string();
    let mut action = Action::Identical;
    let mut note = None;
    for (o, n) in pair_blocks(old, new) {
        let Some(any) = n.or(o) else {
            continue;
        };
        let (step, step_note) = update_block(&mut out, o, n, any, owner)?;
        if let Some(step_note) = step_note {
            note = Some(step_note.to_string());
        }
        if block_severity(step) > block_severity(action) {
            action = step;
        }
    }
    if action == Action::Conflict {
        note = Some("conflict inside an injected block".to_string());
    }
    Ok(BlockUpdate {
        text: out,
        action,
        note,
    })
}

/// The old and new renders of each block, one entry per (file, marker):
/// old blocks first, then blocks new in this version.
fn pair_blocks<'a>(
    old: &[&'a crate::inject::Block],
    new: &[&'a crate::inject::Block],
) -> Vec<(
    Option<&'a crate::inject::Block>,
    Option<&'a crate::inject::Block>,
)> {
    let key = |b: &crate::inject::Block| (b.into.clone(), b.anchor.clone());
    let mut entries: Vec<_> = old.iter().map(|b| (Some(*b), None)).collect();
    for b in new {
        match entries
            .iter_mut()
            .find(|(o, _)| o.is_some_and(|o| key(o) == key(b)))
        {
            Some(entry) => entry.1 = Some(*b),
            None => entries.push((None, Some(*b))),
        }
    }
    entries
}

/// How much an action of one block weighs in the file's: the file takes
/// its blocks' heaviest.
fn block_severity(a: Action) -> u8 {
    match a {
        Action::Identical => 0,
        Action::Keep => 1,
        Action::Update => 2,
        Action::Merge => 3,
        _ => 4,
    }
}

/// Applies the three-way rules to one block (`o` its old render, `n` its
/// new one, `any` whichever is there) in `out`, the file's text so far.
/// Returns the block's action and, when the project's edit wins, why.
fn update_block(
    out: &mut String,
    o: Option<&crate::inject::Block>,
    n: Option<&crate::inject::Block>,
    any: &crate::inject::Block,
    owner: &str,
) -> Result<(Action, Option<&'static str>), Error> {
    use crate::inject;
    let fail = |source| RenderError::Injection {
        file: any.into.clone(),
        owner: owner.to_string(),
        source,
    };
    let p = inject::content(out, any, owner);
    let (o_text, n_text) = (o.map(|b| b.content.as_str()), n.map(|b| b.content.as_str()));
    let step = match (o_text, n_text, p.as_deref()) {
        (Some(a), Some(b), _) if a == b => Action::Identical,
        (_, Some(b), Some(c)) if b == c => Action::Identical,
        (None, Some(_), None) => {
            *out = inject::apply(out, any, owner).map_err(fail)?;
            Action::Update
        }
        (Some(_), Some(_), None) => {
            return Ok((
                Action::Keep,
                Some("block deleted in the project; stays deleted"),
            ))
        }
        (Some(a), None, Some(c)) if a == c => {
            if let Some(removed) = inject::remove(out, any, owner) {
                *out = removed;
            }
            Action::Update
        }
        (Some(_), None, Some(_)) => {
            return Ok((
                Action::Keep,
                Some("block removed by the template, kept because modified"),
            ))
        }
        (_, None, None) => Action::Identical,
        (Some(a), Some(b), Some(c)) if a == c => {
            *out = inject::apply_content(out, any, owner, b).map_err(fail)?;
            Action::Update
        }
        (a, Some(b), Some(c)) => {
            let (content, action) = merge_block(a.unwrap_or(""), c, b, any)?;
            *out = inject::apply_content(out, any, owner, &content).map_err(fail)?;
            action
        }
        (None, None, Some(_)) => Action::Identical,
    };
    Ok((step, None))
}

/// Merges a block edited both in the project (`current`) and by the
/// template (`base` → `new`), with conflict markers inline.
fn merge_block(
    base: &str,
    current: &str,
    new: &str,
    block: &crate::inject::Block,
) -> Result<(String, Action), Error> {
    let merged = text::merge(base.as_bytes(), current.as_bytes(), new.as_bytes())
        .map_err(|e| Error::io("merge", &block.into, std::io::Error::other(e.to_string())))?;
    let (bytes, action) = match merged {
        text::TextMerge::Clean(m) => (m, Action::Merge),
        text::TextMerge::Conflicted { inline, .. } => (inline, Action::Conflict),
    };
    Ok((String::from_utf8_lossy(&bytes).into_owned(), action))
}
