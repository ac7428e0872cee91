//! Python Copier's own tests of `copier update`, `recopy`, migrations,
//! answers files and `check-update`, ported to graft: each test names the
//! Copier test (in copier-org/copier's `tests/`) it ports and asserts what
//! that test asserts, on graft's command line or graft invoked as
//! `copier`. Where graft differs from Copier on purpose, the doc comment
//! says so and the test asserts graft's behaviour.
//!
//! Templates are built as the Python tests build them (no trailing
//! newline where they have none); Copier's `build_file_tree` is
//! [`Case::release`], its `git_save` is [`Case::save`]. Copies run as
//! `copier copy` (most of these templates have no `copier.yml`), updates
//! mostly on graft's own command line, which exits with 1 where conflicts
//! remain (Copier, and graft as `copier`, with 0). Two tests that are not
//! ports also run Python Copier, when it is there, to show where graft
//! does what Copier does and where it keeps a file Copier deletes.

use serde_json::{json, Value};

use crate::harness::{read, GitRepo, Harness, Run, TEMPLATE};

/// `{{ _copier_conf.answers_file }}.jinja` as most of Copier's tests write it.
const ANSWERS_NICE_YAML: (&str, &str) = (
    "{{ _copier_conf.answers_file }}.jinja",
    "{{ _copier_answers|to_nice_yaml }}",
);
const ANSWERS_YAML: (&str, &str) = (
    "{{ _copier_conf.answers_file }}.jinja",
    "{{ _copier_answers|to_yaml }}",
);
/// `COPIER_ANSWERS_FILE` of Copier's test helpers.
const ANSWERS_JSON: (&str, &str) = (
    "{{ _copier_conf.answers_file }}.jinja",
    "{{ _copier_answers|tojson }}",
);

/// The inline conflict Copier writes around one region.
fn conflict(ours: &str, theirs: &str) -> String {
    format!("<<<<<<< before updating\n{ours}=======\n{theirs}>>>>>>> after updating\n")
}

/// One ported test's world: a Copier template repository at `template/`,
/// projects beside it, and graft also reachable as `copier`.
struct Case {
    h: Harness,
    template: GitRepo,
}

impl Case {
    fn new() -> Case {
        let h = Harness::new();
        let template = GitRepo::init(&h, TEMPLATE);
        std::fs::create_dir_all(h.path("bin")).expect("create bin");
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_graft"), h.path("bin/copier"))
            .expect("link copier");
        Case { h, template }
    }

    /// Writes `files` into the template, commits everything, and tags the
    /// commit `tag`.
    fn release(&mut self, tag: &str, files: &[(&str, &str)]) -> String {
        self.template.release(tag, files, &[])
    }

    /// The template's absolute path, as `_src_path` records it.
    fn src(&self) -> String {
        self.h.template_src()
    }

    /// Runs graft as `copier ARGS`.
    fn copier(&self, args: &[&str]) -> Run {
        let mut cmd = self.h.program(&self.h.path("bin/copier"));
        cmd.args(args);
        Run::of(assert_cmd::Command::from_std(cmd))
    }

    /// `copier copy ARGS TEMPLATE DST`, graft as `copier`: most of these
    /// templates have no `copier.yml`, which only Copier's command line
    /// reads as a Copier template (an update knows from the answers file).
    fn copy(&self, dst: &str, args: &[&str]) -> Run {
        let src = self.src();
        self.copier(&[&["copy"], args, &[src.as_str(), dst]].concat())
    }

    /// `graft update DST ARGS`.
    fn update(&self, dst: &str, args: &[&str]) -> Run {
        self.h.run(&[&["update", dst], args].concat())
    }

    /// Copies the project `from` to `to`, as it is (with its `.git`).
    fn duplicate(&self, from: &str, to: &str) {
        let status = std::process::Command::new("cp")
            .args(["-a", from, to])
            .current_dir(self.h.root())
            .status()
            .expect("run cp");
        assert!(status.success());
    }

    /// Runs Python Copier with `args` (it must succeed); false when it is
    /// not installed, so the caller's comparison is skipped.
    fn python_copier(&self, args: &[&str]) -> bool {
        let Some(copier) = crate::harness::python_copier() else {
            return false;
        };
        let mut cmd = self.h.program(&copier);
        crate::harness::git_identity(&mut cmd);
        let out = cmd.args(args).output().expect("run Python Copier");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        true
    }

    /// `git_save(dst)`: makes `dst` a git repository if it is none yet and
    /// commits everything in it.
    fn save(&self, dst: &str) -> GitRepo {
        let mut repo = if self.h.path(&format!("{dst}/.git")).exists() {
            GitRepo::open(&self.h, dst)
        } else {
            GitRepo::init(&self.h, dst)
        };
        repo.commit(&[], &[], "save");
        repo
    }

    fn write(&self, rel: &str, text: &str) {
        self.h.write(rel, text);
    }

    fn read(&self, rel: &str) -> String {
        read(&self.h.path(rel))
    }

    fn exists(&self, rel: &str) -> bool {
        self.h.path(rel).exists()
    }

    /// `load_answersfile_data`: the answers file `rel`, parsed as YAML.
    fn answers(&self, rel: &str) -> Value {
        serde_saphyr::from_str(&self.read(rel)).unwrap_or_else(|e| panic!("{rel} is not YAML: {e}"))
    }

    /// One answer of the answers file `rel`.
    fn answer(&self, rel: &str, key: &str) -> Value {
        self.answers(rel)[key].clone()
    }

    fn is_executable(&self, rel: &str) -> bool {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(self.h.path(rel)).expect("stat");
        meta.permissions().mode() & 0o111 != 0
    }
}

/// Ports `test_updatediff.py::test_updatediff`: migrations of the versions
/// crossed run before and after, an edit merges with a template change,
/// updating to an untagged `HEAD` records `git describe`, an update with
/// nothing new changes nothing, changed answers re-render, and rendering
/// afresh drops the project's edits. Copier's test reads the template from
/// a git bundle; this one from its repository. Its last step runs Copier's
/// `Worker.run_copy` over the project, which is `graft recopy`.
#[test]
fn updatediff() {
    let mut c = Case::new();
    let answers = (
        ".copier-answers.yml.jinja",
        "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml }}\n",
    );
    let migrations = "_migrations:\n\
        \x20   -   version: v0.0.1\n        when: \"{{ _stage == 'before' }}\"\n        command: touch before-v0.0.1\n\
        \x20   -   version: v0.0.1\n        when: \"{{ _stage == 'after' }}\"\n        command: touch after-v0.0.1\n\
        \x20   -   version: v0.0.2\n        when: \"{{ _stage == 'before' }}\"\n        command: touch before-v0.0.2\n\
        \x20   -   version: v0.0.2\n        when: \"{{ _stage == 'after' }}\"\n        command: touch after-v0.0.2\n\
        \x20   -   version: v1.0.0\n        when: \"{{ _stage == 'before' }}\"\n        command: touch before-v1.0.0\n\
        \x20   -   version: v1.0.0\n        when: \"{{ _stage == 'after' }}\"\n        command: touch after-v1.0.0\n";
    let envops = "_envops:\n    \"keep_trailing_newline\": True\n";
    c.release(
        "v0.0.1",
        &[
            answers,
            (
                "copier.yml",
                &format!("{envops}project_name: to become a pirate\nauthor_name: Guybrush\n"),
            ),
            (
                "README.txt.jinja",
                "\nLet me introduce myself.\n\nMy name is {{author_name}}, and my project is {{project_name}}.\n\nThanks for your attention.\n",
            ),
        ],
    );
    c.release(
        "v0.0.2",
        &[(
            "copier.yml",
            &format!(
                "{envops}project_name: to become a pirate\nauthor_name: Guybrush\n{migrations}"
            ),
        )],
    );
    c.template.commit(
        &[
            (
                "copier.yml",
                &format!("{envops}project_name: to rule\nauthor_name: Elaine\n{migrations}"),
            ),
            (
                "README.txt.jinja",
                "\nLet me introduce myself.\n\nMy name is {{author_name}}.\n\nMy project is {{project_name}}.\n\nThanks for your attention.\n",
            ),
        ],
        &[],
        "Elaine wants to rule",
    );
    let last_commit = c.template.describe("HEAD");
    let src = c.src();

    c.copier(&[
        "copy",
        &src,
        "target",
        "--defaults",
        "--overwrite",
        "--vcs-ref=v0.0.1",
    ])
    .success();
    let answers_at = |commit: &str| {
        json!({
            "_commit": commit,
            "_src_path": src,
            "author_name": "Guybrush",
            "project_name": "to become a pirate",
        })
    };
    assert_eq!(
        c.answers("target/.copier-answers.yml"),
        answers_at("v0.0.1")
    );
    assert_eq!(
        c.read("target/README.txt"),
        "\nLet me introduce myself.\n\nMy name is Guybrush, and my project is to become a pirate.\n\nThanks for your attention.\n"
    );
    let mut project = c.save("target");
    project.commit(
        &[(
            "README.txt",
            "\nLet me introduce myself.\n\nMy name is Guybrush, and my project is to become a pirate.\n\nThanks for your grog.\n",
        )],
        &[],
        "I prefer grog",
    );

    c.copier(&["update", "--defaults", "--UNSAFE", "target"])
        .success();
    assert_eq!(
        c.answers("target/.copier-answers.yml"),
        answers_at("v0.0.2")
    );
    for (file, ran) in [
        ("before-v0.0.1", false),
        ("after-v0.0.1", false),
        ("before-v0.0.2", true),
        ("after-v0.0.2", true),
        ("before-v1.0.0", false),
        ("after-v1.0.0", false),
    ] {
        assert_eq!(c.exists(&format!("target/{file}")), ran, "{file}");
    }
    project.commit(
        &[],
        &["before-v0.0.2", "after-v0.0.2"],
        "Update template to v0.0.2",
    );

    // No migration of this crossing, so no `--UNSAFE` needed.
    c.copier(&["update", "--defaults", "--vcs-ref=HEAD", "target"])
        .success();
    for file in [
        "before-v0.0.2",
        "after-v0.0.2",
        "before-v1.0.0",
        "after-v1.0.0",
    ] {
        assert!(!c.exists(&format!("target/{file}")), "{file}");
    }
    assert_eq!(
        c.answers("target/.copier-answers.yml"),
        answers_at(&last_commit)
    );
    assert_eq!(
        c.read("target/README.txt"),
        "\nLet me introduce myself.\n\nMy name is Guybrush.\n\nMy project is to become a pirate.\n\nThanks for your grog.\n"
    );
    project.commit(&[], &[], "Update template to HEAD");
    assert_eq!(project.status(), "");
    c.copier(&["update", "--defaults", "--vcs-ref=HEAD", "target"])
        .success();
    assert_eq!(project.status(), "");

    let new_answers = [
        "--data",
        "author_name=Largo LaGrande",
        "--data",
        "project_name=to steal a lot",
    ];
    c.update(
        "target",
        &[&["--defaults", "--vcs-ref", "HEAD"][..], &new_answers].concat(),
    )
    .success();
    assert_eq!(
        c.read("target/README.txt"),
        "\nLet me introduce myself.\n\nMy name is Largo LaGrande.\n\nMy project is to steal a lot.\n\nThanks for your grog.\n"
    );
    project.commit(&[], &[], "Subproject evolved");
    c.h.run(
        &[
            &[
                "recopy",
                "target",
                "--overwrite",
                "--defaults",
                "--vcs-ref",
                "HEAD",
            ][..],
            &new_answers,
        ]
        .concat(),
    )
    .success();
    assert_eq!(
        c.read("target/README.txt"),
        "\nLet me introduce myself.\n\nMy name is Largo LaGrande.\n\nMy project is to steal a lot.\n\nThanks for your attention.\n"
    );
}

