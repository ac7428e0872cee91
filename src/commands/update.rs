//! `graft update [DEST]`: merge the template's changes since the recorded
//! version into the project (SPEC §6), one answers file at a time.

use std::collections::BTreeSet;
use std::path::Path;

use rayon::prelude::*;
use serde_json::Value;

use super::{check_version, print_diffs, render_project, Env, RenderRequest, RenderSettings};
use crate::answers::AnswersFile;
use crate::apply;
use crate::cli::{CommonArgs, ConflictStyle, UpdateArgs};
use crate::config::{self, Stage, TemplateConfig};
use crate::dialect::{Dialect, Operation};
use crate::error::{Error, ProjectError, RenderError, TaskError, EXIT_ATTENTION};
use crate::merge::{self, unchanged, UpdateInput};
use crate::plan::{self, Action, Change, Plan};
use crate::printer::Printer;
use crate::project_git::{ProjectRepo, Unmerged};
use crate::prompt::NoPrompt;
use crate::report::{Report, TaskEntry, TemplateInfo};
use crate::settings::UserSettings;
use crate::source::{Revision, SourceSpec, TemplateRepo};
use crate::tasks::{self, PreparedCommand};
use crate::tree::{FileTree, Node};
use crate::trust;

pub use crate::project::{answers_files, read_answers};

/// A template opened at the version a project records.
pub struct Recorded {
    pub spec: SourceSpec,
    pub repo: TemplateRepo,
    pub revision: Revision,
    /// What the person should know about how the version was found.
    pub warnings: Vec<String>,
}

/// Opens the template an answers file names, at no particular version.
pub fn open_template(
    answers: &AnswersFile,
    dest: &Path,
    env: &Env,
    common: &CommonArgs,
) -> Result<(SourceSpec, TemplateRepo), Error> {
    let spec = SourceSpec::parse(&answers.src_path, dest)?;
    let repo = TemplateRepo::open(&spec, &env.source_options(common))?;
    Ok((spec, repo))
}

/// Opens the template of the answers file `file` at its recorded version.
///
/// A git template needs a recorded version: without one, the old side of
/// an update (and what `check` and `diff` compare with) would silently be
/// the newest version, and an update would skip the template's changes
/// for good. A recorded `_commit_sha` the template lacks gives way to
/// `_commit`, with a warning.
pub fn open_recorded(
    answers: &AnswersFile,
    file: &str,
    dest: &Path,
    env: &Env,
    common: &CommonArgs,
) -> Result<Recorded, Error> {
    let (spec, repo) = open_template(answers, dest, env, common)?;
    let reference = answers
        .commit_sha
        .clone()
        .or_else(|| answers.commit.clone());
    // What the error names: the tag and the sha, when both are recorded.
    let shown = match (&answers.commit, &answers.commit_sha) {
        (Some(c), Some(sha)) if c != sha => format!("{c} ({sha})"),
        _ => reference.clone().unwrap_or_default(),
    };
    let mut warnings = Vec::new();
    let mut revision = match &reference {
        None if repo.is_git() => {
            return Err(ProjectError::NoRecordedVersion {
                file: file.to_string(),
                src: spec.display(),
            }
            .into())
        }
        None => repo.resolve(None, common.prereleases)?,
        Some(r) => match repo.resolve(Some(r), true) {
            Ok(rev) => rev,
            // The sha may be gone while the describe string still resolves.
            Err(first) => match answers
                .commit
                .as_deref()
                .filter(|c| Some(*c) != reference.as_deref())
            {
                Some(c) => {
                    let rev = repo.resolve(Some(c), true).map_err(|_| {
                        ProjectError::OldVersionMissing {
                            reference: shown.clone(),
                            src: spec.display(),
                            source: Box::new(first),
                        }
                    })?;
                    warnings.push(format!(
                        "`_commit_sha` `{r}` in `{file}` is not a commit of `{}`; using `_commit` `{c}`",
                        spec.display()
                    ));
                    rev
                }
                None => {
                    return Err(ProjectError::OldVersionMissing {
                        reference: shown.clone(),
                        src: spec.display(),
                        source: Box::new(first),
                    }
                    .into())
                }
            },
        },
    };
    // The recorded version keeps the name its render saw as
    // `_graft.commit`: `git describe` may name it otherwise once tags move.
    if let (Some(commit), Some(_)) = (&answers.commit, &revision.sha) {
        revision.describe = Some(commit.clone());
    }
    Ok(Recorded {
        spec,
        repo,
        revision,
        warnings,
    })
}

/// Reads the template tree at `rev` and its configuration; a template
/// without a configuration file is read in the `bare` dialect, if any
/// (see [`config::load_as`]).
pub fn load_template(
    repo: &TemplateRepo,
    rev: &Revision,
    src: &str,
    bare: Option<Dialect>,
) -> Result<(FileTree, TemplateConfig), Error> {
    let tree = repo.read_tree(rev)?;
    let config = config::load_as(&tree, src, bare)?;
    check_version(&config)?;
    Ok((tree, config))
}

/// Both versions of the template an update renders.
struct Versions {
    old_tree: FileTree,
    old_config: TemplateConfig,
    new_tree: FileTree,
    new_config: TemplateConfig,
    /// Template files left out of both trees: they are the same in both
    /// versions and copied as they are, so the update leaves them untouched
    /// without reading them (see `merge::unchanged`).
    unread: BTreeSet<String>,
}

