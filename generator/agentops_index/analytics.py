"""History and analytics: how the index changes from run to run.

**History** is a folder of compact, append-only records, one per day a snapshot was taken
(``<folder>/YYYY-MM-DD.json``, canonical JSON, so git stores each night as one small file):

- the first record is a *keyframe*: every plugin's state;
- every later one holds only what changed: plugins ``added`` (with their state), ``removed``
  (ids), ``changed`` (only the fields that changed), plus the day's ``totals`` (per category
  and per component kind; per marketplace totals are derived from the plugin ids).

A plugin's state is small: ``h`` (content hash, 12 hex digits), ``s`` (stars, or null), ``v``
(declared version), ``c`` (category), ``g`` (page slug), ``m`` (marketplace). At 1% of 30,000
plugins changing a night, a record is tens of kilobytes, far under the ~1 MB a night budget.

**Analytics** replays the records into growth series, 7- and 30-day trending (stars gained),
new and removed plugins (removed ones keep a tombstone page), version drift (content changed
and the declared version did not) and pinned-SHA drift (a source pins a commit its repository
has moved past), and adds what the current snapshot and bundles say: category distribution,
top marketplaces, top authors, most-combined plugins.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import NotRequired, cast

from pydantic import BaseModel, ConfigDict
from typing_extensions import TypedDict  # pydantic reads typing's TypedDict only from Python 3.12

from agentops_index.errors import InputError
from agentops_index.snapshot.models import PluginRecord, Snapshot
from agentops_index.snapshot.store import write_atomic

HISTORY_FORMAT = 1
TOP = 10


class State(TypedDict, total=False):
    """A plugin on one day, in short keys (a changed record holds only the keys that changed)."""

    h: str  # content hash, 12 hex digits
    s: int | None  # stars
    v: str | None  # version
    c: str  # category
    g: str  # slug
    m: str  # marketplace
    gone: str  # the day it was removed (tombstones only)


class HistoryTotals(TypedDict):
    plugins: int
    marketplaces: int
    valid: int
    by_category: dict[str, int]
    by_component: dict[str, int]


class HistoryRecord(TypedDict):
    """One day's file of data/snapshots/history/: a keyframe, or the changes since the day before."""

    format: int
    date: str
    totals: HistoryTotals
    keyframe: NotRequired[dict[str, State]]
    added: NotRequired[dict[str, State]]
    removed: NotRequired[list[str]]
    changed: NotRequired[dict[str, State]]


def plugin_state(plugin: PluginRecord) -> State:
    return {
        "h": plugin.content_hash.split(":", 1)[-1][:12],
        "s": plugin.metrics.stars if plugin.metrics else None,
        "v": plugin.untrusted.version.text if plugin.untrusted.version else None,
        "c": plugin.category,
        "g": plugin.slug,
        "m": plugin.marketplace,
    }


def totals(snapshot: Snapshot) -> HistoryTotals:
    kinds: Counter[str] = Counter()
    for plugin in snapshot.plugins:
        for kind, count in plugin.counts.model_dump().items():
            kinds[kind] += count
    return {
        "plugins": len(snapshot.plugins),
        "marketplaces": len(snapshot.marketplaces),
        "valid": sum(1 for p in snapshot.plugins if p.valid),
        "by_category": dict(sorted(Counter(p.category for p in snapshot.plugins).items())),
        "by_component": dict(sorted(kinds.items())),
    }


def make_record(day: str, previous: dict[str, State] | None, snapshot: Snapshot) -> HistoryRecord:
    """The record for ``day``: a keyframe without a previous state, else the changes since it."""
    current = {p.id: plugin_state(p) for p in snapshot.plugins}
    record: HistoryRecord = {"format": HISTORY_FORMAT, "date": day, "totals": totals(snapshot)}
    if previous is None:
        record["keyframe"] = dict(sorted(current.items()))
        return record
    record["added"] = {pid: current[pid] for pid in sorted(current.keys() - previous.keys())}
    record["removed"] = sorted(previous.keys() - current.keys())
    changed: dict[str, State] = {}
    for pid in sorted(current.keys() & previous.keys()):
        diff = cast(State, {k: v for k, v in current[pid].items() if previous[pid].get(k) != v})
        if diff:
            changed[pid] = diff
    record["changed"] = changed
    return record


