//! Copier 9's command line, for when graft runs under the name `copier`
//! (a link named `copier` to the graft binary): scripts and bots that call
//! `copier copy`, `copier update`, `copier recopy` or `copier check-update`
//! keep working, with graft's engine behind them.
//!
//! The boundary: this module parses Copier's argv with clap types that
//! mirror Copier 9.19.1's switches and help texts, and turns it into
//! graft's own [`Command`], which then runs exactly as `graft` runs it
//! (`check-update` becomes [`CheckUpdate`], graft's check reported in
//! Copier's words). It reads no template, and of the project only
//! whether Copier's answers file is there. Every
//! Copier switch is either mapped to graft's, accepted because graft
//! needs no such setting (its help says why), or refused with exit code 2
//! and a message naming the switch ([`ParseError::Refused`]); none is
//! silently dropped.
//!
//! Exit codes follow Copier's, because that is what scripts read:
//!
//! | outcome | `graft` | as `copier` |
//! |---|---|---|
//! | success, and `update` that left conflicts | 0, 1 | 0 |
//! | `check-update --quiet` found a newer version | (1) | 2 |
//! | a switch or argument Copier would not parse, or one graft refuses | 2 | 2 |
//! | no command given | 2 | 1 |
//! | any error while running (template, answers, git, I/O, dirty project) | 2 | 1 |
//! | the template needs `--trust` | 4 | 4 |
//! | interrupted | 130 | 1 |

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::cli::{self, Command, CommonArgs, ConflictStyle};
use crate::commands::check_update::CheckUpdate;
use crate::dialect::{Dialect, COPIER_VERSION};
use crate::error::{Error, EXIT_TRUST};

/// Copier's exit code for an error (`UserMessageError` and anything else).
pub const EXIT_ERROR: i32 = 1;
/// Copier's exit code for a command line it cannot parse.
pub const EXIT_USAGE: i32 = 2;
/// Copier's exit code for "the template uses unsafe features" (`0b100`).
pub const EXIT_UNSAFE: i32 = 4;

/// What `copier --version` prints after `copier `: the Copier release
/// whose templates graft renders alike, then graft's own version.
static VERSION: LazyLock<String> =
    LazyLock::new(|| format!("{COPIER_VERSION} (graft {})", env!("CARGO_PKG_VERSION")));

/// Whether a program invoked as `argv0` speaks Copier's command line:
/// its file name is `copier` (or `copier.exe`).
pub fn is_copier_name(argv0: &OsStr) -> bool {
    Path::new(argv0)
        .file_name()
        .and_then(OsStr::to_str)
        .is_some_and(|name| name == "copier" || name.eq_ignore_ascii_case("copier.exe"))
}

/// What a Copier command line asks graft to do.
#[derive(Debug)]
pub enum Invocation {
    /// Run this graft command. `warning` is printed first (Copier 8's
    /// positional form).
    Graft {
        command: Box<Command>,
        warning: Option<String>,
    },
    /// `copier check-update`.
    CheckUpdate(CheckUpdate),
    /// Print `text` and exit: on stdout with 0, on stderr otherwise.
    Print { text: String, exit_code: i32 },
}

/// Why a Copier command line does not run.
#[derive(Debug)]
pub enum ParseError {
    /// Copier would not parse it either (or it asked for help or the version).
    Clap(clap::Error),
    /// A switch Copier has and graft cannot honour.
    Refused(Error),
}

