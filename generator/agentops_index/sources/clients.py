"""Other clients' views of a repository's plugins, attached to the Claude records they share a folder with.

A repository often ships Codex's and Cursor's catalogs beside Claude Code's, listing the same
plugin folders under the same or other names; Codex also reads Claude's catalog when it has none
of its own. Each Claude record whose plugin folder another client's catalog lists gets that
client's view (``m.ClientView``): the catalog read, the entry's name there, how to install it in
that client, and the verdict by that client's rules (``manifest/codex.py``, ``manifest/cursor.py``).
One folder is one record: a view is attached, never a second record made; two folders are never
joined. The folders only another client's catalog names get that client's records
(``sources/other.py``). The crawl counts each client's entries, recorded or skipped
(``m.ClientCount``, in each source's status and the crawl report).
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from agentops_index.manifest import agentplugins, codex, cursor
from agentops_index.manifest.checks import inside
from agentops_index.snapshot import models as m
from agentops_index.snapshot.assemble import plain_name, text

PROBLEMS_MAX = 20
AGENT_PLUGINS: Final = "agent-plugins"


def folder_of(path: str | None) -> str | None:
    return posixpath.normpath(path.removeprefix("./")) if path else None


def remote_key(url: str | None = None, repo: str | None = None, path: str | None = None) -> str | None:
    """One name for a remote plugin folder however a catalog spells it: a git URL (https, or
    ``git@host:owner/repo``, with or without ``.git``) or a GitHub ``owner/repo``, and the folder
    in it. Two catalogs' entries with one key are one plugin; the ref they pin is its version."""
    if repo:
        host, where = "github.com", repo
    elif url and url.startswith("git@"):
        host, colon, where = url[4:].partition(":")
        if not colon:
            return None  # git reads "git@host/path" as a local path
    elif url:
        try:
            parts = urlsplit(url.strip())
            host = parts.hostname or ""
        except ValueError:
            return None
        if parts.scheme not in ("https", "http", "git", "ssh"):
            return None
        where = parts.path
    else:
        return None
    host = host.lower().removeprefix("www.")
    where = where.strip("/").lower().removesuffix(".git").strip("/")
    if not host or not where or "/" in host:
        return None
    return f"remote:{host}/{where}#{folder_of(path) or '.'}"


def raw_remote(source: Any) -> str | None:
    """The remote key of a catalog entry's ``source`` as written (Claude's, Codex's, Cursor's); a
    git URL relative to the repository gives the folder it names."""
    if isinstance(source, str):
        return remote_key(url=source) if "://" in source or source.startswith("git@") else None
    if not isinstance(source, dict):
        return None
    kind = source.get("source")
    path = source.get("path") if kind == "git-subdir" and isinstance(source.get("path"), str) else None
    if kind == "github" and isinstance(source.get("repo"), str):
        return remote_key(repo=source["repo"], path=path)
    url = source.get("url")
    if kind == "url" and isinstance(url, str) and (url == "." or url.startswith("./")):
        return folder_of(url)  # a git URL relative to the repository: a folder of it (Codex clones it from there)
    if kind in ("url", "git-subdir") and isinstance(url, str):
        return remote_key(url=url, path=path)
    return None


def in_repository(record: m.PluginRecord) -> bool:
    """Whether a record's plugin is a folder of the repository read (not a remote plugin the
    GitHub crawl fetched from its own repository, whose folder is relative to that one)."""
    return record.source.kind == "relative" and record.resolved.state == "local" and record.resolved.repo is None


def record_key(record: m.PluginRecord) -> str | None:
    """Where a record's plugin is: its folder in the repository, or its remote key."""
    if record.source.kind == "relative":
        return folder_of(record.resolved.plugin_dir) if in_repository(record) else None
    if record.source.kind in ("github", "url", "git-subdir"):
        path = record.source.path if record.source.kind == "git-subdir" else None
        return remote_key(url=record.source.url, repo=record.source.repo, path=path)
    return None


def untrusted(entry: str, marketplace: str | None, problems: list[str]) -> m.ClientUntrusted:
    return m.ClientUntrusted(
        entry=text(entry) or m.Text.of("?"),
        marketplace=text(marketplace),
        problems=[t for t in (text(p) for p in problems[:PROBLEMS_MAX]) if t is not None],
    )


