//! `graft update`: prepare → render both versions → plan → execute →
//! report, for each answers file of the project.

mod finish;
mod plan;
mod renders;

use finish::{execute, pretend, print_update_plan, report, run_after};
use plan::plan_update;
use renders::{load_versions, render_both, Versions};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::recorded::{open_recorded, OpenSettings};
use super::render::{ProjectRender, RenderSettings, ShowProgress};
use crate::answers::AnswersFile;
use crate::config::{Stage, TemplateConfig};
use crate::env::Env;
use crate::error::{Error, ProjectError, TaskError};
use crate::printer::Printer;
use crate::project::{answers_files, read_answers};
use crate::project_git::{CleanFiles, ProjectRepo, Uncommitted};
use crate::report::{Report, TaskEntry};
use crate::settings::UserSettings;
use crate::source::{Revision, VersionAsked};
use crate::tasks::{self, PreparedCommand};
use crate::tree::FileTree;
use crate::trust;

/// What `graft update` does, resolved from its flags.
pub struct UpdateSettings<'a> {
    pub open: OpenSettings,
    /// The settings of the new render (the old one never asks and takes
    /// no answers from the command line).
    pub render: RenderSettings,
    /// The project folder as the person named it (for messages and
    /// `_copier_conf.dst_path`).
    pub dest_given: PathBuf,
    /// `--vcs-ref`: the version to update to (`:current:` keeps the
    /// recorded one); none means the newest.
    pub vcs_ref: VersionAsked,
    /// `--defaults`: questions new in this version take their defaults.
    pub defaults: bool,
    /// `--skip-answered`: only questions without a recorded answer are asked.
    pub skip_answered: bool,
    /// Conflicts go to `PATH.rej` files instead of markers in the file.
    pub rej: bool,
    /// Lines of context in a Copier project's `.rej` hunks.
    pub context_lines: usize,
    /// `--diff` with `--pretend`: print what would change.
    pub diff: bool,
    /// `--allow-dirty`: update a git work tree with uncommitted changes.
    pub allow_dirty: bool,
    /// Progress bars for rendering and writing.
    pub progress: &'a ShowProgress<'a>,
}

/// The project's check for uncommitted changes, running beside the reading
/// of the template until the first step that depends on the template's
/// contents (or could change anything) needs its answer. An error found
/// meanwhile gives way to a dirty tree, which is reported first.
struct DirtyCheck<'scope> {
    pending: Option<std::thread::ScopedJoinHandle<'scope, Result<Uncommitted, Error>>>,
    dest: &'scope Path,
}

