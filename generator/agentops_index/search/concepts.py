"""A query's concepts: one per word, its stems and the synonyms that count as it; two words that
make one (``pull requests`` or ``test driven development``, a multi-word synonym; ``fast api``, two halves of a name or keyword
word) are one concept."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from itertools import pairwise

from agentops_index.search import terms
from agentops_index.search.hits import Holding, Term
from agentops_index.search.store import NAME_KEY

JOIN_PART = 4  # letters: two words join into one only when one is this short ("fast api", "swift ui")


def joinable(a: str, b: str) -> bool:
    """Whether two query words may be the halves of one word (rank.js asks the same)."""
    return a.isalnum() and b.isalnum() and min(len(a), len(b)) <= JOIN_PART


def phrase_map(synonyms: dict[str, list[str]]) -> dict[tuple[str, ...], list[str]]:
    """Stems of every multi-word synonym -> the words it stands for (``merge request`` -> ``pr``, ``mr``)."""
    out: dict[tuple[str, ...], list[str]] = {}
    for word, alternatives in synonyms.items():
        for alternative in alternatives:
            stems = tuple(terms.tokens(alternative))
            if len(stems) > 1 and word not in out.setdefault(stems, []):
                out[stems].append(word)
    return out


def forms(word: str, stems: list[str], synonyms: dict[str, list[str]]) -> list[list[str]]:
    out = [stems]
    for alternative in synonyms.get(word, []):
        alt = terms.tokens(alternative)
        if alt and alt not in out:
            out.append(alt)
    return out


def concepts(
    words: list[str],
    synonyms: dict[str, list[str]],
    phrases: dict[tuple[str, ...], list[str]],
    named: Callable[[Iterable[str]], set[str]],
) -> list[Term]:
    """The query's concepts; ``named`` says which joined words are words of names or keywords."""
    kept = [(w, terms.tokens(w, frozenset())) for w in words if w not in terms.STOP_WORDS]
    kept = [(w, stems) for w, stems in kept if stems]
    pairs = {a + b for (a, _), (b, _) in pairwise(kept) if joinable(a, b)}
    joined = named(pairs)
    out: dict[str, Term] = {}
    i = 0
    longest = max((len(p) for p in phrases), default=0)
    while i < len(kept):
        word, stems = kept[i]
        term = None
        # The longest synonym phrase the words begin ("test driven development" is tdd), then a
        # name's two halves.
        for size in range(min(longest, len(kept) - i), 1, -1):
            span = kept[i : i + size]
            phrase = tuple(s for _, ss in span for s in ss)
            if phrase in phrases:
                spelled = [list(phrase)]
                for key in phrases[phrase]:
                    spelled += [f for f in forms(key, terms.tokens(key, frozenset()), synonyms) if f not in spelled]
                term = Term(" ".join(w for w, _ in span), spelled)
                i += size
                break
        if term is None and i + 1 < len(kept) and word + kept[i + 1][0] in joined:
            nxt, more = kept[i + 1]
            term = Term(f"{word} {nxt}", [terms.tokens(word + nxt, frozenset()), stems + more], own=2)
            i += 2
        if term is None:
            term = Term(word, forms(word, stems, synonyms))
            i += 1
        out.setdefault(" ".join(term.forms[0]), term)
    # A synonym that is another word of the query is that word's, not counted twice ("ci
    # pipeline": pipeline is a synonym of ci and a word of its own).
    said = {tuple(t.forms[0]) for t in out.values()}
    for term in out.values():
        term.forms = [term.forms[0], *(f for f in term.forms[1:] if tuple(f) not in said)]
    return list(out.values())


def named_by_a_word(
    found: list[Term], weak: frozenset[str], exact: Callable[[str], list[tuple[str, int, int]]]
) -> list[tuple[Term, int]]:
    """The listings whose name, display name or entry name is one of the query's words, or its
    stem (``jira``, ``ticket`` for "tickets"), as (concept, document); weak words name nothing."""
    out = []
    for term in found:
        if " " in term.word or term.word in weak:
            continue
        keys = {terms.key(term.word), *(terms.key(s) for s in term.forms[0])}
        docs = {doc for k in keys if k for _, doc, kind in exact(k) if kind == NAME_KEY}
        out += [(term, doc) for doc in sorted(docs)]
    return out


def extent(
    term: Term,
    classes: Collection[str],
    docs: Callable[[str, list[str]], frozenset[int]],
    postings: Callable[[str, str], frozenset[int]],
) -> tuple[set[int], set[int], set[int]]:
    """The documents that hold a concept in any class (``docs(cls, form)``), those that say the
    word itself (its rarity; a name's two halves typed apart anywhere count too), and those that
    hold it in their name or keywords."""
    every: set[int] = set()
    said: set[int] = set()
    strong: set[int] = set()
    for cls in classes:
        found = [docs(cls, form) for form in term.forms]
        said |= found[0]
        every.update(*found)
        if cls in ("n", "k"):
            strong.update(*found)
    for form in term.forms[1 : term.own]:
        said |= frozenset[int].intersection(*(frozenset[int]().union(*(postings(c, s) for c in classes)) for s in form))
    return every, said, strong


def name_key(words: list[str], suffixes: tuple[str, ...], exact: Callable[[str], list[tuple[str, int, int]]]) -> str:
    """The name key a query (its words) looks names up by: its own, or, when no plugin is named so
    and the query is one package-style name (``tailwindcss``) or one typed apart (``tailwind css``,
    ``vue js``: a word and a suffix), its base when a plugin is named that. A longer query ("code
    review css") is not a name: the plugins named by its words are found as such (NAME_WORD)."""
    key = terms.key(" ".join(words))
    if not key or len(words) > 2 or exact(key):
        return key
    base = terms.compound_base(key, suffixes)
    if base is None or (len(words) == 2 and terms.key(words[0]) != base):
        return key
    return base if exact(base) else key


def name_cover(
    found: list[Term], held: list[Holding], matching: set[int], nlen: Sequence[int], weak: frozenset[str]
) -> dict[int, float]:
    """For each matching document whose name holds some of the query's concepts (weak words
    aside): the share of its name's words they are, times their summed rarity (``idf``)."""
    count: dict[int, int] = {}
    rarity: dict[int, float] = {}
    for term, h in zip(found, held, strict=True):
        if all(w in weak for w in term.word.split()):
            continue
        for doc in matching.intersection(h.named):
            count[doc] = count.get(doc, 0) + 1
            rarity[doc] = rarity.get(doc, 0.0) + term.idf
    return {doc: min(1.0, c / max(nlen[doc], 1)) * rarity[doc] for doc, c in count.items()}


def place(
    term: Term,
    doc: int,
    classes: Mapping[str, float],
    postings: Callable[[str, str], frozenset[int]],
    synonym: float,
) -> str | None:
    """The class that gives a matching document its strength for a concept, as ``Searcher._holding``
    weighs them: ``classes`` (class -> weight) weakest first, the word itself taking its class's weight, another form
    ``synonym`` of it where nothing stronger was found. Worked out for the documents an answer
    shows, not for every matching one."""
    strength, found = -1.0, None
    for cls, weight in classes.items():
        held = [all(doc in postings(cls, stem) for stem in form) for form in term.forms]
        if held[0]:
            strength, found = weight, cls
        elif any(held[1:]) and strength < weight * synonym:
            strength, found = weight * synonym, cls
    return found
