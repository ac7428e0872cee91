//! `graft copy` at the command line: exact files, exact output, exact exit
//! codes, one test per behaviour a template author or user relies on.

use crate::harness::{
    files, read_tree, text_files, GitRepo, Harness, Snap, ANSWERS_FILE, ANSWERS_HEADER, DEST,
};

#[test]
fn every_question_type_is_parsed_rendered_and_recorded() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            r#"name: {type: str}
count: {type: int}
ratio: {type: float}
flag: {type: bool}
cfg: {type: yaml}
obj: {type: json}
where: {type: path}
"#,
        ),
        (
            "out.txt.hbs",
            "{{name}}|{{count}}|{{ratio}}|{{flag}}|{{to_json cfg}}|{{obj.k.[1]}}|{{where}}\n",
        ),
    ]);
    h.copy(&[
        "-d",
        "name=Shop",
        "-d",
        "count=42",
        "-d",
        "ratio=0.25",
        "-d",
        "flag=off",
        "-d",
        "cfg=[a, {b: 1}]",
        "-d",
        r#"obj={"k": [1, 2]}"#,
        "-d",
        "where=docs/guide",
    ])
    .success();
    assert_eq!(
        h.dest_file("out.txt"),
        "Shop|42|0.25|false|[\"a\",{\"b\":1}]|2|docs/guide\n"
    );
    h.assert_answers("name: Shop\ncount: 42\nratio: 0.25\nflag: false\ncfg:\n- a\n- b: 1\nobj:\n  k:\n  - 1\n  - 2\nwhere: docs/guide\n");
}

#[test]
fn types_are_inferred_from_defaults() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "name: app\ncount: 3\nratio: 0.5\nflag: yes\nitems: [x, y]\n",
        ),
        (
            "out.txt.hbs",
            "{{name}}|{{count}}|{{ratio}}|{{flag}}|{{join items '+'}}",
        ),
    ]);
    h.copy(&[
        "--defaults",
        "-d",
        "count=4",
        "-d",
        "ratio=2",
        "-d",
        "flag=no",
    ])
    .success();
    assert_eq!(h.dest_file("out.txt"), "app|4|2.0|false|x+y");
    h.assert_answers("name: app\ncount: 4\nratio: 2.0\nflag: false\nitems:\n- x\n- \"y\"\n");
}

#[test]
fn yaml_and_json_defaults_written_as_text_are_parsed() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            r#"cfg:
  type: yaml
  default: "[a, b]"
obj:
  type: json
  default: '{"k": [1, 2]}'
"#,
        ),
        ("out.txt.hbs", "{{join cfg ','}}|{{obj.k.[0]}}"),
    ]);
    h.copy(&["--defaults"]).success();
    assert_eq!(h.dest_file("out.txt"), "a,b|1");
    h.assert_answers("cfg:\n- a\n- b\nobj:\n  k:\n  - 1\n  - 2\n");
}

#[test]
fn default_is_templated_from_earlier_answers() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "name: My App\nslug:\n  default: \"{{kebab_case name}}\"\n  help: \"Slug for {{name}}\"\n",
        ),
        ("slug.txt.hbs", "{{slug}}"),
    ]);
    h.copy(&["--defaults", "-d", "name=Shop Api"]).success();
    assert_eq!(h.dest_file("slug.txt"), "shop-api");
    h.assert_answers("name: Shop Api\nslug: shop-api\n");
}

#[test]
fn choices_in_all_three_forms() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            r#"python:
  choices: ["3.11", "3.12"]
  default: "3.12"
port:
  choices: {HTTP: 80, HTTPS: 443}
  default: 80
db:
  choices:
    PostgreSQL: {value: pg}
    Oracle: {value: ora, validator: "Oracle needs a license"}
    None: {value: none}
  default: none
pair:
  choices: [[First, one], [Second, two]]
  default: one
