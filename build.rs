//! Puts the git commit graft is built from into its version:
//! `GRAFT_VERSION` is `0.1.0 (3f5c9a0 2025-01-31)` in a git checkout and
//! plain `0.1.0` where there is no git or no repository (a crates.io or
//! source tarball), so a build never fails for want of git.

use std::path::Path;
use std::process::Command;

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    // Only graft's own repository counts: sources unpacked inside some
    // other repository are not built from its commit.
    let own = git(&dir, &["rev-parse", "--show-toplevel"])
        .and_then(|top| Path::new(&top).canonicalize().ok())
        .is_some_and(|top| Path::new(&dir).canonicalize().is_ok_and(|d| d == top));
    let commit = own
        .then(|| git(&dir, &["show", "-s", "--format=%h %cs", "HEAD"]))
        .flatten();
    let described = match commit {
        Some(commit) => format!("{version} ({commit})"),
        None => version.to_string(),
    };
    println!("cargo:rustc-env=GRAFT_VERSION={described}");
    println!("cargo:rerun-if-changed=build.rs");
    if !own {
        return;
    }
    // Built again when HEAD moves: HEAD itself (a branch switch or a
    // detached checkout), the branch it names (a commit) and packed refs.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(&dir, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        if let Some(path) = git(&dir, &["rev-parse", "--git-path", &name]) {
            let path = Path::new(&dir).join(path);
            // A watched file that does not exist would make every build run
            // this script again.
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
}

/// The trimmed output of `git ARGS` in `dir`, or `None` when git is
/// missing, fails or prints nothing.
fn git(dir: &str, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_string())
}
