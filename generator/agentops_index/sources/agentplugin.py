"""Agent Plugins 1.0 plugins as records: a repository whose root ``plugin.json`` is one, with no catalog.

Agent Plugins (agent-plugins.org) has no catalog: a plugin is a folder with a root
``plugin.json`` naming the format's ``$schema`` (``manifest/agentplugins.py``). A repository with
no Claude, Codex or Cursor catalog whose root is such a plugin is a marketplace of that one
plugin: its record is ``agent-plugins:<name>@<owner/repo>`` (``client`` "agent-plugins"), the
manifest's ``name`` (the folder's name when it has none that is a string), judged by the
spec's 1.0.0 schemas and MCP rules. Its components are what the format loads (§6.1): the skills
at ``skills/<name>/SKILL.md`` and the servers of ``mcp.json``; Claude-only folders beside it
(``commands/``, ``.mcp.json``) belong to other manifests and are not counted for it. The skills
are that plugin's, never standalone skill records as well.

The format publishes no install command of its own (clients that read it install a plugin from
its folder, as Codex 0.171.0 does when a catalog points at one): the record says so and offers
none. Where the same folder is listed by a Claude, Codex or Cursor catalog, the Agent Plugins
verdict is attached to that record as a view (``sources/clients.py``), never a second record.
Nothing here raises on what a repository holds.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from agentops_index.manifest import agentplugins, cursor
from agentops_index.manifest.components import Inventory, inventory
from agentops_index.manifest.models import Marketplace, MarketplaceEntry, PluginSource
from agentops_index.manifest.text import NAME_CAP, clean
from agentops_index.snapshot import assemble
from agentops_index.snapshot import models as m
from agentops_index.snapshot.categories import Taxonomy
from agentops_index.sources import clients
from agentops_index.sources.other import CODES, ENTRY_KEYS, Read, parts_of, without_catalog

CLIENT: Final = clients.AGENT_PLUGINS
NOTE = "an Agent Plugins 1.0 plugin, in no Claude Code catalog: a client that reads the format installs it from its repository"


def components(folder: Path) -> Inventory:
    """What the format loads from a plugin folder (§6.1): ``skills/<name>/SKILL.md`` one level
    deep, and the servers of ``mcp.json`` (``streamable-http`` is HTTP)."""
    found = inventory(folder, {"mcpServers": "./" + agentplugins.MCP_FILE})
    return Inventory(
        skills=[s for s in found.skills if s.path.count("/") == 2 and s.path.startswith("skills/")],
        mcp_servers=[
            replace(s, transport="http" if s.transport == "streamable-http" else s.transport)
            for s in found.mcp_servers
            if s.file == agentplugins.MCP_FILE
        ],
    )


def _findings(plugin: agentplugins.AgentPlugin) -> list[m.FindingRecord]:
    out = [
        m.FindingRecord(
            code="agent_plugins.invalid" if p.severity == "error" else "agent_plugins.unknown_key",
            severity="error" if p.severity == "error" else "warning",
            path=p.path or "(document)",
            message=clean(p.message, assemble.FINDING_CAP),
            file=p.file,
            scope="entry",
        )
        for p in plugin.problems
    ]
    if plugin.unjudged:
        out.append(
            m.FindingRecord(
                code="agent_plugins.not_judged",
                severity="error",
                path="(document)",
                message=plugin.unjudged,
                file=agentplugins.MCP_FILE,
                scope="entry",
            )
        )
    return out


def read_agent_plugin(root: Path, source_id: str, origin: str, taxonomy: Taxonomy, now: str) -> Read | None:
    """A repository whose root is an Agent Plugins plugin: a marketplace of it; None when it is not."""
    plugin = agentplugins.read(root)
    if plugin is None:
        return None
    name = _name(plugin.name, source_id)
    entry = MarketplaceEntry(
        index=0,
        name=name,
        raw={k: plugin.manifest[k] for k in ENTRY_KEYS if k in plugin.manifest},
        source=PluginSource(kind="relative", path="./"),
    )
    parts = assemble.PluginParts()
    parts.plugin_json = plugin.manifest
    parts.resolution = m.Resolution(state="local", plugin_dir=".", manifest="plugin.json")
    parts.inventory = components(root)
    parts.readme = assemble.readme(root)
    parts.plugin_dir = root
    single = cursor.single(root)  # figma/mcp-server-guide keeps Cursor's manifest beside it
    also = cursor_view(single, name) if single is not None else None
    views = [clients.agent_plugins_view(plugin, name), *([also[0]] if also else [])]
    home = assemble.Home(client=CLIENT, findings=_findings(plugin), views=views, note=NOTE)
    record = assemble.plugin_record(source_id, origin, Marketplace(name=None, raw={}), entry, parts, taxonomy, now, home=home)
    untrusted = m.MarketplaceUntrusted(
        name=assemble.text(name, NAME_CAP), description=assemble.text(plugin.manifest.get("description"))
    )
    count = m.ClientCount(entries=1, recorded=1, skipped=0)
    status, market, records = without_catalog(source_id, origin, [record], (CLIENT, NOTE, untrusted), count)
    if also:
        status = status.model_copy(update={"clients": {**status.clients, "cursor": count}})
    return status, market, records


# templates/marketplace.html tells a single Cursor plugin's marketplace by this note's first words.
CURSOR_NOTE = (
    "a single Cursor plugin at the repository's root, with no catalog: Cursor installs it from its repository "
    "(/add-plugin in Agent chat, or a team marketplace that imports the repository)"
)


def _name(given: object, source_id: str) -> str:
    """The record's entry name: the manifest's, else the repository's when it has none it can use."""
    return given if isinstance(given, str) and given and clean(given, NAME_CAP) == given else source_id.rsplit("/", 1)[-1]


