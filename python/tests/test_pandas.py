"""`Results.to_pandas()` and `Facets.to_pandas()` (pandas is optional)."""

from __future__ import annotations

import pytest

import dossier

pd = pytest.importorskip("pandas")


def test_results_to_pandas_has_one_row_per_hit(index: dossier.Index) -> None:
    df = index.search(actor="Khatib").to_pandas()
    assert list(df["passage"]) == ["iran-intel-01", "iran-intel-02", "iran-intel-03"]
    assert list(df["ordinal"]) == [1, 2, 3]
    assert list(df["start"]) == [0, 306, 425]
    assert list(df["end"]) == [305, 424, 789]
    assert df["score"].isna().all()
    row = df.iloc[1]
    assert row["actors"] == ["esmail-khatib", "mossad"]
    assert row["actor_names"] == ["Esmail Khatib", "Mossad"]
    assert row["topics"] == ["israeli-covert-operations"]
    assert row["stances"] == ["claims-success"]
    assert row["holders"] == ["esmail-khatib"]
    assert row["targets"] == ["mossad"]
    assert row["polarities"] == ["against"]
    assert row["voices"] == ["reported"]
    assert row["quotes"] == ["Mossad’s network and its accesses and capabilities have been destroyed"]
    assert row["text"].endswith("Mr Khatib said.")
    first = df.iloc[0]
    assert first["event_dates"] == ["2021", "--07-24"]
    assert first["events"][0] == "Esmail Khatib's tenure as Iran's intelligence minister began"


def test_exploding_the_stance_columns_gives_one_row_per_annotation(index: dossier.Index) -> None:
    df = index.search(holder="reformists").to_pandas()
    assert list(df["passage"]) == ["iran-intel-12"]
    cols = ["stances", "holders", "targets", "polarities", "quotes", "voices"]
    rows = df.explode(cols)
    assert list(zip(rows["holders"], rows["stances"], rows["targets"])) == [
        ("hardliners", "calls-for-retaliation", "israel"),
        ("reformists", "warns-against-war", "war-escalation"),
        ("centrists", "warns-against-war", "war-escalation"),
        ("reformists", "calls-for-reckoning", "security-reckoning"),
        ("centrists", "calls-for-reckoning", "security-reckoning"),
    ]


def test_scores_and_an_empty_frame(index: dossier.Index) -> None:
    df = index.search('"blood revenge"').to_pandas()
    assert len(df) == 1 and df["score"].iloc[0] > 0
    empty = index.search(polarity="neutral").to_pandas()
    assert len(empty) == 0
    assert "holders" in empty.columns and "passage" in empty.columns


def test_facets_to_pandas(index: dossier.Index) -> None:
    df = index.facets(["holder", "stance"]).to_pandas()
    assert list(df.columns) == ["holder", "holder_name", "stance", "stance_name", "count"]
    row = df[(df["holder"] == "hardliners") & (df["stance"] == "calls-for-retaliation")]
    assert list(row["count"]) == [1]
    assert list(row["holder_name"]) == ["Iranian hardliners"]
    camps = index.facets("camp").to_pandas()
    assert dict(zip(camps["camp"], camps["count"])) == {"centrist": 2, "hardliner": 2, "reformist": 2}
