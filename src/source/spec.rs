//! Parsing the SRC argument into a normalised [`SourceSpec`].
//!
//! This module only looks at strings and, to tell a local directory from a
//! URL, at whether a path is an existing directory. It never touches git or
//! the network. It also owns the two derived names of a source: the display
//! form recorded in the answers file (`_src_path`, never with credentials)
//! and the cache directory name of a remote's mirror.

use std::path::{Path, PathBuf};

use super::SourceError;

/// Where a template comes from, after normalisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceSpec {
    /// A directory on this machine (a git repository or a plain folder),
    /// canonicalised so the recorded path does not depend on the cwd.
    Local(PathBuf),
    /// A git URL, exactly as it is fetched: it may hold credentials, so it
    /// must only be shown through [`SourceSpec::display`].
    Remote { url: String },
}

impl SourceSpec {
    /// Parses SRC as given on the command line, relative paths against `cwd`.
    ///
    /// Explicit `scheme://` URLs win, then existing directories, then the
    /// shorthand forms (`gh:`, `gl:`, scp-like `user@host:path`), so a local
    /// directory is never mistaken for a host.
    pub fn parse(src: &str, cwd: &Path) -> Result<SourceSpec, SourceError> {
        let not_a_source = || SourceError::NotASource {
            src: src.to_string(),
        };
        if src.is_empty() {
            return Err(not_a_source());
        }
        // pip's and Copier's `git+https://…`, `git+file://…`: the URL after
        // the marker.
        if let Some(rest) = src.strip_prefix("git+") {
            let scheme = rest.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
            if matches!(scheme.as_deref(), Some("https" | "http" | "file")) {
                return SourceSpec::parse(rest, cwd);
            }
        }
        if let Some((scheme, _)) = src.split_once("://") {
            if is_scheme(scheme) {
                return parse_scheme_url(src).map(|url| SourceSpec::Remote { url });
            }
        }
        let path = cwd.join(src);
        if path.is_dir() {
            let canonical = path.canonicalize().map_err(|source| SourceError::Io {
                action: "resolve the path",
                path: path.clone(),
                source,
            })?;
            return Ok(SourceSpec::Local(canonical));
        }
        if let Some(rest) = src.strip_prefix("gh:") {
            return shorthand(src, rest, "https://github.com", 2)
                .map(|url| SourceSpec::Remote { url });
        }
        if let Some(rest) = src.strip_prefix("gl:") {
            return shorthand(src, rest, "https://gitlab.com", usize::MAX)
                .map(|url| SourceSpec::Remote { url });
        }
        if let Some(url) = parse_scp_like(src)? {
            return Ok(SourceSpec::Remote { url });
        }
        Err(not_a_source())
    }

    /// The form recorded as `_src_path`: the absolute path of a local
    /// template, or the URL of a remote one without credentials.
    pub fn display(&self) -> String {
        match self {
            SourceSpec::Local(path) => path.display().to_string(),
            SourceSpec::Remote { url } => strip_credentials(url),
        }
    }

    pub fn is_remote(&self) -> bool {
        matches!(self, SourceSpec::Remote { .. })
    }

    /// The directory name of this source's mirror in the cache, or `None`
    /// for a local source (which is never mirrored).
    pub fn cache_name(&self) -> Option<String> {
        match self {
            SourceSpec::Local(_) => None,
            SourceSpec::Remote { url } => Some(cache_dir_name(url)),
        }
    }
}

/// Whether `s` is something that could be a URL scheme at all, so that
/// `foo://x` is reported as a malformed URL rather than a missing directory.
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The parts of a `scheme://[userinfo@]host[:port]/path` URL.
struct UrlParts<'a> {
    scheme: &'a str,
    userinfo: Option<&'a str>,
    hostport: &'a str,
    path: &'a str,
}

fn split_url(url: &str) -> Option<UrlParts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (userinfo, hostport) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    Some(UrlParts {
        scheme,
        userinfo,
        hostport,
        path,
    })
}

fn malformed(url: &str, reason: impl Into<String>) -> SourceError {
    SourceError::MalformedUrl {
        url: strip_credentials(url),
        reason: reason.into(),
    }
}

