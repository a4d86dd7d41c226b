#![no_main]
//! `cargo fuzz run corpus_toml`: arbitrary bytes as a registry or article
//! file of an otherwise valid corpus.

#[path = "../cases.rs"]
mod cases;

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

fn root() -> &'static PathBuf {
    static ROOT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &ROOT
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let root = dir.path().join("corpus");
            copy(&PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus")), &root);
            (dir, root)
        })
        .1
}

fn copy(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fuzz_target!(|data: &[u8]| cases::corpus_case(root(), data));
