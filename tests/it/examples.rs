//! Renders the bundled template (`template-repo/`) and every example under
//! `examples/` non-interactively, the way the READMEs say, and checks what
//! comes out. graft runs isolated from the user's settings and cache.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch folder holding the destination, the (absent) settings file and
/// the cache, so that nothing of the user's machine leaks in.
struct Scratch {
    dir: TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The bundled template's git history (`make-history.sh`), in `history/`.
    fn history(&self) -> PathBuf {
        let history = self.dir.path().join("history");
        let out = std::process::Command::new("sh")
            .arg(repo().join("template-repo/make-history.sh"))
            .arg(&history)
            .output()
            .expect("run make-history.sh");
        assert!(out.status.success(), "{out:?}");
        history
    }

    fn dest(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn graft(&self) -> Command {
        let mut cmd = Command::cargo_bin("graft").expect("graft binary");
        cmd.current_dir(repo())
            .env("GRAFT_SETTINGS", self.dir.path().join("no-settings.yml"))
            .env("GRAFT_CACHE_DIR", self.dir.path().join("cache"))
            .env("NO_COLOR", "1");
        cmd
    }

    /// `graft copy examples/NAME out --data-file examples/NAME/answers.yml --defaults --trust`
    fn copy_example(&self, name: &str) {
        let src = format!("examples/{name}");
        self.graft()
            .arg("copy")
            .arg(&src)
            .arg(self.dest())
            .arg("--data-file")
            .arg(format!("{src}/answers.yml"))
            .args(["--defaults", "--trust", "--quiet"])
            .assert()
            .success();
    }

    /// Renders `template-repo` into `out` with `--defaults` and `data` answers.
    fn copy_service(&self, data: &[&str]) {
        let mut cmd = self.graft();
        cmd.arg("copy")
            .arg("template-repo")
            .arg(self.dest())
            .args(["--defaults", "--quiet"]);
        for d in data {
            cmd.args(["-d", d]);
        }
        cmd.assert().success();
    }

    fn read(&self, path: &str) -> String {
        let file = self.dest().join(path);
        fs::read_to_string(&file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()))
    }

    fn exists(&self, path: &str) -> bool {
        self.dest().join(path).exists()
    }

    /// Every file under `out` with its bytes, by relative path.
    fn tree(&self) -> std::collections::BTreeMap<String, Vec<u8>> {
        self.files()
            .into_iter()
            .map(|f| {
                let bytes = fs::read(self.dest().join(&f)).expect("read");
                (f, bytes)
            })
            .collect()
    }

    /// Makes `out` hold exactly `tree` again.
    fn restore(&self, tree: &std::collections::BTreeMap<String, Vec<u8>>) {
        fs::remove_dir_all(self.dest()).expect("remove out");
        for (path, bytes) in tree {
            let file = self.dest().join(path);
            fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            fs::write(file, bytes).expect("write");
        }
    }

    /// Every file under `out`, relative, `/`-separated, sorted.
    fn files(&self) -> Vec<String> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
            for entry in fs::read_dir(dir).expect("read dir") {
                let path = entry.expect("dir entry").path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else {
                    let rel = path.strip_prefix(root).expect("inside root");
                    let parts: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
                    out.push(parts.join("/"));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.dest(), &self.dest(), &mut out);
        out.sort();
        out
    }
}

/// The files a database-backed module adds under `modules/<name>/`.
const MODULE_FILES: [&str; 7] = [
    "__init__.py",
    "model.py",
    "orm.py",
    "repository.py",
    "router.py",
    "schemas.py",
    "service.py",
];
#[test]
fn minimal_example() {
    let s = Scratch::new();
    s.copy_example("minimal");
    assert_eq!(s.read("greeting.txt"), "Hello, Ada!\n");
    assert_eq!(s.files(), [".graft-answers.yml", "greeting.txt"]);
    assert!(s.read(".graft-answers.yml").ends_with("\nname: Ada\n"));
}

