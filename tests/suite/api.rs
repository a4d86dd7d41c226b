//! The library API on the bundled corpus.

use crate::util::{copy_tree, corpus, corpus_dir, index, passages_where};
use dossier::corpus::segment::segment;
use dossier::{Error, FacetDim, FacetKey, Freshness, Index, Location, Query, Sort};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

fn ids(q: &Query) -> Vec<String> {
    index()
        .search(&q.clone().limit(1000))
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.passage)
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn bundled_article_is_byte_identical_to_the_seed() {
    let bytes = std::fs::read(corpus_dir().join("articles/iran-intel/text.txt")).unwrap();
    let digest = format!("{:x}", Sha256::digest(&bytes));
    assert_eq!(
        digest,
        "d6c526bef89ca88f383208db2ce0f75b8b375491adb09c63b6a753fd4ff59aa6"
    );
}

#[test]
fn bundled_corpus_is_clean_with_twenty_passages() {
    let summary = corpus().check().unwrap();
    assert_eq!(summary.passages, 20);
    assert_eq!(summary.articles, 1);
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
}

#[test]
fn annotation_spans_are_the_segmenter_spans() {
    let text = std::fs::read_to_string(corpus_dir().join("articles/iran-intel/text.txt")).unwrap();
    let article = corpus().articles().next().unwrap().article.unwrap();
    let spans: Vec<_> = article.passages.iter().map(|p| p.span).collect();
    assert_eq!(spans, segment(&text));
}

#[test]
fn every_stance_quote_is_in_its_passage() {
    let article = corpus().articles().next().unwrap().article.unwrap();
    let mut quotes = 0;
    for p in &article.passages {
        for s in &p.stances {
            assert!(p.text.contains(&s.quote), "{}: {:?}", p.id, s.quote);
            quotes += 1;
        }
    }
    assert!(quotes >= 20, "only {quotes} stance annotations");
}

#[test]
fn required_actors_are_registered() {
    let registry = corpus().registry();
    for id in [
        "esmail-khatib",
        "israel",
        "mossad",
        "iran",
        "ismail-haniyeh",
        "hamas",
        "masoud-pezeshkian",
        "new-york-times",
        "mohsen-fakhrizadeh",
        "hossein-dehqan",
        "ali-khamenei",
        "ali-younesi",
        "fereydon-abbasi",
        "iranian-reformist-front",
        "hesameddin-ashena",
        "hassan-rouhani",
        "qorbanali-dorri-najafabadi",
        "hamshahri",
        "alireza-zakani",
        "united-states",
        "iran-intelligence-authorities",
        "hardliners",
        "reformists",
        "centrists",
        "repression-critics",
        "mojtahed-rule-critics",
        "palestinian-delegation",
        "israeli-government",
        "author",
    ] {
        assert!(registry.actor(id).is_some(), "{id} missing");
    }
}

#[test]
fn every_registered_name_resolves_to_its_own_actor_and_none_collide() {
    let (resolver, collisions) = dossier::names::NameResolver::new(&corpus().registry().actors);
    assert!(collisions.is_empty(), "{collisions:?}");
    for a in &corpus().registry().actors {
        for form in std::iter::once(&a.name).chain(&a.aliases) {
            let r = resolver.resolve(form).unwrap();
            assert_eq!(r.ids().collect::<Vec<_>>(), vec![a.id.as_str()], "{form}");
        }
    }
}

#[test]
fn every_stance_finds_exactly_the_annotated_passages() {
    let registry = corpus().registry();
    for s in &registry.stances {
        let family = registry.stance_with_descendants(&s.id);
        let expected = passages_where(|p| p.stances.iter().any(|a| family.contains(&a.stance)));
        assert_eq!(
            ids(&Query::all().stance(&s.id)),
            expected,
            "stance {}",
            s.id
        );
    }
}

#[test]
fn every_actor_and_topic_finds_exactly_the_annotated_passages() {
    for a in &corpus().registry().actors {
        let expected = passages_where(|p| p.actors.contains(&a.id));
        assert_eq!(ids(&Query::all().actor(&a.id)), expected, "actor {}", a.id);
    }
    for t in &corpus().registry().topics {
        let expected = passages_where(|p| p.topics.contains(&t.id));
        assert_eq!(ids(&Query::all().topic(&t.id)), expected, "topic {}", t.id);
    }
}

