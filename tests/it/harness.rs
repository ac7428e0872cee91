//! The isolated world every integration test runs graft in.
//!
//! A [`Harness`] owns a temporary folder with its own `home/` (settings,
//! cache, `HOME`), and runs the real `graft` binary there with a clean
//! environment: no `GRAFT_*` fault injection, no colors, no git variables
//! from the outside. Templates, destinations and git repositories are built
//! inside it, so tests can address them by short relative paths and assert
//! on whole trees.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;

/// The folder a template is written to by [`Harness::template`].
pub const TEMPLATE: &str = "template";

/// The destination folder [`Harness::copy`] renders into.
pub const DEST: &str = "dest";

/// The default answers file.
pub const ANSWERS_FILE: &str = ".graft-answers.yml";

/// The header line of every answers file graft writes.
pub const ANSWERS_HEADER: &str =
    "# Managed by graft: change answers with `graft update --data KEY=VALUE`.\n";

/// One test's private world.
pub struct Harness {
    // Held so the folder lives as long as the harness.
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Harness {
    pub fn new() -> Harness {
        let dir = tempfile::tempdir().expect("create temp dir");
        // Canonical, so paths graft prints (it canonicalizes sources) match.
        let root = dir.path().canonicalize().expect("canonicalize temp dir");
        fs::create_dir_all(root.join("home/cache")).expect("create home");
        Harness { _dir: dir, root }
    }

    /// The temporary folder everything lives in; also graft's working directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `root/rel`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Writes the user settings file `GRAFT_SETTINGS` points at.
    pub fn settings(&self, yaml: &str) {
        self.write("home/settings.yml", yaml);
    }

    /// Writes `contents` at `root/rel`, creating parent folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent folders");
        }
        fs::write(&path, contents).expect("write file");
        path
    }

    /// Writes a template folder `template/` with these text files and
    /// returns its canonical path (what graft records as `_src_path`).
    pub fn template(&self, files: &[(&str, &str)]) -> PathBuf {
        for (rel, contents) in files {
            self.write(&format!("{TEMPLATE}/{rel}"), contents);
        }
        self.path(TEMPLATE)
    }

    /// The canonical path of the template folder, as text.
    pub fn template_src(&self) -> String {
        self.path(TEMPLATE).display().to_string()
    }

    /// Sets or clears the executable bits of `root/rel`.
    pub fn set_executable(&self, rel: &str, executable: bool) {
        let path = self.path(rel);
        let mode = if executable { 0o755 } else { 0o644 };
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
    }

    /// Creates a symlink at `root/rel` holding `target` as written.
    pub fn symlink(&self, rel: &str, target: &str) {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent folders");
        }
        std::os::unix::fs::symlink(target, &path).expect("create symlink");
    }

    /// Creates an (empty) folder at `root/rel`.
    pub fn mkdir(&self, rel: &str) {
        fs::create_dir_all(self.path(rel)).expect("create folder");
    }

    /// A `graft` command with `args`, run in [`Harness::root`] with the
    /// harness environment.
    pub fn graft<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Command::from_std(self.std_command(args))
    }

    /// The same as [`Harness::graft`], as a plain `std` command (for a pty).
    pub fn std_command<I, S>(&self, args: I) -> std::process::Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_graft"));
        apply_env(&mut cmd, &self.env());
        cmd.current_dir(&self.root).args(args);
        cmd
    }

    /// Another program (Python Copier, say) run the way graft is: in
    /// [`Harness::root`], with the harness environment.
    pub fn program(&self, program: &Path) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        apply_env(&mut cmd, &self.env());
        cmd.current_dir(&self.root);
        cmd
    }

    /// Runs `graft ARGS` to the end.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::of(self.graft(args))
    }

    /// Runs `graft copy template dest ARGS` to the end.
    pub fn copy(&self, args: &[&str]) -> Run {
        self.run(&[&["copy", TEMPLATE, DEST], args].concat())
    }

    /// Runs `graft update dest ARGS` to the end.
    pub fn update(&self, args: &[&str]) -> Run {
        self.run(&[&["update", DEST], args].concat())
    }

    /// The destination folder of [`Harness::copy`].
    pub fn dest(&self) -> PathBuf {
        self.path(DEST)
    }

    /// Everything in the destination except its `.git` folder: what a
    /// person sees of the project. (`git status` refreshes the index, so
    /// `.git` is left out of "nothing changed" comparisons.)
    pub fn project_tree(&self) -> BTreeMap<String, Snap> {
        work_tree(&self.dest())
    }

    /// The text files of [`Harness::project_tree`] with their contents.
    pub fn project_files(&self) -> BTreeMap<String, String> {
        text_only(self.project_tree())
    }

    /// Runs `graft copy template dest ARGS` (which must succeed), then
    /// makes the destination a git repository with everything committed,
    /// as a person does right after generating a project.
    pub fn copy_into_git(&self, args: &[&str]) -> GitRepo {
        self.copy(args).success();
        let mut project = GitRepo::init(self, DEST);
        project.commit(&[], &[], "generated by graft");
        project
    }

    /// The text of `dest/rel`.
    pub fn dest_file(&self, rel: &str) -> String {
        read(&self.dest().join(rel))
    }

    /// The answers file text graft writes for the harness template
    /// (no git, so no `_commit`): header, `_src_path`, then `answers` lines.
    pub fn answers_text(&self, answers: &str) -> String {
        format!(
            "{ANSWERS_HEADER}_src_path: {}\n{answers}",
            self.template_src()
        )
    }

    /// Asserts the default answers file records exactly `answers`.
    #[track_caller]
    pub fn assert_answers(&self, answers: &str) {
        assert_eq!(self.dest_file(ANSWERS_FILE), self.answers_text(answers));
    }

    /// Asserts the destination holds exactly these text files, plus the
    /// default answers file recording `answers` (see [`Harness::answers_text`]).
    #[track_caller]
    pub fn assert_dest(&self, answers: &str, expected: &[(&str, &str)]) {
        let mut want = files(expected);
        want.insert(ANSWERS_FILE.to_string(), self.answers_text(answers));
        assert_eq!(text_files(&self.dest()), want);
    }

    /// The environment changes every graft run gets: `Some` sets, `None` removes.
    pub fn env(&self) -> Vec<(String, Option<String>)> {
        let home = self.path("home");
        let mut env: Vec<(String, Option<String>)> = std::env::vars()
            .map(|(k, _)| k)
            .filter(|k| {
                k.starts_with("GRAFT_")
                    || k.starts_with("GIT_")
                    || k.starts_with("COPIER_")
                    || k == "CLICOLOR_FORCE"
            })
            .map(|k| (k, None))
            .collect();
        let set = [
            ("HOME", home.display().to_string()),
            ("XDG_CONFIG_HOME", home.join("config").display().to_string()),
            ("XDG_CACHE_HOME", home.join("cache").display().to_string()),
            (
                "GRAFT_SETTINGS",
                home.join("settings.yml").display().to_string(),
            ),
            ("GRAFT_CACHE_DIR", home.join("cache").display().to_string()),
            ("NO_COLOR", "1".to_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".to_string()),
        ];
        env.extend(set.into_iter().map(|(k, v)| (k.to_string(), Some(v))));
        env
    }

    /// Replaces the temporary folder's path with `[TEMP]` in snapshots.
    pub fn insta(&self) -> insta::Settings {
        let mut settings = insta::Settings::clone_current();
        settings.add_filter(&regex::escape(&self.root.display().to_string()), "[TEMP]");
        settings.set_prepend_module_to_snapshot(false);
        settings
    }
}

