//! Copier projects between the two tools: a project Python Copier made
//! updates with graft, a project graft made updates with Python Copier,
//! and the two take turns over three releases of one template. After every
//! step the project must be what Python Copier alone makes of the same
//! steps: the same files byte for byte (conflict markers, executable bits
//! and the answers file included) and the same git index, conflicted files
//! unmerged (`git ls-files --stage`, `git status --porcelain`).
//!
//! Where graft differs on purpose (SPEC §13), the test asserts graft's
//! behaviour, then takes the step a person takes after reading graft's
//! report, so the comparison goes on:
//!
//! - a file the template deleted and the project modified is kept by
//!   graft ("removed by the template, kept because modified"); Copier
//!   deletes it. The person deletes it.
//! - graft exits with 1 when conflicts remain, under its own name; Copier
//!   (and graft invoked as `copier`) exits with 0.
//!
//! [`differences_kept_on_purpose`] shows the others beside what Copier
//! does: a file the template renamed keeps the project's edits, and graft
//! updates a project with uncommitted changes (`--allow-dirty`) or outside
//! git.
//!
//! Python Copier is found at `$GRAFT_COPIER`, else at
//! `target/copier-venv/bin/copier`; without it the tests say so and pass,
//! unless `GRAFT_REQUIRE_COPIER=1`.

use std::path::PathBuf;

use crate::harness::{git_identity, python_copier, work_tree, GitRepo, Harness, Run, TEMPLATE};

/// The answers file as real Copier templates write it.
const ANSWERS_JINJA: (&str, &str) = (
    "{{ _copier_conf.answers_file }}.jinja",
    "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n{{ _copier_answers|to_nice_yaml -}}\n",
);

/// v1: a name, a package name computed from it with filters, a license
/// choice that gates `LICENSE`, and `with_docs`, which gates `docs/`.
const V1: &[(&str, &str)] = &[
    ANSWERS_JINJA,
    (
        "copier.yml",
        "_min_copier_version: \"9\"\n\
         asked_in:\n  type: str\n  default: \"{{ _copier_phase }}\"\n  when: false\n\
         project_name:\n  type: str\n  help: The project's name\n  default: My Project\n\
         package:\n  type: str\n  default: \"{{ project_name|lower|replace(' ', '_') }}\"\n\
         license:\n  type: str\n  choices: [MIT, Apache-2.0]\n  default: MIT\n\
         with_docs:\n  type: bool\n  default: false\n",
    ),
    (
        "README.md.jinja",
        "# {{ project_name }}\n\nA project called {{ project_name|title }}.\n\n\
         ## Install\n\n    pip install {{ package }}\n\n## License\n\n{{ license }}\n",
    ),
    (
        "pyproject.toml.jinja",
        "[project]\nname = \"{{ package }}\"\nversion = \"0.1.0\"\nlicense = \"{{ license }}\"\n\
         dependencies = [\n    \"requests\",\n]\n\n[tool.ruff]\nline-length = 88\n",
    ),
    (
        "{{ package }}/__init__.py.jinja",
        "__version__ = \"0.1.0\"\n",
    ),
    (
        "phase.txt.jinja",
        "asked in {{ asked_in }}, rendered in {{ _copier_phase }}\n",
    ),
    ("CONTRIBUTING.md", "Contributions welcome.\n"),
    ("old-notes.md", "Old notes.\n"),
    ("Makefile", "all:\n\techo build\n"),
    (
        "{% if with_docs %}docs{% endif %}/index.md.jinja",
        "# {{ project_name }} docs\n",
    ),
    (
        "{% if license == 'MIT' %}LICENSE{% endif %}",
        "MIT License\n",
    ),
];

