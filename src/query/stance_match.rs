//! Stance filters: holder, stance, target and polarity, which must all
//! hold on one annotation.
//!
//! Each stance annotation is indexed under five keys
//! ([`crate::index::schema::stance_keys`]): its holder, stance and polarity
//! alone, its holderless `s=…|t=…|p=…` key and its full `h=…|s=…|t=…|p=…`
//! key. A filter on the holder, the stance or the polarity alone is one
//! term per allowed value. Any other filter matches whole keys: it walks the
//! segment's term dictionary with an automaton that accepts exactly the
//! keys whose constrained parts take one of the allowed values, and leaves
//! the other parts free. With a holder it walks the full keys, whose first
//! part is the holder; without one, the holderless keys. Either way the walk
//! starts from a constrained part or from the stances, which are few, and
//! never enumerates every holder. A walk of the full keys without a holder
//! would: at a million passages, `search --stance S --polarity P` took 98 ms
//! that way and 14 ms this way, whole process.
//!
//! Indexing every subset of the four parts instead (15 keys) made the full
//! build of 100,000 passages take 5.26 s against 4.47 s (medians of 5
//! alternating builds): each key is one more posting per annotation, and
//! the subsets that hold a holder and a target are nearly unique terms. The
//! walk is cheap: the term dictionary is an FST, and the automaton prunes
//! every branch at the first byte that cannot lead to an allowed value.

use super::compile::any_of;
use crate::index::schema::{single_part_key, KEY_SEP, SINGLE_PART_KEYS, STANCE_KEY_TAGS};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tantivy::index::SegmentId;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

/// The separator as the byte the automaton reads.
const SEP: u8 = {
    assert!(KEY_SEP.is_ascii());
    KEY_SEP as u8
};

/// The filter on the stance parts given (holder, stance, target, polarity,
/// in key order): the annotations whose given parts all take one of the
/// allowed values. With no part given, every passage with a stance
/// annotation.
pub(crate) fn stance_filter(field: Field, parts: [Option<&[&str]>; 4]) -> Box<dyn Query> {
    let given: Vec<usize> = (0..parts.len()).filter(|&i| parts[i].is_some()).collect();
    match given[..] {
        [only] if SINGLE_PART_KEYS[only] => {
            let keys: Vec<String> = parts[only]
                .unwrap_or_default()
                .iter()
                .map(|value| single_part_key(only, value))
                .collect();
            any_of(field, keys.iter().map(String::as_str))
        }
        _ => Box::new(StanceMatch::new(field, parts)),
    }
}

/// Stance keys whose parts are in the allowed sets (`None`: any value):
/// the full keys when a holder is given, else the holderless keys.
#[derive(Debug, Clone)]
struct StanceMatch {
    field: Field,
    automaton: Arc<KeyAutomaton>,
    /// Each segment's matching passages, walked once per query: one search
    /// builds its filters' scorers several times (to size them, to collect
    /// the top hits, to count), and for this query building the scorer is
    /// the walk. Shared by the query's clones.
    walked: Arc<Mutex<HashMap<SegmentId, Arc<Matched>>>>,
}

/// A segment's passages with a matching key.
#[derive(Debug)]
enum Matched {
    /// Sorted and distinct: few, as a filter naming a holder finds. A
    /// bitset would cost a bit per passage of the segment to clear and to
    /// copy for each scorer, more than the walk itself.
    Few(Arc<Vec<DocId>>),
    Many(BitSet),
}

/// At most one posting per this many passages of a segment makes a
/// [`Matched::Few`]: 4 bytes a posting, against a bitset's bit a passage.
const FEW: u32 = 64;

impl StanceMatch {
    /// `parts` are holder, stance, target and polarity, in key order.
    fn new(field: Field, parts: [Option<&[&str]>; 4]) -> StanceMatch {
        let skip = usize::from(parts[0].is_none());
        let walked = STANCE_KEY_TAGS.into_iter().zip(parts).skip(skip);
        StanceMatch {
            field,
            automaton: Arc::new(KeyAutomaton::new(walked)),
            walked: Arc::default(),
        }
    }

