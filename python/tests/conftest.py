"""Shared fixtures: corpus copies, indexes, and the CLI binary.

The oracles in these tests are written by hand from the bundled annotations
(corpus/articles/iran-intel/article.toml) and the registries, never computed
by the code under test. The CLI is the reference for JSON equality only.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest

import dossier
from corpora import REPO, copy_corpus, replicate_corpus


def dossier_bin() -> Path:
    """The CLI: $DOSSIER_BIN, else <repo>/target/release/dossier."""
    env = os.environ.get("DOSSIER_BIN")
    path = Path(env) if env else REPO / "target" / "release" / "dossier"
    if not path.is_file():
        pytest.fail(
            f"the dossier CLI is not at {path}: run `cargo build --release` at the "
            "repository root, or set DOSSIER_BIN to the binary"
        )
    return path


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """`dossier.open()` with no index uses the user cache: keep it in a temp dir."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the bundled corpus (tests never touch the repo's)."""
    return copy_corpus(tmp_path_factory.mktemp("corpus") / "corpus")


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("index") / "index"


@pytest.fixture(scope="session")
def index(corpus_dir: Path, index_dir: Path) -> dossier.Index:
    return dossier.open(corpus=corpus_dir, index=index_dir)


@pytest.fixture(scope="session")
def cli(corpus_dir: Path, index_dir: Path, index: dossier.Index) -> Callable[..., Any]:
    """Runs `dossier --corpus C --index I COMMAND --format json ARGS` on the
    same corpus and index as the `index` fixture, and returns the parsed
    JSON. (`--format` goes first: ARGS may end with `-- QUERY`.)"""
    binary = dossier_bin()

    def run(command: str, *args: str) -> Any:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
        proc = subprocess.run(
            [str(binary), "--corpus", str(corpus_dir), "--index", str(index_dir), command, "--format", "json", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        # 0: found; 1: nothing matched (the JSON is still printed).
        assert proc.returncode in (0, 1), proc.stderr
        return json.loads(proc.stdout)

    return run


# Copies of the bundled article (20 passages each) in `big_corpus`. 400
# copies built in 0.29 s once builds got faster, too short for the GIL test
# to tell a released GIL from a held one.
BIG_COPIES = 1200


@pytest.fixture(scope="session")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`BIG_COPIES` copies of the article, for calls that take long enough to
    see whether the GIL is held."""
    return replicate_corpus(tmp_path_factory.mktemp("big") / "corpus", BIG_COPIES)


def passages(results: Any) -> List[str]:
    return [h.passage for h in results.hits]


@pytest.fixture
def fresh_index_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "index"