/// Reads the old and new version of the template for an update, leaving out
/// the files both versions copy unchanged to the same place.
fn load_versions(
    repo: &TemplateRepo,
    [old_rev, new_rev]: [&Revision; 2],
    src: &str,
    answers_rel: &str,
    extra_exclude: &[String],
    bare: Option<Dialect>,
) -> Result<Versions, Error> {
    let same = new_rev.sha.is_some() && new_rev.sha == old_rev.sha && !new_rev.worktree;
    let old_ids = repo.file_ids(old_rev)?;
    let new_ids = if same {
        old_ids.clone()
    } else {
        repo.file_ids(new_rev)?
    };
    let mut unread = BTreeSet::new();
    if let (Some(old_ids), Some(new_ids)) = (&old_ids, &new_ids) {
        // The configuration alone decides what can stay unread; a
        // configuration that includes other files is read with them.
        let config_file = |p: &str| Dialect::ALL.iter().any(|d| d.config_files().contains(&p));
        let old_configs = repo.read_tree_filtered(old_rev, &config_file)?;
        let new_configs = repo.read_tree_filtered(new_rev, &config_file)?;
        if !config::includes_files(&old_configs) && !config::includes_files(&new_configs) {
            let old_config = config::load_as(&old_configs, src, bare)?;
            let new_config = config::load_as(&new_configs, src, bare)?;
            unread = unchanged::unread_paths(
                &unchanged::Version {
                    files: old_ids,
                    config: &old_config,
                },
                &unchanged::Version {
                    files: new_ids,
                    config: &new_config,
                },
                answers_rel,
                extra_exclude,
            )?;
        }
    }
    let keep = |p: &str| !unread.contains(p);
    let load = |rev: &Revision| -> Result<(FileTree, TemplateConfig), Error> {
        let tree = repo.read_tree_filtered(rev, &keep)?;
        let config = config::load_as(&tree, src, bare)?;
        check_version(&config)?;
        Ok((tree, config))
    };
    let (old_tree, old_config) = load(old_rev)?;
    let (new_tree, new_config) = if same {
        (old_tree.clone(), old_config.clone())
    } else {
        load(new_rev)?
    };
    Ok(Versions {
        old_tree,
        old_config,
        new_tree,
        new_config,
        unread,
    })
}

/// Reads what the project holds at every path where the two renders
/// differ. Where they agree the template changed nothing and the project's
/// bytes do not matter (SPEC §6, first row), so an update reads only the
/// files the template touched, not the whole project.
pub fn read_project(dest: &Path, old: &FileTree, new: &FileTree) -> Result<FileTree, Error> {
    let paths: Vec<String> = merge::paths(old, new)
        .into_iter()
        .filter(|p| old.get(p) != new.get(p))
        .collect();
    let nodes: Vec<(String, Option<Node>)> = paths
        .into_par_iter()
        .map(|p| {
            let node = plan::read_node(dest, &p)?;
            Ok((p, node))
        })
        .collect::<Result<_, Error>>()?;
    let mut tree = FileTree::new();
    for (path, node) in nodes {
        if let Some(node) = node {
            tree.entries.insert(path, node);
        }
    }
    // A folder the new version makes a file goes only if it holds nothing
    // but what the old version put there: everything in it is looked at.
    let replaced: Vec<String> = tree
        .entries
        .iter()
        .filter(|(p, n)| {
            matches!(n, Node::Dir)
                && matches!(old.get(p), Some(Node::Dir))
                && matches!(new.get(p), Some(Node::File { .. } | Node::Symlink { .. }))
        })
        .map(|(p, _)| p.clone())
        .collect();
    for dir in replaced {
        read_folder(dest, &dir, &mut tree)?;
    }
    Ok(tree)
}

/// Adds what the project holds at the `skip_if_exists` files of the new
/// render that [`read_project`] left unread (the template did not change
/// them), so a missing one can be made again.
fn read_skipped(
    dest: &Path,
    new: &FileTree,
    skip: &crate::render::PathMatcher,
    project: &mut FileTree,
) -> Result<(), Error> {
    for (path, node) in &new.entries {
        if matches!(node, Node::Dir)
            || project.entries.contains_key(path)
            || !skip.matches(path, false)
        {
            continue;
        }
        if let Some(found) = plan::read_node(dest, path)? {
            project.entries.insert(path.clone(), found);
        }
    }
    Ok(())
}

/// Adds everything inside the project's folder `rel` to `tree`, without
/// following symlinks.
fn read_folder(dest: &Path, rel: &str, tree: &mut FileTree) -> Result<(), Error> {
    let path = dest.join(rel);
    for entry in std::fs::read_dir(&path).map_err(|e| Error::io("read", &path, e))? {
        let entry = entry.map_err(|e| Error::io("read", &path, e))?;
        let inner = format!("{rel}/{}", entry.file_name().to_string_lossy());
        match plan::read_node(dest, &inner)? {
            Some(Node::Dir) => {
                tree.entries.insert(inner.clone(), Node::Dir);
                read_folder(dest, &inner, tree)?;
            }
            Some(node) => {
                tree.entries.insert(inner, node);
            }
            None => {}
        }
    }
    Ok(())
}

