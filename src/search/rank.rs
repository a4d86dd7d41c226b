//! The top hits, in a deterministic order: by BM25 score (when sorting by
//! score), then by article id, then by passage ordinal.
//!
//! Document order is (article id, ordinal), read from fast fields. Article
//! ids are compared as term ordinals within a segment (a segment's
//! dictionary is sorted) and as strings across segments, resolved only for
//! hits that tie with another segment's. So no global position number is
//! indexed, and an update that adds an article between two others
//! re-numbers nothing.

use super::doc_order::{DocOrder, SegmentOrder};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex, PoisonError};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{Query, Weight};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

/// A ranked hit: where it is, and its BM25 score.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ranked {
    pub address: DocAddress,
    pub score: Score,
}

/// The best `keep` hits by score, ties in document order, in one pass
/// that skips blocks of matches that cannot enter the top (block-max WAND,
/// as tantivy's own top-k). Each segment starts from the worst score that
/// the segments before it kept.
pub(crate) fn top_by_score(
    searcher: &Searcher,
    query: &dyn Query,
    keep: usize,
    order: &DocOrder,
) -> tantivy::Result<Vec<Ranked>> {
    searcher.search(
        query,
        &TopByScore {
            keep,
            order,
            floor: Mutex::new(None),
        },
    )
}

/// The first `keep` hits in document order. `scored` keeps each hit's BM25
/// score (to show it) without ranking by it.
pub(crate) fn top_by_position(
    keep: usize,
    scored: bool,
    order: &DocOrder,
) -> impl Collector<Fruit = Vec<Ranked>> + '_ {
    TopByPosition {
        keep,
        scored,
        order,
    }
}

/// One kept hit of a segment.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The score used for ranking: BM25, or 0 when ranking by position.
    rank_score: Score,
    article_ord: u64,
    ordinal: u64,
    doc: DocId,
    /// BM25, shown with the hit.
    score: Score,
}

impl Entry {
    /// Better entries are smaller, so that a max-heap keeps the worst on
    /// top, ready to be dropped. Only meaningful within one segment.
    fn cmp_in_segment(&self, other: &Entry) -> Ordering {
        other
            .rank_score
            .total_cmp(&self.rank_score)
            .then(self.article_ord.cmp(&other.article_ord))
            .then(self.ordinal.cmp(&other.ordinal))
            .then(self.doc.cmp(&other.doc))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_in_segment(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_in_segment(other)
    }
}

/// The best `keep` hits of a segment, with what it takes to name their
/// articles later.
pub(crate) struct SegmentHits {
    segment: SegmentOrdinal,
    order: Arc<SegmentOrder>,
    entries: Vec<Entry>,
}

/// Collects the best `keep` hits (offset plus limit) by score.
struct TopByScore<'a> {
    keep: usize,
    order: &'a DocOrder,
    /// The score of the worst hit kept by a segment that filled its top:
    /// `keep` hits score at least this, so a hit of a later segment that
    /// scores less cannot enter. Scores compare across segments, as BM25
    /// takes its statistics from the whole searcher. Without this, each
    /// segment starts from nothing and scores its first matches in full,
    /// so every segment an update adds would slow the query down.
    floor: Mutex<Option<Score>>,
}

impl TopByScore<'_> {
    fn floor(&self) -> Option<Score> {
        *self.floor.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn raise_floor(&self, score: Score) {
        let mut floor = self.floor.lock().unwrap_or_else(PoisonError::into_inner);
        if floor.is_none_or(|f| f < score) {
            *floor = Some(score);
        }
    }
}

impl Collector for TopByScore<'_> {
    type Fruit = Vec<Ranked>;
    type Child = SegmentTop;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTop> {
        Ok(SegmentTop::new(
            self.order.segment(segment, reader)?,
            segment,
            self.keep,
            true,
        ))
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<SegmentHits>) -> tantivy::Result<Vec<Ranked>> {
        merge(fruits, self.keep)
    }

    /// Like tantivy's top-k, the query skips blocks that cannot enter the
    /// top (`Weight::for_each_pruning`), where a plain collector would score
    /// every match. Unlike tantivy's, a hit that ties the worst kept one
    /// still gets in, as it may come first in document order.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentHits> {
        let mut top = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        // Pruning passes on only scores strictly above the threshold; a tie
        // with the floor may still come first in document order.
        let start = self.floor().map_or(Score::NEG_INFINITY, Score::next_down);
        weight.for_each_pruning(start, reader, &mut |doc, score| {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                top.collect(doc, score);
            }
            top.worst_kept().map_or(start, |w| w.next_down().max(start))
        })?;
        if let Some(worst) = top.worst_kept() {
            self.raise_floor(worst);
        }
        Ok(top.harvest())
    }
}

