"""Crawl and build cost for the sample and the corpus, as ratios against baselines run alongside.

    .venv/bin/python bench/crawl_build.py [--corpus ../shared/corpus/marketplaces] [--repeat 3]

Baselines, timed in the same process right before or after each measured step:
- crawl vs. `validate` alone over the same marketplaces (what the crawl adds on top of
  Claude Code's checks: plugin directories, front matter, inventory, normalization, records);
- build vs. writing the same files' bytes to disk (what rendering adds on top of the I/O).
Absolute times are printed too, but only the ratios compare across machines.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))

from agentops_index.build import build  # noqa: E402
from agentops_index.crawl import crawl_local  # noqa: E402
from agentops_index.manifest.validate import validate_path  # noqa: E402
from agentops_index.snapshot import store  # noqa: E402
from agentops_index.snapshot.categories import load_taxonomy  # noqa: E402
from agentops_index.sources.local import discover  # noqa: E402


def timed(fn: object, *args: object) -> float:
    start = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return time.perf_counter() - start


def validate_all(dirs: list[Path]) -> None:
    for source in discover(dirs)[0]:
        validate_path(source.root)


def write_tree(site: Path, target: Path) -> None:
    """The I/O baseline: write every file of a built site, with the same bytes, to a fresh folder."""
    for path in site.rglob("*"):
        if path.is_file():
            out = target / path.relative_to(site)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(path.read_bytes())


def measure(label: str, dirs: list[Path], repeat: int) -> None:
    taxonomy = load_taxonomy(ROOT / "data" / "categories.toml")
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        crawl_times, validate_times, build_times, io_times = [], [], [], []
        result = None
        for round_ in range(repeat):
            validate_times.append(timed(validate_all, dirs))
            start = time.perf_counter()
            result = crawl_local(dirs, taxonomy)
            crawl_times.append(time.perf_counter() - start)
            snapshot_path = work / "latest.json"
            store.write_atomic(snapshot_path, store.dumps(result.snapshot))
            site = work / "site"
            build_times.append(timed(build, snapshot_path, site))
            copy = work / f"copy{round_}"
            io_times.append(timed(write_tree, site, copy))
            shutil.rmtree(copy)
        assert result is not None
        totals = result.snapshot.totals
        files = [p for p in (work / "site").rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        crawl, validate, built, io = (statistics.median(x) for x in (crawl_times, validate_times, build_times, io_times))
        print(f"## {label}")
        print(
            f"marketplaces {totals.marketplaces} (+{totals.unreadable} unreadable), entries {totals.entries}, "
            f"recorded {totals.recorded}, skipped {totals.skipped}, accounting holds: "
            f"{totals.entries == totals.recorded + totals.skipped}"
        )
        print(f"crawl   {crawl:6.2f} s median of {repeat} = {crawl / validate:4.2f}x validate alone ({validate:.2f} s)")
        print(f"build   {built:6.2f} s median of {repeat} = {built / io:4.2f}x writing the same files ({io:.2f} s)")
        print(f"site    {len(files)} files, {size / 1e6:.1f} MB; snapshot {snapshot_path.stat().st_size / 1e6:.1f} MB")
        print()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "marketplaces")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    measure("sample (data/sample + this repo)", [ROOT / "data" / "sample", ROOT], args.repeat)
    if args.corpus.is_dir():
        measure(f"corpus ({args.corpus})", [args.corpus], args.repeat)
    else:
        print(f"corpus not found at {args.corpus}; skipped")


if __name__ == "__main__":
    main()