impl DirtyCheck<'_> {
    /// Waits for the check; a dirty tree is an error. The first wait
    /// returns what the check learnt of a clean tree's files, which holds
    /// until the first write.
    fn wait(&mut self) -> Result<Option<CleanFiles>, Error> {
        let Some(pending) = self.pending.take() else {
            return Ok(None);
        };
        let found = pending
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        if found.paths.is_empty() {
            Ok(found.known)
        } else {
            Err(ProjectError::DirtyTree {
                dest: self.dest.to_path_buf(),
                paths: found.paths,
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

/// Updates the project in `dest` (opened and locked by the caller) from
/// each of its answers files in turn; returns the exit code and a report
/// per answers file.
pub fn update(
    s: &UpdateSettings,
    env: &Env,
    printer: &Printer,
    dest: &Path,
) -> Result<(i32, Vec<Report>), Error> {
    let files = answers_files(dest, s.render.answers_file.as_deref())?;
    let git = ProjectRepo::discover(dest).filter(|_| !s.allow_dirty && !s.render.pretend);
    std::thread::scope(|scope| {
        // Checked once: updating the first of several templates dirties the tree.
        let mut dirty = DirtyCheck {
            pending: git.map(|git| scope.spawn(move || git.uncommitted())),
            dest: &s.dest_given,
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
            let result = update_one(s, env, printer, dest, file, &mut dirty);
            let (c, report) = dirty.settle(result)?;
            code = code.max(c);
            reports.push(report);
        }
        Ok((code, reports))
    })
}

/// Updates the project from one answers file: prepare, render both
/// versions, plan, execute, report.
fn update_one(
    s: &UpdateSettings,
    env: &Env,
    printer: &Printer,
    dest: &Path,
    answers_rel: &str,
    dirty: &mut DirtyCheck,
) -> Result<(i32, Report), Error> {
    let mut prepared = prepare(s, env, printer, dest, answers_rel, dirty)?;
    let mut renders = render_both(s, env, printer, dest, answers_rel, &mut prepared)?;
    let plan = plan_update(s, dest, answers_rel, &prepared, &renders)?;
    print_update_plan(printer, &plan);
    let tasks = super::render::project_tasks(&prepared.new_config, &renders.new)?;
    // Prepared before the first write, so a bad one stops the run early.
    let after_migrations = prepared.migrations(Stage::After, &renders.new)?;
    if s.render.pretend {
        pretend(s, printer, &plan, &mut renders, &after_migrations, &tasks);
    } else {
        execute(env, dest, s, &prepared, &plan)?;
        run_after(
            printer,
            dest,
            s,
            &prepared,
            &mut renders,
            &after_migrations,
            &tasks,
        )?;
    }
    Ok(report(printer, s, prepared, renders, &plan))
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
    /// What the project's files hold, as far as its git index proves it:
    /// files the plan need not read.
    known: Option<CleanFiles>,
    trusted: bool,
}

/// Reads the answers file and both template versions, refuses a
/// downgrade, a dirty tree and untrusted commands, and says the warnings.
fn prepare(
    s: &UpdateSettings,
    env: &Env,
    printer: &Printer,
    dest: &Path,
    answers_rel: &str,
    dirty: &mut DirtyCheck,
) -> Result<Prepared, Error> {
    let recorded_file = read_answers(dest, answers_rel)?;
    let user = env.user_settings()?;
    let recorded = open_recorded(&recorded_file, answers_rel, dest, &s.open)?;
    let src = recorded.spec.display();
    let old_rev = recorded.revision.clone();
    // A local template's check for uncommitted changes (only a warning
    // here) runs beside the reading of both versions.
    let (mut new_rev, pending) = match &s.vcs_ref {
        VersionAsked::Current => (old_rev.clone(), None),
        other => {
            let (rev, pending) = recorded
                .repo
                .resolve_beside(other.git_ref(), s.open.prereleases)?;
            (rev, Some(pending))
        }
    };
    refuse_downgrade(&old_rev, &new_rev)?;
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
        &s.render.exclude,
        env.bare_dialect_for(answers_rel),
    )?;
    if let Some(pending) = pending {
        pending.finish(&mut new_rev)?;
    }
    // Both versions are in memory: close the template repository, its
    // mapped packs and caches.
    drop(recorded.repo);
    // Nothing was said or changed so far: a dirty tree is reported first.
    let known = dirty.wait()?;
    for w in recorded.warnings.iter().chain(&new_rev.warnings) {
        printer.warn(w);
    }
    let trusted = s.open.trust || trust::is_trusted(&src, &user.trust);
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
        known,
        trusted,
    };
    prepared.require_trust(s)?;
    Ok(prepared)
}

/// An update never goes to an older version than the recorded one.
fn refuse_downgrade(old: &Revision, new: &Revision) -> Result<(), Error> {
    if let (Some(from), Some(to)) = (&old.version, &new.version) {
        if to < from {
            return Err(ProjectError::Downgrade {
                from: old.describe.clone().unwrap_or_else(|| from.to_string()),
                to: new.describe.clone().unwrap_or_else(|| to.to_string()),
            }
            .into());
        }
    }
    Ok(())
}

impl Prepared {
    /// On update, trust is decided before anything is rendered: every
    /// migration in the version range counts (even one whose `when` will
    /// turn out false), listed as the template writes it.
    fn require_trust(&self, s: &UpdateSettings) -> Result<(), Error> {
        let settings = &self.new_config.settings;
        let mut wanted: Vec<String> = Vec::new();
        if !s.render.skip_tasks {
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
        if !wanted.is_empty() && !self.trusted && !s.render.pretend {
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
        project: &ProjectRender,
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
    old: ProjectRender,
    new: ProjectRender,
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
    fn written(&self) -> &ProjectRender {
        if self.same {
            &self.old
        } else {
            &self.new
        }
    }
}
