//! What `graft update` and its sibling commands do when the project or its
//! answers file is not what a plain run expects: an answers file without a
//! recorded version, a template folder that becomes a file (and the other
//! way round), files of the person's own where graft writes `.rej` and
//! `.graft-new` files, and FIFOs where graft would read or write. Each test
//! asserts the exact files, output and exit code, and that a refusal
//! leaves the project byte for byte as it was.

use std::collections::BTreeMap;
use std::fs;

use crate::harness::{
    read, work_tree, GitRepo, Harness, Run, Snap, ANSWERS_FILE, ANSWERS_HEADER, DEST, TEMPLATE,
};

const CONFIG: (&str, &str) = ("graft.yml", "name: app\n");

/// The last line of an update that left conflicts git cannot record as
/// unmerged (a folder against a file).
const RESOLVE: &str = "resolve the conflicts, then commit\n";

/// Copy flags for a project at the first release.
const AT_V1: [&str; 3] = ["--defaults", "--vcs-ref", "v1.0.0"];

/// `template/` released as `v1.0.0` (`graft.yml` and `v1`) and `v2.0.0`
/// (`v2` written over it, `gone` deleted).
fn template(h: &Harness, v1: &[(&str, &str)], v2: &[(&str, &str)], gone: &[&str]) -> GitRepo {
    let mut repo = GitRepo::init(h, TEMPLATE);
    repo.release("v1.0.0", &[&[CONFIG], v1].concat(), &[]);
    repo.release("v2.0.0", v2, gone);
    repo
}

/// The commit a tag points at.
fn sha_of(repo: &GitRepo, tag: &str) -> String {
    repo.git(&["rev-parse", &format!("{tag}^{{commit}}")])
        .trim()
        .to_string()
}

/// The answers file of the harness template at `commit` (its sha `sha`).
fn answers_at(h: &Harness, commit: &str, sha: &str, answers: &str) -> String {
    format!(
        "{ANSWERS_HEADER}_src_path: {}\n_commit: {commit}\n_commit_sha: {sha}\n{answers}",
        h.template_src()
    )
}

/// The blank line and summary an update of the harness template prints.
fn summary(h: &Harness, versions: &str, counts: &str) -> String {
    format!("\nupdated {} from {versions}: {counts}\n", h.template_src())
}

/// Rewrites the project's answers file without the lines starting with
/// one of `keys` (followed by `:`), and with `extra` lines added, and
/// commits it.
fn edit_answers(h: &Harness, project: &mut GitRepo, keys: &[&str], extra: &str) {
    let path = h.path(&format!("{DEST}/{ANSWERS_FILE}"));
    let text: String = read(&path)
        .lines()
        .filter(|l| !keys.iter().any(|k| l.starts_with(&format!("{k}:"))))
        .map(|l| format!("{l}\n"))
        .collect();
    h.write(&format!("{DEST}/{ANSWERS_FILE}"), format!("{text}{extra}"));
    project.commit(&[], &[], "edit the answers file");
}

/// The project as a person sees it (without `.git`); a FIFO is listed,
/// never opened.
fn project(h: &Harness) -> BTreeMap<String, Snap> {
    work_tree(&h.dest())
}

/// Runs `graft ARGS`, expecting exit `code` with exactly `stderr`, and the
/// project byte for byte as it was.
#[track_caller]
fn refused(h: &Harness, args: &[&str], code: i32, stderr: &str) -> Run {
    let before = project(h);
    let run = h.run(args).code(code);
    assert_eq!(run.stderr, stderr);
    assert_eq!(project(h), before);
    run
}

// --- An update needs a recorded version.