/// Parses Copier's argv (`args[0]` is the program name).
pub fn parse(args: Vec<OsString>) -> Result<Invocation, ParseError> {
    if let Some(early) = meta_switch(&args) {
        return early;
    }
    let (args, legacy) = legacy_copy(args);
    let cli = CopierCli::try_parse_from(args).map_err(ParseError::Clap)?;
    let Some(command) = cli.command else {
        return Ok(Invocation::Print {
            text: format!(
                "error: no command given\n\n{}",
                CopierCli::command().render_help()
            ),
            exit_code: EXIT_ERROR,
        });
    };
    let warning = legacy.then(|| {
        "`copier TEMPLATE DEST` is Copier 8's form of `copier copy TEMPLATE DEST`; Copier 9 takes only the second".to_string()
    });
    let command = match command {
        CopierCommand::Copy(a) => graft_copy(a),
        CopierCommand::Recopy(a) => graft_recopy(a),
        CopierCommand::Update(a) => graft_update(a),
        CopierCommand::CheckUpdate(a) => {
            return Ok(Invocation::CheckUpdate(graft_check_update(a)));
        }
    };
    Ok(Invocation::Graft {
        command: Box::new(command),
        warning,
    })
}

/// The meta-switches, which act before the rest of the line is read, as in
/// Copier: `copier copy --help-all` needs no template. `None` when there
/// is none before `--`.
fn meta_switch(args: &[OsString]) -> Option<Result<Invocation, ParseError>> {
    let switches = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy())
        .take_while(|a| a != "--");
    for switch in switches {
        if switch == "--help-all" {
            return Some(Ok(Invocation::Print {
                text: help_all(),
                exit_code: 0,
            }));
        }
        if switch == "--completions" || switch.starts_with("--completions=") {
            return Some(Err(ParseError::Refused(Error::UnsupportedFlag {
                flag: "--completions".to_string(),
                reason: "graft does not write shell completion scripts for the `copier` name"
                    .to_string(),
            })));
        }
    }
    None
}

/// `copier copy` as graft's `copy`.
fn graft_copy(a: CopyArgs) -> Command {
    Command::Copy(cli::CopyArgs {
        src: a.template_src,
        dest: a.destination_path,
        common: CommonArgs {
            ask: a.ask,
            ..a.common.to_graft(a.defaults)
        },
        overwrite: a.overwrite,
        force: a.force,
        keep_on_error: a.no_cleanup,
    })
}

/// `copier recopy` as graft's `recopy` of the latest version; `--force`
/// implies `--defaults` and `--overwrite`, as in Copier.
fn graft_recopy(a: RecopyArgs) -> Command {
    let dest = a.destination_path;
    let mut common = a.common.to_graft(a.defaults || a.force);
    common.ask = a.ask;
    common.answers_file = copier_answers_file(&dest, common.answers_file);
    Command::Recopy(cli::RecopyArgs {
        dest,
        common,
        overwrite: a.overwrite || a.force,
        skip_answered: a.skip_answered,
        // Copier's recopy is a copy: of the latest version.
        latest: true,
    })
}

/// `copier update` as graft's `update`.
fn graft_update(a: UpdateArgs) -> Command {
    let dest = a.destination_path;
    let mut common = a.common.to_graft(a.defaults);
    common.ask = a.ask;
    common.answers_file = copier_answers_file(&dest, common.answers_file);
    Command::Update(cli::UpdateArgs {
        dest,
        common,
        conflict: match a.conflict {
            Conflict::Inline => ConflictStyle::Inline,
            Conflict::Rej => ConflictStyle::Rej,
        },
        skip_answered: a.skip_answered,
        allow_dirty: false,
        context_lines: usize::try_from(a.context_lines).unwrap_or(0),
    })
}

/// `copier check-update` as graft's check.
fn graft_check_update(a: CheckUpdateArgs) -> CheckUpdate {
    let answers_file = copier_answers_file(&a.destination_path, a.answers_file);
    CheckUpdate {
        dest: a.destination_path,
        answers_file,
        prereleases: a.prereleases,
        quiet: a.quiet,
        json: matches!(a.output_format, OutputFormat::Json),
    }
}

