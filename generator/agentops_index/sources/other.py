"""Repositories with another client's catalog and none of Claude Code's: their plugins as records.

Thousands of repositories publish a Codex catalog (``.agents/plugins/marketplace.json``) or a
Cursor one (``.cursor-plugin/marketplace.json``) and no ``.claude-plugin/marketplace.json``.
Such a repository is a marketplace of that client: Codex's catalog when it has one (Codex
itself reads its own first), else Cursor's. The catalog gives the marketplace record and, by
the record rule Claude's catalogs follow, one plugin record per entry with a string name
(``skipped`` for the others), each with that client's verdict (``manifest/codex.py``,
``manifest/cursor.py``) as its findings and that client's install commands in its view.

Ids: ``<client>:<entry name>@<owner/repo>`` (``codex:figma@openai/plugins``), never equal to a
Claude id, which stays ``<entry name>@<owner/repo>``. One folder is one record: the other
client's entries for a folder that has a record attach as views (``sources/clients.py``), and
its entries for other folders are counted as skipped, not recorded yet (issue 21). Nothing here
raises on what a repository holds.
"""

from __future__ import annotations

from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from agentops_index.manifest import codex, cursor
from agentops_index.manifest.checks import inside, load_json, regular_file
from agentops_index.manifest.components import inventory
from agentops_index.manifest.jsonfile import MARKETPLACE_CAP
from agentops_index.manifest.models import Marketplace, MarketplaceEntry, PluginSource
from agentops_index.manifest.text import DESCRIPTION_CAP, NAME_CAP, SHORT_CAP, clean
from agentops_index.snapshot import assemble
from agentops_index.snapshot import models as m
from agentops_index.snapshot.categories import Taxonomy
from agentops_index.sources import clients
from agentops_index.sources.read import SourceOutcome

NAMES = {"codex": "Codex", "cursor": "Cursor"}
# An entry's own display fields, as Claude's entries carry them (assemble._display).
ENTRY_KEYS = ("description", "category", "keywords", "tags", "version", "author", "homepage", "repository", "license")


def _catalog(root: Path, file: str) -> dict[str, Any] | str:
    """The catalog's JSON object, or why it cannot be read."""
    path = regular_file(root, file)
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


def _parts(root: Path, folder: str | None, manifests: tuple[str, ...], entry: MarketplaceEntry) -> assemble.PluginParts:
    """A local entry's folder read as that client reads it: its manifest, components and README."""
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
    parts.inventory = inventory(plugin_dir, manifest or {})
    parts.readme = assemble.readme(plugin_dir)
    parts.plugin_dir = plugin_dir
    return parts


def _entry(index: int, raw: dict[str, Any], folder: str | None, url: str | None) -> MarketplaceEntry:
    if folder is not None:
        source = PluginSource(kind="relative", path="./" if folder == "." else f"./{folder}")
    else:
        source = PluginSource(kind="url", url=url) if url else PluginSource(kind="unsupported")
    return MarketplaceEntry(index=index, name=raw["name"], raw={k: raw[k] for k in ENTRY_KEYS if k in raw}, source=source)


def _findings(client: str, index: int, view: m.ClientView) -> list[m.FindingRecord]:
    """A view's verdict as findings: each problem an error when the client refuses the plugin."""
    severity: m.Severity = "error" if view.valid is False else "note"
    problems = [p.text for p in view.untrusted.problems] or (
        [f"{NAMES[client]} does not install it"] if view.valid is False else []
    )
    code = f"{client}.refused" if severity == "error" else f"{client}.note"
    return [
        m.FindingRecord(
            code=code, severity=severity, path=f"plugins[{index}]", message=clean(p, assemble.FINDING_CAP), scope="entry"
        )
        for p in problems
    ]


def _home_views(
    root: Path, body: dict[str, Any], client: str, source_id: str, origin: str
) -> list[tuple[int, str | None, str | None, m.ClientView]]:
    """(index, folder, git url, that client's view) for every entry with a string name."""
    out: list[tuple[int, str | None, str | None, m.ClientView]] = []
    plugins = _plugins(body)
    if client == "codex":
        seen = codex.read(root)
        listed: dict[str, codex.CodexEntry] = {}
        for placed in seen.entries:
            listed.setdefault(placed.name, placed)
        dropped: dict[str, deque[str]] = defaultdict(deque)  # why Codex does not list it, in its words
        for name, why in seen.dropped:
            dropped[name].append(why)
        for index, raw in enumerate(plugins):
            if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
                continue
            found = listed.pop(raw["name"], None)
            view = None
            if found is None:  # dropped by Codex, or not placed in a catalog it refuses: nothing to install
                why = (dropped[raw["name"]].popleft() if dropped[raw["name"]] else None) or seen.error or "not listed by Codex"
                judged = None if why.startswith("not judged") else False
                found = codex.CodexEntry(raw["name"], "local", None, None, "AVAILABLE", "ON_INSTALL", None, judged, why)
                view = clients.codex_view(seen, found, source_id, origin).model_copy(update={"install": []})
            view = view or clients.codex_view(seen, found, source_id, origin)
            out.append((index, clients.folder_of(found.path) if found.kind == "local" else None, found.url, view))
        return out
    judged_catalog = cursor.read(root)
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


