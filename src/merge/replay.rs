//! Copier's `--conflict rej`: the project's changes replayed onto the new
//! render as `git apply --reject` replays a patch.
//!
//! Copier 9 updates a file both sides changed by cutting the project's
//! changes since the old render into a unified diff (`git diff-tree
//! --unified=N --inter-hunk-context=-1`), writing the new render over the
//! project and applying that diff with `git apply --reject`: each hunk whose
//! lines (context included) are still found lands, each other hunk is
//! written to `PATH.rej`. This module does the same in memory, so a Copier
//! project updated with `--conflict rej` gets Copier's bytes:
//!
//! - the diff is libgit2's xdiff (git's algorithm, with the indent
//!   heuristic `git diff` uses), grouped into hunks with `context` lines
//!   around each change; changes fewer than `2 * context` lines apart share
//!   a hunk, and each hunk header names the nearest line above it that
//!   starts with a letter, `_` or `$`, as git's default function-name rule
//!   does;
//! - a hunk is looked for at its own line first, then ever farther above
//!   and below, and lands only where all of its old lines match exactly,
//!   never on lines an earlier hunk wrote; a hunk that starts at the first
//!   line must match there, and one without trailing context at the end.
//!
//! The `.rej` file is git's: `diff a/PATH b/PATH\t(rejected hunks)`, then
//! each rejected hunk as the diff had it.

use std::fmt::Write as _;

use super::text::{MergeError, RejMerge};

/// One line of a file, with its line end (the last line may have none).
type Line<'a> = &'a [u8];

fn lines(bytes: &[u8]) -> Vec<Line<'_>> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

/// One change of the edit script: `old_len` lines at `old` replaced by
/// `new_len` lines at `new` (0-based).
#[derive(Clone, Copy, Debug)]
struct Change {
    old: usize,
    old_len: usize,
    new: usize,
    new_len: usize,
}

/// The edit script from `base` to `ours`, as xdiff finds it.
fn changes(base: &[u8], ours: &[u8]) -> Result<Vec<Change>, MergeError> {
    let mut opts = git2::DiffOptions::new();
    opts.context_lines(0)
        .interhunk_lines(0)
        .indent_heuristic(true);
    let patch = git2::Patch::from_buffers(base, None, ours, None, Some(&mut opts))?;
    let mut out = Vec::new();
    for i in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(i)?;
        let start = |at: u32, len: u32| {
            // A side with no lines names the line after which the change is.
            if len == 0 {
                at as usize
            } else {
                at as usize - 1
            }
        };
        out.push(Change {
            old: start(hunk.old_start(), hunk.old_lines()),
            old_len: hunk.old_lines() as usize,
            new: start(hunk.new_start(), hunk.new_lines()),
            new_len: hunk.new_lines() as usize,
        });
    }
    Ok(out)
}

/// A hunk of the project's diff: its raw text and what `git apply` needs.
struct Hunk<'a> {
    text: Vec<u8>,
    /// The old start as the header prints it (`-S,N`).
    old_pos: usize,
    /// The new start as the header prints it (`+S,N`).
    new_pos: usize,
    preimage: Vec<Line<'a>>,
    postimage: Vec<Line<'a>>,
    trailing: usize,
}

