"""Open a snapshot (a path or a URL) as a query store and index, ready to query.

``--snapshot`` takes a snapshot file, a query file (``api/v1/query.json.gz``), or the URL of
either, or of the site root. A URL is resolved to the site's query file (``snapshot.json`` ->
``query.json.gz`` beside it; ``https://site/`` -> ``https://site/api/v1/query.json.gz``), downloaded
into ``~/.cache/agentops-index/downloads/`` and revalidated with its ETag on later runs (one 304);
a site without a query file falls back to its whole snapshot. The query store and Whoosh index
are prepared in the cache (``cache.py``); the snapshot itself is read only when they are made.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentops_index import __version__
from agentops_index.config import cache_root, data_file, load_ranking, load_search, published_site
from agentops_index.errors import InputError
from agentops_index.search import cache
from agentops_index.search.query import Searcher
from agentops_index.search.queryfile import QUERY_FILE, api_folder

if TYPE_CHECKING:
    from agentops_index.snapshot.models import Snapshot

DOWNLOAD_CAP = 512 * 1024 * 1024
_QUERY_FORMAT = re.compile(rb'"format"\s*:\s*"agentops-index/query"')


def cache_dir() -> Path:
    """Where downloaded snapshots and query files are kept."""
    return cache_root() / "downloads"


class NotFound(InputError):
    """The URL answered 404."""


def fetch(url: str, cache_folder: Path | None = None, given: str = "--snapshot") -> Path:
    """The local copy of a URL, downloaded or revalidated with its ETag; errors name the setting
    that ``given`` the URL."""
    import httpx

    folder = (cache_folder or cache_dir()) / hashlib.sha256(url.encode()).hexdigest()[:16]
    name = url.rstrip("/").rsplit("/", 1)[-1] or "index.json"
    target, etag_file = folder / re.sub(r"[^A-Za-z0-9._-]", "_", name), folder / "etag"
    headers = {"User-Agent": f"agentops-index/{__version__}", "Accept": "application/json, application/gzip"}
    if target.is_file() and etag_file.is_file():
        headers["If-None-Match"] = etag_file.read_text().strip()
    try:
        client = httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0), follow_redirects=True, max_redirects=5, trust_env=False)
        with client, client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304 and target.is_file():
                return target
            if response.status_code == 404:
                raise NotFound(f"{given} {url}: HTTP 404")
            if response.status_code != 200:
                raise InputError(f"{given} {url}: HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > DOWNLOAD_CAP:
                    raise InputError(f"{given} {url}: larger than {DOWNLOAD_CAP} bytes")
                chunks.append(chunk)
            etag = response.headers.get("ETag")
    except httpx.InvalidURL as exc:
        raise InputError(f"{given} {url[:200]!r}: not a URL that can be fetched ({exc})") from exc
    except httpx.HTTPError as exc:
        if target.is_file():
            return target  # offline: the cached copy is the best we have
        raise InputError(f"{given} {url}: cannot download ({type(exc).__name__})") from exc
    from agentops_index.snapshot.store import write_atomic

    write_atomic(target, b"".join(chunks))
    if etag:
        write_atomic(etag_file, etag.encode())
    elif etag_file.exists():
        etag_file.unlink()
    return target


def query_url(url: str) -> tuple[str, str | None]:
    """The query file to ask for first, and the snapshot to fall back to (None: no fallback)."""
    folder = api_folder(url)
    if folder is None or url.endswith("/" + QUERY_FILE):
        return url, None
    if url.endswith("/query.json"):  # the name before the file was gzipped
        return url + ".gz", url
    return folder + QUERY_FILE, folder + "snapshot.json"


def snapshot_url(url: str) -> str:
    """The whole snapshot's URL for a site root, its api/v1/ folder, a file in it, or the snapshot itself."""
    folder = api_folder(url)
    return folder + "snapshot.json" if folder is not None else url


def fetch_site(url: str, given: str = "--snapshot") -> Path:
    first, fallback = query_url(url)
    try:
        return fetch(first, given=given)
    except NotFound:
        if fallback is None:
            raise
        return fetch(fallback, given=given)


def default_snapshot() -> str:
    """$AGENTOPS_SNAPSHOT (a path or the published URL), else ./data/snapshots/latest.json, else
    the published catalog the installed package names (data/catalog.toml), else the sample
    snapshot shipped in the package."""
    return _default()[0]


