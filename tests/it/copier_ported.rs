//! Copier's own tests of rendering, questions, answers, excludes and tasks,
//! run against graft's Copier dialect: each test builds the template the
//! Copier test builds, passes the command-line options equivalent to the
//! Python call, and asserts what the Python test asserts. The doc comment
//! of each names the Copier test (from Copier 9.19.1's `tests/`) it ports.
//!
//! Where Copier's test needs no `copier.yml` (Copier renders any folder),
//! the port adds an empty one: graft tells a Copier template by that file.
//! Without a terminal, a question Copier's test answers at the prompt is
//! answered with `--defaults`. Tests that need Copier's filters and
//! globals (`to_nice_yaml`, `now()`), or `_envops` delimiters and
//! `undefined`, are ignored until graft's Jinja library has them.

use crate::harness::{files, read_tree, text_files, GitRepo, Harness, Snap, DEST, TEMPLATE};

/// Copier's `BRACKET_ENVOPS_JSON`: templates written with `[[ ]]`, `[% %]`
/// and `[# #]`, as Copier's older defaults were.
const BRACKET_ENVOPS_JSON: &str = r##"{"autoescape": false, "block_end_string": "%]", "block_start_string": "[%", "comment_end_string": "#]", "comment_start_string": "[#", "keep_trailing_newline": true, "variable_end_string": "]]", "variable_start_string": "[["}"##;

/// The Copier release graft's Copier dialect follows.
const COPIER_VERSION: &str = "9.19.1";

/// The answers file template most of Copier's tests put in their templates.
const ANSWERS_TEMPLATE: (&str, &str) = (
    "{{ _copier_conf.answers_file }}.jinja",
    "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml }}\n",
);

/// Whether `dest/rel` exists (a dangling symlink counts).
fn exists(h: &Harness, rel: &str) -> bool {
    h.dest().join(rel).symlink_metadata().is_ok()
}

/// Makes the template folder a git repository with everything committed,
/// tagged `tag` when given (Copier's `git_save`).
fn git_save(h: &Harness, tag: Option<&str>) -> GitRepo {
    let mut repo = GitRepo::init(h, TEMPLATE);
    repo.commit(&[], &[], "Test commit");
    if let Some(tag) = tag {
        repo.tag(tag);
    }
    repo
}

// ---------------------------------------------------------------------------
// tests/test_exclude.py

/// copier tests/test_exclude.py::test_exclude_recursive
#[test]
fn an_excluded_folder_is_left_out_with_everything_in_it() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", "_exclude:\n  - bad\n"),
        ("bad/subdir/file.txt", ""),
    ]);
    h.copy(&[]).success();
    assert!(!exists(&h, "bad"));
}

/// copier tests/test_exclude.py::test_exclude_recursive_negate
#[test]
fn a_negated_exclude_keeps_the_one_file_it_names() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_exclude:\n  - \"*.txt\"\n  - \"!copy_me.txt\"\n",
        ),
        ("copy_me.txt", ""),
        ("do_not_copy_me.txt", ""),
    ]);
    h.copy(&[]).success();
    assert!(h.dest().join("copy_me.txt").is_file());
    assert!(!exists(&h, "do_not_copy_me.txt"));
}

/// copier tests/test_exclude.py::test_config_exclude
#[test]
fn the_templates_exclude_replaces_the_default_excludes() {
    let h = Harness::new();
    h.template(&[("copier.yml", "_exclude: ['*.txt']"), ("aaaa.txt", "")]);
    h.copy(&["--quiet"]).success();
    assert!(!exists(&h, "aaaa.txt"));
    assert!(exists(&h, "copier.yml"));
}

/// copier tests/test_exclude.py::test_config_exclude_extended
#[test]
fn a_command_line_exclude_adds_to_the_templates_exclude() {
    let h = Harness::new();
    h.template(&[("copier.yml", "_exclude: ['*.txt']"), ("aaaa.txt", "")]);
    h.copy(&["--quiet", "-x", "*.yml"]).success();
    assert!(!exists(&h, "aaaa.txt"));
    assert!(!exists(&h, "copier.yml"));
}

/// copier tests/test_exclude.py::test_config_include
#[test]
fn a_negated_exclude_includes_what_the_defaults_would_leave_out() {
    let h = Harness::new();
    h.template(&[("copier.yml", "_exclude: ['!.svn']"), (".svn/hello", "")]);
    h.copy(&["--quiet"]).success();
    assert!(exists(&h, ".svn/hello"));
    assert!(exists(&h, "copier.yml"));
}

/// copier tests/test_exclude.py::test_config_exclude_multiline_conditional
#[test]
fn one_exclude_entry_may_render_to_several_patterns() {
    for skip in [true, false] {
        let h = Harness::new();
        h.template(&[
            (
                "copier.yml",
                "skip:\n    type: bool\n\n_exclude:\n    - copier.yml\n    - |\n        {% if skip %}\n        /a.txt\n        /b.txt\n        /sub/c.txt\n        {% endif %}\n",
            ),
            ("a.txt", ""),
            ("b.txt", ""),
            ("sub/c.txt", ""),
            ("keep.txt", ""),
        ]);
        h.copy(&["--quiet", "-d", &format!("skip={skip}")])
            .success();
        assert!(exists(&h, "keep.txt"));
        assert_eq!(exists(&h, "a.txt"), !skip, "skip={skip}");
        assert_eq!(exists(&h, "b.txt"), !skip, "skip={skip}");
        assert_eq!(exists(&h, "sub/c.txt"), !skip, "skip={skip}");
    }
}

/// copier tests/test_exclude.py::test_path_filter
#[test]
fn exclude_patterns_match_files_folders_negations_and_unicode_names() {
    let h = Harness::new();
    // Name → whether it is excluded. The two `mañana.txt` are spelled
    // differently: decomposed (n + U+0303) and composed (U+00F1).
    let cases = [
        ("x.exclude", true),
        ("do_not.exclude!", false),
        ("exclude_dir/x", true),
        ("exclude_dir/please_copy_me", false),
        ("not_exclude_dir/x!", false),
        ("man\u{303}ana.txt", true),
        ("ma\u{f1}ana.txt", false),
        ("manana.txt", false),
    ];
    h.template(&[(
        "copier.yaml",
        "_exclude:\n    # simple file patterns and their negations\n    - \"*.exclude\"\n    - \"!do_not.exclude\"\n    # dir patterns and their negations\n    - \"exclude_dir/\"\n    - \"!exclude_dir/please_copy_me\"\n    - \"!not_exclude_dir/x\"\n    # unicode patterns\n    - \"man\u{303}ana.txt\"\n",
    )]);
    for (name, excluded) in cases {
        h.write(
            &format!("{TEMPLATE}/{name}"),
            if excluded { "True" } else { "False" },
        );
    }
    h.copy(&[]).success();
    for (name, excluded) in cases {
        assert_eq!(exists(&h, name), !excluded, "{name}");
    }
}

/// copier tests/test_exclude.py::test_config_exclude_with_subdirectory
#[test]
fn a_subdirectory_drops_the_default_excludes() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", "_subdirectory: 'template'"),
        ("template/copier.yml", ""),
    ]);
    h.copy(&["--quiet"]).success();
    assert!(exists(&h, "copier.yml"));
}

/// copier tests/test_exclude.py::test_config_exclude_with_subdirectory_dot
#[test]
fn a_dot_subdirectory_keeps_the_default_excludes() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", "_subdirectory: '.'"),
        ("template/copier.yml", ""),
    ]);
    h.copy(&["--quiet"]).success();
    assert!(!exists(&h, "template/copier.yml"));
}

/// copier tests/test_exclude.py::test_config_exclude_with_subdirectory_empty_string
#[test]
fn an_empty_subdirectory_keeps_the_default_excludes() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", "_subdirectory: ''"),
        ("template/copier.yml", ""),
    ]);
    h.copy(&["--quiet"]).success();
    assert!(!exists(&h, "template/copier.yml"));
}

/// copier tests/test_exclude.py::test_config_exclude_without_subdirectory
#[test]
fn without_a_subdirectory_the_default_excludes_apply_in_every_folder() {
    let h = Harness::new();
    h.template(&[("copier.yml", ""), ("template/copier.yml", "")]);
    h.copy(&["--quiet"]).success();
    assert!(!exists(&h, "template/copier.yml"));
}

/// copier tests/test_exclude.py::test_config_exclude_copieryml_without_templates_suffix
#[test]
fn the_configuration_is_excluded_even_when_every_file_is_a_template() {
    let h = Harness::new();
    h.template(&[(
        "copier.yml",
        "_subdirectory: .\n_templates_suffix: \"\"\n_envops:\n    block_start_string: \"[?\"\n    block_end_string: \"?]\"\n",
    )]);
    h.copy(&["--quiet"]).success();
    assert!(!exists(&h, "copier.yml"));
}

/// copier tests/test_exclude.py::test_config_exclude_file_with_bad_jinja_syntax_without_templates_suffix
#[test]
fn an_excluded_file_is_not_rendered_so_its_bad_syntax_does_not_matter() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_subdirectory: .\n_templates_suffix: \"\"\n_exclude:\n    - copier.yml\n    - exclude-me.txt\n",
        ),
        (
            "exclude-me.txt",
            "\"{%\" is malformed Jinja syntax but it doesn't matter because\nthis file is excluded\n",
        ),
    ]);
    h.copy(&["--quiet"]).success();
    assert!(!exists(&h, "copier.yml"));
    assert!(!exists(&h, "exclude-me.txt"));
}

/// copier tests/test_exclude.py::test_config_exclude_with_templated_path
#[test]
fn excludes_match_the_rendered_path() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_exclude:\n    - \"*\"\n    - \"!keep-me.txt\"\n\nfilename_keep: keep-me.txt\nfilename_exclude: exclude-me.txt\n",
        ),
        ("{{ filename_keep }}.jinja", ""),
        ("{{ filename_exclude }}.jinja", ""),
    ]);
    h.copy(&["--defaults", "--quiet"]).success();
    assert!(exists(&h, "keep-me.txt"));
    assert!(!exists(&h, "exclude-me.txt"));
}

/// copier tests/test_exclude.py::test_exclude_wildcard_negate_nested_file
#[test]
fn a_wildcard_exclude_keeps_negated_nested_files_and_symlinks() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_preserve_symlinks: true\n_exclude:\n    - \"*\"\n    - \"!/foo/keep-me.txt\"\n    - \"!/foo/bar/keep-me-symlink.txt\"\n",
        ),
        ("exclude-me.txt", ""),
        ("foo/keep-me.txt", ""),
    ]);
    h.symlink(
        &format!("{TEMPLATE}/foo/bar/keep-me-symlink.txt"),
        "../keep-me.txt",
    );
    h.copy(&[]).success();
    let tree = read_tree(&h.dest());
    assert!(h.dest().join("foo/keep-me.txt").is_file());
    assert_eq!(
        tree.get("foo/bar/keep-me-symlink.txt"),
        Some(&Snap::Link("../keep-me.txt".to_string()))
    );
    assert!(h.dest().join("foo/bar/keep-me-symlink.txt").exists());
    assert!(!exists(&h, "exclude-me.txt"));
}

// ---------------------------------------------------------------------------
// tests/test_copy.py: excludes and skips

/// copier tests/test_copy.py::test_exclude_extends
#[test]
fn a_command_line_exclude_extends_the_default_excludes() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", ""),
        ("test.txt", "Test text"),
        ("test.json", "\"test json\""),
    ]);
    git_save(&h, None);
    h.copy(&["-x", "*.txt"]).success();
    assert!(h.dest().join("test.json").is_file());
    assert!(!exists(&h, "test.txt"));
    // .git is in the template, and excluded by default.
    assert!(!exists(&h, ".git"));
}

/// copier tests/test_copy.py::test_exclude_replaces
#[test]
fn the_templates_exclude_replaces_the_defaults_and_the_command_line_adds() {
    let h = Harness::new();
    h.template(&[
        ("test.txt", "Test text"),
        ("test.json", "\"test json\""),
        ("test.yaml", "\"test yaml\""),
        ("copier.yaml.jinja", "purpose: template inception"),
        ("copier.yml", "_exclude: ['*.json']"),
    ]);
    h.copy(&["-x", "*.txt"]).success();
    assert!(h.dest().join("test.yaml").is_file());
    assert!(!exists(&h, "test.txt"));
    assert!(!exists(&h, "test.json"));
    assert!(exists(&h, "copier.yml"));
    assert!(h.dest().join("copier.yaml").is_file());
}

/// The project `demo_skip_dst` leaves, before `demo_skip_src` is copied
/// over it.
fn skip_fixture(h: &Harness) {
    h.template(&[
        ("copier.yml", "_skip_if_exists:\n  - \"a.noeof.txt\"\n"),
        ("meh/c.noeof.txt", "OVERWRITTEN\n"),
        ("a.noeof.txt", "OVERWRITTEN"),
        ("b.noeof.txt", "OVERWRITTEN"),
    ]);
    h.write(&format!("{DEST}/meh/c.noeof.txt"), "SKIPPED");
    h.write(&format!("{DEST}/a.noeof.txt"), "SKIPPED");
    h.write(&format!("{DEST}/b.noeof.txt"), "SKIPPED");
}

/// copier tests/test_copy.py::test_skip_if_exists
#[test]
fn existing_files_matching_skip_if_exists_are_kept() {
    let h = Harness::new();
    skip_fixture(&h);
    h.copy(&[
        "-s",
        "b.noeof.txt",
        "-s",
        "meh/c.noeof.txt",
        "--defaults",
        "--overwrite",
    ])
    .success();
    assert_eq!(h.dest_file("a.noeof.txt"), "SKIPPED");
    assert_eq!(h.dest_file("b.noeof.txt"), "SKIPPED");
    assert_eq!(h.dest_file("meh/c.noeof.txt"), "SKIPPED");
}

/// copier tests/test_copy.py::test_skip_if_exists_rendered_patterns
#[test]
fn skip_if_exists_patterns_are_rendered() {
    let h = Harness::new();
    skip_fixture(&h);
    h.copy(&[
        "-d",
        "name=meh",
        "-s",
        "{{ name }}/c.noeof.txt",
        "--defaults",
        "--overwrite",
    ])
    .success();
    assert_eq!(h.dest_file("a.noeof.txt"), "SKIPPED");
    assert_eq!(h.dest_file("b.noeof.txt"), "OVERWRITTEN");
    assert_eq!(h.dest_file("meh/c.noeof.txt"), "SKIPPED");
}

// ---------------------------------------------------------------------------
// tests/test_conditional_file_name.py

/// copier tests/test_conditional_file_name.py::test_render_conditional
#[test]
fn a_file_whose_name_renders_is_created() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", ""),
        (
            "{% if conditional %}file.txt{% endif %}.jinja",
            "This is {{ conditional.variable }}.",
        ),
    ]);
    h.write("data.yml", "conditional:\n  variable: true\n");
    h.copy(&["--data-file", "data.yml"]).success();
    assert_eq!(h.dest_file("file.txt"), "This is True.");
}

