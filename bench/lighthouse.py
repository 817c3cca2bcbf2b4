"""Lighthouse scores for the home, search, a plugin, compare and status pages of the sample site.

    .venv/bin/python bench/lighthouse.py [--site DIR]

Builds the sample site (or uses --site), serves it on loopback, and runs npm ``lighthouse``
(pinned; 12.x is the last line that runs on Node 20) with Debian's chromium, headless, on
each page for the four categories: performance, accessibility, best practices, SEO. The goal
is 100 in each. Prints one row a page and every audit that cost points, so a regression
names its cause. Lighthouse throttles the CPU and network itself, so its figures are its own
simulated ones, not this machine's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT))

from tests.npm import npm_package  # noqa: E402
from tests.test_browser import serve  # noqa: E402

from agentops_index.build import build  # noqa: E402

LIGHTHOUSE_VERSION = "12.8.2"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = {
    "home": "",
    "search": "search/?q=review",
    "plugin": "plugins/acme-devtools/claude-plugins/commit-coach/",
    "compare": "compare/?p=acme-devtools/claude-plugins/commit-coach&p=acme-devtools/claude-plugins/branch-hygiene",
    "status": "status/?repo=acme-devtools/claude-plugins",
}


def audit(lighthouse: Path, url: str) -> dict:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                str(lighthouse),
                url,
                "--quiet",
                "--output=json",
                "--chrome-path=/usr/bin/chromium",
                f"--chrome-flags=--headless=new --no-sandbox --user-data-dir={profile}",
                f"--only-categories={','.join(CATEGORIES)}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
        )
    if done.returncode != 0:
        raise SystemExit(f"lighthouse {url} failed: {done.stderr[-1500:]}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build the sample)")
    args = parser.parse_args()
    lighthouse = npm_package("lighthouse", LIGHTHOUSE_VERSION, "node_modules/.bin/lighthouse")
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build(ROOT / "data" / "snapshots" / "latest.json", site)
        server, base = serve(site)
        try:
            print(f"{'page':<8} " + " ".join(f"{c:>14}" for c in CATEGORIES))
            for name, path in PAGES.items():
                report = audit(lighthouse, base + path)
                scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
                print(f"{name:<8} " + " ".join(f"{scores[c]:>14}" for c in CATEGORIES))
                for category in CATEGORIES:
                    for ref in report["categories"][category]["auditRefs"]:
                        result = report["audits"][ref["id"]]
                        if ref["weight"] and result["score"] is not None and result["score"] < 1:
                            print(
                                f"         {category}: {ref['id']} scored {result['score']:.2f} ({result.get('displayValue', '')})"
                            )
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
