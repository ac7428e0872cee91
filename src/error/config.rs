//! The template's configuration: its `graft.yml` or `copier.yml`, and the
//! other YAML files graft reads with a file and line to point at.

/// A template graft cannot read the configuration of, or cannot use.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A problem in `graft.yml` or another YAML file, with its location.
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: u64,
        message: String,
    },

    /// The template has no `graft.yml` / `graft.yaml`.
    #[error("no `graft.yml` or `graft.yaml` at the root of template `{0}`")]
    NoConfig(String),

    /// The template needs a newer graft.
    #[error("template needs graft {required} or newer; this is graft {current}")]
    TooOld { required: String, current: String },

    /// A Copier template needs a newer Copier than graft matches.
    #[error("template needs Copier {required} or newer; graft renders Copier templates as Copier {current} does")]
    CopierTooOld { required: String, current: String },
}

impl ConfigError {
    /// See [`Error::kind`](super::Error::kind).
    pub fn kind(&self) -> &'static str {
        match self {
            ConfigError::Invalid { .. } | ConfigError::NoConfig(_) => "template_error",
            ConfigError::TooOld { .. } | ConfigError::CopierTooOld { .. } => "graft_too_old",
        }
    }

    /// See [`Error::hint`](super::Error::hint).
    pub fn hint(&self) -> Option<String> {
        match self {
            ConfigError::TooOld { .. } => Some("install a newer graft".to_string()),
            ConfigError::Invalid { .. }
            | ConfigError::NoConfig(_)
            | ConfigError::CopierTooOld { .. } => None,
        }
    }
}
