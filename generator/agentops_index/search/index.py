"""The Whoosh index of the query records: which listings hold a query's terms, and where.

Every listing is indexed by *relevance class*: one field per place a term can be found, with
the weight ``query.py`` gives a match there (``CLASSES``):

    n   name, display name                                      1.0
    k   keywords, tags                                          0.8
    c1  component names, plugins of up to 9 components          0.8
    c2  ... of 10 to 36 components                              0.5
    c3  ... of more (collections: one part says less)           0.25
    d   description                                             0.6
    x1  component descriptions (same buckets as c)              0.3
    x2                                                          0.2
    x3                                                          0.1
    w   category, marketplace, author                           0.2

Terms come from ``search.terms`` (stemmed; CJK as bigrams), so the index, the query and the
browser cut text the same way. A query reads the postings of its terms in these fields (lists of
document numbers, which Whoosh reads at about 0.4 µs a document) and scores them with set and
dictionary operations; Whoosh's own scoring loop, pure Python per matching document, took 100 ms
for a three-word query at 30,000 plugins (see ``bench/search_speed.py``).

Columns give, per document, what ranking and collapsing need without reading stored fields:
``mult`` (the popularity and penalty multiplier of ``rank.combined`` for relevance 1, in
millionths), ``grp`` (the copy group), ``rep`` (0 for the listing a group shows), ``nlen``
(the number of name terms) and ``static``. ``copy`` marks listings that are not shown, so the
number of plugins a query matches is a set difference.

An index is written once into an empty directory (``cache.py``), or updated in a copy of an
earlier one: only documents whose fingerprint changed are rewritten.
"""

from __future__ import annotations

import io
import mmap
import os
from pathlib import Path
from typing import Any

from whoosh import formats
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

from agentops_index.search import postings
from agentops_index.search.documents import BUCKETS, CLASSES, FIELD_CLASS, bucket, class_terms, document, fingerprint

__all__ = ["BUCKETS", "CLASSES", "FIELD_CLASS", "bucket", "class_terms", "document", "fingerprint"]

INDEX_NAME = "plugins"
# Postings in blocks of 1,024 uncompressed document numbers instead of 128 zlib-compressed
# ones: a query reads each block whole (postings.py), and 8x fewer blocks to seek, unpickle and
# inflate made reading the postings of a query 3x faster at 30,000 plugins; the index grows
# from 33 to 40 MB.
CODEC = {"blocklimit": 1024, "compression": 0}
WRITER = {"limitmb": 512, "compound": False}  # PERFORMANCE.md: halves a 30k-document build against the default
# Big builds also use two writer processes (1.8x faster on 10,000 plugins on 2 cores); small
# ones stay in-process, where forking would cost more than it saves.
PARALLEL = {"limitmb": 256, "procs": 2, "multisegment": True, "compound": False}
PARALLEL_FROM = 5000
# Columns a query reads for hundreds or thousands of documents (every pooled one's ``mult``),
# so read whole (``postings.numbers``: 2 ms at 30,000 plugins) rather than a value at a time.
LOADED = frozenset({"mult", "nlen"})


def codec() -> W3Codec:
    """Whoosh's codec, told that no field keeps lengths (none is scorable: queries score with
    sets, module docstring). Otherwise, for every posting written, Whoosh asks the new
    segment for the field's length, finds no length column, and looks for its file again:
    an ``os.stat`` per posting, 13 of the 39 s an index of 4,612 plugins took to write. The
    postings are the same: a field without lengths is given length 0 either way. (An
    attribute of the instance, not a subclass: the index's table of contents pickles the
    codec, and a class of ours there would tie every index to this module's names.)"""
    made = W3Codec(**CODEC)
    made.length_stats = False
    return made


def schema() -> Schema:
    fields: dict[str, Any] = {
        "id": ID(stored=True, unique=True),
        "fingerprint": STORED(),
        "grp": ID(sortable=True),
        "copy": ID(),
        "category": ID(),
        "marketplace": ID(),
        "component": _ids_only(KEYWORD(commas=True)),
        "client": _ids_only(KEYWORD(commas=True)),
        # Numbers in millionths, as integers (sortable float columns failed to write in
        # whoosh-reloaded 2.7.5, and integers read back the same in every reader).
        # Columns alone: a NUMERIC field also indexes each value at 8 to 16 precisions for range
        # queries, which nothing asks, 48 of a listing's 90 postings.
        "mult": COLUMN(NumericColumn("q")),
        "static": COLUMN(NumericColumn("q")),
        "rep": COLUMN(NumericColumn("i")),
        "nlen": COLUMN(NumericColumn("i")),
    }
    for cls in CLASSES:
        fields[cls] = _ids_only(KEYWORD(scorable=False))
    return Schema(**fields)


