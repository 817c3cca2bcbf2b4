"""The index's postings and columns in SQLite, for the plugins' standard-library reader.

The CLI answers from Whoosh (``index.py``). The reader shipped in the agentops plugins cannot
import Whoosh, so it writes the same documents (``documents.document``) into a table of this
kind, in the query store's own SQLite file, and answers with the same ``query.Searcher``: one
ranking, two ways of reading a term's documents. A term's document numbers are one blob of
native 32-bit integers, read in one look-up (about 2 µs plus 1 ns a number).
"""

from __future__ import annotations

import sqlite3
from array import array
from collections import defaultdict
from pathlib import Path
from typing import Any

from agentops_index.search.documents import CLASSES

COLUMNS = ("grp", "rep", "nlen", "mult", "static")
SCHEMA = """
CREATE TABLE postings (field TEXT NOT NULL, term TEXT NOT NULL, ids BLOB NOT NULL, PRIMARY KEY (field, term)) WITHOUT ROWID;
CREATE TABLE columns (doc INTEGER PRIMARY KEY, grp TEXT NOT NULL, rep INTEGER NOT NULL, nlen INTEGER NOT NULL,
                      mult INTEGER NOT NULL, static INTEGER NOT NULL);
"""


def _terms(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, term) of one document, cut as the Whoosh schema cuts them (index.schema)."""
    out = [("category", doc["category"]), ("marketplace", doc["marketplace"])]
    out += [("component", kind) for kind in doc["component"].split(",") if kind]
    out += [("client", name) for name in doc.get("client", "claude").split(",") if name]
    if doc.get("copy"):
        out.append(("copy", doc["copy"]))
    for cls in CLASSES:
        out += [(cls, term) for term in doc.get(cls, "").split()]
    return out


def write(path: Path, documents: list[dict[str, Any]]) -> dict[str, int]:
    """Add the documents' postings and columns to the SQLite file at ``path``; returns id -> number."""
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    rows = []
    for number, doc in enumerate(documents):
        for key in _terms(doc):
            found[key].append(number)
        rows.append((number, doc["grp"], doc["rep"], doc["nlen"], doc["mult"], doc["static"]))
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        db.executemany(
            "INSERT INTO postings VALUES (?, ?, ?)",
            ((field, term, array("i", sorted(set(ids))).tobytes()) for (field, term), ids in sorted(found.items())),
        )
        db.executemany("INSERT INTO columns VALUES (?, ?, ?, ?, ?, ?)", rows)
        db.commit()
    finally:
        db.close()
    return {doc["id"]: number for number, doc in enumerate(documents)}


class Column:
    """One column of ``columns``, read a document at a time: a query reads a few hundred of
    30,000 values, and reading a whole column was 25 ms of every answer at 30,000 plugins."""

    def __init__(self, db: sqlite3.Connection, name: str) -> None:
        self._db = db
        self._sql = f"SELECT {name} FROM columns WHERE doc = ?"  # a name of COLUMNS
        self._read: dict[int, Any] = {}

    def __getitem__(self, doc: int) -> Any:
        if doc not in self._read:
            row = self._db.execute(self._sql, (doc,)).fetchone()
            if row is None:
                raise IndexError(f"document {doc} is not in the index")
            self._read[doc] = row[0]
        return self._read[doc]


class SqlPostings:
    """The query side's view of the SQLite postings (``hits.Postings``), opened read-only."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self.documents = int(self.db.execute("SELECT count(*) FROM columns").fetchone()[0])
        self._columns: dict[str, Column] = {}

    def ids(self, field: str, term: str) -> frozenset[int]:
        row = self.db.execute("SELECT ids FROM postings WHERE field = ? AND term = ?", (field, term)).fetchone()
        if row is None:
            return frozenset()
        numbers = array("i")
        numbers.frombytes(row[0])
        return frozenset(numbers)

    def has(self, field: str, term: str) -> bool:
        return self.db.execute("SELECT 1 FROM postings WHERE field = ? AND term = ?", (field, term)).fetchone() is not None

    def column(self, name: str) -> Column:
        if name not in COLUMNS:
            raise KeyError(name)
        if name not in self._columns:
            self._columns[name] = Column(self.db, name)
        return self._columns[name]

    def close(self) -> None:
        self.db.close()
