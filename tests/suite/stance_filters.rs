//! Stance filters against a model. A generated corpus has random stance
//! annotations over ids that share prefixes (`ira`, `iran`, `iran-guards`;
//! `condemns`, its child `condemns-killing` and the unrelated
//! `condemns-x`), and random filters on any subset of holder, stance,
//! target and polarity: half drawn at random, half taken from an annotation
//! so that filters on three or four parts also find something. The
//! expected passages come from the generated annotations alone: those with
//! one annotation that satisfies every part given, a stance also matching
//! its children.

use dossier::{Index, Location, Query};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;

const ACTORS: [&str; 5] = ["ira", "iran", "iran-guards", "iraq", "khatib"];
const TOPICS: [&str; 2] = ["war", "war-crimes"];
/// (id, parent)
const STANCES: [(&str, Option<&str>); 5] = [
    ("condemns", None),
    ("condemns-killing", Some("condemns")),
    ("condemns-x", None),
    ("calls", None),
    ("calls-for-war", Some("calls")),
];
/// A holder filter by this index is the name "Person", which every actor's
/// name has: it resolves to them all.
const ANY_PERSON: usize = ACTORS.len();
const POLARITIES: [&str; 3] = ["favor", "against", "neutral"];

/// A target: an actor or a topic.
fn target_id(i: usize) -> &'static str {
    if i < ACTORS.len() {
        ACTORS[i]
    } else {
        TOPICS[i - ACTORS.len()]
    }
}
const TARGETS: usize = ACTORS.len() + TOPICS.len();
/// Passages without annotations after the generated ones: in a segment 64
/// times larger than its matches, a filter's matches are kept as a sorted
/// list instead of a bitset (`query::stance_match::FEW`), so both are
/// tested.
const FILLER: usize = 140;

#[derive(Debug, Clone)]
struct Annotation {
    holder: usize,
    stance: usize,
    target: usize,
    polarity: usize,
}

/// A filter: an index into each part's values (or `ANY_PERSON`), or none.
#[derive(Debug, Clone)]
struct Filter {
    holder: Option<usize>,
    stance: Option<usize>,
    target: Option<usize>,
    polarity: Option<usize>,
}

impl Filter {
    /// The parts of `a` that `mask` selects (bits: holder, stance, target,
    /// polarity).
    fn from_annotation(a: &Annotation, mask: u8) -> Filter {
        let pick = |bit: u8, value: usize| (mask & bit != 0).then_some(value);
        Filter {
            holder: pick(1, a.holder),
            stance: pick(2, a.stance),
            target: pick(4, a.target),
            polarity: pick(8, a.polarity),
        }
    }

    fn holds_on(&self, a: &Annotation) -> bool {
        let stance_ok = |want: usize| {
            let (id, parent) = STANCES[a.stance];
            id == STANCES[want].0 || parent == Some(STANCES[want].0)
        };
        self.holder.is_none_or(|h| h == ANY_PERSON || h == a.holder)
            && self.stance.is_none_or(stance_ok)
            && self.target.is_none_or(|t| t == a.target)
            && self.polarity.is_none_or(|p| p == a.polarity)
    }

    fn query(&self) -> Query {
        let mut q = Query::all().limit(1000);
        if let Some(h) = self.holder {
            q = q.holder(ACTORS.get(h).copied().unwrap_or("Person"));
        }
        if let Some(s) = self.stance {
            q = q.stance(STANCES[s].0);
        }
        if let Some(t) = self.target {
            q = q.target(target_id(t));
        }
        if let Some(p) = self.polarity {
            q = q.polarity(POLARITIES[p]);
        }
        q
    }
}