/// git's default function-name rule for hunk headers: a line starting with
/// a letter, `_` or `$`, cut to 80 bytes, without trailing white space.
fn function_name(line: &[u8]) -> Option<&[u8]> {
    let first = *line.first()?;
    if !(first.is_ascii_alphabetic() || first == b'_' || first == b'$') {
        return None;
    }
    let mut end = line.len().min(80);
    while end > 0 && line[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    Some(&line[..end])
}

fn push_line(text: &mut Vec<u8>, prefix: u8, line: &[u8]) {
    text.push(prefix);
    text.extend_from_slice(line);
    if !line.ends_with(b"\n") {
        text.extend_from_slice(b"\n\\ No newline at end of file\n");
    }
}

fn range(start: usize, len: usize) -> String {
    let shown = if len == 0 { start } else { start + 1 };
    if len == 1 {
        shown.to_string()
    } else {
        format!("{shown},{len}")
    }
}

/// The hunks of the diff from `old` to `new` with `context` lines, as
/// `git diff-tree --unified=CONTEXT --inter-hunk-context=-1` cuts them.
fn hunks<'a>(
    old: &[Line<'a>],
    new: &[Line<'a>],
    changes: &[Change],
    context: usize,
) -> Vec<Hunk<'a>> {
    let mut groups: Vec<&[Change]> = Vec::new();
    let mut first = 0;
    for i in 1..=changes.len() {
        let split = i == changes.len() || {
            let prev = changes[i - 1];
            changes[i].old - (prev.old + prev.old_len) + 1 > 2 * context
        };
        if split {
            groups.push(&changes[first..i]);
            first = i;
        }
    }
    let mut names = FunctionNames::default();
    groups
        .into_iter()
        .map(|group| {
            let (head, last) = (group[0], group[group.len() - 1]);
            let start = head.old.saturating_sub(context);
            let end = (last.old + last.old_len + context).min(old.len());
            let mut hunk = Hunk::new(head.new - (head.old - start));
            let mut at = start;
            for change in group {
                hunk.lines(b' ', &old[at..change.old]);
                hunk.lines(b'-', &old[change.old..change.old + change.old_len]);
                hunk.lines(b'+', &new[change.new..change.new + change.new_len]);
                at = change.old + change.old_len;
            }
            hunk.lines(b' ', &old[at..end]);
            hunk.trailing = end - at;
            hunk.finish(start, names.above(old, start))
        })
        .collect()
}

/// git's search for the function name of each hunk: upwards from the line
/// above the hunk to where the previous search began; the name found last
/// stays when none is found.
#[derive(Default)]
struct FunctionNames<'a> {
    name: Option<&'a [u8]>,
    searched_to: Option<usize>,
}

impl<'a> FunctionNames<'a> {
    fn above(&mut self, old: &[Line<'a>], start: usize) -> Option<&'a [u8]> {
        for l in (self.searched_to.map_or(0, |s| s + 1)..start).rev() {
            if let Some(name) = function_name(old[l]) {
                self.name = Some(name);
                break;
            }
        }
        self.searched_to = start.checked_sub(1);
        self.name
    }
}

impl<'a> Hunk<'a> {
    fn new(new_start: usize) -> Hunk<'a> {
        Hunk {
            text: Vec::new(),
            old_pos: 0,
            new_pos: new_start,
            preimage: Vec::new(),
            postimage: Vec::new(),
            trailing: 0,
        }
    }

    /// Adds `lines` as context (` `), removed (`-`) or added (`+`).
    fn lines(&mut self, kind: u8, lines: &[Line<'a>]) {
        for line in lines {
            push_line(&mut self.text, kind, line);
            if kind != b'+' {
                self.preimage.push(line);
            }
            if kind != b'-' {
                self.postimage.push(line);
            }
        }
    }

    /// Puts the header before the body: the hunk starts at old line
    /// `start` (0-based; the new start was given to [`Hunk::new`]).
    fn finish(mut self, start: usize, function: Option<&[u8]>) -> Hunk<'a> {
        let new_start = self.new_pos;
        let (old_len, new_len) = (self.preimage.len(), self.postimage.len());
        let mut header = format!(
            "@@ -{} +{} @@",
            range(start, old_len),
            range(new_start, new_len)
        )
        .into_bytes();
        if let Some(name) = function {
            header.push(b' ');
            // git's header buffer holds 127 bytes before the line end.
            let room = 127usize.saturating_sub(header.len());
            header.extend_from_slice(&name[..name.len().min(room)]);
        }
        header.push(b'\n');
        header.append(&mut self.text);
        self.text = header;
        self.old_pos = if old_len == 0 { start } else { start + 1 };
        self.new_pos = if new_len == 0 {
            new_start
        } else {
            new_start + 1
        };
        self
    }
}

/// A line's bytes without git's white space (space, tab, CR, LF), which
/// git leaves out of the hash it compares lines by first.
fn without_space(line: &[u8]) -> impl Iterator<Item = &u8> + '_ {
    line.iter()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// The file `git apply` works on: its lines, and which of them a hunk wrote.
struct Image<'a> {
    lines: Vec<Line<'a>>,
    patched: Vec<bool>,
}