/// Validates an explicit `scheme://` URL and returns its normalised form
/// (lowercase scheme, no trailing slash).
fn parse_scheme_url(src: &str) -> Result<String, SourceError> {
    let parts = split_url(src).ok_or_else(|| malformed(src, "missing `://`"))?;
    let scheme = parts.scheme.to_ascii_lowercase();
    let is_file = scheme == "file";
    match scheme.as_str() {
        "https" | "http" | "ssh" | "git" | "git+ssh" | "ssh+git" | "file" => {}
        _ => {
            return Err(malformed(
                src,
                format!("unsupported scheme `{}`", parts.scheme),
            ))
        }
    }
    if src
        .chars()
        .any(|c| c.is_control() || (!is_file && c == ' '))
    {
        return Err(malformed(src, "it contains spaces or control characters"));
    }
    if let Some(user) = parts.userinfo {
        if user.is_empty() || user.starts_with('-') || user.starts_with(':') {
            return Err(malformed(src, "invalid user name"));
        }
    }
    let path = parts.path.trim_end_matches('/');
    if is_file {
        if !(parts.hostport.is_empty() || parts.hostport.eq_ignore_ascii_case("localhost")) {
            return Err(malformed(src, "a `file://` URL cannot name a host"));
        }
        if parts.userinfo.is_some() {
            return Err(malformed(src, "a `file://` URL cannot hold a user"));
        }
        if path.is_empty() {
            return Err(malformed(src, "missing path"));
        }
    } else {
        validate_hostport(src, parts.hostport)?;
        if path.is_empty() {
            return Err(malformed(src, "missing repository path"));
        }
    }
    let mut out = String::with_capacity(src.len());
    out.push_str(&scheme);
    out.push_str("://");
    if let Some(user) = parts.userinfo {
        out.push_str(user);
        out.push('@');
    }
    out.push_str(parts.hostport);
    out.push_str(path);
    Ok(out)
}

fn validate_hostport(src: &str, hostport: &str) -> Result<(), SourceError> {
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        // IPv6 literal.
        let (inner, after) = rest
            .split_once(']')
            .ok_or_else(|| malformed(src, "unclosed `[` in host"))?;
        if inner.is_empty() || !inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return Err(malformed(src, "invalid IPv6 host"));
        }
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| malformed(src, "invalid host"))?,
            ),
        };
        (None, port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(hostport), None),
        }
    };
    if let Some(host) = host {
        if !valid_host(host) {
            return Err(malformed(
                src,
                if host.is_empty() {
                    "missing host".to_string()
                } else {
                    format!("invalid host `{host}`")
                },
            ));
        }
    }
    if let Some(port) = port {
        if port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) || port.len() > 5 {
            return Err(malformed(src, format!("invalid port `{port}`")));
        }
    }
    Ok(())
}

/// A DNS name or IPv4 address; never starting with `-` so it cannot be
/// taken for an option by any ssh program libgit2 might run.
fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && !host.starts_with(['-', '.'])
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

/// `gh:owner/repo` and `gl:group/.../repo`, with an optional `.git`.
fn shorthand(
    src: &str,
    rest: &str,
    base: &str,
    max_segments: usize,
) -> Result<String, SourceError> {
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    let segments: Vec<&str> = rest.split('/').collect();
    let valid = segments.len() >= 2
        && segments.len() <= max_segments
        && segments.iter().all(|s| {
            !s.is_empty()
                && !s.starts_with(['-', '.'])
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        });
    if !valid {
        let prefix = &src[..3];
        let expected = if max_segments == 2 {
            format!("expected `{prefix}OWNER/REPO`")
        } else {
            format!("expected `{prefix}GROUP/REPO`")
        };
        return Err(malformed(src, expected));
    }
    Ok(format!("{base}/{rest}.git"))
}

/// `[user@]host:path`, the scp-like ssh syntax. Without a user, the host must
/// look like a host name (contain a dot, or be `localhost`) so that a typo in
/// a local path is reported as such and not as an unreachable host.
fn parse_scp_like(src: &str) -> Result<Option<String>, SourceError> {
    let Some((before, path)) = src.split_once(':') else {
        return Ok(None);
    };
    if before.contains('/') || before.is_empty() {
        return Ok(None);
    }
    let (user, host) = match before.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, before),
    };
    if user.is_none() && !(host.contains('.') || host == "localhost") {
        return Ok(None);
    }
    if src.chars().any(|c| c.is_control() || c == ' ') {
        return Err(malformed(src, "it contains spaces or control characters"));
    }
    if let Some(user) = user {
        if user.is_empty() || user.starts_with('-') {
            return Err(malformed(src, "invalid user name"));
        }
    }
    if !valid_host(host) {
        return Err(malformed(src, format!("invalid host `{host}`")));
    }
    let path = path.trim_end_matches('/');
    if path.is_empty() || path.starts_with('-') {
        return Err(malformed(src, "missing repository path"));
    }
    Ok(Some(format!("{before}:{path}")))
}

