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
//! generated passages those terms were an eighth of a full build's CPU
//! time: 29.65 s against 33.80 s, wall medians of 3 alternating builds.

use super::compile::any_of;
use crate::index::schema::{stance_part_key, KEY_SEP, SLOT_TAG, STANCE_KEY_TAGS};
use tantivy::query::{
    BitSetDocSet, BooleanQuery, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::Field;
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

/// The polarity's place among the parts.
const POLARITY: usize = 3;

/// The filter on the stance parts given (holder, stance, target, polarity,
/// in key order): the passages with one annotation whose given parts all
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
    })
}

/// The given parts, in key order, each with its allowed values.
#[derive(Debug, Clone)]
struct StanceMatch {
    field: Field,
    parts: Vec<(usize, Vec<String>)>,
}

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
    fn scorer_on(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let slots = if self.parts.is_empty() {
            0
        } else {
            slot_count(reader, self.field)?
        };
        let scorer = |slots| {
            self.on(slots)
                .weight(EnableScoring::disabled_from_schema(reader.schema()))?
                .scorer(reader, boost)
        };
        if slots <= SLOTS_AT_ONCE {
            return Ok(Box::new(ConstScorer::new(scorer(0..slots)?, boost)));
        }
        let mut found = BitSet::with_max_value(reader.max_doc());
        for start in (0..slots).step_by(SLOTS_AT_ONCE) {
            let mut docs = scorer(start..slots.min(start + SLOTS_AT_ONCE))?;
            while docs.doc() != TERMINATED {
                found.insert(docs.doc());
                docs.advance();
            }
        }
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(found), boost)))
    }
}

/// Slots searched at once. Each slot's clauses hold postings cursors of
/// about a kilobyte and a half each, so a segment with more slots (some
/// passage has more stance annotations) is searched this many at a time
/// into a bitset, and memory stays bounded whatever a corpus holds. At
/// 50,000 annotations in one passage, searching them all at once took
/// 350 MB.
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
    let sep = u8::try_from(KEY_SEP).ok()?;
    let at = key.iter().rposition(|&b| b == sep)?;
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
        self.0.scorer_on(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut docs = self.0.scorer_on(reader, 1.0)?;
        if docs.seek(doc) == doc {
            Ok(Explanation::new("stance keys", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} has no matching stance keys"
            )))
        }
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
}