/// Copier's exit code for the result of a graft command (see the table
/// in the module doc).
pub fn exit_code(result: &Result<i32, Error>) -> i32 {
    match result {
        // graft's 1 is "finished, but look": conflicts left by `update`,
        // which Copier reports with 0.
        Ok(_) => 0,
        Err(e) if e.exit_code() == EXIT_TRUST => EXIT_UNSAFE,
        Err(_) => EXIT_ERROR,
    }
}

/// Copier reads `.copier-answers.yml` unless told otherwise, where graft
/// looks for its own answers file first: without `-a`, a project that has
/// Copier's file gets it named.
fn copier_answers_file(dest: &Path, given: Option<String>) -> Option<String> {
    let default = Dialect::Copier.default_answers_file();
    given.or_else(|| dest.join(default).is_file().then(|| default.to_string()))
}

/// Copier 8 read `copier [SWITCHES] TEMPLATE DEST` as a copy; Copier 9
/// dropped that form. A first argument that is neither a command nor one
/// of the switches Copier takes without a command gets `copy` put before
/// it, so such scripts keep working; `true` when it was.
fn legacy_copy(mut args: Vec<OsString>) -> (Vec<OsString>, bool) {
    const COMMANDS: [&str; 4] = ["copy", "update", "recopy", "check-update"];
    const TOP_LEVEL: [&str; 6] = [
        "-h",
        "--help",
        "--help-all",
        "-v",
        "--version",
        "--completions",
    ];
    let legacy = args.get(1).is_some_and(|first| {
        let first = first.to_string_lossy();
        let switch = first.split('=').next().unwrap_or_default();
        !COMMANDS.contains(&first.as_ref()) && !TOP_LEVEL.contains(&switch)
    });
    if legacy {
        args.insert(1, OsString::from("copy"));
    }
    (args, legacy)
}

/// `copier --help-all`: the help of the program and of every command.
fn help_all() -> String {
    let mut command = CopierCli::command();
    command.build();
    let mut out = command.render_help().to_string();
    for sub in command.get_subcommands_mut() {
        out.push_str("\n---\n\n");
        out.push_str(&sub.render_help().to_string());
    }
    out
}

/// Create a new project from a template.
///
/// Docs in https://copier.readthedocs.io/
///
/// WARNING! Use only trusted project templates, as they might execute code
/// with the same level of access as your user.
#[derive(Debug, Parser)]
#[command(
    name = "copier",
    version = VERSION.as_str(),
    disable_version_flag = true,
    disable_help_subcommand = true,
    propagate_version = true,
    max_term_width = 100,
    after_help = "This is graft, answering to Copier 9's command lines: the same commands, \
                  switches and exit codes, with graft's engine behind them. `graft --help` \
                  shows graft's own commands."
)]
struct CopierCli {
    #[command(flatten)]
    meta: MetaArgs,
    #[command(subcommand)]
    command: Option<CopierCommand>,
}

