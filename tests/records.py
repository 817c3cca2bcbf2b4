"""Snapshot records for tests that need one made up."""

from __future__ import annotations

from typing import Any

from agentops_index.snapshot.models import RepoMetrics


def metrics(**fields: Any) -> RepoMetrics:
    """GitHub metrics of a made-up repository: zeros and nothing, except ``fields``."""
    base: dict[str, Any] = {
        "stars": 0,
        "forks": 0,
        "watchers": 0,
        "open_issues": 0,
        "created_at": None,
        "pushed_at": None,
        "archived": False,
        "fork_of": None,
        "license": None,
        "topics": [],
        "head_oid": None,
    }
    return RepoMetrics(**{**base, **fields})
