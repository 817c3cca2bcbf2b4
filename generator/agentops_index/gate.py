"""The publish gate: refuse a snapshot that would silently shrink the index (SECURITY.md §6.4).

A candidate passes only if all of these hold against the previous snapshot, counting the
sources that have had good data (see below):

1. at least 90% of sources are fresh, or stale with their last good data;
2. fewer than 20% of sources became invalid in this run;
3. the plugin count fell by less than 10%, not counting confirmed removals (sources
   removed after three tombstones take their plugins with them);
4. the accounting identity holds (entries = recorded + skipped);
5. at least half of the sources were refreshed in this run: a run that reached almost
   nothing (an outage) would only publish stale marks, so it is held back too.

The checks judge loss, not history: a source with no good data in either snapshot (never
readable: a dead repository on the source list, a marketplace.json that never parsed) has
nothing to lose, so it counts in no check and the verdict lists it apart. A source list full of
dead repositories does not hold the nightly back, while a source that had data and loses it
still counts. When no source has ever been readable, nothing may be published.

The site checks of §6.4 (links, pages) belong to ``build --strict`` and ``check-site``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agentops_index.snapshot.models import Snapshot

MIN_AVAILABLE = 0.90
MAX_NEWLY_INVALID = 0.20
MAX_SHRINK = 0.10
MIN_FRESH = 0.50


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    passed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Uncounted:
    """A source that counts in no check: never readable, in this snapshot or the previous one."""

    id: str
    state: str
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Verdict:
    checks: list[Check]
    never_readable: list[Uncounted] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def as_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in self.checks],
            "never_readable": [{"id": u.id, "state": u.state, "last_error": u.last_error} for u in self.never_readable],
        }


def judge(candidate: Snapshot, previous: Snapshot | None) -> Verdict:
    """Every check of the gate, passed or not."""
    with_data = {m.id.lower() for m in candidate.marketplaces}
    had_data = with_data | ({m.id.lower() for m in previous.marketplaces} if previous else set())
    live = [s for s in candidate.sources if s.state != "removed"]
    active = [s for s in live if s.id.lower() in had_data]  # the sources that have something to lose
    never = [Uncounted(s.id, s.state, s.last_error) for s in live if s.id.lower() not in had_data]
    count = max(len(active), 1)
    available = [s for s in active if s.state == "fresh" or (s.state == "stale" and s.id.lower() in with_data)]
    before_state = {s.id.lower(): s.state for s in previous.sources} if previous else {}
    newly_invalid = [s for s in active if s.state == "invalid" and before_state.get(s.id.lower()) != "invalid"]
    fresh = [s for s in active if s.state == "fresh"]
    apart = f" ({len(never)} never readable, not counted)" if never else ""
    checks = [
        Check(
            "sources_available",
            len(available) / count >= MIN_AVAILABLE and (bool(active) or not live),
            f"{len(available)} of {len(active)} sources fresh or stale with last good data (need {MIN_AVAILABLE:.0%}){apart}",
        ),
        Check(
            "newly_invalid",
            len(newly_invalid) / count < MAX_NEWLY_INVALID,
            f"{len(newly_invalid)} of {len(active)} sources became invalid (must stay under {MAX_NEWLY_INVALID:.0%})"
            + (f": {', '.join(s.id for s in newly_invalid[:5])}" if newly_invalid else ""),
        ),
        Check(
            "fresh_share",
            len(fresh) / count >= MIN_FRESH and (bool(active) or not live),
            f"{len(fresh)} of {len(active)} sources refreshed in this run (need {MIN_FRESH:.0%})",
        ),
    ]
    totals = candidate.totals
    checks.append(
        Check(
            "accounting",
            totals.entries == totals.recorded + totals.skipped,
            f"entries {totals.entries} = recorded {totals.recorded} + skipped {totals.skipped}",
        )
    )
    if previous is not None:
        removed = {s.id.lower() for s in candidate.sources if s.state == "removed"}
        baseline = sum(1 for p in previous.plugins if p.marketplace.lower() not in removed)
        floor = baseline * (1 - MAX_SHRINK)
        checks.append(
            Check(
                "plugin_count",
                len(candidate.plugins) > floor or baseline == 0,
                f"{len(candidate.plugins)} plugins against {baseline} before (not counting {len(previous.plugins) - baseline} confirmed removals); the floor is {floor:.0f}",
            )
        )
    return Verdict(checks, never)