#[test]
fn facet_counts_equal_hit_totals() {
    for dim in FacetDim::ALL {
        let facets = index().facets(&Query::all(), &[dim]).unwrap();
        assert_eq!(facets.total, 20);
        assert!(!facets.counts.is_empty());
        for c in &facets.counts {
            let FacetKey::One(value) = &c.value else {
                panic!("one-dimensional key")
            };
            let q = match dim {
                FacetDim::Actor => Query::all().actor(value),
                FacetDim::Stance => Query::all().stance(value),
                FacetDim::Holder => Query::all().holder(value),
                FacetDim::Topic => Query::all().topic(value),
                FacetDim::Camp => Query::all().camp(value),
            };
            let direct = match dim {
                // A stance search includes descendants; facets count the stance itself.
                FacetDim::Stance => {
                    passages_where(|p| p.stances.iter().any(|s| &s.stance == value)).len()
                }
                _ => index().search(&q).unwrap().total,
            };
            assert_eq!(c.count as usize, direct, "{dim:?} {value}");
        }
    }
}

#[test]
fn holder_and_stance_must_hold_on_the_same_annotation() {
    // Passage 12: hardliners call for revenge, reformists warn against war.
    assert!(ids(&Query::all()
        .holder("hardliners")
        .stance("warns-against-war"))
    .is_empty());
    assert_eq!(
        ids(&Query::all()
            .holder("hardliners")
            .stance("calls-for-retaliation")),
        vec!["iran-intel-12"]
    );
    assert!(ids(&Query::all()
        .holder("reformists")
        .stance("warns-against-war"))
    .contains(&"iran-intel-12".to_string()));
    let matrix = index()
        .facets(&Query::all(), &[FacetDim::Holder, FacetDim::Stance])
        .unwrap();
    let pair = |h: &str, s: &str| FacetKey::Pair(h.into(), s.into());
    assert!(matrix
        .counts
        .iter()
        .all(|c| c.value != pair("hardliners", "warns-against-war")));
    assert!(matrix
        .counts
        .iter()
        .any(|c| c.value == pair("hardliners", "calls-for-retaliation")));
}

#[test]
fn stance_filters_match_annotations_exactly() {
    for (h, s, t, pol) in [
        ("iranian-reformist-front", "condemns", "israel", "against"),
        ("esmail-khatib", "claims-success", "mossad", "against"),
    ] {
        let expected = passages_where(|p| {
            p.stances.iter().any(|a| {
                a.holder == h && a.stance == s && a.target == t && a.polarity.as_str() == pol
            })
        });
        assert!(!expected.is_empty());
        assert_eq!(
            ids(&Query::all().holder(h).stance(s).target(t).polarity(pol)),
            expected
        );
        assert!(ids(&Query::all().holder(h).stance(s).target(t).polarity("favor")).is_empty());
    }
}

#[test]
fn transliterations_find_the_same_passages() {
    let a = ids(&Query::all().actor("Ismail Haniyeh"));
    assert!(!a.is_empty());
    for v in [
        "Haniya",
        "haniyeh",
        "Esmail Haniyeh",
        "HANIYAH",
        "Ismaïl Haniyeh",
    ] {
        assert_eq!(ids(&Query::all().actor(v)), a, "{v}");
    }
    assert_eq!(
        ids(&Query::all().actor("Dehghan")),
        ids(&Query::all().actor("Hossein Dehqan"))
    );
}

#[test]
fn ambiguous_names_search_every_match_and_say_so() {
    let r = index().search(&Query::all().actor("Ali")).unwrap();
    let amb: Vec<_> = r.query.ambiguities().collect();
    assert_eq!(amb.len(), 1);
    assert!(amb[0].ids().any(|i| i == "ali-khamenei") && amb[0].ids().any(|i| i == "ali-younesi"));
    let khamenei = ids(&Query::all().actor("ali-khamenei"));
    assert!(khamenei
        .iter()
        .all(|p| r.hits.iter().any(|h| &h.passage == p)));
}

#[test]
fn unknown_names_and_labels_are_errors_with_suggestions() {
    match index().search(&Query::all().actor("Khatiib Esmaill")) {
        Err(Error::UnknownActor { suggestions, .. }) => assert!(!suggestions.is_empty()),
        Ok(_) => {}
        Err(e) => panic!("{e}"),
    }
    match index().search(&Query::all().actor("Zarif")) {
        Err(Error::UnknownActor { suggestions, .. }) => assert_eq!(suggestions.len(), 3),
        other => panic!("{other:?}"),
    }
    match index().search(&Query::all().stance("reckoning")) {
        Err(Error::UnknownLabel {
            kind: "stance",
            valid,
            ..
        }) => assert!(valid.contains(&"calls-for-reckoning".to_string())),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        index().search(&Query::all().topic("sports")),
        Err(Error::UnknownLabel { kind: "topic", .. })
    ));
    assert!(matches!(
        index().search(&Query::all().polarity("maybe")),
        Err(Error::UnknownLabel {
            kind: "polarity",
            ..
        })
    ));
}

