//! Stance filters: holder, stance, target and polarity, which must all
//! hold on one annotation.
//!
//! Each stance annotation is indexed under four keys
//! ([`crate::index::schema::stance_keys`]), one per part, each tagged with
//! the annotation's slot: its position among the stance annotations of its
//! passage (`h=iran|n=0`, `s=condemns|n=0`, `t=israel|n=0`,
//! `p=against|n=0`). Keys that share a slot belong to one annotation. So a
//! filter matches the passages where, in some slot, every part given takes
//! one of its allowed values: a union over the slots of the segment of an
//! intersection over the parts, each a union of terms.
//!
//! Slots keep the terms few: a key takes one of a part's values times the
//! most annotations one passage has. Keys that joined the parts of an
//! annotation (`h=…|s=…|t=…|p=…`) did the same job, but with a holder and a
//! target in one key nearly every key was a term of its own. On a million
//! generated passages, a build without those keys took 9.3 fewer of 73
//! CPU-seconds; with the slotted keys, full builds took 27.89 s against
//! 30.50 s (wall medians of 3 builds alternating with the old binary).

use super::compile::any_of;
use crate::index::schema::{stance_part_key, KEY_SEP, SLOT_TAG, STANCE_KEY_TAGS};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tantivy::index::SegmentId;
use tantivy::query::{
    BitSetDocSet, BooleanQuery, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::Field;
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

/// The separator as a byte of a key.
const SEP: u8 = {
    assert!(KEY_SEP.is_ascii());
    KEY_SEP as u8
};

/// The polarity's place among the parts.
const POLARITY: usize = 3;

/// The filter on the stance parts given (holder, stance, target, polarity,
/// in that order): the passages with one annotation whose given parts all
/// take one of the allowed values. At least one part must be given: with
/// none, the filter matches no passage.
pub(crate) fn stance_filter(field: Field, parts: [Option<&[&str]>; 4]) -> Box<dyn Query> {
    Box::new(StanceMatch {
        field,
        parts: parts
            .iter()
            .enumerate()
            .filter_map(|(part, values)| {
                values.map(|v| (part, v.iter().map(|s| (*s).to_owned()).collect()))
            })
            .collect(),
        found: Arc::default(),
    })
}

/// The given parts (0 holder, 1 stance, 2 target, 3 polarity), each with
/// its allowed values.
#[derive(Debug, Clone)]
struct StanceMatch {
    field: Field,
    parts: Vec<(usize, Vec<String>)>,
    /// Each segment's matching passages, found once per query: one search
    /// builds its filters' scorers several times (to size them, to collect
    /// the top hits, to count). Shared by the query's clones.
    found: Arc<Mutex<HashMap<SegmentId, Arc<Matched>>>>,
}

/// A segment's matching passages.
#[derive(Debug)]
enum Matched {
    /// Sorted and distinct: few, as a filter naming a holder finds. A
    /// bitset would cost a bit per passage of the segment to clear and to
    /// copy for each scorer.
    Few(Arc<Vec<DocId>>),
    Many(BitSet),
}

/// At most one match per this many passages of a segment makes a
/// [`Matched::Few`]: 4 bytes a match, against a bitset's bit a passage.
const FEW: u32 = 64;

impl StanceMatch {
    /// This filter on the slots `slots` of a segment.
    fn on(&self, slots: std::ops::Range<usize>) -> Box<dyn Query> {
        let per_slot = slots
            .map(|slot| {
                let parts = self
                    .parts
                    .iter()
                    .map(|(part, values)| {
                        let keys: Vec<String> = values
                            .iter()
                            .map(|v| stance_part_key(*part, v, slot))
                            .collect();
                        any_of(self.field, keys.iter().map(String::as_str))
                    })
                    .collect();
                Box::new(BooleanQuery::intersection(parts)) as Box<dyn Query>
            })
            .collect();
        Box::new(BooleanQuery::union(per_slot))
    }

    /// The passages of the segment of `reader` that match.
    fn matching(&self, reader: &SegmentReader) -> tantivy::Result<Arc<Matched>> {
        let id = reader.segment_id();
        let cached = self
            .found
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .cloned();
        if let Some(matched) = cached {
            return Ok(matched);
        }
        let slots = if self.parts.is_empty() {
            0
        } else {
            slot_count(reader, self.field)?
        };
        let mut docs = Vec::new();
        for start in (0..slots).step_by(SLOTS_AT_ONCE) {
            let mut found = self
                .on(start..slots.min(start + SLOTS_AT_ONCE))
                .weight(EnableScoring::disabled_from_schema(reader.schema()))?
                .scorer(reader, 1.0)?;
            while found.doc() != TERMINATED {
                docs.push(found.doc());
                found.advance();
            }
        }
        if slots > SLOTS_AT_ONCE {
            // Each group of slots gives its passages in order; the groups
            // overlap.
            docs.sort_unstable();
            docs.dedup();
        }
        let few = u32::try_from(docs.len()).is_ok_and(|n| n <= reader.max_doc() / FEW);
        let matched = Arc::new(if few {
            Matched::Few(Arc::new(docs))
        } else {
            let mut set = BitSet::with_max_value(reader.max_doc());
            for doc in docs {
                set.insert(doc);
            }
            Matched::Many(set)
        });
        self.found
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, Arc::clone(&matched));
        Ok(matched)
    }
}

