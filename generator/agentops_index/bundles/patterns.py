"""Reading the learning loop's patterns (``discovered/``, ``validated/``, ``learned/``) and their
summary. Standard library only: the agentops plugins' reader shows them too; ``learning.py``
writes them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypedDict, cast

from agentops_index.errors import InputError

STATES = ("discovered", "validated", "learned")
PATTERN_FORMAT = 1


class PatternPlugin(TypedDict):
    id: str
    marketplace: str
    stage: str


class Evidence(TypedDict):
    validated_with: str | None  # the Claude Code version whose validator accepted the marketplace.json
    runs: int
    successes: int
    success_rate: float | None


# "from" is a word Python keeps for itself.
Move = TypedDict("Move", {"at": str, "from": str, "to": str, "why": str})


class Pattern(TypedDict):
    """One file of patterns/<state>/ (its format: the patterns folder's README.md)."""

    format: int
    id: str
    state: str
    title: str
    workflow: str
    plugins: list[PatternPlugin]
    marketplace_url: str
    evidence: Evidence
    history: list[Move]


class Summary(TypedDict):
    """patterns/meta/summary.json."""

    format: int
    states: dict[str, list[str]]
    success_rates: dict[str, float]
    plugins_in_learned_patterns: dict[str, int]


def load_patterns(root: Path) -> dict[str, Pattern]:
    """Every pattern under ``root``, by id; a file in the wrong folder or unreadable is an error.
    The files are this repository's own (``learning.save_patterns`` writes them)."""
    found: dict[str, Pattern] = {}
    for state in STATES:
        for path in sorted((root / state).glob("*.json")):
            try:
                data = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError) as exc:
                raise InputError(f"{path}: not a readable pattern ({exc})") from exc
            if not isinstance(data, dict) or data.get("state") != state or data.get("id") != path.stem:
                raise InputError(f"{path}: state/id: must match its folder ({state}) and file name ({path.stem})")
            if data["id"] in found:
                raise InputError(f"{path}: id: {data['id']} is also under {found[data['id']]['state']}/")
            found[data["id"]] = cast(Pattern, data)
    return found


def meta_summary(patterns: dict[str, Pattern]) -> Summary:
    """Patterns about patterns: how many in each state, and the plugins learned patterns share."""
    used: dict[str, int] = {}
    for pattern in patterns.values():
        if pattern["state"] == "learned":
            for plugin in pattern["plugins"]:
                used[plugin["id"]] = used.get(plugin["id"], 0) + 1
    return {
        "format": PATTERN_FORMAT,
        "states": {s: sorted(p["id"] for p in patterns.values() if p["state"] == s) for s in STATES},
        "success_rates": {
            pid: p["evidence"]["success_rate"] for pid, p in sorted(patterns.items()) if p["evidence"]["success_rate"] is not None
        },
        "plugins_in_learned_patterns": dict(sorted(used.items(), key=lambda kv: (-kv[1], kv[0]))),
    }
