"""Faults survived, sources never silently lost, the publish gate, sharding and discovery.

SECURITY.md T9 (SSRF), T10 (fault mix), T11 (outage, 401, parser regression), T12
(tombstones), on the fake GitHub with injected faults and a fake clock.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from agentops_index.cli import cli
from agentops_index.crawl import crawl_github, in_shard, merge
from agentops_index.enrich import CrawlResult
from agentops_index.gate import judge
from agentops_index.snapshot import store
from agentops_index.snapshot.categories import load_taxonomy
from agentops_index.sources.github import RepoRef
from agentops_index.sources.policy import Throttle
from tests.fakegithub import FakeGitHub, Repo, World
from tests.fakegithub.faults import T10, FakeClock, FaultPlan
from tests.fakegithub.generate import generate

REPO = Path(__file__).resolve().parents[1]
TAXONOMY = load_taxonomy(REPO / "data" / "categories.toml")
Start = Callable[..., FakeGitHub]
FAST = httpx.Timeout(connect=5.0, read=1.5, write=5.0, pool=10.0)


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


def run(
    fake: FakeGitHub, refs: list[RepoRef], previous: Any = None, clock: FakeClock | None = None, **kwargs: Any
) -> tuple[CrawlResult, Throttle]:
    clock = clock or FakeClock()
    fake.settings.clock_time = clock.time
    throttle = Throttle(clock=clock, rng=random.Random(5), record=True)
    result = crawl_github(refs, TAXONOMY, fake.url, None, previous, throttle=throttle, timeout=timeout_for(fake), **kwargs)
    return result, throttle


def timeout_for(fake: FakeGitHub) -> httpx.Timeout | None:
    """The short read timeout only where the fake injects timeouts: elsewhere a loaded machine's slow
    answer (the real corpus through GraphQL) would count as a dead repository (t11 once saw 24, not 14)."""
    return FAST if fake.settings.faults.rates.get("timeout") else None


def test_t10_fault_mix_keeps_every_marketplace(fake_github: Start) -> None:
    world, refs = generate(50, 4)
    fake = fake_github(world)
    good, _ = run(fake, refs)
    for ref in refs:  # every repository changed since, so the whole crawl runs under faults
        world.write(ref.id, "README.md", b"# changed\n")
    fake.settings.faults = FaultPlan(rates=T10, seed=1, timeout_seconds=2.0)
    result, throttle = run(fake, refs, previous=good.snapshot)
    # 100% of previously good marketplaces are still there, fresh or stale.
    assert {m.id for m in result.snapshot.marketplaces} == {m.id for m in good.snapshot.marketplaces}
    assert {p.id for p in result.snapshot.plugins} == {p.id for p in good.snapshot.plugins}
    states = {s.state for s in result.snapshot.sources}
    assert states <= {"fresh", "stale"}
    assert result.report.accounting_holds
    injected = fake.settings.faults.injected
    assert set(injected) == {
        "server_error",
        "reset",
        "timeout",
        "secondary",
        "secondary_no_header",
        "too_many",
        "primary",
        "truncated",
        "malformed",
    }
    assert throttle.retries > 0 and fake.settings.faults.max_attempts <= 3
    assert fake.settings.max_in_flight <= 8
    # Retry-After is never undercut: nothing is sent before a pause that was asked for is over.
    deadline = 0.0
    for event in throttle.events:
        if event.kind == "response" and event.retry_after is not None:
            deadline = max(deadline, event.at + event.retry_after)
        if event.kind == "send":
            assert event.at >= deadline - 1e-9 or deadline == 0.0, (event, deadline)


def test_t11_outage_is_refused_by_the_gate(fake_github: Start, tmp_path: Path) -> None:
    world, refs = generate(20, 2)
    fake = fake_github(world)
    good, _ = run(fake, refs)
    fake.settings.faults = FaultPlan(rates={"server_error": 1.0})
    outage, _throttle = run(fake, refs, previous=good.snapshot)
    assert all(s.state == "stale" for s in outage.snapshot.sources)
    assert len(outage.snapshot.plugins) == len(good.snapshot.plugins)  # nothing lost...
    verdict = judge(outage.snapshot, good.snapshot)
    assert not verdict.passed and [c.name for c in verdict.checks if not c.passed] == ["fresh_share"]  # ...and not published


def test_t11_parser_regression_is_refused(fake_github: Start, tmp_path: Path) -> None:
    world, refs = generate(20, 2)
    fake = fake_github(world)
    good, _ = run(fake, refs)
    for ref in refs[:6]:  # 30% of marketplaces stop parsing
        world.write(ref.id, ".claude-plugin/marketplace.json", b"{oops")
    broken, _ = run(fake, refs, previous=good.snapshot)
    invalid = [s for s in broken.snapshot.sources if s.state == "invalid"]
    assert len(invalid) == 6 and all(s.last_error and s.last_error.startswith("invalid_json") for s in invalid)
    assert len(broken.snapshot.plugins) == len(good.snapshot.plugins)  # last good data kept
    verdict = judge(broken.snapshot, good.snapshot)
    assert "newly_invalid" in [c.name for c in verdict.checks if not c.passed]


CORPUS = REPO.parent / "shared" / "corpus" / "marketplaces"


def test_t11_never_readable_sources_count_in_no_check_and_a_lost_one_still_counts(fake_github: Start) -> None:
    """Without the corpus: dead repositories on the list do not hold a night back; a source that
    had data and breaks still counts; a crawl that never read anything may not publish."""
    world, refs = generate(8, 1)
    fake = fake_github(world)
    dead = [RepoRef("gone-owner", f"gone-{i}") for i in range(4)]  # a third of the list: over the 10% allowed
    night, _ = run(fake, [*refs, *dead])
    verdict = judge(night.snapshot, night.snapshot)
    assert verdict.passed, verdict.as_dict()
    assert sorted(u.id for u in verdict.never_readable) == sorted(r.id for r in dead)
    assert judge(night.snapshot, None).passed
    # Two marketplaces that had data stop parsing: they count, and the gate sees them.
    for ref in refs[:2]:
        world.write(ref.id, ".claude-plugin/marketplace.json", b"{oops")
    broken, _ = run(fake, [*refs, *dead], previous=night.snapshot)
    refused = judge(broken.snapshot, night.snapshot)
    assert not refused.passed and "newly_invalid" in [c.name for c in refused.checks if not c.passed]
    assert len(refused.never_readable) == 4
    # Nothing readable at all, with or without a previous snapshot: nothing to publish.
    nothing, _ = run(fake, dead)
    assert not judge(nothing.snapshot, None).passed and not judge(nothing.snapshot, nothing.snapshot).passed


def test_t11_the_gate_judges_loss_not_a_source_list_with_dead_repositories(fake_github: Start) -> None:
    """data/sources.toml through the fake GitHub serving the real corpus: its 12 sources beyond the corpus
    do not exist there and 2 corpus marketplace.json files are not JSON. Gated
    against itself the crawl passes with those 14 listed apart; an outage still refuses."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent (the shared real-world corpus)")
    from agentops_index.sources.catalog import load_sources

    refs = load_sources(REPO / "data" / "sources.toml")
    fake = fake_github(World.from_folder(CORPUS))
    first, _ = run(fake, refs)
    snapshot = first.snapshot
    readable = {m.id.lower() for m in snapshot.marketplaces}
    dead = sorted(s.id for s in snapshot.sources if s.id.lower() not in readable)
    assert len(dead) == 14, dead
    assert judge(snapshot, None).passed
    verdict = judge(snapshot, snapshot)
    assert verdict.passed, verdict.as_dict()
    assert sorted(u.id for u in verdict.never_readable) == dead
    assert all(u.last_error for u in verdict.never_readable)
    available = next(c for c in verdict.checks if c.name == "sources_available")
    assert (
        available.detail.startswith(f"{len(refs) - 14} of {len(refs) - 14} sources") and "14 never readable" in available.detail
    )
    # Everything unreachable the next night: the sources with data go stale, and the gate refuses.
    fake.settings.faults = FaultPlan(rates={"server_error": 1.0})
    outage, _ = run(fake, refs, previous=snapshot)
    refused = judge(outage.snapshot, snapshot)
    assert [c.name for c in refused.checks if not c.passed] == ["fresh_share"]
    # A first crawl that reads nothing at all has nothing to publish.
    empty = judge(outage.snapshot.model_copy(update={"marketplaces": []}), None)
    assert not empty.passed