def read_other(root: Path, source_id: str, origin: str, taxonomy: Taxonomy, now: str) -> SourceOutcome | None:
    """The records of a repository without Claude's catalog, from Codex's or Cursor's; None
    when it has neither."""
    file, client = next(
        ((f, c) for f, c in ((codex.CODEX_CATALOG, "codex"), (cursor.CATALOG, "cursor")) if (root / f).is_file()), (None, "")
    )
    if file is None:
        return None
    status = {"id": source_id, "kind": origin}
    body = _catalog(root, file)
    if isinstance(body, str):
        others = clients.counts(clients.views(root, source_id, origin)[1], set())
        return SourceOutcome(
            m.SourceStatus.model_validate(
                {**status, "state": "invalid", "last_error": body, "consecutive_failures": 1, "clients": others}
            )
        )
    market = Marketplace(name=body.get("name") if isinstance(body.get("name"), str) else None, raw=body)
    by_folder, named = clients.views(root, source_id, origin)
    manifests = codex.MANIFESTS if client == "codex" else (cursor.MANIFEST,)
    records: list[m.PluginRecord] = []
    used: set[str] = set()
    for index, folder, url, view in _home_views(root, body, client, source_id, origin):
        raw = body["plugins"][index]
        entry = _entry(index, raw, folder, url)
        also = [v for v in by_folder.get(folder or "", []) if v.client != client]
        home = assemble.Home(client=client, findings=_findings(client, index, view), views=[view, *also])
        record = assemble.plugin_record(
            source_id, origin, market, entry, _parts(root, folder, manifests, entry), taxonomy, now, home=home
        )
        if record.id in used:
            record = record.model_copy(update={"id": f"{record.id}#{index}"})
        used.add(record.id)
        records.append(record)
    plugins = _plugins(body)
    skipped = [
        m.SkippedEntry(index=i, reason="entry_not_object" if not isinstance(raw, dict) else "name_not_string")
        for i, raw in enumerate(plugins)
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str)
    ]
    catalog_problems = _catalog_findings(root, client, file)
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
        skipped=skipped,
        install=m.Install(marketplace_add=None, plugin_install=None, note=f"a {NAMES[client]} catalog, not Claude Code's"),
        client=client,  # type: ignore[arg-type]
        untrusted=m.MarketplaceUntrusted(
            name=assemble.text(market.name, NAME_CAP),
            description=assemble.text(body.get("description"), DESCRIPTION_CAP),
            owner_name=assemble.text(owner.get("name"), SHORT_CAP),
        ),
    )
    folders = {r.resolved.plugin_dir for r in records if r.resolved.state == "local" and r.resolved.plugin_dir}
    tally = clients.counts({c: f for c, f in named.items() if c != client}, {f for f in folders if f})
    tally[client] = m.ClientCount(entries=len(plugins), recorded=len(records), skipped=len(skipped))
    state = {"state": "fresh", "entries": len(plugins), "recorded": len(records), "skipped": len(skipped)}
    return SourceOutcome(
        m.SourceStatus.model_validate({**status, **state, "clients": dict(sorted(tally.items()))}), market_record, records
    )


def _catalog_findings(root: Path, client: str, file: str) -> list[m.FindingRecord]:
    """The catalog's own problems by its client's rules: Codex's refusal, Cursor's schema's."""
    if client == "codex":
        seen = codex.read(root)
        problems = [seen.error] if seen.error else []
    else:
        judged = cursor.read(root)
        problems = [
            f"{p.path or '(catalog)'}: {p.message}"
            for p in (judged.problems if judged else [])
            if not p.path.startswith("/plugins/")
        ]
    return [
        m.FindingRecord(code=f"{client}.refused", severity="error", path="", message=clean(p, assemble.FINDING_CAP), file=file)
        for p in problems
    ]