/// The project's check for uncommitted changes, running beside the reading
/// of the template until the first step that depends on the template's
/// contents (or could change anything) needs its answer. An error found
/// meanwhile gives way to a dirty tree, which is reported first.
struct DirtyCheck<'scope> {
    pending: Option<std::thread::ScopedJoinHandle<'scope, Result<Vec<String>, Error>>>,
    dest: &'scope Path,
}

impl DirtyCheck<'_> {
    /// Waits for the check; a dirty tree is an error.
    fn wait(&mut self) -> Result<(), Error> {
        let Some(pending) = self.pending.take() else {
            return Ok(());
        };
        let dirty = pending
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        if dirty.is_empty() {
            Ok(())
        } else {
            Err(ProjectError::DirtyTree {
                dest: self.dest.to_path_buf(),
                paths: dirty,
            }
            .into())
        }
    }

    /// `result`, unless the tree turns out to be dirty.
    fn settle<T>(&mut self, result: Result<T, Error>) -> Result<T, Error> {
        match result {
            Err(e) => self.wait().and(Err(e)),
            ok => ok,
        }
    }
}

pub fn run(args: &UpdateArgs, env: &Env) -> Result<i32, Error> {
    let common = &args.common;
    let printer = env.printer(common);
    let (dest, _lock) = super::open_project(env, &args.dest, &printer, "update")?;
    let files = answers_files(&dest, common.answers_file.as_deref())?;
    let git = ProjectRepo::discover(&dest).filter(|_| !args.allow_dirty && !common.pretend);
    std::thread::scope(|scope| {
        // Checked once: updating the first of several templates dirties the tree.
        let mut dirty = DirtyCheck {
            pending: git.map(|git| scope.spawn(move || git.dirty_paths())),
            dest: &args.dest,
        };
        if files.len() > 1 {
            dirty.wait()?;
            printer.info(&format!(
                "updating {} templates, one answers file at a time: {}",
                files.len(),
                files.join(", ")
            ));
        }
        let mut code = 0;
        let mut reports = Vec::new();
        for file in &files {
            let result = update_one(args, env, &printer, &dest, file, &mut dirty);
            let (c, report) = dirty.settle(result)?;
            code = code.max(c);
            reports.push(report);
        }
        if common.json {
            crate::report::print_json(&reports)?;
        }
        Ok(code)
    })
}

/// Updates the project from one answers file: prepare, render both
/// versions, plan, execute, report.
fn update_one(
    args: &UpdateArgs,
    env: &Env,
    printer: &Printer,
    dest: &Path,
    answers_rel: &str,
    dirty: &mut DirtyCheck,
) -> Result<(i32, Report), Error> {
    let mut prepared = prepare(args, env, printer, dest, answers_rel, dirty)?;
    let mut renders = render_both(args, env, printer, dest, answers_rel, &mut prepared)?;
    let plan = plan_update(args, dest, answers_rel, &prepared, &renders)?;
    print_update_plan(printer, &plan);
    let tasks = super::project_tasks(&prepared.new_config, &renders.new)?;
    // Prepared before the first write, so a bad one stops the run early.
    let after_migrations = prepared.migrations(Stage::After, &renders.new)?;
    if args.common.pretend {
        pretend(
            args,
            printer,
            &plan,
            &mut renders,
            &after_migrations,
            &tasks,
        );
    } else {
        execute(env, dest, &args.common, &prepared, &plan)?;
        run_after(
            printer,
            dest,
            &args.common,
            &prepared,
            &mut renders,
            &after_migrations,
            &tasks,
        )?;
    }
    Ok(report(printer, &args.common, prepared, renders, &plan))
}

/// What an update of one answers file knows before it renders anything:
/// the recorded answers, both versions of the template, the project's git
/// work tree and whether the template is trusted.
struct Prepared {
    recorded_file: AnswersFile,
    user: UserSettings,
    src: String,
    old_rev: Revision,
    new_rev: Revision,
    /// The versions crossed, when both are versions (for migrations).
    versions: Option<(semver::Version, semver::Version)>,
    old_tree: FileTree,
    old_config: TemplateConfig,
    new_tree: FileTree,
    new_config: TemplateConfig,
    unread: BTreeSet<String>,
    git: Option<ProjectRepo>,
    trusted: bool,
}