def test_t11_gate_command_and_401_leave_the_previous_snapshot_alone(fake_github: Start, tmp_path: Path) -> None:
    world, refs = generate(10, 2)
    fake = fake_github(world, token="right")
    sources = tmp_path / "sources.toml"
    sources.write_text("".join(f'[[marketplace]]\nrepo = "{r.id}"\n' for r in refs))
    published = tmp_path / "published" / "latest.json"
    env = {"SOURCE_DATE_EPOCH": "0", "GITHUB_TOKEN": "right"}
    runner = CliRunner()
    assert (
        runner.invoke(
            cli, ["crawl", "--sources", str(sources), "--api-url", fake.url, "--out", str(published)], env=env
        ).exit_code
        == 0
    )
    before = published.read_bytes()
    denied = subprocess.run(
        [
            sys.executable,
            "-m",
            "agentops_index",
            "crawl",
            "--sources",
            str(sources),
            "--api-url",
            fake.url,
            "--previous",
            str(published),
            "--out",
            str(published),
        ],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "GITHUB_TOKEN": "wrong", "SOURCE_DATE_EPOCH": "0"},
        cwd=REPO,
        check=False,
    )
    assert denied.returncode == 1 and "401" in denied.stderr and denied.stderr.strip().count("\n") == 0
    assert published.read_bytes() == before
    fake.settings.faults = FaultPlan(rates={"server_error": 1.0})
    candidate = tmp_path / "candidate" / "latest.json"
    crawled = runner.invoke(
        cli,
        ["crawl", "--sources", str(sources), "--api-url", fake.url, "--previous", str(published), "--out", str(candidate)],
        env=env,
    )
    assert crawled.exit_code == 0  # crawl always writes its snapshot and report
    refused = runner.invoke(cli, ["gate", str(candidate), "--previous", str(published)])
    assert refused.exit_code == 1 and "FAIL  fresh_share" in refused.output
    assert json.loads((candidate.parent / "gate-report.json").read_text())["passed"] is False
    assert published.read_bytes() == before
    fake.settings.faults = FaultPlan()
    fresh = tmp_path / "fresh" / "latest.json"
    assert (
        runner.invoke(
            cli,
            ["crawl", "--sources", str(sources), "--api-url", fake.url, "--previous", str(published), "--out", str(fresh)],
            env=env,
        ).exit_code
        == 0
    )
    assert runner.invoke(cli, ["gate", str(fresh), "--previous", str(published)]).exit_code == 0


