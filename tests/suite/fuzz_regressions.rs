//! Replays the fuzzers' committed inputs (`fuzz/seeds/*` and every crash
//! turned regression in `fuzz/regressions/*`) as ordinary tests, so what
//! the fuzzers found stays fixed without running them.

#[path = "../../fuzz/cases.rs"]
mod cases;

use crate::util::{copy_tree, corpus_dir, index};
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in [
        fuzz.join("seeds").join(target),
        fuzz.join("regressions").join(target),
    ] {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            files.extend(entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()));
        }
    }
    files.sort();
    files
}

#[test]
fn query_fuzz_inputs_replay_cleanly() {
    let files = inputs("query");
    assert!(files.len() >= 20, "the committed query seeds are missing");
    for f in files {
        cases::query_case(index(), &std::fs::read(&f).unwrap());
    }
}

#[test]
fn corpus_fuzz_inputs_replay_cleanly() {
    let files = inputs("corpus_toml");
    assert!(files.len() >= 4, "the committed corpus seeds are missing");
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    copy_tree(&corpus_dir(), &root);
    for f in files {
        cases::corpus_case(&root, &std::fs::read(&f).unwrap());
    }
}
