//! Shared helpers: the bundled corpus, a shared index, temp corpora.

use dossier::{Corpus, Index, Location};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

pub fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| Corpus::load(corpus_dir()).expect("the bundled corpus loads"))
}

/// One index of the bundled corpus, built once for all API tests.
pub fn index() -> &'static Index {
    static INDEX: OnceLock<(tempfile::TempDir, Index)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let index = Index::open_or_build(corpus(), Location::Dir(dir.path().to_owned()))
                .expect("index builds");
            (dir, index)
        })
        .1
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every (passage id) of the bundled corpus for which `pred` holds, in order.
pub fn passages_where(pred: impl Fn(&dossier::corpus::Passage) -> bool) -> Vec<String> {
    corpus()
        .articles()
        .flat_map(|r| r.article.expect("valid article").passages)
        .filter(|p| pred(p))
        .map(|p| p.id)
        .collect()
}