#[test]
fn update_without_a_recorded_version_is_refused() {
    let h = Harness::new();
    template(&h, &[("a.txt", "1\n")], &[("a.txt", "2\n")], &[]);
    let mut project = h.copy_into_git(&AT_V1);
    edit_answers(&h, &mut project, &["_commit", "_commit_sha"], "");
    let error = format!(
        "error: `.graft-answers.yml` records no version of `{}`: `_commit` and `_commit_sha` are missing\n\
         hint: `graft recopy --vcs-ref REF` renders the version REF from scratch over the project and records it\n",
        h.template_src()
    );
    refused(&h, &["update", DEST, "--defaults"], 2, &error);
    // `check` and `diff` compare with the recorded version too, so they
    // cannot answer either.
    refused(&h, &["check", DEST], 2, &error);
    refused(&h, &["diff", DEST, "--exit-code"], 2, &error);
    refused(&h, &["recopy", DEST, "--overwrite"], 2, &error);

    // What the hint says works, and records the version.
    let t = GitRepo::open(&h, TEMPLATE);
    h.run(&["recopy", DEST, "--vcs-ref", "v1.0.0", "--overwrite"])
        .success();
    assert_eq!(
        h.dest_file(ANSWERS_FILE),
        answers_at(
            &h,
            "v1.0.0",
            &sha_of(&t, "v1.0.0"),
            "_operation: recopy\nname: app\n"
        )
    );
    h.update(&["--allow-dirty"]).success();
    assert_eq!(h.dest_file("a.txt"), "2\n");
}

#[test]
fn a_recorded_sha_the_template_lacks_gives_way_to_the_recorded_tag_with_a_warning() {
    let h = Harness::new();
    let t = template(&h, &[("a.txt", "1\n")], &[("a.txt", "2\n")], &[]);
    let mut project = h.copy_into_git(&AT_V1);
    let unknown = "0123456789abcdef0123456789abcdef01234567";
    edit_answers(
        &h,
        &mut project,
        &["_commit_sha", "name"],
        &format!("_commit_sha: {unknown}\nname: app\n"),
    );
    let run = h.update(&[]).success();
    assert_eq!(
        run.stderr,
        format!(
            "warning: `_commit_sha` `{unknown}` in `.graft-answers.yml` is not a commit of `{src}`; \
             using `_commit` `v1.0.0`\n\
             \x20   update  a.txt\n\
             \x20   update  .graft-answers.yml\n{}",
            summary(
                &h,
                "v1.0.0 to v2.0.0",
                "2 updated, 0 merged, 0 created, 0 deleted, 0 kept, 0 conflict(s)"
            ),
            src = h.template_src()
        )
    );
    assert_eq!(h.dest_file("a.txt"), "2\n");
    assert_eq!(
        h.dest_file(ANSWERS_FILE),
        answers_at(
            &h,
            "v2.0.0",
            &sha_of(&t, "v2.0.0"),
            "_operation: update\nname: app\n"
        )
    );
}

#[test]
fn a_project_of_a_plain_folder_template_needs_no_recorded_version() {
    let h = Harness::new();
    h.template(&[CONFIG, ("a.txt", "1\n")]);
    h.copy(&["--defaults"]).success();
    let run = h.update(&[]).success();
    assert_eq!(
        run.stderr,
        summary(
            &h,
            "(folder) to (folder)",
            "0 updated, 0 merged, 0 created, 0 deleted, 0 kept, 0 conflict(s)"
        )
    );
    h.assert_dest("name: app\n", &[("a.txt", "1\n")]);
}

// --- Only regular files are read or replaced.

