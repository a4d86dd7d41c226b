"""The exceptions of :mod:`dossier`, and the factory the native code uses.

Every error the library reports is a :class:`dossier.Error`::

    Error                      any dossier error (also: a file that cannot be
    │                          read, and a bug: a Rust panic never escapes)
    ├── QueryError             a malformed query (``.position``) or an argument
    │                          out of range (``.position`` is None)
    ├── UnknownLabelError      an unknown actor, article, passage, stance,
    │                          topic, camp, polarity, sort or facet dimension
    │                          (``.kind``, ``.value``, ``.suggestions``)
    ├── CorpusError            an invalid corpus (``.diagnostics``)
    └── IndexError             the index cannot be used or written (``.path``,
                               ``.reason``)

``QueryError`` is also a :class:`ValueError` and ``UnknownLabelError`` a
:class:`LookupError`, so generic handlers catch them too.

``dossier.IndexError`` shadows Python's builtin ``IndexError`` when you write
``from dossier import IndexError``; use ``dossier.IndexError`` or its alias
``dossier.DossierIndexError`` instead (``from dossier import *`` exports the
alias only). It is *not* a subclass of the builtin ``IndexError``: it is about
the search index, not a sequence index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

__all__ = [
    "Error",
    "QueryError",
    "UnknownLabelError",
    "CorpusError",
    "IndexError",
    "DossierIndexError",
    "Diagnostic",
]


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a corpus file: an error or a lint warning."""

    file: str
    """The file, relative to the corpus root."""
    line: Optional[int]
    """1-based line, where the format gives one."""
    column: Optional[int]
    """1-based column (in characters), where the format gives one."""
    passage: Optional[str]
    """The passage concerned, if any."""
    message: str
    """What is wrong."""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        passage = f"passage {self.passage}: " if self.passage else ""
        return f"{where}: {passage}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The diagnostic as the CLI's JSON prints it."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "passage": self.passage,
            "message": self.message,
        }

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> Diagnostic:
        return cls(d["file"], d["line"], d["column"], d["passage"], d["message"])


class Error(Exception):
    """Any error reported by dossier. ``str(e)`` is the CLI's message."""

    message: str
    """The message, as the CLI prints it after ``dossier:``."""
    path: Optional[str]
    """The file or folder concerned, when there is one (a corpus folder that
    cannot be read, an index folder)."""

    def __init__(self, message: str, path: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class QueryError(Error, ValueError):
    """A query that cannot run: malformed keyword syntax (``position`` is the
    0-based character where the problem is), or an argument out of its range
    such as ``limit=0`` or an impossible date (``position`` is None)."""

    position: Optional[int]

    def __init__(self, message: str, position: Optional[int] = None) -> None:
        super().__init__(message)
        self.position = position


class UnknownLabelError(Error, LookupError):
    """A name or label that the index does not know.

    ``kind`` says what it was: ``"actor"``, ``"article"``, ``"passage"``,
    ``"stance"``, ``"topic"``, ``"camp"``, ``"polarity"``, ``"sort"`` or
    ``"facet dimension"``. ``suggestions`` lists the closest known names
    (for actors, articles and passages, best first) or every valid value
    (for a closed set of labels, which ``valid`` then also holds).
    """

    kind: str
    value: str
    suggestions: list[str]
    valid: Optional[list[str]]

    def __init__(
        self,
        message: str,
        kind: str,
        value: str,
        suggestions: list[str],
        valid: Optional[list[str]] = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.value = value
        self.suggestions = suggestions
        self.valid = valid


class CorpusError(Error):
    """The corpus has errors; ``diagnostics`` lists every one of them, each
    with its file, line, column, passage and message."""

    diagnostics: list[Diagnostic]

    def __init__(self, message: str, diagnostics: list[Diagnostic]) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


class IndexError(Error):  # noqa: A001 - named by the issue; see the module docs
    """The index cannot be opened, built or written.

    ``reason`` is one of ``"busy"`` (another process is building it),
    ``"damaged"`` (damaged, or of an incompatible format), ``"foreign"``
    (the folder holds files dossier did not make: it never writes there),
    ``"write"`` (writing a new index failed; the last good one stays in use)
    or ``"tantivy"``. ``path`` is the folder concerned, when known.
    """

    reason: str

    def __init__(self, message: str, path: Optional[str], reason: str) -> None:
        super().__init__(message, path)
        self.reason = reason


DossierIndexError = IndexError
"""An alias of :class:`dossier.IndexError` that does not shadow the builtin."""


def _from_native(kind: str, message: str, payload: str) -> Error:
    """Makes the exception for an error of the native code (see
    ``describe`` in ``src/lib.rs``)."""
    p = json.loads(payload)
    if kind == "query-syntax":
        return QueryError(message, p["position"])
    if kind == "invalid-argument":
        return QueryError(message, None)
    if kind == "unknown-label":
        return UnknownLabelError(message, p["kind"], p["value"], p["suggestions"], p.get("valid"))
    if kind == "corpus":
        return CorpusError(message, [Diagnostic._from_dict(d) for d in p["diagnostics"]])
    if kind == "index":
        return IndexError(message, p["path"], p["reason"])
    # "io" (a file that cannot be read or written), "panic", "other"
    return Error(message, p.get("path"))
