//! Data-driven merge cases: `tests/fixtures/merge/<case>/` holds `base`,
//! `ours` and `theirs`, and what the real git made of them (see `regen.sh`
//! there): `expected` from `git merge-file -p -L "before updating" -L "last
//! update" -L "after updating" ours base theirs`, `expected-theirs` from the
//! same with `--theirs`, and `conflicts`, git's exit code.

use std::fs;
use std::path::{Path, PathBuf};

use graft::merge::text::{self, TextMerge};

/// Every case folder, sorted so failures read in a stable order.
fn fixture_cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/merge");
    let entries = fs::read_dir(&root).unwrap_or_else(|err| panic!("{}: {err}", root.display()));
    let mut cases: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    // An emptied or moved folder must not pass by testing nothing.
    assert!(
        cases.len() >= 10,
        "expected at least 10 merge fixtures in {}",
        root.display()
    );
    cases
}

fn fixture_file(case: &Path, name: &str) -> Vec<u8> {
    let path = case.join(name);
    fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn fixture_name(case: &Path) -> String {
    case.file_name().unwrap().to_string_lossy().into_owned()
}

fn fixture_conflicts(case: &Path) -> usize {
    let text = String::from_utf8(fixture_file(case, "conflicts")).unwrap();
    text.trim().parse().unwrap()
}

/// The base, ours and theirs of a fixture case.
fn fixture_sides(case: &Path) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    (
        fixture_file(case, "base"),
        fixture_file(case, "ours"),
        fixture_file(case, "theirs"),
    )
}

#[test]
fn merge_matches_git_on_every_fixture() {
    let mut failures = Vec::new();
    for case in fixture_cases() {
        let name = fixture_name(&case);
        let (base, ours, theirs) = fixture_sides(&case);
        let expected = fixture_file(&case, "expected");
        let conflicts = fixture_conflicts(&case);
        match text::merge(&base, &ours, &theirs) {
            Err(err) => failures.push(format!("{name}: merge failed: {err}")),
            Ok(merged) => {
                if merged.bytes() != expected.as_slice() {
                    failures.push(format!(
                        "{name}: output differs from git\n--- got\n{}\n--- expected\n{}",
                        String::from_utf8_lossy(merged.bytes()),
                        String::from_utf8_lossy(&expected)
                    ));
                }
                if merged.conflicts() != conflicts {
                    failures.push(format!(
                        "{name}: {} conflicts, git counted {conflicts}",
                        merged.conflicts()
                    ));
                }
                if matches!(merged, TextMerge::Clean(_)) != (conflicts == 0) {
                    failures.push(format!("{name}: wrong variant {merged:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn merge_rej_matches_git_theirs_on_every_fixture() {
    let mut failures = Vec::new();
    for case in fixture_cases() {
        let name = fixture_name(&case);
        let (base, ours, theirs) = fixture_sides(&case);
        let expected = fixture_file(&case, "expected-theirs");
        let conflicts = fixture_conflicts(&case);
        match text::merge_rej(&base, &ours, &theirs) {
            Err(err) => failures.push(format!("{name}: merge_rej failed: {err}")),
            Ok(result) => {
                if result.merged != expected {
                    failures.push(format!(
                        "{name}: merged differs from git --theirs\n--- got\n{}\n--- expected\n{}",
                        String::from_utf8_lossy(&result.merged),
                        String::from_utf8_lossy(&expected)
                    ));
                }
                if result.conflicts != conflicts || result.rej.is_some() != (conflicts > 0) {
                    failures.push(format!(
                        "{name}: {} conflicts (rej: {}), git counted {conflicts}",
                        result.conflicts,
                        result.rej.is_some()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn merge_rej_writes_a_readable_rej_for_the_fixture_with_two_conflicts() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/merge/two-conflicts");
    let (base, ours, theirs) = fixture_sides(&case);
    let result = text::merge_rej(&base, &ours, &theirs).unwrap();
    let rej = String::from_utf8(result.rej.unwrap()).unwrap();
    assert_eq!(
        rej,
        "--- after updating\n+++ before updating\n\
         @@ -1 +1 @@\n-ONE\n+one\n\
         @@ -10 +10 @@\n-TEN\n+ten\n"
    );
    assert_eq!(result.merged, b"ONE\n2\n3\n4\n5\n6\n7\n8\n9\nTEN\n");
}
