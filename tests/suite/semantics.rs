//! Query semantics found wrong by hostile testing, each pinned with an
//! oracle written by hand from the text or the fixture.

use crate::util::{copy_tree, index};
use dossier::{Corpus, Error, Index, Location, Query};
use std::path::{Path, PathBuf};

fn ordinals(q: Query) -> Vec<u32> {
    let mut o: Vec<u32> = index()
        .search(&q.limit(1000))
        .unwrap()
        .hits
        .iter()
        .map(|h| h.ordinal)
        .collect();
    o.sort_unstable();
    o
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn straight_and_curly_apostrophes_find_the_same_passages() {
    // "Iran’s" occurs in these passages (the phrase "iran s").
    let iran_s = vec![1, 3, 4, 5, 6, 10, 12, 14, 15, 16, 19];
    assert_eq!(ordinals(Query::text("Iran's")), iran_s);
    assert_eq!(ordinals(Query::text("Iran’s")), iran_s);
    assert_eq!(ordinals(Query::text("\"Iran's nuclear\"")), vec![1, 6]);
    assert_eq!(ordinals(Query::text("doesn't")), vec![5]);
    assert_eq!(ordinals(Query::text("haven't")), vec![3]);
    assert_eq!(ordinals(Query::text("aren't OR haven't")), vec![3, 14]);
    // No passage has "Khatib’s" or "don’t": found nothing, and no error.
    assert_eq!(index().search(&Query::text("Khatib's")).unwrap().total, 0);
    assert_eq!(index().search(&Query::text("don't")).unwrap().total, 0);
}

#[test]
fn fuzzy_terms_are_refused_with_a_clear_error() {
    match index().search(&Query::text("security~2")) {
        Err(Error::QuerySyntax { position, message }) => {
            assert_eq!(position, 8, "at the ~");
            assert!(
                message.starts_with("fuzzy terms such as `security~2`"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Slop on a phrase is supported: "blood" and "revenge" one word apart.
    assert_eq!(ordinals(Query::text("\"blood revenge\"~1")), vec![12]);
}

#[test]
fn articles_are_validated_in_any_case() {
    assert_eq!(ordinals(Query::all().article("IRAN-INTEL")).len(), 20);
    assert_eq!(ordinals(Query::text("article:Iran-Intel")).len(), 20);
    for q in [
        Query::all().article("nonexistent"),
        Query::text("article:nope"),
        Query::all().article(""),
    ] {
        match index().search(&q) {
            Err(Error::UnknownArticle { suggestions, .. }) => {
                assert_eq!(suggestions, vec!["iran-intel".to_string()])
            }
            other => panic!("{q:?}: {other:?}"),
        }
    }
}

#[test]
fn every_label_accepts_any_case() {
    assert_eq!(
        ordinals(Query::all().stance("WARNS-AGAINST-WAR")),
        ordinals(Query::all().stance("warns-against-war"))
    );
    assert_eq!(
        ordinals(Query::text("stance:Warns-Against-War")),
        vec![12, 13]
    );
    assert_eq!(
        ordinals(Query::all().polarity("FAVOR")).len(),
        ordinals(Query::all().polarity("favor")).len()
    );
    assert_eq!(
        ordinals(Query::text("camp:REFORMISTS")),
        ordinals(Query::all().camp("reformist"))
    );
}

/// The hierarchy fixture: condemns ← condemns-assassination ←
/// condemns-assassination-loudly, one annotation per passage h-01..h-03, and
/// an unrelated `praises` in h-04.
fn hierarchy() -> (tempfile::TempDir, Index) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = Corpus::load(fixture("hierarchy")).unwrap();
    let index = Index::open_or_build(&corpus, Location::Dir(dir.path().into())).unwrap();
    (dir, index)
}

#[test]
fn a_stance_search_includes_every_level_below_it() {
    let (_dir, index) = hierarchy();
    let found = |stance: &str| -> Vec<String> {
        index
            .search(&Query::all().stance(stance))
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.passage)
            .collect()
    };
    assert_eq!(found("condemns"), ["h-01", "h-02", "h-03"]);
    assert_eq!(found("condemns-assassination"), ["h-01", "h-02"]);
    assert_eq!(found("condemns-assassination-loudly"), ["h-01"]);
    assert_eq!(found("praises"), ["h-04"]);
    assert_eq!(
        index
            .count(&Query::text("stance:condemns-assassination"))
            .unwrap(),
        2
    );
}

#[test]
fn stance_counts_equal_what_a_search_finds() {
    let (_dir, index) = hierarchy();
    let counts: Vec<(String, u64)> = index
        .stances()
        .unwrap()
        .into_iter()
        .map(|s| (s.stance.id, s.passages))
        .collect();
    assert_eq!(
        counts,
        [
            ("condemns".to_string(), 3),
            ("condemns-assassination".to_string(), 2),
            ("condemns-assassination-loudly".to_string(), 1),
            ("praises".to_string(), 1),
        ]
    );
}

#[test]
fn a_stance_that_is_its_own_parent_is_one_error() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    copy_tree(&fixture("hierarchy"), &root);
    let stances = root.join("stances.toml");
    let text = std::fs::read_to_string(&stances).unwrap();
    let looped = text.replacen(
        "id = \"condemns\"\ndescription",
        "id = \"condemns\"\nparent = \"condemns\"\ndescription",
        1,
    );
    assert_ne!(looped, text);
    std::fs::write(&stances, looped).unwrap();
    match Corpus::load(&root) {
        Err(Error::Corpus(errors)) => {
            assert_eq!(errors.len(), 1, "{errors:#?}");
            assert_eq!(errors[0].message, "stance `condemns` is its own ancestor");
            assert_eq!(errors[0].line, Some(5), "the `parent` line");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_stance_resolves_to_itself_and_every_level_below() {
    let (_dir, index) = hierarchy();
    let resolved = |stance: &str| {
        index
            .search(&Query::all().stance(stance))
            .unwrap()
            .query
            .stances
    };
    assert_eq!(
        resolved("condemns"),
        [
            "condemns",
            "condemns-assassination",
            "condemns-assassination-loudly"
        ]
    );
    assert_eq!(
        resolved("Condemns-Assassination"),
        ["condemns-assassination", "condemns-assassination-loudly"]
    );
    assert_eq!(
        resolved("condemns-assassination-loudly"),
        ["condemns-assassination-loudly"]
    );
    assert_eq!(resolved("praises"), ["praises"]);
    // With the other stance filters, on the same annotation: every
    // condemnation is Khatib's, against Mossad; only the praise is favor.
    let found = |q: Query| -> Vec<String> {
        index
            .search(&q)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.passage)
            .collect()
    };
    assert_eq!(
        found(
            Query::all()
                .stance("condemns-assassination")
                .holder("Mr Khatib")
                .target("Mossad")
                .polarity("against")
        ),
        ["h-01", "h-02"]
    );
    assert!(found(Query::all().stance("condemns").polarity("favor")).is_empty());
    assert_eq!(
        found(Query::text(
            "stance:condemns polarity:favor OR stance:praises"
        )),
        ["h-04"]
    );
    // Facets count each stance itself, not its descendants.
    let facets = index
        .facets(&Query::all(), &[dossier::FacetDim::Stance])
        .unwrap();
    let counts: Vec<(dossier::FacetKey, u64)> = facets
        .counts
        .into_iter()
        .map(|c| (c.value, c.count))
        .collect();
    let one = |s: &str| dossier::FacetKey::One(s.into());
    assert_eq!(
        counts,
        [
            (one("condemns"), 1),
            (one("condemns-assassination"), 1),
            (one("condemns-assassination-loudly"), 1),
            (one("praises"), 1),
        ]
    );
}

#[test]
fn a_cycle_of_three_stances_is_one_error_per_stance_on_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    copy_tree(&fixture("hierarchy"), &root);
    let stances = root.join("stances.toml");
    let text = std::fs::read_to_string(&stances).unwrap();
    // condemns → …-loudly → condemns-assassination → condemns, and praises
    // hangs below the cycle.
    let looped = text
        .replacen(
            "id = \"condemns\"\n",
            "id = \"condemns\"\nparent = \"condemns-assassination-loudly\"\n",
            1,
        )
        .replacen(
            "description = \"Praises an actor.\"\n",
            "description = \"Praises an actor.\"\nparent = \"condemns\"\n",
            1,
        );
    assert_eq!(looped.lines().count(), text.lines().count() + 2);
    std::fs::write(&stances, looped).unwrap();
    match Corpus::load(&root) {
        Err(Error::Corpus(errors)) => {
            let got: Vec<(String, Option<usize>)> =
                errors.iter().map(|e| (e.message.clone(), e.line)).collect();
            // Each on its `parent` line; praises is below the cycle, not on it.
            assert_eq!(
                got,
                [
                    ("stance `condemns` is its own ancestor".to_string(), Some(5)),
                    (
                        "stance `condemns-assassination` is its own ancestor".to_string(),
                        Some(11)
                    ),
                    (
                        "stance `condemns-assassination-loudly` is its own ancestor".to_string(),
                        Some(16)
                    ),
                ]
            );
            assert!(errors
                .iter()
                .all(|e| e.file == std::path::Path::new("stances.toml")));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn decomposed_and_precomposed_accents_match_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    copy_tree(&fixture("base"), &root);
    // The same 16 bytes as "Mr Khatib spoke.", with a decomposed é.
    let text = root.join("articles/tiny/text.txt");
    let original = std::fs::read_to_string(&text).unwrap();
    let decomposed = "Cafe\u{301} met them.";
    assert_eq!(decomposed.len(), "Mr Khatib spoke.".len());
    std::fs::write(&text, original.replacen("Mr Khatib spoke.", decomposed, 1)).unwrap();
    let corpus = Corpus::load(&root).unwrap();
    let index = Index::open_or_build(&corpus, Location::Dir(tmp.path().join("i"))).unwrap();
    for q in ["café", "CAFÉ", "cafe", "Cafe\u{301}", "\"café met\""] {
        let hits = index.search(&Query::text(q)).unwrap().hits;
        assert_eq!(
            hits.iter().map(|h| h.passage.as_str()).collect::<Vec<_>>(),
            ["tiny-01"],
            "{q}"
        );
    }
}

#[test]
fn annotation_fields_in_the_text_narrow_the_hits_but_do_not_score() {
    // The module docs promise that only words score. Each hit of
    // `iran FIELD:VALUE` must score as it does for `iran` alone, and the
    // hits must be those of `iran` with the same annotation as a filter.
    let scored = |q: Query| -> Vec<(String, f32)> {
        let mut hits: Vec<(String, f32)> = index()
            .search(&q.limit(1000))
            .unwrap()
            .hits
            .into_iter()
            .map(|h| (h.passage, h.score.expect("a keyword search scores")))
            .collect();
        hits.sort_by(|a, b| a.0.cmp(&b.0));
        hits
    };
    let alone: std::collections::HashMap<String, f32> =
        scored(Query::text("iran")).into_iter().collect();
    for (field, filter) in [
        ("actor:Khatib", Query::text("iran").actor("Khatib")),
        ("holder:author", Query::text("iran").holder("author")),
        ("target:israel", Query::text("iran").target("israel")),
        (
            "stance:admits-failure",
            Query::text("iran").stance("admits-failure"),
        ),
        ("polarity:favor", Query::text("iran").polarity("favor")),
        (
            "topic:intelligence-failure",
            Query::text("iran").topic("intelligence-failure"),
        ),
    ] {
        let hits = scored(Query::text(format!("iran {field}")));
        assert!(!hits.is_empty(), "{field}");
        assert!(hits.len() < alone.len(), "{field} does not narrow `iran`");
        for (passage, score) in &hits {
            assert_eq!(alone.get(passage), Some(score), "{field}: {passage}");
        }
        assert_eq!(hits, scored(filter), "{field}");
    }
}