/// Reads the answers file and both template versions, refuses a
/// downgrade, a dirty tree and untrusted commands, and says the warnings.
fn prepare(
    args: &UpdateArgs,
    env: &Env,
    printer: &Printer,
    dest: &Path,
    answers_rel: &str,
    dirty: &mut DirtyCheck,
) -> Result<Prepared, Error> {
    let common = &args.common;
    let recorded_file = read_answers(dest, answers_rel)?;
    let user = env.user_settings()?;
    let recorded = open_recorded(&recorded_file, answers_rel, dest, env, common)?;
    let src = recorded.spec.display();
    let old_rev = recorded.revision.clone();
    // A local template's check for uncommitted changes (only a warning
    // here) runs beside the reading of both versions.
    let (mut new_rev, pending) = match common.vcs_ref.as_deref() {
        Some(":current:") => (old_rev.clone(), None),
        other => {
            let (rev, pending) = recorded.repo.resolve_beside(other, common.prereleases)?;
            (rev, Some(pending))
        }
    };
    if let (Some(from), Some(to)) = (&old_rev.version, &new_rev.version) {
        if to < from {
            return Err(ProjectError::Downgrade {
                from: old_rev.describe.clone().unwrap_or_else(|| from.to_string()),
                to: new_rev.describe.clone().unwrap_or_else(|| to.to_string()),
            }
            .into());
        }
    }
    let Versions {
        old_tree,
        old_config,
        new_tree,
        new_config,
        unread,
    } = load_versions(
        &recorded.repo,
        [&old_rev, &new_rev],
        &src,
        answers_rel,
        &common.exclude,
        env.bare_dialect_for(answers_rel),
    )?;
    if let Some(pending) = pending {
        pending.finish(&mut new_rev)?;
    }
    // Both versions are in memory: close the template repository, its
    // mapped packs and caches.
    drop(recorded.repo);
    // Nothing was said or changed so far: a dirty tree is reported first.
    dirty.wait()?;
    for w in recorded.warnings.iter().chain(&new_rev.warnings) {
        printer.warn(w);
    }
    let trusted = common.trust || trust::is_trusted(&src, &user.trust);
    let versions = match (&old_rev.version, &new_rev.version) {
        (Some(a), Some(b)) => Some((a.clone(), b.clone())),
        _ => None,
    };
    let prepared = Prepared {
        recorded_file,
        user,
        src,
        old_rev,
        new_rev,
        versions,
        old_tree,
        old_config,
        new_tree,
        new_config,
        unread,
        git: ProjectRepo::discover(dest),
        trusted,
    };
    prepared.require_trust(common)?;
    Ok(prepared)
}

impl Prepared {
    /// On update, trust is decided before anything is rendered: every
    /// migration in the version range counts (even one whose `when` will
    /// turn out false), listed as the template writes it.
    fn require_trust(&self, common: &CommonArgs) -> Result<(), Error> {
        let settings = &self.new_config.settings;
        let mut wanted: Vec<String> = Vec::new();
        if !common.skip_tasks {
            wanted.extend(settings.tasks.iter().map(|t| t.command.to_string()));
        }
        if let Some((from, to)) = &self.versions {
            wanted.extend(
                settings
                    .migrations
                    .iter()
                    .filter(|m| m.version.as_ref().is_none_or(|v| from < v && v <= to))
                    .map(|m| m.command.to_string()),
            );
        }
        if !wanted.is_empty() && !self.trusted && !common.pretend {
            return Err(TaskError::NeedsTrust {
                src: self.src.clone(),
                commands: wanted,
            }
            .into());
        }
        Ok(())
    }

    /// The migrations of `stage` the update crosses, rendered with the
    /// answers of `project`.
    fn migrations(
        &self,
        stage: Stage,
        project: &super::ProjectRender,
    ) -> Result<Vec<PreparedCommand>, Error> {
        let Some((from, to)) = &self.versions else {
            return Ok(Vec::new());
        };
        tasks::prepare_migrations(
            self.new_config.dialect,
            &project.engine,
            &self.new_config.settings.migrations,
            stage,
            &tasks::Crossing {
                from,
                to,
                from_commit: self.old_rev.describe.as_deref().unwrap_or_default(),
                to_commit: self.new_rev.describe.as_deref().unwrap_or_default(),
            },
            &project.answers.context,
            &tasks::secret_values(&self.new_config, &project.answers.context),
        )
    }
}

/// Both renders of an update, and what ran before the new one.
struct Renders {
    old: super::ProjectRender,
    new: super::ProjectRender,
    /// The new render is the recorded version with the recorded answers:
    /// the old render is written (see [`Renders::written`]).
    same: bool,
    before_migrations: Vec<PreparedCommand>,
    task_entries: Vec<TaskEntry>,
}

impl Renders {
    /// The render the project gets. The project already is the render of
    /// the template version and answers it records: an update to the same
    /// ones has nothing to write (another version, even one with the same
    /// files, is recorded). What only the run's own facts would change
    /// (`_graft.operation`) is not written, and the answers file keeps
    /// recording the render that wrote the project. Tasks and messages
    /// still see this run's facts.
    fn written(&self) -> &super::ProjectRender {
        if self.same {
            &self.old
        } else {
            &self.new
        }
    }
}