/// Ports `test_updatediff.py::test_update_from_tagged_to_head`.
#[test]
fn update_from_tagged_to_head() {
    let mut c = Case::new();
    c.release("v1", &[ANSWERS_NICE_YAML, ("example", "1")]);
    c.template.commit(&[("example", "2")], &[], "2");
    let sha = c.template.git(&["rev-parse", "--short", "HEAD"]);
    c.copy("dst", &[]).success();
    assert_eq!(c.read("dst/example"), "1");
    assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v1");
    c.save("dst");
    c.update("dst", &["--vcs-ref", "HEAD", "--defaults"])
        .success();
    assert_eq!(c.read("dst/example"), "2");
    assert_eq!(
        c.answer("dst/.copier-answers.yml", "_commit"),
        format!("v1-1-g{}", sha.trim())
    );
}

/// Ports `test_updatediff.py::test_skip_update`, for both of its skip
/// patterns and both places of the project (the repository's root, and a
/// subfolder of it).
#[test]
fn skip_update() {
    for (pattern, subproject) in [
        ("skip_me", ""),
        ("/skip_me", ""),
        ("skip_me", "/subproject"),
        ("/skip_me", "/subproject"),
    ] {
        let mut c = Case::new();
        c.release(
            "1.0.0",
            &[
                ("copier.yaml", &format!("_skip_if_exists: ['{pattern}']")),
                ANSWERS_YAML,
                ("skip_me", "1"),
            ],
        );
        let project = format!("dst{subproject}");
        c.copy(&project, &["--defaults", "--overwrite"]).success();
        assert_eq!(c.read(&format!("{project}/skip_me")), "1");
        assert_eq!(
            c.answer(&format!("{project}/.copier-answers.yml"), "_commit"),
            "1.0.0"
        );
        c.write(&format!("{project}/skip_me"), "2");
        c.save("dst");
        c.release("2.0.0", &[("skip_me", "3")]);
        c.update(&project, &["--defaults"]).success();
        assert_eq!(c.read(&format!("{project}/skip_me")), "2", "{pattern}");
        assert_eq!(
            c.answer(&format!("{project}/.copier-answers.yml"), "_commit"),
            "2.0.0"
        );
        assert!(!c.exists(&format!("{project}/skip_me.rej")));
    }
}

/// Ports `test_updatediff.py::test_skip_update_deleted`: a
/// `_skip_if_exists` file the project deleted is made again, whatever its
/// name.
#[test]
fn skip_update_deleted() {
    for name in [
        "skip_normal_file",
        "skip_unicode_âñ",
        "skip file with whitespace",
        " skip_leading_whitespace",
        "skip_trailing_whitespace ",
        "!skip_special",
    ] {
        let mut c = Case::new();
        c.release(
            "1.0.0",
            &[
                ("copier.yaml", "_skip_if_exists: ['*skip*', '*sk\\ip*']"),
                ANSWERS_YAML,
                (name, "1"),
                ("another_file", "foobar"),
            ],
        );
        c.copy("dst", &["--defaults", "--overwrite"]).success();
        let skip_me = format!("dst/{name}");
        assert_eq!(c.read(&skip_me), "1");
        assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "1.0.0");
        std::fs::remove_file(c.h.path(&skip_me)).expect("delete");
        c.save("dst");
        c.update("dst", &[]).success();
        assert_eq!(c.read(&skip_me), "1", "{name:?}");
    }
}

/// Ports `test_updatediff.py::test_update_deleted_path`: a file the
/// project deleted stays deleted though the template changed it, and a
/// name that looks like a pattern matches only itself. Copier's test (and
/// `test_skip_update_deleted`) also names a file `back\slash`; graft
/// differs on purpose there: it refuses a rendered name with a backslash
/// (README, Security, rule 1), which the end of this test asserts.
#[test]
fn update_deleted_path() {
    for name in [
        "normal_file",
        "unicode_âñ",
        "file with whitespace",
        " leading_whitespace",
        "trailing_whitespace ",
        "!special",
        "dont_wildmatch*",
    ] {
        let mut c = Case::new();
        c.release(
            "1.0.0",
            &[
                ANSWERS_YAML,
                (name, "foo"),
                ("another_file", "foobar"),
                ("dont_wildmatch", "bar"),
            ],
        );
        c.copy("dst", &["--defaults", "--overwrite"]).success();
        let updated = format!("dst/{name}");
        assert_eq!(c.read("dst/dont_wildmatch"), "bar");
        assert_eq!(c.read(&updated), "foo");
        std::fs::remove_file(c.h.path(&updated)).expect("delete");
        c.save("dst");
        c.release("2.0.0", &[(name, "bar"), ("dont_wildmatch", "baz")]);
        c.update("dst", &[]).success();
        assert_eq!(c.read("dst/dont_wildmatch"), "baz", "{name:?}");
        assert!(!c.exists(&updated), "{name:?}");
    }
    let mut c = Case::new();
    c.release("1.0.0", &[ANSWERS_YAML, ("back\\slash", "foo")]);
    let run = c.copy("dst", &["--defaults"]).code(1);
    assert_eq!(
        run.stderr,
        "error: path `back\\slash` (from `back\\slash`) contains a backslash\n"
    );
    assert!(!c.exists("dst"));
}

/// Ports `test_updatediff.py::test_update_deleted_path_not_used_as_pattern`.
#[test]
fn update_deleted_path_not_used_as_pattern() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[
            ANSWERS_YAML,
            ("test.txt", "remove"),
            ("foo/test.txt", "keep"),
            ("foo/bar/test.txt", "keep"),
        ],
    );
    c.copy("dst", &[]).success();
    assert_eq!(c.read("dst/test.txt"), "remove");
    let mut project = c.save("dst");
    project.commit(&[], &["test.txt"], "remove test.txt");
    c.update("dst", &[]).success();
    assert!(!c.exists("dst/test.txt"));
    assert_eq!(c.read("dst/foo/test.txt"), "keep");
    assert_eq!(c.read("dst/foo/bar/test.txt"), "keep");
}

/// Ports `test_updatediff.py::test_overwrite_answers_file_always`, with
/// the default answers file and two given with `--answers-file`.
#[test]
fn overwrite_answers_file_always() {
    for answers_file in [
        None,
        Some(".copier-answers.yml"),
        Some(".custom.copier-answers.yaml"),
    ] {
        let mut c = Case::new();
        c.release(
            "1",
            &[
                ("copier.yaml", "question_1: true"),
                ANSWERS_YAML,
                ("answer_1.jinja", "{{ question_1 }}"),
            ],
        );
        c.release("2", &[("copier.yaml", "question_1: false")]);
        let given: Vec<&str> = answers_file
            .map(|a| vec!["--answers-file", a])
            .unwrap_or_default();
        c.copy(
            "dst",
            &[&["--vcs-ref", "1", "--defaults"][..], &given].concat(),
        )
        .success();
        c.save("dst");
        c.update("dst", &[&["--defaults"][..], &given].concat())
            .success();
        let file = format!("dst/{}", answers_file.unwrap_or(".copier-answers.yml"));
        assert_eq!(c.answer(&file, "question_1"), true);
        assert_eq!(c.answer(&file, "_commit"), "2");
        assert_eq!(c.read("dst/answer_1"), "True");
    }
}

/// Ports `test_updatediff.py::test_file_removed`: what the template
/// removes goes, folders it leaves empty go, the project's own files and
/// a git-ignored file stay. Copier's API refuses the update without
/// `overwrite=True`; graft's command line always overwrites on update.
#[test]
fn file_removed() {
    let mut c = Case::new();
    c.release(
        "1",
        &[
            ANSWERS_YAML,
            ("1.txt", "content 1"),
            ("dir 2/2.txt", "content 2"),
            ("dir 3/subdir 3/3.txt", "content 3"),
            ("dir 4/subdir 4/4.txt", "content 4"),
            ("dir 5/subdir 5/5.txt", "content 5"),
            ("toignore.txt", "should survive update"),
        ],
    );
    GitRepo::init(&c.h, "dst");
    c.copy("dst", &[]).success();
    for (rel, text) in [
        ("I.txt", "content I"),
        ("dir II/II.txt", "content II"),
        ("dir 3/subdir III/III.txt", "content III"),
        ("dir 4/subdir 4/IV.txt", "content IV"),
    ] {
        c.write(&format!("dst/{rel}"), text);
    }
    let mut project = c.save("dst");
    c.template.commit(
        &[("6.txt", "content 6")],
        &[
            "1.txt",
            "dir 2/2.txt",
            "dir 3/subdir 3/3.txt",
            "dir 4/subdir 4/4.txt",
            "dir 5/subdir 5/5.txt",
        ],
        "3",
    );
    c.template.tag("2");
    project.commit(&[(".gitignore", "toignore.txt")], &[], "ignore file");
    c.update("dst", &["--conflict", "rej"]).success();
    for rel in [
        ".copier-answers.yml",
        "I.txt",
        "dir II/II.txt",
        "dir 3/subdir III/III.txt",
        "dir 4/subdir 4/IV.txt",
        "6.txt",
        "toignore.txt",
    ] {
        assert!(c.exists(&format!("dst/{rel}")), "{rel}");
    }
    for rel in [
        "1.txt",
        "dir 2",
        "dir 3/subdir 3",
        "dir 4/subdir 4/4.txt",
        "dir 5",
    ] {
        assert!(!c.exists(&format!("dst/{rel}")), "{rel}");
    }
}

