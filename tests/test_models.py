"""Tolerant models: each entry stands alone, every source form, strict and pluginRoot rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_index.manifest.checks import Sink
from agentops_index.manifest.components import inventory
from agentops_index.manifest.findings import Report
from agentops_index.manifest.models import effective_manifest, github_repo, parse_marketplace
from agentops_index.manifest.validate import check_marketplace

SHA = "a" * 40


def parsed(value: dict) -> tuple:  # type: ignore[type-arg]
    report = Report("x")
    check_marketplace(Sink(report), value, None)
    return parse_marketplace(value, report), report


def market(*plugins: object, **extra: object) -> dict:  # type: ignore[type-arg]
    return {"name": "m", "owner": {"name": "o"}, "description": "d", "plugins": list(plugins), **extra}


def test_every_source_form() -> None:
    value = market(
        {"name": "rel", "source": "./plugins/rel"},
        {"name": "dot", "source": "."},
        {"name": "bare", "source": "bare"},
        {"name": "gh", "source": {"source": "github", "repo": "o/r", "ref": "v1", "sha": SHA}},
        {"name": "url", "source": {"source": "url", "url": "https://github.com/o/r.git", "path": "x"}},
        {"name": "gitlab", "source": {"source": "url", "url": "https://gitlab.com/o/r.git"}},
        {"name": "sub", "source": {"source": "git-subdir", "url": "o/r", "path": "plugins/p"}},
        {"name": "npm", "source": {"source": "npm", "package": "@o/p", "version": "^1"}},
        {"name": "zip", "source": {"source": "archive", "url": "https://x.example/p.zip", "sha256": "0" * 64}},
        {"name": "cmd", "source": {"source": "command", "command": "echo /tmp"}},
        {"name": "pip", "source": {"source": "pip", "package": "p"}},
        {"name": "bad", "source": "plugins/x"},
        metadata={"pluginRoot": "./plugins"},
    )
    market_model, _report = parsed(value)
    kinds = {e.name: (e.source.kind, e.source.path, e.source.repo) for e in market_model.entries}
    assert kinds == {
        "rel": ("relative", "./plugins/rel", None),
        "dot": ("relative", ".", None),
        "bare": ("relative", "./plugins/bare", None),
        "gh": ("github", None, "o/r"),
        "url": ("url", "x", "o/r"),
        "gitlab": ("url", None, None),
        "sub": ("git-subdir", "plugins/p", "o/r"),
        "npm": ("npm", None, None),
        "zip": ("archive", None, None),
        "cmd": ("command", None, None),
        "pip": ("unsupported", None, None),
        "bad": ("invalid_source", "plugins/x", None),
    }
    assert [e.valid for e in market_model.entries].count(False) == 2  # pip and bad, nothing else


def test_record_rule_skips_only_entries_without_a_string_name() -> None:
    model, _ = parsed(market({"name": "a", "source": "../x"}, {"source": "./y"}, "str", {"name": 5, "source": "./z"}))
    assert [e.name for e in model.entries] == ["a"]
    assert model.skipped == [(1, "name_not_string"), (2, "entry_not_object"), (3, "name_not_string")]
    assert not model.entries[0].valid  # kept, with its findings


@pytest.mark.parametrize(
    "url,repo",
    [
        ("https://github.com/o/r.git", "o/r"),
        ("git@github.com:o/r.git", "o/r"),
        ("o/r", "o/r"),
        ("https://github.com.evil.example/o/r", None),
        ("https://gitlab.com/o/r", None),
        ("o/r/../../x", None),
    ],
)
def test_github_repo(url: str, repo: str | None) -> None:
    assert github_repo(url) == repo


def test_strict_rules() -> None:
    model, _ = parsed(
        market(
            {"name": "a", "source": "./a", "commands": ["./extra.md"], "hooks": {"Stop": []}},
            {"name": "b", "source": "./b", "strict": False},
            {"name": "c", "source": "./c", "strict": False, "skills": ["./s"]},
        )
    )
    a, b, c = model.entries
    merged, conflict = effective_manifest(a, {"name": "a", "commands": ["./cmd.md"], "hooks": {"Start": []}})
    assert conflict is None and merged["commands"] == ["./cmd.md", "./extra.md"] and set(merged["hooks"]) == {"Start", "Stop"}
    assert effective_manifest(b, {"name": "b"}) == ({"name": "b"}, None)
    assert "conflicting manifests" in (effective_manifest(c, {"name": "c"})[1] or "")
    assert effective_manifest(c, None)[0]["skills"] == ["./s"]  # no plugin.json: the entry is the manifest


def test_inventory_replace_add_merge(tmp_path: Path) -> None:
    for relative, text in {
        "commands/a.md": "---\ndescription: A\n---\n",
        "alt/b.md": "---\ndescription: B\n---\n",
        "agents/r.md": "---\nname: reviewer\ndescription: R\n---\n",
        "skills/s1/SKILL.md": "---\nname: s1\ndescription: S1\n---\n",
        "more/s2/SKILL.md": "---\nname: s2\ndescription: S2\n---\n",
        "hooks/hooks.json": '{"hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "x"}]}]}, "PreToolUse": []}',
        ".mcp.json": '{"mcpServers": {"a": {"command": "npx", "args": ["pkg"]}}}',
    }.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    manifest = {
        "commands": ["./alt/b.md"],
        "skills": ["./more"],
        "mcpServers": {"b": {"type": "http", "url": "https://x.example"}},
        "hooks": {"hooks": {"Stop": [{"hooks": [{"type": "http", "url": "https://x.example"}]}]}},
    }
    inv = inventory(tmp_path, manifest)
    assert [c.name for c in inv.commands] == ["b"]  # replaced
    assert [a.name for a in inv.agents] == ["reviewer"]
    assert sorted(s.name for s in inv.skills) == ["s1", "s2"]  # added
    assert sorted((h.event, h.type) for h in inv.hooks) == [("SessionStart", "command"), ("Stop", "http")]
    assert sorted((m.name, m.transport) for m in inv.mcp_servers) == [("a", "stdio"), ("b", "http")]  # merged


def test_a_loaded_snapshot_shares_equal_texts_and_writes_the_same_bytes(tmp_path: Path) -> None:
    """store.load reads equal third-party strings as one frozen Text (memory), which changes
    neither what the models say nor the bytes written back; Texts made elsewhere stay apart."""
    from agentops_index.snapshot import models as m
    from agentops_index.snapshot import store

    committed = Path(__file__).resolve().parents[1] / "data" / "snapshots" / "latest.json"
    snapshot = store.load(committed)
    texts = [k for p in snapshot.plugins for k in p.untrusted.keywords]
    by_value: dict[str, list[m.Text]] = {}
    for text in texts:
        by_value.setdefault(text.text, []).append(text)
    repeated = [same for same in by_value.values() if len(same) > 1]
    assert repeated and all(all(t is same[0] for t in same) for same in repeated)
    copy = tmp_path / "latest.json"
    store.write_atomic(copy, store.dumps(snapshot))
    assert store.dumps(store.load(copy)) == store.dumps(snapshot)
    assert m.Text.of("shared") == m.Text.of("shared") and m.Text.of("shared") is not m.Text.of("shared")
