"""Where the plugins' reader reads from, and the query store it keeps (``answer.py`` answers).

The catalog is ``--snapshot`` or ``$AGENTOPS_SNAPSHOT`` (a site root, its
``api/v1/snapshot.json`` or ``query.json.gz``, as a URL or a local path), else the published site
in the reader's ``data/catalog.toml``. Downloads are https (or http on this machine), capped and
revalidated by ETag; the copy from the last time answers when the network or the server fails.
The query store and its SQLite postings are built once per query file, ranking settings and
code, in ``$XDG_CACHE_HOME/agentops-index/reader``. Standard library only.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from agentops_index import __version__, config, rank
from agentops_index.config import CHECKOUT, PACKAGED, Ranking, Search, check_site_url, load_ranking, load_search, read_toml
from agentops_index.config import cache_root as config_cache_root
from agentops_index.errors import ConfigError, InputError
from agentops_index.manifest import text
from agentops_index.search import documents, fuzzy, queryfile, sqlpostings, stemming, store, terms
from agentops_index.search.query import Searcher
from agentops_index.search.queryfile import ASSISTANT_FILE, QUERY_FILE, api_folder

DOWNLOAD_CAP = 64 * 1024 * 1024  # bytes: the query file is 6.7 MB at 30,000 plugins
DEADLINE = 300  # seconds a whole download may take
UNPACK_CAP = 256 * 1024 * 1024  # bytes of JSON a query file may unpack to (55 MB at 30,000 plugins)
TIMEOUT = 30  # seconds a request may take
FORMAT_NAME = re.compile(r"[^A-Za-z0-9._-]")


# --- where the data is --------------------------------------------------------------------------


def data_path(name: str) -> Path:
    """One of our own data files: the copy beside the reader in a plugin, else the package's.
    Never the current folder's: a project must not change how the plugins rank or where they read."""
    for folder in (Path(__file__).resolve().parent / "data", PACKAGED, CHECKOUT):
        if (folder / name).exists():
            return folder / name
    raise ConfigError(f"{name}: not found beside the reader")


LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def checked_source(value: str, where: str) -> str:
    """A --snapshot or $AGENTOPS_SNAPSHOT value: a local path, an https URL, or http on this
    machine only (a served local build). Anything else is refused before a request is made."""
    if "://" not in value:
        return value
    parts = urllib.parse.urlsplit(value)
    allowed = parts.scheme == "https" or (parts.scheme == "http" and (parts.hostname or "") in LOOPBACK)
    plain = parts.username is None and parts.password is None and bool(parts.hostname) and not any(c.isspace() for c in value)
    if allowed and plain:
        return value
    raise InputError(f"{where}: expected a local path, an https URL, or http://localhost")


SAMPLE = "sample"
SAMPLE_LINE = (
    "agentops-answer: no published catalog is named yet, so this answers from the sample shipped with the plugin"
    " (example plugins, not the real ecosystem); set AGENTOPS_SNAPSHOT to an agentops-index site for real answers"
)


def catalog() -> tuple[str, str]:
    """Where to read from, and what chose it: $AGENTOPS_SNAPSHOT, else the published site the
    reader's catalog.toml names, else the sample shipped beside the reader (``SAMPLE``), as the
    CLI falls back to the sample in its package."""
    chosen = os.environ.get("AGENTOPS_SNAPSHOT", "").strip()
    if chosen:
        return checked_source(chosen, "$AGENTOPS_SNAPSHOT"), "$AGENTOPS_SNAPSHOT"
    path = data_path("catalog.toml")
    site = read_toml(path).get("site", "")
    if isinstance(site, str) and site.strip():
        return check_site_url(site.strip(), f"{path}: site"), str(path)
    return str(data_path("sample-site")), SAMPLE


