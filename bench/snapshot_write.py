"""Writing the snapshot: store.dumps (orjson) against the standard library's encoder it replaced.

    .venv/bin/python bench/snapshot_write.py [--plugins 30000] [--runs 3]

The snapshot is bench/world.py's world of real marketplace text. Each run serializes the whole
snapshot as the crawl writes it (indented) and as api/v1 publishes it (compact), once by
``store.dumps`` and once by ``json.dumps`` with the arguments ``store.dumps`` used before, on
the same ``model_dump`` in the same process; it reports the medians, their ratio and whether
the bytes are the same (they differ only for floats under 1e-4). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "bench"))

from agentops_index.snapshot import store  # noqa: E402


def stdlib(value: Any, compact: bool) -> bytes:
    """What store.dumps wrote before orjson (commit e13c77a)."""
    layout: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 2}
    return (json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False, **layout) + "\n").encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugins", type=int, default=30000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from world import world

    snapshot = store.load(world(args.plugins))
    gc.freeze()  # as the build does: the snapshot's objects are not walked again and again
    value = snapshot.model_dump(mode="json", by_alias=True)
    for compact in (False, True):
        times: dict[str, list[float]] = {"store.dumps": [], "json.dumps": []}
        same = True
        for _ in range(args.runs):
            start = time.perf_counter()
            ours = store.dumps(value, compact=compact)
            times["store.dumps"].append(time.perf_counter() - start)
            start = time.perf_counter()
            theirs = stdlib(value, compact)
            times["json.dumps"].append(time.perf_counter() - start)
            same = same and ours == theirs
        now, before = (statistics.median(times[k]) for k in ("store.dumps", "json.dumps"))
        layout = "compact (api/v1)" if compact else "indented (the crawl's snapshot)"
        print(
            f"{len(snapshot.plugins):,} plugins, {layout}, {len(ours) / 1e6:.0f} MB: store.dumps {now:.2f} s, "
            f"json.dumps {before:.2f} s, ratio {now / before:.2f}x, same bytes: {same}"
        )


if __name__ == "__main__":
    main()
