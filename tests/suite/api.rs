//! The library API on the bundled corpus.

use crate::util::{add_copy, copy_tree, corpus, corpus_dir, index, passages_where};
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
    for p in &article.passages {
        for s in &p.stances {
            assert!(p.text.contains(&s.quote), "{}: {:?}", p.id, s.quote);
        }
    }
    // Stance annotations per passage, counted in article.toml (40 in all,
    // as the README says).
    let per_passage: Vec<usize> = article.passages.iter().map(|p| p.stances.len()).collect();
    assert_eq!(
        per_passage,
        [1, 1, 1, 5, 1, 1, 1, 2, 1, 2, 1, 5, 4, 2, 4, 1, 1, 0, 4, 2]
    );
    assert_eq!(per_passage.iter().sum::<usize>(), 40);
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

/// The passages of each stance, read from article.toml. The bundled
/// taxonomy is flat (no `parent`); the hierarchy is tested on its own
/// fixture in `semantics.rs`.
const STANCE_PASSAGES: [(&str, &[u32]); 10] = [
    ("claims-success", &[1, 2]),
    ("admits-failure", &[4, 5, 6, 7, 8, 9, 10, 13, 14, 20]),
    ("calls-for-reckoning", &[8, 11, 12, 13, 19, 20]),
    ("calls-for-retaliation", &[4, 12, 15]),
    ("warns-against-war", &[12, 13]),
    ("condemns", &[13, 15]),
    ("disputes-account", &[3, 4]),
    ("deflects-blame", &[19]),
    ("criticizes-repression", &[14, 15]),
    ("calls-for-reform", &[16, 17]),
];

fn passage_ids(ordinals: &[u32]) -> Vec<String> {
    ordinals
        .iter()
        .map(|o| format!("iran-intel-{o:02}"))
        .collect()
}

