//! The Renovate configuration in `examples/renovate.json` (README "Fleets
//! of projects"): its regular expressions applied, the way Renovate's regex
//! manager applies them, to answers files graft and Python Copier wrote;
//! its templates rendered with Renovate's `replace` helper; and its
//! post-upgrade commands run on a project after Renovate's own edit, as a
//! Renovate run would, ending in a merged update.

use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value;

use crate::harness::{read, GitDaemon, GitRepo, Harness, Run, ANSWERS_FILE, DEST};

/// The configuration, as a user copies it.
fn config() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/renovate.json");
    serde_json::from_str(&read(&path)).expect("examples/renovate.json is JSON")
}

fn manager() -> Value {
    config()["customManagers"][0].clone()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("a string").to_string())
        .collect()
}

/// `managerFilePatterns`: Renovate's `/regex/` strings.
fn file_patterns() -> Vec<Regex> {
    strings(&manager()["managerFilePatterns"])
        .iter()
        .map(|p| {
            let inner = p
                .strip_prefix('/')
                .and_then(|p| p.strip_suffix('/'))
                .expect("a /regex/ pattern");
            Regex::new(inner).expect("a valid pattern")
        })
        .collect()
}

/// One dependency the regex manager extracts: (depName, currentValue), and
/// where currentValue sits in the file.
#[derive(Debug, PartialEq)]
struct Found {
    dep_name: String,
    current_value: String,
    at: std::ops::Range<usize>,
}

/// What the regex manager extracts from `text` (its default
/// `matchStringsStrategy`, `any`: every match string on its own).
fn extract(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    for pattern in strings(&manager()["matchStrings"]) {
        let re = Regex::new(&pattern).expect("a match string the regex crate reads");
        for caps in re.captures_iter(text) {
            let value = caps.name("currentValue").expect("currentValue");
            out.push(Found {
                dep_name: caps["depName"].to_string(),
                current_value: value.as_str().to_string(),
                at: value.range(),
            });
        }
    }
    out
}

/// A Renovate template rendered with `fields`, with Renovate's `replace`
/// helper (a global regex replace, `$1` style replacements).
fn render(template: &str, fields: &Value) -> String {
    let mut hb = handlebars::Handlebars::new();
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_helper("replace", Box::new(ReplaceHelper));
    // JavaScript's handlebars takes 'single-quoted' strings; this one only
    // "double-quoted" ones.
    let quotes = Regex::new(r#"'([^'"]*)'"#).expect("regex");
    let template = quotes.replace_all(template, r#""$1""#);
    hb.render_template(&template, fields)
        .expect("a template Renovate renders")
}

/// Renovate's `replace`: `(replace FIND REPLACE TEXT)`, also inside a
/// subexpression.
struct ReplaceHelper;

impl handlebars::HelperDef for ReplaceHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &handlebars::Helper<'rc>,
        _: &'reg handlebars::Handlebars<'reg>,
        _: &'rc handlebars::Context,
        _: &mut handlebars::RenderContext<'reg, 'rc>,
    ) -> Result<handlebars::ScopedJson<'rc>, handlebars::RenderError> {
        let arg = |i: usize| {
            h.param(i)
                .and_then(|p| p.value().as_str())
                .unwrap_or_default()
                .to_string()
        };
        let re = Regex::new(&arg(0)).expect("a valid regex");
        let replaced = re.replace_all(&arg(2), arg(1).as_str()).into_owned();
        Ok(handlebars::ScopedJson::Derived(Value::String(replaced)))
    }
}

/// The git URL Renovate's `git-tags` datasource is asked about.
fn package_name(dep_name: &str) -> String {
    let template = manager()["packageNameTemplate"]
        .as_str()
        .expect("packageNameTemplate")
        .to_string();
    render(&template, &serde_json::json!({ "depName": dep_name }))
}

