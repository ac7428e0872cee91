//! Template dialects: the facts of one template format, kept in one place.
//!
//! A dialect says how its templates are recognised (the configuration file
//! at their root), the defaults of its settings (excludes, answers file,
//! template suffix), how its answers file starts, the name under which the
//! render context holds the run's own facts (`_graft`), the environment
//! its tasks see, and the engine its files are rendered with. The stages
//! (config, answers, render, merge, plan, apply) ask the template's dialect
//! instead of naming these facts themselves, so a second dialect is a new
//! variant here and its own configuration reader, not an edit of every
//! stage.

use std::path::Path;

use serde_json::{json, Map, Value};

use crate::tree::{FileTree, Node};

/// What a run does to a project, as templates see it in
/// `_graft.operation`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Operation {
    /// Renders a template into a new or existing folder.
    #[default]
    Copy,
    /// Merges a template's changes into a project.
    Update,
    /// Renders a project's template again over it.
    Recopy,
}

impl Operation {
    /// Its name, as templates, tasks and answers files see it.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Copy => "copy",
            Operation::Update => "update",
            Operation::Recopy => "recopy",
        }
    }

    /// The operation named `name`, if any.
    pub fn from_name(name: &str) -> Option<Operation> {
        [Operation::Copy, Operation::Update, Operation::Recopy]
            .into_iter()
            .find(|o| o.as_str() == name)
    }
}

/// The facts of one run that a template may print: what graft does, from
/// where, at which version, into which folder.
pub struct RunFacts<'a> {
    /// More of the run's settings, which Copier's `_copier_conf` holds
    /// (`data`, `defaults`, `pretend`, …).
    pub conf: &'a Map<String, Value>,
    pub operation: Operation,
    /// The template's source as recorded in the answers file.
    pub src_path: &'a str,
    /// Where the template is read from: the absolute path of a local
    /// template, the URL of a remote one.
    pub template_path: &'a str,
    /// The ref asked for, if any: Copier's `_copier_conf.vcs_ref`. graft's
    /// `_graft.vcs_ref` is the version rendered instead (see
    /// [`Dialect::run_context`]).
    pub vcs_ref: Option<&'a str>,
    /// The version rendered, as `git describe` names it (as the answers
    /// file records it, for the recorded version).
    pub commit: Option<&'a str>,
    /// Its full commit hash.
    pub commit_sha: Option<&'a str>,
    /// The answers file, relative to the destination; empty while it is
    /// not known yet.
    pub answers_file: &'a str,
    pub dest: &'a Path,
    /// The destination as the person gave it.
    pub dest_given: &'a Path,
}

/// The stage of a run a Copier template sees as `_copier_phase`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Outside the others: `_external_data` paths, messages.
    Undefined,
    /// Answering the questions.
    Prompt,
    /// Rendering the files and the answers file.
    Render,
    /// Running `_tasks`.
    Tasks,
}

impl Phase {
    /// The phase's name, as Copier spells it.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Undefined => "undefined",
            Phase::Prompt => "prompt",
            Phase::Render => "render",
            Phase::Tasks => "tasks",
        }
    }
}

/// Copier's `_copier_operation`: `copy` or `update`, seen by tasks,
/// migrations and `_exclude` patterns, never by questions or files.
pub const OPERATION: &str = "_copier_operation";

/// A template format graft reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// graft's own: `graft.yml`, `{{ }}` templates in files ending in
    /// `.hbs`, and `.graft-answers.yml`.
    #[default]
    Graft,
    /// Python Copier's: `copier.yml`, Jinja files ending in `.jinja`, and
    /// `.copier-answers.yml`, rendered as Copier 9 renders them.
    Copier,
}

/// The Copier release whose behaviour the Copier dialect reproduces; a
/// template's `_min_copier_version` is checked against it.
pub const COPIER_VERSION: &str = "9.19.1";

impl Dialect {
    /// Every dialect, in the order detection tries them.
    pub const ALL: [Dialect; 2] = [Dialect::Graft, Dialect::Copier];

