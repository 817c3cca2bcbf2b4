"""What identifies a plugin's content and source across crawls and marketplaces: the tree hash
(its files, or what its entry declares when they cannot be read) and the source identity that
groups copies (``identity.py``)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from agentops_index.manifest.checks import read_bytes
from agentops_index.manifest.models import COMPONENT_KEYS, MarketplaceEntry, PluginSource

SELECTION_KEYS = (*COMPONENT_KEYS, "mcpServers", "lspServers")
_CATALOGUE = ".claude-plugin/marketplace.json"  # the marketplace's file, not the plugin's


def tree_hash(plugin_dir: Path | None, entry: MarketplaceEntry, marketplace_id: str) -> str | None:
    """The keys identity.py groups listings by, joined by a space; None when there are none.

    ``files:<digest>``: the plugin's files (paths and contents), when its directory was read
    and holds a file that is not empty. ``source:<digest>``: where it comes from, at any ref
    (a repository and path, a URL and path, an npm package); a relative source counts only
    when its directory exists, as the marketplace's repository and that path, never the path
    alone. Both digests include the components the entry itself picks, so entries that pick
    different skills out of one folder stay different plugins.
    """
    picked = {k: entry.raw[k] for k in SELECTION_KEYS if k in entry.raw}
    selection = json.dumps(picked, sort_keys=True, separators=(",", ":"), default=str) if picked else ""
    keys = []
    files = _files_digest(plugin_dir) if plugin_dir is not None else None
    if files is not None:
        keys.append("files:" + _digest(files, selection))
    where = source_identity(entry.source, marketplace_id, relative_found=plugin_dir is not None)
    if where is not None:
        keys.append("source:" + _digest(*where, selection))
    return " ".join(keys) or None


def _digest(*fields: str) -> str:
    return hashlib.sha256("\0".join(fields).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _files_digest(plugin_dir: Path) -> str | None:
    """A digest of every file under ``plugin_dir`` (path and content); None when all are empty."""
    digest = hashlib.sha256()
    count, content = 0, False
    for path in sorted(plugin_dir.rglob("*")):
        relative = path.relative_to(plugin_dir).as_posix()
        if count >= 2000 or path.is_symlink() or not path.is_file() or relative.split("/")[0] in (".git", "node_modules"):
            continue
        if relative == _CATALOGUE:
            continue
        data = read_bytes(path, 1 << 20) or b""
        digest.update(relative.encode("utf-8", "surrogatepass") + b"\0" + hashlib.sha256(data).digest())
        count += 1
        content = content or bool(data.strip())
    return digest.hexdigest() if content else None


def _clean_path(path: str | None) -> str:
    parts = [p for p in (path or "").replace("\\", "/").split("/") if p not in ("", ".")]
    return "/".join(parts)


def _clean_url(url: str) -> str:
    out = url.strip().lower().removeprefix("git+").rstrip("/").removesuffix(".git")
    return re.sub(r"^[a-z]+://(www\.)?", "", out)


def source_identity(source: PluginSource, marketplace_id: str, relative_found: bool) -> tuple[str, ...] | None:
    """Where a listing's files come from, without the ref: equal tuples are the same source."""
    path = _clean_path(source.path)
    if source.kind == "relative":
        # The same folder of the same marketplace; a folder that is missing resolves to nothing.
        return ("repo", marketplace_id.lower(), path) if relative_found else None
    if source.kind in ("github", "url", "git-subdir") and source.repo:
        repo = source.repo.strip().strip("/").lower().removesuffix(".git")
        return ("repo", repo, path)
    if source.kind in ("url", "git-subdir", "archive") and source.url and source.url.strip():
        return ("url", _clean_url(source.url), path)
    if source.kind == "npm" and source.package and source.package.strip():
        registry = _clean_url(source.registry or "")
        return ("npm", "" if registry == "registry.npmjs.org" else registry, source.package.strip().lower())
    return None


def jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True)
    return value


# --- marketplaces ----------------------------------------------------------------------------
