use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::*;
use crate::render::jinja::pyjson::{dumps, JsonOptions};

fn data(json: &str) -> PyData {
    PyData::from_json(&serde_json::from_str(json).unwrap())
}

fn nice(json: &str) -> String {
    dump(&data(json), &DumpOptions::nice())
}

fn plain(json: &str) -> String {
    dump(&data(json), &DumpOptions::plain())
}

// Expected strings below are PyYAML 6.0 output through
// jinja2_ansible_filters' `to_nice_yaml` / `to_yaml`.

#[test]
fn yaml_11_look_alikes_are_quoted_and_keys_sorted() {
    let input = r#"{"name": "graft", "version": "3.12", "mode": "0755", "flag": "yes",
        "no": "No", "date": "2024-01-01", "empty": "", "n": "null", "t": "~",
        "l": [1, [2, 3], {"a": []}], "m": {}, "f": 1.0, "b": true, "none": null}"#;
    assert_eq!(
        nice(input),
        "b: true\ndate: '2024-01-01'\nempty: ''\nf: 1.0\nflag: 'yes'\nl:\n- 1\n-   - 2\n    - 3\n-   a: []\nm: {}\nmode: '0755'\nn: 'null'\nname: graft\n'no': 'No'\nnone: null\nt: '~'\nversion: '3.12'\n"
    );
    assert_eq!(
        plain(input),
        "b: true\ndate: '2024-01-01'\nempty: ''\nf: 1.0\nflag: 'yes'\nl:\n- 1\n- [2, 3]\n- a: []\nm: {}\nmode: '0755'\nn: 'null'\nname: graft\n'no': 'No'\nnone: null\nt: '~'\nversion: '3.12'\n"
    );
}

