"""Type stubs for the compiled module `dossier._native` (python/src/lib.rs).

Every call returns JSON text (`serde_json` of the library's result, what the
CLI prints with `--format json`), except `Index.search`, whose `Results`
keep the answer in Rust and give out pieces of it; `dossier/__init__.py`
wraps them. Use the
`dossier` package, not this module.
"""

from os import PathLike
from typing import List, Optional, Tuple

DOSSIER_VERSION: str

def open(corpus: Optional[str] = None, index: Optional[str] = None, refresh: bool = True) -> Index: ...
def check(corpus: Optional[str] = None) -> str: ...
def _panic_for_tests(message: str) -> None: ...

class Index:
    def search(
        self,
        text: Optional[str],
        actors: List[str],
        topics: List[str],
        camps: List[str],
        article: Optional[str],
        stance: Optional[str],
        holder: Optional[str],
        target: Optional[str],
        polarity: Optional[str],
        since: Optional[str],
        until: Optional[str],
        limit: int,
        offset: int,
        sort: str,
    ) -> Results: ...
    def facets(
        self,
        by: List[str],
        text: Optional[str],
        actors: List[str],
        topics: List[str],
        camps: List[str],
        article: Optional[str],
        stance: Optional[str],
        holder: Optional[str],
        target: Optional[str],
        polarity: Optional[str],
        since: Optional[str],
        until: Optional[str],
    ) -> str: ...
    def timeline(
        self,
        text: Optional[str],
        actors: List[str],
        topics: List[str],
        camps: List[str],
        article: Optional[str],
        stance: Optional[str],
        holder: Optional[str],
        target: Optional[str],
        polarity: Optional[str],
        since: Optional[str],
        until: Optional[str],
    ) -> str: ...
    def passage(self, id: str) -> str: ...
    def actors(self) -> str: ...
    def resolve(self, name: str) -> str: ...
    def stances(self) -> str: ...
    def registry(self) -> str: ...
    def freshness(self) -> str: ...
    def path(self) -> "PathLike[str]": ...
    def stats(self) -> Tuple[int, int]: ...

class Results:
    def total(self) -> int: ...
    def __len__(self) -> int: ...
    def json(self) -> str: ...
    def query_json(self) -> str: ...
    def hit_json(self, i: int) -> str: ...
    def hit_head(self, i: int) -> Tuple[str, str, int, Optional[float]]: ...
    def hit_text(self, i: int) -> str: ...
