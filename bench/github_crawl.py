"""Requests, points and wall time of a GitHub crawl of a generated world, against a naive crawl.

    .venv/bin/python bench/github_crawl.py [--marketplaces 3000] [--plugins 10] [--naive-share 1.0]

One run, one fake GitHub on loopback, four crawls of the same world:
  cold     no previous snapshot;
  warm     --previous = cold's snapshot, nothing changed;
  changed  --previous = cold's snapshot, 1% of marketplace repositories changed;
  naive    REST per repository and per file (GET repo, GET contents of every file the index
           reads), 8 requests in flight, the baseline the batched design is measured against.
--naive-share runs the naive crawl on that share of the marketplaces and scales its figures
(its request count is exact per marketplace, so scaling only estimates the wall time).
Goals (issue "Crawler 1/2"): cold <= 1.5 requests per marketplace; warm <= 60 requests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from tests.fakegithub import FakeGitHub  # noqa: E402
from tests.fakegithub.generate import generate  # noqa: E402

from agentops_index.crawl import crawl_github  # noqa: E402
from agentops_index.snapshot.categories import load_taxonomy  # noqa: E402
from agentops_index.sources.github import RepoRef  # noqa: E402


async def naive(base: str, refs: list[RepoRef]) -> int:
    """GET the repository, its marketplace.json, its tree, then every wanted file, one request each."""
    sent = 0
    gate = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def get(url: str) -> httpx.Response:
            nonlocal sent
            async with gate:
                sent += 1
                return await client.get(url)

        async def one(ref: RepoRef) -> None:
            await get(f"/repos/{ref.id}")
            await get(f"/repos/{ref.id}/contents/.claude-plugin/marketplace.json")
            tree = (await get(f"/repos/{ref.id}/git/trees/HEAD?recursive=1")).json()["tree"]
            wanted = [
                e["path"]
                for e in tree
                if e["type"] == "blob" and e["path"].endswith((".json", ".md")) and e["path"] != ".claude-plugin/marketplace.json"
            ]
            await asyncio.gather(*(get(f"/repos/{ref.id}/contents/{path}") for path in wanted))

        await asyncio.gather(*(one(ref) for ref in refs))
    return sent


def run(label: str, fake: FakeGitHub, refs: list[RepoRef], previous: object = None) -> object:
    taxonomy = load_taxonomy(ROOT / "data" / "categories.toml")
    before = len(fake.log)
    start = time.perf_counter()
    result = crawl_github(refs, taxonomy, fake.url, None, previous)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    usage = result.report.usage
    assert usage is not None and usage.requests == len(fake.log) - before
    totals = result.snapshot.totals
    print(
        f"{label:8} {usage.requests:6} requests ({usage.graphql_requests} GraphQL, {usage.rest_requests} REST), "
        f"{usage.graphql_points} points, {usage.requests / len(refs):.3f} per marketplace, {elapsed:6.1f} s; "
        f"{totals.marketplaces} marketplaces, {totals.recorded} plugins, {totals.unreadable} unreadable"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marketplaces", type=int, default=3000)
    parser.add_argument("--plugins", type=int, default=10, help="entries per marketplace")
    parser.add_argument("--naive-share", type=float, default=1.0, help="share of marketplaces the naive crawl reads")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    world, refs = generate(args.marketplaces, args.plugins)
    print(
        f"world: {len(refs)} marketplaces, {len(world.repos)} repositories, {sum(len(r.files) for r in world.repos.values())} files"
    )
    fake = FakeGitHub(world).start()
    try:
        cold = run("cold", fake, refs)
        run("warm", fake, refs, cold.snapshot)  # type: ignore[attr-defined]
        for ref in refs[:: max(1, len(refs) // max(1, len(refs) // 100))][: max(1, len(refs) // 100)]:
            world.write(
                ref.id,
                ".claude-plugin/marketplace.json",
                world.get(ref.id).files[".claude-plugin/marketplace.json"].replace(b"Generated", b"Changed"),
            )  # type: ignore[union-attr]
        run("changed", fake, refs, cold.snapshot)  # type: ignore[attr-defined]
        share = refs[: max(1, int(len(refs) * args.naive_share))]
        start = time.perf_counter()
        sent = asyncio.run(naive(fake.url, share))
        elapsed = time.perf_counter() - start
        scale = len(refs) / len(share)
        print(
            f"naive    {int(sent * scale):6} requests (REST only{', scaled from ' + str(len(share)) + ' marketplaces' if scale != 1 else ''}), "
            f"{sent / len(share):.3f} per marketplace, {elapsed * scale:6.1f} s"
        )
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
