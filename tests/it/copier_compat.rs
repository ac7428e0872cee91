//! The Copier dialect, proven against Python Copier itself.
//!
//! Every folder `tests/copier/<scenario>/` is one case:
//!
//! - `template/`: a Copier template (`copier.yml` and its files);
//! - `data.yml`: the answers, given with `--data-file`;
//! - `args` (optional): more flags, one argument a line;
//! - `existing/` (optional): what the destination holds before the copy;
//! - `stderr-lines` (optional): lines the run must print on stderr
//!   (`_message_before_copy` and `_message_after_copy`);
//! - `expected/`: the tree Python Copier 9.19.1 rendered, and `empty-dirs`,
//!   the empty folders of that tree, which git cannot keep.
//!
//! Both tools render a case the same way: the template is copied into a
//! harness, made a git repository whose one commit is tagged `v1.0.0` (so
//! the answers file records `_commit: v1.0.0`), then
//! `copy --trust --defaults --data-file data.yml [ARGS] TEMPLATE dest` runs
//! in the harness root. The template's temporary absolute path is replaced
//! by `{{SRC}}` in every text file before comparing. The result must equal
//! `expected/` byte for byte, executable bits and symlinks included.
//!
//! `tests/copier/regenerate.sh` rebuilds `expected/` the same way with the
//! pinned Copier; `python_copier_still_renders_every_expected_tree` proves
//! the committed trees are still what that Copier renders.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rayon::prelude::*;
use similar::TextDiff;

use crate::harness::{read_tree, GitRepo, Harness, Snap, DEST, TEMPLATE};

/// The version of Python Copier the expected trees come from.
const COPIER_VERSION: &str = "copier 9.19.1";

/// What the template's temporary path becomes in compared files.
const SRC_PLACEHOLDER: &str = "{{SRC}}";

/// The tag the template repository's one commit carries.
const TAG: &str = "v1.0.0";

/// One folder of `tests/copier`.
struct Scenario {
    name: String,
    dir: PathBuf,
}

impl Scenario {
    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The extra flags of `args`: one a line, blank lines and `#` comments skipped.
    fn args(&self) -> Vec<String> {
        let path = self.file("args");
        if !path.exists() {
            return Vec::new();
        }
        read_text(&path)
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(str::to_string)
            .collect()
    }

    /// The lines of `stderr-lines`, each of which stderr must hold whole.
    fn stderr_lines(&self) -> Vec<String> {
        let path = self.file("stderr-lines");
        if !path.exists() {
            return Vec::new();
        }
        read_text(&path).lines().map(str::to_string).collect()
    }

    /// `expected/` with the folders of `empty-dirs` added.
    fn expected_tree(&self) -> BTreeMap<String, Snap> {
        let expected = self.file("expected");
        assert!(
            expected.is_dir(),
            "{}: no expected/ (run tests/copier/regenerate.sh {})",
            self.name,
            self.name
        );
        let mut tree = read_tree(&expected);
        let empty_dirs = self.file("empty-dirs");
        if empty_dirs.exists() {
            for dir in read_text(&empty_dirs).lines() {
                tree.insert(dir.to_string(), Snap::Dir);
            }
        }
        tree
    }

    /// The command-line arguments after the program name.
    fn copy_args(&self, src: &Path) -> Vec<String> {
        let mut args = vec![
            "copy".to_string(),
            "--trust".to_string(),
            "--defaults".to_string(),
            "--data-file".to_string(),
            self.file("data.yml").display().to_string(),
        ];
        args.extend(self.args());
        args.push(src.display().to_string());
        args.push(DEST.to_string());
        args
    }

    /// A harness holding the template as a tagged git repository and, when
    /// the scenario has one, the destination's earlier contents.
    fn harness(&self) -> Harness {
        let h = Harness::new();
        copy_tree(&self.file("template"), &h.path(TEMPLATE));
        let mut repo = GitRepo::init(&h, TEMPLATE);
        repo.commit(&[], &[], TAG);
        repo.tag(TAG);
        let existing = self.file("existing");
        if existing.is_dir() {
            copy_tree(&existing, &h.dest());
        }
        h
    }

