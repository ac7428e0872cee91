//! `_tasks`, `_migrations` and trust (SPEC §7) at the command line: which
//! commands run, when, where and with which environment, and what graft
//! refuses to run without consent. The copy basics (refusal without trust,
//! order, a `trust:` entry, `--skip-tasks`, a failing task) are in
//! `copy.rs`; attacks on trust matching are in `security.rs`.

use crate::harness::{read, read_tree, GitRepo, Harness, Run, DEST};

/// A git template at `template/` released one tag at a time.
pub struct Releases {
    pub h: Harness,
    pub repo: GitRepo,
}

impl Releases {
    pub fn new() -> Releases {
        let h = Harness::new();
        let repo = GitRepo::init(&h, "template");
        Releases { h, repo }
    }

    /// Commits `files` (and deletes `deleted`), then tags the commit `tag`.
    pub fn release(&mut self, tag: &str, files: &[(&str, &str)], deleted: &[&str]) {
        self.repo.commit(files, deleted, tag);
        self.repo.tag(tag);
    }

    /// `graft update dest ARGS`.
    pub fn update(&self, args: &[&str]) -> Run {
        self.h.run(&[&["update", DEST], args].concat())
    }
}

/// What graft prints when the template at `src` wants to run `commands`
/// and is not trusted.
pub fn refusal(src: &str, commands: &[&str]) -> String {
    format!(
        "error: template `{src}` wants to run commands, and it is not trusted:\n{}\n\
         hint: review the commands; if you trust this template, run again with `--trust` \
         or add it to `trust:` in your settings (or skip tasks with `--skip-tasks`)\n",
        commands
            .iter()
            .map(|c| format!("  {c}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// The `tasks` of a run's `--json` report.
fn reported_tasks(run: &Run) -> serde_json::Value {
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON report");
    report["tasks"].clone()
}

/// A `tasks` list of one entry.
fn one_task(command: &str, working_directory: &str, status: &str) -> serde_json::Value {
    serde_json::json!([{"command": command, "working_directory": working_directory, "status": status}])
}

#[test]
fn list_task_runs_without_a_shell() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            r#"_tasks:
  - [touch, "$GRAFT_OPERATION; touch pwned"]
  - [sh, -c, 'printf "%s|" "$@" > args.txt', sh, "a b", "*", "$HOME", "it's"]
name: app
"#,
        ),
        ("a.txt", "a\n"),
    ]);
    h.copy(&["--defaults", "--trust"]).success();
    assert!(h.path("dest/$GRAFT_OPERATION; touch pwned").is_file());
    assert!(!h.path("dest/pwned").exists());
    assert_eq!(h.dest_file("args.txt"), "a b|*|$HOME|it's|");
}

#[test]
fn when_and_working_directory_are_rendered() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            r#"pkg: shop
docker: false
_tasks:
  - command: "pwd > where.txt"
    working_directory: "src/{{pkg}}"
  - command: "touch docker-ran"
    when: "{{docker}}"
  - command: "touch no-docker-ran"
    when: "{{not docker}}"
  - command: "touch never-ran"
    when: false
"#,
        ),
        ("src/{{pkg}}/__init__.py", ""),
    ]);
    h.copy(&["--defaults", "--trust"]).success();
    assert_eq!(
        h.dest_file("src/shop/where.txt"),
        format!("{}\n", h.path("dest/src/shop").display())
    );
    assert!(h.path("dest/no-docker-ran").is_file());
    assert!(!h.path("dest/docker-ran").exists());
    assert!(!h.path("dest/never-ran").exists());
}

#[test]
fn working_directory_outside_the_destination_is_refused() {
    let h = Harness::new();
    for (dir, reason) in [("../x", "contains `..`"), ("/tmp", "is absolute")] {
        h.template(&[(
            "graft.yml",
            &format!("name: app\n_tasks:\n  - command: \"touch ran\"\n    working_directory: \"{dir}\"\n"),
        )]);
        let before = read_tree(h.root());
        let run = h.copy(&["--defaults", "--trust"]).code(2);
        assert_eq!(
            run.stderr,
            format!("error: path `{dir}` (from `graft.yml:3 (task) (working_directory)`) {reason}; a task runs inside the destination\n")
        );
        assert_eq!(read_tree(h.root()), before);
    }
}

