//! The command line, as clap types. Their doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The version `--version` prints: the crate's, and the commit and date
/// of the git checkout it was built from when there was one (`build.rs`).
pub const VERSION: &str = env!("GRAFT_VERSION");

/// The examples under `graft --help`: the three ways graft is mostly used.
const EXAMPLES: &str = "\
Examples:
  Create a project, answering the template's questions on the terminal:
    graft copy gh:acme/service-template shop-api

  Create one from a script: answers from a file and flags, defaults for the rest:
    graft copy gh:acme/service-template shop-api --data-file answers.yml -d name=shop --defaults

  Merge the template's latest version into the project in this folder:
    graft update";

/// Create projects from templates in git, and pull template updates into
/// them without losing your edits.
#[derive(Debug, Parser)]
#[command(
    name = "graft",
    version = VERSION,
    about,
    after_help = EXAMPLES,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a template into a new (or existing) project folder.
    Copy(CopyArgs),
    /// Merge the template's changes since the recorded version into the project.
    Update(UpdateArgs),
    /// Render the recorded version again from scratch over the project.
    Recopy(RecopyArgs),
    /// Tell whether a newer template version exists and whether the project drifted.
    Check(CheckArgs),
    /// Show how the project differs from what its recorded template version generates.
    Diff(DiffArgs),
    /// Take a template (such as a module) out of the project again.
    Remove(RemoveArgs),
    /// Print the shell completion script for graft.
    Completions(CompletionsArgs),
    /// Write graft's man pages (one per command), or print `graft.1`.
    #[command(hide = true)]
    Man(ManArgs),
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  bash:        graft completions bash > ~/.local/share/bash-completion/completions/graft
  zsh:         graft completions zsh > ~/.zfunc/_graft    (with ~/.zfunc in $fpath)
  fish:        graft completions fish > ~/.config/fish/completions/graft.fish
  PowerShell:  graft completions powershell | Out-String | Invoke-Expression
  elvish:      eval (graft completions elvish | slurp)")]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The shells `graft completions` writes scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Folder to write `graft.1` and `graft-COMMAND.1` into; without it,
    /// `graft.1` goes to stdout.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The project folder.
    #[arg(value_name = "DEST", default_value = ".")]
    pub dest: PathBuf,
    /// The answers file of the template to remove, relative to DEST.
    #[arg(short = 'a', long, value_name = "PATH", required = true)]
    pub answers_file: String,
    /// Delete what is unchanged and keep (and report) what the project modified.
    #[arg(long)]
    pub keep_modified: bool,
    /// Print what would be removed; change nothing.
    #[arg(short = 'n', long)]
    pub pretend: bool,
    /// Print one machine-readable report on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The project folder; or a folder of projects, whose sub-folders that
    /// hold an answers file are each checked (repeatable).
    #[arg(value_name = "DEST", default_value = ".")]
    pub dests: Vec<PathBuf>,
    /// Answers file, relative to each project.
    #[arg(short = 'a', long, value_name = "PATH")]
    pub answers_file: Option<String>,
    /// Consider prerelease tags.
    #[arg(short = 'g', long)]
    pub prereleases: bool,
    /// Look only at drift (files the project changed or deleted); exit 1
    /// when there is any.
    #[arg(long, conflicts_with_all = ["updates_only", "fail_on_drift"])]
    pub drift_only: bool,
    /// Look only for a newer template version (render nothing); exit 1
    /// when there is one.
    #[arg(long, conflicts_with = "fail_on_drift")]
    pub updates_only: bool,
    /// Exit 1 when the project drifted, too (by default only a newer
    /// version does).
    #[arg(long)]
    pub fail_on_drift: bool,
    /// Restore the fences and marker lines of injected blocks that a merge
    /// damaged, when the lines between the fences are still what graft
    /// wrote; exit 1 when one cannot be restored.
    #[arg(long, conflicts_with = "updates_only")]
    pub fix: bool,
    /// Print one machine-readable report on stdout.
    #[arg(long)]
    pub json: bool,
}

