//! `.gitmodules`: where each submodule of a commit comes from.
//!
//! Only what graft needs of git's rules, as pure functions over text: the
//! `path` and `url` of every `[submodule "NAME"]` section, read with git's
//! config syntax (quotes, escapes, comments, continued lines; section and
//! key names in any case; the last value wins), and how git turns a
//! relative submodule URL (`../lib.git`, `./lib`) into an absolute one
//! against the URL of the repository that holds the submodule. Like git,
//! it ignores sections whose name climbs out with `..` and values that
//! look like command-line options. Opening the repositories is
//! `submodule.rs`'s job.

/// The submodules a `.gitmodules` file describes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Gitmodules {
    entries: Vec<Entry>,
}

#[derive(Debug, PartialEq, Eq)]
struct Entry {
    name: String,
    path: Option<String>,
    url: Option<String>,
}

/// Where a `.gitmodules` file stops being git's config syntax.
#[derive(Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based.
    pub line: usize,
}

impl Gitmodules {
    /// Reads the text of a `.gitmodules` file.
    pub fn parse(text: &str) -> Result<Gitmodules, SyntaxError> {
        let mut out = Gitmodules::default();
        for (section, subsection, key, value) in parse_config(text)? {
            let Some(name) = subsection.filter(|_| section == "submodule") else {
                continue;
            };
            let Some(value) = value else { continue };
            // Values that could be taken for options are dropped, as git does.
            if value.starts_with('-') && key == "path" {
                continue;
            }
            let index = match out.entries.iter().position(|e| e.name == name) {
                Some(i) => i,
                None => {
                    out.entries.push(Entry {
                        name,
                        path: None,
                        url: None,
                    });
                    out.entries.len() - 1
                }
            };
            let entry = &mut out.entries[index];
            match key.as_str() {
                "path" => entry.path = Some(value),
                "url" => entry.url = Some(value),
                _ => {}
            }
        }
        // git refuses names that could climb out of `.git/modules`.
        out.entries
            .retain(|e| !e.name.split(['/', '\\']).any(|segment| segment == ".."));
        Ok(out)
    }

    /// The URL of the submodule at `path`, as written; `None` when no
    /// section names that path or it has no URL. When several sections
    /// claim the path, the last one wins, as in git.
    pub fn url_of(&self, path: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.path.as_deref().map(|p| p.trim_end_matches('/')) == Some(path))
            .and_then(|e| e.url.as_deref())
    }
}

/// `(section, subsection, key, value)`: section and key lowercased, `None`
/// for a key without `=`.
type Setting = (String, Option<String>, String, Option<String>);

/// git's config syntax, as `config.c` reads it.
fn parse_config(text: &str) -> Result<Vec<Setting>, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser {
        chars: text.chars().filter(|&c| c != '\r').collect(),
        at: 0,
        line: 1,
    };
    let mut out = Vec::new();
    let mut section: Option<(String, Option<String>)> = None;
    while let Some(c) = p.next() {
        match c {
            '\n' => {}
            c if c.is_whitespace() => {}
            '#' | ';' => p.skip_line(),
            '[' => section = Some(p.section_header()?),
            c if c.is_ascii_alphabetic() => {
                let key = p.key(c);
                let value = p.value()?;
                // git reads keys before any section too; none is a submodule's.
                if let Some((name, sub)) = &section {
                    out.push((name.clone(), sub.clone(), key, value));
                }
            }
            _ => return Err(p.error()),
        }
    }
    Ok(out)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    line: usize,
}

