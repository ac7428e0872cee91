//! `graft completions SHELL`: the shell completion script for graft,
//! generated from the command line's clap definitions, so it always
//! offers exactly the commands and flags graft has.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, Shell};
use crate::error::Error;

pub fn run(args: &CompletionsArgs) -> Result<i32, Error> {
    print!("{}", script(args.shell));
    Ok(0)
}

/// The completion script for `shell`, completing the program `graft`.
///
/// It leaves out `completions` (and the hidden `man`): whoever presses Tab
/// has completions installed already, and `graft co<Tab>` then completes
/// straight to `copy`.
pub fn script(shell: Shell) -> String {
    use clap_complete::Shell as S;
    let generator = match shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
        Shell::Elvish => S::Elvish,
    };
    let mut out = Vec::new();
    let full = Cli::command();
    let mut command = clap::Command::new("graft").version(crate::cli::VERSION);
    for sub in full
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "completions")
    {
        command = command.subcommand(sub.clone());
    }
    clap_complete::generate(generator, &mut command, "graft", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}