impl CheckArgs {
    /// A check of the one project `dest`, looking at everything.
    pub fn of(dest: PathBuf) -> CheckArgs {
        CheckArgs {
            dests: vec![dest],
            answers_file: None,
            prereleases: false,
            drift_only: false,
            updates_only: false,
            fail_on_drift: false,
            fix: false,
            json: false,
        }
    }
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The project folder.
    #[arg(value_name = "DEST", default_value = ".")]
    pub dest: PathBuf,
    /// Answers file, relative to DEST.
    #[arg(short = 'a', long, value_name = "PATH")]
    pub answers_file: Option<String>,
    /// Exit with 1 when the project differs.
    #[arg(long)]
    pub exit_code: bool,
    /// Print per-file status as JSON on stdout instead of the diff.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// Template: a folder, a git URL, `gh:owner/repo` or `gl:owner/repo`.
    #[arg(value_name = "SRC")]
    pub src: String,
    /// Folder to create the project in.
    #[arg(value_name = "DEST")]
    pub dest: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Replace existing files that differ, without asking.
    #[arg(long)]
    pub overwrite: bool,
    /// Same as `--defaults --overwrite`.
    #[arg(long)]
    pub force: bool,
    /// Keep the destination this run created when it fails, with whatever
    /// was written (Copier's `--no-cleanup`; not a flag of graft's own).
    #[arg(skip)]
    pub keep_on_error: bool,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The project folder.
    #[arg(value_name = "DEST", default_value = ".")]
    pub dest: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
    /// How to write conflicts: markers in the file, or a `.rej` file beside it.
    #[arg(long, value_enum, default_value_t = ConflictStyle::Inline)]
    pub conflict: ConflictStyle,
    /// Ask only questions that have no recorded answer.
    #[arg(long)]
    pub skip_answered: bool,
    /// Update even when the git work tree has uncommitted changes.
    #[arg(long)]
    pub allow_dirty: bool,
    /// Lines of context around the project's changes in a Copier project's
    /// `--conflict rej` hunks (Copier's `--context-lines`; not a flag of
    /// graft's own).
    #[arg(skip = 3usize)]
    pub context_lines: usize,
}

#[derive(Debug, Args)]
pub struct RecopyArgs {
    /// The project folder.
    #[arg(value_name = "DEST", default_value = ".")]
    pub dest: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Replace differing files without asking.
    #[arg(long)]
    pub overwrite: bool,
    /// Ask only questions that have no recorded answer.
    #[arg(long)]
    pub skip_answered: bool,
    /// Without `--vcs-ref`, render the latest version instead of the
    /// recorded one, as Copier's `recopy` does (not a flag of graft's own).
    #[arg(skip)]
    pub latest: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConflictStyle {
    /// Conflict markers inside the file, as `git merge-file` writes them.
    Inline,
    /// The template's version with clean hunks merged; your hunks in `PATH.rej`.
    Rej,
}

/// Flags shared by copy, update and recopy.
#[derive(Debug, Args, Default, Clone)]
pub struct CommonArgs {
    /// An answer, parsed by the question's type; not prompted (repeatable).
    #[arg(short = 'd', long = "data", value_name = "KEY=VALUE")]
    pub data: Vec<String>,
    /// A YAML or JSON mapping of answers; `--data` wins on the same key.
    #[arg(long, value_name = "PATH")]
    pub data_file: Option<PathBuf>,
    /// Take every default without prompting.
    #[arg(short = 'l', long)]
    pub defaults: bool,
    /// Ask the questions whose names match GLOB on the terminal even when
    /// `--data`, `--defaults`, the answers file or `--skip-answered` would
    /// answer them (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub ask: Vec<String>,
    /// Answers file, relative to DEST (overrides `_answers_file`).
    #[arg(short = 'a', long, value_name = "PATH")]
    pub answers_file: Option<String>,
    /// Tag, branch or commit to render; `HEAD` includes uncommitted changes
    /// of a local template; on update `:current:` keeps the recorded version.
    #[arg(short = 'r', long, value_name = "REF")]
    pub vcs_ref: Option<String>,
    /// Consider prerelease tags when picking the latest version.
    #[arg(short = 'g', long)]
    pub prereleases: bool,
    /// Extra exclude pattern, gitignore style (repeatable).
    #[arg(short = 'x', long = "exclude", value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Extra skip-if-exists pattern (repeatable).
    #[arg(short = 's', long = "skip", value_name = "GLOB")]
    pub skip: Vec<String>,
    /// Compute everything and print the plan; write nothing.
    #[arg(short = 'n', long)]
    pub pretend: bool,
    /// With `--pretend`, also print the unified diff of every change.
    #[arg(long)]
    pub diff: bool,
    /// Allow the template's tasks and migrations to run.
    #[arg(long, alias = "UNSAFE")]
    pub trust: bool,
    /// Do not run `_tasks`.
    #[arg(short = 'T', long)]
    pub skip_tasks: bool,
    /// Use only the local template cache; never touch the network.
    #[arg(long)]
    pub offline: bool,
    /// Print less.
    #[arg(short = 'q', long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more.
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// Print one machine-readable report on stdout.
    #[arg(long)]
    pub json: bool,
}
