//! `graft update` (SPEC §6) on real template repositories with tagged
//! releases: the three-way table, conflicts in files and in git's index,
//! the project's own git work tree, and refusals that change nothing.
//! Recopy, the journal and the README's worked conflict have modules of
//! their own.

use crate::harness::{
    files, read, read_tree, GitRepo, Harness, Snap, ANSWERS_FILE, ANSWERS_HEADER, DEST, TEMPLATE,
};

pub(crate) const CONFIG: (&str, &str) = ("graft.yml", "name: app\n");

/// Copy flags for a project at the first release.
pub(crate) const AT_V1: [&str; 3] = ["--defaults", "--vcs-ref", "v1.0.0"];

/// The last line of an update that left conflicts in a git project.
fn resolve(how: &str) -> String {
    format!("resolve the conflicts, then commit; `git status` lists them as {how}\n")
}

/// `template/` released as `v1.0.0` (`graft.yml` and `v1`) and `v2.0.0`
/// (`v2` written over it, `gone` deleted).
pub(crate) fn template(
    h: &Harness,
    v1: &[(&str, &str)],
    v2: &[(&str, &str)],
    gone: &[&str],
) -> GitRepo {
    let mut repo = GitRepo::init(h, TEMPLATE);
    repo.release("v1.0.0", &[&[CONFIG], v1].concat(), &[]);
    repo.release("v2.0.0", v2, gone);
    repo
}

/// A template whose one file `path` holds `old` at v1.0.0 and `new` at v2.0.0.
fn one_file_template(h: &Harness, path: &str, old: &str, new: &str) -> GitRepo {
    template(h, &[(path, old)], &[(path, new)], &[])
}

/// The three sides of an update of one file: `path` holds `old` at v1.0.0
/// and `new` at v2.0.0, and a git project copied at v1.0.0 committed
/// `ours` there.
pub(crate) fn one_file(h: &Harness, path: &str, old: &str, new: &str, ours: &str) -> GitRepo {
    one_file_template(h, path, old, new);
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(&[(path, ours)], &[], "the project's edit");
    project
}

/// The blank line and summary an update of the harness template prints.
fn summary(h: &Harness, versions: &str, counts: &str) -> String {
    format!("\nupdated {} from {versions}: {counts}\n", h.template_src())
}

/// The inline conflict `git merge-file` writes for one conflicting region.
fn markers(ours: &str, theirs: &str) -> String {
    format!("<<<<<<< before updating\n{ours}=======\n{theirs}>>>>>>> after updating\n")
}

/// The answers file of the harness template at `commit` (its sha `sha`).
fn answers_at(h: &Harness, commit: &str, sha: &str, answers: &str) -> String {
    format!(
        "{ANSWERS_HEADER}_src_path: {}\n_commit: {commit}\n_commit_sha: {sha}\n{answers}",
        h.template_src()
    )
}

/// The commit a tag points at.
fn sha_of(repo: &GitRepo, tag: &str) -> String {
    repo.git(&["rev-parse", &format!("{tag}^{{commit}}")])
        .trim()
        .to_string()
}

/// One row of the SPEC §6 table as a file: its text in the old render,
/// the new render, the project before the update and after it.
struct Row {
    path: &'static str,
    old: Option<&'static str>,
    new: Option<&'static str>,
    project: Option<&'static str>,
    after: Option<String>,
}

fn row(
    path: &'static str,
    old: Option<&'static str>,
    new: Option<&'static str>,
    project: Option<&'static str>,
    after: Option<&str>,
) -> Row {
    Row {
        path,
        old,
        new,
        project,
        after: after.map(str::to_string),
    }
}

/// The `(path, text)` pairs of the rows where `side` has the file.
fn side<'a>(rows: &'a [Row], side: impl Fn(&'a Row) -> Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    rows.iter()
        .filter_map(|r| side(r).map(|text| (r.path, text)))
        .collect()
}

