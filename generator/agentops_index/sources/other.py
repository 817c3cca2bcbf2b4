"""Repositories with another client's catalog and none of Claude Code's: their plugins as records.

Thousands of repositories publish a Codex catalog (``.agents/plugins/marketplace.json``) or a
Cursor one (``.cursor-plugin/marketplace.json``) and no ``.claude-plugin/marketplace.json``.
Such a repository is a marketplace of that client: Codex's catalog when it has one (Codex
itself reads its own first), else Cursor's. The catalog gives the marketplace record and, by
the record rule Claude's catalogs follow, one plugin record per entry with a string name
(``skipped`` for the others), each with that client's verdict (``manifest/codex.py``,
``manifest/cursor.py``) as its findings and that client's install commands in its view.

Ids: ``<client>:<entry name>@<owner/repo>`` (``codex:figma@openai/plugins``), never equal to a
Claude id, which stays ``<entry name>@<owner/repo>``. One folder is one record: another
client's entries for a folder that has a record attach as views (``sources/clients.py``); its
entries for other folders become records of their own (``extras``), in a repository with
Claude's catalog too (``MarketplaceRecord.other_ids``). Nothing here raises on what a
repository holds.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from agentops_index.manifest import codex, cursor
from agentops_index.manifest.checks import NOT_FOLLOWED, inside, linked, load_json, present, regular_file
from agentops_index.manifest.components import cursor_inventory, inventory
from agentops_index.manifest.jsonfile import MARKETPLACE_CAP
from agentops_index.manifest.models import Marketplace, MarketplaceEntry, PluginSource
from agentops_index.manifest.text import DESCRIPTION_CAP, NAME_CAP, SHORT_CAP, clean
from agentops_index.snapshot import assemble
from agentops_index.snapshot import models as m
from agentops_index.snapshot.categories import Taxonomy
from agentops_index.sources import clients

NAMES = {"codex": "Codex", "cursor": "Cursor"}
# Finding codes, spelled out (render/fixes.py gives each its advice; a test matches the two).
CODES = {
    ("codex", "refused"): "codex.refused",
    ("codex", "not_judged"): "codex.not_judged",
    ("codex", "note"): "codex.note",
    ("cursor", "refused"): "cursor.refused",
    ("cursor", "not_judged"): "cursor.not_judged",
    ("cursor", "note"): "cursor.note",
}
# What the marketplace page says under "Add it to ..." (Codex's command is shown when it accepts the catalog).
ADD_NOTES = {
    "codex": "a Codex catalog, not Claude Code's: Codex adds it from its repository",
    "cursor": "a Cursor catalog, not Claude Code's: Cursor installs its plugins from its marketplace "
    "(/add-plugin in Agent chat) or from a team marketplace that imports this repository",
}
REFUSED = "its client refuses this catalog (its findings below say why), so nothing installs from it"
# An entry's own display fields, as Claude's entries carry them (assemble._display).
ENTRY_KEYS = ("description", "category", "keywords", "tags", "version", "author", "homepage", "repository", "license")


def _catalog(root: Path, file: str) -> dict[str, Any] | str:
    """The catalog's JSON object, or why it cannot be read."""
    path = regular_file(root, file)
    if path is None and linked(root, file):
        return f"not_followed: {NOT_FOLLOWED.format(file)}"
    doc = load_json(path, MARKETPLACE_CAP) if path is not None else None
    if doc is None:
        return f"unreadable: cannot read {file}"
    if not doc.ok or not isinstance(doc.value, dict):
        return f"invalid_json: {file}: {doc.problem.message if doc.problem else 'not an object'}"
    return doc.value


def _plugins(body: dict[str, Any]) -> list[Any]:
    plugins = body.get("plugins")
    return plugins if isinstance(plugins, list) else []


def _shown(manifest: dict[str, Any] | None) -> dict[str, Any] | None:
    """A manifest's display fields as Claude's names them: Codex keeps its display name and
    short description under ``interface``."""
    if manifest is None:
        return None
    face: dict[str, Any] = manifest["interface"] if isinstance(manifest.get("interface"), dict) else {}
    lifted = {"displayName": face.get("displayName"), "description": face.get("shortDescription")}
    return {**{k: v for k, v in lifted.items() if isinstance(v, str)}, **manifest}


