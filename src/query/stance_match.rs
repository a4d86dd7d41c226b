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
//! build about a quarter slower: each key is one more posting per
//! annotation, and the subsets that hold a holder and a target are nearly
//! unique terms. The walk is cheap: the term dictionary is an FST, and the
//! automaton prunes every branch at the first byte that cannot lead to an
//! allowed value.

use super::compile::any_of;
use crate::index::schema::{stance_key, KEY_SEP, STANCE_KEY_TAGS};
use std::sync::Arc;
use tantivy::query::{AutomatonWeight, EnableScoring, Query, Weight};
use tantivy::schema::Field;

/// Index of the target among the parts (holder, stance, target, polarity).
const TARGET: usize = 2;

/// The filter on the stance parts given, in key order (holder, stance,
/// target, polarity), or none when no part is given.
pub(crate) fn stance_filter(field: Field, parts: [Option<&[&str]>; 4]) -> Option<Box<dyn Query>> {
    let given: Vec<usize> = (0..parts.len()).filter(|&i| parts[i].is_some()).collect();
    match given[..] {
        [] => None,
        [only] if only != TARGET => {
            let keys: Vec<String> = parts[only]
                .unwrap_or_default()
                .iter()
                .map(|value| {
                    let mut one = [None; 4];
                    one[only] = Some(*value);
                    stance_key(one[0], one[1], one[2], one[3])
                })
                .collect();
            Some(any_of(field, keys.iter().map(String::as_str)))
        }
        _ => Some(Box::new(StanceMatch::new(field, parts))),
    }
}

/// Stance keys whose parts are in the allowed sets (`None`: any value):
/// the full keys when a holder is given, else the holderless keys.
#[derive(Debug, Clone)]
pub(crate) struct StanceMatch {
    field: Field,
    automaton: Arc<KeyAutomaton>,
}

impl StanceMatch {
    /// `parts` are holder, stance, target and polarity, in key order.
    pub(crate) fn new(field: Field, parts: [Option<&[&str]>; 4]) -> StanceMatch {
        let skip = usize::from(parts[0].is_none());
        let walked = STANCE_KEY_TAGS.into_iter().zip(parts).skip(skip);
        StanceMatch {
            field,
            automaton: Arc::new(KeyAutomaton::new(walked)),
        }
    }
}

impl Query for StanceMatch {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AutomatonWeight::<KeyAutomaton>::new(
            self.field,
            Arc::clone(&self.automaton),
        )))
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
    next: Vec<(u8, u32)>,
    /// A complete `tag value` ends here.
    end: bool,
}

/// Where the automaton is in the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// No key with these bytes so far can match.
    Dead,
    /// In part `part`: for `Part::Any`, the number of bytes read of it
    /// (capped at the tag's length + 1, "the tag and a value byte"); for
    /// `Part::Allowed`, the trie node.
    At { part: u8, pos: u32 },
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
                Some(&(_, child)) => child as usize,
                None => {
                    nodes.push(TrieNode::default());
                    let child = nodes.len() - 1;
                    // A trie of ids from the registry is far below u32::MAX
                    // nodes; the conversion cannot fail in practice.
                    nodes[at].next.push((byte, child as u32));
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
                    Part::Any(tag) => pos as usize > tag.len(),
                    Part::Allowed(nodes) => nodes[pos as usize].end,
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
        let sep = KEY_SEP as u8;
        match &self.parts[usize::from(part)] {
            Part::Any(tag) => {
                let tag = tag.as_bytes();
                match pos as usize {
                    p if p < tag.len() => {
                        if byte == tag[p] {
                            State::At { part, pos: pos + 1 }
                        } else {
                            State::Dead
                        }
                    }
                    p if byte == sep => {
                        if p > tag.len() {
                            self.after(part)
                        } else {
                            State::Dead
                        }
                    }
                    _ => State::At {
                        part,
                        pos: (tag.len() + 1) as u32,
                    },
                }
            }
            Part::Allowed(nodes) => {
                let node = &nodes[pos as usize];
                if byte == sep && node.end {
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
        let any_but_holder: [Option<&[&str]>; 4] = [Some(k), None, None, None];
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
            assert!(!matches(any_but_holder, key), "{key}");
            assert!(!matches(any, key), "{key}");
        }
        assert!(matches(any_but_holder, FULL));
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
}