def test_t12_tombstones_remove_a_source_only_after_three_runs(fake_github: Start) -> None:
    world, refs = generate(10, 2)
    fake = fake_github(world)
    snapshot = run(fake, refs)[0].snapshot
    gone = refs[3].id
    saved = world.repos.pop(gone.lower())
    for night in (1, 2):
        snapshot = run(fake, refs, previous=snapshot)[0].snapshot
        status = next(s for s in snapshot.sources if s.id == gone)
        assert (status.state, status.tombstones) == ("stale", night)
        assert any(m.id == gone for m in snapshot.marketplaces)
    world.add(saved)  # back again: restored fresh, the count starts over
    snapshot = run(fake, refs, previous=snapshot)[0].snapshot
    status = next(s for s in snapshot.sources if s.id == gone)
    assert (status.state, status.tombstones, status.stale_since) == ("fresh", 0, None)
    world.repos.pop(gone.lower())
    before = snapshot
    for _ in range(3):
        before, snapshot = snapshot, run(fake, refs, previous=snapshot)[0].snapshot
    status = next(s for s in snapshot.sources if s.id == gone)
    assert status.state == "removed" and status.tombstones == 3
    assert not any(p.marketplace == gone for p in snapshot.plugins)
    assert judge(snapshot, before).passed  # a confirmed removal does not trip the plugin-count check


