"""`agentops-index crawl` through GitHub's APIs, against the fake GitHub on loopback."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from click.testing import CliRunner
from graphql import parse, validate

from agentops_index.cli import cli
from agentops_index.crawl import crawl_github, crawl_local
from agentops_index.enrich import CrawlResult
from agentops_index.errors import ConfigError
from agentops_index.snapshot import store
from agentops_index.snapshot.categories import load_taxonomy
from agentops_index.snapshot.models import SCHEMA_VERSION, ClientCount
from agentops_index.sources.catalog import load_sources
from agentops_index.sources.github import AuthError, RepoRef, blobs_query, graphql_url, repositories_query
from agentops_index.sources.http import HostNotAllowed, Usage, make_client, redact
from tests.conftest import require_github_schema
from tests.fakegithub import FakeGitHub, World
from tests.fakegithub.graphql_api import schema

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
TAXONOMY = load_taxonomy(REPO / "data" / "categories.toml")
CANARY = "ghp_CANARY0123456789abcdefghijklmnopqrstuv"
Start = Callable[..., FakeGitHub]


def refs_of(folder: Path) -> list[RepoRef]:
    return [RepoRef(*p.name.split("__", 1)) for p in sorted(folder.iterdir()) if p.is_dir() and "__" in p.name]


def crawl(fake: FakeGitHub, refs: list[RepoRef], previous: Any = None, token: str | None = None, **kwargs: Any) -> CrawlResult:
    return crawl_github(refs, TAXONOMY, fake.url, token, previous, **kwargs)


def comparable(result: CrawlResult) -> dict[str, Any]:
    """Plugin ids with their findings and components; fetch notes (source.*) differ by design."""
    out = {}
    for plugin in result.snapshot.plugins:
        findings = sorted((f.code, f.path, f.message, f.severity) for f in plugin.findings if not f.code.startswith("source."))
        signals = sorted((s.code, s.level, s.summary) for s in plugin.signals if s.code not in ("provenance", "duplicate_of"))
        out[plugin.id] = (findings, plugin.components.model_dump(), plugin.counts.model_dump(), plugin.valid, signals)
    return out


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


def test_sample_through_github_equals_from_dir(fake_github: Start) -> None:
    fake = fake_github(World.from_folder(SAMPLE))
    through = crawl(fake, refs_of(SAMPLE))
    local = crawl_local([SAMPLE], TAXONOMY)
    assert comparable(through) == comparable(local)
    assert through.report.accounting_holds
    market = through.snapshot.marketplaces[0]
    assert market.metrics is not None and market.metrics.head_oid == fake.world.get(market.id).head  # type: ignore[union-attr]
    remote = next(p for p in through.snapshot.plugins if p.untrusted.name.text == "deploy-preview")
    assert [f.code for f in remote.findings] == ["source.not_found"]  # acme-devtools/deploy-preview is not served
    external = next(p for p in through.snapshot.plugins if p.untrusted.name.text == "gitlab-mr-helper")
    assert [f.code for f in external.findings] == ["source.external_source_not_crawled"]


def test_corpus_through_github_equals_from_dir(fake_github: Start, corpus: Path) -> None:
    """The issue's acceptance test: same plugin ids and findings as `crawl --from-dir`."""
    fake = fake_github(World.from_folder(corpus))
    through = crawl(fake, refs_of(corpus))
    local = crawl_local([corpus], TAXONOMY)
    ours, theirs = comparable(through), comparable(local)
    assert sorted(ours) == sorted(theirs)
    # Entries whose source is another corpus repository were read from it (from-dir cannot).
    fetched = {p.id for p in through.snapshot.plugins if p.resolved.repo and p.resolved.state == "local"}
    assert "superpowers@obra/superpowers-marketplace" in fetched  # url source, default branch
    different = [pid for pid in ours if ours[pid] != theirs[pid] and pid not in fetched]
    assert different == []
    assert {u.source for u in through.report.unreadable} == {u.source for u in local.report.unreadable}
    usage = through.report.usage
    # The corpus is content-heavy (thousands of markdown files): two requests per marketplace at most.
    assert usage is not None and usage.requests <= 2 * len(refs_of(corpus))
    assert usage.refused_hosts == []
    assert 1 < fake.settings.max_in_flight <= 8