/// Copier's meta-switches, which every command takes.
#[derive(Debug, Args)]
struct MetaArgs {
    /// Prints the program's version and quits
    #[arg(short = 'v', long = "version", action = ArgAction::Version)]
    version: Option<bool>,
    /// Prints help messages of all sub-commands and quits
    #[arg(long)]
    help_all: bool,
    /// Prints shell completion script and quits (not supported: graft writes
    /// no completion scripts for the `copier` name)
    #[arg(long, value_name = "SHELL", value_parser = ["bash", "fish"])]
    completions: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutputFormat {
    Plain,
    Json,
}

#[derive(Debug, Subcommand)]
enum CopierCommand {
    #[command(display_name = "copier copy")]
    Copy(CopyArgs),
    #[command(display_name = "copier recopy")]
    Recopy(RecopyArgs),
    #[command(display_name = "copier update")]
    Update(UpdateArgs),
    #[command(display_name = "copier check-update")]
    CheckUpdate(CheckUpdateArgs),
}

/// Switches of `copy`, `recopy` and `update` (Copier's `_Subcommand`).
#[derive(Debug, Args)]
struct SubcommandArgs {
    /// Update using this path (relative to `destination_path`) to find the
    /// answers file
    #[arg(short = 'a', long, value_name = "VALUE")]
    answers_file: Option<String>,
    /// A name or shell-style pattern matching files or folders that must not
    /// be copied; may be given multiple times
    #[arg(short = 'x', long, value_name = "VALUE")]
    exclude: Vec<String>,
    /// Git reference to checkout in `template_src`. If you do not specify
    /// it, it will try to checkout the latest git tag, as sorted using the
    /// PEP 440 algorithm. If you want to checkout always the latest version,
    /// use `--vcs-ref=HEAD`. Use the special value `:current:` to refer to
    /// the current reference of the template if it already exists.
    #[arg(short = 'r', long, value_name = "VALUE")]
    vcs_ref: Option<String>,
    /// Run but do not make any changes
    #[arg(short = 'n', long)]
    pretend: bool,
    /// Skip specified files if they exist already; may be given multiple times
    #[arg(short = 's', long, value_name = "VALUE")]
    skip: Vec<String>,
    /// Suppress status output
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Use prereleases to compare template VCS tags.
    #[arg(short = 'g', long)]
    prereleases: bool,
    /// Allow templates with unsafe features (Jinja extensions, migrations,
    /// tasks)
    #[arg(long = "UNSAFE", visible_alias = "trust")]
    unsafe_: bool,
    /// Skip template tasks execution
    #[arg(short = 'T', long)]
    skip_tasks: bool,
    /// Make VARIABLE available as VALUE when rendering the template; may be
    /// given multiple times
    #[arg(short = 'd', long, value_name = "VARIABLE=VALUE")]
    data: Vec<String>,
    /// Load data from a YAML file
    #[arg(long, value_name = "PATH", value_parser = existing_file)]
    data_file: Option<PathBuf>,
}

impl SubcommandArgs {
    /// graft's common flags for these switches.
    fn to_graft(&self, defaults: bool) -> CommonArgs {
        CommonArgs {
            data: self.data.clone(),
            data_file: self.data_file.clone(),
            defaults,
            answers_file: self.answers_file.clone(),
            vcs_ref: self.vcs_ref.clone(),
            prereleases: self.prereleases,
            exclude: self.exclude.clone(),
            skip: self.skip.clone(),
            pretend: self.pretend,
            trust: self.unsafe_,
            skip_tasks: self.skip_tasks,
            quiet: self.quiet,
            ..CommonArgs::default()
        }
    }
}

/// Copier checks `--data-file` before it runs anything (exit code 2).
fn existing_file(value: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(value);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("`{value}` is not an existing file"))
    }
}

/// Copy from a template source to a destination.
#[derive(Debug, Args)]
struct CopyArgs {
    #[command(flatten)]
    meta: MetaArgs,
    #[command(flatten)]
    common: SubcommandArgs,
    /// On error, do not delete destination if it was created by Copier.
    #[arg(short = 'C', long)]
    no_cleanup: bool,
    /// Use default answers to questions, which might be null if not
    /// specified.
    #[arg(short = 'l', long)]
    defaults: bool,
    /// Same as `--defaults --overwrite`.
    #[arg(short = 'f', long)]
    force: bool,
    /// Overwrite files that already exist, without asking.
    #[arg(short = 'w', long)]
    overwrite: bool,
    /// Ask the questions matching the given glob-pattern, even if they would
    /// be skipped by other options; may be given multiple times
    #[arg(long, value_name = "VALUE")]
    ask: Vec<String>,
    /// Where to get the template from: a git URL or a local path.
    #[arg(value_name = "TEMPLATE_SRC")]
    template_src: String,
    /// Where to generate the new subproject. It must not exist or be empty.
    #[arg(value_name = "DESTINATION_PATH")]
    destination_path: PathBuf,
}

