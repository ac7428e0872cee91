//! The help text of every command, snapshotted so any change to what users
//! read in `--help` shows up in review.

use crate::harness::{Harness, Run};

#[test]
fn help_of_every_command() {
    let h = Harness::new();
    for command in ["", "copy", "update", "recopy", "check", "diff", "remove"] {
        let args: Vec<&str> = command.split_whitespace().chain(["--help"]).collect();
        // A fixed width: clap wraps help to COLUMNS when it is set.
        let mut cmd = h.graft(&args);
        cmd.env("COLUMNS", "100");
        let run = Run::of(cmd);
        assert_eq!(run.code, 0, "{command}: {}", run.stderr);
        let name = if command.is_empty() { "graft" } else { command };
        insta::assert_snapshot!(format!("help_{name}"), run.stdout);
    }
}

#[test]
fn version_prints_the_crate_version() {
    let run = Harness::new().run(&["--version"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, format!("graft {}\n", env!("CARGO_PKG_VERSION")));
}
