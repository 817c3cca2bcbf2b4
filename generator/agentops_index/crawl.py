"""The crawl stage: marketplace sources in, one snapshot and its crawl report out.

The record rule (ARCHITECTURE.md): every entry whose ``name`` is a string becomes exactly
one plugin record, whatever its findings; entries without a string name are skipped
with a reason; a marketplace.json that cannot be read is listed with its reason. The
accounting identity ``entries == recorded + skipped`` is checked and reported.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from agentops_index.enrich import CrawlResult, finish
from agentops_index.snapshot import models as m
from agentops_index.snapshot.categories import Taxonomy
from agentops_index.snapshot.store import build_time
from agentops_index.sources.local import LocalSource, discover
from agentops_index.sources.read import SourceOutcome, read_local

# Wraps the list of sources for display (click.progressbar); a context manager yielding them.
if TYPE_CHECKING:
    import httpx

    from agentops_index.sources.discovery import Found
    from agentops_index.sources.github import RepoRef
    from agentops_index.sources.policy import Throttle

Progress = Callable[[list[LocalSource]], AbstractContextManager[Iterable[LocalSource]]]


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
