//! How many passages match, with a fast path for the commonest search: one
//! word.
//!
//! tantivy counts a word in a segment without deletes from its document
//! frequency, in one step, but in a segment with deletes it walks a boxed
//! scorer one posting at a time. After many updates every large segment
//! carries some deletes, and that walk was the largest part of what a
//! one-word search cost beyond a fresh build's. Here such a segment's
//! postings are read a block at a time, without term frequencies, and
//! checked against the deletes in a tight loop: at 100,000 passages after
//! 1,000 updates, a fifth fewer instructions for the count (callgrind).

use tantivy::collector::Count;
use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, SegmentReader, Term};

/// The number of live passages that `query` matches.
pub(crate) fn count_matches(searcher: &Searcher, query: &dyn Query) -> tantivy::Result<usize> {
    let Some(word) = query.downcast_ref::<TermQuery>() else {
        return searcher.search(query, &Count);
    };
    let mut total = 0;
    for reader in searcher.segment_readers() {
        total += count_term(reader, word.term())?;
    }
    Ok(total)
}

fn count_term(reader: &SegmentReader, term: &Term) -> tantivy::Result<usize> {
    let postings = reader.inverted_index(term.field())?;
    let Some(alive) = reader.alive_bitset() else {
        return Ok(postings.doc_freq(term)? as usize);
    };
    let Some(mut blocks) = postings.read_block_postings(term, IndexRecordOption::Basic)? else {
        return Ok(0);
    };
    let mut count = 0;
    // The last block is followed by an empty one.
    while !blocks.docs().is_empty() {
        count += blocks
            .docs()
            .iter()
            .filter(|&&doc| alive.is_alive(doc))
            .count();
        blocks.advance();
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::{BooleanQuery, Occur};
    use tantivy::schema::{Schema, STRING, TEXT};
    use tantivy::{doc, Index};

    /// Two segments of six passages each, `id` 0..12; "revenge" is in the
    /// even ones, "honour" in every third. Passages 2, 3 and 8 are deleted.
    fn index_with_deletes() -> (Index, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let id = schema.add_text_field("id", STRING);
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for segment in [0..6, 6..12] {
            for n in segment {
                let mut words = Vec::new();
                if n % 2 == 0 {
                    words.push("revenge");
                }
                if n % 3 == 0 {
                    words.push("honour");
                }
                words.push("filler");
                writer
                    .add_document(doc!(id => n.to_string(), text => words.join(" ")))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        for n in [2, 3, 8] {
            writer.delete_term(Term::from_field_text(id, &n.to_string()));
        }
        writer.commit().unwrap();
        (index, text)
    }

    fn word(field: tantivy::schema::Field, w: &str) -> TermQuery {
        TermQuery::new(
            Term::from_field_text(field, w),
            IndexRecordOption::WithFreqs,
        )
    }

    #[test]
    fn a_word_is_counted_without_its_deleted_passages() {
        let (index, text) = index_with_deletes();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        // Even ids 0, 4, 6, 10: 2 and 8 are deleted.
        assert_eq!(count_matches(&searcher, &word(text, "revenge")).unwrap(), 4);
        // 0, 6, 9: 3 is deleted.
        assert_eq!(count_matches(&searcher, &word(text, "honour")).unwrap(), 3);
        assert_eq!(count_matches(&searcher, &word(text, "absent")).unwrap(), 0);
    }

    #[test]
    fn other_queries_are_counted_as_tantivy_counts_them() {
        let (index, text) = index_with_deletes();
        let searcher = index.reader().unwrap().searcher();
        // Both words: 0 and 6 (12 is not indexed).
        let both = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(word(text, "revenge")) as Box<dyn Query>,
            ),
            (Occur::Must, Box::new(word(text, "honour"))),
        ]);
        assert_eq!(count_matches(&searcher, &both).unwrap(), 2);
    }

    #[test]
    fn a_word_in_more_than_one_block_is_counted_block_by_block() {
        // Postings come in blocks of 128, then a shorter last block if any.
        for passages in [128u64, 256, 300] {
            let mut schema = Schema::builder();
            let id = schema.add_u64_field("id", tantivy::schema::INDEXED);
            let text = schema.add_text_field("text", TEXT);
            let index = Index::create_in_ram(schema.build());
            let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
            for n in 0..passages {
                writer
                    .add_document(doc!(id => n, text => "revenge"))
                    .unwrap();
            }
            writer.commit().unwrap();
            // A deleted passage in the first block and in the last.
            for n in [5, passages - 1] {
                writer.delete_term(Term::from_field_u64(id, n));
            }
            writer.commit().unwrap();
            let searcher = index.reader().unwrap().searcher();
            assert_eq!(searcher.segment_readers().len(), 1);
            let counted = count_matches(&searcher, &word(text, "revenge")).unwrap();
            assert_eq!(counted as u64, passages - 2, "{passages} passages");
        }
    }
}
