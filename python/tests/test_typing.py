"""The package is typed (py.typed, annotations, the `_native.pyi` stub):
mypy --strict accepts correct use of the installed package and rejects
wrong use. Skipped when mypy is not installed (python/ci.sh installs it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")

GOOD = '''
import dossier

index: dossier.Index = dossier.open()
results: dossier.Results = index.search("security", actor=["Khatib"], since=2018, limit=5, sort="position")
total: int = results.total
for hit in results:
    score: float | None = hit.score
    name: str = hit.stances[0].holder.name
    kind: str = hit.stances[0].target.kind
    start: int = hit.span.start
facets: dossier.Facets = index.facets(["holder", "stance"], polarity="favor")
value = facets.counts[0].value
timeline: dossier.Timeline = index.timeline(until="2021")
actors: list[dossier.Actor] = index.actors()
resolution: dossier.Resolution = index.actors("Haniya")
report: dossier.Report = dossier.check()
ok: bool = report.ok
try:
    index.passage("x")
except dossier.UnknownLabelError as e:
    suggestions: list[str] = e.suggestions
except dossier.QueryError as e:
    position: int | None = e.position
except dossier.CorpusError as e:
    line: int | None = e.diagnostics[0].line
except dossier.IndexError as e:
    reason: str = e.reason
'''

BAD = '''
import dossier

index = dossier.open()
index.search(limit="10")
index.search(sort="random")
index.facets(["colour"])
name: int = index.search().hits[0].passage
'''


def mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    sample = tmp_path / "sample.py"
    sample.write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-version", "3.10", str(sample)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )


def test_mypy_accepts_correct_use(tmp_path: Path) -> None:
    proc = mypy(tmp_path, GOOD)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_rejects_wrong_use(tmp_path: Path) -> None:
    proc = mypy(tmp_path, BAD)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["5", "6", "7", "8"], proc.stdout
