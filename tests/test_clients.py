"""Other clients' views attached to Claude records (sources/clients.py): one folder, one record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentops_index.crawl import crawl_local
from agentops_index.snapshot.categories import load_taxonomy
from agentops_index.snapshot.models import ClientCount
from tests.oracle import FORMATS

REPO = Path(__file__).resolve().parents[1]
TAXONOMY = load_taxonomy(REPO / "data" / "categories.toml")


def write(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))


def test_each_folder_is_one_record_with_every_clients_view(tmp_path: Path) -> None:
    root = tmp_path / "octo__tools"
    write(
        root / ".claude-plugin" / "marketplace.json",
        {
            "name": "tools",
            "owner": {"name": "o"},
            "plugins": [
                {"name": "lint", "source": "./plugins/lint"},
                {"name": "docs", "source": "./plugins/docs"},
            ],
        },
    )
    write(
        root / ".agents" / "plugins" / "marketplace.json",
        {
            "name": "tools-codex",
            "plugins": [
                # the same folder under another name, a folder Claude's catalog does not list, and a bad policy-free entry
                {"name": "linter", "source": {"source": "local", "path": "./plugins/lint"}},
                {"name": "extra", "source": {"source": "local", "path": "./plugins/extra"}},
            ],
        },
    )
    write(
        root / ".cursor-plugin" / "marketplace.json", {"name": "tools", "plugins": [{"name": "docs", "source": "plugins/docs"}]}
    )
    for name in ("lint", "docs", "extra"):
        write(root / "plugins" / name / ".claude-plugin" / "plugin.json", {"name": name, "version": "1.0.0"})
    write(root / "plugins" / "lint" / ".codex-plugin" / "plugin.json", {"name": "lint", "version": "1.0.0"})
    write(
        root / "plugins" / "docs" / ".cursor-plugin" / "plugin.json",
        {"name": "docs", "author": {"name": "o", "url": "https://o.test"}},
    )
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    records = {p.id: p for p in snapshot.plugins}
    # "extra" only Codex lists: a record of its own, beside the Claude records (sources/other.py)
    assert sorted(records) == ["codex:extra@octo/tools", "docs@octo/tools", "lint@octo/tools"]
    assert snapshot.marketplaces[0].other_ids == ["codex:extra@octo/tools"] and records["codex:extra@octo/tools"].valid
    lint = records["lint@octo/tools"].clients
    assert [(v.client, v.catalog, v.untrusted.entry.text, v.valid) for v in lint] == [
        ("codex", ".agents/plugins/marketplace.json", "linter", False)
    ]
    assert "does not match marketplace plugin name 'linter'" in lint[0].untrusted.problems[0].text
    assert lint[0].install == ["codex plugin marketplace add octo/tools", "codex plugin add linter@tools-codex"]
    docs = records["docs@octo/tools"].clients
    assert [(v.client, v.valid) for v in docs] == [("cursor", False)]
    assert "'url' was unexpected" in docs[0].untrusted.problems[0].text and docs[0].rules.startswith("Cursor's published schemas")
    # Every entry of every catalog is accounted for: Codex's two, one a view, one its own record.
    (source,) = snapshot.sources
    assert source.clients == {"codex": ClientCount(entries=2, recorded=2), "cursor": ClientCount(entries=1, recorded=1)}
    assert (source.entries, source.recorded, source.skipped) == (3, 3, 0)


def test_the_crawl_counts_every_entry_of_every_clients_catalog_on_the_formats_corpus(tmp_path: Path) -> None:
    """Each source's Codex and Cursor entries, counted as the catalogs hold them (a count made
    here from the JSON alone), in repositories with Claude's catalog and without; the report sums
    them, and every client's entries are recorded or skipped (tests/test_other_clients.py says
    which records a repository without Claude's catalog gets)."""
    if not (FORMATS / "marketplaces").is_dir():
        pytest.skip(f"the formats corpus is not at {FORMATS} (it lives in ../shared/corpus-formats)")
    result = crawl_local([FORMATS / "marketplaces"], TAXONOMY)
    by_id = {s.id.lower(): s for s in result.snapshot.sources}
    # The folders given a view from that client's own catalog (Codex's read of Claude's adds no entries).
    own = {"codex": ".agents/plugins/marketplace.json", "cursor": ".cursor-plugin/marketplace.json"}
    viewed: dict[str, set[tuple[str, str]]] = {"codex": set(), "cursor": set()}
    for plugin in result.snapshot.plugins:
        for view in plugin.clients:
            if view.client in own and view.catalog == own[view.client]:
                viewed[view.client].add((plugin.marketplace, str(plugin.resolved.plugin_dir)))
    for folder in sorted((FORMATS / "marketplaces").iterdir()):
        status = by_id[folder.name.replace("__", "/", 1).lower()]
        for client, catalog in (("codex", ".agents/plugins/marketplace.json"), ("cursor", ".cursor-plugin/marketplace.json")):
            if not (folder / catalog).is_file():
                # No catalog: at most the one plugin a root manifest makes (a single Cursor plugin).
                single = client == "cursor" and (folder / ".cursor-plugin" / "plugin.json").is_file()
                assert status.clients.get(client) == (ClientCount(entries=1, recorded=1, skipped=0) if single else None)
                continue
            body = json.loads((folder / catalog).read_text("utf-8"))
            listed = body.get("plugins") if isinstance(body, dict) else None
            assert status.clients[client].entries == (len(listed) if isinstance(listed, list) else 0), (folder.name, client)
            counted = status.clients[client]
            assert counted.entries == counted.recorded + counted.skipped, (folder.name, client)
    totals = result.report.clients
    assert totals == {
        client: ClientCount(
            entries=sum(s.clients[client].entries for s in result.snapshot.sources if client in s.clients),
            recorded=sum(s.clients[client].recorded for s in result.snapshot.sources if client in s.clients),
            skipped=sum(s.clients[client].skipped for s in result.snapshot.sources if client in s.clients),
        )
        for client in ("codex", "cursor", "skill", "agent-plugins")
    } | {"claude": totals["claude"]}
    # Claude Code's from its marketplaces: every entry of its catalogs, recorded or skipped.
    claude = [m for m in result.snapshot.marketplaces if m.client == "claude"]
    assert totals["claude"] == ClientCount(
        entries=sum(m.entries for m in claude),
        recorded=sum(len(m.plugin_ids) for m in claude),
        skipped=sum(len(m.skipped) for m in claude),
    )
    assert totals["claude"].entries == 159
    # Each folder with a record that a client's entry names got that client's view (and two
    # entries may name one folder).
    assert all(totals[c].recorded >= len(viewed[c]) > 0 for c in viewed), (totals, {c: len(f) for c, f in viewed.items()})
    assert totals["codex"].entries == 503 and totals["cursor"].entries == 200  # 199 catalog entries, figma's root manifest
    assert totals["agent-plugins"] == ClientCount(entries=3, recorded=3, skipped=0)  # the three root plugin.json