impl Parser {
    fn next(&mut self) -> Option<char> {
        let c = *self.chars.get(self.at)?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    /// The error at the line being read (the one a newline just ended,
    /// when that newline was what did not fit).
    fn error(&self) -> SyntaxError {
        let ended = self.at > 0 && self.chars.get(self.at - 1) == Some(&'\n');
        SyntaxError {
            line: self.line - usize::from(ended),
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.next() {
            if c == '\n' {
                break;
            }
        }
    }

    /// `[name]`, `[name "sub"]`, or the old `[name.sub]`; after the `[`.
    fn section_header(&mut self) -> Result<(String, Option<String>), SyntaxError> {
        let mut name = String::new();
        loop {
            match self.next() {
                Some(']') => break,
                Some(c) if c == ' ' || c == '\t' => {
                    let sub = self.subsection()?;
                    return Ok((name, Some(sub)));
                }
                Some(c) if c.is_ascii_alphanumeric() || c == '-' || c == '.' => {
                    name.push(c.to_ascii_lowercase())
                }
                _ => return Err(self.error()),
            }
        }
        if name.is_empty() {
            return Err(self.error());
        }
        // `[submodule.lib]` is `[submodule "lib"]` (lowercased, as git does).
        Ok(match name.split_once('.') {
            Some((section, sub)) => (section.to_string(), Some(sub.to_string())),
            None => (name, None),
        })
    }

    /// `"sub"]` after the blanks that follow a section name.
    fn subsection(&mut self) -> Result<String, SyntaxError> {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.next();
        }
        if self.next() != Some('"') {
            return Err(self.error());
        }
        let mut sub = String::new();
        loop {
            match self.next() {
                None | Some('\n') => return Err(self.error()),
                Some('"') => break,
                Some('\\') => match self.next() {
                    None | Some('\n') => return Err(self.error()),
                    Some(c) => sub.push(c),
                },
                Some(c) => sub.push(c),
            }
        }
        if self.next() != Some(']') {
            return Err(self.error());
        }
        Ok(sub)
    }

    /// A key name starting with `first`, lowercased.
    fn key(&mut self, first: char) -> String {
        let mut key = first.to_ascii_lowercase().to_string();
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        {
            key.push(c.to_ascii_lowercase());
            self.at += 1;
        }
        key
    }

    /// What follows a key: nothing (`None`), or `= value` to the end of
    /// the line, with git's quoting, escapes and comments.
    fn value(&mut self) -> Result<Option<String>, SyntaxError> {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.next();
        }
        match self.next() {
            None | Some('\n') => return Ok(None),
            Some('=') => {}
            Some(_) => return Err(self.error()),
        }
        let mut value = String::new();
        let (mut quoted, mut comment, mut spaces) = (false, false, 0);
        loop {
            let c = match self.next() {
                None | Some('\n') if quoted => return Err(self.error()),
                None | Some('\n') => return Ok(Some(value)),
                Some(c) => c,
            };
            if comment {
                continue;
            }
            if c.is_whitespace() && !quoted {
                if !value.is_empty() {
                    spaces += 1;
                }
                continue;
            }
            if !quoted && (c == '#' || c == ';') {
                comment = true;
                continue;
            }
            value.extend(std::iter::repeat_n(' ', spaces));
            spaces = 0;
            match c {
                '\\' => match self.next() {
                    Some('\n') => {}
                    Some('t') => value.push('\t'),
                    Some('b') => value.push('\u{8}'),
                    Some('n') => value.push('\n'),
                    Some(c @ ('\\' | '"')) => value.push(c),
                    _ => return Err(self.error()),
                },
                '"' => quoted = !quoted,
                c => value.push(c),
            }
        }
    }
}

/// Why a submodule URL cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum UrlProblem {
    Empty,
    /// It starts with `-` and could be taken for an option.
    Option,
    /// `gh:` and `gl:` are graft's shorthands for SRC; git reads them as
    /// hosts named `gh` and `gl`.
    Shorthand,
    /// A relative path that starts with neither `./` nor `../`: git would
    /// read it relative to wherever it runs.
    BareRelative,
    /// More `../` than the URL it is relative to has parts.
    ClimbsTooHigh,
}

impl std::fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UrlProblem::Empty => "it is empty",
            UrlProblem::Option => "it starts with `-`",
            UrlProblem::Shorthand => "`gh:` and `gl:` are not git URLs; write the full URL",
            UrlProblem::BareRelative => {
                "a relative URL must start with `./` or `../` (it is relative to the template's URL)"
            }
            UrlProblem::ClimbsTooHigh => "it has more `../` than the template's URL has parts",
        })
    }
}