def _ids_only(field: Any) -> Any:
    """A KEYWORD field whose postings hold document numbers alone. Whoosh's KEYWORD keeps each
    term's frequency in every posting, which only Whoosh's own scoring reads and queries never
    use (module docstring): at 30,000 plugins the index is 19% smaller (40.8 -> 33.1 MB)."""
    field.format = formats.Existence(field_boost=field.format.field_boost)
    return field


def write(
    directory: Path, documents: list[dict[str, Any]], existing: dict[str, str] | None = None, wanted: set[str] | None = None
) -> tuple[int, int, int]:
    """Create the index in ``directory`` or, given the fingerprints already in it, update it.

    ``wanted``: the ids the index is to hold, when ``documents`` are only those that changed
    (``cache.prepare`` makes no document for a record whose fingerprint is in the index
    already); by default, the ids of ``documents``. Returns (added, updated, deleted).
    """
    if existing is None:
        ix = whoosh_index.create_in(str(directory), schema(), indexname=INDEX_NAME)
        existing = {}
    else:
        ix = whoosh_index.open_dir(str(directory), indexname=INDEX_NAME)
    wanted = {d["id"] for d in documents} if wanted is None else wanted
    changed = [d for d in documents if existing.get(d["id"]) != d["fingerprint"]]
    removed = [pid for pid in existing if pid not in wanted]
    if changed or removed or not existing:
        big = len(changed) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1
        writer = ix.writer(codec=codec(), **(PARALLEL if big else WRITER))
        for pid in removed:
            writer.delete_by_term("id", pid)
        for doc in changed:
            (writer.update_document if existing else writer.add_document)(**doc)
        writer.commit(optimize=not existing)
    ix.close()
    added = sum(1 for d in changed if d["id"] not in existing)
    return added, len(changed) - added, len(removed)


def fingerprints(directory: Path) -> dict[str, str]:
    """id -> fingerprint of every document in an existing index."""
    ix = open_index(directory)
    try:
        with ix.reader() as reader:
            return {f["id"]: f["fingerprint"] for f in reader.all_stored_fields()}
    finally:
        ix.close()


def numbers(directory: Path) -> dict[str, int]:
    """id -> document number in the index as written (the store keeps them, so a query maps the
    plugins it finds by name to documents without a term look-up each)."""
    ix = open_index(directory)
    try:
        with ix.reader() as reader:
            return {fields["id"]: doc for doc, fields in reader.iter_docs()}
    finally:
        ix.close()


def open_index(directory: Path) -> Any:
    """The index in ``directory`` for queries: its files mapped into memory (MappedStorage)."""
    return MappedStorage(str(directory), readonly=True).open_index(INDEX_NAME)


class MappedStorage(FileStorage):  # type: ignore[misc]  # Whoosh ships no types
    """A folder of segment files (written apart: ``compound=False``) that a query reads through
    memory maps. Whoosh reads a compound segment by copying each of its parts into memory (a
    ``BytesIO`` of the whole postings file, 40 MB at 30,000 plugins, for every process), and reads
    separate files with a seek and a read call into a buffered file for every block; a map costs
    neither and only the pages a query touches are read."""

    def open_file(self, name: str, **kwargs: Any) -> Any:
        with open(self._fpath(name), "rb") as handle:
            if os.fstat(handle.fileno()).st_size == 0:  # an empty file cannot be mapped
                return StructFile(io.BytesIO(b""), name=name, **kwargs)
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return StructFile(mapped, name=name, **kwargs)


class WhooshPostings:
    """The query side's view of a Whoosh index: a term's documents, whether a term is there, and
    the columns (``hits.Postings``)."""

    def __init__(self, directory: Path) -> None:
        self.ix = open_index(directory)
        # The reader alone: a searcher (whoosh.searching, whoosh.query) is Whoosh's scoring, which
        # queries do not use (module docstring), and importing it is 15 ms of a search process.
        self.reader = self.ix.reader()
        self.documents = self.reader.doc_count()

    def ids(self, field: str, term: str) -> frozenset[int]:
        return postings.ids(self.reader, field, term)

    def has(self, field: str, term: str) -> bool:
        return (field, term) in self.reader

    def column(self, name: str) -> Any:
        if name in LOADED:
            whole = postings.numbers(self.reader, name)
            if whole is not None:
                return whole
        return self.reader.column_reader(name)

    def close(self) -> None:
        self.reader.close()
        self.ix.close()
