//! What graft needs from the process environment, read once at start:
//! the current folder, whether a person is at a terminal, the settings
//! and cache locations, and (in graft's own tests) the faults to inject.
//! Everything below reads this instead of the environment.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::dialect::Dialect;
use crate::error::Error;
use crate::journal::FaultInjection;
use crate::prompt::{NoPrompt, Prompter, TerminalPrompt};
use crate::settings::{self, UserSettings};

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

    pub fn prompter(&self) -> Box<dyn Prompter> {
        if self.interactive {
            Box::new(TerminalPrompt::default())
        } else {
            Box::new(NoPrompt)
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