/// copier tests/test_conditional_file_name.py::test_dont_render_conditional
#[test]
fn a_file_whose_name_renders_empty_is_not_created() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", ""),
        (
            "{% if conditional %}file.txt{% endif %}.jinja",
            "This is {{ conditional.variable }}.",
        ),
    ]);
    h.copy(&[]).success();
    assert!(!exists(&h, "file.txt"));
}

/// copier tests/test_conditional_file_name.py::test_render_conditional_subdir
#[test]
fn a_file_in_a_folder_whose_name_renders_is_created() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", ""),
        (
            "subdir/{% if conditional %}file.txt{% endif %}.jinja",
            "This is {{ conditional.variable }}.",
        ),
    ]);
    h.write("data.yml", "conditional:\n  variable: true\n");
    h.copy(&["--data-file", "data.yml"]).success();
    assert_eq!(h.dest_file("subdir/file.txt"), "This is True.");
}

/// copier tests/test_conditional_file_name.py::test_dont_render_conditional_subdir
#[test]
fn a_file_in_a_folder_whose_name_renders_empty_is_not_created() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", ""),
        (
            "subdir/{% if conditional %}file.txt{% endif %}.jinja",
            "This is a {{ conditional.variable }}.",
        ),
    ]);
    h.copy(&[]).success();
    assert!(!exists(&h, "subdir/file.txt"));
}

// ---------------------------------------------------------------------------
// tests/test_empty_suffix.py

/// copier tests/test_empty_suffix.py::test_empty_suffix
#[test]
fn an_empty_templates_suffix_renders_every_file() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yaml",
            "_templates_suffix: \"\"\nname:\n    type: str\n    default: pingu\n",
        ),
        ("render_me", "Hello {{name}}!"),
        ("{{name}}.txt", "Hello {{name}}!"),
        ("{{name}}/render_me.txt", "Hello {{name}}!"),
    ]);
    h.copy(&["--defaults", "--overwrite"]).success();
    assert!(!exists(&h, "copier.yaml"));
    assert_eq!(
        text_files(&h.dest()),
        files(&[
            ("render_me", "Hello pingu!"),
            ("pingu.txt", "Hello pingu!"),
            ("pingu/render_me.txt", "Hello pingu!"),
        ])
    );
}

/// copier tests/test_empty_suffix.py::test_binary_file_fallback_to_copy
#[test]
fn a_binary_file_is_copied_as_it_is_even_when_every_file_is_a_template() {
    let h = Harness::new();
    h.template(&[(
        "copier.yaml",
        "_templates_suffix: \"\"\nname:\n    type: str\n    default: pingu\n",
    )]);
    let logo: &[u8] = b"\x89PNG\r\n\x1a\n\x00\rIHDR\x00\xec\n{{name}}\n\x00\xec";
    h.write(&format!("{TEMPLATE}/logo.png"), logo);
    h.copy(&["--defaults", "--overwrite"]).success();
    assert_eq!(std::fs::read(h.dest().join("logo.png")).unwrap(), logo);
}

// ---------------------------------------------------------------------------
// tests/test_normal_jinja2.py

/// copier tests/test_normal_jinja2.py::test_normal_jinja2
#[test]
fn envops_set_delimiters_and_block_whitespace() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_templates_suffix: .jinja\n_envops:\n    autoescape: false\n    variable_start_string: \"{{\"\n    variable_end_string: \"}}\"\n    block_start_string: \"{%\"\n    block_end_string: \"%}\"\n    comment_start_string: \"{#\"\n    comment_end_string: \"#}\"\n    lstrip_blocks: true\n    trim_blocks: true\nname: Guybrush\ntodo: Become a pirate\n",
        ),
        (
            "TODO.txt.jinja",
            "[[ {{ name }} TODO LIST]]\n{# Let's put an ugly not-comment below #}\n[# GROG #]\n    {% if name == 'Guybrush' %}\n    - {{ todo }}\n    {% endif %}\n",
        ),
    ]);
    let run = h.copy(&["--defaults", "--overwrite"]).success();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert_eq!(
        h.dest_file("TODO.txt"),
        "[[ Guybrush TODO LIST]]\n[# GROG #]\n    - Become a pirate\n"
    );
}

/// copier tests/test_normal_jinja2.py::test_to_not_keep_trailing_newlines_in_jinja2
#[test]
fn envops_may_drop_the_last_newline() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_templates_suffix: .jinja\n_envops:\n    keep_trailing_newline: false\ndata: foo\n",
        ),
        ("data.txt.jinja", "This is {{ data }}.\n"),
    ]);
    h.copy(&["--defaults", "--overwrite"]).success();
    assert_eq!(h.dest_file("data.txt"), "This is foo.");
}

// ---------------------------------------------------------------------------
// tests/test_jinja2_undefined.py

/// copier tests/test_jinja2_undefined.py::test_default
#[test]
fn an_undefined_variable_renders_empty() {
    let h = Harness::new();
    h.template(&[
        ("copier.yaml", ""),
        ("test.jinja", "{{ undefined_variable }}"),
    ]);
    h.copy(&[]).success();
    assert_eq!(h.dest_file("test"), "");
}

/// copier tests/test_jinja2_undefined.py::test_invalid_value
#[test]
fn an_unknown_undefined_class_in_envops_is_a_configuration_error() {
    let h = Harness::new();
    h.template(&[(
        "copier.yaml",
        "_envops:\n    undefined: jinja2.ChainableUndefined\n",
    )]);
    let run = h.copy(&[]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("jinja2.ChainableUndefined"),
        "{}",
        run.stderr
    );
}

/// copier tests/test_jinja2_undefined.py::test_undefined
#[test]
fn envops_undefined_jinja2_undefined_renders_empty() {
    let h = Harness::new();
    h.template(&[
        ("copier.yaml", "_envops:\n    undefined: jinja2.Undefined\n"),
        ("test.jinja", "{{ undefined_variable }}"),
    ]);
    h.copy(&[]).success();
    assert_eq!(h.dest_file("test"), "");
}

/// copier tests/test_jinja2_undefined.py::test_strictundefined_undefined_variable
#[test]
fn envops_strict_undefined_fails_on_an_undefined_variable() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yaml",
            "_envops:\n    undefined: jinja2.StrictUndefined\n",
        ),
        ("test.jinja", "{{ undefined_variable }}"),
    ]);
    let run = h.copy(&[]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("undefined"), "{}", run.stderr);
    assert!(!exists(&h, "test"));
}

// ---------------------------------------------------------------------------
// tests/test_tasks.py

/// Copier's `template_path` fixture of `test_tasks.py`.
fn tasks_template(h: &Harness) {
    h.template(&[(
        "copier.yaml",
        &format!(
            r#"_templates_suffix: .tmpl
_envops: {BRACKET_ENVOPS_JSON}

other_file: bye
condition: true

# This tests two things:
# 1. That the tasks are being executed in the destination folder; and
# 2. That the tasks are being executed in order, one after another
_tasks:
    -   mkdir hello
    -   command: touch world
        working_directory: ./hello
    -   touch [[ other_file ]]
    -   ["[[ _copier_python ]]", "-c", "open('pyfile', 'w').close()"]
    -   command: touch true
        when: "[[ condition ]]"
    -   command: touch false
        when: "[[ not condition ]]"
"#
        ),
    )]);
}

/// copier tests/test_tasks.py::test_render_tasks
#[test]
fn tasks_are_rendered_with_the_answers() {
    let h = Harness::new();
    tasks_template(&h);
    h.copy(&["-d", "other_file=custom", "-d", "condition=true", "--trust"])
        .success();
    assert!(h.dest().join("custom").is_file());
}

/// copier tests/test_tasks.py::test_copy_tasks
#[test]
fn tasks_run_in_order_in_the_destination_when_their_condition_holds() {
    let h = Harness::new();
    tasks_template(&h);
    h.copy(&["--quiet", "--defaults", "--overwrite", "--trust"])
        .success();
    assert!(h.dest().join("hello").is_dir());
    assert!(exists(&h, "hello/world"));
    assert!(h.dest().join("bye").is_file());
    assert!(h.dest().join("pyfile").is_file());
    assert!(h.dest().join("true").is_file());
    assert!(!exists(&h, "false"));
}

/// copier tests/test_tasks.py::test_task_with_blank_rendered_when_is_skipped
#[test]
fn a_task_whose_condition_renders_blank_is_skipped() {
    let h = Harness::new();
    h.template(&[(
        "copier.yml",
        "_tasks:\n    -   command: touch should-not-exist\n        when: |\n            {% if false %}\n            true\n            {% endif %}\n",
    )]);
    h.copy(&["--quiet", "--defaults", "--overwrite", "--trust"])
        .success();
    assert!(!exists(&h, "should-not-exist"));
}

/// copier tests/test_tasks.py::test_copy_skip_tasks
#[test]
fn skip_tasks_runs_none_of_them() {
    let h = Harness::new();
    tasks_template(&h);
    h.copy(&["--quiet", "--defaults", "--overwrite", "--skip-tasks"])
        .success();
    assert!(!exists(&h, "hello"));
    assert!(!exists(&h, "bye"));
    assert!(!exists(&h, "pyfile"));
}

/// copier tests/test_tasks.py::test_copy_cli_skip_tasks
#[test]
fn a_trusted_task_runs_unless_skipped_at_the_command_line() {
    for skip_tasks in [false, true] {
        let h = Harness::new();
        h.template(&[("copier.yaml", "_tasks:\n- touch task.txt\n")]);
        let mut args = vec!["--trust"];
        if skip_tasks {
            args.push("--skip-tasks");
        }
        h.copy(&args).success();
        assert_eq!(
            exists(&h, "task.txt"),
            !skip_tasks,
            "skip_tasks={skip_tasks}"
        );
    }
}

/// copier tests/test_tasks.py::test_pretend_mode
#[test]
fn pretend_runs_no_task() {
    let h = Harness::new();
    h.template(&[("copier.yml", "\n_tasks:\n    - touch created-by-task.txt\n")]);
    h.copy(&["--pretend", "--trust"]).success();
    assert!(!exists(&h, "created-by-task.txt"));
}

/// copier tests/test_tasks.py::test_os_specific_tasks (on the OS the test runs on)
#[test]
fn tasks_see_the_operating_system() {
    let h = Harness::new();
    h.template(&[(
        "copier.yml",
        "_tasks:\n-   >-\n    {% if _copier_conf.os == 'linux' %}\n    touch linux.txt\n    {% elif _copier_conf.os == 'macos' %}\n    touch macos.txt\n    {% elif _copier_conf.os == 'windows' %}\n    touch windows.txt\n    {% elif _copier_conf.os is none %}\n    touch unsupported.txt\n    {% else %}\n    touch never.txt\n    {% endif %}\n",
    )]);
    h.copy(&["--trust"]).success();
    let expected = match std::env::consts::OS {
        "linux" => "linux.txt",
        "macos" => "macos.txt",
        "windows" => "windows.txt",
        _ => "unsupported.txt",
    };
    assert!(exists(&h, expected), "{expected}");
}

/// copier tests/test_tasks.py::test_copier_phase_variable
#[test]
fn tasks_run_in_the_tasks_phase() {
    let h = Harness::new();
    h.template(&[("copier.yml", "\n_tasks:\n    - touch {{ _copier_phase }}\n")]);
    h.copy(&["--trust"]).success();
    assert!(exists(&h, "tasks"));
}

// ---------------------------------------------------------------------------
// tests/test_copy.py

/// copier tests/test_copy.py::test_copy_without_git
#[test]
fn a_template_folder_that_is_not_a_git_repository_is_rendered() {
    let h = Harness::new();
    h.template(&[
        ("hello/world.txt.jinja", "Hello, {{ name }}!"),
        ("copier.yml", "name: world"),
    ]);
    h.copy(&["--defaults"]).success();
    assert_eq!(h.dest_file("hello/world.txt"), "Hello, world!");
}

/// The template of Copier's `test_copy_with_non_version_tags*`, committed
/// and tagged with a tag that is no version.
fn non_version_tag_template(h: &Harness) {
    h.template(&[
        (
            ".copier-answers.yml.jinja",
            "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml }}\n",
        ),
        ("copier.yaml", "_tasks:\n    - cat v1.txt\n"),
        ("v1.txt", "file only in v1"),
    ]);
    git_save(h, Some("test_tag.post23+deadbeef"));
}

/// copier tests/test_copy.py::test_copy_with_non_version_tags
#[test]
fn a_tag_that_is_no_version_does_not_stop_a_copy_of_head() {
    let h = Harness::new();
    non_version_tag_template(&h);
    h.copy(&["--defaults", "--overwrite", "--trust", "--vcs-ref", "HEAD"])
        .success();
}

/// copier tests/test_copy.py::test_copy_with_non_version_tags_and_vcs_ref
#[test]
fn a_tag_that_is_no_version_can_be_asked_for_by_name() {
    let h = Harness::new();
    non_version_tag_template(&h);
    h.copy(&[
        "--defaults",
        "--overwrite",
        "--trust",
        "--vcs-ref",
        "test_tag.post23+deadbeef",
    ])
    .success();
    assert_eq!(
        h.dest_file(".copier-answers.yml"),
        format!(
            "# Changes here will be overwritten by Copier\n_commit: test_tag.post23+deadbeef\n_src_path: {TEMPLATE}\n\n"
        )
    );
}

/// copier tests/test_copy.py::test_tag_autodetect_v_prefix_optional
#[test]
fn the_latest_version_tag_is_found_with_or_without_a_v_prefix() {
    // (second tag, --prereleases, version rendered)
    let cases = [
        ("1.2.3.post1", true, "2"),
        ("1.2.4.dev1", true, "2"),
        ("1.2.3.post1", false, "2"),
        ("1.2.4.dev1", false, "1"),
    ];
    for prefix in ["", "v"] {
        for (tag2, prereleases, expected) in cases {
            let h = Harness::new();
            h.template(&[
                ("copier.yml", ""),
                ("version.txt", "1"),
                (
                    "{{_copier_conf.answers_file}}.jinja",
                    "{{ _copier_answers|to_nice_yaml -}}",
                ),
            ]);
            let mut repo = GitRepo::init(&h, TEMPLATE);
            repo.release(&format!("{prefix}1.2.3"), &[], &[]);
            repo.release(&format!("{prefix}{tag2}"), &[("version.txt", "2")], &[]);
            repo.commit(&[("version.txt", "3")], &[], "untagged");
            let mut args = vec!["--defaults", "--trust"];
            if prereleases {
                args.push("--prereleases");
            }
            h.copy(&args).success();
            assert_eq!(
                h.dest_file("version.txt"),
                expected,
                "{prefix}{tag2} prereleases={prereleases}"
            );
        }
    }
}

/// copier tests/test_copy.py::test_copy_with_vcs_ref_branch
#[test]
fn a_branch_can_be_asked_for_by_name() {
    let h = Harness::new();
    h.template(&[("copier.yml", "")]);
    let mut repo = GitRepo::init(&h, TEMPLATE);
    repo.commit(&[], &[], "1");
    repo.git(&["checkout", "-q", "-b", "branch"]);
    repo.commit(&[("on-branch.txt", "2")], &[], "2");
    repo.git(&["checkout", "-q", "main"]);
    h.copy(&["--vcs-ref", "branch"]).success();
    assert_eq!(h.dest_file("on-branch.txt"), "2");
}

