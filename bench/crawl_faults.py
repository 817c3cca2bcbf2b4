"""Discovery cost, a crawl under the T10 fault mix, and 1 shard vs 4, on one generated world.

    .venv/bin/python bench/crawl_faults.py [--marketplaces 3000] [--plugins 10]

All in one run against one fake GitHub on loopback, with a fake clock (so backoffs and
Retry-After pauses cost virtual, not real, seconds; both are reported):
  discovery  code search from an empty curated list, sliced under the real 1,000-result cap;
  faults     a crawl with --previous under SECURITY.md T10's mix (30% 5xx/resets/timeouts,
             5% secondary 403, 2% 429, 2% exhausted primary limit, 2% truncated, 1% malformed):
             requests, retries, virtual wall time, and how much of the previous data it kept;
  shards     the cold crawl as 1 shard and as 4 shards run one after the other (requests,
             real time), with a check that merging the 4 gives the same bytes.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from tests.fakegithub import FakeGitHub  # noqa: E402
from tests.fakegithub.faults import T10, FakeClock, FaultPlan  # noqa: E402
from tests.fakegithub.generate import generate  # noqa: E402

from agentops_index.crawl import crawl_github, merge  # noqa: E402
from agentops_index.enrich import CrawlResult  # noqa: E402
from agentops_index.snapshot import store  # noqa: E402
from agentops_index.snapshot.categories import load_taxonomy  # noqa: E402
from agentops_index.sources.policy import Throttle  # noqa: E402

TAXONOMY = load_taxonomy(ROOT / "data" / "categories.toml")


def crawl(fake: FakeGitHub, refs: list, **kwargs: object) -> tuple[CrawlResult, Throttle, float]:  # type: ignore[type-arg]
    clock = FakeClock()
    fake.settings.clock_time = clock.time
    throttle = Throttle(clock=clock, rng=random.Random(1))
    start = time.perf_counter()
    result = crawl_github(refs, TAXONOMY, fake.url, None, throttle=throttle, timeout=httpx.Timeout(10.0, read=2.0), **kwargs)  # type: ignore[arg-type]
    return result, throttle, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marketplaces", type=int, default=3000)
    parser.add_argument("--plugins", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    world, refs = generate(args.marketplaces, args.plugins)
    fake = FakeGitHub(world).start()
    try:
        found, _, real = crawl(fake, [], discover=True)
        d = found.report.discovery
        assert d is not None
        print(
            f"discovery  {d.requests} search requests found {d.code_search} of {len(refs)} marketplaces ({real:.1f} s real, {len(d.errors)} errors)"
        )

        whole, _, real_one = crawl(fake, refs)
        usage = whole.report.usage
        assert usage is not None
        print(f"1 shard    {usage.requests} requests, {real_one:.1f} s real")
        parts, requests, real_four = [], 0, 0.0
        for k in range(1, 5):
            part, _, real = crawl(fake, refs, shard=(k, 4))
            parts.append(part.snapshot)
            requests += part.report.usage.requests if part.report.usage else 0
            real_four += real
        same = store.dumps(merge(parts, TAXONOMY).snapshot) == store.dumps(whole.snapshot)
        print(
            f"4 shards   {requests} requests in all, {real_four:.1f} s real one after the other "
            f"({real_four / 4:.1f} s per shard on average); merged bytes equal: {same}"
        )

        for ref in refs:
            world.write(ref.id, "README.md", b"# changed for the fault run\n")
        fake.settings.faults = FaultPlan(rates=T10, seed=1, timeout_seconds=2.5)
        faulty, throttle, real = crawl(fake, refs, previous=whole.snapshot)
        usage = faulty.report.usage
        assert usage is not None
        states: dict[str, int] = {}
        for status in faulty.snapshot.sources:
            states[status.state] = states.get(status.state, 0) + 1
        kept = len({p.id for p in faulty.snapshot.plugins} & {p.id for p in whole.snapshot.plugins})
        print(
            f"faults     {usage.requests} requests, {usage.retries} retries, {usage.slept_seconds:.0f} s slept on the fake clock "
            f"(virtual wall time {throttle.clock.monotonic():.0f} s), {real:.1f} s real; sources {states}; "
            f"kept {kept} of {len(whole.snapshot.plugins)} plugins; injected {dict(sorted(fake.settings.faults.injected.items()))}"
        )
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
