"""Where query stores and indexes live: the user's cache, one folder per snapshot identity.

``$XDG_CACHE_HOME/agentops-index/indexes/<key>/`` (else ``~/.cache/...``) holds ``store.sqlite``,
``whoosh/`` and ``state.json``. The key is a digest of the source file's identity (real path,
device, inode, size, modification time in nanoseconds) and of the settings the index depends on
(data/ranking.toml's weights, this code's format version): a changed file gets a new key, so a query is
never answered from a stale store, two snapshots never share an index, and the snapshot's own
folder is never written (it may be read-only or shared). Stat-ing the file costs microseconds;
hashing a 236 MB snapshot would cost 0.2 s on every query.

A folder is prepared in a temporary sibling and renamed into place whole, so a reader sees a
complete index or none, and two processes preparing the same one cannot mix their files. When
an earlier index of the same path exists (last night's snapshot, rewritten), its Whoosh index
is copied and updated with only the plugins that changed. The oldest folders are removed past
``KEEP``.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentops_index.config import Ranking, cache_root
from agentops_index.search import index as whoosh_index
from agentops_index.search import store

FORMAT_VERSION = 26  # bump when store.py or index.py changes what they write (26: numbers as bare columns)
STATE_FILE = "state.json"
KEEP = 4  # prepared folders kept in the cache (about 60 MB each at 30,000 plugins); the least recently used go first

Loader = Callable[[], tuple[dict[str, Any], list[dict[str, Any]]]]


def identity(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"path": str(path.resolve()), "dev": st.st_dev, "ino": st.st_ino, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def settings_digest(ranking: Ranking) -> str:
    """What an index depends on besides its source: the ranking weights (its multiplier column)
    and the format of what store.py and index.py write."""
    body = json.dumps({"weights": ranking.weights, "format": FORMAT_VERSION}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def key_of(ident: dict[str, Any], settings: str) -> str:
    body = json.dumps({**ident, "settings": settings}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class Prepared:
    directory: Path
    built: bool  # False: an existing folder was reused
    added: int = 0
    updated: int = 0
    deleted: int = 0
    incremental: bool = False


def _previous(root: Path, source: str, settings: str) -> Path | None:
    """The newest prepared folder of the same source path and settings, to update incrementally."""
    best: tuple[float, Path] | None = None
    for state_file in root.glob(f"*/{STATE_FILE}"):
        try:
            state = json.loads(state_file.read_text())
            mtime = state_file.stat().st_mtime
        except (OSError, ValueError):
            continue
        same = state.get("source", {}).get("path") == source and state.get("settings") == settings
        if same and (best is None or mtime > best[0]):
            best = (mtime, state_file.parent)
    return best[1] if best else None


def _evict(root: Path, keep: Path) -> None:
    folders = []
    for folder in root.iterdir():
        state_file = folder / STATE_FILE
        if folder.name.startswith(".tmp-"):
            try:  # a preparation that died: old temporary folders only, a live one may be running
                if time.time() - folder.stat().st_mtime > 3600:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                pass
            continue
        if folder != keep and state_file.is_file():
            folders.append((state_file.stat().st_mtime, folder))
    for _, folder in sorted(folders, reverse=True)[KEEP - 1 :]:
        shutil.rmtree(folder, ignore_errors=True)


def prepare(source: Path, load: Loader, ranking: Ranking, root: Path | None = None) -> Prepared:
    """The folder of ``source``'s query store and index, made (or updated from an earlier one) if needed."""
    root = (root or cache_root()) / "indexes"
    ident = identity(source)
    settings = settings_digest(ranking)
    target = root / key_of(ident, settings)
    state_file = target / STATE_FILE
    if state_file.is_file():
        try:
            os.utime(state_file)  # marks it recently used, for eviction
        except OSError:
            pass
        return Prepared(target, built=False)
    # Loading and indexing make millions of objects that live to the end of the preparation:
    # the cyclic collector would walk them all again and again (a quarter of the CPU of
    # preparing a 30,000-plugin snapshot). The few cycles made meanwhile are collected after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _prepare(root, target, ident, settings, load, ranking)
    finally:
        if collecting:
            gc.enable()


def _prepare(root: Path, target: Path, ident: dict[str, Any], settings: str, load: Loader, ranking: Ranking) -> Prepared:
    state_file = target / STATE_FILE
    header, records = load()
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{os.getpid()}-{os.urandom(4).hex()}"
    tmp.mkdir()
    try:
        arranged = store.arrange(records)
        earlier = _previous(root, ident["path"], settings)
        existing = None
        if earlier is not None:
            try:
                shutil.copytree(earlier / "whoosh", tmp / "whoosh")
                existing = whoosh_index.fingerprints(tmp / "whoosh")
            except (OSError, ValueError):
                shutil.rmtree(tmp / "whoosh", ignore_errors=True)
                existing = None
        if existing is None:
            (tmp / "whoosh").mkdir()
        # A document (its terms: most of the cost) only for a record whose fingerprint is not in
        # the index already: a nightly's refresh changes hundreds of 30,000.
        documents = [
            whoosh_index.document(r, grp, rep, ranking)
            for r, grp, rep in arranged
            if existing is None or existing.get(r["id"]) != whoosh_index.fingerprint(r, [grp, rep, ranking.weights])
        ]
        wanted = {r["id"] for r, _, _ in arranged}
        added, updated, deleted = whoosh_index.write(tmp / "whoosh", documents, existing, wanted)
        meta = {k: str(v) for k, v in header.items() if v is not None}
        docs = whoosh_index.numbers(tmp / "whoosh")
        store.build(tmp / store.STORE_FILE, arranged, docs, {**meta, "plugins": str(len(records))})
        state = {"source": ident, "settings": settings, "plugins": len(records), **meta}
        (tmp / STATE_FILE).write_text(json.dumps(state, sort_keys=True))
        try:
            os.rename(tmp, target)
        except OSError:
            if not state_file.is_file():  # not a concurrent preparation of the same folder: a real error
                raise
        _evict(root, target)
        return Prepared(target, True, added, updated, deleted, existing is not None)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
