"""The one normalizer for third-party text (guides/SECURITY.md §5.2) and its caps (§5.3).

Every string a stranger published goes through :func:`normalize` before it is stored,
rendered or shown to a model. The steps run in a fixed order:

1. lone surrogates become U+FFFD (counted);
2. terminal escape sequences and C0/C1 controls except ``\\n`` and ``\\t`` are removed;
3. bidi controls, zero-width characters, Unicode Tags and variation selectors are removed
   and counted (private-use characters are only counted);
4. NFC (after the removals, so the result is stable: ``normalize(normalize(x)) == normalize(x)``);
5. runs of 3+ newlines collapse to one blank line; leading and trailing space is trimmed;
6. the text is cut to its cap on a grapheme boundary with a ``…[truncated N chars]`` marker,
   the marker included in the cap.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# §5.3 caps, in characters.
NAME_CAP = 64
DESCRIPTION_CAP = 1024
DESCRIPTION_LIST_CAP = 280
KEYWORD_CAP = 40
KEYWORDS_MAX = 20
EXCERPT_CAP = 2000
LLM_PLUGIN_BUDGET = 4096
# Free text we keep but never show whole (categories, tags, author names, URLs as text).
SHORT_CAP = 200

_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL | ST (hyperlinks, titles)
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI (colours, cursor moves, screen clears)
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_HIDDEN = re.compile(
    "[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c"  # bidi
    "\u200b-\u200d\u2060\ufeff"  # zero-width
    "\U000e0000-\U000e007f"  # Tags (ASCII smuggling)
    "\ufe00-\ufe0f\U000e0100-\U000e01ef]"  # variation selectors
)
_BIDI_OR_TAGS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\U000e0000-\U000e007f]")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff]")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A normalized third-party string with what normalizing it removed."""

    text: str
    orig_len: int
    truncated: bool = False
    hidden_removed: int = 0
    bidi_or_tags: int = 0
    controls_removed: int = 0
    surrogates: int = 0
    private_use: int = 0


def normalize(value: str, cap: int | None = DESCRIPTION_CAP) -> NormalizedText:
    """Normalize one untrusted string and cap it (``cap=None``: no cap)."""
    if value.isascii() and not _CONTROLS.search(value):
        # Most published text: ASCII without controls has no surrogates, escapes (they start
        # with a control), hidden or private-use characters, and NFC leaves it as it is, so
        # only the blank runs, the trim and the cap apply: the result of ``_every_step`` in less
        # than half the time (a test holds the two equal).
        text = (_BLANK_RUNS.sub("\n\n", value) if "\n" in value else value).strip()
        if cap is not None and len(text) > cap:
            return NormalizedText(text=_cut(text, cap), orig_len=len(value), truncated=True)
        return NormalizedText(text=text, orig_len=len(value))
    return _every_step(value, cap)


def _every_step(value: str, cap: int | None) -> NormalizedText:
    orig_len = len(value)
    text, surrogates = _SURROGATE.subn("\ufffd", value)
    text, escapes = _ESCAPE_SEQUENCE.subn("", text)
    text, controls = _CONTROLS.subn("", text)
    bidi_or_tags = len(_BIDI_OR_TAGS.findall(text))
    text, hidden = _HIDDEN.subn("", text)
    private_use = len(_PRIVATE_USE.findall(text))
    text = unicodedata.normalize("NFC", text)
    text = _BLANK_RUNS.sub("\n\n", text).strip()
    truncated = False
    if cap is not None and len(text) > cap:
        text, truncated = _cut(text, cap), True
    return NormalizedText(
        text=text,
        orig_len=orig_len,
        truncated=truncated,
        hidden_removed=hidden,
        bidi_or_tags=bidi_or_tags,
        controls_removed=controls + escapes,
        surrogates=surrogates,
        private_use=private_use,
    )


def clean(value: str, cap: int | None = DESCRIPTION_CAP) -> str:
    """Return only the normalized text of ``value``."""
    return normalize(value, cap).text


def clean_list(values: list[str], item_cap: int = KEYWORD_CAP, max_items: int = KEYWORDS_MAX) -> list[str]:
    """Normalize a list of short strings (keywords, tags), dropping empties and extras."""
    out: list[str] = []
    for value in values:
        text = clean(value, item_cap)
        if text:
            out.append(text)
        if len(out) == max_items:
            break
    return out


def _is_extender(char: str) -> bool:
    """Whether ``char`` continues the grapheme before it (combining mark or emoji modifier)."""
    return unicodedata.combining(char) != 0 or unicodedata.category(char) in {"Mn", "Me", "Mc"} or bool(_MODIFIERS.match(char))


def _cut(text: str, cap: int) -> str:
    dropped = len(text)
    # The marker's own length depends on how much is dropped; two rounds settle it.
    for _ in range(2):
        marker = f"…[truncated {dropped} chars]"
        keep = max(cap - len(marker), 0)
        while 0 < keep < len(text) and _is_extender(text[keep]):
            keep -= 1
        dropped = len(text) - keep
    marker = f"…[truncated {dropped} chars]"
    if len(marker) > cap:
        return marker[:cap]
    return text[:keep].rstrip() + marker
