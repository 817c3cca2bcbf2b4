"""Reading one marketplace root on disk into records: what every source (local folders, a GitHub
checkout) hands the crawl. Never raises on what a stranger published."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from agentops_index.manifest.checks import read_bytes
from agentops_index.manifest.jsonfile import MARKETPLACE_CAP, read_json
from agentops_index.manifest.models import MarketplaceEntry, parse_marketplace
from agentops_index.manifest.schema import js_type
from agentops_index.manifest.validate import MARKETPLACE_FILE, validate_marketplace
from agentops_index.snapshot import assemble, report
from agentops_index.snapshot import models as m
from agentops_index.snapshot.categories import Taxonomy
from agentops_index.sources import clients, standalone
from agentops_index.sources.local import LocalSource


@dataclass(slots=True)
class SourceOutcome:
    """What reading one marketplace source gave."""

    status: m.SourceStatus
    marketplace: m.MarketplaceRecord | None = None
    plugins: list[m.PluginRecord] = field(default_factory=list)


def _unreadable(source: LocalSource, reason: str) -> SourceOutcome:
    return SourceOutcome(
        m.SourceStatus(id=source.id, kind=source.origin, state="invalid", last_error=reason, consecutive_failures=1)
    )


# Reads a non-relative entry's plugin (GitHub crawl); None: record only what the entry declares.
@dataclass(slots=True)
class Gathered:
    """What a source hands the crawl: one outcome a marketplace source, and its accounting."""

    outcomes: list[SourceOutcome]
    usage: report.Usage | None = None
    discovery: report.Discovery | None = None


class Source(Protocol):
    """A kind of place marketplaces come from: local folders (``sources/folders.py``), GitHub
    (``sources/github_crawl.py``). ``crawl.crawl`` turns what any source gathers into a snapshot
    (``enrich.finish``): a new kind of source is a new module with this one method."""

    def gather(self, taxonomy: Taxonomy, now: str, previous: m.Snapshot | None) -> Gathered: ...


def in_shard(source_id: str, shard: tuple[int, int] | None) -> bool:
    """Whether a source belongs to shard K of N (1-based), by a hash of its lowercased id."""
    if shard is None:
        return True
    k, n = shard
    digest = hashlib.sha256(source_id.lower().encode("utf-8")).hexdigest()
    return int(digest[:12], 16) % n == k - 1


def without_plugin_sources(outcomes: list[SourceOutcome]) -> list[SourceOutcome]:
    """The outcomes less the repositories of standalone skills that a marketplace among them
    names as a plugin's source: that repository is the plugin (its skills are the plugin's
    components), not a second marketplace of the same skills. A curated one stays. Applied to
    a whole crawl, and again when shards are merged (a shard does not see the others' plugins)."""
    named = {p.resolved.repo.lower() for o in outcomes for p in o.plugins if p.resolved.repo}
    return [
        o
        for o in outcomes
        if not (
            o.marketplace is not None
            and o.marketplace.client == "skill"
            and o.status.origin != "curated"
            and o.status.id.lower() in named
        )
    ]


Resolver = Callable[[MarketplaceEntry], "tuple[assemble.PluginParts, m.RepoMetrics | None] | None"]


def read_local(
    source: LocalSource,
    taxonomy: Taxonomy,
    now: str,
    resolve: Resolver | None = None,
    metrics: m.RepoMetrics | None = None,
    others: bool = True,
) -> SourceOutcome:
    """Read one marketplace root on disk into records, with the records of plugins only Codex's or
    Cursor's catalog names (``sources/other.py``; ``others=False``: not those, whose files the
    GitHub crawl could not fetch); never raises on its content."""
    from agentops_index.sources import other  # it builds on this module

    data = read_bytes(source.root / MARKETPLACE_FILE, MARKETPLACE_CAP)
    if data is None:
        return _unreadable(source, f"unreadable: cannot read {MARKETPLACE_FILE}")
    doc = read_json(data, MARKETPLACE_CAP)
    if doc.problem is not None:
        return _unreadable(source, f"{doc.problem.reason}: {MARKETPLACE_FILE}: {doc.problem.message}")
    if not isinstance(doc.value, dict):
        return _unreadable(source, f"not_an_object: {MARKETPLACE_FILE} holds {js_type(doc.value)}, not an object")
    report = validate_marketplace(source.root)
    market = parse_marketplace(doc.value, report)
    plugins: list[m.PluginRecord] = []
    used: set[str] = set()
    for entry in market.entries:
        plugin_metrics = None
        if entry.source.kind == "relative":
            parts = assemble.read_local_plugin(entry, source.root)
        else:
            resolved = resolve(entry) if resolve else None
            parts, plugin_metrics = resolved if resolved else (assemble.remote_plugin(entry), None)
        record = assemble.plugin_record(source.id, source.origin, market, entry, parts, taxonomy, now, plugin_metrics)
        if record.id in used:
            # Duplicate names are a validator error, but each entry still gets its record.
            record = record.model_copy(update={"id": f"{record.id}#{entry.index}"})
        used.add(record.id)
        plugins.append(record)
    found = clients.readings(source.root, source.id, source.origin)
    plugins = clients.attach(found, plugins)
    # The folders Claude's entries name (there or not), and the remote plugins: another catalog's
    # entry for one of them is a view on that record, not a record of its own.
    taken = {p.resolved.plugin_dir for p in plugins if p.source.kind == "relative" and p.resolved.plugin_dir}
    taken |= {k for p in plugins if p.source.kind != "relative" and (k := clients.record_key(p))}
    more = other.extras(found, source.root, source.id, source.origin, (taxonomy, now), taken) if others else []
    both, agent_plugins = clients.with_agent_plugins(source.root, plugins + more)
    plugins, more = both[: len(plugins)], both[len(plugins) :]
    skills, skill_count = (
        standalone.beside(source.root, source.id, source.origin, plugins + more, (taxonomy, now)) if others else ([], {})
    )
    more += skills
    ids = [p.id for p in plugins]
    market_record = assemble.marketplace_record(source.id, source.origin, market, report, ids)
    if more:
        market_record = market_record.model_copy(update={"other_ids": [p.id for p in more]})
    if metrics is not None:
        market_record = market_record.model_copy(update={"metrics": metrics})
    status = m.SourceStatus(
        id=source.id,
        kind=source.origin,
        state="fresh",
        entries=market_record.entries + len(more),
        recorded=len(plugins) + len(more),
        skipped=len(market_record.skipped),
        clients=dict(sorted({**other.tally(found, plugins + more), **clients.merged(agent_plugins, skill_count)}.items())),
    )
    return SourceOutcome(status, market_record, plugins + more)
