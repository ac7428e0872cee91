//! Rendering the template into a tree: its files, their paths, symlinks,
//! and the blocks `_injections` puts into the project's files.

/// A template that does not render into a tree graft can write.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template that does not compile or render.
    #[error("{}", render_location(file, *line))]
    Template {
        file: String,
        line: Option<usize>,
        #[source]
        source: RenderFailure,
    },

    /// A rendered path that would leave the destination or the template.
    #[error("path `{path}` (from `{from}`) {reason}")]
    UnsafePath {
        path: String,
        from: String,
        reason: String,
    },

    /// A template symlink that points outside the template or nowhere.
    #[error("symlink `{path}` in the template points to `{target}`, {reason}")]
    BadSymlink {
        path: String,
        target: String,
        reason: String,
    },

    /// Two template files that render to the same path.
    #[error("`{first}` and `{second}` both render to `{path}`")]
    PathCollision {
        path: String,
        first: String,
        second: String,
    },

    /// A file with the template suffix that is not text.
    #[error("`{0}` has the template suffix but is binary, so it cannot be rendered")]
    BinaryTemplate(String),

    /// An `_injections` entry whose target file or marker is missing.
    #[error("cannot inject a block of `{owner}` into `{file}`")]
    Injection {
        file: String,
        owner: String,
        #[source]
        source: InjectError,
    },
}

/// The template engine's own message, kept as a source so it prints as `caused by:`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RenderFailure(pub String);

/// Why a block cannot be put into a file.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InjectError(pub String);

fn render_location(file: &str, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("cannot render `{file}` at line {line}"),
        None => format!("cannot render `{file}`"),
    }
}

impl RenderError {
    /// See [`Error::kind`](super::Error::kind).
    pub fn kind(&self) -> &'static str {
        match self {
            RenderError::UnsafePath { .. } => "unsafe_path",
            RenderError::Template { .. }
            | RenderError::BadSymlink { .. }
            | RenderError::PathCollision { .. }
            | RenderError::BinaryTemplate(_)
            | RenderError::Injection { .. } => "template_error",
        }
    }

    /// See [`Error::hint`](super::Error::hint).
    pub fn hint(&self) -> Option<String> {
        match self {
            RenderError::Injection { .. } => Some(
                "injections need their target file and marker line in the project; add the marker, or apply the template that provides it first"
                    .to_string(),
            ),
            RenderError::Template { .. }
            | RenderError::UnsafePath { .. }
            | RenderError::BadSymlink { .. }
            | RenderError::PathCollision { .. }
            | RenderError::BinaryTemplate(_) => None,
        }
    }
}