def test_other_clients_catalogs_through_github_equal_from_dir(fake_github: Start) -> None:
    """Codex's and Cursor's views of the formats corpus's Claude records come through the GitHub
    crawl as they do from --from-dir: the root catalogs are fetched with the plugin folders."""
    formats = REPO.parent / "shared" / "corpus-formats" / "marketplaces"
    if not formats.is_dir():
        pytest.skip(f"the formats corpus is not at {formats} (it lives in ../shared/corpus-formats)")
    fake = fake_github(World.from_folder(formats))
    through = crawl(fake, refs_of(formats))
    local = crawl_local([formats], TAXONOMY)

    def views(result: CrawlResult) -> dict[str, Any]:
        return {p.id: [v.model_dump() for v in p.clients] for p in result.snapshot.plugins if p.resolved.state == "local"}

    ours, theirs = views(through), views(local)
    shared = sorted(set(ours) & set(theirs))
    assert shared and sum(1 for pid in shared if theirs[pid]) > 50
    assert {pid: ours[pid] for pid in shared} == {pid: theirs[pid] for pid in shared}
    # Every repository gives the same records both ways: those with Claude's catalog (the folders
    # only another client's catalog names included: a second fetch round brings their files),
    # those with only Codex's or Cursor's, and repositories of standalone skills; and the same counts.
    fresh = {s.id.lower(): s for s in through.snapshot.sources if s.state == "fresh"}
    local_status = {s.id.lower(): s for s in local.snapshot.sources}
    assert set(fresh) == {k for k, s in local_status.items() if s.state == "fresh"}
    assert {k: s.clients for k, s in fresh.items()} == {k: local_status[k].clients for k in fresh}
    assert {k: (s.entries, s.recorded, s.skipped) for k, s in fresh.items()} == {
        k: (local_status[k].entries, local_status[k].recorded, local_status[k].skipped) for k in fresh
    }
    homes = {m.id.lower(): m.client for m in through.snapshot.marketplaces}
    assert {"claude", "codex", "cursor", "skill", "agent-plugins"} <= set(homes.values())
    assert homes == {m.id.lower(): m.client for m in local.snapshot.marketplaces}

    def records(result: CrawlResult) -> dict[str, tuple[bool, str | None, list[str]]]:
        return {
            p.id: (p.valid, p.resolved.state, [v.client for v in p.clients])
            for p in result.snapshot.plugins
            if p.marketplace.lower() in fresh
        }

    ours_all, theirs_all = records(through), records(local)
    assert sum(1 for pid in ours_all if pid.startswith("codex:")) >= 400
    assert sum(1 for pid in ours_all if pid.startswith("cursor:")) >= 100
    assert sum(1 for pid in ours_all if pid.startswith("skill:")) >= 100
    assert ours_all == theirs_all
    assert comparable(through) == comparable(local)
    assert through.report.accounting_holds and through.report.clients == local.report.clients


