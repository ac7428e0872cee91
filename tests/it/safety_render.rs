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

use crate::harness::{read_tree, Harness, Run, DEST};

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
            "error: `_external_data` `other` reads `{}`, which is a FIFO, not a regular file\n",
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
                "error: `_external_data` `other` reads `{device}`, which is a character device, not a regular file\n"
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
            "error: `_external_data` `other` reads `{}`, which is a character device, not a regular file\n",
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

// --- Nesting is bounded: no template can overflow the stack.

/// `n` `{{#if}}` blocks nested around `inner`.
fn nested_ifs(n: usize, inner: &str) -> String {
    format!("{}{inner}{}", "{{#if a}}".repeat(n), "{{/if}}".repeat(n))
}

#[test]
fn partials_that_include_each_other_are_an_error_naming_the_chain() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "a: true\n"),
        ("_partials/p.hbs", "p\n{{> q}}\n"),
        ("_partials/q.hbs", "q {{> p}}\n"),
        ("a.txt.hbs", "{{> p}}\n"),
    ]);
    copy_refused(
        &h,
        &[],
        "error: cannot render `_partials/p.hbs` at line 2\n\
         caused by: partials include each other: `p → q → p`\n",
    );
}

#[test]
fn partial_that_includes_itself_is_an_error_naming_the_chain() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "a: true\n"),
        ("_partials/tree.hbs", "{{#each a}}{{> tree}}{{/each}}\n"),
        ("a.txt.hbs", "{{> tree}}\n"),
    ]);
    copy_refused(
        &h,
        &[],
        "error: cannot render `_partials/tree.hbs` at line 1\n\
         caused by: partials include each other: `tree → tree`\n",
    );
}

#[test]
fn inline_partials_that_include_each_other_are_an_error_naming_the_file() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "a: true\n"),
        (
            "a.txt.hbs",
            "{{#*inline \"x\"}}{{> y}}{{/inline}}\n{{#*inline \"y\"}}{{> x}}{{/inline}}\n{{> x}}\n",
        ),
    ]);
    copy_refused(
        &h,
        &[],
        "error: cannot render `a.txt.hbs` at line 1\n\
         caused by: partials include each other: `x → y → x`\n",
    );
}

#[test]
fn five_thousand_nested_if_blocks_in_a_file_are_an_error_naming_the_file() {
    let h = Harness::new();
    let deep = format!("line one\n{}", nested_ifs(5000, "x"));
    h.template(&[("graft.yml", "a: true\n"), ("a.txt.hbs", &deep)]);
    copy_refused(
        &h,
        &[],
        "error: cannot render `a.txt.hbs` at line 2\n\
         caused by: blocks and subexpressions nest more than 128 levels deep\n",
    );
}

#[test]
fn deep_each_blocks_and_subexpressions_in_a_file_are_an_error() {
    let h = Harness::new();
    let each = format!("{}{}", "{{#each a}}".repeat(3000), "{{/each}}".repeat(3000));
    let parens = format!("{{{{x {}a{}}}}}", "(not ".repeat(3000), ")".repeat(3000));
    let chain = format!("{{{{#if a}}}}{}{{{{/if}}}}", "{{else if a}}".repeat(3000));
    for text in [each, parens, chain] {
        h.template(&[("graft.yml", "a: [1]\nx: 1\n"), ("a.txt.hbs", &text)]);
        copy_refused(
            &h,
            &[],
            "error: cannot render `a.txt.hbs` at line 1\n\
             caused by: blocks and subexpressions nest more than 128 levels deep\n",
        );
    }
}

