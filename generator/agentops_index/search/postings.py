"""Reading a term's document numbers from Whoosh a block at a time, and integer columns whole.

Whoosh's ``Matcher.all_ids()`` yields one document number per Python generator step through
three layers of matchers: about 1.3 µs a document, 40 ms for the postings a query of common
words touches at 30,000 plugins. Its on-disk format (whoosh-reloaded 2.7.5, pinned) stores
postings in blocks of delta-encoded numbers; decoding a whole block with ``accumulate`` runs in
C. ``ids`` reads blocks that way and falls back to ``all_ids()`` for any matcher it does not
recognise, so a different Whoosh release costs speed, never correctness (a test compares both).
``numbers`` reads an integer column's fixed-width values as one array per segment in the same
spirit, or returns None for a column laid out otherwise.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable
from itertools import accumulate, chain
from typing import Any

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, NUMERIC
from whoosh.matching.wrappers import FilterMatcher

FLIP_TOP_BIT = bytes(b ^ 0x80 for b in range(256))


def _block_ids(matcher: Any) -> list[int] | None:
    """Every id of a W3 leaf matcher, read by blocks; None when it is not one."""
    needed = ("_goto", "_read_data", "_nextoffset", "_lastblock", "_atend", "_byteids", "_blocklength")
    if not all(hasattr(matcher, name) for name in needed):
        return None
    out: list[int] = []
    while not matcher._atend and matcher._blocklength:
        if matcher._data is None:
            matcher._read_data()
        raw = matcher._data[0]
        out.extend(raw if matcher._byteids else accumulate(raw))
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    return out


def ids(reader: Any, field: str, text: str) -> frozenset[int]:
    """The document numbers holding ``text`` in ``field``, deleted documents left out (one set
    made once: a common word's postings are thousands of numbers)."""
    parts: list[Iterable[int]] = []
    gone: set[int] = set()
    for leaf, offset in reader.leaf_readers():
        if (field, text) not in leaf:
            continue
        matcher = leaf.postings(field, text)
        if isinstance(matcher, FilterMatcher) and getattr(matcher, "_exclude", False):
            gone.update(map(offset.__add__, matcher._ids) if offset else matcher._ids)
            matcher = matcher.child
        got = _block_ids(matcher)
        numbers = got if got is not None else matcher.all_ids()
        parts.append(map(offset.__add__, numbers) if offset else numbers)
    found = frozenset(parts[0] if len(parts) == 1 else chain.from_iterable(parts))
    return found - gone if gone else found


def numbers(reader: Any, field: str) -> list[int] | None:
    """Every document's value of an integer column, read a segment at a time as one array (a
    value through Whoosh's column readers costs 3-4 µs: 15 ms for the 4,000 tied listings a
    query of one generated marketplace's names weighs); None when the column is not one whose
    layout this knows (a test compares both)."""
    kind = reader.schema[field] if field in reader.schema else None  # noqa: SIM401 (a Whoosh Schema has no get)
    if isinstance(kind, NUMERIC) and kind.numtype is int and not kind.decimal_places:
        offset = kind.signed  # a sortable NUMERIC stores a signed number plus 2**(bits - 1)
    elif isinstance(kind, COLUMN) and type(kind.column_type) is NumericColumn:
        offset = False  # a bare column stores the number as it is
    else:
        return None
    out: list[int] = []
    for leaf, start in reader.leaf_readers():
        raw = leaf.column_reader(field, translate=False)
        if start != len(out) or type(raw) is not NumericColumn.Reader or getattr(raw, "_reverse", False):
            return None
        code = raw._typecode
        if code not in "bBhHiIqQ" or array(code).itemsize != raw._fixedlen:
            return None
        data = bytearray(raw._dbfile.get(raw._basepos, raw._count * raw._fixedlen))
        if offset:
            # Flipping each value's top bit (big-endian: its first byte) gives the number in
            # two's complement (whoosh.util.numeric.from_sortable).
            data[0 :: raw._fixedlen] = data[0 :: raw._fixedlen].translate(FLIP_TOP_BIT)
            code = code.lower()
        values = array(code, data)
        if sys.byteorder == "little":
            values.byteswap()  # written big-endian ("!")
        out.extend(values.tolist())
        if raw._count < leaf.doc_count_all():  # documents past the column's end: Whoosh's default
            rest = leaf.column_reader(field)
            out.extend(rest[doc] for doc in range(raw._count, leaf.doc_count_all()))
    return out