/// Renders the recorded version with the recorded answers (never asking),
/// runs the `before` migrations, then renders the new version with the
/// new answers.
fn render_both(
    args: &UpdateArgs,
    env: &Env,
    printer: &Printer,
    dest: &Path,
    answers_rel: &str,
    p: &mut Prepared,
) -> Result<Renders, Error> {
    let common = &args.common;
    let new_settings = RenderSettings {
        answers_file: Some(answers_rel.to_string()),
        ..super::render_settings(common)
    };
    let progress = super::progress_bars(env.stderr_terminal && !common.quiet);
    // Both versions' templated files are compiled once.
    let compiled = std::sync::Arc::new(crate::render::Compiled::default());
    let shared = Shared {
        settings: &new_settings,
        progress: &progress,
        compiled: &compiled,
    };
    let old = render_old(args, dest, p, &shared)?;

    let mut task_entries = Vec::new();
    let before_migrations = p.migrations(Stage::Before, &old)?;
    if !common.pretend && !before_migrations.is_empty() {
        run_commands(
            "migration",
            &before_migrations,
            dest,
            &old.answers.context,
            printer,
            &mut task_entries,
        )?;
        // A migration may rewrite the answers; the update uses what it wrote.
        p.recorded_file = read_answers(dest, answers_rel)?;
    }
    if let Some(message) = &p.new_config.settings.message_before_update {
        printer.message(&old.message(&p.new_config, "_message_before_update", message)?);
    }
    let new = render_new(args, env, printer, dest, p, &shared)?;
    compiled.clear();
    unchanged::check_rendered(
        &p.unread,
        &p.new_config.settings.subdirectory,
        [&old.rendered, &new.rendered],
    )?;
    let same =
        p.old_rev.sha == p.new_rev.sha && p.old_tree == p.new_tree && same_answers(&old, &new);
    // The renders share every file they copied with the template trees;
    // what only the trees hold (the sources of rendered files) is done with.
    p.old_tree = FileTree::new();
    p.new_tree = FileTree::new();
    Ok(Renders {
        old,
        new,
        same,
        before_migrations,
        task_entries,
    })
}

/// What both renders of an update share: the settings of the new one,
/// the progress bars, and the templates compiled once for both.
struct Shared<'a> {
    settings: &'a RenderSettings,
    progress: &'a super::ShowProgress<'a>,
    compiled: &'a std::sync::Arc<crate::render::Compiled>,
}

/// Renders the recorded version with the recorded answers, never asking:
/// the render that wrote the project (given the recorded operation).
fn render_old(
    args: &UpdateArgs,
    dest: &Path,
    p: &Prepared,
    shared: &Shared,
) -> Result<super::ProjectRender, Error> {
    let old_settings = RenderSettings {
        data: Vec::new(),
        data_file: None,
        ask: Vec::new(),
        ..shared.settings.clone()
    };
    let (old_operation, old_vcs_ref) = p.old_config.dialect.recorded_run(&p.recorded_file);
    let old_inputs = RenderRequest {
        operation: old_operation,
        src_display: &p.src,
        src_given: &p.recorded_file.src_path,
        dest_given: &args.dest,
        vcs_ref: old_vcs_ref.as_deref(),
        revision: &p.old_rev,
        dest,
        settings: &old_settings,
        user: &p.user,
        recorded: p.recorded_file.answers.clone(),
        skip_answered: true,
        use_defaults: true,
        trusted: p.trusted,
        progress: shared.progress,
        compiled: Some(shared.compiled.clone()),
        printer: None,
    };
    render_project(&p.old_tree, &p.old_config, &old_inputs, &mut NoPrompt)
}

/// Renders the new version with the new answers (recorded ones are the
/// defaults; questions new in this version are asked or defaulted).
fn render_new(
    args: &UpdateArgs,
    env: &Env,
    printer: &Printer,
    dest: &Path,
    p: &Prepared,
    shared: &Shared,
) -> Result<super::ProjectRender, Error> {
    let common = &args.common;
    let Shared {
        settings,
        progress,
        compiled,
    } = *shared;
    let mut prompter = env.prompter();
    let new_vcs_ref = p
        .new_config
        .dialect
        .asked_ref(common.vcs_ref.as_deref(), &p.recorded_file);
    let new_inputs = RenderRequest {
        operation: Operation::Update,
        src_display: &p.src,
        src_given: &p.recorded_file.src_path,
        dest_given: &args.dest,
        vcs_ref: new_vcs_ref.as_deref(),
        revision: &p.new_rev,
        dest,
        settings,
        user: &p.user,
        recorded: p.recorded_file.answers.clone(),
        skip_answered: args.skip_answered,
        use_defaults: common.defaults,
        trusted: p.trusted,
        progress,
        compiled: Some(compiled.clone()),
        printer: Some(printer),
    };
    render_project(&p.new_tree, &p.new_config, &new_inputs, prompter.as_mut())
}

/// What the update does to each path of the project: the three-way plan,
/// injected blocks, folders, the answers file, and the dialect's rules
/// for conflicts.
fn plan_update(
    args: &UpdateArgs,
    dest: &Path,
    answers_rel: &str,
    p: &Prepared,
    r: &Renders,
) -> Result<Plan, Error> {
    let common = &args.common;
    let (old, new, written) = (&r.old, &r.new, r.written());
    let new_config = &p.new_config;
    // A Copier template's patterns are rendered with the new answers, as
    // its copy renders them.
    let ctx = crate::render::Context::of(&new.answers.context)?;
    let rendering = Some((&new.engine, &ctx));
    let skip = crate::render::skip_matcher_with(new_config, &common.skip, rendering)?;
    let exclude = crate::render::exclude_matcher_with(new_config, &common.exclude, rendering)?;
    let recreate_skipped = new_config.dialect.recreates_missing_skipped_files();
    let mut project = read_project(dest, &old.rendered.tree, &written.rendered.tree)?;
    if recreate_skipped {
        read_skipped(dest, &written.rendered.tree, &skip, &mut project)?;
    }
    let mut plan = merge::plan_update(&UpdateInput {
        old: &old.rendered.tree,
        new: &written.rendered.tree,
        project: &project,
        skip_if_exists: &skip,
        new_exclude: &exclude,
        style: match args.conflict {
            ConflictStyle::Inline => merge::ConflictStyle::Inline,
            // Copier's projects get Copier's `.rej` files.
            ConflictStyle::Rej if new_config.dialect == Dialect::Copier => {
                merge::ConflictStyle::CopierRej {
                    context: args.context_lines,
                }
            }
            ConflictStyle::Rej => merge::ConflictStyle::Rej,
        },
        recreate_skipped,
    })?;
    plan.changes.extend(block_changes(
        dest,
        &old.external_blocks,
        &written.external_blocks,
        answers_rel,
    )?);
    order_folders(dest, &mut plan, &old.rendered.tree, &written.rendered.tree)?;
    if let Some(text) = &written.answers_text {
        push_answers_file(&mut plan, dest, &written.answers_path, text)?;
    }
    plan::free_extra_names(dest, &mut plan)?;
    let mut inside = apply::Inside::new(dest);
    for change in plan.writes() {
        inside.check(&change.path)?;
        for (extra, _) in &change.extra {
            inside.check(extra)?;
        }
    }
    conflicts_as_the_dialect_writes_them(new_config.dialect, p.git.as_ref(), &mut plan);
    Ok(plan)
}