#[test]
fn keywords_stem_fold_case_and_apostrophes() {
    let assassin = ids(&Query::text("assassinate"));
    assert!(
        assassin.contains(&"iran-intel-03".to_string()),
        "assassinations"
    );
    assert!(
        assassin.contains(&"iran-intel-05".to_string()),
        "assassination"
    );
    assert_eq!(ids(&Query::text("MOSSAD")), ids(&Query::text("mossad")));
    assert_eq!(
        ids(&Query::text("\"Mossad's network\"")),
        vec!["iran-intel-02"]
    );
    assert_eq!(
        ids(&Query::text("\"Mossad’s network\"")),
        vec!["iran-intel-02"]
    );
    assert_eq!(
        ids(&Query::text("\"blood revenge\"")),
        vec!["iran-intel-12"]
    );
    assert!(
        ids(&Query::text("\"revenge blood\"")).is_empty(),
        "phrases keep word order"
    );
    assert!(ids(&Query::text("zeppelin")).is_empty());
    let r = index().search(&Query::text("zeppelin")).unwrap();
    assert_eq!(r.total, 0);
}

#[test]
fn boolean_operators_and_fields() {
    let hijab = ids(&Query::text("hijab"));
    let not_hijab = ids(&Query::text("-hijab"));
    assert_eq!(hijab.len() + not_hijab.len(), 20);
    assert!(hijab.iter().all(|h| !not_hijab.contains(h)));
    let either = sorted(ids(&Query::text("hijab OR Mojtahed")));
    let mut union = hijab.clone();
    union.extend(ids(&Query::text("mojtahed")));
    union.sort();
    union.dedup();
    assert_eq!(either, union);
    let mut both = [
        ids(&Query::all().actor("Khatib")),
        ids(&Query::all().actor("Abbasi")),
    ]
    .concat();
    both.sort();
    both.dedup();
    assert_eq!(
        sorted(ids(&Query::text("actor:Khatib OR actor:Abbasi"))),
        both
    );
    assert_eq!(
        sorted(ids(&Query::text("stance:calls-for-reform"))),
        ids(&Query::all().stance("calls-for-reform"))
    );
    assert_eq!(
        sorted(ids(&Query::text("camp:reformist"))),
        ids(&Query::all().camp("reformist"))
    );
    assert!(
        ids(&Query::text("security reckoning"))
            .iter()
            .all(|p| ids(&Query::text("security")).contains(p)),
        "words AND by default"
    );
}

#[test]
fn malformed_queries_are_errors_with_positions() {
    for (q, pos) in [
        ("(foo", 0),
        ("foo(", 3),
        ("\"open", 0),
        ("a AND", 2),
        ("nosuchfield:x", 0),
    ] {
        match index().search(&Query::text(q)) {
            Err(Error::QuerySyntax { position, .. }) => assert_eq!(position, pos, "{q}"),
            other => panic!("{q}: {other:?}"),
        }
    }
    let long = "word ".repeat(300_000);
    assert!(matches!(
        index().search(&Query::text(long)),
        Err(Error::QuerySyntax { .. })
    ));
}

#[test]
fn order_is_position_without_text_and_score_with_it() {
    let all = ids(&Query::all());
    let expected: Vec<String> = (1..=20)
        .map(|i| format!("iran-intel-{i:02}"))
        .take(all.len())
        .collect();
    assert_eq!(all, expected);
    let r = index()
        .search(&Query::text("security").limit(1000))
        .unwrap();
    let scores: Vec<f32> = r.hits.iter().map(|h| h.score.unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));
    let by_pos = index()
        .search(&Query::text("security").sort(Sort::Position).limit(1000))
        .unwrap();
    let ordinals: Vec<u32> = by_pos.hits.iter().map(|h| h.ordinal).collect();
    assert!(ordinals.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(by_pos.total, r.total);
}