/// v2: `with_docs` renamed `docs` (its default is the old answer), a new
/// question, a task; the README line the project edits changes, a line
/// goes into pyproject.toml, `CONTRIBUTING.md` and `old-notes.md` go,
/// `Makefile` changes and `CHANGELOG.md` is new.
const V2: &[(&str, &str)] = &[
    (
        "copier.yml",
        "_min_copier_version: \"9\"\n\
         asked_in:\n  type: str\n  default: \"{{ _copier_phase }}\"\n  when: false\n\
         _tasks:\n  - \"echo ran in {{ _copier_phase }} >> tasks.log\"\n\
         project_name:\n  type: str\n  help: The project's name\n  default: My Project\n\
         package:\n  type: str\n  default: \"{{ project_name|lower|replace(' ', '_') }}\"\n\
         license:\n  type: str\n  choices: [MIT, Apache-2.0]\n  default: Apache-2.0\n\
         docs:\n  type: bool\n  default: \"{{ with_docs|default(false) }}\"\n\
         python_version:\n  type: str\n  default: \"3.11\"\n",
    ),
    (
        "README.md.jinja",
        "# {{ project_name }}\n\n{{ project_name|title }} is a project.\n\n\
         ## Install\n\n    uv add {{ package }}\n\n## License\n\n{{ license }}\n",
    ),
    (
        "pyproject.toml.jinja",
        "[project]\nname = \"{{ package }}\"\nversion = \"0.1.0\"\nlicense = \"{{ license }}\"\n\
         requires-python = \">={{ python_version }}\"\n\
         dependencies = [\n    \"requests\",\n]\n\n[tool.ruff]\nline-length = 88\n",
    ),
    ("Makefile", "all:\n\techo build v2\n"),
    ("CHANGELOG.md.jinja", "# Changelog of {{ project_name }}\n"),
    (
        "{% if docs %}docs{% endif %}/index.md.jinja",
        "# {{ project_name }} docs\n",
    ),
];

/// What v2 deletes.
const V2_GONE: &[&str] = &[
    "CONTRIBUTING.md",
    "old-notes.md",
    "{% if with_docs %}docs{% endif %}/index.md.jinja",
];

/// v3: a question asked only `when` docs are on, a changed default, a
/// migration; the line length the project changed changes too.
const V3: &[(&str, &str)] = &[
    (
        "copier.yml",
        "_min_copier_version: \"9\"\n\
         asked_in:\n  type: str\n  default: \"{{ _copier_phase }}\"\n  when: false\n\
         _tasks:\n  - \"echo ran in {{ _copier_phase }} >> tasks.log\"\n\
         _migrations:\n  - version: v3\n    command: \"echo migrated to v3 in {{ _copier_phase }} >> migrations.log\"\n\
         project_name:\n  type: str\n  help: The project's name\n  default: My Project\n\
         package:\n  type: str\n  default: \"{{ project_name|lower|replace(' ', '_') }}\"\n\
         license:\n  type: str\n  choices: [MIT, Apache-2.0]\n  default: Apache-2.0\n\
         docs:\n  type: bool\n  default: \"{{ with_docs|default(false) }}\"\n\
         python_version:\n  type: str\n  default: \"3.12\"\n\
         docs_theme:\n  type: str\n  choices: [furo, mkdocs]\n  default: furo\n  when: \"{{ docs }}\"\n",
    ),
    (
        "README.md.jinja",
        "# {{ project_name }}\n\n{{ project_name|title }} is a project.\n\n\
         ## Install\n\n    uv add {{ package }}\n\n## License\n\n{{ license }}, see LICENSE.\n",
    ),
    (
        "pyproject.toml.jinja",
        "[project]\nname = \"{{ package }}\"\nversion = \"0.1.0\"\nlicense = \"{{ license }}\"\n\
         requires-python = \">={{ python_version }}\"\n\
         dependencies = [\n    \"requests\",\n]\n\n[tool.ruff]\nline-length = 100\n",
    ),
    (
        "{{ package }}/__init__.py.jinja",
        "__version__ = \"0.2.0\"\n",
    ),
    (
        "CHANGELOG.md.jinja",
        "# Changelog of {{ project_name }}\n\n## v3\n",
    ),
    (
        "{% if docs %}docs{% endif %}/index.md.jinja",
        "# {{ project_name }} docs\n\nTheme: {{ docs_theme }}\n",
    ),
];

/// The answers the project is made with.
const COPY_DATA: &[&str] = &["project_name=Rocket Science", "with_docs=true"];

/// The README line the project rewrites after the copy, which v2 rewrites too.
const README_V1_LINE: &str = "A project called Rocket Science.\n";

/// Who runs a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tool {
    /// Python Copier 9.19.1.
    Copier,
    /// `graft copy` / `graft update`.
    Graft,
    /// graft invoked as `copier`, with Copier's command line.
    GraftAsCopier,
}

/// The project Python Copier alone makes, which every other is compared with.
const ALONE: &str = "alone";

