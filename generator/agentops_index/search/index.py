"""The Whoosh index of a snapshot: fields and boosts from data/search.toml, built aside and swapped in.

The index lives next to its snapshot (``latest.json`` -> ``latest.whoosh/``). It is built
in a temporary directory and renamed into place, so a reader never opens half an index. An
existing index is updated incrementally: only plugins whose fingerprint (content hash and
stored score) changed are rewritten, and plugins no longer in the snapshot are deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from agentops_index.config import Search
from agentops_index.snapshot.models import PluginRecord, Snapshot
from agentops_index.snapshot.store import fsync_dir

INDEX_NAME = "plugins"
STATE_FILE = "agentops-index.json"  # what the index was built from
WRITER = {"limitmb": 512}  # PERFORMANCE.md: halves a 30k-document build against the default
# Big builds also use two writer processes (1.8x faster on 10,000 plugins on 2 cores); small
# ones stay in-process, where forking would cost more than it saves.
PARALLEL = {"limitmb": 256, "procs": 2, "multisegment": True}
PARALLEL_FROM = 5000


def schema(search: Search) -> Schema:
    text = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        fingerprint=STORED(),
        # Queries run against one field, ``text``, in which every source field is repeated as
        # often as its boost says (data/search.toml): one term matcher per query word instead
        # of nine keeps Whoosh's pure-Python scoring fast enough. The separate fields below
        # serve spelling corrections and facets.
        text=TEXT(analyzer=text),
        name=TEXT(analyzer=text, spelling=True),
        description=TEXT(analyzer=text, spelling=True),
        keywords=KEYWORD(lowercase=True, commas=True),
        tags=KEYWORD(lowercase=True, commas=True),
        # Facets (exact terms) and sortable numbers for the score parts, in millionths: sortable
        # float columns fail to write in whoosh-reloaded 2.7.5 ("required argument is not an integer").
        category=ID(stored=True),
        marketplace=ID(stored=True),
        component=KEYWORD(commas=True),
        static=NUMERIC(int, bits=64, stored=True, sortable=True),
        stars=NUMERIC(int, bits=64, sortable=True),
        recency=NUMERIC(int, bits=64, sortable=True),
        adoption=NUMERIC(int, bits=64, sortable=True),
    )


def fingerprint(plugin: PluginRecord) -> str:
    score = plugin.score.model_dump_json() if plugin.score else ""
    return hashlib.sha256(f"{plugin.content_hash}|{score}".encode()).hexdigest()[:24]


def _micro(value: float) -> int:
    return round(value * 1_000_000)


def _commas(values: list[str]) -> str:
    return ",".join(v.replace(",", " ") for v in values if v)


def repeats(boosts: dict[str, float], key: str) -> int:
    """How many times a field's text goes into ``text``: its boost, rounded, at least once."""
    return max(1, min(6, round(boosts.get(key, 1.0))))


def document(plugin: PluginRecord, boosts: dict[str, float]) -> dict[str, Any]:
    u = plugin.untrusted
    docs = (*plugin.components.commands, *plugin.components.agents, *plugin.components.skills)
    parts = plugin.score.parts if plugin.score else None
    name = u.name.text
    fields = {
        # "code-review" also matches "code review": index the name with its separators as spaces.
        "name": f"{name} {name.replace('-', ' ').replace('_', ' ')}",
        "display_name": u.display_name.text if u.display_name else "",
        "description": u.description.text if u.description else "",
        "keywords": " ".join(k.text for k in u.keywords),
        "tags": " ".join(t.text for t in u.tags),
        "category": plugin.category.replace("-", " "),
        "components": " ".join(
            f"{d.untrusted.name.text.replace('-', ' ')} {d.untrusted.description.text if d.untrusted.description else ''}"
            for d in docs
        ),
        "marketplace": plugin.marketplace.replace("/", " ").replace("-", " "),
        "author": u.author.text if u.author else "",
    }
    return {
        "id": plugin.id,
        "fingerprint": fingerprint(plugin),
        "text": "\n".join(" ".join([value] * repeats(boosts, key)) for key, value in fields.items() if value),
        "name": fields["name"],
        "description": fields["description"],
        "keywords": _commas([k.text for k in u.keywords]),
        "tags": _commas([t.text for t in u.tags]),
        "category": plugin.category,
        "marketplace": plugin.marketplace.lower(),
        "component": ",".join(plugin.counts.kinds()),
        "static": _micro(plugin.score.static if plugin.score else 0.0),
        "stars": _micro(parts.stars if parts else 0.0),
        "recency": _micro(parts.recency if parts else 0.0),
        "adoption": _micro(parts.adoption if parts else 0.0),
    }


@dataclass(frozen=True, slots=True)
class IndexUpdate:
    path: Path
    added: int
    updated: int
    deleted: int
    rebuilt: bool


def index_path(snapshot_path: Path) -> Path:
    return snapshot_path.with_name(snapshot_path.stem + ".whoosh")


def _state(search: Search) -> str:
    return hashlib.sha256(json.dumps({"boosts": search.boosts, "version": 2}, sort_keys=True).encode()).hexdigest()


def ensure(snapshot: Snapshot, path: Path, search: Search) -> IndexUpdate:
    """Bring the index at ``path`` up to date with ``snapshot``: reuse, update or rebuild it.

    An index that is already current is only read (every ``search`` call lands here), never
    copied; a change is written to a copy that is then swapped in.
    """
    state = _state(search)
    state_file = path / STATE_FILE
    usable = path.is_dir() and state_file.is_file() and json.loads(state_file.read_text()).get("schema") == state
    existing: dict[str, str] = {}
    if usable:
        current = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
        with current.searcher() as searcher:
            existing = {f["id"]: f["fingerprint"] for f in searcher.all_stored_fields()}
        current.close()
    wanted = {p.id for p in snapshot.plugins}
    changed = [p for p in snapshot.plugins if existing.get(p.id) != fingerprint(p)]
    removed = [pid for pid in existing if pid not in wanted]
    if usable and not changed and not removed:
        return IndexUpdate(path, 0, 0, 0, False)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        if usable:
            shutil.copytree(path, tmp)
            ix = whoosh_index.open_dir(str(tmp), indexname=INDEX_NAME)
        else:
            tmp.mkdir(parents=True)
            ix = whoosh_index.create_in(str(tmp), schema(search), indexname=INDEX_NAME)
        writer = ix.writer(**(PARALLEL if len(changed) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 else WRITER))
        for pid in removed:
            writer.delete_by_term("id", pid)
        for plugin in changed:
            writer.update_document(**document(plugin, search.boosts))
        writer.commit(optimize=not usable)
        ix.close()
        (tmp / STATE_FILE).write_text(
            json.dumps({"schema": state, "generated_at": snapshot.generated_at, "plugins": len(wanted)})
        )
        _swap(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    added = sum(1 for p in changed if p.id not in existing)
    return IndexUpdate(path, added, len(changed) - added, len(removed), not usable)


def _swap(tmp: Path, path: Path) -> None:
    """Rename the new index into place; the old one is moved aside first, then deleted."""
    old = path.with_name(f".{path.name}.old-{os.getpid()}")
    if path.exists():
        os.rename(path, old)
    os.rename(tmp, path)
    fsync_dir(path.parent)
    shutil.rmtree(old, ignore_errors=True)


def open_index(path: Path) -> Any:
    return whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
