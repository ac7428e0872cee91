//! Attacks from strangers' templates, answers files and projects (SPEC §9):
//! one test per attack, each asserting graft's exact refusal and that
//! nothing outside the destination changed. A folder `outside/` beside the
//! destination holds what an attacker would like to read or overwrite, and
//! most tests compare the whole harness folder before and after, so a
//! `touch pwned` that ran anywhere in it would show.
//!
//! Attacks proven in `errors.rs` and not repeated here: rendered names with
//! `..` (`rendered_path_with_dot_dot`) or an absolute path
//! (`absolute_rendered_path`); a copy written through a destination symlink
//! to a folder or a file outside
//! (`rendered_folder_that_is_a_destination_symlink_leading_outside`,
//! `rendered_file_that_is_a_destination_symlink_leading_outside`);
//! template symlinks to a file, a folder or an absolute path outside the
//! template (`template_symlink_to_a_file_outside_the_template`,
//! `template_symlink_to_a_folder_outside_the_template`,
//! `template_symlink_to_an_absolute_path`); `_subdirectory: ..`
//! (`subdirectory_outside_the_template`); `!include ../x.yml`
//! (`include_outside_the_template`); a preserved symlink leading out of
//! the destination (`preserved_symlink_leading_outside_the_destination`);
//! and `-a ../answers.yml` (`answers_file_outside_the_destination`).

use std::collections::BTreeMap;

use crate::harness::{read, read_tree, GitRepo, Harness, Run, Snap, ANSWERS_HEADER, DEST};
use crate::tasks::{refusal, Releases};

/// A harness whose `outside/` folder holds a secret and a victim file.
fn world() -> Harness {
    let h = Harness::new();
    populate_outside(&h);
    h
}

/// Writes the files of `outside/`: a secret, a partial, data and a victim.
fn populate_outside(h: &Harness) {
    h.write("outside/secret.txt", "secret\n");
    h.write("outside/secret.hbs", "secret\n");
    h.write("outside/data.yml", "key: leaked\n");
    h.write("outside/victim.txt", "victim\n");
}

/// Everything in the harness folder but graft's own template cache.
fn snapshot(h: &Harness) -> BTreeMap<String, Snap> {
    let mut tree = read_tree(h.root());
    tree.retain(|path, _| !path.starts_with("home/cache/"));
    tree
}

/// Asserts `after` equals `before`, naming only the paths that differ.
#[track_caller]
fn assert_unchanged(before: &BTreeMap<String, Snap>, after: &BTreeMap<String, Snap>) {
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .collect();
    assert!(changed.is_empty(), "files changed: {changed:?}");
}

/// Runs `graft ARGS`, expecting exit `code` with exactly `stderr`, and not
/// one byte changed anywhere in the harness folder.
#[track_caller]
fn refused(h: &Harness, args: &[&str], code: i32, stderr: &str) -> Run {
    let before = snapshot(h);
    let run = h.run(args).code(code);
    assert_eq!(run.stderr, stderr);
    assert_unchanged(&before, &snapshot(h));
    run
}

/// `graft copy template dest ARGS` through [`refused`].
#[track_caller]
fn copy_refused(h: &Harness, args: &[&str], code: i32, stderr: &str) -> Run {
    refused(
        h,
        &[&["copy", "template", DEST], args].concat(),
        code,
        stderr,
    )
}

/// Every path in the harness folder whose last segment is `pwned`.
fn pwned(h: &Harness) -> Vec<String> {
    read_tree(h.root())
        .into_keys()
        .filter(|p| p == "pwned" || p.ends_with("/pwned"))
        .collect()
}

/// The `outside/` folder as it is now.
fn outside(h: &Harness) -> BTreeMap<String, Snap> {
    read_tree(&h.path("outside"))
}

// --- 1. No rendered path escapes DEST; no write through a symlink out of it.