/// Recopy a subproject from its original template
///
/// The copy must have a valid answers file which contains info from the
/// last Copier execution, including the source template (it must be a key
/// called `_src_path`).
///
/// This command will ignore any diff that you have generated since the last
/// `copier` execution. It will act as if it were the 1st time you apply the
/// template to the destination path. However, it will keep the answers.
///
/// If you want a smarter update that respects your project evolution, use
/// `copier update` instead.
#[derive(Debug, Args)]
struct RecopyArgs {
    #[command(flatten)]
    meta: MetaArgs,
    #[command(flatten)]
    common: SubcommandArgs,
    /// Use default answers to questions, which might be null if not
    /// specified.
    #[arg(short = 'l', long)]
    defaults: bool,
    /// Same as `--defaults --overwrite`.
    #[arg(short = 'f', long)]
    force: bool,
    /// Overwrite files that already exist, without asking.
    #[arg(short = 'w', long)]
    overwrite: bool,
    /// Skip questions that have already been answered
    #[arg(short = 'A', long)]
    skip_answered: bool,
    /// Ask the questions matching the given fnmatch-pattern, even if they
    /// would be skipped by other options; may be given multiple times
    #[arg(long, value_name = "VALUE")]
    ask: Vec<String>,
    /// The subproject; the current folder if not given.
    #[arg(value_name = "DESTINATION_PATH", default_value = ".")]
    destination_path: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Conflict {
    Rej,
    Inline,
}

/// Update a subproject from its original template
///
/// The copy must have a valid answers file which contains info from the
/// last Copier execution, including the source template (it must be a key
/// called `_src_path`).
///
/// If that file contains also `_commit`, and `destination_path` is a git
/// repository, this command will do its best to respect the diff that you
/// have generated since the last `copier` execution. To avoid that, use
/// `copier recopy` instead.
#[derive(Debug, Args)]
struct UpdateArgs {
    #[command(flatten)]
    meta: MetaArgs,
    #[command(flatten)]
    common: SubcommandArgs,
    /// Behavior on conflict: Create .rej files, or add inline conflict
    /// markers.
    #[arg(short = 'o', long, value_enum, default_value_t = Conflict::Inline)]
    conflict: Conflict,
    /// Lines of context to use for detecting conflicts. Increase for
    /// accuracy, decrease for resilience (with `--conflict rej`; inline
    /// conflicts come from a three-way merge of whole files)
    #[arg(short = 'c', long, value_name = "VALUE", default_value_t = 3)]
    context_lines: i64,
    /// Use default answers to questions, which might be null if not
    /// specified.
    #[arg(short = 'l', visible_short_alias = 'f', long)]
    defaults: bool,
    /// Skip questions that have already been answered
    #[arg(short = 'A', long)]
    skip_answered: bool,
    /// Ask the questions matching the given glob-pattern, even if they would
    /// be skipped by other options; may be given multiple times
    #[arg(long, value_name = "VALUE")]
    ask: Vec<String>,
    /// The subproject; the current folder if not given.
    #[arg(value_name = "DESTINATION_PATH", default_value = ".")]
    destination_path: PathBuf,
}

/// Check if a copy is using the latest version of its original template
///
/// The copy must have a valid answers file which contains info from the
/// last Copier execution, including the source template (it must be a key
/// called `_src_path`).
///
/// If that file contains also `_commit` and `destination_path` is a git
/// repository, this command will do its best to determine whether a newer
/// version is available, applying PEP 440 to the template's history.
#[derive(Debug, Args)]
struct CheckUpdateArgs {
    #[command(flatten)]
    meta: MetaArgs,
    /// Check for updates using this path (relative to `destination_path`) to
    /// find the answers file
    #[arg(short = 'a', long, value_name = "VALUE")]
    answers_file: Option<String>,
    /// Suppress status output, exit with status 2 when a new template version
    /// is available
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Use prereleases to compare template VCS tags.
    #[arg(short = 'g', long)]
    prereleases: bool,
    /// Output format, either 'plain' (the default) or 'json'.
    #[arg(long, value_enum, default_value_t = OutputFormat::Plain)]
    output_format: OutputFormat,
    /// The subproject; the current folder if not given.
    #[arg(value_name = "DESTINATION_PATH", default_value = ".")]
    destination_path: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Invocation {
        let args = std::iter::once("copier").chain(args.iter().copied());
        parse(args.map(OsString::from).collect()).expect("parses")
    }

