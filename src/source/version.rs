//! Version tags: which tags are versions, how they order, which is latest.
//!
//! A tag is a version when its name, without an optional `v`, is a semver
//! version; `1` and `1.2` count as `1.0.0` and `1.2.0`. A name semver
//! refuses is read as PEP 440 spells versions, the way Copier orders a
//! template's tags (`1.0.0rc1`, `1.0.0.dev3`, `1.0.0.post1`, `1.2.3.4`), and
//! written as the semver version that orders the same way:
//!
//! | PEP 440 | semver | why |
//! |---|---|---|
//! | `1.0.0a1`, `b2`, `rc3` (`alpha`, `c`, `pre`, `preview`...) | `1.0.0-alpha.1`, `-beta.2`, `-rc.3` | alpha < beta < rc, and `1.0.0-alpha.1` is the same version in both spellings |
//! | `1.0.0.dev3` | `1.0.0-0.dev.3` | a numeric identifier sorts below every alpha |
//! | `1.0.0a1.post2`, `1.0.0a1.dev2` | `1.0.0-alpha.1.post.2`, `-alpha.1.dev.2` | between `alpha.1` and `alpha.2` |
//! | `1.0.0.post1` | `1.0.0+post.1` | the `semver` crate orders build metadata after the bare release (the semver spec leaves it out) |
//! | `1.2.3.4`, `1.2.3.4.post1` | `1.2.3+4`, `1.2.3+4.post.1` | after `1.2.3`, before `1.2.4` |
//! | `1.0+abc` | `1.0.0+abc` | local versions are build metadata |
//!
//! Where the two orders cannot agree, the tag is left out rather than put
//! in the wrong place among releases: an epoch other than `0!`, a
//! development release of a post release (`1.0.post1.dev2`), and a pre- or
//! development release of a version of four or more parts (`1.2.3.4rc1`);
//! PEP 440 calls all but the first prereleases.
//!
//! Known differences from Copier's order, all between unusual spellings:
//! `1.0.0a1.dev2` sorts after `1.0.0a1` (PEP 440: before); a local version
//! orders as semver build metadata (`1.0+ubuntu` after `1.0.post1`,
//! `1.2.3+5` after `1.2.3.4`); a post release sorts after the versions of
//! more parts that start like it (`1.2.3.post1` after `1.2.3.4`); and a
//! name semver reads keeps the semver meaning it always had here, so
//! `1.0.0-1`, `1.0.0-r3` and `1.0.0-post.1` are prereleases (PEP 440: post
//! releases), `1.0.0-dev.1` sorts between beta and rc, `-preview.1` before
//! `-rc.1`, `-rc10` before `-rc2`, `-a.1` and `-alpha2` are not `alpha.1`
//! and `alpha.2`, and `1.0.0-foo` is a version (PEP 440: not one).
//!
//! Other tags are ignored here (they still show up in `git describe`). This
//! module reads refs and the commit graph but never resolves user input;
//! see `git.rs`.

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

/// Parses a tag name as a version: `v1.2.3`, `1.2.3-rc.1`, `v1`, `1.2`,
/// and what only PEP 440 reads as one (`1.0.0rc1`, `1.0.0.post1`), written
/// as the semver version that orders the same way (see the module docs).
pub fn parse_version_tag(tag: &str) -> Option<Version> {
    parse_semver(tag).or_else(|| Pep440::parse(tag).and_then(Pep440::into_semver))
}

