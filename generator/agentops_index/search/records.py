"""Query records: what every query, bundle and Claude command needs of one plugin, and no more.

A query record is a flat projection of a snapshot's ``PluginRecord`` (about 1 KB against the
snapshot's 8): names, description, keywords, component names and descriptions, the stored
score parts and penalties, verdict, highest signal, install commands, the copy group, and the
facts bundles check (deciding hooks, a source other marketplaces can list). The query store
(``store.py``) and the Whoosh index are built from query records only, and the site publishes
them as ``api/v1/query.json.gz`` (``QUERY_FILE``, gzip: a seventh of its size on disk, and
what a client downloads instead of the whole snapshot).

Strings are third-party text already normalized by the crawl; records read from a downloaded
file are validated here and every string is normalized and capped again, since the file
came over the network (``queryfile.py`` reads them, with the standard library alone).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from agentops_index.search.queryfile import FORMAT, FORMAT_VERSION, QUERY_FILE, read_query_file
from agentops_index.snapshot.models import MarketplaceRecord, PluginRecord, SignalRecord, Snapshot

__all__ = ["FORMAT", "FORMAT_VERSION", "QUERY_FILE", "read_query_file"]

DECIDING_EVENTS = frozenset({"PreToolUse", "PermissionRequest", "UserPromptSubmit", "Stop", "SubagentStop"})
COMPONENT_DESCRIPTION_CAP = 200  # enough to search and to show; the snapshot keeps the full text
SIGNAL_LEVELS = ("info", "notice", "elevated", "high")


class QueryRecord(BaseModel):
    """One plugin as the query path sees it (also the shape of the query file's entries)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    slug: str
    name: str
    display_name: str | None = None
    description: str = ""
    keywords: list[str] = []
    tags: list[str] = []
    category: str
    marketplace: str
    author: str | None = None
    commands: list[tuple[str, str]] = []
    agents: list[tuple[str, str]] = []
    skills: list[tuple[str, str]] = []
    mcp: list[str] = []
    counts: dict[str, int] = {}
    hooks: list[tuple[str, str | None]] = []  # loadable hooks on deciding events: (event, matcher)
    valid: bool
    errors: int = 0
    warnings: int = 0
    risk: str | None = None
    signal: str | None = None  # the summary of the highest signal above info (our words)
    static: float = 0.0
    parts: dict[str, float] = {}
    penalties: list[tuple[str, float]] = []
    explanation: str = ""
    stars: int | None = None
    pushed_at: str | None = None
    license: str | None = None
    install: list[str] = []
    install_note: str | None = None
    # [client, command] pairs: how each other client that lists it installs it (its views' commands,
    # built by us from plain names), so a search for that client shows that client's commands
    installs: list[tuple[str, str]] = []
    canonical_id: str | None = None
    mirrors: list[str] = []
    clients: list[str] = ["claude"]  # the clients it works in (works_in): the search facet
    home: str = "claude"  # the client whose catalog gives the record (absent: Claude Code's)
    context_tokens: int = 0
    dependencies: int = 0  # plugins it installs with it (a bundle of its own fills no workflow stage)
    capabilities: list[str] = []
    source: dict[str, Any] | None = None  # how another marketplace lists it (bundles), pinned
    source_problem: str | None = None  # why it cannot be listed elsewhere
    first_seen: str = ""
    last_changed: str = ""


def entry_name(plugin_id: str) -> str:
    """The name users type before ``@`` in ``/plugin install``."""
    return plugin_id.rsplit("@", 1)[0].split("#", 1)[0]


def remote_source(plugin: PluginRecord, market: MarketplaceRecord | None) -> tuple[dict[str, Any] | None, str]:
    """The plugin's source as another marketplace must write it, or None and the reason it cannot."""
    s = plugin.source
    pin = {k: v for k, v in (("ref", s.ref), ("sha", s.sha)) if v}
    if s.kind == "relative":
        if market is None or market.origin != "github":
            return None, "its marketplace is a local directory, not a repository others can fetch"
        if plugin.resolved.state != "local" or plugin.resolved.manifest != "plugin.json":
            return None, "its marketplace entry is its manifest, which does not travel to another marketplace"
        sha = plugin.resolved.oid or (market.metrics.head_oid if market.metrics else None)
        pinned = {"sha": sha} if sha else {}
        folder = (plugin.resolved.plugin_dir or "").strip("/")
        if folder in ("", "."):
            return {"source": "github", "repo": market.id, **pinned}, ""
        return {"source": "git-subdir", "url": market.id, "path": folder, **pinned}, ""
    if s.kind == "github" and s.repo:
        return {"source": "github", "repo": s.repo, **pin}, ""
    if s.kind == "url" and s.url:
        return {"source": "url", "url": s.url, **pin}, ""
    if s.kind == "git-subdir" and s.url and s.path:
        return {"source": "git-subdir", "url": s.url, "path": s.path, **pin}, ""
    if s.kind == "npm" and s.package:
        extra = {k: v for k, v in (("version", s.version), ("registry", s.registry)) if v}
        return {"source": "npm", "package": s.package, **extra}, ""
    if s.kind == "archive" and s.url and s.sha256:
        return {"source": "archive", "url": s.url, "sha256": s.sha256}, ""
    if s.kind == "command":
        return None, "a command source runs a program to fetch the plugin; bundles never list one"
    return None, f"its {s.kind} source cannot be listed elsewhere"


def _docs(docs: list[Any]) -> list[tuple[str, str]]:
    return [
        (d.untrusted.name.text, (d.untrusted.description.text if d.untrusted.description else "")[:COMPONENT_DESCRIPTION_CAP])
        for d in docs
    ]


def highest_signal(plugin: PluginRecord) -> SignalRecord | None:
    """The plugin's first signal of its highest level above info, or None."""
    above = [s for s in plugin.signals if s.level != "info"]
    return max(above, key=lambda s: SIGNAL_LEVELS.index(s.level), default=None)


CLIENTS = ("claude", "codex", "cursor", "skill", "agent-plugins")  # the search facet's values (skill: a standalone Agent Skill)


def works_in(plugin: PluginRecord) -> list[str]:
    """The clients whose catalog offers the plugin and whose own rules accept it: Claude Code when
    the record is a Claude Code listing its validator passes, Codex or Cursor when their catalog
    lists its folder and their verdict is a pass (one not judged, such as a manifest behind a
    symbolic link, does not count)."""
    claude = plugin.client == "claude" and plugin.valid
    return [*(["claude"] if claude else []), *sorted({v.client for v in plugin.clients if v.valid is True})]


def updated_on(record: dict[str, Any]) -> str:
    """A query record's last update, YYYY-MM-DD: its repository's last push, else when its content
    last changed (what cards show and sort by, in the catalog and in search)."""
    return (record["pushed_at"] or record["last_changed"] or "")[:10]


def other_marketplaces(plugin_id: str, mirrors: list[str]) -> int:
    """How many other marketplaces list a copy of the plugin (its mirrors are listing ids,
    ``name@owner/repo``; two copies in one marketplace count once, its own not at all)."""
    own = plugin_id.rsplit("@", 1)[-1]
    return len({m.rsplit("@", 1)[-1] for m in mirrors} - {own})


def project(plugin: PluginRecord, market: MarketplaceRecord | None) -> dict[str, Any]:
    """The query record of one plugin, as plain JSON data."""
    u, c, score = plugin.untrusted, plugin.components, plugin.score
    metrics = plugin.metrics or (market.metrics if market else None)
    top = highest_signal(plugin)
    source, problem = remote_source(plugin, market)
    record: dict[str, Any] = {
        "id": plugin.id,
        "slug": plugin.slug,
        "name": u.name.text,
        "display_name": u.display_name.text if u.display_name else None,
        "description": u.description.text if u.description else "",
        "keywords": [k.text for k in u.keywords],
        "tags": [t.text for t in u.tags],
        "category": plugin.category,
        "marketplace": plugin.marketplace,
        "author": u.author.text if u.author else None,
        "commands": _docs(c.commands),
        "agents": _docs(c.agents),
        "skills": _docs(c.skills),
        "mcp": [s.untrusted.name.text for s in c.mcp_servers],
        "counts": plugin.counts.model_dump(),
        "hooks": [
            (h.untrusted.event.text, h.untrusted.matcher.text if h.untrusted.matcher else None)
            for h in c.hooks
            if h.loadable and h.untrusted.event.text in DECIDING_EVENTS
        ],
        "valid": plugin.valid,
        "errors": plugin.errors,
        "warnings": plugin.warnings,
        "risk": plugin.risk,
        "signal": top.summary if top else None,
        "static": score.static if score else 0.0,
        "parts": score.parts.model_dump() if score else {},
        "penalties": [(p.name, p.factor) for p in score.penalties] if score else [],
        "explanation": score.explanation if score else "",
        "stars": metrics.stars if metrics else None,
        "pushed_at": metrics.pushed_at if metrics else None,
        "license": (plugin.metrics.license if plugin.metrics else None) or (u.license.text if u.license else None),
        "install": [x for x in (plugin.install.marketplace_add, plugin.install.plugin_install) if x],
        "install_note": plugin.install.note,
        "installs": [(view.client, line) for view in plugin.clients for line in view.install],
        "canonical_id": plugin.canonical_id,
        "mirrors": list(plugin.mirrors),
        "context_tokens": plugin.context_tokens,
        "dependencies": plugin.dependencies,
        "capabilities": list(plugin.capabilities),
        "source": source,
        "source_problem": problem or None,
        "first_seen": plugin.first_seen,
        "last_changed": plugin.last_changed,
        "clients": works_in(plugin),
    }
    if plugin.client != "claude":
        record["home"] = plugin.client
    return record


def project_all(snapshot: Snapshot) -> list[dict[str, Any]]:
    markets = {m.id: m for m in snapshot.marketplaces}
    return [project(p, markets.get(p.marketplace)) for p in snapshot.plugins]


def query_file(snapshot: Snapshot, records: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The body of the query file: every query record, and where it came from."""
    return {
        "_notice": snapshot.notice,
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": snapshot.schema_version,
        "generator": snapshot.generator,
        "generated_at": snapshot.generated_at,
        "plugins": records if records is not None else project_all(snapshot),
    }


def query_file_json(snapshot: Snapshot, records: list[dict[str, Any]] | None = None) -> bytes:
    """The query file as compact JSON, before ``api/v1/query.json.gz`` compresses it."""

    from agentops_index.snapshot import store

    return store.dumps(query_file(snapshot, records), compact=True)


def query_file_bytes(snapshot: Snapshot, records: list[dict[str, Any]] | None = None) -> bytes:
    """``api/v1/query.json.gz``: the query file as compact JSON, gzipped the same on every build
    (no time or name in the gzip header)."""

    from agentops_index.snapshot import store

    return store.gzipped(query_file_json(snapshot, records))