"#,
        ),
        ("out.txt.hbs", "{{python}} {{port}} {{db}} {{pair}}"),
    ]);
    h.copy(&[
        "--defaults",
        "-d",
        "port=443",
        "-d",
        "db=pg",
        "-d",
        "pair=two",
    ])
    .success();
    assert_eq!(h.dest_file("out.txt"), "3.12 443 pg two");
    h.assert_answers("python: \"3.12\"\nport: 443\ndb: pg\npair: two\n");
}

#[test]
fn disabled_choice_is_refused_with_its_message() {
    let h = Harness::new();
    h.template(&[(
        "graft.yml",
        r#"docker: false
db:
  choices:
    PostgreSQL: {value: pg, validator: "{{#unless docker}}PostgreSQL needs docker{{/unless}}"}
    SQLite: sqlite
  default: sqlite
"#,
    )]);
    let run = h.copy(&["--defaults", "-d", "db=pg"]).code(2);
    assert_eq!(
        run.stderr,
        "error: invalid answer for `db` from `--data`: choice `PostgreSQL` is not available: PostgreSQL needs docker\n"
    );
    assert!(!h.dest().exists());
    // The same choice is fine once its condition holds.
    h.copy(&["--defaults", "-d", "db=pg", "-d", "docker=true"])
        .success();
    h.assert_answers("docker: true\ndb: pg\n");
}

#[test]
fn multiselect_answer_is_a_list() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "features:\n  choices: [api, cli, web]\n  multiselect: true\n  default: [api]\n",
        ),
        ("out.txt.hbs", "{{join features ','}}|{{len features}}"),
    ]);
    h.copy(&["-d", "features=[cli, web]"]).success();
    assert_eq!(h.dest_file("out.txt"), "cli,web|2");
    h.assert_answers("features:\n- cli\n- web\n");
}

#[test]
fn when_false_is_a_computed_value_used_but_not_recorded() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            r#"name: My App
package:
  default: "{{snake_case name}}"
  when: false
ci:
  type: bool
  default: false
provider:
  default: github
  when: "{{ci}}"
"#,
        ),
        ("out.txt.hbs", "{{package}}|{{default provider 'none'}}"),
    ]);
    h.copy(&["--defaults"]).success();
    assert_eq!(h.dest_file("out.txt"), "my_app|github");
    h.assert_answers("name: My App\nci: false\n");
}

#[test]
fn data_replaces_a_computed_value_without_recording_it() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "name: My App\npackage:\n  default: \"{{snake_case name}}\"\n  when: false\n",
        ),
        ("out.txt.hbs", "{{package}}"),
    ]);
    h.copy(&["--defaults", "-d", "package=custom_pkg"])
        .success();
    assert_eq!(h.dest_file("out.txt"), "custom_pkg");
    h.assert_answers("name: My App\n");
}

#[test]
fn validator_accepts_a_valid_answer() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "name:\n  default: x\n  validator: \"{{#unless (regex_match name '^[a-z]+$')}}lowercase only{{/unless}}\"\n",
        ),
        ("name.txt.hbs", "{{name}}"),
    ]);
    h.copy(&["-d", "name=shop"]).success();
    assert_eq!(h.dest_file("name.txt"), "shop");
}

#[test]
fn secrets_are_rendered_but_never_recorded() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            r#"_secret_questions: [api_key]
user: ada
password:
  secret: true
  default: changeme
api_key: none
"#,
        ),
        (
            ".env.hbs",
            "USER={{user}}\nPASSWORD={{password}}\nAPI_KEY={{api_key}}\n",
        ),
    ]);
    let run = h
        .copy(&["--defaults", "-d", "password=hunter2", "--json"])
        .success();
    assert_eq!(
        h.dest_file(".env"),
        "USER=ada\nPASSWORD=hunter2\nAPI_KEY=none\n"
    );
    h.assert_answers("user: ada\n");
    assert!(!run.stdout.contains("hunter2"), "{}", run.stdout);
}

