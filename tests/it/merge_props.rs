//! Property test: `graft::merge::text` against the real `git merge-file`.
//!
//! Thousands of random (base, ours, theirs) triples, built from a small
//! alphabet of lines so that edits collide often, with LF, CRLF or mixed line
//! endings, missing final newlines, empty files, non-UTF-8 bytes and lines that
//! look like conflict markers. Each triple goes through `git merge-file` (plain,
//! `--ours` and `--theirs`) and must give byte-identical results.

use std::path::Path;
use std::process::Command;

use graft::merge::text::{self, RejMerge, TextMerge};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Lines the random files are made of; repeats weight the common ones.
const PROP_LINES: &[&[u8]] = &[
    b"a",
    b"a",
    b"b",
    b"b",
    b"c",
    b"c",
    b"d",
    b"e",
    b"",
    b"x y",
    b"{",
    b"}",
    b"x\ry",
    b"=======",
    b"========",
    b"<<<<<<<",
    b">>>>>>>",
    b"<<<<<<< before updating",
    b">>>>>>> after updating",
    b"\xff\xfe caf\xe9",
];

/// One random file: its lines and how they end.
#[derive(Debug, Clone)]
struct PropDoc {
    lines: Vec<&'static [u8]>,
    /// 0 or 1: all LF, 2: all CRLF, 3: per line from `crlf`.
    eol_style: u8,
    crlf: Vec<bool>,
    final_newline: bool,
}

impl PropDoc {
    fn render(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            out.extend_from_slice(line);
            if i + 1 == self.lines.len() && !self.final_newline {
                break;
            }
            let crlf = match self.eol_style {
                2 => true,
                3 => self.crlf[i % self.crlf.len()],
                _ => false,
            };
            out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        }
        out
    }
}

fn prop_lines() -> impl Strategy<Value = Vec<&'static [u8]>> {
    vec(select(PROP_LINES), 0..16)
}