/// A folder the template dropped (or made a file) goes once the update
/// leaves it empty; a file that takes its place comes after.
fn order_folders(
    dest: &Path,
    plan: &mut Plan,
    old: &FileTree,
    new: &FileTree,
) -> Result<(), Error> {
    let deleted: BTreeSet<String> = plan.paths(Action::Delete).into_iter().collect();
    let dropped_dirs: BTreeSet<&str> = old
        .entries
        .iter()
        .filter(|(p, n)| matches!(n, Node::Dir) && !matches!(new.get(p), Some(Node::Dir)))
        .map(|(p, _)| p.as_str())
        .collect();
    let (in_place_of_folders, changes): (Vec<Change>, Vec<Change>) =
        std::mem::take(&mut plan.changes)
            .into_iter()
            .partition(|c| c.write.is_some() && dropped_dirs.contains(c.path.as_str()));
    plan.changes = changes;
    plan.changes
        .extend(plan::prune_empty_dirs(dest, dropped_dirs, &deleted)?);
    plan.changes.extend(in_place_of_folders);
    Ok(())
}

/// Copier keeps the project's executable bit on a conflicted file (where
/// git tracks modes) and records an add/add conflict against an empty base.
fn conflicts_as_the_dialect_writes_them(
    dialect: Dialect,
    git: Option<&ProjectRepo>,
    plan: &mut Plan,
) {
    if dialect.conflicts_keep_the_project_s_mode() && git.is_some_and(|g| !g.ignores_file_modes()) {
        for change in plan
            .changes
            .iter_mut()
            .filter(|c| c.action == Action::Conflict)
        {
            if let (
                Some(Node::File { executable, .. }),
                Some(Node::File {
                    executable: ours, ..
                }),
            ) = (&mut change.write, &change.before)
            {
                *executable = *ours;
            }
        }
    }
    if dialect.indexes_empty_base_when_added_by_both() {
        for sides in plan
            .changes
            .iter_mut()
            .filter_map(|c| c.sides.as_deref_mut())
        {
            sides.base.get_or_insert_with(Vec::new);
        }
    }
}

/// `--pretend`: the diffs, and what would run.
fn pretend(
    args: &UpdateArgs,
    printer: &Printer,
    plan: &Plan,
    r: &mut Renders,
    after_migrations: &[PreparedCommand],
    tasks: &[PreparedCommand],
) {
    let common = &args.common;
    if common.diff && !common.json {
        print_diffs(plan);
    }
    for m in r.before_migrations.iter().chain(after_migrations) {
        printer.info(&format!("would run migration: {}", m.display()));
        r.task_entries.push(TaskEntry::of(m, "pretend"));
    }
    for t in tasks {
        if common.skip_tasks {
            r.task_entries.push(TaskEntry::of(t, "skipped"));
        } else {
            printer.info(&format!("would run: {}", t.display()));
            r.task_entries.push(TaskEntry::of(t, "pretend"));
        }
    }
    printer.info("pretend: nothing was written");
}

