"""Queries: the plugin a person names first, then the plugins that match best, popularity breaking ties.

A query is answered from the query store and the Whoosh index (``cache.py`` prepares both), never
from the snapshot. Four kinds of candidates are gathered:

1. listings whose name, display name, entry name, id or slug has the query's name key (its
   letters and digits: ``pr review toolkit`` = ``PRReviewToolkit`` = ``pr-review-toolkit``);
2. listings whose name key starts with the query's key (``frontend-des``);
3. listings whose name holds every query word;
4. listings that hold any query word (or synonym) in their indexed text.

Relevance (in [0, 1]) says how well a listing matches, by *where* the query's words are found:
an exact name 1.0; a name the query begins 0.85 to 0.95; a name holding every word 0.7 to 0.8;
otherwise 0.6 times the rarity-weighted share of the query's words found, each counted by its
best field (``documents.CLASSES``: name 1, keywords 0.8, description 0.6, ...), and 0.4 of a
word's share more for a listing whose name, display name or entry name is that word (or its stem)
when the query has other words and at most 2% of all listings say it, not a weak word. Popularity
counts in proportion to relevance (``rank.combined``): a plugin that barely matches stays below.

Listings of the same plugin (a copy group, ``identity.py``) are answered once, by the listing
the store marks to show; ``also_in`` names the others and ``total`` counts plugins.
"""

from __future__ import annotations

import gc
import math
from collections import OrderedDict
from collections.abc import Iterable
from operator import itemgetter
from pathlib import Path
from typing import Any

from agentops_index import rank
from agentops_index.config import Ranking, Search
from agentops_index.search import concepts, hits, spelling, terms
from agentops_index.search.documents import CLASSES
from agentops_index.search.hits import NAMED_MATCH, Answer, Hit, Holding, Postings, Relevance, Scored, Term, install_for
from agentops_index.search.store import ID_KEY, STORE_FILE, Store

# Class -> weight, weakest first: a stronger class overwrites a weaker one.
ORDER = dict(sorted(CLASSES.items(), key=itemgetter(1)))
CLASS_WORD = {"n": "name", "k": "keywords", "d": "description", "w": "category or marketplace"}
CLASS_WORD.update({f"c{i}": "component names" for i in "123"} | {f"x{i}": "component descriptions" for i in "123"})
# How a listing matches, which is also the order of answers (within each, by score): the listing
# whose id you typed, the names you typed, the names you began typing, those holding every word.
EXACT_ID, EXACT, PREFIX, NAMED, TEXT = 4, 3, 2, 1, 0
TEXT_CEILING, OWN_CLASSES = 0.6, frozenset({"n", "k", "d"})
ANY_BEST = 0.7  # with any_word: the share of relevance the best-held word gives
SPREAD, SPREAD_CAP = 0.15, 3  # share of a concept's weight that counts in how many classes (up to 3) it is held
COMMON = 0.2  # of all documents: a concept held more widely is not informative on its own
COMMON_FLOOR = 500  # documents: below this a concept is always informative (the work is small anyway)
SYNONYM = 0.8  # of a class's weight: a match on a synonym of the word, not the word
FLOOR = 0.1  # of the best match's relevance: weaker matches are left out
NAME_WORD, NAME_WORD_RARE = 0.4, 0.02  # of a word's share, when a plugin's name is a query word that few plugins say
NAME_COVER = 0.4  # of the share of the words a plugin's name holds, times the part of its name they are
CACHE_IDS = 400_000  # document numbers of postings kept between queries (about 25 MB at most)
Facets = tuple[str | None, str | None, str | None, str | None]  # category, marketplace, component kind, client
POOL = 500  # documents, by relevance, that are scored (hits.pool); the popularity multiplier is at most 2.5


