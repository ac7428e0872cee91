//! Local repositories and plain folders.

use std::fs;
use std::path::Path;

use super::*;
use crate::source::version::parse_version_tag;

fn v(s: &str) -> semver::Version {
    semver::Version::parse(s).unwrap()
}

#[test]
fn latest_tag_wins_regardless_of_commit_order() {
    let repo = TestRepo::new();
    let c1 = repo.commit_file("f.txt", "one");
    repo.git(&["tag", "v1.2.0"]);
    repo.commit_file("f.txt", "two");
    repo.git(&["tag", "v1"]);
    repo.commit_file("f.txt", "three");
    repo.git(&["tag", "-a", "v1.0.1", "-m", "annotated"]);
    repo.git(&["tag", "not-a-version"]);
    repo.commit_file("f.txt", "head");

    let t = repo.open();
    let rev = t.resolve(None, false).unwrap();
    assert_eq!(rev.sha.as_deref(), Some(c1.as_str()));
    assert_eq!(rev.describe.as_deref(), Some("v1.2.0"));
    assert_eq!(rev.version, Some(v("1.2.0")));
    assert!(!rev.worktree);
    assert!(rev.warnings.is_empty(), "{:?}", rev.warnings);
    assert_eq!(text(&t.read_tree(&rev).unwrap(), "f.txt"), "one");
    assert_eq!(
        t.latest_version(false),
        Some((v("1.2.0"), "v1.2.0".to_string()))
    );
    // The ordering itself: v1 < v1.0.1 < v1.2.0.
    let order: Vec<_> = ["v1", "v1.0.1", "v1.2.0"]
        .iter()
        .map(|t| parse_version_tag(t).unwrap())
        .collect();
    assert!(order[0] < order[1] && order[1] < order[2]);
}

#[test]
fn prereleases_only_with_the_flag() {
    let repo = TestRepo::new();
    let stable = repo.commit_file("f.txt", "stable");
    repo.git(&["tag", "v1.0.0"]);
    let rc = repo.commit_file("f.txt", "rc");
    repo.git(&["tag", "v2.0.0-rc.1"]);
    repo.commit_file("f.txt", "head");
    let t = repo.open();

    let rev = t.resolve(None, false).unwrap();
    assert_eq!(rev.sha.as_deref(), Some(stable.as_str()));
    assert_eq!(rev.version, Some(v("1.0.0")));
    let rev = t.resolve(None, true).unwrap();
    assert_eq!(rev.sha.as_deref(), Some(rc.as_str()));
    assert_eq!(rev.version, Some(v("2.0.0-rc.1")));
    assert_eq!(rev.describe.as_deref(), Some("v2.0.0-rc.1"));
    assert_eq!(
        t.latest_version(true),
        Some((v("2.0.0-rc.1"), "v2.0.0-rc.1".to_string()))
    );
    assert_eq!(
        t.latest_version(false),
        Some((v("1.0.0"), "v1.0.0".to_string()))
    );
}

#[test]
fn only_prerelease_tags_fall_back_to_head() {
    let repo = TestRepo::new();
    repo.commit_file("f.txt", "rc");
    repo.git(&["tag", "v1.0.0-beta"]);
    let head = repo.commit_file("f.txt", "head");
    let rev = repo.open().resolve(None, false).unwrap();
    assert_eq!(rev.sha.as_deref(), Some(head.as_str()));
    assert_eq!(rev.warnings, [ONLY_PRERELEASES_WARNING]);
    // The nearest version tag still gives the revision a version.
    assert_eq!(rev.version, Some(v("1.0.0-beta")));
}

#[test]
fn no_version_tags_uses_head_with_a_warning() {
    let repo = TestRepo::new();
    repo.commit_file("f.txt", "one");
    repo.git(&["tag", "release"]);
    let head = repo.commit_file("f.txt", "two");
    let t = repo.open();
    let rev = t.resolve(None, false).unwrap();
    assert_eq!(rev.sha.as_deref(), Some(head.as_str()));
    assert_eq!(rev.warnings, ["template has no version tags; using HEAD"]);
    assert_eq!(rev.version, None);
    assert_eq!(rev.describe, Some(repo.git_describe("HEAD")));
    assert!(rev.describe.as_ref().unwrap().starts_with("release-1-g"));
    assert_eq!(t.latest_version(true), None);
    assert_eq!(text(&t.read_tree(&rev).unwrap(), "f.txt"), "two");
}