@dataclass(slots=True)
class Day:
    date: str
    totals: HistoryTotals
    state: dict[str, State]
    added: list[str]
    removed: list[str]
    changed: dict[str, State]


def _apply(state: dict[str, State], record: HistoryRecord) -> dict[str, State]:
    if "keyframe" in record:
        return {pid: State(**s) for pid, s in record["keyframe"].items()}
    out = {pid: State(**s) for pid, s in state.items()}
    for pid in record.get("removed", []):
        out.pop(pid, None)
    for pid, diff in record.get("changed", {}).items():
        if pid in out:
            out[pid].update(diff)
    for pid, s in record.get("added", {}).items():
        out[pid] = State(**s)
    return out


def load_records(folder: Path) -> list[HistoryRecord]:
    """Every record in ``folder``, oldest first; a file that does not parse is an error naming it."""
    records: list[HistoryRecord] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            record = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: not a readable history record ({exc})") from exc
        if not isinstance(record, dict) or record.get("format") != HISTORY_FORMAT or record.get("date") != path.stem:
            raise InputError(f"{path}: format/date: expected format {HISTORY_FORMAT} and the date of its file name")
        records.append(cast(HistoryRecord, record))
    return records


def replay(records: list[HistoryRecord]) -> list[Day]:
    days: list[Day] = []
    state: dict[str, State] = {}
    for record in records:
        state = _apply(state, record)
        days.append(
            Day(
                record["date"],
                record["totals"],
                state,
                sorted(record.get("added", {})) if "keyframe" not in record else [],
                list(record.get("removed", [])),
                dict(record.get("changed", {})),
            )
        )
    return days


def append(folder: Path, snapshot: Snapshot) -> tuple[Path, int]:
    """Write the record of the snapshot's day (replacing that day's, so a re-run is idempotent)."""
    day = snapshot.generated_at[:10]
    records = load_records(folder)
    earlier = [r for r in records if r["date"] < day]
    later = [r for r in records if r["date"] > day]
    if later:
        raise InputError(f"{folder}: has records after {day} ({later[0]['date']}); history only grows forward")
    previous = replay(earlier)[-1].state if earlier else None
    record = make_record(day, previous, snapshot)
    data = (json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")
    path = folder / f"{day}.json"
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)
    return path, len(data)


# --- analytics -----------------------------------------------------------------------------------


class Point(TypedDict):
    date: str
    plugins: int
    marketplaces: int
    valid: int
    added: int
    removed: int


class Gain(TypedDict):
    id: str
    slug: str
    gained: int
    stars: int


class Listed(TypedDict):
    id: str
    slug: str
    date: str


class Gone(Listed):
    marketplace: str
    last: State


class Drift(Listed):
    version: str | None


class Pinned(TypedDict):
    id: str
    slug: str
    pinned: str  # the commit the marketplace pins, 12 hex digits
    head: str  # the repository's head now


class MarketCount(TypedDict):
    id: str
    slug: str
    plugins: int
    stars: int | None


class Combined(TypedDict):
    id: str
    slug: str
    count: int


class Analytics(BaseModel):
    model_config = ConfigDict(extra="forbid")
    series: list[Point] = []
    trending: dict[int, list[Gain]] = {}  # window days -> the plugins that gained most stars
    new: list[Listed] = []  # newest first
    removed: list[Gone] = []  # tombstones
    version_drift: list[Drift] = []
    pinned_drift: list[Pinned] = []
    categories: list[tuple[str, int]] = []
    top_marketplaces: list[MarketCount] = []
    top_authors: list[tuple[str, int]] = []
    most_combined: list[Combined] = []

    @property
    def has_history(self) -> bool:
        return len(self.series) > 1


def _day_offset(day: str, days: int) -> str:
    return (date.fromisoformat(day) - timedelta(days=days)).isoformat()


