//! The journal that makes a failed, interrupted or killed `graft update`
//! leave the project exactly as it was (SPEC §6 "Nothing is lost").

use std::os::unix::process::ExitStatusExt;

use crate::harness::{Harness, Snap, DEST};
use crate::update::five_write_update;

/// Runs `graft update dest` with the fault injection `var=n`.
pub(crate) fn update_with_fault(h: &Harness, var: &str, n: usize) -> std::process::Output {
    h.std_command(["update", DEST])
        .env(var, n.to_string())
        .output()
        .expect("run graft")
}

#[test]
fn a_write_failing_at_any_point_leaves_the_project_as_it_was() {
    let h = Harness::new();
    let project = five_write_update(&h);
    let before = h.project_tree();
    let status = project.status();
    let mut n = 0;
    loop {
        let out = update_with_fault(&h, "GRAFT_FAIL_AFTER_WRITES", n);
        if out.status.success() {
            break;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "after {n} writes: {stderr}");
        assert!(
            stderr.contains("\nerror: cannot write `")
                && stderr.ends_with("`\ncaused by: injected failure\n"),
            "after {n} writes: {stderr}"
        );
        assert_eq!(h.project_tree(), before, "after {n} writes");
        assert_eq!(project.status(), status, "after {n} writes");
        n += 1;
        assert!(n <= 5, "the update writes five times");
    }
    assert_eq!(n, 5, "the update writes five times");
    assert_eq!(h.dest_file("new/dir/file.txt"), "new\n");
}

#[test]
fn a_killed_run_is_rolled_back_by_the_next_graft_command() {
    let h = Harness::new();
    let project = five_write_update(&h);
    let before = h.project_tree();
    let status = project.status();

    let out = update_with_fault(&h, "GRAFT_ABORT_AFTER_WRITES", 2);
    assert_eq!(out.status.signal(), Some(libc_sigabrt()), "{out:?}");
    let half = h.project_tree();
    assert_ne!(half, before, "nothing was written before the abort");
    assert!(!half.contains_key("gone.txt"), "the first write deleted it");
    assert_eq!(half.get(".graft-journal"), Some(&Snap::Dir));

    let run = h.update(&["--pretend"]).success();
    run.stderr_starts_with(&format!(
        "warning: rolled back an interrupted graft run in `{}`\n",
        h.dest().display()
    ));
    assert_eq!(h.project_tree(), before);
    assert_eq!(project.status(), status);
}

/// SIGABRT, which `std::process::abort` raises.
pub(crate) fn libc_sigabrt() -> i32 {
    nix::sys::signal::Signal::SIGABRT as i32
}

#[test]
fn an_interrupted_run_rolls_back_and_exits_130() {
    let h = Harness::new();
    let project = five_write_update(&h);
    let before = h.project_tree();
    let status = project.status();
    let out = update_with_fault(&h, "GRAFT_INTERRUPT_AFTER_WRITES", 2);
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).ends_with("\nerror: interrupted\n"),
        "{out:?}"
    );
    assert_eq!(h.project_tree(), before);
    assert_eq!(project.status(), status);
}
