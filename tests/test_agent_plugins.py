"""Agent Plugins 1.0 root plugin.json: manifest/agentplugins.py against the schema verdicts recorded
for the real ones (../shared/corpus-formats/oracle/*.agent-plugins-schema.json), on crafted and
hostile ones, and sources/agentplugin.py's records from a checkout."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from agentops_index.crawl import crawl_local
from agentops_index.manifest import agentplugins
from agentops_index.snapshot.categories import load_taxonomy
from agentops_index.snapshot.models import ClientCount
from tests.oracle import FORMATS, formats_oracle

REPO = Path(__file__).resolve().parents[1]
TAXONOMY = load_taxonomy(REPO / "data" / "categories.toml")
SCHEMA = agentplugins.PLUGIN_SCHEMA_ID


@pytest.mark.parametrize("folder", formats_oracle(".agent-plugins-schema.json"))
def test_agrees_with_the_schema_verdicts_on_every_real_manifest(folder: str) -> None:
    if folder == "(absent)":
        pytest.skip(f"the formats corpus is not at {FORMATS} (it lives in ../shared/corpus-formats)")
    verdict = json.loads((FORMATS / "oracle" / f"{folder}.agent-plugins-schema.json").read_text())
    found = agentplugins.read(FORMATS / "marketplaces" / folder)
    assert found is not None
    assert found.valid == verdict["valid"]
    for file in verdict["files"]:
        mine = [p for p in found.problems if p.file == file["file"] and p.severity == "error"]
        assert len(mine) == len(file["errors"]), (file["file"], mine)
    assert (found.mcp is not None) == any(f["file"] == "mcp.json" for f in verdict["files"])


def plugin(root: Path, manifest: Any, mcp: Any = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "plugin.json").write_text(manifest if isinstance(manifest, str) else json.dumps(manifest))
    if mcp is not None:
        (root / "mcp.json").write_text(mcp if isinstance(mcp, str) else json.dumps(mcp))
    return root


def errors(root: Path) -> list[tuple[str, str]]:
    found = agentplugins.read(root)
    assert found is not None
    return [(p.file, p.path) for p in found.problems if p.severity == "error"]


def test_only_a_manifest_naming_the_format_is_one(tmp_path: Path) -> None:
    assert agentplugins.read(plugin(tmp_path / "a", {"name": "x"})) is None  # Copilot's, or anyone's
    assert agentplugins.read(plugin(tmp_path / "b", {"$schema": "https://json.schemastore.org/x.json", "name": "x"})) is None
    assert agentplugins.read(plugin(tmp_path / "c", "{not json")) is None
    assert agentplugins.read(plugin(tmp_path / "d", [SCHEMA])) is None
    good = agentplugins.read(plugin(tmp_path / "e", {"$schema": SCHEMA, "name": "tackroom"}))
    assert good is not None and good.valid and good.name == "tackroom"


def test_the_manifest_rules(tmp_path: Path) -> None:
    # Another version of the format claims it, and fails 1.0.0's exact $schema.
    assert errors(plugin(tmp_path / "v", {"$schema": agentplugins.PREFIX + "1.1.0/plugin.schema.json", "name": "x"})) == [
        ("plugin.json", "/$schema")
    ]
    for bad in ("Upper", "a--b", "a..b", "-a", "a.", "", "x" * 65, "snake_case"):
        assert set(errors(plugin(tmp_path / "n", {"$schema": SCHEMA, "name": bad}))) == {("plugin.json", "/name")}, bad
    for fine in ("a", "a.b-c", "x" * 64, "v2.0"):
        assert errors(plugin(tmp_path / "n", {"$schema": SCHEMA, "name": fine})) == [], fine
    assert errors(plugin(tmp_path / "m", {"$schema": SCHEMA})) == [("plugin.json", "")]  # name is required
    wrong = {
        "$schema": SCHEMA,
        "name": "x",
        "author": {"name": "a", "twitter": "@a"},
        "keywords": ["k", 3],
        "extensions": {"a.b": 1},
    }
    assert errors(plugin(tmp_path / "w", wrong)) == [
        ("plugin.json", "/author"),
        ("plugin.json", "/extensions/a.b"),
        ("plugin.json", "/keywords/1"),
    ]


def test_an_unknown_top_level_key_is_reported_and_ignored_as_the_spec_says(tmp_path: Path) -> None:
    found = agentplugins.read(plugin(tmp_path, {"$schema": SCHEMA, "name": "x", "commands": "./commands"}))
    assert found is not None and found.valid
    assert [(p.severity, p.path) for p in found.problems] == [("warning", "")] and "commands" in found.problems[0].message


def test_the_mcp_rules(tmp_path: Path) -> None:
    mcp_id = agentplugins.MCP_SCHEMA_ID
    servers = {
        "ok-local": {"type": "stdio", "command": "./bin/server", "args": ["--x"], "cwd": "${PLUGIN_ROOT}/data"},
        "ok-path": {"type": "stdio", "command": "uvx"},
        "ok-remote": {"type": "streamable-http", "url": "https://mcp.example.com/mcp", "headers": {"X": "y"}},
        "ok-loopback": {"type": "sse", "url": "http://127.0.0.1:8080/sse"},
        "two-tokens": {"type": "stdio", "command": "npx -y some-server"},
        "escapes": {"type": "stdio", "command": "./../../bin/sh"},
        "placeholder": {"type": "stdio", "command": "${PLUGIN_ROOT}/run"},
        "plain-http": {"type": "streamable-http", "url": "http://mcp.example.com/mcp"},
        "reserved-env": {"type": "stdio", "command": "x", "env": {"PLUGIN_ROOT": "/"}},
        "no-type": {"command": "x"},
    }
    root = plugin(tmp_path, {"$schema": SCHEMA, "name": "x"}, {"$schema": mcp_id, "mcpServers": servers})
    bad = {path.split("/")[2] for _file, path in errors(root) if path.startswith("/mcpServers/")}
    assert bad == {"two-tokens", "escapes", "placeholder", "plain-http", "reserved-env", "no-type"}
    assert errors(plugin(tmp_path / "s", {"$schema": SCHEMA, "name": "x"}, {"mcpServers": {}})) == [("mcp.json", "")]
    assert errors(plugin(tmp_path / "j", {"$schema": SCHEMA, "name": "x"}, "{oops")) == [("mcp.json", "")]


def test_a_linked_mcp_file_is_never_followed_and_never_passes(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"$schema": "x"}')
    root = plugin(tmp_path / "p", {"$schema": SCHEMA, "name": "x"})
    os.symlink(secret, root / "mcp.json")
    found = agentplugins.read(root)
    assert found is not None and found.mcp is None and found.unjudged and not found.valid


def test_hostile_manifests_never_raise(tmp_path: Path) -> None:
    for number, body in enumerate(
        [
            {"$schema": SCHEMA, "name": "x", "keywords": ["k"] * 10_000, "author": [1] * 100},
            {"$schema": SCHEMA, **{f"k{i}": i for i in range(5000)}},
            {"$schema": SCHEMA + "\u202e", "name": "\x1b[31mx"},
        ]
    ):
        found = agentplugins.read(
            plugin(tmp_path / str(number), body, {"$schema": 1, "mcpServers": {str(i): [] for i in range(500)}})
        )
        assert found is not None and len(found.problems) <= 2 * agentplugins.MAX_PROBLEMS


def test_a_root_agent_plugin_is_one_record_with_the_skills_and_servers_the_format_loads(tmp_path: Path) -> None:
    root = plugin(
        tmp_path / "octo__kit",
        {"$schema": SCHEMA, "name": "kit", "description": "A kit.", "keywords": ["k"]},
        {
            "$schema": agentplugins.MCP_SCHEMA_ID,
            "mcpServers": {"api": {"type": "streamable-http", "url": "https://x.example/mcp"}},
        },
    )
    for name in ("one", "two"):
        (root / "skills" / name).mkdir(parents=True)
        (root / "skills" / name / "SKILL.md").write_text(f"---\nname: {name}\ndescription: Skill {name}.\n---\nbody\n")
    (root / "skills" / "deep" / "nested").mkdir(parents=True)  # one level only (§6.1)
    (root / "skills" / "deep" / "nested" / "SKILL.md").write_text("---\nname: nested\ndescription: d\n---\n")
    (root / "commands").mkdir()
    (root / "commands" / "go.md").write_text("Claude's, not the format's")
    (root / ".mcp.json").write_text(json.dumps({"mcpServers": {"claude-only": {"command": "x"}}}))
    (root / "README.md").write_text("# Kit\n")
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    (record,) = snapshot.plugins
    assert record.id == "agent-plugins:kit@octo/kit" and record.client == "agent-plugins" and record.valid
    assert (record.counts.skills, record.counts.commands, record.counts.mcp_servers) == (2, 0, 1)
    assert [c.client for c in record.clients] == ["agent-plugins"] and record.clients[0].install == []
    assert record.untrusted.description is not None and record.untrusted.description.text == "A kit."
    (market,) = snapshot.marketplaces
    assert market.client == "agent-plugins" and market.plugin_ids == [record.id]
    (status,) = snapshot.sources
    assert status.clients["agent-plugins"].entries == 1 and "skill" not in status.clients


def test_an_invalid_root_agent_plugin_is_recorded_invalid_with_findings(tmp_path: Path) -> None:
    plugin(tmp_path / "octo__bad", {"$schema": SCHEMA, "name": "Bad Name", "author": {"handle": "x"}})
    (record,) = crawl_local([tmp_path], TAXONOMY).snapshot.plugins
    # A name that is no id falls back to the repository's; the findings say what the spec refuses.
    assert record.id == "agent-plugins:Bad Name@octo/bad" and not record.valid
    assert {f.code for f in record.findings} == {"agent_plugins.invalid"} and record.errors == 2


def test_a_catalogs_folder_that_is_also_an_agent_plugin_gets_its_view_not_a_second_record(tmp_path: Path) -> None:
    root = plugin(tmp_path / "octo__both", {"$schema": SCHEMA, "name": "both", "author": {"handle": "x"}})
    (root / ".claude-plugin").mkdir()
    catalog = {"name": "both", "owner": {"name": "o"}, "plugins": [{"name": "both", "source": "./", "description": "d"}]}
    (root / ".claude-plugin" / "marketplace.json").write_text(json.dumps(catalog))
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    (record,) = snapshot.plugins
    assert record.id == "both@octo/both" and record.client == "claude"
    (view,) = [v for v in record.clients if v.client == "agent-plugins"]
    assert view.valid is False and view.rules == agentplugins.RULES and "/author" in view.untrusted.problems[0].text
    (status,) = snapshot.sources
    assert status.clients["agent-plugins"].entries == status.clients["agent-plugins"].recorded == 1


def test_the_clients_command_shows_the_agent_plugins_verdict(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from agentops_index.cli import cli

    root = plugin(tmp_path / "p", {"$schema": SCHEMA, "name": "p", "extra": 1}, {"$schema": "nope", "mcpServers": {}})
    done = CliRunner().invoke(cli, ["clients", str(root)])
    assert done.exit_code == 1, done.output
    assert "Agent Plugins plugin.json: plugin p, fail, 1 error" in done.output
    assert "mcp.json /$schema" in done.output and "plugin.json (document): Additional properties" in done.output


def _cursor_single(root: Path, manifest: dict[str, Any]) -> Path:
    (root / ".cursor-plugin").mkdir(parents=True)
    (root / ".cursor-plugin" / "plugin.json").write_text(json.dumps(manifest))
    (root / "mcp.json").write_text(json.dumps({"mcpServers": {"api": {"url": "https://x.example/mcp"}}}))
    (root / "skills" / "one").mkdir(parents=True)
    (root / "skills" / "one" / "SKILL.md").write_text("---\nname: one\ndescription: Skill one.\n---\nbody\n")
    return root


def test_a_single_cursor_plugin_at_a_repositorys_root_is_one_cursor_record(tmp_path: Path) -> None:
    """Cursor's template makes a one-plugin repository by moving the plugin to the root and dropping
    the catalog: that repository is one Cursor record, judged by Cursor's plugin schema."""
    _cursor_single(tmp_path / "octo__solo", {"name": "solo", "description": "One plugin."})
    _cursor_single(tmp_path / "octo__bad", {"name": "bad", "author": {"name": "a", "url": "https://a.example"}})
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    records = {p.id: p for p in snapshot.plugins}
    assert sorted(records) == ["cursor:bad@octo/bad", "cursor:solo@octo/solo"]  # its skills are the plugin's
    solo = records["cursor:solo@octo/solo"]
    assert solo.valid and solo.client == "cursor" and (solo.counts.skills, solo.counts.mcp_servers) == (1, 1)
    assert [(v.client, v.catalog, v.valid) for v in solo.clients] == [("cursor", ".cursor-plugin/plugin.json", True)]
    bad = records["cursor:bad@octo/bad"]
    assert not bad.valid and {f.code for f in bad.findings} == {"cursor.refused"} and "url" in bad.findings[0].message
    assert all(s.clients.get("cursor") == ClientCount(entries=1, recorded=1, skipped=0) for s in snapshot.sources)


