"""From tolerant input models to strict snapshot records.

One function per record kind. Every string a stranger wrote passes through
``Text.of`` (the one normalizer) on its way in; ids, slugs, counts and install commands
are computed here from structured fields only.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentops_index import signals
from agentops_index.manifest import names
from agentops_index.manifest import text as caps
from agentops_index.manifest.checks import component_paths, inside, load_json, read_bytes
from agentops_index.manifest.components import (
    ComponentDoc,
    HookHandler,
    Inventory,
    ServerDecl,
    inline_inventory,
    inventory,
)
from agentops_index.manifest.findings import Finding, Report
from agentops_index.manifest.formats import HOOK_TYPES
from agentops_index.manifest.models import Marketplace, MarketplaceEntry, PluginSource, effective_manifest
from agentops_index.manifest.validate import PLUGIN_FILE, validate_plugin
from agentops_index.snapshot import models as m
from agentops_index.snapshot.categories import Taxonomy
from agentops_index.snapshot.hashes import jsonable, tree_hash

MAX_LISTED = 200  # components listed per kind and plugin; counts stay exact
README_CAP = 64 * 1024  # bytes read from a README
FINDING_CAP = 600
URL_CAP = 500
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")  # used with fullmatch: "$" would let "name\n" in


def plain_name(value: object) -> bool:
    """Whether a stranger's name can be typed into a command we print as it is (no newline, no space)."""
    return isinstance(value, str) and _SAFE_NAME.fullmatch(value) is not None


_README_NAMES = ("README.md", "readme.md", "Readme.md", "README.markdown", "README")
DISPLAY_KEYS = ("displayName", "description", "author", "homepage", "repository", "license", "keywords")


def text(value: Any, cap: int | None = caps.SHORT_CAP) -> m.Text | None:
    """Normalized text of a string value, None for anything else or for an empty result."""
    if not isinstance(value, str):
        return None
    out = m.Text.of(value, cap)
    return out if out.text else None


def texts(value: Any, cap: int = caps.KEYWORD_CAP, limit: int = caps.KEYWORDS_MAX) -> list[m.Text]:
    out: list[m.Text] = []
    for item in value if isinstance(value, list) else []:
        normalized = text(item, cap)
        if normalized is not None:
            out.append(normalized)
        if len(out) == limit:
            break
    return out


def plain(value: Any, cap: int = caps.SHORT_CAP) -> str | None:
    """A normalized plain string for structured identifiers (source fields)."""
    return caps.clean(value, cap) or None if isinstance(value, str) else None


def finding(f: Finding, scope: str, base: str = "") -> m.FindingRecord:
    file = f.file
    if base and base != ".":
        file = f"{base}/{file}" if file else base
    return m.FindingRecord(
        code=f.code,
        severity=f.severity,
        path=caps.clean(f.path, caps.SHORT_CAP),
        message=caps.clean(f.message, FINDING_CAP),
        file=caps.clean(file, caps.SHORT_CAP),
        scope=scope,  # type: ignore[arg-type]
    )


def _counts(findings: list[m.FindingRecord]) -> tuple[int, int]:
    return (
        sum(1 for f in findings if f.severity == "error"),
        sum(1 for f in findings if f.severity == "warning"),
    )


# --- components ------------------------------------------------------------------------------


def _doc(doc: ComponentDoc) -> m.DocComponent:
    return m.DocComponent(
        kind=doc.kind,  # type: ignore[arg-type]
        frontmatter_ok=doc.frontmatter_error is None,
        untrusted=m.DocUntrusted(
            name=m.Text.of(doc.name, caps.NAME_CAP),
            path=m.Text.of(doc.path, caps.SHORT_CAP),
            description=text(doc.description, caps.DESCRIPTION_CAP),
            allowed_tools=text(doc.allowed_tools, caps.SHORT_CAP),
        ),
    )


