//! # Embedding dossier in a Rust program
//!
//! We will: load the bundled corpus, build its index in a temporary folder,
//! ask who warns against war (an actor + stance query), and count who takes
//! which position. The example asserts what it prints, so it cannot rot.
//!
//! Run it with `cargo run --example embed`.

use dossier::{Corpus, FacetDim, FacetKey, Index, Location, Query};

fn main() -> dossier::Result<()> {
    // # Load and index
    let corpus = Corpus::load(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"))?;
    let dir = tempfile::tempdir().map_err(|e| dossier::Error::Io {
        path: "temp dir".into(),
        source: e,
    })?;
    let index = Index::open_or_build(&corpus, Location::Dir(dir.path().to_owned()))?;

    // # An actor + stance query
    // Passages where the reformists warn against war. Holder and stance must
    // hold on the same annotation.
    let results = index.search(
        &Query::all()
            .actor("Israel")
            .holder("reformists")
            .stance("warns-against-war"),
    )?;
    for hit in &results.hits {
        println!("{}  {}", hit.passage, hit.snippet.text);
    }
    let passages: Vec<&str> = results.hits.iter().map(|h| h.passage.as_str()).collect();
    assert_eq!(passages, ["iran-intel-12"]);

    // The hardliners call for revenge in that same passage, but never warn
    // against war: the same-annotation rule keeps them apart.
    let none = index.search(
        &Query::all()
            .holder("hardliners")
            .stance("warns-against-war"),
    )?;
    assert_eq!(none.total, 0);

    // # Who takes which position
    let matrix = index.facets(&Query::all(), &[FacetDim::Holder, FacetDim::Stance])?;
    let retaliation = matrix
        .counts
        .iter()
        .find(|c| c.value == FacetKey::Pair("hardliners".into(), "calls-for-retaliation".into()))
        .map(|c| c.count);
    println!("hardliners × calls-for-retaliation: {retaliation:?}");
    assert_eq!(retaliation, Some(1));

    // # Results are plain serde types
    let json = serde_json::to_string(&results.hits[0])
        .map_err(|e| dossier::Error::InvalidArgument(e.to_string()))?;
    assert!(json.contains("\"passage\":\"iran-intel-12\""));
    Ok(())
}