#[test]
fn nesting_reached_through_partials_counts_against_the_limit() {
    let h = Harness::new();
    // Each partial nests 10 levels and includes the next: 20 of them nest
    // 220 levels, each alone only 10.
    let mut files: Vec<(String, String)> = (0..20)
        .map(|n| {
            (
                format!("_partials/p{n}.hbs"),
                nested_ifs(10, &format!("{{{{> p{}}}}}", n + 1)),
            )
        })
        .collect();
    files.push(("_partials/p20.hbs".into(), "end".into()));
    files.push(("graft.yml".into(), "a: true\n".into()));
    files.push(("a.txt.hbs".into(), "{{> p0}}".into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    h.template(&refs);
    // p19 reaches 11 levels, p18 22, ... p8 132: the first over the limit.
    copy_refused(
        &h,
        &[],
        "error: cannot render `_partials/p8.hbs` at line 1\n\
         caused by: blocks, subexpressions and partials nest more than 128 levels deep \
         (through partial `p9`)\n",
    );
}

#[test]
fn deep_nesting_in_question_fields_and_settings_is_an_error_naming_the_field() {
    let deep = nested_ifs(5000, "x");
    let cases = [
        (
            format!("a:\n  default: \"{deep}\"\n"),
            "error: cannot render `graft.yml:1 (default of `a`)` at line 1\n\
             caused by: blocks and subexpressions nest more than 128 levels deep\n",
        ),
        (
            format!("a:\n  default: 1\n  when: \"{deep}\"\n"),
            "error: cannot render `graft.yml:1 (when of `a`)` at line 1\n\
             caused by: blocks and subexpressions nest more than 128 levels deep\n",
        ),
        (
            format!("a:\n  default: 1\n  validator: \"{deep}\"\n"),
            "error: invalid answer for `a` from its default: cannot render \
             `graft.yml:1 (validator of `a`)` at line 1: blocks and subexpressions \
             nest more than 128 levels deep\n",
        ),
        (
            format!("a: 1\n_injections:\n  - into: a.txt\n    after: a\n    content: \"{deep}\"\n"),
            "error: cannot render `graft.yml:3 (injection)` at line 1\n\
             caused by: blocks and subexpressions nest more than 128 levels deep\n",
        ),
        (
            format!("a: 1\n_subdirectory: \"{deep}\"\n"),
            "error: cannot render `graft.yml (_subdirectory)` at line 1\n\
             caused by: blocks and subexpressions nest more than 128 levels deep\n",
        ),
    ];
    for (config, stderr) in cases {
        let h = Harness::new();
        h.template(&[("graft.yml", &config), ("a.txt", "a\n")]);
        copy_refused(&h, &[], stderr);
    }
}

#[test]
fn deep_nesting_in_a_question_help_is_an_error_when_prompting() {
    use nix::sys::wait::WaitStatus;
    // The help is the prompt's text, so it is rendered only on a terminal.
    let h = Harness::new();
    let deep = nested_ifs(5000, "x");
    h.template(&[(
        "graft.yml",
        &format!("a:\n  default: 1\n  help: \"{deep}\"\n"),
    )]);
    let mut cmd = h.std_command(["copy", "template", DEST]);
    cmd.env("TERM", "xterm");
    let mut session =
        rexpect::session::spawn_command(cmd, Some(20_000)).expect("spawn graft on a pty");
    let out = session.exp_eof().expect("graft to finish");
    let status = session.process().wait().expect("wait for graft");
    assert!(
        matches!(status, WaitStatus::Exited(_, 2)),
        "{status:?}\n{out}"
    );
    assert_eq!(
        out,
        "error: cannot render `graft.yml:1 (help of `a`)` at line 1\r\n\
         caused by: blocks and subexpressions nest more than 128 levels deep\r\n"
    );
    assert!(!h.dest().exists());
}

#[test]
fn deep_nesting_in_a_templated_path_segment_is_an_error_naming_it() {
    // A git tree entry may be longer than a file name on disk, so the
    // template is a bare repository.
    let h = Harness::new();
    let mut repo = crate::harness::GitRepo::init(&h, "work");
    repo.commit(&[("graft.yml", "a: true\n")], &[], "config");
    let blob = repo.git(&["hash-object", "-w", "graft.yml"]);
    let name = format!(
        "{{{{when {}a{} 'x'}}}}",
        "(not ".repeat(300),
        ")".repeat(300)
    );
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("100644,{},{name}", blob.trim()),
    ]);
    repo.git(&["commit", "-q", "-m", "deep name"]);
    repo.tag("v1.0.0");
    repo.git(&["clone", "-q", "--bare", ".", "../template"]);
    copy_refused(
        &h,
        &[],
        &format!(
            "error: cannot render `{name}` at line 1\n\
             caused by: blocks and subexpressions nest more than 128 levels deep\n"
        ),
    );
}

