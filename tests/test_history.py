"""History records and what the site shows from them: growth, trending, new, removed, drift."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from agentops_index.analytics import analyze, append, load_records, make_record, plugin_state, replay
from agentops_index.build import build
from agentops_index.errors import InputError
from agentops_index.snapshot import store
from agentops_index.snapshot.models import PluginRecord, Snapshot
from tests.test_render_security import assert_inert
from tests.test_search import metrics

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "data" / "snapshots" / "latest.json"
SAMPLE = store.load(COMMITTED)
HISTORY = REPO / "data" / "snapshots" / "history"


def day(snapshot: Snapshot, date: str, plugins: list[PluginRecord]) -> Snapshot:
    return snapshot.model_copy(update={"generated_at": f"{date}T00:00:00Z", "plugins": plugins})


def test_keyframe_then_changes_replay_to_the_snapshot(tmp_path: Path) -> None:
    plugins = list(SAMPLE.plugins)
    first = day(SAMPLE, "2026-11-01", plugins[:-2])
    changed = plugins[0].model_copy(update={"content_hash": "sha256:" + "f" * 64})
    second = day(SAMPLE, "2026-11-02", [changed, *plugins[1:-3], plugins[-1]])
    append(tmp_path, first)
    path, size = append(tmp_path, second)
    record = json.loads(path.read_text())
    assert "keyframe" not in record and size == len(path.read_bytes())
    assert sorted(record["added"]) == [plugins[-1].id]
    assert record["removed"] == [plugins[-3].id]
    assert record["changed"] == {plugins[0].id: {"h": "f" * 12}}
    state = replay(load_records(tmp_path))[-1].state
    assert state == {p.id: plugin_state(p) for p in second.plugins}
    again, _ = append(tmp_path, second)  # a re-run of the same day replaces its record
    assert again.read_bytes() == path.read_bytes() and len(list(tmp_path.glob("*.json"))) == 2
    with pytest.raises(InputError, match="history only grows forward"):
        append(tmp_path, day(SAMPLE, "2026-10-30", plugins))
    (tmp_path / "2026-11-03.json").write_text("{")
    with pytest.raises(InputError, match=r"2026-11-03\.json: not a readable history record"):
        load_records(tmp_path)


def test_analytics_finds_trending_new_removed_and_drift() -> None:
    a, b, c, gone = SAMPLE.plugins[:4]
    pinned = b.model_copy(
        update={
            "source": b.source.model_copy(update={"kind": "github", "repo": "o/r", "sha": "1" * 40}),
            "metrics": metrics(stars=5, head_oid="2" * 40),
        }
    )
    records = [
        make_record("2026-10-01", None, day(SAMPLE, "2026-10-01", [a.model_copy(update={"metrics": metrics(stars=10)}), gone]))
    ]
    state = replay(records)[-1].state
    later = [
        a.model_copy(
            update={"metrics": metrics(stars=25), "content_hash": "sha256:" + "a" * 64}
        ),  # stars up; files changed, version not
        pinned,
        c,
    ]
    records.append(make_record("2026-10-20", state, day(SAMPLE, "2026-10-20", later)))
    result = analyze(day(SAMPLE, "2026-10-20", later), replay(records), {"bundle": [a.id, a.id and c.id]})
    assert result.trending[30] == [{"id": a.id, "slug": a.slug, "gained": 15, "stars": 25}]
    assert result.trending[7] == result.trending[30]  # no record within 7 days: measured from the oldest one before
    assert {n["id"] for n in result.new} == {b.id, c.id}
    assert [r["id"] for r in result.removed] == [gone.id] and result.removed[0]["date"] == "2026-10-20"
    assert [d["id"] for d in result.version_drift] == [a.id]
    assert result.pinned_drift == [{"id": b.id, "slug": b.slug, "pinned": "1" * 12, "head": "2" * 12}]
    assert [s["plugins"] for s in result.series] == [2, 3] and result.has_history


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    result = build(COMMITTED, out, base_url="https://example.org/", search=False)
    assert result.warnings == []
    return out


def test_the_sample_site_shows_its_generated_history(site: Path) -> None:
    records = load_records(HISTORY)
    assert len(records) == 28 and "keyframe" in records[0]
    stats = (site / "stats" / "index.html").read_text()
    assert stats.count('<svg class="chart"') == 2 and "<summary>The numbers behind the charts</summary>" in stats
    assert stats.count("<tr><td>2026-") == len(records)
    for ghost in ("legacy-linter", "old-notes", "css-helper"):
        page = (
            site
            / "plugins"
            / next(p for p in (site / "plugins").glob(f"*/*/{ghost}")).relative_to(site / "plugins")
            / "index.html"
        )
        assert "Removed from the index on" in page.read_text()
    assert "changed its files and still says version" in stats
    home = (site / "index.html").read_text()
    assert 'id="newest"' in home
    feed = ET.parse(site / "feed.xml").getroot()
    titles = [e.findtext("{http://www.w3.org/2005/Atom}title") or "" for e in feed.iter("{http://www.w3.org/2005/Atom}entry")]
    assert {t.split(":")[0] for t in titles} == {"New", "Updated", "Removed"}


def test_a_tombstone_of_a_hostile_name_is_inert(tmp_path: Path) -> None:
    hostile = SAMPLE.plugins[0].model_copy(
        update={"id": "<script>alert(1)</script>@evil/x", "slug": "evil/x/script-alert-1-script"}
    )
    history = tmp_path / "history"
    append(history, day(SAMPLE, "2026-11-01", [*SAMPLE.plugins, hostile]))
    snapshot = tmp_path / "latest.json"
    store.write_atomic(snapshot, store.dumps(day(SAMPLE, "2026-11-02", list(SAMPLE.plugins))))
    append(history, store.load(snapshot))
    build(snapshot, tmp_path / "site", search=False, history=history)
    page = tmp_path / "site" / "plugins" / "evil" / "x" / "script-alert-1-script" / "index.html"
    html = page.read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;@evil/x" in html
    assert_inert("plugins/evil/x/script-alert-1-script/index.html", html)