#[test]
fn every_row_of_the_update_table() {
    let rows = [
        // a a any: untouched
        row(
            "untouched.txt",
            Some("u\n"),
            Some("u\n"),
            Some("mine\n"),
            Some("mine\n"),
        ),
        // a b a: write b
        row(
            "write_b.txt",
            Some("w1\n"),
            Some("w2\n"),
            Some("w1\n"),
            Some("w2\n"),
        ),
        // a b b: nothing
        row(
            "same_b.txt",
            Some("s1\n"),
            Some("s2\n"),
            Some("s2\n"),
            Some("s2\n"),
        ),
        // a b c: a clean three-way merge
        row(
            "merge.txt",
            Some("1\n2\n3\n4\n5\n"),
            Some("1\n2\n3\n4\nfive\n"),
            Some("one\n2\n3\n4\n5\n"),
            Some("one\n2\n3\n4\nfive\n"),
        ),
        // a b c: a conflict
        row(
            "conflict.txt",
            Some("x = 1\n"),
            Some("x = 2\n"),
            Some("x = 3\n"),
            Some(&markers("x = 3\n", "x = 2\n")),
        ),
        // a b -: stays deleted
        row("deleted.txt", Some("d1\n"), Some("d2\n"), None, None),
        // a - a: delete
        row(
            "dropped.txt",
            Some("dropped\n"),
            None,
            Some("dropped\n"),
            None,
        ),
        // a - c: kept because modified
        row(
            "dropped_edited.txt",
            Some("dropped edited\n"),
            None,
            Some("edited by the project\n"),
            Some("edited by the project\n"),
        ),
        // - b -: create
        row("new.txt", None, Some("new\n"), None, Some("new\n")),
        // - b b: nothing
        row(
            "new_same.txt",
            None,
            Some("same\n"),
            Some("same\n"),
            Some("same\n"),
        ),
        // - b c: a conflict against an empty base, never an overwrite
        row(
            "both_added.txt",
            None,
            Some("template's\n"),
            Some("project's own\n"),
            Some(&markers("project's own\n", "template's\n")),
        ),
    ];
    let h = Harness::new();
    let gone: Vec<&str> = rows
        .iter()
        .filter(|r| r.old.is_some() && r.new.is_none())
        .map(|r| r.path)
        .collect();
    let t = template(&h, &side(&rows, |r| r.old), &side(&rows, |r| r.new), &gone);
    let mut project = h.copy_into_git(&AT_V1);
    let deleted: Vec<&str> = rows
        .iter()
        .filter(|r| r.old.is_some() && r.project.is_none())
        .map(|r| r.path)
        .collect();
    project.commit(&side(&rows, |r| r.project), &deleted, "the project's edits");

    let run = h.update(&[]).code(1);

    let answers = answers_at(
        &h,
        "v2.0.0",
        &sha_of(&t, "v2.0.0"),
        "_operation: update\nname: app\n",
    );
    let mut want = side(&rows, |r| r.after.as_deref());
    want.push((ANSWERS_FILE, &answers));
    assert_eq!(h.project_files(), files(&want));
    assert_eq!(
        run.stderr,
        format!(
            "  conflict  both_added.txt (added by both the template and the project)\n\
             \x20 conflict  conflict.txt\n\
             \x20     keep  deleted.txt (deleted in the project; stays deleted)\n\
             \x20   delete  dropped.txt\n\
             \x20     keep  dropped_edited.txt (removed by the template, kept because modified)\n\
             \x20    merge  merge.txt\n\
             \x20   create  new.txt\n\
             \x20   update  write_b.txt\n\
             \x20   update  .graft-answers.yml\n{}{}",
            summary(
                &h,
                "v1.0.0 to v2.0.0",
                "2 updated, 1 merged, 1 created, 1 deleted, 2 kept, 2 conflict(s)"
            ),
            resolve("both modified or both added")
        )
    );
    assert_eq!(
        project.status(),
        " M .graft-answers.yml\n\
         AA both_added.txt\n\
         UU conflict.txt\n \
         D dropped.txt\n \
         M merge.txt\n \
         M write_b.txt\n\
         ?? new.txt\n"
    );
}

/// git's own merge records a file both sides added without a base, so
/// `git status` shows it as `AA`, "both added"; graft records and names it
/// the same way.
#[test]
fn a_file_both_added_is_a_conflict_git_lists_as_both_added() {
    let h = Harness::new();
    template(&h, &[], &[("new.txt", "template's\n")], &[]);
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(&[("new.txt", "project's own\n")], &[], "our file");
    let run = h.update(&[]).code(1);
    assert_eq!(
        run.stderr,
        format!(
            "  conflict  new.txt (added by both the template and the project)\n\
             \x20   update  .graft-answers.yml\n{}{}",
            summary(
                &h,
                "v1.0.0 to v2.0.0",
                "1 updated, 0 merged, 0 created, 0 deleted, 0 kept, 1 conflict(s)"
            ),
            resolve("both added")
        )
    );
    assert_eq!(project.status(), " M .graft-answers.yml\nAA new.txt\n");
    let stages = project.git(&["ls-files", "--stage", "new.txt"]);
    assert_eq!(
        stages.lines().map(|l| &l[48..]).collect::<Vec<_>>(),
        ["2\tnew.txt", "3\tnew.txt"]
    );
}

#[test]
fn a_file_both_modified_is_a_conflict_git_lists_as_both_modified() {
    let h = Harness::new();
    one_file(
        &h,
        "app.py",
        "PORT = 8000\n",
        "PORT = 8080\n",
        "PORT = 9000\n",
    );
    let run = h.update(&[]).code(1);
    assert!(
        run.stderr.ends_with(&resolve("both modified")),
        "{}",
        run.stderr
    );
}

