//! The top hits, in a deterministic order: by BM25 score (when sorting by
//! score), then by article id, then by passage ordinal.
//!
//! Document order is (article id, ordinal), read from fast fields. Article
//! ids are compared as term ordinals within a segment (a segment's
//! dictionary is sorted) and as strings across segments, resolved only for
//! the documents a segment keeps. So no global position number is indexed,
//! and an update that adds an article between two others re-numbers
//! nothing.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::Query;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

/// One kept hit of a segment.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The score used for ranking: BM25, or 0 when sorting by position.
    rank_score: Score,
    article_ord: u64,
    ordinal: u64,
    doc: DocId,
    /// BM25, shown with the hit.
    score: Score,
}

impl Entry {
    /// Better entries are smaller, so that a max-heap keeps the worst on
    /// top, ready to be dropped.
    fn cmp_rank(&self, other: &Entry) -> Ordering {
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
        self.cmp_rank(other) == Ordering::Equal
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
        self.cmp_rank(other)
    }
}

/// The best `keep` hits by score, ties in document order. tantivy's own
/// top-k skips blocks that cannot enter the top (block-max WAND), which
/// saves scoring most matches of a common word; it breaks ties by segment
/// and document id, so one more hit is asked for: when the boundary score
/// is unique, the set is exactly the top `keep` and only needs sorting;
/// when it is tied, a full pass decides.
pub(crate) fn top_by_score(
    searcher: &Searcher,
    query: &dyn Query,
    keep: usize,
) -> tantivy::Result<Vec<Ranked>> {
    let top = searcher.search(query, &TopDocs::with_limit(keep + 1).order_by_score())?;
    if top.len() > keep && keep > 0 && top[keep - 1].0 == top[keep].0 {
        return searcher.search(
            query,
            &TopRanked {
                keep,
                by_score: true,
                scored: true,
            },
        );
    }
    let mut ranked = Vec::with_capacity(keep);
    for (score, address) in top.into_iter().take(keep) {
        let segment = searcher.segment_reader(address.segment_ord);
        let article = match segment.fast_fields().str("article")? {
            Some(c) => {
                let mut name = String::new();
                if let Some(ord) = c.term_ords(address.doc_id).next() {
                    let mut bytes = Vec::new();
                    if c.dictionary().ord_to_term(ord, &mut bytes)? {
                        name = String::from_utf8_lossy(&bytes).into_owned();
                    }
                }
                name
            }
            None => String::new(),
        };
        let ordinal = segment
            .fast_fields()
            .u64("ordinal")
            .ok()
            .and_then(|c| c.first(address.doc_id))
            .unwrap_or(0);
        ranked.push(Ranked {
            rank_score: score,
            article,
            ordinal,
            address,
            score,
        });
    }
    ranked.sort_by(|a, b| {
        b.rank_score
            .total_cmp(&a.rank_score)
            .then_with(|| a.article.cmp(&b.article))
            .then(a.ordinal.cmp(&b.ordinal))
    });
    Ok(ranked)
}

/// A ranked hit: where it is, and its BM25 score.
#[derive(Debug, Clone)]
pub(crate) struct Ranked {
    rank_score: Score,
    article: String,
    ordinal: u64,
    pub address: DocAddress,
    pub score: Score,
}

/// Collects the best `keep` hits (offset plus limit).
pub(crate) struct TopRanked {
    pub keep: usize,
    /// Rank by score first; otherwise by document order only.
    pub by_score: bool,
    /// Whether the query has keywords to score.
    pub scored: bool,
}

pub(crate) struct SegmentTop {
    article: Option<StrColumn>,
    ordinal: Option<Column<u64>>,
    heap: BinaryHeap<Entry>,
    keep: usize,
    by_score: bool,
    segment: SegmentOrdinal,
}

impl Collector for TopRanked {
    type Fruit = Vec<Ranked>;
    type Child = SegmentTop;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTop> {
        Ok(SegmentTop {
            article: reader.fast_fields().str("article")?,
            ordinal: reader.fast_fields().u64("ordinal").ok(),
            heap: BinaryHeap::with_capacity(self.keep.min(4096) + 1),
            keep: self.keep,
            by_score: self.by_score,
            segment,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scored
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Ranked>>) -> tantivy::Result<Vec<Ranked>> {
        let mut all: Vec<Ranked> = fruits.into_iter().flatten().collect();
        all.sort_by(|a, b| {
            b.rank_score
                .total_cmp(&a.rank_score)
                .then_with(|| a.article.cmp(&b.article))
                .then(a.ordinal.cmp(&b.ordinal))
                .then(a.address.segment_ord.cmp(&b.address.segment_ord))
                .then(a.address.doc_id.cmp(&b.address.doc_id))
        });
        all.truncate(self.keep);
        Ok(all)
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = Vec<Ranked>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let article_ord = self
            .article
            .as_ref()
            .and_then(|c| c.term_ords(doc).next())
            .unwrap_or(0);
        let ordinal = self
            .ordinal
            .as_ref()
            .and_then(|c| c.first(doc))
            .unwrap_or(0);
        let entry = Entry {
            rank_score: if self.by_score { score } else { 0.0 },
            article_ord,
            ordinal,
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

    fn harvest(self) -> Vec<Ranked> {
        let mut entries = self.heap.into_vec();
        entries.sort();
        let mut ords: Vec<u64> = entries.iter().map(|e| e.article_ord).collect();
        ords.sort_unstable();
        ords.dedup();
        let mut names = Vec::with_capacity(ords.len());
        if let Some(c) = &self.article {
            // On a dictionary error the ids show as empty rather than fail.
            let _ = c.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                names.push(String::from_utf8_lossy(bytes).into_owned())
            });
        }
        names.resize(ords.len(), String::new());
        entries
            .into_iter()
            .map(|e| {
                let at = ords.binary_search(&e.article_ord).unwrap_or(0);
                Ranked {
                    rank_score: e.rank_score,
                    article: names[at].clone(),
                    ordinal: e.ordinal,
                    address: DocAddress::new(self.segment, e.doc),
                    score: e.score,
                }
            })
            .collect()
    }
}