#[test]
fn tasks_see_the_written_project_and_get_the_answers_in_their_environment() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            r#"project_name: My App
port: 8080
debug: true
langs: [py, rs]
_tasks:
  - "LC_ALL=C ls -A > listing.txt"
  - "env | grep -E '^GRAFT_(ANSWER|OPERATION|STAGE|VERSION)' | LC_ALL=C sort > env.txt"
"#,
        ),
        ("a.txt.hbs", "{{project_name}}\n"),
    ]);
    h.copy(&["--defaults", "--trust"]).success();
    assert_eq!(
        h.dest_file("listing.txt"),
        ".graft-answers.yml\na.txt\nlisting.txt\n"
    );
    assert_eq!(
        h.dest_file("env.txt"),
        "GRAFT_ANSWER_DEBUG=true\n\
         GRAFT_ANSWER_LANGS=[\"py\",\"rs\"]\n\
         GRAFT_ANSWER_PORT=8080\n\
         GRAFT_ANSWER_PROJECT_NAME=My App\n\
         GRAFT_OPERATION=copy\n"
    );
}

#[test]
fn pretend_prints_tasks_without_running_them_or_asking_for_trust() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "name: app\n_tasks:\n  - \"touch ran\"\n  - [sh, -c, \"touch 'also ran'\"]\n",
        ),
        ("a.txt", "a\n"),
    ]);
    let run = h.copy(&["--defaults", "--pretend"]).success();
    assert_eq!(
        run.stderr,
        "    create  a.txt\n    create  .graft-answers.yml\n\
         would run: touch ran\n\
         would run: sh -c 'touch '\\''also ran'\\'''\n\
         pretend: nothing was written\n"
    );
    assert!(!h.dest().exists());
}

#[test]
fn json_report_gives_each_task_its_status() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "name: app\n_tasks:\n  - command: \"touch ran\"\n    working_directory: sub\n",
        ),
        ("sub/a.txt", "a\n"),
    ]);
    let tasks = |args: &[&str]| {
        reported_tasks(
            &h.copy(&[&["--defaults", "--json"], args].concat())
                .success(),
        )
    };
    let entry = |status: &str| one_task("touch ran", "sub", status);
    assert_eq!(tasks(&["--pretend"]), entry("pretend"));
    assert!(!h.dest().exists());
    assert_eq!(tasks(&["--skip-tasks"]), entry("skipped"));
    assert!(!h.path("dest/sub/ran").exists());
    assert_eq!(tasks(&["--trust", "--overwrite"]), entry("ran"));
    assert!(h.path("dest/sub/ran").exists());
}

/// v1.0.0 with `tasks_v1`, copied with `name=shop`; then v2.0.0 with
/// `graft_yml_v2` and `conf.txt` changed, not yet applied.
fn copied_then_released(tasks_v1: &str, graft_yml_v2: &str) -> Releases {
    let mut r = Releases::new();
    r.release(
        "v1.0.0",
        &[
            ("graft.yml", &format!("name: app\n{tasks_v1}")),
            ("conf.txt", "one\n"),
        ],
        &[],
    );
    r.h.copy(&["--defaults", "--trust", "-d", "name=shop", "-q"])
        .success();
    r.release(
        "v2.0.0",
        &[("graft.yml", graft_yml_v2), ("conf.txt", "two\n")],
        &[],
    );
    r
}

#[test]
fn tasks_of_the_new_version_run_after_update_and_recopy() {
    let r = copied_then_released(
        "_tasks: [\"echo v1 $GRAFT_OPERATION $GRAFT_ANSWER_NAME >> log.txt\"]\n",
        "name: app\n_tasks:\n  - \"echo v2 $GRAFT_OPERATION $GRAFT_ANSWER_NAME >> log.txt\"\n  - \"cat conf.txt >> log.txt\"\n",
    );
    r.update(&["--defaults", "--trust", "-q"]).success();
    assert_eq!(
        read(&r.h.path("dest/log.txt")),
        "v1 copy shop\nv2 update shop\ntwo\n"
    );
    r.h.run(&["recopy", DEST, "--defaults", "--trust", "--overwrite", "-q"])
        .success();
    assert_eq!(
        read(&r.h.path("dest/log.txt")),
        "v1 copy shop\nv2 update shop\ntwo\nv2 recopy shop\ntwo\n"
    );
}

