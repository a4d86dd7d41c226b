"""Every call and every filter, against oracles written by hand from
corpus/articles/iran-intel/article.toml and the registries.

Passage numbers below are the `ordinal`s of iran-intel-NN.
"""

from __future__ import annotations

import datetime
import json
import pickle
from pathlib import Path


import dossier

from conftest import passages
from corpora import copy_corpus


def ids(*ordinals: int) -> list[str]:
    return [f"iran-intel-{n:02d}" for n in ordinals]


# ---------------------------------------------------------------- open


def test_open_without_arguments_uses_the_builtin_corpus() -> None:
    index = dossier.open()
    assert index.stats == {"articles": 1, "passages": 20}
    # A second open finds the index in the (private) cache and reuses it.
    again = dossier.open()
    assert again.freshness == {"status": "reused"}
    assert again.path == index.path
    assert passages(again.search(actor="Khatib")) == ids(1, 2, 3)


def test_open_builds_then_reuses(corpus_dir: Path, tmp_path: Path) -> None:
    first = dossier.open(corpus=corpus_dir, index=tmp_path / "ix")
    assert first.freshness["status"] == "built"
    second = dossier.open(corpus=str(corpus_dir), index=str(tmp_path / "ix"))
    assert second.freshness == {"status": "reused"}
    assert second.path == first.path
    assert Path(first.path).parent == tmp_path / "ix"