def test_codex_reads_claudes_catalog_when_it_has_none(tmp_path: Path) -> None:
    root = tmp_path / "octo__solo"
    write(
        root / ".claude-plugin" / "marketplace.json",
        {"name": "solo", "owner": {"name": "o"}, "plugins": [{"name": "one", "source": "./"}]},
    )
    write(root / ".claude-plugin" / "plugin.json", {"name": "one", "version": "2.0.0"})
    (plugin,) = crawl_local([tmp_path], TAXONOMY).snapshot.plugins
    assert [(v.client, v.catalog, v.valid, v.install) for v in plugin.clients] == [
        (
            "codex",
            ".claude-plugin/marketplace.json",
            True,
            ["codex plugin marketplace add octo/solo", "codex plugin add one@solo"],
        )
    ]


def test_names_that_cannot_be_typed_get_no_command(tmp_path: Path) -> None:
    root = tmp_path / "octo__odd"
    write(
        root / ".claude-plugin" / "marketplace.json",
        {"name": "odd", "owner": {"name": "o"}, "plugins": [{"name": "p", "source": "./p"}]},
    )
    write(
        root / ".agents" / "plugins" / "marketplace.json",
        {"name": "odd", "plugins": [{"name": "p; rm -rf ~", "source": {"source": "local", "path": "./p"}}]},
    )
    write(root / "p" / ".claude-plugin" / "plugin.json", {"name": "p"})
    (plugin,) = crawl_local([tmp_path], TAXONOMY).snapshot.plugins
    (view,) = plugin.clients
    assert view.install == ["codex plugin marketplace add octo/odd"] and view.untrusted.entry.text == "p; rm -rf ~"