/// Writes the plan, and the git index in the same transaction.
fn execute(
    env: &Env,
    dest: &Path,
    common: &CommonArgs,
    p: &Prepared,
    plan: &Plan,
) -> Result<(), Error> {
    let marked: Vec<(&str, &crate::plan::Sides, bool)> = plan
        .changes
        .iter()
        .filter_map(|c| {
            let sides = c.sides.as_deref()?;
            let exec = matches!(
                c.write.as_ref().or(c.before.as_ref()),
                Some(Node::File {
                    executable: true,
                    ..
                })
            );
            Some((c.path.as_str(), sides, exec))
        })
        .collect();
    // Where git ignores executable bits on disk, a bit the update
    // changes goes into the index too, or the next commit loses it.
    let modes: Vec<(&str, bool)> = match &p.git {
        Some(git) if git.ignores_file_modes() => plan
            .changes
            .iter()
            .filter(|c| c.sides.is_none())
            .filter_map(|c| match &c.write {
                Some(Node::File { executable, .. }) => Some((c.path.as_str(), *executable)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    // The conflicts go into the git index in the same transaction as
    // the files: a run killed in between leaves neither.
    let index = match &p.git {
        Some(git) if !marked.is_empty() || !modes.is_empty() => Some(apply::IndexWrite {
            path: git.index_path(),
            write: Box::new(|| {
                git.set_index_modes(&modes)?;
                git.mark_conflicts(&marked)
            }),
        }),
        _ => None,
    };
    let bar = super::ProgressBar::start(env.stderr_terminal && !common.quiet, "writing");
    apply::apply_with_index(dest, plan, &env.journals(), index, &bar)
}

/// After the write: the `after` migrations, the tasks, the message.
fn run_after(
    printer: &Printer,
    dest: &Path,
    common: &CommonArgs,
    p: &Prepared,
    r: &mut Renders,
    after_migrations: &[PreparedCommand],
    tasks: &[PreparedCommand],
) -> Result<(), Error> {
    run_commands(
        "migration",
        after_migrations,
        dest,
        &r.new.answers.context,
        printer,
        &mut r.task_entries,
    )?;
    if common.skip_tasks {
        r.task_entries
            .extend(tasks.iter().map(|t| TaskEntry::of(t, "skipped")));
    } else {
        run_commands(
            "task",
            tasks,
            dest,
            &r.new.answers.context,
            printer,
            &mut r.task_entries,
        )?;
    }
    if let Some(message) = &p.new_config.settings.message_after_update {
        printer.message(
            &r.new
                .message(&p.new_config, "_message_after_update", message)?,
        );
    }
    Ok(())
}

/// The summary line, what to do about conflicts, the report and the exit
/// code.
fn report(
    printer: &Printer,
    common: &CommonArgs,
    p: Prepared,
    r: Renders,
    plan: &Plan,
) -> (i32, Report) {
    let conflicts = plan.paths(Action::Conflict);
    let from = p.old_rev.describe;
    let to = p.new_rev.describe;
    let src = p.src;
    printer.info(&format!(
        "\n{} {src} from {} to {}: {} updated, {} merged, {} created, {} deleted, {} kept, {} conflict(s)",
        if common.pretend { "would update" } else { "updated" },
        from.as_deref().unwrap_or("(folder)"),
        to.as_deref().unwrap_or("(folder)"),
        plan.count(Action::Update),
        plan.count(Action::Merge),
        plan.count(Action::Create),
        plan.count(Action::Delete),
        plan.count(Action::Keep),
        conflicts.len(),
    ));
    if !conflicts.is_empty() && !common.pretend {
        let unmerged: Vec<Unmerged> = match &p.git {
            Some(_) => plan
                .changes
                .iter()
                .filter_map(|c| c.sides.as_deref().map(Unmerged::of))
                .collect(),
            None => Vec::new(),
        };
        printer.info(&resolve_hint(conflicts.len(), &unmerged, p.git.is_some()));
    }
    let code = if conflicts.is_empty() {
        0
    } else {
        EXIT_ATTENTION
    };
    let report = Report {
        command: "update",
        template: TemplateInfo { src, from, to },
        files: Report::files_from(plan),
        conflicts,
        tasks: r.task_entries,
        pretend: common.pretend,
    };
    (code, report)
}

/// The line that ends an update that left `conflicts` conflicts: what to
/// do, and how `git status` lists the ones recorded in the index
/// (`unmerged`; `git` says whether the project is in a git work tree).
/// Conflicts that are not text (a folder that became a file, a symlink)
/// are not recorded there.
fn resolve_hint(conflicts: usize, unmerged: &[Unmerged], git: bool) -> String {
    if !git {
        return "resolve the conflicts".to_string();
    }
    if unmerged.is_empty() {
        return "resolve the conflicts, then commit".to_string();
    }
    let mut names: Vec<&str> = Vec::new();
    for kind in [Unmerged::BothModified, Unmerged::BothAdded] {
        if unmerged.contains(&kind) {
            names.push(kind.name());
        }
    }
    let which = if unmerged.len() == conflicts {
        "them".to_string()
    } else {
        format!("{} of them", unmerged.len())
    };
    format!(
        "resolve the conflicts, then commit; `git status` lists {which} as {}",
        names.join(" or ")
    )
}

/// Whether two renders of a project were given the same answers: every
/// value templates see but the run's own facts (the `_`-keys).
fn same_answers(a: &super::ProjectRender, b: &super::ProjectRender) -> bool {
    let answers = |p: &super::ProjectRender| {
        p.answers
            .context
            .iter()
            .filter(|(k, _)| !k.starts_with('_'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    a.answers_path == b.answers_path && answers(a) == answers(b)
}

/// Adds the answers file, which is always rewritten.
pub fn push_answers_file(plan: &mut Plan, dest: &Path, rel: &str, text: &str) -> Result<(), Error> {
    let node = Node::file(text.as_bytes());
    let before = plan::read_node(dest, rel)?;
    let action = match &before {
        None => Action::Create,
        Some(b) if *b == node => Action::Identical,
        Some(_) => Action::Update,
    };
    plan.changes.retain(|c| c.path != rel);
    let write = (action != Action::Identical).then_some(node);
    plan.changes.push(Change::new(rel, action, write, before));
    Ok(())
}

fn print_update_plan(printer: &Printer, plan: &Plan) {
    for change in &plan.changes {
        if change.action == Action::Identical {
            continue;
        }
        printer.status_noted(change.action, &change.path, change.note.as_deref());
    }
}

fn run_commands(
    what: &'static str,
    commands: &[PreparedCommand],
    dest: &Path,
    context: &serde_json::Map<String, Value>,
    printer: &Printer,
    entries: &mut Vec<TaskEntry>,
) -> Result<(), Error> {
    let Some(dialect) = commands.first().map(|c| c.dialect) else {
        return Ok(());
    };
    let answers = tasks::answer_env(dialect, context);
    for c in commands {
        printer.detail(&format!("running {what}: {}", c.display()));
        tasks::run(what, c, dest, "update", &answers)?;
        entries.push(TaskEntry::of(c, "ran"));
    }
    Ok(())
}

/// The pristine render of the recorded version with the recorded answers:
/// what the project would hold if nobody had edited it.
pub fn render_recorded(
    env: &Env,
    dest: &Path,
    answers_rel: &str,
    common: &CommonArgs,
) -> Result<(Recorded, AnswersFile, super::ProjectRender), Error> {
    let file = read_answers(dest, answers_rel)?;
    let user = env.user_settings()?;
    let recorded = open_recorded(&file, answers_rel, dest, env, common)?;
    let src = recorded.spec.display();
    let (tree, config) = load_template(
        &recorded.repo,
        &recorded.revision,
        &src,
        env.bare_dialect_for(answers_rel),
    )?;
    let settings = RenderSettings {
        answers_file: Some(answers_rel.to_string()),
        ..RenderSettings::default()
    };
    let progress = super::progress_bars(false);
    let (operation, vcs_ref) = config.dialect.recorded_run(&file);
    let inputs = RenderRequest {
        operation,
        src_display: &src,
        src_given: &file.src_path,
        dest_given: dest,
        vcs_ref: vcs_ref.as_deref(),
        revision: &recorded.revision,
        dest,
        settings: &settings,
        user: &user,
        recorded: file.answers.clone(),
        skip_answered: true,
        use_defaults: true,
        trusted: common.trust || trust::is_trusted(&src, &user.trust),
        progress: &progress,
        compiled: None,
        printer: None,
    };
    let project = render_project(&tree, &config, &inputs, &mut NoPrompt)?;
    Ok((recorded, file, project))
}

/// Template-managed files the project changed or deleted, in path order.
pub fn drift(pristine: &FileTree, dest: &Path) -> Result<Vec<(String, Node, Option<Node>)>, Error> {
    let mut out = Vec::new();
    for (path, node) in &pristine.entries {
        if matches!(node, Node::Dir) {
            continue;
        }
        let now = plan::read_node(dest, path)?;
        if now.as_ref() != Some(node) {
            out.push((path.clone(), node.clone(), now));
        }
    }
    Ok(out)
}

/// Updates the blocks this template injected into files it does not own.
fn block_changes(
    dest: &Path,
    old: &[crate::inject::Block],
    new: &[crate::inject::Block],
    owner: &str,
) -> Result<Vec<Change>, Error> {
    let mut targets: Vec<&str> = Vec::new();
    for b in old.iter().chain(new) {
        if !targets.contains(&b.into.as_str()) {
            targets.push(&b.into);
        }
    }
    let mut out = Vec::new();
    for target in targets {
        let olds: Vec<_> = old.iter().filter(|b| b.into == target).collect();
        let news: Vec<_> = new.iter().filter(|b| b.into == target).collect();
        let before = plan::read_node(dest, target)?;
        let Some(Node::File { bytes, executable }) = &before else {
            if news.is_empty() {
                continue;
            }
            return Err(RenderError::Injection {
                file: target.to_string(),
                owner: owner.to_string(),
                source: crate::inject::InjectError(format!(
                    "`{target}` is not a file of the project"
                )),
            }
            .into());
        };
        let text = String::from_utf8_lossy(bytes).into_owned();
        let result = merge::update_blocks(&text, &olds, &news, owner)?;
        if result.text == text && result.action == Action::Identical {
            continue;
        }
        let write = (result.text != text).then(|| Node::File {
            bytes: result.text.into_bytes().into(),
            executable: *executable,
        });
        let mut change = Change::new(target, result.action, write, before.clone());
        change.note = result.note;
        out.push(change);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resolve_hint_names_the_conflicts_as_git_status_lists_them() {
        use Unmerged::{BothAdded, BothModified};
        let lists = "resolve the conflicts, then commit; `git status` lists";
        for (conflicts, unmerged, git, want) in [
            (
                1,
                &[BothModified][..],
                true,
                format!("{lists} them as both modified"),
            ),
            (1, &[BothAdded], true, format!("{lists} them as both added")),
            (
                3,
                &[BothAdded, BothModified, BothModified],
                true,
                format!("{lists} them as both modified or both added"),
            ),
            (
                2,
                &[BothModified],
                true,
                format!("{lists} 1 of them as both modified"),
            ),
            (
                1,
                &[],
                true,
                "resolve the conflicts, then commit".to_string(),
            ),
            (1, &[], false, "resolve the conflicts".to_string()),
        ] {
            assert_eq!(resolve_hint(conflicts, unmerged, git), want, "{unmerged:?}");
        }
    }
}