def _hook(hook: HookHandler) -> m.HookRecord:
    return m.HookRecord(
        type=hook.type if hook.type in HOOK_TYPES else "other",  # type: ignore[arg-type]
        known_event=hook.known_event,
        loadable=hook.loadable,
        untrusted=m.HookUntrusted(
            event=m.Text.of(hook.event, caps.NAME_CAP),
            file=m.Text.of(hook.file, caps.SHORT_CAP),
            matcher=text(hook.matcher, caps.SHORT_CAP),
            command=text(hook.command, URL_CAP),
            url=text(hook.url, URL_CAP),
        ),
    )


def _server(server: ServerDecl) -> m.ServerRecord:
    transport = server.transport if server.transport in ("stdio", "http", "sse", "ws") else "other"
    return m.ServerRecord(
        transport=transport,  # type: ignore[arg-type]
        untrusted=m.ServerUntrusted(
            name=m.Text.of(server.name, caps.NAME_CAP),
            file=m.Text.of(server.file, caps.SHORT_CAP),
            command=text(server.command, URL_CAP),
            args=[t for t in (text(a, caps.SHORT_CAP) for a in server.args[:MAX_LISTED]) if t is not None],
            url=text(server.url, URL_CAP),
        ),
    )


def components(inv: Inventory) -> tuple[m.Components, m.Counts]:
    listed = m.Components(
        commands=[_doc(d) for d in inv.commands[:MAX_LISTED]],
        agents=[_doc(d) for d in inv.agents[:MAX_LISTED]],
        skills=[_doc(d) for d in inv.skills[:MAX_LISTED]],
        hooks=[_hook(h) for h in inv.hooks[:MAX_LISTED]],
        mcp_servers=[_server(s) for s in inv.mcp_servers[:MAX_LISTED]],
        lsp_servers=[_server(s) for s in inv.lsp_servers[:MAX_LISTED]],
    )
    counts = m.Counts(
        commands=len(inv.commands),
        agents=len(inv.agents),
        skills=len(inv.skills),
        hooks=len(inv.hooks),
        mcp_servers=len(inv.mcp_servers),
        lsp_servers=len(inv.lsp_servers),
    )
    return listed, counts


# --- plugins ---------------------------------------------------------------------------------


def source_record(source: PluginSource) -> m.SourceRecord:
    return m.SourceRecord(
        kind=source.kind,
        repo=plain(source.repo),
        path=plain(source.path),
        url=plain(source.url, URL_CAP),
        ref=plain(source.ref),
        sha=plain(source.sha),
        package=plain(source.package),
        version=plain(source.version),
        registry=plain(source.registry, URL_CAP),
        sha256=plain(source.sha256),
    )


def install(marketplace_id: str, origin: str, marketplace_name: Any, plugin_name: Any) -> m.Install:
    """Install commands from structured fields; a name that is not plain gets no command."""
    add = f"/plugin marketplace add {marketplace_id}" if origin == "github" else None
    notes = []
    if add is None:
        notes.append("this marketplace is not on GitHub: add it from a local checkout")
    command = None
    if plugin_name is None:
        pass
    elif not plain_name(marketplace_name):
        notes.append("the marketplace has no usable name")
    elif not plain_name(plugin_name):
        notes.append("the plugin name cannot be typed safely in a command")
    else:
        command = f"/plugin install {plugin_name}@{marketplace_name}"
    return m.Install(marketplace_add=add, plugin_install=command, note="; ".join(notes) or None)


def readme(plugin_dir: Path) -> m.Text | None:
    for name in _README_NAMES:
        path = inside(plugin_dir, name)
        if path is not None and path.is_file():
            data = read_bytes(path, README_CAP)
            if data is not None:
                return text(data[:README_CAP].decode("utf-8", errors="replace"), caps.EXCERPT_CAP)
    return None


def _display(entry: MarketplaceEntry, plugin_json: dict[str, Any] | None) -> dict[str, Any]:
    """Display fields: the entry's value when set, else plugin.json's (FORMAT.md §1.2)."""
    shown = {k: plugin_json[k] for k in DISPLAY_KEYS if plugin_json and k in plugin_json}
    shown.update({k: entry.raw[k] for k in DISPLAY_KEYS if k in entry.raw})
    # plugin.json wins for the version (calculatePluginVersion precedence).
    version = plugin_json.get("version") if plugin_json else None
    shown["version"] = version if isinstance(version, str) else entry.raw.get("version")
    return shown