def test_the_plugin_page_shows_each_clients_install_and_verdict(tmp_path: Path) -> None:
    from agentops_index.build import build

    test_each_folder_is_one_record_with_every_clients_view(tmp_path / "in")
    snapshot_path = tmp_path / "snapshot.json"
    crawl_local([tmp_path / "in"], TAXONOMY).write(snapshot_path)
    build(snapshot_path, tmp_path / "site", search=False)
    lint = (tmp_path / "site" / "plugins" / "octo" / "tools" / "lint" / "index.html").read_text()
    assert "In Codex" in lint and "does not install" in lint and "codex plugin add linter@tools-codex" in lint
    assert 'data-copy="Copy the Codex commands"' in lint and "By codex-cli 0.171.0&#39;s behaviour, mirrored." in lint
    assert "Codex: fails" in lint  # the summary's badge
    docs = (tmp_path / "site" / "plugins" / "octo" / "tools" / "docs" / "index.html").read_text()
    assert "In Cursor" in docs and "fails its checks" in docs and "&#39;url&#39; was unexpected" in docs


def test_a_path_the_filesystem_refuses_never_stops_a_crawl(tmp_path: Path) -> None:
    """A source naming a folder over 255 bytes made every path check raise (ENAMETOOLONG), in
    Claude Code's validator as in the other clients' readers: now it is a folder that is not there."""
    from agentops_index.manifest.validate import validate_marketplace

    root = tmp_path / "octo__long"
    long = "./" + "a" * 300
    write(
        root / ".claude-plugin" / "marketplace.json",
        {"name": "long", "owner": {"name": "o"}, "plugins": [{"name": "p", "source": long}]},
    )
    write(
        root / ".agents" / "plugins" / "marketplace.json",
        {"name": "long", "plugins": [{"name": "p", "source": {"source": "local", "path": long}}]},
    )
    write(root / ".cursor-plugin" / "marketplace.json", {"name": "long", "plugins": [{"name": "p", "source": "b" * 300}]})
    validate_marketplace(root)
    plugins = {p.id: p for p in crawl_local([tmp_path], TAXONOMY).snapshot.plugins}
    # Codex's entry names Claude's folder (no second record); Cursor's names another one.
    assert sorted(plugins) == ["cursor:p@octo/long", "p@octo/long"]
    assert all(p.resolved.state == "missing" for p in plugins.values()) and plugins["p@octo/long"].clients == []


def test_search_narrows_to_the_plugins_a_client_accepts(tmp_path: Path) -> None:
    """--client codex keeps the plugins Codex lists and installs (a query, or the plain listing);
    claude keeps every plugin; the browser's cards carry the same list."""
    from click.testing import CliRunner

    from agentops_index.cli import cli
    from agentops_index.render.browser_search import card
    from agentops_index.search.records import project_all

    root = tmp_path / "in" / "octo__both"
    write(
        root / ".claude-plugin" / "marketplace.json",
        {
            "name": "both",
            "owner": {"name": "o"},
            "plugins": [
                {"name": "lint-fixer", "source": "./lint", "description": "Fixes lint errors."},
                {"name": "lint-checker", "source": "./check", "description": "Checks lint errors."},
            ],
        },
    )
    write(
        root / ".agents" / "plugins" / "marketplace.json",
        {"name": "both", "plugins": [{"name": "lint-fixer", "source": "./lint"}]},
    )
    write(root / "lint" / ".claude-plugin" / "plugin.json", {"name": "lint-fixer"})
    write(root / "check" / ".claude-plugin" / "plugin.json", {"name": "lint-checker"})
    snapshot_path = tmp_path / "snapshot.json"
    crawl_local([tmp_path / "in"], TAXONOMY).write(snapshot_path)
    runner = CliRunner()

    def ids(*args: str) -> list[str]:
        done = runner.invoke(cli, ["search", *args, "--snapshot", str(snapshot_path), "--json"])
        assert done.exit_code == 0, done.output
        return [r["id"] for r in json.loads(done.output)["results"]]

    assert sorted(ids("lint")) == ["lint-checker@octo/both", "lint-fixer@octo/both"]
    assert ids("lint", "--client", "codex") == ["lint-fixer@octo/both"]
    assert ids("--client", "codex") == ["lint-fixer@octo/both"]
    assert ids("lint", "--client", "cursor") == []
    assert sorted(ids("lint", "--client", "claude")) == ["lint-checker@octo/both", "lint-fixer@octo/both"]
    from agentops_index.config import Ranking
    from agentops_index.snapshot import store

    cards = {c["id"]: c["clients"] for c in (card(r, Ranking()) for r in project_all(store.load(snapshot_path)))}
    assert cards == {"lint-fixer@octo/both": "claude codex", "lint-checker@octo/both": "claude"}


