//! Safety when two commands meet, when a cloned repository is hostile and
//! when a disk fails: the project lock, the journal that only graft may
//! write, `.git` out of every stage's reach, roll backs that never stop half
//! way, and permissions and git's index kept whole.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::harness::{read_tree, GitRepo, Harness, Snap, DEST, TEMPLATE};
use crate::journal::{libc_sigabrt, update_with_fault};
use crate::update::{conflicting_port, five_write_update, template, AT_V1};

/// The hint every refused journal ends with.
const UNTRUSTED_HINT: &str = "hint: graft rolled nothing back; if no graft command was interrupted in this project (a journal can come with a cloned repository), check the project, then delete `.graft-journal`\n";

/// Takes the project's lock as another graft command would hold it.
fn hold_lock(dir: &Path) -> fs::File {
    let f = fs::File::open(dir).expect("open project folder");
    f.lock().expect("lock project folder");
    f
}

/// Starts `graft ARGS` with its stderr read line by line into a channel.
fn spawn(h: &Harness, args: &[&str]) -> (Child, mpsc::Receiver<String>) {
    let mut child = h
        .std_command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start graft");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// The next stderr line, failing the test rather than hanging.
fn next_line(rx: &mpsc::Receiver<String>) -> String {
    rx.recv_timeout(Duration::from_secs(30))
        .expect("graft printed a line within 30 s")
}

#[test]
fn check_while_an_update_holds_the_project_waits_and_never_rolls_back_its_journal() {
    let h = Harness::new();
    five_write_update(&h);
    let dest = h.dest().canonicalize().unwrap();
    let lock = hold_lock(&dest);
    // The live journal of the command that holds the lock, registered as
    // graft registers its own: a command that took it for an interrupted
    // run would delete `half-written.txt`.
    h.write("dest/half-written.txt", "new\n");
    let registry = h.path("home/cache/journals");
    fs::create_dir_all(&registry).unwrap();
    fs::write(registry.join("1-1"), format!("{}\n", dest.display())).unwrap();
    let id = "3e757656cf36eca53338e520d134963a44f793f8"; // `git hash-object` of "new\n"
    h.write(
        "dest/.graft-journal/index",
        format!("graft-journal 2\t1-1\nremove\t{id}\thalf-written.txt\n"),
    );
    let waiting = format!(
        "waiting for another graft command working in `{}` to finish",
        dest.display()
    );
    let mut waiters = Vec::new();
    for args in [["check", DEST], ["diff", DEST]] {
        let (child, rx) = spawn(&h, &args);
        assert_eq!(next_line(&rx), waiting, "{args:?}");
        waiters.push((child, rx));
    }
    std::thread::sleep(Duration::from_millis(300));
    for (child, _) in &mut waiters {
        assert!(child.try_wait().unwrap().is_none(), "it waits for the lock");
    }
    assert_eq!(h.dest_file("half-written.txt"), "new\n");
    // The holder finishes: its journal goes, then the lock.
    fs::remove_dir_all(h.path("dest/.graft-journal")).unwrap();
    drop(lock);
    for (mut child, rx) in waiters {
        let status = child.wait().unwrap();
        let rest: Vec<String> = rx.iter().collect();
        assert!(matches!(status.code(), Some(0 | 1)), "{status:?} {rest:?}");
        assert!(!rest.iter().any(|l| l.contains("rolled back")), "{rest:?}");
    }
    assert_eq!(h.dest_file("half-written.txt"), "new\n");
}

/// A template of `n` files at v1.0.0 that v2.0.0 changes every one of,
/// and a project (no git) copied at v1.0.0: an update that takes a while.
fn big_update(h: &Harness, n: usize) {
    let v1: Vec<(String, String)> = (0..n)
        .map(|i| (format!("d{}/f{i}.txt", i % 10), format!("{i}\nv1\n")))
        .collect();
    let v2: Vec<(String, String)> = (0..n)
        .map(|i| (format!("d{}/f{i}.txt", i % 10), format!("{i}\nv2\n")))
        .collect();
    template(h, &pairs(&v1), &pairs(&v2), &[]);
}

/// `(path, text)` pairs borrowed from owned ones.
fn pairs(files: &[(String, String)]) -> Vec<(&str, &str)> {
    files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect()
}

/// Runs `graft update` and `second` on a fresh project at the same time,
/// `rounds` times: each time the project ends as one complete update.
fn at_once(second: &[&str], rounds: usize) {
    let h = Harness::new();
    big_update(&h, 400);
    h.copy(&AT_V1).success();
    h.update(&[]).success();
    let updated = h.project_tree();
    for round in 0..rounds {
        fs::remove_dir_all(h.dest()).unwrap();
        h.copy(&AT_V1).success();
        let first = h
            .std_command(["update", DEST])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let other = h
            .std_command(second)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        for (name, child) in [("update", first), ("second", other)] {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            // `check` says 1 when it ran first and saw the newer version.
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "round {round}, {name}: {:?}\n{stderr}",
                out.status
            );
            assert!(!stderr.contains("rolled back"), "round {round}: {stderr}");
            assert!(!stderr.contains("error"), "round {round}: {stderr}");
        }
        assert_eq!(h.project_tree(), updated, "round {round}");
    }
}