#[test]
fn deeply_nested_yaml_is_an_error_naming_the_file() {
    let h = Harness::new();
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    h.template(&[("graft.yml", &format!("name: app\nx: {deep}\n"))]);
    copy_refused(
        &h,
        &[],
        "error: graft.yml:2: mappings and lists are nested too deeply\n",
    );
    h.template(&[("graft.yml", "name: app\n")]);
    h.write("data.yml", format!("name: {deep}\n"));
    copy_refused(
        &h,
        &["--data-file", "data.yml"],
        "error: `data.yml` is not valid YAML: line 1: mappings and lists are nested too deeply\n",
    );
    h.write("data.json", format!("{{\"name\": {deep}}}\n"));
    let run = run_guarded(
        &h,
        &[
            "copy",
            "template",
            DEST,
            "--defaults",
            "--data-file",
            "data.json",
        ],
    )
    .code(2);
    assert!(
        run.stderr
            .starts_with("error: `data.json` is not valid JSON: recursion limit exceeded"),
        "{}",
        run.stderr
    );
}

#[test]
fn deeply_nested_answers_file_is_an_error_naming_it() {
    let h = Harness::new();
    h.template(&[("graft.yml", "name: app\n")]);
    run_guarded(&h, &["copy", "template", DEST, "--defaults", "-q"]).success();
    let deep = format!("{}1{}", "{a: ".repeat(100_000), "}".repeat(100_000));
    h.write(
        "dest/.graft-answers.yml",
        format!("_src_path: {}\nname: {deep}\n", h.template_src()),
    );
    refused(
        &h,
        &["update", DEST, "--defaults"],
        "error: .graft-answers.yml:2: mappings and lists are nested too deeply\n",
    );
}

// --- A symlinked `graft.yml` or `!include` target inside the template is followed.

#[test]
fn graft_yml_that_is_a_symlink_to_a_file_inside_the_template_is_followed() {
    let h = Harness::new();
    h.template(&[
        ("config/graft.yml", "name: app\n"),
        ("{{name}}.txt.hbs", "{{name}}\n"),
    ]);
    h.symlink("template/graft.yml", "config/graft.yml");
    run_guarded(
        &h,
        &["copy", "template", DEST, "--defaults", "-q", "-x", "config"],
    )
    .success();
    h.assert_dest("name: app\n", &[("app.txt", "app\n")]);
}

#[test]
fn graft_yml_that_is_a_symlink_in_a_git_template_is_followed_on_copy_and_update() {
    let h = Harness::new();
    let mut repo = crate::harness::GitRepo::init(&h, "template");
    std::fs::create_dir_all(h.path("template/config")).expect("mkdir");
    h.symlink("template/graft.yaml", "config/graft.yml");
    repo.release(
        "v1.0.0",
        &[
            ("config/graft.yml", "_exclude: [config]\nname: app\n"),
            ("{{name}}.txt.hbs", "one {{name}}\n"),
        ],
        &[],
    );
    run_guarded(
        &h,
        &[
            "copy",
            "template",
            DEST,
            "--defaults",
            "-q",
            "--vcs-ref",
            "v1.0.0",
        ],
    )
    .success();
    assert_eq!(h.dest_file("app.txt"), "one app\n");
    repo.release(
        "v2.0.0",
        &[
            (
                "config/graft.yml",
                "_exclude: [config]\nname: app\nmore: x\n",
            ),
            ("{{name}}.txt.hbs", "two {{name}} {{more}}\n"),
        ],
        &[],
    );
    run_guarded(&h, &["update", DEST, "--defaults", "-q"]).success();
    assert_eq!(h.dest_file("app.txt"), "two app x\n");
}

#[test]
fn include_of_a_symlink_to_a_file_inside_the_template_is_followed() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: app\n---\n!include shared.yml\n"),
        ("common/questions.yml", "color: blue\n"),
        ("{{color}}.txt", "x\n"),
    ]);
    h.symlink("template/shared.yml", "common/questions.yml");
    run_guarded(
        &h,
        &[
            "copy",
            "template",
            DEST,
            "--defaults",
            "-q",
            "-x",
            "common",
            "-x",
            "shared.yml",
        ],
    )
    .success();
    h.assert_dest("name: app\ncolor: blue\n", &[("blue.txt", "x\n")]);
}

