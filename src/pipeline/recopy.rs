//! `graft recopy`: the recorded (or asked-for) version rendered from
//! scratch with the recorded answers, written over the project.

use std::path::{Path, PathBuf};

use super::over::OverProject;
use super::recorded::{load_template, open_recorded, open_template, OpenSettings, Recorded};
use super::render::{render_project, RenderRequest, RenderSettings, ShowProgress};
use crate::answers::AnswersFile;
use crate::config::TemplateConfig;
use crate::dialect::Operation;
use crate::env::Env;
use crate::error::{Error, ProjectError};
use crate::plan::Action;
use crate::printer::Printer;
use crate::project::read_answers;
use crate::report::{Report, TemplateInfo};
use crate::source::{Revision, VersionAsked};
use crate::tree::FileTree;
use crate::trust;

/// What `graft recopy` does, resolved from its flags.
pub struct RecopySettings<'a> {
    pub open: OpenSettings,
    pub render: RenderSettings,
    /// The project folder as the person named it, for messages.
    pub dest_given: PathBuf,
    /// `--vcs-ref`: the version to render.
    pub vcs_ref: VersionAsked,
    /// The recorded version is the one rendered (see `commands::recopy`).
    pub renders_recorded: bool,
    pub defaults: bool,
    pub skip_answered: bool,
    /// Replace files that differ without asking.
    pub overwrite: bool,
    /// `--diff` with `--pretend`: print what would change.
    pub diff: bool,
    pub progress: &'a ShowProgress<'a>,
}

/// Recopies the template of one answers file over the project.
pub fn recopy_one(
    s: &RecopySettings,
    env: &Env,
    printer: &Printer,
    dest: &Path,
    answers_rel: &str,
) -> Result<Report, Error> {
    let recorded_file = read_answers(dest, answers_rel)?;
    let user = env.user_settings()?;
    let (src, revision, tree, config) =
        read_template(s, env, printer, dest, answers_rel, &recorded_file)?;
    let trusted = s.open.trust || trust::is_trusted(&src, &user.trust);
    let mut prompter = env.prompter();
    let settings = RenderSettings {
        answers_file: Some(answers_rel.to_string()),
        ..s.render.clone()
    };
    let vcs_ref = recorded_file.asked_ref(config.dialect, &s.vcs_ref);
    let inputs = RenderRequest {
        operation: Operation::Recopy,
        src_display: &src,
        src_given: &recorded_file.src_path,
        dest_given: &s.dest_given,
        vcs_ref: vcs_ref.as_deref(),
        revision: &revision,
        dest,
        settings: &settings,
        user: &user,
        recorded: recorded_file.answers.clone(),
        skip_answered: s.skip_answered,
        use_defaults: s.defaults,
        trusted,
        progress: s.progress,
        compiled: None,
        printer: Some(printer),
    };
    let project = render_project(&tree, &config, &inputs, prompter.as_mut())?;
    let (plan, entries) = OverProject {
        env,
        printer,
        settings: &settings,
        diff: s.diff,
        progress: s.progress,
        dest,
        dest_given: &s.dest_given,
        new_dest: false,
        config: &config,
        project: &project,
        trusted,
        src: &src,
        overwrite: s.overwrite,
        operation: Operation::Recopy,
    }
    .write(prompter.as_mut())?;
    if !s.render.pretend {
        printer.info(&format!(
            "\nrecopied {src} {} over {}: {} created, {} updated, {} identical, {} skipped",
            revision.describe.as_deref().unwrap_or(""),
            s.dest_given.display(),
            plan.count(Action::Create),
            plan.count(Action::Update),
            plan.count(Action::Identical),
            plan.count(Action::Skip),
        ));
    }
    Ok(Report {
        command: "recopy",
        template: TemplateInfo {
            src,
            from: recorded_file.commit.clone(),
            to: revision.describe.clone(),
        },
        files: Report::files_from(&plan),
        conflicts: Vec::new(),
        tasks: entries,
        pretend: s.render.pretend,
    })
}

/// Opens the recorded template and reads the version to render: the
/// recorded one, or the one asked for (which makes a recorded version the
/// template lost irrelevant).
fn read_template(
    s: &RecopySettings,
    env: &Env,
    printer: &Printer,
    dest: &Path,
    answers_rel: &str,
    recorded_file: &AnswersFile,
) -> Result<(String, Revision, FileTree, TemplateConfig), Error> {
    let recorded = match open_recorded(recorded_file, answers_rel, dest, &s.open) {
        Ok(recorded) => recorded,
        // An explicit ref makes the recorded one irrelevant.
        Err(Error::Project(
            ProjectError::OldVersionMissing { .. } | ProjectError::NoRecordedVersion { .. },
        )) if !s.renders_recorded => {
            let (spec, repo) = open_template(recorded_file, dest, &s.open.source)?;
            Recorded {
                spec,
                repo,
                revision: Revision::default(),
                warnings: Vec::new(),
            }
        }
        Err(e) => return Err(e),
    };
    for w in &recorded.warnings {
        printer.warn(w);
    }
    let src = recorded.spec.display();
    let revision = if s.renders_recorded {
        recorded.revision.clone()
    } else {
        let explicit = s.vcs_ref.git_ref();
        recorded.repo.resolve(explicit, s.open.prereleases)?
    };
    for w in &revision.warnings {
        printer.warn(w);
    }
    let (tree, config) = load_template(
        &recorded.repo,
        &revision,
        &src,
        env.bare_dialect_for(answers_rel),
    )?;
    Ok((src, revision, tree, config))
}
