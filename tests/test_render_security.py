"""What the site renders from hostile manifests is inert (SECURITY.md §3.1 R-1..R-6, R-13, R-14; T1, T3, T4).

Every Appendix A payload is placed in every field a stranger controls (entry name and
description, keywords, author, URLs, category, README, command front matter, marketplace
name, description and owner); the site is crawled and built, and every HTML page is
re-parsed with the stdlib parser and checked.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from agentops_index.manifest.text import clean
from agentops_index.render import markdown
from agentops_index.render.urls import safe_url
from tests.hostile import build_hostile
from tests.payloads import ALL, MARKUP, URLS

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "generator" / "agentops_index"
TEMPLATES = REPO / "templates"
ALLOWED_SCHEMES = {"http", "https", "mailto"}
FORBIDDEN_TAGS = {
    "iframe",
    "object",
    "embed",
    "base",
    "form",
    "svg",
    "math",
    "style",
    "frame",
    "frameset",
    "applet",
    "noscript",
    "template",
}
OUR_META = 5  # charset, viewport, CSP, referrer, description (templates/base.html)


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.title = ""
        self.lead: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self.scripts.append((attributes, ""))
            self._in = "script"
        elif tag == "title":
            self._in = "title"
        elif tag == "p" and attributes.get("class") == "lead":
            self.lead.append("")
            self._in = "lead"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "title", "p"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        elif self._in == "title":
            self.title += data
        elif self._in == "lead":
            self.lead[-1] += data


def scheme_of(url: str) -> str | None:
    """The scheme a browser would see: entities decoded, whitespace and controls removed, lowercased."""
    squeezed = re.sub(r"[\x00-\x20\x7f-\x9f]", "", unescape(url)).lower()
    match = re.match(r"^([a-z][a-z0-9+.\-]*):", squeezed)
    return match.group(1) if match else None


def assert_inert(path: str, html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    for tag, attrs in page.tags:
        ours = (
            (tag == "form" and attrs.get("class") == "search-box" and (attrs.get("action") or "").endswith("search/"))
            or (tag == "form" and path == "status/index.html" and (attrs.get("action") or "").endswith("status/"))
            or (tag == "form" and path == "compare/index.html" and "action" not in attrs)  # handled by compare.js
            or (tag == "noscript" and path in ("search/index.html", "status/index.html", "compare/index.html") and not attrs)
            or (tag == "svg" and path.startswith("bundles/") and attrs.get("class") == "diagram")
        )  # our workflow diagram
        assert tag not in ("foreignobject", "use", "animate", "set"), f"{path}: <{tag}>"
        assert tag not in FORBIDDEN_TAGS or ours, f"{path}: <{tag}>"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{path}: <{tag} {name}>"
            if name in ("href", "src", "action", "formaction", "xlink:href") and value is not None:
                scheme = scheme_of(value)
                assert scheme is None or scheme in ALLOWED_SCHEMES, f"{path}: {name}={value!r}"
                assert not value.startswith("//"), f"{path}: protocol-relative {value!r}"
        if tag == "img":  # a README's image from GitHub, the page's own badge, or the site's mark (ours, on the site)
            src = attrs.get("src") or ""
            ours_badge = scheme_of(src) is None and re.fullmatch(r"(\.\./)+(plugins|marketplaces)(/[a-z0-9-]+)+/badge\.svg", src)
            ours_mark = scheme_of(src) is None and re.fullmatch(r"(\./|(\.\./)+|/([a-z0-9-]+/)*)static/favicon\.svg", src)
            assert src.startswith("https://raw.githubusercontent.com/") or ours_badge or ours_mark, f"{path}: {attrs}"
        if "target" in attrs:
            assert "noopener" in (attrs.get("rel") or ""), f"{path}: target without noopener"
        if tag == "meta":
            assert attrs.get("http-equiv") in (None, "Content-Security-Policy"), f"{path}: {attrs}"
    assert sum(1 for tag, _ in page.tags if tag == "meta") == OUR_META, path
    for attrs, body in page.scripts:
        if attrs.get("type") == "module" and path == "search/index.html":
            assert (attrs.get("src") or "").endswith("static/search.js") and not body.strip(), f"{path}: script {attrs}"
            continue  # our search script, on the search page only
        page_script = {"status/index.html": "static/status.js", "compare/index.html": "static/compare.js"}.get(path)
        if page_script and set(attrs) == {"src", "defer"} and attrs["src"].endswith(page_script):
            assert not body.strip(), path
            continue  # the status page's lookup or compare's, from our origin, with no inline body
        if attrs.get("src") is not None and path.startswith(("plugins/", "marketplaces/", "bundles/")):
            assert set(attrs) == {"src", "defer"} and attrs["src"].endswith("static/copy.js") and not body.strip(), path
            continue  # our copy-button script, from our origin, with no inline body
        assert attrs == {"type": "application/ld+json"}, f"{path}: script {attrs}"
        json.loads(body)  # the payload stayed inside the JSON string
    assert sum(1 for tag, _ in page.tags if tag == "title") == 1
    return page


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    return build_hostile(tmp_path_factory.mktemp("hostile"))


def test_every_payload_got_a_page(hostile: tuple[Path, object]) -> None:
    site, snapshot = hostile
    assert len(snapshot.plugins) == len(ALL)  # type: ignore[attr-defined]
    assert len(list((site / "plugins").rglob("index.html"))) == len(ALL)


def test_no_page_has_executable_content(hostile: tuple[Path, object]) -> None:
    """T1: 0 scripts but our JSON-LD, 0 on* attributes, 0 bad schemes, 0 forbidden tags, on every page."""
    site, _ = hostile
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > len(ALL)
    for path in pages:
        assert_inert(str(path.relative_to(site)), path.read_text("utf-8"))


def test_text_sinks_round_trip_exactly(hostile: tuple[Path, object]) -> None:
    """Escaping is exact: the title, lead and JSON-LD say what the normalized payload says (R-4, R-5, R-13, R-14)."""
    site, snapshot = hostile
    for plugin in snapshot.plugins:  # type: ignore[attr-defined]
        html = (site / "plugins" / plugin.slug / "index.html").read_text("utf-8")
        page = assert_inert(f"plugins/{plugin.slug}/index.html", html)
        name, description = plugin.untrusted.name.text, plugin.untrusted.description.text
        assert page.title == f"{name} ({plugin.marketplace}) · agentops-index"
        assert page.lead == [description]
        (ld,) = [json.loads(body) for attrs, body in page.scripts if attrs.get("type") == "application/ld+json"]
        assert ld["name"] == name and ld["description"] == description
    ssti = next(p for p in snapshot.plugins if p.untrusted.description.text.startswith("{{ cycler"))  # type: ignore[attr-defined]
    html = (site / "plugins" / ssti.slug / "index.html").read_text("utf-8")
    assert "cycler.__init__.__globals__" in html and "uid=" not in html


def test_slugs_are_ours_whatever_the_name(hostile: tuple[Path, object]) -> None:
    _, snapshot = hostile
    for plugin in snapshot.plugins:  # type: ignore[attr-defined]
        assert re.fullmatch(r"[a-z0-9-]+(/[a-z0-9-]+)*", plugin.slug), plugin.slug
        assert plugin.install.plugin_install is None or re.fullmatch(
            r"/plugin install [A-Za-z0-9._-]+@[A-Za-z0-9._-]+", plugin.install.plugin_install
        )
    assert {c.slug for c in snapshot.categories} <= {c.slug for c in snapshot.categories if re.fullmatch(r"[a-z0-9-]+", c.slug)}  # type: ignore[attr-defined]


def test_sitemap_is_well_formed_xml(hostile: tuple[Path, object]) -> None:
    site, _ = hostile
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = [e.text or "" for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert all(re.fullmatch(r"https://example\.org/[a-z0-9/-]*", loc) for loc in locs)


def test_external_links_only_when_safe(hostile: tuple[Path, object]) -> None:
    site, _ = hostile
    hrefs = set()
    for path in site.rglob("*.html"):
        page = Page()
        page.feed(path.read_text("utf-8"))
        hrefs |= {a.get("href") or "" for tag, a in page.tags if tag == "a" and (a.get("href") or "").startswith("http")}
    assert hrefs, "some payload URLs are plain https and must stay links"
    for href in hrefs:
        assert safe_url(href) == href


@pytest.mark.parametrize("payload", MARKUP)
def test_markdown_output_is_inert(payload: str) -> None:
    """R-1, R-2, R-7, R-8, R-10, R-11 on the markdown sink alone."""
    html = str(markdown.render_markdown(payload))
    page = Page()
    page.feed(html)
    for tag, attrs in page.tags:
        assert tag not in FORBIDDEN_TAGS | {"script", "meta", "title"}, html
        assert not any(name.startswith("on") or name in ("id", "name", "style") for name in attrs), html
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                assert scheme_of(attrs[name] or "") in (None, *ALLOWED_SCHEMES), html
        if tag == "a":
            assert attrs.get("rel") == "nofollow noopener noreferrer", html


@pytest.mark.parametrize(
    "url,expected",
    [
        ("https://github.com/a/b", "https://github.com/a/b"),
        ("HTTPS://Example.com/Path?q=1#x", "https://example.com/Path?q=1#x"),
        ("http://example.com:8080/", "http://example.com:8080/"),
        ("https://gіthub.com/a/b", "https://xn--gthub-n2e.com/a/b"),  # Cyrillic і shown as punycode
        ("https://github.com.evil.example/", "https://github.com.evil.example/"),
        # Host evil.example, shown in full as the link text: linking it deceives no one.
        ("https://evil.example/@github.com/a/b", "https://evil.example/@github.com/a/b"),
        ("mailto:a@b.example", None),
        ("https://example", None),
        *((u, None) for u in URLS if not u.startswith("https://evil.example/")),
    ],
)
def test_safe_url(url: str, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_markdown_preset_and_sanitizer_settings() -> None:
    """T4: never the bare MarkdownIt() (html=True); nh3 with an explicit scheme list."""
    md = markdown.parser()
    assert markdown.PRESET == "js-default" and md.options["html"] is False
    assert md.options["maxNesting"] == markdown.MAX_NESTING == 20
    assert {"http", "https", "mailto"} == markdown.URL_SCHEMES
    assert "id" not in {a for attrs in markdown.ATTRIBUTES.values() for a in attrs}
    source = (PACKAGE / "render" / "markdown.py").read_text()
    assert "MarkdownIt()" not in source


def _package_and_templates() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py")) + sorted(TEMPLATES.rglob("*.html"))


def test_one_trusted_html_boundary() -> None:
    """R-6: exactly one Markup( in the package, no |safe in templates, no from_string anywhere (R-14)."""
    markup = [p for p in _package_and_templates() for _ in re.finditer(r"\bMarkup\(", p.read_text())]
    assert markup == [PACKAGE / "render" / "markdown.py"]
    for path in _package_and_templates():
        text = path.read_text()
        assert not re.search(r"\|\s*safe\b(?!_)", text), path
        assert "from_string" not in text and "autoescape=False" not in text and "{% autoescape false" not in text, path


def test_template_lint() -> None:
    """T3: attributes are quoted; every interpolated href/src is ours (url_for) or passed safe_url."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        assert not re.search(r"=\s*\{\{", text), f"{path}: unquoted attribute interpolation"
        assert "xmlattr" not in text, path
        for match in re.finditer(r"\b(href|src|action)=([\"'])(.*?)\2", text):
            for expression in re.findall(r"\{\{(.*?)\}\}", match.group(3)):
                expression = expression.strip()
                assert expression.startswith("url_for(") or expression in ("safe_href", "page.canonical"), (
                    f"{path}: {match.group(0)}"
                )
        for match in re.finditer(r"set safe_href = (.*?) %\}", text):
            assert match.group(1).rstrip().endswith("| safe_url"), path


def test_normalized_text_is_what_the_page_shows() -> None:
    assert clean("a\u202eb") == "ab"
