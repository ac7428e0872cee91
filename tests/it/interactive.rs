//! `graft copy` on a real pseudo-terminal: the prompts a person sees, and
//! the answers they type, end to end.

use std::process::Command;

use nix::sys::wait::WaitStatus;
use rexpect::session::{spawn_command, PtySession};

use crate::harness::{Harness, DEST};

/// Generous, since a debug build on a busy machine can be slow to start;
/// only a hang ever waits this long.
const TIMEOUT_MS: u64 = 20_000;

const DOWN: &str = "\x1b[B";

fn spawn(h: &Harness, args: &[&str]) -> PtySession {
    let mut cmd: Command = h.std_command([&["copy", "template", DEST], args].concat());
    cmd.env("TERM", "xterm");
    spawn_command(cmd, Some(TIMEOUT_MS)).expect("spawn graft on a pty")
}

/// Waits for the prompt `text`, then types `keys`.
fn answer(session: &mut PtySession, text: &str, keys: &str) {
    session
        .exp_string(text)
        .unwrap_or_else(|e| panic!("waiting for prompt {text:?}: {e}"));
    session.send(keys).expect("type on the pty");
    session.flush().expect("flush the pty");
}

/// Reads to the end and returns the exit code with everything printed.
fn finish(mut session: PtySession) -> (i32, String) {
    let rest = session.exp_eof().expect("graft to finish");
    match session.process().wait().expect("wait for graft") {
        WaitStatus::Exited(_, code) => (code, rest),
        other => panic!("graft ended with {other:?}:\n{rest}"),
    }
}

#[test]
fn questions_are_asked_on_a_terminal() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            r#"name:
  type: str
  help: Project name
  default: demo
slug:
  help: "Slug for {{name}}"
  default: "{{kebab_case name}}"
docker:
  type: bool
  help: Add a Dockerfile?
  default: false
python:
  help: Python version
  choices: ["3.11", "3.12", "3.13"]
  default: "3.11"
"#,
        ),
        ("out.txt.hbs", "{{name}}|{{slug}}|{{docker}}|{{python}}\n"),
    ]);
    let mut s = spawn(&h, &[]);
    answer(&mut s, "Project name", "Shop Api\r");
    answer(&mut s, "Slug for Shop Api", "\r");
    answer(&mut s, "Add a Dockerfile?", "y");
    answer(&mut s, "Python version", &format!("{DOWN}\r"));
    let (code, output) = finish(s);
    assert_eq!(code, 0, "{output}");
    assert_eq!(h.dest_file("out.txt"), "Shop Api|shop-api|true|3.12\n");
    assert_eq!(
        h.dest_file(".graft-answers.yml"),
        h.answers_text("name: Shop Api\nslug: shop-api\ndocker: true\npython: \"3.12\"\n")
    );
}

#[test]
fn overwrite_is_asked_per_differing_file() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: app\n"),
        ("a.txt", "template a\n"),
        ("b.txt", "template b\n"),
        ("same.txt", "same\n"),
    ]);
    h.write("dest/a.txt", "my a\n");
    h.write("dest/b.txt", "my b\n");
    h.write("dest/same.txt", "same\n");
    let mut s = spawn(&h, &["--defaults"]);
    answer(&mut s, "Overwrite `a.txt`?", "y");
    answer(&mut s, "Overwrite `b.txt`?", "n");
    let (code, output) = finish(s);
    assert_eq!(code, 0, "{output}");
    assert!(!output.contains("Overwrite `same.txt`"), "{output}");
    assert_eq!(h.dest_file("a.txt"), "template a\n");
    assert_eq!(h.dest_file("b.txt"), "my b\n");
}

#[test]
fn ctrl_c_at_a_prompt_exits_130_and_creates_nothing() {
    for (question, prompt) in [
        ("name:\n  help: Project name\n", "Project name"),
        (
            "docker:\n  type: bool\n  help: Add a Dockerfile?\n",
            "Add a Dockerfile?",
        ),
        (
            "python:\n  help: Python version\n  choices: [\"3.11\", \"3.12\"]\n",
            "Python version",
        ),
    ] {
        let h = Harness::new();
        h.template(&[("graft.yml", question)]);
        let mut s = spawn(&h, &[]);
        answer(&mut s, prompt, "\x03");
        let (code, output) = finish(s);
        assert_eq!(code, 130, "{prompt}: {output}");
        assert!(output.contains("error: interrupted"), "{prompt}: {output}");
        assert!(!h.dest().exists(), "{prompt}");
    }
}

#[test]
fn ask_puts_answered_questions_to_the_terminal_again() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "name: {type: str, help: Project name, default: demo}\n\
             db: {help: Database, default: sqlite}\n\
             docker: {help: Docker?, default: false}\n",
        ),
        ("out.txt.hbs", "{{name}}|{{db}}|{{docker}}\n"),
    ]);
    h.copy(&["--defaults", "-q", "-d", "name=shop"]).success();
    // `--defaults` and the recorded answers would answer everything;
    // `--ask` puts `name` and every `d*` question to the terminal again,
    // each with its recorded answer as the default.
    let mut cmd: Command = h.std_command([
        "update",
        DEST,
        "--defaults",
        "--vcs-ref",
        ":current:",
        "--ask",
        "name",
        "--ask",
        "d*",
    ]);
    cmd.env("TERM", "xterm");
    let mut s = spawn_command(cmd, Some(TIMEOUT_MS)).expect("spawn graft on a pty");
    answer(&mut s, "Project name", "\r");
    answer(
        &mut s,
        "Database",
        &format!("{}postgres\r", "\x08".repeat(6)),
    );
    answer(&mut s, "Docker?", "y");
    let (code, output) = finish(s);
    assert_eq!(code, 0, "{output}");
    assert_eq!(h.dest_file("out.txt"), "shop|postgres|true\n");
}