#[test]
fn explicit_refs() {
    let repo = TestRepo::new();
    let c1 = repo.commit_file("f.txt", "one");
    repo.git(&["tag", "v1.0.0"]);
    let c2 = repo.commit_file("f.txt", "two");
    repo.git(&["tag", "-a", "v1.1.0", "-m", "annotated"]);
    repo.git(&["branch", "feature", &c1]);
    let c3 = repo.commit_file("f.txt", "three");
    let t = repo.open();

    let sha_of = |r: &str| t.resolve(Some(r), false).unwrap().sha.unwrap();
    assert_eq!(sha_of("v1.0.0"), c1);
    assert_eq!(sha_of("v1.1.0"), c2, "annotated tags peel to the commit");
    assert_eq!(sha_of("refs/tags/v1.1.0"), c2);
    assert_eq!(sha_of("feature"), c1);
    assert_eq!(sha_of("main"), c3);
    assert_eq!(sha_of("refs/heads/main"), c3);
    assert_eq!(sha_of("HEAD"), c3);
    assert_eq!(sha_of(&c2), c2);
    assert_eq!(sha_of(&c2[..7]), c2);
    assert_eq!(sha_of(&c2[..12].to_uppercase()), c2);
    assert_eq!(sha_of("main~2"), c1);
    let described = repo.git_describe(&c3);
    assert!(described.starts_with("v1.1.0-1-g"), "{described}");
    assert_eq!(sha_of(&described), c3);

    let rev = t.resolve(Some("v1.1.0"), false).unwrap();
    assert_eq!(rev.version, Some(v("1.1.0")));
    assert_eq!(rev.describe.as_deref(), Some("v1.1.0"));
    assert!(rev.warnings.is_empty());
    // A branch gets the version of the nearest version tag.
    let rev = t.resolve(Some("main"), false).unwrap();
    assert_eq!(rev.version, Some(v("1.1.0")));
    let rev = t.resolve(Some("feature"), false).unwrap();
    assert_eq!(rev.version, Some(v("1.0.0")));
    assert_eq!(
        text(
            &t.read_tree(&t.resolve(Some("feature"), false).unwrap())
                .unwrap(),
            "f.txt"
        ),
        "one"
    );
}

#[test]
fn unknown_refs_are_named() {
    let repo = TestRepo::new();
    repo.commit_file("f.txt", "one");
    repo.git(&["tag", "v1.0.0"]);
    let t = repo.open();
    for r in [
        "v9",
        "",
        "-x",
        "--upload-pack=touch /tmp/pwned",
        "deadbeef",
        "a..b",
        "v1.0.0^{tree}",
    ] {
        let err = t.resolve(Some(r), false).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("unknown ref `{r}` in `{}`", repo.src()),
            "{r}"
        );
        assert!(err.hint().unwrap().contains("`v1.0.0`"), "{:?}", err.hint());
    }
}

#[test]
fn describe_matches_git() {
    let repo = TestRepo::new();
    let first = repo.commit_file("f.txt", "untagged root");
    let t = repo.open();
    let rev = t.resolve(Some("HEAD"), false).unwrap();
    assert_eq!(rev.describe, Some(repo.git_describe("HEAD")));
    assert_eq!(rev.describe.as_ref().unwrap().len(), 7);
    assert_eq!(rev.version, None);

    repo.commit_file("f.txt", "one");
    repo.git(&["tag", "v1.0.0"]);
    repo.commit_file("f.txt", "two");
    repo.commit_file("f.txt", "three");
    repo.git(&["tag", "-a", "v1.1.0", "-m", "annotated"]);
    repo.commit_file("f.txt", "four");
    repo.git(&["tag", "lightweight-other"]);
    repo.commit_file("f.txt", "five");
    let t = repo.open();
    for r in [
        first.as_str(),
        "v1.0.0",
        "v1.0.0~0",
        "v1.1.0",
        "v1.1.0~1",
        "lightweight-other",
        "HEAD",
    ] {
        let rev = t.resolve(Some(r), false).unwrap();
        assert_eq!(rev.describe, Some(repo.git_describe(r)), "{r}");
        assert_eq!(
            rev.sha,
            Some(repo.git(&["rev-parse", &format!("{r}^{{commit}}")]))
        );
    }
    let head = t.resolve(Some("HEAD"), false).unwrap();
    assert!(head.describe.unwrap().starts_with("lightweight-other-1-g"));
    assert_eq!(head.version, Some(v("1.1.0")));

    // core.abbrev is honoured like git does.
    repo.git(&["config", "core.abbrev", "12"]);
    let rev = repo.open().resolve(Some("HEAD"), false).unwrap();
    assert_eq!(rev.describe, Some(repo.git_describe("HEAD")));
    assert!(rev.describe.unwrap().ends_with(&head.sha.unwrap()[..12]));
}