    /// The dialect whose configuration file is at the root of `tree` (a
    /// file or a symlink to one), if any.
    pub fn detect(tree: &FileTree) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| {
            d.config_files()
                .iter()
                .any(|f| matches!(tree.get(f), Some(Node::File { .. } | Node::Symlink { .. })))
        })
    }

    /// The dialect's name, as a person knows it.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Graft => "graft",
            Dialect::Copier => "Copier",
        }
    }

    /// The configuration files at a template's root, in order; a template
    /// has one of them.
    pub fn config_files(self) -> &'static [&'static str] {
        match self {
            Dialect::Graft => &["graft.yml", "graft.yaml"],
            Dialect::Copier => &["copier.yml", "copier.yaml"],
        }
    }

    /// The excludes every template of the dialect starts with. A Copier
    /// template that sets `_exclude`, or renders from a `_subdirectory`,
    /// starts with none (see [`TemplateConfig::excludes`]).
    ///
    /// [`TemplateConfig::excludes`]: crate::config::TemplateConfig::excludes
    pub fn default_excludes(self) -> &'static [&'static str] {
        match self {
            Dialect::Graft => &["graft.yml", "graft.yaml", ".git", ".DS_Store", "~*"],
            Dialect::Copier => &[
                "copier.yaml",
                "copier.yml",
                "~*",
                "*.py[co]",
                "__pycache__",
                ".git",
                ".DS_Store",
                ".svn",
            ],
        }
    }

    /// Whether a `!pattern` of the excludes can bring back a path inside an
    /// excluded folder. Copier matches every path on its own, so it can;
    /// graft follows git, where an excluded folder keeps all it holds out.
    pub fn excludes_match_each_path(self) -> bool {
        match self {
            Dialect::Graft => false,
            Dialect::Copier => true,
        }
    }

    /// Whether a symlink the template keeps (`_preserve_symlinks`) is a
    /// template when its name has the templates suffix: the suffix is
    /// dropped and its target rendered, as Copier does. graft's symlinks
    /// are kept as they are.
    pub fn renders_symlinks(self) -> bool {
        match self {
            Dialect::Graft => false,
            Dialect::Copier => true,
        }
    }

    /// Where answers are recorded unless the template says otherwise.
    pub fn default_answers_file(self) -> &'static str {
        match self {
            Dialect::Graft => ".graft-answers.yml",
            Dialect::Copier => ".copier-answers.yml",
        }
    }

    /// The suffix of files that are rendered, unless the template says
    /// otherwise.
    pub fn default_templates_suffix(self) -> &'static str {
        match self {
            Dialect::Graft => ".hbs",
            Dialect::Copier => ".jinja",
        }
    }

    /// The first line of an answers file the dialect writes.
    pub fn answers_header(self) -> &'static str {
        match self {
            Dialect::Graft => {
                "# Managed by graft: change answers with `graft update --data KEY=VALUE`.\n"
            }
            Dialect::Copier => {
                "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
            }
        }
    }

    /// Whether an update makes a `_skip_if_exists` file the project deleted
    /// again though the template did not change it: Copier renders every
    /// file over the project and spares only existing ones. graft's own
    /// dialect brings it back only with a change (SPEC §6).
    pub fn recreates_missing_skipped_files(self) -> bool {
        self == Dialect::Copier
    }

    /// Whether a file left in conflict keeps the project's executable bit
    /// even where the template changed it, in a git work tree that tracks
    /// modes: Copier merges into the file as git checks it out from the
    /// index. graft's own dialect follows the template's change, as it
    /// does for every file the project left alone.
    pub fn conflicts_keep_the_project_s_mode(self) -> bool {
        self == Dialect::Copier
    }

    /// Whether a file both the template and the project added, left in
    /// conflict, gets an empty base in git's index (stage 1), so
    /// `git status` shows it `UU` as Copier leaves it: Copier merges such
    /// a file against an empty one it creates. graft's own dialect records
    /// no base, and git shows the file as added by both (`AA`).
    pub fn indexes_empty_base_when_added_by_both(self) -> bool {
        self == Dialect::Copier
    }

    /// The key of the render context that holds the run's own facts
    /// (operation, source, version, answers file, destination name).
    pub fn context_key(self) -> &'static str {
        match self {
            Dialect::Graft => "_graft",
            Dialect::Copier => "_copier_conf",
        }
    }

    /// The name of the environment variable `what` (`OPERATION`,
    /// `ANSWER_NAME`, `STAGE`, …) that tasks and migrations see; `None`
    /// when the dialect's tasks are not given it (Copier passes no answers
    /// in the environment).
    pub fn env_var(self, what: &str) -> Option<String> {
        match self {
            Dialect::Graft => Some(format!("GRAFT_{what}")),
            Dialect::Copier => match what {
                "OPERATION" => Some("COPIER_OPERATION".to_string()),
                "STAGE"
                | "VERSION_FROM"
                | "VERSION_TO"
                | "VERSION_PEP440_FROM"
                | "VERSION_PEP440_TO" => Some(what.to_string()),
                _ => None,
            },
        }
    }

    /// The entries of the render context that hold the run's own facts:
    /// `_graft` for graft's templates; Copier's `_copier_conf`,
    /// `_folder_name`, `_copier_operation`, `_copier_python` and
    /// `_copier_phase` (the render phase) for Copier's.
    pub fn run_context(self, facts: &RunFacts) -> Map<String, Value> {
        let dst_name = facts
            .dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut out = Map::new();
        match self {
            Dialect::Graft => {
                // `vcs_ref` is the version rendered, not how the ref was
                // typed: two spellings of one version (`v1.0.0`, its sha)
                // render the same bytes, so a render of the recorded
                // version repeats the one that wrote the project.
                out.insert(
                    self.context_key().into(),
                    json!({
                        "operation": facts.operation.as_str(),
                        "src_path": facts.src_path,
                        "vcs_ref": facts.commit,
                        "commit": facts.commit,
                        "answers_file": facts.answers_file,
                        "dst_name": dst_name,
                    }),
                );
            }
            Dialect::Copier => {
                // Copier's recopy is a copy to its templates.
                let operation = match facts.operation {
                    Operation::Update => "update",
                    Operation::Copy | Operation::Recopy => "copy",
                };
                let mut conf = json!({
                    "src_path": facts.template_path,
                    "dst_path": facts.dest_given.to_string_lossy(),
                    "answers_file": facts.answers_file,
                    "vcs_ref": facts.vcs_ref,
                    "vcs_ref_hash": facts.commit_sha,
                });
                if let Value::Object(map) = &mut conf {
                    map.extend(facts.conf.clone());
                    map.insert("sep".into(), std::path::MAIN_SEPARATOR.to_string().into());
                    map.insert("os".into(), copier_os().into());
                }
                out.insert(self.context_key().into(), conf);
                out.insert("_folder_name".into(), Value::String(dst_name));
                // Seen by tasks and `_exclude` patterns, not by files.
                out.insert(OPERATION.into(), operation.into());
                out.insert("_copier_python".into(), python().into());
            }
        }
        self.set_phase(&mut out, Phase::Render);
        out
    }

    /// Tells a template the stage of the run it is rendered in: Copier's
    /// `_copier_phase`; graft's templates are not told.
    pub fn set_phase(self, context: &mut Map<String, Value>, phase: Phase) {
        if self == Dialect::Copier {
            context.insert("_copier_phase".into(), phase.name().into());
        }
    }
}

