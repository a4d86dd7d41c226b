"""Every exception type, with the fields it promises."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest

import dossier
from dossier import _native

from corpora import copy_corpus


def test_hierarchy() -> None:
    for cls in (dossier.QueryError, dossier.UnknownLabelError, dossier.CorpusError, dossier.IndexError):
        assert issubclass(cls, dossier.Error)
    assert issubclass(dossier.Error, Exception)
    assert issubclass(dossier.QueryError, ValueError)
    assert issubclass(dossier.UnknownLabelError, LookupError)
    # dossier.IndexError is about the search index, not a sequence index.
    assert dossier.IndexError is not builtins.IndexError
    assert not issubclass(dossier.IndexError, builtins.IndexError)
    assert dossier.DossierIndexError is dossier.IndexError
    # `from dossier import *` must not shadow the builtin IndexError.
    assert "IndexError" not in dossier.__all__
    assert "DossierIndexError" in dossier.__all__
    namespace: dict[str, object] = {}
    exec("from dossier import *", namespace)
    assert "IndexError" not in namespace


# ---------------------------------------------------------------- QueryError


def test_query_syntax_error_has_the_position(index: dossier.Index) -> None:
    with pytest.raises(dossier.QueryError) as e:
        index.search("(security")
    assert e.value.position == 0
    assert str(e.value) == "bad query at character 0: this parenthesis is never closed"
    with pytest.raises(dossier.QueryError) as e:
        index.search("security AND (iran")
    assert e.value.position == 13


def test_query_errors_in_facets_and_timeline(index: dossier.Index) -> None:
    with pytest.raises(dossier.QueryError):
        index.facets("camp", "(security")
    with pytest.raises(dossier.QueryError):
        index.timeline("(security")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"limit": 0}, "limit must be between 1 and 1000, not 0"),
        ({"limit": 1001}, "limit must be between 1 and 1000, not 1001"),
        ({"limit": -1}, "limit must not be negative, not -1"),
        ({"offset": -1}, "offset must not be negative, not -1"),
        ({"offset": 100_001}, "offset must be at most 100000, not 100001"),
        ({"since": "2021", "until": "2018"}, "--since 2021 is after --until 2018"),
    ],
)
def test_out_of_range_arguments_are_query_errors(index: dossier.Index, kwargs: dict, message: str) -> None:
    with pytest.raises(dossier.QueryError) as e:
        index.search(**kwargs)
    assert e.value.position is None
    assert str(e.value) == message


def test_bad_date_is_a_query_error(index: dossier.Index) -> None:
    with pytest.raises(dossier.QueryError) as e:
        index.search(since="2020-13")
    assert e.value.position is None
    assert "--since" in str(e.value)


# ---------------------------------------------------------------- UnknownLabelError


def test_unknown_actor_has_suggestions(index: dossier.Index) -> None:
    with pytest.raises(dossier.UnknownLabelError) as e:
        index.search(actor="Zarif")
    err = e.value
    assert (err.kind, err.value) == ("actor", "Zarif")
    assert err.suggestions == ["Alireza Zakani", "Parliament of Iran", "Iranian hardliners"]
    assert err.valid is None
    assert str(err) == "unknown actor `Zarif`; did you mean Alireza Zakani, Parliament of Iran, Iranian hardliners?"
    for call in (lambda: index.actors("Zarif"), lambda: index.search(holder="Zarif")):
        with pytest.raises(dossier.UnknownLabelError) as e:
            call()
        assert e.value.suggestions == ["Alireza Zakani", "Parliament of Iran", "Iranian hardliners"]


@pytest.mark.parametrize(
    "kwargs, kind, valid",
    [
        ({"polarity": "sideways"}, "polarity", ["favor", "against", "neutral"]),
        ({"camp": "moderate"}, "camp", ["hardliner", "reformist", "centrist"]),
        ({"sort": "random"}, "sort", ["auto", "score", "position"]),
    ],
)
def test_unknown_closed_labels_list_the_valid_values(index: dossier.Index, kwargs: dict, kind: str, valid: list) -> None:
    with pytest.raises(dossier.UnknownLabelError) as e:
        index.search(**kwargs)
    assert e.value.kind == kind
    assert e.value.value == next(iter(kwargs.values()))
    assert e.value.valid == valid
    assert e.value.suggestions == valid


def test_unknown_stance_and_topic(index: dossier.Index) -> None:
    with pytest.raises(dossier.UnknownLabelError) as e:
        index.search(stance="gloats")
    assert e.value.kind == "stance"
    assert e.value.valid is not None and "claims-success" in e.value.valid and len(e.value.valid) == 10
    with pytest.raises(dossier.UnknownLabelError) as e:
        index.search(topic="weather")
    assert e.value.kind == "topic"
    assert e.value.valid is not None and "hijab-enforcement" in e.value.valid and len(e.value.valid) == 13


def test_unknown_facet_dimension(index: dossier.Index) -> None:
    with pytest.raises(dossier.UnknownLabelError) as e:
        index.facets(["holder", "colour"])  # type: ignore[list-item]
    assert e.value.kind == "facet dimension"
    assert e.value.valid == ["actor", "stance", "holder", "topic", "camp"]
    with pytest.raises(dossier.QueryError):
        index.facets(["holder", "holder"])


def test_unknown_article_and_passage(index: dossier.Index) -> None:
    with pytest.raises(dossier.UnknownLabelError) as e:
        index.search(article="iran-intell")
    assert e.value.kind == "article"
    assert e.value.suggestions == ["iran-intel"]
    with pytest.raises(dossier.UnknownLabelError) as e:
        index.passage("iran-intel-99")
    assert e.value.kind == "passage"
    assert e.value.value == "iran-intel-99"
    assert len(e.value.suggestions) == 3
    assert all(s.startswith("iran-intel-") for s in e.value.suggestions)
    # A LookupError too.
    with pytest.raises(LookupError):
        index.passage("nope")


# ---------------------------------------------------------------- CorpusError


def test_an_invalid_corpus_raises_corpus_error_with_diagnostics(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    toml = corpus / "articles" / "iran-intel" / "article.toml"
    lines = toml.read_text(encoding="utf-8").split("\n")
    n = lines.index('voice = "reported"')  # passage 01's stance
    lines[n] = 'voice = "whispered"'
    toml.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(dossier.CorpusError) as e:
        dossier.open(corpus=corpus, index=tmp_path / "ix")
    [d] = e.value.diagnostics
    assert d.file == "articles/iran-intel/article.toml"
    assert d.line == n + 1
    assert d.passage == "iran-intel-01"
    assert d.message == "unknown voice `whispered`; valid values: author, reported"
    assert str(e.value).startswith("the corpus has 1 error")
    # Nothing was published.
    assert not (tmp_path / "ix").exists() or not any(p.name.startswith("gen-") for p in (tmp_path / "ix").iterdir())


def test_a_broken_registry_is_a_corpus_error(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    (corpus / "topics.toml").write_text("[[topics]]\nid = 3\n", encoding="utf-8")
    with pytest.raises(dossier.CorpusError) as e:
        dossier.open(corpus=corpus, index=tmp_path / "ix")
    assert e.value.diagnostics
    assert all(d.file == "topics.toml" for d in e.value.diagnostics)
    report = dossier.check(corpus)
    assert not report.ok
    assert [d.file for d in report.errors] == [d.file for d in e.value.diagnostics]


# ---------------------------------------------------------------- IndexError


def test_index_error_for_a_foreign_folder(corpus_dir: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own file", encoding="utf-8")
    with pytest.raises(dossier.IndexError) as e:
        dossier.open(corpus=corpus_dir, index=mine)
    assert e.value.reason == "foreign"
    assert e.value.path == str(mine)
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "my own file"
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def test_index_error_for_a_damaged_index(corpus_dir: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    built = dossier.open(corpus=corpus_dir, index=ix)
    generation = Path(built.path)
    del built
    # Truncate the biggest document store: the manifest records every size.
    victim = max(generation.glob("*.store"), key=lambda p: p.stat().st_size)
    victim.write_bytes(b"")
    # --no-refresh reports a damaged index instead of rebuilding it ...
    with pytest.raises(dossier.IndexError) as e:
        dossier.open(corpus=corpus_dir, index=ix, refresh=False)
    assert e.value.reason == "damaged"
    assert "unusable" in str(e.value)
    # ... and so does opening it without its corpus, with or without a
    # refresh: it is not rebuilt from the built-in corpus.
    for refresh in (True, False):
        with pytest.raises(dossier.IndexError) as e:
            dossier.open(index=ix, refresh=refresh)
        assert e.value.reason == "damaged"
    assert victim.stat().st_size == 0
    # With the corpus and a refresh, it is rebuilt.
    rebuilt = dossier.open(corpus=corpus_dir, index=ix)
    assert rebuilt.freshness["status"] == "built"
    assert rebuilt.search().total == 20


# ---------------------------------------------------------------- Error


def test_a_missing_corpus_folder_is_an_error_with_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-corpus"
    for call in (lambda: dossier.open(corpus=missing, index=tmp_path / "ix"), lambda: dossier.check(missing)):
        with pytest.raises(dossier.Error) as e:
            call()
        assert type(e.value) is dossier.Error
        assert e.value.path == str(missing)
        assert "no such corpus directory" in str(e.value)


def test_a_rust_panic_becomes_dossier_error() -> None:
    with pytest.raises(dossier.Error) as e:
        _native._panic_for_tests("kaboom")
    assert type(e.value) is dossier.Error
    assert "kaboom" in str(e.value)
    assert "internal error" in str(e.value)


def test_wrong_argument_types_are_type_errors(index: dossier.Index) -> None:
    with pytest.raises(TypeError):
        index.search(actor=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        index.search(actor=["Khatib", 3])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        index.search(limit="10")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        index.search(limit=True)
    with pytest.raises(TypeError):
        index.search(holder=["a", "b"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        index.search(b"security")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        index.passage(12)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        dossier.open(corpus=12)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        index.facets(3)  # type: ignore[arg-type]


def test_errors_do_not_leave_the_index_unusable(index: dossier.Index) -> None:
    for _ in range(3):
        with pytest.raises(dossier.Error):
            index.search("(")
    assert index.search(actor="Khatib").total == 3

