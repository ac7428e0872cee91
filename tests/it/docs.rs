//! Every command README.md and docs/ show, run as a reader would run it,
//! with the output the page shows.
//!
//! A page is read as a sequence of fenced blocks:
//!
//! - ```` ```console ```` holds commands (`$ ` lines; a line ending in `\`
//!   goes on on the next line), each followed by its exit code as `? N`
//!   when it is not 0, and then its output (stdout and stderr together).
//!   An output line `...` stands for any number of lines, and `[..]`
//!   inside a line for any text.
//! - ```` ```LANG file=PATH ```` writes its text to `PATH` (relative to
//!   the current folder of the page's shell) before the next command.
//! - ```` ```LANG source=PATH ```` quotes a file of this repository, which
//!   must hold exactly that text.
//! - ```` ```sh ````, ```` ```bash ```` and ```` ```shell ```` blocks are
//!   commands the runner cannot run (installing, the test suite itself):
//!   each is listed in [`NOT_RUN`] with the reason.
//!
//! Each page runs in one shell, in a fresh home folder that holds copies
//! of `template-repo/` and `examples/`, with `graft` on `PATH` and a git
//! identity. In the output, the home folder reads `/home/ada`.
//! `GRAFT_DOCS_SHOW=1 cargo test --test it docs::` prints what every
//! command printed, for writing a page; `GRAFT_DOCS_BLESS=1` writes what
//! they printed into the page where it differs.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The shown home folder the sandbox path is replaced with.
const HOME: &str = "/home/ada";

/// Blocks of commands that are not run, by page and first line, with why.
const NOT_RUN: &[(&str, &str, &str)] = &[
    (
        "README.md",
        "cargo run --release -- copy template-repo my-service --defaults",
        "builds graft and runs the test suite itself: `readme_opens_with_the_two_setup_commands` \
         checks the first against the debug binary and the second against .ci/run",
    ),
    (
        "README.md",
        "cargo install --path .",
        "installs into the reader's cargo home",
    ),
    (
        "README.md",
        "uv sync --extra dev           # .venv with the service and its dev tools",
        "installs Python packages: .ci/check-template.sh runs these commands in every \
         generated variant, and `readme_service_commands_are_the_generated_readmes` checks \
         that the generated README shows the same",
    ),
];

/// One step of a page.
#[derive(Debug)]
enum Step {
    /// A command with its expected exit code and output.
    Run {
        line: usize,
        command: String,
        code: i32,
        output: Vec<String>,
        /// The 0-based index in the page of the first line after the
        /// command, and how many lines its status and output take.
        shown: (usize, usize),
    },
    /// A file the page writes.
    Write { path: String, text: String },
}

/// A fenced block: its info string, first line number and text.
struct Block {
    info: String,
    line: usize,
    text: String,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String, usize)> = None;
    for (number, line) in markdown.lines().enumerate() {
        match open.take() {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    open = Some((info.trim().to_string(), String::new(), number + 2));
                }
            }
            Some((info, text, start)) => {
                if line.trim_end() == "```" {
                    blocks.push(Block {
                        info,
                        line: start,
                        text,
                    });
                } else {
                    open = Some((info, text + line + "\n", start));
                }
            }
        }
    }
    assert!(open.is_none(), "a fenced block is never closed");
    blocks
}

/// `key=VALUE` of an info string: the value runs to the end of the line,
/// so a path may hold spaces.
fn attribute<'a>(info: &'a str, key: &str) -> Option<&'a str> {
    let at = info.find(&format!(" {key}="))?;
    Some(info[at + key.len() + 2..].trim())
}

/// The steps of `page` (a path relative to the repository).
fn steps(page: &str, markdown: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    for block in blocks(markdown) {
        let lang = block.info.split_whitespace().next().unwrap_or("");
        if let Some(path) = attribute(&block.info, "file") {
            steps.push(Step::Write {
                path: path.to_string(),
                text: block.text,
            });
        } else if let Some(path) = attribute(&block.info, "source") {
            let actual = fs::read_to_string(repo().join(path))
                .unwrap_or_else(|e| panic!("{page}:{}: cannot read {path}: {e}", block.line));
            assert_eq!(
                block.text, actual,
                "{page}:{}: the quoted {path} is not the file",
                block.line
            );
        } else if lang == "console" {
            steps.extend(commands(page, &block));
        } else if matches!(lang, "sh" | "bash" | "shell") {
            let first = block.text.lines().next().unwrap_or("");
            assert!(
                NOT_RUN.iter().any(|(p, l, _)| *p == page && *l == first),
                "{page}:{}: a `{lang}` block is not run; show commands as `console` \
                 (or list the block in NOT_RUN with why)",
                block.line
            );
        }
    }
    steps
}