/// Removes credentials from a URL so it can be shown, recorded and used as a
/// cache key. For http(s), git and file URLs the whole user part goes (a lone
/// user name there is usually a token); ssh URLs keep the user name, which
/// selects the account, and lose only a password. scp-like and other strings
/// are returned unchanged.
pub fn strip_credentials(url: &str) -> String {
    let Some(parts) = split_url(url) else {
        return url.to_string();
    };
    let Some(userinfo) = parts.userinfo else {
        return url.to_string();
    };
    let scheme = parts.scheme.to_ascii_lowercase();
    let kept_user = if scheme.contains("ssh") {
        userinfo.split(':').next().filter(|u| !u.is_empty())
    } else {
        None
    };
    let mut out = format!("{}://", parts.scheme);
    if let Some(user) = kept_user {
        out.push_str(user);
        out.push('@');
    }
    out.push_str(parts.hostport);
    out.push_str(parts.path);
    out
}

/// The user name and password held in a URL's user part, percent-decoded,
/// so the credentials callback can hand them to libgit2 explicitly.
pub fn url_credentials(url: &str) -> Option<(String, Option<String>)> {
    let userinfo = split_url(url)?.userinfo?;
    let (user, pass) = match userinfo.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (userinfo, None),
    };
    Some((percent_decode(user), pass.map(percent_decode)))
}

/// Decodes `%XX` escapes; anything else, invalid escapes included, stays.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The identity of a remote in the cache: the URL without credentials, with
/// scheme and host lowercased and without a trailing `/` or `.git`, so that
/// `https://Host/o/r.git` and `https://host/o/r` share one mirror.
pub fn cache_key(url: &str) -> String {
    let clean = strip_credentials(url);
    let trim = |path: &str| {
        let path = path.trim_end_matches('/');
        path.strip_suffix(".git").unwrap_or(path).to_string()
    };
    if let Some(p) = split_url(&clean) {
        let user = p.userinfo.map(|u| format!("{u}@")).unwrap_or_default();
        return format!(
            "{}://{}{}{}",
            p.scheme.to_ascii_lowercase(),
            user,
            p.hostport.to_ascii_lowercase(),
            trim(p.path)
        );
    }
    match clean.split_once(':') {
        // scp-like: lowercase the host part.
        Some((before, path)) => {
            let (user, host) = match before.rsplit_once('@') {
                Some((u, h)) => (format!("{u}@"), h),
                None => (String::new(), before),
            };
            format!("{user}{}:{}", host.to_ascii_lowercase(), trim(path))
        }
        None => trim(&clean),
    }
}

/// The mirror directory name for a URL: a readable slug of host and path
/// plus a stable hash of the full cache key, so different URLs never share
/// a directory even when their slugs collide.
pub fn cache_dir_name(url: &str) -> String {
    let key = cache_key(url);
    let without_scheme = key.split_once("://").map_or(key.as_str(), |(_, r)| r);
    let without_user = match without_scheme.split_once('@') {
        Some((u, r)) if !u.contains('/') => r,
        _ => without_scheme,
    };
    let mut slug = String::new();
    for c in without_user.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            c
        } else {
            '-'
        };
        if c == '-' && slug.ends_with('-') {
            continue;
        }
        slug.push(c);
        if slug.len() >= 48 {
            break;
        }
    }
    let slug = slug.trim_matches(|c| c == '-' || c == '.');
    let slug = if slug.is_empty() { "repo" } else { slug };
    format!("{slug}-{:016x}", fnv1a64(key.as_bytes()))
}