def parts_of(root: Path, folder: str | None, manifests: tuple[str, ...], entry: MarketplaceEntry) -> assemble.PluginParts:
    """A local entry's folder read as that client reads it: its manifest, components (Cursor's
    hooks and ``mcp.json`` for a Cursor plugin, ``components.cursor_inventory``) and README."""
    if folder is None:
        return assemble.remote_plugin(entry)
    plugin_dir = inside(root, folder)
    if plugin_dir is None or not plugin_dir.is_dir():
        parts = assemble.PluginParts()
        parts.resolution = m.Resolution(state="missing", plugin_dir=folder)
        return parts
    manifest = None
    for relative in manifests:
        path = regular_file(plugin_dir, relative)
        doc = load_json(path) if path is not None else None
        if doc is not None and doc.ok and isinstance(doc.value, dict):
            manifest = doc.value
            break
    parts = assemble.PluginParts()
    parts.plugin_json = _shown(manifest)
    parts.resolution = m.Resolution(state="local", plugin_dir=folder, manifest="plugin.json" if manifest else "entry")
    read = cursor_inventory if manifests == (cursor.MANIFEST,) else inventory
    parts.inventory = read(plugin_dir, manifest or {})
    parts.readme = assemble.readme(plugin_dir)
    parts.plugin_dir = plugin_dir
    return parts


def _entry(index: int, raw: dict[str, Any], folder: str | None, url: str | None) -> MarketplaceEntry:
    if folder is not None:
        source = PluginSource(kind="relative", path="./" if folder == "." else f"./{folder}")
    else:
        given: dict[str, Any] = raw["source"] if isinstance(raw.get("source"), dict) else {}
        sub = given.get("path") if given.get("source") == "git-subdir" and isinstance(given.get("path"), str) else None
        pinned = {k: given[k] for k in ("ref", "sha") if isinstance(given.get(k), str)}
        if url and sub is not None:  # a folder of a git repository (its key tells it from the others)
            source = PluginSource(kind="git-subdir", url=url, path=sub, **pinned)
        else:
            source = PluginSource(kind="url", url=url, **pinned) if url else PluginSource(kind="unsupported")
    return MarketplaceEntry(index=index, name=raw["name"], raw={k: raw[k] for k in ENTRY_KEYS if k in raw}, source=source)


def _findings(client: str, index: int, view: m.ClientView, remote: bool) -> list[m.FindingRecord]:
    """A view's verdict as findings: each problem an error when the client refuses the plugin, or
    when its rules were not applied (a manifest behind a symbolic link, an entry past the cap), so
    that nothing unjudged passes. A git source is judged as Claude Code's remote ones are: by its
    entry, its files unread (a note says so)."""
    unjudged = view.valid is None and not remote
    severity: m.Severity = "error" if view.valid is False or unjudged else "note"
    problems = [p.text for p in view.untrusted.problems] or (
        [f"{NAMES[client]} does not install it"] if view.valid is False else []
    )
    code = CODES[client, "not_judged" if unjudged else ("refused" if severity == "error" else "note")]
    return [
        m.FindingRecord(
            code=code, severity=severity, path=f"plugins[{index}]", message=clean(p, assemble.FINDING_CAP), scope="entry"
        )
        for p in problems
    ]


def _home_views(
    readings: clients.Readings, body: dict[str, Any], client: str, source_id: str, origin: str
) -> list[tuple[int, str | None, str | None, m.ClientView]]:
    """(index, folder, git url, that client's view) for every entry with a string name."""
    out: list[tuple[int, str | None, str | None, m.ClientView]] = []
    plugins = _plugins(body)
    if client == "codex":
        seen = readings.codex
        listed = {placed.index: placed for placed in seen.entries}
        dropped = dict(zip(seen.dropped_at, (why for _, why in seen.dropped), strict=True))  # in Codex's words
        for index, raw in enumerate(plugins):
            if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
                continue
            found = listed.get(index)
            if found is None:  # dropped by Codex, or not placed in a catalog it refuses: nothing to install
                why = dropped.get(index) or seen.error or "not listed by Codex"
                judged = None if why.startswith("not judged") else False
                found = codex.CodexEntry(raw["name"], "local", None, None, "AVAILABLE", "ON_INSTALL", None, judged, why, index)
            view = clients.codex_view(seen, found, source_id, origin)
            if view.valid is not True and found.kind == "local":  # no command for what Codex would not install
                view = view.model_copy(update={"install": []})
            out.append((index, clients.folder_of(found.path) if found.kind == "local" else None, found.url, view))
        return out
    judged_catalog = readings.cursor
    if judged_catalog is None or judged_catalog.unjudged:
        return out
    items = iter(zip(judged_catalog.entries, clients.cursor_views(judged_catalog), strict=True))
    for index, raw in enumerate(plugins):
        if not isinstance(raw, dict):
            continue
        pair = next(items, None) if index < cursor.MAX_ENTRIES else None
        if not isinstance(raw.get("name"), str):
            continue
        if pair is None:  # past the entries Cursor's rules were applied to: recorded, not judged
            why = f"not judged: past the first {cursor.MAX_ENTRIES:,} entries"
            view = m.ClientView(
                client="cursor",
                catalog=cursor.CATALOG,
                valid=None,
                rules=cursor.RULES,
                untrusted=clients.untrusted(raw["name"], judged_catalog.name, [why]),
            )
            out.append((index, None, None, view))
            continue
        item, view = pair
        source = raw.get("source")
        url = source if isinstance(source, str) and "://" in source and item.folder is None else None
        out.append((index, clients.folder_of(item.folder), url, view))
    return out