def test_a_previous_snapshot_from_before_client_views_is_not_reused_without_them(fake_github: Start, tmp_path: Path) -> None:
    """The first nightly after schema 3 reads last night's version 2 snapshot, whose records have no
    other clients' views: unchanged repositories are read again, not republished without them."""
    formats = REPO.parent / "shared" / "corpus-formats" / "marketplaces"
    if not formats.is_dir():
        pytest.skip(f"the formats corpus is not at {formats} (it lives in ../shared/corpus-formats)")
    fake = fake_github(World.from_folder(formats))
    refs = refs_of(formats)
    first = crawl(fake, refs)
    with_views = {p.id for p in first.snapshot.plugins if p.clients}
    assert with_views
    body = json.loads(store.dumps(first.snapshot))
    body["schema_version"] = 2
    for plugin in body["plugins"]:
        plugin.pop("clients", None)
    old = tmp_path / "v2.json"
    old.write_text(json.dumps(body))
    previous = store.load(old)
    assert previous.schema_version == SCHEMA_VERSION and previous._written_as == 2
    again = crawl(fake, refs, previous=previous)
    assert {p.id for p in again.snapshot.plugins if p.clients} == with_views
    # A version 3 previous is reused as before: the warm crawl reads no content.
    before = len(fake.log)
    warm = crawl(fake, refs, previous=first.snapshot)
    assert {p.id for p in warm.snapshot.plugins if p.clients} == with_views
    assert warm.report.clients == first.report.clients and first.report.clients["codex"].entries > 0
    # A version 3 previous has no counts of other clients' entries: its repositories are read again,
    # not republished with none (a reviewer saw the report empty itself for good).
    body = json.loads(store.dumps(first.snapshot))
    body["schema_version"] = 3
    for source in body["sources"]:
        source.pop("clients", None)
    old.write_text(json.dumps(body))
    assert crawl(fake, refs, previous=store.load(old)).report.clients == first.report.clients
    assert warm.report.usage is not None and warm.report.usage.rest_requests == 0, [e.path for e in fake.log[before:]]


def test_a_repository_that_fails_keeps_its_last_counts_of_other_clients_entries(fake_github: Start, tmp_path: Path) -> None:
    """A stale source keeps its last good records, and so its counts: a reviewer saw a failing
    repository's Codex entries drop out of the report's totals."""
    formats = REPO.parent / "shared" / "corpus-formats" / "marketplaces"
    if not formats.is_dir():
        pytest.skip(f"the formats corpus is not at {formats} (it lives in ../shared/corpus-formats)")
    both = [
        p
        for p in sorted(formats.iterdir())
        if (p / ".claude-plugin" / "marketplace.json").is_file() and (p / ".agents" / "plugins" / "marketplace.json").is_file()
    ][:2]
    for folder in both:
        shutil.copytree(folder, tmp_path / "all" / folder.name)
    shutil.copytree(both[1], tmp_path / "one" / both[1].name)
    refs = refs_of(tmp_path / "all")
    first = crawl(fake_github(World.from_folder(tmp_path / "all")), refs)
    assert all(s.clients.get("codex") for s in first.snapshot.sources)
    again = crawl(fake_github(World.from_folder(tmp_path / "one")), refs, previous=first.snapshot)
    gone = next(s for s in again.snapshot.sources if s.state != "fresh")
    assert gone.clients == next(s.clients for s in first.snapshot.sources if s.id == gone.id)
    assert again.report.clients == first.report.clients


def test_github_enterprise_base_url(fake_github: Start) -> None:
    fake = fake_github(World.from_folder(SAMPLE))
    result = crawl_github([RepoRef("proseware", "frontend-kit")], TAXONOMY, f"{fake.url}/api/v3", None)
    assert len(result.snapshot.plugins) == 7
    assert {e.path.split("?")[0].split("/")[1:3][0] for e in fake.log} == {"api"}
    assert any(e.path == "/api/graphql" for e in fake.log)


