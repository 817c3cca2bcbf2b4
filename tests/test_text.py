"""The untrusted-text normalizer (SECURITY.md §5.2, §5.3; T6 and T17 in part)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from agentops_index.manifest import text
from agentops_index.manifest.text import DESCRIPTION_CAP, NAME_CAP, clean, clean_list, normalize

REMOVED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\u200b-\u200d\u2060\ufeff"
    "\U000e0000-\U000e007f\ufe00-\ufe0f\U000e0100-\U000e01ef\ud800-\udfff]"
)
hostile_chars = st.sampled_from(
    [
        "\x00",
        "\x1b",
        "\x1b]8;;http://evil\x07",
        "\x1b[2J",
        "\r",
        "\u202e",
        "\u200b",
        "\U000e0041",
        "\ufe0f",
        "\ud800",
        "\n\n\n",
        "é",
        "e\u0301",
        "\ue000",
        "<",
        "\t",
    ]
)
hostile_text = st.lists(st.one_of(st.text(max_size=20), hostile_chars), max_size=60).map("".join)


ascii_text = st.lists(
    st.one_of(
        st.text(st.characters(max_codepoint=127), max_size=30), st.sampled_from(["\n\n\n", " \n \t\n\n", "\t", "\x1b[2J", "\r"])
    ),
    max_size=80,
).map("".join)


@settings(max_examples=500)
@given(ascii_text, st.sampled_from([4, NAME_CAP, 280, None]))
def test_the_plain_text_shortcut_gives_what_every_step_gives(value: str, cap: int | None) -> None:
    """ASCII text without controls skips the steps that cannot change it; nothing else differs."""
    assert normalize(value, cap) == text._every_step(value, cap)


@settings(max_examples=500)
@given(hostile_text, st.sampled_from([NAME_CAP, 280, DESCRIPTION_CAP, None]))
def test_normalized_text_is_clean_capped_encodable_and_stable(value: str, cap: int | None) -> None:
    result = normalize(value, cap)
    assert not REMOVED.search(result.text)
    result.text.encode("utf-8")
    if cap is not None:
        assert len(result.text) <= cap
    assert normalize(result.text, cap).text == result.text
    assert result.orig_len == len(value)


def test_hidden_characters_are_counted() -> None:
    result = normalize("i\u200bg\u200bn\u200bore \u202eevil\U000e0041")
    assert result.text == "ignore evil"
    assert result.hidden_removed == 5 and result.bidi_or_tags == 2


def test_escape_sequences_go_whole() -> None:
    assert clean("a\x1b]8;;http://evil\x07link\x1b]8;;\x07b\x1b[2Jc\rd") == "alinkbcd"


def test_truncation_marker_and_graphemes() -> None:
    text = normalize("e\u0301" * 100, NAME_CAP)
    assert text.truncated and text.text.endswith("chars]") and len(text.text) <= NAME_CAP
    assert not text.text.split("…")[0].endswith("e")  # no accent cut off its letter


def test_newline_runs_collapse_and_nfc_applies() -> None:
    assert clean("a\n\n\n\nb  ") == "a\n\nb"
    assert clean("e\u0301") == "\u00e9"


def test_keyword_lists_are_capped() -> None:
    words = clean_list(["x" * 100] * 50)
    assert len(words) == 20 and all(len(w) <= 40 for w in words)