    /// Runs `program copy ...` on this scenario in a fresh harness and
    /// compares the destination with `expected/`; `Err` says what differs.
    fn check(&self, program: impl Fn(&Harness) -> Command) -> Result<(), String> {
        let h = self.harness();
        let output = program(&h)
            .args(self.copy_args(&h.path(TEMPLATE)))
            .stdin(Stdio::null())
            .output()
            .map_err(|err| format!("{}: cannot run: {err}", self.name))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(format!(
                "{}: {}\n--- stdout:\n{stdout}\n--- stderr:\n{stderr}",
                self.name, output.status
            ));
        }
        let mut problems = Vec::new();
        for line in self.stderr_lines() {
            if !stderr.lines().any(|got| got == line) {
                problems.push(format!("stderr lacks the line {line:?}"));
            }
        }
        let got = normalized_tree(&h.dest(), &h.path(TEMPLATE));
        problems.extend(tree_differences(&self.expected_tree(), &got));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{}: differs from expected/\n{}\n--- stderr:\n{stderr}",
                self.name,
                problems.join("\n")
            ))
        }
    }
}

fn read_text(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|err| panic!("read {}: {err}", path.display()))
}

/// Every scenario, sorted so failures read in a stable order.
fn scenarios() -> Vec<Scenario> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/copier");
    let entries = fs::read_dir(&root).unwrap_or_else(|err| panic!("{}: {err}", root.display()));
    let mut scenarios: Vec<Scenario> = entries
        .map(|entry| entry.expect("read tests/copier").path())
        .filter(|path| path.join("template").is_dir())
        .map(|dir| Scenario {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            dir,
        })
        .collect();
    scenarios.sort_by(|a, b| a.name.cmp(&b.name));
    // An emptied or moved folder must not pass by testing nothing.
    assert!(
        scenarios.len() >= 20,
        "expected at least 20 scenarios in {}",
        root.display()
    );
    scenarios
}

/// Copies a folder as git would check it out: symlinks as symlinks,
/// executable bits kept.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|err| panic!("create {}: {err}", to.display()));
    let entries = fs::read_dir(from).unwrap_or_else(|err| panic!("{}: {err}", from.display()));
    for entry in entries {
        let entry = entry.expect("read folder entry");
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().expect("file type");
        if kind.is_symlink() {
            let target = fs::read_link(&src).expect("read link");
            std::os::unix::fs::symlink(target, &dst).expect("create symlink");
        } else if kind.is_dir() {
            copy_tree(&src, &dst);
        } else {
            fs::copy(&src, &dst).unwrap_or_else(|err| panic!("copy {}: {err}", src.display()));
        }
    }
}

/// The tree under `dest`, with `src` written as `{{SRC}}` in text files.
fn normalized_tree(dest: &Path, src: &Path) -> BTreeMap<String, Snap> {
    let src = src.display().to_string();
    let mut tree = read_tree(dest);
    for snap in tree.values_mut() {
        if let Snap::Text { text, .. } = snap {
            *text = text.replace(&src, SRC_PLACEHOLDER);
        }
    }
    tree
}

/// One line (or a unified diff) per path that differs between the trees.
fn tree_differences(
    expected: &BTreeMap<String, Snap>,
    got: &BTreeMap<String, Snap>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (path, want) in expected {
        match got.get(path) {
            None => out.push(format!("missing: {path} ({})", describe(want))),
            Some(have) if have != want => out.push(entry_difference(path, want, have)),
            Some(_) => {}
        }
    }
    for (path, have) in got {
        if !expected.contains_key(path) {
            out.push(format!("unexpected: {path} ({})", describe(have)));
        }
    }
    out
}

fn describe(snap: &Snap) -> String {
    match snap {
        Snap::Text { text, executable } => {
            format!("text, {} bytes{}", text.len(), exec_note(*executable))
        }
        Snap::Bytes { bytes, executable } => {
            format!("binary, {} bytes{}", bytes.len(), exec_note(*executable))
        }
        Snap::Link(target) => format!("symlink to {target}"),
        Snap::Dir => "folder".to_string(),
        Snap::Special => "special file".to_string(),
    }
}

fn exec_note(executable: bool) -> &'static str {
    if executable {
        ", executable"
    } else {
        ""
    }
}