    fn graft(args: &[&str]) -> (Command, Option<String>) {
        match parsed(args) {
            Invocation::Graft { command, warning } => (*command, warning),
            other => panic!("not a graft command: {other:?}"),
        }
    }

    fn refused(args: &[&str]) -> String {
        let args = std::iter::once("copier").chain(args.iter().copied());
        match parse(args.map(OsString::from).collect()) {
            Err(ParseError::Refused(e)) => e.to_string(),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn the_name_is_copier_whatever_the_folder() {
        for name in [
            "copier",
            "/usr/local/bin/copier",
            "copier.exe",
            "C/COPIER.EXE",
        ] {
            assert!(is_copier_name(OsStr::new(name)), "{name}");
        }
        for name in ["graft", "copier2", "/copier/graft", "Copier"] {
            assert!(!is_copier_name(OsStr::new(name)), "{name}");
        }
    }

    #[test]
    fn copy_switches_map_to_graft_flags() {
        let (command, warning) = graft(&[
            "copy",
            "-d",
            "a=1",
            "--data=b=2",
            "-a",
            "ans.yml",
            "-r",
            "v1",
            "-x",
            "x1",
            "-x",
            "x2",
            "-s",
            "s1",
            "-n",
            "-g",
            "--UNSAFE",
            "-T",
            "-q",
            "-w",
            "-C",
            "SRC",
            "DEST",
        ]);
        assert_eq!(warning, None);
        let Command::Copy(a) = command else {
            panic!("not a copy: {command:?}")
        };
        assert_eq!(
            (a.src.as_str(), a.dest.as_path()),
            ("SRC", Path::new("DEST"))
        );
        let c = &a.common;
        assert_eq!(c.data, ["a=1", "b=2"]);
        assert_eq!(c.answers_file.as_deref(), Some("ans.yml"));
        assert_eq!(c.vcs_ref.as_deref(), Some("v1"));
        assert_eq!(
            (c.exclude.as_slice(), c.skip.as_slice()),
            (
                &["x1".to_string(), "x2".to_string()][..],
                &["s1".to_string()][..]
            )
        );
        assert!(c.pretend && c.prereleases && c.trust && c.skip_tasks && c.quiet);
        assert!(!c.defaults && !c.json && !c.verbose && !c.offline && !c.diff);
        assert!(a.overwrite && !a.force && a.keep_on_error);
    }

    #[test]
    fn force_is_defaults_and_overwrite_except_on_update() {
        let (Command::Copy(a), _) = graft(&["copy", "-f", "S", "D"]) else {
            panic!()
        };
        assert!(a.force && !a.common.defaults);
        let (Command::Recopy(a), _) = graft(&["recopy", "-f", "D"]) else {
            panic!()
        };
        assert!(a.common.defaults && a.overwrite && !a.skip_answered);
        // On `copier update`, `-f` is one more name of `--defaults`.
        let (Command::Update(a), _) = graft(&["update", "-f", "-A", "--trust", "D"]) else {
            panic!()
        };
        assert!(a.common.defaults && a.skip_answered && a.common.trust && !a.allow_dirty);
    }

    #[test]
    fn ask_patterns_reach_every_command() {
        let (Command::Copy(a), _) = graft(&["copy", "--ask", "name", "--ask=x*", "S", "D"]) else {
            panic!()
        };
        assert_eq!(a.common.ask, ["name", "x*"]);
        let (Command::Update(a), _) = graft(&["update", "--ask", "db*"]) else {
            panic!()
        };
        assert_eq!(a.common.ask, ["db*"]);
        let (Command::Recopy(a), _) = graft(&["recopy", "--ask", "?"]) else {
            panic!()
        };
        assert_eq!(a.common.ask, ["?"]);
    }

    #[test]
    fn update_takes_conflict_style_and_context_lines() {
        let (Command::Update(a), _) = graft(&["update", "-o", "rej", "-c", "1"]) else {
            panic!()
        };
        assert_eq!(a.conflict, ConflictStyle::Rej);
        assert_eq!(a.dest, Path::new("."));
        let (Command::Update(a), _) = graft(&["update", "--context-lines=7"]) else {
            panic!()
        };
        assert_eq!(a.conflict, ConflictStyle::Inline);
    }

    #[test]
    fn template_and_destination_alone_are_a_copy() {
        let (command, warning) = graft(&["-l", "SRC", "DEST"]);
        let Command::Copy(a) = command else {
            panic!("not a copy: {command:?}")
        };
        assert!(a.common.defaults);
        assert_eq!(
            (a.src.as_str(), a.dest.as_path()),
            ("SRC", Path::new("DEST"))
        );
        assert!(warning.is_some_and(|w| w.contains("copier copy TEMPLATE DEST")));
    }

    #[test]
    fn check_update_keeps_copier_output_settings() {
        let Invocation::CheckUpdate(c) =
            parsed(&["check-update", "-q", "-g", "--output-format", "json", "P"])
        else {
            panic!()
        };
        assert!(c.quiet && c.prereleases && c.json);
        assert_eq!(c.dest, Path::new("P"));
    }

    #[test]
    fn no_command_is_copier_exit_code_1() {
        let Invocation::Print { exit_code, text } = parsed(&[]) else {
            panic!()
        };
        assert_eq!(exit_code, EXIT_ERROR);
        assert!(text.starts_with("error: no command given"));
    }

    #[test]
    fn help_all_needs_no_arguments() {
        for args in [&["--help-all"][..], &["copy", "--help-all"]] {
            let Invocation::Print { exit_code, text } = parsed(args) else {
                panic!("{args:?}")
            };
            assert_eq!(exit_code, 0);
            assert_eq!(text.matches("Usage: copier").count(), 5, "{text}");
        }
    }

    #[test]
    fn switches_graft_cannot_honour_are_refused_by_name() {
        assert!(refused(&["--completions", "bash"]).starts_with("`--completions` is not supported"));
        assert!(refused(&["check-update", "--completions", "fish"]).starts_with("`--completions`"));
    }

    #[test]
    fn graft_only_flags_are_not_copier_switches() {
        for args in [
            &["copy", "--json", "S", "D"][..],
            &["update", "--allow-dirty"],
            &["update", "--offline"],
            &["copy", "-A", "S", "D"],
            &["update", "-w"],
        ] {
            let args = std::iter::once("copier").chain(args.iter().copied());
            match parse(args.map(OsString::from).collect()) {
                Err(ParseError::Clap(e)) => assert!(e.use_stderr()),
                other => panic!("parsed: {other:?}"),
            }
        }
    }

    #[test]
    fn exit_codes_are_copiers() {
        assert_eq!(exit_code(&Ok(0)), 0);
        assert_eq!(exit_code(&Ok(crate::error::EXIT_ATTENTION)), 0);
        assert_eq!(exit_code(&Err(Error::Usage("x".into()))), EXIT_ERROR);
        assert_eq!(exit_code(&Err(Error::Interrupted)), EXIT_ERROR);
        let untrusted = crate::error::TaskError::NeedsTrust {
            src: "t".into(),
            commands: vec![],
        }
        .into();
        assert_eq!(exit_code(&Err(untrusted)), EXIT_UNSAFE);
    }
}
