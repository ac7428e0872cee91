//! Templates with git submodules: the files of each submodule, at the
//! commit the template records, are part of the template (Copier checks
//! templates out with `git submodule update --init --recursive`), nested
//! ones too; and each way reaching them can fail names the submodule.

use crate::harness::{read_tree, work_tree, GitDaemon, GitRepo, Harness, Snap, DEST, TEMPLATE};

const CONFIG: (&str, &str) = ("graft.yml", "name: app\n");

/// `git submodule add URL PATH` in `repo`, allowing local URLs as the
/// tests of graft need (git refuses `file` transport for them by default).
fn submodule_add(repo: &GitRepo, url: &str, path: &str) {
    repo.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        url,
        path,
    ]);
}

/// A repository `lib/` with a text file, a binary file and an executable.
fn lib(h: &Harness) {
    let mut lib = GitRepo::init(h, "lib");
    h.write("lib/bin/data.bin", [0u8, 159, 146, 150, 255, b'\n', 0]);
    h.write("lib/bin/run.sh", "#!/bin/sh\necho lib\n");
    h.set_executable("lib/bin/run.sh", true);
    lib.commit(&[("README.md", "the lib\n")], &[], "lib");
}

#[test]
fn submodule_files_are_copied_byte_for_byte() {
    let h = Harness::new();
    lib(&h);
    let mut tpl = GitRepo::init(&h, TEMPLATE);
    tpl.commit(&[CONFIG], &[], "config");
    submodule_add(&tpl, "../lib", "vendor/lib");
    tpl.release("v1.0.0", &[], &[]);

    h.copy(&["--defaults"]).success();
    assert_eq!(
        read_tree(&h.dest().join("vendor/lib")),
        work_tree(&h.path("lib"))
    );
    assert!(matches!(
        read_tree(&h.dest().join("vendor/lib/bin")).get("run.sh"),
        Some(Snap::Text {
            executable: true,
            ..
        })
    ));
    // No `.git` of the submodule comes along; `.gitmodules` does, as with
    // Copier.
    assert!(!h.dest().join("vendor/lib/.git").exists());
    assert!(h.dest().join(".gitmodules").is_file());
}

#[test]
fn a_copier_template_renders_its_submodule_files() {
    let h = Harness::new();
    let mut lib = GitRepo::init(&h, "lib");
    lib.commit(
        &[
            ("greeting.txt.jinja", "hello {{ name }}\n"),
            ("plain.txt", "{{ kept as is }}\n"),
        ],
        &[],
        "lib",
    );
    let mut tpl = GitRepo::init(&h, TEMPLATE);
    tpl.commit(&[("copier.yml", "name: app\n")], &[], "config");
    submodule_add(&tpl, "../lib", "lib");
    tpl.release("1.0.0", &[], &[]);

    h.copy(&["--defaults", "--data", "name=world"]).success();
    assert_eq!(h.dest_file("lib/greeting.txt"), "hello world\n");
    assert_eq!(h.dest_file("lib/plain.txt"), "{{ kept as is }}\n");
}

#[test]
fn nested_submodules_are_copied() {
    let h = Harness::new();
    let mut inner = GitRepo::init(&h, "inner");
    inner.commit(&[("deep.txt", "deep\n")], &[], "inner");
    let mut lib = GitRepo::init(&h, "lib");
    lib.commit(&[("lib.txt", "lib\n")], &[], "lib");
    submodule_add(&lib, "../inner", "inner");
    lib.commit(&[], &[], "add inner");
    let mut tpl = GitRepo::init(&h, TEMPLATE);
    tpl.commit(&[CONFIG], &[], "config");
    submodule_add(&tpl, "../lib", "lib");
    tpl.release("v1.0.0", &[], &[]);

    h.copy(&["--defaults"]).success();
    assert_eq!(h.dest_file("lib/lib.txt"), "lib\n");
    assert_eq!(h.dest_file("lib/inner/deep.txt"), "deep\n");
}

#[test]
fn update_follows_the_commit_the_template_records() {
    let h = Harness::new();
    let mut lib = GitRepo::init(&h, "lib");
    lib.commit(&[("lib.txt", "one\n"), ("same.txt", "same\n")], &[], "one");
    let mut tpl = GitRepo::init(&h, TEMPLATE);
    tpl.commit(&[CONFIG], &[], "config");
    submodule_add(&tpl, "../lib", "lib");
    tpl.release("v1.0.0", &[], &[]);
    h.copy_into_git(&["--defaults"]);

    lib.commit(&[("lib.txt", "two\n")], &[], "two");
    // Unreleased: the template still records `one`.
    h.update(&["--defaults"]).success();
    assert_eq!(h.dest_file("lib/lib.txt"), "one\n");
    GitRepo::open(&h, &format!("{TEMPLATE}/lib")).git(&["pull", "-q", "origin", "main"]);
    tpl.release("v2.0.0", &[], &[]);
    h.update(&["--defaults"]).success();
    assert_eq!(h.dest_file("lib/lib.txt"), "two\n");
    assert_eq!(h.dest_file("lib/same.txt"), "same\n");
}