#[test]
fn recopy_needs_trust_and_honours_pretend_and_skip_tasks() {
    let r = copied_then_released("", "name: app\n_tasks: [\"touch ran\"]\n");
    let recopy = |args: &[&str]| {
        r.h.run(
            &[
                &["recopy", DEST, "--defaults", "--overwrite", "-r", "v2.0.0"],
                args,
            ]
            .concat(),
        )
    };
    let before = read_tree(r.h.root());
    let run = recopy(&[]).code(4);
    assert_eq!(run.stderr, refusal(&r.h.template_src(), &["touch ran"]));
    assert_eq!(read_tree(r.h.root()), before);

    let run = recopy(&["--pretend", "-q"]).success();
    assert_eq!(run.stderr, "");
    let run = recopy(&["--pretend"]).success();
    assert!(
        run.stderr
            .contains("\nwould run: touch ran\npretend: nothing was written\n"),
        "{}",
        run.stderr
    );
    assert_eq!(read_tree(r.h.root()), before);

    let run = recopy(&["--skip-tasks", "--json", "-q"]).success();
    assert_eq!(reported_tasks(&run), one_task("touch ran", "", "skipped"));
    assert!(!r.h.path("dest/ran").exists());
    assert_eq!(read(&r.h.path("dest/conf.txt")), "two\n");
}

#[test]
fn failing_task_stops_the_update_with_its_command_and_exit_code() {
    let r = copied_then_released(
        "",
        "name: app\n_tasks: [\"touch first\", \"exit 7\", \"touch after\"]\n",
    );
    let run = r.update(&["--defaults", "--trust", "-q"]).code(2);
    assert_eq!(run.stderr, "error: task `exit 7` failed with exit code 7\n");
    assert!(r.h.path("dest/first").exists());
    assert!(!r.h.path("dest/after").exists());
}

#[test]
fn skip_tasks_on_update_needs_no_trust_for_tasks_but_still_for_migrations() {
    let r = copied_then_released("", "name: app\n_tasks: [\"touch ran\"]\n");
    let run = r
        .update(&["--defaults", "--skip-tasks", "--json", "-q"])
        .success();
    assert_eq!(reported_tasks(&run), one_task("touch ran", "", "skipped"));
    assert!(!r.h.path("dest/ran").exists());
    assert_eq!(read(&r.h.path("dest/conf.txt")), "two\n");

    let mut r = copied_then_released("", "name: app\n");
    r.release(
        "v3.0.0",
        &[(
            "graft.yml",
            "name: app\n_tasks: [\"touch ran\"]\n_migrations:\n  - {version: v3.0.0, command: \"touch migrated\"}\n",
        )],
        &[],
    );
    let before = read_tree(r.h.root());
    let run = r.update(&["--defaults", "--skip-tasks"]).code(4);
    assert_eq!(
        run.stderr,
        refusal(&r.h.template_src(), &["touch migrated"])
    );
    assert_eq!(read_tree(r.h.root()), before);
}

/// The `graft.yml` of a v2.0.0 with migrations on both sides of the range.
const MIGRATIONS: &str = r#"name: app
_migrations:
  - version: v3.0.0
    command: "echo 3.0.0 >> log.txt"
  - version: v2.0.0
    command: "echo after-2.0.0 $GRAFT_STAGE $GRAFT_VERSION_FROM $GRAFT_VERSION_TO $(cat conf.txt) >> log.txt"
  - version: v1.0.0
    command: "echo 1.0.0 >> log.txt"
  - version: "1.5"
    stage: before
    command: "echo before-1.5 $GRAFT_STAGE $GRAFT_VERSION_FROM $GRAFT_VERSION_TO $(cat conf.txt) >> log.txt"
  - version: v0.9.0
    stage: before
    command: "echo 0.9.0 >> log.txt"
  - version: v1.2.0
    stage: after
    command: "echo after-1.2.0 $GRAFT_OPERATION $GRAFT_ANSWER_NAME >> log.txt"
    when: "{{eq name 'shop'}}"
  - version: v1.2.0
    command: "echo never >> log.txt"
    when: "{{eq name 'other'}}"