def _plugin_untrusted(entry: MarketplaceEntry, shown: dict[str, Any], readme: m.Text | None) -> m.PluginUntrusted:
    author = shown.get("author")
    author_name = author.get("name") if isinstance(author, dict) else None
    author_url = author.get("url") if isinstance(author, dict) else None
    return m.PluginUntrusted(
        name=m.Text.of(entry.name or "", caps.NAME_CAP),
        display_name=text(shown.get("displayName"), caps.NAME_CAP),
        description=text(shown.get("description"), caps.DESCRIPTION_CAP),
        version=text(shown.get("version"), caps.KEYWORD_CAP),
        author=text(author_name, caps.SHORT_CAP),
        author_url=text(author_url, URL_CAP),
        homepage=text(shown.get("homepage"), URL_CAP),
        repository=text(shown.get("repository"), URL_CAP),
        license=text(shown.get("license"), caps.KEYWORD_CAP),
        category=text(entry.raw.get("category"), caps.KEYWORD_CAP),
        keywords=texts(shown.get("keywords")),
        tags=texts(entry.raw.get("tags")),
        readme_excerpt=readme,
    )


def _note(code: str, path: str, message: str) -> m.FindingRecord:
    return m.FindingRecord(code=code, severity="note", path=path, message=message, scope="entry")


@dataclass(frozen=True, slots=True)
class Home:
    """Another client's catalog gives the record (sources/other.py): which client, its verdict
    as findings, and every client's view of the plugin (that client's first)."""

    client: str
    findings: list[m.FindingRecord]
    views: list[m.ClientView]
    note: str = ""  # why Claude Code's install does not apply (a default names the client)


class PluginParts:
    """What reading one entry's plugin gave: resolution, manifest, inventory and findings."""

    def __init__(self) -> None:
        self.resolution = m.Resolution(state="invalid")
        self.plugin_json: dict[str, Any] | None = None
        self.inventory = Inventory()
        self.findings: list[m.FindingRecord] = []
        self.readme: m.Text | None = None
        self.plugin_dir: Path | None = None
        self.empty_skill_dirs: list[str] = []  # declared skills folders with no SKILL.md at all
        self.dependencies = 0  # plugins its manifest installs with it


def read_local_plugin(entry: MarketplaceEntry, root: Path) -> PluginParts:
    """Resolve a relative source under ``root`` and read the plugin's files."""
    relative = (entry.source.path or "").removeprefix("./").strip("/") or "."
    plugin_dir = inside(root, relative)
    if plugin_dir is None or not plugin_dir.is_dir():
        parts = PluginParts()
        parts.resolution = m.Resolution(state="missing", plugin_dir=relative)
        parts.inventory = inline_inventory(entry.raw)
        parts.findings.append(
            _note(
                "source.missing_directory", f"plugins[{entry.index}].source", f"{relative} is not a directory in this marketplace"
            )
        )
        return parts
    return read_plugin_dir(entry, plugin_dir, relative)


def read_plugin_dir(
    entry: MarketplaceEntry, plugin_dir: Path, relative: str, repo: str | None = None, oid: str | None = None
) -> PluginParts:
    """Read a plugin directory that exists: manifest, inventory, validation, README."""
    parts = PluginParts()
    doc = load_json(plugin_dir / PLUGIN_FILE) if (plugin_dir / PLUGIN_FILE).is_file() else None
    parts.plugin_json = doc.value if doc is not None and doc.ok and isinstance(doc.value, dict) else None
    manifest, conflict = effective_manifest(entry, parts.plugin_json)
    declared = manifest.get("dependencies")
    parts.dependencies = len(declared) if isinstance(declared, list) else 0
    kind = "entry" if parts.plugin_json is None else ("both" if entry.strict and entry.component_fields() else "plugin.json")
    parts.resolution = m.Resolution(
        state="local",
        plugin_dir=relative,
        repo=repo,
        oid=oid,
        manifest=kind,  # type: ignore[arg-type]
        conflict=caps.clean(conflict, FINDING_CAP) if conflict else None,
    )
    parts.inventory = inventory(plugin_dir, manifest)
    for key, _where, declared in component_paths(manifest):
        folder = inside(plugin_dir, declared.removeprefix("./")) if key == "skills" else None
        if folder is not None and folder.is_dir() and not (folder / "SKILL.md").is_file() and not any(folder.glob("*/SKILL.md")):
            parts.empty_skill_dirs.append(declared)
    report: Report = validate_plugin(plugin_dir)
    for f in report.findings:
        if f.code == "manifest.missing":
            continue  # without plugin.json the entry is the manifest (FORMAT.md §1.3)
        parts.findings.append(finding(f, "plugin", relative))
    if conflict:
        parts.findings.append(
            m.FindingRecord(
                code="load.conflicting_manifests",
                severity="error",
                path=f"plugins[{entry.index}].strict",
                message=caps.clean(conflict, FINDING_CAP),
                scope="plugin",
            )
        )
    parts.readme = readme(plugin_dir)
    parts.plugin_dir = plugin_dir
    return parts


