//! `graft diff [DEST]`: the unified diff from the pristine render of the
//! recorded version to the project, for the files the template manages.

use serde::Serialize;

use super::Env;
use crate::cli::{CommonArgs, DiffArgs};
use crate::error::{Error, EXIT_ATTENTION};
use crate::pipeline::recorded::{drift, render_recorded};
use crate::printer::quote_path;
use crate::project::answers_files;
use crate::render::is_binary;
use crate::tree::Node;

/// The `--json` shape documented in docs/commands.md.
#[derive(Debug, Serialize)]
pub struct DiffReport {
    pub answers_file: String,
    pub files: Vec<FileDrift>,
}

#[derive(Debug, Serialize)]
pub struct FileDrift {
    pub path: String,
    /// `modified` or `deleted`.
    pub status: &'static str,
}

fn text(node: &Option<Node>) -> Option<String> {
    match node {
        None => Some(String::new()),
        Some(Node::File { bytes, .. }) if !is_binary(bytes) => {
            Some(String::from_utf8_lossy(bytes).into_owned())
        }
        Some(Node::Symlink { target }) => Some(format!("-> {target}\n")),
        _ => None,
    }
}

pub fn run(args: &DiffArgs, env: &Env) -> Result<i32, Error> {
    let printer = env.printer(&CommonArgs::default());
    let (dest, _lock) = super::open_project(env, &args.dest, &printer, "diff")?;
    let common = CommonArgs::default();
    let color = env.stderr_terminal
        && std::io::IsTerminal::is_terminal(&std::io::stdout())
        && !env.no_color;
    let mut reports = Vec::new();
    let mut drifted = false;
    for answers_rel in answers_files(&dest, args.answers_file.as_deref())? {
        let (recorded, _, pristine) = render_recorded(
            env,
            &dest,
            &answers_rel,
            &super::open_settings(env, &common),
        )?;
        for w in &recorded.warnings {
            printer.warn(w);
        }
        let mut files = Vec::new();
        for (path, before, now) in drift(&pristine.rendered.tree, &dest)? {
            drifted = true;
            files.push(FileDrift {
                path: path.clone(),
                status: if now.is_some() { "modified" } else { "deleted" },
            });
            if args.json {
                continue;
            }
            match (text(&Some(before.clone())), text(&now)) {
                (Some(old), Some(new)) if old != new => {
                    let b = if now.is_some() {
                        quote_path(&format!("b/{path}")).into_owned()
                    } else {
                        "/dev/null".to_string()
                    };
                    let diff = similar::TextDiff::from_lines(&old, &new);
                    let out = diff
                        .unified_diff()
                        .context_radius(3)
                        .header(&quote_path(&format!("a/{path}")), &b)
                        .to_string();
                    for line in out.lines() {
                        print_line(line, color);
                    }
                }
                (Some(_), Some(_)) => println!("mode changed: {}", quote_path(&path)),
                _ => println!(
                    "Binary files {} and {} differ",
                    quote_path(&format!("a/{path}")),
                    quote_path(&format!("b/{path}"))
                ),
            }
        }
        reports.push(DiffReport {
            answers_file: answers_rel,
            files,
        });
    }
    if args.json {
        crate::report::print_json(&reports)?;
    }
    Ok(if args.exit_code && drifted {
        EXIT_ATTENTION
    } else {
        0
    })
}

fn print_line(line: &str, color: bool) {
    use console::Style;
    if !color {
        println!("{line}");
        return;
    }
    let style = if line.starts_with("+++") || line.starts_with("---") {
        Style::new().bold()
    } else if line.starts_with('+') {
        Style::new().green()
    } else if line.starts_with('-') {
        Style::new().red()
    } else if line.starts_with("@@") {
        Style::new().cyan()
    } else {
        Style::new()
    };
    println!("{}", style.force_styling(true).apply_to(line));
}
