//! The floor for a one-shot CLI query: a bare process that opens dossier's
//! tantivy index, parses one keyword query and counts the top hits, with
//! no corpus check, no registry and no output formatting.
//!
//! Usage: bare INDEX_DIR QUERY   (INDEX_DIR is a dossier --index folder)

use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, query] = args.as_slice() else {
        return Err("usage: bare INDEX_DIR QUERY".into());
    };
    let dir = std::path::Path::new(dir);
    let generation = dir.join(std::fs::read_to_string(dir.join("CURRENT"))?.trim());
    let index = tantivy::Index::open_in_dir(generation)?;
    index
        .tokenizers()
        .register("dossier_en", dossier_bench::systems::analyzer());
    let text = index.schema().get_field("text")?;
    let mut parser = QueryParser::for_index(&index, vec![text]);
    parser.set_conjunction_by_default();
    let reader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let searcher = tantivy::IndexReader::searcher(&reader);
    let (top, count) = searcher.search(
        &parser.parse_query(query)?,
        &(TopDocs::with_limit(10).order_by_score(), Count),
    )?;
    println!("{count} {}", top.len());
    Ok(())
}