#[test]
fn rendered_name_with_a_drive_prefix() {
    let h = world();
    h.template(&[("graft.yml", "dir: x\n"), ("{{dir}}/f.txt", "x")]);
    for dir in ["C:/outside", "c:", "./C:/x", ".//z:"] {
        copy_refused(
            &h,
            &["--defaults", "-d", &format!("dir={dir}")],
            2,
            &format!("error: path `{dir}` (from `{{{{dir}}}}`) starts with a drive prefix\n"),
        );
    }
}

#[test]
fn rendered_name_with_backslashes() {
    let h = world();
    h.template(&[("graft.yml", "dir: x\n"), ("{{dir}}/f.txt", "x")]);
    copy_refused(
        &h,
        &["--defaults", "-d", r"dir=..\outside"],
        2,
        "error: path `..\\outside` (from `{{dir}}`) contains a backslash\n",
    );
}

#[test]
fn answers_file_setting_rendered_outside_the_destination() {
    let h = world();
    h.template(&[(
        "graft.yml",
        "_answers_file: \"{{where}}/answers.yml\"\nwhere: .\n",
    )]);
    copy_refused(
        &h,
        &["--defaults", "-d", "where=../outside"],
        2,
        "error: path `../outside/answers.yml` (from `the answers file`) must be a relative path inside the destination\n",
    );
}

/// v1.0.0 of a git template with `config/a.conf` and `app.conf`, copied;
/// then v2.0.0 changing both and adding `config/b.conf`.
fn released_twice() -> Releases {
    let mut r = Releases::new();
    populate_outside(&r.h);
    r.release(
        "v1.0.0",
        &[
            ("graft.yml", "name: app\n"),
            ("app.conf", "one\n"),
            ("config/a.conf", "one\n"),
        ],
        &[],
    );
    r.h.copy(&["--defaults", "-q"]).success();
    r.release(
        "v2.0.0",
        &[
            ("app.conf", "two\n"),
            ("config/a.conf", "two\n"),
            ("config/b.conf", "new\n"),
        ],
        &[],
    );
    r
}

#[test]
fn update_writes_nothing_through_a_destination_folder_symlink_leading_outside() {
    let r = released_twice();
    std::fs::remove_dir_all(r.h.path("dest/config")).expect("remove folder");
    r.h.symlink("dest/config", "../outside");
    refused(
        &r.h,
        &["update", DEST, "--defaults"],
        2,
        &format!(
            "error: path `config/b.conf` (from `{}`) would be written through a symlink that leads outside the destination\n",
            r.h.path("dest/config").display()
        ),
    );
}

#[test]
fn update_writes_nothing_through_a_destination_file_symlink_leading_outside() {
    let r = released_twice();
    std::fs::remove_file(r.h.path("dest/app.conf")).expect("remove file");
    r.h.symlink("dest/app.conf", "../outside/victim.txt");
    let before = outside(&r.h);
    let run = r.update(&["--defaults"]).code(1);
    assert!(
        run.stderr.starts_with(
            "  conflict  app.conf (cannot merge; the template's version is in `app.conf.graft-new`)\n"
        ),
        "{}",
        run.stderr
    );
    // The link is the project's; the template's version goes beside it.
    assert_eq!(
        read_tree(&r.h.dest()).get("app.conf"),
        Some(&Snap::Link("../outside/victim.txt".to_string()))
    );
    assert_eq!(read(&r.h.path("dest/app.conf.graft-new")), "two\n");
    assert_eq!(outside(&r.h), before);
}

#[test]
fn injection_through_a_destination_symlink_leading_outside() {
    let h = world();
    h.template(&[(
        "graft.yml",
        "name: app\n_injections:\n  - into: shared/victim.txt\n    after: victim\n    content: \"pwned\"\n",
    )]);
    h.symlink("dest/shared", "../outside");
    copy_refused(
        &h,
        &["--defaults"],
        2,
        &format!(
            "error: path `shared/victim.txt` (from `{}`) would be written through a symlink that leads outside the destination\n",
            h.path("dest/shared").display()
        ),
    );
}