#[test]
fn placeholder_and_multiline_are_accepted() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "notes:\n  type: str\n  placeholder: a few words\n  multiline: true\n  default: \"\"\n",
        ),
        ("notes.txt.hbs", "[{{notes}}]"),
    ]);
    h.copy(&["--defaults", "-d", "notes=line one\nline two"])
        .success();
    assert_eq!(h.dest_file("notes.txt"), "[line one\nline two]");
}

#[test]
fn data_beats_data_file_beats_settings_beats_template_defaults() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "a: ta\nb: tb\nc: tc\nd: td\n"),
        ("out.txt.hbs", "{{a}} {{b}} {{c}} {{d}}"),
    ]);
    h.settings("defaults:\n  a: sa\n  b: sb\n  c: sc\n");
    h.write("answers.json", r#"{"a": "fa", "b": "fb"}"#);
    h.copy(&["--defaults", "--data-file", "answers.json", "-d", "a=da"])
        .success();
    assert_eq!(h.dest_file("out.txt"), "da fb sc td");
    h.assert_answers("a: da\nb: fb\nc: sc\nd: td\n");
}

#[test]
fn data_file_in_yaml_answers_without_defaults() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: {type: str}\nport: {type: int}\n"),
        ("out.txt.hbs", "{{name}}:{{port}}"),
    ]);
    h.write("answers.yml", "name: shop\nport: 8080\n");
    h.copy(&["--data-file", "answers.yml"]).success();
    assert_eq!(h.dest_file("out.txt"), "shop:8080");
}

#[test]
fn data_that_is_not_a_question_is_rendered_but_not_recorded() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: app\n"),
        ("out.txt.hbs", "{{name}} {{extra}}"),
    ]);
    h.copy(&["--defaults", "-d", "extra=bonus"]).success();
    assert_eq!(h.dest_file("out.txt"), "app bonus");
    h.assert_answers("name: app\n");
}

#[test]
fn conditional_file_and_folder_follow_the_answers() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "docker: true\nci: github\n"),
        ("{{when docker 'Dockerfile'}}.hbs", "FROM scratch\n"),
        (
            "{{when (eq ci 'github') '.github'}}/workflows/ci.yml",
            "on: push\n",
        ),
        ("README.md", "hi\n"),
    ]);
    h.copy(&["--defaults"]).success();
    h.assert_dest(
        "docker: true\nci: github\n",
        &[
            (".github/workflows/ci.yml", "on: push\n"),
            ("Dockerfile", "FROM scratch\n"),
            ("README.md", "hi\n"),
        ],
    );

    std::fs::remove_dir_all(h.dest()).unwrap();
    h.copy(&["--defaults", "-d", "docker=false", "-d", "ci=none"])
        .success();
    let tree = read_tree(&h.dest());
    assert_eq!(
        tree.keys().map(String::as_str).collect::<Vec<_>>(),
        [ANSWERS_FILE, "README.md"],
        "no Dockerfile, no .github folder"
    );
}

#[test]
fn folder_names_are_templated() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: My App\n"),
        (
            "src/{{snake_case name}}/__init__.py.hbs",
            "NAME = '{{name}}'\n",
        ),
        ("src/{{snake_case name}}/util.py", "pass\n"),
    ]);
    h.copy(&["--defaults"]).success();
    assert_eq!(h.dest_file("src/my_app/__init__.py"), "NAME = 'My App'\n");
    assert_eq!(h.dest_file("src/my_app/util.py"), "pass\n");
}

#[test]
fn a_segment_may_render_to_nested_folders() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "package: com/acme/shop\n"),
        (
            "src/{{package}}/Main.java.hbs",
            "package {{replace package '/' '.'}};\n",
        ),
    ]);
    h.copy(&["--defaults"]).success();
    assert_eq!(
        h.dest_file("src/com/acme/shop/Main.java"),
        "package com.acme.shop;\n"
    );
}

