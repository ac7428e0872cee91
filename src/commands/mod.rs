//! One module per subcommand: each resolves its settings from flags and the
//! environment, calls the core, prints, and decides the exit code. This is
//! the only layer that reads the environment or prints.

pub mod check;
pub mod check_update;
pub mod completions;
pub mod copy;
pub mod diff;
pub mod man;
mod over;
pub mod recopy;
pub mod remove;
pub mod update;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::CommonArgs;
use crate::config::TemplateConfig;
use crate::dialect::Dialect;
use crate::error::{ApplyError, Error};
use crate::journal::FaultInjection;
use crate::lock::ProjectLock;
use crate::printer::{quote_path, Printer};
use crate::project::Project;
use crate::prompt::{NoPrompt, Prompter, TerminalPrompt};
use crate::render;
use crate::settings::{self, UserSettings};
use crate::source::SourceOptions;

pub use crate::pipeline::render::{
    check_version, inject_into_project, project_tasks, read_data_file, render_message,
    render_project, require_trust, ProjectRender, RenderRequest, RenderSettings, ShowProgress,
};

/// The render settings `common` asks for.
pub fn render_settings(common: &CommonArgs) -> RenderSettings {
    RenderSettings {
        data: common.data.clone(),
        data_file: common.data_file.clone(),
        answers_file: common.answers_file.clone(),
        ask: common.ask.clone(),
        exclude: common.exclude.clone(),
        skip: common.skip.clone(),
        pretend: common.pretend,
        quiet: common.quiet,
        skip_tasks: common.skip_tasks,
        prereleases: common.prereleases,
    }
}

/// A progress bar for each stage when `enabled` (see [`ProgressBar`]).
pub fn progress_bars(enabled: bool) -> impl Fn(&str) -> Box<dyn crate::progress::Progress> {
    move |label| Box::new(ProgressBar::start(enabled, label))
}

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
        return Err(ApplyError::WouldOverwrite {
            dest: dest_arg.to_path_buf(),
            paths: conflicts,
        }
        .into());
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
