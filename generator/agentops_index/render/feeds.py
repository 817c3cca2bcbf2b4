"""Machine-readable outputs besides the JSON API: Atom feed, llms.txt, markdown views, robots.txt.

The feed is built with an XML serializer (R-13). The markdown views are for agents: our
fields as plain lines, third-party text only inside JSON strings under a notice, so a
description cannot pose as our text or close the block it sits in.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter

from agentops_index.analytics import Day
from agentops_index.snapshot.models import NOTICE, PluginRecord, Snapshot

ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 50


def _recent(snapshot: Snapshot) -> list[PluginRecord]:
    return sorted(snapshot.plugins, key=lambda p: (p.last_changed, p.first_seen, p.id), reverse=True)[:FEED_ENTRIES]


def _changes(snapshot: Snapshot, days: list[Day]) -> list[tuple[str, str, str, str, PluginRecord | None]]:
    """(kind, date, id, slug, live record) from the newest history days back, at most FEED_ENTRIES."""
    live = {p.id: p for p in snapshot.plugins}
    out: list[tuple[str, str, str, str, PluginRecord | None]] = []
    for index in range(len(days) - 1, 0, -1):  # the keyframe (index 0) is where history starts, not news
        day, before = days[index], days[index - 1].state
        for pid in day.added:
            out.append(("New", day.date, pid, day.state[pid]["g"], live.get(pid)))
        for pid in sorted(day.changed):
            if "h" in day.changed[pid] and pid in day.state:
                out.append(("Updated", day.date, pid, day.state[pid]["g"], live.get(pid)))
        for pid in day.removed:
            out.append(("Removed", day.date, pid, before[pid]["g"], None))
        if len(out) >= FEED_ENTRIES:
            break
    return out[:FEED_ENTRIES]


def atom(snapshot: Snapshot, base_url: str, days: list[Day] | None = None) -> bytes:
    """feed.xml: what changed, from the history (new, updated, removed plugins); without a
    history, the most recently new or changed plugins of the snapshot."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = "agentops-index: new and updated Claude Code plugins"
    ET.SubElement(feed, f"{{{ATOM}}}id").text = base_url
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = snapshot.generated_at
    ET.SubElement(feed, f"{{{ATOM}}}link", href=f"{base_url}feed.xml", rel="self")
    ET.SubElement(feed, f"{{{ATOM}}}link", href=base_url)
    changes = _changes(snapshot, days or [])
    for kind, day, pid, slug, plugin in changes:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"{base_url}plugins/{slug}/#{kind.lower()}-{day}"
        ET.SubElement(
            entry, f"{{{ATOM}}}title"
        ).text = f"{kind}: {plugin.untrusted.name.text if plugin else pid.rsplit('@', 1)[0]} ({pid.rsplit('@', 1)[-1]})"
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = f"{day}T00:00:00Z"
        ET.SubElement(entry, f"{{{ATOM}}}link", href=f"{base_url}plugins/{slug}/")
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = pid.rsplit("@", 1)[-1].split("/", 1)[0]
        summary = plugin.untrusted.description.text if plugin and plugin.untrusted.description else f"{pid} left the index."
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary
    for plugin in [] if changes else _recent(snapshot):
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"{base_url}plugins/{plugin.slug}/"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = f"{plugin.untrusted.name.text} ({plugin.marketplace})"
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = plugin.last_changed
        ET.SubElement(entry, f"{{{ATOM}}}link", href=f"{base_url}plugins/{plugin.slug}/")
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = plugin.marketplace.split("/", 1)[0]
        summary = plugin.untrusted.description.text if plugin.untrusted.description else ""
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary
    ET.indent(feed)
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True)) + b"\n"