/// A project the tools take turns on: a folder, and who copies it, who
/// updates it to v2 and who to v3.
type Turns = (&'static str, [Tool; 3]);

/// The template released as v1, v2 and v3, Python Copier, graft as
/// `copier`, and the projects.
struct World {
    h: Harness,
    copier: PathBuf,
}

impl World {
    /// `None` when Python Copier is missing (and the test is skipped).
    fn new() -> Option<World> {
        let copier = python_copier()?;
        let h = Harness::new();
        let mut template = GitRepo::init(&h, TEMPLATE);
        template.release("v1", V1, &[]);
        template.release("v2", V2, V2_GONE);
        template.release("v3", V3, &[]);
        let link = h.path("bin/copier");
        std::fs::create_dir_all(h.path("bin")).expect("create bin");
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_graft"), &link).expect("link copier");
        Some(World { h, copier })
    }

    fn src(&self) -> String {
        self.h.template_src()
    }

    /// Runs Copier's command line with Python Copier or graft as `copier`.
    fn copier_cli(&self, tool: Tool, args: &[&str]) -> Run {
        let program = match tool {
            Tool::Copier => self.copier.clone(),
            _ => self.h.path("bin/copier"),
        };
        let mut cmd = self.h.program(&program);
        git_identity(&mut cmd);
        cmd.args(args);
        Run::of(assert_cmd::Command::from_std(cmd))
    }

    /// Copies the template at `vcs_ref` into `dest` with [`COPY_DATA`]:
    /// the same switches in both command lines.
    fn copy(&self, tool: Tool, dest: &str, vcs_ref: &str) -> Run {
        let src = self.src();
        let mut args = vec!["copy", "--trust", "--defaults", "--vcs-ref", vcs_ref];
        args.extend(COPY_DATA.iter().flat_map(|d| ["--data", d]));
        args.extend([src.as_str(), dest]);
        match tool {
            Tool::Graft => self.h.run(&args),
            _ => self.copier_cli(tool, &args),
        }
    }

    /// Updates `dest` to `vcs_ref`, taking the recorded answers and the
    /// defaults of new questions, with `data` on top.
    fn update(&self, tool: Tool, dest: &str, vcs_ref: &str, data: &[&str]) -> Run {
        let data = data.iter().flat_map(|d| ["--data", *d]);
        match tool {
            Tool::Graft => {
                let mut args = vec![
                    "update",
                    dest,
                    "--trust",
                    "--defaults",
                    "--vcs-ref",
                    vcs_ref,
                ];
                args.extend(data);
                self.h.run(&args)
            }
            _ => {
                let mut args = vec!["update", "--trust", "--defaults", "--skip-answered"];
                args.extend(["--vcs-ref", vcs_ref]);
                args.extend(data);
                args.push(dest);
                self.copier_cli(tool, &args)
            }
        }
    }

    fn repo(&self, project: &str) -> GitRepo {
        GitRepo::open(&self.h, project)
    }

    /// The text of `project/rel`.
    fn read(&self, project: &str, rel: &str) -> String {
        crate::harness::read(&self.h.path(&format!("{project}/{rel}")))
    }

    fn exists(&self, project: &str, rel: &str) -> bool {
        self.h.path(&format!("{project}/{rel}")).exists()
    }

    /// Asserts `project` is what Python Copier alone made: every file and
    /// folder, then (once they are git repositories) index and status.
    #[track_caller]
    fn assert_same(&self, project: &str, step: &str) {
        let alone = work_tree(&self.h.path(ALONE));
        let ours = work_tree(&self.h.path(project));
        for (path, snap) in &alone {
            assert_eq!(
                ours.get(path),
                Some(snap),
                "{project}, {step}: `{path}` differs from what Python Copier alone made"
            );
        }
        let extra: Vec<&String> = ours.keys().filter(|p| !alone.contains_key(*p)).collect();
        assert!(extra.is_empty(), "{project}, {step}: only there: {extra:?}");
        if !self.exists(ALONE, ".git") {
            return;
        }
        let (alone, ours) = (self.repo(ALONE), self.repo(project));
        assert_eq!(
            ours.git(&["ls-files", "--stage"]),
            alone.git(&["ls-files", "--stage"]),
            "{project}, {step}: git index"
        );
        assert_eq!(
            ours.status(),
            alone.status(),
            "{project}, {step}: git status"
        );
    }

    /// Updates every project to `vcs_ref` (Python Copier `alone/`, each of
    /// the others with its tool for `turn`), checks exit codes and the
    /// deliberate differences, and compares.
    #[track_caller]
    fn update_all(&self, projects: &[Turns], turn: usize, vcs_ref: &str, data: &[&str]) {
        let theirs = self.update(Tool::Copier, ALONE, vcs_ref, data);
        assert_eq!(theirs.code, 0, "copier update: {}", theirs.stderr);
        for &(project, tools) in projects {
            let tool = tools[turn];
            let ours = self.update(tool, project, vcs_ref, data);
            // Under its own name graft says "look" with 1 when conflicts
            // remain (both updates leave some); as `copier`, 0 as Copier.
            let code = i32::from(tool == Tool::Graft);
            assert_eq!(
                ours.code, code,
                "{project}: {tool:?} update: {}",
                ours.stderr
            );
            if tool != Tool::Copier {
                self.graft_keeps_modified_files_the_template_deleted(project, &ours);
            }
            self.assert_same(project, &format!("update to {vcs_ref} by {tool:?}"));
        }
    }

    /// Deliberate difference: Copier deletes `old-notes.md`, which v2
    /// dropped and the project edited; graft keeps it and says so. The
    /// person deletes it after reading that.
    fn graft_keeps_modified_files_the_template_deleted(&self, project: &str, run: &Run) {
        if !self.exists(project, "old-notes.md") {
            return;
        }
        assert_eq!(
            self.read(project, "old-notes.md"),
            "Old notes.\nOur notes.\n"
        );
        assert!(
            run.stderr
                .contains("keep  old-notes.md (removed by the template, kept because modified)"),
            "{}",
            run.stderr
        );
        assert!(!self.exists(ALONE, "old-notes.md"));
        std::fs::remove_file(self.h.path(&format!("{project}/old-notes.md")))
            .expect("delete old-notes.md");
    }

    /// Every project, made by its tool's copy of v1, committed, then
    /// edited and committed again: an edit v2 conflicts with, one it
    /// merges with, a deleted file v2 changes, a file v2 also adds, an
    /// edited file v2 deletes, and a file of the project's own.
    fn copy_and_edit(&self, projects: &[Turns]) {
        let theirs = self.copy(Tool::Copier, ALONE, "v1");
        assert_eq!(theirs.code, 0, "copier copy: {}", theirs.stderr);
        for &(project, tools) in projects {
            let ours = self.copy(tools[0], project, "v1");
            assert_eq!(
                ours.code, 0,
                "{project}: {:?} copy: {}",
                tools[0], ours.stderr
            );
            self.assert_same(project, "copy");
        }
        for project in all(projects) {
            let mut repo = GitRepo::init(&self.h, project);
            repo.commit(&[], &[], "generated");
            let readme = self
                .read(project, "README.md")
                .replace(README_V1_LINE, "A project called Rocket Science, by us.\n");
            let pyproject = self
                .read(project, "pyproject.toml")
                .replace("    \"requests\",\n", "    \"requests\",\n    \"click\",\n");
            repo.commit(
                &[
                    ("README.md", &readme),
                    ("pyproject.toml", &pyproject),
                    ("old-notes.md", "Old notes.\nOur notes.\n"),
                    ("CHANGELOG.md", "# Our changelog\n"),
                    ("mine.txt", "ours\n"),
                ],
                &["Makefile"],
                "our edits",
            );
        }
        for &(project, _) in projects {
            self.assert_same(project, "edits");
        }
    }

    /// The person resolves v2's conflicts (keeping their README line and
    /// changelog), changes the line length v3 changes too, and commits.
    fn resolve_v2(&self, projects: &[Turns]) {
        for project in all(projects) {
            let readme = self.read(project, "README.md").replace(
                "<<<<<<< before updating\nA project called Rocket Science, by us.\n=======\nRocket Science is a project.\n>>>>>>> after updating\n",
                "Rocket Science is a project, by us.\n",
            );
            assert!(!readme.contains("<<<<<<<"), "{readme}");
            let pyproject = self
                .read(project, "pyproject.toml")
                .replace("line-length = 88", "line-length = 120");
            self.repo(project).commit(
                &[
                    ("README.md", &readme),
                    ("CHANGELOG.md", "# Our changelog\n"),
                    ("pyproject.toml", &pyproject),
                ],
                &[],
                "resolved",
            );
        }
        for &(project, _) in projects {
            self.assert_same(project, "resolved");
        }
    }

    /// Every project: copied at v1, edited, updated to v2, resolved, and
    /// updated to v3 with the license changed to Apache-2.0 (which drops
    /// `LICENSE`), each step by the project's tool for it; compared with
    /// Python Copier alone after each.
    fn journey(&self, projects: &[Turns]) {
        self.copy_and_edit(projects);
        self.update_all(projects, 1, "v2", &[]);
        self.assert_v2();
        self.resolve_v2(projects);
        self.update_all(projects, 2, "v3", &["license=Apache-2.0"]);
        self.assert_v3();
    }

    /// What Copier's update to v2 left, so a test that passes because both
    /// tools went wrong the same way cannot.
    fn assert_v2(&self) {
        assert_eq!(
            self.read(ALONE, ".copier-answers.yml"),
            format!(
                "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n\
                 _commit: v2\n_src_path: {}\ndocs: true\nlicense: MIT\npackage: rocket_science\n\
                 project_name: Rocket Science\npython_version: '3.11'\n",
                self.src()
            )
        );
        assert_eq!(
            self.read(ALONE, "README.md"),
            "# Rocket Science\n\n<<<<<<< before updating\nA project called Rocket Science, by us.\n\
             =======\nRocket Science is a project.\n>>>>>>> after updating\n\n\
             ## Install\n\n    uv add rocket_science\n\n## License\n\nMIT\n"
        );
        assert_eq!(
            self.read(ALONE, "CHANGELOG.md"),
            "<<<<<<< before updating\n# Our changelog\n=======\n# Changelog of Rocket Science\n>>>>>>> after updating\n"
        );
        assert_eq!(
            self.read(ALONE, "pyproject.toml"),
            "[project]\nname = \"rocket_science\"\nversion = \"0.1.0\"\nlicense = \"MIT\"\n\
             requires-python = \">=3.11\"\ndependencies = [\n    \"requests\",\n    \"click\",\n]\n\n\
             [tool.ruff]\nline-length = 88\n"
        );
        // The renamed question took its old answer: docs stay.
        assert_eq!(self.read(ALONE, "docs/index.md"), "# Rocket Science docs\n");
        assert_eq!(self.read(ALONE, "tasks.log"), "ran in tasks\n");
        assert_eq!(
            self.read(ALONE, "phase.txt"),
            "asked in prompt, rendered in render\n"
        );
        assert!(!self.exists(ALONE, "Makefile"));
        // A file both added is unmerged against an empty base: `UU`.
        assert_eq!(
            self.repo(ALONE).status(),
            " M .copier-answers.yml\nUU CHANGELOG.md\n D CONTRIBUTING.md\nUU README.md\n \
             D old-notes.md\n M pyproject.toml\n?? tasks.log\n"
        );
    }

    /// What Copier's update to v3 left.
    fn assert_v3(&self) {
        assert_eq!(
            self.read(ALONE, ".copier-answers.yml"),
            format!(
                "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n\
                 _commit: v3\n_src_path: {}\ndocs: true\ndocs_theme: furo\nlicense: Apache-2.0\n\
                 package: rocket_science\nproject_name: Rocket Science\npython_version: '3.11'\n",
                self.src()
            )
        );
        assert_eq!(
            self.read(ALONE, "pyproject.toml"),
            "[project]\nname = \"rocket_science\"\nversion = \"0.1.0\"\nlicense = \"Apache-2.0\"\n\
             requires-python = \">=3.11\"\ndependencies = [\n    \"requests\",\n    \"click\",\n]\n\n\
             [tool.ruff]\n<<<<<<< before updating\nline-length = 120\n=======\nline-length = 100\n\
             >>>>>>> after updating\n"
        );
        assert_eq!(
            self.read(ALONE, "docs/index.md"),
            "# Rocket Science docs\n\nTheme: furo\n"
        );
        // Tasks and migrations ran once in the project.
        assert_eq!(
            self.read(ALONE, "tasks.log"),
            "ran in tasks\nran in tasks\n"
        );
        assert_eq!(
            self.read(ALONE, "migrations.log"),
            "migrated to v3 in migrate\n"
        );
        assert!(!self.exists(ALONE, "LICENSE"));
    }
}

/// `alone/` and the folders of `projects`.
fn all(projects: &[Turns]) -> Vec<&'static str> {
    std::iter::once(ALONE)
        .chain(projects.iter().map(|(p, _)| *p))
        .collect()
}