def test_plugins_from_other_github_repos_are_crawled_the_same_way(fake_github: Start, tmp_path: Path) -> None:
    world = World.from_folder(SAMPLE)
    shutil.copytree(
        SAMPLE / "acme-devtools__claude-plugins" / "plugins" / "commit-coach", tmp_path / "acme-devtools__deploy-preview"
    )
    (tmp_path / "tailspin-ops__deploy-gate").mkdir()
    extra = World.from_folder(tmp_path)
    for repo in extra.repos.values():
        world.add(repo)
    world.get("acme-devtools/deploy-preview").refs.add("v1.2.0")  # type: ignore[union-attr]  # the entry's ref
    fake = fake_github(world)
    result = crawl(fake, refs_of(SAMPLE))
    preview = next(p for p in result.snapshot.plugins if p.untrusted.name.text == "deploy-preview")
    assert preview.resolved.state == "local" and preview.resolved.repo == "acme-devtools/deploy-preview"
    assert preview.resolved.oid == world.get("acme-devtools/deploy-preview").head  # type: ignore[union-attr]
    assert preview.counts.commands == 1 and preview.counts.agents == 1
    assert preview.metrics is not None and preview.metrics.stars == world.get("acme-devtools/deploy-preview").stars  # type: ignore[union-attr]
    gate = next(p for p in result.snapshot.plugins if p.untrusted.name.text == "deploy-gate")
    (note,) = gate.findings  # the entry pins a sha the repository does not have
    assert gate.resolved.state == "not_fetched" and note.code == "source.not_found" and "ref_not_found" in note.message


def test_idempotent_and_warm_crawls(fake_github: Start) -> None:
    """T16, and the incremental rule: unchanged repositories cost one batched query, no content reads."""
    fake = fake_github(World.from_folder(SAMPLE))
    refs = refs_of(SAMPLE)
    first = crawl(fake, refs)
    second = crawl(fake, refs)
    assert store.dumps(first.snapshot) == store.dumps(second.snapshot)
    before = len(fake.log)
    warm = crawl(fake, refs, previous=first.snapshot)
    assert store.dumps(warm.snapshot) == store.dumps(first.snapshot)
    warm_log = fake.log[before:]
    assert [e.resource for e in warm_log] == ["graphql", "graphql"]  # marketplaces, then plugin repositories
    assert warm.report.usage is not None and warm.report.usage.rest_requests == 0

    fake.world.write(
        "wingtip-docs/docs-and-writing",
        "plugins/adr-writer/commands/adr.md",
        b"---\ndescription: Record a decision, changed\n---\nbody\n",
    )
    before = len(fake.log)
    changed = crawl(fake, refs, previous=first.snapshot)
    paths = [e.path for e in fake.log[before:] if e.resource == "core"]
    assert paths == [
        f"/repos/wingtip-docs/docs-and-writing/git/trees/{fake.world.get('wingtip-docs/docs-and-writing').head}?recursive=1"
    ]  # type: ignore[union-attr]
    adr = next(p for p in changed.snapshot.plugins if p.untrusted.name.text == "adr-writer")
    old = next(p for p in first.snapshot.plugins if p.id == adr.id)
    assert adr.components.commands[0].untrusted.description.text == "Record a decision, changed"  # type: ignore[union-attr]
    assert adr.content_hash != old.content_hash and adr.first_seen == old.first_seen


def test_renamed_repository_is_read_under_its_new_name(fake_github: Start) -> None:
    world = World.from_folder(SAMPLE)
    world.rename("proseware/frontend-kit", "frontend-kit-v2")
    fake = fake_github(world)
    result = crawl(fake, [RepoRef("proseware", "frontend-kit")])
    (market,) = result.snapshot.marketplaces
    assert market.id == "proseware/frontend-kit" and len(market.plugin_ids) == 7
    assert any(f.code == "repo.renamed" and "proseware/frontend-kit-v2" in f.message for f in market.findings)
    rest = httpx.get(f"{fake.url}/repos/proseware/frontend-kit", follow_redirects=False)
    assert rest.status_code == 301 and rest.headers["Location"].endswith(
        f"/repositories/{world.get('proseware/frontend-kit-v2').number}"
    )  # type: ignore[union-attr]