/// Builds a repository with ~17000 objects via fast-import (one pack), the
/// size at which git's automatic abbreviation grows to 8 characters.
fn big_repo() -> TestRepo {
    let repo = TestRepo::new();
    let mut stream = String::new();
    for i in 0..17_000 {
        let data = format!("blob {i}\n");
        stream.push_str(&format!("blob\ndata {}\n{data}\n", data.len()));
    }
    stream.push_str("commit refs/heads/main\ncommitter t <t@t> 0 +0000\ndata 2\nc\n\n");
    let mut child = std::process::Command::new("git")
        .current_dir(&repo.path)
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    repo
}

#[test]
fn describe_abbreviation_grows_with_packed_objects_like_git() {
    let repo = big_repo();
    let expected = repo.git_describe("main");
    assert_eq!(expected.len(), 8, "git itself should use 8 characters here");
    let t = repo.open();
    let rev = t.resolve(Some("main"), false).unwrap();
    assert_eq!(rev.describe, Some(expected));

    // Tag-relative form too.
    repo.git(&["tag", "v1.0.0", "main"]);
    repo.git(&["commit", "-q", "--allow-empty", "-m", "after"]);
    let t = repo.open();
    let rev = t.resolve(Some("HEAD"), false).unwrap();
    let expected = repo.git_describe("HEAD");
    assert!(
        expected.starts_with("v1.0.0-1-g") && expected.len() == 18,
        "{expected}"
    );
    assert_eq!(rev.describe, Some(expected));
}

#[test]
fn dirty_worktree_with_explicit_head_reads_the_working_tree() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "*.log\nbuild/\n");
    repo.write("kept.txt", "committed");
    repo.write("changed.txt", "committed");
    repo.write("deleted.txt", "committed");
    repo.write("build/forced.txt", "tracked though ignored");
    repo.git(&["add", "-A"]);
    repo.git(&["add", "-f", "build/forced.txt"]);
    repo.git(&["commit", "-q", "-m", "one"]);
    repo.git(&["tag", "v1.0.0"]);
    let t = repo.open();

    // Clean: HEAD reads git objects, no warning.
    let rev = t.resolve(Some("HEAD"), false).unwrap();
    assert!(!rev.worktree);
    assert!(rev.warnings.is_empty());

    repo.write("changed.txt", "edited");
    fs::remove_file(repo.path.join("deleted.txt")).unwrap();
    repo.write("new.txt", "untracked");
    repo.write("debug.log", "ignored");
    repo.write("build/out.bin", "ignored");
    repo.write("sub/dir/deep.txt", "untracked deep");
    fs::create_dir_all(repo.path.join("nested")).unwrap();
    git(&repo.path.join("nested"), &["init", "-q"]);
    repo.write("nested/inner.txt", "nested repo");

    let rev = t.resolve(Some("HEAD"), false).unwrap();
    assert!(rev.worktree);
    assert_eq!(
        rev.warnings,
        ["template has uncommitted changes; the recorded commit will not reproduce them"]
    );
    assert_eq!(rev.sha, Some(repo.git(&["rev-parse", "HEAD"])));
    assert_eq!(rev.describe.as_deref(), Some("v1.0.0"));
    let tree = t.read_tree(&rev).unwrap();
    assert_eq!(
        paths(&tree),
        [
            ".gitignore",
            "build",
            "build/forced.txt",
            "changed.txt",
            "kept.txt",
            "new.txt",
            "sub",
            "sub/dir",
            "sub/dir/deep.txt"
        ]
    );
    assert_eq!(text(&tree, "changed.txt"), "edited");

    // Without an explicit HEAD the tag is read from git objects, as
    // Copier does, without looking at the working tree.
    let rev = t.resolve(None, false).unwrap();
    assert!(!rev.worktree);
    assert!(rev.warnings.is_empty(), "{:?}", rev.warnings);
    let tree = t.read_tree(&rev).unwrap();
    assert_eq!(text(&tree, "changed.txt"), "committed");
    assert_eq!(text(&tree, "deleted.txt"), "committed");
    assert!(tree.get("new.txt").is_none());
}