def _named(client: str, raw: dict[str, Any], body: dict[str, Any]) -> str | None:
    """The folder an entry's source names, whatever its client makes of it (a Codex entry it
    drops still names one): how an entry is matched with a folder another catalog lists."""
    source = raw.get("source")
    if client == "codex" and isinstance(source, dict) and source.get("source") == "local":
        source = source.get("path")
    if not isinstance(source, str) or "://" in source or source.startswith("git@"):
        return None
    if client == "cursor":
        metadata = body.get("metadata")
        base = metadata.get("pluginRoot") if isinstance(metadata, dict) else None
        source = posixpath.join(base if isinstance(base, str) else ".", source)
    return clients.folder_of(source)


def _records(
    root: Path,
    source_id: str,
    origin: str,
    client: str,
    body: dict[str, Any],
    context: tuple[Taxonomy, str, clients.Readings],
    taken: set[str],
) -> list[m.PluginRecord]:
    """The records one client's catalog gives: one per entry with a string name, except entries
    naming a folder in ``taken`` (another catalog's records have it: this client's view is on
    them). The folders recorded are added to ``taken``."""
    taxonomy, now, found = context
    market = Marketplace(name=body.get("name") if isinstance(body.get("name"), str) else None, raw=body)
    manifests = codex.MANIFESTS if client == "codex" else (cursor.MANIFEST,)
    records: list[m.PluginRecord] = []
    used: set[str] = set()
    before = set(taken)
    for index, folder, url, view in _home_views(found, body, client, source_id, origin):
        raw = body["plugins"][index]
        remote = clients.raw_remote(raw.get("source")) if folder is None else None
        if (folder or _named(client, raw, body) or "") in before or (remote is not None and remote in before):
            continue
        entry = _entry(index, raw, folder, url)
        parts = parts_of(root, folder, manifests, entry)
        # Other clients' views of the folder, when it is there (as on Claude records: the counts
        # call an entry recorded when a record has its folder, read).
        there = parts.resolution.state == "local"
        also = [v for v in found.by_folder.get(folder or "", []) if v.client != client] if there else []
        if client == "cursor" and found.codex.file == cursor.CATALOG and not any(v.client == "codex" for v in also):
            # Codex reads this very catalog (it has none of its own): the same entry, wherever Codex
            # places it (it ignores metadata.pluginRoot, so it may find no folder there).
            same = next((e for e in found.codex.entries if e.index == index), None)
            also += [clients.codex_view(found.codex, same, source_id, origin)] if same is not None else []
        home = assemble.Home(client=client, findings=_findings(client, index, view, url is not None), views=[view, *also])
        record = assemble.plugin_record(source_id, origin, market, entry, parts, taxonomy, now, home=home)
        if record.id in used:
            record = record.model_copy(update={"id": f"{record.id}#{index}"})
        used.add(record.id)
        records.append(record)
        if folder is not None or remote is not None:
            taken.add(folder or remote or "")
    return records


CATALOGS = (("codex", codex.CODEX_CATALOG), ("cursor", cursor.CATALOG))


def extras(
    found: clients.Readings,
    root: Path,
    source_id: str,
    origin: str,
    context: tuple[Taxonomy, str],
    taken: set[str],
    skip: str | None = None,
) -> list[m.PluginRecord]:
    """The records of the plugins only Codex's or Cursor's catalog lists, beside the records of
    a repository's main catalog (whose folders are ``taken``): Codex's entries first, then
    Cursor's for folders still without a record. ``skip``: the main catalog's client."""
    out: list[m.PluginRecord] = []
    for client, file in CATALOGS:
        if client != skip:
            body = _catalog(root, file) if present(root, file) else "absent"
            if not isinstance(body, str):
                out += _records(root, source_id, origin, client, body, (*context, found), taken)
    return out


def tally(found: clients.Readings, records: list[m.PluginRecord]) -> dict[str, m.ClientCount]:
    """Each client's catalog entries in a repository: recorded when a record has the folder it
    names (its own record, or another catalog's with its view) or the entry is a record of its
    own; the rest skipped."""
    named = found.named
    keys = [clients.record_key(r) for r in records]  # a folder of the repository, or a remote plugin
    out = clients.counts(named, {k for k in keys if k})
    for client, count in out.items():
        own = sum(1 for r, k in zip(records, keys, strict=True) if r.client == client and k is None)
        recorded = min(count.entries, count.recorded + own)  # remote and dropped entries name no folder
        out[client] = m.ClientCount(entries=count.entries, recorded=recorded, skipped=count.entries - recorded)
    return out