#[test]
fn planted_journal_cannot_touch_files_outside_the_project() {
    let h = world();
    h.template(&[("graft.yml", "name: app\n"), ("a.txt", "a\n")]);
    h.copy(&["--defaults", "-q"]).success();
    // A project from a stranger may ship a journal naming paths outside it,
    // even in the form graft writes: it is refused before any entry is read.
    for line in [
        "remove\t../outside/victim.txt",
        "graft-journal 2\t1-1\nremove\t0000000000000000000000000000000000000000\t../outside/victim.txt",
        "graft-journal 2\t1-1\nrestore\t0\tstolen.txt\t0000000000000000000000000000000000000000\t../../outside/secret.txt",
    ] {
        h.write("dest/.graft-journal/index", format!("{line}\n"));
        let journal = h.path("dest/.graft-journal/index");
        let reason = if line.starts_with("graft-journal") {
            "graft has no record of writing it here on this machine"
        } else {
            "it is not in the form graft writes"
        };
        refused(
            &h,
            &["update", DEST, "--defaults"],
            2,
            &format!(
                "error: the journal `{}` was not written by graft here: {reason}\n\
                 hint: graft rolled nothing back; if no graft command was interrupted in this project (a journal can come with a cloned repository), check the project, then delete `.graft-journal`\n",
                journal.display()
            ),
        );
    }
}

// --- 2. Template symlinks, `_subdirectory`, `!include` and partials stay in the template.

#[test]
fn template_symlink_to_a_symlink_leading_outside() {
    let h = world();
    h.template(&[("graft.yml", "name: app\n")]);
    h.symlink("template/a.txt", "b.txt");
    h.symlink("template/b.txt", "../outside/secret.txt");
    copy_refused(
        &h,
        &["--defaults"],
        2,
        "error: symlink `b.txt` in the template points to `../outside/secret.txt`, which is outside the template\n",
    );
}

#[test]
fn git_template_symlink_leading_outside() {
    let h = world();
    let mut repo = GitRepo::init(&h, "template");
    h.symlink("template/leak", "../outside");
    repo.commit(&[("graft.yml", "name: app\n")], &[], "leak");
    repo.tag("v1.0.0");
    copy_refused(
        &h,
        &["--defaults"],
        2,
        "error: symlink `leak` in the template points to `../outside`, which is outside the template\n",
    );
}

#[test]
fn subdirectory_rendered_outside_the_template() {
    let h = world();
    h.template(&[
        ("graft.yml", "_subdirectory: \"{{sub}}\"\nsub: src\n"),
        ("src/a.txt", "a\n"),
    ]);
    let outside = h.path("outside");
    for (sub, reason) in [
        (outside.display().to_string(), "is absolute"),
        ("src/../../outside".to_string(), "contains `..`"),
    ] {
        copy_refused(
            &h,
            &["--defaults", "-d", &format!("sub={sub}")],
            2,
            &format!(
                "error: path `{sub}` (from `_subdirectory`) {reason}; `_subdirectory` must stay inside the template\n"
            ),
        );
    }
}

#[test]
fn include_of_an_absolute_path_or_through_a_symlink() {
    let h = world();
    h.write("outside/tasks.yml", "_tasks: [\"touch pwned\"]\n");
    h.symlink("template/tasks.yml", "../outside/tasks.yml");
    let abs = h.path("outside/tasks.yml").display().to_string();
    for (include, reason) in [
        (abs.as_str(), "must name files inside the template"),
        ("tasks.yml", "matches no file of the template"),
    ] {
        h.write(
            "template/graft.yml",
            format!("name: app\n---\n!include {include}\n"),
        );
        copy_refused(
            &h,
            &["--defaults", "--trust"],
            2,
            &format!("error: graft.yml:3: `!include {include}` {reason}\n"),
        );
    }
}

