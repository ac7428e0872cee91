//! Templates from git (SPEC §5): which commit `graft copy` renders, what it
//! records about it, local and `git://` sources with the mirror cache and
//! `--offline`, and sources refused before anything is written.

use crate::harness::{
    free_port, read_tree, text_files, GitDaemon, GitRepo, Harness, Run, ANSWERS_FILE,
    ANSWERS_HEADER, DEST, TEMPLATE,
};

const CONFIG: (&str, &str) = ("graft.yml", "name: app\n");

/// The answers file of a copy of `src` at the commit `sha`, which git
/// describes as `commit`, with the default answer `name: app`.
fn answers(src: &str, commit: &str, sha: &str) -> String {
    format!("{ANSWERS_HEADER}_src_path: {src}\n_commit: {commit}\n_commit_sha: {sha}\nname: app\n")
}

/// A template repository whose `v.txt` names each commit, with one
/// release per tag in `tags` (oldest commit first).
fn released(h: &Harness, tags: &[&str]) -> GitRepo {
    let mut repo = GitRepo::init(h, TEMPLATE);
    repo.commit(&[CONFIG], &[], "config");
    for tag in tags {
        repo.release(tag, &[("v.txt", tag)], &[]);
    }
    repo
}

/// Copies with `args` and returns the `v.txt` it rendered.
fn rendered_version(h: &Harness, args: &[&str]) -> String {
    h.copy(&[&["--defaults"], args].concat()).success();
    let v = h.dest_file("v.txt");
    std::fs::remove_dir_all(h.dest()).expect("remove dest");
    v
}

