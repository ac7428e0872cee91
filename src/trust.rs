//! Consent to run a template's commands: `--trust`, or a `trust:` entry of
//! the user settings that matches the template's source.
//!
//! Sources are normalised before matching (credentials, backslashes,
//! percent-encoding, dot segments, `gh:`/`gl:` shorthands, a `.git`
//! suffix), so `gh:acme/../evil` never matches a `gh:acme/` entry.

use crate::source::percent_decode;

/// The canonical form of a source for trust matching.
///
/// The host is taken from the source as written, before anything is
/// decoded, so an escaped `/` or `@` in the user part cannot move the real
/// host into the path; only the path is decoded and cleaned.
pub fn normalize(source: &str) -> String {
    let mut s = source.trim().to_string();
    for (short, long) in [
        ("gh:", "https://github.com/"),
        ("gl:", "https://gitlab.com/"),
    ] {
        if let Some(rest) = s.strip_prefix(short) {
            s = format!("{long}{rest}");
        }
    }
    // scp-like `git@host:path` → `ssh://git@host/path`
    if !s.contains("://") && !s.starts_with('/') {
        if let Some((host, path)) = s.split_once(':') {
            if host.contains('@') && !host.contains('/') {
                s = format!("ssh://{host}/{path}");
            }
        }
    }
    let (scheme, authority, path) = match s.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.split_once('/') {
                Some((a, p)) => (a, format!("/{p}")),
                None => (rest, String::new()),
            };
            // Credentials never count.
            let host = authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host);
            (
                format!("{}://", scheme.to_ascii_lowercase()),
                host.to_ascii_lowercase(),
                path,
            )
        }
        None => (String::new(), String::new(), s.clone()),
    };
    // Decode repeatedly so `%252e` cannot hide a dot either.
    let mut path = path;
    for _ in 0..3 {
        let d = percent_decode(&path);
        if d == path {
            break;
        }
        path = d;
    }
    let path = path.replace('\\', "/");
    let trailing = path.ends_with('/');
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut path = parts.join("/");
    if let Some(stripped) = path.strip_suffix(".git") {
        path = stripped.to_string();
    }
    let mut out = format!(
        "{scheme}{authority}{}{path}",
        if absolute { "/" } else { "" }
    );
    if trailing && !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// Whether `source` is trusted by one of the `entries` (an entry ending in
/// `/` trusts everything below it).
pub fn is_trusted(source: &str, entries: &[String]) -> bool {
    let source = normalize(source);
    entries.iter().any(|entry| {
        let e = normalize(entry);
        if e.ends_with('/') {
            source.starts_with(&e)
        } else {
            source == e
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_bypasses() {
        let trust = vec!["gh:acme/".to_string(), "/opt/templates/good".to_string()];
        assert!(is_trusted("gh:acme/service", &trust));
        assert!(is_trusted("https://github.com/acme/service.git", &trust));
        assert!(is_trusted(
            "https://user:pass@github.com/acme/service",
            &trust
        ));
        assert!(is_trusted("/opt/templates/good", &trust));
        assert!(is_trusted("https://github.com/acme/a%2fb", &trust));
        let ssh = vec!["git@github.com:acme/".to_string()];
        assert!(is_trusted("ssh://git@github.com/acme/x.git", &ssh));
        assert!(!is_trusted(
            "ssh://git@evil.example/github.com/acme/x",
            &ssh
        ));
        for evil in [
            "gh:acme/../evil/x",
            "gh:acme/%2e%2e/evil",
            "gh:acme%2f..%2fevil",
            "https://github.com/acme\\..\\evil",
            "gh:acmeevil/x",
            "/opt/templates/good/../bad",
            "/opt/templates/goodness",
            "https://github.com%2facme%2f@evil.example/x",
            "https://github.com%2Facme%2F%40evil.example/x",
            "https://github.com:x@evil.example/acme/service",
            "github.com%2facme%2f@evil.example:acme/x",
        ] {
            assert!(!is_trusted(evil, &trust), "{evil} must not be trusted");
        }
    }
}