#[test]
fn plain_files_are_copied_as_is_and_the_suffixed_twin_wins() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: app\n"),
        ("raw.txt", "{{name}} stays\n"),
        ("both.txt", "plain loses\n"),
        ("both.txt.hbs", "{{name}} wins\n"),
    ]);
    h.copy(&["--defaults"]).success();
    h.assert_dest(
        "name: app\n",
        &[("both.txt", "app wins\n"), ("raw.txt", "{{name}} stays\n")],
    );
}

#[test]
fn empty_templates_suffix_renders_every_text_file() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "_templates_suffix: \"\"\nname: app\n"),
        ("a.txt", "{{name}}\n"),
        ("b.hbs", "{{name}}\n"),
    ]);
    let png = b"\x89PNG\r\n\x1a\n\x00\x00{{name}}\xff";
    h.write("template/logo.png", png);
    h.copy(&["--defaults"]).success();
    let tree = read_tree(&h.dest());
    assert_eq!(h.dest_file("a.txt"), "app\n");
    assert_eq!(h.dest_file("b.hbs"), "app\n");
    assert_eq!(
        tree["logo.png"],
        Snap::Bytes {
            bytes: png.to_vec(),
            executable: false
        }
    );
}

#[test]
fn binary_files_are_copied_byte_for_byte() {
    let h = Harness::new();
    h.template(&[("graft.yml", "name: app\n")]);
    let bytes: Vec<u8> = (0..=255u8)
        .rev()
        .chain(b"{{name}}".iter().copied())
        .collect();
    h.write("template/data.bin", &bytes);
    h.copy(&["--defaults"]).success();
    assert_eq!(std::fs::read(h.dest().join("data.bin")).unwrap(), bytes);
}

#[test]
fn executable_bit_is_kept() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: app\n"),
        ("run.sh.hbs", "#!/bin/sh\necho {{name}}\n"),
        ("plain.sh", "#!/bin/sh\n"),
    ]);
    h.set_executable("template/run.sh.hbs", true);
    h.copy(&["--defaults"]).success();
    let tree = read_tree(&h.dest());
    assert_eq!(
        tree["run.sh"],
        Snap::Text {
            text: "#!/bin/sh\necho app\n".into(),
            executable: true
        }
    );
    assert_eq!(
        tree["plain.sh"],
        Snap::Text {
            text: "#!/bin/sh\n".into(),
            executable: false
        }
    );
}

#[test]
fn empty_directory_is_created() {
    let h = Harness::new();
    h.template(&[("graft.yml", "name: app\n")]);
    h.mkdir("template/logs");
    h.mkdir("template/{{name}}-data/cache");
    h.copy(&["--defaults"]).success();
    let tree = read_tree(&h.dest());
    assert_eq!(tree.get("logs"), Some(&Snap::Dir));
    assert_eq!(tree.get("app-data/cache"), Some(&Snap::Dir));
}

#[test]
fn exclude_extends_the_defaults_and_can_reinclude() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "_exclude: [\"*.log\", \"!keep.log\", \"notes/\"]\nname: app\n",
        ),
        ("a.log", "x"),
        ("keep.log", "kept"),
        ("notes/todo.txt", "x"),
        ("~backup.txt", "x"),
        (".DS_Store", "x"),
        ("main.txt", "main"),
        ("drafts/draft.md", "x"),
        ("drafts/final.md", "final"),
    ]);
    h.copy(&["--defaults", "-x", "drafts/draft.md"]).success();
    h.assert_dest(
        "name: app\n",
        &[
            ("drafts/final.md", "final"),
            ("keep.log", "kept"),
            ("main.txt", "main"),
        ],
    );
}

