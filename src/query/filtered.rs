//! Keywords narrowed by annotation filters, ranked so that the top hits can
//! still skip what cannot enter the top.
//!
//! As a BooleanQuery of `Must` clauses, tantivy scores every passage of the
//! intersection, because its block-max pruning (WAND) needs every clause to
//! be a word with frequencies, and a filter (actor, stance, topic, ...) is
//! not. Here the keywords prune as they would alone, and each candidate they
//! pass on is checked against the filters. When a filter is much rarer than
//! the keywords, walking the intersection from that filter costs less, and
//! the plain intersection is used. Counting and every other use is the
//! plain intersection: the passages matched and their scores are the same
//! either way (a filter adds 0 to the score).

use tantivy::query::{
    BooleanQuery, ConstScoreQuery, EnableScoring, Explanation, Occur, Query, Scorer, Weight,
};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// A filter at least this many times rarer than the keywords leads the
/// walk instead.
const RARE_FILTER: u32 = 8;

/// `scored` (the keywords), restricted to passages matching every filter.
#[derive(Debug)]
pub(crate) struct Filtered {
    scored: Box<dyn Query>,
    filters: Vec<Box<dyn Query>>,
}

impl Clone for Filtered {
    fn clone(&self) -> Filtered {
        Filtered {
            scored: self.scored.box_clone(),
            filters: self.filters.iter().map(|f| f.box_clone()).collect(),
        }
    }
}

impl Filtered {
    pub(crate) fn new(scored: Box<dyn Query>, filters: Vec<Box<dyn Query>>) -> Filtered {
        Filtered { scored, filters }
    }

    /// The same passages and scores as one BooleanQuery.
    fn intersection(&self) -> BooleanQuery {
        let mut clauses = vec![(Occur::Must, self.scored.box_clone())];
        for f in &self.filters {
            clauses.push((Occur::Must, unscored(f.box_clone())));
        }
        BooleanQuery::new(clauses)
    }
}

/// A filter as a clause that matches without adding to the score.
pub(crate) fn unscored(filter: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(filter, 0.0))
}

impl Query for Filtered {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(FilteredWeight {
            intersection: self.intersection().weight(scoring)?,
            scored: self.scored.weight(scoring)?,
            filters: self
                .filters
                .iter()
                .map(|f| f.weight(scoring))
                .collect::<tantivy::Result<_>>()?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.scored.query_terms(visitor);
        for f in &self.filters {
            f.query_terms(visitor);
        }
    }
}

struct FilteredWeight {
    intersection: Box<dyn Weight>,
    scored: Box<dyn Weight>,
    filters: Vec<Box<dyn Weight>>,
}

impl Weight for FilteredWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.intersection.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.intersection.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.intersection.count(reader)
    }

    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        self.intersection.for_each(reader, callback)
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        self.intersection.for_each_no_score(reader, callback)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut filters: Vec<Box<dyn Scorer>> = self
            .filters
            .iter()
            .map(|f| f.scorer(reader, 1.0))
            .collect::<tantivy::Result<_>>()?;
        let rarest = filters.iter().map(|f| f.size_hint()).min().unwrap_or(0);
        let keywords = self.scored.scorer(reader, 1.0)?.size_hint();
        if rarest.saturating_mul(RARE_FILTER) < keywords {
            return self
                .intersection
                .for_each_pruning(threshold, reader, callback);
        }
        // Candidates come in increasing document order, so each filter
        // only moves forward.
        let mut current = threshold;
        self.scored
            .for_each_pruning(threshold, reader, &mut |doc, score| {
                let passes = filters.iter_mut().all(|f| {
                    if f.doc() < doc {
                        f.seek(doc);
                    }
                    f.doc() == doc
                });
                if passes {
                    current = callback(doc, score);
                }
                current
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, STRING, TEXT};
    use tantivy::{doc, DocAddress, Index};

    /// 3,000 passages where "w" occurs with varied frequency and length, so
    /// that scores spread; every 2nd is tagged "common", every 500th "rare".
    fn index() -> (Index, tantivy::schema::Field, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let tag = schema.add_text_field("tag", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for n in 0..3000u32 {
            let words =
                "w ".repeat(1 + (n * 7 % 5) as usize) + &"x ".repeat((n * 13 % 40) as usize);
            let mut d = doc!(text => words);
            if n % 2 == 0 {
                d.add_text(tag, "common");
            }
            if n % 500 == 0 {
                d.add_text(tag, "rare");
            }
            writer.add_document(d).unwrap();
        }
        writer.commit().unwrap();
        (index, text, tag)
    }

    #[test]
    fn the_top_hits_and_count_are_the_intersections_whichever_walk_is_taken() {
        let (index, text, tag) = index();
        let searcher = index.reader().unwrap().searcher();
        let word = || -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(text, "w"),
                IndexRecordOption::WithFreqs,
            ))
        };
        let tagged = |t: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(tag, t),
                IndexRecordOption::Basic,
            ))
        };
        // "common" is pruned through (1,500 of 3,000); "rare" (6) leads.
        for names in [&["common"][..], &["rare"], &["common", "rare"]] {
            let filtered = Filtered::new(word(), names.iter().map(|n| tagged(n)).collect());
            let plain = filtered.intersection();
            for keep in [1, 5, 50, 4000] {
                let top = |q: &dyn Query| -> Vec<(Score, DocAddress)> {
                    searcher
                        .search(q, &TopDocs::with_limit(keep).order_by_score())
                        .unwrap()
                };
                let got = top(&filtered);
                assert_eq!(got, top(&plain), "{names:?}, top {keep}");
                assert!(!got.is_empty());
            }
            let count = searcher.search(&filtered, &Count).unwrap();
            assert_eq!(count, searcher.search(&plain, &Count).unwrap());
            let expected = match names {
                ["common"] => 1500,
                _ => 6,
            };
            assert_eq!(count, expected, "{names:?}");
        }
    }
}