/// Makes a FIFO at `root/rel`: opening it to read blocks until a writer
/// comes, so any command that opens it hangs.
fn mkfifo(h: &Harness, rel: &str) {
    let path = h.path(rel);
    let _ = fs::remove_file(&path);
    let status = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Runs `graft ARGS` like [`Harness::run`], but kills it and fails the
/// test when it has not finished within 20 seconds.
fn run_promptly(h: &Harness, args: &[&str]) -> Run {
    use std::process::Stdio;
    let child = h
        .std_command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start graft");
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match finished.recv_timeout(std::time::Duration::from_secs(20)) {
        Ok(output) => {
            let output = output.expect("wait for graft");
            Run {
                code: output.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }
        }
        Err(_) => {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            panic!("graft {args:?} still runs after 20 seconds");
        }
    }
}

/// [`refused`] through [`run_promptly`].
#[track_caller]
fn refused_promptly(h: &Harness, args: &[&str], stderr: &str) {
    let before = project(h);
    let run = run_promptly(h, args).code(2);
    assert_eq!(run.stderr, stderr);
    assert_eq!(project(h), before);
}

/// The error graft gives for a FIFO at `rel` in the destination.
fn fifo_error(h: &Harness, rel: &str) -> String {
    format!(
        "error: `{}` is a FIFO, not a regular file\n\
         hint: graft only reads and replaces regular files; move it out of the way and run again\n",
        h.dest().join(rel).display()
    )
}

/// A project (not a git repository) copied at v1.0.0 of a template whose
/// `a.txt` changes in v2.0.0 and whose `same.txt` does not, with a FIFO
/// in place of `a.txt`.
fn project_with_a_fifo(h: &Harness) {
    template(
        h,
        &[("a.txt", "1\n"), ("same.txt", "same\n")],
        &[("a.txt", "2\n")],
        &[],
    );
    h.copy(&AT_V1).success();
    mkfifo(h, &format!("{DEST}/a.txt"));
}

#[test]
fn a_fifo_at_a_rendered_path_is_never_opened() {
    let h = Harness::new();
    project_with_a_fifo(&h);
    let error = fifo_error(&h, "a.txt");
    refused_promptly(&h, &["update", DEST, "--defaults"], &error);
    refused_promptly(&h, &["recopy", DEST, "--overwrite"], &error);
    refused_promptly(&h, &["check", DEST], &error);
    refused_promptly(&h, &["diff", DEST], &error);
    refused_promptly(&h, &["remove", DEST, "-a", ANSWERS_FILE], &error);
    refused_promptly(
        &h,
        &["copy", TEMPLATE, DEST, "--defaults", "--overwrite"],
        &error,
    );
    // Pretending reads the project the same way.
    refused_promptly(&h, &["update", DEST, "--defaults", "--pretend"], &error);
}

#[test]
fn a_fifo_at_a_path_the_template_did_not_change_is_left_alone() {
    let h = Harness::new();
    project_with_a_fifo(&h);
    fs::remove_file(h.dest().join("a.txt")).expect("remove the FIFO");
    h.write(&format!("{DEST}/a.txt"), "1\n");
    mkfifo(&h, &format!("{DEST}/same.txt"));
    run_promptly(&h, &["update", DEST, "--defaults"]).success();
    assert_eq!(h.dest_file("a.txt"), "2\n");
    assert_eq!(project(&h).get("same.txt"), Some(&Snap::Special));
}

#[test]
fn a_fifo_in_place_of_the_answers_file_is_refused() {
    let h = Harness::new();
    project_with_a_fifo(&h);
    fs::remove_file(h.dest().join("a.txt")).expect("remove the FIFO");
    mkfifo(&h, &format!("{DEST}/{ANSWERS_FILE}"));
    refused_promptly(
        &h,
        &["update", DEST, "--defaults"],
        &fifo_error(&h, ANSWERS_FILE),
    );
    refused_promptly(&h, &["check", DEST], &fifo_error(&h, ANSWERS_FILE));
}

#[test]
fn a_fifo_named_by_external_data_is_refused() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "_external_data:\n  shared: shared.yml\nname: app\n",
        ),
        ("a.txt.hbs", "{{_external_data.shared.key}}\n"),
    ]);
    h.mkdir(DEST);
    mkfifo(&h, &format!("{DEST}/shared.yml"));
    refused_promptly(
        &h,
        &["copy", TEMPLATE, DEST, "--defaults"],
        &format!(
            "error: `_external_data` `shared` reads `{}`, which is a FIFO, not a regular file\n",
            h.dest().join("shared.yml").display()
        ),
    );
}

// --- graft's own `.rej` and `.graft-new` files never replace the person's.

/// A git project at v1.0.0 of a template whose `app.py` changes the port
/// in v2.0.0, and the project's own change of the same line: a conflict.
fn conflicting_port(h: &Harness) -> GitRepo {
    template(
        h,
        &[("app.py", "PORT = 8000\nDEBUG = False\n")],
        &[("app.py", "PORT = 8080\nDEBUG = False\n")],
        &[],
    );
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(
        &[("app.py", "PORT = 9000\nDEBUG = False\n")],
        &[],
        "our port",
    );
    project
}

/// The `.rej` file of [`conflicting_port`].
const PORT_REJ: &str =
    "--- after updating\n+++ before updating\n@@ -1 +1 @@\n-PORT = 8080\n+PORT = 9000\n";

