//! The progress bars a person at a terminal sees while files are rendered
//! and written (the stages count through [`crate::progress::Progress`]).

/// A progress bar for each stage when `enabled` (see [`ProgressBar`]).
pub fn progress_bars(enabled: bool) -> impl Fn(&str) -> Box<dyn crate::progress::Progress> {
    move |label| Box::new(ProgressBar::start(enabled, label))
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
