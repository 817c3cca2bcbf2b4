"""manifest/codex.py against what the real Codex CLI did (../shared/corpus-formats/oracle) and
against the behaviours FORMATS.md records from probes of the same CLI."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from agentops_index.manifest import codex
from tests.oracle import FORMATS, formats_oracle


@pytest.mark.parametrize("folder", formats_oracle(".codex.json"))
def test_agrees_with_codex_on_every_real_catalog(folder: str) -> None:
    """The catalog read, accepted or refused, the name, every entry listed (kind, version and
    policies) and every local install's outcome, as codex-cli 0.171.0 had them."""
    if folder == "(absent)":
        pytest.skip(f"the formats corpus is not at {FORMATS} (it lives in ../shared/corpus-formats)")
    verdict = json.loads((FORMATS / "oracle" / f"{folder}.codex.json").read_text())
    summary = verdict["summary"]
    got = codex.read(FORMATS / "marketplaces" / folder)
    assert got.accepted == (verdict["exit"] == 0), got.error
    if not got.accepted:
        assert got.error and got.error in verdict["steps"][0]["stderr"]
        return
    assert (got.file, got.name) == (summary["file_codex_read"], summary["marketplace_name"])
    listing = next(s for s in verdict["steps"] if " plugin list" in s["command"])
    listed = {e["name"]: e for e in listing["stdout_json"]["available"]}
    mine = {e.name: e for e in got.entries}
    assert sorted(mine) == sorted(listed)
    for name, theirs in listed.items():
        entry = mine[name]
        assert entry.kind == ("local" if theirs["source"]["source"] == "local" else "git"), name
        assert (entry.installation, entry.authentication) == (theirs["installPolicy"], theirs["authPolicy"]), name
        if entry.kind == "local":
            assert entry.version == theirs["version"], name
            assert theirs["source"]["path"].endswith("/" + entry.path if entry.path != "." else folder), name
    tried = 0
    for step in verdict["steps"]:
        match = re.search(r" plugin add (\S+)@", step["command"])
        if match:
            tried += 1
            entry = mine[match.group(1)]
            assert entry.installs == (step["exit"] == 0), (entry.name, entry.error, step["stderr"][:200])
            if entry.error:
                assert entry.error.split(": ")[0] in step["stderr"], (entry.error, step["stderr"][:200])
    assert tried == summary["install_ok"] + summary["install_failed"]


# --- what FORMATS.md records from probes of the CLI ------------------------------------------


def repo(
    tmp_path: Path, catalog: Any, plugins: dict[str, dict[str, Any] | None] | None = None, file: str = codex.CODEX_CATALOG
) -> Path:
    """A repository with one catalog (a value, or raw text) and plugin folders (name -> manifest, None: no manifest)."""
    path = tmp_path / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(catalog if isinstance(catalog, str) else json.dumps(catalog))
    for folder, manifest in (plugins or {}).items():
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        if manifest is not None:
            (tmp_path / folder / ".codex-plugin").mkdir()
            (tmp_path / folder / ".codex-plugin" / "plugin.json").write_text(json.dumps(manifest))
    return tmp_path


def local(name: str, path: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "source": {"source": "local", "path": path or f"./plugins/{name}"}, **extra}


@pytest.mark.parametrize(
    ("catalog", "error"),
    [
        ("{not json", "invalid marketplace file"),
        ({"plugins": []}, "missing field `name`"),
        ({"name": "M M", "plugins": []}, "invalid marketplace name"),
        ({"name": "a.b", "plugins": []}, "invalid marketplace name"),
        ({"name": "openai-bundled", "plugins": []}, "is reserved"),
        ({"name": "m"}, "missing field `plugins`"),
        ({"name": "m", "plugins": {"a": {}}}, "expected a sequence"),
        ({"name": "m", "plugins": [{"name": "a"}]}, "missing field `source`"),
        ({"name": "m", "plugins": [local("a"), local("b", policy={"installation": "MAYBE"})]}, "unknown variant `MAYBE`"),
        ({"name": "m", "plugins": [local("a", policy={"authentication": 3})]}, "unknown variant `int`"),
    ],
)
def test_whole_catalog_refusals(tmp_path: Path, catalog: Any, error: str) -> None:
    got = codex.read(repo(tmp_path, catalog))
    assert not got.accepted and error in (got.error or "")
    # Nothing installs from it: each local entry it lists carries the refusal.
    assert all(e.installs is False and e.error == got.error for e in got.entries)


