"""Which listings are one plugin (identity.groups): copies collapse, and only copies.

Crafted look-alikes that must stay apart, listings that must be one plugin, and the real corpus
(../shared/corpus and ../shared/corpus-wide; skipped, saying why, when absent).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from agentops_index import identity
from agentops_index.crawl import crawl_local
from agentops_index.snapshot.categories import load_taxonomy
from agentops_index.snapshot.models import PluginRecord
from tests.records import metrics

REPO = Path(__file__).resolve().parents[1]
TAXONOMY = load_taxonomy(REPO / "data" / "categories.toml")
COMMAND = "---\ndescription: Say hello\n---\nSay hello.\n"


def market(base: Path, checkout: str, entries: list[dict[str, Any]], files: dict[str, str] | None = None) -> None:
    """A marketplace checkout ``owner__repo`` under ``base`` with these entries and files."""
    root = base / checkout
    (root / ".claude-plugin").mkdir(parents=True)
    (root / ".claude-plugin" / "marketplace.json").write_text(
        json.dumps({"name": "m", "owner": {"name": "o"}, "plugins": entries}), encoding="utf-8"
    )
    for relative, content in (files or {}).items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(content, encoding="utf-8")


def crawl(base: Path) -> dict[str, PluginRecord]:
    plugins = crawl_local([base], TAXONOMY).snapshot.plugins
    return {p.id: p for p in plugins}


def one_plugin(plugins: dict[str, PluginRecord], *ids: str) -> None:
    """The listings ``ids`` are exactly one group, and every member names all the others."""
    canonical = {plugins[i].canonical_id for i in ids}
    assert len(canonical) == 1 and None not in canonical, {i: plugins[i].canonical_id for i in ids}
    members = sorted(p.id for p in plugins.values() if p.canonical_id in canonical)
    assert members == sorted(ids)
    for i in ids:
        assert plugins[i].mirrors == [m for m in members if m != i]


def apart(plugins: dict[str, PluginRecord], *ids: str) -> None:
    assert [(i, plugins[i].canonical_id, plugins[i].mirrors) for i in ids] == [(i, None, []) for i in ids]


# --- look-alikes that are not one plugin ------------------------------------------------------


def test_the_same_relative_path_in_two_repositories_with_missing_folders(tmp_path: Path) -> None:
    # claude-mem@thedotmack/claude-mem and sdd@LiorCohen/claude-code-plugins: both "./plugin".
    market(tmp_path, "one__repo", [{"name": "claude-mem", "source": "./plugin", "description": "Memory"}])
    market(tmp_path, "two__repo", [{"name": "sdd", "source": "./plugin", "description": "Spec-driven"}])
    market(tmp_path, "three__repo", [{"name": "sdd", "source": "./plugin"}])
    plugins = crawl(tmp_path)
    assert {p.resolved.state for p in plugins.values()} == {"missing"}
    apart(plugins, "claude-mem@one/repo", "sdd@two/repo", "sdd@three/repo")


def test_the_same_relative_path_in_two_repositories_with_different_files(tmp_path: Path) -> None:
    market(tmp_path, "one__repo", [{"name": "a", "source": "./plugin"}], {"plugin/commands/a.md": COMMAND})
    market(tmp_path, "two__repo", [{"name": "b", "source": "./plugin"}], {"plugin/commands/b.md": COMMAND})
    apart(crawl(tmp_path), "a@one/repo", "b@two/repo")


def test_same_name_with_a_different_description(tmp_path: Path) -> None:
    market(tmp_path, "one__repo", [{"name": "deploy", "source": "./p", "description": "Deploys to AWS"}], {"p/x.md": "1"})
    market(tmp_path, "two__repo", [{"name": "deploy", "source": "./p", "description": "Deploys to GCP"}], {"p/x.md": "2"})
    apart(crawl(tmp_path), "deploy@one/repo", "deploy@two/repo")


def test_same_description_with_a_different_name(tmp_path: Path) -> None:
    text = "A helpful plugin for developers"
    market(tmp_path, "one__repo", [{"name": "helper", "source": "./p", "description": text}], {"p/x.md": "1"})
    market(tmp_path, "two__repo", [{"name": "assistant", "source": "./p", "description": text}], {"p/x.md": "2"})
    apart(crawl(tmp_path), "helper@one/repo", "assistant@two/repo")


def test_same_name_without_a_description(tmp_path: Path) -> None:
    # Missing, blank and punctuation-only descriptions are all empty after normalization.
    for index, description in enumerate([None, "", "   ", "...", "—"]):
        entry: dict[str, Any] = {"name": "tool", "source": "./p"}
        if description is not None:
            entry["description"] = description
        market(tmp_path, f"owner{index}__repo", [entry], {"p/x.md": str(index)})
    plugins = crawl(tmp_path)
    apart(plugins, *(f"tool@owner{i}/repo" for i in range(5)))


def test_two_remote_sources_in_different_repositories(tmp_path: Path) -> None:
    market(tmp_path, "one__repo", [{"name": "tool", "source": {"source": "github", "repo": "alice/tool"}}])
    market(tmp_path, "two__repo", [{"name": "tool", "source": {"source": "github", "repo": "bob/tool"}}])
    market(tmp_path, "three__repo", [{"name": "tool", "source": {"source": "url", "url": "https://gitlab.com/carol/tool.git"}}])
    market(tmp_path, "four__repo", [{"name": "tool", "source": {"source": "npm", "package": "@dave/tool"}}])
    apart(crawl(tmp_path), "tool@one/repo", "tool@two/repo", "tool@three/repo", "tool@four/repo")


def test_empty_files_are_not_content(tmp_path: Path) -> None:
    market(tmp_path, "one__repo", [{"name": "a", "source": "./p"}], {"p/.gitkeep": ""})
    market(tmp_path, "two__repo", [{"name": "b", "source": "./p"}], {"p/.gitkeep": ""})
    plugins = crawl(tmp_path)
    assert {p.resolved.state for p in plugins.values()} == {"local"}
    apart(plugins, "a@one/repo", "b@two/repo")


def test_entries_that_pick_different_skills_from_one_folder(tmp_path: Path) -> None:
    # anthropics/skills: several entries with source "./" and strict false, each its own skills.
    skill = "---\nname: {0}\ndescription: {0}\n---\nDo {0}.\n"
    market(
        tmp_path,
        "owner__skills",
        [
            {"name": "documents", "source": "./", "strict": False, "skills": ["./skills/pdf"]},
            {"name": "examples", "source": "./", "strict": False, "skills": ["./skills/art"]},
        ],
        {"skills/pdf/SKILL.md": skill.format("pdf"), "skills/art/SKILL.md": skill.format("art")},
    )
    apart(crawl(tmp_path), "documents@owner/skills", "examples@owner/skills")


# --- listings that are one plugin -------------------------------------------------------------


def test_the_same_github_repository_at_different_refs(tmp_path: Path) -> None:
    market(tmp_path, "one__repo", [{"name": "tool", "source": {"source": "github", "repo": "alice/tool", "ref": "v1"}}])
    market(tmp_path, "two__repo", [{"name": "alice-tool", "source": {"source": "github", "repo": "Alice/Tool", "sha": "a" * 40}}])
    market(tmp_path, "three__repo", [{"name": "t", "source": {"source": "url", "url": "https://github.com/alice/tool.git"}}])
    one_plugin(crawl(tmp_path), "tool@one/repo", "alice-tool@two/repo", "t@three/repo")


def test_the_same_npm_package_at_different_versions(tmp_path: Path) -> None:
    market(tmp_path, "one__repo", [{"name": "a", "source": {"source": "npm", "package": "@dave/tool", "version": "1.0.0"}}])
    market(tmp_path, "two__repo", [{"name": "b", "source": {"source": "npm", "package": "@dave/tool", "version": "2.0.0"}}])
    one_plugin(crawl(tmp_path), "a@one/repo", "b@two/repo")


def test_a_folder_of_a_marketplace_and_a_git_subdir_source_pointing_at_it(tmp_path: Path) -> None:
    market(tmp_path, "acme__plugins", [{"name": "lint", "source": "./plugins/lint"}], {"plugins/lint/commands/l.md": COMMAND})
    subdir = {"source": "git-subdir", "url": "https://github.com/acme/plugins", "path": "plugins/lint/"}
    market(tmp_path, "other__market", [{"name": "acme-lint", "source": subdir}])
    one_plugin(crawl(tmp_path), "lint@acme/plugins", "acme-lint@other/market")


def test_the_same_files(tmp_path: Path) -> None:
    files = {"commands/hello.md": COMMAND, ".claude-plugin/plugin.json": json.dumps({"name": "hello"})}
    market(tmp_path, "one__repo", [{"name": "hello", "source": "./plugin"}], {f"plugin/{k}": v for k, v in files.items()})
    market(tmp_path, "two__repo", [{"name": "greeter", "source": "./x/y"}], {f"x/y/{k}": v for k, v in files.items()})
    # Two names for one folder in one marketplace: aliases of one plugin.
    market(
        tmp_path,
        "three__repo",
        [{"name": "hi", "source": "./p"}, {"name": "say-hi", "source": "./p/"}],
        {f"p/{k}": v for k, v in files.items()},
    )
    one_plugin(crawl(tmp_path), "hello@one/repo", "greeter@two/repo", "hi@three/repo", "say-hi@three/repo")


def test_the_same_name_and_description_in_two_marketplaces(tmp_path: Path) -> None:
    market(
        tmp_path,
        "one__repo",
        [{"name": "pr-review-toolkit", "source": "./p", "description": "Comprehensive PR review agents."}],
        {"p/commands/a.md": COMMAND},
    )
    market(
        tmp_path,
        "two__repo",
        # Case, white space, punctuation and NFKC forms (full-width letters) do not matter.
        [{"name": "PR-Review-Toolkit", "source": "./q", "description": "  comprehensive ＰＲ review  agents"}],
        {"q/commands/b.md": "something else"},
    )
    one_plugin(crawl(tmp_path), "pr-review-toolkit@one/repo", "PR-Review-Toolkit@two/repo")


def test_groups_are_transitive(tmp_path: Path) -> None:
    # a -source- b -name and description- c -files- d: one plugin, though a and d share nothing.
    market(tmp_path, "a__m", [{"name": "alpha", "source": {"source": "github", "repo": "x/y", "ref": "v1"}}])
    market(tmp_path, "b__m", [{"name": "beta", "description": "Does beta", "source": {"source": "github", "repo": "x/y"}}])
    files = {"p/commands/c.md": COMMAND}
    market(tmp_path, "c__m", [{"name": "Beta", "description": "does beta.", "source": "./p"}], files)
    market(tmp_path, "d__m", [{"name": "delta", "source": "./p"}], files)
    plugins = crawl(tmp_path)
    one_plugin(plugins, "alpha@a/m", "beta@b/m", "Beta@c/m", "delta@d/m")
    assert plugins["alpha@a/m"].canonical_id == "Beta@c/m"  # the same first_seen and stars: by id
    summaries = {p.id: [s.summary for s in p.signals if s.code == "duplicate_of"] for p in plugins.values()}
    assert summaries == {
        "Beta@c/m": [],
        "alpha@a/m": ["another listing of an earlier plugin (same source)"],
        "beta@b/m": ["another listing of an earlier plugin (same source, same name and description)"],
        "delta@d/m": ["another listing of an earlier plugin (same files)"],
    }


def test_the_original_is_the_earliest_then_the_most_starred_and_copies_are_penalized(tmp_path: Path) -> None:
    for owner in ("a", "b", "c"):
        market(tmp_path, f"{owner}__m", [{"name": "tool", "source": {"source": "github", "repo": "x/tool"}}])
    plugins = list(crawl(tmp_path).values())
    stars = {"a/m": 5, "b/m": 50, "c/m": 500}
    seen = {"a/m": "2026-01-02T00:00:00Z", "b/m": "2026-01-01T00:00:00Z", "c/m": "2026-01-01T00:00:00Z"}
    plugins = [
        p.model_copy(update={"first_seen": seen[p.marketplace], "metrics": metrics(stars=stars[p.marketplace])}) for p in plugins
    ]
    grouped = identity.groups(plugins)
    assert {g.canonical for g in grouped.values()} == {"tool@c/m"}  # b and c came first; c has more stars
    assert grouped["tool@a/m"].mirrors == ["tool@b/m", "tool@c/m"]
    applied = {p.id: p for p in identity.apply(plugins)}
    assert [s.code for s in applied["tool@c/m"].signals if s.code == "duplicate_of"] == []
    assert all(any(s.code == "duplicate_of" for s in applied[i].signals) for i in ("tool@a/m", "tool@b/m"))
    # Crawled, the copies get the duplicate ranking penalty and the original does not.
    crawled = crawl(tmp_path)
    penalized = {i for i, p in crawled.items() if p.score and any(x.name == "duplicate" for x in p.score.penalties)}
    assert penalized == {"tool@b/m", "tool@c/m"}


def test_the_original_is_the_listing_in_the_plugins_own_repository(tmp_path: Path) -> None:
    """superpowers in the corpus: five marketplaces list obra/superpowers, one of them obra's own
    repository; with no stars to tell them apart, the id "superpowers-dev@obra/superpowers-marketplace"
    sorted first and was called the original. The author's own catalog is, else its owner's."""
    files = {"commands/c.md": COMMAND, ".claude-plugin/plugin.json": json.dumps({"name": "tool", "description": "Does tool"})}
    market(tmp_path, "x__tool", [{"name": "tool", "source": "./", "description": "Does tool"}], files)
    for owner, name in (("a", "tool"), ("b", "tool-dev"), ("x", "tool")):
        market(tmp_path, f"{owner}__m", [{"name": name, "source": {"source": "github", "repo": "x/tool"}}])
    plugins = list(crawl(tmp_path).values())
    first = "2026-01-01T00:00:00Z"
    plugins = [
        p.model_copy(update={"first_seen": "2026-02-01T00:00:00Z" if p.marketplace == "x/tool" else first}) for p in plugins
    ]
    grouped = identity.groups(plugins)
    assert {g.canonical for g in grouped.values()} == {"tool@x/tool"}  # seen last, sorted last, still the original
    # Without the author's own catalog, the owner's is the original, before "tool-dev@b/m".
    others = [p for p in plugins if p.marketplace != "x/tool"]
    assert {g.canonical for g in identity.groups(others).values()} == {"tool@x/m"}


def test_a_later_fork_listed_once_is_not_the_original(tmp_path: Path) -> None:
    """A reviewer's case: the author lists its own folder ("./"), a later marketplace lists a fork
    with the same name and description. One listing each: the repository seen first is where the
    plugin lives, so the author's own listing stays the original."""
    files = {"commands/c.md": COMMAND}
    market(tmp_path, "x__tool", [{"name": "tool", "source": "./", "description": "Does tool"}], files)
    market(tmp_path, "b__m", [{"name": "tool", "description": "Does tool", "source": {"source": "github", "repo": "b/fork"}}])
    seen = {"x/tool": "2026-01-01T00:00:00Z", "b/m": "2026-03-01T00:00:00Z"}
    plugins = [p.model_copy(update={"first_seen": seen[p.marketplace]}) for p in crawl(tmp_path).values()]
    assert {g.canonical for g in identity.groups(plugins).values()} == {"tool@x/tool"}