def test_shards_merge_into_the_unsharded_snapshot(fake_github: Start, tmp_path: Path) -> None:
    world, refs = generate(40, 3)
    fake = fake_github(world)
    whole = run(fake, refs)[0].snapshot
    parts = [run(fake, refs, shard=(k, 4))[0].snapshot for k in range(1, 5)]
    assert sum(len(p.sources) for p in parts) == len(whole.sources)
    assert all(p.sources for p in parts)
    assert store.dumps(merge(parts, TAXONOMY).snapshot) == store.dumps(whole)
    assert sum(in_shard(r.id, (k, 4)) for r in refs for k in range(1, 5)) == len(refs)
    paths = []
    for index, part in enumerate(parts):
        paths.append(tmp_path / f"part{index}.json")
        store.write_atomic(paths[-1], store.dumps(part))
    out = tmp_path / "merged" / "latest.json"
    merged = CliRunner().invoke(
        cli, ["merge", *map(str, paths), "--out", str(out), "--categories", str(REPO / "data" / "categories.toml")]
    )
    assert merged.exit_code == 0, merged.output
    assert out.read_bytes() == store.dumps(whole)


def test_discovery_finds_every_marketplace_past_the_search_cap(fake_github: Start) -> None:
    world, refs = generate(30, 1)
    for index, ref in enumerate(refs):  # distinct sizes, so size slices can always be split
        manifest = json.loads(world.get(ref.id).files[".claude-plugin/marketplace.json"])  # type: ignore[union-attr]
        manifest["description"] += " " + "x" * index * 3
        world.write(ref.id, ".claude-plugin/marketplace.json", json.dumps(manifest).encode())
    world.add(Repo("plain", "library", {"README.md": b"no marketplace here"}))
    fake = fake_github(world)
    fake.settings.search_cap = 7  # forces the size slicing a 1,000 cap forces on GitHub
    curated = refs[:5]
    result, _ = run(fake, curated, discover=True, search_interval=6.5, search_cap=7)
    assert {m.id for m in result.snapshot.marketplaces} == {r.id for r in refs}
    discovery = result.report.discovery
    # The skill search also finds the plugins' own repositories (their skills): a marketplace names
    # them as plugin sources, so they are read as plugins, never as repositories of skills.
    owned = {p.resolved.repo for p in result.snapshot.plugins if p.resolved.repo}
    assert discovery is not None and (discovery.curated, discovery.code_search) == (5, 25 + len(owned))
    assert discovery.by_format == {"claude": 30, "codex": 0, "cursor": 0, "skill": 27, "cursor-plugin": 0, "agent-plugins": 0}
    assert discovery.requests == sum(1 for e in fake.log if e.resource == "search") and discovery.errors == []
    assert owned and discovery.without_marketplace == len(owned)
    assert not any(m.client == "skill" for m in result.snapshot.marketplaces)
    # Repositories named as plugin sources by the previous snapshot's marketplaces are candidates
    # too: with no skill search hit (a plugin repository with no skills), they are "referenced".
    for repo_id in owned:
        repo = world.get(repo_id)
        assert repo is not None
        for path in [p for p in repo.files if p.endswith("SKILL.md")]:
            world.write(repo_id, path.removesuffix("SKILL.md") + "NOTES.md", repo.files.pop(path))
    again, _ = run(fake, curated, previous=result.snapshot, discover=True, search_interval=6.5, search_cap=7)
    assert again.report.discovery is not None and again.report.discovery.referenced == len(owned)
    assert again.report.discovery.without_marketplace == len(owned)  # plugin repositories hold no marketplace


