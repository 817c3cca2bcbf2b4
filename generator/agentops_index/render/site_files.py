"""Non-HTML outputs: the JSON API, the sitemap, static assets, and the internal-link check."""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from html import unescape
from pathlib import Path
from typing import Any

from agentops_index.bundles import Bundle, manifest_bytes
from agentops_index.render.contexts import Page
from agentops_index.render.writer import Writer
from agentops_index.search.records import QUERY_FILE, query_file
from agentops_index.snapshot import store
from agentops_index.snapshot.models import NOTICE, SCHEMA_VERSION, Snapshot

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def api(writer: Writer, snapshot: Snapshot, records: list[dict[str, Any]] | None = None) -> None:
    """api/v1: the whole snapshot, the query file, one file per plugin and per marketplace, and the JSON Schema."""
    writer.add("api/v1/snapshot.json", store.dumps(snapshot))
    # What clients query (search, discover, the Claude commands): one compact record a plugin.
    writer.add(f"api/v1/{QUERY_FILE}", store.dumps(query_file(snapshot, records), compact=True))
    writer.add("api/v1/schema.json", store.dumps(store.json_schema()))
    for plugin in snapshot.plugins:
        body = {"_notice": NOTICE, "schema_version": SCHEMA_VERSION, "plugin": plugin.model_dump(mode="json")}
        writer.add(f"api/v1/plugins/{plugin.slug}.json", store.dumps(body, compact=True))
    for market in snapshot.marketplaces:
        body = {"_notice": NOTICE, "schema_version": SCHEMA_VERSION, "marketplace": market.model_dump(mode="json")}
        writer.add(f"api/v1/marketplaces/{market.slug}.json", store.dumps(body, compact=True))


def bundle_files(writer: Writer, bundles: list[tuple[Bundle, dict[str, object]]]) -> None:
    """Each bundle's installable marketplace.json, and api/v1/bundles.json with every bundle."""
    for bundle, manifest in bundles:
        writer.add(f"bundles/{bundle.id}/marketplace.json", manifest_bytes(manifest))
    body = {"_notice": NOTICE, "schema_version": SCHEMA_VERSION, "bundles": [b.as_json() for b, _ in bundles]}
    writer.add("api/v1/bundles.json", store.dumps(body))


def sitemap(pages: list[Page], lastmod: str) -> bytes:
    """sitemap.xml through an XML serializer (R-13: no string-built XML)."""
    ET.register_namespace("", SITEMAP_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for page in sorted(pages, key=lambda p: p.path):
        if page.canonical is None:
            continue
        url = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = page.canonical
        ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = lastmod[:10]
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


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
_START_TAG = re.compile(r"""<[a-zA-Z][a-zA-Z0-9-]*((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*/?>""")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _links(html: str) -> list[str]:
    out = []
    for tag in _START_TAG.finditer(html):
        for attribute in _ATTRIBUTE.finditer(tag.group(1)):
            if attribute.group(1).lower() in ("href", "src"):
                value = next((v for v in attribute.group(2, 3, 4) if v is not None), "")
                out.append(unescape(value))
    return out


def broken_links(files: Mapping[str, bytes], base_path: str) -> list[str]:
    """Internal links of every HTML page that point at no file of the site (path -> bytes)."""
    problems: list[str] = []
    for path, data in sorted(files.items()):
        if not path.endswith(".html"):
            continue
        for link in _links(data.decode("utf-8")):
            if link.startswith(("http://", "https://", "mailto:", "#")):
                continue
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
            if resolved is None or resolved not in files:
                problems.append(f"{path}: link {link!r} does not resolve")
    return problems


def marketplace_list(snapshot: Snapshot) -> bytes:
    """search/marketplaces.json: the marketplace facet's values, loaded when the field is first used
    (a catalog of thousands of marketplaces would otherwise put them all in the search page)."""
    return store.dumps(sorted({p.marketplace for p in snapshot.plugins}, key=str.lower), compact=True)