fn commands(page: &str, block: &Block) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut lines = block.text.lines().enumerate().peekable();
    while let Some((offset, line)) = lines.next() {
        let Some(first) = line.strip_prefix("$ ") else {
            panic!(
                "{page}:{}: output before any `$ ` command",
                block.line + offset
            );
        };
        let mut command = first.to_string();
        while command.ends_with('\\') {
            let (_, next) = lines
                .next()
                .expect("a command ends in `\\` at the block's end");
            command.push('\n');
            command.push_str(next);
        }
        let after = lines.peek().map_or(block.text.lines().count(), |(i, _)| *i);
        let mut code = 0;
        if let Some((_, status)) = lines.peek() {
            if let Some(n) = status.strip_prefix("? ") {
                code = n.parse().expect("`? N` holds an exit code");
                lines.next();
            }
        }
        let mut output = Vec::new();
        while let Some((_, next)) = lines.peek() {
            if next.starts_with("$ ") {
                break;
            }
            output.push(next.to_string());
            lines.next();
        }
        let end = lines.peek().map_or(block.text.lines().count(), |(i, _)| *i);
        steps.push(Step::Run {
            line: block.line + offset,
            command,
            code,
            output,
            shown: (block.line - 1 + after, end - after),
        });
    }
    steps
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shell script that runs `steps`, marking where each command's
/// output starts and ends.
fn script(steps: &[Step]) -> String {
    let mut script = String::from("exec 2>&1\n");
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::Write { path, text } => {
                let path = path.replace('\'', "'\\''");
                let _ = writeln!(
                    script,
                    "mkdir -p \"$(dirname '{path}')\" && cat > '{path}' <<'GRAFT_DOCS_EOF'\n{text}GRAFT_DOCS_EOF"
                );
            }
            Step::Run { command, .. } => {
                let _ = writeln!(
                    script,
                    "printf '\\036start {i}\\036'\n{command}\nprintf '\\036end %d\\036' $?"
                );
            }
        }
    }
    script
}

/// Copies `from` into `to`, recursively, keeping executable bits and symlinks.
fn copy_tree(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .expect("run cp");
    assert!(
        status.success(),
        "cp -a {} {}",
        from.display(),
        to.display()
    );
}

/// Whether `actual` lines match `expected` lines (`...` and `[..]`).
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => match actual.split_first() {
            Some((line, more)) => line_matches(first, line) && matches(rest, more),
            None => false,
        },
    }
}