def test_a_name_with_a_newline_never_makes_a_command(tmp_path: Path) -> None:
    """'$' matched before a final newline: 'p\\n' passed as a plain name and a pasted command ran a
    second line. Claude Code's install command and Codex's are both refused for it now."""
    root = tmp_path / "octo__nl"
    write(
        root / ".claude-plugin" / "marketplace.json",
        {"name": "nl", "owner": {"name": "o"}, "plugins": [{"name": "p\n", "source": "./p"}]},
    )
    write(
        root / ".agents" / "plugins" / "marketplace.json",
        {"name": "nl", "plugins": [{"name": "p\n", "source": {"source": "local", "path": "./p"}}]},
    )
    write(root / "p" / ".claude-plugin" / "plugin.json", {"name": "p"})
    (plugin,) = crawl_local([tmp_path], TAXONOMY).snapshot.plugins
    assert plugin.install.plugin_install is None and plugin.install.note
    (view,) = plugin.clients
    assert view.install == ["codex plugin marketplace add octo/nl"]


def test_the_clients_command_prints_no_strangers_control_codes_and_no_unsafe_command(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from agentops_index.cli import cli

    root = tmp_path / "repo"
    hostile = "b\u001b]0;TITLE\u0007; rm -rf ~ \ud800"
    write(
        root / ".agents" / "plugins" / "marketplace.json",
        {
            "name": "m",
            "plugins": [
                {"name": hostile, "source": {"source": "local", "path": "./p"}},
                {"name": "skipped", "source": {"source": "local", "path": "p\u001b[2J"}},
            ],
        },
    )
    runner = CliRunner()
    for args in ([], ["--json"]):
        done = runner.invoke(cli, ["clients", str(root), *args])
        assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
        assert "\u001b" not in done.output and "\ud800" not in done.output
    value = json.loads(runner.invoke(cli, ["clients", str(root), "--json"]).output)
    assert [e["install"] for e in value["clients"]["codex"]["entries"]] == [None]


def test_a_repetitive_catalog_reads_each_folder_once_and_makes_one_view(tmp_path: Path, monkeypatch: Any) -> None:
    """Thousands of entries naming one folder: its manifest is read once per client, the folder
    gets one view per client, and the record stays small."""
    from agentops_index.manifest import checks, codex, cursor

    root = tmp_path / "octo__many"
    write(
        root / ".claude-plugin" / "marketplace.json",
        {"name": "many", "owner": {"name": "o"}, "plugins": [{"name": "p", "source": "./p"}]},
    )
    write(
        root / ".agents" / "plugins" / "marketplace.json",
        {"name": "many", "plugins": [{"name": f"p{i}", "source": {"source": "local", "path": "./p"}} for i in range(3000)]},
    )
    write(root / ".cursor-plugin" / "marketplace.json", {"name": "many", "plugins": [{"name": "p", "source": "p"}] * 3000})
    write(root / "p" / ".claude-plugin" / "plugin.json", {"name": "p"})
    write(root / "p" / ".codex-plugin" / "plugin.json", {"name": "p", "version": "1"})
    write(root / "p" / ".cursor-plugin" / "plugin.json", {"name": "p"})
    reads: list[str] = []
    real = checks.load_json

    def counting(path: Path, *args: Any) -> Any:
        reads.append(path.as_posix())
        return real(path, *args)

    monkeypatch.setattr(codex, "load_json", counting)
    monkeypatch.setattr(cursor, "load_json", counting)
    (plugin,) = crawl_local([tmp_path], TAXONOMY).snapshot.plugins
    assert sorted(v.client for v in plugin.clients) == ["codex", "cursor"]
    assert sum(1 for r in reads if r.endswith("p/.codex-plugin/plugin.json")) == 1
    assert sum(1 for r in reads if r.endswith("p/.cursor-plugin/plugin.json")) == 1
    assert len(codex.read(root).entries) + len(codex.read(root).dropped) == 3000
    assert len(cursor.read(root).entries) == cursor.MAX_ENTRIES  # type: ignore[union-attr]


def test_agents_read_the_views_in_the_markdown_view_and_llms_txt(tmp_path: Path) -> None:
    from agentops_index.build import build

    test_each_folder_is_one_record_with_every_clients_view(tmp_path / "in")
    snapshot_path = tmp_path / "snapshot.json"
    crawl_local([tmp_path / "in"], TAXONOMY).write(snapshot_path)
    build(snapshot_path, tmp_path / "site", search=False)
    view = (tmp_path / "site" / "plugins" / "octo" / "tools" / "lint" / "index.md").read_text()
    assert "- codex: refused by codex-cli 0.171.0's behaviour, mirrored, reading .agents/plugins/marketplace.json" in view
    assert "- codex install: `codex plugin add linter@tools-codex`" in view
    llms = (tmp_path / "site" / "llms.txt").read_text()
    assert "(2 Claude Code plugins)." in llms and "It also lists 1 plugins only Codex's catalogs offer" in llms
