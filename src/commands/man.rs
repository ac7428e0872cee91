//! `graft man [DIR]` (hidden; for packagers): graft's man pages, generated
//! from the command line's clap definitions: `graft.1` and one
//! `graft-COMMAND.1` per command, written into DIR; without DIR, `graft.1`
//! on stdout (`graft man | man -l -`).

use std::path::Path;

use clap::CommandFactory;

use super::Env;
use crate::cli::{Cli, ManArgs};
use crate::error::Error;

pub fn run(args: &ManArgs, env: &Env) -> Result<i32, Error> {
    let pages = pages();
    let Some(dir) = &args.dir else {
        if let Some((_, text)) = pages.first() {
            print!("{text}");
        }
        return Ok(0);
    };
    let dir = env.absolute(dir);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
    let printer = env.printer(&Default::default());
    for (name, text) in &pages {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
        printer.info(&format!("wrote {}", shown(&args.dir, name)));
    }
    Ok(0)
}

/// `DIR/NAME` as the person gave DIR.
fn shown(dir: &Option<std::path::PathBuf>, name: &str) -> String {
    dir.as_deref()
        .unwrap_or(Path::new("."))
        .join(name)
        .display()
        .to_string()
}

/// Every man page as (file name, roff text): `graft.1` first, then one
/// per command that `graft --help` lists, in its order. The pages carry
/// the crate's version only, so they are the same from every commit.
pub fn pages() -> Vec<(String, String)> {
    let mut cli = Cli::command().version(env!("CARGO_PKG_VERSION"));
    cli.build();
    let mut pages = vec![("graft.1".to_string(), render(cli.clone()))];
    let listed = cli
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help");
    for command in listed {
        // Built, a command is named `graft-copy` on its page and `graft
        // copy` in its synopsis.
        let name = format!("graft-{}", command.get_name());
        let page = command.clone().version(env!("CARGO_PKG_VERSION"));
        pages.push((format!("{name}.1"), render(page)));
    }
    pages
}

fn render(command: clap::Command) -> String {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = clap_mangen::Man::new(command).render(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}
