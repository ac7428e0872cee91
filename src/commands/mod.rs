//! One module per subcommand: each resolves its settings from its flags and
//! the environment read at start ([`Env`]), calls the pipeline
//! ([`crate::pipeline`]), prints the results and decides the exit code.

pub mod check;
pub mod check_update;
pub mod completions;
pub mod copy;
pub mod diff;
pub mod man;
mod progress_bar;
pub mod recopy;
pub mod remove;
pub mod update;

use crate::cli::CommonArgs;
use crate::printer::Printer;
use crate::source::SourceOptions;

pub use crate::env::Env;
pub use crate::pipeline::open::open_project;
use crate::pipeline::recorded::OpenSettings;
pub use crate::pipeline::render::read_data_file;
use crate::pipeline::render::RenderSettings;
pub use progress_bar::{progress_bars, ProgressBar};

/// How the command reaches its project's template.
pub fn open_settings(env: &Env, common: &CommonArgs) -> OpenSettings {
    OpenSettings {
        source: env.source_options(common),
        prereleases: common.prereleases,
        trust: common.trust,
    }
}

/// The render settings `common` asks for.
pub fn render_settings(common: &CommonArgs) -> RenderSettings {
    RenderSettings {
        data: common.data.clone(),
        data_file: common.data_file.clone(),
        answers_file: common.answers_file.clone(),
        ask: common.ask.clone(),
        exclude: common.exclude.clone(),
        skip: common.skip.clone(),
        pretend: common.pretend,
        quiet: common.quiet,
        skip_tasks: common.skip_tasks,
        prereleases: common.prereleases,
    }
}

/// What the flags every command shares make of the environment.
impl Env {
    pub fn printer(&self, common: &CommonArgs) -> Printer {
        Printer {
            quiet: common.quiet,
            verbose: common.verbose,
            color: self.stderr_terminal && !self.no_color,
        }
    }

    pub fn source_options(&self, common: &CommonArgs) -> SourceOptions {
        SourceOptions {
            cache_dir: self.cache_dir.clone(),
            offline: common.offline,
            show_progress: self.stderr_terminal && !common.quiet && !common.json,
        }
    }
}

/// Whether reaching `src` may need HTTPS (and so OpenSSL's CA certificates).
fn needs_tls(src: &str) -> bool {
    let s = src.trim().to_ascii_lowercase();
    ["https://", "http://", "gh:", "gl:"]
        .iter()
        .any(|p| s.starts_with(p))
}

/// Whether one of `sources` may be reached over HTTPS, and so needs
/// OpenSSL's CA certificates; `None` means "unknown": yes. At
/// start-up libgit2 has OpenSSL load the whole CA bundle (about 25 ms, a
/// large share of a local copy), which only an HTTPS fetch needs; the
/// binary starts libgit2 without it when this says no (see `main.rs`).
pub fn may_need_tls(sources: Option<&[String]>) -> bool {
    sources.is_none_or(|sources| sources.iter().any(|s| needs_tls(s)))
}

/// Starts libgit2 before anything else uses it (it may have started
/// already; starting it again changes nothing).
///
/// Objects are not hashed again on every read: like git, graft relies on
/// the checks made when objects enter a repository (a clone or fetch
/// verifies every object it receives). Hashing each blob it reads took
/// about a tenth of a copy's time.
pub fn start_libgit2() {
    let _ = git2::Buf::new();
    git2::opts::strict_hash_verification(false);
}

/// The template sources a command will open, read before libgit2 starts:
/// `SRC` for copy, the `_src_path` of each answers file for the others.
/// `None` when they cannot be known cheaply. A project whose answers file
/// cannot be read opens no template: the command stops at that error.
pub fn sources_of(command: &crate::cli::Command, env: &Env) -> Option<Vec<String>> {
    use crate::cli::Command;
    let (dests, answers_file) = match command {
        Command::Copy(args) => return Some(vec![args.src.clone()]),
        Command::Update(a) => (vec![&a.dest], a.common.answers_file.as_deref()),
        Command::Recopy(a) => (vec![&a.dest], a.common.answers_file.as_deref()),
        Command::Check(a) => (a.dests.iter().collect(), a.answers_file.as_deref()),
        Command::Diff(a) => (vec![&a.dest], a.answers_file.as_deref()),
        Command::Remove(a) => (vec![&a.dest], Some(a.answers_file.as_str())),
        Command::Completions(_) | Command::Man(_) => return Some(Vec::new()),
    };
    // A folder of projects (`check`) is not read ahead: unknown.
    let fleet = matches!(command, Command::Check(_));
    let mut out = Vec::new();
    for dest in dests {
        let dest = env.absolute(dest);
        let Ok(files) = crate::project::answers_files(&dest, answers_file) else {
            return (!fleet).then_some(out);
        };
        for file in files {
            match crate::project::read_answers(&dest, &file) {
                Ok(answers) => out.push(answers.src_path),
                Err(_) => return (!fleet).then_some(out),
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{may_need_tls, needs_tls, sources_of};
    use clap::Parser;

    #[test]
    fn a_project_without_answers_opens_no_template_but_a_folder_of_projects_may() {
        let dir = tempfile::tempdir().unwrap();
        let env = crate::env::Env::from_process().unwrap();
        let sources = |args: &[&str]| {
            let cli = crate::cli::Cli::try_parse_from(args).unwrap();
            sources_of(&cli.command, &env)
        };
        let dest = dir.path().to_str().unwrap();
        for command in ["update", "recopy", "diff"] {
            assert_eq!(
                sources(&["graft", command, dest]),
                Some(vec![]),
                "{command}"
            );
        }
        assert_eq!(sources(&["graft", "check", dest]), None);
        std::fs::write(
            dir.path().join(".graft-answers.yml"),
            "_src_path: https://example.invalid/t.git\n_commit: v1\n",
        )
        .unwrap();
        let found = sources(&["graft", "update", dest]);
        assert_eq!(
            found.as_deref(),
            Some(&["https://example.invalid/t.git".to_string()][..])
        );
        assert!(may_need_tls(found.as_deref()));
        assert!(may_need_tls(None));
        assert!(!may_need_tls(Some(&[])));
        assert!(!may_need_tls(Some(&["/tmp/t".to_string()])));
    }

    #[test]
    fn only_https_sources_need_the_certificates() {
        for src in ["https://host/r.git", "HTTP://host/r", "gh:o/r", "gl:g/r"] {
            assert!(needs_tls(src), "{src}");
        }
        for src in [
            "/tmp/t",
            "file:///tmp/t",
            "git://host/r",
            "ssh://git@host/r",
            "git@host:o/r",
            "t",
        ] {
            assert!(!needs_tls(src), "{src}");
        }
    }
}
