"""What a term query costs through Python, against the same call in Rust.

    python python/bench.py [--passages 100000] [--iterations 300] [--rounds 5]

Makes a corpus of copies of the bundled article (cached in --work), builds
its index, and then, in rounds that alternate the two, times each term
query call by call:

* Rust: `Index::search(&Query::text(term))` in `python/examples/bench.rs`
  (built here with cargo), on the same index folder;
* Python: `index.search(term)`, whose `Results` keep the answer in Rust
  until it is read; the same call followed by reading every hit's passage
  id and score; and the same call followed by `to_dict()`, which converts
  all of it (annotations included) into Python objects.

Each call is timed on its own (`perf_counter_ns` around the call only), so
Python's own loop does not count. Medians over all rounds are reported,
with the ratio Python / Rust. Needs the `dossier` package installed
(`pip install ./python`, or `maturin develop --release`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# This folder holds the package's sources without the compiled module: the
# installed package must be the one imported (unless `maturin develop` put
# the module here).
if not list((HERE / "dossier").glob("_native*.so")):
    sys.path = [p for p in sys.path if Path(p or ".").resolve() != HERE]
import dossier  # noqa: E402
sys.path.insert(0, str(HERE / "tests"))
from corpora import replicate_corpus  # noqa: E402

TERMS = ["security", "intelligence", "hijab", "revenge"]


def rust_bench_binary() -> Path:
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "-p", "dossier-python", "--example", "bench"],
        cwd=REPO,
        check=True,
    )
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return target / "release" / "examples" / "bench"


MODES = {
    # The call alone: the results stay in Rust until read.
    "search": lambda search, term: search(term),
    # The call, then every hit's passage id and score.
    "read": lambda search, term: [(h.passage, h.score) for h in search(term).hits],
    # The call, then everything converted to Python objects.
    "to_dict": lambda search, term: search(term).to_dict(),
}


def python_samples(index: dossier.Index, term: str, iterations: int, mode: str) -> list[int]:
    call = MODES[mode]
    search = index.search
    for _ in range(min(iterations, 50)):  # warm-up, as in bench.rs
        call(search, term)
    samples = []
    clock = time.perf_counter_ns
    for _ in range(iterations):
        t0 = clock()
        result = call(search, term)
        samples.append(clock() - t0)
        del result
    return samples


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--passages", type=int, default=100_000, help="corpus size (a multiple of 20)")
    p.add_argument("--iterations", type=int, default=300, help="calls per term per round")
    p.add_argument("--rounds", type=int, default=5, help="alternating Rust/Python rounds")
    p.add_argument("--work", type=Path, default=REPO / "target" / "python-bench", help="corpus and index folder")
    p.add_argument("--terms", nargs="+", default=TERMS)
    p.add_argument("--report", type=Path, help="also write the table as Markdown to this file (python/BENCHMARKS.md)")
    args = p.parse_args()

    copies = max(1, args.passages // 20)
    corpus = args.work / f"corpus-{copies}"
    if not corpus.is_dir():
        print(f"making a corpus of {copies} copies of the bundled article ...", file=sys.stderr)
        replicate_corpus(corpus.with_suffix(".tmp"), copies)
        corpus.with_suffix(".tmp").rename(corpus)
    index_dir = args.work / f"index-{copies}"
    t0 = time.perf_counter()
    index = dossier.open(corpus=corpus, index=index_dir)
    print(f"index: {index.freshness['status']} in {time.perf_counter() - t0:.1f} s, {index.stats}", file=sys.stderr)
    totals = {t: index.search(t).total for t in args.terms}

    binary = rust_bench_binary()
    rust: dict[str, list[int]] = {t: [] for t in args.terms}
    py: dict[str, dict[str, list[int]]] = {m: {t: [] for t in args.terms} for m in MODES}
    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds}", file=sys.stderr)
        out = subprocess.run(
            [str(binary), str(index_dir), str(args.iterations), *args.terms],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for term, samples in json.loads(out).items():
            rust[term] += samples
        for term in args.terms:
            for mode in MODES:
                py[mode][term] += python_samples(index, term, args.iterations, mode)

    def us(samples: list[int]) -> float:
        return statistics.median(samples) / 1000

    lines = [
        f"{index.stats['passages']:,} passages; {args.rounds} rounds × {args.iterations} calls per term; "
        f"Python {platform.python_version()}, limit 10 (the default). Medians; ratios are Python ÷ Rust "
        "from the same run.",
        "",
        "| term | matches | Rust `Index::search` | Python `index.search` | ratio "
        "| + read each hit's id and score | ratio | + `to_dict()` of everything | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in args.terms:
        r = us(rust[t])
        cells = " | ".join(f"{us(py[m][t]):.1f} µs | {us(py[m][t]) / r:.2f}×" for m in MODES)
        lines.append(f"| `{t}` | {totals[t]:,} | {r:.1f} µs | {cells} |")
    worst = max(us(py[m][t]) / us(rust[t]) for m in ("search", "read") for t in args.terms)
    lines += ["", f"Worst ratio of the term query, with its hits read: {worst:.2f}× (target: at most 1.3×)."]
    print()
    print("\n".join(lines))
    if args.report:
        command = " ".join(["python", "python/bench.py", *sys.argv[1:]])
        header = [
            "# Python binding: what a search costs through Python",
            "",
            "Generated by `python/bench.py`; do not edit by hand.",
            "",
            f"- Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
            f"- Reproduce: `pip install ./python && {command}`",
            "- Each call is timed alone; Rust runs `Index::search` in `python/examples/bench.rs` on the same "
            "index, in rounds that alternate with Python's.",
            "",
        ]
        args.report.write_text("\n".join(header + lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
