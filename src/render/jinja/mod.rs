//! Copier's Jinja2 dialect on minijinja.

pub mod hash;
pub mod pydata;
pub mod pyjson;
pub mod pystr;
pub mod pyyaml;
pub mod time;