def test_anthropics_own_marketplaces_may_list_reserved_plugin_names(tmp_path: Path) -> None:
    """claude-code-setup, claude-md-management and claude-security in anthropics/claude-plugins-official
    were recorded as failing Claude Code's validator: validated alone, each plugin.json has a reserved
    name, and Claude Code says to validate the marketplace that lists it, which passes. The same name
    elsewhere, or under an official name in another organization, still fails."""
    files = {
        "p/.claude-plugin/plugin.json": json.dumps({"name": "claude-setup", "description": "Sets up"}),
        "p/commands/c.md": COMMAND,
    }
    for checkout, name in (
        ("anthropics__claude-plugins-official", "claude-plugins-official"),
        ("someone__plugins", "someone"),
        ("mimic__x", "claude-plugins-official"),
    ):
        root = tmp_path / checkout
        (root / ".claude-plugin").mkdir(parents=True)
        body = {"name": name, "owner": {"name": "o"}, "plugins": [{"name": "claude-setup", "source": "./p"}]}
        (root / ".claude-plugin" / "marketplace.json").write_text(json.dumps(body), encoding="utf-8")
        for relative, content in files.items():
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(content, encoding="utf-8")
    plugins = crawl(tmp_path)
    reserved = {i: any(f.code == "name.reserved" for f in p.findings) for i, p in plugins.items()}
    assert reserved == {
        "claude-setup@anthropics/claude-plugins-official": False,
        "claude-setup@someone/plugins": True,
        "claude-setup@mimic/x": True,
    }
    assert plugins["claude-setup@anthropics/claude-plugins-official"].valid
    assert not plugins["claude-setup@someone/plugins"].valid


