//! One module per subcommand: each resolves its settings from flags and the
//! environment, calls the core, prints, and decides the exit code. This is
//! the only layer that reads the environment or prints.

pub mod check;
pub mod check_update;
pub mod completions;
pub mod copy;
pub mod diff;
pub mod man;
pub mod recopy;
pub mod remove;
pub mod update;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::answers::{self, AnswerSources, Answers};
use crate::cli::CommonArgs;
use crate::config::TemplateConfig;
use crate::dialect::{Dialect, Operation, Phase, RunFacts};
use crate::error::Error;
use crate::inject;
use crate::journal::FaultInjection;
use crate::lock::ProjectLock;
use crate::printer::{quote_path, Printer};
use crate::project::Project;
use crate::prompt::{NoPrompt, Prompter, TerminalPrompt};
use crate::render::{self, clean_relative, Engine, Rendered};
use crate::settings::{self, UserSettings};
use crate::source::{Revision, SourceOptions};
use crate::tree::FileTree;

/// The faults the environment asks for: only in builds with the
/// `fault-injection` feature, which graft's tests turn on.
#[cfg(feature = "fault-injection")]
fn fault_injection() -> FaultInjection {
    let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
    FaultInjection {
        fail_after: number("GRAFT_FAIL_AFTER_WRITES"),
        abort_after: number("GRAFT_ABORT_AFTER_WRITES"),
        interrupt_after: number("GRAFT_INTERRUPT_AFTER_WRITES"),
        fail_restores: number("GRAFT_FAIL_RESTORES"),
    }
}

#[cfg(not(feature = "fault-injection"))]
fn fault_injection() -> FaultInjection {
    FaultInjection::default()
}

/// What a command needs from the process environment, read once.
pub struct Env {
    pub cwd: PathBuf,
    /// stdin and stderr are both terminals.
    pub interactive: bool,
    pub stderr_terminal: bool,
    pub no_color: bool,
    pub settings_path: Option<PathBuf>,
    /// Copier's user settings file, read under graft's.
    pub copier_settings_path: Option<PathBuf>,
    pub cache_dir: PathBuf,
    pub faults: FaultInjection,
    /// The project folder whose lock the graft command that started this
    /// process holds (set for its tasks and migrations).
    pub locked_project: Option<PathBuf>,
    /// The dialect a template without any configuration file is read in:
    /// Copier's when graft answers as `copier` (Copier renders such a
    /// template with its defaults); otherwise the project's answers file
    /// decides on update, and a copy needs the file.
    pub bare_dialect: Option<Dialect>,
}

impl Env {
    pub fn from_process() -> Result<Env, Error> {
        let cwd = std::env::current_dir().map_err(|e| Error::io("read", ".", e))?;
        let stderr_terminal = std::io::stderr().is_terminal();
        Ok(Env {
            cwd,
            interactive: std::io::stdin().is_terminal() && stderr_terminal,
            stderr_terminal,
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            settings_path: settings::settings_path(std::env::var_os("GRAFT_SETTINGS")),
            copier_settings_path: settings::copier_settings_path(std::env::var_os(
                "COPIER_SETTINGS_PATH",
            )),
            cache_dir: match std::env::var_os("GRAFT_CACHE_DIR") {
                Some(d) if !d.is_empty() => PathBuf::from(d),
                _ => dirs::cache_dir()
                    .unwrap_or_else(std::env::temp_dir)
                    .join("graft"),
            },
            faults: fault_injection(),
            locked_project: std::env::var_os(crate::tasks::LOCKED_PROJECT_VAR)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            bare_dialect: None,
        })
    }

    /// The dialect a template without a configuration file is read in for
    /// the project's answers file `answers_rel` (see [`Env::bare_dialect`]).
    pub fn bare_dialect_for(&self, answers_rel: &str) -> Option<Dialect> {
        self.bare_dialect
            .or(Some(crate::project::dialect_of_answers_file(answers_rel)))
    }

    /// `path` made absolute against the current folder, without `.` parts.
    pub fn absolute(&self, path: &Path) -> PathBuf {
        self.cwd.join(path).components().collect()
    }

    pub fn printer(&self, common: &CommonArgs) -> Printer {
        Printer {
            quiet: common.quiet,
            verbose: common.verbose,
            color: self.stderr_terminal && !self.no_color,
        }
    }

    pub fn prompter(&self) -> Box<dyn Prompter> {
        if self.interactive {
            Box::new(TerminalPrompt::default())
        } else {
            Box::new(NoPrompt)
        }
    }

    pub fn source_options(&self, common: &CommonArgs) -> SourceOptions {
        SourceOptions {
            cache_dir: self.cache_dir.clone(),
            offline: common.offline,
            show_progress: self.stderr_terminal && !common.quiet && !common.json,
        }
    }