/// The template of `test_update_inline_changed_answers_and_questions` and
/// `test_conflict_on_update_with_unicode_in_content`, with `mark` after
/// every word.
fn changed_answers_template(c: &mut Case, mark: &str) {
    c.release(
        "1",
        &[
            ANSWERS_YAML,
            ("copier.yml", "b: false"),
            (
                "content.jinja",
                &format!("aaa{mark}\n{{%- if b %}}\nbbb{mark}\n{{%- endif %}}\nzzz{mark}\n"),
            ),
        ],
    );
    c.release(
        "2",
        &[
            ("copier.yml", "b: false\nc: false\n"),
            (
                "content.jinja",
                &format!(
                    "aaa{mark}\n{{%- if b %}}\nbbb{mark}\n{{%- endif %}}\n{{%- if c %}}\nccc{mark}\n{{%- endif %}}\nzzz{mark}\n"
                ),
            ),
        ],
    );
}

/// Ports `test_updatediff.py::test_update_inline_changed_answers_and_questions`
/// (its non-interactive half; graft's prompts have tests of their own).
#[test]
fn update_inline_changed_answers_and_questions() {
    let mut c = Case::new();
    changed_answers_template(&mut c, "");
    c.copy("dst", &["--data", "b=true", "--vcs-ref", "1"])
        .success();
    assert!(!c.read("dst/content").contains("ccc"));
    let mut project = c.save("dst");
    project.commit(&[("content", "aaa\nbbb\njjj\nzzz\n")], &[], "2");
    c.update(
        "dst",
        &["--data", "c=true", "--defaults", "--conflict", "inline"],
    )
    .code(1);
    assert_eq!(
        c.read("dst/content"),
        format!("aaa\nbbb\n{}zzz\n", conflict("jjj\n", "ccc\n"))
    );
}

/// Ports `test_updatediff.py::test_conflict_on_update_with_unicode_in_content`.
#[test]
fn conflict_on_update_with_unicode_in_content() {
    let mut c = Case::new();
    changed_answers_template(&mut c, "🐍");
    c.copy("dst", &["--data", "b=true", "--vcs-ref", "1"])
        .success();
    assert!(!c.read("dst/content").contains("ccc"));
    let mut project = c.save("dst");
    project.commit(&[("content", "aaa🐍\nbbb🐍\njjj🐍\nzzz🐍\n")], &[], "2");
    c.update(
        "dst",
        &["--data", "c=true", "--defaults", "--conflict", "inline"],
    )
    .code(1);
    assert_eq!(
        c.read("dst/content"),
        format!("aaa🐍\nbbb🐍\n{}zzz🐍\n", conflict("jjj🐍\n", "ccc🐍\n"))
    );
}

/// Ports `test_updatediff.py::test_update_in_repo_subdirectory`, with
/// `.rej` files and with inline markers: the project is a folder of a
/// larger repository. The test asserts what Copier's does of the `.rej`
/// file, that it is there: its contents differ (Copier's holds the
/// project's rejected hunks as `git apply --reject` writes them, graft's
/// the conflict in the format of SPEC §6).
#[test]
fn update_in_repo_subdirectory() {
    for style in ["rej", "inline"] {
        let mut c = Case::new();
        c.release("v1", &[ANSWERS_YAML, ("version.txt", "v1")]);
        c.copy("dst/subdir", &[]).success();
        let mut project = c.save("dst");
        assert!(c.exists("dst/subdir/.copier-answers.yml"));
        assert_eq!(c.read("dst/subdir/version.txt"), "v1");
        project.commit(&[("subdir/version.txt", "v1 edited")], &[], "1e");
        c.release("v2", &[("version.txt", "v2")]);
        c.update("dst/subdir", &["--conflict", style]).code(1);
        assert!(c.exists("dst/subdir/.copier-answers.yml"));
        if style == "rej" {
            assert_eq!(c.read("dst/subdir/version.txt"), "v2");
            assert!(c.exists("dst/subdir/version.txt.rej"));
        } else {
            assert_eq!(
                c.read("dst/subdir/version.txt"),
                conflict("v1 edited\n", "v2\n")
            );
        }
    }
}

/// Ports `test_updatediff.py::test_update_needs_more_context` (its
/// passing case, three context lines): similar blocks do not confuse the
/// merge. graft merges whole files, so `--context-lines` changes nothing.
#[test]
fn update_needs_more_context() {
    let equal = "    print(\"This line is equal to the next one.\")\n";
    let lied = "    print(\"Previous line lied.\")\n";
    let function = |name: &str| format!("def {name}():\n{}{lied}", equal.repeat(4));
    let mut c = Case::new();
    c.release(
        "v1",
        &[
            ANSWERS_YAML,
            (
                "sample.py",
                &format!("{}\n{}", function("function_one"), function("function_two")),
            ),
        ],
    );
    c.copier(&["copy", &c.src(), "dst"]).success();
    let mut project = c.save("dst");
    let two_evolved = format!(
        "def function_two():\n{equal}{equal}    print(\"This line is new.\")\n{equal}{equal}{lied}"
    );
    project.commit(
        &[(
            "sample.py",
            &format!("{}\n{two_evolved}", function("function_one")),
        )],
        &[],
        "2",
    );
    c.release(
        "v2",
        &[(
            "sample.py",
            &format!(
                "{}\n{}\n{}",
                function("function_zero"),
                function("function_one"),
                function("function_two")
            ),
        )],
    );
    c.copier(&["update", "dst", "--conflict=inline", "--context-lines=3"])
        .success();
    assert_eq!(
        c.read("dst/sample.py"),
        format!(
            "{}\n{}\n{two_evolved}",
            function("function_zero"),
            function("function_one")
        )
    );
}

/// Ports `test_updatediff.py::test_conflicted_files_are_marked_unmerged`,
/// for its file names, with and without `*.rej` ignored.
#[test]
fn conflicted_files_are_marked_unmerged() {
    for filename in ["README.md", "spa ces", "qu`o\"tes", "m4â4ñ4a"] {
        for ignore_rej in [false, true] {
            let mut c = Case::new();
            c.release(
                "v1",
                &[
                    (filename, "upstream version 1"),
                    (
                        "{{_copier_conf.answers_file}}.jinja",
                        "{{_copier_answers|to_nice_yaml}}",
                    ),
                ],
            );
            c.copy("dst", &["--defaults", "--overwrite"]).success();
            assert!(c.exists(&format!("dst/{filename}")));
            assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v1");
            let mut project = c.save("dst");
            if ignore_rej {
                project.commit(&[(".gitignore", "*.rej\n")], &[], "ignore .rej files");
            }
            project.commit(
                &[(filename, "upstream version 1 + downstream")],
                &[],
                "updated file",
            );
            c.release("v2", &[(filename, "upstream version 2")]);
            c.update("dst", &["--defaults", "--conflict", "inline"])
                .code(1);
            assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v2");
            assert_eq!(
                c.read(&format!("dst/{filename}")),
                conflict("upstream version 1 + downstream\n", "upstream version 2\n")
            );
            assert!(!c.exists(&format!("dst/{filename}.rej")));
            let status = project.status();
            assert!(
                status.lines().any(|l| l
                    .strip_prefix("UU ")
                    .is_some_and(|p| unquote(p) == filename)),
                "{filename:?}: {status}"
            );
        }
    }
}

/// A path as `git status --porcelain` prints it (quoted when it holds a
/// quote), unquoted.
fn unquote(path: &str) -> String {
    match path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\""),
        None => path.to_string(),
    }
}

/// Ports `test_updatediff.py::test_3way_merged_files_without_conflicts_are_not_marked_unmerged`.
#[test]
fn three_way_merged_files_without_conflicts_are_not_marked_unmerged() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[
            ("readme.md", "upstream version 1"),
            (
                "{{_copier_conf.answers_file}}.jinja",
                "{{_copier_answers|to_nice_yaml}}",
            ),
        ],
    );
    c.copy("dst", &["--defaults", "--overwrite"]).success();
    let mut project = c.save("dst");
    project.commit(&[("readme.md", "upstream version 2")], &[], "updated file");
    c.release("v2", &[("readme.md", "upstream version 2")]);
    c.update("dst", &["--defaults", "--conflict", "inline"])
        .success();
    assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v2");
    assert_eq!(c.read("dst/readme.md"), "upstream version 2");
    assert!(!c.exists("dst/readme.md.rej"));
    assert!(!project.status().contains("UU"), "{}", project.status());
}

const GITLAB_CI_PROJECT: &str = "tests:\n    stage: test\n    script:\n        - ./test.sh\n\npages:\n    stage: deploy\n    script:\n        - ./deploy.sh\n";

/// What both tests of a file added by the template and the project expect
/// in it: the lines both start with are merged, the rest conflicts.
fn gitlab_ci_merged() -> String {
    format!(
        "tests:\n    stage: test\n    script:\n{}",
        conflict(
            "        - ./test.sh\n\npages:\n    stage: deploy\n    script:\n        - ./deploy.sh\n",
            "        - ./test.sh --slow\n"
        )
    )
}

/// Ports `test_updatediff.py::test_update_with_new_file_in_template_and_project`.
#[test]
fn update_with_new_file_in_template_and_project() {
    let mut c = Case::new();
    c.release("v1", &[ANSWERS_YAML]);
    c.copy("dst", &["--defaults", "--overwrite"]).success();
    let mut project = c.save("dst");
    project.commit(&[(".gitlab-ci.yml", GITLAB_CI_PROJECT)], &[], "v2");
    c.release(
        "v2",
        &[(
            ".gitlab-ci.yml.jinja",
            "tests:\n    stage: test\n    script:\n        - ./test.sh --slow\n",
        )],
    );
    c.update("dst", &["--defaults", "--conflict", "inline"])
        .code(1);
    assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v2");
    assert_eq!(c.read("dst/.gitlab-ci.yml"), gitlab_ci_merged());
}

/// Ports `test_updatediff.py::test_update_with_new_file_in_template_and_project_via_migration`.
/// Copier's migration is a Python script using plumbum; this one is the
/// same steps in the shell.
#[test]
fn update_with_new_file_in_template_and_project_via_migration() {
    let mut c = Case::new();
    let v1_ci = "tests:\n    stage: test\n    script:\n        - ./test.sh\n";
    c.release("v1", &[ANSWERS_YAML, (".gitlab-ci.yml.jinja", v1_ci)]);
    c.copy("dst", &["--defaults", "--overwrite"]).success();
    c.write(
        "dst/.gitlab-ci.yml",
        &format!("{v1_ci}\npages:\n    stage: deploy\n    script:\n        - ./deploy.sh\n"),
    );
    c.save("dst");
    c.template.commit(
        &[
            (
                ".gitlab/ci/main.yml.jinja",
                "tests:\n    stage: test\n    script:\n        - ./test.sh --slow\n",
            ),
            (
                ".gitlab-ci.yml.jinja",
                "include:\n    - local: .gitlab/ci/main.yml\n",
            ),
            (
                "copier.yml",
                "_migrations:\n-   version: v2\n    when: \"{{ _stage == 'before' }}\"\n    command: mkdir -p .gitlab/ci && cp .gitlab-ci.yml .gitlab/ci/main.yml && git add .gitlab/ci/main.yml\n",
            ),
        ],
        &[],
        "v2",
    );
    c.template.tag("v2");
    c.update("dst", &["--defaults", "--conflict", "inline", "--trust"])
        .code(1);
    assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v2");
    assert_eq!(
        c.read("dst/.gitlab-ci.yml"),
        conflict(
            GITLAB_CI_PROJECT,
            "include:\n    - local: .gitlab/ci/main.yml\n"
        )
    );
    assert_eq!(c.read("dst/.gitlab/ci/main.yml"), gitlab_ci_merged());
}

