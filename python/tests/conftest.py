"""Shared fixtures: corpus copies, indexes, and the CLI binary.

The oracles in these tests are written by hand from the bundled annotations
(corpus/articles/iran-intel/article.toml) and the registries, never computed
by the code under test. The CLI is the reference for JSON equality only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest

import dossier

REPO = Path(__file__).resolve().parents[2]
BUNDLED_CORPUS = REPO / "corpus"


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


def copy_corpus(dest: Path) -> Path:
    shutil.copytree(BUNDLED_CORPUS, dest)
    return dest


def replicate_corpus(dest: Path, copies: int) -> Path:
    """The bundled registries with `copies` copies of its article, each with
    its own article and passage ids (`a0001`, `a0001-01`, ...)."""
    dest.mkdir(parents=True)
    for name in ("actors.toml", "stances.toml", "topics.toml"):
        shutil.copy(BUNDLED_CORPUS / name, dest / name)
    src = BUNDLED_CORPUS / "articles" / "iran-intel"
    toml = (src / "article.toml").read_text(encoding="utf-8")
    text = (src / "text.txt").read_bytes()
    for i in range(1, copies + 1):
        aid = f"a{i:04d}"
        d = dest / "articles" / aid
        d.mkdir(parents=True)
        renamed = toml.replace('"iran-intel"', f'"{aid}"').replace('"iran-intel-', f'"{aid}-')
        (d / "article.toml").write_text(renamed, encoding="utf-8")
        (d / "text.txt").write_bytes(text)
    return dest


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


@pytest.fixture(scope="session")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400 copies of the article: 8,000 passages, enough for calls that take
    long enough to see whether the GIL is held."""
    return replicate_corpus(tmp_path_factory.mktemp("big") / "corpus", 400)


def passages(results: Any) -> List[str]:
    return [h.passage for h in results.hits]


@pytest.fixture
def fresh_index_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "index"
