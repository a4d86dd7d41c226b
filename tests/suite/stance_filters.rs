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
/// times larger than its matches, a filter's matches take the sorted-list
/// path instead of the bitset (`query::stance_match::FEW`), so both are
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

    let dir = root.join("articles/a0");
    std::fs::create_dir_all(&dir).unwrap();
    let mut text = String::new();
    let mut toml = "id = \"a0\"\ntitle = \"Generated\"\n".to_string();
    let filler = std::iter::repeat_n(&[][..], FILLER);
    let all = passages.iter().map(Vec::as_slice).chain(filler);
    for (j, annotations) in all.enumerate() {
        let start = text.len();
        text.push_str(&format!("The report number {j}."));
        let end = text.len();
        text.push('\n');
        toml.push_str(&format!(
            "\n[[passages]]\nid = \"p{j}\"\nordinal = {}\nspan = {{ start = {start}, end = {end} }}\nactors = {:?}\n",
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
