"""The learning loop: the patterns recorded runs promote (the runs themselves: ``metrics.py``).

**Patterns** (``patterns/<state>/<bundle id>.json`` under plugins/agentops-meta-orchestrator/, format in its patterns/README.md) move
from ``discovered`` (a bundle the index computed) to ``validated`` (the real Claude Code CLI
accepted its marketplace.json) to ``learned`` (recorded runs succeed often enough), and back
down when they stop doing so. ``patterns/meta/summary.json`` sums them up.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentops_index.bundles.fill import Bundle
from agentops_index.bundles.patterns import PATTERN_FORMAT, STATES, Pattern, meta_summary
from agentops_index.metrics import Metrics
from agentops_index.snapshot.store import write_atomic

MIN_RUNS = 3  # recorded runs before a validated pattern can be learned
MIN_SUCCESS = 0.8  # the share of them that must succeed

# --- patterns ---------------------------------------------------------------------------------


def pattern_of(bundle: Bundle, state: str, manifest_url: str) -> Pattern:
    return {
        "format": PATTERN_FORMAT,
        "id": bundle.id,
        "state": state,
        "title": bundle.title,
        "workflow": bundle.workflow,
        "plugins": [{"id": p.id, "marketplace": p.marketplace, "stage": p.stage} for p in bundle.plugins],
        "marketplace_url": manifest_url,
        "evidence": {"validated_with": None, "runs": 0, "successes": 0, "success_rate": None},
        "history": [],
    }


def save_patterns(root: Path, patterns: dict[str, Pattern]) -> None:
    """Write each pattern into its state's folder and remove it from the others; then the meta summary."""
    for state in STATES:
        (root / state).mkdir(parents=True, exist_ok=True)
        for path in (root / state).glob("*.json"):
            kept = patterns.get(path.stem)
            if kept is None or kept["state"] != state:
                path.unlink()
    for pattern in patterns.values():
        write_atomic(root / pattern["state"] / f"{pattern['id']}.json", _dump(pattern))
    (root / "meta").mkdir(parents=True, exist_ok=True)
    write_atomic(root / "meta" / "summary.json", _dump(meta_summary(patterns)))


def _dump(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def sync(patterns: dict[str, Pattern], bundles: list[Bundle], base_url: str, at: str) -> list[str]:
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


def move(pattern: Pattern, state: str, at: str, why: str) -> str:
    change = f"{pattern['id']}: {pattern['state']} -> {state} ({why})"
    pattern["history"].append({"at": at, "from": pattern["state"], "to": state, "why": why})
    pattern["state"] = state
    return change


def promote(
    patterns: dict[str, Pattern], metrics: Metrics, at: str, min_runs: int = MIN_RUNS, min_success: float = MIN_SUCCESS
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


def validate_with_cli(patterns: dict[str, Pattern], manifests: dict[str, dict[str, Any]], claude: Path, at: str) -> list[str]:
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