/// Collects the first `keep` hits in document order.
struct TopByPosition<'a> {
    keep: usize,
    /// Whether to score the hits, to show their scores.
    scored: bool,
    order: &'a DocOrder,
}

impl Collector for TopByPosition<'_> {
    type Fruit = Vec<Ranked>;
    type Child = SegmentTop;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTop> {
        Ok(SegmentTop::new(
            self.order.segment(segment, reader)?,
            segment,
            self.keep,
            false,
        ))
    }

    fn requires_scoring(&self) -> bool {
        self.scored
    }

    fn merge_fruits(&self, fruits: Vec<SegmentHits>) -> tantivy::Result<Vec<Ranked>> {
        merge(fruits, self.keep)
    }
}

/// The best `keep` of every segment's best. Article ids are read from the
/// dictionaries only for hits that tie, on score, with another segment's
/// hit near the top: when ranking by score, that is few.
fn merge(fruits: Vec<SegmentHits>, keep: usize) -> tantivy::Result<Vec<Ranked>> {
    // (segment's place in `fruits`, entry), best first, names aside.
    let mut all: Vec<(usize, Entry)> = fruits
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.entries.iter().map(move |e| (i, *e)))
        .collect();
    all.sort_by(|a, b| {
        b.1.rank_score
            .total_cmp(&a.1.rank_score)
            .then(a.0.cmp(&b.0))
            .then(a.1.cmp(&b.1))
    });

    // Runs of equal rank score that start within the top and span segments
    // are ordered by article id; mark their entries to be named.
    let mut named = vec![false; all.len()];
    let mut start = 0;
    while start < all.len().min(keep) {
        let score = all[start].1.rank_score;
        let end = start
            + all[start..]
                .iter()
                .take_while(|(_, e)| e.rank_score.total_cmp(&score) == Ordering::Equal)
                .count();
        if all[start..end].iter().any(|(i, _)| *i != all[start].0) {
            named[start..end].fill(true);
        }
        start = end;
    }
    let names = article_names(&fruits, &all, &named)?;

    let mut ranked: Vec<(usize, Entry, Option<&str>)> = all
        .iter()
        .zip(&named)
        .map(|(&(i, e), &n)| (i, e, n.then(|| names.get(i, e.article_ord))))
        .collect();
    ranked.sort_by(|a, b| {
        b.1.rank_score
            .total_cmp(&a.1.rank_score)
            .then_with(|| match (a.2, b.2) {
                (Some(x), Some(y)) => x.cmp(y),
                // Unnamed entries of one score share a segment.
                _ => a.1.article_ord.cmp(&b.1.article_ord),
            })
            .then(a.1.ordinal.cmp(&b.1.ordinal))
            .then(a.0.cmp(&b.0))
            .then(a.1.doc.cmp(&b.1.doc))
    });
    ranked.truncate(keep);
    Ok(ranked
        .into_iter()
        .map(|(i, e, _)| Ranked {
            address: DocAddress::new(fruits[i].segment, e.doc),
            score: e.score,
        })
        .collect())
}

/// Article ids by (segment's place, term ordinal).
struct ArticleNames {
    /// Per segment: sorted ordinals and their names.
    by_segment: Vec<(Vec<u64>, Vec<Arc<str>>)>,
}

impl ArticleNames {
    fn get(&self, segment: usize, ord: u64) -> &str {
        let (ords, names) = &self.by_segment[segment];
        ords.binary_search(&ord)
            .ok()
            .and_then(|at| names.get(at))
            .map_or("", |n| n)
    }
}

