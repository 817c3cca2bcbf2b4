"""What OpenAI's Codex CLI 0.171.0 makes of a repository's plugin catalogs, mirrored.

Codex has no validator (``codex plugin validate`` does not exist): what it accepts is what its
install path accepts, in three steps, each mirrored here from the corpus's format reference
(``../shared/corpus-formats/FORMATS.md`` §1) and held by the tests to what the real CLI did on
every catalog of that corpus (its ``oracle/*.codex.json`` files):

1. ``codex plugin marketplace add DIR`` reads one catalog, the first of ``CATALOGS`` the
   repository has (Codex also reads Claude's and Cursor's), and refuses the whole catalog on
   invalid JSON, a missing or badly named ``name``, a reserved name, a missing ``plugins``
   array, an entry without ``name`` or ``source``, or one unknown ``policy`` value.
2. ``codex plugin list`` shows the entries it can place: a local path that does not start with
   ``./`` (in its own and Claude's catalogs; Cursor's name folders bare) or that leaves the
   repository is dropped without a word, as is a source kind it does not know (Claude's
   ``github``, ``npm``); a second entry of one name is dropped too. ``url`` and ``git-subdir``
   sources are git clones.
3. ``codex plugin add NAME@MARKETPLACE`` installs a local entry when its folder exists, it is
   not ``NOT_AVAILABLE``, and its manifest (``.codex-plugin/plugin.json``, else Claude's, else
   Cursor's, else an Agent Plugins root ``plugin.json``) parses, has the entry's name when it
   names one, and has no blank version. A folder with no manifest installs as version
   ``local``. Remote entries need a network clone: their install is not judged here.

Everything read is a stranger's: nothing here raises on what a repository holds.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from agentops_index.manifest.checks import NOT_FOLLOWED, inside, linked, load_json, present, regular_file
from agentops_index.manifest.jsonfile import MARKETPLACE_CAP

CLIENT = "codex-cli 0.171.0's behaviour, mirrored"
# The catalogs Codex reads, in the order it prefers them (FORMATS.md §1.1, observed).
CODEX_CATALOG = ".agents/plugins/marketplace.json"
CLAUDE_CATALOG = ".claude-plugin/marketplace.json"
CURSOR_CATALOG = ".cursor-plugin/marketplace.json"
CATALOGS = (CODEX_CATALOG, CLAUDE_CATALOG, CURSOR_CATALOG)
RESERVED = frozenset({"openai-curated", "openai-bundled", "openai-curated-remote"})
NAME = re.compile(r"[A-Za-z0-9_-]+")
INSTALLATION = ("NOT_AVAILABLE", "AVAILABLE", "INSTALLED_BY_DEFAULT")
AUTHENTICATION = ("ON_INSTALL", "ON_USE")
# A plugin folder's manifests, in the order Codex takes its name and version from them.
MANIFESTS = (".codex-plugin/plugin.json", ".claude-plugin/plugin.json", ".cursor-plugin/plugin.json")
AGENT_PLUGINS_MANIFEST = "plugin.json"  # counts only with the Agent Plugins $schema
MAX_ENTRIES = 2000  # a catalog's entries judged (the largest real catalog has 180); the rest are dropped with a reason

Kind = Literal["local", "git"]


@dataclass(frozen=True, slots=True)
class CodexEntry:
    """One entry as ``codex plugin list`` shows it, and what ``plugin add`` would do with it."""

    name: str
    kind: Kind
    path: str | None  # local: the plugin folder, relative to the repository root ("." for the root)
    url: str | None  # git: what Codex clones
    installation: str
    authentication: str
    version: str | None  # None: no folder, or no manifest that names one
    installs: bool | None  # None: a git source, whose install needs the network
    error: str | None = None  # why ``plugin add`` fails
    index: int = -1  # its place in the catalog's ``plugins``
    source: Any = None  # git: the entry's ``source`` as the catalog writes it (sources/clients.py keys it)

    @property
    def install_command(self) -> str:
        return f"codex plugin add {self.name}@{{marketplace}}"


@dataclass(slots=True)
class CodexCatalog:
    """What Codex makes of one repository: the catalog it reads, and its entries or its refusal."""

    file: str | None  # the catalog read (one of CATALOGS), None when the repository has none
    name: str | None = None
    error: str | None = None  # why ``marketplace add`` refuses the catalog
    entries: list[CodexEntry] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (entry name, why Codex does not list it)
    dropped_at: list[int] = field(default_factory=list)  # each dropped entry's place in ``plugins``
    unjudged: bool = False  # the catalog is reached through a symbolic link: Codex would follow it, we do not

    @property
    def accepted(self) -> bool:
        return self.file is not None and self.error is None


def read(root: Path) -> CodexCatalog:
    """What ``codex plugin marketplace add ROOT``, ``plugin list`` and ``plugin add`` make of a repository."""
    file = next((c for c in CATALOGS if present(root, c)), None)
    if file is None:
        return CodexCatalog(None, error="marketplace root does not contain a supported manifest")
    if linked(root, file):  # Codex follows the link; we never do
        return CodexCatalog(file, error=NOT_FOLLOWED.format(file), unjudged=True)
    doc = load_json(root / file, MARKETPLACE_CAP)
    if doc is None or not doc.ok:
        why = doc.problem.message if doc is not None and doc.problem is not None else "unreadable"
        return CodexCatalog(file, error=f"invalid marketplace file {file}: {why}")
    body = doc.value
    if not isinstance(body, dict):
        return CodexCatalog(file, error=f"invalid marketplace file {file}: expected an object")
    catalog = CodexCatalog(file)
    refusal = _refusal(body, file)
    if refusal:
        # Nothing installs from a catalog Codex refuses: each local entry says so (the page of a
        # plugin it lists shows why), judged no further.
        catalog.error = refusal
        plugins = body.get("plugins")
        for number, raw in enumerate(plugins[:MAX_ENTRIES] if isinstance(plugins, list) else []):
            if isinstance(raw, dict) and isinstance(raw.get("name"), str) and "source" in raw:
                placed = _place(raw["source"], file, root)
                if not isinstance(placed, str) and placed[0] == "local":
                    catalog.entries.append(
                        CodexEntry(raw["name"], "local", placed[1], None, "AVAILABLE", "ON_INSTALL", None, False, refusal, number)
                    )
        return catalog
    catalog.name = body["name"]
    seen: set[str] = set()
    manifests: dict[str, tuple[str, Any] | None] = {}  # by folder: one read however many entries name it
    for number, raw in enumerate(body["plugins"]):
        name = raw["name"]
        if number >= MAX_ENTRIES:
            catalog.dropped.append((name, f"not judged: past the first {MAX_ENTRIES:,} entries"))
            catalog.dropped_at.append(number)
            continue
        placed = _place(raw["source"], file, root)
        if isinstance(placed, str):
            catalog.dropped.append((name, placed))
            catalog.dropped_at.append(number)
            continue
        if name in seen:
            catalog.dropped.append((name, "a second entry of this name"))
            catalog.dropped_at.append(number)
            continue
        seen.add(name)
        kind, where = placed
        policy = raw.get("policy") if isinstance(raw.get("policy"), dict) else {}
        installation = policy.get("installation") or "AVAILABLE"
        authentication = policy.get("authentication") or "ON_INSTALL"
        if kind == "git":
            entry = CodexEntry(name, "git", None, where, installation, authentication, None, None, None, number, raw["source"])
            catalog.entries.append(entry)
            continue
        catalog.entries.append(replace(_local(root, name, where, installation, authentication, manifests), index=number))
    return catalog


def _refusal(body: dict[str, Any], file: str) -> str | None:
    """Why ``marketplace add`` refuses the catalog as a whole, if it does."""
    name = body.get("name")
    if not isinstance(name, str):
        return (
            f"invalid marketplace file {file}: missing field `name`"
            if name is None
            else f"invalid marketplace file {file}: `name` is not a string"
        )
    if not NAME.fullmatch(name):
        return "invalid marketplace name: only ASCII letters, digits, '_', and '-' are allowed"
    if name in RESERVED:
        return f"marketplace `{name}` is reserved and cannot be added from this source"
    plugins = body.get("plugins")
    if plugins is None:
        return f"invalid marketplace file {file}: missing field `plugins`"
    if not isinstance(plugins, list):
        return f"invalid marketplace file {file}: invalid type for `plugins`, expected a sequence"
    for index, raw in enumerate(plugins):
        if not isinstance(raw, dict):
            return f"invalid marketplace file {file}: plugins[{index}] is not an object"
        for key in ("name", "source"):
            if key not in raw:
                return f"invalid marketplace file {file}: plugins[{index}]: missing field `{key}`"
        if not isinstance(raw["name"], str):
            return f"invalid marketplace file {file}: plugins[{index}].name is not a string"
        policy = raw.get("policy")
        if isinstance(policy, dict):
            for key, allowed in (("installation", INSTALLATION), ("authentication", AUTHENTICATION)):
                value = policy.get(key)
                if value is not None and value not in allowed:
                    shown = value if isinstance(value, str) else type(value).__name__
                    return f"invalid marketplace file {file}: unknown variant `{shown}`, expected one of {', '.join(allowed)}"
    return None


def _inside(path: str) -> str | None:
    """A relative path's normal form, or None when it leaves the repository."""
    normal = posixpath.normpath(path)
    if normal.startswith("/") or normal == ".." or normal.startswith("../"):
        return None
    return normal