    /// The passages of the segment that have a matching key.
    fn matching(&self, reader: &SegmentReader) -> tantivy::Result<Arc<Matched>> {
        let id = reader.segment_id();
        let cached = self
            .walked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .cloned();
        if let Some(matched) = cached {
            return Ok(matched);
        }
        let inverted = reader.inverted_index(self.field)?;
        let mut keys = inverted
            .terms()
            .search(&*self.automaton)
            .without_keys()
            .into_stream()?;
        let mut infos = Vec::new();
        while keys.advance() {
            infos.push(keys.value().clone());
        }
        let postings: u64 = infos.iter().map(|t| u64::from(t.doc_freq)).sum();
        let each_doc = |f: &mut dyn FnMut(DocId)| -> tantivy::Result<()> {
            for info in &infos {
                let mut block =
                    inverted.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
                while !block.docs().is_empty() {
                    block.docs().iter().for_each(|&doc| f(doc));
                    block.advance();
                }
            }
            Ok(())
        };
        let matched = if postings <= u64::from(reader.max_doc() / FEW) {
            let mut docs = Vec::new();
            each_doc(&mut |doc| docs.push(doc))?;
            // One key's postings are sorted and distinct; several overlap.
            docs.sort_unstable();
            docs.dedup();
            Matched::Few(Arc::new(docs))
        } else {
            let mut docs = BitSet::with_max_value(reader.max_doc());
            each_doc(&mut |doc| {
                docs.insert(doc);
            })?;
            Matched::Many(docs)
        };
        let matched = Arc::new(matched);
        self.walked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, Arc::clone(&matched));
        Ok(matched)
    }
}

impl Query for StanceMatch {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(StanceMatchWeight(self.clone())))
    }
}

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
                "document {doc} has no matching stance key"
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

/// One part of the key: its tag, then either any value or an allowed one.
#[derive(Debug)]
enum Part {
    /// The tag, then one or more bytes other than the separator.
    Any(&'static str),
    /// A trie of `tag value` for each allowed value; node 0 is the root.
    Allowed(Vec<TrieNode>),
}

#[derive(Debug, Default)]
struct TrieNode {
    /// Few children per node (ids share long prefixes, then split), so a
    /// list beats a map.
    next: Vec<(u8, usize)>,
    /// A complete `tag value` ends here.
    end: bool,
}

/// Where the automaton is in the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No key with these bytes so far can match.
    Dead,
    /// In part `part`: for `Part::Any`, the number of bytes read of it
    /// (capped at the tag's length + 1, "the tag and a value byte"); for
    /// `Part::Allowed`, the trie node.
    At { part: u8, pos: usize },
}

/// Accepts `part|part|…` where each part is as its [`Part`] says.
#[derive(Debug)]
struct KeyAutomaton {
    parts: Vec<Part>,
}

impl KeyAutomaton {
    fn new<'v>(parts: impl Iterator<Item = (&'static str, Option<&'v [&'v str]>)>) -> KeyAutomaton {
        KeyAutomaton {
            parts: parts
                .map(|(tag, allowed)| match allowed {
                    None => Part::Any(tag),
                    Some(values) => Part::Allowed(trie(tag, values)),
                })
                .collect(),
        }
    }

    /// The state after the separator that ends part `part`.
    fn after(&self, part: u8) -> State {
        if usize::from(part) + 1 < self.parts.len() {
            State::At {
                part: part + 1,
                pos: 0,
            }
        } else {
            State::Dead
        }
    }
}

fn trie(tag: &str, values: &[&str]) -> Vec<TrieNode> {
    let mut nodes = vec![TrieNode::default()];
    for value in values {
        let mut at = 0usize;
        for &byte in tag.as_bytes().iter().chain(value.as_bytes()) {
            at = match nodes[at].next.iter().find(|(b, _)| *b == byte) {
                Some(&(_, child)) => child,
                None => {
                    nodes.push(TrieNode::default());
                    let child = nodes.len() - 1;
                    nodes[at].next.push((byte, child));
                    child
                }
            };
        }
        nodes[at].end = true;
    }
    nodes
}