def test_grouping_keeps_every_record(tmp_path: Path) -> None:
    files = {"p/commands/c.md": COMMAND}
    for owner in ("a", "b", "c"):
        market(tmp_path, f"{owner}__m", [{"name": "same", "source": "./p"}, {"name": f"own-{owner}", "source": "./q"}], files)
    plugins = crawl(tmp_path)
    assert len(plugins) == 6
    one_plugin(plugins, "same@a/m", "same@b/m", "same@c/m")


# --- the real corpus --------------------------------------------------------------------------


def _name_links_hold(members: list[PluginRecord]) -> bool:
    """Different names in one group are linked only through shared files or sources."""
    names = {p.id: identity.comparable(p.untrusted.name.text) for p in members}
    if len(set(names.values())) < 2:
        return True
    linked: dict[str, set[str]] = defaultdict(set)  # files/source key -> names
    for p in members:
        for key in (p.tree_hash or "").split():
            linked[key].add(names[p.id])
    reached = {next(iter(names.values()))}
    grew = True
    while grew:
        grew = False
        for group in linked.values():
            if group & reached and not group <= reached:
                reached |= group
                grew = True
    return reached == set(names.values())


@pytest.mark.slow
def test_corpus_groups(corpus: Path) -> None:
    wide = corpus.parents[1] / "corpus-wide" / "marketplaces"
    if not wide.is_dir():
        pytest.skip(f"the wide corpus is not at {wide} (it lives in ../shared/corpus-wide)")
    plugins = crawl_local([corpus, wide], TAXONOMY).snapshot.plugins
    by_id = {p.id: p for p in plugins}
    for name in ("pr-review-toolkit", "code-review"):
        a, b = by_id[f"{name}@anthropics/claude-code"], by_id[f"{name}@anthropics/claude-plugins-official"]
        assert a.canonical_id is not None and a.canonical_id == b.canonical_id, name
        assert b.id in a.mirrors and a.id in b.mirrors
    sdd, mem = by_id["sdd@LiorCohen/claude-code-plugins"], by_id["claude-mem@thedotmack/claude-mem"]
    assert sdd.canonical_id is None or sdd.canonical_id != mem.canonical_id
    assert mem.id not in sdd.mirrors
    groups: dict[str, list[PluginRecord]] = defaultdict(list)
    for plugin in plugins:
        if plugin.canonical_id:
            groups[plugin.canonical_id].append(plugin)
    mixed = [c for c, members in groups.items() if not _name_links_hold(members)]
    assert mixed == []
    for members in groups.values():
        ids = sorted(p.id for p in members)
        assert all(p.mirrors == [i for i in ids if i != p.id] for p in members)
    sizes = Counter(len(m) for m in groups.values())
    print(
        f"\n{len(plugins)} plugins, {sum(sizes.values())} groups, {sum(n * c for n, c in sizes.items())} with a canonical_id,"
        f" biggest group {max(sizes, default=0)}; sizes {sorted(sizes.items())}"
    )