/// Ports `test_updatediff.py::test_update_with_separate_git_directory`.
#[test]
fn update_with_separate_git_directory() {
    let mut c = Case::new();
    c.release("v1", &[("version.txt", "v1"), ANSWERS_NICE_YAML]);
    c.copy("dst", &["--overwrite"]).success();
    assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v1");
    let repo = GitRepo::open(&c.h, "dst");
    let git_dir = c.h.path("dst_git_dir");
    repo.git(&[
        "init",
        "-q",
        "--separate-git-dir",
        &git_dir.display().to_string(),
    ]);
    c.write("dst/foo.txt", "bar");
    c.save("dst");
    c.release("v2", &[("version.txt", "v2")]);
    c.update("dst", &[]).success();
    assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v2");
}

/// Ports `test_updatediff.py::test_update_with_skip_answered_and_new_answer`.
#[test]
fn update_with_skip_answered_and_new_answer() {
    let mut c = Case::new();
    c.release("v1", &[("copier.yml", "boolean: false"), ANSWERS_NICE_YAML]);
    c.copy("dst", &["--defaults", "--overwrite"]).success();
    assert_eq!(c.answer("dst/.copier-answers.yml", "boolean"), false);
    c.save("dst");
    c.update("dst", &["--data", "boolean=true", "--skip-answered"])
        .success();
    assert_eq!(c.answer("dst/.copier-answers.yml", "boolean"), true);
}

/// Ports `test_updatediff.py::test_update_vcs_ref_current`, through
/// graft's command line and as `copier`.
#[test]
fn update_vcs_ref_current() {
    for as_copier in [false, true] {
        let mut c = Case::new();
        c.release("v1", &[("copier.yml", "boolean: false"), ANSWERS_NICE_YAML]);
        if as_copier {
            c.copier(&["copy", &c.src(), "dst", "--defaults", "--overwrite"])
                .success();
        } else {
            c.copy("dst", &["--defaults", "--overwrite"]).success();
        }
        assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v1");
        assert_eq!(c.answer("dst/.copier-answers.yml", "boolean"), false);
        c.save("dst");
        c.release("v2", &[("README.md", "# Template Update")]);
        if as_copier {
            c.copier(&[
                "update",
                "--data",
                "boolean=true",
                "--vcs-ref=:current:",
                "dst",
            ])
            .success();
        } else {
            c.update("dst", &["--data", "boolean=true", "--vcs-ref", ":current:"])
                .success();
        }
        assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v1");
        assert_eq!(c.answer("dst/.copier-answers.yml", "boolean"), true);
        assert!(!c.exists("dst/README.md"));
    }
}

/// The template of the `dont_validate_computed_value` tests: a computed
/// value whose validator must never be rendered.
const COMPUTED: (&str, &str) = (
    "copier.yml",
    "computed:\n    type: str\n    default: foo\n    when: false\n    validator: \"This validator should never be rendered\"\n",
);

/// Ports `test_updatediff.py::test_update_dont_validate_computed_value`.
#[test]
fn update_dont_validate_computed_value() {
    let mut c = Case::new();
    c.release("v1", &[COMPUTED, ANSWERS_NICE_YAML]);
    c.copy("dst", &["--overwrite"]).success();
    assert!(c
        .answers("dst/.copier-answers.yml")
        .get("computed")
        .is_none());
    c.save("dst");
    c.update("dst", &[]).success();
    assert!(c
        .answers("dst/.copier-answers.yml")
        .get("computed")
        .is_none());
}

/// Ports `test_updatediff.py::test_update_git_submodule`: the project is
/// a submodule of another repository.
#[test]
fn update_git_submodule() {
    let mut c = Case::new();
    c.release("v1", &[ANSWERS_YAML, ("version.txt", "v1")]);
    c.copy("submodule", &[]).success();
    c.save("submodule");
    let outer = GitRepo::init(&c.h, "dst");
    let submodule = c.h.path("submodule").display().to_string();
    outer.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        &submodule,
        "sub",
    ]);
    c.save("dst");
    assert_eq!(c.read("dst/sub/version.txt"), "v1");
    c.release("v2", &[("version.txt", "v2")]);
    c.update("dst/sub", &[]).success();
    assert!(c.exists("dst/sub/.copier-answers.yml"));
    assert_eq!(c.read("dst/sub/version.txt"), "v2");
}

/// Ports `test_updatediff.py::test_gitignore_file_unignored`.
#[test]
fn gitignore_file_unignored() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[
            (".gitignore", ""),
            (".env", ""),
            (
                "{{_copier_conf.answers_file}}.jinja",
                "{{_copier_answers|to_nice_yaml}}",
            ),
        ],
    );
    c.copy("dst", &[]).success();
    assert!(c.exists("dst/.env") && c.exists("dst/.gitignore"));
    let mut project = c.save("dst");
    c.release("v2", &[(".gitignore", ".env")]);
    c.update("dst", &[]).success();
    assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v2");
    project.commit(&[], &[], "update to template v2");
    c.release("v3", &[(".gitignore", "")]);
    c.update("dst", &[]).success();
    assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v3");
}

/// Ports `test_updatediff.py::test_update_keeps_template_generated_gitignored_file`.
#[test]
fn update_keeps_template_generated_gitignored_file() {
    let mut c = Case::new();
    c.release("v1", &[ANSWERS_YAML, (".env.jinja", "VERSION=v1")]);
    c.release("v2", &[(".env.jinja", "VERSION=v2")]);
    c.copy("dst", &["--vcs-ref", "v1"]).success();
    assert_eq!(c.read("dst/.env"), "VERSION=v1");
    c.write("dst/.gitignore", ".env\n");
    let project = c.save("dst");
    assert_eq!(project.git(&["ls-files", "--", ".env"]), "");
    c.update("dst", &[]).success();
    assert_eq!(c.read("dst/.env"), "VERSION=v2");
}

/// Not a port: the other half of the rule the test above checks. A file
/// the template no longer renders goes, even when the project's git
/// ignores it and does not track it: Copier leaves git-ignored paths out
/// of the patch of the project's changes, but deletes what the template
/// dropped on its own. Python Copier, when present, gives the same tree.
#[test]
fn update_deletes_a_gitignored_file_the_template_drops() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[
            ANSWERS_YAML,
            (".env.jinja", "VERSION=v1"),
            ("app.py", "app\n"),
        ],
    );
    c.template.commit(&[], &[".env.jinja"], "drop .env");
    c.template.tag("v2");
    c.copy("dst", &["--vcs-ref", "v1"]).success();
    c.write("dst/.gitignore", ".env\n");
    c.save("dst");
    c.duplicate("dst", "python");
    let run = c.update("dst", &[]).success();
    assert!(run.stderr.contains("    delete  .env\n"), "{}", run.stderr);
    assert!(!c.exists("dst/.env"));
    if !c.python_copier(&["update", "--defaults", "--trust", "python"]) {
        return;
    }
    assert!(!c.exists("python/.env"));
    assert_eq!(
        c.read("python/.copier-answers.yml"),
        c.read("dst/.copier-answers.yml").replace("dst", "python")
    );
}

/// Not a port, and a difference kept on purpose: a file the project's git
/// ignores and does not track, which the template renders unchanged in
/// both versions, stays. Copier 9.19.1 deletes it: the patch of the
/// project's changes it replays reads the untracked file as deleted by the
/// project.
#[test]
fn update_keeps_a_gitignored_file_the_template_did_not_change_where_copier_deletes_it() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[
            ANSWERS_YAML,
            (".env.jinja", "VERSION=v1"),
            ("app.py", "app\n"),
        ],
    );
    c.release("v2", &[("app.py", "app2\n")]);
    c.copy("dst", &["--vcs-ref", "v1"]).success();
    c.write("dst/.gitignore", ".env\n");
    c.save("dst");
    c.duplicate("dst", "python");
    c.update("dst", &[]).success();
    assert_eq!(c.read("dst/.env"), "VERSION=v1");
    assert_eq!(c.read("dst/app.py"), "app2\n");
    if !c.python_copier(&["update", "--defaults", "--trust", "python"]) {
        return;
    }
    assert_eq!(c.read("python/app.py"), "app2\n");
    assert!(!c.exists("python/.env"));
}

/// Not a port: `--conflict rej` on a Copier project writes what Copier
/// writes. The project's change next to the template's is rejected into
/// `app.py.rej` in `git apply`'s format, the one farther away lands, and
/// nothing is recorded as unmerged. Python Copier, when present, gives the
/// same bytes.
#[test]
fn conflict_rej_replays_the_projects_changes_as_copier_does() {
    let base = "def main():\n    a = 1\n    b = 2\n    c = 3\n    d = 4\n    e = 5\n    f = 6\n    g = 7\n    h = 8\n    i = 9\n";
    let mut c = Case::new();
    c.release("v1", &[ANSWERS_YAML, ("app.py", base)]);
    c.release("v2", &[("app.py", &base.replace("b = 2", "b = 20"))]);
    c.copy("dst", &["--vcs-ref", "v1"]).success();
    c.write(
        "dst/app.py",
        &base.replace("a = 1", "a = 10").replace("i = 9", "i = 90"),
    );
    c.save("dst");
    c.duplicate("dst", "python");
    let run = c
        .copier(&["update", "--defaults", "--conflict", "rej", "dst"])
        .success();
    assert!(
        run.stderr.contains("  conflict  app.py\n"),
        "{}",
        run.stderr
    );
    assert_eq!(
        c.read("dst/app.py"),
        base.replace("b = 2", "b = 20").replace("i = 9", "i = 90")
    );
    assert_eq!(
        c.read("dst/app.py.rej"),
        "diff a/app.py b/app.py\t(rejected hunks)\n@@ -1,5 +1,5 @@\n def main():\n-    a = 1\n+    a = 10\n     b = 2\n     c = 3\n     d = 4\n"
    );
    let status = GitRepo::open(&c.h, "dst").status();
    assert_eq!(status, " M .copier-answers.yml\n M app.py\n?? app.py.rej\n");
    if !c.python_copier(&["update", "--defaults", "--conflict", "rej", "python"]) {
        return;
    }
    for file in ["app.py", "app.py.rej"] {
        assert_eq!(
            c.read(&format!("python/{file}")),
            c.read(&format!("dst/{file}")),
            "{file}"
        );
    }
    assert_eq!(GitRepo::open(&c.h, "python").status(), status);
}

