//! Path rules shared by rendering and planning: what a safe relative path
//! is, and gitignore-style matching for `_exclude` and `_skip_if_exists`.

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// True for `C:`-style prefixes, which Windows reads as absolute.
pub fn has_drive_prefix(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Normalises a relative `/`-separated path of the destination, refusing
/// anything that could leave its root (see [`normalize_relative`]) or reach
/// into git's own folder (see [`is_git_dir_name`]).
pub fn clean_relative(path: &str) -> Result<String, String> {
    let clean = normalize_relative(path)?;
    match clean.split('/').find(|seg| is_git_dir_name(seg)) {
        Some(seg) => Err(format!(
            "lies inside git's own folder (`{seg}` is `.git` to git); graft never writes there"
        )),
        None => Ok(clean),
    }
}

/// Whether a rendered relative path has a segment that git, on some file
/// system, takes for `.git` (see [`is_git_dir_name`]).
pub fn in_git_dir(path: &str) -> bool {
    path.split('/').any(is_git_dir_name)
}

/// Whether a file name is `.git` to git on some file system: in any letter
/// case, with trailing dots and spaces or an NTFS stream suffix (`.git.`,
/// `.git `, `.git::$INDEX_ALLOCATION`), as an 8.3 short name (`GIT~1`), or
/// with the code points HFS+ ignores (`.g\u{200c}it`). These are git's own
/// `is_ntfs_dotgit` and `is_hfs_dotgit` rules, which it uses to refuse such
/// names in trees.
pub fn is_git_dir_name(name: &str) -> bool {
    const HFS_IGNORED: [std::ops::RangeInclusive<char>; 4] = [
        '\u{200c}'..='\u{200f}',
        '\u{202a}'..='\u{202e}',
        '\u{206a}'..='\u{206f}',
        '\u{feff}'..='\u{feff}',
    ];
    let folded: String = name
        .chars()
        .filter(|c| !HFS_IGNORED.iter().any(|r| r.contains(c)))
        .flat_map(char::to_lowercase)
        .collect();
    // NTFS ignores what follows a `:` (a stream name) and trailing dots and
    // spaces.
    let base = folded.split(':').next().unwrap_or("");
    let base = base.trim_end_matches([' ', '.']);
    if base == ".git" {
        return true;
    }
    // 8.3 short names: `GIT~1` to `GIT~4`, and the hashed `GI7EBA~N`.
    if let Some(n) = base.strip_prefix("git~") {
        return matches!(n, "1" | "2" | "3" | "4");
    }
    base.strip_prefix("gi7eba~")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && n != "0")
}

/// Normalises a relative `/`-separated path, refusing anything that could
/// leave its root: absolute paths, drive prefixes, `..`, backslashes, NUL.
/// `.` and empty segments are dropped; the empty string stays empty.
pub fn normalize_relative(path: &str) -> Result<String, String> {
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

/// Maximum symlink hops before a chain counts as a loop.
pub const MAX_LINK_DEPTH: usize = 40;

/// Joins a link target to the folder holding the link; `None` when the
/// result is absolute or climbs above the tree root.
pub fn resolve_link(parent: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || target.contains('\\') || has_drive_prefix(target) {
        return None;
    }
    let mut parts: Vec<&str> = parent.split('/').filter(|s| !s.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
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
    fn every_name_git_reads_as_its_own_folder_is_refused() {
        for name in [
            ".git",
            ".GIT",
            ".Git",
            ".git.",
            ".git ",
            ".git. . ",
            ".git::$INDEX_ALLOCATION",
            "git~1",
            "GIT~4",
            "GI7EBA~1",
            ".g\u{200c}it",
            "\u{feff}.git",
            ".gi\u{206f}T",
        ] {
            assert!(is_git_dir_name(name), "{name:?}");
            assert!(clean_relative(&format!("a/{name}/hooks/pre-commit")).is_err());
        }
        for name in [
            ".github",
            ".gitignore",
            ".git-blame",
            "git",
            ".gitx",
            "git~5",
            "x.git",
        ] {
            assert!(!is_git_dir_name(name), "{name:?}");
            assert!(clean_relative(&format!("a/{name}")).is_ok());
        }
        assert!(in_git_dir("x/.GIT/config"));
        assert!(!in_git_dir("x/.github/workflows/ci.yml"));
        assert_eq!(normalize_relative("./.git/x").unwrap(), ".git/x");
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
