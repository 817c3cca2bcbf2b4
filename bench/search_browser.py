"""In-browser search at scale: bytes a first and a next search transfer, and how long they take.

    .venv/bin/python bench/search_browser.py [--plugins 30000] [--site DIR]

Builds the site of bench/world.py's real-text world (or reads ``--site``), serves it on loopback
as GitHub Pages does (gzip for text when the browser asks; Pagefind's own files are compressed
already), and in headless Chromium (Debian's /usr/bin/chromium) opens the search page, then runs
each query of a list (names, typos, topics, intents) in a fresh page: the first search of a
visit, then a second query in the same page (the next search). Reported per query and as medians
and maxima, against the bytes of the search page itself (the baseline of the same run).

Goals at 30,000 plugins: first search <= 150 KB, next search <= 40 KB.

Where the floor is: each word a search looks up costs the Pagefind index chunk that holds it.
Pagefind 1.5 cuts its word index into chunks of 20,000 postings entries (a page per word plus
each position; ``chunk_index(word_map, 20000)`` in its pagefind/src/index/mod.rs, not an option),
about 20-22 KB compressed on this site whatever the chunk's words. A next search of two words the
page has not looked up yet therefore transfers about 40-45 KB of index alone, before the result
fragments (about 0.8 KB each) and the names and words shards; only a search that reuses chunks
already loaded (``k8s`` after ``kubernetes``) stays far below.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "bench"))

from pages_server import Served  # noqa: E402

QUERIES = [
    ("playwrite", "code review"),
    ("pr review toolkit", "kubernetes"),
    ("react", "terraform plan"),
    ("review my pull requests for security issues", "write a changelog"),
    ("claude-mem", "sentry"),
    ("laravle", "docker"),
    ("mermaid diagrams", "api documentation"),
    ("kubernetes", "k8s"),
    ("commit messages", "git"),
    ("generate unit tests for my python code", "fastapi"),
]


def kind(path: str) -> str:
    """What a requested file is, for the breakdown of bytes."""
    for marker, name in (
        ("/pagefind/index/", "Pagefind index"),
        ("/pagefind/fragment/", "Pagefind fragments"),
        ("/search/names", "names shards"),
        ("/search/words/", "words shards"),
    ):
        if marker in path:
            return name
    return "other"


def ask(page: Any, served: Served, query: str) -> tuple[int, float, str]:
    """Type ``query`` in the search field and wait for the answer: (bytes fetched, seconds, status)."""
    before = served.sent
    page.fill("#q", query)
    page.press("#q", "Enter")
    return settle(page, served, before)


def settle(page: Any, served: Served, before: int) -> tuple[int, float, str]:
    """Wait until the status says the search is done; the bytes it took and the seconds."""
    started = time.perf_counter()
    while True:
        status = page.inner_text("#status")
        if status and not status.startswith("Searching"):
            break
        if time.perf_counter() - started > 60:
            raise SystemExit(f"no answer within a minute: {status!r}")
        time.sleep(0.02)
    time.sleep(0.2)  # fragments still arriving are counted too
    return served.sent - before, time.perf_counter() - started, status


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--plugins", type=int, default=30000)
    parser.add_argument("--site", type=Path, help="an already built site to measure")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            from world import world

            from agentops_index.build import build

            site = Path(tmp) / "site"
            started = time.perf_counter()
            result = build(world(args.plugins), site)
            print(f"built {result.plugins:,} plugins in {time.perf_counter() - started:.0f} s")
        served = Served(site, kind)
        firsts, nexts, times = [], [], []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                context = browser.new_context()
                page = context.new_page()
                before = served.sent
                page.goto(served.url + "search/")
                page.wait_for_load_state("networkidle")
                baseline = served.sent - before
                page.close()
                served.kinds.clear()
                for first, second in QUERIES:
                    context.close()
                    context = browser.new_context()  # an empty cache: a first visit
                    page = context.new_page()
                    page.goto(served.url + "search/")
                    page.wait_for_load_state("networkidle")
                    got, seconds, status = ask(page, served, first)
                    firsts.append(got)
                    times.append(seconds)
                    again, seconds2, _ = ask(page, served, second)
                    nexts.append(again)
                    times.append(seconds2)
                    print(
                        f"  {first!r:48} first {got / 1024:6.1f} KB {seconds * 1000:5.0f} ms | {second!r:22} next {again / 1024:5.1f} KB  ({status[:50]})"
                    )
                browser.close()
        finally:
            served.close()
    print(f"search page alone: {baseline / 1024:.1f} KB (the baseline)")
    print(f"first search: median {statistics.median(firsts) / 1024:.1f} KB, max {max(firsts) / 1024:.1f} KB  (goal <= 150 KB)")
    print(f"next search:  median {statistics.median(nexts) / 1024:.1f} KB, max {max(nexts) / 1024:.1f} KB  (goal <= 40 KB)")
    total = sum(served.kinds.values()) or 1
    print(
        "all searches by kind: "
        + ", ".join(f"{k} {v / 1024:.0f} KB ({100 * v / total:.0f}%)" for k, v in served.kinds.most_common())
    )
    print(f"time to answer: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