/// copier tests/test_copy.py::test_empty_dir
#[test]
fn folders_and_files_whose_names_render_empty_are_not_created() {
    for generate in [true, false] {
        let h = Harness::new();
        h.template(&[
            (
                "copier.yaml",
                &format!(
                    "_subdirectory: tpl\n_templates_suffix: .jinja\n_envops: {BRACKET_ENVOPS_JSON}\ndo_it:\n    type: bool\n"
                ),
            ),
            (
                "tpl/[% if do_it %]one_dir[% endif %]/one.txt.jinja",
                "[[ do_it ]]",
            ),
            ("tpl/two.txt", "[[ do_it ]]"),
            ("tpl/[% if do_it %]three.txt[% endif %].jinja", "[[ do_it ]]"),
            ("tpl/five/[% if do_it %]six.txt[% endif %].jinja", "[[ do_it ]]"),
        ]);
        h.symlink(
            &format!("{TEMPLATE}/tpl/[% if do_it %]four.txt[% endif %].jinja"),
            "[% if do_it %]three.txt[% endif %].jinja",
        );
        h.copy(&[
            "-d",
            &format!("do_it={generate}"),
            "--defaults",
            "--overwrite",
        ])
        .success();
        let shown = if generate { "True" } else { "False" };
        assert!(h.dest().join("five").is_dir());
        assert_eq!(h.dest_file("two.txt"), "[[ do_it ]]");
        assert_eq!(h.dest().join("one_dir").is_dir(), generate);
        assert_eq!(exists(&h, "three.txt"), generate);
        assert_eq!(exists(&h, "four.txt"), generate);
        assert_eq!(h.dest().join("one_dir/one.txt").is_file(), generate);
        if generate {
            assert_eq!(h.dest_file("one_dir/one.txt"), shown);
            assert_eq!(h.dest_file("three.txt"), shown);
            assert!(!h.dest().join("four.txt").is_symlink());
            assert_eq!(h.dest_file("four.txt"), shown);
            assert_eq!(h.dest_file("five/six.txt"), shown);
        }
    }
}

/// copier tests/test_copy.py::test_preserved_permissions (the owner's bits:
/// graft keeps the executable bit as git does, not the whole mode)
#[test]
fn the_owners_permissions_of_a_file_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    for permissions in [0o400, 0o700] {
        let h = Harness::new();
        h.template(&[("copier.yml", ""), ("the_file", "content")]);
        std::fs::set_permissions(
            h.path("template/the_file"),
            std::fs::Permissions::from_mode(permissions),
        )
        .unwrap();
        h.copy(&["--defaults", "--overwrite"]).success();
        let mode = std::fs::metadata(h.dest().join("the_file"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & permissions, permissions, "{permissions:o}: {mode:o}");
    }
}

/// copier tests/test_copy.py::test_commit_hash
#[test]
fn the_commit_hash_and_tag_rendered_are_known_to_the_template() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", ""),
        ("commit.jinja", "{{_copier_conf.vcs_ref_hash}}"),
        ("tag.jinja", "{{_copier_answers._commit}}"),
    ]);
    let mut repo = GitRepo::init(&h, TEMPLATE);
    let commit = repo.release("1.0", &[], &[]);
    h.copy(&[]).success();
    assert_eq!(h.dest_file("tag"), "1.0");
    assert_eq!(h.dest_file("commit"), commit);
}

/// copier tests/test_copy.py::test_value_with_forward_slash
#[test]
fn a_file_name_may_render_to_a_path_in_folders() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", ""),
        (
            "{{ filename.replace('.', _copier_conf.sep) }}.txt",
            "This is template.",
        ),
    ]);
    h.copy(&["-d", "filename=a.b.c"]).success();
    assert_eq!(h.dest_file("a/b/c.txt"), "This is template.");
}

/// The template of Copier's `test_validate_init_data`: one question `q`.
fn question_template(h: &Harness, spec: &str) {
    h.template(&[(
        "copier.yml",
        &format!(
            "_envops: {BRACKET_ENVOPS_JSON}\n_templates_suffix: .jinja\nq:\n{}",
            indent(spec, 4)
        ),
    )]);
}

/// `text` with every line indented by `n` spaces.
fn indent(text: &str, n: usize) -> String {
    text.lines()
        .map(|l| format!("{}{l}\n", " ".repeat(n)))
        .collect()
}

/// copier tests/test_copy.py::test_validate_init_data (the cases without a
/// validator or choice validator, which are written with `[% %]`)
#[test]
fn data_is_checked_against_the_question_type_and_choices() {
    // (question, --data q=VALUE, accepted)
    let cases = [
        ("type: int", "no-int", false),
        ("type: int", "0", true),
        ("type: str", "string", true),
        ("type: bool", "true", true),
        ("type: int\nchoices: [1, 2, 3]", "1", true),
        ("type: int\nchoices: [1, 2, 3]", "4", false),
        ("type: int\nchoices: {one: 1, two: 2}", "3", false),
        ("type: int\nchoices: {one: 1, two: {value: 2}, three: 3}", "2", true),
        (
            "type: int\nchoices: {one: 1, two: {value: 2, validator: ''}, three: 3}",
            "2",
            true,
        ),
        (
            "type: int\nchoices: {one: 1, two: {value: 2, validator: disabled}, three: 3}",
            "2",
            false,
        ),
        ("type: str\nchoices: {one: null, two: null, three: null}", "one", true),
        ("type: str\nchoices: {one: null, two: null, three: null}", "four", false),
        (
            "type: str\nchoices:\n  banana: {value: yellow, validator: invalid}\n  tshirt: {value: yellow, validator: ''}",
            "yellow",
            true,
        ),
        ("type: path", "/this/does/not/exist", true),
        (
            "type: path\nchoices: {one: null, two: /etc/hostname, three: /does/not/exist}",
            "/does/not/exist",
            true,
        ),
        (
            "type: path\nchoices: {one: null, two: /etc/hostname, three: /does/not/exist}",
            "/another/path/that/does/not/exist",
            false,
        ),
        ("type: yaml\nchoices: {one: null, two: 2, three: 'null'}", "one", true),
        ("type: yaml\nchoices: {one: null, two: 2, three: 'null'}", "2", true),
        ("type: yaml\nchoices: {one: null, two: 2, three: 'null'}", "null", true),
        ("type: yaml\nchoices: {one: null, two: 2, three: 'null'}", "two", false),
        ("type: yaml\nchoices: {one: null, two: 2, three: 'null'}", "three", false),
        ("type: yaml\nchoices: {array: '[a, b]'}", "[a, b]", true),
        ("type: yaml\nchoices: [{one: 1, two: 2}]", "one: 1\ntwo: 2", true),
        (
            "type: yaml\nchoices: {complex: {value: {key: value}}}",
            "key: value",
            true,
        ),
        (
            "type: yaml\nchoices: {complex: {value: {key: value}, validator: disabled}}",
            "key: value",
            false,
        ),
        (
            "type: yaml\nchoices: [[complex, {value: {key: value}}]]",
            "key: value",
            true,
        ),
        (
            "type: yaml\nchoices: [[complex, {value: {key: value}, validator: disabled}]]",
            "key: value",
            false,
        ),
        ("type: str\nchoices: [one, two]", "three", false),
        (
            "type: str\nchoices: [[one, {value: one, validator: no longer available}]]",
            "one",
            false,
        ),
    ];
    for (spec, value, accepted) in cases {
        let h = Harness::new();
        question_template(&h, spec);
        let run = h.copy(&["-d", &format!("q={value}")]);
        assert_eq!(
            run.code == 0,
            accepted,
            "{spec} with {value:?}:\n{}",
            run.stderr
        );
    }
}

/// copier tests/test_copy.py::test_validate_init_data (the cases with a
/// validator written with `[% %]`)
#[test]
fn data_is_checked_by_the_questions_validator() {
    let cases = [
        (
            "type: int\nvalidator: \"[% if q <= 0 %]must be positive[% endif %]\"",
            "0",
            false,
        ),
        (
            "type: int\nvalidator: \"[% if q <= 0 %]must be positive[% endif %]\"",
            "1",
            true,
        ),
        (
            "type: str\nvalidator: \"[% if q|length < 3 %]too short[% endif %]\"",
            "ab",
            false,
        ),
        (
            "type: str\nvalidator: \"[% if q|length < 3 %]too short[% endif %]\"",
            "abc",
            true,
        ),
        (
            "type: path\nvalidator: \"[% if q | length < 1 or q[0] != '/' %]must be absolute path[% endif %]\"",
            "/this/does/not/exist",
            true,
        ),
        (
            "type: path\nvalidator: \"[% if q | length < 1 or q[0] != '/' %]must be absolute path[% endif %]\"",
            "./local/path",
            false,
        ),
        (
            "type: str\nchoices: [one, two, three]\nmultiselect: true\nvalidator: \"[% if not q %]At least one choice required[% endif %]\"",
            "[]",
            false,
        ),
    ];
    for (spec, value, accepted) in cases {
        let h = Harness::new();
        question_template(&h, spec);
        let run = h.copy(&["-d", &format!("q={value}")]);
        assert_eq!(
            run.code == 0,
            accepted,
            "{spec} with {value:?}:\n{}",
            run.stderr
        );
    }
}

/// copier tests/test_copy.py::test_validate_init_data_with_skipped_question
#[test]
fn a_question_whose_condition_is_false_is_not_answered() {
    for defaults in [false, true] {
        let h = Harness::new();
        h.template(&[
            (
                "copier.yml",
                &format!(
                    r#"_envops: {BRACKET_ENVOPS_JSON}

kind:
    type: str
    help: What kind do you need?
    choices:
        foo: foo
        bar: bar

testbar:
    when: "[[ kind == 'bar' ]]"
    type: str
    help: any string bar?

testfoo:
    when: "[[ kind == 'foo' ]]"
    type: str
    help: any string foo?
"#
                ),
            ),
            ("result.jinja", "[[ kind ]]\n[[ testbar ]]\n[[ testfoo ]]\n"),
        ]);
        let mut args = vec!["-d", "kind=foo", "-d", "testfoo=helloworld"];
        if defaults {
            args.push("--defaults");
        }
        h.copy(&args).success();
        assert_eq!(h.dest_file("result"), "foo\n\nhelloworld\n");
    }
}

/// copier tests/test_copy.py::test_required_question_without_data
#[test]
fn a_question_without_a_default_needs_an_answer() {
    for type_name in ["str", "int", "float", "bool", "json", "yaml"] {
        let h = Harness::new();
        h.template(&[("copier.yml", &format!("question:\n  type: {type_name}\n"))]);
        let run = h.copy(&["--defaults"]);
        assert_ne!(run.code, 0, "{type_name}");
        assert!(
            run.stderr.contains("`question`"),
            "{type_name}: {}",
            run.stderr
        );
        assert!(!exists(&h, ""), "{type_name}");
    }
}

/// copier tests/test_copy.py::test_required_choice_question_without_data
#[test]
fn a_choice_question_without_a_default_needs_an_answer() {
    let cases = [
        ("str", "[one, two, three]"),
        ("int", "[1, 2, 3]"),
        ("float", "[1.0, 2.0, 3.0]"),
        ("json", "['[1]', '[2]', '[3]']"),
        ("yaml", "['- 1', '- 2', '- 3']"),
    ];
    for (type_name, choices) in cases {
        let h = Harness::new();
        h.template(&[(
            "copier.yml",
            &format!("question:\n  type: {type_name}\n  choices: {choices}\n"),
        )]);
        let run = h.copy(&["--defaults"]);
        assert_ne!(run.code, 0, "{type_name}");
        assert!(
            run.stderr.contains("`question`"),
            "{type_name}: {}",
            run.stderr
        );
    }
}

/// copier tests/test_copy.py::test_validate_default_value (the cases
/// without a validator)
#[test]
fn a_default_is_checked_against_the_question_type() {
    // (question, accepted)
    let cases = [
        ("{type: str, default: string}", true),
        ("{type: str, default: 1.0}", true),
        ("{type: str, default: null}", false),
        ("{type: int, default: 1}", true),
        ("{type: int, default: 1.0}", true),
        ("{type: int, default: '1'}", true),
        ("{type: int, default: '1.0'}", false),
        ("{type: int, default: no-int}", false),
        ("{type: int, default: null}", false),
        ("{type: int, default: []}", false),
        ("{type: float, default: 1}", true),
        ("{type: float, default: '1.1'}", true),
        ("{type: float, default: no-float}", false),
        ("{type: bool, default: true}", true),
        ("{type: bool, default: 'y'}", true),
        ("{type: bool, default: null}", false),
        ("{type: json, default: '\"string\"'}", true),
        ("{type: json, default: true}", true),
        ("{type: json, default: {}}", true),
        ("{type: json, default: 'null'}", true),
        ("{type: json, default: null}", true),
        ("{type: path, default: null}", false),
        ("{type: path, default: ''}", true),
        ("{type: path, default: /does/not/exist}", true),
        ("{type: yaml, default: '\"string\"'}", true),
        ("{type: yaml, default: string}", true),
        ("{type: yaml, default: false}", true),
        ("{type: yaml, default: {}}", true),
        ("{type: yaml, default: '[]'}", true),
        ("{type: yaml, default: 'null'}", true),
        ("{type: yaml, default: null}", true),
    ];
    for (spec, accepted) in cases {
        let h = Harness::new();
        h.template(&[("copier.yml", &format!("q: {spec}\n"))]);
        let run = h.copy(&["--defaults"]);
        assert_eq!(run.code == 0, accepted, "{spec}:\n{}", run.stderr);
    }
}

/// copier tests/test_copy.py::test_validate_default_value (the case with a
/// validator)
#[test]
fn a_default_is_checked_by_the_questions_validator() {
    let h = Harness::new();
    h.template(&[(
        "copier.yml",
        &format!(
            "_envops: {BRACKET_ENVOPS_JSON}\nq:\n  type: str\n  default: ''\n  validator: \"[% if q|length < 3 %]too short[% endif %]\"\n"
        ),
    )]);
    assert_ne!(h.copy(&["--defaults"]).code, 0);
}

/// copier tests/test_copy.py::test_multiselect_choices_preserve_order
#[test]
fn multiselect_answers_keep_the_order_of_the_choices() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "q:\n  choices:\n  - one\n  - two\n  - three\n  multiselect: true\n  type: str\n",
        ),
        ("q.yml.jinja", "{{ q | to_nice_yaml }}"),
    ]);
    h.copy(&["-d", "q=[three, one, two]"]).success();
    assert_eq!(h.dest_file("q.yml"), "- one\n- two\n- three\n");
}

