//! Submodules: their files grafted under their paths, from local
//! repositories and through the mirror cache, and each way it can fail.

use std::fs;
use std::path::Path;

use super::*;

/// A repository `name` beside the template of `tpl`, with `files`
/// committed; returns it and the commit.
fn sibling(tpl: &TestRepo, name: &str, files: &[(&str, &str)]) -> (PathBuf, String) {
    let path = tpl.path.parent().unwrap().join(name);
    fs::create_dir_all(&path).unwrap();
    git(&path, &["init", "-q"]);
    for (rel, content) in files {
        let p = path.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }
    git(&path, &["add", "-A"]);
    git(&path, &["commit", "-q", "-m", name]);
    let sha = git(&path, &["rev-parse", "HEAD"]);
    (path, sha)
}

/// Adds the repository at `url` (relative to the template) as a submodule
/// at `path` and commits; returns the template's commit.
fn add_submodule(tpl: &TestRepo, url: &str, path: &str) -> String {
    tpl.git(&["submodule", "add", "-q", url, path]);
    tpl.commit(&format!("add {path}"))
}

/// Commits `commit` as the gitlink at `path` (nothing checked out there),
/// with `gitmodules` as `.gitmodules` when given; returns the new commit.
fn commit_gitlink(tpl: &TestRepo, path: &str, commit: &str, gitmodules: Option<&str>) -> String {
    if let Some(text) = gitmodules {
        tpl.write(".gitmodules", text);
        tpl.git(&["add", ".gitmodules"]);
    }
    tpl.git(&["rm", "-q", "--cached", "--ignore-unmatch", path]);
    tpl.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{commit},{path}"),
    ]);
    tpl.git(&["commit", "-q", "-m", "gitlink"]);
    tpl.git(&["rev-parse", "HEAD"])
}

fn head(t: &TemplateRepo) -> Revision {
    t.resolve(Some("HEAD"), false).unwrap()
}

/// A template with the submodule `vendor/lib`, recorded at a commit that
/// has an executable file and a symlink, and with a later commit in its
/// repository. Returns the template, the submodule's repository and the
/// recorded commit.
#[cfg(unix)]
fn template_with_lib_submodule() -> (TestRepo, PathBuf, String) {
    use std::os::unix::fs::PermissionsExt;
    let tpl = TestRepo::new();
    tpl.commit_file("graft.yml", "name: app\n");
    let (lib, first) = sibling(
        &tpl,
        "lib",
        &[("README.md", "lib\n"), ("src/a.rs", "fn a() {}\n")],
    );
    fs::set_permissions(lib.join("src/a.rs"), fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink("src/a.rs", lib.join("link")).unwrap();
    git(&lib, &["add", "-A"]);
    git(&lib, &["commit", "-q", "-m", "exec and link"]);
    let recorded = git(&lib, &["rev-parse", "HEAD"]);
    assert_ne!(first, recorded);
    add_submodule(&tpl, "../lib", "vendor/lib");
    // Later commits of the submodule's repository are not what is recorded.
    fs::write(lib.join("README.md"), "later\n").unwrap();
    git(&lib, &["commit", "-q", "-am", "later"]);
    (tpl, lib, recorded)
}

#[cfg(unix)]
#[test]
fn submodule_files_are_grafted_under_its_path() {
    let (tpl, _, _) = template_with_lib_submodule();
    let t = tpl.open();
    let tree = t.read_tree(&head(&t)).unwrap();
    assert_eq!(
        paths(&tree),
        [
            ".gitmodules",
            "graft.yml",
            "vendor",
            "vendor/lib",
            "vendor/lib/README.md",
            "vendor/lib/link",
            "vendor/lib/src",
            "vendor/lib/src/a.rs",
        ]
    );
    assert_eq!(text(&tree, "vendor/lib/README.md"), "lib\n");
    assert_eq!(
        tree.get("vendor/lib/src/a.rs"),
        Some(&Node::File {
            bytes: b"fn a() {}\n".to_vec().into(),
            executable: true
        })
    );
    assert_eq!(
        tree.get("vendor/lib/link"),
        Some(&Node::Symlink {
            target: "src/a.rs".to_string()
        })
    );
}

/// The ids an update compares name the same files as the grafted tree.
#[cfg(unix)]
#[test]
fn submodule_file_ids_name_the_grafted_files() {
    let (tpl, lib, recorded) = template_with_lib_submodule();
    let t = tpl.open();
    let ids = t.file_ids(&head(&t)).unwrap().unwrap();
    let mut id_paths: Vec<&str> = ids.keys().map(String::as_str).collect();
    id_paths.sort();
    assert_eq!(
        id_paths,
        [
            ".gitmodules",
            "graft.yml",
            "vendor/lib/README.md",
            "vendor/lib/link",
            "vendor/lib/src/a.rs"
        ]
    );
    let blob = git(&lib, &["rev-parse", &format!("{recorded}:src/a.rs")]);
    assert_eq!(
        ids["vendor/lib/src/a.rs"],
        (git2::Oid::from_str(&blob).unwrap(), 0o100755)
    );
}

/// A filtered read keeps every folder and only the files asked for.
#[cfg(unix)]
#[test]
fn filtered_read_keeps_submodule_folders() {
    let (tpl, _, _) = template_with_lib_submodule();
    let t = tpl.open();
    let only_readme = t
        .read_tree_filtered(&head(&t), &|p| p == "vendor/lib/README.md")
        .unwrap();
    assert_eq!(
        paths(&only_readme),
        [
            "vendor",
            "vendor/lib",
            "vendor/lib/README.md",
            "vendor/lib/src"
        ]
    );
}

#[test]
fn nested_submodules_are_read_recursively() {
    let tpl = TestRepo::new();
    tpl.commit_file("graft.yml", "name: app\n");
    let (inner, _) = sibling(&tpl, "inner", &[("deep.txt", "deep\n")]);
    let (lib, _) = sibling(&tpl, "lib", &[("lib.txt", "lib\n")]);
    // Relative to `lib`'s own location, as git resolves it.
    git(&lib, &["submodule", "add", "-q", "../inner", "third/inner"]);
    git(&lib, &["commit", "-q", "-m", "inner"]);
    add_submodule(&tpl, "../lib", "lib");
    // The same repository twice, at two paths.
    add_submodule(&tpl, inner.to_str().unwrap(), "also/inner");

    let t = tpl.open();
    let tree = t.read_tree(&head(&t)).unwrap();
    assert_eq!(text(&tree, "lib/lib.txt"), "lib\n");
    assert_eq!(text(&tree, "lib/third/inner/deep.txt"), "deep\n");
    assert_eq!(text(&tree, "also/inner/deep.txt"), "deep\n");
    assert!(has_file(&tree, "lib/.gitmodules"));
    // `inner` was opened once for both paths.
    assert_eq!(t.submodules.borrow().len(), 2);
}

#[test]
fn a_gitlink_without_gitmodules_entry_is_an_error() {
    let tpl = TestRepo::new();
    let sha = tpl.commit_file("graft.yml", "name: app\n");
    commit_gitlink(&tpl, "vendor/sub", &sha, None);
    let t = tpl.open();
    let err = t.read_tree(&head(&t)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "submodule `vendor/sub` has no URL in the `.gitmodules` of `{}`",
            tpl.src()
        )
    );
    assert_eq!(err.kind(), "submodule");
    assert_eq!(
        err.hint().as_deref(),
        Some(
            "register it with `git submodule add URL vendor/sub`, or drop it with `git rm --cached vendor/sub`"
        )
    );
    let err = t.file_ids(&head(&t)).unwrap_err();
    assert_eq!(err.kind(), "submodule");
}