def analyze(snapshot: Snapshot, days: list[Day], bundle_picks: dict[str, list[str]] | None = None) -> Analytics:
    """Everything the stats page and the home page show about change, from the replayed history."""
    out = Analytics()
    live = {p.id: p for p in snapshot.plugins}
    for day in days:
        out.series.append(
            {
                "date": day.date,
                "plugins": day.totals["plugins"],
                "marketplaces": day.totals["marketplaces"],
                "valid": day.totals["valid"],
                "added": len(day.added),
                "removed": len(day.removed),
            }
        )
    if days:
        latest = days[-1]
        for window in (7, 30):
            since = _day_offset(latest.date, window)
            base = next((d.state for d in reversed(days) if d.date <= since), days[0].state)
            gains: list[Gain] = []
            for pid, s in latest.state.items():
                before = base.get(pid, {}).get("s")
                stars = s.get("s")
                if stars is not None and before is not None and stars > before and pid in live:
                    gains.append({"id": pid, "slug": s["g"], "gained": stars - before, "stars": stars})
            out.trending[window] = sorted(gains, key=lambda g: (-g["gained"], g["id"]))[:TOP]
        first_seen: dict[str, str] = {}
        last_state: dict[str, State] = {}
        for index, day in enumerate(days):
            for pid in day.added:
                first_seen.setdefault(pid, day.date)
            for pid in day.removed:
                previous = days[index - 1].state.get(pid) if index else None
                if previous:
                    last_state[pid] = {**previous, "gone": day.date}
            for pid, diff in day.changed.items():
                if "h" in diff and "v" not in diff and pid in day.state:
                    out.version_drift.append(
                        {"id": pid, "slug": day.state[pid]["g"], "date": day.date, "version": day.state[pid].get("v")}
                    )
        listed: list[Listed] = [{"id": pid, "slug": live[pid].slug, "date": d} for pid, d in first_seen.items() if pid in live]
        out.new = sorted(
            listed,
            key=lambda n: (n["date"], n["id"]),
            reverse=True,
        )[: TOP * 2]
        out.removed = sorted(
            (
                {"id": pid, "slug": s["g"], "date": s["gone"], "marketplace": s["m"], "last": s}
                for pid, s in last_state.items()
                if pid not in live
            ),
            key=lambda r: (r["date"], r["id"]),
            reverse=True,
        )
        out.version_drift.sort(key=lambda d: (d["date"], d["id"]), reverse=True)
    for plugin in snapshot.plugins:
        sha = plugin.source.sha
        head = plugin.metrics.head_oid if plugin.metrics else None
        if sha and head and head != sha:
            out.pinned_drift.append({"id": plugin.id, "slug": plugin.slug, "pinned": sha[:12], "head": head[:12]})
    out.categories = sorted(Counter(p.category for p in snapshot.plugins).items(), key=lambda kv: (-kv[1], kv[0]))
    markets: list[MarketCount] = [
        {
            "id": m.id,
            "slug": m.slug,
            "plugins": len(m.plugin_ids),
            "stars": m.metrics.stars if m.metrics else None,
        }
        for m in snapshot.marketplaces
        if m.plugin_ids
    ]
    out.top_marketplaces = sorted(markets, key=lambda m: (-m["plugins"], -(m["stars"] or 0), m["id"]))[:TOP]
    authors = Counter(
        " ".join(p.untrusted.author.text.split())[:64]
        for p in snapshot.plugins
        if p.untrusted.author and p.untrusted.author.text.strip()
    )
    out.top_authors = sorted(authors.items(), key=lambda kv: (-kv[1], kv[0].lower()))[:TOP]
    combined: Counter[str] = Counter()
    for plugin in snapshot.plugins:
        if plugin.mirrors and plugin.canonical_id == plugin.id:
            # Every listing of a plugin names the others; count them once, on the original.
            combined[plugin.id] += len(plugin.mirrors)
    for picks in (bundle_picks or {}).values():
        for pid in picks:
            combined[pid] += 1
    out.most_combined = [
        Combined(id=pid, slug=live[pid].slug, count=n)
        for pid, n in sorted(combined.items(), key=lambda kv: (-kv[1], kv[0]))
        if pid in live
    ][:TOP]
    return out
