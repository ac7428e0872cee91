//! Rendering a template for a project: the answers (from flags, files,
//! the answers file, user settings, prompts), the run's context for the
//! template's dialect, `_external_data`, the files, injections and the
//! answers file. Commands call [`render_project`] with a [`RenderRequest`]
//! of resolved settings; nothing here reads clap's types or prints.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::answers::{self, AnswerSources, Answers};
use crate::config::TemplateConfig;
use crate::dialect::{Dialect, Operation, Phase, RunFacts, OPERATION};
use crate::error::{AnswerError, ConfigError, Error, RenderError, TaskError};
use crate::inject;
use crate::printer::Printer;
use crate::prompt::Prompter;
use crate::render::{self, clean_relative, Engine, Rendered};
use crate::settings::UserSettings;
use crate::source::Revision;
use crate::tree::FileTree;

/// Reads `--data-file`: JSON when the name ends in `.json`, YAML otherwise.
pub fn read_data_file(path: &Path) -> Result<Map<String, Value>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let file = path.display().to_string();
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let value = if is_json {
        serde_json::from_str::<Value>(&text).map_err(|e| AnswerError::DataFile {
            file: file.clone(),
            format: "JSON",
            message: e.to_string(),
        })?
    } else {
        crate::config::yaml::parse(&text)
            .map_err(|e| AnswerError::DataFile {
                file: file.clone(),
                format: "YAML",
                message: format!("line {}: {}", e.line, e.message),
            })?
            .to_json()
    };
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        other => Err(AnswerError::DataFileShape {
            file,
            found: crate::config::yaml::json_kind(&other),
        }
        .into()),
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
            return Err(ConfigError::CopierTooOld {
                required: required.clone(),
                current: current.to_string(),
            }
            .into());
        }
    }
    if let Some(required) = &config.settings.min_graft_version {
        let current = semver::Version::parse(env!("CARGO_PKG_VERSION"))
            .unwrap_or_else(|_| semver::Version::new(0, 0, 0));
        if &current < required {
            return Err(ConfigError::TooOld {
                required: required.to_string(),
                current: current.to_string(),
            }
            .into());
        }
    }
    Ok(())
}

/// The settings of a run that a render reads, resolved from the command
/// line: answers given, the answers file, patterns, and the run's flags
/// that Copier shows its templates.
#[derive(Clone, Debug, Default)]
pub struct RenderSettings {
    /// `KEY=VALUE` answers, as given.
    pub data: Vec<String>,
    /// A YAML or JSON file of answers.
    pub data_file: Option<PathBuf>,
    /// The answers file, relative to DEST, overriding the template's.
    pub answers_file: Option<String>,
    /// Questions asked on the terminal whatever answers them.
    pub ask: Vec<String>,
    /// Extra exclude patterns.
    pub exclude: Vec<String>,
    /// Extra skip-if-exists patterns.
    pub skip: Vec<String>,
    pub pretend: bool,
    pub quiet: bool,
    pub skip_tasks: bool,
    pub prereleases: bool,
}

/// Starts counting the work of a stage labelled so (`rendering`); what it
/// shows, if anything, is the caller's business.
pub type ShowProgress<'a> = dyn Fn(&str) -> Box<dyn crate::progress::Progress> + 'a;

