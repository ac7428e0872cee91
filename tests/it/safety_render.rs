//! Input that used to crash, hang or exhaust graft: special files and huge
//! files as `_external_data`, partials that include each other, deeply
//! nested templates and YAML, symlinked configuration files, damaged
//! template caches, and names that hold terminal control characters. Each
//! is refused with an error naming the file or setting (exit 2, nothing
//! written), or handled, never a crash.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::harness::{Harness, Run, DEST};

/// Everything in the harness folder but graft's own template cache, by
/// path: the bytes of regular files, the target of symlinks, and the kind
/// of anything else (a named pipe is never opened).
fn snapshot(h: &Harness) -> BTreeMap<String, String> {
    fn walk(dir: &Path, rel: &str, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("read folder") {
            let entry = entry.expect("read folder entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if rel == "home/cache" {
                continue;
            }
            let meta = std::fs::symlink_metadata(entry.path()).expect("stat");
            let kind = meta.file_type();
            let snap = if kind.is_symlink() {
                format!("link {:?}", std::fs::read_link(entry.path()))
            } else if kind.is_dir() {
                walk(&entry.path(), &rel, out);
                "dir".to_string()
            } else if kind.is_file() {
                let bytes = std::fs::read(entry.path()).expect("read file");
                format!("file {:o} {bytes:?}", meta.mode())
            } else {
                format!("special {:o}", meta.mode())
            };
            out.insert(rel, snap);
        }
    }
    let mut out = BTreeMap::new();
    walk(h.root(), "", &mut out);
    out
}

/// Runs `graft ARGS`, expecting exit 2 with exactly `stderr`, and not one
/// byte changed anywhere in the harness folder.
#[track_caller]
fn refused(h: &Harness, args: &[&str], stderr: &str) -> Run {
    let before = snapshot(h);
    let run = run_guarded(h, args).code(2);
    assert_eq!(run.stderr, stderr);
    assert_eq!(run.stdout, "");
    assert!(snapshot(h) == before, "files changed");
    run
}

/// `graft copy template dest --defaults ARGS` through [`refused`].
#[track_caller]
fn copy_refused(h: &Harness, args: &[&str], stderr: &str) -> Run {
    refused(
        h,
        &[&["copy", "template", DEST, "--defaults"], args].concat(),
        stderr,
    )
}

/// Runs `graft ARGS` to the end like [`Harness::run`], but kills it and
/// fails the test when it has not finished after 20 seconds: a hang shows
/// as a failure, not as a test run that never ends.
fn run_guarded(h: &Harness, args: &[&str]) -> Run {
    let mut child = h
        .std_command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn graft");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if child.try_wait().expect("poll graft").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("graft {args:?} did not finish within 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("collect graft output");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

// --- `_external_data` reads only regular files, and only so much.

/// A template whose `_external_data` `other` is `path`.
fn external_data_template(h: &Harness, path: &str) {
    h.template(&[
        (
            "graft.yml",
            &format!("_external_data:\n  other: \"{path}\"\nname: app\n"),
        ),
        ("a.txt.hbs", "{{to_json _external_data.other}}\n"),
    ]);
}

#[test]
fn external_data_that_is_a_named_pipe_is_refused_without_blocking() {
    let h = Harness::new();
    h.mkdir(DEST);
    let fifo = h.path("dest/data.yml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(status.success());
    external_data_template(&h, "data.yml");
    copy_refused(
        &h,
        &[],
        &format!(
            "error: `_external_data` `other` reads `{}`, which is a named pipe, not a regular file\n",
            fifo.display()
        ),
    );
}

#[test]
fn external_data_that_is_a_device_is_refused_even_with_trust() {
    let h = Harness::new();
    for device in ["/dev/zero", "/dev/urandom"] {
        external_data_template(&h, device);
        copy_refused(
            &h,
            &["--trust"],
            &format!(
                "error: `_external_data` `other` reads `{device}`, which is a device, not a regular file\n"
            ),
        );
    }
}

#[test]
fn external_data_through_a_symlink_to_a_device_is_refused() {
    let h = Harness::new();
    h.symlink("dest/data.yml", "/dev/zero");
    external_data_template(&h, "data.yml");
    copy_refused(
        &h,
        &["--trust"],
        &format!(
            "error: `_external_data` `other` reads `{}`, which is a device, not a regular file\n",
            h.path("dest/data.yml").display()
        ),
    );
}

#[test]
fn external_data_that_is_a_folder_is_refused() {
    let h = Harness::new();
    h.mkdir("dest/data.yml");
    external_data_template(&h, "data.yml");
    copy_refused(
        &h,
        &[],
        &format!(
            "error: `_external_data` `other` reads `{}`, which is a folder, not a regular file\n",
            h.path("dest/data.yml").display()
        ),
    );
}

#[test]
fn external_data_larger_than_16_mib_is_refused() {
    let h = Harness::new();
    h.mkdir(DEST);
    // Sparse: takes no room on disk, reads as zeros.
    let big = std::fs::File::create(h.path("dest/data.yml")).expect("create file");
    big.set_len(16 * 1024 * 1024 + 1).expect("grow file");
    external_data_template(&h, "data.yml");
    copy_refused(
        &h,
        &[],
        &format!(
            "error: `_external_data` `other` reads `{}`, which is larger than 16 MiB\n",
            h.path("dest/data.yml").display()
        ),
    );
}

#[test]
fn external_data_of_exactly_16_mib_is_read() {
    let h = Harness::new();
    // A YAML comment line padded to the limit, then one key.
    let tail = "\nkey: value\n";
    let limit = 16 * 1024 * 1024;
    let text = format!("#{}{tail}", "x".repeat(limit - 1 - tail.len()));
    assert_eq!(text.len(), limit);
    h.write("dest/data.yml", text);
    external_data_template(&h, "data.yml");
    run_guarded(&h, &["copy", "template", DEST, "--defaults", "-q"]).success();
    assert_eq!(h.dest_file("a.txt"), "{\"key\":\"value\"}\n");
}
