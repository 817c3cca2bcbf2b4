"""GitHub as a source of marketplaces: discovery, the crawl (``sources/github_crawl.py``) and what
it cost, as one :class:`~agentops_index.sources.read.Source`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentops_index.snapshot import models as m
from agentops_index.snapshot import report
from agentops_index.snapshot.categories import Taxonomy
from agentops_index.sources.github import GitHub, RepoRef
from agentops_index.sources.github_crawl import crawl
from agentops_index.sources.read import Gathered, SourceOutcome, in_shard, without_plugin_sources

if TYPE_CHECKING:
    import httpx

    from agentops_index.sources.discovery import Found
    from agentops_index.sources.policy import Throttle


@dataclass
class GitHubRepos:
    """Repositories read through GitHub's APIs at ``api_url``: ``refs`` plus what discovery found
    (``discover`` searches here; ``discovered`` is what an earlier ``discover_sources`` found,
    which the nightly runs once for all shards). Each source records its ``origin``."""

    refs: list[RepoRef]
    api_url: str
    token: str | None
    max_requests: int | None = None
    transport: httpx.AsyncBaseTransport | None = None
    throttle: Throttle | None = None
    timeout: httpx.Timeout | None = None
    shard: tuple[int, int] | None = None
    discover: bool = False
    search_interval: float | None = None
    search_cap: int | None = None
    discovered: Found | None = None

    def gather(self, taxonomy: Taxonomy, now: str, previous: m.Snapshot | None) -> Gathered:
        from agentops_index.sources import discovery

        refs = self.refs
        known = {r.id.lower() for r in refs}
        found = self.discovered
        candidates: dict[str, m.SourceOrigin] = {}  # discovered repositories not curated, with their origin

        async def run() -> tuple[list[SourceOutcome], report.Usage]:
            nonlocal found, candidates
            github = GitHub(
                self.api_url,
                self.token,
                transport=self.transport,
                max_requests=self.max_requests,
                throttle=self.throttle,
                timeout=self.timeout,
            )
            try:
                if found is None and self.discover:
                    found = await discovery.search_for(github, previous, self.search_interval, self.search_cap)
                candidates = found.candidates(known) if found is not None else {}
                extra = discovery.as_refs(candidates)
                wanted = [r for r in [*refs, *extra] if in_shard(r.id, self.shard)]
                plugin_sources = {i for i, origin in candidates.items() if origin == "referenced"}
                optional = {r.id for r in extra}
                outcomes = await crawl(wanted, github, taxonomy, now, previous, optional, plugin_sources)
            finally:
                await github.close()
            spent = github.usage
            usage = report.Usage(
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
        outcomes = without_plugin_sources(outcomes)
        stats = None
        if found is not None:
            crawled = {o.status.id.lower() for o in outcomes}
            stats = discovery.discovery_stats(len(refs), candidates, crawled, found)
        return Gathered(outcomes, usage, stats)