#[test]
fn conditional_example() {
    let s = Scratch::new();
    s.copy_example("conditional");
    assert_eq!(
        s.files(),
        [
            ".graft-answers.yml",
            "README.md",
            "docs/index.md",
            "src/my_demo.py"
        ]
    );
    assert_eq!(
        s.read("README.md"),
        "# my-demo\n\nDocumentation: see docs/index.md.\n\nAll rights reserved.\n"
    );
    assert_eq!(s.read("docs/index.md"), "# My Demo documentation\n");
    assert_eq!(
        s.read("src/my_demo.py"),
        "\"\"\"The my-demo package.\"\"\"\n"
    );
}

#[test]
fn conditional_example_with_the_other_answers() {
    let s = Scratch::new();
    s.graft()
        .args(["copy", "examples/conditional"])
        .arg(s.dest())
        .args(["--defaults", "--quiet", "-d", "project=x"])
        .assert()
        .success();
    assert_eq!(
        s.files(),
        [".graft-answers.yml", "LICENSE", "README.md", "src/x.py"]
    );
    assert_eq!(
        s.read("README.md"),
        "# x\n\nLicensed under the MIT license (see LICENSE).\n"
    );
}

#[test]
fn tasks_example() {
    let s = Scratch::new();
    s.copy_example("tasks");
    assert_eq!(s.read("setup.log"), "tasks-demo set up by graft copy\n");
    assert_eq!(s.read("build/ready"), "ready\n");
    assert!(s.dest().join("build/cache").is_dir());
}

#[test]
fn tasks_example_needs_trust() {
    let s = Scratch::new();
    s.graft()
        .args(["copy", "examples/tasks"])
        .arg(s.dest())
        .args(["--defaults", "--quiet"])
        .assert()
        .code(4);
    assert!(!s.exists("setup.log"));
}

#[test]
fn service_module_example_inside_a_generated_service() {
    let s = Scratch::new();
    s.copy_service(&["project_name=shop-api"]);
    s.copy_example("service");

    let module = "src/shop_api/modules/orders";
    for file in MODULE_FILES {
        assert!(s.exists(&format!("{module}/{file}")), "{module}/{file}");
    }
    assert!(s.exists("tests/modules/test_orders.py"));
    assert!(s.exists("migrations/versions/orders_0001_create_orders.py"));
    assert!(s
        .read(&format!("{module}/model.py"))
        .contains("class Order:"));
    let answers = s.read(".graft-answers.module-orders.yml");
    assert!(
        answers.ends_with("\nname: orders\nentity: order\n"),
        "{answers}"
    );
    // The service's own answers are untouched.
    assert!(s
        .read(".graft-answers.yml")
        .contains("\nproject_name: shop-api\n"));
}

#[test]
fn service_module_example_without_a_database_has_no_orm() {
    let s = Scratch::new();
    s.copy_service(&["project_name=shop-api", "database=none"]);
    s.copy_example("service");
    assert!(s.exists("src/shop_api/modules/orders/repository.py"));
    assert!(!s.exists("src/shop_api/modules/orders/orm.py"));
    assert!(!s.exists("migrations"));
    assert!(s.read("src/shop_api/bootstrap.py").ends_with(
        "# graft: models\n\
         # >>> graft .graft-answers.module-orders.yml\n\
         from shop_api.modules.orders import model as orders_models\n\
         \n\
         # <<< graft .graft-answers.module-orders.yml\n"
    ));
}

#[test]
fn module_examples_outside_a_service_say_so() {
    for example in ["service", "crud", "api-only"] {
        let s = Scratch::new();
        s.graft()
            .args(["copy", &format!("examples/{example}")])
            .arg(s.dest())
            .args(["--defaults", "-d", "name=customers"])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(
                "run this inside a service generated from template-repo",
            ));
    }
}