/// copier tests/test_copy.py::test_templated_choices
#[test]
fn choices_may_be_rendered_from_text() {
    let specs = [
        "choices: '[\"one\", \"two\", \"three\"]'",
        "choices: '[{% for c in [\"one\", \"two\", \"three\"] %}{{ c }}{% if not loop.last %},{% endif %}{% endfor %}]'",
        "choices: |\n    {%- for c in ['one', 'two', 'three'] %}\n    - {{ c }}\n    {%- endfor %}",
        "choices: |\n    {%- for c in ['one', 'two', 'three'] %}\n    {{ c }}: null\n    {%- endfor %}",
        "choices: |\n    {%- for c in ['one', 'two', 'three'] %}\n    {{ c|upper }}: {{ c }}\n    {%- endfor %}",
        "choices: |\n    {%- for c in ['one', 'two', 'three'] %}\n    - [{{ c|upper }}, {{ c }}]\n    {%- endfor %}",
        "choices: |\n    {%- for c in ['one', 'two', 'three'] %}\n    {{ c|upper }}:\n        value: {{ c }}\n    {%- endfor %}",
        "choices: |\n    {%- for c in ['one', 'two', 'three'] %}\n    {{ c|upper }}:\n        value: {{ c }}\n        validator: \"{% raw %}{% if false %}Validation error{% endif %}{% endraw %}\"\n    {%- endfor %}",
    ];
    for spec in specs {
        let h = Harness::new();
        h.template(&[
            (
                "copier.yml",
                &format!("q:\n    type: str\n{}", indent(spec, 4)),
            ),
            ("q.txt.jinja", "{{ q }}"),
        ]);
        let run = h.copy(&["-d", "q=two"]);
        assert_eq!(run.code, 0, "{spec}:\n{}", run.stderr);
        assert_eq!(h.dest_file("q.txt"), "two", "{spec}");
    }
}

/// copier tests/test_copy.py::test_multiselect_choices_with_templated_default_value
#[test]
fn a_multiselect_default_may_be_rendered_from_text() {
    let cases = [
        (
            "type: str\nchoices: [\"one\", \"two\", \"three\"]\nmultiselect: true\ndefault: \"{{ '[one, three]' }}\"",
            "- one\n- three\n",
        ),
        (
            "type: str\nchoices:\n    one: '[1]'\n    two: '[2]'\n    three: '[3]'\nmultiselect: true\ndefault: \"{{ '[[1], [3]]' }}\"",
            "- '[1]'\n- '[3]'\n",
        ),
        (
            "type: str\nchoices:\n    left: '['\n    right: ']'\nmultiselect: true\ndefault: >\n    {{ '[\"[\", \"]\"]' }}",
            "- '['\n- ']'\n",
        ),
        (
            "type: int\nchoices: [1, 2, 3]\nmultiselect: true\ndefault: \"{{ '[1, 3]' }}\"",
            "- 1\n- 3\n",
        ),
        (
            "type: int\nchoices: ['1', '2', '3']\nmultiselect: true\ndefault: >\n    {{ '[\"1\", \"3\"]' }}",
            "- 1\n- 3\n",
        ),
        (
            "type: float\nchoices: [1.0, 2.0, 3.0]\nmultiselect: true\ndefault: \"{{ '[1.0, 3.0]' }}\"",
            "- 1.0\n- 3.0\n",
        ),
        (
            "type: float\nchoices: ['1.0', '2.0', '3.0']\nmultiselect: true\ndefault: >\n    {{ '[\"1.0\", \"3.0\"]' }}",
            "- 1.0\n- 3.0\n",
        ),
        (
            "type: json\nchoices:\n    one: '{\"value\": 1}'\n    two: '{\"value\": 2}'\n    three: '{\"value\": 3}'\nmultiselect: true\ndefault: |\n    {%- if true %}\n    - '{\"value\": 1}'\n    - '{\"value\": 3}'\n    {%- endif %}",
            "-   value: 1\n-   value: 3\n",
        ),
        (
            "type: yaml\nchoices:\n    one: '{value: [1, null]}'\n    two: '{value: [2, null]}'\n    three: '{value: [3, null]}'\nmultiselect: true\ndefault: |\n    {%- if true %}\n    - {value: [1, null]}\n    - {value: [3, null]}\n    {%- endif %}",
            "-   value:\n    - 1\n    - null\n-   value:\n    - 3\n    - null\n",
        ),
        (
            "type: yaml\nchoices:\n    one: '{value: [1, null]}'\n    two: '{value: [2, null]}'\n    three: '{value: [3, null]}'\nmultiselect: true\ndefault: |\n    {%- if true %}\n    - '{value: [1, null]}'\n    - '{value: [3, null]}'\n    {%- endif %}",
            "-   value:\n    - 1\n    - null\n-   value:\n    - 3\n    - null\n",
        ),
        (
            "type: yaml\nchoices:\n    one: '{value: \"[1]\"}'\n    two: '{value: \"[2]\"}'\n    three: '{value: \"[3]\"}'\nmultiselect: true\ndefault: |\n    {%- if true %}\n    - {value: '[1]'}\n    - {value: '[3]'}\n    {%- endif %}",
            "-   value: '[1]'\n-   value: '[3]'\n",
        ),
    ];
    for (spec, expected) in cases {
        let h = Harness::new();
        h.template(&[
            ("copier.yml", &format!("q:\n{}", indent(spec, 4))),
            ("q.yml.jinja", "{{ q | to_nice_yaml }}"),
        ]);
        let run = h.copy(&["--defaults"]);
        assert_eq!(run.code, 0, "{spec}:\n{}", run.stderr);
        assert_eq!(h.dest_file("q.yml"), expected, "{spec}");
    }
}

/// copier tests/test_copy.py::test_copier_phase_variable
#[test]
fn files_are_rendered_in_the_render_phase() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", ""),
        ("{{ _copier_phase }}.jinja", "{{ _copier_phase }}"),
    ]);
    h.copy(&[]).success();
    assert_eq!(h.dest_file("render"), "render");
}

/// copier tests/test_copy.py::test_invalid_jinja_in_rendered_path_reports_template_path
#[test]
fn bad_syntax_in_a_file_name_names_that_file() {
    let h = Harness::new();
    let broken = "some-{{{{ jinja_error }}}}";
    h.template(&[("copier.yml", ""), (broken, "content")]);
    let run = h.copy(&["--overwrite"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains(broken), "{}", run.stderr);
}

/// copier tests/test_copy.py::test_invalid_jinja_in_nested_rendered_path_reports_failing_path_part
#[test]
fn bad_syntax_in_a_folder_name_names_that_folder() {
    let h = Harness::new();
    let broken = "some-{{{{ jinja_error }}}}";
    h.template(&[
        ("copier.yml", ""),
        (&format!("parent/{broken}/child.txt"), "content"),
    ]);
    let run = h.copy(&["--overwrite"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains(&format!("parent/{broken}")),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains(&format!("parent/{broken}/child.txt")),
        "{}",
        run.stderr
    );
}

/// copier tests/test_copy.py::test_relative_render_path_outside_destination_raises_error
#[test]
fn a_file_name_rendering_outside_the_destination_is_refused() {
    let h = Harness::new();
    h.write("forbidden.txt", "foo");
    h.template(&[
        ("copier.yml", ""),
        ("{{ pathjoin('..', 'forbidden.txt') }}", "bar"),
    ]);
    h.mkdir(DEST);
    let run = h.copy(&["--overwrite"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("../forbidden.txt"), "{}", run.stderr);
    assert!(!exists(&h, "forbidden.txt"));
    assert_eq!(
        std::fs::read_to_string(h.path("forbidden.txt")).unwrap(),
        "foo"
    );
}

/// copier tests/test_copy.py::test_skipped_question_with_unset_default_value
#[test]
fn a_skipped_question_whose_default_is_undefined_is_left_undefined() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "q:\n    type: str\n    default: \"{{ UNSET }}\"\n    when: false\n    validator: \"{% if not q %}Invalid{% endif %}\"\n",
        ),
        ("output.txt.jinja", "{{ question | default('<undefined>') }}"),
    ]);
    h.copy(&["--defaults"]).success();
    assert_eq!(h.dest_file("output.txt"), "<undefined>");
}

/// copier tests/test_copy.py::test_copy_with_relative_path_to_local_git_template_through_multiple_parents
#[test]
fn a_relative_template_path_climbing_several_folders_is_found() {
    for depth in [1, 2, 3] {
        let h = Harness::new();
        h.template(&[("copier.yml", ""), ("test.txt.jinja", "test")]);
        git_save(&h, Some("v1"));
        let dst = vec!["dst"; depth].join("/");
        h.mkdir(&dst);
        let src = format!("{}{TEMPLATE}", "../".repeat(depth));
        let run = crate::harness::Run::of({
            let mut cmd = h.graft(["copy", src.as_str(), "."]);
            cmd.current_dir(h.path(&dst));
            cmd
        });
        assert_eq!(run.code, 0, "depth {depth}:\n{}", run.stderr);
        assert_eq!(
            std::fs::read_to_string(h.path(&format!("{dst}/test.txt"))).unwrap(),
            "test"
        );
    }
}

// ---------------------------------------------------------------------------
// tests/test_answersfile.py

/// Copier's `template_path` fixture of `test_answersfile.py`.
fn rounds_template(h: &Harness) {
    h.template(&[
        (
            "[[ _copier_conf.answers_file ]].tmpl",
            "# Changes here will be overwritten by Copier\n[[ _copier_answers|to_nice_yaml ]]\n",
        ),
        (
            "copier.yml",
            &format!(
                r#"_answers_file: .answers-file-changed-in-template.yml
_templates_suffix: .tmpl
_envops: {BRACKET_ENVOPS_JSON}

round: 1st

# password_1 and password_2 must not appear in answers file
_secret_questions:
    - password_1

password_1: password one
password_2:
    secret: yes
    default: password two
"#
            ),
        ),
        (
            "round.txt.tmpl",
            "It's the [[round]] round.\npassword_1=[[password_1]]\npassword_2=[[password_2]]\n",
        ),
    ]);
}

/// copier tests/test_answersfile.py::test_answersfile
#[test]
fn answers_are_recorded_without_secrets_and_remembered_by_the_next_copy() {
    for answers_file in [None, Some(".changed-by-user.yaml")] {
        let h = Harness::new();
        rounds_template(&h);
        let file = answers_file.unwrap_or(".answers-file-changed-in-template.yml");
        let mut first: Vec<&str> = vec!["--defaults", "--overwrite"];
        if let Some(a) = answers_file {
            first.extend(["-a", a]);
        }
        let round = |n: &str| {
            format!("It's the {n} round.\npassword_1=password one\npassword_2=password two\n")
        };
        let recorded = |n: &str| {
            format!(
                "# Changes here will be overwritten by Copier\n_src_path: {TEMPLATE}\nround: {n}\n\n"
            )
        };
        h.copy(&first).success();
        assert_eq!(h.dest_file("round.txt"), round("1st"));
        assert_eq!(h.dest_file(file), recorded("1st"));

        // As Copier's test does, the next copies name the answers file.
        let args = ["--defaults", "--overwrite", "-a", file];
        h.copy(&[&args[..], &["-d", "round=2nd"]].concat())
            .success();
        assert_eq!(h.dest_file("round.txt"), round("2nd"));
        assert_eq!(h.dest_file(file), recorded("2nd"));

        // The answers of the project are the defaults of a copy over it.
        h.copy(&args).success();
        assert_eq!(h.dest_file("round.txt"), round("2nd"), "{file}");
        assert_eq!(h.dest_file(file), recorded("2nd"));
    }
}

/// copier tests/test_answersfile.py::test_answersfile_with_custom_path (the copy)
#[test]
fn the_answers_file_is_where_the_user_or_the_template_says() {
    let cases = [
        (None, None, ".copier-answers.yml"),
        (
            None,
            Some(".copier-answers.template.yml"),
            ".copier-answers.template.yml",
        ),
        (
            Some(".config/.copier-answers.user.yml"),
            Some(".config/.copier-answers.template.yml"),
            ".config/.copier-answers.user.yml",
        ),
        (
            Some(".copier-answers.user.yml"),
            None,
            ".copier-answers.user.yml",
        ),
    ];
    for (user_file, template_file, answers_file) in cases {
        let h = Harness::new();
        let config = match template_file {
            Some(f) => format!("_answers_file: {f}"),
            None => String::new(),
        };
        h.template(&[
            ("copier.yml", &config),
            ANSWERS_TEMPLATE,
            ("version.txt.jinja", "v1"),
        ]);
        let mut repo = GitRepo::init(&h, TEMPLATE);
        repo.release("v1", &[], &[]);
        repo.release("v2", &[("version.txt.jinja", "v2")], &[]);
        let mut args = vec!["--vcs-ref", "v1", "--overwrite"];
        if let Some(f) = user_file {
            args.extend(["-a", f]);
        }
        h.copy(&args).success();
        assert_eq!(h.dest_file("version.txt"), "v1");
        assert_eq!(
            h.dest_file(answers_file),
            format!(
                "# Changes here will be overwritten by Copier\n_commit: v1\n_src_path: {TEMPLATE}\n\n"
            )
        );
    }
}

/// copier tests/test_answersfile.py::test_external_data
#[test]
fn a_template_reads_the_answers_of_other_templates_of_the_project() {
    let h = Harness::new();
    let answers = (
        "{{ _copier_conf.answers_file }}.jinja",
        "{{ _copier_answers|to_nice_yaml -}}",
    );
    for (name, files) in [
        (
            "parent1",
            vec![
                ("copier.yaml", "{name: P1, child: C1}"),
                ("parent1.txt.jinja", "{{ name }}"),
                answers,
            ],
        ),
        (
            "parent2",
            vec![
                ("copier.yaml", "name: P2"),
                ("parent2.txt.jinja", "{{ name }}"),
                answers,
            ],
        ),
        (
            "child",
            vec![
                (
                    "copier.yml",
                    "_external_data:\n    parent1: .copier-answers.yml\n    parent2: \"{{ parent2_answers }}\"\nparent2_answers: .parent2-answers.yml\nname: \"{{ _external_data.parent2.child | d(_external_data.parent1.child) }}\"\n",
                ),
                (
                    "combined.json.jinja",
                    "{\n    \"parent1\": {{ _external_data.parent1.name | tojson }},\n    \"parent2\": {{ _external_data.parent2.name | tojson }},\n    \"child\": {{ name | tojson }}\n}\n",
                ),
                answers,
            ],
        ),
    ] {
        for (path, text) in files {
            h.write(&format!("{name}/{path}"), text);
        }
        let mut repo = GitRepo::init(&h, name);
        repo.release(&format!("v1.0+{name}"), &[], &[]);
    }
    let copy = |src: &str, extra: &[&str]| {
        h.run(&[&["copy", src, DEST, "--defaults", "--overwrite"], extra].concat())
            .success();
        let mut project = GitRepo::open(&h, DEST);
        project.git(&["init", "-q"]);
        project.commit(&[], &[], "save");
    };
    copy("parent1", &[]);
    assert_eq!(h.dest_file("parent1.txt"), "P1");
    assert_eq!(
        h.dest_file(".copier-answers.yml"),
        "_commit: v1.0+parent1\n_src_path: parent1\nchild: C1\nname: P1\n"
    );
    copy("parent2", &["-a", ".parent2-answers.yml"]);
    assert_eq!(h.dest_file("parent2.txt"), "P2");
    assert_eq!(
        h.dest_file(".parent2-answers.yml"),
        "_commit: v1.0+parent2\n_src_path: parent2\nname: P2\n"
    );
    copy("child", &["-a", ".child-answers.yml"]);
    assert_eq!(
        h.dest_file(".child-answers.yml"),
        "_commit: v1.0+child\n_src_path: child\nname: C1\nparent2_answers: .parent2-answers.yml\n"
    );
    let combined: serde_json::Value =
        serde_json::from_str(&h.dest_file("combined.json")).expect("JSON");
    assert_eq!(
        combined,
        serde_json::json!({"parent1": "P1", "parent2": "P2", "child": "C1"})
    );
}