#[test]
fn dirty_worktree_without_tags_is_left_out_with_a_warning() {
    let repo = TestRepo::new();
    repo.write("changed.txt", "committed");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "one"]);
    let t = repo.open();
    let rev = t.resolve(None, false).unwrap();
    assert_eq!(rev.warnings, [crate::source::NO_TAGS_WARNING]);

    repo.write("changed.txt", "edited");
    let rev = t.resolve(None, false).unwrap();
    assert!(!rev.worktree);
    assert_eq!(
        rev.warnings,
        [
            crate::source::NO_TAGS_WARNING,
            crate::source::DIRTY_IGNORED_WARNING
        ]
    );
    assert_eq!(
        text(&t.read_tree(&rev).unwrap(), "changed.txt"),
        "committed"
    );

    // Only prereleases: HEAD too, and the same check.
    repo.git(&["tag", "v1.0.0-rc.1"]);
    let rev = t.resolve(None, false).unwrap();
    assert_eq!(
        rev.warnings,
        [
            crate::source::ONLY_PRERELEASES_WARNING,
            crate::source::DIRTY_IGNORED_WARNING
        ]
    );
    // With --prereleases the tag is chosen, and nothing is checked.
    let rev = t.resolve(None, true).unwrap();
    assert!(rev.warnings.is_empty(), "{:?}", rev.warnings);
}

#[test]
fn only_a_deleted_file_makes_the_tree_dirty() {
    let repo = TestRepo::new();
    repo.commit_file("a.txt", "a");
    repo.commit_file("b.txt", "b");
    fs::remove_file(repo.path.join("b.txt")).unwrap();
    let t = repo.open();
    let rev = t.resolve(Some("HEAD"), false).unwrap();
    assert!(rev.worktree);
    assert_eq!(paths(&t.read_tree(&rev).unwrap()), ["a.txt"]);
}

#[cfg(unix)]
#[test]
fn exec_bits_and_symlinks_from_git_objects() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let repo = TestRepo::new();
    repo.write("bin/run.sh", "#!/bin/sh\n");
    fs::set_permissions(
        repo.path.join("bin/run.sh"),
        fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    repo.write("plain.txt", "plain");
    symlink("bin/run.sh", repo.path.join("link")).unwrap();
    symlink("../outside", repo.path.join("bin/up")).unwrap();
    repo.commit("files");

    let t = repo.open();
    let rev = t.resolve(Some("HEAD"), false).unwrap();
    let tree = t.read_tree(&rev).unwrap();
    assert_eq!(
        paths(&tree),
        ["bin", "bin/run.sh", "bin/up", "link", "plain.txt"]
    );
    assert_eq!(
        tree.get("bin/run.sh"),
        Some(&Node::File {
            bytes: b"#!/bin/sh\n".to_vec().into(),
            executable: true
        })
    );
    assert_eq!(tree.get("plain.txt"), Some(&Node::file("plain")));
    assert_eq!(
        tree.get("link"),
        Some(&Node::Symlink {
            target: "bin/run.sh".to_string()
        })
    );
    assert_eq!(
        tree.get("bin/up"),
        Some(&Node::Symlink {
            target: "../outside".to_string()
        })
    );
    assert!(has_file(&tree, "plain.txt"));
    assert!(!has_file(&tree, "link"));
    assert!(!has_file(&tree, "bin"));
}

#[test]
fn empty_repository_is_an_error() {
    let repo = TestRepo::new();
    let err = TemplateRepo::open(&repo.spec(), &offline_opts(Path::new("/x"))).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("`{}` is an empty repository (no commits)", repo.src())
    );
    assert!(err.hint().is_some());
}