#[test]
fn the_file_patterns_find_every_answers_file_and_nothing_else() {
    let patterns = file_patterns();
    let matched = |path: &str| patterns.iter().any(|p| p.is_match(path));
    for path in [
        ".graft-answers.yml",
        ".graft-answers.yaml",
        "services/api/.graft-answers.yml",
        ".graft-answers.module-customers.yml",
        ".copier-answers.yml",
        "sub/.copier-answers.ci.yaml",
    ] {
        assert!(matched(path), "{path}");
    }
    for path in [
        "graft-answers.yml",
        ".graft-answers.yml.bak",
        "docs/graft.yml",
        ".copier-answers.yml/notes.txt",
    ] {
        assert!(!matched(path), "{path}");
    }
    assert_eq!(manager()["datasourceTemplate"], "git-tags");
}

#[test]
fn the_match_strings_read_answers_files_copier_wrote() {
    // Trees Python Copier 9.19.1 rendered; `{{SRC}}` stands for the
    // template's source as the person gave it, which Copier writes as is.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/copier");
    let mut checked = 0;
    for entry in std::fs::read_dir(&fixtures).expect("tests/copier") {
        let file = entry
            .expect("entry")
            .path()
            .join("expected/.copier-answers.yml");
        if !file.is_file() {
            continue;
        }
        let text = read(&file);
        for (src, url) in [
            (
                "gh:acme/service-template",
                "https://github.com/acme/service-template",
            ),
            (
                "gl:acme/group/template",
                "https://gitlab.com/acme/group/template",
            ),
            (
                "git+https://git.example.com/t.git",
                "https://git.example.com/t.git",
            ),
            (
                "https://github.com/acme/t.git",
                "https://github.com/acme/t.git",
            ),
            ("git@github.com:acme/t.git", "git@github.com:acme/t.git"),
        ] {
            let text = text.replace("{{SRC}}", src);
            let found = extract(&text);
            assert_eq!(found.len(), 1, "{}: {found:?}", file.display());
            assert_eq!(found[0].dep_name, src);
            assert_eq!(found[0].current_value, "v1.0.0");
            assert_eq!(&text[found[0].at.clone()], "v1.0.0");
            assert_eq!(package_name(src), url);
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} Copier answers files");
}

#[test]
fn the_match_strings_read_quoted_values_and_skip_local_templates() {
    let quoted = "_commit: '1.0'\n_src_path: \"gh:acme/t\"\nname: x\n";
    let found = extract(quoted);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].dep_name.as_str(), found[0].current_value.as_str()),
        ("gh:acme/t", "1.0")
    );
    // A template on this disk has no tags Renovate can look up.
    let local = "_src_path: /home/ada/template\n_commit: v1.0.0\n";
    assert_eq!(extract(local), []);
    // `_commit_sha` is not `_commit`.
    let sha_only = "_src_path: gh:acme/t\n_commit_sha: 3f5c9a0e\n";
    assert_eq!(extract(sha_only), []);
}

/// A template served over `git://` with releases v1.0.0 and v2.0.0, and a
/// project copied from it at v1.0.0, committed, then edited and committed.
fn served_project(h: &Harness) -> (GitDaemon, GitRepo) {
    let mut template = GitRepo::init(h, "served/template");
    template.release(
        "v1.0.0",
        &[
            ("graft.yml", "name: app\n"),
            ("app.py", "PORT = 8000\nDEBUG = False\n"),
        ],
        &[],
    );
    template.release(
        "v2.0.0",
        &[("app.py", "PORT = 8000\nDEBUG = False\nWORKERS = 4\n")],
        &[],
    );
    let daemon = GitDaemon::start(h, "served");
    h.run(&[
        "copy",
        &daemon.url("template"),
        DEST,
        "--defaults",
        "-q",
        "--vcs-ref",
        "v1.0.0",
    ])
    .success();
    let mut project = GitRepo::init(h, DEST);
    project.commit(&[], &[], "generated by graft");
    project.commit(
        &[("app.py", "PORT = 9000\nDEBUG = False\n")],
        &[],
        "our port",
    );
    (daemon, project)
}

