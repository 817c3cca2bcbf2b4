"""README badges: ``badge.svg`` beside every plugin's page and every marketplace's page.

A badge says the plugin or marketplace is listed and what Claude Code's validator makes of it,
or, for a record another client's catalog gives, that client's rules, named on the badge (a
plugin's score too, when GitHub metrics give the score a meaning). It is a small,
deterministic SVG: no external fonts or images (the font stack is the system's), a ``<title>``
and ``aria-label`` saying the same as its text, and every third-party string left out (the
words are ours; a badge shows no author text). The text is drawn with ``textLength``, so it
fits the width computed here whatever font the viewer has.
"""

from __future__ import annotations

from html import escape

from agentops_index.snapshot.models import MarketplaceRecord, PluginRecord

LABEL = "agentops-index"
CLIENT_WORDS = {
    "codex": "Codex",
    "cursor": "Cursor",
    "skill": "Agent Skill",
    "agent-plugins": "Agent Plugins",
}  # whose rules a verdict is by
HEIGHT = 20
PAD = 6  # px of space either side of each text
# Colours: AA contrast for white text on each (4.5:1 or better).
GREY, GOOD, WARN, BAD = "#555", "#2e7d32", "#8a5a00", "#b3261e"
# Average advance widths (px) of Verdana-like sans-serif at 11 px, by kind of character.
_NARROW = set("fijlrtI.,:;!|'()[] ")
_WIDE = set("mwMW@%")
_CAPITAL = set("ABCDEFGHJKLNOPQRSTUVXYZ0123456789")


def text_width(text: str) -> int:
    """An estimate of ``text``'s width in pixels (the SVG stretches the text to it exactly)."""
    width = 0.0
    for ch in text:
        width += 3.9 if ch in _NARROW else 9.8 if ch in _WIDE else 7.6 if ch in _CAPITAL else 6.7
    return round(width)


def svg(message: str, colour: str, label: str = LABEL) -> bytes:
    """A two-part badge: ``label`` on grey, ``message`` on ``colour``."""
    left, right = text_width(label) + 2 * PAD, text_width(message) + 2 * PAD
    total = left + right
    said = escape(f"{label}: {message}")
    body = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{HEIGHT}" role="img" aria-label="{said}">'
        f"<title>{said}</title>"
        f'<rect width="{left}" height="{HEIGHT}" fill="{GREY}"/>'
        f'<rect x="{left}" width="{right}" height="{HEIGHT}" fill="{colour}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,Geneva,sans-serif" font-size="11">'
        f'<text x="{PAD}" y="14" textLength="{left - 2 * PAD}" lengthAdjust="spacingAndGlyphs">{escape(label)}</text>'
        f'<text x="{left + PAD}" y="14" textLength="{right - 2 * PAD}" lengthAdjust="spacingAndGlyphs">{escape(message)}</text>'
        "</g></svg>\n"
    )
    return body.encode("utf-8")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' if n != 1 else ''}"


def plugin_message(plugin: PluginRecord) -> tuple[str, str]:
    """What a plugin's badge says, and its colour."""
    who = "" if plugin.client == "claude" else f"{CLIENT_WORDS[plugin.client]} "
    if not plugin.valid:
        return f"listed · {who}{_plural(plugin.errors, 'validation error')}", BAD
    verdict = f"passes · {_plural(plugin.warnings, 'warning')}" if plugin.warnings else "passes"
    score = f" · score {plugin.score.static:.2f}" if plugin.score is not None and plugin.metrics is not None else ""
    return f"listed · {who}{verdict}{score}", WARN if plugin.warnings else GOOD


def marketplace_message(market: MarketplaceRecord, valid_plugins: int) -> tuple[str, str]:
    """What a marketplace's badge says (its own verdict and how many of its plugins pass), and its colour."""
    listed = len(market.plugin_ids)
    if not market.valid:
        who = "" if market.client == "claude" else f"{CLIENT_WORDS[market.client]} "
        return f"listed · {who}{_plural(market.errors, 'validation error')}", BAD
    message = (
        f"listed · {valid_plugins:,} of {_plural(listed, 'plugin')} pass"
        if valid_plugins < listed
        else f"listed · {_plural(listed, 'plugin')} pass"
    )
    return message, GOOD if valid_plugins == listed else WARN


def plugin_badge(plugin: PluginRecord) -> bytes:
    return svg(*plugin_message(plugin))


def marketplace_badge(market: MarketplaceRecord, valid_plugins: int) -> bytes:
    return svg(*marketplace_message(market, valid_plugins))


def view(record: PluginRecord | MarketplaceRecord, valid_plugins: int = 0) -> dict[str, str | int]:
    """What a page says about its badge: the text it shows (the image's alternative text) and its width."""
    if isinstance(record, PluginRecord):
        message, _ = plugin_message(record)
    else:
        message, _ = marketplace_message(record, valid_plugins)
    return {"text": f"{LABEL}: {message}", "width": text_width(LABEL) + text_width(message) + 4 * PAD}
