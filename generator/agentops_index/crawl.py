"""The crawl stage: marketplace sources in, one snapshot and its crawl report out.

The record rule (ARCHITECTURE.md): every entry whose ``name`` is a string becomes exactly
one plugin record, whatever its findings; entries without a string name are skipped
with a reason; a marketplace.json that cannot be read is listed with its reason. The
accounting identity ``entries == recorded + skipped`` is checked and reported.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agentops_index import __version__, identity, rank
from agentops_index.config import Ranking, load_ranking
from agentops_index.manifest.checks import read_bytes
from agentops_index.manifest.jsonfile import MARKETPLACE_CAP, read_json
from agentops_index.manifest.models import MarketplaceEntry, parse_marketplace
from agentops_index.manifest.schema import js_type
from agentops_index.manifest.validate import MARKETPLACE_FILE, validate_marketplace
from agentops_index.search.related import compute as compute_related
from agentops_index.snapshot import assemble, slugs
from agentops_index.snapshot import models as m
from agentops_index.snapshot.categories import Taxonomy
from agentops_index.snapshot.store import build_time
from agentops_index.sources.local import LocalSource, discover

# Wraps the list of sources for display (click.progressbar); a context manager yielding them.
if TYPE_CHECKING:
    import httpx

    from agentops_index.sources.discovery import Found
    from agentops_index.sources.github import RepoRef
    from agentops_index.sources.policy import Throttle

Progress = Callable[[list[LocalSource]], AbstractContextManager[Iterable[LocalSource]]]


@dataclass(slots=True)
class SourceOutcome:
    """What reading one marketplace source gave."""

    status: m.SourceStatus
    marketplace: m.MarketplaceRecord | None = None
    plugins: list[m.PluginRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CrawlResult:
    snapshot: m.Snapshot
    report: m.CrawlReport

    def write(self, out: Path) -> Path:
        """Write the snapshot to ``out`` and crawl-report.json beside it (both atomically)."""
        from agentops_index.snapshot.store import dumps, write_atomic

        report_path = out.with_name("crawl-report.json")
        write_atomic(out, dumps(self.snapshot))
        write_atomic(report_path, dumps(self.report.model_copy(update={"snapshot": out.name})))
        return report_path


def _unreadable(source: LocalSource, reason: str) -> SourceOutcome:
    return SourceOutcome(
        m.SourceStatus(id=source.id, kind=source.origin, state="invalid", last_error=reason, consecutive_failures=1)
    )


# Reads a non-relative entry's plugin (GitHub crawl); None: record only what the entry declares.
Resolver = Callable[[MarketplaceEntry], "tuple[assemble.PluginParts, m.RepoMetrics | None] | None"]


def read_local(
    source: LocalSource,
    taxonomy: Taxonomy,
    now: str,
    resolve: Resolver | None = None,
    metrics: m.RepoMetrics | None = None,
) -> SourceOutcome:
    """Read one marketplace root on disk into records; never raises on its content."""
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
    ids = [p.id for p in plugins]
    market_record = assemble.marketplace_record(source.id, source.origin, market, report, ids)
    if metrics is not None:
        market_record = market_record.model_copy(update={"metrics": metrics})
    status = m.SourceStatus(
        id=source.id,
        kind=source.origin,
        state="fresh",
        entries=market_record.entries,
        recorded=len(plugins),
        skipped=len(market_record.skipped),
    )
    return SourceOutcome(status, market_record, plugins)


def crawl_local(
    directories: list[Path], taxonomy: Taxonomy, progress: Progress | None = None, previous: m.Snapshot | None = None
) -> CrawlResult:
    """Crawl every marketplace under ``directories`` (no network)."""
    now, _ = build_time()
    sources, unusable = discover(directories)
    outcomes = [
        SourceOutcome(m.SourceStatus(id=u.id, kind="github", state="invalid", last_error=u.reason, consecutive_failures=1))
        for u in unusable
    ]
    with (progress or nullcontext)(sources) as shown:
        for source in shown:
            outcomes.append(read_local(source, taxonomy, now))
    return finish(outcomes, taxonomy, now, previous)


def crawl_github(
    refs: list[RepoRef],
    taxonomy: Taxonomy,
    api_url: str,
    token: str | None,
    previous: m.Snapshot | None = None,
    max_requests: int | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    throttle: Throttle | None = None,
    timeout: httpx.Timeout | None = None,
    shard: tuple[int, int] | None = None,
    discover: bool = False,
    search_interval: float | None = None,
    search_cap: int | None = None,
    discovered: Found | None = None,
) -> CrawlResult:
    """Crawl ``refs`` (plus discovered marketplaces) through GitHub's APIs at ``api_url``.

    ``discover`` searches here; ``discovered`` is what an earlier ``discover_sources`` found
    (the nightly runs it once for all shards). Each GitHub source records its ``origin``."""
    from agentops_index.sources import discovery, github_crawl
    from agentops_index.sources.github import GitHub

    now, _ = build_time()
    known = {r.id.lower() for r in refs}
    found = discovered
    candidates: dict[str, m.SourceOrigin] = {}  # discovered repositories not curated, with their origin

    async def run() -> tuple[list[SourceOutcome], m.Usage]:
        nonlocal found, candidates
        github = GitHub(api_url, token, transport=transport, max_requests=max_requests, throttle=throttle, timeout=timeout)
        try:
            if found is None and discover:
                found = await discovery.search_for(github, previous, search_interval, search_cap)
            candidates = found.candidates(known) if found is not None else {}
            extra = discovery.as_refs(candidates)
            wanted = [r for r in [*refs, *extra] if in_shard(r.id, shard)]
            outcomes = await github_crawl.crawl(wanted, github, taxonomy, now, previous, optional={r.id for r in extra})
        finally:
            await github.close()
        spent = github.usage
        usage = m.Usage(
            retries=github.throttle.retries,
            slept_seconds=round(github.throttle.slept, 3),
            requests=spent.total,
            graphql_requests=spent.requests["graphql"],
            rest_requests=spent.requests["rest"],
            graphql_points=spent.points,
            refused_hosts=sorted(set(spent.refused)),
        )
        return outcomes, usage

    outcomes, usage = asyncio.run(run())
    origins: dict[str, m.SourceOrigin] = {r.id.lower(): "curated" for r in refs}
    origins.update((repo_id.lower(), origin) for repo_id, origin in candidates.items())
    for outcome in outcomes:
        outcome.status = outcome.status.model_copy(update={"origin": origins.get(outcome.status.id.lower())})
    result = finish(outcomes, taxonomy, now, previous)
    report = result.report.model_copy(update={"usage": usage})
    if found is not None:
        crawled = {o.status.id.lower() for o in outcomes}
        report = report.model_copy(update={"discovery": discovery_stats(len(refs), candidates, crawled, found)})
    return CrawlResult(result.snapshot, report)


def discover_sources(
    api_url: str,
    token: str | None,
    previous: m.Snapshot | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    search_interval: float | None = None,
    max_requests: int | None = None,
) -> Found:
    """What the nightly's one discovery step finds, for every shard's ``crawl_github(discovered=)``:
    code search (a search that fails is recorded in ``errors``, and the previous snapshot's
    sources are still there to crawl), the repositories its marketplaces name, and its sources."""
    from agentops_index.sources import discovery
    from agentops_index.sources.github import GitHub

    async def run() -> Found:
        github = GitHub(api_url, token, transport=transport, max_requests=max_requests)
        try:
            return await discovery.search_for(github, previous, search_interval)
        finally:
            await github.close()

    return asyncio.run(run())


def discovery_stats(curated: int, candidates: dict[str, m.SourceOrigin], crawled: set[str], found: Found) -> m.Discovery:
    """Where the sources came from: the curated list, and each kind of discovery (counted once)."""
    kinds = list(candidates.values())
    return m.Discovery(
        curated=curated,
        code_search=kinds.count("code_search"),
        referenced=kinds.count("referenced"),
        earlier=kinds.count("earlier"),
        without_marketplace=sum(1 for repo_id in candidates if repo_id.lower() not in crawled),
        requests=found.requests,
        errors=found.errors,
    )


def _sorted_plugins(plugins: list[m.PluginRecord]) -> list[m.PluginRecord]:
    return sorted(plugins, key=lambda p: (p.marketplace.lower(), p.marketplace, p.entry_index, p.id))


def carry_history(plugins: list[m.PluginRecord], previous: m.Snapshot | None) -> list[m.PluginRecord]:
    """first_seen from the previous snapshot; last_changed moves only when the content hash does."""
    if previous is None:
        return plugins
    before = {p.id: p for p in previous.plugins}
    out = []
    for plugin in plugins:
        old = before.get(plugin.id)
        if old is not None:
            changed = old.content_hash != plugin.content_hash
            plugin = plugin.model_copy(
                update={"first_seen": old.first_seen, "last_changed": plugin.last_changed if changed else old.last_changed}
            )
        out.append(plugin)
    return out


def finish(
    outcomes: list[SourceOutcome],
    taxonomy: Taxonomy,
    now: str,
    previous: m.Snapshot | None = None,
    ranking: Ranking | None = None,
) -> CrawlResult:
    """Assign slugs, score and relate plugins, sort everything, total it up, check the accounting."""
    markets = sorted((o.marketplace for o in outcomes if o.marketplace), key=lambda r: (r.id.lower(), r.id))
    plugins = _sorted_plugins(carry_history([p for o in outcomes for p in o.plugins], previous))
    ranking = ranking or load_ranking()
    # Identity needs scores (top names by stars, then static score); ranking then needs the
    # identity signals for its penalties: score, identify, score again.
    plugins = rank.score_all(plugins, markets, now, ranking)
    plugins = identity.apply(plugins, previous.plugins if previous else None)
    plugins = rank.score_all(plugins, markets, now, ranking)
    related = compute_related(plugins)
    # Other listings of the same plugin are linked as such, not as related plugins.
    plugins = [p.model_copy(update={"related": [r for r in related[p.id] if r not in p.mirrors]}) for p in plugins]
    statuses = sorted((o.status for o in outcomes), key=lambda s: (s.id.lower(), s.id, s.last_error or ""))

    market_slugs = slugs.assign([r.id for r in markets], {r.id: slugs.marketplace_base(r.id) for r in markets})
    plugin_slugs = slugs.assign([p.id for p in plugins], {p.id: slugs.plugin_base(p.id) for p in plugins})
    markets = [r.model_copy(update={"slug": market_slugs[r.id]}) for r in markets]
    plugins = [p.model_copy(update={"slug": plugin_slugs[p.id]}) for p in plugins]

    per_category = Counter(p.category for p in plugins)
    categories = []
    for slug in sorted(per_category):
        name, curated = taxonomy.name_for(slug)
        categories.append(m.CategoryRecord(slug=slug, name=name, curated=curated, plugins=per_category[slug]))

    entries = sum(r.entries for r in markets)
    skipped = sum(len(r.skipped) for r in markets)
    totals = m.Totals(
        sources=len(statuses),
        marketplaces=len(markets),
        unreadable=sum(1 for s in statuses if s.state in ("invalid", "stale")),
        entries=entries,
        recorded=len(plugins),
        skipped=skipped,
        valid_plugins=sum(1 for p in plugins if p.valid),
        categories=len(categories),
    )
    snapshot = m.Snapshot(
        generator=f"agentops-index {__version__}",
        generated_at=now,
        totals=totals,
        sources=statuses,
        marketplaces=markets,
        plugins=plugins,
        categories=categories,
    )
    return CrawlResult(snapshot, crawl_report(snapshot))


def crawl_report(snapshot: m.Snapshot, name: str = "latest.json") -> m.CrawlReport:
    totals = snapshot.totals
    codes: Counter[str] = Counter()
    for market in snapshot.marketplaces:
        codes.update(f.code for f in market.findings)
    for plugin in snapshot.plugins:
        codes.update(f.code for f in plugin.findings if f.scope == "plugin" or f.severity == "note")
    return m.CrawlReport(
        generated_at=snapshot.generated_at,
        snapshot=name,
        totals=totals,
        accounting_holds=totals.entries == totals.recorded + totals.skipped,
        skipped=[
            m.ReportSkip(marketplace=r.id, index=s.index, reason=s.reason) for r in snapshot.marketplaces for s in r.skipped
        ],
        unreadable=[
            m.ReportUnreadable(source=s.id, reason=s.last_error or "unknown")
            for s in snapshot.sources
            if s.state in ("invalid", "stale")
        ],
        findings_by_code=dict(sorted(codes.items())),
    )


def in_shard(source_id: str, shard: tuple[int, int] | None) -> bool:
    """Whether a source belongs to shard K of N (1-based), by a hash of its lowercased id."""
    if shard is None:
        return True
    k, n = shard
    digest = hashlib.sha256(source_id.lower().encode("utf-8")).hexdigest()
    return int(digest[:12], 16) % n == k - 1


def merge(parts: list[m.Snapshot], taxonomy: Taxonomy, discovered: Found | None = None) -> CrawlResult:
    """Join shard snapshots into the snapshot one unsharded crawl gives (``discovered``: what the
    shards were handed, for the report's discovery counts)."""
    stamps = {p.generated_at for p in parts}
    if len(stamps) != 1:
        from agentops_index.errors import InputError

        raise InputError(
            f"merge: the parts were crawled at different times ({', '.join(sorted(stamps))}); set SOURCE_DATE_EPOCH for every shard"
        )
    outcomes: list[SourceOutcome] = []
    seen: set[str] = set()
    for part in parts:
        markets = {r.id.lower(): r for r in part.marketplaces}
        plugins: dict[str, list[m.PluginRecord]] = {}
        for plugin in part.plugins:
            plugins.setdefault(plugin.marketplace.lower(), []).append(plugin.model_copy(update={"slug": ""}))
        for status in part.sources:
            key = status.id.lower()
            if key in seen:
                from agentops_index.errors import InputError

                raise InputError(f"merge: source {status.id} appears in two parts")
            seen.add(key)
            market = markets.get(key)
            outcomes.append(
                SourceOutcome(status, market.model_copy(update={"slug": ""}) if market else None, plugins.get(key, []))
            )
    result = finish(outcomes, taxonomy, stamps.pop())
    if discovered is None:
        return result
    curated = {o.status.id.lower() for o in outcomes if o.status.origin == "curated"}
    crawled = {o.status.id.lower() for o in outcomes}
    stats = discovery_stats(len(curated), discovered.candidates(curated), crawled, discovered)
    return CrawlResult(result.snapshot, result.report.model_copy(update={"discovery": stats}))