#[test]
fn root_scalars_end_the_document() {
    assert_eq!(nice(r#""abc""#), "abc\n...\n");
    assert_eq!(nice("1"), "1\n...\n");
    assert_eq!(nice("null"), "null\n...\n");
    assert_eq!(nice(r#""""#), "''\n");
    assert_eq!(nice("[]"), "[]\n");
    assert_eq!(plain("{}"), "{}\n");
    assert_eq!(
        dump(&PyData::Float(f64::INFINITY), &DumpOptions::nice()),
        ".inf\n...\n"
    );
}

#[test]
fn long_and_special_strings() {
    let input = format!(
        r#"{{"long": "{}", "q": "it's", "dq": "say \"hi\"", "nl": "a\nb\n", "sp": " x",
        "tab": "a\tb", "uni": "héllo 😀", "colon": "a: b", "hash": "a #b"}}"#,
        "word ".repeat(30)
    );
    assert_eq!(
        nice(&input),
        "colon: 'a: b'\ndq: say \"hi\"\nhash: 'a #b'\nlong: 'word word word word word word word word word word word word word word word\n    word word word word word word word word word word word word word word word '\nnl: 'a\n\n    b\n\n    '\nq: it's\nsp: ' x'\ntab: \"a\\tb\"\nuni: héllo 😀\n"
    );
    assert_eq!(
        plain(&input),
        "{colon: 'a: b', dq: say \"hi\", hash: 'a #b', long: 'word word word word word word word\n    word word word word word word word word word word word word word word word word\n    word word word word word word word ', nl: 'a\n\n    b\n\n    ', q: it's, sp: ' x', tab: \"a\\tb\", uni: héllo 😀}\n"
    );
}

#[test]
fn nested_sequences_under_indent_four() {
    let input = r#"[{"a": 1, "b": [1, 2]}, [1, [2]], "x"]"#;
    assert_eq!(
        nice(input),
        "-   a: 1\n    b:\n    - 1\n    - 2\n-   - 1\n    -   - 2\n- x\n"
    );
    assert_eq!(plain(input), "- a: 1\n  b: [1, 2]\n- - 1\n  - [2]\n- x\n");
}

#[test]
fn empty_and_long_keys_are_complex_keys() {
    let input = format!(r#"{{"{}": 1, "": 2}}"#, "k".repeat(130));
    assert_eq!(
        nice(&input),
        format!("? ''\n: 2\n? {}\n: 1\n", "k".repeat(130))
    );
    assert_eq!(
        plain(&input),
        format!("{{? '' : 2, ? {}\n  : 1}}\n", "k".repeat(130))
    );
}

// ---------------------------------------------------------------------------
// Property test against the real PyYAML.

/// A Python that can `import yaml`: `GRAFT_PYTHON`, else the Copier venv
/// under `target/`, else `python3`.
fn reference_python() -> Option<PathBuf> {
    let works = |python: &PathBuf| {
        Command::new(python)
            .args(["-c", "import yaml"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if let Some(python) = std::env::var_os("GRAFT_PYTHON") {
        return Some(PathBuf::from(python)).filter(works);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/copier-venv/bin/python");
    if venv.exists() && works(&venv) {
        return Some(venv);
    }
    Some(PathBuf::from("python3")).filter(works)
}

/// Dumps every input line four ways, exactly as Copier's filters do, and
/// prints one JSON list of results.
const REFERENCE_SCRIPT: &str = r#"
import json, sys, yaml
try:
    from jinja2_ansible_filters.core_filters import to_nice_yaml, to_yaml, to_json, to_nice_json
except ImportError:
    def to_yaml(a):
        return yaml.dump(a, allow_unicode=True, default_flow_style=None)
    def to_nice_yaml(a):
        return yaml.dump(a, indent=4, allow_unicode=True, default_flow_style=False)
    def to_json(a):
        return json.dumps(a)
    def to_nice_json(a):
        return json.dumps(a, indent=4, sort_keys=True, separators=(",", ": "))
out = []
for line in sys.stdin.read().split("\n"):
    if line:
        v = json.loads(line)
        out.append([to_nice_yaml(v), to_yaml(v), to_json(v), to_nice_json(v)])
sys.stdout.write(json.dumps(out))
"#;

/// Strings YAML 1.1 or PyYAML read as something else, or must quote or
/// escape: booleans, nulls, numbers, dates, indicators, breaks and
/// unprintable characters.
const TRICKY_STRINGS: &[&str] = &[
    "yes",
    "No",
    "off",
    "ON",
    "y",
    "n",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "",
    "3.12",
    "0755",
    "0o17",
    "0x1A",
    "1_000",
    "+1",
    "-1",
    ".5",
    "1e3",
    "1.0e+3",
    ".inf",
    "-.Inf",
    ".NaN",
    "1:20",
    "2024-01-01",
    "2024-1-1 10:00:00",
    "2024-01-01T10:00:00Z",
    "<<",
    "=",
    "!",
    "&",
    "*",
    "-",
    "- a",
    "-a",
    ":",
    "a:",
    "a: b",
    "a:b",
    "?",
    "? a",
    "#x",
    "a #b",
    "a#b",
    "...",
    "---",
    "--- a",
    "@x",
    "`x",
    "%x",
    "|",
    ">",
    "'q'",
    "\"dq\"",
    "[a]",
    "{a}",
    "a, b",
    "\u{feff}",
    "\u{85}",
    "\t",
    " ",
    "\n",
    "a\n",
    "\na",
    "a \nb",
    "a\n b",
    "é",
    "😀",
    "\u{2028}",
    "\u{a0}x",
    "x\r\ny",
];

/// Strings to dump: the tricky ones above, and random ones from alphabets
/// that stress quoting, escaping and the 80-column fold.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        prop::sample::select(TRICKY_STRINGS.to_vec()).prop_map(str::to_owned),
        chars("abcXYZ019_ .-", 0..12),
        chars(&(' '..='~').collect::<String>(), 0..30),
        words("abcdefghijklmnopqrstuvwxyz'\":#-", 8..30),
        chars("abcdefghij  \n", 0..60),
        chars(" az\n\t'\"#:,\\", 0..20),
        chars(
            "aé中😀꠨𑲃\u{8fe}\u{85}\u{2028}\u{2029}\u{a0}\u{feff}\r\u{7}\u{1b}\u{10ffff}\u{0} ",
            0..10
        ),
        chars("0123456789.:-", 1..8),
        words("abc😀\"\\", 15..40),
    ]
    .boxed()
}

/// Strings of `len` characters drawn from `alphabet`.
fn chars(alphabet: &str, len: std::ops::Range<usize>) -> BoxedStrategy<String> {
    let alphabet: Vec<char> = alphabet.chars().collect();
    prop::collection::vec(prop::sample::select(alphabet), len)
        .prop_map(|chars| chars.into_iter().collect())
        .boxed()
}

/// Space-separated words, long enough to cross the 80-column fold.
fn words(alphabet: &str, count: std::ops::Range<usize>) -> BoxedStrategy<String> {
    let alphabet: Vec<char> = alphabet.chars().collect();
    let spaces = prop::sample::select(vec![" ", " ", " ", "  "]);
    let word = prop::collection::vec(prop::sample::select(alphabet), 1..9);
    prop::collection::vec((word, spaces), count)
        .prop_map(|words| {
            words
                .into_iter()
                .map(|(w, s)| w.into_iter().collect::<String>() + s)
                .collect()
        })
        .boxed()
}

fn float() -> BoxedStrategy<f64> {
    prop_oneof![
        -1e6..1e6f64,
        any::<f64>().prop_filter("finite", |f| f.is_finite()),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            0.1,
            1e16,
            1e-5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN
        ]),
    ]
    .boxed()
}

fn answers() -> impl Strategy<Value = PyData> {
    let leaf = prop_oneof![
        Just(PyData::None),
        any::<bool>().prop_map(PyData::Bool),
        any::<i64>().prop_map(|i| PyData::Int(i128::from(i))),
        (-1000i64..1000).prop_map(|i| PyData::Int(i128::from(i))),
        float().prop_map(PyData::Float),
        text().prop_map(PyData::Str),
        text().prop_map(PyData::Str),
    ];
    let tree = leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(PyData::List),
            prop::collection::vec((text(), inner), 0..4).prop_map(|pairs| {
                let mut seen = std::collections::HashSet::new();
                PyData::Dict(
                    pairs
                        .into_iter()
                        .filter(|(k, _)| seen.insert(k.clone()))
                        .map(|(k, v)| (PyData::Str(k), v))
                        .collect(),
                )
            }),
        ]
    });
    prop::collection::vec((text(), tree), 0..5).prop_map(|pairs| {
        let mut seen = std::collections::HashSet::new();
        PyData::Dict(
            pairs
                .into_iter()
                .filter(|(k, _)| seen.insert(k.clone()))
                .map(|(k, v)| (PyData::Str(k), v))
                .collect(),
        )
    })
}