#[test]
fn update_and_check_at_once_always_leave_one_complete_update() {
    at_once(&["check", DEST], 10);
}

#[test]
fn two_updates_at_once_apply_the_update_exactly_once() {
    at_once(&["update", DEST], 10);
}

/// A repository someone else pushed, holding a planted journal, cloned to
/// `dest` as a person clones a project.
fn cloned_with_planted_journal(h: &Harness, index: &str) {
    h.template(&[("graft.yml", "name: app\n"), ("important.txt", "keep me\n")]);
    h.copy(&["--defaults", "-q"]).success();
    let hook = "#!/bin/sh\ntouch pwned\n";
    // The real blob ids (`git hash-object`), so every entry checks out and
    // only the journal's missing registration can refuse it.
    let hook_id = "9bcc72a4b7ce0679277a5f1e62fab04c3793c070";
    let important_id = "e0808fa1636ba0f6c16048fd3292ecbe55078dd0";
    h.write("dest/.graft-journal/000000", hook);
    h.write(
        "dest/.graft-journal/index",
        index
            .replace("{hook}", hook_id)
            .replace("{important}", important_id),
    );
    let mut upstream = GitRepo::init(h, DEST);
    upstream.commit(&[], &[], "a project with a journal");
    fs::rename(h.dest(), h.path("upstream")).unwrap();
    GitRepo::open(h, ".").git(&["clone", "-q", "upstream", DEST]);
}

#[test]
fn a_journal_planted_in_a_cloned_repository_is_never_applied() {
    for index in [
        // The old form, without a header.
        "restore\t1\t000000\t.git/hooks/pre-commit\nremove\timportant.txt\n",
        // The form graft writes, with a token this machine never registered.
        "graft-journal 2\t123-456\nrestore\t1\t000000\t{hook}\t.git/hooks/pre-commit\nremove\t{important}\timportant.txt\n",
    ] {
        let h = Harness::new();
        cloned_with_planted_journal(&h, index);
        let before = read_tree(&h.dest());
        let journal = h.path("dest/.graft-journal/index");
        let reason = if index.starts_with("graft-journal") {
            "graft has no record of writing it here on this machine"
        } else {
            "it is not in the form graft writes"
        };
        for args in [
            vec!["check", DEST],
            vec!["update", DEST, "--defaults"],
            vec!["copy", TEMPLATE, DEST, "--defaults"],
        ] {
            let run = h.run(&args).code(2);
            assert_eq!(
                run.stderr,
                format!(
                    "error: the journal `{}` was not written by graft here: {reason}\n{UNTRUSTED_HINT}",
                    journal.display()
                ),
                "{args:?}"
            );
            assert_eq!(read_tree(&h.dest()), before, "{args:?}");
            assert!(!h.path("dest/.git/hooks/pre-commit").exists());
            assert_eq!(h.dest_file("important.txt"), "keep me\n");
        }
    }
}

#[test]
fn a_templated_name_cannot_reach_into_git_even_where_exclude_allows_it() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "_exclude: ['!.git']\nname:\n  type: str\n  default: .git\n",
        ),
        ("{{name}}/hooks/pre-commit", "#!/bin/sh\ntouch pwned\n"),
    ]);
    GitRepo::init(&h, DEST);
    let before = read_tree(&h.dest());
    let run = h.copy(&["--defaults"]).code(2);
    assert_eq!(
        run.stderr,
        "error: path `.git` (from `{{name}}`) lies inside git's own folder (`.git` is `.git` to git); graft never writes there\n"
    );
    assert_eq!(read_tree(&h.dest()), before);
}

#[test]
fn names_git_reads_as_its_own_folder_are_never_written() {
    for name in [".GIT", ".Git", ".git.", ".git ", "GIT~1"] {
        let h = Harness::new();
        h.template(&[
            ("graft.yml", "name: x\n"),
            (&format!("{name}/config"), "[core]\n"),
        ]);
        let run = h.copy(&["--defaults"]).code(2);
        assert_eq!(
            run.stderr,
            format!(
                "error: path `{name}` (from `{name}`) lies inside git's own folder (`{name}` is `.git` to git); graft never writes there\n"
            )
        );
        assert!(!h.dest().exists(), "{name:?}");
    }
}