/// A side derived from `base` by random keeps, deletions, replacements and
/// insertions, or now and then unrelated to it.
fn prop_edited(base: Vec<&'static [u8]>) -> impl Strategy<Value = Vec<&'static [u8]>> {
    let n = base.len();
    let edits = vec((0u8..16, select(PROP_LINES), select(PROP_LINES)), n + 1);
    prop_oneof![
        1 => prop_lines(),
        7 => edits.prop_map(move |ops| {
            let mut out = Vec::new();
            for (i, &(op, one, two)) in ops.iter().enumerate() {
                let old = base.get(i).copied();
                match op {
                    13 => out.push(one),
                    14 => out.extend([one].into_iter().chain(old)),
                    15 => out.extend([one, two]),
                    12 if old.is_some() => {}
                    _ => out.extend(old),
                }
            }
            out
        }),
    ]
}

/// How a file's lines end: (style, per-line CRLF flags, final newline).
type PropEol = (u8, Vec<bool>, bool);

fn prop_eol() -> impl Strategy<Value = PropEol> {
    (0u8..4, vec(any::<bool>(), 1..8), prop::bool::weighted(0.8))
}

fn prop_doc(lines: Vec<&'static [u8]>, (eol_style, crlf, final_newline): PropEol) -> PropDoc {
    PropDoc {
        lines,
        eol_style,
        crlf,
        final_newline,
    }
}

/// Three related files; each side mostly keeps the base's line endings, and
/// sometimes changes them (as a person converting a file would).
fn prop_triple() -> impl Strategy<Value = (PropDoc, PropDoc, PropDoc)> {
    prop_lines().prop_flat_map(|base| {
        (
            prop_eol(),
            prop_edited(base.clone()),
            prop::option::weighted(0.2, prop_eol()),
            prop_edited(base.clone()),
            prop::option::weighted(0.2, prop_eol()),
        )
            .prop_map(move |(eol, ours, ours_eol, theirs, theirs_eol)| {
                (
                    prop_doc(base.clone(), eol.clone()),
                    prop_doc(ours, ours_eol.unwrap_or_else(|| eol.clone())),
                    prop_doc(theirs, theirs_eol.unwrap_or(eol)),
                )
            })
    })
}

/// Runs `git merge-file -p [extra] -L ... OURS BASE THEIRS` on files already
/// written to `dir`, isolated from any user or system git configuration.
fn run_git_merge_file(dir: &Path, extra: &[&str]) -> (Vec<u8>, i32) {
    let output = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .args(["-c", "merge.conflictStyle=merge", "merge-file", "-p"])
        .args(extra)
        .args([
            "-L",
            text::LABEL_OURS,
            "-L",
            text::LABEL_BASE,
            "-L",
            text::LABEL_THEIRS,
        ])
        .args(["ours", "base", "theirs"])
        .output()
        .unwrap_or_else(|err| panic!("cannot run `git merge-file` (is git installed?): {err}"));
    let code = output
        .status
        .code()
        .unwrap_or_else(|| panic!("git merge-file killed: {:?}", output.status));
    (output.stdout, code)
}

/// Applies a `.rej` from [`text::merge_rej`] to `merged` like `patch` would
/// with zero context, checking both sides' line numbers and the `-` lines.
fn apply_rej(merged: &[u8], rej: &[u8]) -> Result<Vec<u8>, String> {
    let mut rej_lines: Vec<&[u8]> = rej.split_inclusive(|&b| b == b'\n').collect();
    rej_lines.reverse();
    let header = [rej_lines.pop(), rej_lines.pop()];
    if header
        != [
            Some(&b"--- after updating\n"[..]),
            Some(&b"+++ before updating\n"[..]),
        ]
    {
        return Err(format!("bad header {header:?}"));
    }
    let old: Vec<&[u8]> = merged.split_inclusive(|&b| b == b'\n').collect();
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut next = 0;
    while let Some(line) = rej_lines.pop() {
        let line = String::from_utf8_lossy(line);
        let ranges = line
            .strip_prefix("@@ -")
            .and_then(|rest| rest.strip_suffix(" @@\n"))
            .ok_or_else(|| format!("bad hunk header {line:?}"))?;
        let parse = |range: &str| -> Result<(usize, usize), String> {
            let (start, count) = range.split_once(',').unwrap_or((range, "1"));
            Ok((
                start
                    .parse()
                    .map_err(|_| format!("bad start in {line:?}"))?,
                count
                    .parse()
                    .map_err(|_| format!("bad count in {line:?}"))?,
            ))
        };
        let (minus, plus) = ranges.split_once(" +").ok_or("bad ranges")?;
        let ((old_start, old_count), (new_start, new_count)) = (parse(minus)?, parse(plus)?);
        let mut take = |prefix: u8, count: usize| -> Result<Vec<Vec<u8>>, String> {
            let mut taken: Vec<Vec<u8>> = Vec::new();
            for _ in 0..count {
                let line = rej_lines.pop().ok_or("hunk cut short")?;
                if line.first() != Some(&prefix) {
                    return Err(format!("expected {:?} line, got {line:?}", prefix as char));
                }
                let mut line = line[1..].to_vec();
                if rej_lines.last() == Some(&&b"\\ No newline at end of file\n"[..]) {
                    rej_lines.pop();
                    line.pop();
                }
                taken.push(line);
            }
            Ok(taken)
        };
        let minus_lines = take(b'-', old_count)?;
        let plus_lines = take(b'+', new_count)?;
        let at = if old_count == 0 {
            old_start
        } else {
            old_start - 1
        };
        if at < next || at + old_count > old.len() {
            return Err(format!("hunk {line:?} out of order or range"));
        }
        out.extend(old[next..at].iter().map(|l| l.to_vec()));
        let expected_new_start = out.len() + usize::from(new_count > 0);
        if new_start != expected_new_start {
            return Err(format!(
                "hunk {line:?}: + start should be {expected_new_start}"
            ));
        }
        if old[at..at + old_count] != minus_lines {
            return Err(format!("hunk {line:?}: - lines are not the merged file's"));
        }
        out.extend(plus_lines);
        next = at + old_count;
    }
    out.extend(old[next..].iter().map(|l| l.to_vec()));
    Ok(out.concat())
}

fn show(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

/// Runs `check` on `cases` random (base, ours, theirs) triples (more with
/// `PROPTEST_CASES`, for a deeper run), each also written to the files
/// `base`, `ours` and `theirs` of the folder it is given, with a text
/// naming the triple for failure messages.
fn for_random_triples(
    cases: u32,
    check: impl Fn(&Path, [&[u8]; 3], &str) -> Result<(), TestCaseError>,
) {
    let dir = tempfile::tempdir().unwrap();
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    let result = runner.run(&prop_triple(), |(base, ours, theirs)| {
        let (base, ours, theirs) = (base.render(), ours.render(), theirs.render());
        std::fs::write(dir.path().join("base"), &base).unwrap();
        std::fs::write(dir.path().join("ours"), &ours).unwrap();
        std::fs::write(dir.path().join("theirs"), &theirs).unwrap();
        let context = format!(
            "base={} ours={} theirs={}",
            show(&base),
            show(&ours),
            show(&theirs)
        );
        check(dir.path(), [&base, &ours, &theirs], &context)
    });
    if let Err(err) = result {
        panic!("{err}");
    }
}

#[test]
fn merge_and_merge_rej_match_git_merge_file() {
    for_random_triples(2000, |dir, [base, ours, theirs], context| {
        let (git_out, git_code) = run_git_merge_file(dir, &[]);
        let merged = text::merge(base, ours, theirs)
            .map_err(|err| TestCaseError::fail(format!("merge failed: {err}; {context}")))?;
        prop_assert_eq!(show(merged.bytes()), show(&git_out), "{}", context);
        prop_assert_eq!(merged.conflicts().min(127) as i32, git_code, "{}", context);
        prop_assert_eq!(
            matches!(merged, TextMerge::Clean(_)),
            git_code == 0,
            "{}",
            context
        );

        // Without conflicts, --theirs and --ours change nothing.
        let (git_theirs, git_ours) = if git_code == 0 {
            (git_out.clone(), git_out)
        } else {
            let (theirs, _) = run_git_merge_file(dir, &["--theirs"]);
            let (ours, _) = run_git_merge_file(dir, &["--ours"]);
            (theirs, ours)
        };
        let RejMerge {
            merged,
            rej,
            conflicts,
        } = text::merge_rej(base, ours, theirs)
            .map_err(|err| TestCaseError::fail(format!("merge_rej failed: {err}; {context}")))?;
        prop_assert_eq!(show(&merged), show(&git_theirs), "{}", context);
        prop_assert_eq!(conflicts.min(127) as i32, git_code, "{}", context);
        prop_assert_eq!(rej.is_some(), conflicts > 0, "{}", context);
        if let Some(rej) = rej {
            let hunks = rej
                .split(|&b| b == b'\n')
                .filter(|l| l.starts_with(b"@@ -"))
                .count();
            prop_assert_eq!(hunks, conflicts, "{}", context);
            let patched = apply_rej(&merged, &rej).map_err(|err| {
                TestCaseError::fail(format!("{err}; rej={} {context}", show(&rej)))
            })?;
            prop_assert_eq!(
                show(&patched),
                show(&git_ours),
                "rej={} {}",
                show(&rej),
                context
            );
        }
        Ok(())
    });
}

/// `git diff -U3 --inter-hunk-context=-1 base ours`, then `git apply
/// --reject` of it onto `theirs`: what Copier does with `--conflict rej`.
/// Returns the patched file and the `.rej`, if any.
fn run_git_replay(dir: &Path) -> (Vec<u8>, Option<Vec<u8>>) {
    let git = |args: &[&str], cwd: &Path| {
        Command::new("git")
            .current_dir(cwd)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("HOME", dir)
            .args(args)
            .output()
            .expect("run git")
    };
    let diff = git(
        &[
            "diff",
            "--no-index",
            "--no-color",
            "-U3",
            "--inter-hunk-context=-1",
            "base",
            "ours",
        ],
        dir,
    );
    let target = dir.join("target");
    let _ = std::fs::remove_dir_all(&target);
    std::fs::create_dir(&target).unwrap();
    std::fs::copy(dir.join("theirs"), target.join("app.py")).unwrap();
    if !diff.stdout.is_empty() {
        // The same hunks, named as the file they are applied to.
        let patch: Vec<u8> = diff
            .stdout
            .split_inclusive(|&b| b == b'\n')
            .flat_map(|line: &[u8]| -> &[u8] {
                match line {
                    l if l.starts_with(b"diff --git ") => b"diff --git a/app.py b/app.py\n",
                    l if l.starts_with(b"--- ") => b"--- a/app.py\n",
                    l if l.starts_with(b"+++ ") => b"+++ b/app.py\n",
                    l => l,
                }
            })
            .copied()
            .collect();
        std::fs::write(dir.join("patch"), patch).unwrap();
        git(&["apply", "--reject", "../patch"], &target);
    }
    let rej = std::fs::read(target.join("app.py.rej")).ok();
    (std::fs::read(target.join("app.py")).unwrap(), rej)
}

#[test]
fn copier_rej_replay_matches_git_diff_and_git_apply_reject() {
    for_random_triples(500, |dir, [base, ours, theirs], context| {
        let (git_file, git_rej) = run_git_replay(dir);
        let ours_replay = graft::merge::replay::replay(base, ours, theirs, 3, "app.py")
            .map_err(|err| TestCaseError::fail(format!("replay failed: {err}; {context}")))?;
        prop_assert_eq!(show(&ours_replay.merged), show(&git_file), "{}", context);
        prop_assert_eq!(
            ours_replay.rej.as_deref().map(show),
            git_rej.as_deref().map(show),
            "{}",
            context
        );
        Ok(())
    });
}