#[test]
fn a_commit_missing_from_the_submodule_repository_fails() {
    let h = Harness::new();
    let mut lib = GitRepo::init(&h, "lib");
    lib.commit(&[("lib.txt", "one\n")], &[], "one");
    let mut tpl = GitRepo::init(&h, TEMPLATE);
    tpl.commit(&[CONFIG], &[], "config");
    submodule_add(&tpl, "../lib", "lib");
    // The template records a commit made in its checkout of `lib` and
    // never pushed.
    let sub = GitRepo::open(&h, &format!("{TEMPLATE}/lib"));
    sub.git(&["commit", "-q", "--allow-empty", "-m", "local only"]);
    let unpushed = sub.git(&["rev-parse", "HEAD"]).trim().to_string();
    tpl.release("v1.0.0", &[], &[]);

    let run = h.copy(&["--defaults"]).code(2);
    assert_eq!(
        run.stderr,
        format!(
            "error: submodule `lib` is at commit `{unpushed}`, which `{}` does not have\n\
             hint: push that commit to a branch or tag of the submodule's repository \
             (graft fetches only those)\n",
            h.path("lib").display()
        )
    );
    assert!(!h.dest().exists());
}

#[test]
fn a_gitlink_without_a_gitmodules_entry_fails() {
    let h = Harness::new();
    let mut tpl = GitRepo::init(&h, TEMPLATE);
    let sha = tpl.commit(&[CONFIG], &[], "config");
    tpl.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{sha},vendor/sub"),
    ]);
    tpl.git(&["commit", "-q", "-m", "a gitlink without .gitmodules"]);
    tpl.tag("v1.0.0");
    let run = h.copy(&["--defaults"]).code(2);
    assert_eq!(
        run.stderr,
        format!(
            "error: submodule `vendor/sub` has no URL in the `.gitmodules` of `{}`\n\
             hint: register it with `git submodule add URL vendor/sub`, or drop it with \
             `git rm --cached vendor/sub`\n",
            h.template_src()
        )
    );
}

#[test]
fn submodule_from_a_remote_then_offline() {
    let h = Harness::new();
    let mut lib = GitRepo::init(&h, "served/lib");
    lib.commit(&[("lib.txt", "lib\n")], &[], "lib");
    let daemon = GitDaemon::start(&h, "served");
    let url = daemon.url("lib");
    let mut tpl = GitRepo::init(&h, TEMPLATE);
    tpl.commit(&[CONFIG], &[], "config");
    submodule_add(&tpl, &url, "lib");
    tpl.release("v1.0.0", &[], &[]);

    // Never fetched: offline has no copy of the submodule.
    let run = h.copy(&["--defaults", "--offline"]).code(2);
    assert_eq!(
        run.stderr,
        format!(
            "error: cannot read submodule `lib` from `{url}`\n\
             caused by: no cached copy of `{url}`; run once without --offline\n"
        )
    );
    h.copy(&["--defaults"]).success();
    assert_eq!(h.dest_file("lib/lib.txt"), "lib\n");
    std::fs::remove_dir_all(h.dest()).unwrap();
    drop(daemon);
    h.copy(&["--defaults", "--offline"]).success();
    assert_eq!(h.dest_file("lib/lib.txt"), "lib\n");
}

#[test]
fn a_remote_template_cannot_use_a_submodule_on_this_machine() {
    let h = Harness::new();
    let mut secret = GitRepo::init(&h, "secret");
    secret.commit(&[("secret.txt", "secret\n")], &[], "secret");
    let mut tpl = GitRepo::init(&h, "served/tpl");
    tpl.commit(&[CONFIG], &[], "config");
    let local = h.path("secret").display().to_string();
    submodule_add(&tpl, &local, "loot");
    tpl.release("v1.0.0", &[], &[]);
    let daemon = GitDaemon::start(&h, "served");
    let src = daemon.url("tpl");
    let run = h.run(&["copy", &src, DEST, "--defaults"]).code(2);
    assert_eq!(
        run.stderr,
        format!(
            "error: submodule `loot` of `{src}` has an unusable URL `{local}`: `{local}` is on \
             this machine, and a template fetched from elsewhere cannot reach into it\n\
             hint: correct the submodule's `url` in `.gitmodules`\n"
        )
    );
    assert!(!h.dest().exists());
}