/// Ports `test_updatediff.py::test_update_with_answers_with_umlaut`.
#[test]
fn update_with_answers_with_umlaut() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[
            ("copier.yml", "umlaut:\n    type: str\n"),
            ANSWERS_NICE_YAML,
        ],
    );
    c.copy("dst", &["--data", "umlaut=äöü", "--overwrite"])
        .success();
    assert_eq!(c.answer("dst/.copier-answers.yml", "umlaut"), "äöü");
    c.save("dst");
    c.update("dst", &["--skip-answered"]).success();
    assert_eq!(c.answer("dst/.copier-answers.yml", "umlaut"), "äöü");
}

/// The template of the `conditional_computed_value` tests: `second` is
/// asked only when `first` is true, and defaults to it.
fn conditional_template(c: &mut Case) {
    c.release(
        "v1",
        &[
            (
                "copier.yml",
                "first:\n    type: bool\n\nsecond:\n    type: bool\n    default: \"{{ first }}\"\n    when: \"{{ first }}\"\n",
            ),
            ANSWERS_NICE_YAML,
            ("log.txt.jinja", "{{ first }} {{ second }}"),
        ],
    );
}

/// Ports `test_updatediff.py::test_conditional_computed_value`.
#[test]
fn conditional_computed_value_on_update() {
    let mut c = Case::new();
    conditional_template(&mut c);
    c.copy("dst", &["--data", "first=true", "--defaults"])
        .success();
    let answers = c.answers("dst/.copier-answers.yml");
    assert_eq!(
        (&answers["first"], &answers["second"]),
        (&json!(true), &json!(true))
    );
    assert_eq!(c.read("dst/log.txt"), "True True");
    c.save("dst");
    c.update("dst", &["--data", "first=false"]).success();
    let answers = c.answers("dst/.copier-answers.yml");
    assert_eq!(answers["first"], false);
    assert!(answers.get("second").is_none());
    assert_eq!(c.read("dst/log.txt"), "False False");
    c.save("dst");
    c.update("dst", &["--data", "first=true", "--defaults"])
        .success();
    let answers = c.answers("dst/.copier-answers.yml");
    assert_eq!(
        (&answers["first"], &answers["second"]),
        (&json!(true), &json!(true))
    );
    assert_eq!(c.read("dst/log.txt"), "True True");
}

/// Ports `test_updatediff.py::test_disable_secret_validator_on_replay`.
#[test]
fn disable_secret_validator_on_replay() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[
            (
                "copier.yml",
                "token:\n    type: str\n    secret: true\n    default: \"\"\n    validator: \"{% if token == '' %}Must not be empty{% endif %}\"\n",
            ),
            ANSWERS_NICE_YAML,
            (".gitignore", ".env"),
            (".env.jinja", "TOKEN={{ token }}"),
        ],
    );
    c.copy("dst", &["--defaults"]).success();
    let recorded = json!({"_src_path": c.src(), "_commit": "v1"});
    assert_eq!(c.answers("dst/.copier-answers.yml"), recorded);
    assert_eq!(c.read("dst/.env"), "TOKEN=");
    c.save("dst");
    c.update("dst", &["--data", "token=$up3r-$3cr3t"]).success();
    assert_eq!(c.answers("dst/.copier-answers.yml"), recorded);
    assert_eq!(c.read("dst/.env"), "TOKEN=$up3r-$3cr3t");
}

/// Ports `test_updatediff.py::test_exclude_added_in_new_version`.
#[test]
fn exclude_added_in_new_version() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[
            ANSWERS_YAML,
            ("copy-only", "foo"),
            ("copy-and-update", "foo"),
        ],
    );
    c.release(
        "v2",
        &[
            ("copier.yml", "_exclude:\n - copy-only"),
            ("copy-only", "bar"),
            ("copy-and-update", "bar"),
        ],
    );
    c.copy("dst", &["--defaults", "--overwrite", "--vcs-ref", "v1"])
        .success();
    assert_eq!(c.read("dst/copy-only"), "foo");
    assert_eq!(c.read("dst/copy-and-update"), "foo");
    c.save("dst");
    c.update("dst", &[]).success();
    assert_eq!(c.read("dst/copy-only"), "foo");
    assert_eq!(c.read("dst/copy-and-update"), "bar");
}

/// Ports `test_updatediff.py::test_skip_if_exists_templated`.
#[test]
fn skip_if_exists_templated() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[
            (
                "copier.yml",
                "_skip_if_exists:\n    - \"{{ 'skip-if-exists.txt' }}\"\n",
            ),
            ANSWERS_YAML,
            ("skip-if-exists.txt", "foo"),
        ],
    );
    c.release("v2", &[("skip-if-exists.txt", "bar")]);
    c.copy("dst", &["--defaults", "--overwrite", "--vcs-ref", "v1"])
        .success();
    assert_eq!(c.read("dst/skip-if-exists.txt"), "foo");
    let mut project = c.save("dst");
    project.commit(&[("skip-if-exists.txt", "baz")], &[], "save");
    c.update("dst", &[]).success();
    assert_eq!(c.read("dst/skip-if-exists.txt"), "baz");
}

/// Ports `test_updatediff.py::test_render_copier_conf_as_json_without_circular_reference`.
#[test]
fn render_copier_conf_as_json_without_circular_reference() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[
            ANSWERS_YAML,
            ("copier_conf.json.jinja", "{{ _copier_conf|to_json }}"),
        ],
    );
    c.copy("dst", &["--overwrite", "--trust"]).success();
    assert!(c.exists("dst/copier_conf.json"));
    c.save("dst");
    c.update("dst", &["--trust"]).success();
    assert!(c.exists("dst/copier_conf.json"));
}

/// A template whose `launcher.sh` holds `v1` at v1 (executable when
/// `v1_executable`), and at v2 `v2` with the bit flipped.
fn launcher(c: &mut Case, v1: &str, v2: &str, v1_executable: bool) {
    let path = format!("{TEMPLATE}/launcher.sh");
    c.write(&path, v1);
    c.h.set_executable(&path, v1_executable);
    c.release(
        "v1",
        &[(
            "{{_copier_conf.answers_file}}.jinja",
            "{{_copier_answers|to_nice_yaml}}",
        )],
    );
    c.write(&path, v2);
    c.h.set_executable(&path, !v1_executable);
    c.release("v2", &[]);
}

/// The mode `git ls-files --stage` gives `rel` in `repo`.
fn index_mode(repo: &GitRepo, rel: &str) -> String {
    repo.git(&["ls-files", "--stage", "--", rel])
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// A project copied at v1 and committed, with `core.fileMode` as given.
fn launcher_project(c: &Case, file_mode: bool, v1_executable: bool) -> GitRepo {
    c.copy("dst", &["--vcs-ref", "v1", "--defaults", "--overwrite"])
        .success();
    assert_eq!(c.is_executable("dst/launcher.sh"), v1_executable);
    let mut project = GitRepo::init(&c.h, "dst");
    project.git(&["config", "core.fileMode", &file_mode.to_string()]);
    project.git(&["add", "-A"]);
    if !file_mode && v1_executable {
        project.git(&["update-index", "--chmod=+x", "--", "launcher.sh"]);
    }
    project.commit(&[], &[], "init");
    project
}

/// Ports `test_updatediff.py::test_update_propagates_executable_bit_addition`
/// and `…_removal`: with `core.fileMode=true` the bit changes on disk and
/// git sees it unstaged; with `false` it is written into the index.
#[test]
fn update_propagates_executable_bit_addition_and_removal() {
    let script = "#!/bin/sh\necho hi\n";
    for v1_executable in [false, true] {
        for file_mode in [true, false] {
            let mut c = Case::new();
            launcher(&mut c, script, script, v1_executable);
            let project = launcher_project(&c, file_mode, v1_executable);
            let (before, after) = if v1_executable {
                ("100755", "100644")
            } else {
                ("100644", "100755")
            };
            assert_eq!(index_mode(&project, "launcher.sh"), before);
            c.update("dst", &["--defaults"]).success();
            assert_eq!(c.is_executable("dst/launcher.sh"), !v1_executable);
            let what = format!("executable at v1: {v1_executable}, core.fileMode={file_mode}");
            if file_mode {
                assert_eq!(index_mode(&project, "launcher.sh"), before, "{what}");
                let status = project.git(&["status", "--porcelain", "--", "launcher.sh"]);
                assert!(status.starts_with(" M"), "{what}: {status:?}");
                project.git(&["add", "--", "launcher.sh"]);
            }
            assert_eq!(index_mode(&project, "launcher.sh"), after, "{what}");
        }
    }
}

/// Ports `test_updatediff.py::test_update_with_exec_bit_change_and_merge_conflict`:
/// the conflict is recorded whole though the template also made the file
/// executable, and (as Copier leaves it where git tracks modes) the file
/// keeps the project's mode.
#[test]
fn update_with_exec_bit_change_and_merge_conflict() {
    for file_mode in [true, false] {
        let mut c = Case::new();
        launcher(&mut c, "upstream version 1", "upstream version 2", false);
        c.copy("dst", &["--vcs-ref", "v1", "--defaults", "--overwrite"])
            .success();
        let mut project = c.save("dst");
        if !file_mode {
            project.git(&["config", "core.fileMode", "false"]);
        }
        project.commit(
            &[("launcher.sh", "upstream version 1 + downstream")],
            &[],
            "downstream edit",
        );
        c.update("dst", &["--defaults", "--conflict", "inline"])
            .code(1);
        assert!(c
            .read("dst/launcher.sh")
            .contains("<<<<<<< before updating"));
        assert_eq!(c.is_executable("dst/launcher.sh"), !file_mode);
        assert_eq!(
            project.git(&["-c", "color.status=never", "status"]),
            "On branch main\n\
             Unmerged paths:\n  (use \"git restore --staged <file>...\" to unstage)\n  (use \"git add <file>...\" to mark resolution)\n\
             \tboth modified:   launcher.sh\n\n\
             Changes not staged for commit:\n  (use \"git add <file>...\" to update what will be committed)\n  (use \"git restore <file>...\" to discard changes in working directory)\n\
             \tmodified:   .copier-answers.yml\n\n\
             no changes added to commit (use \"git add\" and/or \"git commit -a\")\n"
        );
        assert_eq!(
            project.git(&["diff", "--no-color", "--", "launcher.sh"]),
            "diff --cc launcher.sh\n\
             index f163f4b,d20125d..0000000\n\
             --- a/launcher.sh\n\
             +++ b/launcher.sh\n\
             @@@ -1,1 -1,1 +1,5 @@@\n\
             - upstream version 1 + downstream\n \
             -upstream version 2\n\
             ++<<<<<<< before updating\n\
             ++upstream version 1 + downstream\n\
             ++=======\n\
             ++upstream version 2\n\
             ++>>>>>>> after updating\n"
        );
    }
}

/// Ports `test_updatediff.py::test_post_checkout_hook_ignored`: a failing
/// `post-checkout` hook does not stop an update with a conflict (graft
/// checks nothing out, so no hook of the project runs).
#[test]
fn post_checkout_hook_ignored() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[
            (
                "copier.yml",
                "_envops: {\"block_end_string\": \"%]\", \"block_start_string\": \"[%\", \"comment_end_string\": \"#]\", \"comment_start_string\": \"[#\", \"variable_end_string\": \"]]\", \"variable_start_string\": \"[[\"}\n_templates_suffix: .tmpl\n",
            ),
            (
                "[[ _copier_conf.answers_file ]].tmpl",
                "[[ _copier_answers|to_nice_yaml ]]\n",
            ),
            ("test.txt", "This is a file"),
        ],
    );
    c.copy("dst", &[]).success();
    let mut project = c.save("dst");
    project.commit(&[("test.txt", "This is a conflicting change")], &[], "edit");
    c.write("dst/.git/hooks/post-checkout", "exit 1");
    c.h.set_executable("dst/.git/hooks/post-checkout", true);
    c.release("v2", &[("test.txt", "This is an edited file in v2")]);
    c.copier(&["update", "dst"]).success();
    assert_eq!(
        c.read("dst/test.txt"),
        conflict(
            "This is a conflicting change\n",
            "This is an edited file in v2\n"
        )
    );
}

