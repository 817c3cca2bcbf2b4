"""Edit distances and sound codes for spelling correction: rapidfuzz and jellyfish, in the package.

This module is a seam. The agentops plugins' standard-library reader (``answer.py``, copied by ``reader_copy.py``) gets a
generated copy built from the pure-Python implementations these two libraries ship beside their
compiled ones (rapidfuzz's ``OSA_py``, jellyfish's ``_jellyfish.metaphone``), so the reader
corrects words as the CLI does, only slower. Metaphone is the pure one here too (see below).
"""

from __future__ import annotations

from collections.abc import Callable

# rapidfuzz is imported where it is used: a query whose words are all known never corrects one,
# and its import is 10-20 ms of a search process.


def distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, neighbours swapped."""
    from rapidfuzz.distance import OSA

    return int(OSA.distance(a, b))


def within(word: str, choices: list[str], edits: int) -> list[tuple[str, int]]:
    """The choices at most ``edits`` away from ``word``, with their distance (in no set order)."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    return [(m[0], int(m[1])) for m in process.extract(word, choices, scorer=OSA.distance, score_cutoff=edits, limit=None)]


def metaphone(word: str) -> str:
    """jellyfish's pure-Python Metaphone, not its compiled one: the plugins' reader can carry only
    the pure one, and the two differ on a few words ("design": TSKN against TS, 6 of 3,583 name
    and keyword words of the corpora), so the CLI uses it too and both give the same codes."""
    import warnings

    from jellyfish import _jellyfish

    pure: Callable[[str], str] = _jellyfish.metaphone
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return str(pure(word))