fn run_reference(python: &PathBuf, inputs: &[String]) -> Vec<[String; 4]> {
    let mut child = Command::new(python)
        .args(["-c", REFERENCE_SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the reference Python");
    let mut stdin = child.stdin.take().expect("stdin");
    let batch = inputs.join("\n");
    let writer = std::thread::spawn(move || stdin.write_all(batch.as_bytes()));
    let output = child.wait_with_output().expect("run the reference Python");
    writer.join().expect("writer thread").expect("write inputs");
    assert!(output.status.success(), "reference Python failed");
    serde_json::from_slice(&output.stdout).expect("reference output is JSON")
}

#[test]
fn matches_pyyaml_and_python_json_on_random_answers() {
    let Some(python) = reference_python() else {
        assert!(
            std::env::var("GRAFT_REQUIRE_COPIER").as_deref() != Ok("1"),
            "GRAFT_REQUIRE_COPIER=1 but no Python with PyYAML was found"
        );
        eprintln!("skipped: no Python with PyYAML");
        return;
    };
    let seed: u64 = std::env::var("GRAFT_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_251_130);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = answers();
    let cases: Vec<PyData> = (0..2000)
        .map(|_| strategy.new_tree(&mut runner).expect("generate").current())
        .collect();
    let inputs: Vec<String> = cases
        .iter()
        .map(|case| dumps(case, &JsonOptions::default()).expect("inputs have str keys"))
        .collect();
    let expected = run_reference(&python, &inputs);
    assert_eq!(expected.len(), cases.len());

    let nice_json = JsonOptions {
        indent: Some("    ".into()),
        sort_keys: true,
        separators: Some((",".into(), ": ".into())),
        ..JsonOptions::default()
    };
    let mut failures = Vec::new();
    for ((case, input), want) in cases.iter().zip(&inputs).zip(&expected) {
        let got = [
            dump(case, &DumpOptions::nice()),
            dump(case, &DumpOptions::plain()),
            dumps(case, &JsonOptions::default()).unwrap(),
            dumps(case, &nice_json).unwrap(),
        ];
        for (name, (got, want)) in ["to_nice_yaml", "to_yaml", "to_json", "to_nice_json"]
            .iter()
            .zip(got.iter().zip(want))
        {
            if got != want {
                failures.push(format!(
                    "{name} of {input}\n--- PyYAML/json\n{want:?}\n--- graft\n{got:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ; first:\n{}",
        failures.len(),
        cases.len() * 4,
        failures
            .iter()
            .take(1)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}
