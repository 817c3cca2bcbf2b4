"""Which bundles the real-world corpus yields, and how many stages found no good candidate.

    .venv/bin/python bench/bundles_corpus.py [--corpus ../shared/corpus/marketplaces] [--picks]

Crawls the corpus folder (no network), fills every template of data/workflows/, and prints
one row per bundle: complete or not, picks, marketplaces, context tokens, flags, and the
empty stages with their reasons (``--picks``: every stage's pick and its description, to judge
whether it fits the stage, and to compare two checkouts' picks). The time is reported against the crawl of the same input
(a ratio, since these machines are noisy).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))

from agentops_index.bundles.fill import make_bundles  # noqa: E402
from agentops_index.crawl import crawl_local  # noqa: E402
from agentops_index.search.session import searcher_for  # noqa: E402
from agentops_index.snapshot import store  # noqa: E402
from agentops_index.snapshot.categories import load_taxonomy  # noqa: E402
from agentops_index.snapshot.models import Text  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "marketplaces")
    parser.add_argument("--picks", action="store_true", help="print every stage's pick and its description")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "latest.json"
        started = time.perf_counter()
        crawl_local([args.corpus], load_taxonomy()).write(path)
        crawled = time.perf_counter() - started
        snapshot = store.load(path)
        by_id = {p.id: p for p in snapshot.plugins}
        started = time.perf_counter()
        with searcher_for(snapshot, path) as searcher:
            made = make_bundles(searcher, "https://example.test/")
        bundled = time.perf_counter() - started
    empty = 0
    print(f"{len(snapshot.plugins)} plugins from {len(snapshot.marketplaces)} marketplaces")
    for bundle, _ in made:
        stages = [*bundle.stages, *([bundle.aggregate] if bundle.aggregate else [])]
        empty += len(bundle.empty_stages)
        print(
            f"{bundle.id:<22} {'complete' if bundle.complete else 'INCOMPLETE':<10} {len(bundle.plugins)}/{len(stages)} picks,"
            f" {len(bundle.marketplaces)} marketplaces, ~{bundle.context_tokens} tokens, {len(bundle.flags)} flags"
        )
        for stage in stages:
            if stage.pick is None:
                print(f"    {stage.id}: {stage.note}")
            elif args.picks:
                plugin = by_id[stage.pick.id]
                print(
                    f"    {stage.id} ({stage.role}): {stage.pick.id} | {(plugin.untrusted.description or Text.of('')).text[:100]}"
                )
    total = sum(len(b.stages) + (1 if b.aggregate else 0) for b, _ in made)
    print(f"{len(made)} bundles, {empty} of {total} stages without a good candidate")
    print(f"bundles (with the Whoosh index build) took {bundled / crawled:.2f}x the crawl of the same corpus")


if __name__ == "__main__":
    main()