def test_t9_hostile_sources_never_make_us_connect_elsewhere(fake_github: Start, tmp_path: Path) -> None:
    hits: list[str] = []

    class Canary(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(301)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    canary = ThreadingHTTPServer(("127.0.0.1", 0), Canary)
    Thread(target=canary.serve_forever, daemon=True).start()
    elsewhere = f"http://127.0.0.1:{canary.server_address[1]}"
    urls = [
        f"{elsewhere}/x.git",
        f"{elsewhere}/redirect",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "http://localhost/x.git",
        "http://[::1]/x.git",
        "https://evil.example/x.git",
        "git@evil.example:a/b.git",
        "https://github.com.evil.example/a/b.git",
        "https://evil.example/@github.com/a/b",
        "https://user:pass@evil.example/a.git",
        "ssh://git@evil.example/a/b",
        "http://0x7f000001/",
        "http://2130706433/",
        "https://gіthub.com/a/b.git",
        "gopher://evil.example/",
        "https://evil.example:22/",
        "ftp://evil.example/a",
        "http://127.1/",
        "https://127.0.0.1.nip.io/",
        "https://raw.githubusercontent.com.evil.example/a",
        "//evil.example/a",
        "https://evil.example/%2e%2e/",
        "javascript:alert(1)",
        "https://evil.example/" + "a" * 3000,
    ]
    assert len(urls) == 25
    entries = [{"name": f"p{i}", "source": {"source": "url", "url": url}} for i, url in entries_of(urls)]
    entries += [{"name": "sub", "source": {"source": "git-subdir", "url": f"{elsewhere}/r.git", "path": "x"}}]
    world = World()
    world.add(
        Repo(
            "hostile",
            "market",
            {".claude-plugin/marketplace.json": json.dumps({"name": "m", "owner": {"name": "o"}, "plugins": entries}).encode()},
        )
    )
    fake = fake_github(world)
    result, _ = run(fake, [RepoRef("hostile", "market")])
    assert hits == []
    assert result.report.usage is not None and result.report.usage.refused_hosts == []  # never even attempted
    assert len(result.snapshot.plugins) == 26
    assert all(p.resolved.state in ("not_fetched", "invalid") for p in result.snapshot.plugins)
    canary.shutdown()
    canary.server_close()


def entries_of(urls: list[str]) -> list[tuple[int, str]]:
    return list(enumerate(urls))


def test_run_deadline_opens_the_circuit(fake_github: Start) -> None:
    world, refs = generate(10, 2)
    fake = fake_github(world)
    good = run(fake, refs)[0]
    clock = FakeClock()
    throttle = Throttle(clock=clock, rng=random.Random(1), deadline=10.0)
    fake.settings.faults = FaultPlan(rates={"too_many": 1.0})  # every answer: 429, Retry-After 7
    result = crawl_github(refs, TAXONOMY, fake.url, None, good.snapshot, throttle=throttle, timeout=timeout_for(fake))
    assert all(s.state == "stale" and "circuit_open" in (s.last_error or "") for s in result.snapshot.sources)
    assert len(result.snapshot.plugins) == len(good.snapshot.plugins)


def test_token_stays_secret_through_faults(fake_github: Start, tmp_path: Path) -> None:
    canary = "ghp_CANARYFAULTS0123456789abcdefghijklmnop"
    world, refs = generate(10, 2)
    fake = fake_github(world, token=canary)
    fake.settings.faults = FaultPlan(rates=T10, seed=2, timeout_seconds=2.0)
    throttle = Throttle(clock=FakeClock(), rng=random.Random(1))
    result = crawl_github(refs, TAXONOMY, fake.url, canary, None, throttle=throttle, timeout=timeout_for(fake))
    text = store.dumps(result.snapshot).decode() + store.dumps(result.report).decode()
    assert canary not in text and result.report.usage is not None and result.report.usage.retries > 0


def test_one_discovery_for_every_shard_and_a_failed_search_still_crawls_last_nights_sources(
    fake_github: Start, tmp_path: Path
) -> None:
    """The nightly's discovery step (discover-sources) writes what it found once; each shard
    crawls its part of the same list; when code search fails the next night, the sources the
    previous snapshot had are crawled all the same, each with where it came from."""
    from agentops_index.crawl import discover_sources
    from agentops_index.errors import InputError
    from agentops_index.sources.discovery import Found

    world, refs = generate(6, 1)
    fake = fake_github(world)
    curated = refs[:3]
    path = tmp_path / "discovered.json"
    discover_sources(fake.url, None).write(path)
    found = Found.read(path)
    # Besides the marketplaces, the skill search sees plugins' own repositories (they have skills).
    extra = {r.lower() for r in found.code_search} - {r.id.lower() for r in refs}
    assert {r.id.lower() for r in refs} <= {r.lower() for r in found.code_search} and found.errors == []
    parts = [run(fake, curated, discovered=found, shard=(k, 2))[0] for k in (1, 2)]
    whole = merge([p.snapshot for p in parts], TAXONOMY, found)
    # A marketplace in the other shard names them as plugin sources: the merge leaves them out,
    # as one unsharded crawl does.
    assert extra and extra <= {p.resolved.repo.lower() for p in whole.snapshot.plugins if p.resolved.repo}
    assert {m.id for m in whole.snapshot.marketplaces} == {r.id for r in refs}
    assert sorted(s.origin or "" for s in whole.snapshot.sources) == ["code_search"] * 3 + ["curated"] * 3
    discovery = whole.report.discovery
    counts = (discovery.curated, discovery.code_search, discovery.without_marketplace) if discovery else None
    assert counts == (3, 3 + len(extra), len(extra))
    unsharded, _ = run(fake, curated, discovered=found)
    assert store.dumps(unsharded.snapshot) == store.dumps(whole.snapshot)
    # The next night code search answers nothing but errors.
    fake.settings.search_cap = 0
    broken = discover_sources(fake.url, None, previous=whole.snapshot)
    assert broken.code_search == set() and broken.errors
    night, _ = run(fake, curated, previous=whole.snapshot, discovered=broken)
    assert {m.id for m in night.snapshot.marketplaces} == {r.id for r in refs}
    assert sorted(s.origin or "" for s in night.snapshot.sources) == ["curated"] * 3 + ["earlier"] * 3
    assert night.report.discovery is not None and night.report.discovery.errors == broken.errors
    # A repository taken off the source file is not crawled again because an earlier night had it.
    delisted, _ = run(fake, curated[1:], previous=night.snapshot, discovered=broken)
    assert curated[0].id not in {s.id for s in delisted.snapshot.sources}
    assert len(delisted.snapshot.sources) == 5
    # A damaged discovery file is one clear line naming the file and the field; an odd id (from
    # a marketplace's text) is dropped and said, never the night's crawl.
    path.write_text('{"format": 1, "code_search": "org/repo"}')
    with pytest.raises(InputError, match=r"--discovered .*discovered.json: code_search: must be a list of owner/name"):
        Found.read(path)
    path.write_text('{"format": 1, "referenced": ["some_org/tool", "../x", "org/ok"]}')
    odd = Found.read(path)
    assert odd.referenced == {"org/ok"} and odd.errors == [
        "referenced: 2 ids that are not owner/name dropped, such as 'some_org/tool'"
    ]
    # Two spellings of one repository: the same one is taken in every process, GitHub's own first.
    spelled = Found(code_search={"Org0/Market-0"}, referenced={"org0/market-0", "ORG0/market-0"})
    assert spelled.candidates(set()) == {"Org0/Market-0": "code_search"}
    assert Found(referenced={"b/x", "B/x", "A/y"}).candidates(set()) == {"A/y": "referenced", "B/x": "referenced"}