/// Where the pinned Python Copier is looked for: `$GRAFT_COPIER`, else
/// `target/copier-venv/bin/copier` (which `.ci/run` installs).
pub fn python_copier_path() -> PathBuf {
    match std::env::var_os("GRAFT_COPIER") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/copier-venv/bin/copier"),
    }
}

/// Says why a comparison with Python Copier is skipped, or fails the test
/// when `GRAFT_REQUIRE_COPIER=1`.
pub fn skip_without_python() {
    let note = format!(
        "Python Copier not found at {} (set GRAFT_COPIER to its path)",
        python_copier_path().display()
    );
    assert!(
        std::env::var("GRAFT_REQUIRE_COPIER").as_deref() != Ok("1"),
        "{note}, and GRAFT_REQUIRE_COPIER=1"
    );
    eprintln!("skipping the comparison with Python Copier: {note}");
}

/// The pinned Python Copier, or `None` after [`skip_without_python`]
/// said why the caller's comparison is skipped.
pub fn python_copier() -> Option<PathBuf> {
    let path = python_copier_path();
    if path.is_file() {
        Some(path)
    } else {
        skip_without_python();
        None
    }
}

/// Sets the fixed git identity and date of [`GitRepo`] on `cmd`: Python
/// Copier commits in its scratch repositories during an update.
pub fn git_identity(cmd: &mut std::process::Command) {
    for (key, value) in [
        ("GIT_AUTHOR_NAME", "Graft Test"),
        ("GIT_AUTHOR_EMAIL", "test@graft.invalid"),
        ("GIT_COMMITTER_NAME", "Graft Test"),
        ("GIT_COMMITTER_EMAIL", "test@graft.invalid"),
        ("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z"),
        ("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z"),
    ] {
        cmd.env(key, value);
    }
}

