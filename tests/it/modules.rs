//! Modules (SPEC §12): a service template, then a module template applied
//! once per module with its own answers file, wiring itself into the
//! service's router with injected blocks, updated through the same merge
//! as files, and taken out again by `graft remove` byte for byte.

use crate::harness::{read, read_tree, GitRepo, Harness, Run, DEST};

const ROUTER: &str = "dest/src/shop/api/router.py";

/// The service's router at v1.0.0: two marker lines for modules.
const ROUTER_V1: &str = "from fastapi import APIRouter\n\
                         # graft: imports\n\
                         \n\
                         api_router = APIRouter()\n\
                         \n\
                         # graft: routers\n";

/// The module's router line at v1.0.0, for module `{name}`.
const INCLUDE_V1: &str = "api_router.include_router({{name}}_router, prefix=\"/{{name}}\")";

/// The same line at v2.0.0 of the module template.
const INCLUDE_V2: &str =
    "api_router.include_router({{name}}_router, prefix=\"/{{name}}\", tags=[\"{{name}}\"])";

/// The module template's `graft.yml` with `include` as the router line.
fn module_config(include: &str) -> String {
    format!(
        "name: {{type: str}}\n\
         package_name: shop\n\
         _answers_file: \".graft-answers.module-{{{{name}}}}.yml\"\n\
         _injections:\n\
         \x20 - into: \"src/{{{{package_name}}}}/api/router.py\"\n\
         \x20   after: \"# graft: imports\"\n\
         \x20   content: \"from ..{{{{name}}}}.routes import router as {{{{name}}}}_router\"\n\
         \x20 - into: \"src/{{{{package_name}}}}/api/router.py\"\n\
         \x20   after: \"# graft: routers\"\n\
         \x20   content: '{include}'\n"
    )
}

/// `service/` and `module/`, each released as v1.0.0.
fn templates(h: &Harness) -> (GitRepo, GitRepo) {
    let mut service = GitRepo::init(h, "service");
    service.release(
        "v1.0.0",
        &[
            (
                "graft.yml",
                "project_name: shop\npackage_name:\n  default: \"{{snake_case project_name}}\"\n  when: false\n",
            ),
            ("src/{{package_name}}/api/router.py", ROUTER_V1),
            ("src/{{package_name}}/main.py", "from .api.router import api_router\n"),
        ],
        &[],
    );
    let mut module = GitRepo::init(h, "module");
    module.release(
        "v1.0.0",
        &[
            ("graft.yml", &module_config(INCLUDE_V1)),
            ("src/{{package_name}}/{{name}}/__init__.py", ""),
            (
                "src/{{package_name}}/{{name}}/routes.py.hbs",
                "router = APIRouter()  # {{name}}\n",
            ),
            (
                "tests/{{name}}/test_{{name}}.py.hbs",
                "def test_{{name}}():\n    pass\n",
            ),
        ],
        &[],
    );
    (service, module)
}

/// Runs `graft copy module dest` for module `name`.
fn add_module(h: &Harness, name: &str) -> Run {
    h.run(&[
        "copy",
        "module",
        DEST,
        "--defaults",
        "-d",
        &format!("name={name}"),
    ])
}

/// The templates, and a service in `dest/` with `modules` added in order.
fn service_with(h: &Harness, modules: &[&str]) -> (GitRepo, GitRepo) {
    let repos = templates(h);
    h.run(&["copy", "service", DEST, "--defaults", "-q"])
        .success();
    for name in modules {
        add_module(h, name).success();
    }
    repos
}

/// The answers file of module `name`.
fn answers_of(name: &str) -> String {
    format!(".graft-answers.module-{name}.yml")
}

/// A block as graft fences it in a Python file.
fn block(name: &str, line: &str) -> String {
    let owner = answers_of(name);
    format!("# >>> graft {owner}\n{line}\n# <<< graft {owner}\n")
}

/// The router of a service at v1.0.0 holding the blocks of `modules`, in
/// order, with `include` as the router line of each.
fn router_with(modules: &[&str], include: &str) -> String {
    let imports: String = modules
        .iter()
        .map(|m| block(m, &format!("from ..{m}.routes import router as {m}_router")))
        .collect();
    let includes: String = modules
        .iter()
        .map(|m| block(m, &include.replace("{{name}}", m)))
        .collect();
    ROUTER_V1
        .replace(
            "# graft: imports\n",
            &format!("# graft: imports\n{imports}"),
        )
        .replace(
            "# graft: routers\n",
            &format!("# graft: routers\n{includes}"),
        )
}

