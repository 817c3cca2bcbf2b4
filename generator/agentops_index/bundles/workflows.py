"""Workflow templates (data/workflows/*.toml; the format is documented in its README.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentops_index.config import COMPONENT_KINDS, data_file, read_toml
from agentops_index.errors import ConfigError
from agentops_index.search.hits import Hit

PATTERNS = ("sequential", "parallel", "conditional")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    role: str
    query: str
    category: str | None = None
    component: str | None = None
    passes: str | None = None
    # Words a pick must say (one of them, or a synonym) in its own text: what the stage is about,
    # when its query also names neighbouring topics ("performance profiling": not a data profiler).
    require: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Condition:
    stage: str
    when: str
    then: tuple[str, ...]
    otherwise: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    title: str
    description: str
    pattern: str
    keywords: tuple[str, ...]
    stages: tuple[Stage, ...]
    aggregate: Stage | None = None
    condition: Condition | None = None
    words: frozenset[str] = field(default=frozenset())
    allow_high_risk: bool = False  # bundles may pick a high-risk plugin (flagged) only when this is set


def _stage(raw: object, where: str, problems: list[str]) -> Stage | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a table")
        return None
    missing = [k for k in ("id", "role", "query") if not isinstance(raw.get(k), str) or not raw.get(k)]
    if missing:
        problems.append(f"{where}: needs string {', '.join(missing)}")
        return None
    unknown = set(raw) - {"id", "role", "query", "category", "component", "passes", "require"}
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    if raw.get("component") not in (None, *COMPONENT_KINDS):
        problems.append(f"{where}.component: one of {', '.join(COMPONENT_KINDS)}")
    require = raw.get("require", [])
    if not isinstance(require, list) or not all(isinstance(w, str) and w for w in require):
        problems.append(f"{where}.require: a list of words")
        require = []
    return Stage(
        raw["id"], raw["role"], raw["query"], raw.get("category"), raw.get("component"), raw.get("passes"), tuple(require)
    )


def load_template(path: Path) -> Template:
    data, problems = read_toml(path), []
    where = str(path)
    for key in ("id", "title", "description", "pattern"):
        if not isinstance(data.get(key), str) or not data.get(key):
            problems.append(f"{where}: {key} must be a non-empty string")
    if isinstance(data.get("id"), str) and not _ID.match(data["id"]):
        problems.append(f"{where}: id must be lowercase letters, digits and hyphens")
    pattern = str(data.get("pattern"))
    if not isinstance(data.get("allow_high_risk", False), bool):
        problems.append(f"{where}: allow_high_risk must be true or false")
    if pattern not in PATTERNS:
        problems.append(f"{where}: pattern must be one of {', '.join(PATTERNS)}")
    stages = [s for i, raw in enumerate(data.get("stages") or []) if (s := _stage(raw, f"{where}: stages[{i}]", problems))]
    if not stages:
        problems.append(f"{where}: needs at least one [[stages]]")
    ids = [s.id for s in stages]
    if len(set(ids)) != len(ids):
        problems.append(f"{where}: stage ids must be unique")
    aggregate = _stage(data["aggregate"], f"{where}: aggregate", problems) if "aggregate" in data else None
    if pattern == "parallel" and aggregate is None:
        problems.append(f"{where}: a parallel template needs an [aggregate] step")
    condition = None
    raw = data.get("condition")
    if pattern == "conditional":
        if not isinstance(raw, dict):
            problems.append(f"{where}: a conditional template needs a [condition]")
        else:
            then, otherwise = tuple(raw.get("then") or ()), tuple(raw.get("else") or ())
            for name in (raw.get("if"), *then, *otherwise):
                if name not in ids:
                    problems.append(f"{where}: condition names stage {name!r}, which is not defined")
            if raw.get("when") not in ("passes", "fails"):
                problems.append(f"{where}: condition.when must be passes or fails")
            condition = Condition(str(raw.get("if")), str(raw.get("when")), then, otherwise)
    if problems:
        raise ConfigError("; ".join(problems))
    keywords = tuple(str(k).lower() for k in data.get("keywords") or ())
    text = " ".join([data["title"], data["description"], *keywords, *(s.role + " " + s.query for s in stages)]).lower()
    return Template(
        data["id"],
        data["title"],
        data["description"],
        pattern,
        keywords,
        tuple(stages),
        aggregate,
        condition,
        frozenset(re.findall(r"[a-z0-9]+", text)),
        data.get("allow_high_risk") is True,
    )


def load_templates(folder: Path | None = None) -> list[Template]:
    """Every template, sorted by id; problems across files are reported together."""
    found = data_file("workflows", folder)
    if found is None or not found.is_dir():
        return []
    templates, problems = [], []
    for path in sorted(found.glob("*.toml")):
        try:
            templates.append(load_template(path))
        except ConfigError as exc:
            problems.append(str(exc))
    ids = [t.id for t in templates]
    if len(set(ids)) != len(ids):
        problems.append(f"{found}: template ids must be unique")
    if problems:
        raise ConfigError("; ".join(problems))
    return sorted(templates, key=lambda t: t.id)


def _stem(word: str) -> str:
    return word[:5] if len(word) > 5 else word


def matched_words(record: dict[str, Any], query: str, synonyms: dict[str, list[str]], own: bool = False) -> list[str]:
    """The stage's query words (or their synonyms) found in what the plugin says it does: its
    name, description, keywords, tags and (unless ``own``) its components' names and descriptions."""
    texts = [record["name"], record["display_name"] or "", record["description"], *record["keywords"], *record["tags"]]
    for name, description in [] if own else [*record["commands"], *record["agents"], *record["skills"]]:
        texts += [name, description]
    said = {_stem(w) for t in texts for w in re.findall(r"[a-z0-9]+", t.lower())}
    found = []
    for word in re.findall(r"[a-z0-9]+", query.lower()):
        forms = [word, *synonyms.get(word, [])]
        if any(all(_stem(part) in said for part in form.split()) for form in forms):
            found.append(word)
    return found


MIN_RELEVANCE = 0.3  # of the stage's best match: below it a candidate is a poor match


def about_stage(hits: Sequence[Hit], stage: Stage, synonyms: dict[str, list[str]]) -> list[Hit]:
    """The hits of a search for the stage that are about it (the bundles and discover ask the same):
    close to the best match, saying the stage's words itself, and any required word without a synonym
    ("release" is a search synonym of "deploy"; a changelog tool must not fill "Deploy the release")."""
    best = max((h.relevance for h in hits), default=0.0)
    wanted = " ".join(stage.require)
    return [
        h
        for h in hits
        if h.relevance >= MIN_RELEVANCE * best  # far below the best, or found only through weak fields: a poor match
        and matched_words(h.record, stage.query, synonyms)
        and (not wanted or matched_words(h.record, wanted, {}, own=True))
    ]
