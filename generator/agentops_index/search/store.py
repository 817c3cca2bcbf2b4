"""The query store: a SQLite file of query records, name keys, copy groups and the vocabulary.

Why SQLite (Python's standard library): a query needs a few records out of tens of thousands,
an exact or prefix look-up of name keys, the members of a copy group, and, only when a word is
misspelled, the words of a length range. An indexed table answers each of those in well under
a millisecond after opening the file, and nothing is read that the answer does not use. (A JSON
sidecar must be parsed whole, 30 MB at 30,000 plugins; Whoosh's stored fields are pickled per
document and have no ordered key look-up.)

Tables:

- ``plugins``: one row per listing; ``record`` is the query record as compressed JSON; ``grp`` its copy
  group (the canonical id); ``rep`` orders a group's listings: 0 is the one shown (the canonical
  listing if valid, else the best-scored valid one, else the best-scored).
- ``keys``: name keys (letters and digits) of names, display names, entry names, ids and slugs.
- ``vocab``: every word of the indexed text (as written, case-folded) with the number of copy
  groups that use it, whether a name, display name, keyword or tag uses it, and the Metaphone
  code of those, for spelling corrections.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from agentops_index.search import fuzzy, terms

STORE_FILE = "store.sqlite"
CHUNK = 900  # ids per statement: under SQLite's default bound on host parameters

SCHEMA = """
CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE plugins(
  id TEXT NOT NULL UNIQUE, doc INTEGER NOT NULL UNIQUE, grp TEXT NOT NULL, rep INTEGER NOT NULL, valid INTEGER NOT NULL, static REAL NOT NULL,
  category TEXT NOT NULL, marketplace TEXT NOT NULL, kinds TEXT NOT NULL, clients TEXT NOT NULL, name TEXT NOT NULL,
  display TEXT NOT NULL, record BLOB NOT NULL
);
CREATE INDEX plugins_grp ON plugins(grp, rep);
CREATE INDEX plugins_top ON plugins(rep, static DESC, id);
CREATE TABLE keys(key TEXT NOT NULL, id TEXT NOT NULL, kind INTEGER NOT NULL, PRIMARY KEY(key, id)) WITHOUT ROWID;
CREATE TABLE vocab(
  word TEXT PRIMARY KEY, df INTEGER NOT NULL, named INTEGER NOT NULL, len INTEGER NOT NULL, c0 TEXT NOT NULL,
  c1 TEXT NOT NULL, sound TEXT
) WITHOUT ROWID;
CREATE INDEX vocab_c0 ON vocab(len, c0);
CREATE INDEX vocab_c1 ON vocab(len, c1);
CREATE INDEX vocab_sound ON vocab(sound);
"""

NAME_KEY, ID_KEY = 0, 1


def field_texts(record: dict[str, Any]) -> dict[str, list[str]]:
    """The record's text by the field it counts as (data/search.toml boosts name them)."""
    docs = [*record["commands"], *record["agents"], *record["skills"]]
    return {
        "name": [record["name"], terms.split_humps(record["name"])],
        "display_name": [record["display_name"] or "", terms.split_humps(record["display_name"] or "")],
        "keywords": list(record["keywords"]),
        "tags": list(record["tags"]),
        "components": [name for name, _ in docs] + list(record["mcp"]),
        "description": [record["description"]],
        "component_descriptions": [d for _, d in docs],
        "category": [record["category"]],
        "marketplace": [record["marketplace"]],
        "author": [record["author"] or ""],
    }


NAMED_FIELDS = frozenset({"name", "display_name", "keywords", "tags"})  # their words are corrections


def kinds(record: dict[str, Any]) -> list[str]:
    """The component kinds present, as search facets name them."""
    counts = record["counts"]
    found = [k for k in ("commands", "agents", "skills", "hooks") if counts.get(k)]
    return found + (["mcp"] if counts.get("mcp_servers") else [])


def group_key(record: dict[str, Any]) -> str:
    return str(record["canonical_id"] or record["id"])


