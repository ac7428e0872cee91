//! User settings (`$GRAFT_SETTINGS`, else `<config dir>/graft/settings.yml`):
//! default answers by question name, and the sources trusted to run tasks.
//! Copier's settings file (`$COPIER_SETTINGS_PATH`, else
//! `<config dir>/copier/settings.yml`) has the same two keys and is read
//! too: graft's own defaults win, and both trust lists count.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::config::yaml::{self, Yaml};
use crate::error::Error;

#[derive(Debug, Default, Clone)]
pub struct UserSettings {
    /// Default answers that beat template defaults.
    pub defaults: Map<String, Value>,
    /// Trusted sources; an entry ending in `/` is a prefix.
    pub trust: Vec<String>,
}

/// Where the settings file is: `GRAFT_SETTINGS` wins over the platform dir.
pub fn settings_path(env_value: Option<std::ffi::OsString>) -> Option<PathBuf> {
    match env_value {
        Some(v) if !v.is_empty() => Some(PathBuf::from(v)),
        _ => dirs::config_dir().map(|d| d.join("graft").join("settings.yml")),
    }
}

/// Where Copier's settings file is: `COPIER_SETTINGS_PATH` wins over the
/// platform dir.
pub fn copier_settings_path(env_value: Option<std::ffi::OsString>) -> Option<PathBuf> {
    match env_value {
        Some(v) if !v.is_empty() => Some(PathBuf::from(v)),
        _ => dirs::config_dir().map(|d| d.join("copier").join("settings.yml")),
    }
}

/// graft's settings with Copier's under them: a default graft's file does
/// not set comes from Copier's; a source either file trusts is trusted.
pub fn load_both(graft: Option<&Path>, copier: Option<&Path>) -> Result<UserSettings, Error> {
    let mut out = load(graft)?;
    let theirs = load_file(copier, false)?;
    for (k, v) in theirs.defaults {
        out.defaults.entry(k).or_insert(v);
    }
    for t in theirs.trust {
        if !out.trust.contains(&t) {
            out.trust.push(t);
        }
    }
    Ok(out)
}

/// Reads the settings file; a missing file is empty settings.
pub fn load(path: Option<&Path>) -> Result<UserSettings, Error> {
    load_file(path, true)
}

/// Reads a settings file; `strict` refuses keys other than `defaults` and
/// `trust` (Copier ignores them in its own file).
fn load_file(path: Option<&Path>, strict: bool) -> Result<UserSettings, Error> {
    let Some(path) = path else {
        return Ok(UserSettings::default());
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(UserSettings::default()),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    let file = path.display().to_string();
    let node = yaml::parse(&text).map_err(|e| Error::config(&file, e.line, e.message))?;
    let mut out = UserSettings::default();
    let entries = match node.value {
        Yaml::Null => return Ok(out),
        Yaml::Map(entries) => entries,
        _ => {
            return Err(Error::config(
                &file,
                node.line,
                "settings must be a mapping with `defaults` and `trust`",
            ))
        }
    };
    for (key, value) in entries {
        match key.as_str() {
            "defaults" => match value.to_json() {
                Value::Object(map) => out.defaults = map,
                Value::Null => {}
                _ => {
                    return Err(Error::config(
                        &file,
                        value.line,
                        "`defaults` must map question names to answers",
                    ))
                }
            },
            "trust" => match value.to_json() {
                Value::Array(items) => {
                    for item in items {
                        match item {
                            Value::String(s) => out.trust.push(s),
                            _ => {
                                return Err(Error::config(
                                    &file,
                                    value.line,
                                    "`trust` must be a list of sources",
                                ))
                            }
                        }
                    }
                }
                Value::Null => {}
                _ => {
                    return Err(Error::config(
                        &file,
                        value.line,
                        "`trust` must be a list of sources",
                    ))
                }
            },
            _ if !strict => {}
            other => {
                return Err(Error::config(
                    &file,
                    value.line,
                    format!("unknown setting `{other}`; expected `defaults` or `trust`"),
                ))
            }
        }
    }
    Ok(out)
}
