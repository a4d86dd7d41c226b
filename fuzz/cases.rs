#![allow(dead_code)] // each fuzz target uses one of the cases
//! The fuzz cases, shared by the fuzz targets and by the regression test
//! that replays `fuzz/seeds/` and `fuzz/regressions/` in `cargo test`.

use dossier::{Error, FacetDim, Index, Query};
use std::path::Path;

/// Feeds arbitrary bytes to every query entry point. The first byte picks
/// where the rest goes; any result is fine except a panic, a hang or an
/// `IndexDamaged` (which is how a contained tantivy panic surfaces on a
/// healthy index).
pub fn query_case(index: &Index, data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    let q = match mode % 8 {
        0..=2 => Query::text(text),
        3 => Query::all().actor(text),
        4 => Query::all().holder(text.clone()).target(text),
        5 => Query::all().stance(text.clone()).topic(text),
        6 => Query::all().since(text.clone()).until(text),
        _ => Query::text(text)
            .sort(dossier::Sort::Position)
            .offset(usize::from(mode)),
    };
    let results = [
        index.search(&q).map(|_| ()),
        index
            .facets(&q, &[FacetDim::Holder, FacetDim::Stance])
            .map(|_| ()),
        index.timeline(&q).map(|_| ()),
    ];
    for r in results {
        if let Err(e @ Error::IndexDamaged { .. }) = r {
            panic!("a healthy index reported damage: {e}");
        }
    }
}

/// Writes arbitrary bytes over one corpus file (picked by the first byte),
/// runs the whole validation and restores the file. Errors are fine;
/// panics are not, and every reported error must name its file.
pub fn corpus_case(root: &Path, data: &[u8]) {
    if let Some(Err(Error::Corpus(errors))) = corpus_outcome(root, data) {
        assert!(!errors.is_empty(), "an empty error list");
        assert!(
            errors.iter().all(|d| !d.file.as_os_str().is_empty()),
            "an error without a file"
        );
    }
}

/// What loading and checking the corpus gives with `data` written over the
/// file its first byte picks; `None` for empty input.
pub fn corpus_outcome(
    root: &Path,
    data: &[u8],
) -> Option<dossier::Result<dossier::corpus::CheckSummary>> {
    let (&pick, rest) = data.split_first()?;
    let file = match pick % 4 {
        0 => "actors.toml",
        1 => "stances.toml",
        2 => "topics.toml",
        _ => "articles/iran-intel/article.toml",
    };
    let path = root.join(file);
    let original = std::fs::read(&path).expect("fixture file");
    std::fs::write(&path, rest).expect("write fuzz input");
    let outcome = dossier::Corpus::load(root).and_then(|c| c.check());
    std::fs::write(&path, original).expect("restore fixture");
    Some(outcome)
}