fn article_names(
    fruits: &[SegmentHits],
    all: &[(usize, Entry)],
    named: &[bool],
) -> tantivy::Result<ArticleNames> {
    let mut ords: Vec<Vec<u64>> = vec![Vec::new(); fruits.len()];
    for (&(i, e), _) in all.iter().zip(named).filter(|(_, n)| **n) {
        ords[i].push(e.article_ord);
    }
    let mut by_segment = Vec::with_capacity(fruits.len());
    for (mut ords, fruit) in ords.into_iter().zip(fruits) {
        ords.sort_unstable();
        ords.dedup();
        let names = if ords.is_empty() {
            Vec::new()
        } else {
            fruit.order.names(&ords)?
        };
        by_segment.push((ords, names));
    }
    Ok(ArticleNames { by_segment })
}

pub(crate) struct SegmentTop {
    order: Arc<SegmentOrder>,
    heap: BinaryHeap<Entry>,
    keep: usize,
    by_score: bool,
    segment: SegmentOrdinal,
}

impl SegmentTop {
    fn new(
        order: Arc<SegmentOrder>,
        segment: SegmentOrdinal,
        keep: usize,
        by_score: bool,
    ) -> SegmentTop {
        SegmentTop {
            order,
            heap: BinaryHeap::with_capacity(keep.min(4096) + 1),
            keep,
            by_score,
            segment,
        }
    }