#[test]
fn a_rej_file_of_the_project_is_never_overwritten() {
    let h = Harness::new();
    let mut project = conflicting_port(&h);
    project.commit(&[("app.py.rej", "my notes\n")], &[], "our own .rej");
    let run = h.update(&["--conflict", "rej"]).code(1);
    assert_eq!(h.dest_file("app.py.rej"), "my notes\n");
    assert_eq!(h.dest_file("app.py.1.rej"), PORT_REJ);
    assert_eq!(h.dest_file("app.py"), "PORT = 8080\nDEBUG = False\n");
    run.stderr_starts_with(
        "  conflict  app.py (`app.py.1.rej` written beside it, as `app.py.rej` already exists)\n",
    );
}

#[test]
fn the_json_report_names_the_file_written_beside_a_conflict() {
    let h = Harness::new();
    let mut project = conflicting_port(&h);
    project.commit(&[("app.py.rej", "my notes\n")], &[], "our own .rej");
    let run = h.update(&["--conflict", "rej", "--json"]).code(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(
        report["files"],
        serde_json::json!([
            {"path": "app.py", "action": "conflict", "extra_files": ["app.py.1.rej"]},
            {"path": ".graft-answers.yml", "action": "update"},
        ])
    );
    assert_eq!(h.dest_file("app.py.rej"), "my notes\n");
}

#[test]
fn a_graft_new_file_of_the_project_is_never_overwritten() {
    let h = Harness::new();
    template(
        &h,
        &[("logo.png", "PNG\0v1")],
        &[("logo.png", "PNG\0v2")],
        &[],
    );
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(
        &[("logo.png", "PNG\0ours"), ("logo.png.graft-new", "mine\n")],
        &[],
        "our logo",
    );
    let run = h.update(&[]).code(1);
    assert_eq!(h.dest_file("logo.png"), "PNG\0ours");
    assert_eq!(h.dest_file("logo.png.graft-new"), "mine\n");
    assert_eq!(h.dest_file("logo.png.1.graft-new"), "PNG\0v2");
    run.stderr_starts_with(
        "  conflict  logo.png (cannot merge; the template's version is in \
         `logo.png.1.graft-new`, as `logo.png.graft-new` already exists)\n",
    );
}

#[test]
fn a_fifo_or_a_folder_beside_a_conflict_makes_graft_take_the_next_free_name() {
    let h = Harness::new();
    conflicting_port(&h);
    mkfifo(&h, &format!("{DEST}/app.py.rej"));
    h.write(&format!("{DEST}/app.py.1.rej/inside.txt"), "ours\n");
    let run = run_promptly(&h, &["update", DEST, "--conflict", "rej", "--allow-dirty"]).code(1);
    assert_eq!(h.dest_file("app.py.2.rej"), PORT_REJ);
    assert_eq!(h.dest_file("app.py.1.rej/inside.txt"), "ours\n");
    assert_eq!(project(&h).get("app.py.rej"), Some(&Snap::Special));
    run.stderr_starts_with(
        "  conflict  app.py (`app.py.2.rej` written beside it, as `app.py.rej` already exists)\n",
    );
}

#[test]
fn a_rej_file_that_already_holds_what_graft_writes_keeps_its_name() {
    let h = Harness::new();
    let mut project = conflicting_port(&h);
    project.commit(&[("app.py.rej", PORT_REJ)], &[], "the same .rej");
    let run = h.update(&["--conflict", "rej"]).code(1);
    assert_eq!(h.dest_file("app.py.rej"), PORT_REJ);
    assert!(!h.dest().join("app.py.1.rej").exists());
    run.stderr_starts_with("  conflict  app.py\n");
}

// --- A folder of the template that becomes a file, and the other way round.

/// `template/` released as `v1.0.0` with `v1`, then, once the paths in
/// `gone` (files or folders) are removed, as `v2.0.0` with `v2`.
fn reshaped_template(
    h: &Harness,
    v1: &[(&str, &str)],
    gone: &[&str],
    v2: &[(&str, &str)],
) -> GitRepo {
    let mut repo = GitRepo::init(h, TEMPLATE);
    repo.release("v1.0.0", &[&[CONFIG], v1].concat(), &[]);
    for rel in gone {
        let path = h.path(&format!("{TEMPLATE}/{rel}"));
        if path.is_dir() {
            fs::remove_dir_all(&path).expect("remove folder");
        } else {
            fs::remove_file(&path).expect("remove file");
        }
    }
    repo.release("v2.0.0", v2, &[]);
    repo
}

/// A template whose folder `dir/` (`a.txt`, `sub/b.txt`) is the file
/// `dir` in v2.0.0, and a git project at v1.0.0.
fn folder_becomes_file(h: &Harness) -> GitRepo {
    reshaped_template(
        h,
        &[("dir/a.txt", "a\n"), ("dir/sub/b.txt", "b\n")],
        &["dir"],
        &[("dir", "now a file\n")],
    );
    h.copy_into_git(&AT_V1)
}

/// A template whose file `thing` is the folder `thing/` (`a.txt`,
/// `sub/b.txt`) in v2.0.0, and a git project at v1.0.0.
fn file_becomes_folder(h: &Harness) -> GitRepo {
    reshaped_template(
        h,
        &[("thing", "a file\n")],
        &["thing"],
        &[("thing/a.txt", "a\n"), ("thing/sub/b.txt", "b\n")],
    );
    h.copy_into_git(&AT_V1)
}

/// The project's answers file at v2.0.0.
fn answers_v2(h: &Harness) -> String {
    let t = GitRepo::open(h, TEMPLATE);
    answers_at(
        h,
        "v2.0.0",
        &sha_of(&t, "v2.0.0"),
        "_operation: update\nname: app\n",
    )
}

/// The paths of the project (its `.git` folder left out).
fn paths(h: &Harness) -> Vec<String> {
    project(h).into_keys().collect()
}

#[test]
fn a_folder_the_template_makes_a_file_is_replaced_when_unchanged() {
    let h = Harness::new();
    folder_becomes_file(&h);
    let run = h.update(&[]).success();
    assert_eq!(paths(&h), [ANSWERS_FILE, "dir"]);
    assert_eq!(h.dest_file("dir"), "now a file\n");
    assert_eq!(h.dest_file(ANSWERS_FILE), answers_v2(&h));
    assert_eq!(
        run.stderr,
        format!(
            "    delete  dir/a.txt\n\
             \x20   delete  dir/sub/b.txt\n\
             \x20   delete  dir/sub\n\
             \x20   delete  dir\n\
             \x20   create  dir (the template replaced this folder with a file)\n\
             \x20   update  .graft-answers.yml\n{}",
            summary(
                &h,
                "v1.0.0 to v2.0.0",
                "1 updated, 0 merged, 1 created, 4 deleted, 0 kept, 0 conflict(s)"
            )
        )
    );
}

#[test]
fn a_folder_the_template_makes_a_file_keeps_the_projects_files_in_a_conflict() {
    let h = Harness::new();
    let mut project = folder_becomes_file(&h);
    project.commit(
        &[("dir/a.txt", "a, edited\n"), ("dir/mine.txt", "mine\n")],
        &[],
        "our files",
    );
    let run = h.update(&[]).code(1);
    assert_eq!(
        paths(&h),
        [
            ANSWERS_FILE,
            "dir",
            "dir.graft-new",
            "dir/a.txt",
            "dir/mine.txt"
        ]
    );
    assert_eq!(h.dest_file("dir/a.txt"), "a, edited\n");
    assert_eq!(h.dest_file("dir/mine.txt"), "mine\n");
    assert_eq!(h.dest_file("dir.graft-new"), "now a file\n");
    assert_eq!(
        run.stderr,
        format!(
            "  conflict  dir (the template replaced this folder with a file; the folder holds \
             files of yours, so it stays, and the template's file is in `dir.graft-new`)\n\
             \x20     keep  dir/a.txt (removed by the template, kept because modified)\n\
             \x20   delete  dir/sub/b.txt\n\
             \x20   delete  dir/sub\n\
             \x20   update  .graft-answers.yml\n{}{RESOLVE}",
            summary(
                &h,
                "v1.0.0 to v2.0.0",
                "1 updated, 0 merged, 0 created, 2 deleted, 1 kept, 1 conflict(s)"
            )
        )
    );
}

#[test]
fn a_file_the_template_makes_a_folder_is_replaced_when_unchanged() {
    let h = Harness::new();
    file_becomes_folder(&h);
    let run = h.update(&[]).success();
    assert_eq!(
        paths(&h),
        [
            ANSWERS_FILE,
            "thing",
            "thing/a.txt",
            "thing/sub",
            "thing/sub/b.txt"
        ]
    );
    assert_eq!(h.dest_file("thing/a.txt"), "a\n");
    assert_eq!(h.dest_file("thing/sub/b.txt"), "b\n");
    assert_eq!(
        run.stderr,
        format!(
            "    delete  thing (the template replaced this file with a folder)\n\
             \x20   create  thing/a.txt\n\
             \x20   create  thing/sub/b.txt\n\
             \x20   update  .graft-answers.yml\n{}",
            summary(
                &h,
                "v1.0.0 to v2.0.0",
                "1 updated, 0 merged, 2 created, 1 deleted, 0 kept, 0 conflict(s)"
            )
        )
    );
}

#[test]
fn a_file_the_template_makes_a_folder_stays_when_edited_and_the_folder_goes_beside_it() {
    let h = Harness::new();
    let mut project = file_becomes_folder(&h);
    project.commit(&[("thing", "a file, edited\n")], &[], "our edit");
    let run = h.update(&[]).code(1);
    assert_eq!(
        paths(&h),
        [
            ANSWERS_FILE,
            "thing",
            "thing.graft-new",
            "thing.graft-new/a.txt",
            "thing.graft-new/sub",
            "thing.graft-new/sub/b.txt"
        ]
    );
    assert_eq!(h.dest_file("thing"), "a file, edited\n");
    assert_eq!(h.dest_file("thing.graft-new/a.txt"), "a\n");
    assert_eq!(h.dest_file("thing.graft-new/sub/b.txt"), "b\n");
    assert_eq!(
        run.stderr,
        format!(
            "  conflict  thing (the template replaced this file with a folder; your file stays, \
             and the template's files are in `thing.graft-new/`)\n\
             \x20   update  .graft-answers.yml\n{}{RESOLVE}",
            summary(
                &h,
                "v1.0.0 to v2.0.0",
                "1 updated, 0 merged, 0 created, 0 deleted, 0 kept, 1 conflict(s)"
            )
        )
    );
}

#[test]
fn a_file_of_the_project_where_the_template_adds_a_folder_is_a_conflict() {
    let h = Harness::new();
    template(&h, &[], &[("notes/a.md", "a\n")], &[]);
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(&[("notes", "my notes\n")], &[], "our notes");
    let run = h.update(&[]).code(1);
    assert_eq!(h.dest_file("notes"), "my notes\n");
    assert_eq!(h.dest_file("notes.graft-new/a.md"), "a\n");
    run.stderr_starts_with(
        "  conflict  notes (the template added a folder here; your file stays, \
         and the template's files are in `notes.graft-new/`)\n",
    );
}

#[test]
fn a_folder_of_the_project_where_the_template_adds_a_file_is_a_conflict() {
    let h = Harness::new();
    template(&h, &[], &[("build", "#!/bin/sh\n")], &[]);
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(&[("build/out.o", "mine\n")], &[], "our build folder");
    let run = h.update(&[]).code(1);
    assert_eq!(h.dest_file("build/out.o"), "mine\n");
    assert_eq!(h.dest_file("build.graft-new"), "#!/bin/sh\n");
    run.stderr_starts_with(
        "  conflict  build (cannot merge; the template's version is in `build.graft-new`)\n",
    );
}

#[test]
fn a_failure_while_a_folder_becomes_a_file_restores_the_folder() {
    let h = Harness::new();
    folder_becomes_file(&h);
    let before = project(&h);
    for writes in 0..6 {
        let mut cmd = h.graft(["update", DEST]);
        cmd.env("GRAFT_FAIL_AFTER_WRITES", writes.to_string());
        let run = Run::of(cmd).code(2);
        assert!(
            run.stderr.contains("injected failure"),
            "after {writes} writes: {}",
            run.stderr
        );
        assert_eq!(project(&h), before, "after {writes} writes");
    }
    h.update(&[]).success();
    assert_eq!(h.dest_file("dir"), "now a file\n");
}
