"""check-site: validate a built site before it is published.

Required files are present; every JSON file parses and is not empty; the snapshot in
api/v1 validates against our models, every plugin in it has its page, its markdown view and
its record in the file api/v1/index.json names, and every marketplace its page and file; every
plugin and marketplace has a README badge that loads nothing; every internal link resolves; no page is over budget (1 MiB for any page, and
30 KB gzip-compressed for plugin pages, ISSUE "catalog" budget).
"""

from __future__ import annotations

import gzip
import json
import posixpath
import re
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from agentops_index.errors import InputError
from agentops_index.render.site_files import SITEMAP_NS, SITEMAP_URLS, broken_links
from agentops_index.render.sources_file import FILE, SourcesFile
from agentops_index.snapshot import store
from agentops_index.snapshot.models import Snapshot

REQUIRED = (
    "index.html",
    "404.html",
    "sitemap.xml",
    "feed.xml",
    "llms.txt",
    "robots.txt",
    "static/style.css",
    "api/v1/snapshot.json",
    "api/v1/schema.json",
    "api/v1/index.json",
    "about/index.html",
    "about/ranking/index.html",
    "status/index.html",
    "api/v1/sources.json",
    "stats/index.html",
    "categories/index.html",
    "marketplaces/index.html",
)
PAGE_BUDGET = 1024 * 1024
SITEMAP_BYTES = 50 * 1024 * 1024  # sitemaps.org: 50 MB uncompressed at most
PLUGIN_PAGE_GZIP_BUDGET = 30 * 1024


ASSET = re.compile(rb'<(?:link rel="stylesheet" href|script[^>]* src)="([^"]+)"')


def page_weight(path: str, data: bytes, files: dict[str, bytes], assets: dict[str, int] | None = None) -> int:
    """Gzip-compressed bytes of a page with the stylesheets and scripts it loads from the site.

    ``assets`` remembers each asset's compressed size across pages (every page loads the same few).
    """
    assets = {} if assets is None else assets
    total = len(gzip.compress(data, 9, mtime=0))
    for href in ASSET.findall(data):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), urlsplit(href.decode()).path))
        if target in files:
            if target not in assets:
                assets[target] = len(gzip.compress(files[target], 9, mtime=0))
            total += assets[target]
    return total


def _records(snapshot: Snapshot, files: dict[str, bytes]) -> list[str]:
    """Every plugin has its page, its markdown view and its record in the file index.json names;
    every marketplace its page and its file."""
    problems: list[str] = []
    try:
        index = json.loads(files["api/v1/index.json"])["plugins"]
    except (KeyError, TypeError, ValueError, RecursionError):
        index = {}
    holders: dict[str, set[str]] = {}
    for plugin in snapshot.plugins:
        for path in (f"plugins/{plugin.slug}/index.html", f"plugins/{plugin.slug}/index.md"):
            if path not in files:
                problems.append(f"{path}: missing for plugin {plugin.id}")
        entry = index.get(plugin.id) if isinstance(index, dict) else None
        name = f"api/v1/{entry['file']}" if isinstance(entry, dict) and isinstance(entry.get("file"), str) else None
        if name is None:
            problems.append(f"api/v1/index.json: no file for plugin {plugin.id}")
            continue
        if name not in holders:
            try:
                holders[name] = {record["id"] for record in json.loads(gzip.decompress(files[name]))["plugins"]}
            except (KeyError, TypeError, ValueError, RecursionError, OSError, EOFError, zlib.error):
                holders[name] = set()
        if plugin.id not in holders[name]:
            problems.append(f"{name}: missing the record of plugin {plugin.id}")
    for market in snapshot.marketplaces:
        for path in (f"marketplaces/{market.slug}/index.html", f"api/v1/marketplaces/{market.slug}.json.gz"):
            if path not in files:
                problems.append(f"{path}: missing for marketplace {market.id}")
    problems += _sources(snapshot, files.get(FILE))
    badges = [f"plugins/{p.slug}/badge.svg" for p in snapshot.plugins] + [
        f"marketplaces/{m.slug}/badge.svg" for m in snapshot.marketplaces
    ]
    for path in badges:
        problem = badge_problem(files.get(path))
        if problem:
            problems.append(f"{path}: {problem}")
    return problems


def _sources(snapshot: Snapshot, data: bytes | None) -> list[str]:
    """api/v1/sources.json has the published shape and one entry for each source of the snapshot."""
    if data is None:
        return []  # reported as missing with the required files
    try:
        published = SourcesFile.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        return [f"{FILE}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}"]
    have, want = {s.id for s in published.sources}, {s.id for s in snapshot.sources}
    return [f"{FILE}: no entry for source {sid}" for sid in sorted(want - have)] + [
        f"{FILE}: {sid} is not a source of the snapshot" for sid in sorted(have - want)
    ]


BADGE_CAP = 2048  # bytes: a badge is two rectangles and two words


