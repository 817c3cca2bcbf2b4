"""YAML front matter of commands, agents and skills: safe, bounded, and lenient where it must be.

Front matter is the block between a first line ``---`` and the next ``---`` line. It is
parsed with PyYAML's safe loader, refusing aliases (a billion-laughs document expands
exponentially once serialized, SECURITY.md M-17) and capped in size. Many real agents
carry multi-line descriptions that are not YAML (FORMAT.md §3.1); Claude Code then drops
every field, and so does ``data`` here, but :attr:`FrontMatter.lenient` still recovers
``name`` and ``description`` line by line so the index can show something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

FRONTMATTER_CAP = 64 << 10


@dataclass(slots=True)
class FrontMatter:
    present: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # yaml | aliases | too_large | not_mapping
    lenient: dict[str, str] = field(default_factory=dict)

    def text(self, key: str) -> str | None:
        """A string field, from the YAML when it parsed, else from the lenient reading."""
        value = self.data.get(key) if self.error is None else self.lenient.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return None


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases are not allowed in front matter")
        return super().compose_node(parent, index)


def split(text: str) -> str | None:
    """The front matter block of a markdown text, or None when there is none."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "\n".join(lines[1:index])
    return None


_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")


def _lenient(block: str) -> dict[str, str]:
    out: dict[str, str] = {}
    current: str | None = None
    for line in block.splitlines():
        match = _KEY_LINE.match(line)
        if match and not line.startswith((" ", "\t")):
            current = match.group(1)
            out[current] = match.group(2).strip().strip("\"'")
        elif current is not None and line.strip():
            out[current] = (out[current] + " " + line.strip()).strip()
    return out


_PLAIN_TOP_LEVEL = re.compile(r"^([A-Za-z_][\w-]*):[ \t]+([^\s'\"\[{|>&*!%@`#][^\n]*)$")


def _quote_plain_values(block: str) -> str:
    """Quote top-level plain values that hold ``": "``, as Bun's YAML parser reads them.

    Claude Code's parser takes ``description: Use it when: x`` as one string, where
    PyYAML stops at the second ``": "``. Continuation lines stay as they are.
    """
    out = []
    for line in block.splitlines():
        match = _PLAIN_TOP_LEVEL.match(line)
        if match and ": " in match.group(2):
            value = match.group(2).rstrip()
            escaped = value.replace("\\", "\\\\").replace('"', '\\"')
            line = f'{match.group(1)}: "{escaped}"'
        out.append(line)
    return "\n".join(out)


# libyaml is about 10x faster than the pure-Python parser and front matter is most of a crawl's
# CPU; aliases are refused by scanning the event stream before anything is constructed.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _safe_load(block: str) -> Any:
    if _FAST_LOADER is None:
        return yaml.load(block, Loader=_NoAliasLoader)
    for event in yaml.parse(block, Loader=_FAST_LOADER):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.YAMLError("aliases are not allowed in front matter")
    return yaml.load(block, Loader=_FAST_LOADER)


def _load(block: str) -> Any:
    try:
        return _safe_load(block)
    except yaml.YAMLError as exc:
        if "aliases" in str(exc):
            raise
        relaxed = _quote_plain_values(block)
        if relaxed == block:
            raise
        return _safe_load(relaxed)


@lru_cache(maxsize=512)
def parse(text: str) -> FrontMatter:
    """The front matter of a markdown text (cached: validation and inventory read each file).

    The result is shared between callers: treat it as read-only.
    """
    block = split(text)
    if block is None:
        return FrontMatter()
    result = FrontMatter(present=True, lenient=_lenient(block[:FRONTMATTER_CAP]))
    if len(block) > FRONTMATTER_CAP:
        result.error = "too_large"
        return result
    try:
        data = _load(block)
    except yaml.YAMLError as exc:
        result.error = "aliases" if "aliases" in str(exc) else "yaml"
        return result
    except (RecursionError, ValueError, TypeError):
        result.error = "yaml"
        return result
    if data is None:
        data = {}
    if not isinstance(data, dict):
        result.error = "not_mapping"
        return result
    result.data = {str(k): v for k, v in data.items()}
    return result