#[test]
fn skip_if_exists_keeps_the_existing_file() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "_skip_if_exists: [config.ini]\nname: app\n"),
        ("config.ini.hbs", "name={{name}}\n"),
        ("local.env", "template\n"),
        ("README.md", "readme\n"),
    ]);
    h.write("dest/config.ini", "mine\n");
    h.write("dest/local.env", "mine too\n");
    let run = h.copy(&["--defaults", "-s", "*.env"]).success();
    assert_eq!(h.dest_file("config.ini"), "mine\n");
    assert_eq!(h.dest_file("local.env"), "mine too\n");
    assert_eq!(h.dest_file("README.md"), "readme\n");
    assert!(
        run.stderr.contains("      skip  config.ini\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("      skip  local.env\n"),
        "{}",
        run.stderr
    );

    // Absent files are written.
    std::fs::remove_dir_all(h.dest()).unwrap();
    h.copy(&["--defaults", "-s", "*.env"]).success();
    assert_eq!(h.dest_file("config.ini"), "name=app\n");
    assert_eq!(h.dest_file("local.env"), "template\n");
}

#[test]
fn subdirectory_is_the_render_root() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "_subdirectory: \"{{flavor}}\"\nflavor: python\n",
        ),
        ("README.md", "about the template\n"),
        ("python/main.py.hbs", "# {{flavor}}\n"),
        ("rust/main.rs", "fn main() {}\n"),
    ]);
    h.copy(&["--defaults"]).success();
    h.assert_dest("flavor: python\n", &[("main.py", "# python\n")]);
}

#[test]
fn answers_file_setting_is_templated_and_the_flag_overrides_it() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "_answers_file: \".answers-{{module}}.yml\"\nmodule: users\n",
        ),
        ("x.txt", "x"),
    ]);
    h.copy(&["--defaults"]).success();
    assert_eq!(
        h.dest_file(".answers-users.yml"),
        h.answers_text("module: users\n")
    );
    assert!(!h.dest().join(ANSWERS_FILE).exists());

    std::fs::remove_dir_all(h.dest()).unwrap();
    h.copy(&["--defaults", "-a", "meta/answers.yml"]).success();
    assert_eq!(
        h.dest_file("meta/answers.yml"),
        h.answers_text("module: users\n")
    );
    assert!(!h.dest().join(".answers-users.yml").exists());
}

#[test]
fn include_merges_other_yaml_files() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "!include config/*.yml\n---\n_exclude: [config]\nname: late\n",
        ),
        (
            "config/common.yml",
            "_exclude: [\"*.tmp\"]\nname: early\nport: 80\n",
        ),
        ("out.txt.hbs", "{{name}}:{{port}}"),
        ("junk.tmp", "x"),
    ]);
    h.copy(&["--defaults"]).success();
    h.assert_dest("name: late\nport: 80\n", &[("out.txt", "late:80")]);
}

#[test]
fn partials_are_used_and_never_copied() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: app\n"),
        ("_partials/header.hbs", "# {{name}} header\n"),
        ("_partials/nested/footer", "-- {{upper name}}\n"),
        ("README.md.hbs", "{{> header}}body\n{{> nested/footer}}"),
    ]);
    h.copy(&["--defaults"]).success();
    h.assert_dest(
        "name: app\n",
        &[("README.md", "# app header\nbody\n-- APP\n")],
    );
}

#[test]
fn template_symlinks_inside_the_template_are_followed() {
    let h = Harness::new();
    h.template(&[("graft.yml", "name: app\n"), ("shared/conf.txt", "conf\n")]);
    h.symlink("template/link.txt", "shared/conf.txt");
    h.symlink("template/alias", "shared");
    h.copy(&["--defaults"]).success();
    let tree = read_tree(&h.dest());
    assert_eq!(h.dest_file("link.txt"), "conf\n");
    assert_eq!(h.dest_file("alias/conf.txt"), "conf\n");
    assert!(!tree.values().any(|s| matches!(s, Snap::Link(_))));
}

