"""Answers for the agentops plugins' commands: prime, orchestrate and analyze.

- **prime**: what a project is made of (from its files: manifests, lock files, CI, containers,
  infrastructure, docs) plus the user's words, turned into searches; plugins are ranked by
  how many of those topics they serve and by their score, each with the files that led to it.
- **orchestrate**: the workflow template that fits an intent, filled as a bundle (compatible
  picks, alternatives, the state each stage passes on), with a success probability from
  recorded runs, or "unknown" when there are none.
- **analyze**: how the top plugins compare (score parts, risk, context cost, components) and
  combine (the bundles that pick them, and which pairs clash and why).

Every answer is a plain dict of our fields, with third-party text only in plugin names and
descriptions (``present.fenced`` marks and escapes them).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

from agentops_index.bundles import Builder, Bundle, conflict
from agentops_index.discover import categories, choose, keywords
from agentops_index.learning import Metrics
from agentops_index.search.query import Hit, Searcher
from agentops_index.snapshot.categories import load_taxonomy
from agentops_index.workflows import load_templates

FALLBACK_TEMPLATE = "plan-implement-review"
MAX_CLASHES = 40
SCAN_FILES = 5000  # files looked at in a project, at most
SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", "dist", "build", "target", ".tox", "vendor"})

# File name (exact) or suffix (starting with ".") -> the topic it shows; searched as a query.
MARKERS: dict[str, str] = {
    "package.json": "javascript node",
    "tsconfig.json": "typescript",
    "pyproject.toml": "python",
    "requirements.txt": "python",
    "setup.py": "python",
    "go.mod": "go golang",
    "Cargo.toml": "rust",
    "Gemfile": "ruby rails",
    "pom.xml": "java maven",
    "build.gradle": "java gradle kotlin",
    "Dockerfile": "docker container",
    "docker-compose.yml": "docker compose",
    "compose.yaml": "docker compose",
    "Chart.yaml": "kubernetes helm",
    ".tf": "terraform infrastructure",
    ".gitlab-ci.yml": "gitlab ci pipeline",
    "dbt_project.yml": "dbt data sql",
    ".sql": "sql database",
    "mkdocs.yml": "documentation docs",
    "openapi.yaml": "api openapi",
    ".ipynb": "jupyter notebook data",
    "plugin.json": "claude plugin development",
    "SKILL.md": "claude skills",
}
# Dependency names in package.json or pyproject.toml -> topic.
PACKAGES: dict[str, str] = {
    "react": "react frontend",
    "next": "nextjs react frontend",
    "vue": "vue frontend",
    "svelte": "svelte frontend",
    "jest": "testing jest",
    "vitest": "testing",
    "playwright": "e2e testing playwright",
    "@playwright/test": "e2e testing playwright",
    "express": "api backend node",
    "tailwindcss": "css tailwind design",
    "storybook": "storybook components",
    "django": "django python web",
    "flask": "flask python web",
    "fastapi": "fastapi api python",
    "pytest": "testing pytest",
    "pandas": "data analysis",
    "sqlalchemy": "database sql",
    "boto3": "aws cloud",
}


def _walk(root: Path) -> Iterator[Path]:
    seen = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d for d in dirs if d not in SKIP_DIRS and not (d.startswith(".") and d not in (".github", ".claude-plugin"))
        )
        for name in sorted(files):
            seen += 1
            if seen > SCAN_FILES:
                return
            yield Path(folder) / name


def _dependencies(path: Path) -> list[str]:
    try:
        if path.name == "package.json":
            data = json.loads(path.read_text("utf-8"))
            return [
                name
                for key in ("dependencies", "devDependencies")
                if isinstance(data, dict) and isinstance(data.get(key), dict)
                for name in data[key]
            ]
        if path.name == "pyproject.toml":
            project = tomllib.loads(path.read_text("utf-8")).get("project", {})
            specs = list(project.get("dependencies", []))
            for extra in (project.get("optional-dependencies") or {}).values():
                specs += list(extra)
            return [re.split(r"[<>=!~;\[ ]", str(s), maxsplit=1)[0].lower() for s in specs]
    except (OSError, ValueError, tomllib.TOMLDecodeError, AttributeError):
        return []  # a broken manifest in the user's project says nothing about topics
    return []


def project_topics(root: Path) -> dict[str, list[str]]:
    """Topic query -> the project files (relative) that show it."""
    topics: dict[str, list[str]] = {}
    for path in _walk(root):
        relative = path.relative_to(root).as_posix()
        found = MARKERS.get(path.name) or (MARKERS.get(path.suffix) if path.suffix else None)
        if "/.github/workflows/" in f"/{relative}" and path.suffix in (".yml", ".yaml"):
            found = "github actions ci pipeline"
        if found:
            topics.setdefault(found, []).append(relative)
        for name in _dependencies(path) if path.name in ("package.json", "pyproject.toml") else []:
            topic = PACKAGES.get(name)
            if topic:
                topics.setdefault(topic, []).append(f"{relative} ({name})")
    return {topic: files[:3] for topic, files in sorted(topics.items())}


def _plugin_view(hit: Hit) -> dict[str, Any]:
    record = hit.record
    return {
        "id": hit.id,
        "name": hit.name,
        "description": hit.description[:280],
        "marketplace": hit.marketplace,
        "score": round(hit.score, 4),
        "risk": record["risk"],
        "valid": record["valid"],
        "context_tokens": record["context_tokens"],
        "install": list(record["install"]),
        "also_in": hit.also_in,
    }


def prime(root: Path, words: str, searcher: Searcher, limit: int = 8) -> dict[str, Any]:
    topics = project_topics(root) if root.is_dir() else {}
    asked = " ".join(keywords(words))
    queries = {**({asked: ["(your words)"]} if asked else {}), **topics}
    board: dict[str, dict[str, Any]] = {}
    for query, evidence in queries.items():
        weight = 2.0 if evidence == ["(your words)"] else 1.0
        for rank, hit in enumerate(searcher.query(query, limit=5).results):
            if not hit.record["valid"]:
                continue  # copies are already collapsed: a hit is the listing a plugin is shown by
            entry = board.setdefault(hit.id, {"plugin": _plugin_view(hit), "fit": 0.0, "because": []})
            entry["fit"] += weight * hit.score / (1 + rank)
            entry["because"].append({"topic": query, "files": evidence})
    ranked = sorted(board.values(), key=lambda e: (-e["fit"], e["plugin"]["id"]))[:limit]
    return {
        "project": str(root),
        "topics": topics,
        "words": asked,
        "recommendations": [{**e["plugin"], "fit": round(e["fit"], 4), "because": e["because"]} for e in ranked],
    }


def success_probability(bundle: Bundle, metrics: Metrics) -> dict[str, Any]:
    """Laplace-smoothed share of recorded successful runs of this bundle's picks, or unknown."""
    picks = tuple(sorted(p.id for p in bundle.plugins))
    runs = [r for r in metrics.runs if r.bundle == bundle.id and (not r.plugins or tuple(sorted(r.plugins)) == picks)]
    if not runs:
        return {"value": None, "runs": 0, "basis": "unknown: no recorded runs of this bundle yet"}
    successes = sum(r.success for r in runs)
    return {
        "value": round((successes + 1) / (len(runs) + 2), 4),
        "runs": len(runs),
        "basis": f"{successes} of {len(runs)} recorded runs succeeded (Laplace-smoothed: (s+1)/(n+2))",
    }