def codex_view(seen: codex.CodexCatalog, entry: codex.CodexEntry, marketplace_id: str, origin: str) -> m.ClientView:
    """How Codex reads one entry of the catalog it reads: its install commands and verdict."""
    add = f"codex plugin marketplace add {marketplace_id}" if origin == "github" else None
    plain = plain_name(entry.name) and plain_name(seen.name)
    install = [c for c in (add, f"codex plugin add {entry.name}@{seen.name}" if plain else None) if c]
    return m.ClientView(
        client="codex",
        catalog=seen.file or codex.CODEX_CATALOG,
        valid=entry.installs,
        rules=codex.CLIENT,
        install=install if seen.accepted else [],
        untrusted=untrusted(entry.name, seen.name, list(dict.fromkeys(e for e in (seen.error, entry.error) if e))),
    )


def cursor_views(judged: cursor.CursorCatalog) -> list[m.ClientView]:
    """Cursor's verdict on each entry of its catalog (``judged.entries``, in order): the
    catalog's own problems and the entry's, found in one pass."""
    whole, by_entry = [], defaultdict(list)
    for problem in judged.problems:
        text_of = f"{problem.file} {problem.path}: {problem.message}"
        parts = problem.path.split("/")
        if len(parts) > 2 and parts[1] == "plugins" and parts[2].isdigit():
            by_entry[int(parts[2])].append(text_of)
        else:
            whole.append(text_of)
    out = []
    for index, item in enumerate(judged.entries):
        problems = whole + by_entry[index] + [f"{p.file} {p.path or '(entry)'}: {p.message}" for p in item.problems]
        out.append(
            m.ClientView(
                client="cursor",
                catalog=cursor.CATALOG,
                valid=None if item.unjudged else not problems,
                rules=cursor.RULES,
                install=[],
                untrusted=untrusted(item.name or "?", judged.name, [*problems, *([item.unjudged] if item.unjudged else [])]),
            )
        )
    return out


def agent_plugins_view(plugin: agentplugins.AgentPlugin, entry_name: str) -> m.ClientView:
    """The Agent Plugins 1.0 verdict on a folder whose root ``plugin.json`` is one. The format
    publishes no install command of its own (a client that reads it installs from the folder),
    so the view offers none."""
    problems = [f"{p.file} {p.path or '(document)'}: {p.message}" for p in plugin.problems]
    return m.ClientView(
        client=AGENT_PLUGINS,
        catalog=agentplugins.MANIFEST,
        valid=plugin.valid,
        rules=agentplugins.RULES,
        install=[],
        untrusted=untrusted(entry_name, None, [*problems, *([plugin.unjudged] if plugin.unjudged else [])]),
    )


def with_agent_plugins(root: Path, plugins: list[m.PluginRecord]) -> tuple[list[m.PluginRecord], dict[str, m.ClientCount]]:
    """The records, each whose folder is also an Agent Plugins plugin (a root ``plugin.json``
    naming the format) with that view added; and the count of such folders (one entry each,
    recorded: the format has no catalog, so its plugin is the folder's record)."""
    out, folders = [], set()
    for record in plugins:
        folder = folder_of(record.resolved.plugin_dir) if in_repository(record) else None
        where = inside(root, folder) if folder is not None and record.client != AGENT_PLUGINS else None
        found = agentplugins.read(where) if where is not None else None
        if found is not None:
            folders.add(folder)
            name = found.name or (folder or "").rsplit("/", 1)[-1]
            record = record.model_copy(update={"clients": [*record.clients, agent_plugins_view(found, name)]})
        out.append(record)
    count = {AGENT_PLUGINS: m.ClientCount(entries=len(folders), recorded=len(folders), skipped=0)} if folders else {}
    return out, count


@dataclass(slots=True)
class Readings:
    """What Codex and Cursor make of one repository, read once (``readings``): their catalogs,
    their views of its folders, and the folder each of their own catalogs' entries names."""

    codex: codex.CodexCatalog
    cursor: cursor.CursorCatalog | None
    by_folder: dict[str, list[m.ClientView]]
    named: dict[str, list[str | None]]


def readings(root: Path, marketplace_id: str, origin: str) -> Readings:
    seen, judged = codex.read(root), cursor.read(root)
    return Readings(seen, judged, *views(seen, judged, marketplace_id, origin))