def remote_plugin(
    entry: MarketplaceEntry, code: str = "source.not_fetched", why: str = "is not read by this crawl"
) -> PluginParts:
    """A source this crawl does not read: only what the entry itself declares."""
    parts = PluginParts()
    parts.inventory = inline_inventory(entry.raw)
    declared = entry.raw.get("dependencies")
    parts.dependencies = len(declared) if isinstance(declared, list) else 0
    kind = entry.source.kind
    if kind in ("invalid_source", "unsupported"):
        parts.resolution = m.Resolution(state="invalid", manifest="entry")
        return parts
    parts.resolution = m.Resolution(state="not_fetched", manifest="entry", repo=entry.source.repo)
    parts.findings.append(
        _note(
            code,
            f"plugins[{entry.index}].source",
            f"a {kind} source {why}; components are those the entry declares",
        )
    )
    return parts


def plugin_record(
    marketplace_id: str,
    origin: str,
    market: Marketplace,
    entry: MarketplaceEntry,
    parts: PluginParts,
    taxonomy: Taxonomy,
    now: str,
    metrics: m.RepoMetrics | None = None,
    home: Home | None = None,
) -> m.PluginRecord:
    """The record of one entry (slug assigned later, when all ids are known)."""
    own = names.anthropics_own(marketplace_id, market.name)  # its plugins' reserved names are Anthropic's
    found = [finding(f, "entry") for f in entry.findings] + [f for f in parts.findings if not (own and f.code == "name.reserved")]
    if home is not None:
        found = home.findings + [f for f in parts.findings if f.severity == "note"]
    errors, warnings = _counts(found)
    listed, counts = components(parts.inventory)
    shown = _display(entry, parts.plugin_json)
    untrusted = _plugin_untrusted(entry, shown, parts.readme)
    category = taxonomy.slug_for(untrusted.category.text if untrusted.category else None)
    static = signals.compute(parts.plugin_dir, parts.inventory)
    signal_records = [_signal(x) for x in static.signals]
    body: dict[str, Any] = {
        "id": f"{home.client + ':' if home else ''}{entry.name}@{marketplace_id}",
        "slug": "",
        "marketplace": marketplace_id,
        "entry_index": entry.index,
        "category": category,
        "valid": errors == 0,
        "errors": errors,
        "warnings": warnings,
        "findings": found,
        "source": source_record(entry.source),
        "resolved": parts.resolution,
        "install": install(marketplace_id, origin, market.name, entry.name),
        "components": listed,
        "counts": counts,
        "metrics": metrics,
        "signals": signal_records,
        "risk": signals.highest([x.level for x in static.signals]),
        "capabilities": list(dict.fromkeys(static.capabilities)),
        "runtimes": sorted(static.runtimes),
        "context_tokens": context_tokens(parts.inventory),
        "declared_not_loadable": not_loadable(parts, found),
        "tree_hash": tree_hash(parts.plugin_dir, entry, marketplace_id),
        "untrusted": untrusted,
    }
    if parts.dependencies:  # absent when none, so the content hash of every other plugin stays as it was
        body["dependencies"] = parts.dependencies
    if home is not None:  # Claude Code's install does not apply: the views say how that client installs it
        note = home.note or f"not in a Claude Code catalog: {home.client.capitalize()} installs it from its own"
        body.update(
            install=m.Install(marketplace_add=None, plugin_install=None, note=note), client=home.client, clients=home.views
        )
    canonical = json.dumps(
        {k: jsonable(v) for k, v in body.items() if k not in ("slug", "metrics")},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()  # metrics change daily: not content
    return m.PluginRecord(**body, content_hash=f"sha256:{digest}", first_seen=now, last_changed=now)


def _signal(signal: signals.Signal) -> m.SignalRecord:
    return m.SignalRecord(
        code=signal.code,
        level=signal.level,  # type: ignore[arg-type]
        summary=signal.summary,
        loadable=signal.loadable,
        evidence=[
            m.EvidenceRecord(
                file=caps.clean(e.file, caps.SHORT_CAP),
                line=e.line,
                untrusted=m.EvidenceUntrusted(excerpt=text(e.text, signals.EVIDENCE_CAP)),
            )
            for e in signal.evidence
        ],
    )


def context_tokens(inventory: Inventory) -> int:
    """Always-on context: what Claude Code lists for every skill, command and agent (name and
    description), at about four characters a token. Hooks and MCP tool schemas are not counted."""
    chars = sum(len(d.name) + len(d.description or "") + 5 for d in (*inventory.skills, *inventory.commands, *inventory.agents))
    return (chars + 3) // 4


def not_loadable(parts: PluginParts, found: list[m.FindingRecord]) -> list[m.NotLoadable]:
    """Components a manifest declares that Claude Code would not load, and duplicate names."""
    out = []

    def add(kind: str, reason: str, excerpt: str | None) -> None:
        out.append(m.NotLoadable(kind=kind, reason=reason, untrusted=m.EvidenceUntrusted(excerpt=text(excerpt))))

    reasons = {
        "path.not_found": ("component", "the declared path does not exist"),
        "load.conflicting_manifests": ("manifest", "strict is false but the entry also declares components"),
    }
    for f in found:
        if f.code in reasons:
            add(*reasons[f.code], f.path)
        elif f.code.startswith("frontmatter.") and f.severity == "error" and f.file.find("agents/") >= 0:
            add("agent", "its front matter is not valid YAML", f.file)
    for declared in parts.empty_skill_dirs:
        add("skill", "the declared skills folder holds no SKILL.md", declared)
    for hook in parts.inventory.hooks:
        if not hook.loadable:
            add("hook", "declared outside the hooks object or for an unknown event", hook.event)
    for kind, docs in (
        ("command", parts.inventory.commands),
        ("agent", parts.inventory.agents),
        ("skill", parts.inventory.skills),
    ):
        names = [d.name for d in docs]
        for name in sorted({n for n in names if names.count(n) > 1}):
            add(kind, "registered twice under the same name", name)
    return out


def marketplace_record(
    marketplace_id: str, origin: str, market: Marketplace, report: Report, plugin_ids: list[str]
) -> m.MarketplaceRecord:
    found = [finding(f, "marketplace") for f in report.findings]
    errors, warnings = _counts(found)
    raw_owner = market.raw.get("owner")
    owner: dict[str, Any] = raw_owner if isinstance(raw_owner, dict) else {}
    return m.MarketplaceRecord(
        id=marketplace_id,
        slug="",
        origin=origin,  # type: ignore[arg-type]
        valid=errors == 0,
        errors=errors,
        warnings=warnings,
        findings=found,
        entries=len(market.entries) + len(market.skipped),
        plugin_ids=plugin_ids,
        skipped=[m.SkippedEntry(index=i, reason=r) for i, r in market.skipped],  # type: ignore[arg-type]
        install=install(marketplace_id, origin, market.name, None),
        untrusted=m.MarketplaceUntrusted(
            name=text(market.name, caps.NAME_CAP),
            description=text(market.description, caps.DESCRIPTION_CAP),
            owner_name=text(market.owner_name, caps.SHORT_CAP),
            owner_url=text(owner.get("url"), URL_CAP),
            version=text(market.version, caps.KEYWORD_CAP),
        ),
    )