#[test]
fn partial_outside_the_template_is_never_read() {
    let h = world();
    h.template(&[("graft.yml", "name: app\n"), ("_partials/ok.hbs", "ok")]);
    for partial in ["../../outside/secret", "../outside/secret", "/etc/passwd"] {
        h.write("template/a.txt.hbs", format!("{{{{> {partial}}}}}\n"));
        copy_refused(
            &h,
            &["--defaults"],
            2,
            &format!(
                "error: cannot render `a.txt.hbs` at line 1\ncaused by: Partial not found {partial}\n"
            ),
        );
    }
    // A partials folder outside the template provides nothing either.
    h.write("template/graft.yml", "_partials: ../outside\nname: app\n");
    h.write("template/a.txt.hbs", "{{> secret}}\n");
    copy_refused(
        &h,
        &["--defaults"],
        2,
        "error: cannot render `a.txt.hbs` at line 1\ncaused by: Partial not found secret\n",
    );
}

#[test]
fn external_data_outside_the_destination_needs_trust() {
    let h = world();
    let abs = h.path("outside/data.yml").display().to_string();
    for path in ["../outside/data.yml", abs.as_str()] {
        h.template(&[
            (
                "graft.yml",
                &format!("_external_data:\n  other: \"{path}\"\nname: app\n"),
            ),
            ("a.txt.hbs", "{{_external_data.other.key}}\n"),
        ]);
        copy_refused(
            &h,
            &["--defaults"],
            4,
            &format!(
                "error: `_external_data` `other` reads `{path}`, outside the destination\n\
                 hint: run again with `--trust` if you trust this template\n"
            ),
        );
        h.copy(&["--defaults", "--trust", "-q"]).success();
        assert_eq!(h.dest_file("a.txt"), "leaked\n");
        std::fs::remove_dir_all(h.dest()).expect("remove dest");
    }
}

#[test]
fn external_data_through_a_symlink_leading_outside_needs_trust() {
    let h = world();
    h.template(&[
        (
            "graft.yml",
            "_external_data:\n  other: shared/data.yml\nname: app\n",
        ),
        ("a.txt.hbs", "{{_external_data.other.key}}\n"),
    ]);
    h.symlink("dest/shared", "../outside");
    copy_refused(
        &h,
        &["--defaults"],
        4,
        "error: `_external_data` `other` reads `shared/data.yml`, outside the destination\n\
         hint: run again with `--trust` if you trust this template\n",
    );
    h.copy(&["--defaults", "--trust", "-q"]).success();
    assert_eq!(h.dest_file("a.txt"), "leaked\n");
}

// --- 3. YAML never constructs code or objects.

const PYTHON_TAG: &str = "!!python/object/apply:os.system [\"touch pwned\"]";

#[test]
fn yaml_object_tag_in_a_template_default_is_plain_data() {
    let h = world();
    h.template(&[
        ("graft.yml", &format!("cmd: {PYTHON_TAG}\n")),
        ("a.txt.hbs", "{{to_json cmd}}\n"),
    ]);
    h.copy(&["--defaults", "-q"]).success();
    assert_eq!(h.dest_file("a.txt"), "[\"touch pwned\"]\n");
    h.assert_answers("cmd:\n- touch pwned\n");
    assert_eq!(pwned(&h), Vec::<String>::new());
}

/// A template asking `name` (text) and `cmd` (any YAML value).
fn text_and_yaml_questions() -> Harness {
    let h = world();
    h.template(&[
        ("graft.yml", "name: app\ncmd: {type: yaml, default: []}\n"),
        ("a.txt.hbs", "{{name}} {{to_json cmd}}\n"),
    ]);
    h
}

#[test]
fn yaml_object_tag_in_a_data_file_is_plain_data_or_refused() {
    let h = text_and_yaml_questions();
    h.write("data.yml", format!("name: {PYTHON_TAG}\n"));
    copy_refused(
        &h,
        &["--defaults", "--data-file", "data.yml"],
        2,
        "error: invalid answer for `name` from `--data-file`: expected text, got `[\"touch pwned\"]`\n",
    );
    h.write("data.yml", format!("cmd: {PYTHON_TAG}\n"));
    h.copy(&["--defaults", "--data-file", "data.yml", "-q"])
        .success();
    assert_eq!(h.dest_file("a.txt"), "app [\"touch pwned\"]\n");
    assert_eq!(pwned(&h), Vec::<String>::new());
}

