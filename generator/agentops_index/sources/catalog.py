"""The curated list of marketplace repositories (data/sources.toml)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from agentops_index.errors import ConfigError
from agentops_index.sources.github import RepoRef

_REPO = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/([A-Za-z0-9._-]{1,100})$")
KEYS = frozenset({"repo", "ref", "notes"})


def repo_id_ok(repo_id: str) -> bool:
    """Whether ``repo_id`` is a GitHub owner/name (curated here, or discovered in others' text)."""
    match = _REPO.match(repo_id)
    return match is not None and match.group(2) not in (".", "..")


def load_sources(path: Path) -> list[RepoRef]:
    """Every ``[[marketplace]]`` of a sources file; all problems reported at once."""
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"sources {path}: cannot read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"sources {path}: {exc}") from exc
    problems: list[str] = []
    out: list[RepoRef] = []
    seen: set[str] = set()
    for index, item in enumerate(data.get("marketplace", [])):
        where = f"sources {path}: marketplace[{index}]"
        unknown = set(item) - KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        repo, ref = item.get("repo"), item.get("ref")
        if not isinstance(repo, str) or not repo_id_ok(repo):
            problems.append(f"{where}.repo: must be owner/name, got {repo!r}")
            continue
        if ref is not None and (not isinstance(ref, str) or not ref or ":" in ref):
            problems.append(f"{where}.ref: must be a branch, tag or commit sha")
            continue
        if repo.lower() in seen:
            problems.append(f"{where}.repo: {repo} is listed twice")
            continue
        seen.add(repo.lower())
        owner, _, name = repo.partition("/")
        out.append(RepoRef(owner, name, ref))
    if problems:
        raise ConfigError("; ".join(problems))
    return out