/// copier tests/test_answersfile.py::test_external_data_with_umlaut
#[test]
fn external_data_is_read_as_utf8() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_external_data:\n    data: data.yml\next_umlaut: \"{{ _external_data.data.umlaut }}\"\n",
        ),
        (
            "{{ _copier_conf.answers_file }}.jinja",
            "{{ _copier_answers|to_nice_yaml }}",
        ),
    ]);
    git_save(&h, Some("v1"));
    h.write(&format!("{DEST}/data.yml"), "umlaut: äöü");
    h.copy(&["--defaults", "--overwrite"]).success();
    assert_eq!(
        h.dest_file(".copier-answers.yml"),
        format!("_commit: v1\n_src_path: {TEMPLATE}\next_umlaut: äöü\n")
    );
}

/// copier tests/test_answersfile.py::test_undefined_phase_in_external_data
#[test]
fn external_data_paths_are_rendered_outside_any_phase() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_external_data:\n    data: '{{ _copier_phase }}.yml'\nkey: \"{{ _external_data.data.key }}\"\n",
        ),
        (
            "{{ _copier_conf.answers_file }}.jinja",
            "{{ _copier_answers|to_nice_yaml }}",
        ),
    ]);
    git_save(&h, Some("v1"));
    h.write(&format!("{DEST}/undefined.yml"), "key: value");
    h.copy(&["--defaults", "--overwrite"]).success();
    assert_eq!(
        h.dest_file(".copier-answers.yml"),
        format!("_commit: v1\n_src_path: {TEMPLATE}\nkey: value\n")
    );
}

/// copier tests/test_answersfile.py::test_external_data_path_outside_destination_root_is_unsafe_on_copy
#[test]
fn external_data_outside_the_destination_needs_trust() {
    for absolute in [false, true] {
        for trusted in [false, true] {
            let h = Harness::new();
            h.mkdir("dst/project");
            let secret = h.write("dst/secret.yml", "secret_key: s3cr3t");
            let path = if absolute {
                secret.display().to_string()
            } else {
                "../secret.yml".to_string()
            };
            h.template(&[
                (
                    "copier.yml",
                    &format!(
                        "_external_data:\n    secret: {path}\n\nsecret: \"{{{{ _external_data.secret.secret_key }}}}\"\n"
                    ),
                ),
                (
                    "{{ _copier_conf.answers_file }}.jinja",
                    "{{ _copier_answers | to_nice_yaml }}",
                ),
            ]);
            git_save(&h, Some("v1"));
            let mut args = vec!["copy", TEMPLATE, "dst/project", "--defaults"];
            if trusted {
                args.push("--trust");
            }
            let run = h.run(&args);
            assert_eq!(
                run.code == 0,
                trusted,
                "absolute={absolute} trusted={trusted}:\n{}",
                run.stderr
            );
        }
    }
}

// ---------------------------------------------------------------------------
// tests/test_answersfile_templating.py

/// Copier's `template_path` fixture of `test_answersfile_templating.py`.
fn module_template(h: &Harness) {
    h.template(&[
        ANSWERS_TEMPLATE,
        (
            "copier.yml",
            "_answers_file: \".copier-answers-{{ module_name }}.yml\"\n\nmodule_name:\n    type: str\n",
        ),
    ]);
}

/// copier tests/test_answersfile_templating.py::test_answersfile_templating
#[test]
fn the_answers_file_name_is_rendered_and_another_copy_leaves_the_first() {
    for answers_file in [None, Some(".changed-by-user.yml")] {
        let h = Harness::new();
        module_template(&h);
        let mut args = vec!["-d", "module_name=mymodule", "--defaults", "--overwrite"];
        if let Some(a) = answers_file {
            args.extend(["-a", a]);
        }
        h.copy(&args).success();
        let first = answers_file.unwrap_or(".copier-answers-mymodule.yml");
        let recorded = |m: &str| {
            format!(
                "# Changes here will be overwritten by Copier\n_src_path: {TEMPLATE}\nmodule_name: {m}\n\n"
            )
        };
        assert_eq!(h.dest_file(first), recorded("mymodule"));

        h.copy(&[
            "-d",
            "module_name=anothermodule",
            "--defaults",
            "--overwrite",
        ])
        .success();
        assert_eq!(
            h.dest_file(".copier-answers-anothermodule.yml"),
            recorded("anothermodule")
        );
        assert_eq!(h.dest_file(first), recorded("mymodule"));
    }
}

/// copier tests/test_answersfile_templating.py::test_answersfile_templating_with_message_before_copy
#[test]
fn a_message_before_copy_does_not_stop_the_answers_file_name_from_rendering() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_answers_file: \".copier-answers-{{ module_name }}.yml\"\n_message_before_copy: \"Hello world\"\n\nmodule_name:\n    type: str\n",
        ),
        ANSWERS_TEMPLATE,
        ("result.txt.jinja", "{{ module_name }}"),
    ]);
    h.copy(&["-d", "module_name=mymodule", "--overwrite"])
        .success();
    assert_eq!(
        h.dest_file(".copier-answers-mymodule.yml"),
        format!(
            "# Changes here will be overwritten by Copier\n_src_path: {TEMPLATE}\nmodule_name: mymodule\n\n"
        )
    );
    assert_eq!(h.dest_file("result.txt"), "mymodule");
}

/// copier tests/test_answersfile_templating.py::test_answersfile_templating_phase
#[test]
fn the_answers_file_name_is_rendered_in_the_render_phase() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_answers_file: \".copier-answers-{{ _copier_phase }}.yml\"\n",
        ),
        ("{{ _copier_conf.answers_file }}.jinja", ""),
    ]);
    h.copy(&["--overwrite"]).success();
    assert!(exists(&h, ".copier-answers-render.yml"));
}

// ---------------------------------------------------------------------------
// tests/test_subdirectory.py

/// Copier's `template_path` fixture of `test_subdirectory.py`.
fn subdirectory_template(h: &Harness) {
    h.template(&[
        ("api_project/api_readme.md", ""),
        (
            "api_project/[[ _copier_conf.answers_file ]].tmpl",
            "[[ _copier_answers|to_nice_yaml ]]",
        ),
        (
            "conf_project/conf_readme.md",
            "# Template subdirectory\n\nThis is the template README.\n",
        ),
        (
            "conf_project/conf_readme.md.tmpl",
            "# Demo subdirectory\n\nGenerated using previous answers `_subdirectory` value.\n",
        ),
        (
            "conf_project/[[ _copier_conf.answers_file ]].tmpl",
            "[[ _copier_answers|to_nice_yaml ]]",
        ),
        (
            "conf_project/[[ filename ]].tmpl",
            "[[ filename ]] contents",
        ),
        (
            "copier.yml",
            &format!(
                r#"_templates_suffix: .tmpl
_envops: {BRACKET_ENVOPS_JSON}
choose_subdir:
    type: str
    default: conf_project
    choices:
        - api_project
        - conf_project
_subdirectory: "[[ choose_subdir ]]"
filename:
    type: str
    default: mock_filename
"#
            ),
        ),
    ]);
    git_save(h, None);
}

/// copier tests/test_subdirectory.py::test_copy_subdirectory_api_option
#[test]
fn the_subdirectory_rendered_is_the_one_the_answers_name() {
    let h = Harness::new();
    subdirectory_template(&h);
    h.copy(&[
        "--defaults",
        "--overwrite",
        "-d",
        "choose_subdir=api_project",
    ])
    .success();
    assert!(exists(&h, "api_readme.md"));
    assert!(!exists(&h, "conf_readme.md"));
}

/// copier tests/test_subdirectory.py::test_copy_subdirectory_config
#[test]
fn the_subdirectory_rendered_by_default_is_the_default_answers() {
    let h = Harness::new();
    subdirectory_template(&h);
    h.copy(&["--defaults", "--overwrite"]).success();
    assert!(exists(&h, "conf_readme.md"));
    assert!(!exists(&h, "api_readme.md"));
}

/// copier tests/test_subdirectory.py::test_copy_subdirectory_config_no_overwrite
#[test]
fn only_the_subdirectory_is_rendered_and_its_templates_win() {
    let h = Harness::new();
    subdirectory_template(&h);
    h.copy(&["--defaults"]).success();
    assert_eq!(h.dest_file("mock_filename"), "mock_filename contents");
    assert_eq!(
        h.dest_file("conf_readme.md"),
        "# Demo subdirectory\n\nGenerated using previous answers `_subdirectory` value.\n"
    );
    assert!(!exists(&h, "api_readme.md"));
}

/// copier tests/test_subdirectory.py::test_subdirectory_path_outside_template_root_on_copy_raises_error
#[test]
fn a_subdirectory_outside_the_template_is_refused() {
    for absolute in [false, true] {
        let h = Harness::new();
        let forbidden = h.write("forbidden/forbidden.txt", "forbidden");
        let subdirectory = if absolute {
            forbidden.parent().unwrap().display().to_string()
        } else {
            "../forbidden".to_string()
        };
        h.template(&[("copier.yml", &format!("_subdirectory: {subdirectory}"))]);
        let run = h.copy(&[]);
        assert_ne!(run.code, 0, "absolute={absolute}");
        assert!(run.stderr.contains("forbidden"), "{}", run.stderr);
        assert!(!exists(&h, "forbidden.txt"));
    }
}

// ---------------------------------------------------------------------------
// tests/test_minimum_version.py

/// copier tests/test_minimum_version.py::test_version_less_than_required
#[test]
fn a_template_needing_a_newer_copier_is_refused() {
    let h = Harness::new();
    h.template(&[
        ("copier.yaml", "_min_copier_version: \"10.5.1\"\n"),
        ("README.md", ""),
    ]);
    let run = h.copy(&[]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("10.5.1"), "{}", run.stderr);
    assert!(!exists(&h, "README.md"));
}

/// copier tests/test_minimum_version.py::test_version_equal_required (and
/// `test_version_greater_than_required`: a version graft matches or passes)
#[test]
fn a_template_needing_the_copier_graft_matches_or_older_is_rendered() {
    for version in [COPIER_VERSION, "9.0.0", "1"] {
        let h = Harness::new();
        h.template(&[
            (
                "copier.yaml",
                &format!("_min_copier_version: \"{version}\"\n"),
            ),
            ("README.md", ""),
        ]);
        h.copy(&[]).success();
        assert!(exists(&h, "README.md"), "{version}");
    }
}

// ---------------------------------------------------------------------------
// tests/test_config.py

/// copier tests/test_config.py::test_config_data_is_loaded_from_file (what
/// the template `demo_data` does when copied)
#[test]
fn excludes_skips_and_tasks_are_read_from_the_configuration() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_exclude:\n  - \"exclude1\"\n  - \"exclude2\"\n\n_skip_if_exists:\n  - \"skip_if_exists1\"\n  - \"skip_if_exists2\"\n\n_tasks:\n  - \"touch 1\"\n  - \"touch 2\"\n",
        ),
        ("exclude1", ""),
        ("exclude2", ""),
        ("skip_if_exists1", "new"),
        ("kept", ""),
    ]);
    h.write(&format!("{DEST}/skip_if_exists1"), "old");
    h.copy(&["--trust", "--overwrite"]).success();
    let mut names: Vec<String> = text_files(&h.dest()).into_keys().collect();
    names.sort();
    // `_exclude` replaces the default excludes, so copier.yml is copied.
    assert_eq!(names, ["1", "2", "copier.yml", "kept", "skip_if_exists1"]);
    assert_eq!(h.dest_file("skip_if_exists1"), "old");
}

/// The template of Copier's `test_read_data`.
fn read_data_template(h: &Harness, config_file: &str, extra: &str) {
    h.template(&[
        (
            config_file,
            &format!(
                "# This is a comment\n_envops: {BRACKET_ENVOPS_JSON}\na_string: lorem ipsum\na_number: 12345\na_boolean: true\na_list:\n    - one\n    - two\n    - three\n{extra}"
            ),
        ),
        (
            "user_data.txt.jinja",
            "A string: [[ a_string ]]\nA number: [[ a_number ]]\nA boolean: [[ a_boolean ]]\nA list: [[ \", \".join(a_list) ]]\n",
        ),
    ]);
}

/// copier tests/test_config.py::test_read_data
#[test]
fn questions_are_read_from_copier_yml_or_copier_yaml() {
    for config_file in ["copier.yaml", "copier.yml"] {
        let h = Harness::new();
        read_data_template(&h, config_file, "");
        h.copy(&["--defaults", "--overwrite"]).success();
        assert_eq!(
            h.dest_file("user_data.txt"),
            "A string: lorem ipsum\nA number: 12345\nA boolean: True\nA list: one, two, three\n"
        );
    }
}

/// copier tests/test_config.py::test_settings_defaults_precedence
#[test]
fn defaults_in_the_copier_settings_file_beat_the_templates() {
    let h = Harness::new();
    read_data_template(
        &h,
        "copier.yml",
        "a_string_without_default:\n    type: str\n",
    );
    h.write(
        "template/user_data.txt.jinja",
        "A string: [[ a_string ]]\nA number: [[ a_number ]]\nA boolean: [[ a_boolean ]]\nA list: [[ \", \".join(a_list) ]]\nA string without default: [[ a_string_without_default ]]\n",
    );
    h.write(
        "home/config/copier/settings.yml",
        "defaults:\n    a_string: whatever\n    a_number: 42\n    a_boolean: false\n    a_list:\n        - one\n        - two\n    a_string_without_default: something\n",
    );
    h.copy(&["--defaults", "--overwrite"]).success();
    assert_eq!(
        h.dest_file("user_data.txt"),
        "A string: whatever\nA number: 42\nA boolean: False\nA list: one, two\nA string without default: something\n"
    );
}

/// copier tests/test_config.py::test_invalid_yaml
#[test]
fn a_configuration_that_is_not_yaml_is_refused_naming_the_file() {
    let h = Harness::new();
    h.template(&[("copier.yml", "%343\n")]);
    let run = h.copy(&[]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("copier.yml"), "{}", run.stderr);
}

/// copier tests/test_config.py::test_config_cannot_construct_python_objects
#[test]
fn python_tags_in_the_configuration_construct_nothing() {
    for tag in [
        "!!python/name:os.system",
        "!!python/object/apply:os.system ['echo pwned']",
        "!!python/object/new:os.system ['echo pwned']",
        "!!python/object:pathlib.PurePosixPath {}",
        "!!python/module:os",
    ] {
        let h = Harness::new();
        h.template(&[(
            "copier.yml",
            &format!("q:\n  type: str\n  default: {tag}\n"),
        )]);
        let run = h.copy(&["--defaults", "--overwrite", "--quiet"]);
        assert_ne!(run.code, 0, "{tag}:\n{}", run.stdout);
        assert!(!exists(&h, ""), "{tag}");
    }
}

