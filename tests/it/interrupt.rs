//! SIGINT and SIGTERM: every interruption of a graft command exits with
//! 130, at any phase. Before the write phase nothing is written; during it
//! the project is rolled back (`journal.rs`); during a task the task's
//! process group is stopped and the files written before it stay.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;

use crate::harness::{GitRepo, Harness, DEST, TEMPLATE};

/// How a signal reaches graft.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// `kill PID`: graft alone.
    Graft,
    /// What Ctrl-C at a terminal does: graft's whole process group.
    Group,
}

fn send(child: &Child, signal: Signal, target: Target) {
    let pid = Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
    match target {
        Target::Graft => kill(pid, signal),
        Target::Group => killpg(pid, signal),
    }
    .expect("send the signal");
}

/// Starts `graft ARGS` in a process group of its own (as a shell starts a
/// job), its output captured.
fn start(h: &Harness, args: &[&str]) -> Child {
    h.std_command(args)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start graft")
}

/// Waits until `check` holds, for at most ten seconds.
#[track_caller]
fn wait_until(what: &str, check: impl Fn() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < Duration::from_secs(10), "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The pid a task wrote to `path`, once it is there.
fn pid_in(path: &Path) -> i32 {
    wait_until(&format!("{} is written", path.display()), || {
        fs::read_to_string(path).is_ok_and(|t| t.ends_with('\n'))
    });
    fs::read_to_string(path)
        .expect("read the pid")
        .trim()
        .parse()
        .expect("a pid")
}

/// Whether process `pid` has ended: gone, or a zombie its new parent has
/// not reaped yet.
fn ended(pid: i32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // `PID (NAME) STATE …`; the name may hold spaces and parentheses.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A template whose task writes its shell's pid to `task.pid`, starts a
/// `sleep` in the background that writes its pid to `sleep.pid` (a
/// background job of a script ignores SIGINT, as POSIX says), and waits.
/// `trap` is put before it: `trap '' INT` makes the task ignore SIGINT.
fn sleeping_task(h: &Harness, trap: &str) {
    let mut repo = GitRepo::init(h, TEMPLATE);
    let config = format!(
        "name: app\n_tasks:\n  - \"{trap}echo $$ > task.pid; sleep 60 & echo $! > sleep.pid; wait\"\n"
    );
    repo.release("v1.0.0", &[("graft.yml", &config), ("a.txt", "a\n")], &[]);
}

#[test]
fn a_signal_during_a_task_stops_its_process_group_and_exits_130() {
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        for target in [Target::Graft, Target::Group] {
            let h = Harness::new();
            sleeping_task(&h, "");
            h.mkdir(DEST);
            let child = start(&h, &["copy", TEMPLATE, DEST, "--defaults", "--trust"]);
            let task = pid_in(&h.dest().join("task.pid"));
            let sleep = pid_in(&h.dest().join("sleep.pid"));
            send(&child, signal, target);
            let out = child.wait_with_output().expect("wait for graft");
            let case = format!("{signal} to {target:?}: {}", stderr(&out));
            assert_eq!(out.status.code(), Some(130), "{case}");
            assert!(stderr(&out).ends_with("\nerror: interrupted\n"), "{case}");
            wait_until(&format!("the task ended: {case}"), || ended(task));
            wait_until(&format!("its background job ended: {case}"), || {
                ended(sleep)
            });
            // The write phase had finished: its files stay.
            assert_eq!(h.dest_file("a.txt"), "a\n", "{case}");
        }
    }
}

#[test]
fn a_task_that_ignores_the_signal_is_killed_by_a_second_one() {
    let h = Harness::new();
    sleeping_task(&h, "trap '' INT; ");
    h.mkdir(DEST);
    let child = start(&h, &["copy", TEMPLATE, DEST, "--defaults", "--trust"]);
    let task = pid_in(&h.dest().join("task.pid"));
    pid_in(&h.dest().join("sleep.pid"));
    send(&child, Signal::SIGINT, Target::Graft);
    std::thread::sleep(Duration::from_millis(300));
    assert!(!ended(task), "the task ignores SIGINT");
    send(&child, Signal::SIGINT, Target::Graft);
    let out = child.wait_with_output().expect("wait for graft");
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    wait_until("the task was killed", || ended(task));
}

#[test]
fn a_copy_interrupted_during_a_task_removes_the_folder_it_created() {
    let h = Harness::new();
    sleeping_task(&h, "");
    let child = start(&h, &["copy", TEMPLATE, DEST, "--defaults", "--trust"]);
    let task = pid_in(&h.dest().join("task.pid"));
    send(&child, Signal::SIGTERM, Target::Graft);
    let out = child.wait_with_output().expect("wait for graft");
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(!h.dest().exists(), "a failed copy removes what it created");
    wait_until("the task ended", || ended(task));
}

/// A FIFO at `root/rel`: graft blocks reading it until a writer opens it.
fn fifo(h: &Harness, rel: &str) -> PathBuf {
    let path = h.path(rel);
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    path
}

/// Opens `fifo` for writing, which returns once graft opened it to read:
/// graft is then reading its input, before any write. Fails after ten
/// seconds.
fn writer_once_read(fifo: &Path) -> fs::File {
    let (sent, received) = std::sync::mpsc::channel();
    let path = fifo.to_path_buf();
    std::thread::spawn(move || {
        let _ = sent.send(fs::OpenOptions::new().write(true).open(path));
    });
    received
        .recv_timeout(Duration::from_secs(10))
        .expect("graft reads the data file")
        .expect("open the FIFO")
}

#[test]
fn a_signal_before_the_write_phase_exits_130_and_writes_nothing() {
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        // A copy into a new folder: the folder is not created.
        let h = Harness::new();
        sleeping_task(&h, "");
        let data = fifo(&h, "data.yml");
        let child = start(
            &h,
            &[
                "copy",
                TEMPLATE,
                DEST,
                "--defaults",
                "--trust",
                "--data-file",
                "data.yml",
            ],
        );
        let writer = writer_once_read(&data);
        send(&child, signal, Target::Graft);
        let out = child.wait_with_output().expect("wait for graft");
        drop(writer);
        assert_eq!(out.status.code(), Some(130), "{signal}: {}", stderr(&out));
        assert_eq!(stderr(&out), "error: interrupted\n", "{signal}");
        assert!(!h.dest().exists(), "{signal}");

        // An update of a project: it stays as it was.
        let h = Harness::new();
        crate::update::five_write_update(&h);
        let before = h.project_tree();
        let data = fifo(&h, "data.yml");
        let child = start(&h, &["update", DEST, "--data-file", "data.yml", "--json"]);
        let writer = writer_once_read(&data);
        send(&child, signal, Target::Group);
        let out = child.wait_with_output().expect("wait for graft");
        drop(writer);
        assert_eq!(out.status.code(), Some(130), "{signal}: {}", stderr(&out));
        assert_eq!(stderr(&out), "error: interrupted\n", "{signal}");
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("the --json error report");
        assert_eq!(report["error"]["kind"], "interrupted", "{signal}");
        assert_eq!(report["error"]["exit_code"], 130, "{signal}");
        assert_eq!(h.project_tree(), before, "{signal}");
        assert!(!h.project_tree().contains_key(".graft-journal"));
    }
}
