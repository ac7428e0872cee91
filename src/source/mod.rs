//! Placeholder: plain local folders only (replaced by the git source layer).
use std::path::{Path, PathBuf};

use crate::tree::{FileTree, Node};

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("`{0}` is not a directory or a git URL")]
    NotASource(String),
    #[error("cannot read `{}`", path.display())]
    Io { path: PathBuf, #[source] source: std::io::Error },
}
impl SourceError {
    pub fn hint(&self) -> Option<String> { None }
}
pub struct SourceOptions { pub cache_dir: PathBuf, pub offline: bool, pub show_progress: bool }
#[derive(Debug, Clone)]
pub enum SourceSpec { Local(PathBuf) }
impl SourceSpec {
    pub fn parse(src: &str, cwd: &Path) -> Result<SourceSpec, SourceError> {
        let p = cwd.join(src);
        if p.is_dir() { Ok(SourceSpec::Local(p.canonicalize().map_err(|e| SourceError::Io { path: p.clone(), source: e })?)) } else { Err(SourceError::NotASource(src.to_string())) }
    }
    pub fn display(&self) -> String { match self { SourceSpec::Local(p) => p.display().to_string() } }
}
#[derive(Debug, Clone, Default)]
pub struct Revision { pub sha: Option<String>, pub describe: Option<String>, pub version: Option<semver::Version>, pub worktree: bool, pub warnings: Vec<String> }
pub struct TemplateRepo { root: PathBuf }
impl TemplateRepo {
    pub fn open(spec: &SourceSpec, _opts: &SourceOptions) -> Result<TemplateRepo, SourceError> { let SourceSpec::Local(p) = spec; Ok(TemplateRepo { root: p.clone() }) }
    pub fn resolve(&self, _vcs_ref: Option<&str>, _pre: bool) -> Result<Revision, SourceError> { Ok(Revision::default()) }
    pub fn read_tree(&self, _rev: &Revision) -> Result<FileTree, SourceError> {
        let mut tree = FileTree::new();
        walk(&self.root, "", &mut tree)?;
        Ok(tree)
    }
}
fn walk(dir: &Path, rel: &str, tree: &mut FileTree) -> Result<(), SourceError> {
    let io = |e| SourceError::Io { path: dir.to_path_buf(), source: e };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if rel.is_empty() && name == ".git" { continue; }
        let r = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        let ft = entry.file_type().map_err(io)?;
        let path = entry.path();
        if ft.is_symlink() {
            let t = std::fs::read_link(&path).map_err(io)?;
            tree.insert(&r, Node::Symlink { target: t.to_string_lossy().into_owned() });
        } else if ft.is_dir() {
            tree.insert(&r, Node::Dir);
            walk(&path, &r, tree)?;
        } else {
            use std::os::unix::fs::PermissionsExt;
            let meta = entry.metadata().map_err(io)?;
            let bytes = std::fs::read(&path).map_err(io)?;
            tree.insert(&r, Node::File { bytes, executable: meta.permissions().mode() & 0o111 != 0 });
        }
    }
    Ok(())
}
