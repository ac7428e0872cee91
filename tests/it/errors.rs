//! Bad input to `graft copy`: each case exits 2 with an exact message that
//! names the file, line or question at fault, and leaves every file where
//! it was (the destination byte-identical, or still absent).

use crate::harness::{read_tree, Harness};

/// Runs `graft copy template dest ARGS`, expecting exit 2 with exactly
/// `stderr` and not a single byte changed anywhere in the harness folder.
#[track_caller]
fn refused(h: &Harness, args: &[&str], stderr: &str) {
    let before = read_tree(h.root());
    let run = h.copy(args).code(2);
    assert_eq!(run.stderr, stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(read_tree(h.root()), before, "files changed");
}

/// A template with `graft.yml` and one file, and a destination holding a
/// file of its own, so "unchanged" means something.
fn with_dest(files: &[(&str, &str)]) -> Harness {
    let h = Harness::new();
    h.template(files);
    h.write("dest/mine.txt", "my own file\n");
    h
}

#[test]
fn malformed_yaml_names_the_line() {
    let h = with_dest(&[("graft.yml", "a: 1\nb: [1, 2\nc: 3\n")]);
    refused(
        &h,
        &["--defaults"],
        "error: graft.yml:3: illegal placement of ':' indicator\n",
    );
}

#[test]
fn unknown_question_type() {
    let h = with_dest(&[("graft.yml", "a: 1\nb:\n  type: text\n")]);
    refused(
        &h,
        &["--defaults"],
        "error: graft.yml:3: question `b` has unknown type `text`; expected one of str, int, float, bool, yaml, json, path\n",
    );
}

#[test]
fn unknown_setting() {
    let h = with_dest(&[("graft.yml", "a: 1\n_exlude: [x]\n")]);
    refused(
        &h,
        &["--defaults"],
        "error: graft.yml:2: unknown setting `_exlude`\n",
    );
}

#[test]
fn unknown_variable_in_a_template_file() {
    let h = with_dest(&[
        ("graft.yml", "name: app\n"),
        ("ok.txt.hbs", "{{name}}\n"),
        ("docs/guide.md.hbs", "# {{name}}\n\n{{nmae}}\n"),
    ]);
    refused(
        &h,
        &["--defaults"],
        "error: cannot render `docs/guide.md.hbs` at line 3\ncaused by: unknown variable `nmae`\n",
    );
}

#[test]
fn unknown_variable_in_a_file_name() {
    let h = Harness::new();
    h.template(&[("graft.yml", "name: app\n"), ("{{nope}}.txt", "x")]);
    refused(
        &h,
        &["--defaults"],
        "error: cannot render `{{nope}}.txt` at line 1\ncaused by: unknown variable `nope`\n",
    );
}

#[test]
fn failing_validator() {
    let h = with_dest(&[(
        "graft.yml",
        "name:\n  default: x\n  validator: \"{{#unless (regex_match name '^[a-z]+$')}}use lowercase letters{{/unless}}\"\n",
    )]);
    refused(
        &h,
        &["-d", "name=Shop1"],
        "error: invalid answer for `name` from `--data`: use lowercase letters\n",
    );
}

#[test]
fn invalid_choice() {
    let h = with_dest(&[(
        "graft.yml",
        "db:\n  choices: {PostgreSQL: pg, MySQL: my}\n  default: pg\n",
    )]);
    refused(
        &h,
        &["--defaults", "-d", "db=oracle"],
        "error: invalid answer for `db` from `--data`: `oracle` is not one of the choices: pg, my\n",
    );
}

#[test]
fn invalid_int() {
    let h = with_dest(&[("graft.yml", "port: 80\n")]);
    refused(
        &h,
        &["--defaults", "-d", "port=eighty"],
        "error: invalid answer for `port` from `--data`: `eighty` is not an integer\n",
    );
}

#[test]
fn invalid_int_in_a_data_file() {
    let h = with_dest(&[("graft.yml", "port: 80\n")]);
    h.write("answers.yml", "port: [80]\n");
    refused(
        &h,
        &["--defaults", "--data-file", "answers.yml"],
        "error: invalid answer for `port` from `--data-file`: expected an integer, got `[80]`\n",
    );
}

#[test]
fn missing_answer_without_a_terminal() {
    let h = with_dest(&[("graft.yml", "name: app\nport: {type: int}\n")]);
    refused(
        &h,
        &[],
        "error: no answer for question `name` and no terminal to ask on\n\
         hint: pass `--data name=VALUE`, put it in a `--data-file`, or use `--defaults` to take its default\n",
    );
    refused(
        &h,
        &["--defaults"],
        "error: question `port` has no default, so `--defaults` cannot answer it\n\
         hint: pass `--data port=VALUE` or put it in a `--data-file`\n",
    );
}

#[test]
fn rendered_path_with_dot_dot() {
    let h = with_dest(&[("graft.yml", "dir: x\n"), ("{{dir}}/f.txt", "x")]);
    refused(
        &h,
        &["--defaults", "-d", "dir=.."],
        "error: path `..` (from `{{dir}}`) contains `..`\n",
    );
    refused(
        &h,
        &["--defaults", "-d", "dir=a/../../b"],
        "error: path `a/../../b` (from `{{dir}}`) contains `..`\n",
    );
}

#[test]
fn absolute_rendered_path() {
    let h = with_dest(&[("graft.yml", "dir: x\n"), ("{{dir}}/f.txt", "x")]);
    let outside = h.path("outside");
    refused(
        &h,
        &["--defaults", "-d", &format!("dir={}", outside.display())],
        &format!(
            "error: path `{}` (from `{{{{dir}}}}`) is absolute\n",
            outside.display()
        ),
    );
}

/// A template whose `link` points at `target` (outside the template; the
/// harness folder holds a file or folder there) is refused, naming both.
#[track_caller]
fn link_refused(h: &Harness, link: &str, target: &str) {
    h.symlink(&format!("template/{link}"), target);
    refused(
        h,
        &["--defaults"],
        &format!("error: symlink `{link}` in the template points to `{target}`, which is outside the template\n"),
    );
}

#[test]
fn template_symlink_to_a_file_outside_the_template() {
    let h = with_dest(&[("graft.yml", "name: app\n")]);
    h.write("secret.txt", "secret\n");
    link_refused(&h, "leak.txt", "../secret.txt");
}

#[test]
fn template_symlink_to_a_folder_outside_the_template() {
    let h = with_dest(&[("graft.yml", "name: app\n")]);
    h.write("private/key", "key\n");
    link_refused(&h, "sub/private", "../../private");
}

#[test]
fn template_symlink_to_an_absolute_path() {
    let h = with_dest(&[("graft.yml", "name: app\n")]);
    link_refused(&h, "passwd", "/etc/passwd");
}

#[test]
fn subdirectory_outside_the_template() {
    let h = with_dest(&[("graft.yml", "_subdirectory: ..\nname: app\n")]);
    refused(
        &h,
        &["--defaults"],
        "error: path `..` (from `_subdirectory`) contains `..`; `_subdirectory` must stay inside the template\n",
    );
}

#[test]
fn include_outside_the_template() {
    let h = with_dest(&[("graft.yml", "name: app\n---\n!include ../x.yml\n")]);
    h.write("x.yml", "_tasks: [\"touch pwned\"]\n");
    refused(
        &h,
        &["--defaults"],
        "error: graft.yml:3: `!include ../x.yml` must name files inside the template\n",
    );
}

#[test]
fn both_graft_yml_and_graft_yaml() {
    let h = with_dest(&[("graft.yml", "a: 1\n"), ("graft.yaml", "b: 2\n")]);
    refused(
        &h,
        &["--defaults"],
        "error: graft.yaml:1: both `graft.yml` and `graft.yaml` exist; keep one\n",
    );
}

#[test]
fn no_graft_yml() {
    let h = with_dest(&[("README.md", "not a template\n")]);
    refused(
        &h,
        &["--defaults"],
        &format!(
            "error: no `graft.yml` or `graft.yaml` at the root of template `{}`\n",
            h.template_src()
        ),
    );
}

#[test]
fn data_without_equals() {
    let h = with_dest(&[("graft.yml", "name: app\n")]);
    refused(
        &h,
        &["--defaults", "-d", "name"],
        "error: `--data name` is not of the form KEY=VALUE\n",
    );
}

/// A `--data-file` named `name` holding `contents` is refused with `stderr`.
#[track_caller]
fn data_file_refused(name: &str, contents: &str, stderr: &str) {
    let h = with_dest(&[("graft.yml", "name: app\n")]);
    h.write(name, contents);
    refused(&h, &["--defaults", "--data-file", name], stderr);
}

#[test]
fn data_file_that_is_not_a_mapping() {
    data_file_refused(
        "answers.yml",
        "- name\n- app\n",
        "error: `answers.yml` must be a mapping of question names to answers, not a list\n",
    );
}

#[test]
fn data_file_that_is_not_valid_yaml() {
    data_file_refused(
        "answers.yml",
        "name: app\nport: [80\n",
        "error: `answers.yml` is not valid YAML: line 2: unclosed bracket '['\n",
    );
}

#[test]
fn data_file_that_is_not_valid_json() {
    data_file_refused(
        "answers.json",
        "{\"name\": ",
        "error: `answers.json` is not valid JSON: EOF while parsing a value at line 1 column 9\n",
    );
}

#[test]
fn missing_data_file() {
    let h = with_dest(&[("graft.yml", "name: app\n")]);
    refused(
        &h,
        &["--defaults", "--data-file", "nope.yml"],
        "error: cannot read `nope.yml`\ncaused by: No such file or directory (os error 2)\n",
    );
}

#[test]
fn rendered_folder_that_is_a_destination_symlink_leading_outside() {
    let h = Harness::new();
    h.template(&[("graft.yml", "dir: config\n"), ("{{dir}}/app.conf", "x\n")]);
    h.mkdir("outside");
    h.symlink("dest/config", "../outside");
    refused(
        &h,
        &["--defaults", "--overwrite"],
        &format!(
            "error: path `config/app.conf` (from `{}`) would be written through a symlink that leads outside the destination\n",
            h.path("dest/config").display()
        ),
    );
    assert!(read_tree(&h.path("outside")).is_empty());
}

#[test]
fn rendered_file_that_is_a_destination_symlink_leading_outside() {
    let h = Harness::new();
    h.template(&[("graft.yml", "name: app\n"), ("app.conf.hbs", "{{name}}\n")]);
    h.write("outside/target.conf", "outside\n");
    h.symlink("dest/app.conf", "../outside/target.conf");
    refused(
        &h,
        &["--defaults"],
        "error: 1 existing file(s) in `dest` would be overwritten: `app.conf`\n\
         hint: use `--overwrite` to replace them, or run on a terminal to decide per file\n",
    );
    // With --overwrite the link itself is replaced; the file it pointed at is untouched.
    h.copy(&["--defaults", "--overwrite"]).success();
    assert_eq!(h.dest_file("app.conf"), "app\n");
    assert!(!std::fs::symlink_metadata(h.path("dest/app.conf"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        crate::harness::read(&h.path("outside/target.conf")),
        "outside\n"
    );
}

#[test]
fn answers_file_outside_the_destination() {
    let h = with_dest(&[("graft.yml", "name: app\n")]);
    refused(
        &h,
        &["--defaults", "-a", "../answers.yml"],
        "error: path `../answers.yml` (from `the answers file`) must be a relative path inside the destination\n",
    );
}

#[test]
fn destination_that_is_a_file() {
    let h = Harness::new();
    h.template(&[("graft.yml", "name: app\n")]);
    h.write("dest", "a file\n");
    refused(
        &h,
        &["--defaults"],
        &format!(
            "error: cannot copy into `{}`\ncaused by: it is a file, not a folder\n",
            h.dest().display()
        ),
    );
}

#[test]
fn binary_file_with_the_template_suffix() {
    let h = with_dest(&[("graft.yml", "name: app\n")]);
    h.write("template/img.png.hbs", b"\x89PNG\x00\x01");
    refused(
        &h,
        &["--defaults"],
        "error: `img.png.hbs` has the template suffix but is binary, so it cannot be rendered\n",
    );
}

#[test]
fn two_template_files_rendering_to_one_path() {
    let h = with_dest(&[
        ("graft.yml", "a: x\nb: x\n"),
        ("{{a}}.txt", "1"),
        ("{{b}}.txt", "2"),
    ]);
    refused(
        &h,
        &["--defaults"],
        "error: `{{a}}.txt` and `{{b}}.txt` both render to `x.txt`\n",
    );
}

#[test]
fn template_needing_a_newer_graft() {
    let h = with_dest(&[("graft.yml", "_min_graft_version: \"99.0\"\nname: app\n")]);
    refused(
        &h,
        &["--defaults"],
        &format!(
            "error: template needs graft 99.0.0 or newer; this is graft {}\nhint: install a newer graft\n",
            env!("CARGO_PKG_VERSION")
        ),
    );
}

#[test]
fn preserved_symlink_leading_outside_the_destination() {
    let h = with_dest(&[("graft.yml", "_preserve_symlinks: true\nname: app\n")]);
    h.symlink("template/etc", "../../etc");
    refused(
        &h,
        &["--defaults"],
        "error: path `etc -> ../../etc` (from `etc`) is a symlink that leads outside the destination\n",
    );
}

#[test]
fn version_exits_zero() {
    let h = Harness::new();
    let run = h.run(&["--version"]).success();
    // The commit after the version is pinned down in `help.rs`.
    let version = format!("graft {}", env!("CARGO_PKG_VERSION"));
    assert!(run.stdout.starts_with(&version), "{}", run.stdout);
}

#[test]
fn unknown_flag_exits_two() {
    let h = Harness::new();
    h.template(&[("graft.yml", "name: app\n")]);
    let run = h.copy(&["--bogus"]).code(2);
    assert!(
        run.stderr
            .starts_with("error: unexpected argument '--bogus' found\n"),
        "{}",
        run.stderr
    );
    assert!(!h.dest().exists());
}

/// The `--json` error report of a run: the object under `error`.
#[track_caller]
fn json_error(run: &crate::harness::Run) -> serde_json::Value {
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    report["error"].clone()
}

#[test]
fn json_error_reports_name_a_stable_kind() {
    let h = with_dest(&[("graft.yml", "name:\n  type: str\n"), ("a.txt", "a\n")]);
    let before = read_tree(h.root());
    let run = h.copy(&["--json"]).code(2);
    assert_eq!(
        json_error(&run),
        serde_json::json!({
            "kind": "missing_answer",
            "message": "no answer for question `name` and no terminal to ask on",
            "causes": [],
            "hint": "pass `--data name=VALUE` or put it in a `--data-file`",
            "exit_code": 2,
        })
    );
    assert_eq!(read_tree(h.root()), before);

    let run = h
        .copy(&["--json", "-d", "name=x", "--vcs-ref", "v9"])
        .code(2);
    assert_eq!(json_error(&run)["kind"], "unknown_ref");

    let h = with_dest(&[("graft.yml", "_tasks: [touch x]\n"), ("a.txt", "a\n")]);
    let run = h.copy(&["--json", "--defaults"]).code(4);
    let error = json_error(&run);
    assert_eq!(error["kind"], "trust_refused");
    assert_eq!(error["exit_code"], 4);

    let run = h.run(&["update", "dest", "--json"]).code(2);
    assert_eq!(json_error(&run)["kind"], "no_answers_file");
    let run = h.run(&["check", "dest", "--json"]).code(2);
    assert_eq!(json_error(&run)["kind"], "no_answers_file");

    // Without `--json`, stdout stays empty.
    let run = h.copy(&["--defaults"]).code(4);
    assert_eq!(run.stdout, "");
}

#[test]
fn ask_without_a_terminal_is_an_error_naming_the_question() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: {default: demo}\n"),
        ("a.txt.hbs", "{{name}}\n"),
    ]);
    let before = read_tree(h.root());
    let run = h.copy(&["--defaults", "--ask", "na*"]).code(2);
    assert_eq!(
        run.stderr,
        "error: `--ask` names question `name`, and there is no terminal to ask it on\n\
         hint: run it on a terminal, or leave out `--ask` and pass `--data name=VALUE`\n"
    );
    assert_eq!(read_tree(h.root()), before);
    let run = h.copy(&["--defaults", "--ask", "[na"]).code(2);
    assert!(
        run.stderr.starts_with("error: invalid `--ask [na`: "),
        "{}",
        run.stderr
    );
}
