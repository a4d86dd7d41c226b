//! When segments are merged: tantivy's log merge policy, plus a rewrite of
//! any segment that carries too many deleted passages.
//!
//! An update deletes an article's old passages and adds the new ones in a
//! small segment. The log policy merges segments of similar size, so the
//! deletes pile up in the large segments of the first build, where they are
//! never merged away. A segment with deletes costs every query: tantivy can
//! count a term's hits from its document frequency only in a segment
//! without deletes, and otherwise walks its postings, stepping over the
//! deleted ones. So a segment whose deleted share passes
//! [`MAX_DELETED_SHARE`] is rewritten on its own. The cost lands on the one
//! update that crosses the line, and how often depends on the segment's
//! size: with 20-passage articles, a 50,000-passage segment is rewritten
//! (in about a second) once in some 250 updates that touch it, a
//! 250,000-passage one (a few seconds) once in some 1,250.
//!
//! tantivy's own `set_del_docs_ratio_before_merge` would merge the whole
//! level the segment belongs to, which after a full build is the whole
//! index; here only the segment past the line is rewritten.

use std::collections::HashSet;
use tantivy::index::SegmentMeta;
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy};

/// The share of a segment's documents that may be deleted before it is
/// rewritten. A fifth made the term query about 8% slower at 100k passages
/// (`bench/` lifecycle rows); a tenth keeps that small while a rewrite
/// stays rare.
pub(crate) const MAX_DELETED_SHARE: f64 = 0.1;

/// tantivy's default policy, plus rewriting each segment whose deleted
/// share passed [`MAX_DELETED_SHARE`].
#[derive(Debug, Default)]
pub(crate) struct ExpungingMergePolicy {
    log: LogMergePolicy,
}

fn deleted_share(segment: &SegmentMeta) -> f64 {
    match segment.max_doc() {
        0 => 0.0,
        n => f64::from(segment.num_deleted_docs()) / f64::from(n),
    }
}

impl MergePolicy for ExpungingMergePolicy {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let mut candidates = self.log.compute_merge_candidates(segments);
        // A segment the log policy already merges loses its deletes there.
        let merged: HashSet<_> = candidates
            .iter()
            .flat_map(|c| c.0.iter().copied())
            .collect();
        candidates.extend(
            segments
                .iter()
                .filter(|s| !merged.contains(&s.id()) && deleted_share(s) > MAX_DELETED_SHARE)
                .map(|s| MergeCandidate(vec![s.id()])),
        );
        candidates
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::index::SegmentId;

    fn segment(index: &tantivy::Index, docs: u32, deleted: u32) -> SegmentMeta {
        let meta = index.new_segment_meta(SegmentId::generate_random(), docs);
        match deleted {
            0 => meta,
            n => meta.with_delete_meta(n, 1),
        }
    }

    #[test]
    fn a_segment_past_the_deleted_share_is_rewritten_alone() {
        let index = tantivy::Index::create_in_ram(tantivy::schema::Schema::builder().build());
        let big = segment(&index, 100_000, 10_001);
        let at_the_line = segment(&index, 100_000, 10_000);
        let clean = segment(&index, 100_000, 0);
        let candidates = ExpungingMergePolicy::default().compute_merge_candidates(&[
            big.clone(),
            at_the_line,
            clean,
        ]);
        let ids: Vec<Vec<SegmentId>> = candidates.into_iter().map(|c| c.0).collect();
        assert_eq!(ids, vec![vec![big.id()]]);
    }

    #[test]
    fn a_segment_the_log_policy_merges_is_not_also_rewritten() {
        let index = tantivy::Index::create_in_ram(tantivy::schema::Schema::builder().build());
        // Eight small segments make one level, which the log policy merges.
        let mut small: Vec<SegmentMeta> = (0..8).map(|_| segment(&index, 1_000, 0)).collect();
        small[3] = segment(&index, 1_000, 500);
        let candidates = ExpungingMergePolicy::default().compute_merge_candidates(&small);
        assert_eq!(candidates.len(), 1);
        let mut merged = candidates[0].0.clone();
        let mut all: Vec<SegmentId> = small.iter().map(SegmentMeta::id).collect();
        merged.sort();
        all.sort();
        assert_eq!(merged, all);
    }
}
