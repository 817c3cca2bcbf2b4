"""`agentops-index crawl --from-dir`: the record rule, accounting, ids, and the committed snapshot."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from agentops_index.cli import cli
from agentops_index.crawl import crawl_local
from agentops_index.errors import InputError
from agentops_index.snapshot import store
from agentops_index.snapshot.categories import load_taxonomy
from agentops_index.snapshot.models import SCHEMA_VERSION, Snapshot
from agentops_index.sources.local import checkout_id, discover

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
COMMITTED = REPO / "data" / "snapshots" / "latest.json"
TAXONOMY = load_taxonomy(REPO / "data" / "categories.toml")


def crawl(*dirs: Path) -> Snapshot:
    return crawl_local(list(dirs), TAXONOMY).snapshot


def expected_records(root: Path) -> tuple[list[str], list[int]]:
    """Names of entries with a string name, and indexes of the others, read independently."""
    try:
        value = json.loads((root / ".claude-plugin" / "marketplace.json").read_bytes())
    except ValueError:
        return [], []
    plugins = value.get("plugins") if isinstance(value, dict) else None
    names, skipped = [], []
    for index, entry in enumerate(plugins if isinstance(plugins, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            names.append(entry["name"])
        else:
            skipped.append(index)
    return names, skipped


def check_record_rule(snapshot: Snapshot, folder: Path) -> None:
    by_market = {m.id: m for m in snapshot.marketplaces}
    plugin_ids = [p.id for p in snapshot.plugins]
    assert len(plugin_ids) == len(set(plugin_ids)), "plugin ids are unique"
    for child in sorted(p for p in folder.iterdir() if p.is_dir()):
        market_id = checkout_id(child.name)
        names, skipped = expected_records(child)
        if market_id not in by_market:
            assert any(s.id == market_id and s.state == "invalid" for s in snapshot.sources), child.name
            continue
        record = by_market[market_id]
        assert [s.index for s in record.skipped] == skipped
        ours = [p for p in snapshot.plugins if p.marketplace == market_id]
        assert sorted(p.untrusted.name.orig_len for p in ours) == sorted(len(n) for n in names)
        assert len(ours) == len(names) == len(record.plugin_ids)
        assert record.entries == len(names) + len(skipped)
        for plugin in ours:
            assert plugin.id.split("#")[0].endswith(f"@{market_id}")
    totals = snapshot.totals
    assert totals.entries == totals.recorded + totals.skipped


def test_sample_follows_the_record_rule() -> None:
    snapshot = crawl(SAMPLE)
    check_record_rule(snapshot, SAMPLE)
    assert snapshot.totals.marketplaces >= 8
    assert snapshot.totals.recorded >= 60
    assert len([c for c in snapshot.categories if c.slug != "uncategorized"]) >= 10


def test_sample_covers_every_source_form_and_component_kind() -> None:
    snapshot = crawl(SAMPLE)
    kinds = {p.source.kind for p in snapshot.plugins}
    assert {"relative", "github", "url", "git-subdir", "npm", "archive", "command", "invalid_source"} <= kinds
    totals = {
        k: sum(getattr(p.counts, k) for p in snapshot.plugins)
        for k in ("commands", "agents", "skills", "hooks", "mcp_servers", "lsp_servers")
    }
    assert all(totals.values()), totals
    transports = {s.transport for p in snapshot.plugins for s in p.components.mcp_servers}
    assert {"stdio", "http", "sse"} <= transports
    assert {h.type for p in snapshot.plugins for h in p.components.hooks} >= {"command", "http"}
    broken = [p for p in snapshot.plugins if not p.valid]
    assert len(broken) >= 3, "the sample keeps a few broken entries"
    assert all(p.findings for p in broken)


def test_broken_entries_still_get_records_with_their_findings() -> None:
    snapshot = crawl(SAMPLE / "litware-ai__claude-extras")
    by_name = {p.untrusted.name.text: p for p in snapshot.plugins}
    dotdot = by_name["escape-hatch"]
    assert not dotdot.valid and dotdot.resolved.state == "invalid"
    assert any(f.code == "source.dotdot" for f in dotdot.findings)
    spaced = by_name["Quick Fixes"]
    assert not spaced.valid and spaced.install.plugin_install is None and spaced.install.note
    assert spaced.slug.endswith("/quick-fixes")
    ghost = by_name["ghost-plugin"]
    assert ghost.valid and ghost.resolved.state == "missing"
    assert [f.code for f in ghost.findings] == ["source.missing_directory"]
    conflict = by_name["strict-conflict"]
    assert conflict.resolved.conflict and any(f.code == "load.conflicting_manifests" for f in conflict.findings)
    remote = by_name["prompt-library"]
    assert remote.resolved.state == "not_fetched" and remote.source.kind == "git-subdir"
    assert remote.source.repo == "litware-ai/monorepo"
    (market,) = snapshot.marketplaces
    assert [(s.index, s.reason) for s in market.skipped] == [(10, "name_not_string")]


def test_relative_plugins_carry_inventory_and_install_commands() -> None:
    snapshot = crawl(SAMPLE / "acme-devtools__claude-plugins")
    plugin = next(p for p in snapshot.plugins if p.untrusted.name.text == "commit-coach")
    assert plugin.id == "commit-coach@acme-devtools/claude-plugins"
    assert plugin.slug == "acme-devtools/claude-plugins/commit-coach"
    assert plugin.install.marketplace_add == "/plugin marketplace add acme-devtools/claude-plugins"
    assert plugin.install.plugin_install == "/plugin install commit-coach@acme-tools"
    assert [c.untrusted.name.text for c in plugin.components.commands] == ["commit-msg"]
    assert plugin.components.agents[0].untrusted.description is not None
    assert plugin.counts.commands == 1 and plugin.counts.agents == 1
    assert plugin.resolved.manifest == "plugin.json" and plugin.resolved.plugin_dir == "plugins/commit-coach"
    notes = next(p for p in snapshot.plugins if p.untrusted.name.text == "session-notes")
    (hook,) = notes.components.hooks
    assert (hook.untrusted.event.text, hook.type, hook.loadable) == ("SessionStart", "command", True)
    assert notes.untrusted.readme_excerpt is not None


def test_categories_map_aliases_onto_the_taxonomy() -> None:
    snapshot = crawl(SAMPLE)
    by_name = {p.untrusted.name.text: p for p in snapshot.plugins}
    assert by_name["license-check"].category == "security"  # "compliance" is an alias
    assert by_name["ci-doctor"].category == "devops"  # "ci-cd"
    assert by_name["mood-ring"].category == "fun"  # not in the taxonomy: its own slug
    fun = next(c for c in snapshot.categories if c.slug == "fun")
    assert not fun.curated and fun.plugins == 1


def test_local_root_gets_a_stable_id_and_checkout_names_become_github_ids(tmp_path: Path) -> None:
    root = tmp_path / "some checkout dir"
    (root / ".claude-plugin").mkdir(parents=True)
    (root / ".claude-plugin" / "marketplace.json").write_text('{"name": "My Market", "owner": {"name": "x"}, "plugins": []}')
    sources, unusable = discover([root])
    assert [(s.id, s.origin) for s in sources] == [("local/my-market", "local")]
    folder = tmp_path / "folder"
    (folder / "octo-cat__tools" / ".claude-plugin").mkdir(parents=True)
    (folder / "octo-cat__tools" / ".claude-plugin" / "marketplace.json").write_text("{}")
    (folder / "empty-org__nothing").mkdir()
    (folder / "notes.txt").write_text("not a checkout")
    sources, unusable = discover([folder, folder / "octo-cat__tools"])
    assert [s.id for s in sources] == ["octo-cat/tools"]
    assert [u.id for u in unusable] == ["empty-org/nothing", "octo-cat/tools"]
    assert unusable[1].reason.startswith("duplicate_source")
    with pytest.raises(InputError, match="not a directory"):
        discover([tmp_path / "missing"])


@pytest.mark.parametrize(
    "name,expected",
    [
        ("anthropics__skills", "anthropics/skills"),
        ("0k-software__.github", "0k-software/.github"),
        ("a__b__c", "a/b__c"),
        ("plain", None),
        ("__x", None),
    ],
)
def test_checkout_id(name: str, expected: str | None) -> None:
    assert checkout_id(name) == expected


def test_unreadable_marketplaces_are_listed_with_their_reason(tmp_path: Path) -> None:
    for name, body in {
        "a-org__broken": b"{not json",
        "b-org__array": b"[1, 2]",
        "c-org__fine": b'{"name": "fine", "owner": {"name": "o"}, "plugins": [{"name": "p", "source": "./p"}, "junk"]}',
    }.items():
        (tmp_path / name / ".claude-plugin").mkdir(parents=True)
        (tmp_path / name / ".claude-plugin" / "marketplace.json").write_bytes(body)
    result = crawl_local([tmp_path], TAXONOMY)
    unreadable = {u.source: u.reason for u in result.report.unreadable}
    assert unreadable.keys() == {"a-org/broken", "b-org/array"}
    assert unreadable["a-org/broken"].startswith("invalid_json:syntax: .claude-plugin/marketplace.json: ")
    assert "not an object" in unreadable["b-org/array"]
    assert result.report.accounting_holds
    assert [(s.marketplace, s.index, s.reason) for s in result.report.skipped] == [("c-org/fine", 1, "entry_not_object")]
    assert {s.id: s.state for s in result.snapshot.sources} == {
        "a-org/broken": "invalid",
        "b-org/array": "invalid",
        "c-org/fine": "fresh",
    }


def test_duplicate_entry_names_each_get_a_record(tmp_path: Path) -> None:
    root = tmp_path / "dup-org__dups"
    (root / ".claude-plugin").mkdir(parents=True)
    entries = [{"name": "same", "source": "./a"}, {"name": "same", "source": "./b"}, {"name": "Same", "source": "./c"}]
    (root / ".claude-plugin" / "marketplace.json").write_text(
        json.dumps({"name": "d", "owner": {"name": "o"}, "plugins": entries})
    )
    snapshot = crawl(tmp_path)
    assert [p.id for p in snapshot.plugins] == ["same@dup-org/dups", "same@dup-org/dups#1", "Same@dup-org/dups"]
    assert len({p.slug for p in snapshot.plugins}) == 3
    assert all(not p.valid for p in snapshot.plugins[:2])  # Claude Code rejects duplicate names


def test_untrusted_text_is_normalized_and_counted(tmp_path: Path) -> None:
    root = tmp_path / "evil-org__market"
    (root / ".claude-plugin").mkdir(parents=True)
    description = "Helpful\u202e tool\u200b\x1b[31m with \U000e0041tags" + "x" * 3000
    entry = {"name": "ok", "source": "./p", "description": description, "keywords": ["a\u200d", "b"] * 30}
    (root / ".claude-plugin" / "marketplace.json").write_text(
        json.dumps({"name": "m", "owner": {"name": "o\u0007"}, "plugins": [entry]})
    )
    snapshot = crawl(tmp_path)
    (plugin,) = snapshot.plugins
    text = plugin.untrusted.description
    assert text is not None and text.truncated and text.orig_len == len(description) and len(text.text) <= 1024
    assert text.hidden_removed == 3 and text.controls_removed == 1
    assert text.text.startswith("Helpful tool with tags")
    assert len(plugin.untrusted.keywords) == 20
    assert snapshot.marketplaces[0].untrusted.owner_name.text == "o"  # type: ignore[union-attr]
    forbidden = set(range(0, 9)) | set(range(11, 32)) | {0x7F, 0x200B, 0x200D, 0x202E} | set(range(0xE0000, 0xE0080))
    for value in strings(json.loads(store.dumps(snapshot))):
        assert not forbidden & {ord(ch) for ch in value}, value[:80]


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def test_snapshot_validates_against_its_exported_json_schema() -> None:
    schema = store.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads(store.dumps(crawl(SAMPLE)))
    jsonschema.Draft202012Validator(schema).validate(data)
    data["plugins"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(data)


def test_snapshot_models_are_strict_and_frozen() -> None:
    snapshot = crawl(SAMPLE / "acme-devtools__claude-plugins")
    with pytest.raises(ValidationError, match="frozen"):
        snapshot.plugins[0].valid = False  # type: ignore[misc]
    data = json.loads(store.dumps(snapshot))
    data["plugins"][0]["errors"] = "0"
    with pytest.raises(ValidationError):
        Snapshot.model_validate_json(json.dumps(data))


def test_load_refuses_other_schema_versions_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"schema_version": 99}')
    with pytest.raises(InputError, match=r"^snapshot .*s\.json: schema_version is 99"):
        store.load(path)
    path.write_text('{"schema_version": 1, "plugins": 3}')
    with pytest.raises(InputError, match=r"^snapshot .*s\.json: \S+: "):
        store.load(path)


def test_write_atomic_keeps_the_old_file_when_the_write_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "latest.json"
    store.write_atomic(target, b"old\n")

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        store.write_atomic(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json"]


def test_committed_snapshot_is_what_the_crawl_gives_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """data/snapshots/latest.json must be regenerated (scripts/regen-sample-snapshot) when crawl output changes."""
    committed = COMMITTED.read_bytes()
    when = json.loads(committed)["generated_at"]
    epoch = int(datetime.strptime(when, "%Y-%m-%dT%H:%M:%S%z").timestamp())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    monkeypatch.chdir(REPO)
    fresh = crawl_local([Path("data/sample"), Path(".")], TAXONOMY).snapshot
    assert store.dumps(fresh) == committed, "run scripts/regen-sample-snapshot"
    assert store.dumps(store.load(COMMITTED)) == committed
    assert any(m.id == "local/agentops-index" for m in fresh.marketplaces)


def test_crawl_command_writes_snapshot_and_report(tmp_path: Path) -> None:
    out = tmp_path / "snaps" / "latest.json"
    result = CliRunner().invoke(cli, ["crawl", "--from-dir", str(SAMPLE), "--out", str(out)], env={"SOURCE_DATE_EPOCH": "0"})
    assert result.exit_code == 0, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Crawled 9 marketplaces (0 unreadable): 71 entries, 70 plugins recorded, 1 skipped in ")
    report = json.loads((out.parent / "crawl-report.json").read_text())
    assert report["accounting_holds"] and report["snapshot"] == "latest.json"
    assert json.loads(out.read_text())["generated_at"] == "1970-01-01T00:00:00Z"


def test_crawl_command_says_why_a_source_is_unreadable(tmp_path: Path) -> None:
    """The reasons were only in crawl-report.json: the first few go to stderr, one line each."""
    folder = tmp_path / "checkouts"
    for n in range(7):
        (folder / f"owner{n}__repo").mkdir(parents=True)
    shutil.copytree(SAMPLE / "acme-devtools__claude-plugins", folder / "acme-devtools__claude-plugins")
    out = tmp_path / "latest.json"
    result = CliRunner().invoke(cli, ["crawl", "--from-dir", str(folder), "--out", str(out)], env={"SOURCE_DATE_EPOCH": "0"})
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[:5] == [f"unreadable: owner{n}/repo: no_marketplace: no .claude-plugin/marketplace.json" for n in range(5)]
    assert lines[5] == f"unreadable: 2 more in {tmp_path / 'crawl-report.json'}"
    assert result.stdout.startswith("Crawled 1 marketplaces (7 unreadable): ")


def test_crawl_command_errors_are_one_line(tmp_path: Path) -> None:
    for args, message in [
        (["crawl", "--from-dir", str(tmp_path / "nope")], "not a directory"),
        (["crawl", "--sources", str(tmp_path / "none.toml")], "cannot read"),
    ]:
        result = subprocess.run(
            [sys.executable, "-m", "agentops_index", *args], capture_output=True, text=True, check=False, cwd=tmp_path
        )
        assert result.returncode == 1 and message in result.stderr
        assert result.stderr.strip().count("\n") == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "agentops_index", "crawl", "--from-dir", str(empty)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "neither a marketplace root nor a folder of checkouts" in result.stderr
    assert not (tmp_path / "data").exists()


def test_crawl_of_the_corpus_follows_the_record_rule(corpus: Path) -> None:
    snapshot = crawl(corpus)
    check_record_rule(snapshot, corpus)
    unreadable = {s.id for s in snapshot.sources if s.state == "invalid"}
    for child in corpus.iterdir():
        try:
            json.loads((child / ".claude-plugin" / "marketplace.json").read_bytes())
        except ValueError:
            assert checkout_id(child.name) in unreadable


def test_schema_command_prints_the_published_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    from agentops_index.render.site_files import schema

    assert result.exit_code == 0 and json.loads(result.output) == schema()


@pytest.mark.parametrize("version", [1, 2, 4])
def test_older_snapshots_are_read_as_the_current_version(tmp_path: Path, version: int) -> None:
    """Last night's snapshot, written before plugins recorded their dependencies and sources
    their origin (version 1), plugins their other clients (version 2), or each client's skipped
    entries (version 4), is still read: the nightly's --previous crosses each change."""
    body = json.loads(COMMITTED.read_text())
    assert body["schema_version"] == SCHEMA_VERSION == 5
    body["schema_version"] = version
    body["sources"][0]["clients"] = {"codex": {"entries": 3, "recorded": 1}}  # as version 4 wrote it
    for plugin in body["plugins"]:
        plugin.pop("clients", None)
        if version == 1:
            plugin.pop("dependencies", None)
    for source in body["sources"]:
        if version == 1:
            source.pop("origin", None)
    old = tmp_path / f"v{version}.json"
    old.write_text(json.dumps(body))
    snapshot = store.load(old)
    assert snapshot.schema_version == SCHEMA_VERSION and all(p.clients == [] for p in snapshot.plugins)
    assert version > 1 or all(p.dependencies == 0 for p in snapshot.plugins)
    assert snapshot.sources[0].clients["codex"].skipped == 2 and all(p.client == "claude" for p in snapshot.plugins)