/// FNV-1a, 64 bits: tiny, and stable across runs and Rust versions (unlike
/// std's randomly seeded hasher), which a cache directory name needs.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(src: &str) -> String {
        let cwd = std::env::temp_dir();
        match SourceSpec::parse(src, &cwd) {
            Ok(SourceSpec::Remote { url }) => url,
            other => panic!("{src}: expected remote, got {other:?}"),
        }
    }

    #[test]
    fn parses_remote_forms() {
        let table = [
            ("https://github.com/o/r.git", "https://github.com/o/r.git"),
            ("https://github.com/o/r", "https://github.com/o/r"),
            ("HTTPS://github.com/o/r/", "https://github.com/o/r"),
            ("http://host:8080/o/r.git", "http://host:8080/o/r.git"),
            ("ssh://git@host/o/r.git", "ssh://git@host/o/r.git"),
            ("ssh://git@host:2222/o/r", "ssh://git@host:2222/o/r"),
            (
                "git://127.0.0.1:9418/repo.git",
                "git://127.0.0.1:9418/repo.git",
            ),
            ("file:///srv/t/repo.git", "file:///srv/t/repo.git"),
            ("file://localhost/srv/t", "file://localhost/srv/t"),
            (
                "git+https://github.com/o/r.git",
                "https://github.com/o/r.git",
            ),
            ("git+file:///srv/t/repo.git", "file:///srv/t/repo.git"),
            ("git@github.com:o/r.git", "git@github.com:o/r.git"),
            ("git@myhost:o/r", "git@myhost:o/r"),
            ("github.com:o/r.git", "github.com:o/r.git"),
            ("gh:o/r", "https://github.com/o/r.git"),
            ("gh:o/r.git", "https://github.com/o/r.git"),
            ("gl:group/sub/r", "https://gitlab.com/group/sub/r.git"),
            ("https://u:p@host/o/r.git", "https://u:p@host/o/r.git"),
            ("ssh://[::1]:22/r.git", "ssh://[::1]:22/r.git"),
        ];
        for (src, want) in table {
            assert_eq!(remote(src), want, "{src}");
        }
    }

    #[test]
    fn display_strips_credentials() {
        let table = [
            ("https://u:p@host/o/r.git", "https://host/o/r.git"),
            ("https://token@host/o/r.git", "https://host/o/r.git"),
            ("http://u:p%40x@host:81/r", "http://host:81/r"),
            ("ssh://git:secret@host/r.git", "ssh://git@host/r.git"),
            ("ssh://git@host/r.git", "ssh://git@host/r.git"),
            ("git@github.com:o/r.git", "git@github.com:o/r.git"),
            ("gh:o/r", "https://github.com/o/r.git"),
            ("git://h/r.git", "git://h/r.git"),
        ];
        let cwd = std::env::temp_dir();
        for (src, want) in table {
            let spec = SourceSpec::parse(src, &cwd).unwrap_or_else(|e| panic!("{src}: {e}"));
            assert_eq!(spec.display(), want, "{src}");
        }
    }

    #[test]
    fn url_credentials_are_decoded() {
        assert_eq!(
            url_credentials("https://u%20x:p%40ss@h/r"),
            Some(("u x".to_string(), Some("p@ss".to_string())))
        );
        assert_eq!(
            url_credentials("https://tok@h/r"),
            Some(("tok".to_string(), None))
        );
        assert_eq!(url_credentials("https://h/r"), None);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%41%42"), "AB");
    }

    #[test]
    fn local_directories_are_canonicalised() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("a/tpl")).unwrap();
        std::fs::create_dir_all(root.join("-dash")).unwrap();
        std::fs::create_dir_all(root.join("gh:o/r")).unwrap();
        let table = [
            ("a/tpl", root.join("a/tpl")),
            ("./a/../a/tpl/", root.join("a/tpl")),
            ("-dash", root.join("-dash")),
            // An existing directory wins over the shorthand.
            ("gh:o/r", root.join("gh:o/r")),
        ];
        for (src, want) in table {
            let spec = SourceSpec::parse(src, &root).unwrap();
            assert_eq!(spec, SourceSpec::Local(want.clone()), "{src}");
            assert_eq!(spec.display(), want.display().to_string());
            assert_eq!(spec.cache_name(), None);
        }
        let abs = root.join("a/tpl");
        let spec = SourceSpec::parse(abs.to_str().unwrap(), Path::new("/")).unwrap();
        assert_eq!(spec, SourceSpec::Local(abs));
    }

    #[test]
    fn rejects_non_sources() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("file.txt"), "x").unwrap();
        for src in [
            "",
            "nope",
            "file.txt",
            "-oProxyCommand=x",
            "foo:bar",
            "./missing",
        ] {
            match SourceSpec::parse(src, dir.path()) {
                Err(e @ SourceError::NotASource { .. }) => {
                    assert_eq!(
                        e.to_string(),
                        format!("`{src}` is not a directory or a git URL")
                    );
                    assert!(e.hint().is_some());
                }
                other => panic!("{src}: {other:?}"),
            }
        }
    }

    #[test]
    fn rejects_malformed_urls() {
        let cwd = std::env::temp_dir();
        for src in [
            "https://",
            "https:///o/r",
            "https://host",
            "https://host/",
            "https://-oProxyCommand=x/r",
            "ssh://-oProxyCommand=x@host/r",
            "ssh://host:abc/r",
            "ftp://host/r",
            "file://",
            "file://otherhost/r",
            "https://ho st/r",
            "https://host/r\n",
            "gh:",
            "gh:owner",
            "gh:o/r/x",
            "gh:-o/r",
            "gl:g",
            "git@-host:r",
            "-o@host.com:r",
            "git@host.com:",
            "git@host.com:-r",
            "ssh://[zz]/r",
        ] {
            match SourceSpec::parse(src, &cwd) {
                Err(e @ SourceError::MalformedUrl { .. }) => {
                    assert!(e.to_string().starts_with("malformed git URL `"), "{e}");
                }
                other => panic!("{src}: expected malformed, got {other:?}"),
            }
        }
    }

    #[test]
    fn malformed_url_message_hides_password() {
        let err = SourceSpec::parse("ftp://u:secret@h/r", Path::new("/")).unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn cache_keys_ignore_credentials_case_and_suffix() {
        let same = [
            "https://github.com/o/r.git",
            "https://github.com/o/r",
            "https://GitHub.com/o/r/",
            "https://u:p@github.com/o/r.git",
            "HTTPS://github.com/o/r.git",
        ];
        for url in same {
            assert_eq!(cache_key(url), "https://github.com/o/r", "{url}");
            assert_eq!(cache_dir_name(url), cache_dir_name(same[0]));
        }
        assert_eq!(cache_key("git@GitHub.com:o/r.git"), "git@github.com:o/r");
        assert_eq!(cache_key("ssh://git:pw@h/r.git"), "ssh://git@h/r");
        // The path keeps its case: servers may be case-sensitive.
        assert_ne!(cache_key("https://h/O/r"), cache_key("https://h/o/r"));
        assert_ne!(
            cache_dir_name("https://h/o/r"),
            cache_dir_name("https://h/o-r")
        );
    }

    #[test]
    fn cache_dir_names_are_readable_and_stable() {
        assert_eq!(
            cache_dir_name("https://github.com/o/r.git"),
            format!("github.com-o-r-{:016x}", fnv1a64(b"https://github.com/o/r"))
        );
        assert_eq!(
            cache_dir_name("git@github.com:o/r.git"),
            format!("github.com-o-r-{:016x}", fnv1a64(b"git@github.com:o/r"))
        );
        let long = format!("https://h/{}", "x".repeat(200));
        let name = cache_dir_name(&long);
        assert!(name.len() <= 48 + 17, "{name}");
        assert_eq!(
            cache_dir_name("file:///"),
            format!("repo-{:016x}", fnv1a64(b"file://"))
        );
        for name in [
            cache_dir_name("file:///a/b c"),
            cache_dir_name("ssh://[::1]/x"),
        ] {
            assert!(name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')));
            assert!(!name.starts_with(['-', '.']), "{name}");
        }
    }

    #[test]
    fn fnv1a64_known_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = SourceSpec::parse(&s, Path::new("/nonexistent-graft-cwd"));
            let _ = strip_credentials(&s);
            let _ = cache_dir_name(&s);
            let _ = url_credentials(&s);
        }

        #[test]
        fn display_never_holds_a_password(user in "[a-z]{1,8}", pass in "[g-z]{6,12}") {
            for scheme in ["https", "http", "ssh", "git"] {
                let src = format!("{scheme}://{user}:{pass}@host.example/o/r.git");
                let spec = SourceSpec::parse(&src, Path::new("/")).unwrap();
                let shown = spec.display();
                proptest::prop_assert!(!shown.contains(&format!(":{pass}")), "{}", shown);
                proptest::prop_assert!(!spec.cache_name().unwrap().contains(&pass));
            }
        }
    }
}