#[test]
fn two_modules_wire_themselves_into_the_router() {
    let h = Harness::new();
    service_with(&h, &["customers", "orders"]);
    assert_eq!(
        read(&h.path(ROUTER)),
        router_with(&["customers", "orders"], INCLUDE_V1)
    );
    assert_eq!(
        read(&h.path(ROUTER)),
        "from fastapi import APIRouter\n\
         # graft: imports\n\
         # >>> graft .graft-answers.module-customers.yml\n\
         from ..customers.routes import router as customers_router\n\
         # <<< graft .graft-answers.module-customers.yml\n\
         # >>> graft .graft-answers.module-orders.yml\n\
         from ..orders.routes import router as orders_router\n\
         # <<< graft .graft-answers.module-orders.yml\n\
         \n\
         api_router = APIRouter()\n\
         \n\
         # graft: routers\n\
         # >>> graft .graft-answers.module-customers.yml\n\
         api_router.include_router(customers_router, prefix=\"/customers\")\n\
         # <<< graft .graft-answers.module-customers.yml\n\
         # >>> graft .graft-answers.module-orders.yml\n\
         api_router.include_router(orders_router, prefix=\"/orders\")\n\
         # <<< graft .graft-answers.module-orders.yml\n"
    );
    for name in ["customers", "orders"] {
        assert_eq!(
            read(&h.path(&format!("dest/src/shop/{name}/routes.py"))),
            format!("router = APIRouter()  # {name}\n")
        );
        let answers = read(&h.dest().join(answers_of(name)));
        assert!(
            answers.ends_with(&format!("\nname: {name}\npackage_name: shop\n")),
            "{answers}"
        );
    }
}

#[test]
fn adding_the_same_module_again_changes_nothing() {
    let h = Harness::new();
    service_with(&h, &["customers", "orders"]);
    let before = read_tree(&h.dest());
    add_module(&h, "customers").success();
    assert_eq!(read_tree(&h.dest()), before);
}

#[test]
fn updating_the_service_keeps_the_module_blocks() {
    let h = Harness::new();
    let (mut service, _) = service_with(&h, &["customers", "orders"]);
    service.release(
        "v2.0.0",
        &[(
            "src/{{package_name}}/api/router.py",
            &format!("\"\"\"The API.\"\"\"\n{ROUTER_V1}"),
        )],
        &[],
    );
    let run = h.update(&[]).success();
    run.stderr_starts_with("     merge  src/shop/api/router.py\n");
    assert_eq!(
        read(&h.path(ROUTER)),
        format!(
            "\"\"\"The API.\"\"\"\n{}",
            router_with(&["customers", "orders"], INCLUDE_V1)
        )
    );
}

#[test]
fn updating_one_module_rerenders_only_its_block() {
    let h = Harness::new();
    let (_, mut module) = service_with(&h, &["customers", "orders"]);
    module.release("v2.0.0", &[("graft.yml", &module_config(INCLUDE_V2))], &[]);
    let before = read_tree(&h.dest());

    let run = h.update(&["-a", &answers_of("customers")]).success();
    run.stderr_starts_with(
        "    update  src/shop/api/router.py\n    update  .graft-answers.module-customers.yml\n",
    );
    let customers = block("customers", &INCLUDE_V2.replace("{{name}}", "customers"));
    let want = router_with(&["customers", "orders"], INCLUDE_V1).replace(
        &block("customers", &INCLUDE_V1.replace("{{name}}", "customers")),
        &customers,
    );
    assert_eq!(read(&h.path(ROUTER)), want);
    // Nothing else moved: the other module, its answers, the files.
    let mut after = read_tree(&h.dest());
    let mut before = before;
    for changed in [
        "src/shop/api/router.py",
        ".graft-answers.module-customers.yml",
    ] {
        after.remove(changed);
        before.remove(changed);
    }
    assert_eq!(after, before);
}