/// Ports `test_answersfile.py::test_answersfile`: copying again over the
/// project with an answers file given or set by the template; secret
/// answers are never recorded.
#[test]
fn answersfile() {
    for given in [None, Some(".changed-by-user.yaml")] {
        let mut c = Case::new();
        c.release(
            "v1",
            &[
                (
                    "[[ _copier_conf.answers_file ]].tmpl",
                    "# Changes here will be overwritten by Copier\n[[ _copier_answers|to_nice_yaml ]]\n",
                ),
                (
                    "copier.yml",
                    "_answers_file: .answers-file-changed-in-template.yml\n_templates_suffix: .tmpl\n\
                     _envops: {\"block_end_string\": \"%]\", \"block_start_string\": \"[%\", \"comment_end_string\": \"#]\", \"comment_start_string\": \"[#\", \"variable_end_string\": \"]]\", \"variable_start_string\": \"[[\"}\n\n\
                     round: 1st\n\n\
                     # password_1 and password_2 must not appear in answers file\n\
                     _secret_questions:\n    - password_1\n\n\
                     password_1: password one\n\
                     password_2:\n    secret: yes\n    default: password two\n",
                ),
                (
                    "round.txt.tmpl",
                    "It's the [[round]] round.\npassword_1=[[password_1]]\npassword_2=[[password_2]]\n",
                ),
            ],
        );
        let name = given.unwrap_or(".answers-file-changed-in-template.yml");
        let file = format!("dst/{name}");
        for (data, round) in [(None, "1st"), (Some("round=2nd"), "2nd"), (None, "2nd")] {
            // As in Copier's test, the copies after the first name the
            // answers file the first one wrote.
            let given: Vec<&str> = match (given, round) {
                (None, "1st") => vec![],
                _ => vec!["--answers-file", name],
            };
            let data: Vec<&str> = data.map(|d| vec!["--data", d]).unwrap_or_default();
            c.copy(
                "dst",
                &[&given[..], &data, &["--defaults", "--overwrite"]].concat(),
            )
            .success();
            assert_eq!(
                c.read("dst/round.txt"),
                format!(
                    "It's the {round} round.\npassword_1=password one\npassword_2=password two\n"
                )
            );
            let answers = c.answers(&file);
            assert_eq!(answers["round"], round);
            assert!(answers.get("password_1").is_none() && answers.get("password_2").is_none());
        }
    }
}

/// Ports `test_answersfile.py::test_answersfile_with_custom_path`: the
/// answers file where the template's `_answers_file` or `--answers-file`
/// puts it, a folder deep or not, found again on update.
#[test]
fn answersfile_with_custom_path() {
    for (template_file, user_file) in [
        (None, None),
        (Some(".copier-answers.template.yml"), None),
        (Some(".config/.copier-answers.template.yml"), None),
        (None, Some(".copier-answers.user.yml")),
        (None, Some(".config/.copier-answers.user.yml")),
        (
            Some(".config/.copier-answers.template.yml"),
            Some(".copier-answers.user.yml"),
        ),
    ] {
        let mut c = Case::new();
        let config = template_file
            .map(|f| format!("_answers_file: {f}"))
            .unwrap_or_default();
        c.release(
            "v1",
            &[
                ("copier.yml", &config),
                (
                    "{{ _copier_conf.answers_file }}.jinja",
                    "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml }}\n",
                ),
                ("version.txt.jinja", "v1"),
            ],
        );
        c.release("v2", &[("version.txt.jinja", "v2")]);
        let answers_file = user_file.or(template_file).unwrap_or(".copier-answers.yml");
        let given: Vec<&str> = user_file
            .map(|f| vec!["--answers-file", f])
            .unwrap_or_default();
        c.copy(
            "dst",
            &[&["--vcs-ref", "v1", "--overwrite"][..], &given].concat(),
        )
        .success();
        assert_eq!(c.read("dst/version.txt"), "v1");
        let file = format!("dst/{answers_file}");
        assert_eq!(
            c.answers(&file),
            json!({"_src_path": c.src(), "_commit": "v1"})
        );
        c.save("dst");
        c.update("dst", &["--vcs-ref", "v2", "--answers-file", answers_file])
            .success();
        assert_eq!(c.read("dst/version.txt"), "v2");
        assert_eq!(
            c.answers(&file),
            json!({"_src_path": c.src(), "_commit": "v2"})
        );
    }
}

/// The template of Copier's `test_recopy.py`: one commit, no tag.
fn recopy_template(c: &mut Case) {
    c.template.commit(
        &[
            ("copier.yml", "your_name: Mario"),
            ANSWERS_NICE_YAML,
            ("name.txt.jinja", "This is your name: {{ your_name }}."),
        ],
        &[],
        "save",
    );
}

/// Ports `test_recopy.py::test_recopy_discards_evolution_api` and
/// `…_cli`: graft's `recopy --defaults --overwrite`, and `copier recopy -f`.
#[test]
fn recopy_discards_evolution() {
    for (name, as_copier) in [("Luigi", false), ("Peach", true)] {
        let mut c = Case::new();
        recopy_template(&mut c);
        c.copy(
            "dst",
            &[
                "--data",
                &format!("your_name={name}"),
                "--defaults",
                "--overwrite",
            ],
        )
        .success();
        let mut project = c.save("dst");
        assert_eq!(
            c.read("dst/name.txt"),
            format!("This is your name: {name}.")
        );
        project.commit(
            &[("name.txt", &format!("This is your name: {name}. Welcome."))],
            &[],
            "evolve",
        );
        if as_copier {
            c.copier(&["recopy", "-f", "dst"]).success();
        } else {
            c.h.run(&["recopy", "dst", "--defaults", "--overwrite"])
                .success();
        }
        assert_eq!(
            c.read("dst/name.txt"),
            format!("This is your name: {name}.")
        );
    }
}

/// Ports `test_recopy.py::test_recopy_works_without_replay`: the recorded
/// commit is gone from the template; Copier's recopy renders the latest,
/// and so does graft as `copier`. (graft's own `recopy` renders the
/// recorded version unless `--vcs-ref` names another, so there the
/// missing commit is an error that suggests `--vcs-ref`.)
#[test]
fn recopy_works_without_replay() {
    let mut c = Case::new();
    recopy_template(&mut c);
    c.copy("dst", &["--defaults", "--overwrite"]).success();
    c.save("dst");
    assert_eq!(c.read("dst/name.txt"), "This is your name: Mario.");
    c.write(
        &format!("{TEMPLATE}/name.txt.jinja"),
        "This is my name: {{ your_name }}.",
    );
    c.template
        .git(&["commit", "-q", "-a", "--amend", "--no-edit"]);
    c.template
        .git(&["reflog", "expire", "--expire=now", "--all"]);
    c.template.git(&["gc", "-q", "--prune=now"]);
    let run =
        c.h.run(&["recopy", "dst", "--skip-answered", "--overwrite"]);
    run.stderr_starts_with("error: cannot render the recorded version `");
    assert_eq!(run.code, 2);
    c.copier(&["recopy", "--skip-answered", "--overwrite", "dst"])
        .success();
    assert_eq!(c.read("dst/name.txt"), "This is my name: Mario.");
}

/// Ports `test_recopy.py::test_recopy_with_skip_answered_and_new_answer`.
#[test]
fn recopy_with_skip_answered_and_new_answer() {
    let mut c = Case::new();
    c.release("v1", &[("copier.yml", "boolean: false"), ANSWERS_NICE_YAML]);
    c.copy("dst", &["--defaults", "--overwrite"]).success();
    c.save("dst");
    assert_eq!(c.answer("dst/.copier-answers.yml", "boolean"), false);
    c.h.run(&[
        "recopy",
        "dst",
        "--data",
        "boolean=true",
        "--skip-answered",
        "--overwrite",
    ])
    .success();
    assert_eq!(c.answer("dst/.copier-answers.yml", "boolean"), true);
}

/// Ports `test_recopy.py::test_recopy_dont_validate_computed_value`.
#[test]
fn recopy_dont_validate_computed_value() {
    let mut c = Case::new();
    c.release("v1", &[COMPUTED, ANSWERS_NICE_YAML]);
    c.copy("dst", &["--defaults", "--overwrite"]).success();
    c.save("dst");
    assert!(c
        .answers("dst/.copier-answers.yml")
        .get("computed")
        .is_none());
    c.h.run(&["recopy", "dst", "--overwrite"]).success();
    assert!(c
        .answers("dst/.copier-answers.yml")
        .get("computed")
        .is_none());
}