#[test]
fn conflicts_in_a_project_outside_git_are_not_said_to_be_in_git_status() {
    let h = Harness::new();
    one_file_template(&h, "app.py", "PORT = 8000\n", "PORT = 8080\n");
    h.copy(&AT_V1).success();
    h.write("dest/app.py", "PORT = 9000\n");
    let run = h.update(&[]).code(1);
    assert!(
        run.stderr
            .ends_with(" 1 conflict(s)\nresolve the conflicts\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn second_update_is_a_no_op_with_a_clean_work_tree() {
    let h = Harness::new();
    template(
        &h,
        &[("a.txt", "1\n")],
        &[("a.txt", "2\n"), ("b.txt", "b\n")],
        &[],
    );
    let mut project = h.copy_into_git(&AT_V1);
    h.update(&[]).success();
    project.commit(&[], &[], "update from the template");
    let before = h.project_tree();

    let run = h.update(&[]).success();
    assert_eq!(
        run.stderr,
        summary(
            &h,
            "v2.0.0 to v2.0.0",
            "0 updated, 0 merged, 0 created, 0 deleted, 0 kept, 0 conflict(s)"
        )
    );
    assert_eq!(h.project_tree(), before);
    assert_eq!(project.status(), "");
}

#[test]
fn a_file_the_project_deleted_stays_deleted() {
    let h = Harness::new();
    one_file_template(&h, "docs.md", "v1\n", "v2\n");
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(&[], &["docs.md"], "we do not want docs");
    let run = h.update(&[]).success();
    run.stderr_starts_with("      keep  docs.md (deleted in the project; stays deleted)\n");
    assert!(!h.dest().join("docs.md").exists());
    assert_eq!(project.status(), " M .graft-answers.yml\n");
}

#[test]
fn a_modified_file_the_template_dropped_is_kept_and_reported() {
    let h = Harness::new();
    template(&h, &[("setup.cfg", "[metadata]\n")], &[], &["setup.cfg"]);
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(&[("setup.cfg", "[metadata]\nname = shop\n")], &[], "edit");
    let run = h.update(&[]).success();
    assert_eq!(
        run.stderr,
        format!(
            "      keep  setup.cfg (removed by the template, kept because modified)\n\
             \x20   update  .graft-answers.yml\n{}",
            summary(
                &h,
                "v1.0.0 to v2.0.0",
                "1 updated, 0 merged, 0 created, 0 deleted, 1 kept, 0 conflict(s)"
            )
        )
    );
    assert_eq!(h.dest_file("setup.cfg"), "[metadata]\nname = shop\n");
}

#[test]
fn skip_if_exists_file_is_kept_when_present_and_recreated_when_missing() {
    let h = Harness::new();
    let config = (
        "graft.yml",
        "name: app\n_skip_if_exists: [.env, local.ini]\n",
    );
    let mut t = GitRepo::init(&h, TEMPLATE);
    t.release(
        "v1.0.0",
        &[config, (".env", "A=1\n"), ("local.ini", "x=1\n")],
        &[],
    );
    t.release("v2.0.0", &[(".env", "A=2\n"), ("local.ini", "x=2\n")], &[]);
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(&[(".env", "A=secret\n")], &["local.ini"], "local settings");
    let run = h.update(&[]).success();
    run.stderr_starts_with("      skip  .env\n    create  local.ini\n");
    assert_eq!(h.dest_file(".env"), "A=secret\n");
    assert_eq!(h.dest_file("local.ini"), "x=2\n");
}

#[test]
fn both_added_file_is_a_conflict_against_an_empty_base() {
    let h = Harness::new();
    template(&h, &[], &[("Makefile", "test:\n\tpytest\n")], &[]);
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(
        &[("Makefile", "build:\n\tcargo build\n")],
        &[],
        "our Makefile",
    );
    let run = h.update(&[]).code(1);
    assert_eq!(
        h.dest_file("Makefile"),
        "<<<<<<< before updating\nbuild:\n\tcargo build\n=======\ntest:\n\tpytest\n>>>>>>> after updating\n"
    );
    run.stderr_starts_with("  conflict  Makefile (added by both the template and the project)\n");
}

#[test]
fn rename_in_the_template_carries_the_project_edits() {
    let h = Harness::new();
    let old = "import os\n\ndef main():\n    port = 8000\n    run(port)\n\nif __name__ == '__main__':\n    main()\n";
    let new = "import os\nimport sys\n\ndef main():\n    port = 8000\n    run(port)\n\nif __name__ == '__main__':\n    main()\n";
    template(
        &h,
        &[("a/old.py", old)],
        &[("b/new.py", new)],
        &["a/old.py"],
    );
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(
        &[("a/old.py", &old.replace("8000", "9000"))],
        &[],
        "our port",
    );
    let run = h.update(&[]).success();
    assert_eq!(h.dest_file("b/new.py"), new.replace("8000", "9000"));
    assert_eq!(
        run.stderr,
        format!(
            "    delete  a/old.py (renamed by the template)\n\
             \x20    merge  b/new.py (renamed from `a/old.py` by the template; your edits were carried over)\n\
             \x20   delete  a\n\
             \x20   update  .graft-answers.yml\n{}",
            summary(
                &h,
                "v1.0.0 to v2.0.0",
                "1 updated, 1 merged, 0 created, 2 deleted, 0 kept, 0 conflict(s)"
            )
        )
    );
    // The old path is gone, folder and all.
    assert_eq!(
        h.project_tree()
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        [ANSWERS_FILE, "b", "b/new.py"]
    );
}

#[test]
fn a_folder_the_template_dropped_goes_only_when_the_update_leaves_it_empty() {
    let h = Harness::new();
    template(
        &h,
        &[("old/a.txt", "a\n"), ("docs/guide.md", "guide\n")],
        &[],
        &["old/a.txt", "docs/guide.md"],
    );
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(&[("docs/own.md", "ours\n")], &[], "our own docs");
    let run = h.update(&[]).success();
    assert_eq!(
        h.project_tree()
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        [ANSWERS_FILE, "docs", "docs/own.md"]
    );
    run.stderr_starts_with("    delete  docs/guide.md\n    delete  old/a.txt\n    delete  old\n");
}

#[test]
fn files_the_template_did_not_change_follow_its_other_changes() {
    // Each file below is byte for byte the same in v1.0.0 and v2.0.0; only
    // what surrounds it changed.
    let h = Harness::new();
    let mut t = GitRepo::init(&h, TEMPLATE);
    t.release(
        "v1.0.0",
        &[
            ("graft.yml", "name: app\n_exclude: [extra.txt]\n"),
            ("extra.txt", "excluded until v2\n"),
            ("notes.txt", "plain notes\n"),
            ("same.txt", "same\n"),
        ],
        &[],
    );
    t.release(
        "v2.0.0",
        &[
            ("graft.yml", "name: app\n"),
            ("notes.txt.hbs", "notes of {{name}}\n"),
        ],
        &[],
    );
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(&[("same.txt", "same, edited\n")], &[], "our edit");

    h.update(&[]).success();
    assert_eq!(
        h.project_files(),
        files(&[
            (
                ANSWERS_FILE,
                &answers_at(
                    &h,
                    "v2.0.0",
                    &sha_of(&t, "v2.0.0"),
                    "_operation: update\nname: app\n",
                ),
            ),
            ("extra.txt", "excluded until v2\n"),
            ("notes.txt", "notes of app\n"),
            ("same.txt", "same, edited\n"),
        ])
    );
}

#[test]
fn a_new_file_rendered_onto_an_unchanged_one_is_a_collision() {
    let h = Harness::new();
    template(
        &h,
        &[("app.txt", "plain\n")],
        &[("{{name}}.txt", "rendered\n")],
        &[],
    );
    let project = h.copy_into_git(&AT_V1);
    let before = h.project_tree();
    let status = project.status();

    let update = h.update(&[]).code(2);
    assert_eq!(h.project_tree(), before);
    assert_eq!(project.status(), status);
    // The error a full render of v2.0.0 gives.
    let copy = h
        .run(&["copy", &h.template_src(), "fresh", "--defaults"])
        .code(2);
    assert_eq!(update.stderr, copy.stderr);
    assert!(update.stderr.starts_with("error: "), "{}", update.stderr);
}

#[test]
fn executable_bit_follows_the_template_unless_the_project_changed_it() {
    let h = Harness::new();
    let mut t = GitRepo::init(&h, TEMPLATE);
    t.commit(
        &[
            CONFIG,
            ("run.sh", "#!/bin/sh\nrun\n"),
            ("tool.sh", "#!/bin/sh\ntool\n"),
        ],
        &[],
        "v1",
    );
    h.set_executable("template/tool.sh", true);
    t.release("v1.0.0", &[], &[]);
    h.set_executable("template/run.sh", true);
    t.release("v2.0.0", &[("tool.sh", "#!/bin/sh\ntool --v2\n")], &[]);
    let mut project = h.copy_into_git(&AT_V1);
    h.set_executable("dest/tool.sh", false);
    project.commit(&[], &[], "tool.sh is not for running");

    let run = h.update(&[]).success();
    let tree = h.project_tree();
    assert_eq!(
        tree["run.sh"],
        Snap::Text {
            text: "#!/bin/sh\nrun\n".into(),
            executable: true
        }
    );
    assert_eq!(
        tree["tool.sh"],
        Snap::Text {
            text: "#!/bin/sh\ntool --v2\n".into(),
            executable: false
        }
    );
    run.stderr_starts_with("    update  run.sh\n    update  tool.sh\n");
}

#[test]
fn changing_an_answer_at_the_current_version_removes_a_conditional_file() {
    let h = Harness::new();
    let mut t = GitRepo::init(&h, TEMPLATE);
    let sha = t.release(
        "v1.0.0",
        &[
            ("graft.yml", "name: app\ndocker: true\n"),
            ("{{when docker 'Dockerfile'}}.hbs", "FROM python\n"),
        ],
        &[],
    );
    let project = h.copy_into_git(&["--defaults"]);
    let run = h
        .update(&["--vcs-ref", ":current:", "-d", "docker=false"])
        .success();
    assert_eq!(
        run.stderr,
        format!(
            "    delete  Dockerfile\n    update  .graft-answers.yml\n{}",
            summary(
                &h,
                "v1.0.0 to v1.0.0",
                "1 updated, 0 merged, 0 created, 1 deleted, 0 kept, 0 conflict(s)"
            )
        )
    );
    assert_eq!(
        h.project_files(),
        files(&[(
            ANSWERS_FILE,
            &answers_at(
                &h,
                "v1.0.0",
                &sha,
                "_operation: update\nname: app\ndocker: false\n"
            )
        )])
    );
    assert_eq!(project.status(), " M .graft-answers.yml\n D Dockerfile\n");
}

#[test]
fn a_question_new_in_the_target_version_is_asked() {
    let h = Harness::new();
    let t = template(
        &h,
        &[],
        &[
            ("graft.yml", "name: app\nlicense: MIT\n"),
            ("LICENSE.hbs", "{{license}} license of {{name}}\n"),
        ],
        &[],
    );
    h.copy_into_git(&["--defaults", "--vcs-ref", "v1.0.0", "-d", "name=shop"]);
    let before = h.project_tree();

    let run = h.update(&[]).code(2);
    assert_eq!(
        run.stderr,
        "error: no answer for question `license` and no terminal to ask on\n\
         hint: pass `--data license=VALUE`, put it in a `--data-file`, or use `--defaults` to take its default\n"
    );
    assert_eq!(h.project_tree(), before);

    h.update(&["--defaults"]).success();
    assert_eq!(h.dest_file("LICENSE"), "MIT license of shop\n");
    assert_eq!(
        h.dest_file(ANSWERS_FILE),
        answers_at(
            &h,
            "v2.0.0",
            &sha_of(&t, "v2.0.0"),
            "_operation: update\nname: shop\nlicense: MIT\n"
        )
    );
}

#[test]
fn update_from_a_tag_to_head() {
    let h = Harness::new();
    let mut t = one_file_template(&h, "a.txt", "1\n", "2\n");
    let head = t.commit(&[("a.txt", "3\n")], &[], "unreleased");
    h.copy_into_git(&AT_V1);
    let run = h.update(&["--vcs-ref", "HEAD"]).success();
    assert_eq!(h.dest_file("a.txt"), "3\n");
    let describe = t.describe(&head);
    assert_eq!(describe, format!("v2.0.0-1-g{}", &head[..7]));
    assert_eq!(
        h.dest_file(ANSWERS_FILE),
        answers_at(&h, &describe, &head, "_operation: update\nname: app\n")
    );
    assert!(
        run.stderr.ends_with(&summary(
            &h,
            &format!("v1.0.0 to {describe}"),
            "2 updated, 0 merged, 0 created, 0 deleted, 0 kept, 0 conflict(s)"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn project_in_a_subfolder_of_a_larger_repository() {
    let h = Harness::new();
    one_file_template(&h, "app.py", "PORT = 1\n", "PORT = 2\n");
    let mut mono = GitRepo::init(&h, "mono");
    mono.commit(&[("README.md", "monorepo\n")], &[], "start");
    h.run(&[
        "copy",
        TEMPLATE,
        "mono/services/api",
        "--defaults",
        "--vcs-ref",
        "v1.0.0",
    ])
    .success();
    mono.commit(&[("services/api/app.py", "PORT = 3\n")], &[], "add the api");
    // Uncommitted work elsewhere in the repository does not count.
    h.write("mono/README.md", "monorepo, being edited\n");

    h.run(&["update", "mono/services/api"]).code(1);
    assert_eq!(
        read(&h.path("mono/services/api/app.py")),
        markers("PORT = 3\n", "PORT = 2\n")
    );
    assert_eq!(
        mono.status(),
        " M README.md\n M services/api/.graft-answers.yml\nUU services/api/app.py\n"
    );
}

#[test]
fn non_ascii_paths_and_contents() {
    let h = Harness::new();
    template(
        &h,
        &[
            ("ünïcødé/файл.txt", "привет\n—\nмир\n"),
            ("ünïcødé/конфликт.txt", "ключ = 1\n"),
        ],
        &[
            ("ünïcødé/файл.txt", "привет\n—\nвесь мир\n"),
            ("ünïcødé/конфликт.txt", "ключ = 2\n"),
        ],
        &[],
    );
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(
        &[
            ("ünïcødé/файл.txt", "здравствуй\n—\nмир\n"),
            ("ünïcødé/конфликт.txt", "ключ = 3\n"),
        ],
        &[],
        "правки",
    );
    let run = h.update(&[]).code(1);
    assert_eq!(h.dest_file("ünïcødé/файл.txt"), "здравствуй\n—\nвесь мир\n");
    assert_eq!(
        h.dest_file("ünïcødé/конфликт.txt"),
        markers("ключ = 3\n", "ключ = 2\n")
    );
    run.stderr_starts_with("  conflict  ünïcødé/конфликт.txt\n     merge  ünïcødé/файл.txt\n");
    assert_eq!(
        project.status(),
        " M .graft-answers.yml\nUU ünïcødé/конфликт.txt\n M ünïcødé/файл.txt\n"
    );
}

#[test]
fn conflicted_file_is_unmerged_in_git_with_all_three_sides() {
    let h = Harness::new();
    let mut project = one_file(&h, "app.py", "PORT = 1\n", "PORT = 2\n", "PORT = 3\n");
    h.update(&[]).code(1);
    assert_eq!(project.status(), " M .graft-answers.yml\nUU app.py\n");
    assert_eq!(project.git(&["show", ":1:app.py"]), "PORT = 1\n");
    assert_eq!(project.git(&["show", ":2:app.py"]), "PORT = 3\n");
    assert_eq!(project.git(&["show", ":3:app.py"]), "PORT = 2\n");
    // Resolving works as after any git merge.
    h.write("dest/app.py", "PORT = 4\n");
    project.git(&["add", "app.py"]);
    project.commit(&[], &[], "resolve");
    assert_eq!(project.status(), "");
}

#[test]
fn a_project_that_is_not_a_git_repository_is_updated() {
    let h = Harness::new();
    one_file_template(&h, "a.txt", "1\n2\n3\n4\n5\n", "1\n2\n3\n4\nfive\n");
    h.copy(&AT_V1).success();
    h.write("dest/a.txt", "one\n2\n3\n4\n5\n");
    h.update(&[]).success();
    assert_eq!(h.dest_file("a.txt"), "one\n2\n3\n4\nfive\n");
    assert!(!h.dest().join(".git").exists());
}

#[test]
fn dirty_work_tree_is_refused_and_allow_dirty_proceeds() {
    let h = Harness::new();
    one_file_template(&h, "a.txt", "1\n2\n3\n4\n5\n", "1\n2\n3\n4\nfive\n");
    let project = h.copy_into_git(&AT_V1);
    h.write("dest/a.txt", "one\n2\n3\n4\n5\n");
    h.write("dest/notes.txt", "todo\n");
    let before = h.project_tree();
    let status = project.status();

    let run = h.update(&[]).code(2);
    assert_eq!(
        run.stderr,
        "error: `dest` has uncommitted changes: `a.txt`, `notes.txt`\n\
         hint: commit or stash your changes first so the update is easy to review, or pass `--allow-dirty`\n"
    );
    assert_eq!(h.project_tree(), before);
    assert_eq!(project.status(), status);

    h.update(&["--allow-dirty"]).success();
    assert_eq!(h.dest_file("a.txt"), "one\n2\n3\n4\nfive\n");
    assert_eq!(h.dest_file("notes.txt"), "todo\n");
}

/// A template and a git project at v1.0.0 whose update writes five times
/// and ends clean: it updates `update.txt`, merges `merge.txt`, deletes
/// `gone.txt`, creates `new/dir/file.txt` and rewrites the answers file.
pub(crate) fn five_write_update(h: &Harness) -> GitRepo {
    template(
        h,
        &[
            ("update.txt", "u1\n"),
            ("merge.txt", "1\n2\n3\n4\n5\n"),
            ("gone.txt", "gone\n"),
        ],
        &[
            ("update.txt", "u2\n"),
            ("merge.txt", "1\n2\n3\n4\nfive\n"),
            ("new/dir/file.txt", "new\n"),
        ],
        &["gone.txt"],
    );
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(&[("merge.txt", "one\n2\n3\n4\n5\n")], &[], "our edit");
    project
}

#[test]
fn pretend_writes_nothing_and_with_diff_prints_the_diff() {
    let h = Harness::new();
    five_write_update(&h);
    let before = read_tree(&h.dest());

    let run = h.update(&["--pretend"]).success();
    assert_eq!(read_tree(&h.dest()), before);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "    delete  gone.txt\n     merge  merge.txt\n    create  new/dir/file.txt\n\
             \x20   update  update.txt\n    update  .graft-answers.yml\n\
             pretend: nothing was written\n{}",
            summary(
                &h,
                "v1.0.0 to v2.0.0",
                "2 updated, 1 merged, 1 created, 1 deleted, 0 kept, 0 conflict(s)"
            )
            .replace("updated ", "would update ")
        )
    );

    let run = h.update(&["--pretend", "--diff"]).success();
    assert_eq!(read_tree(&h.dest()), before);
    let answers = read(&h.dest().join(ANSWERS_FILE));
    let answers_diff = format!(
        "--- a/.graft-answers.yml\n+++ b/.graft-answers.yml\n@@ -1,5 +1,6 @@\n \
         {}\n \
         {}\n\
         -_commit: v1.0.0\n\
         -{}\n\
         +_commit: v2.0.0\n\
         +_commit_sha: {}\n\
         +_operation: update\n \
         name: app\n",
        answers.lines().next().unwrap(),
        answers.lines().nth(1).unwrap(),
        answers.lines().nth(3).unwrap(),
        sha_of(&GitRepo::open(&h, TEMPLATE), "v2.0.0"),
    );
    assert_eq!(
        run.stdout,
        format!(
            "--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n\
             --- a/merge.txt\n+++ b/merge.txt\n@@ -2,4 +2,4 @@\n 2\n 3\n 4\n-5\n+five\n\
             --- /dev/null\n+++ b/new/dir/file.txt\n@@ -0,0 +1 @@\n+new\n\
             --- a/update.txt\n+++ b/update.txt\n@@ -1 +1 @@\n-u1\n+u2\n\
             {answers_diff}"
        )
    );
}

#[test]
fn a_dirty_work_tree_is_reported_before_a_broken_template() {
    let h = Harness::new();
    template(&h, &[("a.txt", "1\n")], &[("graft.yml", "name: [\n")], &[]);
    h.copy_into_git(&AT_V1);
    h.write("dest/a.txt", "mine\n");
    let before = h.project_tree();

    let run = h.update(&[]).code(2);
    assert_eq!(
        run.stderr,
        "error: `dest` has uncommitted changes: `a.txt`\n\
         hint: commit or stash your changes first so the update is easy to review, or pass `--allow-dirty`\n"
    );
    assert_eq!(h.project_tree(), before);
    let run = h.update(&["--allow-dirty"]).code(2);
    assert!(
        run.stderr.starts_with("error: graft.yml:1: "),
        "{}",
        run.stderr
    );
    assert_eq!(h.project_tree(), before);
}

#[test]
fn downgrade_is_refused() {
    let h = Harness::new();
    one_file_template(&h, "a.txt", "1\n", "2\n");
    h.copy_into_git(&["--defaults"]);
    let before = read_tree(&h.dest());
    let run = h.update(&["--vcs-ref", "v1.0.0"]).code(2);
    assert_eq!(
        run.stderr,
        "error: refusing to downgrade from `v2.0.0` to `v1.0.0`\n\
         hint: pick a newer version with `--vcs-ref`\n"
    );
    assert_eq!(read_tree(&h.dest()), before);
}

#[test]
fn recorded_version_gone_from_the_template_names_it_and_suggests_recopy() {
    let h = Harness::new();
    let mut t = one_file_template(&h, "a.txt", "1\n", "2\n");
    let v1 = sha_of(&t, "v1.0.0");
    h.copy_into_git(&AT_V1);
    // The template's history is squashed: v1.0.0 and its commit are gone.
    t.git(&["tag", "-d", "v1.0.0"]);
    t.git(&["checkout", "-q", "--orphan", "squashed"]);
    let squashed = t.commit(&[], &[], "squash the history");
    t.git(&["branch", "-D", "main"]);
    t.git(&["branch", "-m", "main"]);
    t.git(&["tag", "-f", "-a", "v2.0.0", "-m", "v2.0.0"]);
    t.git(&["reflog", "expire", "--expire=now", "--all"]);
    t.git(&["gc", "-q", "--prune=now"]);
    assert!(!t.git(&["rev-list", "--all"]).contains(&v1));
    let before = read_tree(&h.dest());

    let run = h.update(&[]).code(2);
    let src = h.template_src();
    assert_eq!(
        run.stderr,
        format!(
            "error: cannot render the recorded version `v1.0.0 ({v1})` of `{src}`\n\
             caused by: unknown ref `{v1}` in `{src}`\n\
             hint: the tag or commit is gone from the template; \
             `graft recopy --vcs-ref REF` renders a version from scratch over the project\n"
        )
    );
    assert_eq!(read_tree(&h.dest()), before);

    // What the hint says works.
    h.run(&["recopy", DEST, "--vcs-ref", "v2.0.0", "--overwrite"])
        .success();
    assert_eq!(h.dest_file("a.txt"), "2\n");
    assert_eq!(
        h.dest_file(ANSWERS_FILE),
        answers_at(&h, "v2.0.0", &squashed, "_operation: recopy\nname: app\n")
    );
}

#[test]
fn update_messages_are_rendered_with_the_answers_of_their_side() {
    let h = Harness::new();
    template(
        &h,
        &[("a.txt", "1\n")],
        &[
            (
                "graft.yml",
                "name: app\n_message_before_update: 'leaving {{_graft.commit}} of {{name}}'\n\
                 _message_after_update: 'now at {{_graft.commit}}'\n",
            ),
            ("a.txt", "2\n"),
        ],
        &[],
    );
    h.copy_into_git(&AT_V1);
    let run = h.update(&[]).success();
    assert_eq!(
        run.stderr,
        format!(
            "leaving v1.0.0 of app\n    update  a.txt\n    update  .graft-answers.yml\nnow at v2.0.0\n{}",
            summary(&h, "v1.0.0 to v2.0.0", "2 updated, 0 merged, 0 created, 0 deleted, 0 kept, 0 conflict(s)")
        )
    );
}

#[test]
fn plain_update_updates_every_template_of_the_project_in_turn() {
    let h = Harness::new();
    for name in ["base", "extra"] {
        let mut t = GitRepo::init(&h, name);
        t.release("v1.0.0", &[CONFIG, (&format!("{name}.txt"), "1\n")], &[]);
        t.release("v2.0.0", &[(&format!("{name}.txt"), "2\n")], &[]);
        h.run(&[
            "copy",
            name,
            DEST,
            "--defaults",
            "--vcs-ref",
            "v1.0.0",
            "-a",
            &format!(".graft-answers.{name}.yml"),
        ])
        .success();
    }
    let mut project = GitRepo::init(&h, DEST);
    project.commit(&[], &[], "generated by graft");

    let run = h.update(&[]).success();
    run.stderr_starts_with("updating 2 templates, one answers file at a time: .graft-answers.base.yml, .graft-answers.extra.yml\n");
    assert_eq!(h.dest_file("base.txt"), "2\n");
    assert_eq!(h.dest_file("extra.txt"), "2\n");
    for name in ["base", "extra"] {
        let text = h.dest_file(&format!(".graft-answers.{name}.yml"));
        assert!(text.contains("\n_commit: v2.0.0\n"), "{text}");
        assert!(
            text.contains(&format!("\n_src_path: {}\n", h.path(name).display())),
            "{text}"
        );
    }

    project.commit(&[], &[], "updated by graft");

    // With --json, one report per answers file, in an array.
    for args in [
        &["update", DEST, "--json"][..],
        &["recopy", DEST, "--json", "--overwrite"],
    ] {
        let command = args[0];
        let run = h.run(args).success();
        let reports: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let summary: Vec<(&str, &str, &str)> = reports
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["command"].as_str().unwrap(),
                    r["template"]["src"].as_str().unwrap(),
                    r["template"]["to"].as_str().unwrap(),
                )
            })
            .collect();
        let (base, extra) = (h.path("base"), h.path("extra"));
        assert_eq!(
            summary,
            [
                (command, base.to_str().unwrap(), "v2.0.0"),
                (command, extra.to_str().unwrap(), "v2.0.0"),
            ]
        );
    }
}

/// A template at v1.0.0 and v2.0.0 whose `app.py` conflicts with the edit
/// of a git project at v1.0.0 (the README's worked example).
pub(crate) fn conflicting_port(h: &Harness) -> GitRepo {
    one_file(
        h,
        "app.py",
        "PORT = 8000\nDEBUG = False\n",
        "PORT = 8080\nDEBUG = False\nLOG_LEVEL = \"info\"\n",
        "PORT = 9000\nDEBUG = False\n",
    )
}

#[test]
fn conflict_rej_writes_the_new_version_and_a_rej_file() {
    let h = Harness::new();
    let project = conflicting_port(&h);
    let run = h.update(&["--conflict", "rej"]).code(1);
    assert_eq!(
        h.dest_file("app.py"),
        "PORT = 8080\nDEBUG = False\nLOG_LEVEL = \"info\"\n"
    );
    assert_eq!(
        h.dest_file("app.py.rej"),
        "--- after updating\n+++ before updating\n@@ -1 +1 @@\n-PORT = 8080\n+PORT = 9000\n"
    );
    run.stderr_starts_with("  conflict  app.py\n");
    assert_eq!(
        project.status(),
        " M .graft-answers.yml\nUU app.py\n?? app.py.rej\n"
    );
}

#[test]
fn binary_conflict_keeps_the_project_file_and_writes_graft_new() {
    let h = Harness::new();
    one_file(&h, "logo.png", "PNG\0v1", "PNG\0v2", "PNG\0ours");
    let run = h.update(&[]).code(1);
    let tree = h.project_tree();
    let bytes = |b: &[u8]| Snap::Bytes {
        bytes: b.to_vec(),
        executable: false,
    };
    // NUL bytes are valid UTF-8, so the snapshot holds them as text.
    let text = |t: &str| Snap::Text {
        text: t.to_string(),
        executable: false,
    };
    assert!(
        [bytes(b"PNG\0ours"), text("PNG\0ours")].contains(&tree["logo.png"]),
        "{:?}",
        tree["logo.png"]
    );
    assert!(
        [bytes(b"PNG\0v2"), text("PNG\0v2")].contains(&tree["logo.png.graft-new"]),
        "{:?}",
        tree["logo.png.graft-new"]
    );
    run.stderr_starts_with(
        "  conflict  logo.png (cannot merge; the template's version is in `logo.png.graft-new`)\n",
    );
    assert!(run.stderr.contains(" 1 conflict(s)\n"), "{}", run.stderr);
}

#[test]
fn exit_code_is_one_with_conflicts_and_zero_when_clean() {
    let h = Harness::new();
    let mut project = conflicting_port(&h);
    h.update(&[]).code(1);
    h.write(
        "dest/app.py",
        "PORT = 9000\nDEBUG = False\nLOG_LEVEL = \"info\"\n",
    );
    project.git(&["add", "-A"]);
    project.commit(&[], &[], "resolved");
    h.update(&[]).code(0);
}

#[test]
fn json_report_of_an_update_with_a_conflict() {
    let h = Harness::new();
    conflicting_port(&h);
    let run = h.update(&["--json"]).code(1);
    let mut settings = h.insta();
    settings.add_filter("[0-9a-f]{40}", "[SHA]");
    settings.bind(|| insta::assert_snapshot!("update_json_report_with_a_conflict", run.stdout));
}
