"""Test corpora made from the bundled one (used by the tests and by
python/bench.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUNDLED_CORPUS = REPO / "corpus"


def copy_corpus(dest: Path) -> Path:
    shutil.copytree(BUNDLED_CORPUS, dest)
    return dest


def replicate_corpus(dest: Path, copies: int) -> Path:
    """The bundled registries with `copies` copies of its article, each with
    its own article and passage ids (`a00001`, `a00001-01`, ...)."""
    dest.mkdir(parents=True)
    for name in ("actors.toml", "stances.toml", "topics.toml"):
        shutil.copy(BUNDLED_CORPUS / name, dest / name)
    src = BUNDLED_CORPUS / "articles" / "iran-intel"
    toml = (src / "article.toml").read_text(encoding="utf-8")
    text = (src / "text.txt").read_bytes()
    for i in range(1, copies + 1):
        aid = f"a{i:05d}"
        d = dest / "articles" / aid
        d.mkdir(parents=True)
        renamed = toml.replace('"iran-intel"', f'"{aid}"').replace('"iran-intel-', f'"{aid}-')
        (d / "article.toml").write_text(renamed, encoding="utf-8")
        (d / "text.txt").write_bytes(text)
    return dest
