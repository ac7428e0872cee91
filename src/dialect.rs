//! Template dialects: the facts of one template format, kept in one place.
//!
//! A dialect says how its templates are recognised (the configuration file
//! at their root), the defaults of its settings (excludes, answers file,
//! template suffix), how its answers file starts, the name under which the
//! render context holds the run's own facts (`_graft`), the environment
//! its tasks see, and the engine its files are rendered with. The stages
//! (config, answers, render, merge, plan, apply) ask the template's dialect
//! instead of naming these facts themselves, so a second dialect is a new
//! variant here and its own configuration reader, not an edit of every
//! stage.

use crate::render::Engine;
use crate::tree::{FileTree, Node};

/// A template format graft reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// graft's own: `graft.yml`, handlebars files ending in `.hbs`, and
    /// `.graft-answers.yml`.
    #[default]
    Graft,
}

impl Dialect {
    /// Every dialect, in the order detection tries them.
    pub const ALL: [Dialect; 1] = [Dialect::Graft];

    /// The dialect whose configuration file is at the root of `tree` (a
    /// file or a symlink to one), if any.
    pub fn detect(tree: &FileTree) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| {
            d.config_files()
                .iter()
                .any(|f| matches!(tree.get(f), Some(Node::File { .. } | Node::Symlink { .. })))
        })
    }

    /// The dialect's name, as a person knows it.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Graft => "graft",
        }
    }

    /// The configuration files at a template's root, in order; a template
    /// has one of them.
    pub fn config_files(self) -> &'static [&'static str] {
        match self {
            Dialect::Graft => &["graft.yml", "graft.yaml"],
        }
    }

    /// The excludes every template of the dialect starts with.
    pub fn default_excludes(self) -> &'static [&'static str] {
        match self {
            Dialect::Graft => &["graft.yml", "graft.yaml", ".git", ".DS_Store", "~*"],
        }
    }

    /// Where answers are recorded unless the template says otherwise.
    pub fn default_answers_file(self) -> &'static str {
        match self {
            Dialect::Graft => ".graft-answers.yml",
        }
    }

    /// The suffix of files that are rendered, unless the template says
    /// otherwise.
    pub fn default_templates_suffix(self) -> &'static str {
        match self {
            Dialect::Graft => ".hbs",
        }
    }

    /// The first line of an answers file the dialect writes.
    pub fn answers_header(self) -> &'static str {
        match self {
            Dialect::Graft => {
                "# Managed by graft: change answers with `graft update --data KEY=VALUE`.\n"
            }
        }
    }

    /// The key of the render context that holds the run's own facts
    /// (operation, source, version, answers file, destination name).
    pub fn context_key(self) -> &'static str {
        match self {
            Dialect::Graft => "_graft",
        }
    }

    /// The name of the environment variable `what` (`OPERATION`,
    /// `ANSWER_NAME`, `STAGE`, …) that tasks and migrations see.
    pub fn env_var(self, what: &str) -> String {
        match self {
            Dialect::Graft => format!("GRAFT_{what}"),
        }
    }

    /// A new engine for the dialect's templates, with its helpers.
    pub fn engine(self) -> Engine {
        match self {
            Dialect::Graft => Engine::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_is_of_the_dialect_whose_configuration_it_holds() {
        let mut tree = FileTree::new();
        assert_eq!(Dialect::detect(&tree), None);
        tree.insert("graft.yaml", Node::file("a: 1\n"));
        assert_eq!(Dialect::detect(&tree), Some(Dialect::Graft));
        let mut linked = FileTree::new();
        linked.insert(
            "graft.yml",
            Node::Symlink {
                target: "config/graft.yml".to_string(),
            },
        );
        assert_eq!(Dialect::detect(&linked), Some(Dialect::Graft));
    }

    #[test]
    fn every_config_file_is_excluded_from_the_render() {
        for d in Dialect::ALL {
            for f in d.config_files() {
                assert!(d.default_excludes().contains(f), "{f}");
            }
        }
    }
}
