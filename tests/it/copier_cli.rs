//! graft under the name `copier`: Copier 9's command lines, run against
//! Python Copier 9.19.1 and against graft (through a `copier` symlink to
//! the graft binary) on the same Copier templates, must give the same
//! tree and the same exit code.
//!
//! Python Copier is found at `$GRAFT_COPIER`, else at
//! `target/copier-venv/bin/copier`. Without it these comparisons are
//! skipped with a note, unless `GRAFT_REQUIRE_COPIER=1` makes that a
//! failure. The tests of what only graft does need no Python.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::PathBuf;

use crate::harness::{
    python_copier_path, read, skip_without_python, text_files, work_tree, GitRepo, Harness, Run,
    Snap, TEMPLATE,
};

/// The Copier release graft answers for.
const COPIER_VERSION: &str = "9.19.1";

/// A Copier template with a string, a choice and a boolean question, a
/// folder that exists only when `docs` is true, and an answers file
/// written without filters.
const TEMPLATE_V1: &[(&str, &str)] = &[
    (
        "copier.yml",
        "name:\n  type: str\n  default: demo\nlicense:\n  type: str\n  default: MIT\n  choices: [MIT, Apache]\ndocs:\n  type: bool\n  default: false\n",
    ),
    (
        "{{ _copier_conf.answers_file }}.jinja",
        "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n_commit: {{ _copier_answers._commit }}\n_src_path: {{ _copier_answers._src_path }}\nname: {{ name }}\nlicense: {{ license }}\ndocs: {{ docs }}\n",
    ),
    ("README.md.jinja", "# {{ name }}\n\nLicense: {{ license }}\n"),
    (
        "{% if docs %}docs{% endif %}/index.md.jinja",
        "Documentation of {{ name }}\n",
    ),
    ("notes.txt", "plain notes\n"),
    ("secret.txt", "not for everyone\n"),
];

/// What v2 changes: the README's last line, and a new file.
const TEMPLATE_V2: &[(&str, &str)] = &[
    (
        "README.md.jinja",
        "# {{ name }}\n\nLicensed under {{ license }}.\n",
    ),
    ("CHANGES.md.jinja", "{{ name }} 2\n"),
];

/// One harness with a Copier template repository and both `copier`s.
struct Both {
    h: Harness,
    python: Option<PathBuf>,
    template: GitRepo,
}

impl Both {
    /// The template at v1, tagged `v1`.
    fn new() -> Both {
        let h = Harness::new();
        let mut template = GitRepo::init(&h, TEMPLATE);
        template.release("v1", TEMPLATE_V1, &[]);
        let link = h.path("bin/copier");
        std::fs::create_dir_all(link.parent().expect("bin folder")).expect("create bin");
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_graft"), &link).expect("link copier");
        Both {
            python: Some(python_copier_path()).filter(|p| p.is_file()),
            h,
            template,
        }
    }

    /// The template's absolute path, as both record it in `_src_path`.
    fn src(&self) -> String {
        self.h.template_src()
    }

    /// Runs graft as `copier ARGS` in the harness folder.
    fn graft<S: AsRef<OsStr>>(&self, args: &[S]) -> Run {
        let mut cmd = std::process::Command::new(self.h.path("bin/copier"));
        self.prepare(&mut cmd, args);
        Run::of(assert_cmd::Command::from_std(cmd))
    }

    /// Runs Python Copier with `ARGS` in the harness folder.
    fn python<S: AsRef<OsStr>>(&self, args: &[S]) -> Run {
        let python = self.python.as_ref().expect("python copier");
        let mut cmd = std::process::Command::new(python);
        self.prepare(&mut cmd, args);
        Run::of(assert_cmd::Command::from_std(cmd))
    }

