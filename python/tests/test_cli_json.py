"""`to_dict()` equals the CLI's `--format json` for the same call, and an
index built by the CLI opens from Python.

The CLI is target/release/dossier at the repository root (or $DOSSIER_BIN).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest

import dossier

from conftest import dossier_bin
from corpora import copy_corpus

Cli = Callable[..., Any]


@pytest.mark.parametrize(
    "py_kwargs, cli_args",
    [
        ({}, []),
        ({"query": "security"}, ["security"]),
        ({"query": '"blood revenge" OR retaliation', "limit": 3}, ['"blood revenge" OR retaliation', "--limit", "3"]),
        ({"actor": "Khatib"}, ["--actor", "Khatib"]),
        ({"actor": ["Khatib", "Mossad"]}, ["--actor", "Khatib", "--actor", "Mossad"]),
        ({"actor": "Ali"}, ["--actor", "Ali"]),  # ambiguous: several actors
        (
            {"query": "security", "holder": "Reformist Front", "stance": "calls-for-reckoning"},
            ["security", "--holder", "Reformist Front", "--stance", "calls-for-reckoning"],
        ),
        ({"target": "israel", "polarity": "against"}, ["--target", "israel", "--polarity", "against"]),
        ({"target": "security-reckoning"}, ["--target", "security-reckoning"]),
        ({"topic": ["mojtahed-rule", "haniyeh-assassination"]}, ["--topic", "mojtahed-rule", "--topic", "haniyeh-assassination"]),
        ({"camp": "reformist"}, ["--camp", "reformist"]),
        ({"article": "iran-intel", "limit": 20}, ["--article", "iran-intel", "--limit", "20"]),
        ({"since": "2018", "until": "2021"}, ["--since", "2018", "--until", "2021"]),
        ({"query": "intelligence", "sort": "position", "offset": 2, "limit": 4}, ["intelligence", "--sort", "position", "--offset", "2", "--limit", "4"]),
        ({"sort": "score"}, ["--sort", "score"]),
        ({"holder": "hardliners", "stance": "warns-against-war"}, ["--holder", "hardliners", "--stance", "warns-against-war"]),
        ({"offset": 30}, ["--offset", "30"]),
        ({"query": "-hijab", "limit": 100}, ["--limit", "100", "--", "-hijab"]),
    ],
)
def test_search_to_dict_equals_cli_json(index: dossier.Index, cli: Cli, py_kwargs: dict, cli_args: list) -> None:
    results = index.search(**py_kwargs)
    expected = cli("search", *cli_args)
    assert results.to_dict() == expected
    assert [h.to_dict() for h in results.hits] == expected["hits"]
    assert results.query.to_dict() == expected["query"]
    # The getters that read a hit without converting it agree with the JSON
    # (the score too: the f32 as the JSON prints it).
    fields = ("article", "passage", "ordinal", "score", "text")
    assert [tuple(getattr(h, f) for f in fields) for h in results.hits] == [
        tuple(d[f] for f in fields) for d in expected["hits"]
    ]
    assert results.total == expected["total"] and len(results) == len(expected["hits"])


@pytest.mark.parametrize(
    "by, py_kwargs, cli_args",
    [
        (["camp"], {}, []),
        (["holder", "stance"], {}, []),
        (["stance", "holder"], {}, []),
        (["actor"], {"query": "security"}, ["security"]),
        (["topic", "camp"], {"stance": "calls-for-reckoning"}, ["--stance", "calls-for-reckoning"]),
        (["holder"], {"polarity": "favor", "since": "2020"}, ["--polarity", "favor", "--since", "2020"]),
    ],
)
def test_facets_to_dict_equals_cli_json(index: dossier.Index, cli: Cli, by: list, py_kwargs: dict, cli_args: list) -> None:
    by_args = [a for d in by for a in ("--by", d)]
    expected = cli("facets", *by_args, *cli_args)
    facets = index.facets(by, **py_kwargs)
    assert facets.to_dict() == expected
    assert [c.to_dict() for c in facets.counts] == expected["counts"]


@pytest.mark.parametrize(
    "py_kwargs, cli_args",
    [
        ({}, []),
        ({"since": 2018, "until": 2021}, ["--since", "2018", "--until", "2021"]),
        ({"actor": "Abbasi"}, ["--actor", "Abbasi"]),
        ({"query": "nuclear"}, ["nuclear"]),
    ],
)
def test_timeline_to_dict_equals_cli_json(index: dossier.Index, cli: Cli, py_kwargs: dict, cli_args: list) -> None:
    timeline = index.timeline(**py_kwargs)
    expected = cli("timeline", *cli_args)
    assert timeline.to_dict() == expected
    assert [e.to_dict() for e in timeline.events] == expected["events"]


@pytest.mark.parametrize("passage", ["iran-intel-01", "iran-intel-12", "iran-intel-19"])
def test_passage_to_dict_equals_cli_show(index: dossier.Index, cli: Cli, passage: str) -> None:
    hit = index.passage(passage)
    expected = cli("show", passage)
    assert hit.to_dict() == expected
    assert [s.to_dict() for s in hit.stances] == expected["stances"]
    assert [e.to_dict() for e in hit.events] == expected["events"]
    assert hit.span.to_dict() == expected["span"]


def test_actors_and_stances_equal_cli_json(index: dossier.Index, cli: Cli) -> None:
    assert [a.to_dict() for a in index.actors()] == cli("actors")
    assert [s.to_dict() for s in index.stances()] == cli("stances")
    for name in ("Haniya", "Khatib", "Ali", "mossad"):
        assert index.actors(name).to_dict() == cli("actors", name)


def test_check_to_dict_equals_cli_json(corpus_dir: Path, cli: Cli) -> None:
    d = dossier.check(corpus_dir).to_dict()
    assert d.pop("errors") == []
    assert d == cli("check")


def test_to_dict_returns_a_copy(index: dossier.Index) -> None:
    r = index.search(actor="Khatib")
    d = r.to_dict()
    d["hits"].clear()
    h = r.hits[0].to_dict()
    h["stances"].clear()
    assert len(r.to_dict()["hits"]) == 3
    assert r.hits[0].to_dict()["stances"] != []
    assert len(r.hits[0].stances) == 1


def test_error_messages_equal_the_cli(index: dossier.Index, corpus_dir: Path, index_dir: Path) -> None:
    binary = dossier_bin()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    cases = [
        (lambda: index.search(actor="Zarif"), ["search", "--actor", "Zarif"]),
        (lambda: index.search("(security"), ["search", "(security"]),
        (lambda: index.passage("iran-intel-99"), ["show", "iran-intel-99"]),
        (lambda: index.search(stance="gloats"), ["search", "--stance", "gloats"]),
    ]
    for call, args in cases:
        with pytest.raises(dossier.Error) as e:
            call()
        proc = subprocess.run(
            [str(binary), "--corpus", str(corpus_dir), "--index", str(index_dir), *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert proc.returncode == 2
        assert proc.stderr.strip() == f"dossier: {e.value}"


# ---------------------------------------------------------------- an index built by the CLI


def test_open_an_index_built_by_the_cli(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    ix = tmp_path / "cli-index"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    proc = subprocess.run(
        [str(dossier_bin()), "--corpus", str(corpus), "--index", str(ix), "index"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "20 passages" in proc.stdout + proc.stderr
    generations = sorted(p.name for p in ix.iterdir() if p.name.startswith("gen-"))
    assert len(generations) == 1

    # With its corpus: the CLI's index is fresh and reused, not rebuilt.
    with_corpus = dossier.open(corpus=corpus, index=ix)
    assert with_corpus.freshness == {"status": "reused"}
    assert Path(with_corpus.path).name == generations[0]
    assert [h.passage for h in with_corpus.search(actor="Khatib")] == ["iran-intel-01", "iran-intel-02", "iran-intel-03"]

    # Without it (a prebuilt index shipped alone), and with --no-refresh.
    alone = dossier.open(index=ix)
    assert Path(alone.path).name == generations[0]
    assert alone.search(holder="reformists", stance="warns-against-war").hits[0].passage == "iran-intel-12"
    assert alone.stats == {"articles": 1, "passages": 20}
    no_refresh = dossier.open(corpus=corpus, index=ix, refresh=False)
    assert Path(no_refresh.path).name == generations[0]

    # Python and the CLI answer alike from it.
    cli_json = subprocess.run(
        [str(dossier_bin()), "--corpus", str(corpus), "--index", str(ix), "search", "security", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert alone.search("security").to_dict() == json.loads(cli_json)
    assert sorted(p.name for p in ix.iterdir() if p.name.startswith("gen-")) == generations
