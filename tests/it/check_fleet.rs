//! `graft check` over many projects at once: a folder of checkouts made
//! from one template, in different states, checked in one call with a
//! summary table and one JSON object (docs/ci.md, "Fleets").

use crate::harness::{GitRepo, Harness, Run, TEMPLATE};

/// A template with releases v1.0.0 and v2.0.0, and three projects made
/// from it under `repos/`: `api` at v1.0.0 (an update is available), `web`
/// at v2.0.0 (up to date) and `worker` at v2.0.0 with `app.py` edited
/// (drifted); `repos/notes` is a plain folder, not a project.
fn fleet(h: &Harness) {
    let mut template = GitRepo::init(h, TEMPLATE);
    template.release(
        "v1.0.0",
        &[("graft.yml", "name: app\n"), ("app.py", "PORT = 8000\n")],
        &[],
    );
    template.release("v2.0.0", &[("app.py", "PORT = 8080\n")], &[]);
    for (project, version) in [("api", "v1.0.0"), ("web", "v2.0.0"), ("worker", "v2.0.0")] {
        let dest = format!("repos/{project}");
        h.run(&[
            "copy",
            TEMPLATE,
            &dest,
            "--defaults",
            "-q",
            "--vcs-ref",
            version,
        ])
        .success();
    }
    h.write("repos/worker/app.py", "PORT = 9000\n");
    h.write("repos/notes/todo.txt", "nothing graft made\n");
}

/// Rows laid out as the check lays out its table: columns two spaces apart.
fn table(rows: &[[&str; 6]]) -> String {
    let mut widths = [0; 6];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i == 5 {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

const HEADER: [&str; 6] = [
    "PROJECT", "TEMPLATE", "RECORDED", "LATEST", "DRIFT", "STATUS",
];

#[test]
fn check_of_a_folder_of_projects_prints_one_table_and_exits_one() {
    let h = Harness::new();
    fleet(&h);
    let src = h.template_src();
    let run = h.run(&["check", "repos"]).code(1);
    let want = table(&[
        HEADER,
        [
            "repos/api",
            &src,
            "v1.0.0",
            "v2.0.0",
            "0",
            "update available",
        ],
        ["repos/web", &src, "v2.0.0", "v2.0.0", "0", "up to date"],
        ["repos/worker", &src, "v2.0.0", "v2.0.0", "1", "drifted"],
    ]) + "3 projects: 1 update available, 1 drifted, 1 up to date\n";
    assert_eq!(run.stderr, want);
    assert_eq!(run.stdout, "");
}

#[test]
fn check_of_a_folder_of_projects_as_json() {
    let h = Harness::new();
    fleet(&h);
    let run = h.run(&["check", "repos", "--json"]).code(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    let src = h.template_src();
    let row = |project: &str, current: &str, update: bool, modified: &[&str]| {
        serde_json::json!({
            "project": project,
            "answers_file": ".graft-answers.yml",
            "src": src,
            "current_version": current,
            "latest_version": "v2.0.0",
            "update_available": update,
            "drift": {"modified": modified, "deleted": [], "damaged": []},
        })
    };
    assert_eq!(
        report,
        serde_json::json!({
            "projects": [
                row("repos/api", "v1.0.0", true, &[]),
                row("repos/web", "v2.0.0", false, &[]),
                row("repos/worker", "v2.0.0", false, &["app.py"]),
            ],
            "summary": {
                "projects": 3,
                "update_available": 1,
                "drifted": 1,
                "up_to_date": 1,
                "failed": 0,
            },
        })
    );
}

#[test]
fn check_of_several_projects_named_one_by_one() {
    let h = Harness::new();
    fleet(&h);
    let src = h.template_src();
    // From inside the folder, as `graft check */` would name them.
    let mut cmd = h.graft(["check", "web", "worker", "--updates-only"]);
    cmd.current_dir(h.path("repos"));
    let run = Run::of(cmd).success();
    assert_eq!(
        run.stderr,
        table(&[
            HEADER,
            ["web", &src, "v2.0.0", "v2.0.0", "-", "up to date"],
            ["worker", &src, "v2.0.0", "v2.0.0", "-", "up to date"],
        ]) + "2 projects: 2 up to date\n"
    );
}

#[test]
fn drift_only_and_updates_only_decide_the_exit_code_by_what_they_look_at() {
    let h = Harness::new();
    fleet(&h);
    let src = h.template_src();
    let run = h.run(&["check", "repos", "--drift-only"]).code(1);
    assert_eq!(
        run.stderr,
        table(&[
            HEADER,
            ["repos/api", &src, "v1.0.0", "-", "0", "up to date"],
            ["repos/web", &src, "v2.0.0", "-", "0", "up to date"],
            ["repos/worker", &src, "v2.0.0", "-", "1", "drifted"],
        ]) + "3 projects: 1 drifted, 2 up to date\n"
    );
    // Only the project behind counts, and nothing is rendered.
    h.run(&["check", "repos/api", "--updates-only"]).code(1);
    h.run(&["check", "repos/web", "repos/worker", "--updates-only"])
        .success();
    // Drift fails the check only when asked to.
    h.run(&["check", "repos/worker"]).success();
    h.run(&["check", "repos/worker", "--fail-on-drift"]).code(1);
    h.run(&["check", "repos/worker", "--drift-only"]).code(1);
    h.run(&["check", "repos/web", "--drift-only"]).success();
}

#[test]
fn drift_only_of_one_project_says_what_drifted() {
    let h = Harness::new();
    fleet(&h);
    let src = h.template_src();
    let run = h.run(&["check", "repos/worker", "--drift-only"]).code(1);
    assert_eq!(
        run.stderr,
        format!(".graft-answers.yml: drifted from v2.0.0 ({src})\n  modified  app.py\n")
    );
    let run = h
        .run(&["check", "repos/web", "--drift-only", "--json"])
        .success();
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["update_available"], serde_json::Value::Null);
    assert_eq!(report["latest_version"], serde_json::Value::Null);
    assert_eq!(
        report["drift"],
        serde_json::json!({"modified": [], "deleted": [], "damaged": []})
    );
}

#[test]
fn a_project_that_cannot_be_checked_is_a_row_and_the_others_are_still_checked() {
    let h = Harness::new();
    fleet(&h);
    h.write(
        "repos/lost/.graft-answers.yml",
        "_src_path: /nowhere/template\n_commit: v1.0.0\n",
    );
    let run = h.run(&["check", "repos", "--json"]).code(2);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let rows = report["projects"].as_array().expect("rows");
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1]["project"], "repos/lost");
    assert_eq!(rows[1]["error"]["kind"], "bad_source");
    assert_eq!(report["summary"]["failed"], 1);
    assert_eq!(report["summary"]["projects"], 4);
    let table_line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("repos/lost"))
        .expect("a row for the lost project");
    assert!(table_line.contains("error: "), "{table_line}");
    assert!(
        run.stderr
            .ends_with("4 projects: 1 update available, 1 drifted, 1 up to date, 1 failed\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_folder_with_no_projects_is_the_usual_error() {
    let h = Harness::new();
    h.write("empty/notes.txt", "no project here\n");
    let run = h.run(&["check", "empty"]).code(2);
    assert!(
        run.stderr
            .starts_with("error: no answers file `.graft-answers.yml` in"),
        "{}",
        run.stderr
    );
}
