//! Line-based three-way merge of one text file, as `graft update` needs it.
//!
//! `graft update` renders the template twice: at the version the project was
//! last updated to (*base*, labelled "last update") and at the new version
//! (*theirs*, "after updating"). The project's file on disk is *ours*
//! ("before updating"). This module merges those three byte strings and
//! nothing else: it does not read or write files, decide whether a file is
//! binary, or decide what to do with a conflict. Conflicts stay values
//! ([`TextMerge::Conflicted`], [`RejMerge`]) until the caller writes them.
//!
//! The merge is libgit2's xdiff (`git2::merge_file`) with `git merge-file`'s
//! settings (Myers diff; conflicts fuse when at most three lines, or only
//! lines without letters or digits, lie between them), and the inline
//! conflict output is byte-identical to
//! `git merge-file -p -L "before updating" -L "last update" -L "after
//! updating" OURS BASE THEIRS`, so users see the markers git would show them;
//! a property test checks this against the real git. libgit2 differs from git
//! in one way, which this module hides: it leaves the label off the marker of
//! an empty side (`<<<<<<<` instead of `<<<<<<< before updating`). So the
//! merge runs with private markers that no input line can equal, is split at
//! them into clean text and conflicts, and is written back with git's
//! markers. That split also gives an exact conflict count, even when the
//! project file still holds markers from an earlier update.
//!
//! The merge works on bytes: CRLF, missing final newlines and non-UTF-8
//! content pass through untouched. Like `git merge-file`, it refuses content
//! that git itself considers binary (a NUL byte in the first 8000 bytes, or
//! more than 1023 MiB): that is [`MergeError::Binary`].
//!
//! # The `.rej` format of [`merge_rej`]
//!
//! With `--conflict rej`, the file receives the new template's version of
//! every conflicting region (all clean hunks from both sides are still
//! merged), and the project's side of each conflict goes to `PATH.rej`, as a
//! zero-context unified diff that turns the merged file back into the
//! project's version of those regions:
//!
//! ```text
//! --- after updating
//! +++ before updating
//! @@ -3,2 +3 @@
//! -what the new template wrote, now in the merged file at lines 3-4
//! -...
//! +what the project had there before updating
//! ```
//!
//! - The two header lines name the sides by the same labels as the inline
//!   conflict markers.
//! - One hunk per conflict, in file order. `-L,N` is the region's place in the
//!   merged file (1-based first line, line count); `+L,M` is where the
//!   project's lines land once every hunk above is applied too. As in GNU
//!   diff, `,1` is left out and an empty region is numbered by the line before
//!   it.
//! - `-` lines are the template's new lines (now in the file), `+` lines the
//!   project's. Lines keep their own line endings (so a CRLF file gives CRLF
//!   content lines) and bytes; a line without a final newline is followed by
//!   `\ No newline at end of file`.
//!
//! So a person can read what their edit was and redo it by hand, and
//! `patch PATH < PATH.rej` puts the project's side back wholesale.

use std::ops::Range;
use std::sync::Once;

/// Conflict-marker label of the project's file (git's "ours", `-L` #1).
pub const LABEL_OURS: &str = "before updating";
/// Label of the old template render (git's "base", `-L` #2). The default
/// marker style does not print it; it is kept so every label lives here.
pub const LABEL_BASE: &str = "last update";
/// Conflict-marker label of the new template render (git's "theirs", `-L` #3).
pub const LABEL_THEIRS: &str = "after updating";

/// Conflict marker length used by `git merge-file` unless told otherwise.
const MARKER_SIZE: usize = 7;
/// Bytes that git and libgit2 scan for a NUL to call content binary.
const BINARY_SNIFF_LEN: usize = 8000;
/// Size above which git and libgit2 refuse to diff (`MAX_XDIFF_SIZE`).
const MAX_TEXT_SIZE: usize = 1024 * 1024 * 1023;

