"""Non-HTML outputs: the JSON API, the sitemap, static assets, and the internal-link check."""

from __future__ import annotations

import hashlib
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

from agentops_index.bundles.fill import Bundle, manifest_bytes
from agentops_index.render import sources_file
from agentops_index.render.pages import record_files
from agentops_index.render.urls import relative_root
from agentops_index.render.writer import Writer
from agentops_index.search.queryfile import QUERY_FILE
from agentops_index.search.records import query_file_json
from agentops_index.snapshot import store
from agentops_index.snapshot.models import NOTICE, SCHEMA_VERSION, PluginRecord, Snapshot

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(slots=True)
class Published:
    """Digests of the records as api/v1 publishes them (plugin id or marketplace id -> digest):
    what a page made from a record depends on, for incremental builds."""

    plugins: dict[str, str] = field(default_factory=dict)
    marketplaces: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # plugin id -> the file of api/v1/ that holds it


RECORD_FILE_LEVEL = 6  # gzip level of the marketplace files (on real text, 9 saves 1% more in 1.4 times as long)


def api(
    writer: Writer,
    snapshot: Snapshot,
    records: list[dict[str, Any]] | None = None,
    reuse: Callable[[str, str], bool] | None = None,
) -> Published:
    """api/v1: the whole snapshot (compact), the query file, the JSON Schema, every marketplace's
    file with its plugins' records, and index.json, which names the file that holds each plugin.

    A plugin's record is published twice, whole: in snapshot.json, and in its marketplace's
    file (``marketplaces/<slug>.json.gz``, then ``marketplaces/<slug>/page/<n>.json.gz`` past
    PAGE_SIZE plugins), so a client reads one plugin without downloading the snapshot.
    Both are spliced from one serialization of each record. The marketplace files are gzipped
    (a sixth of their JSON), as the site would otherwise hold every record twice over in full;
    ``reuse(path, fingerprint)`` may take one from the previous build instead of compressing it
    again (``incremental.Reuse``).
    """
    # What clients query (search, discover, the Claude commands): one compact record a plugin.
    writer.add_gzipped(f"api/v1/{QUERY_FILE}", query_file_json(snapshot, records))  # query_file_bytes, on the writer's thread
    serialized = {plugin.id: record_bytes(plugin) for plugin in snapshot.plugins}
    writer.add("api/v1/snapshot.json", snapshot_bytes(snapshot, list(serialized.values())))
    writer.add("api/v1/schema.json", store.dumps(schema()))
    writer.add(sources_file.FILE, store.dumps(sources_file.sources_file(snapshot), compact=True))
    published = Published(plugins={pid: digest(data) for pid, data in serialized.items()})
    holders = record_files(snapshot)
    for market in snapshot.marketplaces:
        market_json = market.model_dump(mode="json")
        published.marketplaces[market.id] = digest(store.dumps(market_json, compact=True))
        parts = holders[market.id]
        for number, (name, chunk) in enumerate(parts, start=1):
            page = {
                "number": number,
                "count": len(parts),
                "previous": parts[number - 2][0] if number > 1 else None,
                "next": parts[number][0] if number < len(parts) else None,
            }
            body = {"_notice": NOTICE, "schema_version": SCHEMA_VERSION, "marketplace": market_json, "page": page, "plugins": []}
            document = splice(store.dumps(body, compact=True), "plugins", [serialized[p.id] for p in chunk])
            if reuse is None or not reuse(f"api/v1/{name}", digest(document)):
                writer.add_gzipped(f"api/v1/{name}", document, RECORD_FILE_LEVEL)
            published.files.update((p.id, name) for p in chunk)
    index = {
        "_notice": NOTICE,
        "schema_version": SCHEMA_VERSION,
        "generated_at": snapshot.generated_at,
        "marketplaces": {m.id: {"slug": m.slug, "file": holders[m.id][0][0]} for m in snapshot.marketplaces},
        "plugins": {p.id: {"slug": p.slug, "file": published.files[p.id]} for p in snapshot.plugins},
    }
    writer.add("api/v1/index.json", store.dumps(index, compact=True))
    return published