#[test]
fn yaml_object_tag_in_an_answers_file_is_plain_data_or_refused() {
    let h = text_and_yaml_questions();
    h.copy(&["--defaults", "-q"]).success();
    let src = h.template_src();
    h.write(
        "dest/.graft-answers.yml",
        format!("_src_path: {PYTHON_TAG}\nname: app\n"),
    );
    refused(
        &h,
        &["update", DEST, "--defaults"],
        2,
        "error: .graft-answers.yml:1: `_src_path` must be text, found `[\"touch pwned\"]`\n",
    );
    h.write(
        "dest/.graft-answers.yml",
        format!(
            "_src_path: {src}\nname: app\ncmd: !!python/object/new:os.system [\"touch pwned\"]\n"
        ),
    );
    h.run(&["update", DEST, "--defaults", "-q"]).success();
    // The answer is kept as the list it reads as; the tag is gone.
    h.assert_answers("name: app\ncmd:\n- touch pwned\n");
    assert_eq!(pwned(&h), Vec::<String>::new());
}

// --- 4. Nothing runs without trust; trust matching cannot be fooled.

/// A git template `evil/` (tagged v1.0.0) whose task would create `pwned`,
/// and a settings file trusting `gh:acme/` and the folder `trusted/`.
fn evil_world() -> Harness {
    let h = world();
    let mut repo = GitRepo::init(&h, "evil");
    repo.commit(
        &[
            ("graft.yml", "name: app\n_tasks: [\"touch pwned\"]\n"),
            ("a.txt", "a\n"),
        ],
        &[],
        "evil",
    );
    repo.tag("v1.0.0");
    h.mkdir("trusted");
    h.settings(&format!(
        "trust:\n  - gh:acme/\n  - {}/\n",
        h.path("trusted").display()
    ));
    h
}

/// Makes `url` resolve, offline, to the `evil/` repository: its mirror in
/// the cache is a clone of `evil/`.
fn mirror_evil_as(h: &Harness, url: &str) {
    let spec = graft::source::SourceSpec::parse(url, h.root()).expect("valid URL");
    let name = spec.cache_name().expect("a remote source");
    let mirror = h.path(&format!("home/cache/mirrors/{name}.git"));
    if mirror.exists() {
        // Two spellings of one source share a mirror.
        return;
    }
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--mirror"])
        .arg(h.path("evil"))
        .arg(&mirror)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", h.path("home"))
        .status()
        .expect("run git clone");
    assert!(status.success());
}

/// `src` (which resolves to `evil/`) is refused by copy from the command
/// line and by update from a project's answers file, exit 4, showing the
/// source as `shown`, with nothing changed anywhere.
#[track_caller]
fn not_trusted(h: &Harness, src: &str, shown: &str) {
    let stderr = refusal(shown, &["touch pwned"]);
    refused(
        h,
        &["copy", src, DEST, "--defaults", "--offline"],
        4,
        &stderr,
    );
    h.write(
        "dest/.graft-answers.yml",
        format!("{ANSWERS_HEADER}_src_path: '{src}'\n_commit: v1.0.0\nname: app\n"),
    );
    h.write("dest/a.txt", "a\n");
    refused(h, &["update", DEST, "--defaults", "--offline"], 4, &stderr);
    std::fs::remove_dir_all(h.dest()).expect("remove dest");
}

#[test]
fn trust_entries_trust_what_is_below_them() {
    // The control for the bypass tests: the same setup, trusted for real.
    let h = evil_world();
    let url = "https://github.com/acme/service";
    mirror_evil_as(&h, url);
    h.run(&["copy", url, DEST, "--defaults", "--offline", "-q"])
        .success();
    assert!(h.path("dest/pwned").is_file());
}

#[test]
fn trust_is_not_bypassed_by_dot_segments() {
    let h = evil_world();
    let src = format!("{}/../evil", h.path("trusted").display());
    not_trusted(&h, &src, &h.path("evil").display().to_string());
    let url = "https://github.com/acme/../evil";
    mirror_evil_as(&h, url);
    not_trusted(&h, url, url);
}