def test_refresh_updates_after_an_edit_and_no_refresh_does_not(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    ix = tmp_path / "ix"
    assert dossier.open(corpus=corpus, index=ix).search(polarity="neutral").total == 0
    # Passage 01's stance becomes neutral.
    toml = corpus / "articles" / "iran-intel" / "article.toml"
    text = toml.read_text(encoding="utf-8")
    edited = text.replace('polarity = "against"', 'polarity = "neutral"', 1)
    assert edited != text
    toml.write_text(edited, encoding="utf-8")

    stale = dossier.open(corpus=corpus, index=ix, refresh=False)
    assert stale.freshness == {"status": "reused"}
    assert stale.search(polarity="neutral").total == 0

    fresh = dossier.open(corpus=corpus, index=ix)
    assert fresh.freshness["status"] == "updated"
    assert passages(fresh.search(polarity="neutral")) == ids(1)
    # The index opened before the edit still answers from its generation.
    assert stale.search(polarity="neutral").total == 0


def test_no_refresh_still_builds_when_there_is_no_index(corpus_dir: Path, tmp_path: Path) -> None:
    index = dossier.open(corpus=corpus_dir, index=tmp_path / "ix", refresh=False)
    assert index.freshness["status"] == "built"
    assert index.search().total == 20


def test_index_without_corpus_opens_a_prebuilt_index_as_it_is(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    ix = tmp_path / "ix"
    built = dossier.open(corpus=corpus, index=ix)
    # Without the corpus, the index of another corpus is opened, not rebuilt
    # from the built-in corpus.
    prebuilt = dossier.open(index=ix)
    assert prebuilt.path == built.path
    assert prebuilt.freshness == {"status": "reused"}
    assert passages(prebuilt.search(holder="reformists", stance="warns-against-war")) == ids(12)


def test_index_without_corpus_builds_the_builtin_corpus_in_an_empty_folder(tmp_path: Path) -> None:
    index = dossier.open(index=tmp_path / "ix")
    assert index.freshness["status"] == "built"
    assert index.stats == {"articles": 1, "passages": 20}


def test_paths_may_be_pathlike(corpus_dir: Path, index_dir: Path, index: dossier.Index) -> None:
    assert dossier.open(corpus=Path(corpus_dir), index=Path(index_dir)).path == index.path


# ---------------------------------------------------------------- search


def test_results_shape(index: dossier.Index) -> None:
    r = index.search(actor="Khatib", limit=2)
    assert r.total == 3
    assert len(r) == 2
    assert [h.passage for h in r] == ids(1, 2)
    assert r[1].passage == "iran-intel-02"
    assert r.hits[0].score is None  # no keywords
    assert r.query.sort == "position"
    assert r.query.limit == 2 and r.query.offset == 0
    assert repr(r) == "<Results 2 of 3 passages>"


def test_hit_attributes(index: dossier.Index) -> None:
    hit = index.search(actor="Mossad").hits[0]
    assert hit.article == "iran-intel"
    assert hit.passage == "iran-intel-02"
    assert hit.ordinal == 2
    assert (hit.span.start, hit.span.end) == (306, 424)
    assert hit.text.startswith("“With the grace of God, Mossad’s network")
    assert hit.text.endswith("Mr Khatib said.")
    assert len(hit.text.encode()) == 424 - 306
    assert [(a.id, a.name) for a in hit.actors] == [("esmail-khatib", "Esmail Khatib"), ("mossad", "Mossad")]
    assert hit.topics == ["israeli-covert-operations"]
    assert hit.events == []
    [s] = hit.stances
    assert s.holder == "esmail-khatib"
    assert s.holder.name == "Esmail Khatib"
    assert s.holder.kind == "actor"
    assert s.stance == "claims-success"
    assert s.target == "mossad" and s.target.name == "Mossad"
    assert s.polarity == "against"
    assert s.voice == "reported"
    assert s.quote == "Mossad’s network and its accesses and capabilities have been destroyed"
    assert s.quote in hit.text


def test_stance_holder_name_and_topic_target(index: dossier.Index) -> None:
    # Passage 12: reformists warn against war (a topic).
    [hit] = index.search(holder="reformists", stance="warns-against-war").hits
    s = next(s for s in hit.stances if s.stance == "warns-against-war" and s.holder == "reformists")
    assert s.holder.name == "Iranian reformists"
    assert s.target == "war-escalation"
    assert s.target.kind == "topic"
    assert s.target.name == "war-escalation"
    # An EntityId is its id: it compares, hashes, pickles and dumps as one.
    assert {s.holder: 1}["reformists"] == 1
    assert json.dumps(s.holder) == '"reformists"'
    assert pickle.loads(pickle.dumps(s.holder)) == "reformists"
    assert s.holder.id == "reformists" and type(s.holder.id) is str


def test_keyword_search_scores_and_snippet(index: dossier.Index) -> None:
    # Only passage 12 says "blood revenge".
    r = index.search('"blood revenge"')
    assert passages(r) == ids(12)
    hit = r.hits[0]
    assert hit.score is not None and hit.score > 0
    assert r.query.sort == "score"
    marked = [hit.snippet.text.encode()[h.start : h.end].decode() for h in hit.snippet.highlights]
    assert marked == ["blood", "revenge"]


def test_keyword_syntax(index: dossier.Index) -> None:
    # Stemming: "assassinate" finds "assassination" (passage 13 quote).
    assert "iran-intel-13" in passages(index.search("assassinate", limit=50))
    # -hijab: every passage but 15 (the only one that says hijab).
    assert index.search("-hijab", limit=50).total == 19
    assert index.search("hijab").total == 1


def test_filter_actor_str_and_list(index: dossier.Index) -> None:
    assert passages(index.search(actor="Khatib")) == ids(1, 2, 3)
    assert passages(index.search(actor="Esmail Khatib")) == ids(1, 2, 3)
    assert passages(index.search(actor=["Khatib", "Mossad"])) == ids(2)
    assert passages(index.search(actor=("Khatib",))) == ids(1, 2, 3)
    # Spellings: Dehghan = Dehqan (passage 8).
    assert passages(index.search(actor="Dehghan")) == ids(8)
    [res] = index.search(actor="Dehghan").query.actors
    assert res.matches[0].id == "hossein-dehqan"


def test_filter_stance(index: dossier.Index) -> None:
    assert passages(index.search(stance="calls-for-reckoning")) == ids(8, 11, 12, 13, 19, 20)
    assert passages(index.search(stance="calls-for-retaliation")) == ids(4, 12, 15)


def test_filter_holder(index: dossier.Index) -> None:
    assert passages(index.search(holder="Reformist Front")) == ids(13)
    r = index.search("security", holder="Reformist Front", stance="calls-for-reckoning")
    assert passages(r) == ids(13)
    assert r.query.holder is not None
    assert r.query.holder.matches[0].id == "iranian-reformist-front"
    assert r.query.holder.matches[0].matched_by == "alias"
    assert r.query.holder.matches[0].form == "Reformist Front"


def test_stance_filters_hold_on_one_annotation(index: dossier.Index) -> None:
    # Passage 12 has hardliners calling for retaliation and reformists
    # warning against war, but no hardliner warns against war.
    assert passages(index.search(holder="reformists", stance="warns-against-war")) == ids(12)
    assert index.search(holder="hardliners", stance="warns-against-war").total == 0


def test_filter_target(index: dossier.Index) -> None:
    assert passages(index.search(target="israel")) == ids(1, 4, 12, 13, 15)
    r = index.search(target="security-reckoning")
    assert passages(r) == ids(8, 11, 12, 13, 19, 20)
    assert r.query.target == "security-reckoning"
    actor_target = index.search(target="Mossad").query.target
    assert isinstance(actor_target, dossier.Resolution)
    assert actor_target.matches[0].id == "mossad"


def test_filter_polarity(index: dossier.Index) -> None:
    assert passages(index.search(polarity="favor")) == ids(8, 11, 12, 13, 19, 20)
    assert index.search(polarity="neutral").total == 0
    assert passages(index.search(holder="author", polarity="favor")) == ids(19, 20)


def test_filter_topic_str_and_list(index: dossier.Index) -> None:
    assert passages(index.search(topic="hijab-enforcement")) == ids(15)
    assert passages(index.search(topic="mojtahed-rule")) == ids(16, 17, 18)
    assert passages(index.search(topic=["mojtahed-rule", "haniyeh-assassination"])) == ids(17)


def test_filter_camp_str_and_list(index: dossier.Index) -> None:
    assert passages(index.search(camp="reformist")) == ids(12, 13)
    assert passages(index.search(camp="hardliner")) == ids(12, 19)
    assert passages(index.search(camp="centrist")) == ids(12, 17)
    assert passages(index.search(camp=["reformist", "centrist"])) == ids(12)


def test_filter_article(index: dossier.Index) -> None:
    assert index.search(article="iran-intel").total == 20


def test_filter_since_until(index: dossier.Index) -> None:
    assert passages(index.search(since="2018", until="2021")) == ids(1, 6, 8, 9, 10)
    assert passages(index.search(since=2022)) == ids(6)
    assert passages(index.search(until=1990)) == ids(16)
    assert passages(index.search(since=datetime.date(2021, 1, 1))) == ids(1, 6, 9)
    assert passages(index.search(until="2011-06")) == ids(10, 16)
    r = index.search(since=datetime.date(2021, 1, 1))
    assert r.query.since == "2021-01-01"


def test_limit_offset_sort(index: dossier.Index) -> None:
    everything = index.search(limit=1000)
    assert everything.total == 20 and len(everything) == 20
    assert passages(everything) == ids(*range(1, 21))
    page = index.search(limit=5, offset=5)
    assert passages(page) == ids(6, 7, 8, 9, 10)
    assert page.total == 20
    past = index.search(offset=25)
    assert past.total == 20 and len(past) == 0
    # "intelligence" by score, then by position.
    by_score = index.search("intelligence", limit=50, sort="score")
    by_position = index.search("intelligence", limit=50, sort="position")
    assert sorted(passages(by_score)) == passages(by_position)
    scores = [h.score for h in by_score.hits]
    assert scores == sorted(scores, reverse=True)
    assert by_position.query.sort == "position"
    assert index.search("intelligence", sort="auto").query.sort == "score"


# ---------------------------------------------------------------- facets


def test_facets_one_dimension(index: dossier.Index) -> None:
    f = index.facets("camp")
    assert f.by == ["camp"]
    assert f.total == 20
    assert [(c.value, c.name, c.count) for c in f] == [
        ("centrist", "centrist", 2),
        ("hardliner", "hardliner", 2),
        ("reformist", "reformist", 2),
    ]
    assert len(f) == 3


def test_facets_holder_by_stance(index: dossier.Index) -> None:
    f = index.facets(by=["holder", "stance"])
    counts = {c.value: c.count for c in f.counts}
    assert counts[("hardliners", "calls-for-retaliation")] == 1
    assert counts[("author", "admits-failure")] == 6  # 4, 5, 6, 7, 10, 20
    assert counts[("author", "calls-for-reckoning")] == 2  # 19, 20
    assert ("hardliners", "warns-against-war") not in counts
    names = {c.value: c.name for c in f.counts}
    assert names[("hardliners", "calls-for-retaliation")] == ("Iranian hardliners", "calls-for-retaliation")


def test_facets_with_query_and_filters(index: dossier.Index) -> None:
    f = index.facets("holder", stance="warns-against-war")
    assert f.total == 2  # passages 12 and 13
    assert {c.value: c.count for c in f} == {
        "reformists": 1,
        "centrists": 1,
        "iranian-reformist-front": 1,
        # holders of other stances in those passages count too
        "hardliners": 1,
    }
    topics = index.facets("topic", "hijab")
    assert topics.total == 1
    assert sorted(c.value for c in topics) == ["domestic-repression", "hijab-enforcement", "military-response"]


def test_facets_actor_stance_topic(index: dossier.Index) -> None:
    actors = {c.value: c.count for c in index.facets("actor")}
    assert actors["iran"] == 14
    assert actors["esmail-khatib"] == 3
    stances = {c.value: c.count for c in index.facets("stance")}
    assert stances["admits-failure"] == 10
    assert stances["claims-success"] == 2


# ---------------------------------------------------------------- timeline


def test_timeline_range(index: dossier.Index) -> None:
    t = index.timeline(since=2018, until=2021)
    assert [(e.date, e.passage) for e in t] == [
        ("2018", "iran-intel-06"),
        ("2018", "iran-intel-10"),
        ("2020", "iran-intel-06"),
        ("2020", "iran-intel-08"),
        ("2021", "iran-intel-01"),
        ("2021", "iran-intel-09"),
    ]
    first = t.events[0]
    assert first.what == "Israel stole Iran's nuclear archive"
    assert first.article == "iran-intel" and first.ordinal == 6
    assert first.actors == ["israel", "iran"]
    assert [a.name for a in first.actors] == ["Israel", "Iran"]


def test_timeline_all_and_yearless_last(index: dossier.Index) -> None:
    t = index.timeline()
    assert len(t) == 13
    assert [(e.date, e.passage) for e in t.events[-3:]] == [
        ("--07-24", "iran-intel-01"),
        ("--07-31", "iran-intel-03"),
        ("--07-31", "iran-intel-17"),
    ]
    assert t.events[0].date == "1984"
    # Names come from the registry when the passage is not at hand.
    assert t.events[0].actors[0].name == "Ministry of Intelligence of Iran"


def test_timeline_filters(index: dossier.Index) -> None:
    t = index.timeline(actor="Abbasi")
    assert [(e.date, e.passage) for e in t] == [("2011", "iran-intel-10"), ("2018", "iran-intel-10")]
    assert index.timeline("hijab").events == []
    assert t.query.actors[0].matches[0].id == "fereydon-abbasi"


# ---------------------------------------------------------------- passage, actors, stances


def test_passage(index: dossier.Index) -> None:
    hit = index.passage("iran-intel-12")
    assert hit.passage == "iran-intel-12"
    assert hit.score is None
    assert (hit.span.start, hit.span.end) == (3118, 3495)
    assert [s.holder for s in hit.stances] == ["hardliners", "reformists", "centrists", "reformists", "centrists"]
    assert hit.topics == ["factional-politics", "military-response", "war-escalation", "security-reckoning"]
    assert hit == index.passage("iran-intel-12")


def test_passage_events(index: dossier.Index) -> None:
    hit = index.passage("iran-intel-10")
    assert [(e.date, e.what[:33]) for e in hit.events] == [
        ("2011", "Fereydon Abbasi survived an attem"),
        ("2018", "Fereydon Abbasi, chairing the par"),
    ]
    assert hit.events[0].actors == ["fereydon-abbasi"]
    assert hit.events[0].actors[0].name == "Fereydon Abbasi"


def test_actors_registry(index: dossier.Index) -> None:
    actors = index.actors()
    assert len(actors) == 36
    by_id = {a.id: a for a in actors}
    assert by_id["iran"].passages == 14
    khatib = by_id["esmail-khatib"]
    assert khatib.name == "Esmail Khatib"
    assert khatib.passages == 3
    assert khatib.kind == "person"
    hardliners = by_id["hardliners"]
    assert hardliners.camp == "hardliner"
    assert hardliners.country == "IRN"
    assert hardliners.kind == "collective"
    assert hardliners.aliases == ["hardliners", "Iranian hardliners"]
    assert hardliners.description is not None and hardliners.description.startswith("Hardliners in the Iranian")
    assert by_id["mossad"].camp is None


def test_actors_resolve_a_name(index: dossier.Index) -> None:
    r = index.actors("Haniya")
    assert isinstance(r, dossier.Resolution)
    assert r.input == "Haniya"
    assert r.folded == "hania"
    [m] = r.matches
    assert (m.id, m.name, m.matched_by, m.form) == ("ismail-haniyeh", "Ismail Haniyeh", "alias", "Haniyeh")
    by_id = index.actors("mossad").matches[0]
    assert by_id.matched_by == "id" and by_id.form is None


def test_stances(index: dossier.Index) -> None:
    stances = index.stances()
    assert [s.id for s in stances] == [
        "claims-success",
        "admits-failure",
        "calls-for-reckoning",
        "calls-for-retaliation",
        "warns-against-war",
        "condemns",
        "disputes-account",
        "deflects-blame",
        "criticizes-repression",
        "calls-for-reform",
    ]
    counts = {s.id: s.passages for s in stances}
    assert counts["admits-failure"] == 10
    assert counts["calls-for-retaliation"] == 3
    assert counts["calls-for-reform"] == 2  # 16, 17
    assert stances[0].parent is None
    assert stances[0].description.startswith("Asserts that a threat was defeated")


# ---------------------------------------------------------------- check


def test_check_a_valid_corpus(corpus_dir: Path) -> None:
    report = dossier.check(corpus_dir)
    assert report.ok and bool(report)
    assert (report.articles, report.passages, report.actors, report.stances) == (1, 20, 36, 10)
    assert (report.stance_annotations, report.topics, report.events) == (40, 13, 13)
    assert report.errors == [] and report.warnings == [] and report.diagnostics == []
    assert dossier.check().passages == 20  # the built-in corpus


def test_check_an_invalid_corpus_lists_every_error(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    toml = corpus / "articles" / "iran-intel" / "article.toml"
    lines = toml.read_text(encoding="utf-8").split("\n")
    # Break passage 01's polarity and passage 02's stance.
    polarity_line = lines.index('polarity = "against"')
    lines[polarity_line] = 'polarity = "sideways"'
    stance_line = lines.index('stance = "claims-success"', polarity_line + 1)
    lines[stance_line] = 'stance = "gloats"'
    toml.write_text("\n".join(lines), encoding="utf-8")

    report = dossier.check(corpus)
    assert not report.ok and not report
    assert report.passages is None
    assert [(d.file, d.line, d.passage, d.message) for d in report.errors] == [
        (
            "articles/iran-intel/article.toml",
            polarity_line + 1,
            "iran-intel-01",
            "unknown polarity `sideways`; valid values: favor, against, neutral",
        ),
        ("articles/iran-intel/article.toml", stance_line + 1, "iran-intel-02", "unknown stance id `gloats`"),
    ]
    assert report.errors[0].column is not None
    assert str(report.errors[1]).startswith(f"articles/iran-intel/article.toml:{stance_line + 1}:")
    assert report.to_dict()["errors"][1]["message"] == "unknown stance id `gloats`"


def test_the_module_docstring_example_runs() -> None:
    import doctest

    failures, tried = doctest.testmod(dossier, raise_on_error=False, verbose=False)
    assert tried >= 3 and failures == 0
