//! `graft check` and `graft diff`, the commands a CI job runs: whether a
//! newer template version exists, how the project drifted from its
//! pristine render, their exit codes, and the JSON reports of every
//! command (docs/ci.md, docs/commands.md "Output, JSON reports and exit
//! codes").

use crate::harness::{GitRepo, Harness, Run, DEST, TEMPLATE};

const CONFIG: (&str, &str) = ("graft.yml", "name: app\n");

/// A template with `app.py` and `README.md` at v1.0.0 and `tags` later
/// releases that change `app.py`, and a project copied at v1.0.0.
fn project_at_v1(h: &Harness, tags: &[&str]) -> GitRepo {
    let mut repo = GitRepo::init(h, TEMPLATE);
    repo.release(
        "v1.0.0",
        &[
            CONFIG,
            ("app.py", "PORT = 8000\nDEBUG = False\n"),
            ("README.md", "# app\n"),
        ],
        &[],
    );
    for tag in tags {
        repo.release(tag, &[("app.py", &format!("# {tag}\nPORT = 8000\n"))], &[]);
    }
    h.copy(&["--defaults", "--vcs-ref", "v1.0.0", "-q"])
        .success();
    repo
}

/// Runs `graft COMMAND dest ARGS`.
fn on_dest(h: &Harness, command: &str, args: &[&str]) -> Run {
    h.run(&[&[command, DEST], args].concat())
}

/// The line `check` prints for the default answers file.
fn check_line(h: &Harness, state: &str) -> String {
    format!(".graft-answers.yml: {state} ({})\n", h.template_src())
}

#[test]
fn check_on_an_up_to_date_project_exits_zero() {
    let h = Harness::new();
    project_at_v1(&h, &[]);
    let run = on_dest(&h, "check", &[]).success();
    assert_eq!(run.stderr, check_line(&h, "v1.0.0 is up to date"));
    assert_eq!(run.stdout, "");
}

#[test]
fn check_on_a_project_behind_exits_one_with_both_versions() {
    let h = Harness::new();
    project_at_v1(&h, &["v1.1.0", "v2.0.0"]);
    let run = on_dest(&h, "check", &[]).code(1);
    assert_eq!(run.stderr, check_line(&h, "v1.0.0 → v2.0.0 available"));

    let run = on_dest(&h, "check", &["--json"]).code(1);
    assert_eq!(run.stderr, "");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(report["current_version"], "v1.0.0");
    assert_eq!(report["latest_version"], "v2.0.0");
    assert_eq!(report["update_available"], true);
}

#[test]
fn check_counts_a_prerelease_ahead_only_with_prereleases() {
    let h = Harness::new();
    project_at_v1(&h, &["v2.0.0-rc.1"]);
    let run = on_dest(&h, "check", &[]).success();
    assert_eq!(run.stderr, check_line(&h, "v1.0.0 is up to date"));
    let run = on_dest(&h, "check", &["--prereleases"]).code(1);
    assert_eq!(run.stderr, check_line(&h, "v1.0.0 → v2.0.0-rc.1 available"));
}

#[test]
fn check_lists_the_drift() {
    let h = Harness::new();
    project_at_v1(&h, &[]);
    h.write("dest/app.py", "PORT = 9000\nDEBUG = False\n");
    std::fs::remove_file(h.dest().join("README.md")).unwrap();
    let run = on_dest(&h, "check", &[]).success();
    assert_eq!(
        run.stderr,
        format!(
            "{}  modified  app.py\n   deleted  README.md\n",
            check_line(&h, "v1.0.0 is up to date")
        )
    );
}

#[test]
fn check_json_report() {
    let h = Harness::new();
    project_at_v1(&h, &["v2.0.0"]);
    h.write("dest/app.py", "PORT = 9000\nDEBUG = False\n");
    std::fs::remove_file(h.dest().join("README.md")).unwrap();
    let run = on_dest(&h, "check", &["--json"]).code(1);
    h.insta()
        .bind(|| insta::assert_snapshot!("check_json_report", run.stdout));
}

#[test]
fn diff_of_a_pristine_project_is_empty() {
    let h = Harness::new();
    project_at_v1(&h, &["v2.0.0"]);
    let run = on_dest(&h, "diff", &["--exit-code"]).success();
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
}

#[test]
fn diff_after_an_edit() {
    let h = Harness::new();
    project_at_v1(&h, &[]);
    h.write("dest/app.py", "PORT = 9000\nDEBUG = False\n");
    let want =
        "--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n-PORT = 8000\n+PORT = 9000\n DEBUG = False\n";
    let run = on_dest(&h, "diff", &[]).success();
    assert_eq!(run.stdout, want);
    let run = on_dest(&h, "diff", &["--exit-code"]).code(1);
    assert_eq!(run.stdout, want);
}

#[test]
fn diff_after_a_deletion() {
    let h = Harness::new();
    project_at_v1(&h, &[]);
    std::fs::remove_file(h.dest().join("app.py")).unwrap();
    let run = on_dest(&h, "diff", &["--exit-code"]).code(1);
    assert_eq!(
        run.stdout,
        "--- a/app.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-PORT = 8000\n-DEBUG = False\n"
    );
}

#[test]
fn diff_json_report() {
    let h = Harness::new();
    project_at_v1(&h, &[]);
    h.write("dest/app.py", "PORT = 9000\nDEBUG = False\n");
    std::fs::remove_file(h.dest().join("README.md")).unwrap();
    let run = on_dest(&h, "diff", &["--json", "--exit-code"]).code(1);
    h.insta()
        .bind(|| insta::assert_snapshot!("diff_json_report", run.stdout));
}