    fn prepare<S: AsRef<OsStr>>(&self, cmd: &mut std::process::Command, args: &[S]) {
        for (key, value) in self.h.env() {
            match value {
                Some(v) => cmd.env(key, v),
                None => cmd.env_remove(key),
            };
        }
        cmd.current_dir(self.h.root()).args(args);
    }

    /// The tree of `root/rel` without `.git`.
    fn tree(&self, rel: &str) -> BTreeMap<String, Snap> {
        work_tree(&self.h.path(rel))
    }

    /// Runs `args` (with `{}` standing for the destination) as graft into
    /// `graft/` and as Python Copier into `python/`; asserts the same exit
    /// code and the same tree, and returns graft's run.
    #[track_caller]
    fn same(&self, args: &[&str]) -> Run {
        let ours = self.graft(&with_dest(args, "graft"));
        let theirs = self.python(&with_dest(args, "python"));
        self.assert_same(&ours, &theirs);
        ours
    }

    #[track_caller]
    fn assert_same(&self, ours: &Run, theirs: &Run) {
        assert_eq!(
            ours.code, theirs.code,
            "exit codes differ\n--- graft stderr:\n{}\n--- copier stderr:\n{}",
            ours.stderr, theirs.stderr
        );
        assert_eq!(self.tree("graft"), self.tree("python"));
    }

    /// Makes `rel` a git repository with everything committed.
    fn commit_project(&self, rel: &str) -> GitRepo {
        let mut repo = GitRepo::init(&self.h, rel);
        repo.commit(&[], &[], "generated");
        repo
    }
}

fn with_dest(args: &[&str], dest: &str) -> Vec<String> {
    args.iter().map(|a| a.replace("{}", dest)).collect()
}

/// Returns early from a test that needs Python Copier when it is missing.
macro_rules! need_python {
    ($both:expr) => {
        if $both.python.is_none() {
            skip_without_python();
            return;
        }
    };
}

#[test]
fn template_and_destination_alone_copy_as_copier_copy_does() {
    let both = Both::new();
    need_python!(both);
    let src = both.src();
    let ours = both.graft(&[&src, "graft", "-l", "-d", "name=demo"]);
    let theirs = both.python(&["copy", &src, "python", "-l", "-d", "name=demo"]);
    both.assert_same(&ours, &theirs);
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    assert!(
        ours.stderr
            .starts_with("warning: `copier TEMPLATE DEST` is Copier 8's form"),
        "{}",
        ours.stderr
    );
    // Copier 9 itself dropped this form of Copier 8; graft keeps it.
    let copier9 = both.python(&[&src, "python9"]);
    assert_eq!(copier9.code, 1);
    assert!(!both.h.path("python9").exists());
}

#[test]
fn copy_with_data_defaults_data_file_and_excludes() {
    let both = Both::new();
    need_python!(both);
    both.h.write(
        "answers.yml",
        "name: from-file\nlicense: Apache\ndocs: true\n",
    );
    let src = both.src();
    let run = both.same(&[
        "copy",
        "-d",
        "name=from-cli",
        "--data-file",
        "answers.yml",
        "-l",
        "-x",
        "secret.txt",
        "--exclude",
        "notes*",
        &src,
        "{}",
    ]);
    assert_eq!(run.code, 0);
    let files = text_files(&both.h.path("graft"));
    assert_eq!(files["docs/index.md"], "Documentation of from-cli\n");
    assert!(!files.contains_key("secret.txt") && !files.contains_key("notes.txt"));
}

#[test]
fn copy_with_pretend_writes_nothing() {
    let both = Both::new();
    need_python!(both);
    let run = both.same(&["copy", "--pretend", "-l", &both.src(), "{}"]);
    assert_eq!(run.code, 0);
    assert!(!both.h.path("graft").exists());
}

