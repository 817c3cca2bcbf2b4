"""The browser's ranking against the command line's, query by query, on the corpus build.

    .venv/bin/python bench/browser_parity.py [--set phrases|general|all] [--queries FILE.json]
                                             [--snapshot FILE --site DIR]

Crawls ``data/sample``, ``../shared/corpus`` and ``../shared/corpus-wide`` into one snapshot and
builds its site with the search index (or reads ``--snapshot`` and the ``--site`` built from it),
serves the site on loopback and, in headless Chromium (Debian's /usr/bin/chromium), opens
``search/?q=QUERY`` in a fresh context for each query. For each it reports whether the browser's
first result is the command line's first (copies count as the plugin they copy), how many of the
browser's top 10 are in the command line's top 10 (a plugin tied with the command line's tenth
counts as in it), both totals, and the Pagefind bytes the search transferred. The browser test
(tests/test_browser.py) asks the same of its own list: the same first result, and at least 8 of
10 in common (or all there are).

The query sets: ``phrases``, 30 phrases of data/search.toml's other spellings ("machine
learning", "test driven development", "merge request"); ``general``, 48 short queries of common
words ("api testing", "claude code hooks", "make plugin") where the two candidate searches differ
most; ``all`` (the default), both, the 4 queries they share asked once (74).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "bench"))

from pages_server import Served  # noqa: E402

SHARED = ROOT.parent / "shared"
CORPORA = [ROOT / "data" / "sample", SHARED / "corpus" / "marketplaces", SHARED / "corpus-wide" / "marketplaces"]
PHRASES = [
    "machine learning", "project management", "product manager", "knowledge base", "react native", "merge request",
    "pull request", "pull requests", "end to end", "end-to-end tests", "on call", "incident response",
    "model context protocol", "test driven development", "retrieval augmented generation", "root cause analysis",
    "json web token", "site reliability engineering", "search engine optimization", "release notes",
    "continuous integration", "google cloud", "user experience", "quality assurance", "architecture decision record",
    "entity relationship diagram", "code review", "prompt engineering", "type checking", "software development kit",
]  # fmt: skip
GENERAL = [
    "write code", "create api", "generate code", "code", "api", "agent", "claude code", "claude agent",
    "code review agent", "api testing", "python code", "rest api", "api docs", "skill", "build agents", "agent skills",
    "new agent", "add skill", "mcp server", "slack integration", "api integration", "code quality", "code generation",
    "ai agent", "postgres", "perf", "project management", "product manager", "machine learning", "write tests",
    "claude code hooks", "code review", "commit messages", "Tests schreiben", "run code", "check code", "find api",
    "make plugin", "claude plugin", "code agent", "api client generator", "agent orchestration", "multi agent",
    "code explain", "skills marketplace", "security code review", "read code", "claude api",
]  # fmt: skip


def shown(page: Any) -> tuple[str, list[str]]:
    """The status line and the result slugs once the search has answered."""
    deadline = time.monotonic() + 30
    while True:
        status = page.inner_text("#status")
        if status and not status.startswith("Searching"):
            break
        if time.monotonic() > deadline:
            raise TimeoutError("the search page did not answer in 30 s")
        time.sleep(0.05)
    links = page.query_selector_all("#results li h2 a")
    return status, [a.get_attribute("href").rstrip("/").split("/plugins/", 1)[1] for a in links]


def compare(site: Path, snapshot: Path, queries: list[str]) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    from agentops_index.search.session import open_searcher

    served = Served(site, kind=lambda path: "pagefind" if "/pagefind/" in path else "other")
    rows = []
    try:
        with sync_playwright() as pw, open_searcher(str(snapshot)) as searcher:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for query in queries:
                context = browser.new_context()
                page = context.new_page()
                before = served.kinds["pagefind"]
                try:
                    page.goto(served.url + "search/?q=" + quote_plus(query))
                    status, got = shown(page)
                    page.wait_for_load_state("networkidle")  # every fragment counted for this query
                except Exception as exc:  # one query's failure is its row's, not the run's
                    status, got = f"failed: {exc}".splitlines()[0], []
                finally:
                    context.close()
                answer = searcher.query(query, limit=100)
                ids = [i for h in answer.results for i in h.also_in]
                slugs = {i: r["slug"] for i, r in searcher.store.records(ids).items()}
                groups = [{h.record["slug"], *(slugs[i] for i in h.also_in)} for h in answer.results]
                scores = [(round(h.relevance, 6), round(h.score, 6)) for h in answer.results]
                tenth = scores[min(9, len(scores) - 1)] if scores else None
                common = sum(
                    1 for slug in got[:10] if any(slug in g and (n < 10 or scores[n] == tenth) for n, g in enumerate(groups))
                )
                rows.append(
                    {
                        "query": query,
                        # Both empty agree; one empty does not.
                        "first": got[0] in groups[0] if got and groups else not got and not groups,
                        "common": common,
                        "need": min(8, max(len(groups), len(got[:10]))),
                        "browser_status": status,
                        "cli_total": answer.total,
                        "pagefind_bytes": served.kinds["pagefind"] - before,
                        "browser": got[:10],
                        "cli": [h.record["slug"] for h in answer.results[:10]],
                    }
                )
            browser.close()
    finally:
        served.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["phrases", "general", "all"], default="all")
    parser.add_argument("--queries", type=Path, help="a JSON list of queries instead of the built-in sets")
    parser.add_argument("--snapshot", type=Path, help="a snapshot already crawled (with --site)")
    parser.add_argument("--site", type=Path, help="the site built from --snapshot, with its search index")
    parser.add_argument("--json", action="store_true", help="print every query's row as JSON")
    args = parser.parse_args()
    if args.queries:
        queries = json.loads(args.queries.read_text())
    else:
        queries = {"phrases": PHRASES, "general": GENERAL, "all": PHRASES + [q for q in GENERAL if q not in PHRASES]}[args.set]
    with tempfile.TemporaryDirectory(prefix="agentops-parity-") as tmp:
        if args.snapshot and args.site:
            snapshot, site = args.snapshot, args.site
        else:
            missing = [str(d) for d in CORPORA if not d.is_dir()]
            if missing:
                sys.exit(f"the corpora are not at {', '.join(missing)}")
            from agentops_index.build import build
            from agentops_index.crawl import crawl_local
            from agentops_index.snapshot.categories import load_taxonomy

            snapshot, site = Path(tmp) / "latest.json", Path(tmp) / "site"
            crawl_local(CORPORA, load_taxonomy()).write(snapshot)
            build(snapshot, site)
        rows = compare(site, snapshot, queries)
    if args.json:
        print(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    for r in rows:
        print(
            f"{r['query'][:32]:32} first {'yes' if r['first'] else 'no ':3}  common {r['common']:2}/{r['need']}"
            f"  cli {r['cli_total']:5}  pagefind {r['pagefind_bytes'] / 1000:6.1f} KB  | {r['browser_status'][:44]}"
        )
    agree = sum(r["first"] for r in rows)
    enough = sum(r["common"] >= r["need"] for r in rows)
    mean = sum(r["pagefind_bytes"] for r in rows) / max(len(rows), 1) / 1000
    print(
        f"{len(rows)} queries: same first result {agree}, at least 8 of 10 in common {enough}; mean Pagefind bytes {mean:.1f} KB"
    )


if __name__ == "__main__":
    main()