def schema() -> dict[str, Any]:
    """api/v1/schema.json: the snapshot's JSON Schema, with the other published files' shapes in its
    ``$defs`` (``SourcesFile``: api/v1/sources.json)."""
    out = store.json_schema()
    extra = sources_file.SourcesFile.model_json_schema(by_alias=True, mode="validation", ref_template="#/$defs/{model}")
    defs = out.setdefault("$defs", {})
    defs.update(extra.pop("$defs", {}))
    defs["SourcesFile"] = extra
    return out


def record_bytes(plugin: PluginRecord) -> bytes:
    """One plugin record as compact canonical JSON (what ``store.dumps(plugin, compact=True)`` gives, without the newline)."""
    return store.dumps(plugin, compact=True)[:-1]


def snapshot_bytes(snapshot: Snapshot, records: list[bytes]) -> bytes:
    """``store.dumps(snapshot, compact=True)``, with the plugins' records already serialized."""
    return splice(store.dumps(snapshot.model_copy(update={"plugins": []}), compact=True), "plugins", records)


def splice(document: bytes, key: str, items: list[bytes]) -> bytes:
    """Fill the empty array at ``key`` of a compact JSON document with serialized items.

    Inside a JSON string every quote is escaped, so ``"key":[]`` occurs only where the key is.
    """
    empty = b'"' + key.encode() + b'":[]'
    if document.count(empty) != 1:
        raise ValueError(f"{key!r} is not one empty array of the document")
    head, _, tail = document.partition(empty)
    return b"".join((head, empty[:-1], b",".join(items), b"]", tail))


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def bundle_files(writer: Writer, bundles: list[tuple[Bundle, dict[str, object]]]) -> None:
    """Each bundle's installable marketplace.json, and api/v1/bundles.json with every bundle."""
    for bundle, manifest in bundles:
        writer.add(f"bundles/{bundle.id}/marketplace.json", manifest_bytes(manifest))
    body = {"_notice": NOTICE, "schema_version": SCHEMA_VERSION, "bundles": [b.as_json() for b, _ in bundles]}
    writer.add("api/v1/bundles.json", store.dumps(body))


SITEMAP_URLS = 50_000  # URLs one sitemap file may list (sitemaps.org's protocol; search engines ignore a bigger one)
SITEMAP_PART = "sitemap-{}.xml"  # a part a sitemap index names: beside it, as a sitemap lists only URLs under its own folder


def sitemaps(pages: list[tuple[str, str | None]], lastmod: str, base_url: str, limit: int | None = None) -> dict[str, bytes]:
    """sitemap.xml, through an XML serializer (R-13: no string-built XML): the canonical URL of
    every page (``pages``: path and canonical URL, None for a page with none). Past ``limit`` URLs
    (a site of about 50,000 plugins) sitemap.xml is a sitemap index that names
    ``sitemap-<n>.xml`` beside it (a sitemap may list only URLs under its own folder), each
    listing at most ``limit`` URLs in path order, so the catalog stays findable at any size and
    robots.txt still names sitemap.xml."""
    limit = SITEMAP_URLS if limit is None else limit
    urls = [canonical for _, canonical in sorted(pages) if canonical is not None]
    if len(urls) <= limit:
        return {"sitemap.xml": _xml("urlset", "url", urls, lastmod)}
    parts = {SITEMAP_PART.format(n): urls[start : start + limit] for n, start in enumerate(range(0, len(urls), limit), start=1)}
    out = {path: _xml("urlset", "url", chunk, lastmod) for path, chunk in parts.items()}
    out["sitemap.xml"] = _xml("sitemapindex", "sitemap", [base_url + path for path in parts], lastmod)
    return out


def _xml(root_tag: str, item_tag: str, locations: list[str], lastmod: str) -> bytes:
    ET.register_namespace("", SITEMAP_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}{root_tag}")
    for location in locations:
        item = ET.SubElement(root, f"{{{SITEMAP_NS}}}{item_tag}")
        ET.SubElement(item, f"{{{SITEMAP_NS}}}loc").text = location
        ET.SubElement(item, f"{{{SITEMAP_NS}}}lastmod").text = lastmod[:10]
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"


