"""Open a snapshot (a path or a URL) and its index, ready to query.

A URL is downloaded into ``~/.cache/agentops-index/snapshots/`` and revalidated with its ETag
(``If-None-Match``), so the published snapshot costs one 304 on later runs. The Whoosh index
is built or updated next to the snapshot file.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import httpx

from agentops_index import __version__
from agentops_index.config import data_file, load_ranking, load_search
from agentops_index.errors import InputError
from agentops_index.search.index import ensure, index_path, open_index
from agentops_index.search.query import Searcher
from agentops_index.snapshot import store
from agentops_index.snapshot.models import Snapshot

DOWNLOAD_CAP = 256 * 1024 * 1024


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "agentops-index" / "snapshots"


def fetch(url: str, cache: Path | None = None) -> Path:
    """The local copy of a snapshot URL, downloaded or revalidated with its ETag."""
    folder = (cache or cache_dir()) / hashlib.sha256(url.encode()).hexdigest()[:16]
    target, etag_file = folder / "latest.json", folder / "etag"
    headers = {"User-Agent": f"agentops-index/{__version__}", "Accept": "application/json"}
    if target.is_file() and etag_file.is_file():
        headers["If-None-Match"] = etag_file.read_text().strip()
    try:
        client = httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True, max_redirects=5, trust_env=False)
        with client, client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304 and target.is_file():
                return target
            if response.status_code != 200:
                raise InputError(f"--snapshot {url}: HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > DOWNLOAD_CAP:
                    raise InputError(f"--snapshot {url}: larger than {DOWNLOAD_CAP} bytes")
                chunks.append(chunk)
            etag = response.headers.get("ETag")
    except httpx.HTTPError as exc:
        if target.is_file():
            return target  # offline: the cached copy is the best we have
        raise InputError(f"--snapshot {url}: cannot download ({type(exc).__name__})") from exc
    store.write_atomic(target, b"".join(chunks))
    if etag:
        store.write_atomic(etag_file, etag.encode())
    return target


def default_snapshot() -> str:
    """$AGENTOPS_SNAPSHOT (a path or the published URL), else ./data/snapshots/latest.json, else
    the snapshot shipped inside the package."""
    chosen = os.environ.get("AGENTOPS_SNAPSHOT")
    if chosen:
        return chosen
    found = data_file("snapshots/latest.json")
    if found is None:
        raise InputError("--snapshot: none given, $AGENTOPS_SNAPSHOT is unset and no packaged snapshot exists")
    return str(found)


def resolve(value: str | None) -> Path:
    value = value or default_snapshot()
    if value.startswith(("https://", "http://")):
        return fetch(value)
    path = Path(value)
    if not path.is_file():
        raise InputError(f"--snapshot {value}: no such file")
    return path


def searcher_for(
    snapshot: Snapshot, path: Path, search_config: Path | None = None, ranking_config: Path | None = None
) -> Searcher:
    """A searcher over an already-loaded snapshot; its index sits next to the snapshot file, or
    in the user's cache when that folder is read-only (the packaged sample data)."""
    search = load_search(search_config)
    where = index_path(path)
    try:
        ensure(snapshot, where, search)
    except OSError:
        digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
        where = cache_dir().parent / "indexes" / digest / where.name
        where.parent.mkdir(parents=True, exist_ok=True)
        ensure(snapshot, where, search)
    return Searcher(snapshot, open_index(where), search, load_ranking(ranking_config))


def open_searcher(snapshot_arg: str | None, search_config: Path | None = None, ranking_config: Path | None = None) -> Searcher:
    """A :class:`Searcher` over the snapshot, with its index built or refreshed first."""
    path = resolve(snapshot_arg)
    return searcher_for(store.load(path), path, search_config, ranking_config)
