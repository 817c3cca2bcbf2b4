"""The learning loop: metrics logs, pattern states, contributed metrics in bundles, auto-learn-commit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentops_index.assistant.assist import success_probability
from agentops_index.assistant.prime import project_topics
from agentops_index.build import build
from agentops_index.bundles.fill import make_bundles
from agentops_index.bundles.learning import promote, save_patterns, sync
from agentops_index.bundles.patterns import load_patterns
from agentops_index.cli import cli
from agentops_index.config import DEFAULT_BASE_URL
from agentops_index.errors import InputError
from agentops_index.metrics import Metrics, Run, read_metrics, record_run
from agentops_index.search.session import open_searcher

REPO = Path(__file__).resolve().parents[1]
PATTERNS = Path("plugins/agentops-meta-orchestrator/patterns")  # where the patterns live in the repository
COMMITTED = REPO / "data" / "snapshots" / "latest.json"
AT = "2026-11-27T10:00:00Z"


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> list:  # type: ignore[type-arg]
    path = tmp_path_factory.mktemp("snap") / "latest.json"
    path.write_bytes(COMMITTED.read_bytes())
    with open_searcher(str(path)) as searcher:
        return [b for b, _ in make_bundles(searcher, DEFAULT_BASE_URL)]


def test_recorded_runs_are_read_back_and_bad_lines_named(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    record_run(folder, "build-test-deploy", "success", AT, ["ci-doctor@tailspin-ops/devops-marketplace"], 30.0)
    record_run(folder, "build-test-deploy", "failure", AT, seconds=50.0)
    record_run(folder, "build-test-deploy", "success", AT, seconds=12.5, stage="test")
    with (folder / "success_rates.log").open("a") as log:
        log.write("not json\n")
        log.write(json.dumps({"at": AT, "bundle": "Bad Id", "outcome": "success"}) + "\n")
        log.write(json.dumps({"at": AT, "bundle": "x", "outcome": "maybe"}) + "\n")
        log.write(json.dumps({"at": "yesterday", "bundle": "x", "outcome": "success"}) + "\n")
    with (folder / "durations.log").open("a") as log:
        log.write(json.dumps({"at": AT, "bundle": "x", "stage": None, "seconds": -1}) + "\n")
    metrics = read_metrics([folder, tmp_path / "absent"])
    log = folder / "success_rates.log"
    assert metrics.problems == [
        f"{log}:3: not JSON",
        f"{log}:4: bundle: expected a bundle id (lowercase letters, digits, hyphens)",
        f"{log}:5: outcome: expected success or failure",
        f"{log}:6: at: expected a UTC time like 2026-11-27T10:00:00Z",
        f"{folder / 'durations.log'}:4: seconds: expected a number of seconds, 0 or more",
    ]
    assert metrics.summary() == {
        "build-test-deploy": {"usage_count": 2, "successes": 1, "success_rate": 0.5, "median_seconds": 40.0}
    }
    with pytest.raises(InputError, match="bundle"):
        record_run(folder, "Nope!", "success", AT)


def test_patterns_move_up_and_down_with_evidence(tmp_path: Path, bundles: list) -> None:  # type: ignore[type-arg]
    patterns: dict = {}  # type: ignore[type-arg]
    added = sync(patterns, bundles, "https://example.test/", AT)
    assert added == [f"{b.id}: discovered" for b in bundles if b.complete]
    deploy = patterns["build-test-deploy"]
    deploy["state"] = "validated"
    picks = tuple(p["id"] for p in deploy["plugins"])
    runs = [Run(AT, "build-test-deploy", ok, picks) for ok in (True, True, True, False)]
    assert promote(patterns, Metrics(runs=runs[:2]), AT) == []  # too few runs
    assert promote(patterns, Metrics(runs=runs), AT) == []  # 3 of 4 is under 80%
    assert promote(patterns, Metrics(runs=[*runs, *runs[:3]]), AT) == [
        "build-test-deploy: validated -> learned (6 of 7 recorded runs succeeded)"
    ]
    assert deploy["evidence"] == {"validated_with": None, "runs": 7, "successes": 6, "success_rate": 0.8571}
    other_picks = [Run(AT, "build-test-deploy", False, ("x@o/r",))] * 5  # runs of other picks do not count
    assert promote(patterns, Metrics(runs=[*runs, *runs[:3], *other_picks]), AT) == []
    assert promote(patterns, Metrics(runs=runs[3:]), AT) == [
        "build-test-deploy: learned -> validated (only 0 of 1 recorded runs succeeded)"
    ]
    save_patterns(tmp_path, patterns)
    assert load_patterns(tmp_path) == patterns
    summary = json.loads((tmp_path / "meta" / "summary.json").read_text())
    assert summary["states"]["validated"] == ["build-test-deploy"]
    # New picks start over.
    changed = bundles[0].model_copy(update={"plugins": bundles[0].plugins[:1]})
    assert changed.id == "build-test-deploy"
    assert sync(patterns, [changed], "https://example.test/", AT) == [
        "build-test-deploy: validated -> discovered (its picks changed)"
    ]
    assert patterns["build-test-deploy"]["evidence"]["runs"] == 0 and len(patterns["build-test-deploy"]["history"]) == 3
    (tmp_path / "learned" / "build-test-deploy.json").write_text(json.dumps(patterns["build-test-deploy"]))
    with pytest.raises(InputError, match="must match its folder"):
        load_patterns(tmp_path)


def test_contributed_metrics_reach_bundles_and_plans(tmp_path: Path, bundles: list, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    deploy = next(b for b in bundles if b.id == "build-test-deploy")
    assert success_probability(deploy, Metrics())["value"] is None
    picks = tuple(p.id for p in deploy.plugins)
    found = success_probability(deploy, Metrics(runs=[Run(AT, deploy.id, True, picks)] * 3 + [Run(AT, deploy.id, False, picks)]))
    assert found == {"value": 0.6667, "runs": 4, "basis": "3 of 4 recorded runs succeeded (Laplace-smoothed: (s+1)/(n+2))"}
    # build reads data/metrics/ (from the working folder) into success_rate and usage_count.
    work = tmp_path / "work"
    (work / "data" / "metrics").mkdir(parents=True)
    shutil.copytree(REPO / "data" / "workflows", work / "data" / "workflows")
    for outcome in ("success", "success", "failure"):
        record_run(work / "data" / "metrics", "build-test-deploy", outcome, AT, list(picks))
    with (work / "data" / "metrics" / "success_rates.log").open("a") as log:
        log.write("{broken\n")
    snapshot = work / "latest.json"
    snapshot.write_bytes(COMMITTED.read_bytes())
    monkeypatch.chdir(work)
    result = build(snapshot, work / "site", search=False)
    assert result.warnings == [f"{Path('data/metrics/success_rates.log')}:4: not JSON"]
    api = json.loads((work / "site" / "api" / "v1" / "bundles.json").read_text())
    listed = next(b for b in api["bundles"] if b["id"] == "build-test-deploy")
    assert (listed["success_rate"], listed["usage_count"]) == (0.6667, 3)
    assert "67% over 3 recorded runs" in (work / "site" / "bundles" / "build-test-deploy" / "index.html").read_text()


def test_metrics_record_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    done = runner.invoke(cli, ["metrics", "record", "--bundle", "frontend-feature", "--outcome", "failure", "--seconds", "9"])
    assert done.exit_code == 0, done.output
    summary = runner.invoke(cli, ["metrics", "summary", "--metrics", "metrics", "--json"])
    assert json.loads(summary.output)["frontend-feature"]["success_rate"] == 0.0
    bad = runner.invoke(cli, ["metrics", "record", "--bundle", "frontend-feature", "--stage", "x"])
    assert bad.exit_code != 0 and "--stage needs --seconds" in str(bad.exception)


def test_project_topics_come_from_files(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push")
    (tmp_path / "node_modules" / "react").mkdir(parents=True)
    (tmp_path / "node_modules" / "react" / "package.json").write_text("{}")  # never read
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"react": "19"}, "devDependencies": {"jest": "29"}}))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["fastapi>=0.1", "pytest"]\n')
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text("")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "package.json").write_text("{not json")
    topics = project_topics(tmp_path)
    assert topics == {
        "fastapi api python": ["pyproject.toml (fastapi)"],
        "github actions ci pipeline": [".github/workflows/ci.yml"],
        "javascript node": ["package.json", "broken/package.json"],
        "python": ["pyproject.toml"],
        "react frontend": ["package.json (react)"],
        "terraform infrastructure": ["infra/main.tf"],
        "testing jest": ["package.json (jest)"],
        "testing pytest": ["pyproject.toml (pytest)"],
    }


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_auto_learn_commit_dry_run_apply_and_rollback(tmp_path: Path, bundles: list) -> None:  # type: ignore[type-arg]
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "auto-learn-commit", repo / "scripts")
    patterns: dict = {}  # type: ignore[type-arg]
    sync(patterns, bundles, "https://example.test/", AT)
    patterns["frontend-feature"]["state"] = "validated"
    save_patterns(repo / PATTERNS, patterns)
    picks = [p["id"] for p in patterns["frontend-feature"]["plugins"]]
    for _ in range(3):
        record_run(repo / "metrics", "frontend-feature", "success", AT, picks)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "start")
    env = {
        **os.environ,
        "AGENTOPS_INDEX": str(Path(sys.executable).with_name("agentops-index")),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
    }
    script = str(repo / "scripts" / "auto-learn-commit")
    dry = subprocess.run([script], cwd=repo, env=env, capture_output=True, text=True, check=True)
    assert "would move frontend-feature: validated -> learned (3 of 3 recorded runs succeeded)" in dry.stdout
    assert git(repo, "status", "--porcelain", "--", str(PATTERNS)) == ""  # the dry run wrote nothing
    applied = subprocess.run([script, "--apply"], cwd=repo, env=env, capture_output=True, text=True, check=True)
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").startswith("auto-learn/")
    assert (repo / PATTERNS / "learned" / "frontend-feature.json").is_file()
    commit = git(repo, "rev-parse", "HEAD")
    assert f"--rollback {commit}" in applied.stdout
    subprocess.run([script, "--rollback", commit], cwd=repo, env=env, capture_output=True, text=True, check=True)
    assert (repo / PATTERNS / "validated" / "frontend-feature.json").is_file()
    assert not (repo / PATTERNS / "learned" / "frontend-feature.json").exists()
    refused = subprocess.run([script, "--rollback", "HEAD~2"], cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert refused.returncode == 1 and f"changes more than {PATTERNS}/" in refused.stderr


def test_patterns_show_refuses_a_folder_that_is_not_there(tmp_path: Path) -> None:
    """/show-patterns passes --dir "${CLAUDE_PLUGIN_ROOT}/patterns": left unexpanded, it must say
    so rather than show an empty list as if there were no patterns."""
    result = CliRunner().invoke(cli, ["patterns", "show", "--json", "--dir", str(tmp_path / "nowhere")])
    assert isinstance(result.exception, InputError) and "no such folder of patterns" in str(result.exception)