/// Slots searched at once. Each slot's clauses hold postings cursors of
/// about a kilobyte and a half each, so a segment with more slots (some
/// passage has more stance annotations) is searched this many at a time,
/// and memory stays bounded whatever a corpus holds. At 50,000 annotations
/// in one passage, searching them all at once took 350 MB.
const SLOTS_AT_ONCE: usize = 64;

/// One more than the highest slot of the segment's stance keys: the most
/// stance annotations of one passage. Read from the polarity keys, which
/// are few (three values per slot), and which every annotation has.
fn slot_count(reader: &SegmentReader, field: Field) -> tantivy::Result<usize> {
    let tag = STANCE_KEY_TAGS[POLARITY].as_bytes();
    let inverted = reader.inverted_index(field)?;
    let mut keys = inverted.terms().range().ge(tag).into_stream()?;
    let mut count = 0;
    while keys.advance() && keys.key().starts_with(tag) {
        if let Some(slot) = slot_of(keys.key()) {
            count = count.max(slot + 1);
        }
    }
    Ok(count)
}

/// The slot of a key: the number after its last separator and the slot tag.
fn slot_of(key: &[u8]) -> Option<usize> {
    let at = key.iter().rposition(|&b| b == SEP)?;
    let digits = key[at + 1..].strip_prefix(SLOT_TAG.as_bytes())?;
    std::str::from_utf8(digits).ok()?.parse().ok()
}

impl Query for StanceMatch {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(StanceMatchWeight(self.clone())))
    }
}

/// The keys are read per segment, because each has its own slots.
struct StanceMatchWeight(StanceMatch);

impl Weight for StanceMatchWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match &*self.0.matching(reader)? {
            Matched::Few(docs) => Box::new(ConstScorer::new(
                SortedDocs {
                    docs: Arc::clone(docs),
                    at: 0,
                },
                boost,
            )),
            Matched::Many(docs) => {
                Box::new(ConstScorer::new(BitSetDocSet::from(docs.clone()), boost))
            }
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let found = match &*self.0.matching(reader)? {
            Matched::Few(docs) => docs.binary_search(&doc).is_ok(),
            Matched::Many(docs) => docs.contains(doc),
        };
        if found {
            Ok(Explanation::new("stance keys", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} has no matching stance keys"
            )))
        }
    }
}

/// Sorted, distinct passages as a doc set (tantivy's own is test-only).
struct SortedDocs {
    docs: Arc<Vec<DocId>>,
    at: usize,
}

impl DocSet for SortedDocs {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.at += self.docs[self.at..].partition_point(|&doc| doc < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        u32::try_from(self.docs.len()).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_the_number_after_the_last_separator() {
        assert_eq!(slot_of(b"p=against|n=0"), Some(0));
        assert_eq!(slot_of(b"p=against|n=12"), Some(12));
        assert_eq!(slot_of(b"p=against"), None);
        assert_eq!(slot_of(b"p=against|n="), None);
        assert_eq!(slot_of(b"p=against|x=1"), None);
    }

    #[test]
    fn sorted_docs_advance_and_seek_like_any_doc_set() {
        let mut docs = SortedDocs {
            docs: Arc::new(vec![3, 7, 8, 20]),
            at: 0,
        };
        assert_eq!(docs.size_hint(), 4);
        assert_eq!(docs.doc(), 3);
        assert_eq!(docs.seek(3), 3);
        assert_eq!(docs.advance(), 7);
        assert_eq!(docs.seek(8), 8);
        assert_eq!(docs.seek(9), 20);
        assert_eq!(docs.advance(), TERMINATED);
        assert_eq!(docs.advance(), TERMINATED);
        assert_eq!(docs.seek(21), TERMINATED);
        let mut empty = SortedDocs {
            docs: Arc::new(Vec::new()),
            at: 0,
        };
        assert_eq!(empty.doc(), TERMINATED);
        assert_eq!(empty.seek(5), TERMINATED);
    }
}
