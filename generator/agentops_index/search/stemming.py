"""Where the tokenizer's stemmer and stop words come from: Whoosh's, in the package.

This module is a seam. The agentops plugins' standard-library reader (``answer.py``, copied by ``reader_copy.py``) gets a
generated copy of it that holds the source of the same Porter stemmer and the same stop words,
taken from the pinned Whoosh, so the index, the CLI and the reader cut text identically.
"""

from __future__ import annotations

from whoosh.analysis import STOP_WORDS as STOP_WORDS
from whoosh.lang.porter import stem as stem

__all__ = ["STOP_WORDS", "stem"]
