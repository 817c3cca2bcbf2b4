"""Local folders as a source: every marketplace under the folders given to ``crawl --from-dir``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from agentops_index.snapshot import models as m
from agentops_index.snapshot.categories import Taxonomy
from agentops_index.sources import clients
from agentops_index.sources.agentplugin import read_agent_plugin, read_cursor_single
from agentops_index.sources.local import LocalSource, discover
from agentops_index.sources.read import Gathered, SourceOutcome, read_local
from agentops_index.sources.standalone import read_other_and_skills, read_skills

# Wraps the list of sources for display (click.progressbar); a context manager yielding them.
Progress = Callable[[list[LocalSource]], AbstractContextManager[Iterable[LocalSource]]]


@dataclass(slots=True)
class LocalFolders:
    """Every marketplace root under ``directories`` (no network)."""

    directories: list[Path]
    progress: Progress | None = None

    def gather(self, taxonomy: Taxonomy, now: str, previous: m.Snapshot | None) -> Gathered:
        sources, unusable = discover(self.directories)
        outcomes = []
        for u in unusable:
            # A checkout with no Claude catalog: Codex's or Cursor's gives its records (sources/other.py).
            # ...else a root Agent Plugins plugin is a marketplace of it (sources/agentplugin.py), else a
            # repository of Agent Skills is a marketplace of them (sources/standalone.py).
            other = None
            for reader in (read_other_and_skills, read_agent_plugin, read_cursor_single, read_skills):
                other = other or (reader(u.root, u.id, u.origin, taxonomy, now) if u.root is not None else None)
            outcomes.append(
                SourceOutcome(*other)
                if other
                else SourceOutcome(
                    m.SourceStatus(
                        id=u.id,
                        kind=u.origin,
                        state="invalid",
                        last_error=u.reason,
                        consecutive_failures=1,
                        clients=clients.unrecorded(u.root, u.id, u.origin) if u.root is not None else {},
                    )
                )
            )
        with (self.progress or nullcontext)(sources) as shown:
            for source in shown:
                outcomes.append(read_local(source, taxonomy, now))
        return Gathered(outcomes)