    /// Where journals are registered and how writes are checked.
    pub fn journals(&self) -> crate::journal::Journals {
        crate::journal::Journals {
            registry: self.cache_dir.join("journals"),
            faults: self.faults,
        }
    }

    pub fn user_settings(&self) -> Result<UserSettings, Error> {
        settings::load_both(
            self.settings_path.as_deref(),
            self.copier_settings_path.as_deref(),
        )
    }
}

/// Reads `--data-file`: JSON when the name ends in `.json`, YAML otherwise.
pub fn read_data_file(path: &Path) -> Result<Map<String, Value>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let file = path.display().to_string();
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let value = if is_json {
        serde_json::from_str::<Value>(&text).map_err(|e| Error::DataFile {
            file: file.clone(),
            format: "JSON",
            message: e.to_string(),
        })?
    } else {
        crate::config::yaml::parse(&text)
            .map_err(|e| Error::DataFile {
                file: file.clone(),
                format: "YAML",
                message: format!("line {}: {}", e.line, e.message),
            })?
            .to_json()
    };
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        other => Err(Error::DataFileShape {
            file,
            found: crate::config::yaml::json_kind(&other),
        }),
    }
}

/// Checks `_min_graft_version`, or a Copier template's
/// `_min_copier_version` against the Copier release graft matches.
pub fn check_version(config: &TemplateConfig) -> Result<(), Error> {
    if let Some(required) = &config.settings.min_copier_version {
        let current = crate::dialect::COPIER_VERSION;
        let release = |v: &str| -> Option<Vec<u64>> {
            let v = v.trim().trim_start_matches(['v', 'V']);
            let end = v
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(v.len());
            let parts: Vec<u64> = v[..end]
                .split('.')
                .filter(|p| !p.is_empty())
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            (!parts.is_empty()).then_some(parts)
        };
        let Some(wanted) = release(required) else {
            return Err(Error::config(
                &config.file,
                1,
                format!("`_min_copier_version` is not a version: `{required}`"),
            ));
        };
        let have = release(current).unwrap_or_default();
        let padded = |v: &[u64]| {
            let mut v = v.to_vec();
            v.resize(v.len().max(wanted.len()).max(have.len()), 0);
            v
        };
        if padded(&have) < padded(&wanted) {
            return Err(Error::CopierTooOld {
                required: required.clone(),
                current: current.to_string(),
            });
        }
    }
    if let Some(required) = &config.settings.min_graft_version {
        let current = semver::Version::parse(env!("CARGO_PKG_VERSION"))
            .unwrap_or_else(|_| semver::Version::new(0, 0, 0));
        if &current < required {
            return Err(Error::TooOld {
                required: required.to_string(),
                current: current.to_string(),
            });
        }
    }
    Ok(())
}

/// Everything a render needs besides the template.
pub struct RenderInputs<'a> {
    /// The operation templates see; a render of a project's recorded
    /// version is given the recorded one (see [`Dialect::recorded_run`]).
    pub operation: Operation,
    pub src_display: &'a str,
    /// The source as the person gave it (or as the answers file records
    /// it), which a Copier answers file records as it is.
    pub src_given: &'a str,
    /// DEST as the person gave it, which Copier's `_copier_conf.dst_path`
    /// shows as it is.
    pub dest_given: &'a Path,
    /// The ref asked for, which Copier's templates see (see
    /// [`Dialect::asked_ref`]).
    pub vcs_ref: Option<&'a str>,
    pub revision: &'a Revision,
    pub dest: &'a Path,
    pub common: &'a CommonArgs,
    pub user: &'a UserSettings,
    /// Recorded answers (update, recopy); empty for copy.
    pub recorded: Map<String, Value>,
    pub skip_answered: bool,
    pub use_defaults: bool,
    /// Whether `_external_data` may read outside DEST.
    pub trusted: bool,
    /// Show a spinner if rendering takes long.
    pub progress: bool,
    /// Compiled templates shared with another render of the same run.
    pub compiled: Option<std::sync::Arc<render::Compiled>>,
    /// Where the render's warnings go (a Copier extension graft cannot
    /// run), as soon as they are known; `None` keeps them quiet (the old
    /// side of an update, which the new side warns about).
    pub printer: Option<&'a Printer>,
}

/// A template rendered for a project: the tree, answers and answers file.
pub struct ProjectRender {
    pub rendered: Rendered,
    pub answers: Answers,
    pub answers_path: String,
    /// The answers file's text; `None` for a Copier template that does not
    /// write one (Copier then records nothing).
    pub answers_text: Option<String>,
    pub engine: Engine,
    /// Injections into files this render does not produce (files of the
    /// project or of another template).
    pub external_blocks: Vec<inject::Block>,
}