/// copier tests/test_config.py::test_authorization_does_not_enable_python_yaml_tags
/// (Copier refuses the file; graft reads the tag as plain data, which
/// `_envops` does not know: either way nothing is constructed)
#[test]
fn trust_does_not_make_python_tags_construct_anything() {
    for trusted in [false, true] {
        let h = Harness::new();
        h.template(&[
            (
                "copier.yml",
                "_envops:\n  finalize: !!python/name:os.mkdir\n",
            ),
            ("f.txt.jinja", "{{ 'created' }}"),
        ]);
        let args: &[&str] = if trusted { &["--trust"] } else { &[] };
        h.copy(args);
        assert!(!h.path("created").exists(), "trusted={trusted}");
    }
}

/// copier tests/test_config.py::test_invalid_config_data (`demo_transclude_invalid`)
#[test]
fn an_include_followed_by_keys_in_one_document_is_refused() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "!include \"includes/include_me.yml\"\n\nkey_one: \"i_am_from_copier.yml\"\n",
        ),
        (
            "includes/include_me.yml",
            "key_one: \"i_am_from_include.yml\"\n",
        ),
    ]);
    assert_ne!(h.copy(&["--defaults"]).code, 0);
}

/// copier tests/test_config.py::test_valid_multi_section
#[test]
fn documents_and_includes_merge_later_ones_winning() {
    let h = Harness::new();
    h.template(&[
        ("exclusions.yml", "_exclude: ['*.yml']"),
        (
            "common_jinja.yml",
            "_templates_suffix: .tmpl\n_envops:\n    block_start_string: \"[%\"\n    block_end_string: \"%]\"\n    comment_start_string: \"[#\"\n    comment_end_string: \"#]\"\n    variable_start_string: \"[[\"\n    variable_end_string: \"]]\"\n    keep_trailing_newline: true\n",
        ),
        (
            "common_questions.yml",
            "your_age:\n    type: int\nyour_name:\n    type: yaml\n    help: your name from common questions\n",
        ),
        (
            "copier.yml",
            "---\n!include 'common_*.yml'\n---\n!include exclusions.yml\n---\nyour_name:\n    type: str\n    help: your name from latest section\n",
        ),
        ("about.txt.tmpl", "[[ your_name ]] is [[ your_age ]]\n"),
    ]);
    h.copy(&["-d", "your_age=3", "-d", "your_name=1"]).success();
    // `your_name` is a `str` question (the later document wins), so `1` stays text.
    assert_eq!(text_files(&h.dest()), files(&[("about.txt", "1 is 3\n")]));
}

/// copier tests/test_config.py::test_empty_section
#[test]
fn empty_documents_are_ignored() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "---\n---\n\n---\nyour_age:\n    type: int\nyour_name:\n    type: str\n---\n",
        ),
        ("about.txt.jinja", "{{ your_name }} is {{ your_age }}"),
    ]);
    h.copy(&["-d", "your_age=3", "-d", "your_name=Ann"])
        .success();
    assert_eq!(h.dest_file("about.txt"), "Ann is 3");
}

/// copier tests/test_config.py::test_include_path_must_be_relative
#[test]
fn an_include_of_an_absolute_path_is_refused() {
    let h = Harness::new();
    h.template(&[("copier.yml", "!include /absolute/path/to/common.yml\n")]);
    assert_ne!(h.copy(&["--defaults"]).code, 0);
}

/// copier tests/test_config.py::test_include_value_must_be_scalar_node
#[test]
fn an_include_of_a_list_or_mapping_is_refused() {
    for value in ["[]", "{}"] {
        let h = Harness::new();
        h.template(&[("copier.yml", &format!("!include {value}\n"))]);
        assert_ne!(h.copy(&["--defaults"]).code, 0, "{value}");
    }
}

/// copier tests/test_config.py::test_include_path_outside_template_root_raises_error
#[test]
fn an_include_outside_the_template_is_refused() {
    let h = Harness::new();
    h.write("outside/include.yml", "foo: bar");
    h.template(&[("copier.yml", "!include ../outside/include.yml\n")]);
    let run = h.copy(&["--defaults"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("outside/include.yml"), "{}", run.stderr);
}

/// copier tests/test_config.py::test_config_data_empty
#[test]
fn an_empty_configuration_is_a_template_without_questions() {
    let h = Harness::new();
    h.template(&[("copier.yml", ""), ("a.txt", "a")]);
    h.copy(&[]).success();
    assert_eq!(text_files(&h.dest()), files(&[("a.txt", "a")]));
}

/// copier tests/test_config.py::test_multiple_config_file_error
#[test]
fn copier_yml_and_copier_yaml_together_are_refused() {
    let h = Harness::new();
    h.template(&[("copier.yml", ""), ("copier.yaml", "")]);
    let run = h.copy(&[]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("copier.yaml"), "{}", run.stderr);
}

/// copier tests/test_config.py::test_config_data_transclusion
#[test]
fn settings_may_come_from_an_included_file() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", "!include includes/include_me.yml\n"),
        (
            "includes/include_me.yml",
            "_exclude:\n  - \"exclude1\"\n  - \"exclude2\"\n",
        ),
        ("exclude1", ""),
        ("exclude2", ""),
        ("kept", ""),
    ]);
    h.copy(&[]).success();
    // `*.yml` is no longer excluded, so the configuration is copied too.
    let mut names: Vec<String> = text_files(&h.dest()).into_keys().collect();
    names.sort();
    assert_eq!(names, ["copier.yml", "includes/include_me.yml", "kept"]);
}

/// copier tests/test_config.py::test_config_data_nested_transclusions
#[test]
fn included_files_may_include_files() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "---\n!include ./include_me.yml\n---\n\nproject_name:\n  type: str\n  help: What is the project name\n",
        ),
        (
            "include_me.yml",
            "---\n!include ./include_me_also.yml\n---\n\nproject_url:\n  type: str\n  help: What is the project URL?\n",
        ),
        (
            "include_me_also.yml",
            "_exclude:\n  - \"exclude1\"\n  - \"exclude2\"\n",
        ),
        ("exclude1", ""),
        ("exclude2", ""),
        ("about.jinja", "{{ project_name }} {{ project_url }}"),
    ]);
    h.copy(&["-d", "project_name=p", "-d", "project_url=u"])
        .success();
    assert!(!exists(&h, "exclude1"));
    assert!(!exists(&h, "exclude2"));
    assert_eq!(h.dest_file("about"), "p u");
}

/// copier tests/test_config.py::test_secret_question_requires_default_value
#[test]
fn a_secret_question_needs_a_default() {
    for config in [
        "question:\n    type: str\n    secret: true\n",
        "question:\n    type: str\n\n_secret_questions:\n    - question\n",
    ] {
        let h = Harness::new();
        h.template(&[("copier.yml", config)]);
        let run = h.copy(&[]);
        assert_ne!(run.code, 0, "{config}");
        assert!(run.stderr.contains("question"), "{}", run.stderr);
    }
}

// ---------------------------------------------------------------------------
// tests/test_complex_questions.py

/// Copier's `template_path` fixture of `test_complex_questions.py`.
fn complex_template(h: &Harness) {
    h.template(&[
        (
            "copier.yml",
            &format!(
                r#"_templates_suffix: .tmpl
_envops: {BRACKET_ENVOPS_JSON}
love_me:
    help: I need to know it. Do you love me?
    type: bool
your_name:
    help: Please tell me your name.
    type: str
your_age:
    help: How old are you?
    type: int
    validator: |-
        [% if your_age <= 0 %]
            Must be +
        [% endif %]
your_height:
    help: What's your height?
    type: float
more_json_info:
    multiline: true
    type: json
anything_else:
    multiline: true
    help: Wanna give me any more info?

# In choices, the user will always write the choice index (1, 2, 3...)
choose_list:
    help: You see the value of the list items
    default: first
    choices:
        - first
        - second
        - third
choose_tuple:
    help: You see the 1st tuple item, but I get the 2nd item as a result
    default: second
    choices:
        - [one, first]
        - [two, second]
        - [three, third]
choose_dict:
    help: You see the dict key, but I get the dict value
    default: third
    choices:
        one: first
        two: second
        three: third
choose_number:
    help: This must be a number
    default: -1.1
    type: float
    choices:
        - -1.1
        - 0
        - 1

# Simplified format is still supported
minutes_under_water: 10
optional_value: null
"#
            ),
        ),
        (
            "results.txt.tmpl",
            "love_me: [[love_me|tojson]]\nyour_name: [[your_name|tojson]]\nyour_age: [[your_age|tojson]]\nyour_height: [[your_height|tojson]]\nmore_json_info: [[more_json_info|tojson]]\nanything_else: [[anything_else|tojson]]\nchoose_list: [[choose_list|tojson]]\nchoose_tuple: [[choose_tuple|tojson]]\nchoose_dict: [[choose_dict|tojson]]\nchoose_number: [[choose_number|tojson]]\nminutes_under_water: [[minutes_under_water|tojson]]\noptional_value: [[optional_value|tojson]]\n",
        ),
    ]);
}

/// copier tests/test_complex_questions.py::test_api
#[test]
fn typed_answers_of_every_kind_are_rendered() {
    let h = Harness::new();
    complex_template(&h);
    h.write(
        "data.yml",
        "love_me: false\nyour_name: LeChuck\nyour_age: 220\nyour_height: 1.9\nmore_json_info: [bad, guy]\nanything_else: {hates: all}\n",
    );
    h.copy(&["--data-file", "data.yml", "--defaults", "--overwrite"])
        .success();
    assert_eq!(
        h.dest_file("results.txt"),
        "love_me: false\nyour_name: \"LeChuck\"\nyour_age: 220\nyour_height: 1.9\nmore_json_info: [\"bad\", \"guy\"]\nanything_else: {\"hates\": \"all\"}\nchoose_list: \"first\"\nchoose_tuple: \"second\"\nchoose_dict: \"third\"\nchoose_number: -1.1\nminutes_under_water: 10\noptional_value: null\n"
    );
}

/// copier tests/test_complex_questions.py::test_api_str_data
#[test]
fn answers_given_as_text_are_parsed_by_question_type() {
    let h = Harness::new();
    complex_template(&h);
    h.copy(&[
        "-d",
        "love_me=false",
        "-d",
        "your_name=LeChuck",
        "-d",
        "your_age=220",
        "-d",
        "your_height=1.9",
        "-d",
        r#"more_json_info=["bad", "guy"]"#,
        "-d",
        "anything_else={'hates': 'all'}",
        "-d",
        "choose_number=0",
        "--defaults",
        "--overwrite",
    ])
    .success();
    assert_eq!(
        h.dest_file("results.txt"),
        "love_me: false\nyour_name: \"LeChuck\"\nyour_age: 220\nyour_height: 1.9\nmore_json_info: [\"bad\", \"guy\"]\nanything_else: {\"hates\": \"all\"}\nchoose_list: \"first\"\nchoose_tuple: \"second\"\nchoose_dict: \"third\"\nchoose_number: 0.0\nminutes_under_water: 10\noptional_value: null\n"
    );
}

/// copier tests/test_complex_questions.py::test_multi_template_answers
#[test]
fn two_templates_keep_their_answers_in_their_own_files() {
    let h = Harness::new();
    let answers = (
        "{{ _copier_conf.answers_file }}.jinja",
        "{{ _copier_answers|to_nice_yaml }}",
    );
    let mut commits = Vec::new();
    for (name, config) in [
        ("tpl1", "q1: a1"),
        ("tpl2", "{_answers_file: two.yml, q2: a2}"),
    ] {
        h.write(&format!("{name}/copier.yml"), config);
        h.write(&format!("{name}/{}", answers.0), answers.1);
        commits.push(git_save_at(&h, name));
    }
    h.mkdir(DEST);
    for name in ["tpl1", "tpl2"] {
        let src = h.path(name).display().to_string();
        let run = crate::harness::Run::of({
            let mut cmd = h.graft(["copy", src.as_str(), ".", "--overwrite", "--defaults"]);
            cmd.current_dir(h.path(DEST));
            cmd
        });
        assert_eq!(run.code, 0, "{name}:\n{}", run.stderr);
    }
    assert_eq!(
        h.dest_file(".copier-answers.yml"),
        format!(
            "_commit: {}\n_src_path: {}\nq1: a1\n",
            commits[0],
            h.path("tpl1").display()
        )
    );
    assert_eq!(
        h.dest_file("two.yml"),
        format!(
            "_commit: {}\n_src_path: {}\nq2: a2\n",
            commits[1],
            h.path("tpl2").display()
        )
    );
}

/// Commits the folder `rel` as a git repository without a tag; returns
/// the commit as `git describe` names it.
fn git_save_at(h: &Harness, rel: &str) -> String {
    let mut repo = GitRepo::init(h, rel);
    repo.commit(&[], &[], "1");
    repo.describe("HEAD")
}

/// copier tests/test_complex_questions.py::test_omit_answer_for_skipped_question
#[test]
fn a_skipped_question_is_not_recorded_but_its_value_is_rendered() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "disabled:\n    type: str\n    when: false\n\ndisabled_with_default:\n    type: str\n    default: hello\n    when: false\n",
        ),
        (
            "{{ _copier_conf.answers_file }}.jinja",
            "{{ _copier_answers|to_nice_yaml }}",
        ),
        (
            "context.yml.jinja",
            "disabled: '{{ disabled }}'\ndisabled_with_default: '{{ disabled_with_default }}'\n",
        ),
    ]);
    h.copy(&["--defaults", "-d", "disabled=hello"]).success();
    assert_eq!(
        h.dest_file(".copier-answers.yml"),
        format!("_src_path: {TEMPLATE}\n")
    );
    assert_eq!(
        h.dest_file("context.yml"),
        "disabled: 'hello'\ndisabled_with_default: 'hello'\n"
    );
}

// ---------------------------------------------------------------------------
// tests/test_cli.py

/// copier tests/test_cli.py::test_good_cli_run
#[test]
fn answers_go_to_the_answers_file_named_on_the_command_line() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", ""),
        ANSWERS_TEMPLATE,
        ("a.txt", "EXAMPLE_CONTENT"),
    ]);
    h.copy(&["--quiet", "-a", "altered-answers.yml"]).success();
    assert_eq!(h.dest_file("a.txt"), "EXAMPLE_CONTENT");
    assert_eq!(
        h.dest_file("altered-answers.yml"),
        format!("# Changes here will be overwritten by Copier\n_src_path: {TEMPLATE}\n\n")
    );
}

