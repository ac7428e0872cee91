//! Path rules shared by rendering and planning: what a safe relative path
//! is, and gitignore-style matching for `_exclude` and `_skip_if_exists`.

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// True for `C:`-style prefixes, which Windows reads as absolute.
pub fn has_drive_prefix(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Normalises a relative `/`-separated path, refusing anything that could
/// leave its root: absolute paths, drive prefixes, `..`, backslashes, NUL.
/// `.` and empty segments are dropped; the empty string stays empty.
pub fn clean_relative(path: &str) -> Result<String, String> {
    if path.starts_with('/') {
        return Err("is absolute".to_string());
    }
    if path.contains('\\') {
        return Err("contains a backslash".to_string());
    }
    if path.contains('\0') {
        return Err("contains a NUL byte".to_string());
    }
    let mut parts = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => return Err("contains `..`".to_string()),
            s => parts.push(s),
        }
    }
    // Checked after dropping `.` segments, so `./C:` cannot hide a drive.
    if parts.first().is_some_and(|first| has_drive_prefix(first)) {
        return Err("starts with a drive prefix".to_string());
    }
    Ok(parts.join("/"))
}

/// Gitignore-style patterns over relative paths (`!` re-includes).
pub struct PathMatcher {
    inner: Gitignore,
}

impl PathMatcher {
    pub fn new(patterns: &[String]) -> Result<PathMatcher, String> {
        let mut builder = GitignoreBuilder::new("");
        for p in patterns {
            builder
                .add_line(None, p)
                .map_err(|e| format!("bad pattern `{p}`: {e}"))?;
        }
        let inner = builder.build().map_err(|e| e.to_string())?;
        Ok(PathMatcher { inner })
    }

    /// Whether `path` or one of its parents matches.
    pub fn matches(&self, path: &str, is_dir: bool) -> bool {
        self.inner
            .matched_path_or_any_parents(path, is_dir)
            .is_ignore()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean() {
        assert_eq!(clean_relative("a/./b//c").unwrap(), "a/b/c");
        assert_eq!(clean_relative("").unwrap(), "");
        for bad in ["../a", "a/..", "/a", "C:x", "a\\b", "./C:/x", ".//c:"] {
            assert!(clean_relative(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn gitignore_semantics() {
        let m = PathMatcher::new(&[
            "*.log".into(),
            "!keep.log".into(),
            "build/".into(),
            "~*".into(),
        ])
        .unwrap();
        assert!(m.matches("x/a.log", false));
        assert!(!m.matches("keep.log", false));
        assert!(m.matches("build/out/x.o", false));
        assert!(m.matches("~tmp", false));
        assert!(!m.matches("src/a.rs", false));
    }
}