#[test]
fn removing_a_module_leaves_the_project_as_if_it_was_never_added() {
    let h = Harness::new();
    service_with(&h, &["customers", "orders"]);
    let run = h
        .run(&["remove", DEST, "-a", &answers_of("customers")])
        .success();

    // The same service with only the orders module, made from scratch.
    h.run(&["copy", "service", "only-orders", "--defaults", "-q"])
        .success();
    h.run(&[
        "copy",
        "module",
        "only-orders",
        "--defaults",
        "-q",
        "-d",
        "name=orders",
    ])
    .success();
    assert_eq!(read_tree(&h.dest()), read_tree(&h.path("only-orders")));
    assert_eq!(
        run.stderr,
        "    delete  src/shop/customers/__init__.py\n\
         \x20   delete  src/shop/customers/routes.py\n\
         \x20   delete  tests/customers/test_customers.py\n\
         \x20   update  src/shop/api/router.py (injected block removed)\n\
         \x20   delete  .graft-answers.module-customers.yml\n\
         \x20   delete  src/shop/customers\n\
         \x20   delete  tests/customers\n\
         \n\
         removed `.graft-answers.module-customers.yml` from dest: 6 deleted, 0 kept because modified\n"
    );
}

#[test]
fn remove_with_a_modified_file_stops_and_changes_nothing() {
    let h = Harness::new();
    service_with(&h, &["customers", "orders"]);
    h.write(
        "dest/src/shop/customers/routes.py",
        "router = APIRouter()  # edited\n",
    );
    let before = read_tree(&h.dest());
    let run = h
        .run(&["remove", DEST, "-a", &answers_of("customers")])
        .code(1);
    assert!(
        run.stderr.ends_with(
            "error: 1 file(s) or block(s) of `.graft-answers.module-customers.yml` were modified: \
             `src/shop/customers/routes.py`\n\
             hint: nothing was deleted; keep them with `--keep-modified` (the rest is removed), \
             or revert them first\n"
        ),
        "{}",
        run.stderr
    );
    run.stderr_starts_with("    delete  src/shop/customers/__init__.py\n      keep  src/shop/customers/routes.py (modified)\n");
    assert_eq!(read_tree(&h.dest()), before);
}

