"""Find marketplaces nobody listed: GitHub code search, and repositories other marketplaces name.

Code search returns at most 1,000 results per query, so the search is sliced by file size
and a slice that still reports more than 1,000 hits is split in two until each slice can be
paged through completely. Search has its own, small rate limit: requests are spaced
:data:`SEARCH_INTERVAL` seconds apart on the run's clock.

Repositories named as plugin sources are taken from the previous snapshot, so every shard
of a sharded crawl discovers the same set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentops_index.snapshot import models as m
from agentops_index.sources.github import GitHub, GitHubError, RepoRef, json_object

QUERY = "filename:marketplace.json path:.claude-plugin"
MAX_SIZE = 393_216  # code search indexes files under 384 KB
CAP = 1000
PER_PAGE = 100
SEARCH_INTERVAL = 6.5  # seconds: code search allows about 9-10 requests a minute


@dataclass(slots=True)
class Found:
    code_search: set[str] = field(default_factory=set)
    referenced: set[str] = field(default_factory=set)
    requests: int = 0
    errors: list[str] = field(default_factory=list)


async def code_search(github: GitHub, found: Found, interval: float = SEARCH_INTERVAL, cap: int = CAP) -> None:
    """Every repository with .claude-plugin/marketplace.json that code search can see."""
    last: list[float] = []

    async def page(lo: int, hi: int, number: int) -> dict[str, Any] | None:
        if last:
            wait = last[0] + interval - github.throttle.clock.monotonic()
            if wait > 0:
                await github.throttle.clock.sleep(wait)
        last[:] = [github.throttle.clock.monotonic()]
        found.requests += 1
        params = {"q": f"{QUERY} size:{lo}..{hi}", "per_page": str(PER_PAGE), "page": str(number)}
        try:
            status, _, _, answer = await github._request("GET", "/search/code", check=json_object, params=params)
        except GitHubError as exc:
            found.errors.append(f"size:{lo}..{hi} page {number}: {exc}")
            return None
        return answer if status == 200 else None

    async def search(lo: int, hi: int) -> None:
        first = await page(lo, hi, 1)
        if first is None:
            return
        total = int(first.get("total_count") or 0)
        if total > cap and hi > lo:
            middle = (lo + hi) // 2
            await search(lo, middle)
            await search(middle + 1, hi)
            return
        _collect(first, found.code_search)
        for number in range(2, (min(total, cap) + PER_PAGE - 1) // PER_PAGE + 1):
            answer = await page(lo, hi, number)
            if answer is not None:
                _collect(answer, found.code_search)

    await search(0, MAX_SIZE)


def referenced(previous: m.Snapshot | None) -> set[str]:
    """GitHub repositories that marketplaces in the previous snapshot name as plugin sources."""
    if previous is None:
        return set()
    return {p.resolved.repo for p in previous.plugins if p.resolved.repo and "/" in p.resolved.repo}


def _collect(answer: dict[str, Any], into: set[str]) -> None:
    for item in answer.get("items") or []:
        repo = (item.get("repository") or {}).get("full_name") if isinstance(item, dict) else None
        if isinstance(repo, str) and item.get("path") == ".claude-plugin/marketplace.json":
            into.add(repo)


def as_refs(ids: set[str]) -> list[RepoRef]:
    out = []
    for repo_id in sorted(ids, key=str.lower):
        owner, _, name = repo_id.partition("/")
        if owner and name:
            out.append(RepoRef(owner, name))
    return out
