"""Workflow bundles: the conflict rules on crafted plugins, the sample's bundles, and the real CLI's verdict."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agentops_index.build import build
from agentops_index.bundles.fill import Builder, Bundle, build_bundles, conflict, own_problem
from agentops_index.bundles.workflows import Stage, Template, load_template, load_templates
from agentops_index.search.hits import Hit
from agentops_index.search.records import project, remote_source
from agentops_index.search.session import searcher_for
from agentops_index.snapshot import store
from agentops_index.snapshot.models import HookRecord, HookUntrusted, PluginRecord, Snapshot, Text

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "data" / "snapshots" / "latest.json"
SAMPLE = store.load(COMMITTED)
PLUGINS = {p.id: p for p in SAMPLE.plugins}
MARKETS = {m.id: m for m in SAMPLE.marketplaces}
BASE = "https://example.test/catalog/"


def text(value: str) -> Text:
    return Text(text=value, orig_len=len(value))


def plugin(pid: str, **update: Any) -> PluginRecord:
    return PLUGINS[pid].model_copy(update=update)


def rec(p: PluginRecord, market: Any = None) -> dict[str, Any]:
    """The query record bundles read (search/records.py)."""
    return project(p, market if market is not None else MARKETS.get(p.marketplace))


def hooked(pid: str, *hooks: tuple[str, str | None], loadable: bool = True) -> PluginRecord:
    records = [
        HookRecord(
            type="command",
            known_event=True,
            loadable=loadable,
            untrusted=HookUntrusted(event=text(event), file=text("hooks/hooks.json"), matcher=text(m) if m else None),
        )
        for event, m in hooks
    ]
    base = PLUGINS[pid]
    return base.model_copy(update={"components": base.components.model_copy(update={"hooks": records})})


def template(**fields: Any) -> Template:
    stage = Stage(id="only", role="Do it", query=fields.pop("query", "review"))
    return Template(id="t", title="T", description="d", pattern="sequential", keywords=(), stages=(stage,), **fields)


A, B = "commit-coach@acme-devtools/claude-plugins", "code-reviewer@northwind-labs/agent-kit"


def test_names_collide_across_picks() -> None:
    a = PLUGINS[A]
    command = a.components.commands[0].untrusted.name.text
    b = PLUGINS[B]
    assert conflict(rec(b), [rec(a)]) is None
    doc = a.components.commands[0]
    renamed = doc.model_copy(update={"untrusted": doc.untrusted.model_copy(update={"name": text(command.upper())})})
    clash = b.model_copy(update={"components": b.components.model_copy(update={"commands": [renamed]})})
    assert conflict(rec(clash), [rec(a)]) == f"its command {command!r} collides with {A}'s"
    same_entry = b.model_copy(update={"id": "commit-coach@northwind-labs/agent-kit"})
    assert conflict(rec(same_entry), [rec(a)]) == f"its name 'commit-coach' is taken by {A}"
    assert conflict(rec(a), [rec(a)]) == "already picked for another stage"


@pytest.mark.parametrize(
    ("mine", "theirs", "clash"),
    [
        (("PreToolUse", "Bash"), ("PreToolUse", "Bash|Edit"), True),  # both can block the same Bash call
        (("PreToolUse", "Bash"), ("PreToolUse", "Edit|Write"), False),  # different tools
        (("PreToolUse", "*"), ("PreToolUse", "Edit"), True),  # a wildcard matches every tool
        (("PreToolUse", None), ("PreToolUse", "Edit"), True),  # so does no matcher
        (("PreToolUse", "mcp__.*"), ("PreToolUse", "Edit"), True),  # a regex may match anything: assume it does
        (("PostToolUse", "Edit"), ("PostToolUse", "Edit"), False),  # observers do not decide
        (("UserPromptSubmit", None), ("UserPromptSubmit", None), True),
        (("Stop", None), ("SubagentStop", None), False),  # different events
    ],
)
def test_hooks_conflict_only_where_both_decide_on_the_same_calls(
    mine: tuple[str, str | None], theirs: tuple[str, str | None], clash: bool
) -> None:
    found = conflict(rec(hooked(A, mine)), [rec(hooked(B, theirs))])
    assert (found is not None) == clash, found
    if clash:
        assert found == f"its {mine[0]} hook and {B}'s can act on the same tool calls"


def test_a_hook_claude_code_would_not_load_never_conflicts() -> None:
    assert conflict(rec(hooked(A, ("PreToolUse", "Bash"), loadable=False)), [rec(hooked(B, ("PreToolUse", "Bash")))]) is None


def test_what_can_never_be_picked() -> None:
    market = MARKETS["acme-devtools/claude-plugins"]
    assert PLUGINS[A].risk == "high"
    safe = plugin(A, risk="notice")
    assert own_problem(rec(safe, market), template()) is None
    assert own_problem(rec(plugin(A, valid=False, errors=2), market), template()) == "2 validator error(s)"
    assert own_problem(rec(plugin(A, canonical_id=B), market), template()) == f"a copy of {B}"
    risky = PLUGINS[A]
    assert own_problem(rec(risky, market), template()) == "high risk, and the template does not allow high-risk picks"
    assert own_problem(rec(risky, market), template(allow_high_risk=True)) is None
    local = MARKETS["acme-devtools/claude-plugins"].model_copy(update={"origin": "local", "id": "local/x"})
    assert "local directory" in (own_problem(rec(safe, local), template()) or "")
    entry_only = plugin(A, risk="notice", resolved=PLUGINS[A].resolved.model_copy(update={"manifest": "entry"}))
    assert "entry is its manifest" in (own_problem(rec(entry_only, market), template()) or "")
    command = next(p for p in SAMPLE.plugins if p.source.kind == "command")
    assert "command source" in (own_problem(rec(command), template()) or "")


def test_sources_are_rehomed_and_pinned() -> None:
    market = MARKETS["acme-devtools/claude-plugins"].model_copy(update={"metrics": None})
    relative = plugin(A, resolved=PLUGINS[A].resolved.model_copy(update={"oid": "a" * 40}))
    assert remote_source(relative, market) == (
        {"source": "git-subdir", "url": "acme-devtools/claude-plugins", "path": "plugins/commit-coach", "sha": "a" * 40},
        "",
    )
    root = plugin(A, resolved=PLUGINS[A].resolved.model_copy(update={"plugin_dir": "."}))
    assert remote_source(root, market)[0] == {"source": "github", "repo": "acme-devtools/claude-plugins"}
    for kind in ("github", "url", "git-subdir", "npm", "archive"):
        record = next(p for p in SAMPLE.plugins if p.source.kind == kind)
        source, why = remote_source(record, MARKETS[record.marketplace])
        assert source is not None and source["source"] == kind, (kind, why)


def hit(pid: str, score: float) -> Hit:
    return Hit(
        id=pid,
        name=pid,
        description="",
        marketplace=PLUGINS[pid].marketplace,
        score=score,
        relevance=1.0,
        parts={},
        explanation="",
        record=rec(PLUGINS[pid]),
    )


def test_a_marketplace_already_used_wins_a_near_tie() -> None:
    with searcher_for(SAMPLE, COMMITTED) as searcher:
        builder = Builder(searcher)
    best, near = A, "test-planner@northwind-labs/agent-kit"
    chosen, alternatives, _ = builder.choose([hit(best, 1.0), hit(near, 0.9)], [], {"northwind-labs/agent-kit"})
    assert chosen is not None and chosen.id == near and [h.id for h in alternatives] == [best]
    chosen, _, _ = builder.choose([hit(best, 1.0), hit(near, 0.8)], [], {"northwind-labs/agent-kit"})
    assert chosen is not None and chosen.id == best  # too far below the best: quality first


@pytest.fixture(scope="module")
def sample_bundles(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Bundle, dict[str, Any]]]:
    path = tmp_path_factory.mktemp("bundles") / "latest.json"
    path.write_bytes(COMMITTED.read_bytes())
    with searcher_for(SAMPLE, path) as searcher:
        return build_bundles(searcher, load_templates(), BASE)


def test_every_template_gets_a_bundle_of_compatible_picks(sample_bundles: list[tuple[Bundle, dict[str, Any]]]) -> None:
    templates = {t.id: t for t in load_templates()}
    assert [b.id for b, _ in sample_bundles] == sorted(templates)
    for bundle, manifest in sample_bundles:
        picks = [PLUGINS[p.id] for p in bundle.plugins]
        records = [rec(p) for p in picks]
        for i, record in enumerate(records):
            assert record["valid"] and own_problem(record, templates[bundle.id]) is None
            assert conflict(record, records[:i]) is None, (bundle.id, record["id"])
        assert bundle.context_tokens == sum(p.context_tokens for p in picks)
        assert bundle.marketplaces == sorted({p.marketplace for p in picks})
        assert bundle.success_rate is None and bundle.usage_count is None  # no recorded runs yet
        assert [e["name"] for e in manifest["plugins"]] == [p.id.split("@")[0] for p in picks]
        assert bundle.install[0] == f"/plugin marketplace add {BASE}bundles/{bundle.id}/marketplace.json"
        for stage in [*bundle.stages, *([bundle.aggregate] if bundle.aggregate else [])]:
            assert (stage.pick is None) == bool(stage.note), stage
            assert len(stage.alternatives) <= 2 and all(
                a.id != (stage.pick.id if stage.pick else None) for a in stage.alternatives
            )


def test_sample_bundles_shape_flags_and_empty_stages(sample_bundles: list[tuple[Bundle, dict[str, Any]]]) -> None:
    bundles = {b.id: b for b, _ in sample_bundles}
    deploy = bundles["build-test-deploy"].as_json()
    assert deploy["workflow"] == "sequential" and deploy["if"] is None
    assert [(s["id"], s["input"], s["output"]) for s in deploy["stages"]] == [
        ("build", None, "${build.output}"),
        ("test", "${build.output}", "${test.report}"),
        ("deploy", "${test.report}", None),
    ]
    gate = bundles["quality-gate"]
    assert gate.workflow == "parallel" and gate.aggregate is not None
    assert gate.aggregate.input == "${security.findings}, ${performance.findings}, ${quality.findings}"
    green = bundles["release-if-green"].as_json()
    assert (green["if"], green["when"], green["then"], green["else"]) == ("test", "passes", ["deploy"], ["debug", "fix"])
    assert {s["id"]: s["input"] for s in green["stages"]}["deploy"] == "${test.result}"
    # The data pipeline's query stage has only a high-risk candidate: reported, not filled.
    pipeline = bundles["data-pipeline"]
    assert not pipeline.complete and pipeline.empty_stages == ["query"]
    assert "sql-helper@contoso-data/data-plugins: high risk" in (pipeline.stages[0].note or "")
    # Incident response allows high-risk picks, and flags whichever it makes.
    incident = bundles["incident-response"]
    risky = [p for p in incident.plugins if PLUGINS[p.id].risk == "high"]
    assert incident.flags == [f"{p.id}: high risk: allowed by this template; read its signals before installing" for p in risky]


def test_a_template_that_allows_high_risk_picks_and_flags_them(tmp_path: Path) -> None:
    (tmp_path / "hunt.toml").write_text(
        'id = "hunt"\ntitle = "Hunt"\ndescription = "d"\npattern = "sequential"\nallow_high_risk = true\n'
        '[[stages]]\nid = "bisect"\nrole = "Bisect"\nquery = "reproduce a bug and bisect it"\n'
    )
    path = tmp_path / "latest.json"
    path.write_bytes(COMMITTED.read_bytes())
    with searcher_for(SAMPLE, path) as searcher:
        ((bundle, _),) = build_bundles(searcher, [load_template(tmp_path / "hunt.toml")], BASE)
    pick = bundle.stages[0].pick
    assert pick is not None and pick.id == "bug-hunter@northwind-labs/agent-kit" and PLUGINS[pick.id].risk == "high"
    assert bundle.flags == [f"{pick.id}: high risk: allowed by this template; read its signals before installing"]


def test_a_stage_nothing_matches_is_left_empty(tmp_path: Path) -> None:
    (tmp_path / "odd.toml").write_text(
        'id = "odd"\ntitle = "Odd"\ndescription = "d"\npattern = "sequential"\n'
        '[[stages]]\nid = "teleport"\nrole = "Teleport"\nquery = "quantum teleportation"\n'
        '[[stages]]\nid = "review"\nrole = "Review"\nquery = "review"\n'
    )
    path = tmp_path / "latest.json"
    path.write_bytes(COMMITTED.read_bytes())
    with searcher_for(SAMPLE, path) as searcher:
        ((bundle, manifest),) = build_bundles(searcher, [load_template(tmp_path / "odd.toml")], BASE)
    assert bundle.empty_stages == ["teleport"] and bundle.stages[0].note == "no plugin matches this stage well enough"
    assert bundle.stages[1].pick is not None and len(manifest["plugins"]) == 1


@pytest.mark.parametrize(
    ("query", "require", "picked"),
    [
        ("test and deploy", "", "deploy-preview@acme-devtools/claude-plugins"),  # the best match
        ("test and deploy", 'require = ["changelog"]\n', "release-checklist@acme-devtools/claude-plugins"),  # says it
        ("test and deploy", 'require = ["teleport"]\n', None),  # no plugin says it: the stage is left empty, saying so
        # "release" is a search synonym of "deploy", but a required word must be said itself: on the
        # corpus, "Deploy the release" picked a changelog generator that says "release notes".
        ("release deploy", "", "release-checklist@acme-devtools/claude-plugins"),
        ("release deploy", 'require = ["deploy"]\n', "deploy-preview@acme-devtools/claude-plugins"),
    ],
)
def test_a_stage_picks_only_a_plugin_that_says_one_of_its_required_words(
    tmp_path: Path, query: str, require: str, picked: str | None
) -> None:
    (tmp_path / "ship.toml").write_text(
        'id = "ship"\ntitle = "Ship"\ndescription = "d"\npattern = "sequential"\nallow_high_risk = true\n'
        f'[[stages]]\nid = "ship"\nrole = "Ship"\nquery = "{query}"\n' + require
    )
    path = tmp_path / "latest.json"
    path.write_bytes(COMMITTED.read_bytes())
    with searcher_for(SAMPLE, path) as searcher:
        ((bundle, _),) = build_bundles(searcher, [load_template(tmp_path / "ship.toml")], BASE)
    stage = bundle.stages[0]
    assert (stage.pick.id if stage.pick else None) == picked
    assert picked is not None or stage.note == "no plugin matches this stage well enough"


def test_a_stage_whose_category_holds_nothing_about_it_searches_every_category_in_bundles_and_discover(
    tmp_path: Path,
) -> None:
    """A reviewer found the two widening differently: discover searched every category when
    nothing in the stage's fitted it, the bundles only when the category held no plugin at all,
    so the sample's one integrations plugin (about something else) left the bundle's stage empty
    while discover filled it."""
    from agentops_index.assistant.discover import discover

    (tmp_path / "v.toml").write_text(
        'id = "v"\ntitle = "V"\ndescription = "d"\npattern = "sequential"\nkeywords = ["validate"]\n'
        '[[stages]]\nid = "validate"\nrole = "Validate the data"\nquery = "validate data contracts schema"\n'
        'category = "integrations"\n'
    )
    path = tmp_path / "latest.json"
    path.write_bytes(COMMITTED.read_bytes())
    template = load_template(tmp_path / "v.toml")
    with searcher_for(SAMPLE, path) as searcher:
        assert searcher.query(template.stages[0].query, category="integrations", any_word=True).results  # not empty
        ((bundle, _),) = build_bundles(searcher, [template], BASE)
        plan = discover("validate my data", searcher, templates=[template])
    stage = bundle.stages[0]
    assert stage.pick is not None and stage.pick.id == "data-contracts@contoso-data/data-plugins"
    assert "none in integrations, so searched every category" in stage.pick.rationale
    assert plan["workflow"] is not None and plan["workflow"]["stages"][0]["pick"]["id"] == stage.pick.id


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site") / "site"
    build(COMMITTED, site, base_url=BASE, search=False)
    return site


def test_bundle_pages_api_and_home(built_site: Path) -> None:
    api = json.loads((built_site / "api/v1/bundles.json").read_text())
    assert [b["id"] for b in api["bundles"]] == [t.id for t in load_templates()]
    for entry in api["bundles"]:
        html = (built_site / "bundles" / entry["id"] / "index.html").read_text()
        assert '<svg class="diagram"' in html and 'role="img"' in html
        for line in entry["install"]:
            assert line.replace("&", "&amp;") in html
        for stage in entry["stages"]:
            assert f"{stage['id']}: " in html
    home = (built_site / "index.html").read_text()
    complete = [b["id"] for b in api["bundles"] if b["complete"]]
    assert all(f'bundles/{bid}/"' in home for bid in complete)


@pytest.mark.cli
def test_the_real_cli_accepts_every_bundle(built_site: Path, claude_cli: Any, tmp_path: Path) -> None:
    """`claude plugin validate` passes each generated marketplace.json, and `marketplace add` of it,
    served over loopback HTTP, succeeds (Claude Code 2.1.328, throwaway HOME)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(built_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {"HOME": str(claude_cli.home), "PATH": os.environ.get("PATH", ""), "NO_COLOR": "1"}
    try:
        for manifest in sorted(built_site.glob("bundles/*/marketplace.json")):
            folder = tmp_path / manifest.parent.name / ".claude-plugin"
            folder.mkdir(parents=True)
            (folder / "marketplace.json").write_bytes(manifest.read_bytes())
            code, report = claude_cli.validate(folder.parent)
            assert code == 0 and report["manifest"]["errors"] == [] and report["manifest"]["warnings"] == [], report
            url = f"http://127.0.0.1:{server.server_address[1]}/bundles/{manifest.parent.name}/marketplace.json"
            done = subprocess.run(
                [str(claude_cli.binary), "plugin", "marketplace", "add", url],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
                check=False,
            )
            name = json.loads(manifest.read_text())["name"]
            assert done.returncode == 0 and f"Successfully added marketplace: {name}" in done.stdout, done.stdout + done.stderr
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        return


def test_bundles_are_deterministic(sample_bundles: list[tuple[Bundle, dict[str, Any]]], tmp_path: Path) -> None:
    path = tmp_path / "latest.json"
    path.write_bytes(COMMITTED.read_bytes())
    snapshot: Snapshot = store.load(path)
    with searcher_for(snapshot, path) as searcher:
        again = build_bundles(searcher, list(reversed(load_templates())), BASE)
    assert sorted((b.as_json() for b, _ in again), key=lambda b: b["id"]) == [b.as_json() for b, _ in sample_bundles]