def orchestrate(intent: str, searcher: Searcher, base_url: str, metrics: Metrics) -> dict[str, Any]:
    words = keywords(intent)
    cats = categories(words, load_taxonomy().lexicon)
    templates = load_templates()
    template = choose(templates, words, cats)
    note = None
    if template is None:  # a plain "build me X": the general product-development workflow
        template = next((t for t in templates if t.id == FALLBACK_TEMPLATE), None)
        note = f"no workflow template matched these words; using the general {FALLBACK_TEMPLATE} workflow"
    if template is None:
        return {"intent": intent, "keywords": words, "workflow": None, "note": "no workflow template fits these words"}
    bundle, _ = Builder(searcher).bundle(template, base_url)
    plan = bundle.as_json()
    steps = []
    for number, stage in enumerate([*bundle.stages, *([bundle.aggregate] if bundle.aggregate else [])], 1):
        steps.append(
            {
                "step": number,
                "stage": stage.id,
                "role": stage.role,
                "use": stage.pick.id if stage.pick else None,
                "receives": stage.input,
                "passes": stage.output,
                "record": f"agentops-index metrics record --bundle {bundle.id} --stage {stage.id} --seconds <seconds>",
            }
        )
    return {
        "intent": intent,
        "keywords": words,
        "categories": cats,
        "note": note,
        "workflow": plan,
        "success_probability": success_probability(bundle, metrics),
        "steps": steps,
        "record_outcome": f"agentops-index metrics record --bundle {bundle.id} --outcome success|failure",
    }


def analyze(searcher: Searcher, bundles: list[Bundle], limit: int) -> dict[str, Any]:
    plugins = searcher.store.top(limit)  # valid, one listing per plugin, by static score
    in_bundles: dict[str, list[str]] = {}
    for bundle in bundles:
        for pick in bundle.plugins:
            in_bundles.setdefault(pick.id, []).append(f"{bundle.id}/{pick.stage}")
    rows = []
    for p in plugins:
        rows.append(
            {
                "id": p["id"],
                "name": p["display_name"] or p["name"],
                "description": p["description"][:280],
                "category": p["category"],
                "score": p["static"],
                "parts": p["parts"],
                "penalties": [name for name, _ in p["penalties"]],
                "risk": p["risk"],
                "capabilities": p["capabilities"],
                "context_tokens": p["context_tokens"],
                "components": p["counts"],
                "bundles": in_bundles.get(p["id"], []),
            }
        )
    clashes = []
    for a, b in combinations(plugins, 2):
        why = conflict(a, [b])
        if why:
            clashes.append({"plugins": [a["id"], b["id"]], "why": why})
    top = {p["id"] for p in plugins}
    together = [
        {"bundle": b.id, "plugins": [p.id for p in b.plugins]} for b in bundles if sum(p.id in top for p in b.plugins) >= 2
    ]
    return {
        "limit": limit,
        "plugins": rows,
        "combine_in_bundles": together,
        "clashes_total": len(clashes),
        "clashes": clashes[:MAX_CLASHES],  # the output stays bounded (SECURITY.md §5.3)
    }
