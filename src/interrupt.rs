//! Interruptions: SIGINT (Ctrl-C) and SIGTERM stop every graft command,
//! which then exits with [`EXIT_INTERRUPTED`] (Copier's 1 under the name
//! `copier`).
//!
//! What stopping means depends on what the command is doing when the
//! signal comes:
//!
//! - Reading, fetching, rendering, planning, asking: the process ends at
//!   once, after saying so. Nothing in the destination was changed yet.
//! - Inside a [`Deferred`] region (the write phase, the roll back of a
//!   journal, the folder a copy created): the interruption is recorded, the
//!   region stops at its next check and undoes its work as an error would
//!   (the write phase rolls back, see `apply`), and the command fails with
//!   [`Error::Interrupted`].
//! - While a task or migration runs ([`run_task`]): tasks run in a process
//!   group of their own, so a Ctrl-C at the terminal reaches graft alone,
//!   and graft passes the signal on to the task's group (a second one
//!   kills it). graft waits for the task to end, kills what is left of its
//!   group, and fails with [`Error::Interrupted`]. The files written before
//!   the task stay: the write phase had finished.
//!
//! Signals arrive on a thread of their own (signal-hook's iterator), so what
//! they do is ordinary code; the flag the write phase reads is set in the
//! signal handler itself, so no write starts after the signal came.

use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Once, OnceLock};

use crate::error::{Error, EXIT_INTERRUPTED};

/// How an interruption that ends the process at once is reported: prints
/// it, and returns the exit code.
type Report = Box<dyn Fn() -> i32 + Send>;

/// What the signal thread needs to know to decide.
struct State {
    /// How many [`Deferred`] regions are open.
    deferred: usize,
    /// The task running now, if any.
    task: Option<Task>,
    report: Option<Report>,
}

/// A running task's process group, and how many signals it was passed.
#[cfg_attr(not(unix), allow(dead_code))]
struct Task {
    group: i32,
    signals: usize,
}

static STATE: Mutex<State> = Mutex::new(State {
    deferred: 0,
    task: None,
    report: None,
});

/// Set by the signal handler itself.
fn flag() -> &'static Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| Arc::new(AtomicBool::new(false)))
}

/// The state, also after a thread panicked while holding it.
fn state() -> MutexGuard<'static, State> {
    STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Starts handling SIGINT and SIGTERM as this module says, once per
/// process; `report` says how an interruption that ends the process at
/// once is reported (by default `error: interrupted` and exit code 130).
pub fn install(report: impl Fn() -> i32 + Send + 'static) {
    state().report = Some(Box::new(report));
    start();
}

/// Whether SIGINT or SIGTERM came.
pub fn interrupted() -> bool {
    flag().load(Ordering::SeqCst)
}

/// [`Error::Interrupted`] once SIGINT or SIGTERM came.
pub fn check() -> Result<(), Error> {
    if interrupted() {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}

/// Starts the signal thread, once.
fn start() {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGINT, SIGTERM};
            let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
                return;
            };
            for signal in [SIGINT, SIGTERM] {
                let _ = signal_hook::flag::register(signal, flag().clone());
            }
            let _ = std::thread::Builder::new()
                .name("signals".to_string())
                .spawn(move || {
                    for signal in signals.forever() {
                        on_signal(signal);
                    }
                });
        }
    });
}

/// Decides what a signal does (see the module's documentation).
#[cfg(unix)]
fn on_signal(signal: i32) {
    let mut state = state();
    if let Some(task) = &mut state.task {
        task.signals += 1;
        let passed = if task.signals == 1 {
            signal
        } else {
            signal_hook::consts::SIGKILL
        };
        kill_group(task.group, passed);
        return;
    }
    if state.deferred > 0 {
        return;
    }
    // The lock is held to the end: no region can open meanwhile.
    let code = state.report.as_ref().map_or_else(
        || {
            eprintln!("error: {}", Error::Interrupted);
            EXIT_INTERRUPTED
        },
        |report| report(),
    );
    signal_hook::low_level::exit(code);
}

/// Sends `signal` to the process group `group`; one that is gone already
/// is no error.
#[cfg(unix)]
fn kill_group(group: i32, signal: i32) {
    if let Ok(signal) = nix::sys::signal::Signal::try_from(signal) {
        let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(group), signal);
    }
}

/// A region whose interruption waits for the region to undo its work: an
/// interruption inside it only records itself (see [`interrupted`]) until
/// the region ends.
#[must_use = "a region ends when it is dropped"]
pub struct Deferred(());

impl Deferred {
    pub fn begin() -> Deferred {
        start();
        state().deferred += 1;
        Deferred(())
    }

    /// Ends the region: [`Error::Interrupted`] if SIGINT or SIGTERM came.
    pub fn finish(self) -> Result<(), Error> {
        drop(self);
        check()
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        let mut state = state();
        state.deferred = state.deferred.saturating_sub(1);
    }
}

/// How a task ended.
#[derive(Debug)]
pub enum TaskEnd {
    Exited(ExitStatus),
    /// SIGINT or SIGTERM came before or while it ran: it was stopped (or
    /// never started).
    Interrupted,
}

/// Runs `command` to its end in a process group of its own, passing
/// SIGINT and SIGTERM on to the group (see the module's documentation).
pub fn run_task(command: &mut Command) -> std::io::Result<TaskEnd> {
    let _region = Deferred::begin();
    if interrupted() {
        return Ok(TaskEnd::Interrupted);
    }
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(command, 0);
    let mut child = command.spawn()?;
    #[cfg(unix)]
    let group = i32::try_from(child.id()).unwrap_or(0);
    #[cfg(unix)]
    if group > 0 {
        let mut state = state();
        state.task = Some(Task { group, signals: 0 });
        // A signal that came while the task started was not passed on.
        if interrupted() {
            if let Some(task) = &mut state.task {
                task.signals = 1;
            }
            kill_group(group, signal_hook::consts::SIGTERM);
        }
    }
    let status = child.wait();
    #[cfg(unix)]
    {
        state().task = None;
        if interrupted() && group > 0 {
            // What is left of the group (children that outlived the
            // task). While a member lives, no other group can have this
            // id; once none does, there is nothing to kill.
            kill_group(group, signal_hook::consts::SIGKILL);
        }
    }
    if interrupted() {
        return Ok(TaskEnd::Interrupted);
    }
    status.map(TaskEnd::Exited)
}