impl tantivy_fst::Automaton for KeyAutomaton {
    type State = State;

    fn start(&self) -> State {
        State::At { part: 0, pos: 0 }
    }

    fn is_match(&self, state: &State) -> bool {
        match *state {
            State::At { part, pos } if usize::from(part) + 1 == self.parts.len() => {
                match &self.parts[usize::from(part)] {
                    Part::Any(tag) => pos > tag.len(),
                    Part::Allowed(nodes) => nodes[pos].end,
                }
            }
            _ => false,
        }
    }

    fn can_match(&self, state: &State) -> bool {
        *state != State::Dead
    }

    fn accept(&self, state: &State, byte: u8) -> State {
        let State::At { part, pos } = *state else {
            return State::Dead;
        };
        match &self.parts[usize::from(part)] {
            Part::Any(tag) => {
                let tag = tag.as_bytes();
                match pos {
                    p if p < tag.len() => {
                        if byte == tag[p] {
                            State::At { part, pos: pos + 1 }
                        } else {
                            State::Dead
                        }
                    }
                    p if byte == SEP => {
                        if p > tag.len() {
                            self.after(part)
                        } else {
                            State::Dead
                        }
                    }
                    _ => State::At {
                        part,
                        pos: tag.len() + 1,
                    },
                }
            }
            Part::Allowed(nodes) => {
                let node = &nodes[pos];
                if byte == SEP && node.end {
                    return self.after(part);
                }
                match node.next.iter().find(|(b, _)| *b == byte) {
                    Some(&(_, child)) => State::At { part, pos: child },
                    None => State::Dead,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy_fst::Automaton;

    fn matches(parts: [Option<&[&str]>; 4], key: &str) -> bool {
        let q = StanceMatch::new(Field::from_field_id(0), parts);
        let a = &q.automaton;
        let mut state = a.start();
        for &b in key.as_bytes() {
            state = a.accept(&state, b);
        }
        a.is_match(&state)
    }

    /// The full key and the holderless key of one annotation.
    const FULL: &str = "h=khamenei|s=calls-for-retaliation|t=israel|p=against";
    const HOLDERLESS: &str = "s=calls-for-retaliation|t=israel|p=against";

    #[test]
    fn constrained_parts_must_take_an_allowed_value() {
        let holder: &[&str] = &["khamenei"];
        let stance: &[&str] = &["calls-for-retaliation", "warns-against-war"];
        let target: &[&str] = &["israel"];
        assert!(matches([Some(holder), Some(stance), None, None], FULL));
        assert!(matches([Some(holder), None, Some(target), None], FULL));
        assert!(matches(
            [Some(holder), None, None, Some(&["against"])],
            FULL
        ));
        assert!(matches(
            [None, Some(stance), Some(target), None],
            HOLDERLESS
        ));
        assert!(matches(
            [None, None, Some(target), Some(&["against"])],
            HOLDERLESS
        ));
        assert!(!matches(
            [Some(&["khatib"]), Some(stance), None, None],
            FULL
        ));
        assert!(!matches([Some(holder), None, Some(&["us"]), None], FULL));
        assert!(!matches(
            [None, Some(&["warns-against-war"]), Some(target), None],
            HOLDERLESS
        ));
        assert!(!matches(
            [None, None, Some(target), Some(&["for"])],
            HOLDERLESS
        ));
    }

    #[test]
    fn a_filter_with_a_holder_walks_the_full_keys_and_one_without_the_holderless_keys() {
        let holder: &[&str] = &["khamenei"];
        let stance: &[&str] = &["calls-for-retaliation"];
        assert!(!matches(
            [Some(holder), Some(stance), None, None],
            HOLDERLESS
        ));
        assert!(!matches(
            [None, Some(stance), None, Some(&["against"])],
            FULL
        ));
        assert!(matches(
            [None, Some(stance), None, Some(&["against"])],
            HOLDERLESS
        ));
    }

    #[test]
    fn a_value_must_match_whole_not_as_a_prefix_or_an_extension() {
        let k: &[&str] = &["khamenei"];
        assert!(!matches(
            [
                Some(&["khame"]),
                Some(&["calls-for-retaliation"]),
                None,
                None
            ],
            FULL
        ));
        assert!(!matches(
            [Some(&["khamenei-office"]), None, None, Some(&["against"])],
            FULL
        ));
        assert!(!matches([Some(k), None, Some(&["israe"]), None], FULL));
        assert!(!matches([Some(k), None, None, Some(&["again"])], FULL));
        assert!(!matches(
            [Some(k), None, None, Some(&["against"])],
            &format!("{FULL}x")
        ));
    }

    #[test]
    fn only_whole_keys_of_the_walked_form_match() {
        let k: &[&str] = &["khamenei"];
        let any = [None; 4];
        let holder_only: [Option<&[&str]>; 4] = [Some(k), None, None, None];
        for key in [
            "h=khamenei",
            "h=khamenei|s=calls-for-retaliation",
            "h=khamenei|s=calls-for-retaliation|t=israel",
            "h=khamenei|s=calls-for-retaliation|t=israel|p=",
            "h=khamenei|s=|t=israel|p=against",
            "h=khamenei|s=calls-for-retaliation|t=israel|p=against|h=x",
            "h=khamenei|t=israel|s=calls-for-retaliation|p=against",
            "s=calls-for-retaliation|t=israel",
            "p=against",
        ] {
            assert!(!matches(holder_only, key), "{key}");
            assert!(!matches(any, key), "{key}");
        }
        assert!(matches(holder_only, FULL));
        assert!(matches(any, HOLDERLESS));
    }

    #[test]
    fn values_sharing_a_prefix_are_told_apart() {
        let holders: &[&str] = &["iran", "iran-guards", "iraq"];
        let stance: &[&str] = &["calls-for-retaliation"];
        let one = |h: &str| {
            matches(
                [Some(holders), Some(stance), None, None],
                &FULL.replace("khamenei", h),
            )
        };
        assert!(one("iran"));
        assert!(one("iran-guards"));
        assert!(one("iraq"));
        assert!(!one("iran-g"));
        assert!(!one("ira"));
        assert!(!one("iran-guards-x"));
    }

    #[test]
    fn every_filter_shape_finds_the_annotation_under_the_keys_it_was_indexed_with() {
        let annotation = ["iran", "condemns", "israel", "against"];
        let keys = crate::index::schema::stance_keys("iran", "condemns", "israel", "against");
        let accepted =
            |parts: [Option<&[&str]>; 4]| keys.iter().filter(|key| matches(parts, key)).count();
        for mask in 1..16usize {
            let values: Vec<[&str; 1]> = annotation.iter().map(|v| [*v]).collect();
            let mut parts: [Option<&[&str]>; 4] = [None; 4];
            for (i, part) in parts.iter_mut().enumerate() {
                if mask & (1 << i) != 0 {
                    *part = Some(&values[i][..]);
                }
            }
            let given: Vec<usize> = (0..4).filter(|i| mask & (1 << i) != 0).collect();
            match given[..] {
                [only] if SINGLE_PART_KEYS[only] => {
                    let term = single_part_key(only, annotation[only]);
                    assert!(keys.contains(&term), "{term} is not indexed");
                }
                _ => assert_eq!(accepted(parts), 1, "mask {mask:04b}"),
            }
            // Another value for any given part finds nothing.
            for &i in &given {
                let other = [["iraq"], ["condemns-x"], ["israel-x"], ["favor"]];
                let mut changed = parts;
                changed[i] = Some(&other[i][..]);
                if given.len() > 1 || !SINGLE_PART_KEYS[i] {
                    assert_eq!(accepted(changed), 0, "mask {mask:04b}, part {i}");
                }
            }
        }
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