_tasks: ["echo task >> log.txt"]
"#;

#[test]
fn migrations_run_when_old_is_below_their_version_and_new_reaches_it() {
    let r = copied_then_released("", MIGRATIONS);
    r.update(&["--defaults", "--trust", "-q"]).success();
    // `before` runs ahead of the merge (it sees v1's file), `after` once
    // v2 is written; each stage in version order; tasks last.
    assert_eq!(
        read(&r.h.path("dest/log.txt")),
        "before-1.5 before 1.0.0 2.0.0 one\n\
         after-1.2.0 update shop\n\
         after-2.0.0 after 1.0.0 2.0.0 two\n\
         task\n"
    );
}

#[test]
fn pretend_update_prints_migrations_and_tasks_without_running_them() {
    let r = copied_then_released("", MIGRATIONS);
    let before = read_tree(r.h.root());
    let run = r.update(&["--defaults", "--pretend"]).success();
    assert_eq!(
        run.stderr,
        format!(
            "    update  conf.txt\n    update  .graft-answers.yml\n\
             would run migration: echo before-1.5 $GRAFT_STAGE $GRAFT_VERSION_FROM $GRAFT_VERSION_TO $(cat conf.txt) >> log.txt\n\
             would run migration: echo after-1.2.0 $GRAFT_OPERATION $GRAFT_ANSWER_NAME >> log.txt\n\
             would run migration: echo after-2.0.0 $GRAFT_STAGE $GRAFT_VERSION_FROM $GRAFT_VERSION_TO $(cat conf.txt) >> log.txt\n\
             would run: echo task >> log.txt\n\
             pretend: nothing was written\n\n\
             would update {} from v1.0.0 to v2.0.0: 2 updated, 0 merged, 0 created, 0 deleted, 0 kept, 0 conflict(s)\n",
            r.h.template_src()
        )
    );
    assert_eq!(read_tree(r.h.root()), before);
}

#[test]
fn before_migration_may_rewrite_the_answers_file_and_the_update_uses_it() {
    let mut r = Releases::new();
    r.release(
        "v1.0.0",
        &[
            ("graft.yml", "db: sqlite\n"),
            ("conf.txt.hbs", "db={{db}}\n"),
        ],
        &[],
    );
    r.h.copy(&["--defaults", "-d", "db=postgres", "-q"])
        .success();
    // v2 renames the question; its migration carries the answer over.
    r.release(
        "v2.0.0",
        &[
            (
                "graft.yml",
                "database: sqlite\n_migrations:\n  - version: v2.0.0\n    stage: before\n    command: \"sed -i.bak 's/^db:/database:/' .graft-answers.yml && rm .graft-answers.yml.bak\"\n",
            ),
            ("conf.txt.hbs", "database={{database}}\n"),
        ],
        &[],
    );
    r.update(&["--defaults", "--trust", "-q"]).success();
    assert_eq!(read(&r.h.path("dest/conf.txt")), "database=postgres\n");
    let answers = read(&r.h.path("dest/.graft-answers.yml"));
    assert!(answers.ends_with("\ndatabase: postgres\n"), "{answers}");
    assert!(!answers.contains("\ndb:"), "{answers}");
}

#[test]
fn failing_before_migration_stops_the_update_before_any_write() {
    let r = copied_then_released(
        "",
        "name: app\n_migrations:\n  - {version: v2.0.0, stage: before, command: \"exit 5\"}\n",
    );
    let before = read_tree(r.h.root());
    let run = r.update(&["--defaults", "--trust", "-q"]).code(2);
    assert_eq!(
        run.stderr,
        "error: migration `exit 5` failed with exit code 5\n"
    );
    assert_eq!(read_tree(r.h.root()), before);
}

