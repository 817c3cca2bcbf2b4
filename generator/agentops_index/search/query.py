"""Queries: fielded Whoosh search with synonyms and facets, ranked by the published score.

Relevance is Whoosh's BM25F over the boosted fields, normalized to [0, 1] by the best hit,
then combined with each plugin's stored score parts and penalties (``rank.combined``). A
query with words that are not in the index is corrected from the name, keyword, tag and
description vocabulary; when the corrected query finds at least as much, its results are
returned and the answer says so (``did_you_mean``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq
from whoosh.qparser import MultifieldParser, OrGroup

from agentops_index import rank
from agentops_index.config import Ranking, Search
from agentops_index.snapshot.models import PluginRecord, Snapshot

TEXT_FIELDS = ("text",)  # every field, repeated as often as its boost says (search/index.py)
CANDIDATES = 100  # hits re-ranked by the combined score
SPELLING = ("name", "keywords", "tags", "description")  # where corrections come from
_WORD = re.compile(r"[\w.+#-]+", re.UNICODE)


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
    risk: str | None = None
    install: tuple[str, ...] = ()  # built by us from structured fields, never from author text

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "marketplace": self.marketplace,
            "score": round(self.score, 4),
            "parts": {"relevance": round(self.relevance, 4), **self.parts},
            "explanation": self.explanation,
            "risk": self.risk,
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


def _expand(text: str, search: Search) -> str:
    """The query with synonyms OR-ed in, word by word (quoted phrases kept whole)."""
    out = []
    for word in _WORD.findall(text.lower()):
        alternatives = [word, *search.synonyms.get(word, [])]
        alternatives = [f'"{a}"' if " " in a else a for a in alternatives]
        out.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    return " ".join(out)


def _filters(category: str | None, marketplace: str | None, component: str | None) -> wq.Query | None:
    terms = []
    if category:
        terms.append(wq.Term("category", category))
    if marketplace:
        terms.append(wq.Term("marketplace", marketplace.lower()))
    if component:
        terms.append(wq.Term("component", component))
    return wq.And(terms) if terms else None


class Searcher:
    """Queries over one snapshot and its index (open it with ``with``)."""

    def __init__(self, snapshot: Snapshot, ix: Any, search: Search, ranking: Ranking) -> None:
        self.snapshot = snapshot
        self.plugins: dict[str, PluginRecord] = {p.id: p for p in snapshot.plugins}
        self.ix = ix
        self.search_cfg = search
        self.ranking = ranking
        self.searcher = ix.searcher()
        self._ids: dict[int, str] = {}
        # Plain OR: the coordination bonus of OrGroup.factory() made Whoosh compute the matching
        # terms of every hit, 5x slower; BM25F already rewards documents matching more words.
        self.parser = MultifieldParser(list(TEXT_FIELDS), ix.schema, group=OrGroup)

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.searcher.close()

    def _hits(self, text: str, filters: wq.Query | None) -> list[tuple[str, float]]:
        expanded = _expand(text, self.search_cfg)
        if not expanded:
            return []
        query = self.parser.parse(expanded)
        # The top by (score, id). Whoosh's own top-N breaks ties by document number, which
        # depends on how the index was written (its parallel writer), so a tie across the cut
        # would change the answer from one build of the same snapshot to the next: then every
        # match is collected and the tie is broken by id.
        top = self.searcher.search(query, limit=CANDIDATES + 1, filter=filters).top_n
        if len(top) > CANDIDATES and round(top[CANDIDATES - 1][0], 9) == round(top[CANDIDATES][0], 9):
            top = self.searcher.search(query, limit=None, filter=filters).top_n
        ranked = sorted(((round(score, 9), self._id_of(docnum)) for score, docnum in top), key=lambda h: (-h[0], h[1]))
        return [(pid, score) for score, pid in ranked[:CANDIDATES]]

    def _id_of(self, docnum: int) -> str:
        """A document's plugin id, read once per Searcher (only for documents a query ranked)."""
        found = self._ids.get(docnum)
        if found is None:
            found = self._ids[docnum] = self.searcher.stored_fields(docnum)["id"]
        return found

    def _hit(self, plugin_id: str, relevance: float) -> Hit:
        plugin = self.plugins[plugin_id]
        record = plugin.score
        combined = rank.combined(relevance, record, self.ranking) if record else relevance * self.ranking.weights["relevance"]
        u = plugin.untrusted
        return Hit(
            id=plugin.id,
            name=u.display_name.text if u.display_name else u.name.text,
            description=u.description.text if u.description else "",
            marketplace=plugin.marketplace,
            score=combined,
            relevance=relevance,
            parts=record.parts.model_dump() if record else {},
            explanation=record.explanation if record else "",
            risk=plugin.risk,
            install=tuple(c for c in (plugin.install.marketplace_add, plugin.install.plugin_install) if c),
        )

    def _ranked(self, hits: list[tuple[str, float]], limit: int) -> list[Hit]:
        best = max((score for _, score in hits), default=0.0) or 1.0
        ranked = [self._hit(pid, score / best) for pid, score in hits if pid in self.plugins]
        ranked.sort(key=lambda h: (-round(h.score, 9), h.id))
        return ranked[:limit]

    def query(
        self,
        text: str,
        category: str | None = None,
        marketplace: str | None = None,
        component: str | None = None,
        limit: int = 10,
        correct: bool = True,
    ) -> Answer:
        """Search; an empty ``text`` lists the facet's plugins by static score. ``correct=False``
        skips the spelling correction (for queries we wrote ourselves, such as workflow stages)."""
        filters = _filters(category, marketplace, component)
        answer = Answer(query=text)
        if not text.strip():
            listed = self.searcher.search(filters or wq.Every(), limit=None, sortedby="static", reverse=True)
            answer.total = len(listed)
            answer.results = [self._hit(hit["id"], 0.0) for hit in listed[:limit]]
            return answer
        hits = self._hits(text, filters)
        corrected = self._correct(text) if correct else None  # None unless some word is not in the vocabulary
        if corrected and corrected != text.lower():
            better = self._hits(corrected, filters)
            if len(better) >= len(hits):
                answer.did_you_mean, hits = corrected, better
        answer.total = len(hits)
        answer.results = self._ranked(hits, limit)
        return answer

    def _correct(self, text: str) -> str | None:
        """Each word not in the vocabulary replaced by its closest indexed word (name, description)."""
        words = _WORD.findall(text.lower())
        reader = self.searcher.reader()
        analyzer = self.ix.schema["text"].analyzer
        known = [
            word in self.search_cfg.synonyms or any(reader.frequency("text", token.text) for token in analyzer(word))
            for word in words
        ]
        if all(known):
            return None
        correctors = [self.searcher.corrector(f) for f in SPELLING]
        out, changed = [], False
        for word, is_known in zip(words, known, strict=True):
            if is_known:
                out.append(word)
                continue
            suggestion = next((s for c in correctors for s in c.suggest(word, limit=1, maxdist=2)), None)
            out.append(suggestion or word)
            changed = changed or bool(suggestion)
        return " ".join(out) if changed else None