/// Python Copier copies v1, graft updates to v2 (issue case a), Python
/// Copier updates to v3 (case c); beside it, graft under the name `copier`
/// takes all three steps, as a script calling `copier` would have it.
#[test]
fn copier_copies_graft_updates_copier_updates() {
    let Some(world) = World::new() else { return };
    world.journey(&[
        (
            "copier-graft-copier",
            [Tool::Copier, Tool::Graft, Tool::Copier],
        ),
        (
            "graft-as-copier",
            [
                Tool::GraftAsCopier,
                Tool::GraftAsCopier,
                Tool::GraftAsCopier,
            ],
        ),
    ]);
}

/// graft copies v1, Python Copier updates to v2 (case b), graft updates
/// to v3 (case c).
#[test]
fn graft_copies_copier_updates_graft_updates() {
    let Some(world) = World::new() else { return };
    world.journey(&[(
        "graft-copier-graft",
        [Tool::Graft, Tool::Copier, Tool::Graft],
    )]);
}

/// The differences SPEC §13 keeps, each beside what Python Copier does
/// with the same project: a file the template renamed keeps the project's
/// edits (Copier deletes the edited file and writes the template's
/// version under the new name); graft updates a project with uncommitted
/// changes when asked to, and one that is not a git repository at all
/// (Copier refuses both); under the name `copier` graft refuses a dirty
/// project as Copier does.
#[test]
fn differences_kept_on_purpose() {
    let Some(world) = World::new() else { return };
    let h = &world.h;
    // The project graft updates.
    const OURS: &str = "ours";
    let mut template = GitRepo::init(h, "renaming");
    template.release(
        "v1",
        &[
            ANSWERS_JINJA,
            ("notes.md", "a\nb\nc\n"),
            ("keep.txt", "1\n"),
        ],
        &[],
    );
    template.release(
        "v2",
        &[("docs/notes.md", "a\nb\nc\nd\n"), ("keep.txt", "2\n")],
        &["notes.md"],
    );
    let src = h.path("renaming").display().to_string();
    for (project, tool) in [(ALONE, Tool::Copier), (OURS, Tool::GraftAsCopier)] {
        world
            .copier_cli(
                tool,
                &["copy", "--defaults", "--vcs-ref", "v1", &src, project],
            )
            .success();
        let mut repo = GitRepo::init(h, project);
        repo.commit(&[], &[], "generated");
        repo.commit(&[("notes.md", "A\nb\nc\n")], &[], "our notes");
    }

    // A dirty project: both refuse as `copier`, changing nothing.
    for (project, tool) in [(ALONE, Tool::Copier), (OURS, Tool::GraftAsCopier)] {
        h.write(&format!("{project}/wip.txt"), "work in progress\n");
        let run = world.copier_cli(tool, &["update", "--defaults", project]);
        assert_eq!(run.code, 1, "{tool:?}: {}", run.stderr);
        assert_eq!(world.read(project, "keep.txt"), "1\n", "{tool:?}");
    }
    // graft's own command line updates it when asked to.
    world
        .h
        .run(&["update", OURS, "--defaults", "--allow-dirty"])
        .success();
    for project in [ALONE, OURS] {
        std::fs::remove_file(h.path(&format!("{project}/wip.txt"))).expect("delete wip");
    }
    world
        .copier_cli(Tool::Copier, &["update", "--defaults", ALONE])
        .success();

    // The rename: Copier drops the project's edit, graft carries it over.
    assert!(!world.exists(ALONE, "notes.md") && !world.exists(OURS, "notes.md"));
    assert_eq!(world.read(ALONE, "docs/notes.md"), "a\nb\nc\nd\n");
    assert_eq!(world.read(OURS, "docs/notes.md"), "A\nb\nc\nd\n");
    assert_eq!(world.read(OURS, "keep.txt"), world.read(ALONE, "keep.txt"));
    assert_eq!(
        world.read(OURS, ".copier-answers.yml"),
        world.read(ALONE, ".copier-answers.yml")
    );

    // Not a git repository: Copier refuses, graft updates.
    for (project, tool) in [("plain-copier", Tool::Copier), ("plain-graft", Tool::Graft)] {
        world
            .copier_cli(
                Tool::Copier,
                &["copy", "--defaults", "--vcs-ref", "v1", &src, project],
            )
            .success();
        let run = match tool {
            Tool::Copier => world.copier_cli(tool, &["update", "--defaults", project]),
            _ => world.h.run(&["update", project, "--defaults"]),
        };
        let updated = world.read(project, "keep.txt") == "2\n";
        assert_eq!(
            (run.code == 0, updated),
            (tool == Tool::Graft, tool == Tool::Graft),
            "{tool:?}: {}",
            run.stderr
        );
    }
}
