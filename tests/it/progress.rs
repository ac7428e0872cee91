//! The progress bar of rendering and writing: shown on a terminal when the
//! work takes a while, never when stderr is piped or with `--quiet`.
//!
//! The bar waits a second before it appears; graft's test builds shorten
//! that with `GRAFT_PROGRESS_DELAY_MS`, so a small template shows it.

use std::process::Command;

use nix::sys::wait::WaitStatus;
use rexpect::session::spawn_command;

use crate::harness::{Harness, DEST};

/// A template of many small rendered files, so rendering and writing last
/// long enough for the bar to be drawn at least once.
fn many_files(h: &Harness) {
    let mut files = vec![("graft.yml".to_string(), "name: app\n".to_string())];
    for i in 0..1500 {
        files.push((
            format!("src/m{}/f{i}.txt.hbs", i % 30),
            format!("{{{{name}}}} file {i}\n{}\n", "x".repeat(200)),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    h.template(&files);
}

/// `graft copy template dest ARGS` on a pseudo-terminal, the bar shown at
/// once: the exit code and everything on the terminal.
fn copy_on_a_terminal(h: &Harness, args: &[&str]) -> (i32, String) {
    let mut cmd: Command =
        h.std_command([&["copy", "template", DEST, "--defaults"], args].concat());
    cmd.env("TERM", "xterm").env("GRAFT_PROGRESS_DELAY_MS", "0");
    let mut session = spawn_command(cmd, Some(60_000)).expect("spawn graft on a pty");
    let output = session.exp_eof().expect("graft to finish");
    match session.process().wait().expect("wait for graft") {
        WaitStatus::Exited(_, code) => (code, output),
        other => panic!("graft ended with {other:?}:\n{output}"),
    }
}

#[test]
fn a_terminal_shows_the_bar_for_rendering_and_writing() {
    let h = Harness::new();
    many_files(&h);
    let (code, output) = copy_on_a_terminal(&h, &[]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("rendering ["), "{output}");
    assert!(output.contains("writing ["), "{output}");
    assert!(output.contains("/1501 files"), "{output}");
}

#[test]
fn quiet_shows_no_bar() {
    let h = Harness::new();
    many_files(&h);
    let (code, output) = copy_on_a_terminal(&h, &["-q"]);
    assert_eq!(code, 0, "{output}");
    assert!(!output.contains(" files ("), "{output}");
}

#[test]
fn a_pipe_gets_no_bar() {
    let h = Harness::new();
    many_files(&h);
    let mut cmd = h.graft(["copy", "template", DEST, "--defaults", "-q"]);
    cmd.env("GRAFT_PROGRESS_DELAY_MS", "0");
    let output = cmd.output().expect("run graft");
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    let mut cmd = h.graft(["copy", "template", "other", "--defaults"]);
    cmd.env("GRAFT_PROGRESS_DELAY_MS", "0");
    let output = cmd.output().expect("run graft");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains(" files ("), "{stderr}");
    assert!(!stderr.contains('\r'), "{stderr}");
}
