//! The Rust side of `python/bench.py`: the same term queries through
//! `dossier::Index::search`, timed call by call.
//!
//! ```sh
//! cargo run --release -p dossier-python --example bench -- INDEX_DIR ITERATIONS TERM...
//! ```
//!
//! Opens the index at INDEX_DIR as it is (it must exist: bench.py builds
//! it), runs each TERM as a keyword query ITERATIONS times after a warm-up,
//! and prints one JSON object: `{"TERM": [nanoseconds per call, ...], ...}`.

use dossier::{Index, Query};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, iterations, terms @ ..] = args.as_slice() else {
        return Err("usage: bench INDEX_DIR ITERATIONS TERM...".into());
    };
    let iterations: usize = iterations.parse()?;
    let index = Index::open(dir)?;
    let mut out = serde_json::Map::new();
    for term in terms {
        let query = Query::text(term.as_str());
        // Warm-up: the first searches load the term dictionaries' pages.
        for _ in 0..iterations.min(50) {
            std::hint::black_box(index.search(&query)?);
        }
        let mut samples = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let started = Instant::now();
            let results = index.search(std::hint::black_box(&query))?;
            samples.push(started.elapsed().as_nanos() as u64);
            std::hint::black_box(results);
        }
        out.insert(term.clone(), samples.into());
    }
    println!("{}", serde_json::Value::Object(out));
    Ok(())
}