impl ProjectRender {
    /// Renders a `_message_*` setting of `config` with this render's answers.
    pub fn message(
        &self,
        config: &TemplateConfig,
        setting: &str,
        text: &str,
    ) -> Result<String, Error> {
        let mut data = self.answers.context.clone();
        config.dialect.set_phase(&mut data, Phase::Undefined);
        let ctx = render::Context::of(&data)?;
        self.engine
            .render(&format!("{} ({setting})", config.file), text, &ctx)
    }
}

fn run_facts<'a>(
    inputs: &'a RenderInputs,
    src_path: &'a str,
    answers_file: &'a str,
    conf: &'a Map<String, Value>,
) -> RunFacts<'a> {
    RunFacts {
        conf,
        operation: inputs.operation,
        src_path,
        template_path: inputs.src_display,
        vcs_ref: inputs.vcs_ref,
        commit: inputs.revision.describe.as_deref(),
        commit_sha: inputs.revision.sha.as_deref(),
        answers_file,
        dest: inputs.dest,
        dest_given: inputs.dest_given,
    }
}

/// The settings of the run that Copier shows its templates in
/// `_copier_conf` besides the paths: the data given, the flags.
fn copier_conf(inputs: &RenderInputs, sources: &AnswerSources) -> Map<String, Value> {
    let mut data = sources.data_file.clone();
    for (k, v) in &sources.data {
        data.insert(k.clone(), Value::String(v.clone()));
    }
    let common = inputs.common;
    let mut out = Map::new();
    let mut put = |k: &str, v: Value| {
        out.insert(k.to_string(), v);
    };
    put("data", Value::Object(data));
    put("defaults", inputs.use_defaults.into());
    put("user_defaults", Value::Object(inputs.user.defaults.clone()));
    put("overwrite", false.into());
    put("pretend", common.pretend.into());
    put("quiet", common.quiet.into());
    put("unsafe", inputs.trusted.into());
    put("skip_answered", inputs.skip_answered.into());
    put("skip_tasks", common.skip_tasks.into());
    put("exclude", common.exclude.clone().into());
    put("skip_if_exists", common.skip.clone().into());
    put("use_prereleases", common.prereleases.into());
    put("cleanup_on_error", true.into());
    put("conflict", "inline".into());
    put("context_lines", 3.into());
    out
}