def test_missing_repositories_and_marketplaces_are_reported(fake_github: Start, tmp_path: Path) -> None:
    (tmp_path / "empty-org__no-marketplace").mkdir()
    (tmp_path / "empty-org__no-marketplace" / "README.md").write_text("hi")
    fake = fake_github(World.from_folder(tmp_path))
    result = crawl(fake, [RepoRef("empty-org", "no-marketplace"), RepoRef("ghost", "repo")])
    reasons = {u.source: u.reason for u in result.report.unreadable}
    assert reasons["ghost/repo"].startswith("not_found: Could not resolve to a Repository")
    assert reasons["empty-org/no-marketplace"].startswith("no_marketplace: ")
    assert result.report.accounting_holds


def test_a_failed_source_keeps_its_last_good_data_marked_stale(fake_github: Start) -> None:
    world = World.from_folder(SAMPLE)
    fake = fake_github(world)
    refs = refs_of(SAMPLE)
    first = crawl(fake, refs)
    del world.repos["northwind-labs/agent-kit"]
    second = crawl(fake, refs, previous=first.snapshot)
    status = next(s for s in second.snapshot.sources if s.id == "northwind-labs/agent-kit")
    assert status.state == "stale" and status.stale_since == second.snapshot.generated_at and status.consecutive_failures == 1
    assert {p.id for p in second.snapshot.plugins} == {p.id for p in first.snapshot.plugins}


def test_request_budget_stops_sending(fake_github: Start) -> None:
    fake = fake_github(World.from_folder(SAMPLE))
    result = crawl(fake, refs_of(SAMPLE), max_requests=1)
    assert len(fake.log) == 1
    assert result.report.usage is not None and result.report.usage.requests == 1
    assert all("budget_exhausted" in u.reason for u in result.report.unreadable)
    assert len(result.report.unreadable) == len(refs_of(SAMPLE))


def test_graphql_documents_validate_against_githubs_schema() -> None:
    require_github_schema()
    refs = [RepoRef("o", f"r{i}", "v1" if i % 2 else None) for i in range(100)]
    for query, _ in (repositories_query(refs), blobs_query([(refs[0], "a" * 40, "x/y.md"), (refs[1], "HEAD", "z.json")])):
        assert validate(schema(), parse(query)) == []


def test_fake_rejects_what_github_rejects(fake_github: Start) -> None:
    fake = fake_github(World.from_folder(SAMPLE))
    bad = httpx.post(f"{fake.url}/graphql", json={"query": '{ repository(owner: "a", name: "b") { stars } }'}).json()
    assert bad["errors"][0]["message"] == "Cannot query field 'stars' on type 'Repository'."
    many = "query {" + " ".join(f'r{i}: repository(owner: "a", name: "b") {{ name }}' for i in range(200)) + "}"
    assert httpx.post(f"{fake.url}/graphql", json={"query": many}).status_code == 502


