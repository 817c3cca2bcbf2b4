"""The crawl stage: marketplace sources in, one snapshot and its crawl report out.

The record rule (ARCHITECTURE.md): every entry whose ``name`` is a string becomes exactly
one plugin record, whatever its findings; entries without a string name are skipped
with a reason; a marketplace.json that cannot be read is listed with its reason. The
accounting identity ``entries == recorded + skipped`` is checked and reported.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from agentops_index.enrich import CrawlResult, finish
from agentops_index.snapshot import models as m
from agentops_index.snapshot.categories import Taxonomy
from agentops_index.snapshot.store import build_time
from agentops_index.sources.discovery import discovery_stats
from agentops_index.sources.folders import LocalFolders, Progress
from agentops_index.sources.read import Source, SourceOutcome, in_shard, without_plugin_sources

if TYPE_CHECKING:
    import httpx

    from agentops_index.sources.discovery import Found
    from agentops_index.sources.github import RepoRef
    from agentops_index.sources.policy import Throttle

__all__ = ["Source", "crawl", "crawl_github", "crawl_local", "in_shard", "merge"]


def crawl(source: Source, taxonomy: Taxonomy, previous: m.Snapshot | None = None) -> CrawlResult:
    """What any source gathers, made into one snapshot and its crawl report (``enrich.finish``)."""
    now, _ = build_time()
    gathered = source.gather(taxonomy, now, previous)
    result = finish(gathered.outcomes, taxonomy, now, previous)
    report = result.report
    if gathered.usage is not None:
        report = report.model_copy(update={"usage": gathered.usage})
    if gathered.discovery is not None:
        report = report.model_copy(update={"discovery": gathered.discovery})
    return CrawlResult(result.snapshot, report)


def crawl_local(
    directories: list[Path], taxonomy: Taxonomy, progress: Progress | None = None, previous: m.Snapshot | None = None
) -> CrawlResult:
    """Crawl every marketplace under ``directories`` (no network)."""
    return crawl(LocalFolders(directories, progress), taxonomy, previous)


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
    """Crawl ``refs`` (plus discovered marketplaces) through GitHub's APIs at ``api_url``
    (``sources.github_repos.GitHubRepos``)."""
    from agentops_index.sources.github_repos import GitHubRepos

    source = GitHubRepos(
        refs, api_url, token, max_requests, transport, throttle, timeout, shard, discover, search_interval, search_cap, discovered
    )
    return crawl(source, taxonomy, previous)


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
    outcomes = without_plugin_sources(outcomes)
    result = finish(outcomes, taxonomy, stamps.pop())
    if discovered is None:
        return result
    curated = {o.status.id.lower() for o in outcomes if o.status.origin == "curated"}
    crawled = {o.status.id.lower() for o in outcomes}
    stats = discovery_stats(len(curated), discovered.candidates(curated), crawled, discovered)
    return CrawlResult(result.snapshot, result.report.model_copy(update={"discovery": stats}))