#[test]
fn crud_module_example_adds_a_table_its_migration_and_tests() {
    let s = Scratch::new();
    s.copy_service(&["project_name=shop-api", "database=postgres"]);
    s.copy_example("crud");
    let module = "src/shop_api/modules/customers";
    for file in MODULE_FILES {
        assert!(s.exists(&format!("{module}/{file}")), "{module}/{file}");
    }
    assert!(s.exists("tests/modules/test_customers.py"));
    assert!(s
        .read("migrations/versions/customers_0001_create_customers.py")
        .contains("op.create_table(\n        \"customers\",\n"));
    assert!(s.read(&format!("{module}/router.py")).contains(
        "\n@router.delete(\"/{customer_id}\", status_code=status.HTTP_204_NO_CONTENT)\n"
    ));
    assert!(s
        .read("src/shop_api/infrastructure/db/models.py")
        .ends_with(
            "# graft: models\n\
         # >>> graft .graft-answers.module-customers.yml\n\
         from shop_api.modules.customers import orm as customers_orm\n\
         \n\
         # <<< graft .graft-answers.module-customers.yml\n"
        ));
}

#[test]
fn crud_module_example_needs_a_database() {
    let s = Scratch::new();
    s.copy_service(&["project_name=shop-api", "database=none"]);
    let before = s.tree();
    s.graft()
        .args(["copy", "examples/crud"])
        .arg(s.dest())
        .args(["--defaults", "-d", "name=customers"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "this service has no database: a CRUD module needs one",
        ));
    assert_eq!(s.tree(), before);
}

#[test]
fn api_only_module_example_wires_only_its_router() {
    let s = Scratch::new();
    s.copy_service(&["project_name=shop-api", "database=none"]);
    let bootstrap = s.read("src/shop_api/bootstrap.py");
    s.copy_example("api-only");
    assert_eq!(
        s.files()
            .into_iter()
            .filter(|f| f.contains("text_stats"))
            .collect::<Vec<_>>(),
        [
            ".graft-answers.module-text_stats.yml",
            "src/shop_api/modules/text_stats/__init__.py",
            "src/shop_api/modules/text_stats/model.py",
            "src/shop_api/modules/text_stats/router.py",
            "src/shop_api/modules/text_stats/schemas.py",
            "tests/modules/test_text_stats.py",
        ]
    );
    assert!(s.read("src/shop_api/api/router.py").ends_with(
        "# graft: routers\n\
         # >>> graft .graft-answers.module-text_stats.yml\n\
         from shop_api.modules.text_stats.router import router as text_stats_router\n\
         \n\
         api_router.include_router(text_stats_router, prefix=\"/text_stats\", tags=[\"text_stats\"])\n\
         # <<< graft .graft-answers.module-text_stats.yml\n"
    ));
    assert_eq!(s.read("src/shop_api/bootstrap.py"), bootstrap);
}

/// Modules of two kinds in one service, for each database choice: both
/// wire themselves in side by side, and `graft remove` of each, in either
/// order, gives back the service as it was, byte for byte.
#[test]
fn two_module_kinds_in_one_service_come_out_byte_for_byte() {
    for (database, kinds) in [
        ("sqlite", ["crud", "api-only"]),
        ("postgres", ["crud", "service"]),
        ("none", ["service", "api-only"]),
    ] {
        let s = Scratch::new();
        s.copy_service(&["project_name=shop-api", &format!("database={database}")]);
        let service = s.tree();
        for kind in kinds {
            s.copy_example(kind);
        }
        let names: Vec<&str> = kinds
            .iter()
            .map(|kind| match *kind {
                "crud" => "customers",
                "service" => "orders",
                _ => "text_stats",
            })
            .collect();
        let router = s.read("src/shop_api/api/router.py");
        let first = router
            .find(&format!(
                "# >>> graft .graft-answers.module-{}.yml\n",
                names[0]
            ))
            .expect("first module's block");
        let second = router
            .find(&format!(
                "# >>> graft .graft-answers.module-{}.yml\n",
                names[1]
            ))
            .expect("second module's block");
        assert!(first < second, "{database}: {router}");
        for name in &names {
            assert!(s.exists(&format!("tests/modules/test_{name}.py")));
        }

        let both = s.tree();
        for order in [[0, 1], [1, 0]] {
            for i in order {
                s.graft()
                    .args(["remove"])
                    .arg(s.dest())
                    .args(["-a", &format!(".graft-answers.module-{}.yml", names[i])])
                    .assert()
                    .success();
            }
            assert_eq!(s.tree(), service, "{database}: removed in order {order:?}");
            s.restore(&both);
        }
    }
}