#[test]
fn trust_is_not_bypassed_by_percent_encoding() {
    let h = evil_world();
    for url in [
        "https://github.com/acme/%2e%2e/evil",
        "https://github.com/acme/%252e%252e/evil",
        "https://github.com/acme%2f..%2fevil",
    ] {
        mirror_evil_as(&h, url);
        not_trusted(&h, url, url);
    }
}

#[test]
fn trust_is_not_bypassed_by_backslashes() {
    let h = evil_world();
    let url = r"https://github.com/acme\..\evil";
    mirror_evil_as(&h, url);
    not_trusted(&h, url, url);
    // On Unix `trusted\..\evil` is one folder name, beside `trusted/`.
    let dir = r"trusted\..\evil";
    let copied = std::process::Command::new("cp")
        .args(["-r", "evil", dir])
        .current_dir(h.root())
        .status()
        .expect("copy the template");
    assert!(copied.success());
    let src = h.path(dir).display().to_string();
    not_trusted(&h, &src, &src);
}

#[test]
fn trust_is_not_bypassed_by_credentials() {
    let h = evil_world();
    for (url, shown) in [
        (
            "https://github.com:x@evil.example/acme/service",
            "https://evil.example/acme/service",
        ),
        (
            "https://github.com%2facme%2f@evil.example/acme/service",
            "https://evil.example/acme/service",
        ),
        (
            "https://user:pass@github.com/acme/../evil",
            "https://github.com/acme/../evil",
        ),
    ] {
        mirror_evil_as(&h, url);
        not_trusted(&h, url, shown);
    }
}

// --- 5. Refs and URLs from an answers file are never options.

/// A project copied from a git template (v1.0.0), so its answers file has
/// `_src_path`, `_commit` and `_commit_sha` to tamper with.
fn copied_from_git() -> Harness {
    let h = world();
    let mut repo = GitRepo::init(&h, "template");
    repo.commit(
        &[("graft.yml", "name: app\n"), ("a.txt", "a\n")],
        &[],
        "first",
    );
    repo.tag("v1.0.0");
    h.copy(&["--defaults", "-q"]).success();
    h
}

/// Replaces the recorded `key` line of the answers file with `key: value`.
fn tamper(h: &Harness, key: &str, value: &str) {
    let text = read(&h.path("dest/.graft-answers.yml"));
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with(&format!("{key}:")) {
                format!("{key}: {value}")
            } else {
                l.to_string()
            }
        })
        .collect();
    h.write("dest/.graft-answers.yml", lines.join("\n") + "\n");
}

/// With `key: value` in the answers file, update exits 2 with exactly
/// `stderr` and changes nothing.
#[track_caller]
fn tampered_update_refused(h: &Harness, key: &str, value: &str, stderr: &str) {
    tamper(h, key, value);
    refused(h, &["update", DEST, "--defaults"], 2, stderr);
}

#[test]
fn answers_file_commit_that_looks_like_an_option() {
    tampered_update_refused(
        &copied_from_git(),
        "_commit",
        "'--upload-pack=touch pwned'",
        "error: .graft-answers.yml:3: `_commit` `--upload-pack=touch pwned` is not a valid git ref\n",
    );
}

#[test]
fn answers_file_commit_sha_that_looks_like_an_option() {
    tampered_update_refused(
        &copied_from_git(),
        "_commit_sha",
        "-x",
        "error: .graft-answers.yml:4: `_commit_sha` `-x` is not a commit id (4 to 64 hex digits)\n",
    );
}