/// The semver reading: `v1.2.3`, `1.2.3-rc.1`, `v1`, `1.2`.
fn parse_semver(tag: &str) -> Option<Version> {
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

/// A version as PEP 440 spells it, in its normalised parts: what
/// `packaging.version.Version` (which Copier sorts tags with) accepts.
#[derive(Debug, PartialEq, Eq)]
struct Pep440 {
    epoch: u64,
    release: Vec<u64>,
    /// `alpha`, `beta` or `rc`, and its number.
    pre: Option<(&'static str, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    /// Lowercase, without separators.
    local: Vec<String>,
}

impl Pep440 {
    /// Reads `text` as packaging's `VERSION_PATTERN` does (ASCII, any case,
    /// an optional `v`), without its leading and trailing whitespace.
    fn parse(text: &str) -> Option<Pep440> {
        let lower = text.to_ascii_lowercase();
        let mut s = Scanner {
            s: lower.as_bytes(),
            at: 0,
        };
        s.eat(b'v');
        let epoch = s.epoch()?;
        let release = s.release()?;
        let pre = s.pre();
        let post = s.post();
        let dev = s.dev();
        let local = s.local()?;
        (s.at == s.s.len()).then_some(Pep440 {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    /// The semver version with the same place in the order, or `None` where
    /// there is none (see the module docs).
    fn into_semver(self) -> Option<Version> {
        let part = |i: usize| self.release.get(i).copied().unwrap_or(0);
        let mut extra = self.release.get(3..).unwrap_or_default().to_vec();
        while extra.last() == Some(&0) {
            extra.pop();
        }
        let prerelease = self.pre.is_some() || self.dev.is_some();
        if self.epoch != 0
            || (prerelease && !extra.is_empty())
            || (self.pre.is_none() && self.post.is_some() && self.dev.is_some())
        {
            return None;
        }
        let mut pre: Vec<String> = Vec::new();
        let mut build: Vec<String> = extra.iter().map(u64::to_string).collect();
        match self.pre {
            Some((phase, n)) => {
                pre.extend([phase.to_string(), n.to_string()]);
                if let Some(post) = self.post {
                    pre.extend(["post".to_string(), post.to_string()]);
                }
                if let Some(dev) = self.dev {
                    pre.extend(["dev".to_string(), dev.to_string()]);
                }
            }
            None => {
                if let Some(dev) = self.dev {
                    pre.extend(["0".to_string(), "dev".to_string(), dev.to_string()]);
                }
                if let Some(post) = self.post {
                    build.extend(["post".to_string(), post.to_string()]);
                }
            }
        }
        build.extend(self.local);
        Some(Version {
            major: part(0),
            minor: part(1),
            patch: part(2),
            pre: semver::Prerelease::new(&pre.join(".")).ok()?,
            build: semver::BuildMetadata::new(&build.join(".")).ok()?,
        })
    }
}

/// A cursor over the lowercased text of a version.
struct Scanner<'a> {
    s: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    fn eat(&mut self, b: u8) -> bool {
        let hit = self.s.get(self.at) == Some(&b);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &str {
        let start = self.at;
        while self.s.get(self.at).is_some_and(|&b| f(b)) {
            self.at += 1;
        }
        // Only ASCII bytes are ever taken.
        std::str::from_utf8(&self.s[start..self.at]).unwrap_or_default()
    }

    /// All the digits here, as a number: `Some(None)` when there are none,
    /// `None` when they do not fit (the whole version is then refused).
    fn number(&mut self) -> Option<Option<u64>> {
        let digits = self.take_while(|b| b.is_ascii_digit());
        if digits.is_empty() {
            return Some(None);
        }
        digits.parse().ok().map(Some)
    }

    /// One of `._-`, if there is one here.
    fn separator(&mut self) {
        let _ = self.eat(b'.') || self.eat(b'_') || self.eat(b'-');
    }

    /// The normal form of the first of `words` spelled here.
    fn word(&mut self, words: &[(&str, &'static str)]) -> Option<&'static str> {
        let rest = &self.s[self.at..];
        let (word, normal) = words.iter().find(|(w, _)| rest.starts_with(w.as_bytes()))?;
        self.at += word.len();
        Some(normal)
    }

    /// Runs `part`, an optional group of the pattern: where it does not
    /// match (or holds a number too large), nothing is consumed.
    fn optional<T>(&mut self, part: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let start = self.at;
        let found = part(self);
        if found.is_none() {
            self.at = start;
        }
        found
    }
}

/// The spellings of a pre-release phase, longest first where one starts
/// another, with the phase each names.
const PRE_PHASES: [(&str, &str); 8] = [
    ("alpha", "alpha"),
    ("a", "alpha"),
    ("beta", "beta"),
    ("b", "beta"),
    ("preview", "rc"),
    ("pre", "rc"),
    ("c", "rc"),
    ("rc", "rc"),
];

/// The parts of packaging's `VERSION_PATTERN`, read in its order. Where a
/// part returns `Option<…>` for a number too large, `None` refuses the
/// whole version; the optional parts (`pre`, `post`, `dev`) instead consume
/// nothing when they do not match.
impl Scanner<'_> {
    /// `N!`, or epoch 0 (consuming nothing) when there is no `!`.
    fn epoch(&mut self) -> Option<u64> {
        let start = self.at;
        Some(match self.number()? {
            Some(n) if self.eat(b'!') => n,
            _ => {
                self.at = start;
                0
            }
        })
    }

    /// `N(.N)*`: a trailing `.` not followed by digits is left unread.
    fn release(&mut self) -> Option<Vec<u64>> {
        let mut release = vec![self.number()??];
        loop {
            let before = self.at;
            if !self.eat(b'.') {
                break;
            }
            match self.number()? {
                Some(n) => release.push(n),
                None => {
                    self.at = before;
                    break;
                }
            }
        }
        Some(release)
    }

    /// `[-_.]?(a|b|rc|…)[-_.]?N?`: the phase and its number (0 if none).
    fn pre(&mut self) -> Option<(&'static str, u64)> {
        self.optional(|s| {
            s.separator();
            let phase = s.word(&PRE_PHASES)?;
            s.separator();
            Some((phase, s.number()?.unwrap_or(0)))
        })
    }

    /// `-N`, or `[-_.]?(post|rev|r)[-_.]?N?`.
    fn post(&mut self) -> Option<u64> {
        self.optional(|s| {
            if s.eat(b'-') {
                if let Some(n) = s.number()? {
                    return Some(n);
                }
                s.at -= 1;
            }
            s.separator();
            s.word(&[("post", ""), ("rev", ""), ("r", "")])?;
            s.separator();
            Some(s.number()?.unwrap_or(0))
        })
    }

    /// `[-_.]?dev[-_.]?N?`.
    fn dev(&mut self) -> Option<u64> {
        self.optional(|s| {
            s.separator();
            s.word(&[("dev", "")])?;
            s.separator();
            Some(s.number()?.unwrap_or(0))
        })
    }

    /// `+segment([-_.]segment)*`, or none; `None` for an empty segment.
    fn local(&mut self) -> Option<Vec<String>> {
        let mut local = Vec::new();
        if !self.eat(b'+') {
            return Some(local);
        }
        loop {
            let segment = self.take_while(|b| b.is_ascii_alphanumeric());
            if segment.is_empty() {
                return None;
            }
            local.push(normal_local_segment(segment).to_string());
            if !(self.eat(b'.') || self.eat(b'_') || self.eat(b'-')) {
                break;
            }
        }
        Some(local)
    }
}

/// Numbers compare as numbers: `+007` is `+7`.
fn normal_local_segment(segment: &str) -> &str {
    if !segment.bytes().all(|b| b.is_ascii_digit()) {
        return segment;
    }
    let trimmed = segment.trim_start_matches('0');
    if trimmed.is_empty() {
        "0"
    } else {
        trimmed
    }
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
            // PEP 440 reads these; semver alone does not.
            ("v1.2.3.4", Some("1.2.3+4")),
            ("v01.2.3", Some("1.2.3")),
            ("v1.", None),
            (".1", None),
            ("vv1.0.0", None),
            ("v1.2-rc.1", Some("1.2.0-rc.1")),
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

    /// `sorted(TAGS, key=packaging.version.Version)`, as packaging 26.4
    /// (Copier 9.19.1's) printed it; no two of them are equal.
    const PACKAGING_ORDER: [&str; 36] = [
        "1.0.0.dev3",
        "1.0.0.dev10",
        "1.0.0a1",
        "1.0.0a1.post2",
        "1.0.0-alpha.2",
        "1.0.0_alpha_4",
        "1.0.0a10",
        "1.0.0b2",
        "1.0.0-beta.3",
        "1.0.0rc1",
        "1.0.0rc1.post1",
        "v1.0.0-rc.2",
        "V1.0.0RC3",
        "1.0.0c5",
        "1.0.0",
        "1.0+abc",
        "1.0.0+local.7",
        "v1.0.0.post1",
        "1.0.0.post2",
        "1.0.0.rev4",
        "1.0.1.dev0",
        "1.0.1",
        "1.2.3",
        "1.2.3.0.1",
        "1.2.3.4",
        "1.2.3.4.post1",
        "1.2.3.10",
        "1.2.4rc1",
        "1.2.4",
        "0!1.5",
        "2.0.0a1",
        "2.0b1",
        "v2",
        "2.0.0.post1",
        "2.1",
        "2.1-1",
    ];

    /// `[Version(t).is_prerelease for t in PACKAGING_ORDER]`.
    const PACKAGING_PRERELEASE: [bool; 36] = [
        true, true, true, true, true, true, true, true, true, true, true, true, true, true, false,
        false, false, false, false, false, true, false, false, false, false, false, false, true,
        false, false, true, true, false, false, false, false,
    ];

    fn tag(name: &str) -> VersionTag {
        VersionTag {
            version: parse_version_tag(name).unwrap_or_else(|| panic!("{name} is no version")),
            name: name.to_string(),
            commit: Oid::ZERO_SHA1,
        }
    }

    #[test]
    fn orders_tags_as_copier_does() {
        let mut tags: Vec<VersionTag> = PACKAGING_ORDER.iter().rev().map(|n| tag(n)).collect();
        tags.sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.name.cmp(&b.name)));
        let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, PACKAGING_ORDER);
        for pair in tags.windows(2) {
            assert!(pair[0].version < pair[1].version, "{pair:?}");
        }
        for (t, pre) in tags.iter().zip(PACKAGING_PRERELEASE) {
            assert_eq!(!t.version.pre.is_empty(), pre, "{}", t.name);
        }
        assert_eq!(latest(&tags, false).unwrap().name, "2.1-1");
        assert_eq!(latest(&tags[..29], false).unwrap().name, "1.2.4");
        assert_eq!(latest(&tags[..28], true).unwrap().name, "1.2.4rc1");
    }

    #[test]
    fn reads_pep440_spellings() {
        let table = [
            ("1.0.0a1", "1.0.0-alpha.1"),
            ("1.0.0.a1", "1.0.0-alpha.1"),
            ("1.0.0a", "1.0.0-alpha.0"),
            ("1.0-rc", "1.0.0-rc.0"),
            ("1.0pre2", "1.0.0-rc.2"),
            ("1.0.dev", "1.0.0-0.dev.0"),
            ("1.0a-dev", "1.0.0-alpha.0.dev.0"),
            ("1.0a.post1", "1.0.0-alpha.0.post.1"),
            ("1.0.post", "1.0.0+post.0"),
            ("1.0-r", "1.0.0+post.0"),
            ("1.0rev", "1.0.0+post.0"),
            ("1.0-1", "1.0.0+post.1"),
            ("1.0+ABC", "1.0.0+abc"),
            ("1.0+a_b-c", "1.0.0+a.b.c"),
            ("1.2.3.4.0", "1.2.3+4"),
            ("1.2.3.0", "1.2.3"),
            ("0!1.0", "1.0.0"),
            ("v1.0.0RC1", "1.0.0-rc.1"),
        ];
        for (tag, want) in table {
            assert_eq!(parse_version_tag(tag), Some(v(want)), "{tag}");
        }
        // Equal as PEP 440 versions, equal here.
        assert_eq!(parse_version_tag("1.0"), parse_version_tag("1.0.0.0"));
        assert_eq!(
            parse_version_tag("1.0.0a1"),
            parse_version_tag("1.0.0-alpha.1")
        );
    }

    #[test]
    fn refuses_what_neither_reads_or_cannot_be_placed() {
        for tag in [
            // Not PEP 440 either (packaging raises InvalidVersion).
            "1.0-",
            "1.0.0+",
            "1.0_",
            "1.0a1+",
            "1.0.0+a..b",
            "1.0 ",
            " 1.0",
            "99999999999999999999999.0",
            "1.0a99999999999999999999999",
            "1.0é",
            // PEP 440, but with no place in the semver order.
            "1!2.0",
            "1.0.0.post1.dev2",
            "1.2.3.4rc1",
            "1.2.3.4.dev1",
        ] {
            assert_eq!(parse_version_tag(tag), None, "{tag}");
        }
    }

    /// The differences from Copier's order the module docs own up to: a
    /// name semver reads keeps its semver meaning.
    #[test]
    fn semver_names_keep_their_semver_meaning() {
        let p = |t: &str| parse_version_tag(t).unwrap();
        // PEP 440: post releases, above 1.0.0.
        assert!(p("1.0.0-1") < p("1.0.0"));
        assert!(p("1.0.0-r3") < p("1.0.0"));
        // PEP 440: dev sorts below alpha; rc10 above rc2.
        assert!(p("1.0.0-dev.1") > p("1.0.0-beta.1"));
        assert!(p("1.0.0-rc10") < p("1.0.0-rc2"));
        // PEP 440: a development release sorts below its pre-release.
        assert!(p("1.0.0a1.dev2") > p("1.0.0a1"));
        // PEP 440: the same as 1.0.0a1 and 1.0.0a2.
        assert!(p("1.0.0-a.1") < p("1.0.0a1"));
        assert!(p("1.0.0-alpha2") > p("1.0.0a3"));
        assert_eq!(p("1.0.0-foo"), v("1.0.0-foo"));
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

/// A version tag (`v1.2.0`, `2.0.0-rc.1`) or a `git describe` of a commit
/// after one (`v1.2.0-3-gabc1234`) written as Copier writes versions (PEP
/// 440, as the Python `packaging` and `dunamai` libraries normalise them):
/// `1.2.0`, `2.0.0rc1`, `1.2.0.post3.dev0+abc1234`. A name that is not of
/// that shape is returned without its `v`.
pub fn pep440(name: &str) -> String {
    if let Some((tag, distance, hash)) = describe_parts(name) {
        return format!("{}.post{distance}.dev0+{hash}", pep440(tag));
    }
    let bare = name
        .strip_prefix(['v', 'V'])
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(name);
    let (public, local) = match bare.split_once('+') {
        Some((public, local)) => (public, Some(local)),
        None => (bare, None),
    };
    let release_end = public
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(public.len());
    let (release, rest) = public.split_at(release_end);
    let release = release.trim_end_matches('.');
    let parts: Option<Vec<u64>> = release.split('.').map(|p| p.parse().ok()).collect();
    let (Some(parts), Some(pre)) = (parts, prerelease(rest)) else {
        return bare.to_string();
    };
    let mut out = parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".");
    out.push_str(&pre);
    if let Some(local) = local {
        out.push('+');
        out.push_str(local);
    }
    out
}

/// `tag`, `distance`, `hash` of `TAG-DISTANCE-gHASH`.
fn describe_parts(name: &str) -> Option<(&str, &str, &str)> {
    let (rest, hash) = name.rsplit_once("-g")?;
    let (tag, distance) = rest.rsplit_once('-')?;
    let is_hex = !hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit());
    let is_number = !distance.is_empty() && distance.chars().all(|c| c.is_ascii_digit());
    (is_hex && is_number && !tag.is_empty()).then_some((tag, distance, hash))
}

/// The PEP 440 form of what follows the release numbers: `""`, `-rc.1`
/// → `rc1`, `-alpha.2` → `a2`, `beta` → `b0`; `None` when it is not a
/// pre-release PEP 440 knows.
fn prerelease(rest: &str) -> Option<String> {
    if rest.is_empty() {
        return Some(String::new());
    }
    let rest = rest
        .trim_start_matches(['-', '_', '.'])
        .to_ascii_lowercase();
    let letters_end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let (stage, number) = rest.split_at(letters_end);
    let stage = match stage {
        "a" | "alpha" => "a",
        "b" | "beta" => "b",
        "c" | "rc" | "pre" | "preview" => "rc",
        _ => return None,
    };
    let number = number.trim_start_matches(['-', '_', '.']);
    let number: u64 = if number.is_empty() {
        0
    } else {
        number.parse().ok()?
    };
    Some(format!("{stage}{number}"))
}

#[cfg(test)]
mod pep440_tests {
    use super::pep440;

    /// Each pair as Python's `packaging.version.Version(tag)` prints it
    /// (and `dunamai` for a commit after a tag).
    #[test]
    fn versions_are_written_as_copier_writes_them() {
        for (tag, want) in [
            ("v1", "1"),
            ("1.2.3", "1.2.3"),
            ("v1.2.3", "1.2.3"),
            ("v01.02", "1.2"),
            ("v2.0.0-rc.1", "2.0.0rc1"),
            ("1.0.0-alpha.2", "1.0.0a2"),
            ("v1.0.0-beta", "1.0.0b0"),
            ("v3.0.0+meta", "3.0.0+meta"),
            ("v1.2.3-3-gabc1234", "1.2.3.post3.dev0+abc1234"),
            ("release", "release"),
        ] {
            assert_eq!(pep440(tag), want, "{tag}");
        }
    }
}