#[test]
fn limit_and_offset_page_through_results() {
    let all = ids(&Query::all());
    let page = index().search(&Query::all().limit(5).offset(5)).unwrap();
    assert_eq!(page.total, 20);
    assert_eq!(
        page.hits
            .iter()
            .map(|h| h.passage.clone())
            .collect::<Vec<_>>(),
        all[5..10].to_vec()
    );
    assert!(matches!(
        index().search(&Query::all().limit(0)),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        index().search(&Query::all().limit(1001)),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn date_filters_use_event_dates() {
    let expected = passages_where(|p| {
        p.events
            .iter()
            .any(|e| e.date.year().is_some_and(|y| (2018..=2020).contains(&y)))
    });
    assert_eq!(ids(&Query::all().since("2018").until("2020")), expected);
    assert!(ids(&Query::all().since("1990").until("2000")).is_empty());
    assert!(matches!(
        index().search(&Query::all().since("2021").until("2020")),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        index().search(&Query::all().since("yesterday")),
        Err(Error::InvalidArgument(_))
    ));
    let t = index().timeline(&Query::all()).unwrap();
    let keys: Vec<_> = t
        .events
        .iter()
        .map(|e| e.event.date.timeline_key())
        .collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(t.events.first().unwrap().event.date.to_string(), "1984");
    assert_eq!(t.events.last().unwrap().event.date.to_string(), "--07-31");
}

#[test]
fn hits_carry_the_full_passage_and_annotations() {
    let hit = index().passage("iran-intel-13").unwrap();
    let text = std::fs::read_to_string(corpus_dir().join("articles/iran-intel/text.txt")).unwrap();
    assert_eq!(hit.text, text[hit.span.start..hit.span.end]);
    let article = corpus().articles().next().unwrap().article.unwrap();
    let p = &article.passages[12];
    assert_eq!(hit.stances, p.stances);
    assert_eq!(
        hit.actors.iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
        p.actors
    );
    assert!(
        matches!(index().passage("iran-intel-99"), Err(Error::UnknownPassage { suggestions, .. }) if !suggestions.is_empty())
    );
    let r = index().search(&Query::text("revenge")).unwrap();
    let s = &r.hits[0].snippet;
    assert!(s
        .highlights
        .iter()
        .any(|h| s.text[h.start..h.end].eq_ignore_ascii_case("revenge")));
}

#[test]
fn a_fresh_index_is_reused_and_a_changed_file_rebuilds_it() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus_copy = tmp.path().join("corpus");
    copy_tree(&corpus_dir(), &corpus_copy);
    let location = Location::Dir(tmp.path().join("index"));
    let open = || {
        let c = dossier::Corpus::load(&corpus_copy).unwrap();
        Index::open_or_build(&c, location.clone()).unwrap()
    };
    assert!(matches!(open().freshness(), Freshness::Built(_)));
    assert_eq!(open().freshness(), &Freshness::Reused);
    // Same content, new mtime: reused (the content hash is checked).
    let topics = corpus_copy.join("topics.toml");
    let content = std::fs::read(&topics).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(&topics, &content).unwrap();
    assert_eq!(open().freshness(), &Freshness::Reused);
    // A new topic: the registries are updated, and no passage re-indexed.
    let mut changed = content.clone();
    changed.extend_from_slice(b"\n[[topics]]\nid = \"weather\"\ndescription = \"Rain.\"\n");
    std::fs::write(&topics, changed).unwrap();
    match open().freshness() {
        Freshness::Updated(summary) => assert_eq!(
            summary,
            &dossier::UpdateSummary {
                registries: true,
                ..Default::default()
            }
        ),
        other => panic!("{other:?}"),
    }
    // Only one generation remains on disk.
    let gens = crate::util::entries(&tmp.path().join("index"), "gen-");
    assert_eq!(gens, 1);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn any_query_string_returns_quickly_without_panicking(q in "\\PC{0,60}") {
            let started = Instant::now();
            let _ = index().search(&Query::text(q.clone()));
            prop_assert!(started.elapsed() < Duration::from_secs(2), "{q:?} took {:?}", started.elapsed());
        }

        #[test]
        fn query_syntax_soup_returns_quickly_without_panicking(q in "[a-z()\"*:~^ +\\-\\[\\]{}]{0,40}|(AND |OR |NOT |\\( |\\) |\" |actor:|stance:|x )*") {
            let started = Instant::now();
            let _ = index().search(&Query::text(q.clone()));
            prop_assert!(started.elapsed() < Duration::from_secs(2), "{q:?} took {:?}", started.elapsed());
        }

        #[test]
        fn any_filter_value_returns_an_error_or_results(name in "\\PC{0,30}", date in "\\PC{0,12}") {
            let _ = index().search(&Query::all().actor(name.clone()).holder(name.clone()).target(name.clone()));
            let _ = index().search(&Query::all().since(date.clone()).until(date));
            let _ = index().search(&Query::all().stance(name.clone()).topic(name.clone()).camp(name));
        }
    }
}