fn write_corpus(root: &Path, passages: &[Vec<Annotation>]) {
    let mut actors = String::new();
    for (i, id) in ACTORS.iter().enumerate() {
        // Names share no word with the ids, so that each id resolves to its
        // own actor only; they all share "Person", which names them all.
        actors.push_str(&format!(
            "[[actors]]\nid = \"{id}\"\nname = \"Person {}\"\nkind = \"person\"\n\n",
            ["Alpha", "Bravo", "Charlie", "Delta", "Echo"][i]
        ));
    }
    let mut stances = String::new();
    for (id, parent) in STANCES {
        stances.push_str(&format!(
            "[[stances]]\nid = \"{id}\"\ndescription = \"{id}\"\n"
        ));
        if let Some(p) = parent {
            stances.push_str(&format!("parent = \"{p}\"\n"));
        }
    }
    let topics: String = TOPICS
        .iter()
        .map(|t| format!("[[topics]]\nid = \"{t}\"\ndescription = \"{t}\"\n"))
        .collect();
    std::fs::write(root.join("actors.toml"), actors).unwrap();
    std::fs::write(root.join("stances.toml"), stances).unwrap();
    std::fs::write(root.join("topics.toml"), topics).unwrap();
    let filler = vec![Vec::new(); FILLER];
    write_article(root, "a0", "p", &[passages, &filler].concat());
}

/// Article `id` with `passages`, whose ids are `{prefix}0`, `{prefix}1`, …
fn write_article(root: &Path, id: &str, prefix: &str, passages: &[Vec<Annotation>]) {
    let dir = root.join("articles").join(id);
    std::fs::create_dir_all(&dir).unwrap();
    let mut text = String::new();
    let mut toml = format!("id = \"{id}\"\ntitle = \"Generated\"\n");
    for (j, annotations) in passages.iter().enumerate() {
        let start = text.len();
        text.push_str(&format!("The report number {j}."));
        let end = text.len();
        text.push('\n');
        toml.push_str(&format!(
            "\n[[passages]]\nid = \"{prefix}{j}\"\nordinal = {}\nspan = {{ start = {start}, end = {end} }}\nactors = {:?}\n",
            j + 1,
            ACTORS
        ));
        for a in annotations {
            toml.push_str(&format!(
                "\n[[passages.stances]]\nholder = \"{}\"\nstance = \"{}\"\ntarget = \"{}\"\npolarity = \"{}\"\nquote = \"report\"\nvoice = \"reported\"\n",
                ACTORS[a.holder],
                STANCES[a.stance].0,
                target_id(a.target),
                POLARITIES[a.polarity]
            ));
        }
    }
    std::fs::write(dir.join("text.txt"), text).unwrap();
    std::fs::write(dir.join("article.toml"), toml).unwrap();
}

fn annotation() -> impl Strategy<Value = Annotation> {
    (
        0..ACTORS.len(),
        0..STANCES.len(),
        0..TARGETS,
        0..POLARITIES.len(),
    )
        .prop_map(|(holder, stance, target, polarity)| Annotation {
            holder,
            stance,
            target,
            polarity,
        })
}

