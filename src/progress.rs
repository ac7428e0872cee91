//! Counting work as it is done, for a progress bar someone may be shown.
//!
//! The stages that take long on big templates (rendering every file,
//! writing every change) count through a [`Progress`] they are handed;
//! whether anything is drawn, and when, is the command's business
//! (`commands::ProgressBar`), so the core never prints.

/// Receives counts of work units (files) from a stage. Stages call it from
/// several threads at once.
pub trait Progress: Sync {
    /// The stage has `total` units of work in all.
    fn set_total(&self, total: u64);
    /// `n` more units are done.
    fn advance(&self, n: u64);
}

/// Counts nothing: for callers that show no progress.
pub struct NoProgress;

impl Progress for NoProgress {
    fn set_total(&self, _: u64) {}
    fn advance(&self, _: u64) {}
}
