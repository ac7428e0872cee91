//! `graft recopy` (SPEC §6): the recorded version rendered from scratch
//! over the project, keeping the project's own files and its answers.

use crate::harness::{files, read_tree, GitRepo, Harness, ANSWERS_FILE, DEST, TEMPLATE};
use crate::update::{template, AT_V1, CONFIG};

#[test]
fn recopy_discards_edits_of_template_files_and_keeps_answers_and_own_files() {
    let h = Harness::new();
    let mut t = GitRepo::init(&h, TEMPLATE);
    t.release(
        "v1.0.0",
        &[
            CONFIG,
            ("app.py", "PORT = 8000\n"),
            ("name.txt.hbs", "{{name}}\n"),
        ],
        &[],
    );
    t.release("v2.0.0", &[("app.py", "PORT = 8080\n")], &[]);
    let mut project = h.copy_into_git(&["--defaults", "--vcs-ref", "v1.0.0", "-d", "name=shop"]);
    project.commit(
        &[("app.py", "PORT = 9000\n"), ("notes.txt", "ours\n")],
        &["name.txt"],
        "edits",
    );
    // The answers stay; the file records that a recopy wrote the project.
    let answers = h
        .dest_file(ANSWERS_FILE)
        .replace("name: shop\n", "_operation: recopy\nname: shop\n");

    let run = h.run(&["recopy", DEST, "--overwrite"]).success();
    assert_eq!(
        h.project_files(),
        files(&[
            (ANSWERS_FILE, &answers),
            ("app.py", "PORT = 8000\n"),
            ("name.txt", "shop\n"),
            ("notes.txt", "ours\n"),
        ])
    );
    assert_eq!(
        run.stderr,
        format!(
            "    update  app.py\n    create  name.txt\n    update  .graft-answers.yml\n\n\
             recopied {} v1.0.0 over {DEST}: 1 created, 2 updated, 0 identical, 0 skipped\n",
            h.template_src()
        )
    );
}

#[test]
fn recopy_without_overwrite_or_a_terminal_changes_nothing() {
    let h = Harness::new();
    template(&h, &[("app.py", "PORT = 8000\n")], &[], &[]);
    let mut project = h.copy_into_git(&AT_V1);
    project.commit(&[("app.py", "PORT = 9000\n")], &[], "our port");
    let before = read_tree(&h.dest());
    let run = h.run(&["recopy", DEST]).code(2);
    assert_eq!(
        run.stderr,
        "error: 1 existing file(s) in `dest` would be overwritten: `app.py`\n\
         hint: use `--overwrite` to replace them, or run on a terminal to decide per file\n"
    );
    assert_eq!(read_tree(&h.dest()), before);
}