fn filter() -> impl Strategy<Value = Filter> {
    (
        proptest::option::of(0..=ANY_PERSON),
        proptest::option::of(0..STANCES.len()),
        proptest::option::of(0..TARGETS),
        proptest::option::of(0..POLARITIES.len()),
    )
        .prop_filter("at least one part", |(h, s, t, p)| {
            h.is_some() || s.is_some() || t.is_some() || p.is_some()
        })
        .prop_map(|(holder, stance, target, polarity)| Filter {
            holder,
            stance,
            target,
            polarity,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn stance_filters_find_exactly_the_passages_with_one_annotation_that_fits(
        passages in proptest::collection::vec(proptest::collection::vec(annotation(), 0..4), 1..12),
        random in proptest::collection::vec(filter(), 16),
        taken in proptest::collection::vec((any::<usize>(), 1u8..16), 16),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        write_corpus(&corpus, &passages);
        let c = dossier::Corpus::load(&corpus).unwrap();
        let index = Index::open_or_build(&c, Location::Dir(dir.path().join("index"))).unwrap();
        let annotations: Vec<&Annotation> = passages.iter().flatten().collect();
        let mut filters = random;
        if !annotations.is_empty() {
            filters.extend(taken.iter().map(|&(pick, mask)| {
                Filter::from_annotation(annotations[pick % annotations.len()], mask)
            }));
        }
        for f in &filters {
            let expected: BTreeSet<String> = passages
                .iter()
                .enumerate()
                .filter(|(_, annotations)| annotations.iter().any(|a| f.holds_on(a)))
                .map(|(j, _)| format!("p{j}"))
                .collect();
            let results = index.search(&f.query()).unwrap();
            let found: BTreeSet<String> = results.hits.into_iter().map(|h| h.passage).collect();
            prop_assert_eq!(results.total, expected.len(), "{:?}", f);
            prop_assert_eq!(found, expected, "{:?}", f);
        }
    }
}

/// Slots are read per segment. The first build's passages have one stance
/// annotation each, so its segment has one slot. An article added later
/// goes into segments of its own, where q0 has three annotations and q1
/// seventy: more than `query::stance_match::SLOTS_AT_ONCE`, so that
/// segment is searched in groups of slots and the first in one go. A filter
/// that holds on one annotation finds it in any slot; one that joins parts
/// of two annotations does not.
#[test]
fn each_segment_is_searched_in_all_its_own_slots() {
    let a = |holder, stance, target, polarity| Annotation {
        holder,
        stance,
        target,
        polarity,
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    // p0: ira condemns iran (favor). p1: iran calls for war-crimes (against).
    write_corpus(&corpus, &[vec![a(0, 0, 1, 0)], vec![a(1, 3, 6, 1)]]);
    let location = Location::Dir(dir.path().join("index"));
    let segments = |index: &Index| {
        tantivy::Index::open_in_dir(index.path())
            .unwrap()
            .searchable_segment_metas()
            .unwrap()
            .len()
    };
    let first =
        Index::open_or_build(&dossier::Corpus::load(&corpus).unwrap(), location.clone()).unwrap();
    let first_segments = segments(&first);
    // q0: iran condemns-killing iran-guards (against) in slot 0; khatib
    // calls for war (favor) in slot 1; iraq calls-for-war against ira
    // (neutral) in slot 2.
    let q0 = vec![a(1, 1, 2, 1), a(4, 3, 5, 0), a(3, 4, 0, 2)];
    // q1: iran-guards condemns-x iran-guards (neutral) in every slot but 66,
    // where ira calls-for-war against war-crimes (against).
    let mut q1 = vec![a(2, 2, 2, 2); 70];
    q1[66] = a(0, 4, 6, 1);
    write_article(&corpus, "a1", "q", &[q0, q1]);
    let index = Index::open_or_build(&dossier::Corpus::load(&corpus).unwrap(), location).unwrap();
    assert!(
        segments(&index) > first_segments,
        "the added article is in segments of its own"
    );

    let f = |holder, stance, target, polarity| Filter {
        holder,
        stance,
        target,
        polarity,
    };
    let cases: [(Filter, &[&str]); 11] = [
        (f(Some(3), None, Some(0), None), &["q0"]),
        (f(Some(3), None, None, Some(2)), &["q0"]),
        (f(Some(4), Some(3), Some(5), Some(0)), &["q0"]),
        (f(Some(0), None, Some(6), None), &["q1"]),
        (f(Some(2), Some(2), None, None), &["q1"]),
        (f(None, Some(3), None, None), &["p1", "q0", "q1"]),
        (f(Some(0), None, Some(1), None), &["p0"]),
        // Parts of two annotations of one passage.
        (f(Some(3), None, Some(5), None), &[]),
        (f(Some(4), None, None, Some(2)), &[]),
        (f(Some(0), None, None, Some(2)), &[]),
        (f(Some(2), None, Some(6), None), &[]),
    ];
    for (filter, expected) in cases {
        let found: BTreeSet<String> = index
            .search(&filter.query())
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.passage)
            .collect();
        let expected: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(found, expected, "{filter:?}");
    }
}
