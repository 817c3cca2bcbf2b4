"""The one place third-party markdown becomes HTML (SECURITY.md R-1, R-2, R-6..R-11).

markdown-it-py's ``js-default`` preset (``html=False``: raw HTML is escaped, and its
``validateLink`` drops ``javascript:``-like links) renders the text; nh3 then re-parses
the HTML with an explicit allowlist of tags, attributes and URL schemes, no ``id`` or
``name`` attributes, and ``rel="nofollow noopener noreferrer"`` on every link. Images
are kept only from ``raw.githubusercontent.com`` over https (README images elsewhere can
be tracking pixels). This module is the only place the package marks HTML as safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import cast

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

from agentops_index.render.urls import safe_url

PRESET = "js-default"
MAX_NESTING = 20
INPUT_CAP = 512 * 1024  # characters; longer input is cut before parsing
TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_HOSTS = ("https://raw.githubusercontent.com/",)


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    md = MarkdownIt(PRESET, {"maxNesting": MAX_NESTING})
    md.enable("table")
    md.core.ruler.push("demote_headings", _demote_headings)
    html = cast(RendererHTML, md.renderer)  # the preset's renderer; the attribute is typed as its protocol
    default_image = html.rules["image"]

    def image(renderer: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        # An image from anywhere else shows as its alt text: no tracking pixels.
        if not str(tokens[idx].attrGet("src") or "").startswith(IMAGE_HOSTS):
            return escapeHtml(html.renderInlineAsText(tokens[idx].children or [], options, env))
        return str(default_image(tokens, idx, options, env))

    md.add_render_rule("image", image)
    return md


def _demote_headings(state: StateCore) -> None:
    """Author headings start at h3 so they never outrank the page's own h1 and h2."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if value.startswith(IMAGE_HOSTS) else None
    if tag == "a" and attribute == "href":
        # Relative links point into the author's repository, not our site: keep the text only.
        # Absolute links get the same public-host rule as manifest URLs.
        if value.lower().startswith("mailto:"):
            return value
        return safe_url(value)
    return value


def sanitize(html: str) -> str:
    """Re-parse HTML and keep only the allowlist (html5ever via nh3)."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow noopener noreferrer",
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )


def render_markdown(text: str) -> Markup:
    """Safe HTML for untrusted markdown."""
    html = parser().render(text[:INPUT_CAP])
    return Markup(sanitize(html))  # the single trusted-HTML boundary