#[test]
fn preserve_symlinks_copies_links_as_links() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "_preserve_symlinks: true\nname: app\n"),
        ("real.txt", "real\n"),
    ]);
    h.symlink("template/alias.txt", "real.txt");
    h.copy(&["--defaults"]).success();
    assert_eq!(
        read_tree(&h.dest())["alias.txt"],
        Snap::Link("real.txt".into())
    );
}

#[test]
fn pretend_writes_nothing() {
    let h = Harness::new();
    h.template(&[("graft.yml", "name: app\n"), ("a.txt.hbs", "{{name}}\n")]);
    let run = h.copy(&["--defaults", "--pretend"]).success();
    assert!(!h.dest().exists());
    assert_eq!(
        run.stderr,
        "    create  a.txt\n    create  .graft-answers.yml\npretend: nothing was written\n"
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn pretend_with_diff_prints_the_diff_of_every_change() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: app\n"),
        ("a.txt.hbs", "one\n{{name}}\nthree\n"),
    ]);
    h.write("dest/a.txt", "one\ntwo\nthree\n");
    let before = read_tree(&h.dest());
    let run = h
        .copy(&["--defaults", "--pretend", "--diff", "--overwrite"])
        .success();
    assert_eq!(read_tree(&h.dest()), before);
    let answers = h.answers_text("name: app\n");
    let added: String = answers.lines().map(|l| format!("+{l}\n")).collect();
    assert_eq!(
        run.stdout,
        format!(
            "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+app\n three\n\
             --- /dev/null\n+++ b/.graft-answers.yml\n@@ -0,0 +1,{} @@\n{added}",
            answers.lines().count()
        )
    );
}

#[test]
fn copy_into_a_folder_with_identical_files_reports_them() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: app\n"),
        ("same.txt", "same\n"),
        ("new.txt", "new\n"),
    ]);
    h.write("dest/same.txt", "same\n");
    h.write("dest/own.txt", "mine\n");
    let run = h.copy(&["--defaults"]).success();
    assert_eq!(
        run.stderr,
        format!(
            "    create  new.txt\n identical  same.txt\n    create  .graft-answers.yml\n\n\
             copied {} into dest: 2 created, 0 updated, 1 identical, 0 skipped\n",
            h.template_src()
        )
    );
    assert_eq!(h.dest_file("own.txt"), "mine\n");
}

#[test]
fn differing_files_without_overwrite_stop_before_writing() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: app\n"),
        ("a.txt", "template\n"),
        ("b.txt", "new\n"),
    ]);
    h.write("dest/a.txt", "mine\n");
    let before = read_tree(&h.dest());
    let run = h.copy(&["--defaults"]).code(2);
    assert_eq!(
        run.stderr,
        "error: 1 existing file(s) in `dest` would be overwritten: `a.txt`\n\
         hint: use `--overwrite` to replace them, or run on a terminal to decide per file\n"
    );
    assert_eq!(read_tree(&h.dest()), before);
}

#[test]
fn overwrite_replaces_differing_files() {
    let h = Harness::new();
    h.template(&[("graft.yml", "name: app\n"), ("a.txt.hbs", "{{name}}\n")]);
    h.write("dest/a.txt", "mine\n");
    let run = h.copy(&["--defaults", "--overwrite"]).success();
    assert_eq!(h.dest_file("a.txt"), "app\n");
    assert!(
        run.stderr.starts_with("    update  a.txt\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn force_means_defaults_and_overwrite() {
    let h = Harness::new();
    h.template(&[("graft.yml", "name: app\n"), ("a.txt.hbs", "{{name}}\n")]);
    h.write("dest/a.txt", "mine\n");
    h.copy(&["--force"]).success();
    assert_eq!(h.dest_file("a.txt"), "app\n");
    h.assert_answers("name: app\n");
}

#[test]
fn json_report() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: app\n_tasks: [\"true\"]\n"),
        ("a.txt.hbs", "{{name}}\n"),
        ("same.txt", "same\n"),
    ]);
    h.write("dest/same.txt", "same\n");
    let run = h.copy(&["--defaults", "--json", "--trust"]).success();
    h.insta()
        .bind(|| insta::assert_snapshot!("copy_json_report", run.stdout));
}

