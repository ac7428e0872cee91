//! A project's template at the version the project records, and what
//! that version renders with the recorded answers.

use std::path::Path;

use super::render::{check_version, render_project, ProjectRender, RenderRequest, RenderSettings};
use crate::answers::AnswersFile;
use crate::config::{self, TemplateConfig};
use crate::dialect::Dialect;
use crate::env::Env;
use crate::error::{Error, ProjectError};
use crate::plan;
use crate::project::read_answers;
use crate::prompt::NoPrompt;
use crate::source::{Revision, SourceOptions, SourceSpec, TemplateRepo};
use crate::tree::{FileTree, Node};
use crate::trust;

/// How a command reaches its project's template, resolved from its flags.
#[derive(Debug, Clone)]
pub struct OpenSettings {
    pub source: SourceOptions,
    /// Pre-release versions count when the newest version is looked for.
    pub prereleases: bool,
    /// `--trust`: the template's tasks and migrations may run.
    pub trust: bool,
}

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
    source: &SourceOptions,
) -> Result<(SourceSpec, TemplateRepo), Error> {
    let spec = SourceSpec::parse(&answers.src_path, dest)?;
    let repo = TemplateRepo::open(&spec, source)?;
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
    open: &OpenSettings,
) -> Result<Recorded, Error> {
    let (spec, repo) = open_template(answers, dest, &open.source)?;
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
        None => repo.resolve(None, open.prereleases)?,
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

/// The pristine render of the recorded version with the recorded answers:
/// what the project would hold if nobody had edited it.
pub fn render_recorded(
    env: &Env,
    dest: &Path,
    answers_rel: &str,
    open: &OpenSettings,
) -> Result<(Recorded, AnswersFile, ProjectRender), Error> {
    let file = read_answers(dest, answers_rel)?;
    let user = env.user_settings()?;
    let recorded = open_recorded(&file, answers_rel, dest, open)?;
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
    let (operation, vcs_ref) = file.recorded_run(config.dialect);
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
        trusted: open.trust || trust::is_trusted(&src, &user.trust),
        progress: &|_| Box::new(crate::progress::NoProgress),
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