#[test]
fn a_commit_the_submodule_repository_lacks_is_an_error() {
    let tpl = TestRepo::new();
    let own = tpl.commit_file("graft.yml", "name: app\n");
    let (lib, _) = sibling(&tpl, "lib", &[("lib.txt", "lib\n")]);
    // A commit of the template itself, which `lib` does not have.
    let modules = "[submodule \"lib\"]\n\tpath = lib\n\turl = ../lib\n";
    commit_gitlink(&tpl, "lib", &own, Some(modules));
    let t = tpl.open();
    let err = t.read_tree(&head(&t)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "submodule `lib` is at commit `{own}`, which `{}` does not have",
            lib.display()
        )
    );
    assert_eq!(err.kind(), "submodule");
    assert!(err.hint().unwrap().contains("push that commit"), "{err:?}");
}

#[test]
fn a_malformed_gitmodules_names_its_line() {
    let tpl = TestRepo::new();
    let own = tpl.commit_file("graft.yml", "name: app\n");
    let modules = "[submodule \"lib\"]\n\tpath = lib\n\turl = \"open\n";
    commit_gitlink(&tpl, "lib", &own, Some(modules));
    let t = tpl.open();
    let err = t.read_tree(&head(&t)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the `.gitmodules` of `{}` is not valid git config (line 3)",
            tpl.src()
        )
    );
}

#[test]
fn a_plain_folder_is_no_submodule_repository() {
    let tpl = TestRepo::new();
    let own = tpl.commit_file("graft.yml", "name: app\n");
    let folder = tpl.path.parent().unwrap().join("folder");
    fs::create_dir_all(&folder).unwrap();
    let modules = "[submodule \"lib\"]\n\tpath = lib\n\turl = ../folder\n";
    commit_gitlink(&tpl, "lib", &own, Some(modules));
    let t = tpl.open();
    let err = t.read_tree(&head(&t)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot read submodule `lib` from `{}`", folder.display())
    );
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert_eq!(
        cause,
        format!(
            "`{}` is not a git repository, so it has no ref `{own}`",
            folder.display()
        )
    );
}

