//! Golden JSON: the documented output of each command on the bundled
//! corpus, pinned field by field. Deserialising into the crate's own types
//! would not notice a renamed or dropped field; comparing whole JSON
//! values does.
//!
//! The files in `tests/golden/` were reviewed by hand against
//! `corpus/articles/iran-intel/article.toml` (see `tests/golden/README.md`).
//! To change them on purpose, run
//!
//! ```sh
//! DOSSIER_UPDATE_GOLDEN=1 cargo test --release golden
//! ```
//!
//! then review `git diff tests/golden` as carefully as the first time.

use crate::util::run;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// (golden file name, command line).
const CASES: [(&str, &[&str]); 8] = [
    (
        "search-reformist-front",
        &[
            "search",
            "security",
            "--holder",
            "Reformist Front",
            "--stance",
            "calls-for-reckoning",
        ],
    ),
    ("search-actor-khatib", &["search", "--actor", "Khatib"]),
    (
        "facets-holder-stance",
        &["facets", "--by", "holder", "--by", "stance"],
    ),
    ("facets-camp", &["facets", "--by", "camp"]),
    ("show-iran-intel-13", &["show", "iran-intel-13"]),
    ("actors-haniya", &["actors", "Haniya"]),
    ("stances", &["stances"]),
    ("timeline", &["timeline"]),
];

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// BM25 scores are the one volatile field: they are compared rounded to
/// three decimals (the golden files hold them rounded).
fn normalise(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::Number(n) if key == "score" => {
                        let rounded = (n.as_f64().unwrap() * 1000.0).round() / 1000.0;
                        *value = serde_json::json!(rounded);
                    }
                    other => normalise(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        _ => {}
    }
}

/// Where two JSON values first differ, as a path and what is on each side.
fn first_difference(expected: &Value, actual: &Value, path: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for key in e.keys() {
                if !a.contains_key(key) {
                    return Some(format!("{path}/{key}: missing"));
                }
            }
            for key in a.keys() {
                if !e.contains_key(key) {
                    return Some(format!("{path}/{key}: not in the golden file"));
                }
            }
            e.iter()
                .find_map(|(k, v)| first_difference(v, &a[k], &format!("{path}/{k}")))
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => e
            .iter()
            .zip(a)
            .enumerate()
            .find_map(|(i, (e, a))| first_difference(e, a, &format!("{path}/{i}"))),
        (e, a) if e == a => None,
        (e, a) => Some(format!("{path}: expected {e}, got {a}")),
    }
}

#[test]
fn json_output_matches_the_reviewed_golden_files() {
    let update = std::env::var("DOSSIER_UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let idx = tempfile::tempdir().unwrap();
    let mut differences = Vec::new();
    for (name, args) in CASES {
        let r = run(idx.path(), &[args, &["--format", "json"][..]].concat());
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let mut actual: Value = serde_json::from_str(&r.stdout).unwrap();
        normalise(&mut actual);
        let path = golden_dir().join(format!("{name}.json"));
        if update {
            let pretty = serde_json::to_string_pretty(&actual).unwrap();
            std::fs::write(&path, pretty + "\n").unwrap();
            eprintln!("rewrote {}: review it before committing", path.display());
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{}: {e}; DOSSIER_UPDATE_GOLDEN=1 writes it", path.display())
        });
        let expected: Value = serde_json::from_str(&text).unwrap();
        if let Some(d) = first_difference(&expected, &actual, "") {
            differences.push(format!("{name}.json ({}): {d}", args.join(" ")));
        }
    }
    assert!(
        differences.is_empty(),
        "output differs from tests/golden:\n{}\n\
         If the change is meant, run DOSSIER_UPDATE_GOLDEN=1 cargo test --release golden \
         and review the diff.",
        differences.join("\n")
    );
}

/// The comparison itself can fail: a renamed field, a changed value, a
/// reordered list and a changed score beyond the rounding all differ.
#[test]
fn the_golden_comparison_notices_renames_values_order_and_scores() {
    let golden: Value = serde_json::json!({"hits": [{"ordinal": 1, "score": 0.374}, {"ordinal": 2, "score": null}]});
    let differs = |actual: Value| {
        let mut actual = actual;
        normalise(&mut actual);
        first_difference(&golden, &actual, "")
    };
    assert_eq!(
        differs(
            serde_json::json!({"hits": [{"ordinal": 1, "score": 0.37412}, {"ordinal": 2, "score": null}]})
        ),
        None
    );
    assert_eq!(
        differs(
            serde_json::json!({"hits": [{"ord": 1, "score": 0.374}, {"ordinal": 2, "score": null}]})
        ),
        Some("/hits/0/ordinal: missing".into())
    );
    assert_eq!(
        differs(
            serde_json::json!({"hits": [{"ordinal": 1, "score": 0.374, "extra": true}, {"ordinal": 2, "score": null}]})
        ),
        Some("/hits/0/extra: not in the golden file".into())
    );
    assert_eq!(
        differs(
            serde_json::json!({"hits": [{"ordinal": 2, "score": null}, {"ordinal": 1, "score": 0.374}]})
        ),
        Some("/hits/0/ordinal: expected 1, got 2".into())
    );
    assert_eq!(
        differs(
            serde_json::json!({"hits": [{"ordinal": 1, "score": 0.3746}, {"ordinal": 2, "score": null}]})
        ),
        Some("/hits/0/score: expected 0.374, got 0.375".into())
    );
    assert_eq!(
        differs(serde_json::json!({"hits": [{"ordinal": 1, "score": 0.374}]})),
        Some("/hits: expected [{\"ordinal\":1,\"score\":0.374},{\"ordinal\":2,\"score\":null}], got [{\"ordinal\":1,\"score\":0.374}]".into())
    );
}
