"""Non-HTML outputs: the JSON API, the sitemap, static assets, and the internal-link check."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from agentops_index.render.contexts import Page
from agentops_index.render.writer import Writer
from agentops_index.snapshot import store
from agentops_index.snapshot.models import NOTICE, SCHEMA_VERSION, Snapshot

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def api(writer: Writer, snapshot: Snapshot) -> None:
    """api/v1: the whole snapshot, one file per plugin, and the JSON Schema."""
    writer.add("api/v1/snapshot.json", store.dumps(snapshot))
    writer.add("api/v1/schema.json", store.dumps(store.json_schema()))
    for plugin in snapshot.plugins:
        body = {"_notice": NOTICE, "schema_version": SCHEMA_VERSION, "plugin": plugin.model_dump(mode="json")}
        writer.add(f"api/v1/plugins/{plugin.slug}.json", store.dumps(body))


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


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)


def broken_links(writer: Writer, base_path: str) -> list[str]:
    """Internal links of every HTML page that point at no file of the site."""
    problems: list[str] = []
    for path, data in sorted(writer.files.items()):
        if not path.endswith(".html"):
            continue
        parser = _Links()
        parser.feed(data.decode("utf-8"))
        for link in parser.links:
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
            if resolved is None or not writer.exists(resolved):
                problems.append(f"{path}: link {link!r} does not resolve")
    return problems