/// Applies [`Harness::env`]-style changes: `Some` sets, `None` removes.
fn apply_env(cmd: &mut std::process::Command, env: &[(String, Option<String>)]) {
    for (key, value) in env {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
}

/// A finished graft run: exit code and output as text.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Runs `cmd` to the end; its stdin is an empty pipe, never a terminal.
    pub fn of(mut cmd: Command) -> Run {
        let output = cmd.output().expect("run graft");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts exit code `code`, showing the output when it differs.
    #[track_caller]
    pub fn code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout:\n{}\n--- stderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts exit code 0.
    #[track_caller]
    pub fn success(self) -> Run {
        self.code(0)
    }

    /// Asserts stderr begins with `prefix`: the first status lines of a
    /// run whose other lines another test pins down.
    #[track_caller]
    pub fn stderr_starts_with(&self, prefix: &str) {
        assert!(
            self.stderr.starts_with(prefix),
            "stderr does not start with {prefix:?}:\n{}",
            self.stderr
        );
    }
}

/// One entry of a snapshotted tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Snap {
    /// A regular file that is UTF-8 text.
    Text { text: String, executable: bool },
    /// A regular file that is not UTF-8.
    Bytes { bytes: Vec<u8>, executable: bool },
    /// A symbolic link and its target as stored.
    Link(String),
    /// A folder (listed so empty folders show).
    Dir,
    /// A FIFO, socket or device: listed, never opened.
    Special,
}

/// Every entry under `dir` (not following symlinks), by `/`-separated
/// relative path; empty when `dir` does not exist.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Snap> {
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, "", &mut out);
    }
    out
}

/// [`read_tree`] without the `.git` folder at the top of `dir`.
pub fn work_tree(dir: &Path) -> BTreeMap<String, Snap> {
    let mut tree = read_tree(dir);
    tree.retain(|path, _| path != ".git" && !path.starts_with(".git/"));
    tree
}

fn walk(dir: &Path, rel: &str, out: &mut BTreeMap<String, Snap>) {
    for entry in fs::read_dir(dir).expect("read folder") {
        let entry = entry.expect("read folder entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let rel = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let meta = fs::symlink_metadata(&path).expect("stat");
        if meta.file_type().is_symlink() {
            let target = fs::read_link(&path).expect("read link");
            out.insert(rel, Snap::Link(target.display().to_string()));
        } else if meta.is_dir() {
            out.insert(rel.clone(), Snap::Dir);
            walk(&path, &rel, out);
        } else if !meta.is_file() {
            out.insert(rel, Snap::Special);
        } else {
            let bytes = fs::read(&path).expect("read file");
            let executable = meta.permissions().mode() & 0o111 != 0;
            let snap = match String::from_utf8(bytes) {
                Ok(text) => Snap::Text { text, executable },
                Err(e) => Snap::Bytes {
                    bytes: e.into_bytes(),
                    executable,
                },
            };
            out.insert(rel, snap);
        }
    }
}

/// The regular text files under `dir` with their contents; folders,
/// symlinks and binary files left out.
pub fn text_files(dir: &Path) -> BTreeMap<String, String> {
    text_only(read_tree(dir))
}

fn text_only(tree: BTreeMap<String, Snap>) -> BTreeMap<String, String> {
    tree.into_iter()
        .filter_map(|(path, snap)| match snap {
            Snap::Text { text, .. } => Some((path, text)),
            _ => None,
        })
        .collect()
}

/// A path → text map from literal pairs, to compare with [`text_files`].
pub fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect()
}

/// The text of `path`; panics with the path when it cannot be read.
pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A git repository built commit by commit with a fixed identity and fixed
/// dates, so its commit ids are the same on every run and machine.
pub struct GitRepo {
    pub path: PathBuf,
    env: Vec<(String, Option<String>)>,
    commits: u32,
}

