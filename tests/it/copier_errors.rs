//! Bad Copier templates: every failure names the file, line or flag, exits
//! with code 2 and leaves the destination as it was.

use crate::harness::{read_tree, Harness};

/// Copies the template of `h` into a destination that already holds one
/// file, and checks the run fails with exit code 2 and leaves that folder
/// byte-identical; returns stderr.
fn fails_untouched(h: &Harness, args: &[&str]) -> String {
    h.write("dest/keep.txt", "mine\n");
    let before = read_tree(&h.dest());
    let run = h.copy(args).code(2);
    assert_eq!(read_tree(&h.dest()), before, "the destination changed");
    run.stderr
}

#[test]
fn an_extension_graft_cannot_run_is_a_warning_and_its_missing_filter_an_error_naming_it() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_jinja_extensions:\n  - extensions/context.py:ContextUpdater\n  - jinja2_time.TimeExtension\nname:\n  default: shop\n",
        ),
        ("extensions/context.py", "class ContextUpdater: pass\n"),
        ("README.md.jinja", "# {{ name }}\n\n{{ name|shout }}\n"),
    ]);
    let stderr = fails_untouched(&h, &["--defaults"]);
    assert!(
        stderr.contains("`extensions/context.py:ContextUpdater`"),
        "the warning names the extension:\n{stderr}"
    );
    assert!(
        !stderr.contains("jinja2_time"),
        "an extension graft provides is no warning:\n{stderr}"
    );
    assert!(
        stderr.contains("error: cannot render `README.md.jinja` at line 3"),
        "{stderr}"
    );
    assert!(stderr.contains("shout"), "the filter is named:\n{stderr}");
}

#[test]
fn a_variable_a_missing_extension_would_define_is_an_error_not_empty_text() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_jinja_extensions: [extensions.py:ContextUpdater]\nname:\n  default: shop\n",
        ),
        ("extensions.py", "\n"),
        ("out.txt.jinja", "{{ name }}\n{{ computed_slug }}\n"),
    ]);
    let stderr = fails_untouched(&h, &["--defaults"]);
    assert!(
        stderr.contains("error: cannot render `out.txt.jinja` at line 2"),
        "{stderr}"
    );
    assert!(stderr.contains("computed_slug"), "{stderr}");
}

#[test]
fn without_such_an_extension_an_undefined_variable_prints_nothing_as_in_copier() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", "name:\n  default: shop\n"),
        ("out.txt.jinja", "[{{ name }}][{{ not_defined }}]\n"),
    ]);
    h.copy(&["--defaults"]).success();
    assert_eq!(h.dest_file("out.txt"), "[shop][]\n");
}

#[test]
fn malformed_copier_yml_is_an_error_naming_file_and_line() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", "name:\n  default: shop\nbroken: [a, b\n"),
        ("out.txt.jinja", "{{ name }}\n"),
    ]);
    let stderr = fails_untouched(&h, &["--defaults"]);
    assert!(stderr.starts_with("error: copier.yml:"), "{stderr}");
}

#[test]
fn a_jinja_syntax_error_names_the_file_and_line() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", "name:\n  default: shop\n"),
        ("src/app.py.jinja", "ok\n{% if name %}\nno end\n"),
    ]);
    let stderr = fails_untouched(&h, &["--defaults"]);
    assert!(
        stderr.starts_with("error: cannot render `src/app.py.jinja` at line "),
        "{stderr}"
    );
    assert!(stderr.contains("syntax error"), "{stderr}");
}

#[test]
fn a_template_needing_a_newer_copier_is_refused() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", "_min_copier_version: \"99.1\"\nname: shop\n"),
        ("out.txt.jinja", "{{ name }}\n"),
    ]);
    let stderr = fails_untouched(&h, &["--defaults"]);
    assert_eq!(
        stderr,
        "error: template needs Copier 99.1 or newer; graft renders Copier templates as Copier 9.19.1 does\n"
    );
}

#[test]
fn the_shell_filter_needs_trust() {
    let h = Harness::new();
    h.template(&[
        (
            "copier.yml",
            "_jinja_extensions: [jinja2_shell_extension.ShellExtension]\nname: shop\n",
        ),
        ("out.txt.jinja", "{{ 'echo hi' | shell }}"),
    ]);
    let stderr = fails_untouched(&h, &["--defaults"]);
    assert!(stderr.contains("--trust"), "{stderr}");
    h.copy(&["--defaults", "--trust"]).success();
    assert_eq!(h.dest_file("out.txt"), "hi\n");
}

#[test]
fn copier_yml_and_copier_yaml_together_are_an_error() {
    let h = Harness::new();
    h.template(&[("copier.yml", "name: a\n"), ("copier.yaml", "name: b\n")]);
    let stderr = fails_untouched(&h, &["--defaults"]);
    assert_eq!(
        stderr,
        "error: copier.yaml:1: both `copier.yml` and `copier.yaml` exist; keep one\n"
    );
}

#[test]
fn graft_yml_wins_over_copier_yml() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: graft\n"),
        ("copier.yml", "name: copier\n"),
        ("out.txt.hbs", "{{name}}\n"),
        ("out.txt.jinja", "{{ name }} jinja\n"),
    ]);
    h.copy(&["--defaults"]).success();
    assert_eq!(h.dest_file("out.txt"), "graft\n");
}

#[test]
fn two_yield_tags_in_one_path_name_are_an_error_naming_the_file() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", "xs: {type: yaml, default: [a]}\n"),
        (
            "{% yield a from xs %}{{ a }}{% endyield %}-{% yield b from xs %}{{ b }}{% endyield %}.txt",
            "x\n",
        ),
    ]);
    let stderr = fails_untouched(&h, &["--defaults"]);
    assert_eq!(
        stderr,
        "error: cannot render `{% yield a from xs %}{{ a }}{% endyield %}-{% yield b from xs %}{{ b }}{% endyield %}.txt`\n\
         caused by: only one `yield` tag is allowed in a path name\n"
    );
}

#[test]
fn a_yield_over_what_is_no_list_is_an_error_naming_the_file() {
    let h = Harness::new();
    h.template(&[
        ("copier.yml", "n: {type: int, default: 3}\n"),
        ("{% yield i from n %}{{ i }}{% endyield %}.txt", "x\n"),
    ]);
    let stderr = fails_untouched(&h, &["--defaults"]);
    assert!(
        stderr.starts_with("error: cannot render `{% yield i from n %}{{ i }}{% endyield %}.txt`"),
        "{stderr}"
    );
}