#[test]
fn quiet_prints_nothing_on_success() {
    let h = Harness::new();
    h.template(&[
        ("graft.yml", "name: app\n_message_after_copy: done\n"),
        ("a.txt", "a"),
    ]);
    let run = h.copy(&["--defaults", "-q"]).success();
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    assert_eq!(h.dest_file("a.txt"), "a");
}

#[test]
fn answers_file_text_is_exact() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "zeta: \"no\"\nalpha: \"yes\"\nversion: \"1.0\"\nempty: \"\"\nhash: \"#x\"\nmulti: \"a\\nb\"\n",
        ),
        ("x.txt", "x"),
    ]);
    h.copy(&["--defaults"]).success();
    assert_eq!(
        h.dest_file(ANSWERS_FILE),
        format!(
            "# Managed by graft: change answers with `graft update --data KEY=VALUE`.\n\
             _src_path: {}\n\
             zeta: \"no\"\n\
             alpha: \"yes\"\n\
             version: \"1.0\"\n\
             empty: \"\"\n\
             hash: \"#x\"\n\
             multi: |-\n  a\n  b\n",
            h.path("template").display()
        )
    );
}

#[test]
fn source_path_is_absolute_when_given_relative() {
    let h = Harness::new();
    h.template(&[("graft.yml", "name: app\n")]);
    h.mkdir("work");
    let mut cmd = h.graft(["copy", "../template", "out", "--defaults"]);
    cmd.current_dir(h.path("work"));
    crate::harness::Run::of(cmd).success();
    let text = crate::harness::read(&h.path("work/out").join(ANSWERS_FILE));
    assert!(
        text.contains(&format!("\n_src_path: {}\n", h.template_src())),
        "{text}"
    );
}

#[test]
fn messages_before_and_after_copy_go_to_stderr() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "_message_before_copy: \"Rendering into {{_graft.dst_name}}\"\n\
             _message_after_copy: \"Next: cd {{name}}\"\nname: app\n",
        ),
        ("a.txt", "a"),
    ]);
    let run = h.copy(&["--defaults"]).success();
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "Rendering into {DEST}\n    create  a.txt\n    create  .graft-answers.yml\nNext: cd app\n\n\
             copied {} into {DEST}: 2 created, 0 updated, 0 identical, 0 skipped\n",
            h.template_src()
        )
    );
}

const TASKS: &str = r#"_tasks:
  - "echo first $GRAFT_OPERATION $GRAFT_ANSWER_NAME $GRAFT_ANSWER_PORT >> log.txt"
  - [sh, -c, "echo second $(basename $PWD) >> log.txt"]
  - command: "echo never >> log.txt"
    when: "{{eq name 'other'}}"
name: app
port: 8080
"#;

#[test]
fn tasks_without_trust_are_refused_and_nothing_is_written() {
    let h = Harness::new();
    h.template(&[("graft.yml", TASKS), ("a.txt", "a")]);
    let run = h.copy(&["--defaults"]).code(4);
    assert_eq!(
        run.stderr,
        format!(
            "error: template `{}` wants to run commands, and it is not trusted:\n\
             \x20 echo first $GRAFT_OPERATION $GRAFT_ANSWER_NAME $GRAFT_ANSWER_PORT >> log.txt\n\
             \x20 sh -c 'echo second $(basename $PWD) >> log.txt'\n\
             hint: review the commands; if you trust this template, run again with `--trust` \
             or add it to `trust:` in your settings (or skip tasks with `--skip-tasks`)\n",
            h.template_src()
        )
    );
    assert!(!h.dest().exists());
}

