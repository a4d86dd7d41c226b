"""dossier: search annotated news text by keyword, actor and stance.

>>> import dossier
>>> index = dossier.open()                       # the built-in corpus
>>> results = index.search("security", holder="Reformist Front")
>>> results.total, results.hits[0].passage
(1, 'iran-intel-13')

Every result has attribute access and ``to_dict()``, which returns exactly
the JSON that the ``dossier`` CLI prints with ``--format json`` for the same
call. Errors are :class:`dossier.Error` and its subclasses. The GIL is
released while the index is built or searched, so threads run concurrently.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import threading
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Literal,
    Optional,
    Sequence,
    Tuple,
    Union,
    overload,
)

from . import _native
from ._errors import IndexError as IndexError  # noqa: A004 - see _errors.py
from ._errors import (
    CorpusError,
    Diagnostic,
    DossierIndexError,
    Error,
    QueryError,
    UnknownLabelError,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas  # type: ignore[import-untyped,import-not-found,unused-ignore]

__version__: str = _native.DOSSIER_VERSION

__all__ = [
    "open",
    "check",
    "Index",
    "Results",
    "Hit",
    "Span",
    "Snippet",
    "ActorRef",
    "EntityId",
    "StanceAnnotation",
    "Event",
    "ResolvedQuery",
    "Resolution",
    "NameMatch",
    "Facets",
    "FacetCount",
    "Timeline",
    "TimelineEntry",
    "Actor",
    "StanceCount",
    "Report",
    "Diagnostic",
    "Error",
    "QueryError",
    "UnknownLabelError",
    "CorpusError",
    "DossierIndexError",
    # `IndexError` is left out on purpose: `from dossier import *` must not
    # shadow the builtin. Use `dossier.IndexError` or `DossierIndexError`.
]

PathLike = Union[str, "os.PathLike[str]"]
Names = Union[str, Sequence[str]]
"""One name or label, or several (they all must match)."""
Date = Union[str, int, datetime.date]
"""``"2020"``, ``"2020-11"``, ``"2020-11-27"``, a year as an int, or a date."""
Sort = Literal["auto", "score", "position"]
Dim = Literal["actor", "stance", "holder", "topic", "camp"]


# ---------------------------------------------------------------- opening


def open(  # noqa: A001 - `dossier.open` is the documented entry point
    corpus: Optional[PathLike] = None,
    index: Optional[PathLike] = None,
    refresh: bool = True,
) -> Index:
    """Opens the index of a corpus, building or updating it when needed.

    * ``corpus``: the corpus folder. None (the default) uses the corpus
      built into dossier, as the CLI does outside a folder with a
      ``corpus/``.
    * ``index``: the index folder. None uses a per-user cache folder keyed
      by the corpus, the same folder the CLI uses, so both share one index.
      With ``index`` and no ``corpus``, an index already built there from
      another corpus (by the CLI, say) is opened as it is, without a corpus
      to check it against; it is never rebuilt from the built-in corpus, so
      if it is damaged that is an :class:`IndexError` (pass its ``corpus``
      to rebuild it). An empty or new folder gets the built-in corpus.
    * ``refresh``: check the corpus files for changes first and re-index
      what changed (the default), as every CLI command does. False is the
      CLI's ``--no-refresh``: use the index as it is (it is still built when
      there is none for this corpus).

    The returned :class:`Index` keeps the generation it opened until it is
    closed; call ``open`` again to see later edits of the corpus.
    Raises :class:`CorpusError` when a build is needed and the corpus is
    invalid, :class:`IndexError` when the index cannot be used or written.
    """
    native = _native.open(_path(corpus, "corpus"), _path(index, "index"), bool(refresh))
    return Index(native)


def check(corpus: Optional[PathLike] = None) -> Report:
    """Validates and lints a corpus (None: the built-in one), like ``dossier
    check``. An invalid corpus gives a report with ``ok`` False that lists
    every error; only a folder that cannot be read raises :class:`Error`."""
    return Report(json.loads(_native.check(_path(corpus, "corpus"))))


def _path(p: Optional[PathLike], what: str) -> Optional[str]:
    if p is None:
        return None
    if not isinstance(p, (str, os.PathLike)):
        raise TypeError(f"{what} must be a path (str or os.PathLike), not {type(p).__name__}")
    return os.fspath(p)


# ---------------------------------------------------------------- the index


class Index:
    """An open index. Use :func:`dossier.open` to get one.

    Safe to share between threads: every call releases the GIL while it
    runs, so searches from a thread pool run in parallel.
    """

    __slots__ = ("_native", "_names")

    def __init__(self, native: _native.Index) -> None:
        self._native = native
        self._names = _Names(native)

    def __repr__(self) -> str:
        s = self.stats
        return f"<dossier.Index {s['passages']} passages in {s['articles']} articles at {self.path!r}>"

    @property
    def path(self) -> str:
        """The generation folder in use (inside the index folder)."""
        return os.fspath(self._native.path())

    @property
    def stats(self) -> Dict[str, int]:
        """``{"articles": n, "passages": n}`` in the index."""
        articles, passages = self._native.stats()
        return {"articles": articles, "passages": passages}

    @property
    def freshness(self) -> Dict[str, Any]:
        """What opening did: ``{"status": "reused"}``, ``{"status": "built",
        "reason": ...}``, ``{"status": "updated", "reason": {...}}`` or
        ``{"status": "stale-read-only", "reason": ...}``."""
        result: Dict[str, Any] = json.loads(self._native.freshness())
        return result

    def search(
        self,
        query: str = "",
        *,
        actor: Optional[Names] = None,
        stance: Optional[str] = None,
        holder: Optional[str] = None,
        target: Optional[str] = None,
        polarity: Optional[str] = None,
        topic: Optional[Names] = None,
        camp: Optional[Names] = None,
        article: Optional[str] = None,
        since: Optional[Date] = None,
        until: Optional[Date] = None,
        limit: int = 10,
        offset: int = 0,
        sort: Sort = "auto",
    ) -> Results:
        """Passages matching keywords and filters, best first.

        ``query`` uses dossier's keyword syntax (``"blood revenge" OR
        retaliation``, ``actor:Khatib``, ``NOT iran``); empty matches every
        passage. Filters all AND together, as the CLI's flags do:

        * ``actor``: a name (any spelling) or a list of names, all mentioned;
        * ``topic``, ``camp``: an id or a list of ids, all present;
        * ``article``: only this article;
        * ``stance``, ``holder``, ``target``, ``polarity``: all hold on one
          and the same stance annotation (a stance includes its narrower
          stances; ``target`` is an actor name or a topic id);
        * ``since``, ``until``: an event of the passage in that range;
        * ``limit`` (1-1000) and ``offset`` page the hits;
        * ``sort``: ``"score"`` (BM25), ``"position"`` (document order) or
          ``"auto"``: score when there are keywords, else position (the
          CLI's default).
        """
        args = _filters(query, actor, topic, camp, article, stance, holder, target, polarity, since, until)
        raw = self._native.search(*args, _int(limit, "limit"), _int(offset, "offset"), _str(sort, "sort"))
        return Results(raw, self._names)

    def facets(
        self,
        by: Union[Dim, Sequence[Dim]],
        query: str = "",
        *,
        actor: Optional[Names] = None,
        stance: Optional[str] = None,
        holder: Optional[str] = None,
        target: Optional[str] = None,
        polarity: Optional[str] = None,
        topic: Optional[Names] = None,
        camp: Optional[Names] = None,
        article: Optional[str] = None,
        since: Optional[Date] = None,
        until: Optional[Date] = None,
    ) -> Facets:
        """Counts the matching passages by one dimension (``"actor"``,
        ``"stance"``, ``"holder"``, ``"topic"``, ``"camp"``) or by a pair of
        them: ``by=["holder", "stance"]`` counts who takes which position.
        The query and filters are those of :meth:`search`."""
        dims: List[str] = [by] if isinstance(by, str) else list(by)
        for d in dims:
            _str(d, "by")
        args = _filters(query, actor, topic, camp, article, stance, holder, target, polarity, since, until)
        return Facets(self._native.facets(dims, *args))

    def timeline(
        self,
        query: str = "",
        *,
        actor: Optional[Names] = None,
        stance: Optional[str] = None,
        holder: Optional[str] = None,
        target: Optional[str] = None,
        polarity: Optional[str] = None,
        topic: Optional[Names] = None,
        camp: Optional[Names] = None,
        article: Optional[str] = None,
        since: Optional[Date] = None,
        until: Optional[Date] = None,
    ) -> Timeline:
        """The dated events of the matching passages, earliest first (events
        without a stated year last). ``since`` and ``until`` also bound which
        events are listed. The query and filters are those of :meth:`search`."""
        args = _filters(query, actor, topic, camp, article, stance, holder, target, polarity, since, until)
        return Timeline(self._native.timeline(*args), self._names)

    def passage(self, id: str) -> Hit:
        """One passage by id, with every annotation (``dossier show``).
        Raises :class:`UnknownLabelError` with similar ids when there is none."""
        return Hit(json.loads(self._native.passage(_str(id, "id"))), self._names)

    @overload
    def actors(self, name: None = None) -> List[Actor]: ...

    @overload
    def actors(self, name: str) -> Resolution: ...

    def actors(self, name: Optional[str] = None) -> Union[List[Actor], Resolution]:
        """Every registered actor with its passage count, in registry order;
        with ``name``, how that name resolves (``dossier actors NAME``). An
        unknown name raises :class:`UnknownLabelError` with suggestions."""
        if name is None:
            return [Actor(d) for d in json.loads(self._native.actors())]
        return Resolution(json.loads(self._native.resolve(_str(name, "name"))))

    def stances(self) -> List[StanceCount]:
        """The stance taxonomy in file order, each with the number of
        passages that take it or a narrower stance."""
        return [StanceCount(d) for d in json.loads(self._native.stances())]


def _str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


def _opt_str(value: Any, what: str) -> Optional[str]:
    return None if value is None else _str(value, what)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    return value


def _names(value: Any, what: str) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [_str(v, what) for v in value]
    raise TypeError(f"{what} must be a str or a list of str, not {type(value).__name__}")


def _date(value: Any, what: str) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:04d}"
    return _str(value, what)


_NativeFilters = Tuple[
    Optional[str],  # text
    List[str],  # actors
    List[str],  # topics
    List[str],  # camps
    Optional[str],  # article
    Optional[str],  # stance
    Optional[str],  # holder
    Optional[str],  # target
    Optional[str],  # polarity
    Optional[str],  # since
    Optional[str],  # until
]


def _filters(
    query: Any,
    actor: Any,
    topic: Any,
    camp: Any,
    article: Any,
    stance: Any,
    holder: Any,
    target: Any,
    polarity: Any,
    since: Any,
    until: Any,
) -> _NativeFilters:
    """The native arguments, in the order of `build_query` in src/lib.rs."""
    text = _str(query, "query")
    return (
        text if text != "" else None,
        _names(actor, "actor"),
        _names(topic, "topic"),
        _names(camp, "camp"),
        _opt_str(article, "article"),
        _opt_str(stance, "stance"),
        _opt_str(holder, "holder"),
        _opt_str(target, "target"),
        _opt_str(polarity, "polarity"),
        _date(since, "since"),
        _date(until, "until"),
    )


class _Names:
    """Display names of actor ids, read from the index's registry on first
    use (a keyword search never needs them)."""

    __slots__ = ("_native", "_actors", "_lock")

    def __init__(self, native: _native.Index) -> None:
        self._native = native
        self._actors: Optional[Dict[str, str]] = None
        self._lock = threading.Lock()

    def actors(self) -> Dict[str, str]:
        with self._lock:
            if self._actors is None:
                registry = json.loads(self._native.registry())
                self._actors = {a["id"]: a["name"] for a in registry["actors"]}
            return self._actors


# ---------------------------------------------------------------- records


class _Record:
    """A read-only view of one JSON object of a result."""

    __slots__ = ("_d",)

    def __init__(self, d: Dict[str, Any]) -> None:
        self._d = d

    def to_dict(self) -> Dict[str, Any]:
        """A copy of the JSON object, exactly as the CLI prints it."""
        result: Dict[str, Any] = copy.deepcopy(self._d)
        return result

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Record) and type(other) is type(self) and other._d == self._d

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._d!r})"


class EntityId(str):
    """An actor id (or, for a stance target, possibly a topic id). It *is* the
    id string, as in the JSON (``stance.holder == "hardliners"``), and also
    knows its display name: ``stance.holder.name == "Iranian hardliners"``."""

    _names: _Names
    _name: Optional[str]

    def __new__(cls, id: str, names: _Names, name: Optional[str] = None) -> EntityId:
        self = super().__new__(cls, id)
        self._names = names
        self._name = name
        return self

    @property
    def id(self) -> str:
        """The id, as a plain str."""
        return str.__str__(self)

    @property
    def kind(self) -> Literal["actor", "topic"]:
        """``"actor"``, or ``"topic"`` for a stance aimed at a topic."""
        if self._name is not None or self.id in self._names.actors():
            return "actor"
        return "topic"

    @property
    def name(self) -> str:
        """The actor's display name; a topic's id (topics have no other name)."""
        if self._name is None:
            return self._names.actors().get(self.id, self.id)
        return self._name

    def __reduce__(self) -> Tuple[Any, ...]:
        # Pickles (and deep-copies) as the plain id.
        return (str, (self.id,))


class Span(_Record):
    """A byte range ``[start, end)``."""

    __slots__ = ()

    @property
    def start(self) -> int:
        """First byte."""
        return int(self._d["start"])

    @property
    def end(self) -> int:
        """One past the last byte."""
        return int(self._d["end"])


class Snippet(_Record):
    """An extract of the passage around the matched words."""

    __slots__ = ()

    @property
    def text(self) -> str:
        """The extract."""
        return str(self._d["text"])

    @property
    def highlights(self) -> List[Span]:
        """Byte ranges of :attr:`text` that matched the keywords."""
        return [Span(s) for s in self._d["highlights"]]


class ActorRef(_Record):
    """An actor mentioned in a passage: its id and display name."""

    __slots__ = ()

    @property
    def id(self) -> str:
        """Actor id."""
        return str(self._d["id"])

    @property
    def name(self) -> str:
        """Display name."""
        return str(self._d["name"])


class StanceAnnotation(_Record):
    """Who takes which position toward whom, with the evidence quote."""

    __slots__ = ("_names", "_known")

    def __init__(self, d: Dict[str, Any], names: _Names, known: Dict[str, str]) -> None:
        super().__init__(d)
        self._names = names
        self._known = known

    @property
    def holder(self) -> EntityId:
        """Who holds the stance: an actor id with ``.name``."""
        h = self._d["holder"]
        return EntityId(h, self._names, self._known.get(h))

    @property
    def stance(self) -> str:
        """Stance id from the taxonomy."""
        return str(self._d["stance"])

    @property
    def target(self) -> EntityId:
        """What the stance is aimed at: an actor id or a topic id, with
        ``.name`` and ``.kind``."""
        t = self._d["target"]
        return EntityId(t, self._names, self._known.get(t))

    @property
    def polarity(self) -> str:
        """``"favor"``, ``"against"`` or ``"neutral"``."""
        return str(self._d["polarity"])

    @property
    def quote(self) -> str:
        """The evidence: an exact substring of the passage."""
        return str(self._d["quote"])

    @property
    def voice(self) -> str:
        """``"author"`` (the author's own stance) or ``"reported"``."""
        return str(self._d["voice"])


class Event(_Record):
    """A dated event reported by a passage."""

    __slots__ = ("_names",)

    def __init__(self, d: Dict[str, Any], names: _Names) -> None:
        super().__init__(d)
        self._names = names

    @property
    def date(self) -> str:
        """``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, or ``--MM-DD`` when the text
        gives no year."""
        return str(self._d["date"])

    @property
    def what(self) -> str:
        """What happened."""
        return str(self._d["what"])

    @property
    def actors(self) -> List[EntityId]:
        """Ids of the actors involved (each with ``.name``)."""
        return [EntityId(a, self._names) for a in self._d["actors"]]


class Hit:
    """One passage with everything known about it.

    A hit of a search stays in Rust until it is read: its ids, score and
    text are fetched on their own, its annotations are converted on first
    use. ``to_dict()`` is its JSON, exactly as the CLI prints it.
    """

    __slots__ = ("_names", "_src", "_i", "_dict", "_head")

    def __init__(
        self,
        d: Optional[Dict[str, Any]],
        names: _Names,
        src: Optional[_native.Results] = None,
        i: int = 0,
    ) -> None:
        self._dict = d
        self._names = names
        self._src = src
        self._i = i
        self._head: Optional[Tuple[str, str, int, Optional[float]]] = None

    def _data(self) -> Dict[str, Any]:
        if self._dict is None:
            assert self._src is not None
            self._dict = json.loads(self._src.hit_json(self._i))
        return self._dict

    def _ids(self) -> Tuple[str, str, int, Optional[float]]:
        if self._head is None:
            if self._dict is None:
                assert self._src is not None
                self._head = self._src.hit_head(self._i)
            else:
                d = self._dict
                self._head = (d["article"], d["passage"], d["ordinal"], d["score"])
        return self._head

    def to_dict(self) -> Dict[str, Any]:
        """A copy of the hit's JSON, exactly as the CLI prints it."""
        if self._src is not None:
            fresh: Dict[str, Any] = json.loads(self._src.hit_json(self._i))
            return fresh
        result: Dict[str, Any] = copy.deepcopy(self._data())
        return result

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Hit) and other._data() == self._data()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        score = "" if self.score is None else f" score={self.score:.3g}"
        return f"<Hit {self.passage}{score}>"

    @property
    def article(self) -> str:
        """Article id."""
        return self._ids()[0]

    @property
    def passage(self) -> str:
        """Passage id."""
        return self._ids()[1]

    @property
    def ordinal(self) -> int:
        """Position of the passage in its article (1-based)."""
        return self._ids()[2]

    @property
    def score(self) -> Optional[float]:
        """BM25 score; None when the query has no keywords."""
        return self._ids()[3]

    @property
    def text(self) -> str:
        """The passage text, exactly as in the article."""
        if self._dict is None and self._src is not None:
            return self._src.hit_text(self._i)
        return str(self._data()["text"])

    @property
    def span(self) -> Span:
        """Byte span in the article text."""
        return Span(self._data()["span"])

    @property
    def snippet(self) -> Snippet:
        """An extract around the matches."""
        return Snippet(self._data()["snippet"])

    @property
    def actors(self) -> List[ActorRef]:
        """Actors mentioned, in annotation order."""
        return [ActorRef(a) for a in self._data()["actors"]]

    @property
    def stances(self) -> List[StanceAnnotation]:
        """Stances taken in the passage."""
        d = self._data()
        known = {a["id"]: a["name"] for a in d["actors"]}
        return [StanceAnnotation(s, self._names, known) for s in d["stances"]]

    @property
    def topics(self) -> List[str]:
        """Topic ids."""
        return list(self._data()["topics"])

    @property
    def events(self) -> List[Event]:
        """Dated events the passage reports."""
        return [Event(e, self._names) for e in self._data()["events"]]


class NameMatch(_Record):
    """One actor a typed name resolved to, and why."""

    __slots__ = ()

    @property
    def id(self) -> str:
        """Actor id."""
        return str(self._d["id"])

    @property
    def name(self) -> str:
        """Display name."""
        return str(self._d["name"])

    @property
    def matched_by(self) -> str:
        """Which of its names matched: ``"id"``, ``"name"``, ``"alias"`` or
        ``"name-part"`` (one word of a person's name)."""
        return str(self._d["matched_by"]["by"])

    @property
    def form(self) -> Optional[str]:
        """The name or alias that matched (None for an id)."""
        f = self._d["matched_by"].get("form")
        return None if f is None else str(f)


class Resolution(_Record):
    """How a typed name resolved: one actor, or several when ambiguous."""

    __slots__ = ()

    @property
    def input(self) -> str:
        """The name as typed."""
        return str(self._d["input"])

    @property
    def folded(self) -> str:
        """Its fold (case, accents, transliteration variants removed)."""
        return str(self._d["folded"])

    @property
    def matches(self) -> List[NameMatch]:
        """The actors it denotes."""
        return [NameMatch(m) for m in self._d["matches"]]


class ResolvedQuery(_Record):
    """A query as the index understood it: every name resolved."""

    __slots__ = ()

    @property
    def text(self) -> Optional[str]:
        """Keyword text."""
        t = self._d["text"]
        return None if t is None else str(t)

    @property
    def actors(self) -> List[Resolution]:
        """Each actor filter and what it resolved to."""
        return [Resolution(r) for r in self._d["actors"]]

    @property
    def topics(self) -> List[str]:
        """Topic ids."""
        return list(self._d["topics"])

    @property
    def camps(self) -> List[str]:
        """Camps."""
        return list(self._d["camps"])

    @property
    def article(self) -> Optional[str]:
        """Article id."""
        return self._d["article"]  # type: ignore[no-any-return]

    @property
    def stances(self) -> List[str]:
        """The stance ids searched: the stance and its narrower stances."""
        return list(self._d["stances"])

    @property
    def holder(self) -> Optional[Resolution]:
        """The holder and what it resolved to."""
        h = self._d["holder"]
        return None if h is None else Resolution(h)

    @property
    def target(self) -> Union[Resolution, str, None]:
        """The target: a topic id, or how the actor name resolved."""
        t = self._d["target"]
        if t is None:
            return None
        if t["kind"] == "topic":
            return str(t["id"])
        return Resolution(t)

    @property
    def polarity(self) -> Optional[str]:
        """Polarity."""
        return self._d["polarity"]  # type: ignore[no-any-return]

    @property
    def since(self) -> Optional[str]:
        """Earliest event date."""
        return self._d["since"]  # type: ignore[no-any-return]

    @property
    def until(self) -> Optional[str]:
        """Latest event date."""
        return self._d["until"]  # type: ignore[no-any-return]

    @property
    def limit(self) -> int:
        """Hits requested."""
        return int(self._d["limit"])

    @property
    def offset(self) -> int:
        """Hits skipped."""
        return int(self._d["offset"])

    @property
    def sort(self) -> str:
        """The order used: ``"score"`` or ``"position"``."""
        return str(self._d["sort"])


class Results:
    """The answer to :meth:`Index.search`: ``total`` matching passages, of
    which ``hits`` is the requested page. Iterating or ``len()`` go over the
    hits. The results stay in Rust until read (see :class:`Hit`)."""

    __slots__ = ("_native", "_names", "_hits")

    def __init__(self, native: _native.Results, names: _Names) -> None:
        self._native = native
        self._names = names
        self._hits: Optional[List[Hit]] = None

    def __repr__(self) -> str:
        return f"<Results {len(self)} of {self.total} passages>"

    @property
    def total(self) -> int:
        """Passages matching in all (not only those returned)."""
        return self._native.total()

    @property
    def hits(self) -> List[Hit]:
        """The returned page of hits, best first."""
        if self._hits is None:
            native, names = self._native, self._names
            self._hits = [Hit(None, names, native, i) for i in range(len(native))]
        return self._hits

    @property
    def query(self) -> ResolvedQuery:
        """The query as understood (names resolved, stances expanded)."""
        return ResolvedQuery(json.loads(self._native.query_json()))

    def __len__(self) -> int:
        return len(self._native)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __getitem__(self, i: int) -> Hit:
        return self.hits[i]

    def to_dict(self) -> Dict[str, Any]:
        """The results exactly as ``dossier search --format json`` prints them."""
        result: Dict[str, Any] = json.loads(self._native.json())
        return result

    def to_pandas(self) -> pandas.DataFrame:
        """A DataFrame with one row per hit (pandas must be installed).

        Columns: ``article``, ``passage``, ``ordinal``, ``score``, ``start``,
        ``end``, ``text``, ``snippet``; ``actors`` (ids) and ``actor_names``;
        ``topics``; one list entry per stance annotation, in the same order,
        in ``stances`` (stance ids), ``holders``, ``targets``,
        ``polarities``, ``quotes`` and ``voices`` (so ``df.explode(["stances",
        "holders", "targets", "polarities", "quotes", "voices"])`` gives one row
        per annotation); ``event_dates`` and ``events`` (what happened), one
        entry per event.
        """
        try:
            import pandas
        except ImportError as e:  # pragma: no cover - exercised without pandas
            raise ImportError(
                "Results.to_pandas() needs pandas: pip install pandas"
            ) from e
        rows = []
        for h in self.to_dict()["hits"]:
            stances = h["stances"]
            rows.append(
                {
                    "article": h["article"],
                    "passage": h["passage"],
                    "ordinal": h["ordinal"],
                    "score": h["score"],
                    "start": h["span"]["start"],
                    "end": h["span"]["end"],
                    "text": h["text"],
                    "snippet": h["snippet"]["text"],
                    "actors": [a["id"] for a in h["actors"]],
                    "actor_names": [a["name"] for a in h["actors"]],
                    "topics": list(h["topics"]),
                    "stances": [s["stance"] for s in stances],
                    "holders": [s["holder"] for s in stances],
                    "targets": [s["target"] for s in stances],
                    "polarities": [s["polarity"] for s in stances],
                    "quotes": [s["quote"] for s in stances],
                    "voices": [s["voice"] for s in stances],
                    "event_dates": [e["date"] for e in h["events"]],
                    "events": [e["what"] for e in h["events"]],
                }
            )
        return pandas.DataFrame(rows, columns=_PANDAS_COLUMNS)


_PANDAS_COLUMNS = [
    "article",
    "passage",
    "ordinal",
    "score",
    "start",
    "end",
    "text",
    "snippet",
    "actors",
    "actor_names",
    "topics",
    "stances",
    "holders",
    "targets",
    "polarities",
    "quotes",
    "voices",
    "event_dates",
    "events",
]


FacetValue = Union[str, Tuple[str, str]]


class FacetCount(_Record):
    """How many matching passages have one value (or pair of values)."""

    __slots__ = ()

    @property
    def value(self) -> FacetValue:
        """The id or label; a tuple for a two-way count."""
        return _facet_key(self._d["value"])

    @property
    def name(self) -> FacetValue:
        """Its display name (actor names for actors and holders)."""
        return _facet_key(self._d["name"])

    @property
    def count(self) -> int:
        """Matching passages with this value. For holder × stance: matching
        passages where that holder takes that stance."""
        return int(self._d["count"])


def _facet_key(v: Any) -> FacetValue:
    if isinstance(v, list):
        return (str(v[0]), str(v[1]))
    return str(v)


class Facets:
    """Counts by one dimension or a pair, by count descending then value.
    Iterating or ``len()`` go over the counts."""

    __slots__ = ("_raw", "_d")

    def __init__(self, raw: str) -> None:
        self._raw = raw
        self._d: Dict[str, Any] = json.loads(raw)

    def __repr__(self) -> str:
        return f"<Facets by {'×'.join(self.by)}: {len(self)} values over {self.total} passages>"

    @property
    def by(self) -> List[str]:
        """The dimensions counted."""
        return list(self._d["by"])

    @property
    def total(self) -> int:
        """Passages matching the query."""
        return int(self._d["total"])

    @property
    def counts(self) -> List[FacetCount]:
        """The counts."""
        return [FacetCount(c) for c in self._d["counts"]]

    def __len__(self) -> int:
        return len(self._d["counts"])

    def __iter__(self) -> Iterator[FacetCount]:
        return iter(self.counts)

    def to_dict(self) -> Dict[str, Any]:
        """Exactly what ``dossier facets --format json`` prints."""
        result: Dict[str, Any] = json.loads(self._raw)
        return result

    def to_pandas(self) -> pandas.DataFrame:
        """One row per value: a column per dimension (its id or label), a
        ``<dim>_name`` column for each, and ``count``."""
        import pandas

        by = self.by
        rows = []
        for c in self._d["counts"]:
            values = c["value"] if isinstance(c["value"], list) else [c["value"]]
            names = c["name"] if isinstance(c["name"], list) else [c["name"]]
            row: Dict[str, Any] = {}
            for dim, v, n in zip(by, values, names):
                row[dim] = v
                row[f"{dim}_name"] = n
            row["count"] = c["count"]
            rows.append(row)
        columns = [col for dim in by for col in (dim, f"{dim}_name")] + ["count"]
        return pandas.DataFrame(rows, columns=columns)


class TimelineEntry(_Record):
    """One dated event, with the passage that reports it."""

    __slots__ = ("_names",)

    def __init__(self, d: Dict[str, Any], names: _Names) -> None:
        super().__init__(d)
        self._names = names

    @property
    def date(self) -> str:
        """``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``--MM-DD``."""
        return str(self._d["date"])

    @property
    def what(self) -> str:
        """What happened."""
        return str(self._d["what"])

    @property
    def actors(self) -> List[EntityId]:
        """Ids of the actors involved (each with ``.name``)."""
        return [EntityId(a, self._names) for a in self._d["actors"]]

    @property
    def article(self) -> str:
        """Article id."""
        return str(self._d["article"])

    @property
    def passage(self) -> str:
        """Passage reporting it."""
        return str(self._d["passage"])

    @property
    def ordinal(self) -> int:
        """Passage ordinal."""
        return int(self._d["ordinal"])


class Timeline:
    """Events of the matching passages in date order. Iterating or ``len()``
    go over the events."""

    __slots__ = ("_raw", "_d", "_names")

    def __init__(self, raw: str, names: _Names) -> None:
        self._raw = raw
        self._d: Dict[str, Any] = json.loads(raw)
        self._names = names

    def __repr__(self) -> str:
        return f"<Timeline of {len(self)} events>"

    @property
    def query(self) -> ResolvedQuery:
        """The query as understood."""
        return ResolvedQuery(self._d["query"])

    @property
    def events(self) -> List[TimelineEntry]:
        """The events, earliest first; events without a year last."""
        return [TimelineEntry(e, self._names) for e in self._d["events"]]

    def __len__(self) -> int:
        return len(self._d["events"])

    def __iter__(self) -> Iterator[TimelineEntry]:
        return iter(self.events)

    def to_dict(self) -> Dict[str, Any]:
        """Exactly what ``dossier timeline --format json`` prints."""
        result: Dict[str, Any] = json.loads(self._raw)
        return result


class Actor(_Record):
    """A registered actor and how many passages mention it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<Actor {self.id} ({self.passages} passages)>"

    @property
    def id(self) -> str:
        """Actor id."""
        return str(self._d["id"])

    @property
    def name(self) -> str:
        """Display name."""
        return str(self._d["name"])

    @property
    def kind(self) -> str:
        """person, organization, state, group, media, collective or author."""
        return str(self._d["kind"])

    @property
    def aliases(self) -> List[str]:
        """Other spellings and short forms."""
        return list(self._d["aliases"])

    @property
    def country(self) -> Optional[str]:
        """ISO 3166 alpha-3 code, when known."""
        return self._d.get("country")

    @property
    def role(self) -> Optional[str]:
        """CAMEO-style role code, when known."""
        return self._d.get("role")

    @property
    def camp(self) -> Optional[str]:
        """hardliner, reformist or centrist, for Iranian political actors."""
        return self._d.get("camp")

    @property
    def description(self) -> Optional[str]:
        """One line on who this is."""
        return self._d.get("description")

    @property
    def passages(self) -> int:
        """Passages that mention it."""
        return int(self._d["passages"])


class StanceCount(_Record):
    """A stance of the taxonomy and how many passages take it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<StanceCount {self.id} ({self.passages} passages)>"

    @property
    def id(self) -> str:
        """Stance id."""
        return str(self._d["id"])

    @property
    def description(self) -> str:
        """What the stance means."""
        return str(self._d["description"])

    @property
    def parent(self) -> Optional[str]:
        """The broader stance, if any."""
        return self._d.get("parent")

    @property
    def passages(self) -> int:
        """Passages with an annotation of this stance or a narrower one."""
        return int(self._d["passages"])


class Report:
    """What :func:`dossier.check` found.

    ``ok`` is True when the corpus has no error. ``errors`` and
    ``warnings`` list :class:`Diagnostic` objects; ``diagnostics`` is both.
    The counts are None when the corpus is invalid.
    """

    __slots__ = ("_summary", "_errors")

    def __init__(self, d: Dict[str, Any]) -> None:
        self._summary: Optional[Dict[str, Any]] = d["summary"]
        self._errors = [Diagnostic._from_dict(e) for e in d["errors"]]

    def __repr__(self) -> str:
        state = "ok" if self.ok else f"{len(self.errors)} errors"
        return f"<Report {state}, {len(self.warnings)} warnings>"

    def __bool__(self) -> bool:
        return self.ok

    @property
    def ok(self) -> bool:
        """True when the corpus is valid (it may still have warnings)."""
        return not self._errors

    @property
    def errors(self) -> List[Diagnostic]:
        """Every error (an invalid corpus cannot be indexed)."""
        return list(self._errors)

    @property
    def warnings(self) -> List[Diagnostic]:
        """Lint warnings (such as a name in the text whose actor is not listed)."""
        if self._summary is None:
            return []
        return [Diagnostic._from_dict(w) for w in self._summary["warnings"]]

    @property
    def diagnostics(self) -> List[Diagnostic]:
        """Errors, then warnings."""
        return self.errors + self.warnings

    def _count(self, key: str) -> Optional[int]:
        return None if self._summary is None else int(self._summary[key])

    @property
    def articles(self) -> Optional[int]:
        """Number of articles."""
        return self._count("articles")

    @property
    def passages(self) -> Optional[int]:
        """Number of passages."""
        return self._count("passages")

    @property
    def actors(self) -> Optional[int]:
        """Number of registered actors."""
        return self._count("actors")

    @property
    def stances(self) -> Optional[int]:
        """Number of stances in the taxonomy."""
        return self._count("stances")

    @property
    def stance_annotations(self) -> Optional[int]:
        """Number of stance annotations over all passages."""
        return self._count("stance_annotations")

    @property
    def topics(self) -> Optional[int]:
        """Number of topics."""
        return self._count("topics")

    @property
    def events(self) -> Optional[int]:
        """Number of dated events."""
        return self._count("events")

    def to_dict(self) -> Dict[str, Any]:
        """For a valid corpus, what ``dossier check --format json`` prints
        plus ``"errors": []``; for an invalid one, the same keys with null
        counts, empty warnings and the errors."""
        keys = ["articles", "passages", "actors", "stances", "stance_annotations", "topics", "events"]
        d: Dict[str, Any] = {k: self._count(k) for k in keys}
        d["warnings"] = [w.to_dict() for w in self.warnings]
        d["errors"] = [e.to_dict() for e in self._errors]
        return d
