"""Site build at ecosystem scale: time, memory, files and size, full and incremental, against a baseline.

    .venv/bin/python bench/site_build.py [--generated N] [--baseline REV|none] [--baseline-search]
                                         [--changed 300] [--verify] [--no-pagefind] [--browser] [--repeat N]

The world is bench/world.py's 30,000 plugins of real marketplace text (``--generated N``: N
plugins of bench/search_speed.py's generator instead, 10 per marketplace). The Whoosh index the
bundles are filled from is built or refreshed first and reported apart (the nightly keeps it
between runs). Every build then runs as its own ``agentops-index build`` process, one at a
time, and is measured from outside: wall time, the peak of the summed memory (PSS) of the build and its
children (Pagefind runs as a child; forked page workers share pages), files and bytes by folder, and the size of the tar GitHub
Pages is given (512-byte headers, files padded to 512 bytes).

``--repeat N`` alternates N full builds (no search) of the baseline and of ours and reports the
median of each: on these machines one build of each is often 20% off.

1. Baseline: the same build by the code at ``--baseline`` (default: ``BASELINE``, the first
   commit that reads the world's snapshot schema), exported with ``git archive``, without the search index
   (``--baseline-search``: with it too).
2. Now: the full build without the search index, then with it (Pagefind's share).
3. Incremental: ``--changed`` plugins get a new description and 10% more stars, forks and
   watchers through the snapshot models, and crawl.merge re-runs the crawl's finishing stage
   (scores, identity, related plugins, slugs) at the same crawl time; then ``build
   --previous-site`` over the full build's site, without the search index. ``--verify`` also
   builds the changed snapshot in full and checks that the two trees are byte-identical.

``--browser`` measures the bytes and latency of a first and a next search in headless Chromium.
Figures are ratios against the baseline measured in the same run; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "bench"))

from agentops_index.crawl import merge  # noqa: E402
from agentops_index.search.session import searcher_for  # noqa: E402
from agentops_index.snapshot import models as m  # noqa: E402
from agentops_index.snapshot import store  # noqa: E402
from agentops_index.snapshot.categories import load_taxonomy  # noqa: E402

# The first commit that reads schema-5 snapshots, which bench/world.py makes: the build before the
# site-scale work (f8c5b2f) reads schema 1 only and refuses today's world.
BASELINE = "b635bd7"
EPOCH = "1767225600"


def generated(count: int) -> m.Snapshot:
    from search_speed import CATEGORIES, plugins

    records = plugins(count)
    markets: dict[str, list[str]] = {}
    for record in records:
        markets.setdefault(record.marketplace, []).append(record.id)
    install = m.Install(marketplace_add=None, plugin_install=None)
    market_records = [
        m.MarketplaceRecord(
            id=mid,
            slug=mid,
            origin="github",
            valid=True,
            errors=0,
            warnings=0,
            findings=[],
            entries=len(ids),
            plugin_ids=ids,
            skipped=[],
            install=install,
            untrusted=m.MarketplaceUntrusted(),
        )
        for mid, ids in sorted(markets.items())
    ]
    categories = [
        m.CategoryRecord(slug=c, name=c.title(), curated=True, plugins=sum(1 for r in records if r.category == c))
        for c in sorted(set(CATEGORIES))
    ]
    totals = m.Totals(
        sources=len(market_records),
        marketplaces=len(market_records),
        unreadable=0,
        entries=count,
        recorded=count,
        skipped=0,
        valid_plugins=count,
        categories=len(categories),
    )
    return m.Snapshot(
        generator="bench",
        generated_at="2026-01-01T00:00:00Z",
        totals=totals,
        sources=[m.SourceStatus(id=r.id, kind="github", state="fresh") for r in market_records],
        marketplaces=market_records,
        plugins=records,
        categories=categories,
    )


def changed(snapshot: m.Snapshot, count: int) -> m.Snapshot:
    """``count`` plugins, spread over the index, with a new description and 10% more stars,
    forks and watchers; then the crawl's finishing stage again (crawl.merge of one part), at
    the same crawl time."""
    from world import rehash

    step = max(1, len(snapshot.plugins) // count)
    picked = {p.id for p in snapshot.plugins[::step][:count]}
    plugins = []
    for plugin in snapshot.plugins:
        if plugin.id in picked:
            old = plugin.untrusted.description.text if plugin.untrusted.description else ""
            untrusted = plugin.untrusted.model_copy(update={"description": m.Text.of(f"{old} Now with more to it.".strip())})
            update: dict[str, Any] = {"untrusted": untrusted}
            if plugin.metrics:
                mx = plugin.metrics
                update["metrics"] = mx.model_copy(
                    update={"stars": mx.stars * 11 // 10 + 1, "forks": mx.forks * 11 // 10, "watchers": mx.watchers * 11 // 10}
                )
            plugin = rehash(plugin.model_copy(update=update))
        plugins.append(plugin)
    return merge([snapshot.model_copy(update={"plugins": plugins})], load_taxonomy(ROOT / "data" / "categories.toml")).snapshot


# --- measuring one build ---------------------------------------------------------------------


def _tree_memory(pid: int) -> int:
    """Summed proportional set size (bytes) of ``pid`` and all its descendants: a page shared
    by forked workers counts once, split between them (RSS would count it in each)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += int(rollup.split("\nPss:")[1].split()[0]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


@dataclass
class Run:
    label: str
    seconds: float = 0.0
    peak: int = 0  # summed PSS of the build and its children, bytes
    files: int = 0
    size: int = 0
    tar: int = 0
    folders: dict[str, tuple[int, int]] = field(default_factory=dict)  # folder -> (files, bytes)
    output: str = ""


def run_build(label: str, code: Path, snapshot: Path, out: Path, *extra: str) -> Run:
    env = {**os.environ, "PYTHONPATH": str(code / "generator"), "SOURCE_DATE_EPOCH": EPOCH}
    argv = [sys.executable, "-m", "agentops_index", "build", "--snapshot", str(snapshot), "--out", str(out), *extra]
    peak = [0]
    # The previous build's files, and a removed tree's metadata, are written back before the
    # clock starts: otherwise that write-back lands in this build (20 s of 50 at times).
    os.sync()
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def sample() -> None:
        # Reading smaps_rollup walks a process's page tables: 40 ms for one 2.5 GB process on
        # the budget machine, and a build at 30,000 plugins has three or four, so sampling
        # every 50 ms kept about two thirds of one of its two cores busy while the build it
        # timed wanted both. Waiting nine times as long as the last sample took keeps the
        # sampler under a tenth of a core; the peaks it looks for last seconds.
        while process.poll() is None:
            began = time.perf_counter()
            peak[0] = max(peak[0], _tree_memory(process.pid))
            time.sleep(max(0.05, 9 * (time.perf_counter() - began)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{label}: build failed ({process.returncode}):\n{output[-2000:]}")
    run = Run(label, seconds, peak[0], output=output.strip().splitlines()[-1] if output.strip() else "")
    measure(run, out)
    return run


def measure(run: Run, site: Path) -> None:
    folders: dict[str, list[int]] = {}
    dirs = 0
    for top, subdirs, names in os.walk(site):
        dirs += len(subdirs)
        relative = Path(top).relative_to(site).parts
        key = "/".join(relative[:3]) if relative[:2] == ("api", "v1") else (relative[0] if relative else ".")
        for name in names:
            size = os.lstat(os.path.join(top, name)).st_size
            entry = folders.setdefault(key + ("/" if key != "." else ""), [0, 0])
            entry[0] += 1
            entry[1] += size
            run.files += 1
            run.size += size
            run.tar += 512 + -(-size // 512) * 512
    run.tar += 512 * dirs + 1024
    run.folders = {k: (v[0], v[1]) for k, v in sorted(folders.items())}


def tree_digest(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file() and "pagefind" not in p.relative_to(site).parts
    }


def median(runs: list[Run]) -> Run:
    """The run of median time (of an odd number; else the faster middle one), labelled with every time."""
    if len(runs) == 1:
        return runs[0]
    ordered = sorted(runs, key=lambda run: run.seconds)
    middle = ordered[(len(runs) - 1) // 2]
    times = ", ".join(f"{run.seconds:.1f}" for run in runs)
    return Run(
        f"{middle.label} (median of {times} s)",
        middle.seconds,
        max(r.peak for r in runs),
        middle.files,
        middle.size,
        middle.tar,
        middle.folders,
        middle.output,
    )


def mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"


def report(runs: list[Run], baseline: Run | None) -> None:
    print()
    print(f"{'build':52} {'time':>8} {'peak mem':>9} {'files':>8} {'size':>8} {'Pages tar':>9}  vs baseline")
    for run in runs:
        ratio = ""
        if baseline is not None and run is not baseline:
            ratio = f"time {run.seconds / baseline.seconds:.2f}x, memory {run.peak / baseline.peak:.2f}x, size {run.size / baseline.size:.2f}x"
        print(
            f"{run.label:52} {run.seconds:7.1f}s {run.peak / 1e9:8.2f}G {run.files:8,} {mb(run.size):>8} {mb(run.tar):>9}  {ratio}"
        )
    for run in runs:
        print(f"\n{run.label}: {run.output}")
        for folder, (files, size) in run.folders.items():
            print(f"  {folder:34} {files:8,} files {mb(size):>9}")


def browser_figures(site: Path) -> None:
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from playwright.sync_api import sync_playwright

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        sizes: list[int] = []

        def count(response: Any) -> None:
            try:
                if response.ok:
                    sizes.append(len(response.body()))
            except Exception:  # a body still arriving when the browser closes is not a result
                return

        page.on("response", count)
        page.goto(base + "search/")
        before = sum(sizes)
        for label, query in (("first", "kubernetes review"), ("next", "docker deploy")):
            sizes.clear()
            start = time.perf_counter()
            page.fill("#q", query)
            while not page.inner_text("#status") or page.inner_text("#status").startswith("Searching"):
                time.sleep(0.02)
            print(
                f"{label} search: {sum(sizes) / 1024:.0f} KB transferred, {1000 * (time.perf_counter() - start):.0f} ms to results"
            )
            page.fill("#q", "")
        print(f"search page itself: {before / 1024:.0f} KB")
        browser.close()
    server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--generated", type=int, default=0, metavar="N", help="N generated plugins instead of the real-text world"
    )
    parser.add_argument("--baseline", default=BASELINE, help="the code to compare with (a git revision), or none")
    parser.add_argument("--baseline-search", action="store_true", help="also build the baseline with its search index")
    parser.add_argument("--changed", type=int, default=300, help="plugins changed for the incremental build (0: skip it)")
    parser.add_argument("--verify", action="store_true", help="check the incremental tree against a full build")
    parser.add_argument("--no-pagefind", action="store_true", help="skip the build with the search index")
    parser.add_argument("--browser", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="full builds of the baseline and ours, alternated (median)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-site-"))
    runs: list[Run] = []
    baseline_run: Run | None = None
    try:
        if args.generated:
            path = work / "latest.json"
            # Finished like a crawl (scores, identity, related, slugs), as the changed snapshot will be.
            finished = merge([generated(args.generated)], load_taxonomy(ROOT / "data" / "categories.toml")).snapshot
            store.write_atomic(path, store.dumps(finished))
            name = f"{args.generated:,} generated plugins"
        else:
            from world import world

            # A copy in the work folder: the changed snapshot replaces it at the same path, as the
            # nightly's does, so the query store and index are refreshed from this one's.
            path = work / "latest.json"
            shutil.copyfile(world(), path)
            name = "bench/world.py's 30,000 real-text plugins"
        snapshot = store.load(path)
        start = time.perf_counter()
        with searcher_for(snapshot, path):
            pass
        print(
            f"{name}: query store and Whoosh index for the bundles, built or refreshed first: {time.perf_counter() - start:.1f} s"
        )

        if args.baseline != "none":
            code = work / "baseline"
            code.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", args.baseline, "generator", "templates"], capture_output=True, check=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
        # The full builds without search, the baseline's and ours, alternate --repeat times: on a
        # noisy machine one build of each is 20% off as often as not, a median of three is not.
        olds: list[Run] = []
        nows: list[Run] = []
        for round_ in range(args.repeat):
            if args.baseline != "none":
                olds.append(run_build(f"baseline {args.baseline}, full, no search", code, path, work / "old", "--no-search"))
                shutil.rmtree(work / "old")
            nows.append(run_build("now, full, no search", ROOT, path, work / "site", "--no-search"))
            if round_ < args.repeat - 1:  # each output goes as soon as it is measured, alike for both codes
                shutil.rmtree(work / "site")
        if olds:
            baseline_run = median(olds)
            runs.append(baseline_run)
            if args.baseline_search:
                runs.append(run_build(f"baseline {args.baseline}, full, with Pagefind", code, path, work / "old"))
                shutil.rmtree(work / "old")
        full = median(nows)
        runs.append(full)
        if args.changed:
            after = path  # the same path: the cache refreshes the index it made for the full build
            store.write_atomic(after, store.dumps(changed(snapshot, args.changed)))
            start = time.perf_counter()
            with searcher_for(store.load(after), after):
                pass
            refresh = time.perf_counter() - start
            incremental = run_build(
                f"now, incremental, {args.changed} changed, no search",
                ROOT,
                after,
                work / "site",
                "--no-search",
                "--previous-site",
                str(work / "site"),
            )
            runs.append(incremental)
            print(f"Whoosh refresh for the bundles after {args.changed} changed plugins (before the build): {refresh:.1f} s")
            print(f"incremental / full: {incremental.seconds / full.seconds:.2f}x")
            if args.verify:
                again = run_build("now, full build of the changed snapshot", ROOT, after, work / "check", "--no-search")
                same = tree_digest(work / "site") == tree_digest(work / "check")
                print(f"incremental tree == full build tree: {same}")
                runs.append(again)
                shutil.rmtree(work / "check")
        shutil.rmtree(work / "site")
        if not args.no_pagefind:
            runs.append(run_build("now, full, with Pagefind", ROOT, path, work / "site"))
        report(runs, baseline_run)
        if args.browser and not args.no_pagefind:
            browser_figures(work / "site")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
