"""What a query gives and works with: hits and answers (what ``search --json`` prints), and the
terms, holdings and scored candidates ``query.Searcher`` computes on its way there."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Protocol, TypedDict, TypeVar

T = TypeVar("T")


class PickView(TypedDict):
    """A plugin as the Claude commands present a pick (``Hit.view``)."""

    id: str
    name: str
    description: str
    marketplace: str
    score: float
    risk: str | None
    valid: bool | None
    context_tokens: int
    install: list[str]
    also_in: list[str]


@dataclass(slots=True)
class Hit:
    id: str
    name: str
    description: str
    marketplace: str
    score: float
    relevance: float
    parts: dict[str, float]
    explanation: str
    match: str = ""
    risk: str | None = None
    install: tuple[str, ...] = ()  # built by us from structured fields, never from author text
    also_in: list[str] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)

    def view(self) -> PickView:
        """The plugin as the Claude commands present a pick: what it is, how risky, what it
        costs, how to install it, and its other listings."""
        r = self.record
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description[:280],
            "marketplace": self.marketplace,
            "score": round(self.score, 4),
            "risk": self.risk,
            "valid": r.get("valid"),
            "context_tokens": r.get("context_tokens", 0),
            "install": list(self.install),
            "also_in": self.also_in,
        }

    def as_dict(self) -> dict[str, Any]:
        r = self.record
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "marketplace": self.marketplace,
            "score": round(self.score, 4),
            "parts": {"relevance": round(self.relevance, 4), **self.parts},
            "also_in": self.also_in,
            "match": self.match,
            "explanation": self.explanation,
            "category": r.get("category"),
            "valid": r.get("valid"),
            "errors": r.get("errors", 0),
            "warnings": r.get("warnings", 0),
            "client": r.get("home", "claude"),  # whose catalog lists it, and so whose rules "valid" is by
            "risk": self.risk,
            "signal": r.get("signal"),
            "stars": r.get("stars"),
            "slug": r.get("slug"),
            "install": list(self.install),
        }


@dataclass(slots=True)
class Answer:
    query: str
    did_you_mean: str | None = None
    results: list[Hit] = field(default_factory=list)
    total: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "did_you_mean": self.did_you_mean,
            "total": self.total,
            "results": [h.as_dict() for h in self.results],
        }


@dataclass(slots=True)
class Term:
    """One query word: its stem and the synonyms that count as it (each a list of stems)."""

    word: str
    forms: list[list[str]]
    idf: float = 1.0
    own: int = 1  # forms that are the words as typed: two for a name's halves ("fast api") and their join


# How a listing whose name holds every concept matches: by the words themselves, or with some
# only as another spelling (a newcomer saw terraform-plan-review "every word in the name" of
# "code review": its name says review, which "code review" is a spelling of).
NAMED_MATCH = {True: "every word in the name", False: "every word in the name, or another spelling of it"}
# What query.py's _relevance gives: each matching document's relevance; the documents whose name
# holds every concept (True: as the words themselves); the matching documents (an explanation
# says where a concept is held only for those).
Relevance = tuple[dict[int, float], dict[int, bool], set[int]]


@dataclass(slots=True)
class Holding:
    """Where the matching documents hold one concept: the weight of the strongest class
    (``strength``), in two or three classes, in the name (``named``), and the strongest of the
    plugin's own text (name, keywords, description: ``own``). ``concepts.extent`` has the rest."""

    strength: dict[int, float] = field(default_factory=dict)
    twice: set[int] = field(default_factory=set)
    thrice: set[int] = field(default_factory=set)
    named: set[int] = field(default_factory=set)
    named_own: frozenset[int] = frozenset()  # in the name as the word itself, not a synonym
    own: dict[int, float] = field(default_factory=dict)  # filled for alternatives (any_word) only


@dataclass(slots=True)
class Scored:
    """A matching document on its way to an answer."""

    doc: int
    tier: int
    relevance: float
    score: float
    match: str = ""
    id: str = ""
    grp: str = ""  # the copy group and rep (0: the listing it shows), read with the id
    rep: int = 0


class Values(Protocol):
    """A column's value by document number."""

    def __getitem__(self, doc: int, /) -> Any: ...


class Postings(Protocol):
    """Where a query reads which documents hold a term: the Whoosh index in the CLI
    (``index.WhooshPostings``), SQLite in the plugins' reader (``sqlpostings.SqlPostings``)."""

    documents: int

    def ids(self, field: str, term: str) -> frozenset[int]: ...

    def has(self, field: str, term: str) -> bool: ...

    def column(self, name: str) -> Values: ...

    def close(self) -> None: ...


def in_claude(record: dict[str, Any]) -> bool:
    """Whether a query record is a Claude Code listing (else another client's catalog gives it:
    its ``home``), the only kind bundles and the Claude commands offer."""
    return bool(record.get("home", "claude") == "claude")


