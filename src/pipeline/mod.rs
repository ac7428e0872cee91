//! The stages of a run below the command line: what commands call once
//! they have resolved their settings.

pub mod blocks;
pub mod check;
pub mod copy;
pub mod open;
pub mod over;
pub mod recopy;
pub mod recorded;
pub mod remove;
pub mod render;
pub mod update;