def static(writer: Writer, folders: list[Path]) -> None:
    """Copy static assets; a theme folder listed first overrides files of the same name."""
    seen: set[str] = set()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and not any(part.startswith(".") for part in relative.split("/")) and relative not in seen:
                seen.add(relative)
                writer.add(f"static/{relative}", path.read_bytes())


# Start tags and their attributes, tokenized as HTML does (quoted values may hold "<" and ">";
# text never holds a raw "<"): exact for our output and ten times faster than html.parser.
# Only the elements that take an href or src are read (twice as fast as every tag).
_START_TAG = re.compile(
    r"""<(?:a|area|link|script|img|iframe|source|embed|audio|video|track|input|image|use|base)(?![a-zA-Z0-9-])"""
    r"""((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*/?>""",
    re.IGNORECASE,
)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _links(html: str) -> list[str]:
    out = []
    for tag in _START_TAG.finditer(html):
        for attribute in _ATTRIBUTE.finditer(tag.group(1)):
            if attribute.group(1).lower() in ("href", "src"):
                value = next((v for v in attribute.group(2, 3, 4) if v is not None), "")
                out.append(unescape(value) if "&" in value else value)
    return out


def resolve(path: str, link: str, base_path: str) -> str | None:
    """The site file an internal link of the page at ``path`` points at; None for a link that
    leaves the site's base path (external links are the caller's to skip)."""
    target = link.split("#", 1)[0].split("?", 1)[0]
    if target.startswith("/"):
        resolved = target[len(base_path) :] if target.startswith(base_path) else None
    else:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        if target.endswith("/") or target in ("", "."):
            resolved += "/"
    if resolved is not None:
        resolved = resolved.lstrip("./") if resolved.startswith("./") else resolved
        if resolved in ("", ".", "./"):
            resolved = "index.html"
        elif resolved.endswith("/"):
            resolved += "index.html"
    return resolved


def _internal(link: str) -> bool:
    return not link.startswith(("http://", "https://", "mailto:", "#"))


def broken_links(files: Mapping[str, bytes], base_path: str) -> list[str]:
    """Internal links of every HTML page that point at no file of the site (path -> bytes)."""
    problems: list[str] = []
    for path, data in sorted(files.items()):
        if not path.endswith(".html"):
            continue
        for link in _links(data.decode("utf-8")):
            if _internal(link) and resolve(path, link, base_path) not in files:
                problems.append(f"{path}: link {link!r} does not resolve")
    return problems


class LinkCheck:
    """``broken_links`` one page at a time, as pages are rendered: each page's links are read
    once, from the text in hand, and checked against every path of the site at the end."""

    def __init__(self, base_path: str, known: set[str] | None = None) -> None:
        self.base_path = base_path
        self.known = known if known is not None else set()  # paths the site will have: links to them are fine
        self.wanted: dict[str, list[tuple[str, int, str]]] = {}  # target -> [(page, position, link)]

    def page(self, path: str, html: str) -> None:
        prefix = relative_root(path)
        for position, link in enumerate(_links(html)):
            if not _internal(link):
                continue
            rest = link[len(prefix) :] if link.startswith(prefix) and prefix != "./" else None
            if rest is not None and not rest.startswith("/") and not any(c in rest for c in ("#", "?", "./", "//")):
                # The common case, a link made by url_for: the root prefix, then a site path.
                target: str | None = rest + "index.html" if rest.endswith("/") or not rest else rest
            else:
                target = resolve(path, link, self.base_path)
            if target in self.known:
                continue
            self.wanted.setdefault(target or "", []).append((path, position, link))

    def problems(self, paths: set[str] | Mapping[str, bytes]) -> list[str]:
        """Every link whose target is not among ``paths``, by page, in the order of the page."""
        out = [
            (page, position, f"{page}: link {link!r} does not resolve")
            for target, referrers in self.wanted.items()
            if not target or target not in paths
            for page, position, link in referrers
        ]
        return [message for _, _, message in sorted(out)]


def marketplace_list(snapshot: Snapshot) -> bytes:
    """search/marketplaces.json: the marketplace facet's values, loaded when the field is first used
    (a catalog of thousands of marketplaces would otherwise put them all in the search page)."""
    return store.dumps(sorted({p.marketplace for p in snapshot.plugins}, key=str.lower), compact=True)
