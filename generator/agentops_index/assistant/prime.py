"""Prime: plugins for a project, from what its files show it is made of and the user's words.

What a project is made of comes from its files (manifests, lock files, CI, containers,
infrastructure, docs); each topic is searched, and plugins are ranked by how many topics they
serve and by their score, each with the files that led to it. Standard library only: the
agentops plugins' reader runs it too.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from collections import deque
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from agentops_index.assistant.discover import keywords
from agentops_index.assistant.shapes import PrimeAnswer, Recommendation
from agentops_index.search.hits import Hit, claude_hits
from agentops_index.search.query import Searcher

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


MAX_DEPTH = 12  # folders below the project's root looked into, at most


def _walk(root: Path) -> Iterator[Path]:
    """The project's files, breadth first, at most SCAN_FILES entries (folders count too) and
    MAX_DEPTH folders down: a project of any shape is read in bounded time and stack."""
    seen = 0
    queue = deque([(root, 0)])
    while queue:
        folder, depth = queue.popleft()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > SCAN_FILES:
                return
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                if (
                    depth < MAX_DEPTH
                    and name not in SKIP_DIRS
                    and not (name.startswith(".") and name not in (".github", ".claude-plugin"))
                ):
                    queue.append((Path(entry.path), depth + 1))
            elif entry.is_file(follow_symlinks=False):
                yield Path(entry.path)


MANIFEST_CAP = 1024 * 1024  # bytes of a package.json or pyproject.toml read, at most


def _readable(path: Path) -> bool:
    """A regular file (not a link, a FIFO or a device) small enough to read."""
    try:
        info = path.lstat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= MANIFEST_CAP


def _dependencies(path: Path) -> list[str]:
    """The dependency names a package.json or pyproject.toml of the user's project declares.
    Whatever the file holds, never an error: a broken manifest says nothing about topics."""
    if not _readable(path):
        return []
    try:
        if path.name == "package.json":
            data = json.loads(path.read_text("utf-8"))
            return [
                name
                for key in ("dependencies", "devDependencies")
                if isinstance(data, dict) and isinstance(data.get(key), dict)
                for name in data[key]
                if isinstance(name, str)
            ]
        if path.name == "pyproject.toml":
            project = tomllib.loads(path.read_text("utf-8")).get("project", {})
            if not isinstance(project, dict):
                return []
            specs = project.get("dependencies", [])
            specs = list(specs) if isinstance(specs, list) else []
            extras = project.get("optional-dependencies") or {}
            for extra in extras.values() if isinstance(extras, dict) else []:
                specs += list(extra) if isinstance(extra, list) else []
            return [re.split(r"[<>=!~;\[ ]", s, maxsplit=1)[0].lower() for s in specs if isinstance(s, str)]
    except (OSError, ValueError, tomllib.TOMLDecodeError, AttributeError, TypeError, RecursionError):
        return []
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


def _results(searcher: Searcher, query: str, limit: int) -> list[Hit]:
    return searcher.query(query, limit=limit).results


def prime(root: Path, words: str, searcher: Searcher, limit: int = 8) -> PrimeAnswer:
    topics = project_topics(root) if root.is_dir() else {}
    asked = " ".join(keywords(words))
    queries = {**({asked: ["(your words)"]} if asked else {}), **topics}
    board: dict[str, Recommendation] = {}
    for query, evidence in queries.items():
        weight = 2.0 if evidence == ["(your words)"] else 1.0
        for rank, hit in enumerate(claude_hits(partial(_results, searcher, query), 5)):
            if not hit.record["valid"]:
                continue  # copies are already collapsed: a hit is the listing a plugin is shown by
            entry = board.setdefault(hit.id, {**hit.view(), "fit": 0.0, "because": []})
            entry["fit"] += weight * hit.score / (1 + rank)
            entry["because"].append({"topic": query, "files": evidence})
    ranked = sorted(board.values(), key=lambda e: (-e["fit"], e["id"]))[:limit]
    for entry in ranked:
        entry["fit"] = round(entry["fit"], 4)
    return {"project": str(root), "topics": topics, "words": asked, "recommendations": ranked}