/// Answers the questions and renders the template.
pub fn render_project(
    tree: &FileTree,
    config: &TemplateConfig,
    inputs: &RenderInputs,
    prompter: &mut dyn Prompter,
) -> Result<ProjectRender, Error> {
    let (mut engine, warnings) = render::engine_with_warnings(tree, config, inputs.trusted)?;
    if let Some(printer) = inputs.printer {
        for w in &warnings {
            printer.warn(w);
        }
    }
    if let Some(compiled) = &inputs.compiled {
        engine.share_compiled(compiled.clone());
    }
    let src_record = match config.dialect {
        Dialect::Copier => inputs.src_given,
        Dialect::Graft => inputs.src_display,
    };
    let answers_file_raw = inputs
        .common
        .answers_file
        .clone()
        .unwrap_or_else(|| config.settings.answers_file.clone());
    let mut data = Vec::new();
    for d in &inputs.common.data {
        data.push(answers::split_data(d)?);
    }
    let sources = AnswerSources {
        data,
        data_file: match &inputs.common.data_file {
            Some(p) => read_data_file(p)?,
            None => Map::new(),
        },
        recorded: inputs.recorded.clone(),
        user_defaults: inputs.user.defaults.clone(),
        use_defaults: inputs.use_defaults,
        skip_answered: inputs.skip_answered,
    };
    let conf = copier_conf(inputs, &sources);
    let mut base = config.dialect.run_context(&run_facts(
        inputs,
        src_record,
        match config.dialect {
            // Copier knows the answers file only once it is rendered.
            Dialect::Copier => "",
            Dialect::Graft => &answers_file_raw,
        },
        &conf,
    ));
    config.dialect.set_phase(&mut base, Phase::Undefined);
    let external = external_data(config, &engine, &base, inputs.dest, inputs.trusted, true)?;
    base.insert("_external_data".into(), Value::Object(external));
    config.dialect.set_phase(&mut base, Phase::Prompt);

    let lazy_external =
        config.dialect == Dialect::Copier && !config.settings.external_data.is_empty();
    let mut refresh = |context: &mut Map<String, Value>| -> Result<(), Error> {
        if lazy_external {
            let external =
                external_data(config, &engine, context, inputs.dest, inputs.trusted, true)?;
            context.insert("_external_data".into(), Value::Object(external));
        }
        Ok(())
    };
    let mut answers =
        answers::resolve_with(config, &engine, base, &sources, prompter, &mut refresh)?;
    if config.dialect == Dialect::Copier && !config.settings.external_data.is_empty() {
        // What needed an answer can be read now.
        let external = external_data(
            config,
            &engine,
            &answers.context,
            inputs.dest,
            inputs.trusted,
            false,
        )?;
        answers
            .context
            .insert("_external_data".into(), Value::Object(external));
    }
    config
        .dialect
        .set_phase(&mut answers.context, Phase::Render);

    let answers_path = match &inputs.common.answers_file {
        Some(a) => a.clone(),
        None => {
            let ctx = render::Context::of(&answers.context)?;
            engine.render(
                &format!("{} (_answers_file)", config.file),
                &config.settings.answers_file,
                &ctx,
            )?
        }
    };
    let answers_path = match clean_relative(&answers_path) {
        Ok(p) if !p.is_empty() => p,
        Ok(_) => {
            return Err(Error::UnsafePath {
                path: answers_path,
                from: "the answers file".to_string(),
                reason: "must be a relative path inside the destination".to_string(),
            })
        }
        Err(reason) if render::in_git_dir(&answers_path) => {
            return Err(Error::UnsafePath {
                path: answers_path,
                from: "the answers file".to_string(),
                reason,
            })
        }
        Err(_) => {
            return Err(Error::UnsafePath {
                path: answers_path,
                from: "the answers file".to_string(),
                reason: "must be a relative path inside the destination".to_string(),
            })
        }
    };
    answers
        .context
        .extend(
            config
                .dialect
                .run_context(&run_facts(inputs, src_record, &answers_path, &conf)),
        );
    if config.dialect == Dialect::Copier {
        // What Copier records, for a template that writes its own answers
        // file from `{{ _copier_answers|to_nice_yaml }}`.
        let mut remembered = Map::new();
        if let Some(commit) = &inputs.revision.describe {
            remembered.insert("_commit".into(), Value::String(commit.clone()));
        }
        remembered.insert("_src_path".into(), Value::String(src_record.to_string()));
        remembered.extend(answers.recorded.clone());
        answers
            .context
            .insert("_copier_answers".into(), Value::Object(remembered));
    }

    let ctx = render::Context::of(&answers.context)?;
    let root = render::render_root(tree, config, &engine, &ctx)?;
    let bar = ProgressBar::start(inputs.progress, "rendering");
    let mut rendered = render::render(
        tree,
        config,
        &engine,
        &Value::Object(answers.context.clone()),
        &root,
        &inputs.common.exclude,
        &bar,
    )?;
    drop(bar);
    // graft writes the answers file itself; a Copier template writes its
    // own, which is kept as it wrote it.
    let own_answers = match rendered.tree.entries.remove(&answers_path) {
        Some(crate::tree::Node::File { bytes, .. }) if config.dialect == Dialect::Copier => {
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        _ => None,
    };
    rendered.sources.remove(&answers_path);

    let mut external_blocks = Vec::new();
    for block in inject::render(&engine, &config.settings.injections, &ctx)? {
        match rendered.tree.entries.get_mut(&block.into) {
            Some(crate::tree::Node::File { bytes, .. }) => {
                let text = String::from_utf8_lossy(bytes).into_owned();
                let out = inject::apply(&text, &block, &answers_path).map_err(|source| {
                    Error::Injection {
                        file: block.into.clone(),
                        owner: answers_path.clone(),
                        source,
                    }
                })?;
                *bytes = out.into_bytes().into();
            }
            _ => external_blocks.push(block),
        }
    }

    let answers_text = match (config.dialect, own_answers) {
        (Dialect::Copier, own) => own,
        (Dialect::Graft, _) => Some(
            answers::AnswersFile {
                src_path: inputs.src_display.to_string(),
                commit: inputs.revision.describe.clone(),
                commit_sha: inputs.revision.sha.clone(),
                operation: inputs.operation,
                answers: answers.recorded.clone(),
            }
            .to_yaml(config.dialect)?,
        ),
    };
    Ok(ProjectRender {
        rendered,
        answers,
        answers_path,
        answers_text,
        engine,
        external_blocks,
    })
}

/// The template's tasks rendered with the answers of `project`. Prepared
/// even with `--skip-tasks`, so the report can list them as skipped.
pub fn project_tasks(
    config: &TemplateConfig,
    project: &ProjectRender,
) -> Result<Vec<crate::tasks::PreparedCommand>, Error> {
    crate::tasks::prepare_tasks(
        config.dialect,
        &project.engine,
        &config.settings.tasks,
        &project.answers.context,
        &crate::tasks::secret_values(config, &project.answers.context),
    )
}

/// Refuses to go on when the run would execute `tasks` without consent
/// (`--pretend` runs nothing, so it needs none).
pub fn require_trust(
    tasks: &[crate::tasks::PreparedCommand],
    trusted: bool,
    common: &CommonArgs,
    src: &str,
) -> Result<(), Error> {
    if tasks.is_empty() || common.skip_tasks || trusted || common.pretend {
        return Ok(());
    }
    Err(Error::NeedsTrust {
        src: src.to_string(),
        commands: tasks.iter().map(|t| t.display()).collect(),
    })
}

/// Loads `_external_data`: each path is templated, relative to DEST; a
/// missing file is `{}`; a path outside DEST needs trust.
/// `before_answers` marks the read before the questions of a Copier
/// template: Copier reads an entry when a template first uses it, so one
/// whose path needs an answer not given yet (it renders to nothing, or to
/// a folder) is left out until the read after the questions.
fn external_data(
    config: &TemplateConfig,
    engine: &Engine,
    base: &Map<String, Value>,
    dest: &Path,
    trusted: bool,
    before_answers: bool,
) -> Result<Map<String, Value>, Error> {
    let mut out = Map::new();
    if config.settings.external_data.is_empty() {
        return Ok(out);
    }
    // Copier renders these paths outside any phase.
    let mut base = base.clone();
    config.dialect.set_phase(&mut base, Phase::Undefined);
    let ctx = render::Context::of(&base)?;
    let lazy = before_answers && config.dialect == Dialect::Copier;
    for (name, raw) in &config.settings.external_data {
        let rendered = match engine.render(
            &format!("{} (_external_data.{name})", config.file),
            raw,
            &ctx,
        ) {
            Err(_) if lazy => continue,
            other => other?,
        };
        if lazy && (rendered.trim().is_empty() || rendered.ends_with('/')) {
            continue;
        }
        let path = match clean_relative(&rendered) {
            Ok(rel) if trusted || resolves_inside(dest, &dest.join(&rel)) => dest.join(rel),
            // `..` is resolved on the path, not on the disk: DEST may not exist yet.
            Err(_) if trusted => lexical_join(dest, &rendered),
            _ => {
                return Err(Error::ExternalDataOutside {
                    name: name.clone(),
                    path: rendered,
                })
            }
        };
        let value = match read_external_file(name, &path)? {
            Some(text) => {
                let file = path.display().to_string();
                let node = crate::config::yaml::parse(&text)
                    .map_err(|e| Error::config(&file, e.line, e.message))?;
                match node.to_json() {
                    Value::Null => Value::Object(Map::new()),
                    v => v,
                }
            }
            None => Value::Object(Map::new()),
        };
        out.insert(name.clone(), value);
    }
    Ok(out)
}

/// The most bytes one `_external_data` file may hold. Those files are
/// answers files and small data files; the limit keeps a template from
/// making graft read a huge file into memory.
pub const EXTERNAL_DATA_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Reads one `_external_data` file: `None` when it does not exist. Only a
/// regular file (or a symlink to one) is read, so a FIFO cannot block graft
/// and a device cannot feed it forever; and at most
/// [`EXTERNAL_DATA_MAX_BYTES`] are read, so a large file is refused
/// without being read whole.
fn read_external_file(name: &str, path: &Path) -> Result<Option<String>, Error> {
    use std::io::Read;
    let not_a_file = |meta: &std::fs::Metadata| Error::ExternalDataNotAFile {
        name: name.to_string(),
        path: path.to_path_buf(),
        kind: crate::plan::special_kind(&meta.file_type()),
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    if !meta.is_file() {
        return Err(not_a_file(&meta));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    // The path may have been swapped since it was looked at: check what was
    // opened.
    let meta = file.metadata().map_err(|e| Error::io("read", path, e))?;
    if !meta.is_file() {
        return Err(not_a_file(&meta));
    }
    let mut bytes = Vec::new();
    file.take(EXTERNAL_DATA_MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", path, e))?;
    if bytes.len() as u64 > EXTERNAL_DATA_MAX_BYTES {
        return Err(Error::ExternalDataTooLarge {
            name: name.to_string(),
            path: path.to_path_buf(),
            limit: EXTERNAL_DATA_MAX_BYTES,
        });
    }
    String::from_utf8(bytes).map(Some).map_err(|_| {
        Error::io(
            "read",
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"),
        )
    })
}

/// Whether `path` (under `dest`) stays inside `dest` once symlinks are
/// followed; a path that does not exist reads as `{}` and so is inside.
fn resolves_inside(dest: &Path, path: &Path) -> bool {
    match (dest.canonicalize(), path.canonicalize()) {
        (Ok(dest), Ok(path)) => path.starts_with(dest),
        _ => true,
    }
}

/// `base` joined with `rel` (which may be absolute or climb with `..`),
/// with `.` and `..` resolved by name.
fn lexical_join(base: &Path, rel: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for part in base.join(rel).components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Prints one status line per planned change.
pub fn print_plan(printer: &Printer, plan: &crate::plan::Plan) {
    for change in &plan.changes {
        printer.status(change.action, &change.path);
    }
}

/// Prints the unified diff of every change that writes or deletes, on stdout.
pub fn print_diffs(plan: &crate::plan::Plan) {
    use crate::tree::Node;
    let text = |n: &Option<Node>| -> Option<Option<String>> {
        match n {
            None | Some(Node::Dir) => Some(Some(String::new())),
            Some(Node::File { bytes, .. }) if render::is_binary(bytes) => Some(None),
            Some(Node::File { bytes, .. }) => {
                Some(Some(String::from_utf8_lossy(bytes).into_owned()))
            }
            Some(Node::Symlink { target }) => Some(Some(format!("-> {target}\n"))),
        }
    };
    for change in plan.writes() {
        let after = match change.action {
            crate::plan::Action::Delete => None,
            _ => change.write.clone(),
        };
        let (Some(old), Some(new)) = (text(&change.before), text(&after)) else {
            continue;
        };
        match (old, new) {
            (Some(old), Some(new)) => {
                if old == new {
                    continue;
                }
                let diff = similar::TextDiff::from_lines(&old, &new);
                let a = if change.before.is_some() {
                    quote_path(&format!("a/{}", change.path)).into_owned()
                } else {
                    "/dev/null".to_string()
                };
                let b = if after.is_some() {
                    quote_path(&format!("b/{}", change.path)).into_owned()
                } else {
                    "/dev/null".to_string()
                };
                print!("{}", diff.unified_diff().context_radius(3).header(&a, &b));
            }
            _ => println!(
                "Binary files {} and {} differ",
                quote_path(&format!("a/{}", change.path)),
                quote_path(&format!("b/{}", change.path))
            ),
        }
    }
}

/// Renders a `_message_*` setting with the context known before answering.
pub fn render_message(
    config: &TemplateConfig,
    message: &str,
    inputs: &RenderInputs,
) -> Result<String, Error> {
    let engine = render::engine_for(&FileTree::new(), config).unwrap_or_default();
    let src_record = match config.dialect {
        Dialect::Copier => inputs.src_given,
        Dialect::Graft => inputs.src_display,
    };
    let mut data = config
        .dialect
        .run_context(&run_facts(inputs, src_record, "", &Map::new()));
    config.dialect.set_phase(&mut data, Phase::Undefined);
    let ctx = render::Context::of(&data)?;
    engine.render(&format!("{} (message)", config.file), message, &ctx)
}

/// Puts `blocks` into the project's files (copy, recopy): one change per
/// target file, its blocks inserted or replaced in place.
pub fn inject_into_project(
    dest: &Path,
    blocks: &[inject::Block],
    owner: &str,
) -> Result<Vec<crate::plan::Change>, Error> {
    use crate::plan::{read_node, Action, Change};
    use crate::tree::Node;
    let mut targets: Vec<(String, Option<Node>, String)> = Vec::new();
    for block in blocks {
        let pos = match targets.iter().position(|(p, _, _)| p == &block.into) {
            Some(i) => i,
            None => {
                let before = read_node(dest, &block.into)?;
                let Some(Node::File { bytes, .. }) = &before else {
                    return Err(Error::Injection {
                        file: block.into.clone(),
                        owner: owner.to_string(),
                        source: inject::InjectError(format!(
                            "`{}` is not a file of the project",
                            block.into
                        )),
                    });
                };
                let text = String::from_utf8_lossy(bytes).into_owned();
                targets.push((block.into.clone(), before.clone(), text));
                targets.len() - 1
            }
        };
        let text = &mut targets[pos].2;
        *text = inject::apply(text, block, owner).map_err(|source| Error::Injection {
            file: block.into.clone(),
            owner: owner.to_string(),
            source,
        })?;
    }
    Ok(targets
        .into_iter()
        .map(|(path, before, text)| {
            let executable = matches!(
                before,
                Some(Node::File {
                    executable: true,
                    ..
                })
            );
            let node = Node::File {
                bytes: text.into_bytes().into(),
                executable,
            };
            if before.as_ref() == Some(&node) {
                Change::new(&path, Action::Identical, None, before)
            } else {
                Change::new(&path, Action::Update, Some(node), before)
            }
        })
        .collect())
}

/// A progress bar on stderr for rendering or writing files, for work that
/// turns out to take a while: it appears only after [`progress_delay`], so
/// fast runs print nothing extra, and the caller asks for it only when
/// stderr is a terminal and the run is not `--quiet`. It is cleared when
/// dropped.
pub struct ProgressBar {
    bar: Option<indicatif::ProgressBar>,
    /// Set when the work is done; the lock also keeps the bar from being
    /// shown after it was cleared.
    done: std::sync::Arc<std::sync::Mutex<bool>>,
}

impl ProgressBar {
    /// A bar labelled `message` (`rendering`, `writing`), hidden until the
    /// delay has passed; with `enabled` false, one that never shows.
    pub fn start(enabled: bool, message: &str) -> ProgressBar {
        let done = std::sync::Arc::new(std::sync::Mutex::new(false));
        if !enabled {
            return ProgressBar { bar: None, done };
        }
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg:>10} [{bar:30}] {pos}/{len} files ({elapsed})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message.to_string());
        let (shown, flag) = (bar.clone(), done.clone());
        std::thread::spawn(move || {
            std::thread::sleep(progress_delay());
            // Held while showing it, so `drop` cannot clear it in between.
            if let Ok(done) = flag.lock() {
                if !*done {
                    shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    shown.tick();
                    shown.enable_steady_tick(std::time::Duration::from_millis(100));
                }
            }
        });
        ProgressBar {
            bar: Some(bar),
            done,
        }
    }
}

impl crate::progress::Progress for ProgressBar {
    fn set_total(&self, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
        }
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }
}

impl Drop for ProgressBar {
    fn drop(&mut self) {
        let guard = self.done.lock();
        if let Ok(mut done) = guard {
            *done = true;
            if let Some(bar) = &self.bar {
                bar.finish_and_clear();
            }
        }
    }
}

/// How long rendering or writing runs before its progress bar appears:
/// one second, so only work a person waits for shows one.
#[cfg(not(feature = "fault-injection"))]
fn progress_delay() -> std::time::Duration {
    std::time::Duration::from_secs(1)
}

/// The same, which graft's tests shorten with `GRAFT_PROGRESS_DELAY_MS`
/// to see the bar without waiting on a slow render.
#[cfg(feature = "fault-injection")]
fn progress_delay() -> std::time::Duration {
    let ms = std::env::var("GRAFT_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    std::time::Duration::from_millis(ms)
}

/// Resolves an existing project folder, locks it for this command, and
/// first rolls back what a killed graft run left half-written in it (every
/// command does this before reading the project), saying what it waits for
/// and what it rolled back. The lock is held until the returned
/// [`ProjectLock`] drops.
pub fn open_project(
    env: &Env,
    dest: &Path,
    printer: &Printer,
    verb: &'static str,
) -> Result<(PathBuf, ProjectLock), Error> {
    let dest = env.absolute(dest);
    let opened = Project::open(
        &dest,
        verb,
        &env.journals(),
        env.locked_project.as_deref(),
        || waiting(printer, &dest),
    )?;
    if opened.rolled_back {
        rolled_back(printer, &dest);
    }
    Ok((opened.project.dest, opened.project.lock))
}

/// Locks the project folder `dest`, saying so when another graft command
/// holds it and this one waits.
pub fn lock_project(env: &Env, dest: &Path, printer: &Printer) -> Result<ProjectLock, Error> {
    Project::lock(dest, env.locked_project.as_deref(), || {
        waiting(printer, dest)
    })
}

fn waiting(printer: &Printer, dest: &Path) {
    printer.info(&format!(
        "waiting for another graft command working in `{}` to finish",
        dest.display()
    ));
}

fn rolled_back(printer: &Printer, dest: &Path) {
    printer.warn(&format!(
        "rolled back an interrupted graft run in `{}`",
        dest.display()
    ));
}

/// Rolls back a journal left in `dest`, saying so.
pub fn roll_back_interrupted(env: &Env, dest: &Path, printer: &Printer) -> Result<(), Error> {
    if crate::apply::recover(dest, &env.journals())? {
        rolled_back(printer, dest);
    }
    Ok(())
}

/// Plans writing a rendered project over DEST (copy, recopy): the rendered
/// files, the blocks injected into the project's files, and the answers
/// file last; every write is checked to stay inside DEST.
pub fn plan_over_project(
    dest: &Path,
    new_dest: bool,
    config: &TemplateConfig,
    common: &CommonArgs,
    project: &ProjectRender,
) -> Result<crate::plan::Plan, Error> {
    let ctx = render::Context::of(&project.answers.context)?;
    let skip = render::skip_matcher_with(config, &common.skip, Some((&project.engine, &ctx)))?;
    let mut plan = crate::plan::plan_copy(
        &project.rendered.tree,
        (!new_dest).then_some(dest),
        &skip,
        project
            .answers_text
            .as_ref()
            .map(|text| (project.answers_path.as_str(), text.clone().into_bytes())),
    )?;
    let injected = inject_into_project(dest, &project.external_blocks, &project.answers_path)?;
    let answers_change = match project.answers_text {
        Some(_) => plan.changes.pop(),
        None => None,
    };
    plan.changes.extend(injected);
    plan.changes.extend(answers_change);
    // A folder this run created holds no symlinks to go through.
    if !new_dest && dest.is_dir() {
        let mut inside = crate::apply::Inside::new(dest);
        for change in plan.writes() {
            inside.check(&change.path)?;
        }
    }
    Ok(plan)
}

/// Settles the files that would change in copy and recopy: `--overwrite`
/// replaces them, a terminal asks per file, and otherwise the run stops
/// before writing anything (after printing the plan with `--pretend`).
pub fn settle_conflicts(
    plan: &mut crate::plan::Plan,
    overwrite: bool,
    env: &Env,
    common: &CommonArgs,
    prompter: &mut dyn Prompter,
    printer: &Printer,
    dest_arg: &Path,
) -> Result<(), Error> {
    use crate::plan::Action;
    let conflicts = plan.paths(Action::Conflict);
    if conflicts.is_empty() {
        return Ok(());
    }
    let can_ask = env.interactive && !common.pretend;
    if !overwrite && !can_ask {
        if common.pretend {
            print_plan(printer, plan);
        }
        return Err(Error::WouldOverwrite {
            dest: dest_arg.to_path_buf(),
            paths: conflicts,
        });
    }
    for c in plan
        .changes
        .iter_mut()
        .filter(|c| c.action == Action::Conflict)
    {
        if overwrite || prompter.confirm(&format!("Overwrite `{}`?", c.path), false)? {
            c.action = Action::Update;
        } else {
            c.action = Action::Skip;
            c.write = None;
        }
    }
    Ok(())
}

/// Whether reaching `src` may need HTTPS (and so OpenSSL's CA certificates).
fn needs_tls(src: &str) -> bool {
    let s = src.trim().to_ascii_lowercase();
    ["https://", "http://", "gh:", "gl:"]
        .iter()
        .any(|p| s.starts_with(p))
}

/// Whether one of `sources` may be reached over HTTPS, and so needs
/// OpenSSL's CA certificates; `sources` empty means "unknown": yes. At
/// start-up libgit2 has OpenSSL load the whole CA bundle (about 25 ms, a
/// large share of a local copy), which only an HTTPS fetch needs; the
/// binary starts libgit2 without it when this says no (see `main.rs`).
pub fn may_need_tls(sources: &[String]) -> bool {
    sources.is_empty() || sources.iter().any(|s| needs_tls(s))
}

/// Starts libgit2 before anything else uses it (it may have started
/// already; starting it again changes nothing).
///
/// Objects are not hashed again on every read: like git, graft relies on
/// the checks made when objects enter a repository (a clone or fetch
/// verifies every object it receives). Hashing each blob it reads took
/// about a tenth of a copy's time.
pub fn start_libgit2() {
    let _ = git2::Buf::new();
    git2::opts::strict_hash_verification(false);
}

/// The template sources a command will open, read before libgit2 starts:
/// `SRC` for copy, the `_src_path` of each answers file for the others.
/// Empty when they cannot be known cheaply.
pub fn sources_of(command: &crate::cli::Command, env: &Env) -> Vec<String> {
    use crate::cli::Command;
    let (dests, answers_file) = match command {
        Command::Copy(args) => return vec![args.src.clone()],
        Command::Update(a) => (vec![&a.dest], a.common.answers_file.as_deref()),
        Command::Recopy(a) => (vec![&a.dest], a.common.answers_file.as_deref()),
        Command::Check(a) => (a.dests.iter().collect(), a.answers_file.as_deref()),
        Command::Diff(a) => (vec![&a.dest], a.answers_file.as_deref()),
        Command::Remove(a) => (vec![&a.dest], Some(a.answers_file.as_str())),
        Command::Completions(_) | Command::Man(_) => return Vec::new(),
    };
    let mut out = Vec::new();
    for dest in dests {
        let dest = env.absolute(dest);
        // A folder of projects (`check`) is not read ahead: unknown.
        let Ok(files) = update::answers_files(&dest, answers_file) else {
            return Vec::new();
        };
        for file in files {
            match update::read_answers(&dest, &file) {
                Ok(answers) => out.push(answers.src_path),
                Err(_) => return Vec::new(),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::needs_tls;

    #[test]
    fn only_https_sources_need_the_certificates() {
        for src in ["https://host/r.git", "HTTP://host/r", "gh:o/r", "gl:g/r"] {
            assert!(needs_tls(src), "{src}");
        }
        for src in [
            "/tmp/t",
            "file:///tmp/t",
            "git://host/r",
            "ssh://git@host/r",
            "git@host:o/r",
            "t",
        ] {
            assert!(!needs_tls(src), "{src}");
        }
    }
}
