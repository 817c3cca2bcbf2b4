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
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from agentops_index.crawl import crawl_github  # noqa: E402
from agentops_index.snapshot.categories import load_taxonomy  # noqa: E402
from agentops_index.sources.github import RepoRef  # noqa: E402
from tests.fakegithub import FakeGitHub, Repo, World  # noqa: E402

CATEGORIES = ["development", "testing", "devops", "security", "documentation", "data", "design", "productivity"]


def generate(marketplaces: int, plugins: int, seed: int = 1) -> tuple[World, list[RepoRef]]:
    """A world of ``marketplaces`` repos with ``plugins`` entries each; 1 in 10 lives in its own repo."""
    rng = random.Random(seed)
    world = World()
    refs = []
    for m in range(marketplaces):
        owner, name = f"org{m % 997}", f"market-{m}"
        repo = Repo(owner, name)
        entries = []
        for p in range(plugins):
            plugin = f"tool-{m}-{p}"
            category = CATEGORIES[rng.randrange(len(CATEGORIES))]
            if p == 0 and m % 10 == 0:
                own = Repo(owner, f"{plugin}-plugin")
                _plugin_files(own.files, "", plugin, category)
                world.add(own)
                entries.append({"name": plugin, "source": {"source": "github", "repo": own.full_name}, "description": f"{plugin} from its own repository", "category": category})
                continue
            _plugin_files(repo.files, f"plugins/{plugin}/", plugin, category)
            entries.append({"name": plugin, "source": f"./plugins/{plugin}", "description": f"Does {category} work: {plugin}", "category": category})
        marketplace = {"name": name, "owner": {"name": owner}, "description": f"Generated marketplace {m}", "plugins": entries}
        repo.files[".claude-plugin/marketplace.json"] = json.dumps(marketplace, indent=2).encode()
        repo.files["README.md"] = f"# {name}\n".encode()
        world.add(repo)
        refs.append(RepoRef(owner, name))
    return world, refs


def _plugin_files(files: dict[str, bytes], prefix: str, plugin: str, category: str) -> None:
    files[f"{prefix}.claude-plugin/plugin.json"] = json.dumps({"name": plugin, "version": "1.0.0", "description": f"{plugin} plugin", "author": {"name": "gen"}}).encode()
    files[f"{prefix}commands/{plugin}.md"] = f"---\ndescription: Run {plugin}\nallowed-tools: Read\n---\nDo the {category} thing.\n".encode()
    files[f"{prefix}skills/{plugin}-skill/SKILL.md"] = f"---\nname: {plugin}-skill\ndescription: Use for {category} tasks\n---\nSteps.\n".encode()
    files[f"{prefix}README.md"] = f"# {plugin}\n\nA generated plugin for {category}.\n".encode()
    files[f"{prefix}scripts/run.sh"] = b"#!/bin/sh\necho run\n"


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
            wanted = [e["path"] for e in tree if e["type"] == "blob" and e["path"].endswith((".json", ".md")) and e["path"] != ".claude-plugin/marketplace.json"]
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
    print(f"world: {len(refs)} marketplaces, {len(world.repos)} repositories, {sum(len(r.files) for r in world.repos.values())} files")
    fake = FakeGitHub(world).start()
    try:
        cold = run("cold", fake, refs)
        run("warm", fake, refs, cold.snapshot)  # type: ignore[attr-defined]
        for ref in refs[:: max(1, len(refs) // max(1, len(refs) // 100))][: max(1, len(refs) // 100)]:
            world.write(ref.id, ".claude-plugin/marketplace.json", world.get(ref.id).files[".claude-plugin/marketplace.json"].replace(b"Generated", b"Changed"))  # type: ignore[union-attr]
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