#[test]
fn a_template_symlink_into_git_is_refused() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "_preserve_symlinks: true\n"),
        ("README.md", "hi\n"),
    ]);
    h.symlink("template/hooks", ".git/hooks");
    let run = h.copy(&["--defaults"]).code(2);
    assert_eq!(
        run.stderr,
        "error: path `hooks -> .git/hooks` (from `hooks`) is a symlink into git's own folder\n"
    );
    assert!(!h.dest().exists());
}

#[test]
fn an_answers_file_inside_git_is_refused() {
    for file in [".git/config", ".git/hooks/pre-commit", ".GIT/config"] {
        let h = Harness::new();
        h.template(&[
            ("graft.yml", &format!("_answers_file: {file}\nname: x\n")),
            ("a.txt", "a\n"),
        ]);
        let mut project = GitRepo::init(&h, DEST);
        project.commit(&[("keep.txt", "keep\n")], &[], "start");
        let before = read_tree(&h.dest());
        let run = h.copy(&["--defaults"]).code(2);
        assert_eq!(
            run.stderr,
            format!(
                "error: path `{file}` (from `the answers file`) lies inside git's own folder (`{}` is `.git` to git); graft never writes there\n",
                &file[..4]
            ),
        );
        assert_eq!(read_tree(&h.dest()), before, "{file}");
    }
}

#[test]
fn an_answers_file_flag_an_injection_or_a_task_folder_inside_git_is_refused() {
    let h = Harness::new();
    h.template(&[("graft.yml", "name: x\n"), ("a.txt", "a\n")]);
    GitRepo::init(&h, DEST);
    let before = read_tree(&h.dest());
    let run = h.copy(&["--defaults", "-a", ".git/config"]).code(2);
    assert_eq!(
        run.stderr,
        "error: path `.git/config` (from `the answers file`) lies inside git's own folder (`.git` is `.git` to git); graft never writes there\n"
    );
    assert_eq!(read_tree(&h.dest()), before);

    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "_injections:\n  - into: .git/config\n    after: '[core]'\n    content: \"\\thooksPath = hooks\"\n",
        ),
        ("a.txt", "a\n"),
    ]);
    GitRepo::init(&h, DEST);
    let before = read_tree(&h.dest());
    let run = h.copy(&["--defaults"]).code(2);
    assert!(
        run.stderr.starts_with(
            "error: path `.git/config` (from `graft.yml:2 (injection)`) lies inside git's own folder (`.git` is `.git` to git); graft never writes there\n"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(read_tree(&h.dest()), before);

    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "_tasks:\n  - command: touch pwned\n    working_directory: .git/hooks\n",
        ),
        ("a.txt", "a\n"),
    ]);
    let run = h.copy(&["--defaults", "--trust"]).code(2);
    assert_eq!(
        run.stderr,
        "error: path `.git/hooks` (from `graft.yml:2 (task) (working_directory)`) lies inside git's own folder (`.git` is `.git` to git); graft never writes there; a task runs inside the destination\n"
    );
    assert!(!h.dest().exists());
}

/// `dest` on a tmpfs of `size`, unmounted when dropped.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    /// `None` where this process may not mount (not root).
    fn mount(at: &Path, size: &str) -> Option<SmallDisk> {
        fs::create_dir_all(at).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| SmallDisk(at.to_path_buf()))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
}