def test_names_codex_accepts(tmp_path: Path) -> None:
    got = codex.read(
        repo(tmp_path, {"name": "a-b_C", "plugins": [local("P_x")]}, {"plugins/P_x": {"name": "P_x", "version": "1.0.0"}})
    )
    assert got.accepted and [(e.name, e.version, e.installs) for e in got.entries] == [("P_x", "1.0.0", True)]


def test_entries_codex_does_not_list(tmp_path: Path) -> None:
    """Paths without ./ or outside the repository, unknown source kinds, and a second entry of a name."""
    catalog = {
        "name": "m",
        "plugins": [
            local("a"),
            {"name": "b", "source": {"source": "local", "path": "plugins/b"}},
            {"name": "c", "source": {"source": "local", "path": "./../c"}},
            {"name": "d", "source": {"source": "github", "repo": "o/d"}},
            {"name": "e", "source": "plugins/e"},
            local("a", "./plugins/other"),
            {"name": "f", "source": {"source": "git-subdir", "url": "https://example.test/r.git", "path": "./x"}},
            {"name": "g", "source": {"source": "url", "url": "https://example.test/g.git"}},
        ],
    }
    got = codex.read(repo(tmp_path, catalog, {"plugins/a": {"name": "a", "version": "1"}}))
    assert [(e.name, e.kind, e.installs) for e in got.entries] == [("a", "local", True), ("f", "git", None), ("g", "git", None)]
    assert [name for name, _ in got.dropped] == ["b", "c", "d", "e", "a"]


def test_install_outcomes(tmp_path: Path) -> None:
    catalog = {
        "name": "m",
        "plugins": [
            local("ok"),
            local("missing"),
            local("renamed"),
            local("blank"),
            local("closed", policy={"installation": "NOT_AVAILABLE", "authentication": "ON_USE"}),
            local("bare"),
        ],
    }
    plugins = {
        "plugins/ok": {"name": "ok", "version": "2.0.0"},
        "plugins/renamed": {"name": "other", "version": "1.0.0"},
        "plugins/blank": {"name": "blank", "version": " "},
        "plugins/closed": {"name": "closed", "version": "1.0.0"},
        "plugins/bare": None,
    }
    got = {e.name: e for e in codex.read(repo(tmp_path, catalog, plugins)).entries}
    assert got["ok"].installs and got["ok"].version == "2.0.0"
    assert not got["missing"].installs and "not a directory" in (got["missing"].error or "")
    assert not got["renamed"].installs and "does not match marketplace plugin name" in (got["renamed"].error or "")
    assert not got["blank"].installs and "must not be blank" in (got["blank"].error or "")
    assert not got["closed"].installs and "not available for install" in (got["closed"].error or "")
    assert (got["closed"].installation, got["closed"].authentication) == ("NOT_AVAILABLE", "ON_USE")
    assert got["bare"].installs and got["bare"].version is None