#[test]
fn keep_modified_keeps_the_modified_file_and_removes_the_rest() {
    let h = Harness::new();
    service_with(&h, &["customers", "orders"]);
    h.write(
        "dest/src/shop/customers/routes.py",
        "router = APIRouter()  # edited\n",
    );
    let run = h
        .run(&[
            "remove",
            DEST,
            "-a",
            &answers_of("customers"),
            "--keep-modified",
        ])
        .success();
    let tree = read_tree(&h.dest());
    assert_eq!(
        read(&h.path("dest/src/shop/customers/routes.py")),
        "router = APIRouter()  # edited\n"
    );
    assert!(!tree.contains_key("src/shop/customers/__init__.py"));
    assert!(!tree.contains_key("tests/customers"));
    assert!(tree.contains_key("tests/orders"));
    assert!(!tree.contains_key(&answers_of("customers")));
    assert_eq!(read(&h.path(ROUTER)), router_with(&["orders"], INCLUDE_V1));
    assert!(
        run.stderr
            .ends_with(": 4 deleted, 1 kept because modified\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn remove_after_the_module_folder_was_deleted_by_hand() {
    let h = Harness::new();
    service_with(&h, &["customers"]);
    std::fs::remove_dir_all(h.path("dest/src/shop/customers")).unwrap();
    h.run(&["remove", DEST, "-a", &answers_of("customers")])
        .success();
    // What is left is the service as it was generated.
    h.run(&["copy", "service", "pristine", "--defaults", "-q"])
        .success();
    assert_eq!(read_tree(&h.dest()), read_tree(&h.path("pristine")));
}

#[test]
fn missing_marker_is_an_error_naming_file_and_marker() {
    let h = Harness::new();
    service_with(&h, &[]);
    h.write(ROUTER, ROUTER_V1.replace("# graft: routers\n", ""));
    let before = read_tree(h.root());
    let run = add_module(&h, "customers").code(2);
    assert_eq!(
        run.stderr,
        "error: cannot inject a block of `.graft-answers.module-customers.yml` into `src/shop/api/router.py`\n\
         caused by: marker line `# graft: routers` not found in `src/shop/api/router.py`\n\
         hint: injections need their target file and marker line in the project; add the marker, \
         or apply the template that provides it first\n"
    );
    assert_eq!(read_tree(h.root()), before);
}

#[test]
fn remove_pretend_changes_nothing() {
    let h = Harness::new();
    service_with(&h, &["customers", "orders"]);
    let before = read_tree(&h.dest());
    let run = h
        .run(&["remove", DEST, "-a", &answers_of("customers"), "--pretend"])
        .success();
    assert_eq!(read_tree(&h.dest()), before);
    assert!(
        run.stderr
            .ends_with("\n    delete  tests/customers\npretend: nothing was written\n"),
        "{}",
        run.stderr
    );
}

/// `ROUTER` after a merge of two branches that each added a module, with
/// the conflict resolved by hand: the `# <<< graft` line of the customers
/// block was taken for a conflict marker and deleted.
fn router_after_conflict_resolution() -> String {
    router_with(&["customers", "orders"], INCLUDE_V1).replacen(
        "api_router.include_router(customers_router, prefix=\"/customers\")\n\
         # <<< graft .graft-answers.module-customers.yml\n",
        "api_router.include_router(customers_router, prefix=\"/customers\")\n",
        1,
    )
}

#[test]
fn check_reports_a_fence_damaged_by_a_conflict_resolution() {
    let h = Harness::new();
    service_with(&h, &["customers", "orders"]);
    h.write(ROUTER, router_after_conflict_resolution());
    let before = read_tree(&h.dest());
    let run = h
        .run(&["check", DEST, "-a", &answers_of("customers")])
        .success();
    assert_eq!(
        run.stderr,
        format!(
            ".graft-answers.module-customers.yml: v1.0.0 is up to date ({})\n\
             \x20  damaged  src/shop/api/router.py: closing fence missing \
             (`graft check --fix` restores it)\n",
            h.path("module").display()
        )
    );
    assert_eq!(read_tree(&h.dest()), before);
    h.run(&["check", DEST, "--drift-only"]).code(1);
}

#[test]
fn check_fix_restores_a_fence_damaged_by_a_conflict_resolution() {
    let h = Harness::new();
    service_with(&h, &["customers", "orders"]);
    h.write(ROUTER, router_after_conflict_resolution());
    let run = h.run(&["check", DEST, "--fix", "--json"]).success();
    assert_eq!(
        read(&h.path(ROUTER)),
        router_with(&["customers", "orders"], INCLUDE_V1)
    );
    let reports: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let customers = reports
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["answers_file"] == answers_of("customers"))
        .expect("customers report");
    assert_eq!(
        customers["drift"],
        serde_json::json!({
            "modified": [],
            "deleted": [],
            "damaged": [{
                "path": "src/shop/api/router.py",
                "problem": "closing fence missing",
                "fixed": true,
                "refused": null,
            }],
        })
    );
    // Whole again: the module comes out byte for byte.
    h.run(&[
        "check",
        DEST,
        "-a",
        &answers_of("customers"),
        "--drift-only",
    ])
    .success();
    h.run(&["remove", DEST, "-a", &answers_of("customers")])
        .success();
    assert_eq!(read(&h.path(ROUTER)), router_with(&["orders"], INCLUDE_V1));
}

#[test]
fn check_fix_restores_a_lost_marker_line() {
    let h = Harness::new();
    service_with(&h, &["customers", "orders"]);
    let whole = read(&h.path(ROUTER));
    h.write(ROUTER, whole.replace("# graft: routers\n", ""));
    let run = h.run(&["check", DEST, "--fix"]).success();
    assert!(
        run.stderr.contains(
            "  restored  src/shop/api/router.py: marker line `# graft: routers` missing\n"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(read(&h.path(ROUTER)), whole);
    add_module(&h, "invoices").success();
}

#[test]
fn check_fix_leaves_a_fence_whose_content_the_user_changed() {
    let h = Harness::new();
    service_with(&h, &["customers", "orders"]);
    let damaged = router_after_conflict_resolution()
        .replace("prefix=\"/customers\")\n", "prefix=\"/clients\")\n");
    h.write(ROUTER, &damaged);
    let before = read_tree(&h.dest());
    let run = h
        .run(&["check", DEST, "-a", &answers_of("customers"), "--fix"])
        .code(1);
    assert_eq!(
        run.stderr,
        format!(
            ".graft-answers.module-customers.yml: v1.0.0 is up to date ({})\n\
             \x20  damaged  src/shop/api/router.py: fences broken; not restored: the lines \
             between the fences are not what graft wrote (edited, or merged with other lines)\n",
            h.path("module").display()
        )
    );
    assert_eq!(read_tree(&h.dest()), before);
    let run = h
        .run(&[
            "check",
            DEST,
            "-a",
            &answers_of("customers"),
            "--fix",
            "--json",
        ])
        .code(1);
    let reports: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(
        reports["drift"]["damaged"],
        serde_json::json!([{
            "path": "src/shop/api/router.py",
            "problem": "fences broken",
            "fixed": false,
            "refused": "the lines between the fences are not what graft wrote (edited, or merged with other lines)",
        }])
    );
}
