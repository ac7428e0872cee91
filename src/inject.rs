//! Injected blocks (SPEC §12): content a template puts next to a marker line
//! of a file it does not own, fenced with comment lines that name the
//! answers file owning the block, so it can be found, updated and removed.
//!
//! ```text
//! # graft: routers
//! # >>> graft .graft-answers.module-customers.yml
//! api_router.include_router(customers_router)
//! # <<< graft .graft-answers.module-customers.yml
//! ```
//!
//! Everything here is text in, text out; commands decide where the text
//! comes from and where it goes.

use crate::render::Context;

use crate::config::{Anchor, Injection};
use crate::error::Error;
use crate::render::{clean_relative, Engine};

/// The comment syntax of the fence lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub prefix: String,
    pub suffix: String,
}

/// Comment syntax by file type: `//` for C-like languages, `<!-- -->` for
/// markup, `--` for SQL and Lua, `#` for everything else.
pub fn comment_for(path: &str, explicit: Option<&str>) -> Comment {
    let (prefix, suffix) = match explicit {
        Some(c) => match c.trim().split_once(char::is_whitespace) {
            Some((p, s)) => (p.trim().to_string(), s.trim().to_string()),
            None => (c.trim().to_string(), String::new()),
        },
        None => {
            let ext = path
                .rsplit_once('.')
                .map(|(_, e)| e.to_ascii_lowercase())
                .unwrap_or_default();
            match ext.as_str() {
                "js" | "mjs" | "cjs" | "ts" | "tsx" | "jsx" | "rs" | "go" | "java" | "kt"
                | "kts" | "c" | "h" | "cc" | "cpp" | "hpp" | "cs" | "swift" | "scala" | "dart"
                | "php" | "groovy" | "gradle" | "proto" | "jsonc" => {
                    ("//".to_string(), String::new())
                }
                "html" | "htm" | "md" | "markdown" | "xml" | "vue" | "svelte" | "svg" => {
                    ("<!--".to_string(), "-->".to_string())
                }
                "sql" | "lua" | "hs" => ("--".to_string(), String::new()),
                _ => ("#".to_string(), String::new()),
            }
        }
    };
    Comment { prefix, suffix }
}

/// A rendered injection, ready to be put into a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Target path relative to DEST.
    pub into: String,
    pub anchor: Anchor,
    /// Block content, ending with a newline.
    pub content: String,
    pub comment: Comment,
    /// No other injection of the same template goes into this file, so a
    /// block of its owner anywhere in the file is this one, even after the
    /// marker line was edited. With several, only the run of blocks next
    /// to this injection's marker counts.
    pub alone: bool,
}

/// Renders the `_injections` of a template.
pub fn render(
    engine: &Engine,
    injections: &[Injection],
    ctx: &Context,
) -> Result<Vec<Block>, Error> {
    let mut blocks = injections
        .iter()
        .map(|inj| {
            let origin = format!("{} (injection)", inj.origin);
            let into = engine.render(&origin, &inj.into, ctx)?;
            let into = match clean_relative(&into) {
                Ok(p) if !p.is_empty() => p,
                Err(reason) if crate::render::in_git_dir(&into) => {
                    return Err(Error::UnsafePath {
                        path: into,
                        from: origin,
                        reason,
                    })
                }
                _ => {
                    return Err(Error::UnsafePath {
                        path: into,
                        from: origin,
                        reason: "must be a file inside the destination".to_string(),
                    })
                }
            };
            let anchor = match &inj.anchor {
                Anchor::After(m) => {
                    Anchor::After(engine.render(&origin, m, ctx)?.trim().to_string())
                }
                Anchor::Before(m) => {
                    Anchor::Before(engine.render(&origin, m, ctx)?.trim().to_string())
                }
            };
            let mut content = engine.render(&origin, &inj.content, ctx)?;
            if !content.is_empty() && !content.ends_with('\n') {
                content.push('\n');
            }
            let comment = comment_for(&into, inj.comment.as_deref());
            Ok(Block {
                into,
                anchor,
                content,
                comment,
                alone: true,
            })
        })
        .collect::<Result<Vec<Block>, Error>>()?;
    let targets: Vec<String> = blocks.iter().map(|b| b.into.clone()).collect();
    for block in &mut blocks {
        block.alone = targets.iter().filter(|t| **t == block.into).count() == 1;
    }
    Ok(blocks)
}

/// Why a block cannot be put into a file.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InjectError(pub String);

impl Block {
    fn marker(&self) -> &str {
        match &self.anchor {
            Anchor::After(m) | Anchor::Before(m) => m,
        }
    }

    fn fence(&self, arrows: &str, owner: &str) -> String {
        let suffix = if self.comment.suffix.is_empty() {
            String::new()
        } else {
            format!(" {}", self.comment.suffix)
        };
        format!("{} {arrows} graft {owner}{suffix}", self.comment.prefix)
    }

