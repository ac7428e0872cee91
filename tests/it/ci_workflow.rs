//! The scheduled update workflow of docs/ci.md, its steps run here as a
//! runner would run them: in a clone of the project, with `$GITHUB_OUTPUT`
//! and `$RUNNER_TEMP`, `if:` conditions and step environments, `gh`
//! replaced by a stand-in that records its arguments.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::Value;

use crate::harness::{GitRepo, Harness, DEST, TEMPLATE};

/// The workflow's YAML, as docs/ci.md shows it.
fn workflow() -> Value {
    let page = include_str!("../../docs/ci.md");
    let fence = "```yaml file=.github/workflows/template-update.yml\n";
    let start = page.find(fence).expect("docs/ci.md shows the workflow") + fence.len();
    let yaml = &page[start..start + page[start..].find("```").expect("closed")];
    serde_saphyr::from_str(yaml).expect("the workflow is YAML")
}

/// Replaces the `${{ … }}` expressions the workflow uses.
fn expand(text: &str, outputs: &BTreeMap<String, BTreeMap<String, String>>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("a closed expression") + start;
        let expr = rest[start + 3..end].trim();
        let value = match expr.split('.').collect::<Vec<_>>()[..] {
            ["github", "token"] => "a-token".to_string(),
            ["steps", id, "outputs", key] => outputs
                .get(id)
                .and_then(|o| o.get(key))
                .cloned()
                .unwrap_or_default(),
            _ => panic!("the test does not know the expression {expr}"),
        };
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// `steps.ID.outputs.KEY == 'VALUE'`, the only form of `if:` the workflow uses.
fn condition(expr: &str, outputs: &BTreeMap<String, BTreeMap<String, String>>) -> bool {
    let (left, right) = expr.split_once("==").expect("an == condition");
    let right = right.trim().trim_matches('\'');
    expand(&format!("${{{{ {} }}}}", left.trim()), outputs) == right
}

/// Runs the job's steps in `checkout`; returns the exit code of the job.
fn run_job(h: &Harness, checkout: &Path) -> i32 {
    let workflow = workflow();
    let steps = workflow["jobs"]["update"]["steps"]
        .as_array()
        .expect("steps");
    let bin = h.path("bin");
    fs::create_dir_all(&bin).expect("bin");
    let gh = h.write(
        "bin/gh",
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$GH_CALLS\"\n",
    );
    fs::set_permissions(&gh, fs::Permissions::from_mode(0o755)).expect("chmod gh");
    let graft_dir = Path::new(env!("CARGO_BIN_EXE_graft")).parent().unwrap();
    let path = std::env::join_paths(
        [bin, graft_dir.to_path_buf()]
            .into_iter()
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let temp = h.path("runner-temp");
    fs::create_dir_all(&temp).expect("runner temp");
    let mut outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (i, step) in steps.iter().enumerate() {
        if let Some(action) = step["uses"].as_str() {
            assert!(action.starts_with("actions/checkout@"), "{action}");
            continue;
        }
        let run = step["run"].as_str().expect("a run step");
        if step["name"] == "Install graft" {
            assert_eq!(run.trim(), "pipx install graft-templates");
            continue;
        }
        if let Some(expr) = step["if"].as_str() {
            if !condition(expr, &outputs) {
                continue;
            }
        }
        let output_file = temp.join(format!("output-{i}"));
        fs::write(&output_file, "").expect("GITHUB_OUTPUT");
        let mut cmd = h.program(Path::new("bash"));
        cmd.args(["--noprofile", "--norc", "-e", "-c", run])
            .current_dir(checkout)
            .env("PATH", &path)
            .env("GITHUB_OUTPUT", &output_file)
            .env("RUNNER_TEMP", &temp)
            .env("GH_CALLS", h.path("gh-calls"));
        if let Some(env) = step["env"].as_object() {
            for (key, value) in env {
                cmd.env(key, expand(value.as_str().expect("text"), &outputs));
            }
        }
        let status = cmd.status().expect("run the step");
        if !status.success() {
            return status.code().unwrap_or(-1);
        }
        if let Some(id) = step["id"].as_str() {
            let text = fs::read_to_string(&output_file).expect("read GITHUB_OUTPUT");
            let values = text
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            outputs.insert(id.to_string(), values);
        }
    }
    // Nothing the job wrote is left in the work tree.
    let status = GitRepo::open(h, &checkout.file_name().unwrap().to_string_lossy()).status();
    assert_eq!(status, "");
    0
}

/// A template at v1.0.0 and v2.0.0, a project copied at v1.0.0 with an
/// edit of its own pushed to `origin.git`, and a fresh clone of it.
fn project(h: &Harness, own_port: &str) -> GitRepo {
    let mut template = GitRepo::init(h, TEMPLATE);
    template.release(
        "v1.0.0",
        &[
            ("graft.yml", "name: {default: shop}\n"),
            ("app.py", "# app\n\nPORT = 8000\nDEBUG = False\n"),
        ],
        &[],
    );
    h.copy(&["--defaults", "-q"]).success();
    let mut project = GitRepo::init(h, DEST);
    project.commit(&[("app.py", own_port)], &[], "generated by graft");
    GitRepo::open(h, ".").git(&["init", "-q", "--bare", "-b", "main", "origin.git"]);
    project.git(&[
        "push",
        "-q",
        &h.path("origin.git").display().to_string(),
        "main",
    ]);
    template.release(
        "v2.0.0",
        &[(
            "app.py",
            "# app\n\nPORT = 8080\nDEBUG = False\nLOG_LEVEL = \"info\"\n",
        )],
        &[],
    );
    GitRepo::open(h, ".").git(&["clone", "-q", "origin.git", "checkout"]);
    GitRepo::open(h, "checkout")
}

#[test]
fn the_scheduled_workflow_pushes_a_clean_update_and_opens_a_pull_request() {
    let h = Harness::new();
    let checkout = project(&h, "# our app\n\nPORT = 8000\nDEBUG = False\n");
    assert_eq!(run_job(&h, &checkout.path), 0);
    let origin = GitRepo::open(&h, "origin.git");
    assert_eq!(
        origin.git(&["log", "-1", "--format=%s%n%an", "template-update/v2.0.0"]),
        "Update from the template's v2.0.0\ngithub-actions[bot]\n"
    );
    assert_eq!(
        origin.git(&["show", "template-update/v2.0.0:app.py"]),
        "# our app\n\nPORT = 8080\nDEBUG = False\nLOG_LEVEL = \"info\"\n"
    );
    assert_eq!(
        fs::read_to_string(h.path("gh-calls")).unwrap(),
        "pr\ncreate\n--head\ntemplate-update/v2.0.0\n--title\nTemplate update to v2.0.0\n\
         --body\ngraft update to v2.0.0.\n"
    );
}

#[test]
fn the_scheduled_workflow_commits_conflicts_and_says_so_in_the_pull_request() {
    let h = Harness::new();
    let checkout = project(&h, "# app\n\nPORT = 9000\nDEBUG = False\n");
    assert_eq!(run_job(&h, &checkout.path), 0);
    let origin = GitRepo::open(&h, "origin.git");
    assert_eq!(
        origin.git(&["show", "template-update/v2.0.0:app.py"]),
        "# app\n\n<<<<<<< before updating\nPORT = 9000\n=======\nPORT = 8080\n>>>>>>> after updating\n\
         DEBUG = False\nLOG_LEVEL = \"info\"\n"
    );
    let calls = fs::read_to_string(h.path("gh-calls")).unwrap();
    assert!(
        calls.ends_with(
            "--body\ngraft update to v2.0.0. It left conflicts: resolve the conflict markers before merging.\n"
        ),
        "{calls}"
    );
}

#[test]
fn the_scheduled_workflow_does_nothing_when_the_project_is_up_to_date() {
    let h = Harness::new();
    let checkout = project(&h, "# app\n\nPORT = 8000\nDEBUG = False\n");
    GitRepo::open(&h, TEMPLATE).git(&["tag", "-d", "v2.0.0"]);
    assert_eq!(run_job(&h, &checkout.path), 0);
    assert!(!h.path("gh-calls").exists());
    let branches = GitRepo::open(&h, "origin.git").git(&["branch", "--format=%(refname:short)"]);
    assert_eq!(branches, "main\n");
}