def test_fake_rest_etags_search_and_auth(fake_github: Start) -> None:
    fake = fake_github(World.from_folder(SAMPLE), token=CANARY)
    auth = {"Authorization": f"Bearer {CANARY}"}
    assert httpx.get(f"{fake.url}/repos/proseware/frontend-kit").status_code == 401
    first = httpx.get(f"{fake.url}/repos/proseware/frontend-kit", headers=auth)
    assert first.status_code == 200 and int(first.headers["X-RateLimit-Remaining"]) < 5000
    again = httpx.get(f"{fake.url}/repos/proseware/frontend-kit", headers={**auth, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["X-RateLimit-Remaining"] == first.headers["X-RateLimit-Remaining"]
    found = httpx.get(
        f"{fake.url}/search/code", params={"q": "filename:marketplace.json path:.claude-plugin", "per_page": 5}, headers=auth
    )
    assert found.json()["total_count"] == 9 and 'rel="next"' in found.headers["Link"]
    content = httpx.get(f"{fake.url}/repos/proseware/frontend-kit/contents/.claude-plugin/marketplace.json", headers=auth).json()
    assert json.loads(base64.b64decode(content["content"]))["name"] == "proseware-frontend"


def test_only_the_configured_hosts_are_contacted() -> None:
    usage = Usage()

    async def attempt() -> None:
        async with make_client("http://127.0.0.1:9", None, usage) as client:
            for url in ("https://evil.example/x", "http://127.0.0.1:10/x", "https://raw.githubusercontent.com/a/b/c"):
                with pytest.raises(HostNotAllowed):
                    await client.get(url)

    asyncio.run(attempt())
    assert usage.refused == ["https://evil.example", "http://127.0.0.1", "https://raw.githubusercontent.com"]
    assert usage.total == 0
    assert graphql_url("https://api.github.com") == "https://api.github.com/graphql"
    assert graphql_url("https://ghe.example/api/v3") == "https://ghe.example/api/graphql"


def test_token_never_appears_anywhere(fake_github: Start, tmp_path: Path) -> None:
    """T13: a canary token through success, 401, missing repos and debug logging."""
    good = fake_github(World.from_folder(SAMPLE), token=CANARY)
    wrong = fake_github(World.from_folder(SAMPLE), token="ghp_someone_else")
    sources = tmp_path / "sources.toml"
    sources.write_text("".join(f'[[marketplace]]\nrepo = "{r.id}"\n' for r in [*refs_of(SAMPLE), RepoRef("ghost", "repo")]))
    outputs = []
    env = {"GITHUB_TOKEN": CANARY, "SOURCE_DATE_EPOCH": "0", "PATH": "/usr/bin:/bin"}
    for fake, code in ((good, 0), (wrong, 1)):
        out = tmp_path / fake.url.rsplit(":", 1)[1] / "latest.json"
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "agentops_index",
                "-vv",
                "crawl",
                "--sources",
                str(sources),
                "--api-url",
                fake.url,
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            check=False,
        )
        assert run.returncode == code, run.stderr[-2000:]
        outputs += [run.stdout, run.stderr]
        outputs += [p.read_text() for p in out.parent.glob("*.json")]
    assert "401" in outputs[-1] or "Bad credentials" in " ".join(outputs)
    forms = [CANARY, quote(CANARY, safe=""), base64.b64encode(CANARY.encode()).decode()]
    for text in outputs:
        for form in forms:
            assert form not in text
    assert redact(f"x {CANARY} y", CANARY) == "x [redacted] y"


def test_auth_error_is_raised_not_swallowed(fake_github: Start) -> None:
    fake = fake_github(World.from_folder(SAMPLE), token="right")
    with pytest.raises(AuthError):
        crawl(fake, refs_of(SAMPLE), token="wrong")


def test_sources_file_problems_are_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[[marketplace]]\nrepo = "nope"\n[[marketplace]]\nrepo = "a/b"\nextra = 1\n[[marketplace]]\nrepo = "A/b"\n')
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert (
        "marketplace[0].repo: must be owner/name" in message and "unknown keys ['extra']" in message and "listed twice" in message
    )
    assert len(load_sources(REPO / "data" / "sources.toml")) >= 46


def test_crawl_command_says_what_it_cost(fake_github: Start, tmp_path: Path) -> None:
    fake = fake_github(World.from_folder(SAMPLE))
    sources = tmp_path / "sources.toml"
    sources.write_text("".join(f'[[marketplace]]\nrepo = "{r.id}"\n' for r in refs_of(SAMPLE)))
    out = tmp_path / "latest.json"
    result = CliRunner().invoke(
        cli, ["crawl", "--sources", str(sources), "--api-url", fake.url, "--out", str(out)], env={"GITHUB_TOKEN": ""}
    )
    assert result.exit_code == 0, result.output
    assert "using 13 requests (4 GraphQL, 9 REST; 4 points)" in result.stdout
    assert result.stderr.startswith("warning: $GITHUB_TOKEN is not set: GitHub answers GraphQL")
    report = json.loads((tmp_path / "crawl-report.json").read_text())
    assert report["usage"] == {
        "graphql_points": 4,
        "graphql_requests": 4,
        "refused_hosts": [],
        "requests": 13,
        "rest_requests": 9,
        "retries": 0,
        "slept_seconds": 0.0,
    }


def test_fake_github_starts_from_the_command_line() -> None:
    require_github_schema()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakegithub", "--repos", str(SAMPLE)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        deadline = time.monotonic() + 10
        while True:
            try:
                assert httpx.get(f"{url}/repos/proseware/frontend-kit").json()["full_name"] == "proseware/frontend-kit"
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def test_when_the_second_round_fails_what_only_other_catalogs_name_is_skipped_not_misjudged(
    fake_github: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folders only Codex's or Cursor's catalog names come in a second batch of files. When
    GitHub fails it for good, their plugins are left out and counted as skipped: judged on the
    empty placeholders they would fail Codex's checks, which would be wrong."""
    from agentops_index.sources.github import GitHub

    formats = REPO.parent / "shared" / "corpus-formats" / "marketplaces"
    if not formats.is_dir():
        pytest.skip(f"the formats corpus is not at {formats} (it lives in ../shared/corpus-formats)")
    real = GitHub.blobs
    calls: list[int] = []

    async def second_fails(self: GitHub, wanted: list[tuple[RepoRef, str, str, int]]) -> Any:
        calls.append(len(wanted))
        if len(calls) == 1:
            return await real(self, wanted)
        return {}, {ref.id: "server_error: the second round failed" for ref, _, _, _ in wanted}

    monkeypatch.setattr(GitHub, "blobs", second_fails)
    refs = [r for r in refs_of(formats) if r.id.lower() == "galaykos/cc-marketplace"]
    result = crawl(fake_github(World.from_folder(formats)), refs)
    assert len(calls) == 2
    plugins = result.snapshot.plugins
    assert plugins and all(p.client == "claude" for p in plugins)  # no codex:* records judged on placeholders
    (status,) = result.snapshot.sources
    assert status.state == "fresh" and status.clients["codex"].skipped == 62
    assert result.report.accounting_holds


def test_discovery_alone_finds_every_format_of_the_formats_corpus(fake_github: Start) -> None:
    """With no curated source, code search for each client's catalog path, for skill files and for
    Agent Plugins manifests finds every repository of the formats corpus, and the GitHub crawl
    then gives what --from-dir gives: the same marketplaces, clients and records."""
    formats = REPO.parent / "shared" / "corpus-formats" / "marketplaces"
    if not formats.is_dir():
        pytest.skip(f"the formats corpus is not at {formats} (it lives in ../shared/corpus-formats)")
    fake = fake_github(World.from_folder(formats))
    through = crawl(fake, [], discover=True, search_interval=0)
    local = crawl_local([formats], TAXONOMY)
    found = through.report.discovery
    assert found is not None and found.errors == [] and found.code_search == len(refs_of(formats))
    # The corpus's README counts: 18 Claude catalogs, 25 Codex, 20 Cursor, 3 Agent Plugins manifests.
    assert {k: found.by_format[k] for k in ("claude", "codex", "cursor", "agent-plugins")} == {
        "claude": 18,
        "codex": 25,
        "cursor": 20,
        "agent-plugins": 3,
    }
    homes = {m.id.lower(): m.client for m in through.snapshot.marketplaces}
    assert homes == {m.id.lower(): m.client for m in local.snapshot.marketplaces}
    assert set(homes.values()) == {"claude", "codex", "cursor", "skill", "agent-plugins"}
    assert comparable(through) == comparable(local) and len(comparable(through)) > 800
    assert through.report.clients == local.report.clients


def test_skills_beside_a_catalog_come_through_github_as_from_dir(fake_github: Start, tmp_path: Path) -> None:
    root = tmp_path / "octo__mixed"
    catalog = {"name": "mixed", "owner": {"name": "o"}, "plugins": [{"name": "tool", "source": "./plugins/tool"}]}
    (root / ".claude-plugin").mkdir(parents=True)
    (root / ".claude-plugin" / "marketplace.json").write_text(json.dumps(catalog))
    for folder, name in (("plugins/tool/skills/inner", "inner"), ("skills/outer", "outer")):
        (root / folder).mkdir(parents=True)
        (root / folder / "SKILL.md").write_text(f"---\nname: {name}\ndescription: The {name} skill.\n---\nbody\n")
    through = crawl(fake_github(World.from_folder(tmp_path)), refs_of(tmp_path))
    local = crawl_local([tmp_path], TAXONOMY)
    assert sorted(comparable(through)) == ["skill:outer@octo/mixed", "tool@octo/mixed"]
    assert comparable(through) == comparable(local)
    assert through.snapshot.sources[0].clients == local.snapshot.sources[0].clients


def test_a_single_cursor_plugin_is_found_and_read_through_github_as_from_dir(fake_github: Start, tmp_path: Path) -> None:
    root = tmp_path / "octo__solo"
    (root / ".cursor-plugin").mkdir(parents=True)
    (root / ".cursor-plugin" / "plugin.json").write_text(json.dumps({"name": "solo", "description": "One plugin."}))
    (root / "hooks").mkdir()
    (root / "hooks" / "hooks.json").write_text(json.dumps({"version": 1, "hooks": {"stop": [{"command": "./s.sh"}]}}))
    (root / "README.md").write_text("# Solo\n")
    fake = fake_github(World.from_folder(tmp_path))
    through = crawl(fake, [], discover=True, search_interval=0)
    local = crawl_local([tmp_path], TAXONOMY)
    assert through.report.discovery is not None and through.report.discovery.by_format["cursor-plugin"] == 1
    assert sorted(comparable(through)) == ["cursor:solo@octo/solo"]
    assert comparable(through) == comparable(local) and through.report.clients == local.report.clients


def test_a_remote_plugin_fetched_from_its_repository_is_never_read_as_a_folder_of_the_marketplace(
    fake_github: Start, tmp_path: Path
) -> None:
    """The GitHub crawl reads a remote plugin in its own repository (its folder "." there): that is
    no folder of the marketplace's repository, so the marketplace's root Agent Plugins manifest is
    not its view, and the skills beside the catalog stay records, as --from-dir gives them."""
    market = tmp_path / "octo__mk"
    catalog = {
        "name": "mk",
        "owner": {"name": "o"},
        "plugins": [{"name": "r1", "source": {"source": "github", "repo": "acme/one"}}],
    }
    (market / ".claude-plugin").mkdir(parents=True)
    (market / ".claude-plugin" / "marketplace.json").write_text(json.dumps(catalog))
    (market / "plugin.json").write_text(
        json.dumps({"$schema": "https://agent-plugins.org/schemas/1.0.0/plugin.schema.json", "name": "mk"})
    )
    (market / "skills" / "foo").mkdir(parents=True)
    (market / "skills" / "foo" / "SKILL.md").write_text("---\nname: foo\ndescription: A skill.\n---\nbody\n")
    (tmp_path / "acme__one" / ".claude-plugin").mkdir(parents=True)
    (tmp_path / "acme__one" / ".claude-plugin" / "plugin.json").write_text(json.dumps({"name": "r1"}))
    through = crawl(fake_github(World.from_folder(tmp_path)), [RepoRef("octo", "mk")])
    records = {p.id: p for p in through.snapshot.plugins}
    assert sorted(records) == ["r1@octo/mk", "skill:foo@octo/mk"]
    assert records["r1@octo/mk"].resolved.repo == "acme/one" and records["r1@octo/mk"].clients == []
    status = next(s for s in through.snapshot.sources if s.id == "octo/mk")
    assert status.clients == {"skill": ClientCount(entries=1, recorded=1, skipped=0)}
