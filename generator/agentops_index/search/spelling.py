"""Typo correction: an unknown query word becomes the closest word of plugin names or keywords.

A word is *known* when any indexed text uses it (names, display names, keywords, tags,
descriptions, component names and descriptions), as written or by its stem: known words are
never rewritten. An unknown word of four to seven letters may be one edit away from its
correction, a longer one two edits if it keeps its first letter (an edit is an insertion, a
deletion, a substitution or two neighbours swapped: ``laravle`` -> ``laravel``); in shorter
words two edits reach unrelated words too often (``chess`` -> ``check``, ``matlab`` ->
``gitlab``). Words of three letters or fewer are left alone. The candidates are the words of
plugin names, display names, keywords and tags, and the words of descriptions and components
that at least two plugins use (one may be someone's own typo), of four letters or more; the
closest wins, then one with the same first letter, then a word of names and keywords, then the
word more plugins use. A word of six letters or more with no
candidate that close may still be corrected to a word that sounds the same (Metaphone), within
three edits and with the same first letter: ``playwrite`` -> ``playwright``.

``fuzzy`` computes the edit distances (rapidfuzz: C++, with a cut-off, over thousands of words
in a millisecond) and the Metaphone codes the store keeps for name and keyword words (jellyfish);
the plugins' reader gets the pure-Python versions of both.
"""

from __future__ import annotations

from collections.abc import Callable

from agentops_index.search import fuzzy
from agentops_index.search.store import Store

PHONETIC_FROM = 6  # letters; shorter words sound alike too easily
LONG_WORD = 8
PHONETIC_EDITS = 3
MIN_UNNAMED_USES = 2
MIN_CORRECTION = 4  # letters: a shorter word is never offered ("perl" is not "per")


def max_edits(word: str) -> int:
    """One edit up to seven letters, two from eight: in shorter words two edits reach too many
    unrelated words (``chess`` -> ``check``, ``matlab`` -> ``gitlab``)."""
    return 0 if len(word) <= 3 else 1 if len(word) < LONG_WORD else 2


def _plausible(word: str, candidate: str, distance: int) -> bool:
    """A correction two or more edits away must keep the word's first letter."""
    return distance <= 1 or candidate[:1] == word[:1]


def correctable(word: str) -> bool:
    return max_edits(word) > 0 and any(ch.isalpha() for ch in word)


def best(word: str, store: Store) -> str | None:
    """The correction of one unknown word, or None."""
    edits = max_edits(word)
    if not edits:
        return None
    pool = {w: (df, named) for w, df, named in store.near(word, len(word) - edits, len(word) + edits)}
    # A word only descriptions use must be used by two plugins: one may be someone's own typo.
    choices = [w for w, (df, named) in pool.items() if (named or df >= MIN_UNNAMED_USES) and len(w) >= MIN_CORRECTION]
    found = [m for m in fuzzy.within(word, choices, edits) if _plausible(word, m[0], m[1])]
    if found:
        # Ties: a word with the same first letter (people seldom miss the first one: "olama" is
        # ollama, not llama), then a word of names and keywords, then the more used.
        return min(found, key=lambda m: (m[1], m[0][:1] != word[:1], -pool[m[0]][1], -pool[m[0]][0], m[0]))[0]
    if len(word) >= PHONETIC_FROM and word.isascii() and word.isalpha():
        alike = dict(store.sounding(fuzzy.metaphone(word)))
        close = [(w, fuzzy.distance(word, w)) for w in alike]
        close = [(w, d) for w, d in close if d <= PHONETIC_EDITS and _plausible(word, w, d)]
        if close:
            return min(close, key=lambda m: (m[1], -alike[m[0]], m[0]))[0]
    return None


def corrections(
    words: list[str], store: Store, indexed: Callable[[str], bool] = lambda _: False, keep: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Unknown word -> its correction, for the words of a query that need one.

    A word is known when the vocabulary has it as written, or ``indexed`` says its stem is in
    the index (``crashing`` is known where only ``crash`` and ``crashes`` are written). Words in
    ``keep`` (the weak words of data/search.toml: "good", "best", "tool") are English people
    wrap requests in, never typos, even where no plugin uses them ("good" is not "mood").
    """
    candidates = [w for w in dict.fromkeys(words) if correctable(w) and w not in keep]
    known = store.known(candidates)
    out = {}
    for word in candidates:
        if word not in known and not indexed(word):
            fixed = best(word, store)
            if fixed and fixed != word:
                out[word] = fixed
    return out
