"""Screenshots of the catalog's main pages, to look at before a change to the site is finished.

    .venv/bin/python bench/screenshots.py [--site DIR] [--out DIR]

Builds the corpus site (data/sample, ../shared/corpus and ../shared/corpus-wide crawled with
``--from-dir``; or uses ``--site``), serves it on loopback and takes full-page Chromium shots of
home, search with results, a plugin page, compare, a bundle, stats and the status page at 360,
768 and 1280 px wide, in the light and the dark colour scheme: 42 PNGs in ``--out`` (default
a temporary folder, printed), named ``<page>-<width>-<scheme>.png``. It also prints, for each
shot, what a person would notice first: content wider than the screen (a horizontal scroll),
and the page's height. Nothing here asserts: the pictures are for eyes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT))

from tests.test_browser import CHROMIUM, serve  # noqa: E402

from agentops_index.build import build  # noqa: E402

SHARED = ROOT.parent / "shared"
CORPORA = [ROOT / "data" / "sample", SHARED / "corpus" / "marketplaces", SHARED / "corpus-wide" / "marketplaces"]
WIDTHS = (360, 768, 1280)
SCHEMES = ("light", "dark")
PAGES = {
    "home": ("", None),
    "search": ("search/?q=code+review", "#results li"),
    "plugin": ("plugins/anthropics/claude-plugins-official/pr-review-toolkit/", None),
    "compare": (
        "compare/?p=anthropics/claude-plugins-official/pr-review-toolkit"
        "&p=anthropics/claude-plugins-official/code-review&p=wshobson/agents/comprehensive-review",
        "table.compare",
    ),
    "bundle": ("bundles/build-test-deploy/", None),
    "stats": ("stats/", None),
    "status": ("status/?repo=upstash/context7", "#answer h2"),
}


def corpus_site(folder: Path) -> Path:
    from agentops_index.crawl import crawl_local
    from agentops_index.snapshot.categories import load_taxonomy

    missing = [str(d) for d in CORPORA if not d.is_dir()]
    if missing:
        sys.exit(f"bench/screenshots.py: corpus folders missing: {', '.join(missing)} (or pass --site)")
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    snapshot = folder / "latest.json"
    crawl_local(CORPORA, load_taxonomy(ROOT / "data" / "categories.toml")).write(snapshot)
    site = folder / "site"
    build(snapshot, site)
    return site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="a built site to shoot instead of building the corpus")
    parser.add_argument("--out", type=Path, help="where the PNGs go (default: a new temporary folder)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="agentops-shots-"))
    out = args.out or work / "shots"
    out.mkdir(parents=True, exist_ok=True)
    site = args.site or corpus_site(work)
    server, base = serve(site)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            for scheme in SCHEMES:
                for width in WIDTHS:
                    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
                    page = context.new_page()
                    for name, (path, ready) in PAGES.items():
                        page.goto(base + path)
                        if ready:
                            page.wait_for_selector(ready, timeout=20_000)
                        wide = page.evaluate("document.documentElement.scrollWidth")
                        height = page.evaluate("document.documentElement.scrollHeight")
                        shot = out / f"{name}-{width}-{scheme}.png"
                        page.screenshot(path=str(shot), full_page=True)
                        note = f"  WIDER THAN THE SCREEN: {wide} px" if wide > width else ""
                        print(f"{shot.name:28} {height:6} px tall{note}")
                    context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