def claude_first(fetch: Callable[[int], Sequence[T]], record: Callable[[T], dict[str, Any]], want: int) -> list[T]:
    """The first ``want`` items ``fetch(limit)`` returns that are Claude Code listings, asking for
    more (four times as many, up to 2,000) while other clients' records crowd them out."""
    limit = min(want + 5, 2000)
    while True:
        got = fetch(limit)
        mine = [item for item in got if in_claude(record(item))]
        if len(mine) >= want or len(got) < limit or limit >= 2000:
            return mine[:want]
        limit = min(limit * 4, 2000)


def claude_hits(fetch: Callable[[int], Sequence[Hit]], want: int) -> list[Hit]:
    """``claude_first`` for search results."""
    return claude_first(fetch, _hit_record, want)


def _hit_record(hit: Hit) -> dict[str, Any]:
    return hit.record


def install_for(record: dict[str, Any], client: str | None) -> tuple[str, ...]:
    """The commands that install a result in ``client`` (the search's client facet; none: the
    client whose catalog gives the record): Claude Code's for Claude, that client's for another."""
    wanted = client or record.get("home", "claude")
    if wanted == "claude":
        return tuple(record["install"])
    return tuple(line for who, line in record.get("installs", ()) if who == wanted)


PLACES = 9  # a score's decimal places when answers are ranked: closer scores tie, broken by id


def text_score(relevance: float, mult: int) -> float:
    """What a match scores: its relevance times the popularity multiplier (kept in millionths)."""
    return relevance * mult / 1_000_000


def pool(
    relevance: dict[int, float],
    size: int,
    mult: Values | None = None,
    keep: AbstractSet[int] = frozenset(),
    groups: Values | None = None,
    shown: int = 0,
    skip: AbstractSet[int] = frozenset(),
) -> list[tuple[int, float]]:
    """The ``size`` most relevant documents, and those tied with the last of them: which
    documents of a tie made the cut would otherwise depend on how the index numbered them.

    Given ``mult`` (the popularity multiplier in millionths: a text match scores relevance
    times it, ``text_score``, ranked to ``PLACES``, as ``query.Searcher`` ranks), a tie of more than
    ``size`` documents (4,000 listings of one generated marketplace tie at 30,000 plugins)
    keeps only the tied documents that score at least as well as the ``size``-th best of the
    tie: each one left out scores below ``size`` documents of the tie, so it cannot be among
    the first ``shown`` answers as long as those span ``shown`` copy groups (``groups``:
    document -> group; without it, ``shown`` documents), which is checked (else the whole tie
    stays). Documents of ``keep`` (named ones, which rank above text matches) always stay.
    ``skip``: documents answered otherwise (by name); a tie is cut only when one it keeps is
    not, so the best text match, and the floor it sets for the count, stay the same."""
    if size <= 0:
        return []
    if len(relevance) <= size:
        return sorted(relevance.items(), key=itemgetter(1), reverse=True)
    # The size-th value decides (sorting bare numbers is fast); the items at or above it are
    # sorted stably, so ties keep the order of ``relevance`` either way.
    least = sorted(relevance.values(), reverse=True)[size - 1]
    chosen = [(doc, value) for doc, value in relevance.items() if value >= least]
    tied = [doc for doc, value in chosen if value == least]
    if mult is not None and len(tied) > size:
        popularity: Values = mult
        tied.sort(key=popularity.__getitem__, reverse=True)

        def score(doc: int) -> float:
            return round(text_score(least, int(popularity[doc])), PLACES)  # as Searcher._order ranks

        edge, ahead = score(tied[size - 1]), size
        while ahead < len(tied) and score(tied[ahead]) >= edge:
            ahead += 1
        if _span(tied[:ahead], groups, shown) and any(doc not in skip for doc in tied[:ahead]):
            dropped = set(tied[ahead:]) - keep
            chosen = [(doc, value) for doc, value in chosen if doc not in dropped]
    return sorted(chosen, key=itemgetter(1), reverse=True)


def _span(docs: list[int], groups: Values | None, shown: int) -> bool:
    """Whether ``docs`` are at least ``shown`` answers: copy groups, or documents without ``groups``."""
    if groups is None:
        return len(docs) >= shown
    seen: set[Any] = set()
    for doc in docs:
        seen.add(groups[doc])
        if len(seen) >= shown:
            return True
    return False


def scaled(sums: dict[int, float], ceiling: float) -> dict[int, float]:
    """Each value, at most 1, times ``ceiling`` (in one pass in C when no value needs clipping)."""
    if max(sums.values(), default=0.0) <= 1.0:
        return dict(zip(sums, map(ceiling.__mul__, sums.values()), strict=True))
    return {doc: ceiling * (value if value < 1.0 else 1.0) for doc, value in sums.items()}


def above(values: dict[int, float], floor: float) -> set[int]:
    """The documents whose value is at least ``floor`` (most often all: then none is tested)."""
    if min(values.values(), default=floor) >= floor:
        return set(values)
    return {doc for doc, value in values.items() if value >= floor}
