//! graft: a project template engine. `graft copy` renders a template from a
//! git repository into a new project and records the answers; `graft
//! update` later merges the template's changes into the project without
//! losing the project's edits.
//!
//! Data flows one way: source → template config → answers → render →
//! (merge) → plan → apply → report. Only [`commands`] print, read the
//! environment or decide exit codes.

pub mod answers;
pub mod apply;
pub mod cli;
pub mod commands;
pub mod config;
pub mod copier_cli;
pub mod dialect;
pub mod error;
pub mod inject;
pub mod journal;
pub mod lock;
pub mod merge;
pub mod plan;
pub mod printer;
pub mod project;
pub mod project_git;
pub mod prompt;
pub mod render;
pub mod report;
pub mod settings;
pub mod source;
pub mod tasks;
pub mod tree;
pub mod trust;

use std::ffi::OsString;

use clap::Parser;

use crate::cli::{Cli, Command, CommonArgs};
use crate::commands::Env;
use crate::error::EXIT_FAILURE;
use crate::printer::Printer;

/// Runs graft with these arguments and returns the process exit code.
/// Under the program name `copier` the arguments are Copier's command
/// line (see [`copier_cli`]).
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    if args
        .first()
        .is_some_and(|name| copier_cli::is_copier_name(name))
    {
        return run_as_copier(args);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_FAILURE } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let Some(env) = process_env() else {
        return EXIT_FAILURE;
    };
    let (result, printer) = execute(&cli.command, &env);
    match result {
        Ok(code) => code,
        Err(e) => {
            printer.error(&e);
            if wants_json(&cli.command) {
                let report = serde_json::json!({ "error": e.to_json() });
                println!("{report:#}");
            }
            e.exit_code()
        }
    }
}

/// Runs Copier's command line `args` as graft: the same commands through
/// the same code, answering with Copier's exit codes.
fn run_as_copier(args: Vec<OsString>) -> i32 {
    let invocation = match copier_cli::parse(args) {
        Ok(invocation) => invocation,
        Err(copier_cli::ParseError::Clap(e)) => {
            let code = if e.use_stderr() {
                copier_cli::EXIT_USAGE
            } else {
                0
            };
            let _ = e.print();
            return code;
        }
        Err(copier_cli::ParseError::Refused(e)) => {
            Printer::default().error(&e);
            return copier_cli::EXIT_USAGE;
        }
    };
    match invocation {
        copier_cli::Invocation::Print { text, exit_code } => {
            if exit_code == 0 {
                print!("{text}");
            } else {
                eprint!("{text}");
            }
            exit_code
        }
        copier_cli::Invocation::Graft { command, warning } => {
            let Some(mut env) = process_env() else {
                return copier_cli::EXIT_ERROR;
            };
            env.bare_dialect = Some(dialect::Dialect::Copier);
            if let Some(warning) = warning {
                env.printer(&Default::default()).warn(&warning);
            }
            let (result, printer) = execute(&command, &env);
            if let Err(e) = &result {
                printer.error(e);
            }
            copier_cli::exit_code(&result)
        }
        copier_cli::Invocation::CheckUpdate(settings) => {
            let Some(env) = process_env() else {
                return copier_cli::EXIT_ERROR;
            };
            commands::start_libgit2();
            let printer = env.printer(&CommonArgs {
                quiet: settings.quiet,
                ..Default::default()
            });
            match commands::check_update::run(&settings, &env, &printer) {
                Ok(code) => code,
                Err(e) => {
                    printer.error(&e);
                    copier_cli::exit_code(&Err(e))
                }
            }
        }
    }
}

/// The process environment, or `None` after printing why it cannot be read.
fn process_env() -> Option<Env> {
    match Env::from_process() {
        Ok(env) => Some(env),
        Err(e) => {
            Printer::default().error(&e);
            None
        }
    }
}

/// Runs one graft command: its result, and the printer its error goes to.
fn execute(command: &Command, env: &Env) -> (Result<i32, error::Error>, Printer) {
    commands::start_libgit2();
    match command {
        Command::Copy(args) => (commands::copy::run(args, env), env.printer(&args.common)),
        Command::Update(args) => (commands::update::run(args, env), env.printer(&args.common)),
        Command::Recopy(args) => (commands::recopy::run(args, env), env.printer(&args.common)),
        Command::Check(args) => (
            commands::check::run(args, env),
            env.printer(&Default::default()),
        ),
        Command::Diff(args) => (
            commands::diff::run(args, env),
            env.printer(&Default::default()),
        ),
        Command::Remove(args) => (
            commands::remove::run(args, env),
            env.printer(&Default::default()),
        ),
    }
}

/// Whether these arguments name a command that may reach a template over
/// HTTPS (and so needs OpenSSL's CA certificates when libgit2 starts):
/// `true` when that cannot be known cheaply. Reads, never changes, the
/// process's state.
pub fn may_need_tls<I, T>(args: I) -> bool
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let command = if args
        .first()
        .is_some_and(|name| copier_cli::is_copier_name(name))
    {
        match copier_cli::parse(args) {
            Ok(copier_cli::Invocation::Graft { command, .. }) => command,
            Ok(copier_cli::Invocation::CheckUpdate(settings)) => {
                Command::Check(settings.check_args())
            }
            Ok(copier_cli::Invocation::Print { .. }) | Err(_) => return false,
        }
    } else {
        match Cli::try_parse_from(args) {
            Ok(cli) => cli.command,
            Err(_) => return true,
        }
    };
    let Ok(env) = Env::from_process() else {
        return true;
    };
    commands::may_need_tls(&commands::sources_of(&command, &env))
}

/// Starts libgit2 (see [`may_need_tls`] for why the binary may start it
/// itself, first).
pub fn start_libgit2() {
    commands::start_libgit2();
}

/// Whether the command was asked for a `--json` report: on an error, that
/// report is the error.
fn wants_json(command: &Command) -> bool {
    match command {
        Command::Copy(a) => a.common.json,
        Command::Update(a) => a.common.json,
        Command::Recopy(a) => a.common.json,
        Command::Check(a) => a.json,
        Command::Diff(a) => a.json,
        Command::Remove(a) => a.json,
    }
}