def _place(source: Any, file: str, root: Path) -> tuple[Kind, str] | str:
    """Where an entry's plugin is (a local folder or a git URL), or why Codex drops the entry."""
    if isinstance(source, str):
        if "://" in source or source.startswith("git@"):
            return "git", source
        if not source.startswith("./") and source != "." and file != CURSOR_CATALOG:
            return "local plugin source path must start with './'"
        inside = _inside(source)
        return ("local", inside) if inside is not None else "local plugin source path must stay within the marketplace root"
    if not isinstance(source, dict):
        return "unsupported source"
    kind = source.get("source")
    if kind == "local":
        path = source.get("path")
        if not isinstance(path, str):
            return "unsupported source"
        if not path.startswith("./") and path != ".":
            return "local plugin source path must start with './'"
        inside = _inside(path)
        return ("local", inside) if inside is not None else "local plugin source path must stay within the marketplace root"
    if kind in ("url", "git-subdir"):
        url = source.get("url")
        return ("git", url) if isinstance(url, str) and url else "unsupported source"
    return "skipping marketplace plugin with unsupported source"


LINKED = object()  # a manifest reached through a symbolic link


def _manifest(folder: Path) -> tuple[str, Any] | None:
    """The manifest Codex reads in a plugin folder (its path and parsed value, None if it does not parse)."""
    for relative in MANIFESTS:
        if not present(folder, relative):
            continue
        path = regular_file(folder, relative)
        if path is None:
            return relative, LINKED
        doc = load_json(path)
        return relative, (doc.value if doc is not None and doc.ok else None)
    path = regular_file(folder, AGENT_PLUGINS_MANIFEST)
    if path is not None:
        doc = load_json(path)
        value = doc.value if doc is not None and doc.ok else None
        if isinstance(value, dict) and "$schema" in value:
            return AGENT_PLUGINS_MANIFEST, value
    return None