/// Ports `test_recopy.py::test_conditional_computed_value`.
#[test]
fn conditional_computed_value_on_recopy() {
    let mut c = Case::new();
    conditional_template(&mut c);
    c.copy("dst", &["--data", "first=true", "--defaults"])
        .success();
    assert_eq!(c.read("dst/log.txt"), "True True");
    c.save("dst");
    c.h.run(&["recopy", "dst", "--data", "first=false", "--overwrite"])
        .success();
    let answers = c.answers("dst/.copier-answers.yml");
    assert_eq!(answers["first"], false);
    assert!(answers.get("second").is_none());
    assert_eq!(c.read("dst/log.txt"), "False False");
    c.save("dst");
    c.h.run(&[
        "recopy",
        "dst",
        "--data",
        "first=true",
        "--defaults",
        "--overwrite",
    ])
    .success();
    let answers = c.answers("dst/.copier-answers.yml");
    assert_eq!(
        (&answers["first"], &answers["second"]),
        (&json!(true), &json!(true))
    );
    assert_eq!(c.read("dst/log.txt"), "True True");
}

/// A template with `migrations` (the YAML of `_migrations`) released as
/// v1, copied into `dst` and committed, then tagged v2 on the same commit,
/// as Copier's migration tests do.
fn migrations_case(config: &str) -> Case {
    let mut c = Case::new();
    c.release("v1", &[ANSWERS_JSON, ("copier.yml", config)]);
    c.copy("dst", &[]).success();
    c.save("dst");
    c.template.tag("v2");
    c
}

/// Ports `test_migrations.py::test_basic_migration`: migrations do not
/// run on copy, and an unversioned one runs on every update.
#[test]
fn basic_migration() {
    let c = migrations_case("_migrations:\n    - touch foo\n");
    assert!(!c.exists("dst/foo"));
    c.update("dst", &["--defaults", "--trust"]).success();
    assert!(c.exists("dst/foo"));
}

/// Ports `test_migrations.py::test_post_migration_by_default`: every form
/// of a migration command runs after the update, with default and with
/// bracket delimiters.
#[test]
fn post_migration_by_default() {
    let brackets = "{\"block_end_string\": \"%]\", \"block_start_string\": \"[%\", \"comment_end_string\": \"#]\", \"comment_start_string\": \"[#\", \"variable_end_string\": \"]]\", \"variable_start_string\": \"[[\"}";
    for command in [
        "\"touch foo\"",
        "[\"touch\", \"foo\"]",
        "{\"command\": \"touch foo\"}",
        "{\"command\": [\"touch\", \"foo\"]}",
    ] {
        for envops in ["{}", brackets] {
            let (start, end) = if envops == "{}" {
                ("{{", "}}")
            } else {
                ("[[", "]]")
            };
            let mut c = Case::new();
            c.release(
                "v1",
                &[
                    (
                        &format!("{start} _copier_conf.answers_file {end}.jinja"),
                        &format!("{start} _copier_answers|tojson {end}"),
                    ),
                    (
                        "copier.yml",
                        &format!("_envops: {envops}\n_migrations:\n    - {command}\n"),
                    ),
                ],
            );
            c.copy("dst", &[]).success();
            c.save("dst");
            assert!(!c.exists("dst/foo"));
            c.template.tag("v2");
            c.update("dst", &["--defaults", "--trust"]).success();
            assert!(c.exists("dst/foo"), "{command} with {envops}");
        }
    }
}

/// Ports `test_migrations.py::test_requires_unsafe`: without trust the
/// update stops before it changes anything (Copier's
/// `UnsafeTemplateError`: graft's exit code 4, and 4 as `copier`).
#[test]
fn requires_unsafe() {
    let c = migrations_case("_migrations:\n    - touch foo\n");
    c.update("dst", &["--defaults"]).code(4);
    c.copier(&["update", "--defaults", "dst"]).code(4);
    assert!(!c.exists("dst/foo"));
}

/// Ports `test_migrations.py::test_version_migration`: a versioned
/// migration runs once, on the update that crosses its version.
#[test]
fn version_migration() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[
            ANSWERS_JSON,
            (
                "copier.yml",
                "_migrations:\n-   version: v3\n    command: touch foo\n",
            ),
        ],
    );
    c.copy("dst", &[]).success();
    assert!(!c.exists("dst/foo"));
    for i in 2..5 {
        c.release(&format!("v{i}"), &[]);
        c.save("dst");
        c.update("dst", &["--defaults", "--trust"]).success();
        if i == 3 {
            assert!(c.exists("dst/foo"));
            std::fs::remove_file(c.h.path("dst/foo")).expect("delete foo");
        } else {
            assert!(!c.exists("dst/foo"), "v{i}");
        }
    }
}

/// Ports `test_migrations.py::test_prerelease_version_migration`.
#[test]
fn prerelease_version_migration() {
    let versions = ["v2.dev0", "v2.dev2", "v2.a1", "v2.a2"];
    let mut c = Case::new();
    let mut config = String::from("_migrations:\n");
    for v in ["v1.9", "v2.dev0", "v2.dev2", "v2.a1", "v2.a2"] {
        config.push_str(&format!("-   version: {v}\n    command: touch {v}\n"));
    }
    c.release("v1", &[ANSWERS_JSON, ("copier.yml", &config)]);
    c.copy("dst", &[]).success();
    for v in ["v1.9", "v2.dev0", "v2.dev2", "v2.a1", "v2.a2"] {
        c.release(v, &[]);
    }
    assert!(!c.exists("dst/v1.9"));
    c.save("dst");
    // No prereleases: to v1.9.
    c.update("dst", &["--defaults", "--trust"]).success();
    assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v1.9");
    assert!(c.exists("dst/v1.9"));
    assert!(versions.iter().all(|v| !c.exists(&format!("dst/{v}"))));
    c.save("dst");
    c.update("dst", &["--defaults", "--trust", "--prereleases"])
        .success();
    assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v2.a2");
    assert!(c.exists("dst/v1.9"));
    assert!(versions.iter().all(|v| c.exists(&format!("dst/{v}"))));
    c.save("dst");
    // Without prereleases the latest is v1.9: a downgrade, refused.
    let run = c.update("dst", &["--defaults", "--trust"]).code(2);
    assert!(run.stderr.contains("downgrad"), "{}", run.stderr);
    c.copier(&["update", "--defaults", "--trust", "dst"])
        .code(1);
}

/// Ports `test_migrations.py::test_migration_working_directory`. graft
/// differs on purpose: a task or migration runs inside the destination
/// (README, Security, rule 1), so the absolute `working_directory`
/// Copier's test uses is refused before anything runs or changes; one
/// inside the project is where the command runs.
#[test]
fn migration_working_directory() {
    let mut c = Case::new();
    let workdir = c.h.path("workdir");
    std::fs::create_dir_all(&workdir).expect("workdir");
    c.release(
        "v1",
        &[
            ANSWERS_JSON,
            (
                "copier.yml",
                &format!(
                    "_migrations:\n-   command: touch foo\n    working_directory: {}\n",
                    workdir.display()
                ),
            ),
        ],
    );
    c.copy("dst", &[]).success();
    c.save("dst");
    c.template.tag("v2");
    let run = c.update("dst", &["--defaults", "--trust"]).code(2);
    assert_eq!(
        run.stderr,
        format!(
            "error: path `{}` (from `copier.yml:2 (migration) (working_directory)`) is absolute; a task runs inside the destination\n",
            workdir.display()
        )
    );
    assert!(!workdir.join("foo").exists() && !c.exists("dst/foo"));
    assert_eq!(c.answer("dst/.copier-answers.yml", "_commit"), "v1");

    c.release(
        "v3",
        &[(
            "copier.yml",
            "_migrations:\n-   command: touch foo\n    working_directory: sub\n",
        )],
    );
    std::fs::create_dir_all(c.h.path("dst/sub")).expect("sub");
    c.update("dst", &["--defaults", "--trust"]).success();
    assert!(!c.exists("dst/foo"));
    assert!(c.exists("dst/sub/foo"));
}

/// Ports `test_migrations.py::test_migration_condition`.
#[test]
fn migration_condition() {
    for condition in [true, false] {
        let c = migrations_case(&format!(
            "_migrations:\n-   command: touch foo\n    when: {condition}\n"
        ));
        assert!(!c.exists("dst/foo"));
        c.update("dst", &["--defaults", "--trust"]).success();
        assert_eq!(c.exists("dst/foo"), condition);
    }
}

/// Ports `test_migrations.py::test_pretend_migration`.
#[test]
fn pretend_migration() {
    let c = migrations_case("_migrations:\n-   touch foo\n");
    c.update("dst", &["--defaults", "--trust", "--pretend"])
        .success();
    assert!(!c.exists("dst/foo"));
}

/// Ports `test_migrations.py::test_skip_migration`: `--skip-tasks` does
/// not skip migrations.
#[test]
fn skip_migration() {
    let c = migrations_case("_migrations:\n-   touch foo\n");
    c.update("dst", &["--defaults", "--trust", "--skip-tasks"])
        .success();
    assert!(c.exists("dst/foo"));
}

/// Ports `test_migrations.py::test_migration_run_before`: a migration
/// before the update changes a recorded answer, which the update then
/// uses. Copier's migration is Python with PyYAML; this one is `sed`.
#[test]
fn migration_run_before() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[
            ANSWERS_NICE_YAML,
            (
                "copier.yml",
                "\nhello:\n    default: World\n_migrations:\n-   command: \"sed -i 's/^hello: .*/hello: Copier/' .copier-answers.yml\"\n    when: \"{{ _stage == 'before' }}\"\n",
            ),
            ("foo.jinja", "Hello {{ hello }}"),
        ],
    );
    c.copy("dst", &["--defaults"]).success();
    c.save("dst");
    assert_eq!(c.read("dst/foo"), "Hello World");
    c.release("v2", &[("foo", "")]);
    c.update("dst", &["--defaults", "--trust"]).success();
    assert_eq!(c.read("dst/foo"), "Hello Copier");
}

/// Ports `test_migrations.py::test_migration_run_after`, with `when`
/// given and left to its default.
#[test]
fn migration_run_after() {
    for when in ["    when: \"{{ _stage == 'after' }}\"\n", ""] {
        let mut c = Case::new();
        c.release(
            "v1",
            &[
                ANSWERS_JSON,
                (
                    "copier.yml",
                    &format!("_migrations:\n-   command: mv foo bar\n{when}"),
                ),
            ],
        );
        c.copy("dst", &[]).success();
        c.save("dst");
        c.release("v2", &[("foo", "")]);
        c.update("dst", &["--defaults", "--trust"]).success();
        assert!(!c.exists("dst/foo"), "{when:?}");
        assert!(c.exists("dst/bar"), "{when:?}");
    }
}

