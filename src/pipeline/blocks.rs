//! The blocks a template injected into files it does not own, as they
//! are on disk.

use std::path::Path;

use crate::error::Error;
use crate::inject;
use crate::plan;
use crate::tree::Node;

/// A file the blocks of one template are injected into, as it is on disk.
pub struct InjectedFile<'a> {
    pub target: &'a str,
    pub before: Node,
    pub text: String,
    pub executable: bool,
}

impl InjectedFile<'_> {
    /// The change that writes `text` over this file, saying why.
    pub fn rewrite(&self, text: String, note: &str) -> plan::Change {
        let node = Node::File {
            bytes: text.into_bytes().into(),
            executable: self.executable,
        };
        let mut change = plan::Change::new(
            self.target,
            plan::Action::Update,
            Some(node),
            Some(self.before.clone()),
        );
        change.note = Some(note.to_string());
        change
    }
}

/// Every file `blocks` are injected into, once each in the order first
/// named, that is a regular file in `dest` (a missing one is left out).
pub fn injected_files<'a>(
    dest: &Path,
    blocks: &'a [inject::Block],
) -> Result<Vec<InjectedFile<'a>>, Error> {
    let mut targets: Vec<&str> = Vec::new();
    for b in blocks {
        if !targets.contains(&b.into.as_str()) {
            targets.push(&b.into);
        }
    }
    let mut out = Vec::new();
    for target in targets {
        if let Some(before) = plan::read_node(dest, target)? {
            if let Node::File { bytes, executable } = &before {
                let (text, executable) = (String::from_utf8_lossy(bytes).into_owned(), *executable);
                out.push(InjectedFile {
                    target,
                    before,
                    text,
                    executable,
                });
            }
        }
    }
    Ok(out)
}