#[test]
fn an_update_that_fills_the_disk_is_rolled_back_to_the_exact_prior_bytes() {
    if !is_root() {
        eprintln!("skipped: mounting a small file system needs root");
        return;
    }
    let h = Harness::new();
    let line = "x".repeat(99) + "\n";
    let small: Vec<(String, String)> = (0..20)
        .map(|i| (format!("f{i:02}.txt"), format!("{i}\n")))
        .collect();
    // v2 grows every file to 40 KB: 800 KB, more than the disk has left.
    let grown: Vec<(String, String)> = (0..20)
        .map(|i| (format!("f{i:02}.txt"), format!("{i}\n{}", line.repeat(400))))
        .collect();
    template(&h, &pairs(&small), &pairs(&grown), &[]);
    let Some(_disk) = SmallDisk::mount(&h.dest(), "1m") else {
        eprintln!("skipped: this machine cannot mount a tmpfs");
        return;
    };
    h.copy(&AT_V1).success();
    // Most of the disk taken by the project's own large file.
    h.write("dest/data.bin", vec![7u8; 600 * 1024]);
    let before = h.project_tree();
    let run = h.update(&[]).code(2);
    assert!(
        run.stderr
            .contains("caused by: No space left on device (os error 28)\n"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("could not restore"), "{}", run.stderr);
    assert_eq!(h.project_tree(), before);
}

#[test]
fn a_roll_back_that_cannot_restore_a_path_says_so_and_the_next_command_finishes_it() {
    let h = Harness::new();
    let project = five_write_update(&h);
    let before = h.project_tree();
    let status = project.status();
    let dest = h.dest();
    let mut reported = 0;
    for n in 0..5 {
        let out = h
            .std_command(["update", DEST])
            .env("GRAFT_FAIL_AFTER_WRITES", n.to_string())
            .env("GRAFT_FAIL_RESTORES", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "after {n} writes: {stderr}");
        let first_error = stderr
            .find("\nerror: cannot write `")
            .expect("first error shown");
        assert!(
            stderr[first_error..].contains("`\ncaused by: injected failure\n"),
            "{stderr}"
        );
        if let Some(at) = stderr.find("error: and the roll back could not restore 1 path(s): ") {
            reported += 1;
            assert!(at > first_error, "the original error comes first: {stderr}");
            assert!(
                stderr.ends_with(&format!(
                    " (injected failure)\nhint: the journal `{}` keeps their prior state and stays; the next graft command in this project finishes the roll back\n",
                    dest.join(".graft-journal").display()
                )),
                "{stderr}"
            );
            assert!(h.path("dest/.graft-journal").is_dir());
            let run = h.update(&["--pretend"]).success();
            run.stderr_starts_with(&format!(
                "warning: rolled back an interrupted graft run in `{}`\n",
                dest.display()
            ));
        }
        assert_eq!(h.project_tree(), before, "after {n} writes");
        assert_eq!(project.status(), status, "after {n} writes");
    }
    assert_eq!(
        reported, 4,
        "each run that changed something had a restore fail"
    );
}

/// The files of a read-only folder are written over in place (their own
/// permissions allow it), but the file v2 adds there cannot be created:
/// the update fails, and the roll back puts every file back.
#[test]
fn a_read_only_folder_fails_the_update_and_the_roll_back_leaves_it_alone() {
    if !is_root() {
        eprintln!("skipped: running graft as another user needs root");
        return;
    }
    let h = Harness::new();
    template(
        &h,
        &[
            ("a.txt", "a1\n"),
            ("src/app.py", "v1\n"),
            ("src/util.py", "v1\n"),
            ("z.txt", "z1\n"),
        ],
        &[
            ("a.txt", "a2\n"),
            ("src/app.py", "v2\n"),
            ("src/util.py", "v2\n"),
            ("src/added.py", "v2\n"),
            ("new/made.txt", "new\n"),
            ("z.txt", "z2\n"),
        ],
        &[],
    );
    h.copy(&AT_V1).success();
    // A copy of graft the other user can run wherever this checkout lies.
    let graft = h.path("graft");
    fs::copy(env!("CARGO_BIN_EXE_graft"), &graft).unwrap();
    let chown = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(h.root())
        .status()
        .unwrap();
    assert!(chown.success());
    fs::set_permissions(h.path("dest/src"), fs::Permissions::from_mode(0o555)).unwrap();
    let before = h.project_tree();
    let mut cmd = std::process::Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&graft)
        .args(["update", DEST])
        .current_dir(h.root());
    for (k, v) in h.env() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("caused by: Permission denied (os error 13)\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("could not restore"), "{stderr}");
    assert_eq!(h.project_tree(), before);
}

#[test]
fn a_run_killed_at_any_write_leaves_no_trace_after_the_next_command() {
    let h = Harness::new();
    let project = five_write_update(&h);
    let before = h.project_tree();
    let status = project.status();
    for n in 0.. {
        let out = update_with_fault(&h, "GRAFT_ABORT_AFTER_WRITES", n);
        if out.status.success() {
            break;
        }
        assert_eq!(out.status.signal(), Some(libc_sigabrt()), "{out:?}");
        h.update(&["--pretend"]).success();
        // Every temporary file, backup and journal is gone.
        assert_eq!(h.project_tree(), before, "killed after {n} writes");
        assert_eq!(project.status(), status, "killed after {n} writes");
        assert!(n < 10, "the update ends");
    }
}

#[test]
fn a_run_killed_as_the_index_is_written_leaves_no_half_update() {
    let h = Harness::new();
    let project = conflicting_port(&h);
    let before = h.project_tree();
    let status = project.status();
    let mut killed = 0;
    for n in 0.. {
        let out = update_with_fault(&h, "GRAFT_ABORT_AFTER_WRITES", n);
        if out.status.code() == Some(1) {
            break;
        }
        assert_eq!(out.status.signal(), Some(libc_sigabrt()), "{out:?}");
        killed += 1;
        h.update(&["--pretend"]).code(1);
        assert_eq!(h.project_tree(), before, "killed after {n} writes");
        assert_eq!(
            project.git(&["ls-files", "-u"]),
            "",
            "killed after {n} writes"
        );
        assert_eq!(project.status(), status, "killed after {n} writes");
    }
    // app.py, the answers file, then the index before and after its write.
    assert_eq!(killed, 4);
    assert!(
        project.status().contains("\nUU app.py\n"),
        "{}",
        project.status()
    );
}

/// The permission bits of `dest/rel`.
fn mode(h: &Harness, rel: &str) -> u32 {
    fs::metadata(h.path(&format!("dest/{rel}")))
        .unwrap()
        .permissions()
        .mode()
        & 0o7777
}

#[test]
fn a_managed_file_keeps_its_permissions_when_updated_or_conflicted() {
    let h = Harness::new();
    template(
        &h,
        &[
            ("plain.txt", "1\n"),
            ("merged.txt", "1\n2\n3\n"),
            ("run.sh", "echo 1\n"),
        ],
        &[
            ("plain.txt", "2\n"),
            ("merged.txt", "1\n2\nthree\n"),
            ("run.sh", "echo 2\n"),
        ],
        &[],
    );
    h.copy(&AT_V1).success();
    h.write("dest/merged.txt", "1\n2\nTHREE\n");
    let chmod = |rel: &str, m: u32| {
        fs::set_permissions(
            h.path(&format!("dest/{rel}")),
            fs::Permissions::from_mode(m),
        )
        .unwrap()
    };
    chmod("plain.txt", 0o600);
    chmod("merged.txt", 0o600);
    chmod("run.sh", 0o700);
    chmod(".graft-answers.yml", 0o600);
    h.update(&[]).code(1);
    assert_eq!(h.dest_file("plain.txt"), "2\n");
    assert!(h.dest_file("merged.txt").contains("<<<<<<<"));
    assert_eq!(mode(&h, "plain.txt"), 0o600);
    assert_eq!(mode(&h, "merged.txt"), 0o600);
    assert_eq!(mode(&h, "run.sh"), 0o700);
    assert_eq!(mode(&h, ".graft-answers.yml"), 0o600);

    // The same through recopy, which writes every file anew.
    h.write("dest/plain.txt", "mine\n");
    h.run(&["recopy", DEST, "--overwrite"]).success();
    assert_eq!(h.dest_file("plain.txt"), "2\n");
    assert_eq!(mode(&h, "plain.txt"), 0o600);
    assert_eq!(mode(&h, ".graft-answers.yml"), 0o600);
}

#[test]
fn a_new_file_is_written_with_the_usual_permissions() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: x\n"),
        ("a.txt", "a\n"),
        ("b.sh", "b\n"),
    ]);
    h.set_executable("template/b.sh", true);
    h.copy(&["--defaults"]).success();
    assert_eq!(mode(&h, "a.txt"), 0o644);
    assert_eq!(mode(&h, "b.sh"), 0o755);
    let tree: BTreeMap<String, Snap> = read_tree(&h.dest());
    assert!(!tree.keys().any(|p| p.contains(".graft-tmp-")), "{tree:?}");
}

#[test]
fn a_task_that_runs_graft_on_the_same_project_inherits_the_lock() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "bin:\n  type: str\n_tasks:\n  - \"'{{bin}}' diff . --exit-code && echo diffed > diffed.txt\"\n",
        ),
        ("a.txt", "a\n"),
    ]);
    let bin = format!("bin={}", env!("CARGO_BIN_EXE_graft"));
    let (mut child, rx) = spawn(
        &h,
        &["copy", TEMPLATE, DEST, "--defaults", "--trust", "-d", &bin],
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the task waited for its own parent's lock"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let lines: Vec<String> = rx.iter().collect();
    assert_eq!(status.code(), Some(0), "{lines:?}");
    assert!(!lines.iter().any(|l| l.contains("waiting")), "{lines:?}");
    // The task's own graft compared the project and found no drift.
    assert_eq!(h.dest_file("diffed.txt"), "diffed\n");
}