#[test]
fn shallow_repository_is_an_error() {
    let repo = TestRepo::new();
    repo.commit_file("f.txt", "one");
    repo.commit_file("f.txt", "two");
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path.display());
    git(
        tmp.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let spec = SourceSpec::Local(tmp.path().join("shallow").canonicalize().unwrap());
    let err = TemplateRepo::open(&spec, &offline_opts(Path::new("/x"))).unwrap_err();
    assert!(
        matches!(err, SourceError::ShallowRepository { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("shallow"), "{err}");
}

#[test]
fn bare_local_repository() {
    let repo = TestRepo::new();
    let c1 = repo.commit_file("f.txt", "one");
    repo.git(&["tag", "v1.0.0"]);
    repo.commit_file("f.txt", "two");
    let tmp = tempfile::tempdir().unwrap();
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--bare",
            repo.path.to_str().unwrap(),
            "bare.git",
        ],
    );
    let spec = SourceSpec::parse("bare.git", tmp.path()).unwrap();
    let t = TemplateRepo::open(&spec, &offline_opts(Path::new("/x"))).unwrap();
    assert!(t.is_git());
    let rev = t.resolve(None, false).unwrap();
    assert_eq!(rev.sha, Some(c1));
    // HEAD of a bare repository never reads a working tree.
    let rev = t.resolve(Some("HEAD"), false).unwrap();
    assert!(!rev.worktree);
    assert_eq!(text(&t.read_tree(&rev).unwrap(), "f.txt"), "two");
}

#[test]
fn plain_folder_template() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    fs::create_dir_all(root.join("tpl/.git")).unwrap();
    fs::write(root.join("tpl/.git/junk"), "x").unwrap();
    fs::write(root.join("tpl/graft.yml"), "a: 1").unwrap();
    // `.git` exists but is not a repository: that is an error, not a folder.
    let spec = SourceSpec::parse("tpl", &root).unwrap();
    let err = TemplateRepo::open(&spec, &offline_opts(Path::new("/x"))).unwrap_err();
    assert!(matches!(err, SourceError::Git { .. }), "{err:?}");

    fs::remove_dir_all(root.join("tpl/.git")).unwrap();
    let t = TemplateRepo::open(&spec, &offline_opts(Path::new("/x"))).unwrap();
    assert!(!t.is_git());
    let rev = t.resolve(None, false).unwrap();
    assert_eq!(rev, Revision::default());
    assert_eq!(t.resolve(Some("HEAD"), false).unwrap(), Revision::default());
    let tree = t.read_tree(&rev).unwrap();
    assert_eq!(paths(&tree), ["graft.yml"]);
    assert!(has_file(&tree, "graft.yml"));
    assert!(!has_file(&tree, "graft.yaml"));
    assert_eq!(t.latest_version(true), None);
    let err = t.resolve(Some("v1"), false).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` is not a git repository, so it has no ref `v1`",
            root.join("tpl").display()
        )
    );
}

#[test]
fn folder_inside_a_repository_is_a_plain_folder() {
    let repo = TestRepo::new();
    repo.write("templates/one/file.txt", "x");
    repo.commit("c");
    repo.write("templates/one/file.txt", "dirty");
    let spec = SourceSpec::parse("templates/one", &repo.path).unwrap();
    let t = TemplateRepo::open(&spec, &offline_opts(Path::new("/x"))).unwrap();
    assert!(!t.is_git());
    let tree = t.read_tree(&t.resolve(None, false).unwrap()).unwrap();
    assert_eq!(text(&tree, "file.txt"), "dirty");
}

#[test]
fn describe_with_several_tags_on_one_commit_matches_git() {
    let repo = TestRepo::new();
    repo.commit_file("f.txt", "one");
    repo.git(&["tag", "b-light"]);
    repo.git(&["tag", "a-light"]);
    repo.commit_file("f.txt", "two");
    repo.git(&["tag", "z-light"]);
    repo.git(&["tag", "-a", "m-annotated", "-m", "a"]);
    repo.commit_file("f.txt", "three");
    repo.git(&["checkout", "-q", "-b", "side", "HEAD~2"]);
    repo.commit_file("g.txt", "side");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge", "side"]);
    let t = repo.open();
    for r in ["HEAD~1^{commit}", "HEAD~2", "HEAD~3", "HEAD", "side"] {
        let rev = t.resolve(Some(r), false).unwrap();
        assert_eq!(rev.describe, Some(repo.git_describe(r)), "{r}");
    }
}
