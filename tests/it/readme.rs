//! The README's examples, run as a person would run them.

use crate::harness::Harness;
use crate::update::conflicting_port;

/// The fenced code blocks of the README section titled `title`, in order.
fn readme_blocks(title: &str) -> Vec<String> {
    let readme = include_str!("../../README.md");
    let start = readme
        .find(&format!("\n{title}\n"))
        .unwrap_or_else(|| panic!("README has no section {title:?}"));
    let section = &readme[start + title.len() + 2..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in section.lines() {
        match (line.starts_with("```"), current.take()) {
            (true, None) => current = Some(String::new()),
            (true, Some(block)) => blocks.push(block),
            (false, Some(mut block)) => {
                block.push_str(line);
                block.push('\n');
                current = Some(block);
            }
            (false, None) => {}
        }
    }
    blocks
}

#[test]
fn readme_worked_conflict_is_what_graft_does() {
    let blocks = readme_blocks("### A worked conflict");
    let [v1, output, result] = &blocks[..] else {
        panic!("expected three code blocks, got {blocks:?}");
    };
    assert_eq!(v1, "PORT = 8000\nDEBUG = False\n");
    let h = Harness::new();
    let project = conflicting_port(&h);
    let run = h.update(&[]).code(1);
    assert_eq!(
        run.stderr,
        output.replace("/home/ada/templates/service", &h.template_src())
    );
    assert_eq!(&h.dest_file("app.py"), result);
    assert!(
        project.status().contains("\nUU app.py\n"),
        "{}",
        project.status()
    );
}