/// How one path differs: a unified diff for two texts, else both descriptions.
fn entry_difference(path: &str, want: &Snap, have: &Snap) -> String {
    match (want, have) {
        (
            Snap::Text {
                text: want_text,
                executable: want_exec,
            },
            Snap::Text {
                text: have_text,
                executable: have_exec,
            },
        ) => {
            let mut out = String::new();
            if want_exec != have_exec {
                out.push_str(&format!(
                    "mode: {path} is{} executable, expected{} executable\n",
                    if *have_exec { "" } else { " not" },
                    if *want_exec { "" } else { " not" },
                ));
            }
            if want_text != have_text {
                let diff = TextDiff::from_lines(want_text, have_text)
                    .unified_diff()
                    .header(&format!("expected/{path}"), &format!("got/{path}"))
                    .to_string();
                out.push_str(&diff);
                if !diff.ends_with('\n') {
                    out.push('\n');
                }
            }
            out.trim_end().to_string()
        }
        _ => format!(
            "differs: {path}: got {}, expected {}",
            describe(have),
            describe(want)
        ),
    }
}

/// Runs `check` on every scenario in parallel and fails with every problem.
fn check_all(check: impl Fn(&Scenario) -> Result<(), String> + Sync) {
    let failures: Vec<String> = scenarios()
        .par_iter()
        .filter_map(|scenario| check(scenario).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} scenario(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The pinned Python Copier: `$GRAFT_COPIER`, else the venv `.ci/run`
/// makes under `target/`. `None` when neither exists.
fn python_copier() -> Option<PathBuf> {
    let path = match std::env::var_os("GRAFT_COPIER") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/copier-venv/bin/copier"),
    };
    if !path.exists() {
        return None;
    }
    let output = Command::new(&path)
        .arg("--version")
        .output()
        .unwrap_or_else(|err| panic!("run {} --version: {err}", path.display()));
    let version = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        version.trim(),
        COPIER_VERSION,
        "{} is not the pinned Copier; `.ci/run` installs it",
        path.display()
    );
    Some(path)
}

#[test]

fn every_fixture_renders_what_python_copier_rendered() {
    check_all(|scenario| scenario.check(|h| h.std_command(Vec::<&str>::new())));
}

#[test]
fn python_copier_still_renders_every_expected_tree() {
    let Some(copier) = python_copier() else {
        assert!(
            std::env::var_os("GRAFT_REQUIRE_COPIER").is_none_or(|v| v != "1"),
            "GRAFT_REQUIRE_COPIER=1 but no Copier at target/copier-venv/bin/copier \
             nor $GRAFT_COPIER; `.ci/run` installs it"
        );
        eprintln!(
            "skipped: Python Copier is not installed (target/copier-venv/bin/copier or \
             $GRAFT_COPIER); `.ci/run` installs it"
        );
        return;
    };
    check_all(|scenario| scenario.check(|h| h.program(&copier)));
}

#[test]
fn every_scenario_is_complete_and_passes_only_flags_both_tools_share() {
    // Flags graft's `copy` and Copier's share, with whether a value follows.
    let shared = [
        ("--exclude", true),
        ("--skip", true),
        ("--overwrite", false),
        ("--skip-tasks", false),
        ("--answers-file", true),
        ("--data", true),
        ("--vcs-ref", true),
    ];
    for scenario in scenarios() {
        for name in ["template/copier.yml", "data.yml"] {
            let path = scenario.file(name);
            assert!(path.is_file(), "{}: no {name}", scenario.name);
        }
        assert!(
            scenario.file("expected").is_dir(),
            "{}: no expected/",
            scenario.name
        );
        let args = scenario.args();
        let mut rest = args.iter();
        while let Some(flag) = rest.next() {
            let takes_value = shared
                .iter()
                .find(|(known, _)| known == flag)
                .map(|(_, takes_value)| *takes_value)
                .unwrap_or_else(|| panic!("{}: args: {flag} is not a shared flag", scenario.name));
            if takes_value {
                assert!(
                    rest.next().is_some(),
                    "{}: args: {flag} lacks its value",
                    scenario.name
                );
            }
        }
    }
}

#[test]

fn jinja2_time_now_renders_the_current_date_in_the_asked_format() {
    // Time-dependent, so not a fixture: only the shape is asserted.
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_jinja_extensions:\n  - jinja2_time.TimeExtension\n",
        ),
        (
            "now.txt.jinja",
            "{% now 'utc', '%Y-%m-%d' %}|{% now 'utc' %}|{% now 'local', '%H:%M' %}\n",
        ),
    ]);
    h.copy(&["--trust", "--defaults"]).success();
    let text = h.dest_file("now.txt");
    let shape =
        regex::Regex::new(r"^\d{4}-\d{2}-\d{2}\|\d{4}-\d{2}-\d{2}\|\d{2}:\d{2}\n$").unwrap();
    assert!(shape.is_match(&text), "{text:?}");
}
