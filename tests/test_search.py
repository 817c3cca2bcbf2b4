"""Rank, the Whoosh index, search, discover, workflow templates and related plugins."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from agentops_index import rank
from agentops_index.cli import cli
from agentops_index.config import Ranking, load_ranking, load_search
from agentops_index.discover import discover
from agentops_index.errors import ConfigError
from agentops_index.search.index import ensure, index_path, open_index
from agentops_index.search.query import Searcher
from agentops_index.search.session import fetch
from agentops_index.snapshot import store
from agentops_index.snapshot.models import RepoMetrics, Snapshot
from agentops_index.workflows import load_template, load_templates

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "data" / "snapshots" / "latest.json"


@pytest.fixture
def snapshot_copy(tmp_path: Path) -> Path:
    path = tmp_path / "latest.json"
    path.write_bytes(COMMITTED.read_bytes())
    return path


def searcher_for(path: Path) -> Searcher:
    snapshot = store.load(path)
    search = load_search(REPO / "data" / "search.toml")
    ensure(snapshot, index_path(path), search)
    return Searcher(snapshot, open_index(index_path(path)), search, load_ranking(REPO / "data" / "ranking.toml"))


def metrics(**fields: Any) -> RepoMetrics:
    base = {
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


def test_score_parts_penalties_and_explanation() -> None:
    snapshot = store.load(COMMITTED)
    plugin = next(p for p in snapshot.plugins if p.valid)
    ranking = load_ranking(REPO / "data" / "ranking.toml")
    popular = plugin.model_copy(update={"metrics": metrics(stars=5000, forks=600, watchers=400, pushed_at=snapshot.generated_at)})
    record = rank.score(popular, None, snapshot.generated_at, ranking)
    assert record.parts.stars == 1.0 and record.parts.recency == 1.0 and record.parts.adoption == pytest.approx(1.0, abs=1e-3)
    assert record.static == pytest.approx(1.0, abs=1e-3) and record.penalties == []
    old = popular.model_copy(
        update={"metrics": metrics(stars=10, pushed_at="2026-07-30T00:00:00Z", archived=True), "valid": False}
    )
    record = rank.score(old, None, snapshot.generated_at, ranking)
    assert record.parts.recency == pytest.approx(0.5, abs=0.01)  # 120 days = one half-life
    assert [p.name for p in record.penalties] == ["validation_errors", "archived"]
    assert record.static == pytest.approx((0.2 * record.parts.stars + 0.2 * 0.5 + 0) / 0.6 * 0.5 * 0.6, abs=1e-3)
    assert "x0.5 validation errors; x0.6 archived" in record.explanation
    assert rank.combined(1.0, record, ranking) == pytest.approx(
        (0.4 + 0.2 * record.parts.stars + 0.2 * record.parts.recency) * 0.3, abs=1e-3
    )


def test_every_plugin_stores_its_score_and_related() -> None:
    snapshot = store.load(COMMITTED)
    for plugin in snapshot.plugins:
        assert plugin.score is not None and 0 <= plugin.score.static <= 1 and plugin.score.explanation
        assert plugin.id not in plugin.related and len(plugin.related) == len(set(plugin.related))
        names = {p.untrusted.name.text.lower() for p in snapshot.plugins if p.id in plugin.related}
        assert plugin.untrusted.name.text.lower() not in names
    invalid = next(p for p in snapshot.plugins if not p.valid)
    assert invalid.score is not None and invalid.score.penalties[0].name == "validation_errors"


def test_ranking_config_is_checked_whole(tmp_path: Path) -> None:
    bad = tmp_path / "ranking.toml"
    bad.write_text("[weights]\nrelevance = 0.9\nstars = 0.2\nbogus = 1\n[penalties]\narchived = 2\n")
    with pytest.raises(ConfigError) as caught:
        load_ranking(bad)
    assert (
        "[weights].bogus: unknown key" in str(caught.value)
        and "must sum to 1" in str(caught.value)
        and "at most 1" in str(caught.value)
    )
    assert load_ranking(REPO / "data" / "ranking.toml") == Ranking()


def test_index_is_reused_updated_incrementally_and_swapped(snapshot_copy: Path) -> None:
    snapshot = store.load(snapshot_copy)
    search = load_search(REPO / "data" / "search.toml")
    path = index_path(snapshot_copy)
    first = ensure(snapshot, path, search)
    assert first.rebuilt and first.added == len(snapshot.plugins)
    again = ensure(snapshot, path, search)
    assert (again.rebuilt, again.added, again.updated, again.deleted) == (False, 0, 0, 0)
    changed = snapshot.plugins[0].model_copy(update={"content_hash": "sha256:changed"})
    smaller = snapshot.model_copy(update={"plugins": [changed, *snapshot.plugins[1:-1]]})
    update = ensure(smaller, path, search)
    assert (update.rebuilt, update.added, update.updated, update.deleted) == (False, 0, 1, 1)
    assert sorted(p.name for p in snapshot_copy.parent.iterdir()) == ["latest.json", "latest.whoosh"]


def test_search_finds_by_name_synonym_and_facet(snapshot_copy: Path) -> None:
    with searcher_for(snapshot_copy) as s:
        assert s.query("commit-coach").results[0].id == "commit-coach@acme-devtools/claude-plugins"
        assert s.query("k8s").results[0].id == "k8s-helper@tailspin-ops/devops-marketplace"
        assert s.query("kubernetes").results[0].id == "k8s-helper@tailspin-ops/devops-marketplace"
        mcp = s.query("", component="mcp", limit=50)
        assert mcp.total == 8 and all(s.plugins[h.id].counts.mcp_servers for h in mcp.results)
        security = s.query("scan", category="security")
        assert security.results and all(s.plugins[h.id].category == "security" for h in security.results)
        market = s.query("", marketplace="Fabrikam-Sec/Secure-Claude", limit=50)
        assert market.total == 7
        ranked = [h.score for h in s.query("review").results]
        assert ranked == sorted(ranked, reverse=True)


def test_misspelled_query_is_corrected_and_says_so(snapshot_copy: Path) -> None:
    with searcher_for(snapshot_copy) as s:
        answer = s.query("kubernetis helpr")
        assert answer.did_you_mean is not None and "helper" in answer.did_you_mean
        assert answer.results[0].id == "k8s-helper@tailspin-ops/devops-marketplace"
        assert s.query("changelog").did_you_mean is None


def test_search_command_json(snapshot_copy: Path) -> None:
    result = CliRunner().invoke(cli, ["search", "secrets", "--snapshot", str(snapshot_copy), "--json", "--limit", "2"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert set(answer) == {"query", "did_you_mean", "total", "results"} and answer["query"] == "secrets"
    top = answer["results"][0]
    assert top["id"] == "secret-scanner@fabrikam-sec/secure-claude"
    assert set(top) >= {"id", "name", "description", "marketplace", "score", "parts"}
    assert set(top["parts"]) == {"relevance", "stars", "recency", "adoption"}
    human = CliRunner().invoke(cli, ["search", "secrets", "--snapshot", str(snapshot_copy)])
    assert "secret-scanner" in human.output and human.output.rstrip().splitlines()[-1].endswith(("match", "matches"))


def test_discover_fills_a_workflow(snapshot_copy: Path) -> None:
    with searcher_for(snapshot_copy) as s:
        plan = discover("I want to deploy my app to kubernetes after the tests pass", s)
        assert plan["keywords"][:2] == ["deploy", "app"] and "deployment" in plan["categories"]
        assert len(plan["primary"]) == 3 and all(p["reason"] for p in plan["primary"])
        assert plan["workflow"]["id"] in ("build-test-deploy", "release-if-green")
        picks = [st["pick"]["id"] for st in plan["workflow"]["stages"] if st["pick"]]
        assert len(picks) == len(set(picks))
        assert {c["id"] for c in plan["complementary"]} <= set(picks)
        audit = discover("run a security audit and check code quality", s)
        assert audit["workflow"]["pattern"] == "parallel" and audit["workflow"]["aggregate"]["role"]
        broken = discover("the tests are failing, fix the bug before we release", s)
        assert broken["workflow"]["pattern"] == "conditional" and broken["workflow"]["condition"]["else"] == ["debug", "fix"]
        assert all("${" in st["passes"] for st in plan["workflow"]["stages"] if st["passes"])


def test_discover_command_json(snapshot_copy: Path) -> None:
    result = CliRunner().invoke(
        cli, ["discover", "document my API and draw diagrams", "--snapshot", str(snapshot_copy), "--json"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert set(plan) >= {"primary", "complementary", "workflow"} and plan["workflow"]["id"] == "docs-refresh"


def test_shipped_templates_load_and_cover_every_pattern() -> None:
    templates = load_templates(REPO / "data" / "workflows")
    assert len(templates) >= 8
    assert {t.pattern for t in templates} == {"sequential", "parallel", "conditional"}


def test_template_problems_are_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        'id = "Bad Id"\ntitle = "t"\ndescription = "d"\npattern = "conditional"\n[[stages]]\nid = "a"\nrole = "r"\nquery = "q"\ncomponent = "tentacles"\n[condition]\nif = "a"\nwhen = "maybe"\nthen = ["nope"]\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_template(path)
    message = str(caught.value)
    for part in ("id must be lowercase", "component: one of", "stage 'nope', which is not defined", "condition.when"):
        assert part in message


def test_snapshot_url_is_cached_with_its_etag(tmp_path: Path) -> None:
    body = COMMITTED.read_bytes()
    seen: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("If-None-Match"))
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api/v1/snapshot.json"
    try:
        first = fetch(url, tmp_path)
        second = fetch(url, tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert first == second and first.read_bytes() == body and seen == [None, '"v1"']
    assert isinstance(store.load(first), Snapshot)


def test_whoosh_imports_without_warnings() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", "import whoosh.index, whoosh.qparser, whoosh.spelling, whoosh.analysis"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
