"""Incremental builds: which outputs of the previous build can be taken as they are.

Every page and markdown view gets a *fingerprint*: a digest of everything it is made from
(the page's context, with each plugin and marketplace record standing for the digest of its
published JSON, and the site-wide values every page shows). The build leaves the
fingerprints in ``build-manifest.json``, with the *build key*: a digest of this package's
code, the templates and theme, and the base URL. A build given ``--previous-site`` whose
manifest has the same key takes each output whose fingerprint is unchanged from there (a
hard link, else a copy) and renders the others, so its tree is byte-identical to a full build
of the same snapshot. Everything else (the JSON API, sitemap, feed, llms.txt, search files)
is made again on every build: each is one pass over the snapshot. The marketplaces' gzipped
files of api/v1/ are fingerprinted by their JSON, so an unchanged one is not compressed again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel

from agentops_index import __version__
from agentops_index.render.site_files import Published
from agentops_index.render.writer import Writer
from agentops_index.snapshot.models import MarketplaceRecord, PluginRecord

MANIFEST = "build-manifest.json"
MANIFEST_VERSION = 1
MANIFEST_CAP = 64 * 1024 * 1024


def build_key(folders: Iterable[Path], base_url: str) -> str:
    """A digest of what turns the same snapshot into other bytes: our code, the templates and
    theme (every file under ``folders``), and the base URL."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{MANIFEST_VERSION}|{__version__}|{base_url}".encode())
    package = Path(__file__).resolve().parents[1]
    for root in [package, *folders]:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix != ".pyc" and "__pycache__" not in path.parts:
                h.update(path.relative_to(root).as_posix().encode() + b"\0")
                h.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return h.hexdigest()


class Fingerprints:
    """Fingerprints of page contexts, made of the records' published digests."""

    def __init__(self, published: Published, site: BaseModel) -> None:
        self.published = published
        self.site = self.of(site)

    def _encode(self, value: Any) -> Any:
        if isinstance(value, PluginRecord):
            return "plugin:" + self.published.plugins[value.id]
        if isinstance(value, MarketplaceRecord):
            return "marketplace:" + self.published.marketplaces[value.id]
        if isinstance(value, BaseModel):
            return {"$": type(value).__name__, **{name: getattr(value, name) for name in type(value).model_fields}}
        if isinstance(value, set | frozenset):
            return sorted(value)
        raise TypeError(f"cannot fingerprint {type(value).__name__}")

    def of(self, value: Any, *extra: str) -> str:
        try:
            data = orjson.dumps(value, default=self._encode, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # a lone surrogate, say: the standard library takes anything
            text = json.dumps(value, default=self._encode, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            data = text.encode("utf-8", "surrogatepass")
        h = hashlib.blake2b(data, digest_size=12)
        for part in extra:
            h.update(b"\0" + part.encode())
        return h.hexdigest()

    def page(self, page: BaseModel) -> str:
        return self.of(page, self.site)


@dataclass(slots=True)
class Manifest:
    """What a build made each reusable output from, and the warnings those outputs raised."""

    key: str
    files: dict[str, str] = field(default_factory=dict)  # path -> fingerprint
    warnings: dict[str, list[str]] = field(default_factory=dict)  # path -> its warnings

    def dumps(self) -> bytes:
        body = {"version": MANIFEST_VERSION, "key": self.key, "files": self.files, "warnings": self.warnings}
        return (json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n").encode()

    @classmethod
    def read(cls, site: Path, key: str) -> Manifest | None:
        """The manifest a previous build left in ``site``; None when there is none, it is not
        ours, or it was made by other code, templates or base URL (then nothing is reused)."""
        path = Path(site) / MANIFEST
        try:
            if path.is_symlink() or path.stat().st_size > MANIFEST_CAP:
                return None
            data = json.loads(path.read_bytes())
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION or data.get("key") != key:
            return None
        files, warnings = data.get("files"), data.get("warnings")
        if not isinstance(files, dict) or not isinstance(warnings, dict):
            return None
        return cls(key, {str(k): str(v) for k, v in files.items()}, {str(k): [str(w) for w in v] for k, v in warnings.items()})


@dataclass(slots=True)
class Reuse:
    """Takes an output from the previous build when its fingerprint is unchanged, and notes the
    fingerprint in ``files`` (what this build's manifest will say) either way: the page workers'
    pages, markdown views and badges, and ``site_files.api``'s marketplace files."""

    writer: Writer
    files: dict[str, str]
    previous: Manifest | None
    source: Path | None

    def __call__(self, path: str, fingerprint: str) -> bool:
        self.files[path] = fingerprint
        if self.previous is None or self.source is None or self.previous.files.get(path) != fingerprint:
            return False
        return self.writer.reuse(path, self.source / path)