def locations(value: str) -> tuple[str, str]:
    """The query file and the assistant file for a site root, a snapshot or a query file (URL or path)."""
    if value.startswith(("https://", "http://")):
        base = api_folder(value) or value.split("#", 1)[0].split("?", 1)[0].rstrip("/") + "/api/v1/"
        return base + QUERY_FILE, base + ASSISTANT_FILE
    path = Path(value).expanduser()
    if path.is_dir():
        folder = path / "api" / "v1" if (path / "api" / "v1").is_dir() else path
    elif path.is_file():
        folder = path.parent
    else:
        raise InputError(f"{value[:200]}: no such file or folder")
    if not (folder / QUERY_FILE).is_file() and path.is_file() and path.suffix == ".json":
        raise InputError(
            f"{value[:200]}: a snapshot without a built site beside it; the reader reads a site's api/v1/ "
            "(agentops-index build makes one)"
        )
    return str(folder / QUERY_FILE), str(folder / ASSISTANT_FILE)


def cache_root() -> Path:
    """The reader's folder of the cache (config.cache_root: $XDG_CACHE_HOME/agentops-index, else
    ~/.cache/agentops-index)."""
    return config_cache_root() / "reader"


def _write(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    tmp.write_bytes(body)
    os.replace(tmp, path)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Redirects only where a first request may go (https, or http on this machine), and from a
    remote site never to this machine (a download must not reach local services)."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        checked_source(newurl, f"{req.full_url}: redirect")
        here = (urllib.parse.urlsplit(req.full_url).hostname or "") in LOOPBACK
        if not here and (urllib.parse.urlsplit(newurl).hostname or "") in LOOPBACK:
            raise InputError(f"{req.full_url}: redirect: a remote site may not send the reader to this machine")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.OpenerDirector()  # http(s) only: no file:, ftp: or data: URLs, no proxies from the environment
for _handler in (
    urllib.request.HTTPHandler(),
    urllib.request.HTTPSHandler(),
    _Redirects(),
    urllib.request.HTTPDefaultErrorHandler(),
    urllib.request.HTTPErrorProcessor(),
):
    _OPENER.add_handler(_handler)


def _download(request: urllib.request.Request, url: str) -> tuple[int, bytes, str | None]:
    """(status, body, ETag) of one request; the body read within DEADLINE seconds and DOWNLOAD_CAP bytes."""
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            started, chunks, size = time.monotonic(), [], 0
            while chunk := response.read1(1 << 16):  # whatever has arrived: the deadline holds for a slow drip
                size += len(chunk)
                if size > DOWNLOAD_CAP:
                    raise InputError(f"{url}: larger than {DOWNLOAD_CAP} bytes")
                if time.monotonic() - started > DEADLINE:
                    raise InputError(f"{url}: the download took longer than {DEADLINE} s")
                chunks.append(chunk)
            etag = response.headers.get("ETag")
            return int(response.status), b"".join(chunks), etag if isinstance(etag, str) and len(etag) < 200 else None
    except urllib.error.HTTPError as exc:
        return exc.code, b"", None


def fetch(url: str) -> bytes:
    """The bytes of a URL, downloaded or revalidated by ETag (the cached copy when offline or
    when the server fails), or of a local file."""
    return fetched(url)[0]


def _sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def fetched(url: str) -> tuple[bytes, str]:
    """``fetch``, with the SHA-256 of the bytes (computed once: the cache's check needs it too)."""
    if not url.startswith(("https://", "http://")):
        path = Path(url)
        if not path.is_file():
            raise InputError(f"{url[:200]}: no such file (a built site has it under api/v1/)")
        if path.stat().st_size > DOWNLOAD_CAP:
            raise InputError(f"{url[:200]}: larger than {DOWNLOAD_CAP} bytes")
        data = path.read_bytes()
        return data, _sha256(data)
    folder = cache_root() / "downloads" / hashlib.sha256(url.encode()).hexdigest()[:16]
    target = folder / FORMAT_NAME.sub("_", url.rsplit("/", 1)[-1])
    meta_file = folder / "etag.json"  # the ETag and the digest of the body it stands for, together
    cached: tuple[bytes, str] | None = None
    etag: str | None = None
    try:
        meta = json.loads(meta_file.read_text("utf-8"))
        body = target.read_bytes()
        digest = _sha256(body)
        if isinstance(meta, dict) and meta.get("sha256") == digest:
            cached, etag = (body, digest), meta.get("etag") if isinstance(meta.get("etag"), str) else None
    except (OSError, ValueError):
        pass
    headers = {"User-Agent": f"agentops-answer/{__version__}", "Accept-Encoding": "identity"}
    if cached is not None and etag:
        headers["If-None-Match"] = etag
    try:
        status, body, new_etag = _download(urllib.request.Request(url, headers=headers), url)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        if cached is not None:
            return cached  # offline: the copy from the last time is the best we have
        reason = getattr(exc, "reason", None) or type(exc).__name__
        raise InputError(f"{url}: cannot download ({str(reason)[:200]})") from exc
    if status == 304 and cached is not None:
        return cached
    if status != 200:
        if cached is not None and status >= 500:
            return cached
        raise InputError(f"{url}: HTTP {status}")
    digest = _sha256(body)
    _write(target, body)
    _write(meta_file, json.dumps({"etag": new_etag, "sha256": digest}).encode())
    return body, digest


# --- the query store ----------------------------------------------------------------------------


def settings() -> tuple[Search, Ranking]:
    return load_search(data_path("search.toml")), load_ranking(data_path("ranking.toml"))


def code_digest() -> str:
    """What the index is made by: the modules that write the store and postings. A reader whose
    code changed never answers from an index the old code built."""
    digest = hashlib.sha256(__version__.encode())
    for module in (documents, queryfile, sqlpostings, store, terms, stemming, fuzzy, rank, text, config):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def _prune(folder: Path, keep: Path) -> None:
    """Keep the three most recently used indexes; remove builds left behind an hour ago."""
    entries = []
    for entry in folder.iterdir():
        try:
            entries.append((entry.stat().st_mtime, entry))
        except OSError:
            continue  # removed meanwhile by another run
    now = time.time()
    for mtime, entry in entries:
        if entry.name.startswith(".tmp-") and now - mtime > 3600:
            shutil.rmtree(entry, ignore_errors=True)
    built = sorted((e for e in entries if not e[1].name.startswith(".")), reverse=True)
    for _, entry in built[3:]:
        if entry != keep:
            shutil.rmtree(entry, ignore_errors=True)


def prepare(raw: bytes, where: str, ranking: Ranking, root: Path | None = None, content: str | None = None) -> Path:
    """The folder of the query store and postings for a query file, built once per content
    (``content``: its SHA-256, when the caller has it), ranking settings and code."""
    digest = hashlib.sha256((content or _sha256(raw)).encode())
    digest.update(json.dumps([code_digest(), ranking.weights, ranking.scales, ranking.penalties], sort_keys=True).encode())
    target = (root or cache_root()) / "indexes" / digest.hexdigest()[:24]
    if (target / store.STORE_FILE).is_file():
        try:
            os.utime(target)  # recently used: kept when older indexes are pruned
        except OSError:
            pass
        return target
    header, records = queryfile.read_query_file(raw, where, cap=UNPACK_CAP)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".tmp-{os.getpid()}-{os.urandom(4).hex()}"
    tmp.mkdir()
    try:
        arranged = store.arrange(records)
        docs = sqlpostings.write(tmp / store.STORE_FILE, [documents.document(r, g, rep, ranking) for r, g, rep in arranged])
        meta = {k: str(v) for k, v in header.items() if v is not None}
        store.build(tmp / store.STORE_FILE, arranged, docs, {**meta, "plugins": str(len(records))})
        try:
            os.rename(tmp, target)
        except OSError:
            if not (target / store.STORE_FILE).is_file():  # not a concurrent build of the same folder
                raise
        _prune(target.parent, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def open_searcher(source: str) -> Searcher:
    query_url, _ = locations(source)
    search, ranking = settings()
    raw, content = fetched(query_url)
    folder = prepare(raw, f"query file {query_url}", ranking, content=content)
    return Searcher(folder, search, ranking, sqlpostings.SqlPostings(folder / store.STORE_FILE))