/// Result of [`merge`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextMerge {
    /// Merged cleanly: the bytes to write.
    Clean(Vec<u8>),
    /// Conflicts remain. `inline` is exactly what `git merge-file -p` prints
    /// (with conflict markers); `conflicts` is the number of conflict blocks,
    /// which is git's exit code when below 128.
    Conflicted { inline: Vec<u8>, conflicts: usize },
}

impl TextMerge {
    /// The bytes to write: the clean merge, or the text with inline markers.
    pub fn bytes(&self) -> &[u8] {
        match self {
            TextMerge::Clean(bytes) => bytes,
            TextMerge::Conflicted { inline, .. } => inline,
        }
    }

    /// Number of conflict blocks (0 when clean).
    pub fn conflicts(&self) -> usize {
        match self {
            TextMerge::Clean(_) => 0,
            TextMerge::Conflicted { conflicts, .. } => *conflicts,
        }
    }
}

/// Result of [`merge_rej`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejMerge {
    /// The merge with every conflicting region taken from the new template
    /// (what `git merge-file -p --theirs` prints).
    pub merged: Vec<u8>,
    /// Content of `PATH.rej` (format in the module docs), `None` when clean.
    pub rej: Option<Vec<u8>>,
    /// Number of conflict blocks, each one hunk of `rej`.
    pub conflicts: usize,
}

