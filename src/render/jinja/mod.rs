//! Copier's Jinja2 dialect on minijinja.

pub mod pydata;
pub mod pyjson;
pub mod pyyaml;
