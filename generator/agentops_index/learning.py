"""The learning loop: recorded runs of bundles, and the patterns they promote.

**Metrics** are JSON lines, one run or one timing a line, in a ``metrics/`` folder of the
user's project (``agentops-index metrics record`` appends them), or contributed to this
repository under ``data/metrics/`` (read by ``build`` into each bundle's ``success_rate``
and ``usage_count``):

- ``success_rates.log``: ``{"at": "2026-11-27T10:00:00Z", "bundle": "build-test-deploy", "outcome": "success", "plugins": ["ci-doctor@o/r", ...]}``
- ``durations.log``: ``{"at": "...", "bundle": "build-test-deploy", "stage": "test", "seconds": 42.5}``

A line that does not parse is reported (file, line, field) and skipped; the others count.

**Patterns** (``patterns/<state>/<bundle id>.json`` under plugins/agentops-meta-orchestrator/, format in its patterns/README.md) move
from ``discovered`` (a bundle the index computed) to ``validated`` (the real Claude Code CLI
accepted its marketplace.json) to ``learned`` (recorded runs succeed often enough), and back
down when they stop doing so. ``patterns/meta/summary.json`` sums them up.
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

from agentops_index.bundles import Bundle
from agentops_index.errors import InputError
from agentops_index.patterns import PATTERN_FORMAT, STATES, meta_summary
from agentops_index.snapshot.store import write_atomic

RUNS_LOG = "success_rates.log"
DURATIONS_LOG = "durations.log"
MIN_RUNS = 3
MIN_SUCCESS = 0.8
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


# --- patterns ---------------------------------------------------------------------------------


def pattern_of(bundle: Bundle, state: str, manifest_url: str) -> dict[str, Any]:
    return {
        "format": PATTERN_FORMAT,
        "id": bundle.id,
        "state": state,
        "title": bundle.title,
        "workflow": bundle.workflow,
        "plugins": [p.model_dump() for p in bundle.plugins],
        "marketplace_url": manifest_url,
        "evidence": {"validated_with": None, "runs": 0, "successes": 0, "success_rate": None},
        "history": [],
    }


def save_patterns(root: Path, patterns: dict[str, dict[str, Any]]) -> None:
    """Write each pattern into its state's folder and remove it from the others; then the meta summary."""
    for state in STATES:
        (root / state).mkdir(parents=True, exist_ok=True)
        for path in (root / state).glob("*.json"):
            if patterns.get(path.stem, {}).get("state") != state:
                path.unlink()
    for pattern in patterns.values():
        write_atomic(root / pattern["state"] / f"{pattern['id']}.json", _dump(pattern))
    (root / "meta").mkdir(parents=True, exist_ok=True)
    write_atomic(root / "meta" / "summary.json", _dump(meta_summary(patterns)))


def _dump(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def sync(patterns: dict[str, dict[str, Any]], bundles: list[Bundle], base_url: str, at: str) -> list[str]:
    """Add every complete bundle as a discovered pattern; a pattern whose picks changed starts over."""
    changes = []
    for bundle in bundles:
        if not bundle.complete:
            continue
        url = f"{base_url}bundles/{bundle.id}/marketplace.json"
        fresh = pattern_of(bundle, "discovered", url)
        old = patterns.get(bundle.id)
        if old is None:
            patterns[bundle.id] = fresh
            changes.append(f"{bundle.id}: discovered")
        elif old["plugins"] != fresh["plugins"]:
            fresh["history"] = [*old["history"], {"at": at, "from": old["state"], "to": "discovered", "why": "its picks changed"}]
            patterns[bundle.id] = fresh
            changes.append(f"{bundle.id}: {old['state']} -> discovered (its picks changed)")
    return changes


def move(pattern: dict[str, Any], state: str, at: str, why: str) -> str:
    change = f"{pattern['id']}: {pattern['state']} -> {state} ({why})"
    pattern["history"].append({"at": at, "from": pattern["state"], "to": state, "why": why})
    pattern["state"] = state
    return change


def promote(
    patterns: dict[str, dict[str, Any]], metrics: Metrics, at: str, min_runs: int = MIN_RUNS, min_success: float = MIN_SUCCESS
) -> list[str]:
    """validated -> learned when enough recorded runs of exactly its picks succeed; learned -> validated when they stop."""
    changes = []
    for pattern in patterns.values():
        picks = tuple(sorted(p["id"] for p in pattern["plugins"]))
        runs = [r for r in metrics.runs if r.bundle == pattern["id"] and (not r.plugins or tuple(sorted(r.plugins)) == picks)]
        successes = sum(r.success for r in runs)
        rate = round(successes / len(runs), 4) if runs else None
        pattern["evidence"].update({"runs": len(runs), "successes": successes, "success_rate": rate})
        good = rate is not None and len(runs) >= min_runs and rate >= min_success
        if pattern["state"] == "validated" and good:
            changes.append(move(pattern, "learned", at, f"{successes} of {len(runs)} recorded runs succeeded"))
        elif pattern["state"] == "learned" and not good:
            changes.append(move(pattern, "validated", at, f"only {successes} of {len(runs)} recorded runs succeeded"))
    return changes


def validate_with_cli(
    patterns: dict[str, dict[str, Any]], manifests: dict[str, dict[str, Any]], claude: Path, at: str
) -> list[str]:
    """discovered -> validated when the real `claude plugin validate` accepts the bundle's marketplace.json.

    The CLI runs with a throwaway HOME, offline; a pattern whose bundle is gone stays put.
    """
    import os
    import subprocess
    import tempfile

    changes = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "NO_COLOR": "1"}
        version = subprocess.run([str(claude), "--version"], capture_output=True, text=True, env=env, timeout=60, check=False)
        label = f"claude {version.stdout.split()[0]}" if version.stdout.strip() else "claude"
        for pid, pattern in sorted(patterns.items()):
            if pattern["state"] != "discovered" or pid not in manifests:
                continue
            folder = Path(tmp) / pid / ".claude-plugin"
            folder.mkdir(parents=True)
            (folder / "marketplace.json").write_text(json.dumps(manifests[pid], indent=2))
            done = subprocess.run(
                [str(claude), "plugin", "validate", "--json", str(folder.parent)],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
                check=False,
            )
            try:
                report = json.loads(done.stdout)
            except ValueError:
                changes.append(f"{pid}: stays discovered (the CLI printed no JSON: {done.stderr.strip()[:200]})")
                continue
            errors = report.get("manifest", {}).get("errors") or []
            if done.returncode == 0 and report.get("success") and not errors:
                pattern["evidence"]["validated_with"] = label
                changes.append(move(pattern, "validated", at, f"{label} plugin validate accepts its marketplace.json"))
            else:
                changes.append(f"{pid}: stays discovered ({len(errors)} validator error(s))")
    return changes