impl<'a> Image<'a> {
    /// Whether `hunk` applies at line `at`, judged as git's
    /// `match_fragment` judges: the lines equal but for white space, none
    /// of them written by an earlier hunk, and the bytes from `at` on
    /// starting with the hunk's old bytes (so a last line without its line
    /// end matches a line with one, as in git).
    fn matches(&self, hunk: &Hunk<'_>, at: usize, beginning: bool, end: bool) -> bool {
        let n = hunk.preimage.len();
        if at + n > self.lines.len()
            || (end && at + n != self.lines.len())
            || (beginning && at != 0)
        {
            return false;
        }
        let same = (0..n).all(|i| {
            !self.patched[at + i]
                && without_space(self.lines[at + i]).eq(without_space(hunk.preimage[i]))
        });
        if !same {
            return false;
        }
        let wanted: usize = hunk.preimage.iter().map(|l| l.len()).sum();
        let available: usize = self.lines[at..].iter().map(|l| l.len()).sum();
        if (end && available != wanted) || available < wanted {
            return false;
        }
        let mut pre = hunk.preimage.iter().flat_map(|l| l.iter());
        self.lines[at..]
            .iter()
            .flat_map(|l| l.iter())
            .take(wanted)
            .all(|b| pre.next() == Some(b))
    }

    /// Where `hunk` applies, searched as git's `find_pos` searches.
    fn find(&self, hunk: &Hunk<'_>) -> Option<usize> {
        let beginning = hunk.old_pos <= 1;
        let end = hunk.trailing == 0;
        let total = self.lines.len();
        let line = if beginning {
            0
        } else if end {
            total.saturating_sub(hunk.preimage.len())
        } else {
            hunk.new_pos.saturating_sub(1)
        }
        .min(total);
        let (mut backwards, mut forwards) = (line, line);
        let mut try_at = line;
        let mut i = 0usize;
        loop {
            if self.matches(hunk, try_at, beginning, end) {
                return Some(try_at);
            }
            loop {
                if backwards == 0 && forwards == total {
                    return None;
                }
                if i & 1 == 1 {
                    if backwards == 0 {
                        i += 1;
                        continue;
                    }
                    backwards -= 1;
                    try_at = backwards;
                } else {
                    if forwards == total {
                        i += 1;
                        continue;
                    }
                    forwards += 1;
                    try_at = forwards;
                }
                break;
            }
            i += 1;
        }
    }

    fn apply(&mut self, hunk: &Hunk<'a>, at: usize) {
        let n = hunk.preimage.len();
        self.lines
            .splice(at..at + n, hunk.postimage.iter().copied());
        self.patched
            .splice(at..at + n, std::iter::repeat_n(true, hunk.postimage.len()));
    }
}

