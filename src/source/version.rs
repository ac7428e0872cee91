//! Version tags: which tags are versions, how they order, which is latest.
//!
//! A tag is a version when its name, without an optional `v`, is a semver
//! version; `1` and `1.2` count as `1.0.0` and `1.2.0`. Other tags are
//! ignored here (they still show up in `git describe`). This module reads
//! refs and the commit graph but never resolves user input; see `git.rs`.

use git2::{Oid, Repository};
use semver::Version;

/// A tag whose name is a version, with the commit it points to (peeled
/// through annotated tags).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionTag {
    pub version: Version,
    pub name: String,
    pub commit: Oid,
}

/// Parses a tag name as a version: `v1.2.3`, `1.2.3-rc.1`, `v1`, `1.2`.
pub fn parse_version_tag(tag: &str) -> Option<Version> {
    let bare = tag
        .strip_prefix('v')
        .or_else(|| tag.strip_prefix('V'))
        .unwrap_or(tag);
    let numeric = !bare.is_empty() && bare.chars().all(|c| c.is_ascii_digit() || c == '.');
    let padded;
    let text = match bare.matches('.').count() {
        0 if numeric => {
            padded = format!("{bare}.0.0");
            &padded
        }
        1 if numeric => {
            padded = format!("{bare}.0");
            &padded
        }
        _ => bare,
    };
    Version::parse(text).ok()
}

/// All version tags of the repository, lowest first. Tags that do not peel
/// to a commit (a tag of a tree or blob) are skipped, as are names that are
/// not UTF-8. Ties (`v1.0.0` and `1.0.0`) are ordered by name so the choice
/// between them is stable.
pub fn version_tags(repo: &Repository) -> Result<Vec<VersionTag>, git2::Error> {
    let mut tags = Vec::new();
    for reference in repo.references()? {
        let Ok(reference) = reference else { continue };
        let Some(name) = reference
            .name()
            .ok()
            .and_then(|n| n.strip_prefix("refs/tags/"))
        else {
            continue;
        };
        let Some(version) = parse_version_tag(name) else {
            continue;
        };
        let name = name.to_string();
        if let Ok(commit) = reference.peel_to_commit() {
            tags.push(VersionTag {
                version,
                name,
                commit: commit.id(),
            });
        }
    }
    tags.sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.name.cmp(&b.name)));
    Ok(tags)
}

/// The highest version, ignoring prereleases unless asked for them.
pub fn latest(tags: &[VersionTag], prereleases: bool) -> Option<&VersionTag> {
    tags.iter()
        .rev()
        .find(|t| prereleases || t.version.pre.is_empty())
}

/// The version a commit "is": the version tag on the commit itself (the
/// `preferred` tag name if it is one of them, else the highest), or else
/// the version tag reachable in the fewest commits, like `git describe`
/// but only among version tags. `None` when no version tag is an ancestor.
pub fn nearest_version(
    repo: &Repository,
    commit: Oid,
    tags: &[VersionTag],
    preferred: Option<&str>,
) -> Option<Version> {
    if let Some(name) = preferred {
        if let Some(t) = tags.iter().find(|t| t.name == name && t.commit == commit) {
            return Some(t.version.clone());
        }
    }
    if let Some(t) = tags.iter().rev().find(|t| t.commit == commit) {
        return Some(t.version.clone());
    }
    let mut best: Option<(usize, &VersionTag)> = None;
    // Highest first, so among equally near tags the highest wins.
    for tag in tags.iter().rev() {
        if !repo
            .graph_descendant_of(commit, tag.commit)
            .unwrap_or(false)
        {
            continue;
        }
        let Ok((ahead, _)) = repo.graph_ahead_behind(commit, tag.commit) else {
            continue;
        };
        if best.is_none_or(|(d, _)| ahead < d) {
            best = Some((ahead, tag));
        }
    }
    best.map(|(_, t)| t.version.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn parses_version_tags() {
        let table = [
            ("v1.2.3", Some("1.2.3")),
            ("1.2.3", Some("1.2.3")),
            ("V1.2.3", Some("1.2.3")),
            ("v1", Some("1.0.0")),
            ("1", Some("1.0.0")),
            ("v1.2", Some("1.2.0")),
            ("v2.0.0-rc.1", Some("2.0.0-rc.1")),
            ("1.0.0+build.5", Some("1.0.0+build.5")),
            ("v", None),
            ("", None),
            ("latest", None),
            ("release-1.0", None),
            ("v1.2.3.4", None),
            ("v01.2.3", None),
            ("v1.", None),
            (".1", None),
            ("vv1.0.0", None),
            ("v1.2-rc.1", None),
            ("1..2", None),
        ];
        for (tag, want) in table {
            assert_eq!(parse_version_tag(tag), want.map(v), "{tag}");
        }
    }

    #[test]
    fn orders_versions() {
        let mut tags: Vec<VersionTag> = ["v1.2.0", "v1", "v1.0.1", "v2.0.0-rc.1", "1.0.1"]
            .iter()
            .map(|n| VersionTag {
                version: parse_version_tag(n).unwrap(),
                name: n.to_string(),
                commit: Oid::ZERO_SHA1,
            })
            .collect();
        tags.sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.name.cmp(&b.name)));
        let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["v1", "1.0.1", "v1.0.1", "v1.2.0", "v2.0.0-rc.1"]);
        assert_eq!(latest(&tags, false).unwrap().name, "v1.2.0");
        assert_eq!(latest(&tags, true).unwrap().name, "v2.0.0-rc.1");
        assert_eq!(latest(&tags[..0], true), None);
        assert_eq!(latest(&tags[4..], false), None);
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = parse_version_tag(&s);
        }

        #[test]
        fn numeric_forms_pad(a in 0u64..1000, b in 0u64..1000) {
            proptest::prop_assert_eq!(parse_version_tag(&format!("v{a}")), Some(Version::new(a, 0, 0)));
            proptest::prop_assert_eq!(parse_version_tag(&format!("{a}.{b}")), Some(Version::new(a, b, 0)));
        }
    }
}
