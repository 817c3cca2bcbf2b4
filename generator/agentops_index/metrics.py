"""Recorded runs of bundles: what the learning loop (``bundles/learning.py``) and the bundles'
success rates (``bundles/fill.py``) read.

**Metrics** are JSON lines, one run or one timing a line, in a ``metrics/`` folder of the
user's project (``agentops-index metrics record`` appends them), or contributed to this
repository under ``data/metrics/`` (read by ``build`` into each bundle's ``success_rate``
and ``usage_count``):

- ``success_rates.log``: ``{"at": "2026-11-27T10:00:00Z", "bundle": "build-test-deploy", "outcome": "success", "plugins": ["ci-doctor@o/r", ...]}``
- ``durations.log``: ``{"at": "...", "bundle": "build-test-deploy", "stage": "test", "seconds": 42.5}``

A line that does not parse is reported (file, line, field) and skipped; the others count.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentops_index.errors import InputError

RUNS_LOG = "success_rates.log"
DURATIONS_LOG = "durations.log"
_BUNDLE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_PLUGIN_ID = re.compile(r"^[A-Za-z0-9._#-]{1,128}@[A-Za-z0-9._/-]{1,200}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@dataclass(frozen=True, slots=True)
class Run:
    at: str
    bundle: str
    success: bool
    plugins: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Timing:
    at: str
    bundle: str
    stage: str | None
    seconds: float


@dataclass(slots=True)
class Metrics:
    runs: list[Run] = field(default_factory=list)
    timings: list[Timing] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per bundle: usage_count, successes, success_rate and the median duration in seconds."""
        out: dict[str, dict[str, Any]] = {}
        for run in self.runs:
            entry = out.setdefault(run.bundle, {"usage_count": 0, "successes": 0})
            entry["usage_count"] += 1
            entry["successes"] += int(run.success)
        for bundle, entry in out.items():
            entry["success_rate"] = round(entry["successes"] / entry["usage_count"], 4)
            seconds = [t.seconds for t in self.timings if t.bundle == bundle and t.stage is None]
            entry["median_seconds"] = statistics.median(seconds) if seconds else None
        return dict(sorted(out.items()))


def _check(record: Any, where: str) -> tuple[dict[str, Any] | None, str | None]:
    if not isinstance(record, dict):
        return None, f"{where}: not a JSON object"
    at, bundle = record.get("at"), record.get("bundle")
    if not isinstance(at, str) or not _TIME.match(at):
        return None, f"{where}: at: expected a UTC time like 2026-11-27T10:00:00Z"
    if not isinstance(bundle, str) or not _BUNDLE_ID.match(bundle):
        return None, f"{where}: bundle: expected a bundle id (lowercase letters, digits, hyphens)"
    return record, None


def _lines(path: Path) -> Iterable[tuple[str, Any]]:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        yield f"{path}", InputError(f"{path}: cannot read ({exc})")
        return
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield f"{path}:{number}", json.loads(line)
        except ValueError:
            yield f"{path}:{number}", InputError(f"{path}:{number}: not JSON")


def _checked(path: Path, problems: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The lines of one log that parse and name a time and a bundle; the others become problems."""
    if not path.is_file():
        return
    for where, value in _lines(path):
        if isinstance(value, InputError):
            problems.append(str(value))
            continue
        record, problem = _check(value, where)
        if record is None:
            problems.append(problem or where)
            continue
        yield where, record


def read_metrics(folders: Iterable[Path]) -> Metrics:
    """Every run and timing in the folders' logs; bad lines become problems, never crashes."""
    metrics = Metrics()
    for folder in folders:
        for where, record in _checked(folder / RUNS_LOG, metrics.problems):
            outcome, plugins = record.get("outcome"), record.get("plugins", [])
            if outcome not in ("success", "failure"):
                metrics.problems.append(f"{where}: outcome: expected success or failure")
            elif not isinstance(plugins, list) or not all(isinstance(p, str) and _PLUGIN_ID.match(p) for p in plugins):
                metrics.problems.append(f"{where}: plugins: expected a list of plugin ids (name@owner/repo)")
            else:
                metrics.runs.append(Run(record["at"], record["bundle"], outcome == "success", tuple(plugins)))
        for where, record in _checked(folder / DURATIONS_LOG, metrics.problems):
            seconds, stage = record.get("seconds"), record.get("stage")
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
                metrics.problems.append(f"{where}: seconds: expected a number of seconds, 0 or more")
            elif stage is not None and (not isinstance(stage, str) or not _BUNDLE_ID.match(stage)):
                metrics.problems.append(f"{where}: stage: expected a stage id")
            else:
                metrics.timings.append(Timing(record["at"], record["bundle"], stage, float(seconds)))
    return metrics


def record_run(
    folder: Path,
    bundle: str,
    outcome: str,
    at: str,
    plugins: list[str] | None = None,
    seconds: float | None = None,
    stage: str | None = None,
) -> list[Path]:
    """Append one outcome (and its duration) to the logs in ``folder``; return the files written."""
    run = {"at": at, "bundle": bundle, "outcome": outcome, "plugins": plugins or []}
    _, problem = _check(run, "metrics record")
    if problem:
        raise InputError(problem)
    if stage is not None and not _BUNDLE_ID.match(stage):
        raise InputError(f"metrics record: --stage {stage!r}: expected a stage id")
    if any(not _PLUGIN_ID.match(p) for p in plugins or []):
        raise InputError("metrics record: --plugin: expected plugin ids like name@owner/repo")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if stage is None:  # a stage's timing is not an outcome of the whole bundle
        with (folder / RUNS_LOG).open("a", encoding="utf-8") as log:
            log.write(json.dumps(run, sort_keys=True) + "\n")
        written.append(folder / RUNS_LOG)
    if seconds is not None:
        if not math.isfinite(seconds) or seconds < 0:
            raise InputError("metrics record: --seconds: expected a number of seconds, 0 or more")
        timing = {"at": at, "bundle": bundle, "stage": stage, "seconds": seconds}
        with (folder / DURATIONS_LOG).open("a", encoding="utf-8") as log:
            log.write(json.dumps(timing, sort_keys=True) + "\n")
        written.append(folder / DURATIONS_LOG)
    return written
