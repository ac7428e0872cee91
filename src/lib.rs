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
pub mod env;
pub mod error;
pub mod index_stat;
pub mod inject;
pub mod inside;
pub mod interrupt;
pub mod journal;
pub mod lock;
pub mod merge;
pub mod paths;
pub mod pipeline;
pub mod plan;
pub mod printer;
pub mod progress;
pub mod project;
pub mod project_git;
pub mod prompt;
pub mod quote;
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
        interrupt::install(|| {
            Printer::default().error(&error::Error::Interrupted);
            copier_cli::exit_code(&Err(error::Error::Interrupted))
        });
        return run_as_copier(args);
    }
    interrupt::install(|| {
        Printer::default().error(&error::Error::Interrupted);
        error::EXIT_INTERRUPTED
    });
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
    let printer = printer_of(&cli.command, &env);
    let json = wants_json(&cli.command);
    interrupt::install(move || {
        report_error(&printer, json, &error::Error::Interrupted);
        error::EXIT_INTERRUPTED
    });
    let result = finished(execute(&cli.command, &env));
    match result {
        Ok(code) => code,
        Err(e) => {
            report_error(&printer, json, &e);
            e.exit_code()
        }
    }
}

/// Prints a command's error: on stderr, and as the `--json` report on
/// stdout when one was asked for.
fn report_error(printer: &Printer, json: bool, e: &error::Error) {
    printer.error(e);
    if json {
        // Nothing is left to report a failure to print the report to.
        let _ = report::print(&serde_json::json!({ "error": e.to_json() }));
    }
}

/// A command's result, once it returned: an interruption that came
/// while it could not stop any more (its last writes were committed)
/// still makes it an interrupted run.
fn finished(result: Result<i32, error::Error>) -> Result<i32, error::Error> {
    match result {
        Ok(_) if interrupt::interrupted() => Err(error::Error::Interrupted),
        other => other,
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
            let printer = printer_of(&command, &env);
            interrupt::install(move || {
                printer.error(&error::Error::Interrupted);
                copier_cli::exit_code(&Err(error::Error::Interrupted))
            });
            let result = finished(execute(&command, &env));
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

/// Runs one graft command.
fn execute(command: &Command, env: &Env) -> Result<i32, error::Error> {
    commands::start_libgit2();
    match command {
        Command::Copy(args) => commands::copy::run(args, env),
        Command::Update(args) => commands::update::run(args, env),
        Command::Recopy(args) => commands::recopy::run(args, env),
        Command::Check(args) => commands::check::run(args, env),
        Command::Diff(args) => commands::diff::run(args, env),
        Command::Remove(args) => commands::remove::run(args, env),
        Command::Completions(args) => commands::completions::run(args),
        Command::Man(args) => commands::man::run(args, env),
    }
}

/// The printer a command's error goes to.
fn printer_of(command: &Command, env: &Env) -> Printer {
    match command {
        Command::Copy(args) => env.printer(&args.common),
        Command::Update(args) => env.printer(&args.common),
        Command::Recopy(args) => env.printer(&args.common),
        Command::Check(_)
        | Command::Diff(_)
        | Command::Remove(_)
        | Command::Completions(_)
        | Command::Man(_) => env.printer(&Default::default()),
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
            Ok(copier_cli::Invocation::Graft { command, .. }) => *command,
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
    if matches!(command, Command::Completions(_) | Command::Man(_)) {
        return false;
    }
    let Ok(env) = Env::from_process() else {
        return true;
    };
    commands::may_need_tls(commands::sources_of(&command, &env).as_deref())
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
        Command::Completions(_) | Command::Man(_) => false,
    }
}