def _shown_order(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A group's listings, the one to show first: canonical if valid, else best-scored valid, else best-scored."""

    def order(r: dict[str, Any]) -> tuple[int, int, float, str]:
        canonical = r["canonical_id"] in (None, r["id"])
        return (0 if r["valid"] else 1, 0 if canonical else 1, -r["static"], r["id"])

    return sorted(members, key=order)


def arrange(records: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str, int]]:
    """Every record with its copy group and its place in the group (0: the listing shown)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        groups[group_key(record)].append(record)
    return [(record, grp, rep) for grp, members in sorted(groups.items()) for rep, record in enumerate(_shown_order(members))]


def _sound(word: str) -> str | None:
    if len(word) < 5 or not word.isascii() or not word.isalpha():
        return None
    return fuzzy.metaphone(word)


def _pack(record: dict[str, Any]) -> bytes:
    """A record as zlib-compressed JSON: a third of the size (the store is 30 MB at 30,000
    plugins, not 85), for about 10 µs a record read."""
    return zlib.compress(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass"))


def _unpack(blob: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(zlib.decompress(blob))
    return value


def build(path: Path, arranged: list[tuple[dict[str, Any], str, int]], docs: dict[str, int], meta: dict[str, str]) -> None:
    """Write a new store at ``path`` (which must not exist yet); ``docs`` maps ids to the
    index's document numbers."""
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        users: dict[str, set[str]] = defaultdict(set)
        named: set[str] = set()
        rows, keys = [], []
        for record, grp, rep in arranged:
            rows.append(
                (
                    record["id"],
                    docs[record["id"]],
                    grp,
                    rep,
                    int(record["valid"]),
                    record["static"],
                    record["category"],
                    record["marketplace"].lower(),
                    " ".join(kinds(record)),
                    " ".join(record.get("clients", ["claude"])),
                    record["name"],
                    record["display_name"] or "",
                    _pack(record),
                )
            )
            entry = record["id"].rsplit("@", 1)[0]
            for value, kind in (
                (record["name"], NAME_KEY),
                (record["display_name"] or "", NAME_KEY),
                (entry, NAME_KEY),
                (record["id"], ID_KEY),
                (record["slug"], ID_KEY),
            ):
                k = terms.key(value)
                if k:
                    keys.append((k, record["id"], kind))
            for field, values in field_texts(record).items():
                for value in values:
                    for word in terms.words(value):
                        users[word].add(grp)
                        if field in NAMED_FIELDS:
                            named.add(word)
        db.executemany("INSERT INTO plugins VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT OR IGNORE INTO keys VALUES (?, ?, ?)", keys)
        db.executemany(
            "INSERT INTO vocab VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (w, len(g), int(w in named), len(w), w[:1], w[1:2], _sound(w) if w in named else None)
                for w, g in sorted(users.items())
            ),
        )
        db.commit()
        db.execute("ANALYZE")
    finally:
        db.close()