Read = tuple[m.SourceStatus, m.MarketplaceRecord | None, list[m.PluginRecord]]


def without_catalog(
    source_id: str,
    origin: str,
    plugins: list[m.PluginRecord],
    shown: tuple[m.Client, str, m.MarketplaceUntrusted],
    count: m.ClientCount,
) -> Read:
    """A repository with no catalog whose records are ``plugins`` (standalone skills, a root Agent
    Plugins plugin): a marketplace of them, of ``shown``'s client, with its install note."""
    client, note, untrusted = shown
    market = m.MarketplaceRecord(
        id=source_id,
        slug="",
        origin=origin,  # type: ignore[arg-type]
        valid=True,
        errors=0,
        warnings=0,
        findings=[],
        entries=len(plugins),
        plugin_ids=[r.id for r in plugins],
        skipped=[],
        install=m.Install(marketplace_add=None, plugin_install=None, note=note),
        client=client,
        untrusted=untrusted,
    )
    status = m.SourceStatus(
        id=source_id,
        kind=origin,  # type: ignore[arg-type]
        state="fresh",
        entries=len(plugins),
        recorded=len(plugins),
        skipped=0,
        clients={client: count},
    )
    return status, market, plugins


def read_other(root: Path, source_id: str, origin: str, taxonomy: Taxonomy, now: str) -> Read | None:
    """The status, marketplace and records of a repository without Claude's catalog, from
    Codex's or Cursor's (``sources/folders.py`` makes them a source's outcome); None when it
    has neither."""
    # The first catalog there, as Codex picks (a symbolic link is there too: it is refused, never followed).
    file, client = next(((f, c) for c, f in CATALOGS if present(root, f)), (None, ""))
    if file is None:
        return None
    status = {"id": source_id, "kind": origin}
    body = _catalog(root, file)
    found = clients.readings(root, source_id, origin)
    if isinstance(body, str):
        others = clients.counts(found.named, set())
        failed = {**status, "state": "invalid", "last_error": body, "consecutive_failures": 1, "clients": others}
        return m.SourceStatus.model_validate(failed), None, []
    taken: set[str] = set()
    records = _records(root, source_id, origin, client, body, (taxonomy, now, found), taken)
    more = extras(found, root, source_id, origin, (taxonomy, now), taken, skip=client)
    both, agent_plugins = clients.with_agent_plugins(root, records + more)
    records, more = both[: len(records)], both[len(records) :]
    plugins = _plugins(body)
    skipped = [
        m.SkippedEntry(index=i, reason="entry_not_object" if not isinstance(raw, dict) else "name_not_string")
        for i, raw in enumerate(plugins)
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str)
    ]
    catalog_problems = _catalog_findings(found, client, file)
    errors = sum(1 for f in catalog_problems if f.severity == "error")
    owner: dict[str, Any] = body["owner"] if isinstance(body.get("owner"), dict) else {}
    market_record = m.MarketplaceRecord(
        id=source_id,
        slug="",
        origin=origin,  # type: ignore[arg-type]
        valid=errors == 0,
        errors=errors,
        warnings=0,
        findings=catalog_problems,
        entries=len(plugins),
        plugin_ids=[r.id for r in records],
        other_ids=[r.id for r in more],
        skipped=skipped,
        install=m.Install(marketplace_add=None, plugin_install=None, note=ADD_NOTES[client] if errors == 0 else REFUSED),
        client=client,  # type: ignore[arg-type]
        untrusted=m.MarketplaceUntrusted(
            name=assemble.text(body.get("name"), NAME_CAP),
            description=assemble.text(body.get("description"), DESCRIPTION_CAP),
            owner_name=assemble.text(owner.get("name"), SHORT_CAP),
        ),
    )
    counted = {**tally(found, records + more), **agent_plugins}
    counted[client] = m.ClientCount(entries=len(plugins), recorded=len(records), skipped=len(skipped))
    state = {"state": "fresh", "entries": len(plugins) + len(more), "recorded": len(records) + len(more), "skipped": len(skipped)}
    done = m.SourceStatus.model_validate({**status, **state, "clients": dict(sorted(counted.items()))})
    return done, market_record, records + more


def _catalog_findings(found: clients.Readings, client: str, file: str) -> list[m.FindingRecord]:
    """The catalog's own problems by its client's rules: Codex's refusal, Cursor's schema's."""
    if client == "codex":
        problems = [found.codex.error] if found.codex.error else []
    else:
        judged = found.cursor
        problems = [
            f"{p.path or '(catalog)'}: {p.message}"
            for p in (judged.problems if judged else [])
            if not p.path.startswith("/plugins/")
        ]
    return [
        m.FindingRecord(
            code=CODES[client, "refused"], severity="error", path="", message=clean(p, assemble.FINDING_CAP), file=file
        )
        for p in problems
    ]