/// Why a text merge could not be done.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// One side is binary by git's rule; `git merge-file` refuses it too.
    #[error("cannot merge binary content as text (the {0} version is binary)")]
    Binary(&'static str),
    /// libgit2 reported an error (for example out of memory).
    #[error("text merge failed: {0}")]
    Git(#[from] git2::Error),
    /// The merge output did not have the shape xdiff promises; a bug here or
    /// in libgit2, never expected from any input.
    #[error("text merge failed: unexpected merge output ({0})")]
    Output(&'static str),
}

/// Merges `theirs`' changes since `base` into `ours`, like `git merge-file`.
///
/// Returns the bytes git would write, and whether (and how many) conflicts
/// remain, so the caller can report them before writing anything.
pub fn merge(base: &[u8], ours: &[u8], theirs: &[u8]) -> Result<TextMerge, MergeError> {
    check_text(base, ours, theirs)?;
    let markers = Markers::unambiguous(ours, theirs)?;
    let out = run(base, ours, theirs, &markers, git2::FileFavor::Normal)?;
    if out.clean {
        return Ok(TextMerge::Clean(out.content));
    }
    // Split at the private markers, then written with git's (see the
    // module docs).
    let parsed = parse(&out.content, &markers)?;
    if parsed.conflicts.is_empty() {
        return Err(MergeError::Output(
            "conflicted merge without conflict markers",
        ));
    }
    Ok(TextMerge::Conflicted {
        inline: render_inline(&out.content, &parsed),
        conflicts: parsed.conflicts.len(),
    })
}

/// Merges like [`merge`], but resolves each conflict to the new template's
/// side and hands the project's side back as a `.rej` text.
///
/// For `--conflict rej`: the project file stays free of markers, and nothing
/// the user wrote is lost because it is in the `.rej`.
pub fn merge_rej(base: &[u8], ours: &[u8], theirs: &[u8]) -> Result<RejMerge, MergeError> {
    check_text(base, ours, theirs)?;
    let markers = Markers::unambiguous(ours, theirs)?;
    let marked = run(base, ours, theirs, &markers, git2::FileFavor::Normal)?;
    if marked.clean {
        return Ok(RejMerge {
            merged: marked.content,
            rej: None,
            conflicts: 0,
        });
    }
    let parsed = parse(&marked.content, &markers)?;
    if parsed.conflicts.is_empty() {
        return Err(MergeError::Output(
            "conflicted merge without conflict markers",
        ));
    }
    // The same merge resolved to one side gives each side's exact bytes:
    // inside markers xdiff adds a newline to a side's last line if it had
    // none, which the `.rej` must not claim.
    let merged = run(base, ours, theirs, &markers, git2::FileFavor::Theirs)?.content;
    let project = run(base, ours, theirs, &markers, git2::FileFavor::Ours)?.content;
    let new_regions = exact_sections(&marked.content, &parsed, Side::Theirs, &merged)?;
    let old_regions = exact_sections(&marked.content, &parsed, Side::Ours, &project)?;

    let mut rej = Vec::new();
    rej.extend_from_slice(format!("--- {LABEL_THEIRS}\n+++ {LABEL_OURS}\n").as_bytes());
    for (new, old) in new_regions.iter().zip(&old_regions) {
        let new_bytes = &merged[new.clone()];
        let old_bytes = &project[old.clone()];
        let header = format!(
            "@@ -{} +{} @@\n",
            hunk_range(&merged, new.start, new_bytes),
            hunk_range(&project, old.start, old_bytes)
        );
        rej.extend_from_slice(header.as_bytes());
        push_lines(&mut rej, b'-', new_bytes);
        push_lines(&mut rej, b'+', old_bytes);
    }
    Ok(RejMerge {
        merged,
        rej: Some(rej),
        conflicts: parsed.conflicts.len(),
    })
}

/// Refuses what git refuses, before libgit2 sees it: libgit2 would return an
/// empty "conflicted" result for binary input instead of an error.
pub(crate) fn check_text(base: &[u8], ours: &[u8], theirs: &[u8]) -> Result<(), MergeError> {
    for (name, bytes) in [("base", base), ("project", ours), ("new template", theirs)] {
        let sniff = &bytes[..bytes.len().min(BINARY_SNIFF_LEN)];
        if bytes.len() > MAX_TEXT_SIZE || sniff.contains(&0) {
            return Err(MergeError::Binary(name));
        }
    }
    Ok(())
}

/// Output of one libgit2 merge.
struct RawMerge {
    clean: bool,
    content: Vec<u8>,
}

/// Runs libgit2's merge with `git merge-file`'s settings.
fn run(
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    markers: &Markers,
    favor: git2::FileFavor,
) -> Result<RawMerge, MergeError> {
    // xdiff returns a copy of the other side when one side is unchanged (and
    // the common side when both are the same); answer those here, because
    // libgit2 hands back a null pointer for an empty copy, which git2 would
    // turn into a slice (undefined behaviour, an abort in debug builds).
    if ours == base || ours == theirs {
        let content = if ours == base { theirs } else { ours };
        return Ok(RawMerge {
            clean: true,
            content: content.to_vec(),
        });
    }
    if theirs == base {
        return Ok(RawMerge {
            clean: true,
            content: ours.to_vec(),
        });
    }
    init_libgit2();
    let mut base_in = git2::MergeFileInput::new();
    base_in.content(base);
    let mut ours_in = git2::MergeFileInput::new();
    ours_in.content(ours);
    let mut theirs_in = git2::MergeFileInput::new();
    theirs_in.content(theirs);
    let mut opts = git2::MergeFileOptions::new();
    opts.our_label(markers.ours_label.as_str())
        .ancestor_label(LABEL_BASE)
        .their_label(markers.theirs_label.as_str())
        .marker_size(markers.size)
        .favor(favor)
        // git merge-file's default level is XDL_MERGE_ZEALOUS_ALNUM.
        .simplify_alnum(true);
    let result = git2::merge_file(&base_in, &ours_in, &theirs_in, Some(&mut opts))?;
    Ok(RawMerge {
        clean: result.is_automergeable(),
        content: result.content().to_vec(),
    })
}

/// `git2::merge_file` does not initialise libgit2 itself and fails ("no
/// error") if nothing else did; `Buf::new` does (`Version::get` does not).
fn init_libgit2() {
    static INIT: Once = Once::new();
    INIT.call_once(|| drop(git2::Buf::new()));
}

/// Conflict markers of one merge run, chosen so that [`parse`] cannot
/// mistake a line of content for one.
struct Markers {
    ours_label: String,
    theirs_label: String,
    size: u16,
    /// The start marker line (line ending aside).
    start: Vec<u8>,
    /// The end marker line (line ending aside).
    end: Vec<u8>,
}

impl Markers {
    /// Labels that occur in neither side, and a marker size such that no line
    /// of either side is only that many `<`, `=` or `>`.
    ///
    /// libgit2 leaves the label off the marker of an empty side (git does
    /// not), and then only the size tells the marker from content.
    fn unambiguous(ours: &[u8], theirs: &[u8]) -> Result<Markers, MergeError> {
        let taken = marker_like_lengths(ours, theirs);
        let size = (MARKER_SIZE..)
            .find(|n| !taken.contains(n))
            .and_then(|n| u16::try_from(n).ok())
            .ok_or(MergeError::Output("no free conflict marker size"))?;
        // Each rejected candidate needs its own occurrence in the inputs, so
        // this finds one.
        let k = (0..=ours.len() + theirs.len())
            .find(|k| {
                [format!("graft-ours-{k}"), format!("graft-theirs-{k}")]
                    .iter()
                    .all(|label| {
                        find(ours, label.as_bytes()).is_none()
                            && find(theirs, label.as_bytes()).is_none()
                    })
            })
            .ok_or(MergeError::Output("no free conflict marker label"))?;
        let ours_label = format!("graft-ours-{k}");
        let theirs_label = format!("graft-theirs-{k}");
        let marker = |ch: u8, label: &str, side: &[u8]| {
            let mut line = vec![ch; size as usize];
            if !side.is_empty() {
                line.push(b' ');
                line.extend_from_slice(label.as_bytes());
            }
            line
        };
        Ok(Markers {
            start: marker(b'<', &ours_label, ours),
            end: marker(b'>', &theirs_label, theirs),
            ours_label,
            theirs_label,
            size,
        })
    }
}

/// Lengths of the lines of `ours` and `theirs` that are a run of one marker
/// character (`<`, `=` or `>`), line ending aside.
fn marker_like_lengths(ours: &[u8], theirs: &[u8]) -> Vec<usize> {
    lines(ours)
        .chain(lines(theirs))
        .map(strip_eol)
        .filter(|line| match line.first() {
            Some(&ch @ (b'<' | b'=' | b'>')) => line.iter().all(|&b| b == ch),
            _ => false,
        })
        .map(<[u8]>::len)
        .collect()
}

/// Which side of a conflict.
#[derive(Clone, Copy)]
enum Side {
    Ours,
    Theirs,
}

/// One conflict block of a marked merge output, as byte ranges into it.
struct Conflict {
    /// Lines between the start marker and the separator.
    ours: Range<usize>,
    /// Lines between the separator and the end marker.
    theirs: Range<usize>,
    /// The markers' line ending, also used for any newline xdiff added.
    eol: &'static [u8],
}

impl Conflict {
    fn side(&self, side: Side) -> Range<usize> {
        match side {
            Side::Ours => self.ours.clone(),
            Side::Theirs => self.theirs.clone(),
        }
    }
}

/// A marked merge output split into clean text and conflicts:
/// `clean[0] conflicts[0] clean[1] ... conflicts[k-1] clean[k]`.
struct Parsed {
    clean: Vec<Range<usize>>,
    conflicts: Vec<Conflict>,
}

/// Splits merge output at its conflict markers.
///
/// Relies on [`Markers::unambiguous`]: clean text and the ours side are lines
/// of ours or theirs, the theirs side lines of theirs, and none of those can
/// equal the marker line that ends their part.
fn parse(out: &[u8], markers: &Markers) -> Result<Parsed, MergeError> {
    /// Where in a conflict block the scan is.
    enum State {
        Clean,
        Ours {
            from: usize,
            eol: &'static [u8],
        },
        Theirs {
            ours: Range<usize>,
            from: usize,
            eol: &'static [u8],
        },
    }
    let separator = vec![b'='; markers.size as usize];
    let mut clean = Vec::new();
    let mut conflicts = Vec::new();
    let mut clean_from = 0;
    let mut state = State::Clean;
    let mut at = 0;
    while let Some(line) = next_line(out, at) {
        at = line.end;
        let bytes = &out[line.clone()];
        // Marker lines always end in a newline, `\r\n` when the text does.
        let Some(eol) = eol_at(bytes, strip_eol(bytes).len()) else {
            continue;
        };
        let text = strip_eol(bytes);
        state = match state {
            State::Clean if text == markers.start => {
                clean.push(clean_from..line.start);
                State::Ours {
                    from: line.end,
                    eol,
                }
            }
            State::Ours { from, eol } if text == separator => State::Theirs {
                ours: from..line.start,
                from: line.end,
                eol,
            },
            State::Theirs { ours, from, eol } if text == markers.end => {
                conflicts.push(Conflict {
                    ours,
                    theirs: from..line.start,
                    eol,
                });
                clean_from = line.end;
                State::Clean
            }
            state => state,
        };
    }
    if !matches!(state, State::Clean) {
        return Err(MergeError::Output("unterminated conflict block"));
    }
    clean.push(clean_from..out.len());
    Ok(Parsed { clean, conflicts })
}

/// Writes parsed merge output with the markers `git merge-file` prints.
fn render_inline(out: &[u8], parsed: &Parsed) -> Vec<u8> {
    fn marker(inline: &mut Vec<u8>, ch: u8, label: &str, eol: &[u8]) {
        inline.extend(std::iter::repeat_n(ch, MARKER_SIZE));
        if !label.is_empty() {
            inline.push(b' ');
            inline.extend_from_slice(label.as_bytes());
        }
        inline.extend_from_slice(eol);
    }
    let mut inline = Vec::with_capacity(out.len());
    for (i, clean) in parsed.clean.iter().enumerate() {
        inline.extend_from_slice(&out[clean.clone()]);
        if let Some(conflict) = parsed.conflicts.get(i) {
            marker(&mut inline, b'<', LABEL_OURS, conflict.eol);
            inline.extend_from_slice(&out[conflict.ours.clone()]);
            marker(&mut inline, b'=', "", conflict.eol);
            inline.extend_from_slice(&out[conflict.theirs.clone()]);
            marker(&mut inline, b'>', LABEL_THEIRS, conflict.eol);
        }
    }
    inline
}

/// Finds where each conflict's `side` lies in `resolved`, the same merge
/// resolved to that side, and checks that the pieces add up to it exactly.
///
/// Inside markers, xdiff ends a side with a newline even when its last line
/// (the file's last line) had none; only the last non-empty section of a side
/// can hold that line, and the length difference says whether it did.
fn exact_sections(
    marked: &[u8],
    parsed: &Parsed,
    side: Side,
    resolved: &[u8],
) -> Result<Vec<Range<usize>>, MergeError> {
    let mut lens: Vec<usize> = parsed
        .conflicts
        .iter()
        .map(|c| c.side(side).len())
        .collect();
    let total: usize =
        parsed.clean.iter().map(Range::len).sum::<usize>() + lens.iter().sum::<usize>();
    let added = total
        .checked_sub(resolved.len())
        .ok_or(MergeError::Output("resolved merge longer than marked one"))?;
    if added > 0 {
        let last = lens
            .iter()
            .rposition(|&len| len > 0)
            .ok_or(MergeError::Output("newline added to an empty side"))?;
        let conflict = &parsed.conflicts[last];
        if added != conflict.eol.len() || !marked[conflict.side(side)].ends_with(conflict.eol) {
            return Err(MergeError::Output("unexpected added newline"));
        }
        lens[last] -= added;
    }
    let mut sections = Vec::with_capacity(lens.len());
    let mut pos = 0;
    for (i, clean) in parsed.clean.iter().enumerate() {
        let piece = &marked[clean.clone()];
        if resolved.get(pos..pos + piece.len()) != Some(piece) {
            return Err(MergeError::Output("clean text differs between merges"));
        }
        pos += piece.len();
        if let (Some(conflict), Some(&len)) = (parsed.conflicts.get(i), lens.get(i)) {
            let range = conflict.side(side);
            let piece = &marked[range.start..range.start + len];
            if resolved.get(pos..pos + len) != Some(piece) {
                return Err(MergeError::Output("conflict side differs between merges"));
            }
            sections.push(pos..pos + len);
            pos += len;
        }
    }
    if pos != resolved.len() {
        return Err(MergeError::Output("resolved merge has extra text"));
    }
    Ok(sections)
}

/// `L,N` of a unified-diff hunk for `region` starting at byte `start` of
/// `file`: GNU diff leaves out `,1`, and numbers an empty region by the line
/// before it.
fn hunk_range(file: &[u8], start: usize, region: &[u8]) -> String {
    let first = 1 + file[..start].iter().filter(|&&b| b == b'\n').count();
    match lines(region).count() {
        0 => format!("{},0", first - 1),
        1 => first.to_string(),
        n => format!("{first},{n}"),
    }
}

/// Appends `region`'s lines to a diff, each after `prefix`.
fn push_lines(out: &mut Vec<u8>, prefix: u8, region: &[u8]) {
    for line in lines(region) {
        out.push(prefix);
        out.extend_from_slice(line);
        if !line.ends_with(b"\n") {
            out.extend_from_slice(b"\n\\ No newline at end of file\n");
        }
    }
}

/// The lines of `text`, each with its `\n` if it has one.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split_inclusive(|&b| b == b'\n')
}

/// The line starting at `at`, as a range including its `\n`.
fn next_line(text: &[u8], at: usize) -> Option<Range<usize>> {
    let rest = text.get(at..).filter(|rest| !rest.is_empty())?;
    let len = rest
        .iter()
        .position(|&b| b == b'\n')
        .map_or(rest.len(), |i| i + 1);
    Some(at..at + len)
}

/// `line` without its `\n` or `\r\n`.
fn strip_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The line ending that starts at `at`, if one does.
fn eol_at(text: &[u8], at: usize) -> Option<&'static [u8]> {
    let rest = text.get(at..)?;
    if rest.starts_with(b"\r\n") {
        Some(b"\r\n")
    } else if rest.starts_with(b"\n") {
        Some(b"\n")
    } else {
        None
    }
}

