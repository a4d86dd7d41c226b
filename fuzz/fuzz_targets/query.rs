#![no_main]
//! `cargo fuzz run query`: arbitrary query text and filter values against
//! an index of the bundled corpus.

#[path = "../cases.rs"]
mod cases;

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn index() -> &'static dossier::Index {
    static INDEX: OnceLock<(tempfile::TempDir, dossier::Index)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let corpus = dossier::Corpus::builtin().expect("built-in corpus");
            let index = dossier::Index::open_or_build(&corpus, dossier::Location::Dir(dir.path().to_owned())).expect("index");
            (dir, index)
        })
        .1
}

fuzz_target!(|data: &[u8]| cases::query_case(index(), data));
