//! The project a command works on: its folder, locked for the command and
//! rolled back first if a graft run was killed in it, and the answers files
//! that record which templates made it.
//!
//! Every command that reads or writes an existing project opens it here
//! before it reads anything else of it; printing is left to the caller,
//! which is told when it has to wait and what was rolled back.

use std::path::{Path, PathBuf};

use crate::answers::AnswersFile;
use crate::dialect::Dialect;
use crate::error::{Error, ProjectError};
use crate::journal::Journals;
use crate::lock::ProjectLock;
use crate::plan;

/// An existing project folder, locked for this command.
pub struct Project {
    pub dest: PathBuf,
    pub lock: ProjectLock,
}

/// What [`Project::open`] did besides opening.
pub struct Opened {
    pub project: Project,
    /// A killed run's journal was rolled back.
    pub rolled_back: bool,
}

impl Project {
    /// Locks the existing folder `dest` (which the graft process that runs
    /// this one as a task may hold already: `inherited`), calling `waiting`
    /// once if another command holds it, then rolls back what a killed run
    /// left in it. `verb` names the command in the error for a missing
    /// folder.
    pub fn open(
        dest: &Path,
        verb: &'static str,
        journals: &Journals,
        inherited: Option<&Path>,
        waiting: impl FnOnce(),
    ) -> Result<Opened, Error> {
        if !dest.is_dir() {
            return Err(Error::io(verb, dest, std::io::Error::other("not a folder")));
        }
        let lock = Project::lock(dest, inherited, waiting)?;
        let rolled_back = crate::journal::recover(dest, journals)?;
        Ok(Opened {
            project: Project {
                dest: dest.to_path_buf(),
                lock,
            },
            rolled_back,
        })
    }

    /// Locks `dest`, or takes over the lock of the parent graft process
    /// when `inherited` names the same folder (a task that runs graft on
    /// its own project would otherwise wait for itself).
    pub fn lock(
        dest: &Path,
        inherited: Option<&Path>,
        waiting: impl FnOnce(),
    ) -> Result<ProjectLock, Error> {
        if let Some(held) = inherited {
            if dest.canonicalize().ok().as_deref() == Some(held) {
                return ProjectLock::inherited(dest);
            }
        }
        ProjectLock::acquire(dest, waiting)
    }
}

/// The answers files a command works on: `-a`, else the default one, else
/// every `.graft-answers*.yml` at the top of the project.
pub fn answers_files(dest: &Path, explicit: Option<&str>) -> Result<Vec<String>, Error> {
    if let Some(a) = explicit {
        if !dest.join(a).is_file() {
            return Err(ProjectError::NoAnswersFile {
                dest: dest.to_path_buf(),
                file: a.to_string(),
            }
            .into());
        }
        return Ok(vec![a.to_string()]);
    }
    for dialect in Dialect::ALL {
        let default = dialect.default_answers_file();
        if dest.join(default).is_file() {
            return Ok(vec![default.to_string()]);
        }
    }
    let mut found: Vec<String> = std::fs::read_dir(dest)
        .map_err(|e| Error::io("read", dest, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with(".graft-answers") && (n.ends_with(".yml") || n.ends_with(".yaml"))
        })
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(ProjectError::NoAnswersFile {
            dest: dest.to_path_buf(),
            file: Dialect::default().default_answers_file().to_string(),
        }
        .into());
    }
    Ok(found)
}

/// The dialect of the template that wrote the answers file `rel`: graft
/// names its own `.graft-answers*`; any other name is Copier's
/// (`.copier-answers.yml`, or a template's `_answers_file`).
pub fn dialect_of_answers_file(rel: &str) -> Dialect {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if name.starts_with(".graft-answers") {
        Dialect::Graft
    } else {
        Dialect::Copier
    }
}

/// The answers an answers file of `dest` records (no `_` keys), for a
/// Copier copy over an existing project: Copier reads them as the
/// answers' defaults, and needs neither the file nor its `_src_path`.
pub fn recorded_answers(
    dest: &Path,
    rel: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    let path = dest.join(rel);
    if !path.is_file() {
        return Ok(serde_json::Map::new());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
    let node =
        crate::config::yaml::parse(&text).map_err(|e| Error::config(rel, e.line, e.message))?;
    match node.value {
        crate::config::yaml::Yaml::Map(entries) => Ok(entries
            .into_iter()
            .filter(|(k, _)| !k.starts_with('_'))
            .map(|(k, v)| (k, v.to_json()))
            .collect()),
        crate::config::yaml::Yaml::Null => Ok(serde_json::Map::new()),
        _ => Err(Error::config(
            rel,
            node.line,
            "an answers file must be a mapping",
        )),
    }
}

/// Reads and parses an answers file of the project.
pub fn read_answers(dest: &Path, rel: &str) -> Result<AnswersFile, Error> {
    let path = dest.join(rel);
    // Followed through a symlink, as reading it does.
    let meta = std::fs::metadata(&path).map_err(|e| Error::io("read", &path, e))?;
    plan::require_regular(&path, &meta)?;
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
    AnswersFile::parse(&text, rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_files_not_named_as_graft_names_its_own_are_copier_s() {
        for rel in [".graft-answers.yml", "sub/.graft-answers-api.yaml"] {
            assert_eq!(dialect_of_answers_file(rel), Dialect::Graft, "{rel}");
        }
        for rel in [
            ".copier-answers.yml",
            ".custom.copier-answers.yaml",
            "a/answers.yml",
        ] {
            assert_eq!(dialect_of_answers_file(rel), Dialect::Copier, "{rel}");
        }
    }
}