/// copier tests/test_cli.py::test_cli_data_parsed_by_question_type
#[test]
fn command_line_data_is_parsed_by_question_type() {
    // (type, --data value, recorded YAML)
    let cases = [
        ("str", "string", "string"),
        ("str", "1", "'1'"),
        ("str", "1.2", "'1.2'"),
        ("str", "true", "'true'"),
        ("str", "null", "'null'"),
        (
            "str",
            r#"["string", 1, 1.2, true, null]"#,
            r#"'["string", 1, 1.2, true, null]'"#,
        ),
        ("int", "1", "1"),
        ("float", "1.2", "1.2"),
        ("bool", "true", "true"),
        ("bool", "false", "false"),
        ("yaml", r#""string""#, "string"),
        ("yaml", "1", "1"),
        ("yaml", "1.2", "1.2"),
        ("yaml", "true", "true"),
        ("yaml", "null", "null"),
        (
            "yaml",
            r#"["string", 1, 1.2, true, null]"#,
            "\n- string\n- 1\n- 1.2\n- true\n- null",
        ),
        ("json", r#""string""#, "string"),
        ("json", "1", "1"),
        ("json", "1.2", "1.2"),
        ("json", "true", "true"),
        ("json", "null", "null"),
        (
            "json",
            r#"["string", 1, 1.2, true, null]"#,
            "\n- string\n- 1\n- 1.2\n- true\n- null",
        ),
    ];
    for (type_name, answer, recorded) in cases {
        let h = Harness::new();
        h.template(&[
            ("copier.yml", &format!("question:\n    type: {type_name}\n")),
            ANSWERS_TEMPLATE,
        ]);
        h.copy(&[&format!("--data=question={answer}"), "--quiet"])
            .success();
        // A list starts on the next line, with no space after the key.
        let sep = if recorded.starts_with('\n') { "" } else { " " };
        assert_eq!(
            h.dest_file(".copier-answers.yml"),
            format!(
                "# Changes here will be overwritten by Copier\n_src_path: {TEMPLATE}\nquestion:{sep}{recorded}\n\n"
            ),
            "{type_name} {answer}"
        );
    }
}

/// copier tests/test_cli.py::test_data_file_parsed_by_question_type
#[test]
fn answers_are_read_from_a_data_file() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", "question:\n    type: str\n"),
        ANSWERS_TEMPLATE,
    ]);
    h.write("local/data.yml", "question: answer\n");
    h.copy(&["--data-file", "local/data.yml", "--quiet"])
        .success();
    assert_eq!(
        h.dest_file(".copier-answers.yml"),
        format!("# Changes here will be overwritten by Copier\n_src_path: {TEMPLATE}\nquestion: answer\n\n")
    );
}

/// copier tests/test_cli.py::test_data_cli_takes_precedence_over_data_file
#[test]
fn command_line_data_beats_the_data_file() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "question:\n    type: str\nanother_question:\n    type: str\nyet_another_question:\n    type: str\n",
        ),
        ANSWERS_TEMPLATE,
    ]);
    h.write(
        "local/data.yml",
        "another_question: another answer!\nquestion: does not matter\nyet_another_question: sure, one more for you!\n",
    );
    h.copy(&[
        "--data-file",
        "local/data.yml",
        "--data=question=fourscore and seven years ago",
        "--quiet",
    ])
    .success();
    assert_eq!(
        h.dest_file(".copier-answers.yml"),
        format!(
            "# Changes here will be overwritten by Copier\n_src_path: {TEMPLATE}\nanother_question: another answer!\nquestion: fourscore and seven years ago\nyet_another_question: sure, one more for you!\n\n"
        )
    );
}

/// copier tests/test_cli.py::test_skip_filenotexists
#[test]
fn a_skip_pattern_does_not_stop_a_new_file() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", ""),
        ANSWERS_TEMPLATE,
        ("a.txt", "EXAMPLE_CONTENT"),
    ]);
    h.copy(&[
        "--quiet",
        "-a",
        "altered-answers.yml",
        "--overwrite",
        "--skip=a.txt",
    ])
    .success();
    assert_eq!(h.dest_file("a.txt"), "EXAMPLE_CONTENT");
    assert_eq!(
        h.dest_file("altered-answers.yml"),
        format!("# Changes here will be overwritten by Copier\n_src_path: {TEMPLATE}\n\n")
    );
}

/// copier tests/test_cli.py::test_skip_fileexists
#[test]
fn a_skip_pattern_keeps_an_existing_file() {
    let h = Harness::new();
    h.template(&[("copier.yml", ""), ("a.txt", "EXAMPLE_CONTENT")]);
    h.write(&format!("{DEST}/a.txt"), "PREVIOUS_CONTENT");
    h.copy(&[
        "--quiet",
        "-a",
        "altered-answers.yml",
        "--overwrite",
        "--skip=a.txt",
    ])
    .success();
    assert_eq!(h.dest_file("a.txt"), "PREVIOUS_CONTENT");
}

/// copier tests/test_cli.py::test_data_with_multiselect_choice_question
#[test]
fn a_multiselect_answer_is_given_as_a_yaml_list() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "q:\n    type: int\n    choices: [1, 2, 3]\n    multiselect: true\n",
        ),
        ANSWERS_TEMPLATE,
    ]);
    h.copy(&["--data=q=[1, 3]"]).success();
    assert_eq!(
        h.dest_file(".copier-answers.yml"),
        format!(
            "# Changes here will be overwritten by Copier\n_src_path: {TEMPLATE}\nq:\n- 1\n- 3\n\n"
        )
    );
}

// ---------------------------------------------------------------------------
// tests/test_templated_prompt.py

/// copier tests/test_templated_prompt.py::test_templated_prompt_custom_envops
#[test]
fn a_default_is_rendered_with_the_templates_delimiters() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_envops:\n    block_start_string: \"<%\"\n    block_end_string: \"%>\"\n    comment_start_string: \"<#\"\n    comment_end_string: \"#>\"\n    variable_start_string: \"<<\"\n    variable_end_string: \">>\"\n\npowerlevel:\n    type: int\n    default: 9000\n\nsentence:\n    type: str\n    default: \"<% if powerlevel >= 9000 %>It's over 9000!<% else %>It's only << powerlevel >>...<% endif %>\"\n",
        ),
        ("result.jinja", "<<sentence>>"),
    ]);
    h.copy(&["--defaults", "--overwrite"]).success();
    assert_eq!(h.dest_file("result"), "It's over 9000!");
    h.copy(&["-d", "powerlevel=1", "--defaults", "--overwrite"])
        .success();
    assert_eq!(h.dest_file("result"), "It's only 1...");
}

/// copier tests/test_templated_prompt.py::test_templated_prompt_builtins
#[test]
fn defaults_may_call_now_and_make_secret() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yaml",
            &format!(
                "_templates_suffix: .tmpl\n_envops: {BRACKET_ENVOPS_JSON}\nquestion1:\n    default: \"[[ now() ]]\"\nquestion2:\n    default: \"[[ make_secret() ]]\"\n"
            ),
        ),
        ("now.tmpl", "[[ question1 ]]"),
        ("make_secret.tmpl", "[[ question2 ]]"),
    ]);
    h.copy(&["--defaults", "--overwrite"]).success();
    assert!(!h.dest_file("now").is_empty());
    assert_eq!(h.dest_file("make_secret").len(), 128);
}

/// copier tests/test_templated_prompt.py::test_templated_prompt_invalid
#[test]
fn an_undefined_variable_in_a_question_renders_empty() {
    // (question, what `{{question}}` renders to with `--data question=`)
    let cases = [
        ("question:\n  default: '{{ not_valid }}'\n", ""),
        ("question:\n  help: '{{ not_valid }}'\n", "None"),
        ("question:\n  choices: ['{{ not_valid }}']\n", "None"),
    ];
    for (config, rendered) in cases {
        let h = Harness::new();
        h.template(&[("copier.yml", config), ("result.jinja", "{{question}}")]);
        let run = h.copy(&["-d", "question=", "--overwrite"]);
        assert_eq!(run.code, 0, "{config}:\n{}", run.stderr);
        assert_eq!(h.dest_file("result"), rendered, "{config}");
    }
    let h = Harness::new();
    h.template(&[
        ("copier.yml", "question:\n  type: '{{ not_valid }}'\n"),
        ("result.jinja", "{{question}}"),
    ]);
    assert_ne!(h.copy(&["-d", "question=", "--overwrite"]).code, 0);
}

// ---------------------------------------------------------------------------
// tests/test_settings.py and tests/test_unsafe.py

/// copier tests/test_settings.py::test_copy_with_defaults
#[test]
fn defaults_of_the_copier_settings_file_are_taken() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", "project_name: foo"),
        ("result.txt.jinja", "{{ project_name }}"),
    ]);
    h.write(
        "home/config/copier/settings.yml",
        "defaults:\n  project_name: bar\n",
    );
    h.copy(&["--defaults"]).success();
    assert_eq!(h.dest_file("result.txt"), "bar");
}

/// copier tests/test_unsafe.py::test_copy (tasks; Jinja extensions are
/// Python code graft does not run)
#[test]
fn a_template_with_tasks_needs_trust_and_one_without_does_not() {
    for (config, needs_trust) in [
        ("{}", false),
        ("_tasks: []", false),
        ("_tasks: [touch task.txt]", true),
        ("_migrations: []", false),
        (
            "_migrations:\n- {version: v1, when: \"{{ _stage == 'before' }}\", command: touch v1-before.txt}\n- {version: v1, when: \"{{ _stage == 'after' }}\", command: touch v1-after.txt}\n",
            false,
        ),
    ] {
        for trusted in [false, true] {
            let h = Harness::new();
            h.template(&[("copier.yaml", config)]);
            let args: &[&str] = if trusted { &["--trust"] } else { &[] };
            let run = h.copy(args);
            assert_eq!(
                run.code == 0,
                trusted || !needs_trust,
                "{config} trusted={trusted}:\n{}",
                run.stderr
            );
        }
    }
}