/// Position of the first `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conflicted(inline: &str, conflicts: usize) -> TextMerge {
        TextMerge::Conflicted {
            inline: inline.as_bytes().to_vec(),
            conflicts,
        }
    }

    fn clean(text: &str) -> TextMerge {
        TextMerge::Clean(text.as_bytes().to_vec())
    }

    fn merge_str(base: &str, ours: &str, theirs: &str) -> TextMerge {
        match merge(base.as_bytes(), ours.as_bytes(), theirs.as_bytes()) {
            Ok(merged) => merged,
            Err(err) => panic!("merge failed: {err}"),
        }
    }

    fn rej_str(base: &str, ours: &str, theirs: &str) -> (String, Option<String>, usize) {
        let result = match merge_rej(base.as_bytes(), ours.as_bytes(), theirs.as_bytes()) {
            Ok(result) => result,
            Err(err) => panic!("merge_rej failed: {err}"),
        };
        let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
        (text(result.merged), result.rej.map(text), result.conflicts)
    }

    #[test]
    fn disjoint_edits_merge_cleanly() {
        let merged = merge_str("a\nb\nc\nd\ne\n", "A\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n");
        assert_eq!(merged, clean("A\nb\nc\nd\nE\n"));
        assert_eq!(merged.conflicts(), 0);
    }

    #[test]
    fn same_line_edits_conflict_with_git_markers() {
        let merged = merge_str("a\nb\nc\n", "a\nours\nc\n", "a\ntheirs\nc\n");
        let expected =
            "a\n<<<<<<< before updating\nours\n=======\ntheirs\n>>>>>>> after updating\nc\n";
        assert_eq!(merged, conflicted(expected, 1));
        assert_eq!(merged.bytes(), expected.as_bytes());
    }

    #[test]
    fn counts_each_conflict_block() {
        let base = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let merged = merge_str(
            base,
            "x\n2\n3\n4\n5\n6\n7\n8\nx\n",
            "y\n2\n3\n4\n5\n6\n7\n8\ny\n",
        );
        assert_eq!(merged.conflicts(), 2);
    }

    #[test]
    fn missing_final_newline_is_kept_when_clean() {
        let merged = merge_str("a\nb\nc", "A\nb\nc", "a\nb\nC");
        assert_eq!(merged, clean("A\nb\nC"));
    }

    #[test]
    fn missing_final_newline_inside_a_conflict_gets_one() {
        let merged = merge_str("a\nb", "a\nours", "a\ntheirs");
        let expected =
            "a\n<<<<<<< before updating\nours\n=======\ntheirs\n>>>>>>> after updating\n";
        assert_eq!(merged, conflicted(expected, 1));
    }

    #[test]
    fn crlf_is_kept_and_markers_follow_it() {
        let merged = merge_str("a\r\nb\r\nc\r\n", "A\r\nb\r\nc\r\n", "a\r\nb\r\nC\r\n");
        assert_eq!(merged, clean("A\r\nb\r\nC\r\n"));
        let merged = merge_str(
            "a\r\nb\r\nc\r\n",
            "a\r\nours\r\nc\r\n",
            "a\r\ntheirs\r\nc\r\n",
        );
        let expected = "a\r\n<<<<<<< before updating\r\nours\r\n=======\r\ntheirs\r\n\
                        >>>>>>> after updating\r\nc\r\n";
        assert_eq!(merged, conflicted(expected, 1));
    }

    #[test]
    fn empty_base_with_both_sides_adding_conflicts() {
        let merged = merge_str("", "ours\n", "theirs\n");
        let expected = "<<<<<<< before updating\nours\n=======\ntheirs\n>>>>>>> after updating\n";
        assert_eq!(merged, conflicted(expected, 1));
    }

    #[test]
    fn identical_changes_merge_cleanly() {
        assert_eq!(
            merge_str("a\nb\nc\n", "a\nB\nc\n", "a\nB\nc\n"),
            clean("a\nB\nc\n")
        );
        assert_eq!(merge_str("", "new\n", "new\n"), clean("new\n"));
        assert_eq!(merge_str("gone\n", "", ""), clean(""));
    }

    #[test]
    fn one_side_unchanged_takes_the_other() {
        assert_eq!(merge_str("a\n", "a\n", ""), clean(""));
        assert_eq!(merge_str("a\n", "", "a\n"), clean(""));
        assert_eq!(merge_str("", "", ""), clean(""));
        assert_eq!(merge_str("a\n", "a\n", "b"), clean("b"));
    }

    #[test]
    fn adjacent_deletions_conflict() {
        // Changes that touch are a conflict even when they could both apply.
        let merged = merge_str("a\nb\n", "b\n", "a\n");
        let expected = "<<<<<<< before updating\nb\n=======\na\n>>>>>>> after updating\n";
        assert_eq!(merged, conflicted(expected, 1));
    }

    #[test]
    fn non_utf8_bytes_merge_as_bytes() {
        let merged = merge(b"\xff\nb\nc\n", b"\xfe\nb\nc\n", b"\xff\nb\n\xc3\n");
        assert_eq!(
            merged.ok(),
            Some(TextMerge::Clean(b"\xfe\nb\n\xc3\n".to_vec()))
        );
    }

    #[test]
    fn binary_content_is_refused_like_git() {
        let err = merge(b"a\n", b"a\0\n", b"b\n").err();
        assert!(
            matches!(err, Some(MergeError::Binary("project"))),
            "{err:?}"
        );
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            msg,
            "cannot merge binary content as text (the project version is binary)"
        );
        // Past git's 8000-byte sniff, a NUL is just a byte.
        let mut late_nul = vec![b'x'; BINARY_SNIFF_LEN];
        late_nul.extend_from_slice(b"\0\n");
        assert!(merge(b"a\n", &late_nul, b"a\n").is_ok());
    }

    #[test]
    fn marker_like_content_does_not_change_the_count() {
        // A project that still has markers from an earlier update, and a
        // separator-like heading underline on both sides.
        let base = "title\n=======\nx\n";
        let ours =
            "title\n=======\n<<<<<<< before updating\nmine\n=======\n>>>>>>> after updating\n";
        let theirs = "title\n=======\ny\n";
        let merged = merge_str(base, ours, theirs);
        let expected = "title\n=======\n<<<<<<< before updating\n<<<<<<< before updating\nmine\n\
                        =======\n>>>>>>> after updating\n=======\ny\n>>>>>>> after updating\n";
        assert_eq!(merged, conflicted(expected, 1));
    }

    #[test]
    fn conflicts_close_together_fuse_into_one() {
        // xdiff joins conflicts separated by three or fewer lines.
        let merged = merge_str("1\n2\n3\n4\n5\n", "x\n2\n3\n4\nx\n", "y\n2\n3\n4\ny\n");
        let expected = "<<<<<<< before updating\nx\n2\n3\n4\nx\n=======\ny\n2\n3\n4\ny\n\
                        >>>>>>> after updating\n";
        assert_eq!(merged, conflicted(expected, 1));
    }

    #[test]
    fn rej_takes_theirs_in_conflicts_and_keeps_clean_hunks() {
        let base = "keep\nold\nmid1\nmid2\nmid3\nmid4\nend\n";
        let ours = "KEEP\nmine\nmid1\nmid2\nmid3\nmid4\nend\n";
        let theirs = "keep\nnew\nnew too\nmid1\nmid2\nmid3\nmid4\nEND\n";
        let (merged, rej, conflicts) = rej_str(base, ours, theirs);
        assert_eq!(conflicts, 1);
        // The conflict touches the first two lines, so KEEP is in it; END is a
        // clean hunk from the template.
        assert_eq!(merged, "keep\nnew\nnew too\nmid1\nmid2\nmid3\nmid4\nEND\n");
        let expected = "--- after updating\n+++ before updating\n\
                        @@ -1,3 +1,2 @@\n-keep\n-new\n-new too\n+KEEP\n+mine\n";
        assert_eq!(rej.as_deref(), Some(expected));
    }

    #[test]
    fn rej_numbers_hunks_in_the_merged_and_project_files() {
        let base = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let ours = "a\nB1\nB2\nc\nd\ne\nf\ng\nh\ni\nJ\n";
        let theirs = "A\nb\nc\nd\ne\nf\ng\nh\nx\nj\n";
        let (merged, rej, conflicts) = rej_str(base, ours, theirs);
        assert_eq!(conflicts, 2);
        assert_eq!(merged, "A\nb\nc\nd\ne\nf\ng\nh\nx\nj\n");
        let expected = "--- after updating\n+++ before updating\n\
                        @@ -1,2 +1,3 @@\n-A\n-b\n+a\n+B1\n+B2\n\
                        @@ -9,2 +10,2 @@\n-x\n-j\n+i\n+J\n";
        assert_eq!(rej.as_deref(), Some(expected));
    }

    #[test]
    fn rej_marks_missing_newlines_and_empty_sides() {
        let (merged, rej, _) = rej_str("a\nb\nc", "a\nb\nmine", "a\nb");
        assert_eq!(merged, "a\nb");
        let expected = "--- after updating\n+++ before updating\n\
                        @@ -2 +2,2 @@\n-b\n\\ No newline at end of file\n+b\n+mine\n\
                        \\ No newline at end of file\n";
        assert_eq!(rej.as_deref(), Some(expected));
        let (merged, rej, _) = rej_str("a\nb\nc\n", "a\nmine\nc\n", "a\nc\n");
        assert_eq!(merged, "a\nc\n");
        let expected = "--- after updating\n+++ before updating\n@@ -1,0 +2 @@\n+mine\n";
        assert_eq!(rej.as_deref(), Some(expected));
    }

    #[test]
    fn rej_is_none_when_clean() {
        let (merged, rej, conflicts) = rej_str("a\nb\nc\nd\n", "A\nb\nc\nd\n", "a\nb\nc\nD\n");
        assert_eq!((merged.as_str(), rej, conflicts), ("A\nb\nc\nD\n", None, 0));
    }
}