class Searcher:
    """Queries over one prepared query store and index (open it with ``with``)."""

    def __init__(self, directory: Path, search: Search, ranking: Ranking, index: Postings | None = None) -> None:
        self.directory = directory
        self.store = Store(directory / STORE_FILE)
        if index is None:
            from agentops_index.search.index import WhooshPostings

            index = WhooshPostings(directory / "whoosh")
        self.index = index
        self.search_cfg = search
        self.ranking = ranking
        self.documents = max(index.documents, 1)
        self._columns: dict[str, Any] = {}
        self._cache: OrderedDict[tuple[str, str], frozenset[int]] = OrderedDict()
        self._cached = 0
        self._phrase_map: dict[tuple[str, ...], list[str]] | None = None

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.index.close()
        self.store.close()

    # --- reading the index -----------------------------------------------------------------

    def _postings(self, field: str, term: str) -> frozenset[int]:
        """A term's documents, kept for the next queries (bundles, discover and long-lived
        searchers ask for the same common words again), up to CACHE_IDS document numbers."""
        key = (field, term)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        found = self.index.ids(field, term)
        self._cache[key] = found
        self._cached += len(found) + 1  # an empty answer is kept too, and counts
        while self._cached > CACHE_IDS and len(self._cache) > 1:
            _, dropped = self._cache.popitem(last=False)
            self._cached -= len(dropped)
        return found

    def _column(self, name: str) -> Any:
        if name not in self._columns:
            self._columns[name] = self.index.column(name)
        return self._columns[name]

    def _facets(self, facets: Facets) -> frozenset[int] | None:
        """The documents the facets allow (None: no facet)."""
        allowed: frozenset[int] | None = None
        for name, value in zip(("category", "marketplace", "component", "client"), facets, strict=True):
            if value:
                value = value.lower() if name == "marketplace" else value
                docs = self._postings(name, value)
                allowed = docs if allowed is None else allowed & docs
        return allowed

    # --- the query's terms -----------------------------------------------------------------

    def _indexed(self, word: str) -> bool:
        """Whether the index holds every stem of ``word`` (so a word is known in any inflection)."""
        stems = terms.tokens(word, frozenset())
        return bool(stems) and all(any(self.index.has(cls, s) for cls in CLASSES) for s in stems)

    def _words(self, text: str) -> tuple[list[str], bool]:
        """The query's words; a CamelCase word the index does not know is split (``PRReviewToolkit``),
        a known one is kept (``GitHub``, ``iOS``). A word of another language that the
        translation table has is searched as its English words, and kept too when the index
        holds it (``Tests schreiben`` -> ``tests write``; ``代码审查`` -> ``代码审查 code review``).
        Also whether the query is in another language: then its function words ("de") are left out."""
        cased = terms.without_idioms(terms.cased_runs(text), self.search_cfg.function_phrases)
        folded = [terms.fold(w) for w in cased]
        split = [terms.humps(w) for w in cased]
        unknown = {f for f, parts in zip(folded, split, strict=True) if len(parts) > 1} - self.store.known(folded)
        out: list[str] = []
        table = self.search_cfg.translations
        foreign = False
        for word, parts in zip(folded, split, strict=True):
            english = terms.translation(word, table, self._indexed) if table else []
            foreign = foreign or bool(english)
            if english:
                # A Chinese, Japanese or Korean run is kept (plugins written in it say it); another
                # word only when the index knows it (search.js decides the same way).
                out.extend([word, *english] if terms.is_cjk(word) or self._indexed(word) else english)
            elif (base := terms.compound_base(word, self.search_cfg.compound_suffixes)) and not self._indexed(word):
                out.append(base if self.store.exact(base) else word)  # "vuejs", said by no plugin: "vue", a name
            else:
                out.extend(parts if word in unknown else [word])
        return [w for w in out if not foreign or terms.unaccented(w) not in self.search_cfg.function_words], foreign

    def _terms(self, words: list[str]) -> list[Term]:
        """The query's concepts (``concepts.concepts``)."""
        if self._phrase_map is None:
            self._phrase_map = concepts.phrase_map(self.search_cfg.synonyms)
        return concepts.concepts(words, self.search_cfg.synonyms, self._phrase_map, self.store.named)

    # --- relevance -------------------------------------------------------------------------

    def _docs(self, cls: str, form: list[str]) -> frozenset[int]:
        found = self._postings(cls, form[0])
        for stem in form[1:]:
            if not found:
                break
            found = found & self._postings(cls, stem)
        return found

    def _holding(self, term: Term, within: set[int], own: bool) -> Holding:
        """Where the documents of ``within`` hold a concept (any of its forms), class by class
        (``own``: in the plugin's own text too, which only alternatives weigh). Which class gives
        a document its strength is worked out for the documents shown (``concepts.place``)."""
        held = Holding()
        seen: set[int] = set()
        strength = held.strength
        for cls, weight in ORDER.items():
            found = [self._docs(cls, form) & within for form in term.forms]
            # The word itself (its first form); the words as typed, or the name they join (term.own).
            said, own_said, docs = found[0], frozenset[int]().union(*found[: term.own]), set[int]().union(*found)
            if not docs:
                continue
            # A synonym counts SYNONYM of the word itself; classes come weakest first, so it overrides.
            strength.update(dict.fromkeys(said, weight))
            alt = docs - said
            if alt:
                low = weight * SYNONYM
                before = alt.intersection(strength)
                strength.update(dict.fromkeys(alt - before, low))
                for doc in before:
                    if strength[doc] < low:
                        strength[doc] = low
            held.thrice |= docs & held.twice
            held.twice |= docs & seen
            seen |= docs
            if own and cls in OWN_CLASSES:
                held.own.update(dict.fromkeys(docs, weight))
            if cls == "n":
                held.named, held.named_own = docs, own_said
        return held

    def _relevance(self, found: list[Term], any_word: bool = False) -> Relevance:
        """Relevance of the documents that match, the documents whose name holds every concept,
        and where each concept is held most strongly (for explanations).

        A document matches when it holds an informative concept anywhere, or any concept in its
        name or keywords. A concept is informative unless it is a weak word (data/search.toml) or
        more than ``COMMON`` of all documents (and more than ``COMMON_FLOOR``) hold it: "code" in
        "create a new claude code plugin" finds on its own only the plugins named or tagged with
        it; a word in more than ``COMMON`` of all names ("com") finds nothing on its own unless no
        other word finds anything. The work stays proportional to the answer, not to the index.
        """
        extents = [concepts.extent(t, ORDER, self._docs, self._postings) for t in found]
        informative = []
        for term, (every, said, _) in zip(found, extents, strict=True):
            weak = all(w in self.search_cfg.weak_words for w in term.word.split())
            # Rarity counts the documents that say the word itself (not a synonym) anywhere: the
            # documents Pagefind's quoted search finds, so the browser measures the same.
            term.idf = math.log(1 + self.documents / (1 + len(said))) * (self.search_cfg.weak_weight if weak else 1.0)
            informative.append(not weak and (len(every) <= COMMON * self.documents or len(every) <= COMMON_FLOOR))
        matching: set[int] = set()
        for (every, _, strong), wide in zip(extents, informative, strict=True):
            if wide:
                matching.update(every)
            elif len(strong) <= COMMON * self.documents or len(strong) <= COMMON_FLOOR:
                matching.update(strong)
        if not matching:  # every word is everywhere ("com api"): the names and keywords that hold them
            for _, _, strong in extents:
                matching.update(strong)
        # Where each concept is held is worked out for the matching documents only: a word in most
        # plugins ("claude") would otherwise cost a dictionary entry for each of them.
        held = [self._holding(t, matching, any_word) for t in found]
        total = sum(t.idf for t in found) or 1.0
        sums = dict.fromkeys(matching, 0.0)
        # A plugin named by one of several query words that few say ("jira" in "create jira tickets from
        # my todo list", not "test") is that thing; a word many say is not looked up.
        few = NAME_WORD_RARE * self.documents if len(found) > 1 else -1
        rare = {id(t): h for t, h, e in zip(found, held, extents, strict=True) if len(e[1]) <= few}
        few_said = [t for t in found if id(t) in rare]
        named_by = concepts.named_by_a_word(few_said, self.search_cfg.weak_words, self.store.exact)
        for term, doc in named_by:
            if doc in sums and doc in rare[id(term)].strength:
                sums[doc] += NAME_WORD * term.idf / total
        # A plugin whose name the query's words cover is what was asked for ("vulnerability-scanner" for
        # "scan my code for vulnerabilities"), more than one whose name adds more ("xss-vulnerability-scanner"),
        # counting the words few plugins say, as NAME_WORD does (the browser fetches few pages for the others).
        cover = concepts.name_cover(
            few_said, [rare[id(t)] for t in few_said], matching, self._column("nlen"), self.search_cfg.weak_words
        )
        for doc, value in cover.items():
            sums[doc] += NAME_COVER * value / total
        for term, h in zip(found, held, strict=True):
            weight = term.idf / total
            # A concept said in several places (name, keywords, description, components) is what
            # the plugin is about more surely than one said once.
            base, extra = weight * (1 - SPREAD), weight * SPREAD / SPREAD_CAP
            for doc, value in h.strength.items():  # all of them matching documents (_holding)
                sums[doc] += base * value + extra
            for doc in h.twice:
                sums[doc] += extra
            for doc in h.thrice:
                sums[doc] += extra
        if any_word:
            # Alternatives, not a conjunction ("deploy release"): the word the plugin's own name,
            # keywords or description hold best counts most (a component's name says less about
            # what the plugin is for), weighed by its rarity ("code" says less than "scaffold").
            best = dict.fromkeys(sums, 0.0)
            top = max((t.idf for t in found), default=1.0) or 1.0
            for term, h in zip(found, held, strict=True):
                rarity = term.idf / top
                for doc, weight in h.own.items():
                    best[doc] = max(best[doc], rarity * weight)
            sums = {doc: ANY_BEST * best[doc] + (1 - ANY_BEST) * value for doc, value in sums.items()}
        relevance = hits.scaled(sums, TEXT_CEILING)
        named = {d: all(d in h.named_own for h in held) for d in matching.intersection(*(h.named for h in held))} if held else {}
        return relevance, named, matching

    def _explain(self, items: Iterable[Scored], found: list[Term], matching: set[int]) -> None:
        """Says how the items shown match (worked out for them only: a tie can hold thousands)."""
        for item in (i for i in items if not i.match):
            places = (
                (t, concepts.place(t, item.doc, ORDER, self._postings, SYNONYM) if item.doc in matching else None) for t in found
            )
            item.match = ", ".join(f"{t.word} in the {CLASS_WORD[cls]}" for t, cls in places if cls is not None)

    # --- answers ---------------------------------------------------------------------------

    def _hit(self, record: dict[str, Any], relevance: float, match: str) -> Hit:
        score = rank.combined(relevance, record["parts"], record["penalties"], self.ranking)
        return Hit(
            id=record["id"],
            name=record["display_name"] or record["name"],
            description=record["description"],
            marketplace=record["marketplace"],
            score=score,
            relevance=relevance,
            parts=dict(record["parts"]),
            explanation=record["explanation"],
            match=match,
            risk=record["risk"],
            install=tuple(record["install"]),
            record=record,
        )

    def _named_candidates(self, text: str, allowed: frozenset[int] | None) -> dict[int, Scored]:
        """Listings whose name, display name, entry name, id or slug is the query (or begins with it)."""
        out: dict[int, Scored] = {}
        phrases = self.search_cfg.function_phrases
        qkey = concepts.name_key(
            terms.without_idioms(terms.runs(text), phrases), self.search_cfg.compound_suffixes, self.store.exact
        )
        if not qkey:
            return out
        for pid, doc, kind in self.store.exact(qkey):
            if allowed is None or doc in allowed:
                tier = EXACT_ID if kind == ID_KEY else EXACT
                out[doc] = Scored(doc, tier, 1.0, 0.0, "the id" if tier == EXACT_ID else "the name", pid)
        if len(qkey) >= 3:
            starts = [s for s in self.store.prefixed(qkey) if s[1] not in out and (allowed is None or s[1] in allowed)]
            names = self.store.names(pid for pid, _, _ in starts)
            for pid, doc, full in starts:
                if any(terms.aligned_prefix(qkey, n) for n in names.get(pid, ())):
                    out[doc] = Scored(doc, PREFIX, 0.85 + 0.1 * len(qkey) / len(full), 0.0, "the start of the name", pid)
        return out

    def query(
        self,
        text: str,
        category: str | None = None,
        marketplace: str | None = None,
        component: str | None = None,
        limit: int = 10,
        correct: bool = True,
        collapse: bool = True,
        any_word: bool = False,
        client: str | None = None,
    ) -> Answer:
        """Search; an empty ``text`` lists the facets' plugins by static score.

        ``correct=False`` skips the spelling correction (for queries we wrote ourselves, such as
        workflow stages); ``collapse=False`` shows every listing of a plugin; ``any_word`` reads
        the words as alternatives (a workflow stage's "deploy release"), so a plugin named for one
        of them beats one that mentions each in passing.
        """
        # A query's many short-lived sets set off a full cyclic collection now and then (270 ms seen).
        collecting = gc.isenabled()
        gc.disable()
        try:
            answer = self._query(text, category, marketplace, component, limit, correct, collapse, any_word, client)
            for hit in answer.results:
                hit.install = install_for(hit.record, client)
            return answer
        finally:
            if collecting:
                gc.enable()

    def _query(
        self,
        text: str,
        category: str | None,
        marketplace: str | None,
        component: str | None,
        limit: int,
        correct: bool,
        collapse: bool,
        any_word: bool,
        client: str | None = None,
    ) -> Answer:
        answer = Answer(query=text)
        facets = (category, marketplace, component, client)
        if not text.strip():
            return self._listing(answer, facets, limit, collapse)
        allowed = self._facets(facets)
        words, foreign = self._words(text)
        correct = correct and not foreign  # a query in another language is not spelled as English
        fixes = spelling.corrections(words, self.store, self._indexed, self.search_cfg.weak_words) if correct else {}
        if fixes:
            words = [fixes.get(w, w) for w in words]
            answer.did_you_mean = " ".join(words)
        found = self._terms(words)
        relevance, named, matching = self._relevance(found, any_word)
        if allowed is not None:
            relevance = {doc: r for doc, r in relevance.items() if doc in allowed}
        picked = self._named_candidates(" ".join(words) if fixes else text, allowed)
        mult = self._column("mult")
        nlen = self._column("nlen")
        grp = self._column("grp") if collapse else None
        for doc, value in hits.pool(relevance, POOL, mult, named.keys(), grp, limit, picked.keys()):
            if doc in picked:
                continue
            if doc in named:
                share = min(1.0, len(found) / max(nlen[doc], 1))
                picked[doc] = Scored(doc, NAMED, 0.7 + 0.1 * share, 0.0, NAMED_MATCH[named[doc]])
            else:
                picked[doc] = Scored(doc, TEXT, value, 0.0)
        # A match far weaker than the best one (a common word somewhere in a long text) is noise:
        # answered below a plugin that matches, it would only pad the list.
        best = max((item.relevance for item in picked.values() if item.tier in (NAMED, TEXT)), default=0.0)
        floor = FLOOR * best
        picked = {doc: item for doc, item in picked.items() if item.tier not in (NAMED, TEXT) or item.relevance >= floor}
        counted = hits.above(relevance, floor) | picked.keys()
        for item in picked.values():
            item.score = hits.text_score(item.relevance, mult[item.doc])
        ranked = self._order(list(picked.values()), limit, by_group=collapse)
        why = (found, matching)
        if collapse:
            answer.results = self._collapse(ranked, limit, why)
            answer.total = self._count(counted, allowed)
        else:
            answer.results = self._hits(ranked[:limit], why)
            answer.total = len(counted)
        return answer

    def _order(self, items: list[Scored], groups: int, by_group: bool = True) -> list[Scored]:
        """The items by tier and score, ties broken by plugin id, as far as ``groups`` copy groups
        reach (``by_group=False``: as far as that many items).

        Ids (and copy groups) are read only for the items that are shown and those tied with them, so the order
        never depends on how the index happened to number its documents.
        """
        items.sort(key=lambda s: (-s.tier, -round(s.score, hits.PLACES)))
        grp = self._column("grp")
        seen: set[str] = set()
        cut = len(items)
        for position, item in enumerate(items):
            seen.add(grp[item.doc] if by_group else str(item.doc))
            if len(seen) >= groups:
                cut = position + 1
                break
        if cut < len(items):
            last = (items[cut - 1].tier, round(items[cut - 1].score, hits.PLACES))
            while cut < len(items) and (items[cut].tier, round(items[cut].score, hits.PLACES)) == last:
                cut += 1
        head = items[:cut]
        rows = self.store.listings(item.doc for item in head)
        for item in head:
            item.id, item.grp, item.rep = rows[item.doc]
        head.sort(key=lambda s: (-s.tier, -round(s.score, hits.PLACES), s.id))
        return head

    def _hits(self, items: list[Scored], why: tuple[list[Term], set[int]]) -> list[Hit]:
        self._explain(items, *why)
        records = self.store.records(s.id for s in items)
        return [self._hit(records[s.id], s.relevance, s.match) for s in items]

    def _collapse(self, items: list[Scored], limit: int, why: tuple[list[Term], set[int]]) -> list[Hit]:
        """One hit per copy group, in order of the group's best item; the listing shown is the
        group's best-tier item, then the one the store prefers (``rep``)."""
        groups: dict[str, list[Scored]] = {}
        for item in items:
            groups.setdefault(item.grp, []).append(item)
        order = list(groups)[:limit]
        chosen = {g: min(groups[g], key=lambda s: (-s.tier, s.rep)) for g in order}
        self._explain(chosen.values(), *why)
        records = self.store.records(s.id for s in chosen.values())
        members = self.store.members(order)
        out = []
        for g in order:
            best, shown = groups[g][0], chosen[g]
            hit = self._hit(records[shown.id], shown.relevance, shown.match)
            hit.score = max(hit.score, best.score)
            hit.also_in = [pid for pid in members.get(g, []) if pid != hit.id]
            out.append(hit)
        return out

    def _count(self, docs: set[int], allowed: frozenset[int] | None) -> int:
        """How many plugins (copy groups) the matching listings are."""
        if allowed is None:
            # Without facets every group's shown listing is indexed like its copies, so the
            # listings that are not shown are subtracted instead of reading every group.
            return len(docs - self._postings("copy", "1"))
        grp = self._column("grp")
        return len({grp[d] for d in docs})

    def _listing(self, answer: Answer, facets: Facets, limit: int, collapse: bool) -> Answer:
        rows = self.store.listed(*facets)
        if not collapse:
            answer.total = len(rows)
            chosen = [pid for pid, _, _ in rows[:limit]]
        else:
            shown: dict[str, tuple[str, int]] = {}  # group -> (listing, rep), groups by their best score
            for pid, grp, rep in rows:
                if grp not in shown or rep < shown[grp][1]:
                    shown[grp] = (pid, rep)
            answer.total = len(shown)
            chosen = [pid for pid, _ in list(shown.values())[:limit]]
        records = self.store.records(chosen)
        groups = {pid: grp for pid, grp, _ in rows}
        members = self.store.members(groups[pid] for pid in chosen) if collapse else {}
        for pid in chosen:
            hit = self._hit(records[pid], 0.0, "")
            hit.score = records[pid]["static"]
            if collapse:
                hit.also_in = [m for m in members.get(groups[pid], []) if m != pid]
            answer.results.append(hit)
        return answer