def views(
    seen: codex.CodexCatalog,
    judged: cursor.CursorCatalog | None,
    marketplace_id: str,
    origin: str,
) -> tuple[dict[str, list[m.ClientView]], dict[str, list[str | None]]]:
    """Every other client's view of the repository's plugins, by folder (or by remote key for a
    git source, ``remote_key``): one view a client a plugin (the first entry that names it), whatever a catalog repeats. Also the
    folder or remote key each entry of a client's own catalog names (None: none, or one the client
    drops), for the crawl's accounting (Codex reading Claude's catalog adds no entries of its own)."""
    out: dict[str, dict[str, m.ClientView]] = defaultdict(dict)
    named: dict[str, list[str | None]] = {}

    def codex_place(entry: codex.CodexEntry) -> str | None:
        return raw_remote(entry.source) if entry.kind == "git" else folder_of(entry.path)

    if seen.file == codex.CODEX_CATALOG:
        named["codex"] = [codex_place(e) for e in seen.entries] + [None] * len(seen.dropped)
    if seen.file is not None and not seen.unjudged:
        for entry in seen.entries:
            folder = codex_place(entry)
            if folder is not None and "codex" not in out[folder]:
                out[folder]["codex"] = codex_view(seen, entry, marketplace_id, origin)

    def cursor_place(item: cursor.CursorEntry) -> str | None:
        return folder_of(item.folder) if item.folder is not None else raw_remote(item.source)

    if judged is not None:
        named["cursor"] = [cursor_place(item) for item in judged.entries]
    if judged is not None and not judged.unjudged:
        for item, view in zip(judged.entries, cursor_views(judged), strict=True):
            folder = cursor_place(item)
            if folder is not None and "cursor" not in out[folder]:
                out[folder]["cursor"] = view
    return {folder: list(found.values()) for folder, found in out.items()}, named


def counts(named: dict[str, list[str | None]], recorded: set[str]) -> dict[str, m.ClientCount]:
    """Each client's catalog entries, and how many name a folder in ``recorded``."""
    return {
        client: m.ClientCount(
            entries=len(folders),
            recorded=(n := sum(1 for f in folders if f is not None and f in recorded)),
            skipped=len(folders) - n,
        )
        for client, folders in sorted(named.items())
    }


def merged(*parts: dict[str, m.ClientCount]) -> dict[str, m.ClientCount]:
    """Counts of one source's parts, summed by client."""
    out: dict[str, m.ClientCount] = {}
    for part in parts:
        for client, count in part.items():
            before = out.get(client, m.ClientCount(entries=0, recorded=0, skipped=0))
            out[client] = m.ClientCount(
                entries=before.entries + count.entries,
                recorded=before.recorded + count.recorded,
                skipped=before.skipped + count.skipped,
            )
    return out


def totals(sources: list[m.SourceStatus]) -> dict[str, m.ClientCount]:
    """Every source's counts, summed by client (the crawl report's, the statistics page's)."""
    return dict(sorted(merged(*(source.clients for source in sources)).items()))


def by_client(snapshot: m.Snapshot) -> dict[str, m.ClientCount]:
    """Every client's catalog entries in a snapshot, recorded or skipped: Claude Code's from its
    marketplaces (each entry with a string name is a record, the others skipped), the others'
    from each source's counts (``totals``)."""
    claude = [market for market in snapshot.marketplaces if market.client == "claude"]
    own = m.ClientCount(
        entries=sum(market.entries for market in claude),
        recorded=sum(len(market.plugin_ids) for market in claude),
        skipped=sum(len(market.skipped) for market in claude),
    )
    return dict(sorted({**totals(snapshot.sources), **({"claude": own} if claude else {})}.items()))


def attach(read: Readings, plugins: list[m.PluginRecord]) -> list[m.PluginRecord]:
    """The records, each with the views of the other clients that list its folder (the counts
    are ``sources/other.py``'s ``tally``, once every record of the repository is made)."""
    if not read.by_folder:
        return plugins
    out = []
    for record in plugins:
        found = read.by_folder.get(record_key(record) or "", [])
        out.append(record.model_copy(update={"clients": found}) if found else record)
    return out


def unrecorded(root: Path, marketplace_id: str, origin: str) -> dict[str, m.ClientCount]:
    """The entries of a repository whose catalogs give no records (none is readable)."""
    return counts(readings(root, marketplace_id, origin).named, set())