impl GitRepo {
    /// Creates an empty repository (branch `main`) at `root/rel`.
    pub fn init(h: &Harness, rel: &str) -> GitRepo {
        let repo = GitRepo::open(h, rel);
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// Runs git in the folder `root/rel` (created if missing) as it is:
    /// for repositories made by `git clone`, or to run a clone there.
    pub fn open(h: &Harness, rel: &str) -> GitRepo {
        let path = h.path(rel);
        fs::create_dir_all(&path).expect("create repository folder");
        GitRepo {
            path,
            env: h.env(),
            commits: 0,
        }
    }

    /// Runs `git args` in the repository and returns its stdout; panics on failure.
    pub fn git(&self, args: &[&str]) -> String {
        // One second per commit keeps dates fixed yet ordered.
        let date = format!("2024-01-01T00:00:{:02}Z", self.commits % 60);
        let mut cmd = std::process::Command::new("git");
        apply_env(&mut cmd, &self.env);
        let output = cmd
            .current_dir(&self.path)
            .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
            .args(args)
            .env("GIT_AUTHOR_NAME", "Graft Test")
            .env("GIT_AUTHOR_EMAIL", "test@graft.invalid")
            .env("GIT_COMMITTER_NAME", "Graft Test")
            .env("GIT_COMMITTER_EMAIL", "test@graft.invalid")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Writes `files` (text; an empty content string still writes an empty
    /// file), removes `deleted`, commits everything with `message` and
    /// returns the commit id.
    pub fn commit(&mut self, files: &[(&str, &str)], deleted: &[&str], message: &str) -> String {
        for (rel, contents) in files {
            let path = self.path.join(rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).expect("create parent folders");
            }
            fs::write(&path, contents).expect("write file");
        }
        for rel in deleted {
            fs::remove_file(self.path.join(rel)).expect("delete file");
        }
        self.git(&["add", "-A"]);
        self.commits += 1;
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// Tags the current commit (an annotated tag, as releases usually are).
    pub fn tag(&self, name: &str) {
        self.git(&["tag", "-a", name, "-m", name]);
    }

    /// Commits like [`GitRepo::commit`] and tags the commit `tag`: a release.
    pub fn release(&mut self, tag: &str, files: &[(&str, &str)], deleted: &[&str]) -> String {
        let sha = self.commit(files, deleted, tag);
        self.tag(tag);
        sha
    }

    /// `git describe --tags --always REV`, as git itself prints it.
    pub fn describe(&self, rev: &str) -> String {
        self.git(&["describe", "--tags", "--always", rev])
            .trim()
            .to_string()
    }

    /// `git status --porcelain`, paths unquoted (non-ASCII as UTF-8).
    pub fn status(&self) -> String {
        self.git(&["-c", "core.quotePath=false", "status", "--porcelain"])
    }
}

/// A `git-daemon` serving the repositories under a folder on a free
/// loopback port (`git://127.0.0.1:PORT/NAME`); killed when dropped.
pub struct GitDaemon {
    child: Child,
    pub port: u16,
}

impl GitDaemon {
    /// Starts the daemon program itself (`git daemon` would fork it off,
    /// out of reach of the drop guard) on `root/base` and waits until it
    /// accepts connections.
    pub fn start(h: &Harness, base: &str) -> GitDaemon {
        let base = h.path(base);
        let exec_path = std::process::Command::new("git")
            .arg("--exec-path")
            .output()
            .expect("run git --exec-path");
        let program =
            PathBuf::from(String::from_utf8_lossy(&exec_path.stdout).trim()).join("git-daemon");
        let port = free_port();
        let mut cmd = std::process::Command::new(&program);
        apply_env(&mut cmd, &h.env());
        let child = cmd
            .args([
                "--reuseaddr".to_string(),
                format!("--base-path={}", base.display()),
                "--export-all".to_string(),
                "--listen=127.0.0.1".to_string(),
                format!("--port={port}"),
                base.display().to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", program.display()));
        let daemon = GitDaemon { child, port };
        // Only a broken daemon ever waits this long.
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "git-daemon did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        daemon
    }

    /// The `git://` URL of repository `name` under the served folder.
    pub fn url(&self, name: &str) -> String {
        format!("git://127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listens on (right now).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free loopback port")
        .port()
}
