//! The annotation corrections of issue 14, checked against the bundled corpus.
//! Every expected passage id below is written by hand from the annotations.

use crate::util::{corpus, index};
use dossier::corpus::{ActorKind, StanceAnnotation};
use dossier::{Error, Query};

fn ids(q: Query) -> Vec<String> {
    index()
        .search(&q.limit(100))
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.passage)
        .collect()
}

/// The stance annotations of one passage, as the index returns them.
fn stances(passage: &str) -> Vec<StanceAnnotation> {
    index().passage(passage).unwrap().stances
}

/// Whether `passage` has exactly this `against` stance annotation.
fn has(passage: &str, holder: &str, stance: &str, target: &str, quote: &str, voice: &str) -> bool {
    stances(passage).iter().any(|s| {
        s.holder == holder
            && s.stance == stance
            && s.target == target
            && s.polarity.as_str() == "against"
            && s.quote == quote
            && s.voice.as_str() == voice
    })
}

#[test]
fn critics_is_no_generic_alias_and_the_two_groups_are_separate() {
    let resolver = index().resolver().unwrap();
    for word in ["critics", "Critics", "CRITICS"] {
        assert!(resolver.resolve(word).is_none(), "{word} still resolves");
    }
    assert!(corpus().registry().actor("critics").is_none());
    assert!(matches!(
        index().search(&Query::all().holder("critics")),
        Err(Error::UnknownActor { .. })
    ));
    for (id, passages) in [
        ("repression-critics", ["iran-intel-14"]),
        ("mojtahed-rule-critics", ["iran-intel-16"]),
    ] {
        let actor = corpus().registry().actor(id).expect(id);
        assert!(actor.aliases.is_empty(), "{id}: {:?}", actor.aliases);
        assert_eq!(actor.kind, ActorKind::Collective, "{id}");
        assert_eq!(ids(Query::all().actor(id)), passages, "{id}");
        assert_eq!(ids(Query::all().holder(id)), passages, "{id}");
    }
}

#[test]
fn reformist_front_admits_the_security_gaps_in_passage_13() {
    assert_eq!(
        ids(Query::all()
            .holder("iranian-reformist-front")
            .stance("admits-failure")
            .target("iran-intelligence-authorities")
            .polarity("against")),
        vec!["iran-intel-13"]
    );
    assert!(has(
        "iran-intel-13",
        "iranian-reformist-front",
        "admits-failure",
        "iran-intelligence-authorities",
        "the security gaps existing in the country",
        "reported"
    ));
}

#[test]
fn the_author_reads_the_new_york_times_report_as_a_failure_in_passage_04() {
    assert_eq!(
        ids(Query::all()
            .actor("new-york-times")
            .holder("author")
            .stance("admits-failure")
            .target("iran-intelligence-authorities")),
        vec!["iran-intel-04"]
    );
    assert!(ids(Query::all()
        .holder("new-york-times")
        .stance("admits-failure"))
    .is_empty());
    assert!(has(
        "iran-intel-04",
        "author",
        "admits-failure",
        "iran-intelligence-authorities",
        "suggesting a deep penetration of Iran’s security infrastructure",
        "author"
    ));
}

#[test]
fn the_closing_failure_assessment_targets_the_intelligence_authorities() {
    assert_eq!(
        ids(Query::text("vulnerable")
            .holder("author")
            .stance("admits-failure")
            .target("iran-intelligence-authorities")),
        vec!["iran-intel-20"]
    );
    assert!(ids(Query::all().stance("admits-failure").target("iran")).is_empty());
}

#[test]
fn passage_07_complaint_and_passage_14_duplicate_are_gone() {
    assert!(ids(Query::all().holder("iranian-authorities")).is_empty());
    let p07 = stances("iran-intel-07");
    assert_eq!(p07.len(), 1, "{p07:?}");
    assert_eq!(p07[0].holder, "author");
    assert_eq!(
        ids(Query::all().stance("criticizes-repression").target("iran")),
        vec!["iran-intel-15"]
    );
    let repression: Vec<_> = stances("iran-intel-14")
        .into_iter()
        .filter(|s| s.stance == "criticizes-repression")
        .collect();
    assert_eq!(repression.len(), 1, "{repression:?}");
    assert_eq!(repression[0].holder, "repression-critics");
    assert_eq!(repression[0].target, "iran-intelligence-authorities");
}

#[test]
fn every_author_failure_assessment_targets_the_intelligence_authorities() {
    let expected = [
        "iran-intel-04",
        "iran-intel-05",
        "iran-intel-06",
        "iran-intel-07",
        "iran-intel-10",
        "iran-intel-20",
    ];
    assert_eq!(
        ids(Query::all()
            .holder("author")
            .stance("admits-failure")
            .target("iran-intelligence-authorities")),
        expected
    );
    assert_eq!(
        ids(Query::all().holder("author").stance("admits-failure")),
        expected
    );
}

#[test]
fn ashena_call_is_dated_in_the_timeline() {
    let timeline = index().timeline(&Query::all()).unwrap();
    let p17: Vec<_> = timeline
        .events
        .iter()
        .filter(|e| e.passage == "iran-intel-17")
        .collect();
    assert_eq!(p17.len(), 1);
    assert_eq!(p17[0].event.date.to_string(), "--07-31");
    assert_eq!(p17[0].event.actors, vec!["hesameddin-ashena"]);
    assert_eq!(timeline.events.len(), 13);
}

#[test]
fn tightened_quotes_are_the_shortest_evidence() {
    for (passage, holder, stance, quote) in [
        (
            "iran-intel-06",
            "author",
            "admits-failure",
            "This failure becomes more evident",
        ),
        (
            "iran-intel-07",
            "author",
            "admits-failure",
            "With such a poor track record",
        ),
        (
            "iran-intel-13",
            "iranian-reformist-front",
            "condemns",
            "condemned Israel for the assassination",
        ),
        (
            "iran-intel-16",
            "mojtahed-rule-critics",
            "calls-for-reform",
            "this has hampered the country",
        ),
        (
            "iran-intel-20",
            "author",
            "calls-for-reckoning",
            "without a serious reckoning",
        ),
    ] {
        let quotes: Vec<String> = stances(passage)
            .into_iter()
            .filter(|s| s.holder == holder && s.stance == stance)
            .map(|s| s.quote)
            .collect();
        assert_eq!(quotes, vec![quote], "{passage} {holder} {stance}");
    }
}