def test_catalog_precedence_and_cursor_bare_folders(tmp_path: Path) -> None:
    """Codex prefers its own catalog, then Claude's, then Cursor's; a Cursor catalog names folders bare."""
    repo(
        tmp_path,
        {"name": "cursor-side", "plugins": [{"name": "x", "source": "x"}]},
        {"x": {"name": "x", "version": "1"}},
        codex.CURSOR_CATALOG,
    )
    got = codex.read(tmp_path)
    assert (got.file, [e.name for e in got.entries]) == (codex.CURSOR_CATALOG, ["x"])
    repo(
        tmp_path,
        {"name": "claude-side", "owner": {"name": "o"}, "plugins": [{"name": "y", "source": "y"}]},
        file=codex.CLAUDE_CATALOG,
    )
    got = codex.read(tmp_path)
    assert (
        got.file == codex.CLAUDE_CATALOG
        and got.entries == []
        and got.dropped == [("y", "local plugin source path must start with './'")]
    )
    repo(tmp_path, {"name": "own", "plugins": []})
    assert codex.read(tmp_path).file == codex.CODEX_CATALOG
    assert codex.read(tmp_path / "nowhere").error == "marketplace root does not contain a supported manifest"


@pytest.mark.parametrize(
    ("catalog", "entries"),
    [
        ("[]", 0),
        ("null", 0),
        ('{"name": "m", "plugins": [1, "x", null]}', 0),
        ('{"name": "m", "plugins": [{"name": 5, "source": "./a"}]}', 0),
        ('{"name": "m", "plugins": [{"name": "a", "source": {"source": "local"}}]}', 0),
        ('{"name": "m", "plugins": [{"name": "a", "source": {"source": "url", "url": 7}}]}', 0),
        ('{"name": "m", "plugins": [{"name": "a", "source": ["./a"], "policy": "x"}]}', 0),
        ('{"name": ["m"], "plugins": []}', 0),
        ("\ufeff{}", 0),
        ('{"name": "m", "plugins": [{"name": "a", "source": "./a"}]}' + " " * 10, 1),
        ('{"name": "openai-curated", "plugins": [{"name": "a", "source": "./a"}]}', 1),  # refused: its entry says so
    ],
)
def test_never_raises_on_what_strangers_publish(tmp_path: Path, catalog: str, entries: int) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / ".codex-plugin").mkdir()
    (tmp_path / "a" / ".codex-plugin" / "plugin.json").write_text('{"name": ["a"], "version": {"x": 1}}')
    got = codex.read(repo(tmp_path, catalog))
    assert got.file == codex.CODEX_CATALOG and len(got.entries) == entries
    for entry in got.entries:  # the one folder that exists has a manifest whose version is not a string
        assert entry.installs is False
        assert entry.error in ("invalid plugin version in plugin.json: expected string", got.error)


def test_links_inside_the_repository_are_not_judged_rather_than_misjudged(tmp_path: Path) -> None:
    """Codex follows a link; we never do. A linked catalog or manifest is 'not judged', not read
    past (which would report another catalog, or a missing manifest, as Codex's verdict)."""
    root = repo(tmp_path / "one", {"name": "m", "plugins": [local("a")]}, {"plugins/a": {"name": "a", "version": "1"}})
    (root / "real.json").write_text('{"name": "n", "plugins": []}')
    write_claude = root / ".claude-plugin"
    write_claude.mkdir()
    (write_claude / "marketplace.json").write_text('{"name": "c", "owner": {"name": "o"}, "plugins": []}')
    os.replace(root / codex.CODEX_CATALOG, root / "kept.json")
    os.symlink(root / "real.json", root / codex.CODEX_CATALOG)
    got = codex.read(root)
    assert got.unjudged and got.file == codex.CODEX_CATALOG and got.entries == []
    other = repo(tmp_path / "two", {"name": "m", "plugins": [local("a")]}, {"plugins/a": None})
    (other / "plugins" / "a" / ".codex-plugin").mkdir()
    (other / "elsewhere.json").write_text('{"name": "a", "version": "1"}')
    os.symlink(other / "elsewhere.json", other / "plugins" / "a" / ".codex-plugin" / "plugin.json")
    (entry,) = codex.read(other).entries
    assert entry.installs is None and entry.error and entry.error.startswith("not judged")


