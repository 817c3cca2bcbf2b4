"""Virtual checkouts: the parts of a GitHub repository the crawl reads, laid out on disk.

The GitHub crawl reads a repository the way ``crawl --from-dir`` reads a checkout, by the
same code, so both give the same records and findings. It fetches only the files that code
reads (JSON manifests and markdown under plugin directories, READMEs) and creates every
other file as an empty placeholder and every directory, so "does this path exist" answers
as it would in a real checkout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from agentops_index.manifest import skills
from agentops_index.manifest.jsonfile import MANIFEST_CAP, MARKDOWN_CAP, MARKETPLACE_CAP
from agentops_index.sources.github import TreeEntry

MAX_FETCH_FILES = 3000  # per repository
MAX_FETCH_BYTES = 16 * 1024 * 1024
MAX_PLACEHOLDERS = 20000
SKIP_PARTS = frozenset({".git", "node_modules", "vendor", "__pycache__", ".venv"})
_README = re.compile(r"^readme(\.md|\.markdown)?$", re.IGNORECASE)


@dataclass(slots=True)
class Plan:
    fetch: list[TreeEntry] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    directories: list[str] = field(default_factory=list)
    truncated: bool = False


def _under(path: str, directory: str) -> bool:
    return directory in ("", ".") or path == directory or path.startswith(directory.rstrip("/") + "/")


# Read at the repository root whatever the plugin folders: a root plugin's manifest, and the other
# clients' catalogs (sources/clients.py reads them as the local crawl does).
ROOT_FILES = frozenset({".claude-plugin/plugin.json", ".agents/plugins/marketplace.json", ".cursor-plugin/marketplace.json"})
SCRIPT_SUFFIXES = (".sh", ".bash", ".py", ".js", ".mjs", ".cjs", ".ts")
SCRIPT_CAP = 64 * 1024  # bundled scripts hooks and MCP servers run, for trust signals


def _wanted(entry: TreeEntry) -> bool:
    name = entry.path.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower.endswith(".json"):
        return entry.size <= MANIFEST_CAP
    if lower.endswith(SCRIPT_SUFFIXES):
        return entry.size <= SCRIPT_CAP
    if lower.endswith(".md") or _README.match(name):
        return entry.size <= MARKDOWN_CAP
    return False


def plan(
    entries: list[TreeEntry], plugin_dirs: list[str], tree_truncated: bool = False, also: frozenset[str] = frozenset()
) -> Plan:
    """Which files to fetch, which to stand in as placeholders, which folders to create
    (``also``: more files to fetch by path, such as ``root_plugin_files``)."""
    out = Plan(truncated=tree_truncated)
    dirs = [d.removeprefix("./").strip("/") for d in plugin_dirs]
    fetched_bytes = 0
    for entry in sorted(entries, key=lambda e: e.path):
        parts = PurePosixPath(entry.path).parts
        if not parts or ".." in parts or entry.path.startswith("/") or "\\" in entry.path:
            continue
        if entry.type == "tree":
            out.directories.append(entry.path)
            continue
        if entry.type != "blob" or entry.mode == "120000":
            continue  # symlinks and submodules are not followed (the local reader refuses them too)
        useful = (
            (entry.path in ROOT_FILES and entry.size <= MARKETPLACE_CAP)
            or (entry.path in also and _wanted(entry))
            or (not SKIP_PARTS.intersection(parts) and any(_under(entry.path, d) for d in dirs) and _wanted(entry))
        )
        if useful and len(out.fetch) < MAX_FETCH_FILES and fetched_bytes + entry.size <= MAX_FETCH_BYTES:
            out.fetch.append(entry)
            fetched_bytes += entry.size
        elif useful:
            out.truncated = True
            out.placeholders.append(entry.path)
        elif len(out.placeholders) < MAX_PLACEHOLDERS:
            out.placeholders.append(entry.path)
        else:
            out.truncated = True
    return out


# Where a repository with a catalog keeps skills of its own, for people to copy: its top-level
# skills/ folder, and the project folders Claude Code and Codex read (sources/standalone.py's
# ``beside``). Skill files anywhere else in such a repository (test fixtures, vendored or example
# marketplaces, documentation) are not published skills.
BESIDE = ("skills/", ".claude/skills/", ".agents/skills/")
AGENT_PLUGIN_FILES = frozenset({"plugin.json", "mcp.json"})  # manifest/agentplugins.py reads them at a plugin's root


def root_plugin_files(entries: list[TreeEntry]) -> frozenset[str]:
    """A repository's root ``plugin.json`` (an Agent Plugins plugin when its ``$schema`` says so,
    which only reading it tells), with the ``mcp.json`` and README beside it; none without it."""
    names = {e.path for e in entries if e.type == "blob" and "/" not in e.path and e.mode != "120000"}
    if "plugin.json" not in names:
        return frozenset()
    return frozenset(n for n in names if n in AGENT_PLUGIN_FILES or _README.match(n))


def single_cursor_plugin(entries: list[TreeEntry]) -> bool:
    """Whether a repository keeps Cursor's plugin manifest at its root (a single Cursor plugin)."""
    return any(e.path == ".cursor-plugin/plugin.json" and e.type == "blob" and e.mode != "120000" for e in entries)


def skill_dirs(entries: list[TreeEntry]) -> list[str]:
    """The folders that hold a skill file, where ``manifest.skills.folders`` looks on disk
    (at most ``MAX_DEPTH`` folders down, none under a skipped folder): the parts of a
    repository of standalone skills to fetch. Symbolic links are not followed."""
    out = set()
    for entry in entries:
        parts = PurePosixPath(entry.path).parts
        if entry.type != "blob" or not parts or parts[-1] not in skills.FILES or entry.mode == "120000":
            continue
        if len(parts) - 1 <= skills.MAX_DEPTH and not skills.SKIPPED_FOLDERS.intersection(parts[:-1]):
            out.add("/".join(parts[:-1]) or ".")
    return sorted(out)


def materialize(root: Path, layout: Plan, contents: dict[str, bytes | None], extra: dict[str, bytes] | None = None) -> None:
    """Write the plan under ``root``: folders, fetched files, empty placeholders."""
    for directory in layout.directories:
        (root / directory).mkdir(parents=True, exist_ok=True)
    for path in layout.placeholders:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    for entry in layout.fetch:
        target = root / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(contents.get(entry.path) or b"")
    for path, data in (extra or {}).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