#[test]
fn trusted_tasks_run_in_dest_in_order_with_answers_in_env() {
    let h = Harness::new();
    h.template(&[("graft.yml", TASKS), ("a.txt", "a")]);
    h.copy(&["--defaults", "--trust"]).success();
    assert_eq!(
        h.dest_file("log.txt"),
        format!("first copy app 8080\nsecond {DEST}\n")
    );
}

#[test]
fn trust_in_settings_trusts_the_source() {
    let h = Harness::new();
    h.template(&[("graft.yml", TASKS), ("a.txt", "a")]);
    h.settings(&format!("trust:\n  - {}\n", h.template_src()));
    h.copy(&["--defaults"]).success();
    assert_eq!(
        h.dest_file("log.txt"),
        format!("first copy app 8080\nsecond {DEST}\n")
    );
}

#[test]
fn trust_by_folder_prefix_in_settings() {
    let h = Harness::new();
    h.template(&[("graft.yml", TASKS), ("a.txt", "a")]);
    h.settings(&format!("trust:\n  - {}/\n", h.root().display()));
    h.copy(&["--defaults"]).success();
    assert!(h.dest().join("log.txt").exists());
}

#[test]
fn skip_tasks_copies_without_running_or_trust() {
    let h = Harness::new();
    h.template(&[("graft.yml", TASKS), ("a.txt", "a")]);
    h.copy(&["--defaults", "--skip-tasks"]).success();
    assert_eq!(
        read_tree(&h.dest())
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        [ANSWERS_FILE, "a.txt"]
    );
}

#[test]
fn failing_task_fails_the_copy_and_removes_the_folder_it_created() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "_tasks: [\"touch ran\", \"exit 3\", \"touch after\"]\nname: app\n",
        ),
        ("a.txt", "a"),
    ]);
    let run = h.copy(&["--defaults", "--trust", "-q"]).code(2);
    assert_eq!(run.stderr, "error: task `exit 3` failed with exit code 3\n");
    assert!(!h.dest().exists());

    // Parents graft created on the way go too; folders that were there stay.
    let run = h
        .run(&[
            "copy",
            "template",
            "new/nested/dest",
            "--defaults",
            "--trust",
            "-q",
        ])
        .code(2);
    assert_eq!(run.stderr, "error: task `exit 3` failed with exit code 3\n");
    assert!(!h.path("new").exists());
    assert!(h.path("template").is_dir());
}

#[test]
fn stderr_of_a_normal_copy() {
    let h = Harness::new();
    h.template(&[
        (
            "graft.yml",
            "_message_before_copy: Welcome\n_message_after_copy: Bye\nname: My App\n",
        ),
        ("README.md.hbs", "# {{name}}\n"),
        ("src/{{snake_case name}}/__init__.py", ""),
        ("same.txt", "same\n"),
    ]);
    h.mkdir("template/empty");
    h.write("dest/same.txt", "same\n");
    let run = h.copy(&["--defaults"]).success();
    h.insta()
        .bind(|| insta::assert_snapshot!("copy_stderr", run.stderr));
}

#[test]
fn local_git_template_renders_its_highest_tag_and_records_it() {
    let h = Harness::new();
    let mut repo = GitRepo::init(&h, "template");
    let sha = repo.commit(
        &[("graft.yml", "name: app\n"), ("a.txt.hbs", "{{name}}\n")],
        &[],
        "first",
    );
    repo.tag("v1.0.0");
    repo.commit(&[("b.txt", "unreleased\n")], &[], "after the release");
    h.copy(&["--defaults"]).success();
    assert_eq!(
        text_files(&h.dest()),
        files(&[
            (
                ANSWERS_FILE,
                &format!(
                    "{ANSWERS_HEADER}_src_path: {}\n_commit: v1.0.0\n_commit_sha: {sha}\nname: app\n",
                    h.template_src()
                )
            ),
            ("a.txt", "app\n"),
        ])
    );
}