/// Replays the project's changes since `base` (`ours`) onto the new render
/// (`theirs`) as Copier does with `--conflict rej`; `path` names the file
/// in the `.rej` header.
pub fn replay(
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    context: usize,
    path: &str,
) -> Result<RejMerge, MergeError> {
    super::text::check_text(base, ours, theirs)?;
    let (old, new) = (lines(base), lines(ours));
    let changes = changes(base, ours)?;
    let hunks = hunks(&old, &new, &changes, context);
    let mut image = Image {
        lines: lines(theirs),
        patched: Vec::new(),
    };
    image.patched = vec![false; image.lines.len()];
    let mut rejected = Vec::new();
    for hunk in &hunks {
        match image.find(hunk) {
            Some(at) => image.apply(hunk, at),
            None => rejected.push(hunk),
        }
    }
    let merged = image.lines.concat();
    if rejected.is_empty() {
        return Ok(RejMerge {
            merged,
            rej: None,
            conflicts: 0,
        });
    }
    let mut header = String::new();
    let _ = writeln!(header, "diff a/{path} b/{path}\t(rejected hunks)");
    let mut rej = header.into_bytes();
    for hunk in &rejected {
        rej.extend_from_slice(&hunk.text);
    }
    Ok(RejMerge {
        merged,
        rej: Some(rej),
        conflicts: rejected.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(base: &str, ours: &str, theirs: &str) -> (String, Option<String>) {
        let r = replay(
            base.as_bytes(),
            ours.as_bytes(),
            theirs.as_bytes(),
            3,
            "app.py",
        )
        .expect("replay");
        (
            String::from_utf8(r.merged).unwrap(),
            r.rej.map(|r| String::from_utf8(r).unwrap()),
        )
    }

    const BASE: &str = "def main():\n    a = 1\n    b = 2\n    c = 3\n    d = 4\n    e = 5\n    f = 6\n    g = 7\n    h = 8\n    i = 9\n";

    #[test]
    fn a_hunk_whose_context_the_template_changed_is_rejected_and_the_other_lands() {
        let ours = BASE.replace("a = 1", "a = 10").replace("i = 9", "i = 90");
        let theirs = BASE.replace("b = 2", "b = 20");
        let (merged, rej) = run(BASE, &ours, &theirs);
        assert_eq!(merged, theirs.replace("i = 9", "i = 90"));
        assert_eq!(
            rej.as_deref(),
            Some(
                "diff a/app.py b/app.py\t(rejected hunks)\n@@ -1,5 +1,5 @@\n def main():\n-    a = 1\n+    a = 10\n     b = 2\n     c = 3\n     d = 4\n"
            )
        );
    }

    #[test]
    fn hunks_name_the_function_above_them() {
        let ours = BASE.replace("g = 7", "g = 70");
        let theirs = BASE.replace("g = 7", "g = 77");
        let (merged, rej) = run(BASE, &ours, &theirs);
        assert_eq!(merged, theirs);
        assert_eq!(
            rej.as_deref(),
            Some(
                "diff a/app.py b/app.py\t(rejected hunks)\n@@ -5,6 +5,6 @@ def main():\n     d = 4\n     e = 5\n     f = 6\n-    g = 7\n+    g = 70\n     h = 8\n     i = 9\n"
            )
        );
    }

    #[test]
    fn changes_six_lines_apart_are_two_hunks_and_five_apart_one() {
        let base: String = (1..=16).map(|i| format!("{i}\n")).collect();
        let old = lines(base.as_bytes());
        for (second, want) in [("9", 2), ("8", 1)] {
            let ours = base
                .replace("2\n", "X\n")
                .replacen(&format!("\n{second}\n"), "\nY\n", 1);
            let new = lines(ours.as_bytes());
            let c = changes(base.as_bytes(), ours.as_bytes()).unwrap();
            assert_eq!(hunks(&old, &new, &c, 3).len(), want, "{second}");
        }
    }

    #[test]
    fn a_missing_final_newline_is_marked_and_kept() {
        let (merged, rej) = run("a\nb", "a\nB", "a\nb");
        assert_eq!((merged.as_str(), rej), ("a\nB", None));
        let (_, rej) = run("a\nb", "a\nB", "a\nc");
        assert_eq!(
            rej.as_deref(),
            Some("diff a/app.py b/app.py\t(rejected hunks)\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+B\n\\ No newline at end of file\n")
        );
    }

    #[test]
    fn a_file_both_added_is_all_rejected() {
        let (merged, rej) = run("", "ours\n", "theirs\n");
        assert_eq!(merged, "theirs\n");
        assert_eq!(
            rej.as_deref(),
            Some("diff a/app.py b/app.py\t(rejected hunks)\n@@ -0,0 +1 @@\n+ours\n")
        );
    }

    #[test]
    fn a_hunk_moved_by_the_template_is_found_where_it_went() {
        let ours = BASE.replace("e = 5", "e = 50");
        let theirs = format!("# header\n# more\n{BASE}");
        let (merged, rej) = run(BASE, &ours, &theirs);
        assert_eq!((merged, rej), (format!("# header\n# more\n{ours}"), None));
    }
}