#[test]
fn untrusted_update_with_a_migration_is_refused_and_changes_nothing() {
    let r = copied_then_released("", MIGRATIONS);
    let before = read_tree(r.h.root());
    let run = r.update(&["--defaults", "--skip-tasks"]).code(4);
    // Every migration in range counts, even one whose `when` may be false:
    // trust is decided before anything is rendered.
    assert_eq!(
        run.stderr,
        refusal(
            &r.h.template_src(),
            &[
                "echo after-2.0.0 $GRAFT_STAGE $GRAFT_VERSION_FROM $GRAFT_VERSION_TO $(cat conf.txt) >> log.txt",
                "echo before-1.5 $GRAFT_STAGE $GRAFT_VERSION_FROM $GRAFT_VERSION_TO $(cat conf.txt) >> log.txt",
                "echo after-1.2.0 $GRAFT_OPERATION $GRAFT_ANSWER_NAME >> log.txt",
                "echo never >> log.txt",
            ]
        )
    );
    assert_eq!(read_tree(r.h.root()), before);
}

#[test]
fn update_refuses_tasks_the_new_version_adds_unless_trusted_in_settings() {
    let r = copied_then_released("", "name: app\n_tasks: [\"touch ran\"]\n");
    let before = read_tree(r.h.root());
    let run = r.update(&["--defaults"]).code(4);
    assert_eq!(run.stderr, refusal(&r.h.template_src(), &["touch ran"]));
    assert_eq!(read_tree(r.h.root()), before);

    r.h.settings(&format!("trust:\n  - {}\n", r.h.template_src()));
    r.update(&["--defaults", "-q"]).success();
    assert!(r.h.path("dest/ran").exists());
}

#[test]
fn migration_the_project_already_passed_needs_no_trust() {
    let mut r = copied_then_released(
        "",
        "name: app\n_migrations:\n  - {version: v2.0.0, command: \"touch migrated\"}\n",
    );
    r.update(&["--defaults", "--trust", "-q"]).success();
    std::fs::remove_file(r.h.path("dest/migrated")).expect("remove marker");
    r.release("v3.0.0", &[("conf.txt", "three\n")], &[]);
    r.update(&["--defaults", "-q"]).success();
    assert_eq!(read(&r.h.path("dest/conf.txt")), "three\n");
    assert!(!r.h.path("dest/migrated").exists());
}

#[test]
fn trust_entry_without_a_trailing_slash_trusts_that_source_only() {
    let h = Harness::new();
    h.template(&[("graft.yml", "name: app\n_tasks: [\"touch ran\"]\n")]);
    let src = h.template_src();
    for entry in [format!("{src}-other"), src[..src.len() - 1].to_string()] {
        h.settings(&format!("trust:\n  - {entry}\n"));
        h.copy(&["--defaults"]).code(4);
        assert!(!h.dest().exists(), "{entry}");
    }
    h.settings(&format!("trust:\n  - {src}\n"));
    h.copy(&["--defaults"]).success();
    assert!(h.path("dest/ran").exists());
}

/// graft starts libgit2 without the CA bundle when no source needs HTTPS;
/// tasks still get the person's own `SSL_CERT_FILE`, set or unset.
#[test]
fn tasks_see_the_callers_ssl_cert_file() {
    let h = Harness::new();
    h.template(&[(
        "graft.yml",
        "name: app\n_tasks: [\"printf '%s' \\\"${SSL_CERT_FILE-unset}\\\" > ssl.txt\"]\n",
    )]);
    let mut cmd = h.graft(["copy", "template", "dest", "--defaults", "--trust"]);
    cmd.env("SSL_CERT_FILE", "/etc/ssl/mine.pem");
    assert_eq!(Run::of(cmd).code, 0);
    assert_eq!(h.dest_file("ssl.txt"), "/etc/ssl/mine.pem");

    let mut cmd = h.graft(["copy", "template", "dest2", "--defaults", "--trust"]);
    cmd.env_remove("SSL_CERT_FILE");
    assert_eq!(Run::of(cmd).code, 0);
    assert_eq!(read(&h.path("dest2/ssl.txt")), "unset");
}