def test_a_new_kind_of_source_is_one_class_the_crawl_takes_as_it_is() -> None:
    """A source is anything with ``gather`` (sources/read.py's ``Source``): the crawl turns what it
    gathers into a snapshot and a report like any other, with no change elsewhere. A GitLab
    source would fetch checkouts its own way, then read each root as every source does."""
    from agentops_index.crawl import crawl
    from agentops_index.snapshot import models as m
    from agentops_index.snapshot import report
    from agentops_index.snapshot.categories import Taxonomy
    from agentops_index.sources.local import LocalSource
    from agentops_index.sources.read import Gathered, read_local

    class Stub:
        def gather(self, taxonomy: Taxonomy, now: str, previous: m.Snapshot | None) -> Gathered:
            root = REPO / "data" / "sample" / "acme-devtools__claude-plugins"
            usage = report.Usage(requests=1, graphql_requests=0, rest_requests=1, graphql_points=0)
            return Gathered([read_local(LocalSource("acme-devtools/claude-plugins", root, "local"), taxonomy, now)], usage)

    result = crawl(Stub(), load_taxonomy(REPO / "data" / "categories.toml"))
    totals = result.snapshot.totals
    assert totals.marketplaces == 1 and totals.recorded > 0 and result.report.accounting_holds
    assert result.report.usage is not None and result.report.usage.requests == 1
    assert all(p.slug and p.score is not None for p in result.snapshot.plugins)  # scored and slugged by enrich
