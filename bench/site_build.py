"""Site build time and size for N generated plugins, and in-browser search transfer sizes.

    .venv/bin/python bench/site_build.py [--plugins 30000] [--browser]

Generates a snapshot (bench/search_speed.py's plugins, 10 per marketplace), builds the Whoosh
index the bundles need (reported apart: later builds reuse it), then builds the site twice
(without the search index, then with it) so the Pagefind cost shows as a ratio against the
rest of the build, checks the site, and with --browser measures, in headless Chromium, the
bytes transferred by the first search and by the next one, and their latency.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "bench"))

from search_speed import CATEGORIES, plugins  # noqa: E402

from agentops_index.build import build  # noqa: E402
from agentops_index.config import load_search  # noqa: E402
from agentops_index.render.check import check_site  # noqa: E402
from agentops_index.search.index import ensure, index_path  # noqa: E402
from agentops_index.snapshot import models as m  # noqa: E402
from agentops_index.snapshot import store  # noqa: E402


def snapshot(count: int) -> m.Snapshot:
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
        sources=[],
        marketplaces=market_records,
        plugins=records,
        categories=categories,
    )


def browser_figures(site: Path) -> None:
    import functools
    import threading
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
    parser.add_argument("--plugins", type=int, default=30000)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-site-"))
    try:
        path = work / "latest.json"
        generated = snapshot(args.plugins)
        store.write_atomic(path, store.dumps(generated))
        # The Whoosh index the bundles are filled from lives beside the snapshot and is reused by
        # later builds: build it first and report it apart, so both builds below pay the same.
        start = time.perf_counter()
        ensure(generated, index_path(path), load_search())
        print(f"{args.plugins} plugins: Whoosh index for the bundles (first build only) {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        plain = build(path, work / "plain", search=False)
        without = time.perf_counter() - start
        start = time.perf_counter()
        result = build(path, work / "site")
        with_search = time.perf_counter() - start
        files = [p for p in (work / "site").rglob("*") if p.is_file()]
        pagefind = [p for p in files if "/pagefind/" in p.as_posix()]
        print(
            f"{args.plugins} plugins: build {without:.1f} s without search, {with_search:.1f} s with it ({with_search / without:.2f}x); warnings {len(result.warnings)}"
        )
        print(
            f"site {len(files):,} files, {sum(p.stat().st_size for p in files) / 1e6:.0f} MB; Pagefind {len(pagefind):,} files, {sum(p.stat().st_size for p in pagefind) / 1e6:.1f} MB"
        )
        print(f"check-site problems: {len(check_site(work / 'site'))}; plain build files {plain.files:,}")
        if args.browser:
            browser_figures(work / "site")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    main()