fn line_matches(expected: &str, actual: &str) -> bool {
    let mut parts = expected.split("[..]");
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// Runs every command of `page` in a fresh home and checks its output.
fn run_page(page: &str) {
    let markdown = fs::read_to_string(repo().join(page)).expect("read page");
    let steps = steps(page, &markdown);
    if !steps.iter().any(|s| matches!(s, Step::Run { .. })) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let home = dir.path().canonicalize().expect("canonical temp dir");
    copy_tree(&repo().join("template-repo"), &home);
    copy_tree(&repo().join("examples"), &home);
    fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = Ada Lovelace\n\temail = ada@example.com\n\
         [init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n",
    )
    .expect("write .gitconfig");
    let bin = Path::new(env!("CARGO_BIN_EXE_graft"))
        .parent()
        .expect("graft's folder")
        .to_path_buf();
    let path = std::env::join_paths([bin].into_iter().chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    let mut shell = Command::new("bash");
    for (key, _) in std::env::vars() {
        if key.starts_with("GRAFT_")
            || key.starts_with("GIT_")
            || key.starts_with("COPIER_")
            || key.starts_with("XDG_")
            || key == "CLICOLOR_FORCE"
        {
            shell.env_remove(key);
        }
    }
    let output = shell
        .arg("--noprofile")
        .arg("--norc")
        .arg("-c")
        .arg(script(&steps))
        .current_dir(&home)
        .env("HOME", &home)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .output()
        .expect("run bash");
    let text = String::from_utf8_lossy(&output.stdout).replace(&home.display().to_string(), HOME);
    let mut rest = text.as_str();
    let bless = std::env::var_os("GRAFT_DOCS_BLESS").is_some();
    let mut blessed: Vec<String> = markdown.lines().map(String::from).collect();
    let mut replacements = Vec::new();
    for step in &steps {
        let Step::Run {
            line,
            command,
            code,
            output: expected,
            shown,
        } = step
        else {
            continue;
        };
        let finished = rest
            .split_once("\u{1e}start ")
            .and_then(|(_, after)| after.split_once('\u{1e}'))
            .and_then(|(_, after)| after.split_once("\u{1e}end "))
            .and_then(|(out, after)| {
                let (code, after) = after.split_once('\u{1e}')?;
                Some((out, code.parse::<i32>().ok()?, after))
            });
        let Some((out, actual_code, after)) = finished else {
            panic!("{page}:{line}: `{command}` never finished; the page's shell printed\n{text}");
        };
        rest = after;
        let actual: Vec<&str> = out.lines().collect();
        if std::env::var_os("GRAFT_DOCS_SHOW").is_some() {
            eprintln!("{page}:{line}: $ {command}\n? {actual_code}\n{out}");
        }
        let same = actual_code == *code && matches(expected, &actual);
        if bless {
            if !same {
                let status = (actual_code != 0).then(|| format!("? {actual_code}"));
                let lines: Vec<String> = status
                    .into_iter()
                    .chain(actual.iter().map(|l| l.to_string()))
                    .collect();
                replacements.push((*shown, lines));
            }
            continue;
        }
        assert!(
            same,
            "{page}:{line}: `{command}`\nexpected (exit {code}):\n{}\nactual (exit {actual_code}):\n{out}",
            expected.join("\n")
        );
    }
    for ((start, len), lines) in replacements.into_iter().rev() {
        blessed.splice(start..start + len, lines);
    }
    if bless {
        fs::write(repo().join(page), blessed.join("\n") + "\n").expect("write page");
    }
}

macro_rules! pages {
    ($($name:ident => $page:literal,)*) => {
        $(
            #[test]
            fn $name() {
                run_page($page);
            }
        )*

        /// Every page of docs/ has its test above.
        #[test]
        fn every_page_is_run() {
            let listed = [$($page),*];
            let mut pages: Vec<String> = fs::read_dir(repo().join("docs"))
                .expect("read docs/")
                .map(|e| format!("docs/{}", e.expect("entry").file_name().to_string_lossy()))
                .filter(|p| p.ends_with(".md"))
                .collect();
            pages.push("README.md".to_string());
            pages.push("examples/README.md".to_string());
            for page in pages {
                assert!(listed.contains(&page.as_str()), "{page} has no test in tests/it/docs.rs");
            }
        }
    };
}

pages! {
    readme => "README.md",
    modules => "docs/modules.md",
    tutorial => "docs/tutorial.md",
    template_format => "docs/template-format.md",
    commands_page => "docs/commands.md",
    updating => "docs/updating.md",
    ci => "docs/ci.md",
    security => "docs/security.md",
    copier => "docs/copier.md",
    faq => "docs/faq.md",
    examples_readme => "examples/README.md",
}

#[test]
fn readme_opens_with_the_two_setup_commands() {
    let readme = fs::read_to_string(repo().join("README.md")).expect("read README");
    let first = &blocks(&readme)[0];
    assert_eq!(
        first.text,
        "cargo run --release -- copy template-repo my-service --defaults\ncargo test\n"
    );
    let ci = fs::read_to_string(repo().join(".ci/run")).expect("read .ci/run");
    assert!(ci.contains("\ncargo test --locked 2>&1"), "{ci}");
    // The first command, with the binary this suite built.
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&repo().join("template-repo"), dir.path());
    let status = Command::new(env!("CARGO_BIN_EXE_graft"))
        .args(["copy", "template-repo", "my-service", "--defaults", "-q"])
        .current_dir(dir.path())
        .env("GRAFT_SETTINGS", dir.path().join("settings.yml"))
        .env("GRAFT_CACHE_DIR", dir.path().join("cache"))
        .status()
        .expect("run graft");
    assert!(status.success());
    assert!(dir.path().join("my-service/pyproject.toml").is_file());
    // The first screen: the commands, then the pitch.
    let first_screen: String = readme.lines().take(24).collect::<Vec<_>>().join("\n");
    assert!(first_screen.contains("three-way merges"), "{first_screen}");
}

#[test]
fn wildcards_match_what_they_say() {
    let lines = |s: &str| s.lines().map(String::from).collect::<Vec<_>>();
    assert!(matches(&lines("a\n...\nd"), &["a", "b", "c", "d"]));
    assert!(matches(&lines("a\n...\nb"), &["a", "b"]));
    assert!(!matches(&lines("a\nd"), &["a", "b", "d"]));
    assert!(line_matches("commit [..] done", "commit 3f5c9a0 done"));
    assert!(line_matches("[..]", "anything"));
    assert!(!line_matches("commit [..] done", "commit 3f5c9a0 failed"));
    assert!(!line_matches("exact", "exactly"));
}

#[test]
fn readme_service_commands_are_the_generated_readmes() {
    let readme = fs::read_to_string(repo().join("README.md")).expect("read README");
    let block = blocks(&readme)
        .into_iter()
        .find(|b| b.text.starts_with("uv sync --extra dev"))
        .expect("README shows the service's commands");
    let dir = tempfile::tempdir().expect("temp dir");
    let status = Command::new(env!("CARGO_BIN_EXE_graft"))
        .args(["copy", "-q", "--defaults", "-d", "project_name=shop-api"])
        .arg(repo().join("template-repo"))
        .arg(dir.path().join("shop-api"))
        .env("GRAFT_SETTINGS", dir.path().join("settings.yml"))
        .env("GRAFT_CACHE_DIR", dir.path().join("cache"))
        .status()
        .expect("run graft");
    assert!(status.success());
    let generated = fs::read_to_string(dir.path().join("shop-api/README.md")).expect("read");
    assert!(
        generated.contains(&format!("```sh\n{}```\n", block.text)),
        "the generated README does not show\n{}",
        block.text
    );
}

/// The pages, for checks of what they name.
const PAGES: [&str; 11] = [
    "README.md",
    "examples/README.md",
    "docs/tutorial.md",
    "docs/template-format.md",
    "docs/commands.md",
    "docs/updating.md",
    "docs/modules.md",
    "docs/ci.md",
    "docs/security.md",
    "docs/copier.md",
    "docs/faq.md",
];

/// Every `module::test` a page names is a test in `tests/it/module.rs`,
/// and every `test` "in `src/file.rs`" one in that file, so the security
/// page's list of the tests behind each rule stays true.
#[test]
fn tests_the_pages_name_exist() {
    let named = regex::Regex::new(r"`([a-z_]+)::([a-z_0-9]+)`").unwrap();
    let in_src = regex::Regex::new(r"`([a-z_0-9]+)`\s+in\s+`(src/[a-z_/]+\.rs)`").unwrap();
    let mut checked = 0;
    for page in PAGES {
        let text = fs::read_to_string(repo().join(page)).expect("read page");
        // Names split over lines still count.
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for c in named.captures_iter(&text) {
            let (module, test) = (&c[1], &c[2]);
            if module == "module" {
                continue;
            }
            let file = repo().join(format!("tests/it/{module}.rs"));
            let Ok(source) = fs::read_to_string(&file) else {
                continue;
            };
            assert!(
                source.contains(&format!("fn {test}(")),
                "{page} names `{module}::{test}`, which {} does not hold",
                file.display()
            );
            checked += 1;
        }
        for c in in_src.captures_iter(&text) {
            let source = fs::read_to_string(repo().join(&c[2]))
                .unwrap_or_else(|e| panic!("{page} names {}: {e}", &c[2]));
            assert!(
                source.contains(&format!("fn {}(", &c[1])),
                "{page} names `{}` in `{}`, which it does not hold",
                &c[1],
                &c[2]
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} test names checked");
}

/// Every file or folder of this repository a page names exists.
#[test]
fn paths_the_pages_name_exist() {
    let path = regex::Regex::new(
        r"`((?:src|tests|examples|bench|template-repo|docs|\.ci)/[A-Za-z0-9_./-]*)`",
    )
    .unwrap();
    for page in PAGES {
        let text = fs::read_to_string(repo().join(page)).expect("read page");
        for c in path.captures_iter(&text) {
            let rel = c[1].trim_end_matches('/');
            assert!(
                repo().join(rel).exists(),
                "{page} names `{}`, which this repository does not hold",
                &c[1]
            );
        }
    }
}