#[test]
fn every_stance_finds_exactly_the_annotated_passages() {
    let registered: Vec<&str> = corpus()
        .registry()
        .stances
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    let listed: Vec<&str> = STANCE_PASSAGES.iter().map(|(s, _)| *s).collect();
    assert_eq!(registered, listed, "a stance without expected passages");
    for (stance, ordinals) in STANCE_PASSAGES {
        assert_eq!(
            ids(&Query::all().stance(stance)),
            passage_ids(ordinals),
            "stance {stance}"
        );
        let resolved = index().search(&Query::all().stance(stance)).unwrap().query;
        assert_eq!(
            resolved.stances,
            [stance],
            "no descendants in a flat taxonomy"
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

fn facet_counts(dim: FacetDim) -> Vec<(String, u64)> {
    let facets = index().facets(&Query::all(), &[dim]).unwrap();
    assert_eq!(facets.total, 20);
    facets
        .counts
        .into_iter()
        .map(|c| match c.value {
            FacetKey::One(v) => (v, c.count),
            other => panic!("one-dimensional key, not {other:?}"),
        })
        .collect()
}

fn owned(rows: &[(&str, u64)]) -> Vec<(String, u64)> {
    rows.iter().map(|(v, n)| (v.to_string(), *n)).collect()
}

/// Facet counts written by hand from article.toml: by count, then value.
#[test]
fn facet_counts_match_the_annotations() {
    // Passages in which each actor holds at least one stance.
    let holders = [
        ("author", 8), // 03 04 05 06 07 10 19 20
        ("esmail-khatib", 2),
        ("ali-younesi", 1),
        ("blame-shifters", 1),
        ("centrists", 1),
        ("fereydon-abbasi", 1),
        ("hamas", 1),
        ("hamshahri", 1),
        ("hardliners", 1),
        ("hawkish-hijab-critics", 1),
        ("hesameddin-ashena", 1),
        ("hossein-dehqan", 1),
        ("iran", 1),
        ("iranian-reformist-front", 1),
        ("mojtahed-rule-critics", 1),
        ("reckoning-voices", 1),
        ("reformists", 1),
        ("repression-critics", 1),
    ];
    assert_eq!(facet_counts(FacetDim::Holder), owned(&holders));
    // Passages that mention an actor of each camp: centrist 12 (centrists)
    // and 17 (Rouhani); hardliner 12 and 19 (hardliners, Zakani, Hamshahri);
    // reformist 12 and 13 (reformists, the Reformist Front).
    assert_eq!(
        facet_counts(FacetDim::Camp),
        owned(&[("centrist", 2), ("hardliner", 2), ("reformist", 2)])
    );
    // Each stance itself (a stance search would add its descendants).
    let stances = [
        ("admits-failure", 10),
        ("calls-for-reckoning", 6),
        ("calls-for-retaliation", 3),
        ("calls-for-reform", 2),
        ("claims-success", 2),
        ("condemns", 2),
        ("criticizes-repression", 2),
        ("disputes-account", 2),
        ("warns-against-war", 2),
        ("deflects-blame", 1),
    ];
    assert_eq!(facet_counts(FacetDim::Stance), owned(&stances));
    let topics = [
        ("intelligence-failure", 12),
        ("haniyeh-assassination", 7),
        ("security-reckoning", 6),
        ("israeli-covert-operations", 5),
        ("military-response", 4),
        ("nuclear-programme", 4),
        ("factional-politics", 3),
        ("mojtahed-rule", 3),
        ("competing-accounts", 2),
        ("domestic-repression", 2),
        ("war-escalation", 2),
        ("blame-shifting", 1),
        ("hijab-enforcement", 1),
    ];
    assert_eq!(facet_counts(FacetDim::Topic), owned(&topics));
    // Actors: every registered actor with the passages that list it.
    let mut actors: Vec<(String, u64)> = corpus()
        .registry()
        .actors
        .iter()
        .map(|a| {
            let n = passages_where(|p| p.actors.contains(&a.id)).len() as u64;
            (a.id.clone(), n)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    actors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    assert_eq!(facet_counts(FacetDim::Actor), actors);
    assert_eq!(
        actors[..3],
        owned(&[
            ("iran", 14),
            ("iran-intelligence-authorities", 11),
            ("israel", 10)
        ])
    );
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
    assert_eq!(
        ids(&Query::all()
            .holder("reformists")
            .stance("warns-against-war")),
        vec!["iran-intel-12"]
    );
    // Every (holder, stance) pair of article.toml, with its passages.
    let expected: Vec<((&str, &str), u64)> = vec![
        (("author", "admits-failure"), 6),        // 04 05 06 07 10 20
        (("author", "calls-for-reckoning"), 2),   // 19 20
        (("esmail-khatib", "claims-success"), 2), // 01 02
        (("ali-younesi", "admits-failure"), 1),
        (("author", "disputes-account"), 1),
        (("blame-shifters", "deflects-blame"), 1),
        (("centrists", "calls-for-reckoning"), 1),
        (("centrists", "warns-against-war"), 1),
        (("fereydon-abbasi", "admits-failure"), 1),
        (("hamas", "calls-for-retaliation"), 1),
        (("hamas", "disputes-account"), 1),
        (("hamshahri", "deflects-blame"), 1),
        (("hardliners", "calls-for-retaliation"), 1),
        (("hawkish-hijab-critics", "calls-for-retaliation"), 1),
        (("hawkish-hijab-critics", "condemns"), 1),
        (("hawkish-hijab-critics", "criticizes-repression"), 1),
        (("hesameddin-ashena", "calls-for-reform"), 1),
        (("hossein-dehqan", "admits-failure"), 1),
        (("hossein-dehqan", "calls-for-reckoning"), 1),
        (("iran", "calls-for-retaliation"), 1),
        (("iran", "disputes-account"), 1),
        (("iranian-reformist-front", "admits-failure"), 1),
        (("iranian-reformist-front", "calls-for-reckoning"), 1),
        (("iranian-reformist-front", "condemns"), 1),
        (("iranian-reformist-front", "warns-against-war"), 1),
        (("mojtahed-rule-critics", "calls-for-reform"), 1),
        (("reckoning-voices", "calls-for-reckoning"), 1),
        (("reformists", "calls-for-reckoning"), 1),
        (("reformists", "warns-against-war"), 1),
        (("repression-critics", "admits-failure"), 1),
        (("repression-critics", "criticizes-repression"), 1),
    ];
    let matrix = index()
        .facets(&Query::all(), &[FacetDim::Holder, FacetDim::Stance])
        .unwrap();
    let got: Vec<((String, String), u64)> = matrix
        .counts
        .into_iter()
        .map(|c| match c.value {
            FacetKey::Pair(h, s) => ((h, s), c.count),
            other => panic!("a pair, not {other:?}"),
        })
        .collect();
    let expected: Vec<((String, String), u64)> = expected
        .into_iter()
        .map(|((h, s), n)| ((h.to_owned(), s.to_owned()), n))
        .collect();
    assert_eq!(got, expected);
}

/// Holder, stance, target and polarity filters all hold on one and the
/// same annotation, for every pair of them.
#[test]
fn every_pair_of_stance_filters_holds_on_one_annotation() {
    let cases: [(Query, &[u32]); 12] = [
        // Hardliners target Israel; war-escalation is the reformists' and
        // centrists' target in the same passage 12.
        (
            Query::all().holder("hardliners").target("war-escalation"),
            &[],
        ),
        (
            Query::all().holder("reformists").target("war-escalation"),
            &[12],
        ),
        (Query::all().holder("hardliners").target("israel"), &[12]),
        // Passages 12 and 13 warn against war (target war-escalation) and,
        // in another annotation, target Israel.
        (
            Query::all().stance("warns-against-war").target("israel"),
            &[],
        ),
        (
            Query::all()
                .stance("warns-against-war")
                .target("war-escalation"),
            &[12, 13],
        ),
        (
            Query::all()
                .stance("calls-for-retaliation")
                .target("war-escalation"),
            &[],
        ),
        (Query::all().stance("condemns").target("israel"), &[13, 15]),
        // Hardliners are only against; reformists are for the reckoning.
        (Query::all().holder("hardliners").polarity("favor"), &[]),
        (Query::all().holder("reformists").polarity("favor"), &[12]),
        (
            Query::all()
                .target("security-reckoning")
                .polarity("against"),
            &[],
        ),
        (Query::all().stance("admits-failure").polarity("favor"), &[]),
        // The author's stances: admits-failure, disputes-account (Khatib)
        // and calls-for-reckoning; Khatib is the target only in passage 3.
        (Query::all().holder("author").target("Khatib"), &[3]),
    ];
    for (q, expected) in cases {
        assert_eq!(ids(&q), passage_ids(expected), "{q:?}");
    }
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
    // The passages that list ismail-haniyeh in article.toml.
    let a = passage_ids(&[3, 4, 5, 11, 13, 17, 19]);
    for v in [
        "Ismail Haniyeh",
        "Haniya",
        "haniyeh",
        "Esmail Haniyeh",
        "HANIYAH",
        "Ismaïl Haniyeh",
    ] {
        assert_eq!(ids(&Query::all().actor(v)), a, "{v}");
    }
    for v in [
        "Dehghan",
        "Hossein Dehqan",
        "Hosein Dehghan",
        "hossein-dehqan",
    ] {
        assert_eq!(ids(&Query::all().actor(v)), ["iran-intel-08"], "{v}");
    }
}

#[test]
fn ambiguous_names_search_every_match_and_say_so() {
    // "Ali" is one word of four persons' names or aliases: Ali Khamenei,
    // Ali Younesi, Ghorban-Ali Dorri-Najafabadi and Ali Reza Zakani.
    let r = index().search(&Query::all().actor("Ali")).unwrap();
    let amb: Vec<_> = r.query.ambiguities().collect();
    assert_eq!(amb.len(), 1);
    assert_eq!(
        amb[0].ids().collect::<Vec<_>>(),
        [
            "ali-khamenei",
            "ali-younesi",
            "qorbanali-dorri-najafabadi",
            "alireza-zakani"
        ]
    );
    // Khamenei is listed in passage 8, Younesi in 9, Dorri Najafabadi in 18
    // and Zakani in 19.
    let found: Vec<&str> = r.hits.iter().map(|h| h.passage.as_str()).collect();
    assert_eq!(
        found,
        [
            "iran-intel-08",
            "iran-intel-09",
            "iran-intel-18",
            "iran-intel-19"
        ]
    );
    assert_eq!(r.total, 4);
}

#[test]
fn unknown_names_and_labels_are_errors_with_suggestions() {
    // Doubled letters fold away, so these misspellings still resolve.
    for v in ["Khatiib", "Esmaill Khatiib", "KHATTIB"] {
        assert_eq!(
            ids(&Query::all().actor(v)),
            ["iran-intel-01", "iran-intel-02", "iran-intel-03"],
            "{v}"
        );
    }
    // The words swapped are no registered name (nor one word of one).
    match index().search(&Query::all().actor("Khatiib Esmaill")) {
        Err(Error::UnknownActor { name, suggestions }) => {
            assert_eq!(name, "Khatiib Esmaill");
            assert_eq!(suggestions.len(), 3, "{suggestions:?}");
            assert_eq!(suggestions[0], "Esmail Khatib", "{suggestions:?}");
        }
        other => panic!("{other:?}"),
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
    // 300,000 words in 1.5 MB: the byte limit is checked first.
    let long = "word ".repeat(300_000);
    match index().search(&Query::text(long)) {
        Err(Error::QuerySyntax { position, message }) => {
            assert_eq!(position, 8192);
            assert_eq!(
                message,
                "the query is 1500000 bytes long; the limit is 8192"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn order_is_position_without_text_and_score_with_it() {
    let all = ids(&Query::all());
    let expected: Vec<String> = (1..=20).map(|i| format!("iran-intel-{i:02}")).collect();
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
fn offsets_stop_at_max_offset() {
    assert_eq!(dossier::query::MAX_OFFSET, 100_000);
    let r = index().search(&Query::all().offset(100_000)).unwrap();
    assert_eq!((r.total, r.hits.len()), (20, 0));
    let r = index().search(&Query::all().offset(18)).unwrap();
    assert_eq!(
        r.hits
            .iter()
            .map(|h| h.passage.as_str())
            .collect::<Vec<_>>(),
        ["iran-intel-19", "iran-intel-20"]
    );
    match index().search(&Query::all().offset(100_001)) {
        Err(Error::InvalidArgument(message)) => {
            assert_eq!(message, "offset must be at most 100000, not 100001")
        }
        other => panic!("{other:?}"),
    }
}

/// Two articles with the same text: every passage ties with its copy.
fn twin_corpus() -> (tempfile::TempDir, Index) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    crate::util::big_corpus(&root, 1);
    let c = dossier::Corpus::load(&root).unwrap();
    let index = Index::open_or_build(&c, Location::Dir(tmp.path().join("index"))).unwrap();
    (tmp, index)
}

#[test]
fn score_ties_break_on_article_then_ordinal() {
    let (_tmp, twins) = twin_corpus();
    let found = |q: Query| -> Vec<(String, Option<f32>)> {
        twins
            .search(&q.limit(1000))
            .unwrap()
            .hits
            .into_iter()
            .map(|h| (h.passage, h.score))
            .collect()
    };
    // Passage 12 and its copy score the same: copy-0000 sorts first.
    let revenge = found(Query::text("revenge"));
    assert_eq!(
        revenge.iter().map(|h| h.0.as_str()).collect::<Vec<_>>(),
        ["copy-0000-12", "iran-intel-12"]
    );
    assert_eq!(revenge[0].1, revenge[1].1, "a tie");
    // `*` gives every passage the same score: (article, ordinal) order.
    let mut expected = Vec::new();
    for article in ["copy-0000", "iran-intel"] {
        expected.extend((1..=20).map(|o| format!("{article}-{o:02}")));
    }
    let all = found(Query::text("*").sort(Sort::Score));
    assert_eq!(
        all.iter().map(|h| h.0.clone()).collect::<Vec<_>>(),
        expected
    );
    assert!(all.iter().all(|h| h.1 == all[0].1), "all tie");
    // Unequal scores still come first: hijab (passage 15) is boosted.
    let boosted = found(Query::text("revenge OR hijab^20"));
    assert_eq!(
        boosted.iter().map(|h| h.0.as_str()).collect::<Vec<_>>(),
        [
            "copy-0000-15",
            "iran-intel-15",
            "copy-0000-12",
            "iran-intel-12"
        ]
    );
}

/// Each update adds its articles in a segment of their own, so ties between
/// an article and its copies span segments: they must still break on the
/// article id, not on which segment came first, at every page boundary.
#[test]
fn score_ties_across_segments_break_on_article_then_ordinal() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    copy_tree(&corpus_dir(), &root);
    let location = || Location::Dir(tmp.path().join("index"));
    let open = || Index::open_or_build(&dossier::Corpus::load(&root).unwrap(), location()).unwrap();
    open();
    add_copy(&root, "z-copy");
    open();
    add_copy(&root, "a-copy");
    let index = open();
    let page = |q: Query, offset: usize, limit: usize| -> Vec<String> {
        let r = index.search(&q.offset(offset).limit(limit)).unwrap();
        r.hits.into_iter().map(|h| h.passage).collect()
    };
    // Passage 12 is the only one with "revenge"; its copies tie with it.
    for limit in 1..=3 {
        assert_eq!(
            page(Query::text("revenge"), 0, limit),
            ["a-copy-12", "iran-intel-12", "z-copy-12"][..limit]
        );
    }
    assert_eq!(page(Query::text("revenge"), 1, 1), ["iran-intel-12"]);
    // `*` ties everything: (article, ordinal) order, on any page.
    assert_eq!(
        page(Query::text("*").sort(Sort::Score), 0, 2),
        ["a-copy-01", "a-copy-02"]
    );
    assert_eq!(
        page(Query::text("*").sort(Sort::Score), 19, 3),
        ["a-copy-20", "iran-intel-01", "iran-intel-02"]
    );
    assert_eq!(page(Query::all(), 39, 2), ["iran-intel-20", "z-copy-01"]);
    // Unequal scores first: passage 15 (hijab, boosted), then 12.
    assert_eq!(
        page(Query::text("revenge OR hijab^20"), 0, 4),
        ["a-copy-15", "iran-intel-15", "z-copy-15", "a-copy-12"]
    );
}

#[test]
fn date_filters_use_event_dates() {
    // Events of 2018-2020: passage 6 (2018, 2020), 8 (2020), 10 (2018).
    assert_eq!(
        ids(&Query::all().since("2018").until("2020")),
        passage_ids(&[6, 8, 10])
    );
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

/// The lazily loaded registries: a keyword search reads neither
/// `registry.json` nor `names.json`; a name or a display name needs them.
#[test]
fn keyword_searches_never_read_the_registries() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("index");
    Index::open_or_build(corpus(), Location::Dir(dir.clone())).unwrap();
    let opened = Index::open(&dir).unwrap();
    for side_file in ["registry.json", "names.json"] {
        std::fs::remove_file(opened.path().join(side_file)).unwrap();
    }
    assert_eq!(opened.search(&Query::text("revenge")).unwrap().total, 1);
    assert_eq!(opened.count(&Query::text("security -iran")).unwrap(), 3);
    assert_eq!(opened.passage("iran-intel-12").unwrap().ordinal, 12);
    let io_error_on = |r: dossier::Result<()>| match r {
        Err(Error::Io { path, .. }) => path.file_name().unwrap().to_string_lossy().into_owned(),
        other => panic!("expected a read error, got {other:?}"),
    };
    assert_eq!(
        io_error_on(opened.search(&Query::all().actor("Khatib")).map(|_| ())),
        "names.json"
    );
    assert_eq!(io_error_on(opened.registry().map(|_| ())), "registry.json");
}

/// The exact limits of a keyword query, through the public API; each one is
/// reached alone, and says which it is.
mod limits {
    use super::*;

    fn refused(text: &str) -> (usize, String) {
        match index().search(&Query::text(text)) {
            Err(Error::QuerySyntax { position, message }) => (position, message),
            other => panic!("{:?}…: {other:?}", &text[..text.len().min(40)]),
        }
    }

    fn total(text: &str) -> usize {
        index().search(&Query::text(text)).unwrap().total
    }

    #[test]
    fn a_query_of_8192_bytes_is_read_and_8193_is_refused() {
        // One word, then spaces: 1 word, no parenthesis.
        let at = |bytes: usize| format!("security{}", " ".repeat(bytes - 8));
        assert_eq!(at(8192).len(), 8192);
        assert_eq!(total(&at(8192)), 13);
        assert_eq!(
            refused(&at(8193)),
            (
                8192,
                "the query is 8193 bytes long; the limit is 8192".into()
            )
        );
        // Two-byte characters: 4096 é are 8192 bytes; one more is refused at
        // the character that holds byte 8192.
        assert_eq!(total(&"é".repeat(4096)), 0);
        assert_eq!(
            refused(&"é".repeat(4097)),
            (
                4096,
                "the query is 8194 bytes long; the limit is 8192".into()
            )
        );
    }

    #[test]
    fn a_query_of_256_words_is_read_and_257_are_refused() {
        let words = |n: usize| vec!["security"; n].join(" ");
        assert_eq!(total(&words(256)), 13);
        assert!(words(257).len() < 8192);
        assert_eq!(
            refused(&words(257)),
            (
                256 * 9,
                "the query has more than 256 words; this is word 257".into()
            )
        );
        // Operators are words too; 128 × iran and 127 × OR are 255 words.
        assert_eq!(total(&vec!["iran"; 128].join(" OR ")), 13);
        assert_eq!(
            refused(&vec!["iran"; 129].join(" OR ")).1,
            "the query has more than 256 words; this is word 257"
        );
    }

    #[test]
    fn parentheses_32_deep_are_read_and_33_are_refused() {
        let nest = |n: usize| format!("{}security{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(total(&nest(32)), 13);
        assert_eq!(
            refused(&nest(33)),
            (
                32,
                "parentheses nest 33 levels deep here; the limit is 32".into()
            )
        );
        // Depth, not the number of groups: 40 groups side by side are fine.
        assert_eq!(total(&vec!["(security)"; 40].join(" ")), 13);
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// The error variants a query may end in; anything else (and above all
    /// `IndexDamaged` on this healthy index) fails the property. A panic
    /// fails it by itself: it is not caught.
    fn outcome<T>(r: &dossier::Result<T>, allowed: &[&str]) -> Result<(), TestCaseError> {
        let variant = match r {
            Ok(_) => return Ok(()),
            Err(Error::QuerySyntax { .. }) => "QuerySyntax",
            Err(Error::UnknownActor { .. }) => "UnknownActor",
            Err(Error::UnknownLabel { .. }) => "UnknownLabel",
            Err(Error::UnknownArticle { .. }) => "UnknownArticle",
            Err(Error::InvalidArgument(_)) => "InvalidArgument",
            Err(_) => "another error",
        };
        prop_assert!(
            allowed.contains(&variant),
            "{variant} is not among {allowed:?}: {:?}",
            r.as_ref().err()
        );
        Ok(())
    }

    /// A search's answer is consistent: the default page of 10, at most
    /// the 20 passages, each once.
    fn consistent(r: &dossier::Result<dossier::SearchResults>) -> Result<(), TestCaseError> {
        if let Ok(r) = r {
            prop_assert!(r.total <= 20);
            prop_assert_eq!(r.hits.len(), r.total.min(10));
            let mut seen: Vec<&str> = r.hits.iter().map(|h| h.passage.as_str()).collect();
            seen.sort();
            seen.dedup();
            prop_assert_eq!(seen.len(), r.hits.len());
        }
        Ok(())
    }

    const TEXT_ERRORS: [&str; 4] = [
        "QuerySyntax",
        "UnknownActor",
        "UnknownLabel",
        "UnknownArticle",
    ];

    /// Every name of every registered actor, with its actor id.
    fn registered_forms() -> Vec<(String, String)> {
        corpus()
            .registry()
            .actors
            .iter()
            .flat_map(|a| {
                std::iter::once(a.id.clone())
                    .chain(std::iter::once(a.name.clone()))
                    .chain(a.aliases.iter().cloned())
                    .map(move |f| (a.id.clone(), f))
            })
            .collect()
    }

    /// A registered form, spelled differently in ways the fold ignores:
    /// case, hyphens or doubled spaces between words, a doubled letter.
    fn respelled_name() -> impl Strategy<Value = (String, String)> {
        (
            prop::sample::select(registered_forms()),
            0u8..4,
            0u8..3,
            any::<prop::sample::Index>(),
        )
            .prop_map(|((id, form), case, sep, at)| {
                let mut s = match case {
                    0 => form.clone(),
                    1 => form.to_uppercase(),
                    2 => form.to_lowercase(),
                    _ => form
                        .chars()
                        .enumerate()
                        .map(|(i, c)| {
                            if i % 2 == 0 {
                                c.to_ascii_uppercase()
                            } else {
                                c.to_ascii_lowercase()
                            }
                        })
                        .collect(),
                };
                s = match sep {
                    0 => s,
                    1 => s.replace(' ', "-"),
                    _ => s.replace(' ', "  "),
                };
                // Double one consonant that takes part in no digraph rule
                // (`gh`, `ph`, `w`, the vowels and the final `eh`).
                let letters: Vec<usize> = s
                    .char_indices()
                    .filter(|(_, c)| "bcdfjklmnqrstvxzBCDFJKLMNQRSTVXZ".contains(*c))
                    .map(|(i, _)| i)
                    .collect();
                if !letters.is_empty() {
                    let i = letters[at.index(letters.len())];
                    let c = &s[i..i + 1].to_owned();
                    s.insert_str(i, c);
                }
                (id, s)
            })
    }

    /// The years of the dated events of each passage, from article.toml
    /// (events without a year, `--07-24` and `--07-31`, never match).
    const EVENT_YEARS: [(u32, &[i32]); 6] = [
        (1, &[2021]),
        (6, &[2020, 2018, 2022, 2023]),
        (8, &[2020]),
        (9, &[2021]),
        (10, &[2011, 2018]),
        (16, &[1984]),
    ];

    /// (year, month, day) with month and day optional, as typed.
    type Ymd = (i32, Option<u32>, Option<u32>);

    fn date() -> impl Strategy<Value = Ymd> {
        (
            1980i32..2027,
            prop::option::of((1u32..=12, prop::option::of(1u32..=28))),
        )
            .prop_map(|(y, md)| match md {
                None => (y, None, None),
                Some((m, d)) => (y, Some(m), d),
            })
    }

    fn show((y, m, d): Ymd) -> String {
        match (m, d) {
            (None, _) => format!("{y}"),
            (Some(m), None) => format!("{y}-{m:02}"),
            (Some(m), Some(d)) => format!("{y}-{m:02}-{d:02}"),
        }
    }

    /// The first and last day of a typed date, as (y, m, d); day 31 stands
    /// for "the last day of the month", later than any generated day.
    fn first_day((y, m, d): Ymd) -> (i32, u32, u32) {
        (y, m.unwrap_or(1), d.unwrap_or(1))
    }
    fn last_day((y, m, d): Ymd) -> (i32, u32, u32) {
        (y, m.unwrap_or(12), d.unwrap_or(31))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn any_query_string_returns_quickly_without_panicking(q in "\\PC{0,60}") {
            let started = Instant::now();
            let r = index().search(&Query::text(q.clone()));
            prop_assert!(started.elapsed() < Duration::from_secs(2), "{q:?} took {:?}", started.elapsed());
            outcome(&r, &TEXT_ERRORS)?;
            consistent(&r)?;
            outcome(&index().facets(&Query::text(q.clone()), &[FacetDim::Actor]), &TEXT_ERRORS)?;
            outcome(&index().timeline(&Query::text(q)), &TEXT_ERRORS)?;
        }

        #[test]
        fn query_syntax_soup_returns_quickly_without_panicking(q in "[a-z()\"*:~^ +\\-\\[\\]{}]{0,40}|(AND |OR |NOT |\\( |\\) |\" |actor:|stance:|x )*") {
            let started = Instant::now();
            let r = index().search(&Query::text(q.clone()));
            prop_assert!(started.elapsed() < Duration::from_secs(2), "{q:?} took {:?}", started.elapsed());
            outcome(&r, &TEXT_ERRORS)?;
            consistent(&r)?;
        }

        #[test]
        fn any_filter_value_returns_an_error_or_results(name in "\\PC{0,30}", date in "\\PC{0,12}") {
            let r = index().search(&Query::all().actor(name.clone()).holder(name.clone()).target(name.clone()));
            outcome(&r, &["UnknownActor"])?;
            consistent(&r)?;
            let r = index().search(&Query::all().since(date.clone()).until(date.clone()));
            outcome(&r, &["InvalidArgument"])?;
            consistent(&r)?;
            outcome(&index().timeline(&Query::all().since(date)), &["InvalidArgument"])?;
            let r = index().search(&Query::all().stance(name.clone()).topic(name.clone()).camp(name.clone()));
            outcome(&r, &["UnknownLabel"])?;
            let r = index().search(&Query::all().article(name.clone()).polarity(name.clone()));
            outcome(&r, &["UnknownArticle", "UnknownLabel"])?;
            outcome(&index().facets(&Query::all().actor(name), &[FacetDim::Holder, FacetDim::Stance]), &["UnknownActor"])?;
        }

        /// Names that resolve, however they are spelled, find exactly the
        /// passages that list the actor.
        #[test]
        fn respelled_registered_names_find_their_actor((id, name) in respelled_name()) {
            let expected = passages_where(|p| p.actors.contains(&id));
            let r = index().search(&Query::all().actor(name.clone()).limit(1000));
            let r = match r {
                Ok(r) => r,
                Err(e) => return Err(TestCaseError::fail(format!("{name:?}: {e}"))),
            };
            prop_assert_eq!(r.query.actors[0].ids().collect::<Vec<_>>(), vec![id.as_str()], "{:?}", name);
            prop_assert_eq!(r.hits.into_iter().map(|h| h.passage).collect::<Vec<_>>(), expected, "{:?}", name);
        }

        /// Dates that parse find the passages with an event in the range,
        /// by the hand-written table of event years.
        #[test]
        fn valid_dates_find_the_events_in_range(since in prop::option::of(date()), until in prop::option::of(date())) {
            let mut q = Query::all().limit(1000);
            if let Some(s) = since { q = q.since(show(s)); }
            if let Some(u) = until { q = q.until(show(u)); }
            let r = index().search(&q);
            if let (Some(s), Some(u)) = (since, until) {
                if first_day(s) > last_day(u) {
                    prop_assert!(matches!(r, Err(Error::InvalidArgument(_))), "{:?}", r.map(|r| r.total));
                    return Ok(());
                }
            }
            // An event counts from its first day, 1 January of its year.
            let in_range = |y: i32| {
                since.is_none_or(|s| (y, 1, 1) >= first_day(s)) && until.is_none_or(|u| (y, 1, 1) <= last_day(u))
            };
            let expected: Vec<String> = if since.is_none() && until.is_none() {
                (1..=20).map(|o| format!("iran-intel-{o:02}")).collect()
            } else {
                EVENT_YEARS
                    .iter()
                    .filter(|(_, years)| years.iter().any(|y| in_range(*y)))
                    .map(|(o, _)| format!("iran-intel-{o:02}"))
                    .collect()
            };
            let r = match r {
                Ok(r) => r,
                Err(e) => return Err(TestCaseError::fail(format!("{since:?} {until:?}: {e}"))),
            };
            prop_assert_eq!(r.hits.into_iter().map(|h| h.passage).collect::<Vec<_>>(), expected);
        }
    }

    /// Keyword queries around the limits: the byte, word and depth limits
    /// are reached by generated input, each on its own.
    mod near_the_limits {
        use super::*;
        use dossier::query::{MAX_QUERY_BYTES, MAX_QUERY_DEPTH, MAX_QUERY_TERMS};

        /// iran, security or Iran's (two words: `Iran` and `s`), with the
        /// passages each finds (`boolean.rs`, `semantics.rs`).
        const WORDS: [(&str, usize, &[u32]); 3] = [
            ("iran", 1, &[1, 3, 4, 5, 6, 10, 12, 13, 14, 15, 16, 19, 20]),
            (
                "security",
                1,
                &[1, 4, 5, 6, 8, 10, 11, 12, 13, 14, 16, 18, 19],
            ),
            ("Iran's", 2, &[1, 3, 4, 5, 6, 10, 12, 14, 15, 16, 19]),
        ];

        /// The passages in which every chosen word occurs.
        fn all_of(chosen: &[usize]) -> usize {
            (1..=20u32)
                .filter(|o| chosen.iter().all(|w| WORDS[*w].2.contains(o)))
                .count()
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

            #[test]
            fn queries_near_8_kib(bytes in prop_oneof![8188usize..8198, 8000usize..8400], wide in any::<bool>()) {
                // One word of `q` (or of 2-byte `ж`), then spaces to the length.
                let word = if wide { "жж" } else { "qq" };
                let mut text = word.repeat(10);
                text.push_str(&" ".repeat(bytes - text.len()));
                prop_assert_eq!(text.len(), bytes);
                let r = index().search(&Query::text(text.clone()));
                if bytes <= MAX_QUERY_BYTES {
                    prop_assert_eq!(r.unwrap().total, 0);
                } else {
                    match r {
                        Err(Error::QuerySyntax { position, message }) => {
                            // The word is 20 characters; spaces are 1 byte.
                            let word_bytes = 20 * word.len() / 2;
                            prop_assert_eq!(position, 20 + (MAX_QUERY_BYTES - word_bytes));
                            prop_assert_eq!(message, format!("the query is {bytes} bytes long; the limit is 8192"));
                        }
                        other => prop_assert!(false, "{:?}", other.map(|r| r.total)),
                    }
                }
            }

            #[test]
            fn queries_near_256_words(chosen in prop_oneof![
                // One-word words only: 250 to 261 words.
                prop::collection::vec(0..2usize, 250..262),
                prop::collection::vec(0..WORDS.len(), 120..262),
            ]) {
                let text = chosen.iter().map(|w| WORDS[*w].0).collect::<Vec<_>>().join(" ");
                let words: usize = chosen.iter().map(|w| WORDS[*w].1).sum();
                let r = index().search(&Query::text(text.clone()));
                if words <= MAX_QUERY_TERMS {
                    prop_assert_eq!(r.unwrap().total, all_of(&chosen));
                } else {
                    // Where word 257 starts: after the whole words before it.
                    let mut count = 0;
                    let mut position = 0;
                    for w in &chosen {
                        let (word, n, _) = WORDS[*w];
                        if count + n > MAX_QUERY_TERMS {
                            // `Iran's` split by the limit: its `s` is word 257.
                            position += if count == MAX_QUERY_TERMS { 0 } else { "Iran'".len() };
                            break;
                        }
                        count += n;
                        position += word.chars().count() + 1;
                    }
                    match r {
                        Err(Error::QuerySyntax { position: at, message }) => {
                            prop_assert_eq!(at, position, "{}", text);
                            prop_assert_eq!(message, "the query has more than 256 words; this is word 257");
                        }
                        other => prop_assert!(false, "{} words: {:?}", words, other.map(|r| r.total)),
                    }
                }
            }

            #[test]
            fn queries_near_32_levels(levels in prop::collection::vec(prop::option::of(0..2usize), 26..40)) {
                // `(w1 (w2 (… (x) …)))`: each level opens a parenthesis and
                // may AND a word (iran or security) to what it holds.
                let mut text = String::new();
                for w in &levels {
                    text.push('(');
                    if let Some(w) = w {
                        text.push_str(WORDS[*w].0);
                        text.push(' ');
                    }
                }
                text.push_str("security");
                text.push_str(&")".repeat(levels.len()));
                let r = index().search(&Query::text(text.clone()));
                if levels.len() <= MAX_QUERY_DEPTH {
                    let mut chosen: Vec<usize> = levels.iter().flatten().copied().collect();
                    chosen.push(1);
                    prop_assert_eq!(r.unwrap().total, all_of(&chosen));
                } else {
                    // The 33rd `(`.
                    let position = text.chars().enumerate().filter(|(_, c)| *c == '(').nth(MAX_QUERY_DEPTH).unwrap().0;
                    match r {
                        Err(Error::QuerySyntax { position: at, message }) => {
                            prop_assert_eq!(at, position);
                            prop_assert_eq!(message, format!("parentheses nest 33 levels deep here; the limit is 32"));
                        }
                        other => prop_assert!(false, "{:?}", other.map(|r| r.total)),
                    }
                }
            }
        }
    }
}
