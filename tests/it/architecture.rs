//! The shape ARCHITECTURE.md describes, kept: modules import in one
//! direction, only the render engine knows handlebars, the command layer
//! stays thin and no function grows past a screen.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest function, in lines, anywhere in `src/`.
const MAX_FUNCTION_LINES: usize = 80;
/// Longest file under `src/commands/`, in lines.
const MAX_COMMAND_FILE_LINES: usize = 250;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, as (path relative to `src/`, text).
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src()).unwrap();
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// `text` without its unit tests (the `#[cfg(test)]` module at the end)
/// and without line comments.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.trim_start().starts_with("//") {
            true => "",
            false => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level module a file of `src/` belongs to.
fn module_of(rel: &str) -> String {
    let first = rel.split('/').next().unwrap();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules each module names through `crate::`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in sources(&src()) {
        let from = module_of(&rel);
        let code = code(&text);
        let mut named = BTreeSet::new();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                for item in group.split(',') {
                    named.insert(item.trim().split("::").next().unwrap().to_string());
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                named.insert(name);
            }
        }
        named.retain(|m| !m.is_empty() && *m != from && m.chars().all(|c| c != ' '));
        graph.entry(from).or_default().extend(named);
    }
    graph
}

/// A path of imports from `from` back to `to`, if any.
fn path_back(
    graph: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    to: &str,
    seen: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    for next in graph.get(from).into_iter().flatten() {
        if next == to {
            return Some(vec![from.to_string(), to.to_string()]);
        }
        if seen.insert(next.clone()) {
            if let Some(mut rest) = path_back(graph, next, to, seen) {
                rest.insert(0, from.to_string());
                return Some(rest);
            }
        }
    }
    None
}

#[test]
fn modules_import_in_one_direction() {
    let graph = imports();
    assert!(graph.contains_key("pipeline") && graph["commands"].contains("pipeline"));
    for (module, named) in &graph {
        for other in named {
            let back = path_back(&graph, other, module, &mut BTreeSet::new());
            assert!(
                back.is_none(),
                "`{module}` imports `{other}`, which imports it back: {}",
                back.unwrap().join(" → ")
            );
        }
    }
}

#[test]
fn only_the_render_engine_names_handlebars() {
    for (rel, text) in sources(&src()) {
        if rel.starts_with("render/") {
            continue;
        }
        assert!(
            !text.contains("handlebars"),
            "src/{rel} names handlebars; only src/render/ may"
        );
    }
}

#[test]
fn command_files_stay_short() {
    for (rel, text) in sources(&src().join("commands")) {
        let lines = text.lines().count();
        assert!(
            lines <= MAX_COMMAND_FILE_LINES,
            "src/{rel} has {lines} lines; commands only resolve settings, call the \
             pipeline and print (at most {MAX_COMMAND_FILE_LINES})"
        );
    }
}

#[test]
fn no_function_is_longer_than_a_screen() {
    for (rel, text) in sources(&src()) {
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            let indent = &line[..line.len() - line.trim_start().len()];
            let head = line.trim_start();
            let head = head.strip_prefix("pub ").unwrap_or(head);
            let head = head
                .strip_prefix("pub(crate) ")
                .or_else(|| head.strip_prefix("pub(super) "))
                .unwrap_or(head);
            let head = head.strip_prefix("const ").unwrap_or(head);
            if !head.starts_with("fn ") || line.ends_with(';') || line.ends_with('}') {
                i += 1;
                continue;
            }
            let close = format!("{indent}}}");
            let end = (i..lines.len()).find(|&j| lines[j] == close);
            let Some(end) = end else {
                i += 1;
                continue;
            };
            let length = end - i + 1;
            let name = head["fn ".len()..]
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
                .unwrap();
            assert!(
                length <= MAX_FUNCTION_LINES,
                "src/{rel}:{} `{name}` is {length} lines (at most {MAX_FUNCTION_LINES})",
                i + 1
            );
            i = end + 1;
        }
    }
}
