//! Reading both versions of the template and rendering them.

use std::collections::BTreeSet;
use std::path::Path;

use super::finish::run_commands;
use super::{Prepared, Renders, UpdateSettings};
use crate::config::{self, Stage, TemplateConfig};
use crate::dialect::{Dialect, Operation};
use crate::env::Env;
use crate::error::Error;
use crate::merge::unchanged;
use crate::pipeline::render::{
    check_version, render_project, ProjectRender, RenderRequest, RenderSettings, ShowProgress,
};
use crate::printer::Printer;
use crate::project::read_answers;
use crate::prompt::NoPrompt;
use crate::source::{Revision, TemplateRepo};
use crate::tree::FileTree;

/// Both versions of the template an update renders.
pub(super) struct Versions {
    pub old_tree: FileTree,
    pub old_config: TemplateConfig,
    pub new_tree: FileTree,
    pub new_config: TemplateConfig,
    /// Template files left out of both trees: they are the same in both
    /// versions and copied as they are, so the update leaves them untouched
    /// without reading them (see `merge::unchanged`).
    pub unread: BTreeSet<String>,
}

/// Reads the old and new version of the template for an update, leaving out
/// the files both versions copy unchanged to the same place.
pub(super) fn load_versions(
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

/// Renders the recorded version with the recorded answers (never asking),
/// runs the `before` migrations, then renders the new version with the
/// new answers.
pub(super) fn render_both(
    s: &UpdateSettings,
    env: &Env,
    printer: &Printer,
    dest: &Path,
    answers_rel: &str,
    p: &mut Prepared,
) -> Result<Renders, Error> {
    let new_settings = RenderSettings {
        answers_file: Some(answers_rel.to_string()),
        ..s.render.clone()
    };
    // Both versions' templated files are compiled once.
    let compiled = std::sync::Arc::new(crate::render::Compiled::default());
    let shared = Shared {
        settings: &new_settings,
        progress: s.progress,
        compiled: &compiled,
    };
    let old = render_old(s, dest, p, &shared)?;

    let mut task_entries = Vec::new();
    let before_migrations = p.migrations(Stage::Before, &old)?;
    if !s.render.pretend && !before_migrations.is_empty() {
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
    let new = render_new(s, env, printer, dest, p, &shared)?;
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
    progress: &'a ShowProgress<'a>,
    compiled: &'a std::sync::Arc<crate::render::Compiled>,
}

/// Renders the recorded version with the recorded answers, never asking:
/// the render that wrote the project (given the recorded operation).
fn render_old(
    s: &UpdateSettings,
    dest: &Path,
    p: &Prepared,
    shared: &Shared,
) -> Result<ProjectRender, Error> {
    let old_settings = RenderSettings {
        data: Vec::new(),
        data_file: None,
        ask: Vec::new(),
        ..shared.settings.clone()
    };
    let (old_operation, old_vcs_ref) = p.recorded_file.recorded_run(p.old_config.dialect);
    let old_inputs = RenderRequest {
        operation: old_operation,
        src_display: &p.src,
        src_given: &p.recorded_file.src_path,
        dest_given: &s.dest_given,
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
    s: &UpdateSettings,
    env: &Env,
    printer: &Printer,
    dest: &Path,
    p: &Prepared,
    shared: &Shared,
) -> Result<ProjectRender, Error> {
    let Shared {
        settings,
        progress,
        compiled,
    } = *shared;
    let mut prompter = env.prompter();
    let new_vcs_ref = p.recorded_file.asked_ref(p.new_config.dialect, &s.vcs_ref);
    let new_inputs = RenderRequest {
        operation: Operation::Update,
        src_display: &p.src,
        src_given: &p.recorded_file.src_path,
        dest_given: &s.dest_given,
        vcs_ref: new_vcs_ref.as_deref(),
        revision: &p.new_rev,
        dest,
        settings,
        user: &p.user,
        recorded: p.recorded_file.answers.clone(),
        skip_answered: s.skip_answered,
        use_defaults: s.defaults,
        trusted: p.trusted,
        progress,
        compiled: Some(compiled.clone()),
        printer: Some(printer),
    };
    render_project(&p.new_tree, &p.new_config, &new_inputs, prompter.as_mut())
}

/// Whether two renders of a project were given the same answers: every
/// value templates see but the run's own facts (the `_`-keys).
fn same_answers(a: &ProjectRender, b: &ProjectRender) -> bool {
    let answers = |p: &ProjectRender| {
        p.answers
            .context
            .iter()
            .filter(|(k, _)| !k.starts_with('_'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    a.answers_path == b.answers_path && answers(a) == answers(b)
}
