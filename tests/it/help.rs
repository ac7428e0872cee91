//! The help text of every command, the version, the shell completion
//! scripts and the man pages: snapshotted so any change to what users read
//! shows up in review.

use std::path::Path;
use std::process::Command;

use crate::harness::{read, Harness, Run};

#[test]
fn help_of_every_command() {
    let h = Harness::new();
    for command in [
        "",
        "copy",
        "update",
        "recopy",
        "check",
        "diff",
        "remove",
        "completions",
    ] {
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
fn version_prints_the_crate_version_and_the_commit_built_from() {
    let run = Harness::new().run(&["--version"]);
    assert_eq!(run.code, 0);
    let version = env!("CARGO_PKG_VERSION");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(manifest)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"]);
    let own_checkout =
        top.is_some_and(|top| Path::new(&top).canonicalize().ok() == manifest.canonicalize().ok());
    if own_checkout {
        // Built from this checkout: its commit and date, as git shows them.
        let commit = git(&["show", "-s", "--format=%h %cs", "HEAD"]).expect("git show");
        assert_eq!(run.stdout, format!("graft {version} ({commit})\n"));
    } else {
        assert_eq!(run.stdout, format!("graft {version}\n"));
    }
}

#[test]
fn completions_for_every_shell() {
    let h = Harness::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = h.run(&["completions", shell]).success();
        assert_eq!(run.stderr, "");
        insta::assert_snapshot!(format!("completions_{shell}"), run.stdout);
    }
}

#[test]
fn completions_for_an_unknown_shell_is_a_usage_error() {
    let run = Harness::new().run(&["completions", "tcsh"]).code(2);
    assert!(
        run.stderr.contains("invalid value 'tcsh'"),
        "{}",
        run.stderr
    );
}

/// What bash offers for the words of `line` (the last one being completed),
/// with graft's completion script sourced into a plain bash: the words
/// `COMPREPLY` holds, one per line.
fn bash_completes(h: &Harness, line: &[&str]) -> String {
    let script = h.run(&["completions", "bash"]).success().stdout;
    h.write("graft.bash", script);
    let words = line
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let last = line.len() - 1;
    let program = format!(
        "source ./graft.bash\n\
         COMP_WORDS=({words})\n\
         COMP_CWORD={last}\n\
         COMP_LINE=\"${{COMP_WORDS[*]}}\"\n\
         COMP_POINT=${{#COMP_LINE}}\n\
         _graft graft \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
    );
    let output = h
        .program(Path::new("bash"))
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("run bash");
    assert!(
        output.status.success(),
        "bash failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn bash_completes_co_to_copy() {
    let h = Harness::new();
    assert_eq!(bash_completes(&h, &["graft", "co"]), "copy\n");
    assert_eq!(
        bash_completes(&h, &["graft", "check", "--drift"]),
        "--drift-only\n"
    );
}

#[test]
fn man_pages_for_graft_and_every_command() {
    let h = Harness::new();
    let run = h.run(&["man", "man"]).success();
    let names = [
        "graft.1",
        "graft-copy.1",
        "graft-update.1",
        "graft-recopy.1",
        "graft-check.1",
        "graft-diff.1",
        "graft-remove.1",
        "graft-completions.1",
    ];
    let listed: String = names.iter().map(|n| format!("wrote man/{n}\n")).collect();
    assert_eq!(run.stderr, listed);
    let mut found: Vec<String> = std::fs::read_dir(h.path("man"))
        .expect("read man")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut want: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    want.sort();
    assert_eq!(found, want);
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex::escape(env!("CARGO_PKG_VERSION")), "[VERSION]");
    settings.bind(|| {
        for name in names {
            insta::assert_snapshot!(format!("man_{name}"), read(&h.path("man").join(name)));
        }
    });
    // Without a folder, the main page on stdout.
    let run = h.run(&["man"]).success();
    assert_eq!(run.stdout, read(&h.path("man/graft.1")));
}
