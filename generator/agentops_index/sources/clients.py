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
from typing import Final

from agentops_index.manifest import agentplugins, codex, cursor
from agentops_index.snapshot import models as m
from agentops_index.snapshot.assemble import plain_name, text

PROBLEMS_MAX = 20
AGENT_PLUGINS: Final = "agent-plugins"


def folder_of(path: str | None) -> str | None:
    return posixpath.normpath(path.removeprefix("./")) if path else None


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
        folder = folder_of(record.resolved.plugin_dir) if record.resolved.state == "local" else None
        where = root if folder in (None, ".") else root / (folder or "")
        found = agentplugins.read(where) if folder is not None and record.client != AGENT_PLUGINS else None
        if found is not None and where.resolve().is_relative_to(root.resolve()):
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
    seen: codex.CodexCatalog, judged: cursor.CursorCatalog | None, marketplace_id: str, origin: str
) -> tuple[dict[str, list[m.ClientView]], dict[str, list[str | None]]]:
    """Every other client's view of the repository's plugin folders, by folder: one view a client
    a folder (the first entry that names it), whatever a catalog repeats. Also the folder each
    entry of a client's own catalog names (None: none, a remote source or one the client drops),
    for the crawl's accounting (Codex reading Claude's catalog adds no entries of its own)."""
    out: dict[str, dict[str, m.ClientView]] = defaultdict(dict)
    named: dict[str, list[str | None]] = {}
    if seen.file == codex.CODEX_CATALOG:
        named["codex"] = [folder_of(e.path) for e in seen.entries] + [None] * len(seen.dropped)
    if seen.file is not None and not seen.unjudged:
        for entry in seen.entries:
            folder = folder_of(entry.path)
            if folder is not None and "codex" not in out[folder]:
                out[folder]["codex"] = codex_view(seen, entry, marketplace_id, origin)
    if judged is not None:
        named["cursor"] = [folder_of(item.folder) for item in judged.entries]
    if judged is not None and not judged.unjudged:
        for item, view in zip(judged.entries, cursor_views(judged), strict=True):
            folder = folder_of(item.folder)
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
        folder = folder_of(record.resolved.plugin_dir) if record.resolved.state == "local" else None
        found = read.by_folder.get(folder or "", [])
        out.append(record.model_copy(update={"clients": found}) if found else record)
    return out


def unrecorded(root: Path, marketplace_id: str, origin: str) -> dict[str, m.ClientCount]:
    """The entries of a repository whose catalogs give no records (none is readable)."""
    return counts(readings(root, marketplace_id, origin).named, set())