def _local(
    root: Path, name: str, path: str, installation: str, authentication: str, manifests: dict[str, tuple[str, Any] | None]
) -> CodexEntry:
    folder = inside(root, path)
    if folder is None or not folder.is_dir():
        return CodexEntry(
            name, "local", path, None, installation, authentication, None, False, f"plugin source path is not a directory: {path}"
        )
    if path not in manifests:
        manifests[path] = _manifest(folder)
    found = manifests[path]
    version: str | None = None
    error: str | None = None
    if found is not None:
        relative, value = found
        if value is LINKED:
            return CodexEntry(
                name, "local", path, None, installation, authentication, None, None, NOT_FOLLOWED.format(f"{path}/{relative}")
            )
        if not isinstance(value, dict):
            error = f"failed to parse {relative}"
        else:
            named = value.get("name")
            raw_version = value.get("version")
            if isinstance(raw_version, str):
                version = raw_version
                if not raw_version.strip():
                    error = "invalid plugin version in plugin.json: must not be blank"
            elif raw_version is not None:
                error = "invalid plugin version in plugin.json: expected string"
            if isinstance(named, str) and named and named != name:
                error = f"plugin.json name '{named}' does not match marketplace plugin name '{name}'"
    if error is None and installation == "NOT_AVAILABLE":
        error = f"plugin '{name}' is not available for install"
    return CodexEntry(name, "local", path, None, installation, authentication, version, error is None, error)