def test_a_root_agent_plugin_with_cursors_manifest_beside_it_has_both_verdicts(tmp_path: Path) -> None:
    root = _cursor_single(tmp_path / "octo__both", {"name": "both"})
    plugin(root, {"$schema": SCHEMA, "name": "both"})
    (record,) = crawl_local([tmp_path], TAXONOMY).snapshot.plugins
    assert record.id == "agent-plugins:both@octo/both" and [v.client for v in record.clients] == ["agent-plugins", "cursor"]


def test_the_site_says_a_single_cursor_plugin_and_a_root_agent_plugin_have_no_catalog(tmp_path: Path) -> None:
    from agentops_index.build import build
    from agentops_index.snapshot import store

    _cursor_single(tmp_path / "in" / "octo__solo", {"name": "solo"})
    plugin(tmp_path / "in" / "octo__ap", {"$schema": SCHEMA, "name": "ap"})
    snapshot = tmp_path / "latest.json"
    store.write_atomic(snapshot, store.dumps(crawl_local([tmp_path / "in"], TAXONOMY).snapshot))
    build(snapshot, tmp_path / "site", search=False)
    solo = (tmp_path / "site" / "marketplaces" / "octo" / "solo" / "index.html").read_text()
    assert "A single Cursor plugin: this repository has no plugin catalog" in solo and "rules for its catalog" not in solo
    ap = (tmp_path / "site" / "plugins" / "octo" / "ap" / "agent-plugins-ap" / "index.html").read_text()
    assert "An Agent Plugins 1.0 plugin: no plugin catalog lists it" in ap and "In the repository" in ap