def test_every_listing_page_links_the_others(tmp_path: Path) -> None:
    from agentops_index.build import build
    from agentops_index.snapshot import store

    for owner in ("a", "b", "c"):
        market(tmp_path / "in", f"{owner}__m", [{"name": "tool", "source": {"source": "github", "repo": "x/tool"}}])
    snapshot = crawl_local([tmp_path / "in"], TAXONOMY).snapshot
    (tmp_path / "snapshot.json").write_bytes(store.dumps(snapshot))
    result = build(tmp_path / "snapshot.json", tmp_path / "site", search=False)
    assert result.warnings == []
    pages = {p.id: (tmp_path / "site" / "plugins" / p.slug / "index.html").read_text() for p in snapshot.plugins}
    assert "Another listing of" not in pages["tool@a/m"]
    link = '<a href="../../../../plugins/{0}/m/tool/">tool@{0}/m</a>'
    assert f"Other listings of this plugin: {link.format('b')}, {link.format('c')}." in pages["tool@a/m"]
    for copy in ("tool@b/m", "tool@c/m"):
        assert f"Another listing of {link.format('a')}, the original" in pages[copy]
        assert f"Other listings of this plugin: {link.format('a')} (the original), " in pages[copy]
    assert 'id="one-plugin"' in (tmp_path / "site" / "about" / "index.html").read_text()


def test_statistics_count_a_plugins_other_listings_once(tmp_path: Path) -> None:
    from agentops_index.analytics import analyze

    for owner in ("a", "b", "c"):
        market(tmp_path, f"{owner}__m", [{"name": "tool", "source": {"source": "github", "repo": "x/tool"}}])
    snapshot = crawl_local([tmp_path], TAXONOMY).snapshot
    assert [(m["id"], m["count"]) for m in analyze(snapshot, []).most_combined] == [("tool@a/m", 2)]
