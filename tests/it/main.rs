//! graft's integration tests: one binary, a module per area, all driving
//! the real `graft` executable (or its library) inside a [`harness::Harness`].

mod copy;
mod errors;
mod harness;
mod interactive;
mod merge_fixtures;
mod merge_props;
mod props;
mod security;
mod tasks;