    /// The rank score of the worst kept hit, once `keep` are kept.
    fn worst_kept(&self) -> Option<Score> {
        if self.heap.len() >= self.keep {
            self.heap.peek().map(|e| e.rank_score)
        } else {
            None
        }
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = SegmentHits;

    fn collect(&mut self, doc: DocId, score: Score) {
        let rank_score = if self.by_score { score } else { 0.0 };
        let article_ord = self.order.article_ord(doc);
        if self.heap.len() >= self.keep {
            let Some(worst) = self.heap.peek() else {
                return;
            };
            // Most hits lose on score or article alone: the ordinal is read
            // only for one that ties the worst kept hit on both.
            let rank = worst
                .rank_score
                .total_cmp(&rank_score)
                .then(article_ord.cmp(&worst.article_ord));
            if rank == Ordering::Greater {
                return;
            }
        }
        let entry = Entry {
            rank_score,
            article_ord,
            ordinal: self.order.ordinal(doc),
            doc,
            score,
        };
        if self.heap.len() < self.keep {
            self.heap.push(entry);
        } else if let Some(worst) = self.heap.peek() {
            if entry < *worst {
                self.heap.pop();
                self.heap.push(entry);
            }
        }
    }

    fn harvest(self) -> SegmentHits {
        SegmentHits {
            segment: self.segment,
            order: self.order,
            entries: self.heap.into_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, FAST, STORED, STRING, TEXT};
    use tantivy::{doc, Index, Term};

    /// Segments committed one by one, never merged: each `[(article,
    /// ordinal, text)]` is a segment.
    fn segments(batches: &[&[(&str, u64, &str)]]) -> Index {
        let mut schema = Schema::builder();
        let article = schema.add_text_field("article", STRING | FAST | STORED);
        let ordinal = schema.add_u64_field("ordinal", FAST | STORED);
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for batch in batches {
            for &(a, o, t) in *batch {
                writer
                    .add_document(doc!(article => a, ordinal => o, text => t))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        index
    }

    /// For each `(keep, expected)`: the top `keep` hits for "revenge", by
    /// score, as article and ordinal ("a1"). tantivy's segment order is not
    /// the order of commits, and the floor depends on it, so besides
    /// `top_by_score` every order of the segments is driven by hand.
    fn assert_tops(index: &Index, cases: &[(usize, &[&str])]) {
        let searcher = index.reader().unwrap().searcher();
        let text = index.schema().get_field("text").unwrap();
        let q = TermQuery::new(
            Term::from_field_text(text, "revenge"),
            IndexRecordOption::WithFreqs,
        );
        let weight = q
            .weight(tantivy::query::EnableScoring::enabled_from_searcher(
                &searcher,
            ))
            .unwrap();
        let doc_order = DocOrder::new(&searcher);
        for &(keep, expected) in cases {
            let top = top_by_score(&searcher, &q, keep, &doc_order).unwrap();
            assert_eq!(order(index, &top), expected, "keep {keep}");
            for segments in orders(searcher.segment_readers().len() as u32) {
                let collector = TopByScore {
                    keep,
                    order: &doc_order,
                    floor: Mutex::new(None),
                };
                let fruits = segments
                    .iter()
                    .map(|&s| {
                        collector
                            .collect_segment(&*weight, s, searcher.segment_reader(s))
                            .unwrap()
                    })
                    .collect();
                let top = collector.merge_fruits(fruits).unwrap();
                assert_eq!(order(index, &top), expected, "keep {keep}, {segments:?}");
            }
        }
    }

    /// Every order of `0..n`.
    fn orders(n: u32) -> Vec<Vec<u32>> {
        if n == 0 {
            return vec![Vec::new()];
        }
        let mut all = Vec::new();
        for shorter in orders(n - 1) {
            for at in 0..=shorter.len() {
                let mut order = shorter.clone();
                order.insert(at, n - 1);
                all.push(order);
            }
        }
        all
    }

    fn order(index: &Index, ranked: &[Ranked]) -> Vec<String> {
        let searcher = index.reader().unwrap().searcher();
        let field = index.schema().get_field("article").unwrap();
        let ordinal = index.schema().get_field("ordinal").unwrap();
        ranked
            .iter()
            .map(|r| {
                let d: tantivy::TantivyDocument = searcher.doc(r.address).unwrap();
                use tantivy::schema::document::Value;
                let a = d.get_first(field).and_then(|v| v.as_str()).unwrap();
                let o = d.get_first(ordinal).and_then(|v| v.as_u64()).unwrap();
                format!("{a}{o}")
            })
            .collect()
    }

    fn segment_count(index: &Index) -> usize {
        index.reader().unwrap().searcher().segment_readers().len()
    }

    #[test]
    fn a_tie_with_the_worst_kept_hit_enters_when_it_comes_first() {
        // One segment whose documents are not in (article, ordinal) order,
        // as after a merge of segments from several updates. Every hit
        // ties on score.
        let index = segments(&[&[
            ("z", 1, "revenge"),
            ("m", 2, "revenge"),
            ("a", 2, "revenge"),
            ("m", 1, "revenge"),
            ("a", 1, "revenge"),
        ]]);
        assert_eq!(segment_count(&index), 1);
        assert_tops(
            &index,
            &[
                (1, &["a1"]),
                (2, &["a1", "a2"]),
                (4, &["a1", "a2", "m1", "m2"]),
                (9, &["a1", "a2", "m1", "m2", "z1"]),
            ],
        );
    }

    #[test]
    fn a_later_segment_tying_the_floor_still_enters_first_in_document_order() {
        // Every passage scores alike. The first segment fills the top; the
        // second's passage ties it and comes first by article id.
        let index = segments(&[
            &[("m", 1, "revenge"), ("m", 2, "revenge")],
            &[("a", 1, "revenge")],
            &[("z", 1, "revenge")],
        ]);
        assert_eq!(segment_count(&index), 3);
        assert_tops(&index, &[(2, &["a1", "m1"])]);
    }

    #[test]
    fn the_best_hits_are_found_in_any_segment() {
        // "revenge" twice scores above once; the best passages sit in the
        // last segments, after the first filled its top with weaker ones.
        let index = segments(&[
            &[
                ("a", 1, "revenge"),
                ("a", 2, "revenge"),
                ("a", 3, "revenge"),
            ],
            &[("b", 1, "revenge revenge"), ("b", 2, "revenge")],
            &[("c", 1, "revenge revenge")],
        ]);
        assert_eq!(segment_count(&index), 3);
        assert_tops(
            &index,
            &[
                (1, &["b1"]),
                (2, &["b1", "c1"]),
                (3, &["b1", "c1", "a1"]),
                (6, &["b1", "c1", "a1", "a2", "a3", "b2"]),
            ],
        );
    }

    #[test]
    fn a_segment_that_did_not_fill_the_top_sets_no_floor() {
        // One strong passage in one segment, two weaker ones in another.
        let index = segments(&[
            &[("b", 1, "revenge revenge")],
            &[("a", 1, "revenge"), ("a", 2, "revenge")],
        ]);
        assert_tops(&index, &[(3, &["b1", "a1", "a2"])]);
    }
}