/// Every example folder has answers, and examples/README.md describes it.
#[test]
fn every_example_is_documented_and_has_answers() {
    let readme = fs::read_to_string(repo().join("examples/README.md")).expect("README");
    for entry in fs::read_dir(repo().join("examples")).expect("examples") {
        let path = entry.expect("entry").path();
        if !path.is_dir() {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(path.join("graft.yml").is_file(), "{name}: graft.yml");
        assert!(path.join("answers.yml").is_file(), "{name}: answers.yml");
        assert!(readme.contains(&format!("- `{name}/`")), "{name}: README");
    }
}

#[test]
fn template_repo_default_answers() {
    let s = Scratch::new();
    s.copy_service(&["project_name=shop-api"]);
    let answers = s.read(".graft-answers.yml");
    let recorded = answers.split_once("\nproject_name:").expect("answers").1;
    assert_eq!(
        recorded,
        " shop-api\ndescription: A FastAPI service\nauthor_name: Your Name\n\
         author_email: you@example.com\npython_version: \"3.12\"\ndatabase: sqlite\n\
         docker: true\nci: github\nlicense: MIT\n"
    );
    assert!(s
        .read("pyproject.toml")
        .contains("\nrequires-python = \">=3.11\"\n"));
    assert!(s
        .read("src/shop_api/api/router.py")
        .contains("\n# graft: routers\n"));
    assert!(s
        .read("src/shop_api/infrastructure/db/models.py")
        .contains("\n# graft: models\n"));
    assert!(s
        .read("LICENSE")
        .starts_with("MIT License\n\nCopyright (c) Your Name\n"));
}

#[test]
fn template_repo_markers_without_a_database() {
    let s = Scratch::new();
    s.copy_service(&[
        "project_name=shop-api",
        "database=none",
        "license=Apache-2.0",
    ]);
    assert!(s
        .read("src/shop_api/bootstrap.py")
        .ends_with("\n# graft: models\n"));
    assert!(s
        .read("src/shop_api/api/router.py")
        .contains("\n# graft: routers\n"));
    assert!(!s.read("pyproject.toml").contains("sqlalchemy"));
    assert!(s.read("LICENSE").contains("Apache License"));
}

/// The files of `template-repo` for each database, with Docker, CI and a
/// license all on or all off.
#[test]
fn template_repo_variants() {
    for database in ["sqlite", "postgres", "none"] {
        for extras in ["all", "bare"] {
            let s = Scratch::new();
            let database_answer = format!("database={database}");
            let mut data = vec!["project_name=shop-api", database_answer.as_str()];
            if extras == "bare" {
                data.extend(["docker=false", "ci=none", "license=none"]);
            }
            s.copy_service(&data);
            insta::assert_snapshot!(
                format!("template_repo_{database}_{extras}"),
                s.files().join("\n")
            );
        }
    }
}

/// `template-repo/make-history.sh` gives the same commits on every run, and
/// a service copied from v1.0.0 updates cleanly to the latest version.
#[test]
fn template_history_is_reproducible_and_updates() {
    let s = Scratch::new();
    let history = |dest: &Path| {
        let out = std::process::Command::new("sh")
            .arg(repo().join("template-repo/make-history.sh"))
            .arg(dest)
            .output()
            .expect("run make-history.sh");
        assert!(out.status.success(), "{out:?}");
        let sha = |tag: &str| {
            let out = std::process::Command::new("git")
                .arg("-C")
                .arg(dest)
                .args(["rev-parse", &format!("{tag}^{{commit}}")])
                .output()
                .expect("git rev-parse");
            String::from_utf8(out.stdout)
                .expect("utf-8")
                .trim()
                .to_string()
        };
        (sha("v1.0.0"), sha("v2.0.0"), sha("v2.1.0"))
    };
    let first = s.dir.path().join("history-1");
    let shas = history(&first);
    assert_eq!(history(&s.dir.path().join("history-2")), shas);

    s.graft()
        .arg("copy")
        .arg(&first)
        .arg(s.dest())
        .args(["--vcs-ref", "v1.0.0", "--defaults", "--quiet"])
        .args(["-d", "project_name=shop-api"])
        .assert()
        .success();
    assert!(!s.exists("src/shop_api/api/errors.py"));
    assert!(s.read(".graft-answers.yml").contains("\n_commit: v1.0.0\n"));
    assert!(s
        .read(".graft-answers.yml")
        .contains("\npython_version: \"3.11\"\n"));

    s.graft()
        .arg("update")
        .arg(s.dest())
        .arg("--quiet")
        .assert()
        .success();
    assert!(s.exists("src/shop_api/api/errors.py"));
    assert!(s
        .read("src/shop_api/api/app.py")
        .contains("\n    register_error_handlers(app)\n"));
    assert!(s.exists("src/shop_api/run.py"));
    assert!(s.read(".graft-answers.yml").contains("\n_commit: v2.1.0\n"));
}

/// The quick start of README.md: a service generated at v1.0.0, edited like
/// a user would, updated to v2.0.0; the template's changes and the user's
/// edits end up side by side.
#[test]
fn template_repo_update_merges_user_edits() {
    let s = Scratch::new();
    let history = s.history();
    s.graft()
        .arg("copy")
        .arg(&history)
        .arg(s.dest())
        .args(["--vcs-ref", "v1.0.0", "--defaults", "--quiet"])
        .args(["-d", "project_name=shop-api"])
        .assert()
        .success();

    let readme = s.read("README.md");
    assert!(readme.contains("## Getting started\n"));
    fs::write(
        s.dest().join("README.md"),
        format!("{readme}\n## Deploying\n\nRun `make deploy`.\n"),
    )
    .unwrap();
    let app = s.read("src/shop_api/api/app.py");
    let edited_app = app.replacen(
        "from fastapi import FastAPI\n",
        "import logging\n\nfrom fastapi import FastAPI\n",
        1,
    );
    assert_ne!(app, edited_app);
    fs::write(s.dest().join("src/shop_api/api/app.py"), &edited_app).unwrap();

    let out = s.graft().arg("update").arg(s.dest()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("     merge  README.md\n"), "{stderr}");
    assert!(
        stderr.contains("     merge  src/shop_api/api/app.py\n"),
        "{stderr}"
    );

    let readme = s.read("README.md");
    assert!(
        readme.contains("## Run it\n"),
        "template's rename:\n{readme}"
    );
    assert!(!readme.contains("## Getting started\n"));
    assert!(
        readme.ends_with("\n## Deploying\n\nRun `make deploy`.\n"),
        "user's section:\n{readme}"
    );
    let app = s.read("src/shop_api/api/app.py");
    assert!(app.starts_with(
        "\"\"\"The app factory: HTTP concerns only; everything else comes in the container.\"\"\"\n\nimport logging\n\nfrom fastapi import FastAPI\n"
    ), "{app}");
    assert!(app.contains("from .errors import register_error_handlers\n"));
    assert!(app.contains("\n    register_error_handlers(app)\n"));
    assert!(s.exists("src/shop_api/api/errors.py"));
}

/// Runs git in `dir` with a fixed identity and no user configuration.
fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Ada", "-c", "user.email=ada@example.com"])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// A service generated at v2.0.0 and edited like a user would (committed
/// in git) updates to v2.1.0: every file is what a fresh v2.1.0 copy holds,
/// except that the user's edits are still there, and the user's own files
/// are untouched.
#[test]
fn template_repo_update_from_v2_0_0_keeps_user_edits() {
    let s = Scratch::new();
    let history = s.history();
    let copy_at = |version: &str, dest: &Path| {
        s.graft()
            .arg("copy")
            .arg(&history)
            .arg(dest)
            .args(["--vcs-ref", version, "--defaults", "--quiet"])
            .args(["-d", "project_name=shop-api"])
            .assert()
            .success();
    };
    copy_at("v2.0.0", &s.dest());
    let dest = s.dest();
    git(&dest, &["init", "-q"]);
    git(&dest, &["add", "-A"]);
    git(&dest, &["commit", "-qm", "generated by graft"]);
    assert!(!s.exists("src/shop_api/run.py"));

    // The user's edits: a section at the end of the README (which v2.1.0
    // rewrites above it), a tool section appended to pyproject.toml (whose
    // dependencies v2.1.0 changes), a field of their own in a domain value
    // and a test in files the template leaves alone, and files of their own.
    let readme_section = "\n## Deploying\n\nRun `make deploy`.\n";
    let pyproject_section = "\n[tool.coverage.run]\nbranch = true\n";
    let append = |path: &str, text: &str| {
        let now = s.read(path);
        fs::write(dest.join(path), format!("{now}{text}")).unwrap();
    };
    append("README.md", readme_section);
    append("pyproject.toml", pyproject_section);
    let models = s.read("src/shop_api/domain/models.py");
    let edited_models = models.replacen(
        "    name: str\n    healthy: bool\n",
        "    name: str\n    healthy: bool\n    latency_ms: float | None = None\n",
        1,
    );
    assert_ne!(models, edited_models);
    fs::write(dest.join("src/shop_api/domain/models.py"), &edited_models).unwrap();
    let test_health = format!(
        "{}\n\ndef test_report_keeps_the_version() -> None:\n    assert HealthReport(version=\"2.0\").version == \"2.0\"\n",
        s.read("tests/unit/test_health.py")
    );
    fs::write(dest.join("tests/unit/test_health.py"), &test_health).unwrap();
    let own_route = "\"\"\"Items.\"\"\"\n\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n";
    fs::write(dest.join("src/shop_api/api/routes/items.py"), own_route).unwrap();
    git(&dest, &["add", "-A"]);
    git(
        &dest,
        &["commit", "-qm", "deploy docs, coverage, latency, items"],
    );

    let out = s.graft().arg("update").arg(&dest).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in [
        "     merge  README.md\n",
        "     merge  pyproject.toml\n",
        "    create  src/shop_api/run.py\n",
        "    create  src/shop_api/domain/result.py\n",
        "    create  src/shop_api/infrastructure/logs.py\n",
        "    create  tests/unit/test_run.py\n",
        "    create  tests/unit/test_result.py\n",
    ] {
        assert!(stderr.contains(line), "{line:?} in:\n{stderr}");
    }

    // What a v2.1.0 copy holds, file for file, with the user's edits on top.
    let fresh = Scratch::new();
    copy_at("v2.1.0", &fresh.dest());
    let mut want = fresh.tree();
    let edit =
        |want: &mut std::collections::BTreeMap<String, Vec<u8>>, path: &str, text: String| {
            want.insert(path.to_string(), text.into_bytes());
        };
    let fresh_text = |path: &str| fresh.read(path);
    edit(
        &mut want,
        "README.md",
        format!("{}{readme_section}", fresh_text("README.md")),
    );
    edit(
        &mut want,
        "pyproject.toml",
        format!("{}{pyproject_section}", fresh_text("pyproject.toml")),
    );
    edit(&mut want, "src/shop_api/domain/models.py", edited_models);
    edit(&mut want, "tests/unit/test_health.py", test_health);
    edit(
        &mut want,
        "src/shop_api/api/routes/items.py",
        own_route.to_string(),
    );
    let mut got = s.tree();
    got.retain(|path, _| !path.starts_with(".git/"));
    // Each answers file names the folder it was copied into.
    for tree in [&mut got, &mut want] {
        tree.remove(".graft-answers.yml");
    }
    let differ: Vec<&String> = want
        .keys()
        .chain(got.keys())
        .filter(|path| want.get(*path) != got.get(*path))
        .collect();
    assert!(differ.is_empty(), "differ from v2.1.0 + edits: {differ:?}");
    assert!(s.read(".graft-answers.yml").contains("\n_commit: v2.1.0\n"));
    // The new files, by content.
    assert!(s.read("src/shop_api/run.py").contains(
        "\ndef process_environment(env_file: Path = Path(\".env\")) -> dict[str, str]:\n"
    ));
    assert!(s
        .read("pyproject.toml")
        .contains("\n[tool.poe.tasks]\nrun = { cmd = \"python -m shop_api.run\""));
    assert!(s.read("README.md").contains("\nuv sync --extra dev "));
}