def cursor_view(found: tuple[list[cursor.Problem], Any], name: str) -> tuple[m.ClientView, list[str]]:
    """Cursor's view of a repository that is one Cursor plugin (``cursor.single``'s reading), and its problems."""
    problems, manifest = found
    unjudged = manifest is cursor.LINK
    said = [f"{p.file} {p.path or '(document)'}: {p.message}" for p in problems]
    said += [f"not judged: {cursor.MANIFEST} is a symbolic link (not followed)"] if unjudged else []
    view = m.ClientView(
        client="cursor",
        catalog=cursor.MANIFEST,
        valid=None if unjudged else not problems and isinstance(manifest, dict),
        rules=cursor.RULES,
        install=[],
        untrusted=clients.untrusted(name, None, said),
    )
    return view, said


def read_cursor_single(root: Path, source_id: str, origin: str, taxonomy: Taxonomy, now: str) -> Read | None:
    """A repository that is one Cursor plugin and has no catalog: a marketplace of it, its record
    ``cursor:<name>@<owner/repo>`` judged by Cursor's plugin schema; None when it is not one."""
    found = cursor.single(root)
    if found is None:
        return None
    manifest = found[1] if isinstance(found[1], dict) else {}
    name = _name(manifest.get("name"), source_id)
    view, said = cursor_view(found, name)
    entry = MarketplaceEntry(
        index=0,
        name=name,
        raw={k: manifest[k] for k in ENTRY_KEYS if k in manifest},
        source=PluginSource(kind="relative", path="./"),
    )
    parts = parts_of(root, ".", (cursor.MANIFEST,), entry)
    severity: m.Severity = "error" if view.valid is not True else "note"
    code = CODES["cursor", "not_judged" if view.valid is None else "refused"]
    findings = [
        m.FindingRecord(code=code, severity=severity, path="plugin.json", message=clean(p, assemble.FINDING_CAP), scope="entry")
        for p in said
    ]
    home = assemble.Home(client="cursor", findings=findings, views=[view], note=CURSOR_NOTE)
    record = assemble.plugin_record(source_id, origin, Marketplace(name=None, raw={}), entry, parts, taxonomy, now, home=home)
    untrusted = m.MarketplaceUntrusted(name=assemble.text(name, NAME_CAP), description=assemble.text(manifest.get("description")))
    count = m.ClientCount(entries=1, recorded=1, skipped=0)
    return without_catalog(source_id, origin, [record], ("cursor", CURSOR_NOTE, untrusted), count)