def test_paths_a_filesystem_refuses_and_links_out_of_the_repository(tmp_path: Path) -> None:
    """A name over 255 bytes, a link out of the repository anywhere on the way (the catalog's own
    folder, or a plugin folder's parent): never read, never raised on."""
    outside = tmp_path / "outside"
    (outside / "sub" / ".codex-plugin").mkdir(parents=True)
    (outside / "sub" / ".codex-plugin" / "plugin.json").write_text('{"name": "secret-name", "version": "9"}')
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink(outside, root / "lnk")
    catalog = {"name": "m", "plugins": [local("long", "./" + "a" * 300), local("linked", "./lnk/sub")]}
    got = codex.read(repo(root, catalog))
    assert [(e.name, e.installs) for e in got.entries] == [("long", False), ("linked", False)]
    assert not any("secret-name" in (e.error or "") for e in got.entries)
    # A catalog reached through a linked folder is not read at all.
    linked = tmp_path / "linked-catalog"
    linked.mkdir()
    (outside / "plugins").mkdir()
    (outside / "plugins" / "marketplace.json").write_text('{"name": "elsewhere", "plugins": []}')
    (linked / ".agents").mkdir()
    os.symlink(outside / "plugins", linked / ".agents" / "plugins")
    assert codex.read(linked).unjudged  # said so, not read and not looked past


# --- the clients command: every client's view of one repository ------------------------------


def test_clients_command_reports_each_client_by_its_own_rules(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from agentops_index.cli import cli

    root = tmp_path / "repo"
    (root / ".claude-plugin").mkdir(parents=True)
    (root / ".claude-plugin" / "marketplace.json").write_text(
        json.dumps(
            {
                "name": "shop",
                "owner": {"name": "o"},
                "metadata": {"description": "Tools."},
                "plugins": [{"name": "tool", "source": "./plugins/tool"}],
            }
        )
    )
    (root / "plugins" / "tool" / ".claude-plugin").mkdir(parents=True)
    (root / "plugins" / "tool" / ".claude-plugin" / "plugin.json").write_text(
        json.dumps({"name": "tool", "version": "1.0.0", "description": "A tool.", "author": {"name": "o"}})
    )
    (root / "plugins" / "tool" / "skills" / "tidy").mkdir(parents=True)
    (root / "plugins" / "tool" / "skills" / "tidy" / "SKILL.md").write_text("---\nname: tidy\ndescription: Tidies.\n---\n")
    runner = CliRunner()
    done = runner.invoke(cli, ["clients", str(root), "--json"])
    assert done.exit_code == 0, done.output
    value = json.loads(done.output)["clients"]
    assert value["claude"]["verdict"] == "pass" and value["claude"]["rules"].startswith("claude plugin validate")
    # Codex has no catalog of its own here: it reads Claude's, and says so.
    assert value["codex"]["catalog"] == codex.CLAUDE_CATALOG and value["codex"]["reads_another_clients_catalog"]
    assert [(e["name"], e["version"], e["installs"]) for e in value["codex"]["entries"]] == [("tool", "1.0.0", True)]
    assert value["codex"]["entries"][0]["install"] == "codex plugin add tool@shop"
    assert "cursor" not in value
    assert value["agent-skills"]["skills"] == [
        {"folder": "plugins/tool/skills/tidy", "name": "tidy", "valid": True, "errors": []}
    ]
    text = runner.invoke(cli, ["clients", str(root)])
    assert (
        text.exit_code == 0 and "Codex        reads .claude-plugin/marketplace.json (it has no catalog of its own)" in text.output
    )
    # A Cursor catalog that breaks Cursor's closed schema fails the command, and says where.
    (root / ".cursor-plugin").mkdir()
    (root / ".cursor-plugin" / "marketplace.json").write_text(json.dumps({"name": "shop", "version": "1", "plugins": []}))
    failing = runner.invoke(cli, ["clients", str(root)])
    assert failing.exit_code == 1 and "Additional properties are not allowed ('version' was unexpected)" in failing.output
    empty = runner.invoke(cli, ["clients", str(tmp_path / "repo" / "plugins" / "tool" / ".claude-plugin")])
    assert empty.exit_code == 1 and "no catalog of Claude Code, Codex or Cursor" in empty.output