/// The URL a submodule is fetched from: `url` itself when it is a URL or
/// an absolute path, or `url` resolved against `base` (the URL or path of
/// the repository holding the submodule) when it starts with `./` or
/// `../`, as git's `relative_url` does: each `../` drops the last part of
/// `base` (its last `/`, else its `:`).
pub fn resolve_url(base: &str, url: &str) -> Result<String, UrlProblem> {
    if url.is_empty() {
        return Err(UrlProblem::Empty);
    }
    if url.starts_with('-') {
        return Err(UrlProblem::Option);
    }
    if !(url.starts_with("./") || url.starts_with("../")) {
        return if url.starts_with("gh:") || url.starts_with("gl:") {
            Err(UrlProblem::Shorthand)
        } else if url.contains("://") || url.starts_with('/') || is_scp_like(url) {
            Ok(url.to_string())
        } else {
            Err(UrlProblem::BareRelative)
        };
    }
    let mut base = base.strip_suffix('/').unwrap_or(base).to_string();
    let mut rest = url;
    let mut colon = false;
    loop {
        if let Some(r) = rest.strip_prefix("../") {
            rest = r;
            match base.rfind('/') {
                Some(i) => base.truncate(i),
                None => match base.rfind(':') {
                    Some(i) => {
                        base.truncate(i);
                        colon = true;
                    }
                    None => return Err(UrlProblem::ClimbsTooHigh),
                },
            }
        } else if let Some(r) = rest.strip_prefix("./") {
            rest = r;
        } else {
            break;
        }
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    Ok(format!("{base}{}{rest}", if colon { ":" } else { "/" }))
}

/// `host:path` or `user@host:path`: a `:` before any `/`.
fn is_scp_like(url: &str) -> bool {
    match (url.find(':'), url.find('/')) {
        (Some(0), _) => false,
        (Some(colon), Some(slash)) => colon < slash,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_git_submodule_add_writes() {
        let text = "[submodule \"vendor/lib\"]\n\tpath = vendor/lib\n\turl = ../lib.git\n\
                    [submodule \"docs\"]\n\tpath = docs\n\turl = https://host/o/docs.git\n";
        let modules = Gitmodules::parse(text).unwrap();
        assert_eq!(modules.url_of("vendor/lib"), Some("../lib.git"));
        assert_eq!(modules.url_of("docs"), Some("https://host/o/docs.git"));
        assert_eq!(modules.url_of("vendor"), None);
        assert_eq!(modules.url_of("lib"), None);
    }

    #[test]
    fn follows_git_config_syntax() {
        let text = "\u{feff}# comment\r\n; another\n\
                    [Submodule \"A b\"] path = \"with space\" ; trailing comment\n\
                    \tURL = one\\\n  two # comment\n\
                    [submodule.Old]\n  path=old/\n  url = \"x\\\"y\\\\z\"\n\
                    [core]\n\tbare = false\n\
                    [submodule \"noval\"]\n\tpath = nv\n\turl\n\
                    [submodule \"A b\"]\n\turl = last\n";
        let modules = Gitmodules::parse(text).unwrap();
        assert_eq!(modules.url_of("with space"), Some("last"));
        // The old dotted form lowercases the name; a trailing `/` on the
        // path does not matter.
        assert_eq!(modules.url_of("old"), Some("x\"y\\z"));
        assert_eq!(modules.url_of("nv"), None);
        assert_eq!(
            Gitmodules::parse("[submodule \"a\"]\npath=a\nurl = one\\\n  two  ")
                .unwrap()
                .url_of("a"),
            Some("one  two")
        );
        assert_eq!(
            Gitmodules::parse("[submodule \"a\"]\npath=a\nurl = \"  in  \"  out  ")
                .unwrap()
                .url_of("a"),
            Some("  in    out")
        );
    }

    #[test]
    fn a_key_may_follow_its_header_or_come_before_any() {
        let text = "url = stray\n[submodule \"a\"] path = a\n\turl = u\n";
        assert_eq!(Gitmodules::parse(text).unwrap().url_of("a"), Some("u"));
    }

    #[test]
    fn the_last_section_for_a_path_wins() {
        let text = "[submodule \"one\"]\npath = p\nurl = first\n\
                    [submodule \"two\"]\npath = p\nurl = second\n";
        assert_eq!(Gitmodules::parse(text).unwrap().url_of("p"), Some("second"));
    }

    #[test]
    fn ignores_what_git_ignores() {
        let text = "[submodule \"../evil\"]\npath = a\nurl = x\n\
                    [submodule \"b\"]\npath = -b\nurl = y\n";
        let modules = Gitmodules::parse(text).unwrap();
        assert_eq!(modules.url_of("a"), None);
        assert_eq!(modules.url_of("-b"), None);
    }

    #[test]
    fn syntax_errors_name_their_line() {
        // The lines `git config -f FILE --list` names.
        for (text, line) in [
            ("[submodule \"a\"]\npath = a\n = x\n", 3),
            ("[submodule \"a\n", 1),
            ("[submodule \"a\"]\nurl = \"open\n", 2),
            ("[submodule \"a\"]\nurl = bad\\q\n", 2),
            ("[submodule \"a\"]\nkey junk\n", 2),
            ("[]\n", 1),
            ("\n\n[sub!]\n", 3),
        ] {
            assert_eq!(
                Gitmodules::parse(text),
                Err(SyntaxError { line }),
                "{text:?}"
            );
        }
    }

    #[test]
    fn resolves_urls_as_git_does() {
        let table = [
            // (base, url, resolved), checked against `git submodule init`.
            ("/srv/t/tpl", "../lib.git", "/srv/t/lib.git"),
            ("/srv/t/tpl/", "../lib.git", "/srv/t/lib.git"),
            ("/srv/t/tpl", "./lib", "/srv/t/tpl/lib"),
            ("/srv/t/tpl", "./../../x/", "/srv/x"),
            ("/srv/tpl", "../../x", "/x"),
            (
                "https://host/o/r.git",
                "../lib.git",
                "https://host/o/lib.git",
            ),
            ("https://host/o/r.git", "../../p/lib", "https://host/p/lib"),
            ("https://u:t@host/o/r", "../lib", "https://u:t@host/o/lib"),
            ("git@host:o/r.git", "../lib.git", "git@host:o/lib.git"),
            ("git@host:o/r.git", "../../lib.git", "git@host:lib.git"),
            ("file:///srv/tpl", "../lib", "file:///srv/lib"),
            ("/srv/tpl", "https://host/lib.git", "https://host/lib.git"),
            ("/srv/tpl", "/abs/lib", "/abs/lib"),
            ("/srv/tpl", "git@host:lib.git", "git@host:lib.git"),
            ("/srv/tpl", "host.example:lib", "host.example:lib"),
        ];
        for (base, url, want) in table {
            assert_eq!(resolve_url(base, url), Ok(want.to_string()), "{base} {url}");
        }
    }

    #[test]
    fn refuses_urls_git_or_graft_cannot_use() {
        let table = [
            ("", UrlProblem::Empty),
            ("-oProxyCommand=x", UrlProblem::Option),
            ("gh:o/r", UrlProblem::Shorthand),
            ("lib.git", UrlProblem::BareRelative),
            ("sub/lib", UrlProblem::BareRelative),
            (".", UrlProblem::BareRelative),
            ("../../../x", UrlProblem::ClimbsTooHigh),
        ];
        for (url, problem) in table {
            assert_eq!(resolve_url("/srv/tpl", url), Err(problem), "{url}");
        }
        assert_eq!(
            resolve_url("git@host:r", "../../x"),
            Err(UrlProblem::ClimbsTooHigh)
        );
    }
}