/// copier tests/test_unsafe.py::test_copy_cli
#[test]
fn tasks_run_when_trusted_on_the_command_line_or_in_copier_settings() {
    for unsafe_flag in [false, true] {
        for trusted_from_settings in [false, true] {
            let h = Harness::new();
            h.template(&[("copier.yaml", "_tasks:\n- touch task.txt\n")]);
            if trusted_from_settings {
                h.write(
                    "home/config/copier/settings.yml",
                    format!("trust: ['{}']", h.template_src()),
                );
            }
            let args: &[&str] = if unsafe_flag { &["--trust"] } else { &[] };
            let run = h.copy(args);
            if unsafe_flag || trusted_from_settings {
                assert_eq!(run.code, 0, "{}", run.stderr);
                assert!(exists(&h, "task.txt"));
            } else {
                assert_ne!(run.code, 0);
                assert!(run.stderr.contains("touch task.txt"), "{}", run.stderr);
                assert!(!exists(&h, "task.txt"));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// tests/test_symlinks.py

/// A template at `template/` that is a git repository with `files` and
/// symlinks `links` (path, target) committed.
fn symlink_template(h: &Harness, files: &[(&str, &str)], links: &[(&str, &str)]) {
    h.template(files);
    for (path, target) in links {
        h.symlink(&format!("{TEMPLATE}/{path}"), target);
    }
    git_save(h, None);
}

/// copier tests/test_symlinks.py::test_copy_symlink
#[test]
fn a_symlink_is_copied_as_a_symlink_when_preserved() {
    let h = Harness::new();
    symlink_template(
        &h,
        &[
            ("copier.yaml", "_preserve_symlinks: true\n"),
            ("target.txt", "Symlink target"),
        ],
        &[("symlink.txt", "target.txt")],
    );
    h.copy(&["--defaults", "--overwrite", "--vcs-ref", "HEAD"])
        .success();
    let tree = read_tree(&h.dest());
    assert!(h.dest().join("target.txt").exists());
    assert_eq!(
        tree.get("symlink.txt"),
        Some(&Snap::Link("target.txt".to_string()))
    );
}

/// copier tests/test_symlinks.py::test_copy_symlink_templated_name
#[test]
fn a_symlinks_name_is_rendered() {
    let h = Harness::new();
    symlink_template(
        &h,
        &[
            (
                "copier.yaml",
                "_preserve_symlinks: true\nsymlink_name: symlink\n",
            ),
            ("target.txt", "Symlink target"),
        ],
        &[("{{ symlink_name }}.txt", "target.txt")],
    );
    h.copy(&["--defaults", "--overwrite", "--vcs-ref", "HEAD"])
        .success();
    assert_eq!(
        read_tree(&h.dest()).get("symlink.txt"),
        Some(&Snap::Link("target.txt".to_string()))
    );
}

/// copier tests/test_symlinks.py::test_copy_symlink_templated_target
#[test]
fn a_symlinks_target_is_rendered_when_its_name_has_the_suffix() {
    let h = Harness::new();
    symlink_template(
        &h,
        &[
            (
                "copier.yaml",
                "_preserve_symlinks: true\ntarget_name: target\n",
            ),
            ("{{ target_name }}.txt", "Symlink target"),
        ],
        &[
            ("symlink1.txt.jinja", "{{ target_name }}.txt"),
            ("symlink2.txt", "{{ target_name }}.txt"),
        ],
    );
    h.copy(&["--defaults", "--overwrite", "--vcs-ref", "HEAD"])
        .success();
    let tree = read_tree(&h.dest());
    assert!(h.dest().join("target.txt").exists());
    assert_eq!(
        tree.get("symlink1.txt"),
        Some(&Snap::Link("target.txt".to_string()))
    );
    assert_eq!(
        tree.get("symlink2.txt"),
        Some(&Snap::Link("{{ target_name }}.txt".to_string()))
    );
}

/// copier tests/test_symlinks.py::test_copy_symlink_missing_target
#[test]
fn a_preserved_symlink_may_dangle() {
    let h = Harness::new();
    symlink_template(
        &h,
        &[("copier.yaml", "_preserve_symlinks: true\n")],
        &[("symlink.txt", "target.txt")],
    );
    h.copy(&["--defaults", "--overwrite", "--vcs-ref", "HEAD"])
        .success();
    assert_eq!(
        read_tree(&h.dest()).get("symlink.txt"),
        Some(&Snap::Link("target.txt".to_string()))
    );
    assert!(!h.dest().join("symlink.txt").exists());
}

/// copier tests/test_symlinks.py::test_option_preserve_symlinks_false and
/// test_option_preserve_symlinks_default
#[test]
fn a_symlink_is_copied_as_its_target_unless_preserved() {
    for config in ["_preserve_symlinks: false\n", ""] {
        let h = Harness::new();
        symlink_template(
            &h,
            &[("copier.yaml", config), ("target.txt", "Symlink target")],
            &[("symlink.txt", "target.txt")],
        );
        h.copy(&["--defaults", "--overwrite", "--vcs-ref", "HEAD"])
            .success();
        assert_eq!(
            read_tree(&h.dest()).get("symlink.txt"),
            Some(&Snap::Text {
                text: "Symlink target".to_string(),
                executable: false
            }),
            "{config:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// tests/test_prompt.py (without a terminal: `--defaults` answers a question
// that is asked, so the answers file shows which were)

/// copier tests/test_prompt.py::test_when
#[test]
fn a_question_is_asked_when_its_condition_reads_true() {
    let whens = [
        ("true", true),
        ("false", false),
        ("trUe", true),
        ("faLse", false),
        ("Yes", true),
        ("nO", false),
        ("Y", true),
        ("N", false),
        ("'on'", true),
        ("'off'", false),
        ("'~'", false),
        ("NonE", false),
        ("nulL", false),
        ("'[[ question_1 ]]'", true),
        ("'[[ not question_1 ]]'", false),
        ("'[% if question_1 %]YES[% endif %]'", true),
        ("'[% if question_1 %]FALSE[% endif %]'", false),
    ];
    // A value of `question_1` that reads as true (Copier tries many).
    for question_1 in ["'hello! 🤗'"] {
        for (when, asks) in whens {
            let h = Harness::new();
            h.template(&[
                (
                    "copier.yml",
                    &format!(
                        "_envops: {BRACKET_ENVOPS_JSON}\n_templates_suffix: .tmpl\nquestion_1: {question_1}\nquestion_2:\n  default: something\n  type: yaml\n  when: {when}\n"
                    ),
                ),
                (
                    "[[ _copier_conf.answers_file ]].tmpl",
                    "[[ _copier_answers|to_nice_yaml ]]",
                ),
                ("context.yml.tmpl", "question_2: [[ question_2 ]]\n"),
            ]);
            h.copy(&["--defaults"]).success();
            let answers = h.dest_file(".copier-answers.yml");
            assert_eq!(
                answers.contains("question_2: something"),
                asks,
                "question_1: {question_1}, when: {when}:\n{answers}"
            );
            assert_eq!(h.dest_file("context.yml"), "question_2: something\n");
        }
    }
}

// ---------------------------------------------------------------------------
// Prompts on a pseudo-terminal (tests/test_templated_prompt.py)

/// Runs `graft copy template dest ARGS` on a pseudo-terminal.
fn spawn_copy(h: &Harness, args: &[&str]) -> rexpect::session::PtySession {
    let mut cmd = h.std_command([&["copy", TEMPLATE, DEST], args].concat());
    cmd.env("TERM", "xterm");
    // Generous: only a hang waits this long.
    rexpect::session::spawn_command(cmd, Some(20_000)).expect("spawn graft on a pty")
}

/// Waits for `text` on the terminal.
fn expect(session: &mut rexpect::session::PtySession, text: &str) {
    session
        .exp_string(text)
        .unwrap_or_else(|e| panic!("waiting for {text:?}: {e}"));
}

/// Types `keys`, then reads to the end and returns the exit code.
fn type_and_finish(mut session: rexpect::session::PtySession, keys: &str) -> i32 {
    session.send(keys).expect("type on the pty");
    session.flush().expect("flush the pty");
    let rest = session.exp_eof().expect("graft to finish");
    match session.process().wait().expect("wait for graft") {
        nix::sys::wait::WaitStatus::Exited(_, code) => code,
        other => panic!("graft ended with {other:?}:\n{rest}"),
    }
}

/// copier tests/test_templated_prompt.py::test_copier_phase_variable
#[test]
fn a_default_shown_at_the_prompt_is_rendered_in_the_prompt_phase() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "phase:\n    type: str\n    default: \"{{ _copier_phase }}\"\n",
        ),
        ("phase.txt.jinja", "{{ phase }}"),
    ]);
    let mut s = spawn_copy(&h, &[]);
    expect(&mut s, "phase");
    expect(&mut s, "prompt");
    assert_eq!(type_and_finish(s, "\r"), 0);
    assert_eq!(h.dest_file("phase.txt"), "prompt");
}

/// copier tests/test_templated_prompt.py::test_templated_prompt_with_templated_choices
#[test]
fn choices_rendered_from_the_answers_so_far_are_offered() {
    let cases = [
        ("Any", &["Terraform"][..], "tf"),
        ("AWS", &["Terraform", "Cloud Formation"][..], "tf"),
        ("GCP", &["Terraform", "Deployment Manager"][..], "tf"),
    ];
    for (cloud, iac_choices, picked) in cases {
        let h = Harness::new();
        h.template(&[
            (
                "copier.yml",
                "cloud:\n    type: str\n    help: Which cloud provider do you use?\n    choices:\n        - Any\n        - AWS\n        - Azure\n        - GCP\n\niac:\n    type: str\n    help: Which IaC tool do you use?\n    choices: |\n        Terraform: tf\n        {%- if cloud == 'AWS' %}\n        Cloud Formation: cf\n        {%- endif %}\n        {%- if cloud == 'Azure' %}\n        Azure Resource Manager: arm\n        {%- endif %}\n        {%- if cloud == 'GCP' %}\n        Deployment Manager: dm\n        {%- endif %}\n",
            ),
            ("iac.txt.jinja", "{{ iac }}"),
        ]);
        let data = format!("--data=cloud={cloud}");
        let mut s = spawn_copy(&h, &[data.as_str()]);
        expect(&mut s, "Which IaC tool do you use?");
        for iac in iac_choices {
            expect(&mut s, iac);
        }
        assert_eq!(type_and_finish(s, "\r"), 0, "{cloud}");
        assert_eq!(h.dest_file("iac.txt"), picked, "{cloud}");
    }
}

// ---------------------------------------------------------------------------
// tests/test_copy.py on Copier's `demo` template

/// Copier's `tests/demo` template (its GIF replaced by other binary bytes).
fn demo_template(h: &Harness) {
    h.template(&[
        (
            "copier.yaml",
            "_templates_suffix: .tmpl\n_envops:\n  autoescape: false\n  block_end_string: \"%]\"\n  block_start_string: \"[%\"\n  comment_end_string: \"#]\"\n  comment_start_string: \"[#\"\n  keep_trailing_newline: true\n  variable_end_string: \"]]\"\n  variable_start_string: \"[[\"\n",
        ),
        (".svn", "This file should be normally ignored\n"),
        ("[% if not py3 %]py2_only.py[% endif %]", ""),
        ("[% if py3 %]py3_only.py[% endif %]", ""),
        ("doc/man\u{303}ana.txt", "decomposed\n"),
        ("doc/ma\u{f1}ana.txt", "composed\n"),
        ("doc/manana.txt", "plain\n"),
        (
            "config.py.tmpl",
            "# -*- coding: utf-8 -*-\n\n\nDEBUG = True\nRELOAD = True\n\nSECRET_KEY = os.getenv('SECRET_KEY', '[[ make_secret() ]]')\n",
        ),
        ("aaaa.txt", "lorem ipsum\n"),
        (
            "[% if not py3 %]py2_folder[% endif %]/thing.py.tmpl",
            "py3_enabled = [[ py3 ]]\n",
        ),
        (
            "[% if py3 %]py3_folder[% endif %]/thing.py.tmpl",
            "py3_enabled = [[ py3 ]]\n",
        ),
        (".gitignore", "~*\n.DS_Store\n*.pyc\nbuild\ndist\n*.egg*\n.coverage\n.tox\n"),
        ("README.txt", "This is the template README.\n"),
        ("README.txt.tmpl", "This is the README for [[project_name]].\n"),
        (
            "pyproject.toml.tmpl",
            "[build-system]\nrequires = [\"poetry>=0.12\"]\nbuild-backend = \"poetry.masonry.api\"\n\n[tool.poetry]\nname = \"[[ project_name ]]\"\nversion = \"[[ version ]]\"\ndescription = \"[[ description ]]\"\nlicense = \"MIT\"\n\nreadme = \"README.md\"\nhomepage = \"https://github.com/jpscaletti/copier\"\n\n# Requirements\n[tool.poetry.dependencies]\npython = \"^3.6\"\n",
        ),
        ("[[ myvar ]]/hello.txt", "world\n"),
        ("[[ myvar ]].txt", "This is a triumph\n"),
    ]);
    h.write(
        &format!("{TEMPLATE}/doc/images/nslogo.gif"),
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00",
    );
    // Copier's tests pass this `DATA` (but for its `make_secret`).
    h.write(
        "data.yml",
        "py3: true\nmyvar: awesome\nwhat: world\nproject_name: Copier\nversion: 2.0.0\ndescription: A library for rendering projects templates\n",
    );
}

/// Copier's `render(tmp_path, **kwargs)`: the demo template with its data.
fn render_demo(h: &Harness, args: &[&str]) -> crate::harness::Run {
    h.copy(&[&["--quiet", "--data-file", "data.yml"], args].concat())
}

/// The bytes of `template/rel`.
fn template_file(h: &Harness, rel: &str) -> Vec<u8> {
    std::fs::read(h.path(&format!("{TEMPLATE}/{rel}"))).expect("read template file")
}

/// copier tests/test_copy.py::test_copy
#[test]
fn the_demo_template_renders_names_contents_and_conditional_paths() {
    let h = Harness::new();
    demo_template(&h);
    render_demo(&h, &[]).success();
    assert_eq!(
        h.dest_file("pyproject.toml"),
        "[build-system]\nrequires = [\"poetry>=0.12\"]\nbuild-backend = \"poetry.masonry.api\"\n\n[tool.poetry]\nname = \"Copier\"\nversion = \"2.0.0\"\ndescription = \"A library for rendering projects templates\"\nlicense = \"MIT\"\n\nreadme = \"README.md\"\nhomepage = \"https://github.com/jpscaletti/copier\"\n\n# Requirements\n[tool.poetry.dependencies]\npython = \"^3.6\"\n"
    );
    for same in ["doc/ma\u{f1}ana.txt", "doc/images/nslogo.gif"] {
        assert_eq!(
            std::fs::read(h.dest().join(same)).unwrap(),
            template_file(&h, same)
        );
    }
    assert_eq!(h.dest_file("awesome/hello.txt"), "world\n");
    assert_eq!(
        h.dest_file("README.txt"),
        "This is the README for Copier.\n"
    );
    assert_eq!(h.dest_file("awesome.txt"), "This is a triumph\n");
    assert!(!exists(&h, "[% if not py3 %]py2_only.py[% endif %]"));
    assert!(!exists(&h, "[% if py3 %]py3_only.py[% endif %]"));
    assert!(!exists(&h, "py2_only.py"));
    assert!(exists(&h, "py3_only.py"));
    assert!(!exists(&h, "py2_folder/thing.py"));
    assert_eq!(h.dest_file("py3_folder/thing.py"), "py3_enabled = True\n");
    assert!(exists(&h, "aaaa.txt"));
}

/// copier tests/test_copy.py::test_default_exclude
#[test]
fn svn_is_excluded_by_default() {
    let h = Harness::new();
    demo_template(&h);
    render_demo(&h, &[]).success();
    assert!(!exists(&h, ".svn"));
}

/// copier tests/test_copy.py::test_include_file
#[test]
fn a_negated_command_line_exclude_includes_a_default_exclude() {
    let h = Harness::new();
    demo_template(&h);
    render_demo(&h, &["-x", "!.svn"]).success();
    assert_eq!(
        std::fs::read(h.dest().join(".svn")).unwrap(),
        template_file(&h, ".svn")
    );
}

/// copier tests/test_copy.py::test_include_pattern
#[test]
fn a_negated_command_line_pattern_includes_default_excludes() {
    let h = Harness::new();
    demo_template(&h);
    render_demo(&h, &["-x", "!.*"]).success();
    assert!(exists(&h, ".svn"));
}

/// copier tests/test_copy.py::test_exclude_file
#[test]
fn a_command_line_exclude_matches_the_name_as_spelled() {
    let h = Harness::new();
    demo_template(&h);
    render_demo(&h, &["-x", "man\u{303}ana.txt"]).success();
    assert!(!exists(&h, "doc/man\u{303}ana.txt"));
    assert!(exists(&h, "doc/ma\u{f1}ana.txt"));
    assert!(exists(&h, "doc/manana.txt"));
}

/// copier tests/test_copy.py::test_skip_option
#[test]
fn skip_everything_keeps_every_existing_file() {
    let h = Harness::new();
    demo_template(&h);
    render_demo(&h, &[]).success();
    h.write(&format!("{DEST}/pyproject.toml"), "lorem ipsum");
    render_demo(&h, &["-s", "**"]).success();
    assert_eq!(h.dest_file("pyproject.toml"), "lorem ipsum");
}

/// copier tests/test_copy.py::test_force_option
#[test]
fn overwrite_replaces_a_changed_file() {
    let h = Harness::new();
    demo_template(&h);
    render_demo(&h, &[]).success();
    h.write(&format!("{DEST}/pyproject.toml"), "lorem ipsum");
    render_demo(&h, &["--defaults", "--overwrite"]).success();
    assert_ne!(h.dest_file("pyproject.toml"), "lorem ipsum");
}

/// copier tests/test_copy.py::test_pretend_option
#[test]
fn pretend_writes_nothing() {
    let h = Harness::new();
    demo_template(&h);
    render_demo(&h, &["--pretend"]).success();
    assert!(!exists(&h, "doc"));
    assert!(!exists(&h, "config.py"));
    assert!(!exists(&h, "pyproject.toml"));
}

/// copier tests/test_templated_prompt.py::test_templated_prompt (with
/// `--defaults`, the answer each templated question records)
#[test]
fn defaults_types_help_and_choices_are_rendered_with_earlier_answers() {
    // (question, answer recorded)
    let cases = [
        ("templated_default: {default: '[[ main ]]default'}", "copierdefault"),
        (
            "templated_type: {type: \"[% if main == 'copier' %]int[% endif %]\", default: '0'}",
            "0",
        ),
        (
            "templated_help: {default: copier, help: 'THIS [[ main ]] HELP IS TEMPLATED'}",
            "copier",
        ),
        (
            "templated_choices_dict_1: {default: '[[ main ]]', choices: {choice 1: '[[ main ]]', '[[ main ]]': value 2}}",
            "copier",
        ),
        (
            "templated_choices_dict_2: {default: value 2, choices: {choice 1: '[[ main ]]', '[[ main ]]': value 2}}",
            "value 2",
        ),
        (
            "templated_choices_string_list_1: {default: copier, choices: ['[[ main ]]', choice 2]}",
            "copier",
        ),
        (
            "templated_choices_string_list_2: {default: choice 1, choices: [choice 1, '[[ main ]]']}",
            "choice 1",
        ),
        (
            "templated_choices_tuple_list_1: {default: copier, choices: [[name 1, '[[ main ]]'], ['[[ main ]]', value 2]]}",
            "copier",
        ),
        (
            "templated_choices_tuple_list_2: {default: value 2, choices: [[name 1, '[[ main ]]'], ['[[ main ]]', value 2]]}",
            "value 2",
        ),
        (
            "templated_choices_mixed_list: {default: value 2, choices: ['[[ main ]]', ['[[ main ]]', value 2]]}",
            "value 2",
        ),
    ];
    for (question, answer) in cases {
        let h = Harness::new();
        h.template(&[
            (
                "copier.yml",
                &format!(
                    "main: {{default: copier}}\n_envops: {BRACKET_ENVOPS_JSON}\n_templates_suffix: .tmpl\n{question}\n"
                ),
            ),
            (
                "[[ _copier_conf.answers_file ]].tmpl",
                "[[ _copier_answers|to_nice_yaml ]]",
            ),
        ]);
        let run = h.copy(&["--defaults"]);
        assert_eq!(run.code, 0, "{question}:\n{}", run.stderr);
        let name = question.split(':').next().unwrap();
        assert_eq!(
            h.dest_file(".copier-answers.yml"),
            format!("_src_path: {TEMPLATE}\nmain: copier\n{name}: {answer}\n"),
            "{question}"
        );
    }
}