def badge_problem(data: bytes | None) -> str | None:
    """Why a README badge is not one we publish: missing, too big, not an SVG with a title, or
    loading anything (a font, an image, a script) from anywhere."""
    if data is None:
        return "missing"
    if len(data) > BADGE_CAP:
        return f"{len(data):,} bytes is over the {BADGE_CAP:,}-byte badge cap"
    if b"<?" in data or b"<!" in data:  # a stylesheet instruction or a DOCTYPE the parser would drop
        return "a processing instruction, declaration or comment a badge does not have"
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return f"not XML ({exc})"
    if root.tag != "{http://www.w3.org/2000/svg}svg" or root.get("role") != "img" or not root.get("aria-label"):
        return "not an SVG image with an aria-label"
    title = root.find("{http://www.w3.org/2000/svg}title")
    if title is None or title.text != root.get("aria-label"):
        return "its title is not its aria-label"
    allowed = {"svg", "title", "rect", "g", "text"}
    for node in root.iter():
        if node.tag.rpartition("}")[2] not in allowed or any(
            "href" in k.lower() or k.lower().rpartition("}")[2].startswith("on") or "url(" in v.lower()
            for k, v in node.attrib.items()
        ):
            return f"an element or reference a badge does not have ({node.tag.rpartition('}')[2]})"
    return None


def check_site(site: Path, base_url: str | None = None) -> list[str]:
    """Every problem found in the site at ``site`` (empty when it may be published)."""
    site = Path(site)
    if not site.is_dir():
        raise InputError(f"check-site {site}: not a directory")
    files = {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
    problems = [f"{path}: missing" for path in REQUIRED if path not in files]
    assets: dict[str, int] = {}
    for path, data in files.items():
        if path.endswith((".json", ".json.gz")):
            try:
                value = json.loads(gzip.decompress(data) if path.endswith(".gz") else data)
            except (ValueError, RecursionError, OSError, EOFError, zlib.error) as exc:
                problems.append(f"{path}: not JSON ({exc})")
                continue
            if not value:
                problems.append(f"{path}: empty")
        if path.endswith(".html"):
            if len(data) > PAGE_BUDGET:
                problems.append(f"{path}: {len(data):,} bytes is over the 1 MiB page budget")
            if path.startswith("plugins/"):
                weight = page_weight(path, data, files, assets)
                if weight > PLUGIN_PAGE_GZIP_BUDGET:
                    problems.append(
                        f"{path}: {weight:,} bytes compressed (HTML, CSS and JS) is over the 30 KB plugin page budget"
                    )
    if "api/v1/snapshot.json" in files:
        try:
            snapshot = store.load(site / "api" / "v1" / "snapshot.json")
        except InputError as exc:
            problems.append(str(exc))
        else:
            problems += _records(snapshot, files)
    base_path = urlsplit(base_url).path if base_url else "/"
    problems += broken_links(files, base_path if base_path.endswith("/") else base_path + "/")
    problems += stylesheet_problems(files)
    problems += sitemap_problems(files, base_url)
    return problems


def sitemap_problems(files: dict[str, bytes], base_url: str | None) -> list[str]:
    """sitemap.xml parses and lists at most SITEMAP_URLS URLs in at most SITEMAP_BYTES, or is a
    sitemap index whose every part is a file beside it (found by its URL under ``base_url``) that does."""

    def read(path: str) -> tuple[str, list[str]] | str:
        if len(files[path]) > SITEMAP_BYTES:
            return f"{path}: {len(files[path]):,} bytes, over the {SITEMAP_BYTES:,} one sitemap may hold"
        try:
            root = ET.fromstring(files[path])
        except ET.ParseError as exc:
            return f"{path}: not XML ({exc})"
        locations = [e.text or "" for e in root.iter(f"{{{SITEMAP_NS}}}loc")]
        if len(locations) > SITEMAP_URLS:
            return f"{path}: {len(locations):,} URLs, over the {SITEMAP_URLS:,} one sitemap may list"
        return root.tag.rpartition("}")[2], locations

    if "sitemap.xml" not in files:
        return []  # said among the missing files
    top = read("sitemap.xml")
    if isinstance(top, str):
        return [top]
    kind, locations = top
    if kind != "sitemapindex":
        return []
    problems = []
    # A part is beside sitemap.xml, at the site's root (under the base URL, when it is given).
    base = None if not base_url else base_url if base_url.endswith("/") else base_url + "/"
    for location in locations:
        if base is not None:
            path = location.removeprefix(base) if location.startswith(base) else None
        else:
            path = location.rpartition("/")[2]
        if path is not None and "/" in path:
            path = None  # a sitemap elsewhere may not list the site's pages
        part = read(path) if path in files else f"sitemap.xml: names {location}, which is not a file of the site"
        if isinstance(part, str):
            problems.append(part)
        elif part[0] != "urlset":
            problems.append(f"{path}: a sitemap index may name only sitemaps of URLs")
    return problems


CSS_URL = re.compile(rb"url\(\s*['\"]?([^'\")\s]+)")


def stylesheet_problems(files: dict[str, bytes]) -> list[str]:
    """Every ``url()`` of our stylesheets (``static/``; Pagefind's own are not loaded) names a file
    of the site, such as an icon: a missing icon draws nothing, and nothing else would notice.
    They load nothing from elsewhere."""
    problems = []
    for path, data in files.items():
        if not (path.startswith("static/") and path.endswith(".css")):
            continue
        for ref in CSS_URL.findall(data):
            target = ref.decode("utf-8", "replace")
            if urlsplit(target).scheme or target.startswith("//"):
                problems.append(f"{path}: url({target}) loads from outside the site")
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), urlsplit(target).path))
            if resolved not in files:
                problems.append(f"{path}: url({target}) names {resolved}, which the site does not have")
    return problems