#[test]
fn recopy_json_report() {
    let h = Harness::new();
    project_at_v1(&h, &["v2.0.0"]);
    h.write("dest/app.py", "PORT = 9000\nDEBUG = False\n");
    let run = on_dest(
        &h,
        "recopy",
        &["--overwrite", "--json", "--vcs-ref", "v2.0.0"],
    )
    .success();
    let mut settings = h.insta();
    settings.add_filter("[0-9a-f]{40}", "[SHA]");
    settings.bind(|| insta::assert_snapshot!("recopy_json_report", run.stdout));
}

// --- A template that prints the run's own facts (`_graft.operation`,
// `_graft.vcs_ref`) is rendered by check, diff and update as the run that
// wrote the project rendered it.

/// A line printing the facts of the run that renders it.
const FACTS: &str = "made by {{_graft.operation}} at {{_graft.vcs_ref}} ({{_graft.commit}})\n";

/// A template whose `facts.txt` prints [`FACTS`] above five plain lines,
/// released as v1.0.0 and as v2.0.0, which changes only `other.txt`.
fn facts_template(h: &Harness) -> GitRepo {
    let mut repo = GitRepo::init(h, TEMPLATE);
    let facts = format!("{FACTS}1\n2\n3\n4\nend\n");
    repo.release(
        "v1.0.0",
        &[CONFIG, ("facts.txt.hbs", &facts), ("other.txt", "1\n")],
        &[],
    );
    repo.release("v2.0.0", &[("other.txt", "2\n")], &[]);
    repo
}

#[test]
fn a_fresh_copy_that_prints_its_run_facts_has_no_drift_however_the_ref_was_named() {
    let h = Harness::new();
    let repo = facts_template(&h);
    let sha = repo.git(&["rev-parse", "v1.0.0"]);
    for spelling in ["v1.0.0", sha.trim(), &sha.trim()[..10]] {
        std::fs::remove_dir_all(h.dest()).ok();
        h.copy(&["--defaults", "-q", "--vcs-ref", spelling])
            .success();
        assert_eq!(
            h.dest_file("facts.txt"),
            "made by copy at v1.0.0 (v1.0.0)\n1\n2\n3\n4\nend\n",
            "--vcs-ref {spelling}"
        );
        let run = on_dest(&h, "check", &[]).code(1);
        assert_eq!(run.stderr, check_line(&h, "v1.0.0 → v2.0.0 available"));
        let run = on_dest(&h, "diff", &["--exit-code"]).success();
        assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    }
}

#[test]
fn an_update_writes_its_own_run_facts_and_merges_an_edit_beside_them() {
    let h = Harness::new();
    facts_template(&h);
    h.copy(&["--defaults", "-q", "--vcs-ref", "v1.0.0"])
        .success();
    let edited = "made by copy at v1.0.0 (v1.0.0)\n1\n2\n3\n4\nour end\n";
    h.write("dest/facts.txt", edited);

    // The old side is the copy's render, so only the project's edit and
    // the template's change meet: a clean merge.
    let run = h.update(&[]).success();
    assert_eq!(
        run.stderr,
        format!(
            "     merge  facts.txt\n    update  other.txt\n    update  .graft-answers.yml\n\n\
             updated {} from v1.0.0 to v2.0.0: 2 updated, 1 merged, 0 created, 0 deleted, \
             0 kept, 0 conflict(s)\n",
            h.template_src()
        )
    );
    assert_eq!(
        h.dest_file("facts.txt"),
        "made by update at v2.0.0 (v2.0.0)\n1\n2\n3\n4\nour end\n"
    );
    assert!(
        h.dest_file(".graft-answers.yml")
            .ends_with("\n_operation: update\nname: app\n"),
        "the answers file records the operation that wrote the project"
    );

    // check and diff see the project's edit, and nothing else.
    let run = on_dest(&h, "check", &[]).success();
    assert_eq!(
        run.stderr,
        format!(
            "{}  modified  facts.txt\n",
            check_line(&h, "v2.0.0 is up to date")
        )
    );
    let run = on_dest(&h, "diff", &["--exit-code"]).code(1);
    assert_eq!(
        run.stdout,
        "--- a/facts.txt\n+++ b/facts.txt\n@@ -3,4 +3,4 @@\n 2\n 3\n 4\n-end\n+our end\n"
    );
}

#[test]
fn an_update_to_the_recorded_version_and_answers_writes_nothing() {
    let h = Harness::new();
    facts_template(&h);
    h.copy(&["--defaults", "-q"]).success();
    let before = h.project_tree();
    for args in [
        &[][..],
        &["--vcs-ref", ":current:"],
        &["--vcs-ref", "v2.0.0"],
    ] {
        let run = h.update(args).success();
        assert_eq!(
            run.stderr,
            format!(
                "\nupdated {} from v2.0.0 to v2.0.0: 0 updated, 0 merged, 0 created, \
                 0 deleted, 0 kept, 0 conflict(s)\n",
                h.template_src()
            ),
            "update {args:?}"
        );
        assert_eq!(h.project_tree(), before, "update {args:?}");
    }
    assert_eq!(
        h.dest_file("facts.txt"),
        "made by copy at v2.0.0 (v2.0.0)\n1\n2\n3\n4\nend\n"
    );
}

#[test]
fn a_recopy_records_that_it_wrote_the_project() {
    let h = Harness::new();
    facts_template(&h);
    h.copy(&["--defaults", "-q"]).success();
    on_dest(&h, "recopy", &["--overwrite", "-q"]).success();
    assert_eq!(
        h.dest_file("facts.txt"),
        "made by recopy at v2.0.0 (v2.0.0)\n1\n2\n3\n4\nend\n"
    );
    assert!(h
        .dest_file(".graft-answers.yml")
        .ends_with("\n_operation: recopy\nname: app\n"));
    let run = on_dest(&h, "diff", &["--exit-code"]).success();
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
}
