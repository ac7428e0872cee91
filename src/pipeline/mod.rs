//! The stages of a run below the command line: what commands call once
//! they have resolved their settings.

pub mod render;