/// Copier's name of the operating system.
fn copier_os() -> Option<&'static str> {
    match std::env::consts::OS {
        "linux" => Some("linux"),
        "macos" => Some("macos"),
        "windows" => Some("windows"),
        _ => None,
    }
}

/// The first `python3` (else `python`) on PATH, which Copier's templates
/// know as `_copier_python`; `python3` when there is none.
fn python() -> String {
    static FOUND: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FOUND
        .get_or_init(|| {
            let path = std::env::var_os("PATH").unwrap_or_default();
            for name in ["python3", "python"] {
                for dir in std::env::split_paths(&path) {
                    let candidate = dir.join(name);
                    if candidate.is_file() {
                        return candidate.to_string_lossy().into_owned();
                    }
                }
            }
            "python3".to_string()
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::AnswersFile;
    use crate::source::VersionAsked;

    #[test]
    fn a_template_is_of_the_dialect_whose_configuration_it_holds() {
        let mut tree = FileTree::new();
        assert_eq!(Dialect::detect(&tree), None);
        tree.insert("graft.yaml", Node::file("a: 1\n"));
        assert_eq!(Dialect::detect(&tree), Some(Dialect::Graft));
        let mut linked = FileTree::new();
        linked.insert(
            "graft.yml",
            Node::Symlink {
                target: "config/graft.yml".to_string(),
            },
        );
        assert_eq!(Dialect::detect(&linked), Some(Dialect::Graft));
    }

    #[test]
    fn copier_templates_see_where_the_template_is_and_answers_record_it_as_given() {
        let facts = RunFacts {
            operation: Operation::Copy,
            src_path: "template",
            template_path: "/work/template",
            vcs_ref: None,
            commit: None,
            commit_sha: None,
            answers_file: ".copier-answers.yml",
            dest: Path::new("/work/project"),
            dest_given: Path::new("project"),
            conf: &Map::new(),
        };
        let ctx = Dialect::Copier.run_context(&facts);
        assert_eq!(ctx["_copier_conf"]["src_path"], "/work/template");
        assert_eq!(ctx["_copier_conf"]["dst_path"], "project");
        assert_eq!(ctx["_folder_name"], "project");
        assert_eq!(ctx["_copier_phase"], "render");
    }

    #[test]
    fn a_render_of_the_recorded_version_is_given_what_the_answers_file_records() {
        let recorded = AnswersFile {
            commit: Some("v1.0.0".into()),
            operation: Operation::Recopy,
            ..AnswersFile::default()
        };
        let v1 = Some("v1.0.0".to_string());
        assert_eq!(
            recorded.recorded_run(Dialect::Graft),
            (Operation::Recopy, v1.clone())
        );
        assert_eq!(
            recorded.recorded_run(Dialect::Copier),
            (Operation::Update, v1.clone())
        );
        for d in Dialect::ALL {
            let asked = |flag| recorded.asked_ref(d, &VersionAsked::from_flag(flag));
            assert_eq!(asked(Some(":current:")), v1);
            assert_eq!(asked(Some("main")).as_deref(), Some("main"));
            assert_eq!(asked(None), None);
        }
    }

    #[test]
    fn graft_templates_see_the_version_rendered_however_the_ref_was_typed() {
        let facts = RunFacts {
            conf: &Map::new(),
            operation: Operation::Update,
            src_path: "/t",
            template_path: "/t",
            vcs_ref: Some("main"),
            commit: Some("v1.0.0-2-gabc1234"),
            commit_sha: Some("abc1234"),
            answers_file: ".graft-answers.yml",
            dest: Path::new("/p/app"),
            dest_given: Path::new("app"),
        };
        let graft = Dialect::Graft.run_context(&facts);
        assert_eq!(
            graft["_graft"],
            json!({
                "operation": "update",
                "src_path": "/t",
                "vcs_ref": "v1.0.0-2-gabc1234",
                "commit": "v1.0.0-2-gabc1234",
                "answers_file": ".graft-answers.yml",
                "dst_name": "app",
            })
        );
        let copier = Dialect::Copier.run_context(&facts);
        assert_eq!(copier["_copier_conf"]["vcs_ref"], "main");
        assert_eq!(copier["_copier_operation"], "update");
    }

    #[test]
    fn every_config_file_is_excluded_from_the_render() {
        for d in Dialect::ALL {
            for f in d.config_files() {
                assert!(d.default_excludes().contains(f), "{f}");
            }
        }
    }
}