def _default() -> tuple[str, Path | None]:
    """The default snapshot, and the catalog file that named it when it is the published catalog."""
    chosen = os.environ.get("AGENTOPS_SNAPSHOT")
    if chosen:
        return chosen, None
    local = Path("data") / "snapshots" / "latest.json"
    if local.is_file():
        return str(local), None
    published = published_site()  # read only now: a snapshot chosen above never depends on it
    if published is not None:
        return published
    found = data_file("snapshots/latest.json")
    if found is None:
        raise InputError("--snapshot: none given, $AGENTOPS_SNAPSHOT is unset and no packaged snapshot exists")
    return str(found), None


def resolve(value: str | None) -> Path:
    """A local file for ``--snapshot``: the path itself (a site's folder: its query file), or the
    downloaded query file or snapshot."""
    if value:
        return _file_for(value, "--snapshot")
    chosen, catalog = _default()
    if catalog is not None:
        try:
            return fetch_site(chosen)
        except InputError as exc:  # say where the URL came from, and how to choose another
            raise InputError(
                f"the published catalog {chosen} (named by {catalog}) could not be read: {exc}; "
                "pass --snapshot PATH or URL, or set AGENTOPS_SNAPSHOT"
            ) from exc
    return _file_for(chosen, "$AGENTOPS_SNAPSHOT" if os.environ.get("AGENTOPS_SNAPSHOT") else "the snapshot")


def _file_for(value: str, given: str) -> Path:
    """A snapshot or query file on disk, a built site's folder (its api/v1/ query file, else its
    snapshot: what the plugins' reader takes too), or the downloaded query file (or snapshot) of
    a URL. ``given`` says where the value came from, for errors."""
    if value.startswith(("https://", "http://")):
        return fetch_site(value, given)
    from agentops_index.manifest.text import clean

    shown = clean(value, 200).replace("\n", "\\n").replace("\r", "\\r")  # the user's, on one line
    try:
        path = Path(value).expanduser()
        if path.is_dir():
            folder = path / "api" / "v1" if (path / "api" / "v1").is_dir() else path
            for name in (QUERY_FILE, "snapshot.json"):
                if (folder / name).is_file():
                    return folder / name
            raise InputError(f"{given} {shown}: a folder without a built site's api/v1/{QUERY_FILE} or snapshot.json")
        if not path.is_file():
            raise InputError(f"{given} {shown}: no such file or folder")
    except (OSError, RuntimeError) as exc:  # a name too long, a folder we may not read, ~nosuchuser
        raise InputError(f"{given} {shown}: cannot read ({getattr(exc, 'strerror', None) or exc})") from exc
    return path


def is_query_file(path: Path) -> bool:
    """A query file (gzip, as published, or plain JSON); read_query_file checks it whole."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    return head[:2] == b"\x1f\x8b" or bool(_QUERY_FORMAT.search(head))


def loader(path: Path) -> cache.Loader:
    """How to read the records of a snapshot or query file (only when the cache has no index for it)."""

    def load() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        if is_query_file(path):
            from agentops_index.search.records import read_query_file

            return read_query_file(path.read_bytes(), f"query file {path}")
        from agentops_index.snapshot import store

        return records_of(store.load(path))

    return load


def snapshot_header(snapshot: Snapshot) -> dict[str, Any]:
    return {"generator": snapshot.generator, "generated_at": snapshot.generated_at, "schema_version": snapshot.schema_version}


def records_of(snapshot: Snapshot) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from agentops_index.search.records import project_all

    return snapshot_header(snapshot), project_all(snapshot)


def open_searcher(snapshot_arg: str | None, search_config: Path | None = None, ranking_config: Path | None = None) -> Searcher:
    """A :class:`Searcher` over the snapshot or query file, its store and index prepared first."""
    path = resolve(snapshot_arg)
    ranking = load_ranking(ranking_config)
    prepared = cache.prepare(path, loader(path), ranking)
    return Searcher(prepared.directory, load_search(search_config), ranking)


def searcher_for(
    snapshot: Snapshot,
    path: Path,
    search_config: Path | None = None,
    ranking_config: Path | None = None,
    records: list[dict[str, Any]] | None = None,
) -> Searcher:
    """A searcher over a snapshot already in memory, read from ``path`` (``records``: its query
    records, when the caller has projected them already)."""
    ranking = load_ranking(ranking_config)

    def load() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        header, projected = records_of(snapshot) if records is None else (snapshot_header(snapshot), records)
        return header, projected

    prepared = cache.prepare(path, load, ranking)
    return Searcher(prepared.directory, load_search(search_config), ranking)
