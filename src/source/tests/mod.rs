//! Tests of the source layer against real repositories built with the `git`
//! command line in temp dirs (the git CLI is used only here, as the
//! reference implementation). `local.rs` covers local repositories and
//! folders, `remote.rs` the mirror cache over `file://` and `git daemon`.

mod local;
mod remote;
mod submodules;

use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

/// Runs git in `dir` with a fixed identity and no signing, and returns its
/// trimmed stdout; panics with stderr on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A git repository in a temp dir.
pub struct TestRepo {
    _tmp: tempfile::TempDir,
    pub path: PathBuf,
}

impl TestRepo {
    pub fn new() -> TestRepo {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().canonicalize().unwrap().join("tpl");
        std::fs::create_dir(&path).unwrap();
        git(&path, &["init", "-q"]);
        TestRepo { _tmp: tmp, path }
    }

    pub fn git(&self, args: &[&str]) -> String {
        git(&self.path, args)
    }

    pub fn write(&self, rel: &str, content: &str) {
        let p = self.path.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    /// Stages everything, commits, returns the full sha.
    pub fn commit(&self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", msg]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Writes `file` with `content` and commits it.
    pub fn commit_file(&self, file: &str, content: &str) -> String {
        self.write(file, content);
        self.commit(content)
    }

    pub fn spec(&self) -> SourceSpec {
        SourceSpec::Local(self.path.clone())
    }

    pub fn open(&self) -> TemplateRepo {
        TemplateRepo::open(&self.spec(), &offline_opts(Path::new("/nonexistent")))
            .expect("open local repo")
    }

    /// What the real git prints for `git describe --tags --always REV`.
    pub fn git_describe(&self, rev: &str) -> String {
        self.git(&["describe", "--tags", "--always", rev])
    }

    pub fn src(&self) -> String {
        self.path.display().to_string()
    }
}

pub fn offline_opts(cache: &Path) -> SourceOptions {
    SourceOptions {
        cache_dir: cache.to_path_buf(),
        offline: true,
        show_progress: false,
    }
}

pub fn online_opts(cache: &Path) -> SourceOptions {
    SourceOptions {
        cache_dir: cache.to_path_buf(),
        offline: false,
        show_progress: false,
    }
}

/// The content of a regular file in a tree, as text.
pub fn text(tree: &FileTree, path: &str) -> String {
    match tree.get(path) {
        Some(Node::File { bytes, .. }) => String::from_utf8(bytes.to_vec()).unwrap(),
        other => panic!("`{path}` is not a file: {other:?}"),
    }
}

pub fn paths(tree: &FileTree) -> Vec<&str> {
    tree.entries.keys().map(String::as_str).collect()
}
