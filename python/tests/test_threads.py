"""Thread safety, and the GIL released while searching and building.

Whether the GIL is held is measured, not assumed: while a thread-pool worker
runs one long native call, the main thread spins and records the longest
time it went without running. If the call held the GIL, the main thread
would stall for the whole call; released, it never stalls for more than a
few switch intervals.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import dossier
from conftest import BIG_COPIES


def longest_stall(call: Callable[[], Any]) -> tuple[float, float, Any]:
    """Runs `call` on a pool thread while this thread spins, noting the time
    of each of its turns; returns (the call's duration, the longest time
    within the call when this thread did not run, the call's result)."""
    timing: dict[str, float] = {}

    def work() -> Any:
        timing["start"] = time.perf_counter()
        try:
            return call()
        finally:
            timing["end"] = time.perf_counter()

    ticks: list[float] = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        future: Future[Any] = pool.submit(work)
        while not future.done():
            ticks.append(time.perf_counter())
        result = future.result()
    start, end = timing["start"], timing["end"]
    points = [start] + [t for t in ticks if start < t < end] + [end]
    stall = max(b - a for a, b in zip(points, points[1:]))
    return end - start, stall, result


def test_the_gil_is_released_while_building(big_corpus: Path, tmp_path: Path) -> None:
    duration, stall, index = longest_stall(lambda: dossier.open(corpus=big_corpus, index=tmp_path / "ix"))
    assert index.stats == {"articles": BIG_COPIES, "passages": BIG_COPIES * 20}
    assert duration > 0.3, f"the build took {duration:.3f} s: too short to tell"
    assert stall < duration / 3, f"the main thread stalled {stall:.3f} s of a {duration:.3f} s build"


def test_the_gil_is_released_while_searching(big_corpus: Path, tmp_path: Path) -> None:
    index = dossier.open(corpus=big_corpus, index=tmp_path / "ix")
    # The timeline of every passage reads all the stored documents: one
    # long native call. (Searches are the same code path: `run` in lib.rs.)
    duration, stall, timeline = longest_stall(lambda: index.timeline())
    assert len(timeline) == BIG_COPIES * 13
    assert duration > 0.05, f"the call took {duration:.3f} s: too short to tell"
    assert stall < duration / 3, f"the main thread stalled {stall:.3f} s of a {duration:.3f} s call"
    duration, stall, results = longest_stall(lambda: index.search("intelligence OR security", limit=1000))
    assert len(results) == 1000
    assert stall < max(duration / 3, 0.02), f"the main thread stalled {stall:.3f} s of a {duration:.3f} s search"


def test_a_thread_pool_gets_the_same_answers(index: dossier.Index) -> None:
    calls: list[Callable[[], Any]] = [
        lambda: index.search(actor="Khatib").to_dict(),
        lambda: index.search("security", holder="Reformist Front").to_dict(),
        lambda: index.search('"blood revenge" OR retaliation', limit=50).to_dict(),
        lambda: index.search(camp=["reformist", "centrist"]).to_dict(),
        lambda: index.facets(["holder", "stance"]).to_dict(),
        lambda: index.timeline(since=2018).to_dict(),
        lambda: index.passage("iran-intel-12").to_dict(),
        lambda: [a.to_dict() for a in index.actors()],
        lambda: index.actors("Haniya").to_dict(),
        lambda: [s.to_dict() for s in index.stances()],
        lambda: [s.holder.name for h in index.search(limit=20) for s in h.stances],
    ]
    expected = [call() for call in calls]

    def failing() -> str:
        try:
            index.search(actor="Zarif")
        except dossier.UnknownLabelError as e:
            return e.value
        return "no error"

    jobs = [(i % len(calls)) for i in range(400)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda i: calls[i](), jobs))
        errors = list(pool.map(lambda _: failing(), range(50)))
    for i, answer in zip(jobs, answers):
        assert answer == expected[i]
    assert errors == ["Zarif"] * 50


def test_threads_open_the_same_index_concurrently(corpus_dir: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    with ThreadPoolExecutor(max_workers=4) as pool:
        indexes = list(pool.map(lambda _: dossier.open(corpus=corpus_dir, index=ix), range(8)))
    # One build (the others waited on its lock, then found it fresh).
    assert len({i.path for i in indexes}) == 1
    assert sum(i.freshness["status"] == "built" for i in indexes) == 1
    assert all(i.search(actor="Khatib").total == 3 for i in indexes)