#[test]
fn the_match_strings_read_the_answers_file_graft_writes() {
    let h = Harness::new();
    let (daemon, _project) = served_project(&h);
    let text = read(&h.dest().join(ANSWERS_FILE));
    let found = extract(&text);
    assert_eq!(found.len(), 1, "{text}");
    assert_eq!(found[0].dep_name, daemon.url("template"));
    assert_eq!(found[0].current_value, "v1.0.0");
    assert_eq!(package_name(&found[0].dep_name), daemon.url("template"));
}

/// Does what Renovate does once `git-tags` offered `new_version` for the
/// answers file `package_file` of the repository at `repo`: replaces the
/// current value in the file, then runs each post-upgrade command,
/// rendered, in the repository with graft on PATH. The last command's run.
fn renovate_upgrade(h: &Harness, repo: &Path, package_file: &str, new_version: &str) -> Run {
    let path = repo.join(package_file);
    let mut text = read(&path);
    let found = extract(&text);
    assert_eq!(found.len(), 1, "{text}");
    text.replace_range(found[0].at.clone(), new_version);
    std::fs::write(&path, text).expect("write the answers file");

    let dir = Path::new(package_file)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| ".".to_string());
    let fields = serde_json::json!({
        "packageFile": package_file,
        "packageFileDir": dir,
        "newVersion": new_version,
        "newValue": new_version,
        "depName": found[0].dep_name,
    });
    let tasks = &config()["postUpgradeTasks"];
    assert_eq!(tasks["executionMode"], "update");
    let graft = PathBuf::from(env!("CARGO_BIN_EXE_graft"));
    let path_var = format!(
        "{}:{}",
        graft.parent().expect("bin folder").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut last = None;
    for command in strings(&tasks["commands"]) {
        let command = render(&command, &fields);
        let mut cmd = h.program(Path::new("sh"));
        cmd.current_dir(repo)
            .args(["-c", &command])
            .env("PATH", &path_var);
        let run = Run::of(assert_cmd::Command::from_std(cmd));
        assert_eq!(run.code, 0, "{command}\n{}", run.stderr);
        last = Some(run);
    }
    last.expect("post-upgrade commands")
}

#[test]
fn the_post_upgrade_commands_update_the_project_after_renovates_edit() {
    let h = Harness::new();
    let (_daemon, project) = served_project(&h);
    let before = read(&h.dest().join(ANSWERS_FILE));
    renovate_upgrade(&h, &h.dest(), ANSWERS_FILE, "v2.0.0");
    // The template's new line merged under the project's own port.
    assert_eq!(
        read(&h.dest().join("app.py")),
        "PORT = 9000\nDEBUG = False\nWORKERS = 4\n"
    );
    let after = read(&h.dest().join(ANSWERS_FILE));
    assert!(after.contains("\n_commit: v2.0.0\n"), "{after}");
    assert_ne!(before, after);
    // What Renovate commits: the merge and the new answers, nothing else.
    assert_eq!(project.status(), " M .graft-answers.yml\n M app.py\n");
}

#[test]
fn the_post_upgrade_commands_update_a_project_in_a_sub_folder() {
    let h = Harness::new();
    let (_daemon, _project) = served_project(&h);
    // The project as one folder of a larger repository.
    std::fs::remove_dir_all(h.dest().join(".git")).expect("remove .git");
    h.mkdir("mono/services");
    std::fs::rename(h.dest(), h.path("mono/services/api")).expect("move the project");
    let mut mono = GitRepo::init(&h, "mono");
    mono.commit(&[], &[], "monorepo");
    let package_file = format!("services/api/{ANSWERS_FILE}");
    renovate_upgrade(&h, &h.path("mono"), &package_file, "v2.0.0");
    assert_eq!(
        read(&h.path("mono/services/api/app.py")),
        "PORT = 9000\nDEBUG = False\nWORKERS = 4\n"
    );
    assert!(read(&h.path(&format!("mono/{package_file}"))).contains("\n_commit: v2.0.0\n"));
}
