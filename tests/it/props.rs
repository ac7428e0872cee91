//! Properties over input from strangers: whatever bytes a template's
//! `graft.yml`, a `--data-file` or a project's answers file holds, graft
//! answers `Ok` or `Err`, never a panic; and whatever a path segment
//! renders to, the rendered path stays inside the destination.

use std::path::{Component, Path};

use graft::answers::{self, AnswerSources};
use graft::prompt::NoPrompt;
use graft::render::{self, clean_relative};
use graft::tree::{FileTree, Node};
use proptest::prelude::*;
use serde_json::{json, Map};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text made of the characters YAML and handlebars give meaning to, so
/// random strings reach the parsers' interesting paths.
fn yamlish() -> impl Strategy<Value = String> {
    prop::string::string_regex(
        r##"([a-z_]{1,6}|[:\-\[\]{}!&*|>'"#,.?%@`~ \n\t]|!include |---\n|  |\{\{|\}\}|type: |default: |choices: |when: |_tasks: |_exclude: |yes|0x1F|1e9|~)*"##,
    )
    .expect("valid regex")
}

/// A valid configuration with random text spliced in at a random place.
fn mutated_config() -> impl Strategy<Value = String> {
    const VALID: &str = "name:\n  type: str\n  default: \"{{upper 'x'}}\"\n  help: Name\nport: 8080\ndb:\n  choices: {PG: pg, None: {value: none, validator: \"{{name}}\"}}\n  default: none\n_exclude: [\"*.log\"]\n_tasks:\n  - echo hi\n";
    (0..=VALID.len(), yamlish()).prop_map(|(at, insert)| {
        let at = (0..=at)
            .rev()
            .find(|i| VALID.is_char_boundary(*i))
            .unwrap_or(0);
        format!("{}{insert}{}", &VALID[..at], &VALID[at..])
    })
}

fn tree_with_config(bytes: &[u8]) -> FileTree {
    let mut tree = FileTree::new();
    tree.insert("graft.yml", Node::file(bytes));
    tree.insert("shared/common.yml", Node::file("extra: 1\n"));
    tree
}

/// Loads the configuration and, when it loads, answers every question with
/// defaults: both must return, whatever the text.
fn load_and_answer(bytes: &[u8]) {
    let tree = tree_with_config(bytes);
    let Ok(config) = graft::config::load(&tree, "prop") else {
        return;
    };
    let engine = render::Engine::new();
    let sources = AnswerSources {
        use_defaults: true,
        ..AnswerSources::default()
    };
    let _ = answers::resolve(&config, &engine, Map::new(), &sources, &mut NoPrompt);
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn config_from_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        load_and_answer(&bytes);
    }

    #[test]
    fn config_from_yamlish_text_never_panics(text in yamlish()) {
        load_and_answer(text.as_bytes());
    }

    #[test]
    fn config_from_a_mutated_valid_config_never_panics(text in mutated_config()) {
        load_and_answer(text.as_bytes());
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn data_file_from_arbitrary_input_never_panics(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..256),
            yamlish().prop_map(String::into_bytes),
        ],
        json in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(if json { "data.json" } else { "data.yml" });
        std::fs::write(&path, &bytes).expect("write data file");
        if let Err(e) = graft::commands::read_data_file(&path) {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}

/// Text shaped like an answers file: `_src_path` or not, distinct recorded
/// keys and answers of every type, then random YAML as a value or as text.
fn answersish() -> impl Strategy<Value = String> {
    const LINES: [&str; 7] = [
        "_commit: v1.0.0-2-gabc1234\n",
        "_commit_sha: 3f5c9a0e\n",
        "name: app\n",
        "list:\n- a\n- 1\n",
        "map: {k: v, n: ~}\n",
        "flag: yes\n",
        "x: !!python/object/apply:os.system [\"touch pwned\"]\n",
    ];
    (
        any::<bool>(),
        prop::sample::subsequence(LINES.to_vec(), 0..=LINES.len()),
        prop_oneof![2 => Just(String::new()), 1 => yamlish()],
        any::<bool>(),
    )
        .prop_map(|(src, lines, tail, as_value)| {
            format!(
                "{}{}{}",
                if src { "_src_path: /t\n" } else { "" },
                lines.concat(),
                if as_value {
                    format!("z: {tail}\n")
                } else {
                    tail
                },
            )
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn answers_file_from_arbitrary_text_never_panics(
        text in prop_oneof![1 => any::<String>(), 3 => answersish()],
    ) {
        match graft::answers::AnswersFile::parse(&text, "a.yml") {
            // What graft writes back reads as the same record.
            Ok(file) => {
                let text = file.to_yaml(graft::dialect::Dialect::Graft);
                prop_assert!(text.is_ok(), "{:?}", text);
                let again = graft::answers::AnswersFile::parse(&text.unwrap_or_default(), "a.yml");
                prop_assert_eq!(again.ok(), Some(file));
            }
            Err(e) => prop_assert!(e.to_string().starts_with("a.yml:")),
        }
    }
}

/// Renders a template whose names hold `{{seg}}` with `seg` = `value` and
/// returns the rendered paths, or `None` when graft refused.
fn rendered_paths(template_names: &[&str], value: &str) -> Option<Vec<String>> {
    let mut tree = FileTree::new();
    tree.insert("graft.yml", Node::file("seg: x\n"));
    for name in template_names {
        tree.insert(name, Node::file("content"));
    }
    let config = graft::config::load(&tree, "prop").expect("valid config");
    let engine = render::engine_for(&tree, &config).expect("engine");
    let ctx = json!({ "seg": value });
    let rendered = render::render(
        &tree,
        &config,
        &engine,
        &ctx,
        "",
        &[],
        &graft::progress::NoProgress,
    )
    .ok()?;
    Some(rendered.tree.entries.keys().cloned().collect())
}

/// A path the apply step may join to DEST: relative, normal segments only.
fn stays_inside(path: &str) -> bool {
    !path.is_empty()
        && clean_relative(path).as_deref() == Ok(path)
        && Path::new("/dest")
            .join(path)
            .components()
            .skip(1)
            .all(|c| matches!(c, Component::Normal(_)))
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::string::string_regex(r"(\.\.|\.|/|\\|[a-zA-Z]:|~|\x00|a|b| )*").expect("valid regex"),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rendered_segments_never_leave_the_destination(value in segment()) {
        let names = ["{{seg}}", "dir/{{seg}}/file.txt", "{{seg}}{{seg}}.txt", "top/{{seg}}"];
        if let Some(paths) = rendered_paths(&names, &value) {
            for path in paths {
                prop_assert!(stays_inside(&path), "{:?} rendered to {:?}", value, path);
            }
        }
    }

    #[test]
    fn clean_relative_output_never_leaves_its_root(value in segment()) {
        if let Ok(path) = clean_relative(&value) {
            prop_assert!(path.is_empty() || stays_inside(&path), "{:?} → {:?}", value, path);
        }
    }
}

#[test]
fn stays_inside_rejects_what_it_must() {
    for bad in ["", "..", "a/../b", "/etc", "a//b", "./a", "a\\b", "C:x"] {
        assert!(!stays_inside(bad), "{bad}");
    }
    assert!(stays_inside("a/b.txt"));
}