def plugin_markdown(plugin: PluginRecord, base_url: str, record_file: str) -> str:
    """plugins/<slug>/index.md: the plugin for an agent to read (``record_file``: the file of
    api/v1/ that holds its JSON record)."""
    u = plugin.untrusted
    rules = {
        "claude": "Claude Code's validator",
        "skill": "the Agent Skills reference validator (a standalone skill: no plugin catalog lists it)",
        "agent-plugins": "the Agent Plugins 1.0 schemas (a root plugin.json: no plugin catalog lists it)",
    }.get(plugin.client, f"{plugin.client.capitalize()}'s rules (no Claude Code catalog lists it)")
    lines = [
        f"# Plugin {plugin.id}",
        "",
        f"- page: {base_url}plugins/{plugin.slug}/",
        f"- json: {base_url}api/v1/{record_file} (its marketplace's file, gzip-compressed JSON: the record with this id under `plugins`)",
        f"- category: {plugin.category}",
        f"- passes {rules}: {'yes' if plugin.valid else 'no'} ({plugin.errors} errors, {plugin.warnings} warnings)",
        f"- components: {plugin.counts.commands} commands, {plugin.counts.agents} agents, {plugin.counts.skills} skills, "
        f"{plugin.counts.hooks} hooks, {plugin.counts.mcp_servers} MCP servers, {plugin.counts.lsp_servers} LSP servers",
        f"- highest signal: {plugin.risk or 'none'}; always-on context: about {plugin.context_tokens} tokens",
        f"- score: {plugin.score.static if plugin.score else 0:.2f}",
    ]
    if plugin.install.marketplace_add:
        lines.append(f"- add the marketplace: `{plugin.install.marketplace_add}`")
    if plugin.install.plugin_install:
        lines.append(f"- install: `{plugin.install.plugin_install}`")
    for view in plugin.clients:  # commands built from plain names only; the verdict is that client's
        verdict = {True: "accepted", False: "refused", None: "not judged"}[view.valid]
        lines.append(f"- {view.client}: {verdict} by {view.rules}, reading {view.catalog}")
        lines += [f"- {view.client} install: `{command}`" for command in view.install]
    lines += [f"- capability: {c}" for c in plugin.capabilities]
    third_party = {
        "name": u.name.text,
        "description": u.description.text if u.description else None,
        "keywords": [k.text for k in u.keywords],
    }
    lines += ["", f"> {NOTICE}", "", "```json", json.dumps(third_party, ensure_ascii=True, indent=2), "```", ""]
    return "\n".join(lines)


LLMS_PLUGINS = 500  # plugins llms.txt lists by name (about 50 KB): at 30,000 a full list was 4.7 MB, more than an agent reads


def llms_txt(snapshot: Snapshot, base_url: str) -> str:
    """llms.txt: what this site is and where an agent finds the data: the categories, the best
    LLMS_PLUGINS plugins' markdown views, and how to find any other's."""
    homes = Counter(p.client for p in snapshot.plugins)
    lines = [
        "# agentops-index",
        "",
        f"> An index of {homes['claude']} Claude Code plugins from "
        f"{sum(1 for m in snapshot.marketplaces if m.client == 'claude')} marketplaces, "
        "each checked the way `claude plugin validate` checks it, with capability signals and a published score."
        + (
            f" It also lists {homes['codex']} plugins only Codex's catalogs offer, {homes['cursor']} only Cursor's, "
            f"{homes['skill']} standalone Agent Skills and {homes['agent-plugins']} Agent Plugins 1.0 plugins "
            "(ids `codex:name@owner/repo`, `cursor:name@owner/repo`, `skill:name@owner/repo`, "
            "`agent-plugins:name@owner/repo`), judged by those clients' rules, the Agent Skills reference "
            "validator and the Agent Plugins schemas."
            if homes["codex"] or homes["cursor"] or homes["skill"] or homes["agent-plugins"]
            else ""
        ),
        "",
        f"{NOTICE}",
        "",
        "## Data",
        "",
        f"- [The whole snapshot (JSON)]({base_url}api/v1/snapshot.json): every marketplace and plugin",
        f"- [Where each plugin's record is (JSON)]({base_url}api/v1/index.json): plugin id -> slug and the file of api/v1/ that holds it",
        f"- Each marketplace's file, `{base_url}api/v1/marketplaces/<slug>.json.gz` (gzip-compressed JSON): the marketplace and its plugins' records",
        f"- [JSON Schema]({base_url}api/v1/schema.json): the snapshot's shape",
        f"- [Feed]({base_url}feed.xml): new and updated plugins",
        "",
        "A plugin's `clients` (in its record and its markdown view) say how OpenAI's Codex and Cursor read the same "
        "folder when their catalogs list it: the catalog read, how to install it there, and the verdict by that "
        f"client's own rules ({sum(1 for p in snapshot.plugins if p.clients and p.client == 'claude')} Claude Code plugins).",
        "",
        "## Categories",
        "",
    ]
    lines += [f"- [{c.name}]({base_url}categories/{c.slug}/): {c.plugins} plugins" for c in snapshot.categories]
    lines += ["", "## Plugins (markdown views, by score)", ""]
    ranked = sorted(snapshot.plugins, key=lambda p: (-(p.score.static if p.score else 0), p.id))
    lines += [f"- [{p.id}]({base_url}plugins/{p.slug}/index.md)" for p in ranked[:LLMS_PLUGINS]]
    if len(ranked) > LLMS_PLUGINS:
        lines += [
            "",
            f"The other {len(ranked) - LLMS_PLUGINS:,} plugins are not listed here, so this file stays small enough to read "
            f"whole. Every plugin has its markdown view at `{base_url}plugins/<slug>/index.md`; "
            f"[index.json]({base_url}api/v1/index.json) gives each plugin id's slug.",
        ]
    return "\n".join(lines) + "\n"


def robots(base_url: str) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n"