/// A template whose one migration (`version: v2` when `versioned`) runs
/// `command`, copied at v1, released as v2 and v3, updated to v3.
fn crossing_v2(command: &str, versioned: bool) -> Case {
    let mut c = Case::new();
    let version = if versioned { "    version: v2\n" } else { "" };
    c.release(
        "v1",
        &[
            ANSWERS_JSON,
            (
                "copier.yml",
                &format!("_migrations:\n-   command: {command}\n{version}"),
            ),
        ],
    );
    c.copy("dst", &[]).success();
    c.save("dst");
    c.release("v2", &[("version", "v2")]);
    c.release("v3", &[("version", "v3")]);
    c.update("dst", &["--defaults", "--trust"]).success();
    c
}

/// Ports `test_migrations.py::test_migration_env_variables`.
#[test]
fn migration_env_variables() {
    for versioned in [true, false] {
        let c = crossing_v2("env > env.txt", versioned);
        let env = c.read("dst/env.txt");
        let lines: Vec<&str> = env.lines().collect();
        for line in [
            "STAGE=after",
            "VERSION_FROM=v1",
            "VERSION_TO=v3",
            "VERSION_PEP440_FROM=1",
            "VERSION_PEP440_TO=3",
        ] {
            assert!(lines.contains(&line), "{line} in {env}");
        }
        for line in ["VERSION_CURRENT=v2", "VERSION_PEP440_CURRENT=2"] {
            assert_eq!(lines.contains(&line), versioned, "{line} in {env}");
        }
    }
}

/// Ports `test_migrations.py::test_migration_jinja_variables`.
#[test]
fn migration_jinja_variables() {
    let all = [
        ("_stage", "after"),
        ("_version_from", "v1"),
        ("_version_to", "v3"),
        ("_version_pep440_from", "1"),
        ("_version_pep440_to", "3"),
        ("_version_current", "v2"),
        ("_version_pep440_current", "2"),
    ];
    let command = all
        .iter()
        .map(|(var, _)| format!("echo {var}={{{{ {var} }}}} >> vars.txt"))
        .collect::<Vec<_>>()
        .join("&&");
    for versioned in [true, false] {
        let c = crossing_v2(&command, versioned);
        let text = c.read("dst/vars.txt");
        let vars: Vec<&str> = text.lines().map(str::trim).collect();
        for (i, (var, value)) in all.iter().enumerate() {
            let current_only = i >= 5;
            let want = if current_only && !versioned {
                format!("{var}=")
            } else {
                format!("{var}={value}")
            };
            assert!(vars.contains(&want.as_str()), "{want} in {text}");
        }
    }
}

/// Ports `test_migrations.py::test_copier_phase_variable`.
#[test]
fn copier_phase_variable() {
    let c = migrations_case("_migrations:\n    - touch {{ _copier_phase }}\n");
    c.update("dst", &["--defaults", "--trust"]).success();
    assert!(c.exists("dst/migrate"));
}

/// The template of Copier's `test_check_update.py`: v1.0.0, v2.0.0 and
/// the prerelease v3.0.0-alpha.
fn check_update_template(c: &mut Case) {
    c.release(
        "v1.0.0",
        &[
            (
                "{{ _copier_conf.answers_file }}.jinja",
                "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml }}\n",
            ),
            ("README.md.jinja", "# Version 1.0.0\n"),
        ],
    );
    c.release("v2.0.0", &[("README.md.jinja", "# Version 2.0.0\n")]);
    c.release(
        "v3.0.0-alpha",
        &[("README.md.jinja", "# Version 3.0.0-alpha\n")],
    );
}

/// Ports every case of `test_check_update.py` but the custom answers file:
/// a project at v2.0.0 or v1.0.0, checked plainly, as JSON, quietly, with
/// and without prereleases; exit codes and output as Copier's.
#[test]
fn check_update() {
    let mut c = Case::new();
    check_update_template(&mut c);
    let src = c.src();
    for (at, dst) in [("v2.0.0", "at2"), ("v1.0.0", "at1")] {
        c.copier(&[
            "copy",
            &src,
            dst,
            "--quiet",
            "--overwrite",
            &format!("--vcs-ref={at}"),
        ])
        .success();
    }
    for (dst, args, code, out) in [
        ("at2", "", 0, "Project is up-to-date!\n"),
        (
            "at2",
            "--output-format json",
            0,
            "{\"update_available\": false, \"current_version\": \"2.0.0\", \"latest_version\": \"2.0.0\"}\n",
        ),
        ("at2", "--quiet", 0, ""),
        (
            "at1",
            "",
            0,
            "New template version available.\nCurrent version is 1.0.0, latest version is 2.0.0.\n",
        ),
        (
            "at1",
            "--output-format json",
            0,
            "{\"update_available\": true, \"current_version\": \"1.0.0\", \"latest_version\": \"2.0.0\"}\n",
        ),
        ("at1", "--quiet", 2, ""),
        (
            "at2",
            "--prereleases",
            0,
            "New template version available.\nCurrent version is 2.0.0, latest version is 3.0.0a0.\n",
        ),
        (
            "at2",
            "--output-format json --prereleases",
            0,
            "{\"update_available\": true, \"current_version\": \"2.0.0\", \"latest_version\": \"3.0.0a0\"}\n",
        ),
        ("at2", "--quiet --prereleases", 2, ""),
    ] {
        let args: Vec<&str> = ["check-update", dst]
            .into_iter()
            .chain(args.split_whitespace())
            .collect();
        let run = c.copier(&args);
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (code, out),
            "{dst} {args:?}: {}",
            run.stderr
        );
    }
}

/// Ports `test_check_update.py::test_with_custom_answers_file_path_opt`.
#[test]
fn check_update_with_custom_answers_file_path() {
    let mut c = Case::new();
    check_update_template(&mut c);
    c.copier(&[
        "copy",
        &c.src(),
        "dst",
        "--quiet",
        "--overwrite",
        "--vcs-ref=v1.0.0",
        "--answers-file",
        ".my-answers.yml",
    ])
    .success();
    assert!(c.exists("dst/.my-answers.yml"));
    c.copier(&["check-update", "dst"]).code(1);
    let run = c
        .copier(&["check-update", "dst", "--answers-file", ".my-answers.yml"])
        .success();
    assert!(
        run.stdout.contains(
            "New template version available.\nCurrent version is 1.0.0, latest version is 2.0.0."
        ),
        "{}",
        run.stdout
    );
}

/// Not a port: Copier gives `_copier_operation` to tasks, migrations and
/// `_exclude`, not to questions or files. So a question the new version
/// adds whose default reads it (Doodba's `compose_version`) takes, in an
/// update, the default a copy would give. Python Copier, when present,
/// writes the same answers file.
#[test]
fn a_question_default_does_not_see_the_operation() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[ANSWERS_NICE_YAML, ("copier.yml", "name: {default: x}")],
    );
    c.release(
        "v2",
        &[
            (
                "copier.yml",
                "name: {default: x}\n\
                 compose:\n  default: \"{{ 'v1' if _copier_operation == 'update' else 'v2+' }}\"\n",
            ),
            ("compose.txt.jinja", "{{ compose }}|{{ _copier_operation }}"),
        ],
    );
    c.copy("dst", &["--defaults", "--vcs-ref", "v1"]).success();
    c.save("dst");
    c.duplicate("dst", "python");
    c.update("dst", &["--defaults"]).success();
    assert_eq!(c.read("dst/compose.txt"), "v2+|");
    assert!(
        c.read("dst/.copier-answers.yml")
            .contains("\ncompose: v2+\n"),
        "{}",
        c.read("dst/.copier-answers.yml")
    );
    if !c.python_copier(&["update", "--defaults", "--trust", "python"]) {
        return;
    }
    assert_eq!(c.read("python/compose.txt"), "v2+|");
    assert_eq!(
        c.read("python/.copier-answers.yml"),
        c.read("dst/.copier-answers.yml").replace("dst", "python")
    );
}

/// Not a port: files a `{% yield %}` makes are updated one by one, each
/// merged with the project's edits to it. Python Copier, when present,
/// gives the same files.
#[test]
fn files_a_yield_makes_are_each_merged_on_update() {
    let mut c = Case::new();
    let name = "{% yield c from cmds %}{{ c }}{% endyield %}.txt.jinja";
    c.release(
        "v1",
        &[
            ANSWERS_NICE_YAML,
            ("copier.yml", "cmds: {type: yaml, default: [a, b]}"),
            (name, "{{ c }} v1\nend\n"),
        ],
    );
    c.release("v2", &[(name, "{{ c }} v2\nend\n")]);
    c.copy("dst", &["--defaults", "--vcs-ref", "v1"]).success();
    assert_eq!(c.read("dst/a.txt"), "a v1\nend\n");
    let mut project = c.save("dst");
    project.commit(&[("a.txt", "a v1\nend\nmine\n")], &[], "edit");
    c.duplicate("dst", "python");
    c.update("dst", &["--defaults"]).success();
    assert_eq!(c.read("dst/a.txt"), "a v2\nend\nmine\n");
    assert_eq!(c.read("dst/b.txt"), "b v2\nend\n");
    if !c.python_copier(&["update", "--defaults", "--trust", "python"]) {
        return;
    }
    for file in ["a.txt", "b.txt"] {
        assert_eq!(
            c.read(&format!("python/{file}")),
            c.read(&format!("dst/{file}"))
        );
    }
}

/// Not a port: Copier shows `_copier_answers` to its questions, with the
/// answers known so far; in an update, those the answers file recorded.
/// A question the new version adds may default to one of them. Python
/// Copier, when present, writes the same answers file.
#[test]
fn a_question_default_sees_the_recorded_answers() {
    let mut c = Case::new();
    c.release(
        "v1",
        &[ANSWERS_NICE_YAML, ("copier.yml", "name: {default: x}")],
    );
    c.release(
        "v2",
        &[(
            "copier.yml",
            "greeting:\n  default: \"{{ _copier_answers.name }}-{{ _copier_answers | length }}\"\n\
             name: {default: x}\n",
        )],
    );
    c.copy("dst", &["--defaults", "--vcs-ref", "v1", "-d", "name=ada"])
        .success();
    c.save("dst");
    c.duplicate("dst", "python");
    c.update("dst", &["--defaults"]).success();
    let answers = c.read("dst/.copier-answers.yml");
    assert!(answers.contains("\ngreeting: ada-3\n"), "{answers}");
    if !c.python_copier(&["update", "--defaults", "--trust", "python"]) {
        return;
    }
    assert_eq!(
        c.read("python/.copier-answers.yml"),
        answers.replace("dst", "python")
    );
}