#[test]
fn graft_yml_that_is_a_symlink_leading_outside_the_template_is_refused() {
    let h = Harness::new();
    h.write("outside/graft.yml", "_tasks: [\"touch pwned\"]\n");
    h.template(&[("a.txt", "a\n")]);
    h.symlink("template/graft.yml", "../outside/graft.yml");
    copy_refused(
        &h,
        &["--trust"],
        "error: symlink `graft.yml` in the template points to `../outside/graft.yml`, \
         which is outside the template\n",
    );
    std::fs::remove_file(h.path("template/graft.yml")).expect("remove link");
    h.symlink("template/graft.yml", "missing.yml");
    copy_refused(
        &h,
        &[],
        "error: symlink `graft.yml` in the template points to `missing.yml`, \
         which does not exist in the template\n",
    );
}

// --- A damaged template cache heals.

/// A released template served at a `file://` URL, copied once so that its
/// mirror is in the cache; returns the URL and the mirror's path.
fn cached_remote(h: &Harness) -> (String, std::path::PathBuf) {
    let mut repo = crate::harness::GitRepo::init(h, "template");
    let mut files: Vec<(String, String)> = (0..20)
        .map(|n| (format!("f{n}.txt"), format!("file {n}\n").repeat(200)))
        .collect();
    files.push(("graft.yml".into(), "name: app\n".into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    repo.release("v1.0.0", &refs, &[]);
    let url = format!("file://{}", h.template_src());
    run_guarded(h, &["copy", &url, "first", "--defaults", "-q"]).success();
    let mirrors = h.path("home/cache/mirrors");
    let mirror = std::fs::read_dir(&mirrors)
        .expect("list mirrors")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "git"))
        .expect("a mirror in the cache");
    (url, mirror)
}

/// The damages a mirror may suffer, by name.
fn damage(mirror: &Path, how: &str) {
    match how {
        "garbage HEAD" => std::fs::write(mirror.join("HEAD"), "garbage\n").expect("write HEAD"),
        "flipped byte in a pack" => {
            let pack = std::fs::read_dir(mirror.join("objects/pack"))
                .expect("list packs")
                .flatten()
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == "pack"))
                .expect("a pack");
            let mut perms = std::fs::metadata(&pack).expect("stat pack").permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&pack, perms).expect("make pack writable");
            let mut bytes = std::fs::read(&pack).expect("read pack");
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0xff;
            std::fs::write(&pack, bytes).expect("write pack");
        }
        "truncated packed-refs" => {
            let git = |args: &[&str]| {
                let status = std::process::Command::new("git")
                    .arg("--git-dir")
                    .arg(mirror)
                    .args(args)
                    .status()
                    .expect("run git");
                assert!(status.success());
            };
            git(&["pack-refs", "--all", "--prune"]);
            let refs = std::fs::read(mirror.join("packed-refs")).expect("read packed-refs");
            std::fs::write(mirror.join("packed-refs"), &refs[..refs.len() - 20])
                .expect("truncate packed-refs");
        }
        "missing objects folder" => {
            std::fs::remove_dir_all(mirror.join("objects")).expect("remove objects")
        }
        other => panic!("unknown damage {other}"),
    }
}

const DAMAGES: [&str; 4] = [
    "garbage HEAD",
    "flipped byte in a pack",
    "truncated packed-refs",
    "missing objects folder",
];

#[test]
fn corrupt_cache_mirror_is_fetched_again_and_the_copy_succeeds() {
    for how in DAMAGES {
        let h = Harness::new();
        let (url, mirror) = cached_remote(&h);
        damage(&mirror, how);
        let run = run_guarded(&h, &["copy", &url, DEST, "--defaults", "-q"]);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{how}");
        assert_eq!(read_tree(&h.path("first")), read_tree(&h.dest()), "{how}");
        // The mirror is sound again: offline works.
        run_guarded(
            &h,
            &["copy", &url, "offline", "--defaults", "-q", "--offline"],
        )
        .success();
    }
}

