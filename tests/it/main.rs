//! graft's integration tests: one binary, a module per area, all driving
//! the real `graft` executable (or its library) inside a [`harness::Harness`].

mod architecture;
mod check_diff;
mod check_fleet;
mod ci_workflow;
mod copier_cli;
mod copier_compat;
mod copier_errors;
mod copier_ported;
mod copier_roundtrip;
mod copier_update_ported;
mod copy;
mod docs;
mod errors;
mod examples;
mod harness;
mod help;
mod interactive;
mod interrupt;
mod journal;
mod merge_fixtures;
mod merge_props;
mod modules;
mod pre_commit;
mod progress;
mod props;
mod recopy;
mod renovate;
mod safety;
mod safety_render;
mod safety_update;
mod security;
mod sources;
mod submodules;
mod tasks;
mod update;