#[test]
fn highest_version_tag_wins_whatever_the_commit_order() {
    let h = Harness::new();
    let mut repo = GitRepo::init(&h, TEMPLATE);
    // v2.0.0 first, then a v1.5.0 backport, then unreleased work on top.
    let v2 = repo.release("v2.0.0", &[CONFIG, ("v.txt", "two\n")], &[]);
    repo.release("v1.5.0", &[("v.txt", "one and a half\n")], &[]);
    repo.commit(&[("v.txt", "unreleased\n")], &[], "work");
    let run = h.copy(&["--defaults"]).success();
    assert_eq!(h.dest_file("v.txt"), "two\n");
    assert_eq!(
        h.dest_file(ANSWERS_FILE),
        answers(&h.template_src(), "v2.0.0", &v2)
    );
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

#[test]
fn short_version_tags_are_padded_and_ordered_as_semver() {
    // (tags, oldest commit first; the one graft must pick)
    let cases: [(&[&str], &str); 3] = [
        (&["v1.2.0", "v1.0.1", "v1"], "v1.2.0"),
        (&["v1.0.1", "v1"], "v1.0.1"),
        (&["v1", "release-9", "latest"], "v1"),
    ];
    for (tags, want) in cases {
        let h = Harness::new();
        released(&h, tags);
        assert_eq!(rendered_version(&h, &[]), want, "tags {tags:?}");
    }
}

#[test]
fn prerelease_is_only_taken_with_prereleases() {
    let h = Harness::new();
    released(&h, &["v1.0.0", "v2.0.0-rc.1"]);
    assert_eq!(rendered_version(&h, &[]), "v1.0.0");
    assert_eq!(rendered_version(&h, &["--prereleases"]), "v2.0.0-rc.1");
    assert_eq!(rendered_version(&h, &["-g"]), "v2.0.0-rc.1");
}

#[test]
fn pep440_tags_are_ordered_as_copier_orders_them() {
    let h = Harness::new();
    released(
        &h,
        &["1.1.0rc1", "1.0.0.post1", "1.0.0", "1.1.0.dev2", "1.0.0a1"],
    );
    assert_eq!(rendered_version(&h, &[]), "1.0.0.post1");
    assert_eq!(rendered_version(&h, &["--prereleases"]), "1.1.0rc1");
}

#[test]
fn vcs_ref_takes_a_tag_a_branch_or_a_sha() {
    let h = Harness::new();
    let mut repo = released(&h, &["v1.0.0", "v2.0.0"]);
    repo.git(&["checkout", "-q", "-b", "feature", "v1.0.0"]);
    let feature = repo.commit(&[("v.txt", "feature")], &[], "feature work");
    repo.git(&["checkout", "-q", "main"]);
    let head = repo.commit(&[("v.txt", "head")], &[], "main work");
    let v1 = repo
        .git(&["rev-parse", "v1.0.0^{commit}"])
        .trim()
        .to_string();

    for (vcs_ref, want, sha) in [
        ("v1.0.0", "v1.0.0", &v1),
        ("feature", "feature", &feature),
        (&feature[..7], "feature", &feature),
        (&feature[..], "feature", &feature),
        ("HEAD", "head", &head),
    ] {
        h.copy(&["--defaults", "--vcs-ref", vcs_ref]).success();
        assert_eq!(h.dest_file("v.txt"), want, "--vcs-ref {vcs_ref}");
        assert_eq!(
            h.dest_file(ANSWERS_FILE),
            answers(&h.template_src(), &repo.describe(sha), sha),
            "--vcs-ref {vcs_ref}"
        );
        std::fs::remove_dir_all(h.dest()).unwrap();
    }
}

#[test]
fn without_version_tags_head_is_rendered_with_a_warning() {
    let h = Harness::new();
    let mut repo = GitRepo::init(&h, TEMPLATE);
    repo.commit(&[CONFIG, ("v.txt", "first")], &[], "first");
    repo.git(&["tag", "-a", "nightly", "-m", "not a version"]);
    let head = repo.commit(&[("v.txt", "second")], &[], "second");
    let run = h.copy(&["--defaults"]).success();
    assert_eq!(h.dest_file("v.txt"), "second");
    assert_eq!(
        run.stderr,
        format!(
            "warning: template has no version tags; using HEAD\n\
             \x20   create  v.txt\n    create  .graft-answers.yml\n\n\
             copied {} {} into {DEST}: 2 created, 0 updated, 0 identical, 0 skipped\n",
            h.template_src(),
            repo.describe(&head),
        )
    );
}

#[test]
fn commit_is_what_git_describe_prints_and_commit_sha_the_full_sha() {
    let h = Harness::new();
    let mut repo = GitRepo::init(&h, TEMPLATE);
    let first = repo.commit(&[CONFIG, ("v.txt", "1")], &[], "untagged start");
    let tagged = repo.release("v1.0.0", &[("v.txt", "2")], &[]);
    let after = repo.commit(&[("v.txt", "3")], &[], "after the tag");
    let src = h.template_src();
    for (vcs_ref, sha) in [(&first[..], &first), ("v1.0.0", &tagged), ("HEAD", &after)] {
        h.copy(&["--defaults", "--vcs-ref", vcs_ref]).success();
        let describe = repo.describe(sha);
        assert_eq!(h.dest_file(ANSWERS_FILE), answers(&src, &describe, sha));
        std::fs::remove_dir_all(h.dest()).unwrap();
    }
    // What git printed: a bare short sha, the tag, and tag-distance-gsha.
    assert_eq!(repo.describe(&first), first[..7]);
    assert_eq!(repo.describe(&tagged), "v1.0.0");
    assert_eq!(repo.describe(&after), format!("v1.0.0-1-g{}", &after[..7]));
}

#[test]
fn uncommitted_changes_are_rendered_only_with_vcs_ref_head() {
    let h = Harness::new();
    let mut repo = GitRepo::init(&h, TEMPLATE);
    let sha = repo.release("v1.0.0", &[CONFIG, ("v.txt", "committed\n")], &[]);
    h.write("template/v.txt", "uncommitted\n");
    h.write("template/new.txt", "untracked\n");

    h.copy(&["--defaults"]).success();
    assert_eq!(h.dest_file("v.txt"), "committed\n");
    assert!(!h.dest().join("new.txt").exists());
    std::fs::remove_dir_all(h.dest()).unwrap();

    let run = h.copy(&["--defaults", "--vcs-ref", "HEAD"]).success();
    assert_eq!(h.dest_file("v.txt"), "uncommitted\n");
    assert_eq!(h.dest_file("new.txt"), "untracked\n");
    assert!(
        run.stderr.starts_with(
            "warning: template has uncommitted changes; the recorded commit will not reproduce them\n"
        ),
        "{}",
        run.stderr
    );
    // The recorded commit is HEAD's, the closest there is.
    assert_eq!(
        h.dest_file(ANSWERS_FILE),
        answers(&h.template_src(), "v1.0.0", &sha)
    );
}

#[test]
fn subdirectory_of_a_git_template() {
    let h = Harness::new();
    let mut repo = GitRepo::init(&h, TEMPLATE);
    repo.release(
        "v1.0.0",
        &[
            ("graft.yml", "_subdirectory: project\nname: app\n"),
            ("README.md", "about the template\n"),
            (
                "project/{{name}}.txt.hbs",
                "{{name}} at {{_graft.commit}}\n",
            ),
        ],
        &[],
    );
    h.copy(&["--defaults"]).success();
    let files = text_files(&h.dest());
    assert_eq!(
        files.keys().map(String::as_str).collect::<Vec<_>>(),
        [ANSWERS_FILE, "app.txt"]
    );
    assert_eq!(files["app.txt"], "app at v1.0.0\n");
}

#[test]
fn file_url_and_plain_path_give_the_same_project() {
    let h = Harness::new();
    let mut repo = released(&h, &["v1.0.0"]);
    let sha = repo.release("v1.1.0", &[("sub/data.txt", "data\n")], &[]);
    let path = h.template_src();
    let url = format!("file://{path}");
    h.run(&["copy", &path, "by-path", "--defaults"]).success();
    h.run(&["copy", &url, "by-url", "--defaults"]).success();

    let mut by_path = read_tree(&h.path("by-path"));
    let mut by_url = read_tree(&h.path("by-url"));
    let answers_by_path = by_path.remove(ANSWERS_FILE);
    let answers_by_url = by_url.remove(ANSWERS_FILE);
    assert_eq!(by_path, by_url);
    // `_src_path` is the absolute path of a local template, and the URL
    // of a remote one: that is what a later update fetches from.
    let text = |snap: Option<crate::harness::Snap>| match snap {
        Some(crate::harness::Snap::Text { text, .. }) => text,
        other => panic!("answers file: {other:?}"),
    };
    assert_eq!(text(answers_by_path), answers(&path, "v1.1.0", &sha));
    assert_eq!(text(answers_by_url), answers(&url, "v1.1.0", &sha));
}

/// A bare clone of `template/` at `served/tpl.git`, served by git-daemon.
fn serve(h: &Harness) -> GitDaemon {
    GitRepo::open(h, "served").git(&["clone", "-q", "--bare", "../template", "tpl.git"]);
    GitDaemon::start(h, "served")
}

#[test]
fn git_daemon_remote_then_offline_from_the_cache() {
    let h = Harness::new();
    let sha = released(&h, &["v1.0.0", "v2.0.0"])
        .git(&["rev-parse", "HEAD"])
        .trim()
        .to_string();
    let daemon = serve(&h);
    let url = daemon.url("tpl.git");

    h.run(&["copy", &url, "online", "--defaults"]).success();
    assert_eq!(
        crate::harness::read(&h.path("online/.graft-answers.yml")),
        answers(&url, "v2.0.0", &sha)
    );
    drop(daemon);

    // The daemon is gone; the mirror in the cache is all there is.
    let run = h
        .run(&["copy", &url, "offline", "--defaults", "--offline"])
        .success();
    assert_eq!(read_tree(&h.path("online")), read_tree(&h.path("offline")));
    assert!(run.stderr.contains("copied git://"), "{}", run.stderr);
    h.run(&[
        "copy",
        &url,
        "older",
        "--defaults",
        "--offline",
        "--vcs-ref",
        "v1.0.0",
    ])
    .success();
    assert_eq!(crate::harness::read(&h.path("older/v.txt")), "v1.0.0");
}

#[test]
fn offline_without_a_cached_copy_fails() {
    let h = Harness::new();
    let url = format!("git://127.0.0.1:{}/tpl.git", free_port());
    let run = h
        .run(&["copy", &url, DEST, "--defaults", "--offline"])
        .code(2);
    assert_eq!(
        run.stderr,
        format!("error: no cached copy of `{url}`; run once without --offline\n")
    );
    assert!(!h.dest().exists());
}

#[test]
fn two_processes_copy_from_one_remote_into_one_cache_at_once() {
    let h = Harness::new();
    released(&h, &["v1.0.0"]);
    let daemon = serve(&h);
    let url = daemon.url("tpl.git");
    let children: Vec<_> = ["one", "two"]
        .iter()
        .map(|dest| {
            h.std_command(["copy", &url, dest, "--defaults"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn graft")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait for graft");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(crate::harness::read(&h.path("one/v.txt")), "v1.0.0");
    assert_eq!(read_tree(&h.path("one")), read_tree(&h.path("two")));
}

/// `graft copy SRC dest ARGS` exits 2 with exactly `stderr`, and no
/// destination appears.
#[track_caller]
fn refused(h: &Harness, src: &str, args: &[&str], stderr: &str) -> Run {
    let run = h
        .run(&[&["copy", src, DEST, "--defaults"], args].concat())
        .code(2);
    assert_eq!(run.stderr, stderr);
    assert_eq!(run.stdout, "");
    assert!(!h.dest().exists(), "a destination was created");
    run
}

#[test]
fn unknown_ref_is_named_with_the_versions_there_are() {
    let h = Harness::new();
    released(&h, &["v1.0.0", "v1.1.0"]);
    refused(
        &h,
        TEMPLATE,
        &["--vcs-ref", "v9.9.9"],
        &format!(
            "error: unknown ref `v9.9.9` in `{}`\n\
             hint: use a tag, a branch, a commit sha or `HEAD`; latest version tags: `v1.1.0`, `v1.0.0`\n",
            h.template_src()
        ),
    );
}

#[test]
fn unreachable_url() {
    let h = Harness::new();
    let url = format!("git://127.0.0.1:{}/x.git", free_port());
    let run = h.run(&["copy", &url, DEST, "--defaults"]).code(2);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stderr);
    assert_eq!(lines[0], format!("error: cannot reach `{url}`"));
    // The cause is libgit2's words for the refused connection.
    assert!(
        lines[1].starts_with("caused by: failed to connect to 127.0.0.1: "),
        "{}",
        run.stderr
    );
    assert_eq!(
        lines[2],
        "hint: check the URL, your network connection and your access rights"
    );
    assert!(!h.dest().exists());
}

#[test]
fn malformed_url() {
    let h = Harness::new();
    let hint = "hint: git URLs look like `https://host/owner/repo.git`, \
                `ssh://git@host/owner/repo.git`, `git@host:owner/repo.git`, \
                `git://host/repo.git`, `file:///path/to/repo`, `gh:owner/repo` or `gl:owner/repo`\n";
    refused(
        &h,
        "ftp://example.com/tpl.git",
        &[],
        &format!("error: malformed git URL `ftp://example.com/tpl.git`: unsupported scheme `ftp`\n{hint}"),
    );
    refused(
        &h,
        "https://example.com",
        &[],
        &format!("error: malformed git URL `https://example.com`: missing repository path\n{hint}"),
    );
}

#[test]
fn repository_without_graft_yml() {
    let h = Harness::new();
    let mut repo = GitRepo::init(&h, TEMPLATE);
    repo.release("v1.0.0", &[("README.md", "not a template\n")], &[]);
    refused(
        &h,
        TEMPLATE,
        &[],
        &format!(
            "error: no `graft.yml` or `graft.yaml` at the root of template `{}`\n",
            h.template_src()
        ),
    );
}

#[test]
fn empty_repository() {
    let h = Harness::new();
    GitRepo::init(&h, TEMPLATE);
    refused(
        &h,
        TEMPLATE,
        &[],
        &format!(
            "error: `{}` is an empty repository (no commits)\nhint: commit the template's files first\n",
            h.template_src()
        ),
    );
}

#[test]
fn shallow_clone_as_a_local_template() {
    let h = Harness::new();
    released(&h, &["v1.0.0", "v2.0.0"]);
    let url = format!("file://{}", h.template_src());
    GitRepo::open(&h, "").git(&["clone", "-q", "--depth", "1", &url, "shallow"]);
    refused(
        &h,
        "shallow",
        &[],
        &format!(
            "error: `{}` is a shallow clone; graft needs the full history\n\
             hint: run `git fetch --unshallow` in it, or use its URL instead\n",
            h.path("shallow").display()
        ),
    );
}