#[test]
fn corrupt_cache_mirror_offline_is_an_error_naming_it() {
    for how in DAMAGES {
        let h = Harness::new();
        let (url, mirror) = cached_remote(&h);
        damage(&mirror, how);
        let run = refused_any_cause(&h, &["copy", &url, DEST, "--defaults", "--offline"]);
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 3, "{how}: {}", run.stderr);
        assert_eq!(
            lines[0],
            format!(
                "error: the cached copy of `{url}` at `{}` is unusable; run once without --offline",
                mirror.display()
            ),
            "{how}"
        );
        assert!(lines[1].starts_with("caused by: "), "{how}: {}", run.stderr);
        assert_eq!(
            lines[2], "hint: without --offline graft deletes the broken copy and fetches a new one",
            "{how}"
        );
    }
}

/// Like [`refused`], for errors whose `caused by:` line is libgit2's.
fn refused_any_cause(h: &Harness, args: &[&str]) -> Run {
    let before = snapshot(h);
    let run = run_guarded(h, args).code(2);
    assert_eq!(run.stdout, "");
    assert!(snapshot(h) == before, "files changed");
    run
}

// --- Names printed to a terminal are quoted as git quotes them.

/// A template whose one file is named after the answer `name`.
fn named_by_answer(h: &Harness) {
    h.template(&[("graft.yml", "name: app\nn: 1\n"), ("{{name}}.txt", "x\n")]);
}

#[test]
fn rendered_names_with_control_characters_are_quoted_in_status_lines() {
    let h = Harness::new();
    named_by_answer(&h);
    let name = "\x1b[31mred\rb\nc";
    let run = run_guarded(
        &h,
        &[
            "copy",
            "template",
            DEST,
            "--defaults",
            "-d",
            &format!("name={name}"),
        ],
    )
    .success();
    assert_eq!(
        run.stderr,
        format!(
            "    create  \"\\033[31mred\\rb\\nc.txt\"\n    create  .graft-answers.yml\n\n\
             copied {} into {DEST}: 2 created, 0 updated, 0 identical, 0 skipped\n",
            h.template_src()
        )
    );
    // Only the printing is quoted: the file has the name it was given.
    assert_eq!(h.dest_file(&format!("{name}.txt")), "x\n");
}

#[test]
fn path_with_a_tab_is_quoted_in_the_pretend_plan_and_the_diff_header() {
    let h = Harness::new();
    named_by_answer(&h);
    let run = run_guarded(
        &h,
        &[
            "copy",
            "template",
            DEST,
            "--defaults",
            "-d",
            "name=t\tb",
            "--pretend",
            "--diff",
        ],
    )
    .success();
    assert_eq!(
        run.stderr,
        "    create  \"t\\tb.txt\"\n    create  .graft-answers.yml\npretend: nothing was written\n"
    );
    assert!(
        run.stdout
            .starts_with("--- /dev/null\n+++ \"b/t\\tb.txt\"\n@@ -0,0 +1 @@\n+x\n"),
        "{}",
        run.stdout
    );
    assert!(!h.dest().exists());
}

#[test]
fn answer_with_control_characters_in_an_error_message_is_escaped() {
    let h = Harness::new();
    named_by_answer(&h);
    copy_refused(
        &h,
        &["-d", "n=\x1b[2J\x1b[H"],
        "error: invalid answer for `n` from `--data`: `\\033[2J\\033[H` is not an integer\n",
    );
}

#[test]
fn rendered_path_with_a_newline_in_an_error_message_is_escaped() {
    let h = Harness::new();
    named_by_answer(&h);
    copy_refused(
        &h,
        &["-d", "name=fake\nerror: x\\"],
        "error: path `fake\\nerror: x\\.txt` (from `{{name}}.txt`) contains a backslash\n",
    );
}

#[test]
fn json_report_keeps_names_json_escaped() {
    let h = Harness::new();
    named_by_answer(&h);
    let run = run_guarded(
        &h,
        &[
            "copy",
            "template",
            DEST,
            "--defaults",
            "-q",
            "--json",
            "-d",
            "name=\x1b[31m\t",
        ],
    )
    .success();
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON report");
    assert_eq!(report["files"][0]["path"], "\x1b[31m\t.txt");
    assert!(
        run.stdout.contains("\"\\u001b[31m\\t.txt\""),
        "{}",
        run.stdout
    );
}