    /// The block's lines, indented like the marker line.
    fn text(&self, owner: &str, indent: &str, content: &str) -> String {
        let mut out = format!("{indent}{}\n", self.fence(">>>", owner));
        for line in content.split_inclusive('\n') {
            if line.trim().is_empty() {
                out.push_str(line);
            } else {
                out.push_str(indent);
                out.push_str(line);
            }
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{indent}{}\n", self.fence("<<<", owner)));
        out
    }
}

/// Where a block stands in a file: line indexes of its fences.
struct Found {
    open: usize,
    close: usize,
}

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// Every block of `owner` in the file, in order.
fn blocks_of(lines: &[&str], block: &Block, owner: &str) -> Vec<Found> {
    let open = block.fence(">>>", owner);
    let close = block.fence("<<<", owner);
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == open {
            if let Some(j) = (i + 1..lines.len()).find(|&j| lines[j].trim() == close) {
                out.push(Found { open: i, close: j });
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn marker_index(lines: &[&str], marker: &str) -> Option<usize> {
    lines.iter().position(|l| l.trim() == marker)
}

/// Any graft block opening on line `i`: returns the line of its close fence.
fn any_block_at(lines: &[&str], i: usize, comment: &Comment) -> Option<usize> {
    let start = format!("{} >>> graft ", comment.prefix);
    let line = lines.get(i)?.trim();
    let owner_part = line.strip_prefix(&start)?;
    let close = format!("{} <<< graft {owner_part}", comment.prefix);
    (i + 1..lines.len()).find(|&j| lines[j].trim() == close)
}

/// The block of `owner` for this injection: the only one in the file when
/// the injection is [`Block::alone`] there, else the one in the run of
/// blocks next to the marker.
fn locate(lines: &[&str], block: &Block, owner: &str) -> Option<Found> {
    let mut found = blocks_of(lines, block, owner);
    if block.alone && found.len() <= 1 {
        return found.pop();
    }
    let m = marker_index(lines, block.marker())?;
    match block.anchor {
        Anchor::After(_) => {
            let mut i = m + 1;
            while let Some(close) = any_block_at(lines, i, &block.comment) {
                if let Some(pos) = found.iter().position(|f| f.open == i) {
                    return Some(found.swap_remove(pos));
                }
                i = close + 1;
            }
            None
        }
        Anchor::Before(_) => found
            .into_iter()
            .rev()
            .find(|f| f.close < m && blocks_between(lines, f.close + 1, m, &block.comment)),
    }
}

/// Whether lines `from..to` are only whole graft blocks.
fn blocks_between(lines: &[&str], from: usize, to: usize, comment: &Comment) -> bool {
    let mut i = from;
    while i < to {
        match any_block_at(lines, i, comment) {
            Some(close) => i = close + 1,
            None => return false,
        }
    }
    true
}

fn indent_of(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// The current content of `owner`'s block for this injection, without the
/// indentation graft added; `None` when the file has no such block.
pub fn content(text: &str, block: &Block, owner: &str) -> Option<String> {
    let lines = lines(text);
    let found = locate(&lines, block, owner)?;
    let indent = indent_of(lines[found.open]);
    Some(
        lines[found.open + 1..found.close]
            .iter()
            .map(|l| l.strip_prefix(indent).unwrap_or(l))
            .collect(),
    )
}

/// Puts the block into `text`: replaces `owner`'s block in place when there
/// is one (so applying twice changes nothing), else inserts it next to the
/// marker, after the blocks already there.
pub fn apply(text: &str, block: &Block, owner: &str) -> Result<String, InjectError> {
    apply_content(text, block, owner, &block.content)
}

/// Like [`apply`], with other content (the result of a merge).
pub fn apply_content(
    text: &str,
    block: &Block,
    owner: &str,
    content: &str,
) -> Result<String, InjectError> {
    let lines = lines(text);
    if let Some(found) = locate(&lines, block, owner) {
        let indent = indent_of(lines[found.open]);
        let mut out: String = lines[..found.open].concat();
        out.push_str(&block.text(owner, indent, content));
        out.push_str(&lines[found.close + 1..].concat());
        return Ok(out);
    }
    let Some(m) = marker_index(&lines, block.marker()) else {
        return Err(InjectError(format!(
            "marker line `{}` not found in `{}`",
            block.marker(),
            block.into
        )));
    };
    let indent = indent_of(lines[m]);
    let at = match block.anchor {
        Anchor::After(_) => {
            let mut i = m + 1;
            while let Some(close) = any_block_at(&lines, i, &block.comment) {
                i = close + 1;
            }
            i
        }
        Anchor::Before(_) => m,
    };
    let mut out: String = lines[..at].concat();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&block.text(owner, indent, content));
    out.push_str(&lines[at..].concat());
    Ok(out)
}

/// Removes `owner`'s block for this injection; `None` when there is none.
pub fn remove(text: &str, block: &Block, owner: &str) -> Option<String> {
    let lines = lines(text);
    let found = locate(&lines, block, owner)?;
    let mut out: String = lines[..found.open].concat();
    out.push_str(&lines[found.close + 1..].concat());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(content: &str) -> Block {
        Block {
            into: "router.py".into(),
            anchor: Anchor::After("# graft: routers".into()),
            content: content.into(),
            comment: comment_for("router.py", None),
            alone: true,
        }
    }

    const BASE: &str = "import x\n\n# graft: routers\n\nend()\n";

    #[test]
    fn insert_is_idempotent_and_removable() {
        let b = block("include(customers)\n");
        let once = apply(BASE, &b, ".a-customers.yml").unwrap();
        assert_eq!(
            once,
            "import x\n\n# graft: routers\n# >>> graft .a-customers.yml\ninclude(customers)\n# <<< graft .a-customers.yml\n\nend()\n"
        );
        assert_eq!(apply(&once, &b, ".a-customers.yml").unwrap(), once);
        let two = apply(&once, &block("include(orders)\n"), ".a-orders.yml").unwrap();
        assert_eq!(
            two,
            "import x\n\n# graft: routers\n# >>> graft .a-customers.yml\ninclude(customers)\n# <<< graft .a-customers.yml\n# >>> graft .a-orders.yml\ninclude(orders)\n# <<< graft .a-orders.yml\n\nend()\n"
        );
        assert_eq!(
            remove(&two, &b, ".a-customers.yml").unwrap(),
            apply(BASE, &block("include(orders)\n"), ".a-orders.yml").unwrap()
        );
        assert_eq!(
            content(&two, &b, ".a-orders.yml").as_deref(),
            Some("include(orders)\n")
        );
    }

    #[test]
    fn indentation_and_before() {
        let text = "def f():\n    # here\n    pass\n";
        let b = Block {
            into: "a.py".into(),
            anchor: Anchor::Before("# here".into()),
            content: "x = 1\n".into(),
            comment: comment_for("a.py", None),
            alone: true,
        };
        let out = apply(text, &b, "o").unwrap();
        assert_eq!(
            out,
            "def f():\n    # >>> graft o\n    x = 1\n    # <<< graft o\n    # here\n    pass\n"
        );
        assert_eq!(content(&out, &b, "o").as_deref(), Some("x = 1\n"));
        assert_eq!(remove(&out, &b, "o").unwrap(), text);
    }

    #[test]
    fn comment_styles() {
        assert_eq!(comment_for("a/b.ts", None).prefix, "//");
        let html = comment_for("index.html", None);
        assert_eq!(
            (html.prefix.as_str(), html.suffix.as_str()),
            ("<!--", "-->")
        );
        assert_eq!(comment_for("x.conf", Some(";")).prefix, ";");
        let b = Block {
            into: "README.md".into(),
            anchor: Anchor::After("<!-- modules -->".into()),
            content: "- customers\n".into(),
            comment: comment_for("README.md", None),
            alone: true,
        };
        assert_eq!(
            apply("<!-- modules -->\n", &b, "o").unwrap(),
            "<!-- modules -->\n<!-- >>> graft o -->\n- customers\n<!-- <<< graft o -->\n"
        );
    }

    #[test]
    fn two_injections_into_one_file_each_keep_their_own_block() {
        let at = |marker: &str, content: &str| Block {
            into: "router.py".into(),
            anchor: Anchor::After(marker.into()),
            content: content.into(),
            comment: comment_for("router.py", None),
            alone: false,
        };
        let imports = at("# imports", "import customers\n");
        let routers = at("# routers", "include(customers)\n");
        let text = "# imports\n# routers\n";
        let both = apply(&apply(text, &imports, "o").unwrap(), &routers, "o").unwrap();
        assert_eq!(
            both,
            "# imports\n# >>> graft o\nimport customers\n# <<< graft o\n\
             # routers\n# >>> graft o\ninclude(customers)\n# <<< graft o\n"
        );
        assert_eq!(apply(&both, &imports, "o").unwrap(), both);
        assert_eq!(
            content(&both, &routers, "o").as_deref(),
            Some("include(customers)\n")
        );
        assert_eq!(
            remove(&remove(&both, &imports, "o").unwrap(), &routers, "o").unwrap(),
            text
        );
        // Without its own marker an injection fails; it never takes the
        // block of another injection of the same owner.
        let only_imports = apply("# imports\n", &imports, "o").unwrap();
        assert!(apply(&only_imports, &routers, "o").is_err());
    }

    #[test]
    fn missing_marker_is_an_error() {
        let e = apply("nothing here\n", &block("x\n"), "o").unwrap_err();
        assert_eq!(
            e.to_string(),
            "marker line `# graft: routers` not found in `router.py`"
        );
    }
}