/// Everything a render needs besides the template.
pub struct RenderRequest<'a> {
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
    pub settings: &'a RenderSettings,
    pub user: &'a UserSettings,
    /// Recorded answers (update, recopy); empty for copy.
    pub recorded: Map<String, Value>,
    pub skip_answered: bool,
    pub use_defaults: bool,
    /// Whether `_external_data` may read outside DEST.
    pub trusted: bool,
    /// Counts the files rendered, for a progress bar.
    pub progress: &'a ShowProgress<'a>,
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
    inputs: &'a RenderRequest,
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
fn copier_conf(inputs: &RenderRequest, sources: &AnswerSources) -> Map<String, Value> {
    let mut data = sources.data_file.clone();
    for (k, v) in &sources.data {
        data.insert(k.clone(), Value::String(v.clone()));
    }
    let common = inputs.settings;
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

/// Answers the questions and renders the template: the answers, the
/// answers file's path, the files with their injections, and the answers
/// file's text.
pub fn render_project(
    tree: &FileTree,
    config: &TemplateConfig,
    inputs: &RenderRequest,
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
    let (mut answers, conf) = answer(config, &engine, inputs, src_record, prompter)?;
    let answers_path = answers_path(config, &engine, inputs, &answers)?;
    answers
        .context
        .extend(
            config
                .dialect
                .run_context(&run_facts(inputs, src_record, &answers_path, &conf)),
        );
    if config.dialect == Dialect::Copier {
        let remembered = copier_answers(inputs, src_record, &answers);
        answers
            .context
            .insert(answers::REMEMBERED.into(), remembered);
    }

    let ctx = render::Context::of(&answers.context)?;
    let root = render::render_root(tree, config, &engine, &ctx)?;
    let bar = (inputs.progress)("rendering");
    let mut rendered = render::render(
        tree,
        config,
        &engine,
        &Value::Object(answers.context.clone()),
        &root,
        &inputs.settings.exclude,
        bar.as_ref(),
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
    let external_blocks = inject_rendered(config, &engine, &ctx, &mut rendered, &answers_path)?;
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

/// What Copier records (`_copier_answers`), for a template that writes
/// its own answers file from `{{ _copier_answers|to_nice_yaml }}`.
fn copier_answers(inputs: &RenderRequest, src_record: &str, answers: &Answers) -> Value {
    let mut remembered = Map::new();
    if let Some(commit) = &inputs.revision.describe {
        remembered.insert("_commit".into(), Value::String(commit.clone()));
    }
    remembered.insert("_src_path".into(), Value::String(src_record.to_string()));
    remembered.extend(answers.recorded.clone());
    Value::Object(remembered)
}

/// The answers: every source of [`RenderSettings`] and the request, the
/// run's context, `_external_data` (read again as Copier reads it), the
/// prompts. Also returns what Copier's `_copier_conf` shows of the run.
fn answer(
    config: &TemplateConfig,
    engine: &Engine,
    inputs: &RenderRequest,
    src_record: &str,
    prompter: &mut dyn Prompter,
) -> Result<(Answers, Map<String, Value>), Error> {
    let answers_file_raw = inputs
        .settings
        .answers_file
        .clone()
        .unwrap_or_else(|| config.settings.answers_file.clone());
    let sources = answer_sources(inputs)?;
    let conf = copier_conf(inputs, &sources);
    let mut base = config.dialect.run_context(&run_facts(
        inputs,
        src_record,
        match config.dialect {
            // Copier renders it with the answers so far: see `refresh`.
            Dialect::Copier => "",
            Dialect::Graft => &answers_file_raw,
        },
        &conf,
    ));
    // Copier tells tasks and `_exclude` the operation, not questions; they
    // see `_copier_answers`, which starts as this.
    base.remove(OPERATION);
    if config.dialect == Dialect::Copier {
        let seed = copier_answers(inputs, src_record, &Answers::default());
        base.insert(answers::REMEMBERED.into(), seed);
    }
    config.dialect.set_phase(&mut base, Phase::Undefined);
    let external = external_data(config, engine, &base, inputs.dest, inputs.trusted, true)?;
    base.insert("_external_data".into(), Value::Object(external));
    config.dialect.set_phase(&mut base, Phase::Prompt);

    let lazy_external =
        config.dialect == Dialect::Copier && !config.settings.external_data.is_empty();
    let mut refresh = |context: &mut Map<String, Value>| -> Result<(), Error> {
        if lazy_external {
            let external =
                external_data(config, engine, context, inputs.dest, inputs.trusted, true)?;
            context.insert("_external_data".into(), Value::Object(external));
        }
        if config.dialect == Dialect::Copier {
            conf_answers_file(config, engine, &answers_file_raw, context)?;
        }
        Ok(())
    };
    let mut answers =
        answers::resolve_with(config, engine, base, &sources, prompter, &mut refresh)?;
    if lazy_external {
        // What needed an answer can be read now.
        let external = external_data(
            config,
            engine,
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
    Ok((answers, conf))
}

/// Where the answers come from: the command line, the data file, the
/// answers file, the user's settings.
fn answer_sources(inputs: &RenderRequest) -> Result<AnswerSources, Error> {
    let mut data = Vec::new();
    for d in &inputs.settings.data {
        data.push(answers::split_data(d)?);
    }
    Ok(AnswerSources {
        data,
        data_file: match &inputs.settings.data_file {
            Some(p) => read_data_file(p)?,
            None => Map::new(),
        },
        recorded: inputs.recorded.clone(),
        user_defaults: inputs.user.defaults.clone(),
        use_defaults: inputs.use_defaults,
        skip_answered: inputs.skip_answered,
        ask: answers::ask_patterns(&inputs.settings.ask)?,
    })
}

/// Copier's `_copier_conf.answers_file` while it asks: the answers file's
/// name (`raw`) rendered with the answers so far, where it is itself empty.
fn conf_answers_file(
    config: &TemplateConfig,
    engine: &Engine,
    raw: &str,
    context: &mut Map<String, Value>,
) -> Result<(), Error> {
    let name = if engine.has_syntax(raw) {
        set_conf_answers_file(context, "");
        let ctx = render::Context::of(&*context)?;
        engine.render(&format!("{} (_answers_file)", config.file), raw, &ctx)?
    } else {
        raw.to_string()
    };
    set_conf_answers_file(context, &name);
    Ok(())
}

fn set_conf_answers_file(context: &mut Map<String, Value>, name: &str) {
    if let Some(Value::Object(conf)) = context.get_mut(Dialect::Copier.context_key()) {
        conf.insert("answers_file".into(), name.into());
    }
}

/// Where the answers file goes: `-a`, else the template's (templated)
/// setting; a path inside DEST, never in `.git`.
fn answers_path(
    config: &TemplateConfig,
    engine: &Engine,
    inputs: &RenderRequest,
    answers: &Answers,
) -> Result<String, Error> {
    let answers_path = match &inputs.settings.answers_file {
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
    let outside = "must be a relative path inside the destination".to_string();
    let reason = match clean_relative(&answers_path) {
        Ok(p) if !p.is_empty() => return Ok(p),
        Err(reason) if render::in_git_dir(&answers_path) => reason,
        _ => outside,
    };
    Err(RenderError::UnsafePath {
        path: answers_path,
        from: "the answers file".to_string(),
        reason,
    }
    .into())
}

/// Puts the template's injections into the files this render produced;
/// returns those into files it did not (the project's, another
/// template's), for the caller to apply to the project.
fn inject_rendered(
    config: &TemplateConfig,
    engine: &Engine,
    ctx: &render::Context,
    rendered: &mut Rendered,
    answers_path: &str,
) -> Result<Vec<inject::Block>, Error> {
    let mut external_blocks = Vec::new();
    for block in inject::render(engine, &config.settings.injections, ctx)? {
        match rendered.tree.entries.get_mut(&block.into) {
            Some(crate::tree::Node::File { bytes, .. }) => {
                let text = String::from_utf8_lossy(bytes).into_owned();
                let out = inject::apply(&text, &block, answers_path).map_err(|source| {
                    RenderError::Injection {
                        file: block.into.clone(),
                        owner: answers_path.to_string(),
                        source,
                    }
                })?;
                *bytes = out.into_bytes().into();
            }
            _ => external_blocks.push(block),
        }
    }
    Ok(external_blocks)
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
    settings: &RenderSettings,
    src: &str,
) -> Result<(), Error> {
    if tasks.is_empty() || trusted || settings.skip_tasks || settings.pretend {
        return Ok(());
    }
    Err(TaskError::NeedsTrust {
        src: src.to_string(),
        commands: tasks.iter().map(|t| t.display()).collect(),
    }
    .into())
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
                return Err(AnswerError::ExternalDataOutside {
                    name: name.clone(),
                    path: rendered,
                }
                .into())
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
    let not_a_file = |meta: &std::fs::Metadata| AnswerError::ExternalDataNotAFile {
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
        return Err(not_a_file(&meta).into());
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    // The path may have been swapped since it was looked at: check what was
    // opened.
    let meta = file.metadata().map_err(|e| Error::io("read", path, e))?;
    if !meta.is_file() {
        return Err(not_a_file(&meta).into());
    }
    let mut bytes = Vec::new();
    file.take(EXTERNAL_DATA_MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", path, e))?;
    if bytes.len() as u64 > EXTERNAL_DATA_MAX_BYTES {
        return Err(AnswerError::ExternalDataTooLarge {
            name: name.to_string(),
            path: path.to_path_buf(),
            limit: EXTERNAL_DATA_MAX_BYTES,
        }
        .into());
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

/// Renders a `_message_*` setting with the context known before answering.
pub fn render_message(
    config: &TemplateConfig,
    message: &str,
    inputs: &RenderRequest,
) -> Result<String, Error> {
    let engine = render::engine_for(&FileTree::new(), config)?;
    let src_record = match config.dialect {
        Dialect::Copier => inputs.src_given,
        Dialect::Graft => inputs.src_display,
    };
    let mut data = config
        .dialect
        .run_context(&run_facts(inputs, src_record, "", &Map::new()));
    data.remove(OPERATION);
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
                    return Err(RenderError::Injection {
                        file: block.into.clone(),
                        owner: owner.to_string(),
                        source: inject::InjectError(format!(
                            "`{}` is not a file of the project",
                            block.into
                        )),
                    }
                    .into());
                };
                let text = String::from_utf8_lossy(bytes).into_owned();
                targets.push((block.into.clone(), before.clone(), text));
                targets.len() - 1
            }
        };
        let text = &mut targets[pos].2;
        *text = inject::apply(text, block, owner).map_err(|source| RenderError::Injection {
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