/// Copy v1, edit the project, release v2 and v3, check for updates, and
/// update to v2 with a conflict left in the README.
#[test]
fn check_update_then_update_to_a_chosen_tag() {
    let mut both = Both::new();
    need_python!(both);
    let src = both.src();
    both.same(&["copy", "-l", "-d", "name=demo", &src, "{}"])
        .success();
    for project in ["graft", "python"] {
        let mut repo = both.commit_project(project);
        repo.commit(
            &[("README.md", "# demo\n\nOur own licence text\n")],
            &[],
            "edit",
        );
    }

    let ours = both.graft(&["check-update", "graft"]);
    let theirs = both.python(&["check-update", "python"]);
    assert_eq!(
        (ours.code, ours.stdout.as_str()),
        (0, "Project is up-to-date!\n")
    );
    assert_eq!(
        (theirs.code, theirs.stdout.as_str()),
        (0, ours.stdout.as_str())
    );

    both.template.release("v2", TEMPLATE_V2, &[]);
    both.template
        .release("v3.0.0", &[("CHANGES.md.jinja", "{{ name }} 3\n")], &[]);
    for (args, code, stdout) in [
        (
            &["check-update"][..],
            0,
            "New template version available.\nCurrent version is 1, latest version is 3.0.0.\n",
        ),
        (
            &["check-update", "--output-format", "json"],
            0,
            "{\"update_available\": true, \"current_version\": \"1\", \"latest_version\": \"3.0.0\"}\n",
        ),
        (&["check-update", "-q"], 2, ""),
    ] {
        let ours = both.graft(&[args, &["graft"]].concat());
        let theirs = both.python(&[args, &["python"]].concat());
        assert_eq!((ours.code, ours.stdout.as_str()), (code, stdout), "{args:?}: {}", ours.stderr);
        assert_eq!((theirs.code, theirs.stdout.as_str()), (code, stdout), "{args:?}");
    }

    // A conflict is left in the README; Copier still exits with 0.
    let run = both.same(&["update", "-A", "-r", "v2", "{}"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let readme = read(&both.h.path("graft/README.md"));
    assert!(readme.contains("<<<<<<< before updating"), "{readme}");
    assert!(read(&both.h.path("graft/.copier-answers.yml")).contains("_commit: v2\n"));
}

/// `update -r :current:` renders the recorded version asked for by its
/// recorded name, as Copier resolves it: a file printing
/// `_copier_conf.vcs_ref` keeps that name.
#[test]
fn update_to_the_current_version_is_asked_for_by_the_recorded_ref() {
    let mut both = Both::new();
    need_python!(both);
    both.template.release(
        "v1.1",
        &[(
            "ref.txt.jinja",
            "{{ name }} at {{ _copier_conf.vcs_ref }}\n",
        )],
        &[],
    );
    let src = both.src();
    both.same(&["copy", "-l", "-r", "v1.1", &src, "{}"])
        .success();
    for project in ["graft", "python"] {
        both.commit_project(project);
    }
    let run = both.same(&["update", "-A", "-r", ":current:", "-d", "name=other", "{}"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&both.h.path("graft/ref.txt")), "other at v1.1\n");
}

#[test]
fn recopy_renders_the_project_afresh() {
    let mut both = Both::new();
    need_python!(both);
    let src = both.src();
    both.same(&[
        "copy",
        "-l",
        "-d",
        "name=demo",
        "-d",
        "license=Apache",
        &src,
        "{}",
    ])
    .success();
    both.template.release("v2", TEMPLATE_V2, &[]);
    for project in ["graft", "python"] {
        both.h
            .write(&format!("{project}/README.md"), "# demo, our way\n");
        both.h.write(&format!("{project}/ours.txt"), "kept\n");
    }
    let run = both.same(&["recopy", "-f", "{}"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        read(&both.h.path("graft/README.md")),
        "# demo\n\nLicensed under Apache.\n"
    );
}

#[test]
fn an_untrusted_task_is_exit_code_4_and_a_failed_one_1() {
    let both = Both::new();
    need_python!(both);
    let h = &both.h;
    let mut tasks = GitRepo::init(h, "tasks");
    tasks.release(
        "v1",
        &[("copier.yml", "_tasks:\n  - \"false\"\n"), ("a.txt", "a\n")],
        &[],
    );
    let src = h.path("tasks").display().to_string();
    assert_eq!(both.same(&["copy", "-l", &src, "{}"]).code, 4);
    assert!(!h.path("graft").exists());
    assert_eq!(both.same(&["copy", "-l", "--trust", &src, "{}"]).code, 1);
    assert!(!h.path("graft").exists());
    // `--no-cleanup` keeps what was written before the task failed.
    assert_eq!(
        both.same(&["copy", "-l", "--trust", "-C", &src, "{}"]).code,
        1
    );
    assert!(h.path("graft/a.txt").is_file());
}

#[test]
fn update_without_an_answers_file_is_exit_code_1() {
    let both = Both::new();
    need_python!(both);
    both.h.mkdir("graft");
    both.h.mkdir("python");
    both.commit_project("graft");
    both.commit_project("python");
    assert_eq!(both.same(&["update", "-A", "{}"]).code, 1);
}

#[test]
fn an_unknown_switch_fails_in_both() {
    let both = Both::new();
    need_python!(both);
    let run = both.same(&["copy", "--no-such-switch", &both.src(), "{}"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--no-such-switch"), "{}", run.stderr);
}

#[test]
fn version_names_copier_9_19_1() {
    let both = Both::new();
    let ours = both.graft(&["--version"]).success();
    assert_eq!(
        ours.stdout,
        format!(
            "copier {COPIER_VERSION} (graft {})\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    need_python!(both);
    let theirs = both.python(&["--version"]).success();
    assert!(theirs
        .stdout
        .starts_with(&format!("copier {COPIER_VERSION}")));
}

#[test]
fn ask_without_a_terminal_fails_with_exit_code_1_and_leaves_nothing_as_in_copier() {
    let both = Both::new();
    let run = both
        .graft(&["copy", "--ask", "name", "-l", &both.src(), "graft"])
        .code(1);
    assert_eq!(
        run.stderr,
        "error: `--ask` names question `name`, and there is no terminal to ask it on\n\
         hint: run it on a terminal, or leave out `--ask` and pass `--data name=VALUE`\n"
    );
    assert!(!both.h.path("graft").exists());
    need_python!(both);
    both.python(&["copy", "--ask", "name", "-l", &both.src(), "python"])
        .code(1);
    assert!(!both.h.path("python").exists());
}

#[test]
fn completions_are_refused_with_exit_code_2_naming_them() {
    let run = Both::new().graft(&["--completions", "bash"]).code(2);
    assert!(
        run.stderr
            .starts_with("error: `--completions` is not supported: "),
        "{}",
        run.stderr
    );
}

#[test]
fn no_command_is_exit_code_1_as_in_copier() {
    let run = Both::new().graft::<&str>(&[]).code(1);
    assert!(
        run.stderr.starts_with("error: no command given\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn graft_keeps_its_own_command_line_under_its_own_name() {
    let both = Both::new();
    // `check-update` is not one of graft's commands.
    both.h.run(&["check-update"]).code(2);
    both.h
        .run(&["copy", "--force", "template", "dest"])
        .success();
}

#[test]
fn help_of_every_copier_command() {
    let both = Both::new();
    for command in ["", "copy", "update", "recopy", "check-update"] {
        let args: Vec<&str> = command.split_whitespace().chain(["--help"]).collect();
        let mut cmd = std::process::Command::new(both.h.path("bin/copier"));
        both.prepare(&mut cmd, &args);
        cmd.env("COLUMNS", "100");
        let run = Run::of(assert_cmd::Command::from_std(cmd)).success();
        let name = if command.is_empty() {
            "copier"
        } else {
            command
        };
        insta::assert_snapshot!(format!("copier_help_{name}"), run.stdout);
    }
}