/// A repository whose commit N holds commit N-1 of itself as the
/// submodule `sub`, `levels` times over.
fn self_nesting(levels: usize) -> TestRepo {
    let tpl = TestRepo::new();
    let mut sha = tpl.commit_file("graft.yml", "name: app\n");
    let modules = "[submodule \"sub\"]\n\tpath = sub\n\turl = ../tpl\n";
    for _ in 0..levels {
        sha = commit_gitlink(&tpl, "sub", &sha, Some(modules));
    }
    tpl
}

#[test]
fn submodules_nest_at_most_max_depth() {
    let tpl = self_nesting(MAX_SUBMODULE_DEPTH);
    let t = tpl.open();
    let tree = t.read_tree(&head(&t)).unwrap();
    let deepest = ["sub"; MAX_SUBMODULE_DEPTH].join("/");
    assert!(has_file(&tree, &format!("{deepest}/graft.yml")));

    let tpl = self_nesting(MAX_SUBMODULE_DEPTH + 1);
    let t = tpl.open();
    let err = t.read_tree(&head(&t)).unwrap_err();
    let too_deep = ["sub"; MAX_SUBMODULE_DEPTH + 1].join("/");
    assert_eq!(
        err.to_string(),
        format!("submodule `{too_deep}` is nested more than {MAX_SUBMODULE_DEPTH} submodules deep")
    );
    assert_eq!(err.kind(), "submodule");
}

#[test]
fn uncommitted_head_reads_the_commit_checked_out_in_the_submodule() {
    let tpl = TestRepo::new();
    tpl.commit_file("graft.yml", "name: app\n");
    let (lib, _) = sibling(&tpl, "lib", &[("lib.txt", "one\n")]);
    add_submodule(&tpl, "../lib", "lib");
    fs::write(lib.join("lib.txt"), "two\n").unwrap();
    git(&lib, &["commit", "-q", "-am", "two"]);
    // Check the new commit out in the submodule, uncommitted in the template.
    git(&tpl.path.join("lib"), &["pull", "-q", "origin", "HEAD"]);
    tpl.write("new.txt", "new\n");

    let t = tpl.open();
    let rev = head(&t);
    assert!(rev.worktree);
    let tree = t.read_tree(&rev).unwrap();
    assert_eq!(text(&tree, "lib/lib.txt"), "two\n");
    assert_eq!(text(&tree, "new.txt"), "new\n");
    // The committed version still has the first.
    let committed = t.resolve(None, false).unwrap();
    assert!(!committed.worktree);
    assert_eq!(
        text(&t.read_tree(&committed).unwrap(), "lib/lib.txt"),
        "one\n"
    );
}

#[test]
fn remote_template_submodules_are_mirrored_and_read_offline() {
    let tpl = TestRepo::new();
    tpl.commit_file("graft.yml", "name: app\n");
    sibling(&tpl, "lib", &[("lib.txt", "lib\n")]);
    add_submodule(&tpl, "../lib", "lib");
    let cache = tempfile::tempdir().unwrap();
    let spec =
        SourceSpec::parse(&format!("file://{}", tpl.path.display()), Path::new("/")).unwrap();

    // Offline before anything was fetched: the template is not cached.
    assert!(matches!(
        TemplateRepo::open(&spec, &offline_opts(cache.path())),
        Err(SourceError::OfflineNoCache { .. })
    ));
    let t = TemplateRepo::open(&spec, &online_opts(cache.path())).unwrap();
    let tree = t.read_tree(&head(&t)).unwrap();
    assert_eq!(text(&tree, "lib/lib.txt"), "lib\n");
    let mirrors = fs::read_dir(cache.path().join("mirrors"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".git")
        })
        .count();
    assert_eq!(mirrors, 2);

    let t = TemplateRepo::open(&spec, &offline_opts(cache.path())).unwrap();
    let tree = t.read_tree(&head(&t)).unwrap();
    assert_eq!(text(&tree, "lib/lib.txt"), "lib\n");
}

#[test]
fn offline_without_the_submodule_cached_names_it() {
    let tpl = TestRepo::new();
    tpl.commit_file("graft.yml", "name: app\n");
    let (lib, _) = sibling(&tpl, "lib", &[("lib.txt", "lib\n")]);
    let url = format!("file://{}", lib.display());
    add_submodule(&tpl, &url, "lib");
    let cache = tempfile::tempdir().unwrap();
    let t = TemplateRepo::open(&tpl.spec(), &offline_opts(cache.path())).unwrap();
    let err = t.read_tree(&head(&t)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot read submodule `lib` from `{url}`")
    );
    assert_eq!(err.kind(), "offline_without_cache");
    assert_eq!(
        std::error::Error::source(&err).unwrap().to_string(),
        format!("no cached copy of `{url}`; run once without --offline")
    );
}