class Store:
    """Read access to a built store (opened read-only, so a shared cache is never written by queries)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self.meta = dict(self.db.execute("SELECT k, v FROM meta"))

    def close(self) -> None:
        self.db.close()

    def _select(self, sql: str, values: list[Any]) -> Iterator[tuple[Any, ...]]:
        """Run ``sql`` (with one ``{marks}`` for an IN list) over ``values`` in chunks."""
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            yield from self.db.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)

    def records(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = list(dict.fromkeys(ids))
        return {pid: _unpack(raw) for pid, raw in self._select("SELECT id, record FROM plugins WHERE id IN ({marks})", wanted)}

    def record(self, plugin_id: str) -> dict[str, Any] | None:
        return self.records([plugin_id]).get(plugin_id)

    def names(self, ids: Iterable[str]) -> dict[str, list[str]]:
        """id -> its name, display name and entry name (from their columns: decoding each record
        cost 20 ms for the 200 listings whose names begin with "github")."""
        rows = self._select("SELECT id, name, display FROM plugins WHERE id IN ({marks})", list(dict.fromkeys(ids)))
        return {pid: [n for n in (name, display, pid.rsplit("@", 1)[0]) if n] for pid, name, display in rows}

    def members(self, groups: Iterable[str]) -> dict[str, list[str]]:
        """group -> its listings' ids, the shown one first."""
        out: dict[str, list[str]] = defaultdict(list)
        wanted = list(dict.fromkeys(groups))
        for grp, pid in self._select("SELECT grp, id FROM plugins WHERE grp IN ({marks}) ORDER BY grp, rep", wanted):
            out[grp].append(pid)
        return out

    def top(self, limit: int, valid_only: bool = True) -> list[dict[str, Any]]:
        """The shown listings with the best static score."""
        rows = self.db.execute(
            "SELECT record FROM plugins WHERE rep = 0 AND valid >= ? ORDER BY static DESC, id LIMIT ?",
            (1 if valid_only else 0, limit),
        )
        return [_unpack(raw) for (raw,) in rows]

    def listed(
        self, category: str | None, marketplace: str | None, component: str | None, client: str | None = None
    ) -> list[tuple[str, str, int]]:
        """(id, group, rep) of every listing in the facets, best static score first."""
        where, values = [], []
        for column, value in (("category", category), ("marketplace", marketplace.lower() if marketplace else None)):
            if value:
                where.append(f"{column} = ?")
                values.append(value)
        for column, value in (("kinds", component), ("clients", client)):
            if value:
                where.append(f"(' ' || {column} || ' ') LIKE ?")
                values.append(f"% {value} %")
        if not where:
            where.append("rep = 0")
        sql = f"SELECT id, grp, rep FROM plugins WHERE {' AND '.join(where)} ORDER BY static DESC, id"
        return list(self.db.execute(sql, values))

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM plugins").fetchone()[0])

    def exact(self, key: str) -> list[tuple[str, int, int]]:
        """Listings whose name, display name, entry name, id or slug has this key: (id, document, kind)."""
        sql = "SELECT k.id, p.doc, k.kind FROM keys k JOIN plugins p ON p.id = k.id WHERE k.key = ?"
        return list(self.db.execute(sql, (key,)))

    def prefixed(self, key: str, limit: int = 200) -> list[tuple[str, int, str]]:
        """Listings whose name key starts with ``key``: (id, document, full key), shortest keys first."""
        rows = self.db.execute(
            "SELECT k.id, p.doc, k.key FROM keys k JOIN plugins p ON p.id = k.id"
            " WHERE k.key > ? AND k.key < ? AND k.kind = ? ORDER BY length(k.key), k.key LIMIT ?",
            (key, key + "\U0010ffff", NAME_KEY, limit),
        )
        return list(rows)

    def listings(self, docs: Iterable[int]) -> dict[int, tuple[str, str, int]]:
        """document number -> (plugin id, copy group, 0 if the group shows it)."""
        rows = self._select("SELECT doc, id, grp, rep FROM plugins WHERE doc IN ({marks})", list(dict.fromkeys(docs)))
        return {doc: (pid, grp, rep) for doc, pid, grp, rep in rows}

    def vocabulary(self) -> Iterator[tuple[str, int, int, str | None]]:
        """Every word, in order: (word, copy groups using it, named, its Metaphone code or None)."""
        yield from self.db.execute("SELECT word, df, named, sound FROM vocab ORDER BY word")

    def known(self, words: Iterable[str]) -> set[str]:
        """The words some indexed text uses, as written (not stemmed)."""
        return {w for (w,) in self._select("SELECT word FROM vocab WHERE word IN ({marks})", list(dict.fromkeys(words)))}

    def named(self, words: Iterable[str]) -> set[str]:
        """The given words that some name, display name, keyword or tag uses."""
        sql = "SELECT word FROM vocab WHERE named = 1 AND word IN ({marks})"
        return {w for (w,) in self._select(sql, list(dict.fromkeys(words)))}

    def near(self, word: str, low: int, high: int) -> list[tuple[str, int, int]]:
        """The words of this length range that may be close to ``word``: (word, how many plugins
        use it, whether a name or keyword does). A word one edit away starts with one of the
        first two letters of ``word``, or has one of them second; two edits away, spelling keeps
        the first letter (spelling.py), which the same test covers."""
        firsts = [word[:1], word[1:2]]
        # Lengths listed, not a range: SQLite then looks each (length, letter) up in the indexes
        # on (len, c0) and (len, c1), instead of reading every word of the range (2x faster).
        lengths = list(range(low, high + 1))
        marks = ",".join("?" * len(lengths))
        sql = (
            f"SELECT word, df, named FROM vocab WHERE (len IN ({marks}) AND c0 IN (?, ?)) OR (len IN ({marks}) AND c1 IN (?, ?))"
        )
        return list(self.db.execute(sql, (*lengths, *firsts, *lengths, *firsts)))

    def sounding(self, code: str) -> list[tuple[str, int]]:
        """Name and keyword words with this Metaphone code, and how many plugins use them."""
        return list(self.db.execute("SELECT word, df FROM vocab WHERE sound = ?", (code,)))
