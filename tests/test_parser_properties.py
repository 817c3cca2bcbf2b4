"""Property tests of the manifest parser and validator (SECURITY.md T6, PR size: 500 examples)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from agentops_index.manifest.checks import Sink
from agentops_index.manifest.findings import Report
from agentops_index.manifest.jsonfile import read_json
from agentops_index.manifest.models import parse_marketplace
from agentops_index.manifest.validate import check_marketplace

nasty_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=30) | st.sampled_from(
    ["\ud800", "\x00", "\u202e", "../x", "./p", ".", "claude-x", "__proto__", "${CLAUDE_PLUGIN_ROOT}"]
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | nasty_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty_text, inner, max_size=4),
    max_leaves=25,
)
keys = st.sampled_from(
    [
        "name",
        "source",
        "owner",
        "plugins",
        "metadata",
        "strict",
        "version",
        "tags",
        "skills",
        "commands",
        "hooks",
        "renames",
        "pluginRoot",
        "repo",
        "sha",
        "url",
    ]
)


def _manifest_like(base: dict[str, Any], edits: list[tuple[list[str], Any]]) -> dict[str, Any]:
    """Apply random edits to a valid marketplace, one path at a time."""
    value = json.loads(json.dumps(base))
    for path, replacement in edits:
        target = value
        for key in path[:-1]:
            nxt = target.get(key) if isinstance(target, dict) else None
            if not isinstance(nxt, dict):
                break
            target = nxt
        if isinstance(target, dict):
            target[path[-1]] = replacement
    return value


VALID = {
    "name": "m",
    "owner": {"name": "o"},
    "description": "d",
    "plugins": [{"name": "p", "source": "./p", "metadata": {}}],
    "metadata": {},
}


def _check(value: Any) -> Report:
    report = Report("x")
    check_marketplace(Sink(report), value, None)
    model = parse_marketplace(value, report)
    assert len(model.entries) + len(model.skipped) == (
        len(value["plugins"]) if isinstance(value, dict) and isinstance(value.get("plugins"), list) else 0
    )
    json.dumps(report.as_dict(), ensure_ascii=False).encode("utf-8")
    return report


@settings(max_examples=500, deadline=None)
@given(json_values)
def test_any_json_value_is_judged_without_raising(value: Any) -> None:
    _check(value)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.lists(keys, min_size=1, max_size=3), json_values), max_size=4))
def test_mutated_manifests_are_judged_without_raising(edits: list[tuple[list[str], Any]]) -> None:
    value = _manifest_like(VALID, edits)
    report = _check(value)
    if value == VALID:
        assert report.verdict == "pass"


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass")))
def test_any_bytes_parse_to_a_value_or_a_reason(data: bytes) -> None:
    doc = read_json(data)
    assert (doc.problem is None) != (doc.problem is not None and bool(doc.problem.reason))
    if doc.ok:
        _check(doc.value)


finite_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | nasty_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty_text | st.integers(), inner, max_size=4),
    max_leaves=25,
)


def _tiny_float(value: Any) -> bool:
    if isinstance(value, float):
        return 0 < abs(value) < 1e-4
    if isinstance(value, list):
        return any(_tiny_float(v) for v in value)
    if isinstance(value, dict):
        return any(_tiny_float(v) for v in value.values())
    return False


@settings(max_examples=500)
@given(finite_values, st.booleans())
def test_canonical_json_is_the_standard_librarys(value: Any, compact: bool) -> None:
    """store.dumps (orjson, the standard library for what orjson refuses) writes the standard
    library's bytes, or refuses what it refuses; floats under 1e-4 are written without an exponent."""
    from agentops_index.snapshot import store

    layout: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 2}
    try:
        expected = (json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False, **layout) + "\n").encode()
    except (TypeError, ValueError) as exc:  # keys that do not sort, a lone surrogate
        try:
            store.dumps(value, compact=compact)
        except type(exc):
            return
        raise AssertionError(f"store.dumps accepted what the standard library refuses ({exc})") from None
    got = store.dumps(value, compact=compact)
    assert json.loads(got) == json.loads(expected)
    if not _tiny_float(value):
        assert got == expected