#[test]
fn answers_file_source_that_looks_like_an_option() {
    let h = copied_from_git();
    let not_a_source = |src: &str| {
        format!(
            "error: `{src}` is not a directory or a git URL\n\
             hint: pass the path of a template folder, or a git URL such as \
             `https://host/owner/repo.git`, `git@host:owner/repo.git` or `gh:owner/repo`\n"
        )
    };
    let malformed = |url: &str, reason: &str| {
        format!(
            "error: malformed git URL `{url}`: {reason}\n\
             hint: git URLs look like `https://host/owner/repo.git`, `ssh://git@host/owner/repo.git`, \
             `git@host:owner/repo.git`, `git://host/repo.git`, `file:///path/to/repo`, \
             `gh:owner/repo` or `gl:owner/repo`\n"
        )
    };
    for (src, stderr) in [
        ("--config=x", not_a_source("--config=x")),
        (
            "-oProxyCommand=touch pwned",
            not_a_source("-oProxyCommand=touch pwned"),
        ),
        (
            "ssh://-oProxyCommand=pwned/x",
            malformed(
                "ssh://-oProxyCommand=pwned/x",
                "invalid host `-oProxyCommand=pwned`",
            ),
        ),
        (
            "-oProxyCommand=pwned@host.example:x",
            malformed("-oProxyCommand=pwned@host.example:x", "invalid user name"),
        ),
    ] {
        tampered_update_refused(&h, "_src_path", &format!("'{src}'"), &stderr);
    }
}

// --- 6. Secrets never reach the answers file, the JSON report or `-v`.

const SECRET: &str = "s3cr3t-t0ken";

/// A template whose tasks embed the secret answer `token`.
const SECRET_TEMPLATE: &str = r#"token:
  default: none
  secret: true
name: app
_tasks:
  - "test {{token}} = $GRAFT_ANSWER_TOKEN"
  - [sh, -c, "test \"$1\" = {{token}}", sh, "{{token}}"]
"#;

const SECRET_TASKS: [&str; 2] = [
    "test **** = $GRAFT_ANSWER_TOKEN",
    "sh -c 'test \"$1\" = ****' sh '****'",
];

#[track_caller]
fn assert_no_secret(run: &Run, h: &Harness) {
    assert!(!run.stdout.contains(SECRET), "stdout: {}", run.stdout);
    assert!(!run.stderr.contains(SECRET), "stderr: {}", run.stderr);
    let answers = read(&h.path("dest/.graft-answers.yml"));
    assert!(
        !answers.contains(SECRET) && !answers.contains("token"),
        "{answers}"
    );
}

#[track_caller]
fn assert_shown_masked(run: &Run) {
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON report");
    let shown: Vec<&str> = report["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["command"].as_str().expect("command"))
        .collect();
    assert_eq!(shown, SECRET_TASKS);
    for task in SECRET_TASKS {
        assert!(
            run.stderr.contains(&format!(": {task}\n")),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn secret_in_a_task_is_masked_on_copy() {
    let h = world();
    h.template(&[("graft.yml", SECRET_TEMPLATE), ("a.txt", "a\n")]);
    let data = format!("token={SECRET}");
    copy_refused(
        &h,
        &["--defaults", "-d", &data],
        4,
        &refusal(&h.template_src(), &SECRET_TASKS),
    );
    let run = h
        .copy(&["--defaults", "-d", &data, "--trust", "-v", "--json"])
        .success();
    assert_no_secret(&run, &h);
    assert_shown_masked(&run);
}

#[test]
fn secret_in_a_task_is_masked_on_update() {
    let mut r = Releases::new();
    r.release(
        "v1.0.0",
        &[("graft.yml", SECRET_TEMPLATE), ("a.txt", "a\n")],
        &[],
    );
    let data = format!("token={SECRET}");
    r.h.copy(&["--defaults", "-d", &data, "--trust", "-q"])
        .success();
    r.release("v2.0.0", &[("a.txt", "b\n")], &[]);
    let run = r
        .update(&["--defaults", "-d", &data, "--trust", "-v", "--json"])
        .success();
    assert_no_secret(&run, &r.h);
    assert_shown_masked(&run);
}

#[test]
fn secret_in_a_failing_task_is_masked() {
    let h = world();
    h.template(&[(
        "graft.yml",
        "token: {default: none, secret: true}\n_tasks: [\"test {{token}} = other\"]\n",
    )]);
    let run = h
        .copy(&["--defaults", "-d", &format!("token={SECRET}"), "--trust"])
        .code(2);
    assert!(
        run.stderr
            .ends_with("error: task `test **** = other` failed with exit code 1\n"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(SECRET));
}
