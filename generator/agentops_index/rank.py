"""The published score and its explanation (data/ranking.toml, shown on about/ranking/).

    score = relevance * (0.4 + stars * 0.2 + recency * 0.2 + adoption * 0.2) * penalties

Every part is in [0, 1]; relevance exists only at query time (search/query.py says how it is
measured), so the score stored with each plugin is the *static* score, with the other weights
renormalized to sum to 1. Parts:

- stars: ``log1p(stars) / log1p(stars_saturation)`` of the plugin's own repository when it
  has one, else its marketplace's; 0 without GitHub metrics (a local crawl).
- recency: ``0.5 ** (age_days / half_life)``, age since the last push, else the last content
  change, measured at the snapshot's time (so a rebuild never changes it).
- adoption: npm downloads are not collected yet, so ``log1p(forks + watchers)`` on the same scale.
- penalties multiply: validation errors, archived, a high-level signal (signals.py),
  impersonation, and being a copy of an earlier canonical plugin (identity.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from agentops_index.config import Ranking

if TYPE_CHECKING:  # the query path imports combined() without the snapshot models (pydantic)
    from agentops_index.snapshot.models import MarketplaceRecord, PluginRecord, RepoMetrics, ScoreRecord

STATIC_PARTS = ("stars", "recency", "adoption")


def _epoch(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z").timestamp()


def _scaled(value: int, saturation: float) -> float:
    return min(1.0, math.log1p(max(value, 0)) / math.log1p(max(saturation, 1.0)))


def score(plugin: PluginRecord, market: MarketplaceRecord | None, now: str, ranking: Ranking) -> ScoreRecord:
    """The static score of one plugin, its parts, penalties and a one-line explanation."""
    from agentops_index.snapshot.models import Penalty, ScoreParts, ScoreRecord

    metrics: RepoMetrics | None = plugin.metrics or (market.metrics if market else None)
    scales, weights = ranking.scales, ranking.weights
    stars = _scaled(metrics.stars, scales["stars_saturation"]) if metrics else 0.0
    adoption = _scaled(metrics.forks + metrics.watchers, scales["adoption_saturation"]) if metrics else 0.0
    pushed = metrics.pushed_at if metrics and metrics.pushed_at else plugin.last_changed
    try:
        age_days = max(0.0, (_epoch(now) - _epoch(pushed)) / 86400)
    except ValueError:
        age_days = 0.0
    recency = 0.5 ** (age_days / max(scales["recency_half_life_days"], 1.0))
    penalties = []
    if not plugin.valid:
        penalties.append(Penalty(name="validation_errors", factor=ranking.penalties["validation_errors"]))
    if metrics and metrics.archived:
        penalties.append(Penalty(name="archived", factor=ranking.penalties["archived"]))
    if plugin.risk == "high":
        penalties.append(Penalty(name="high_risk", factor=ranking.penalties["high_risk"]))
    if any(s.code == "impersonation" for s in plugin.signals):
        penalties.append(Penalty(name="impersonation", factor=ranking.penalties["impersonation"]))
    if plugin.canonical_id and plugin.canonical_id != plugin.id:
        penalties.append(Penalty(name="duplicate", factor=ranking.penalties["duplicate"]))
    values = {"stars": stars, "recency": recency, "adoption": adoption}
    total_weight = sum(weights[p] for p in STATIC_PARTS) or 1.0
    static = sum(weights[p] * values[p] for p in STATIC_PARTS) / total_weight
    for penalty in penalties:
        static *= penalty.factor
    words = [
        f"stars {stars:.2f}" + (f" ({metrics.stars:,})" if metrics else " (no GitHub metrics)"),
        f"recency {recency:.2f} ({age_days:.0f} days)",
        f"adoption {adoption:.2f}" + (f" ({metrics.forks + metrics.watchers:,} forks and watchers)" if metrics else ""),
    ]
    explanation = ", ".join(words) + "".join(f"; x{p.factor:g} {p.name.replace('_', ' ')}" for p in penalties)
    return ScoreRecord(
        static=round(static, 4),
        parts=ScoreParts(stars=round(stars, 4), recency=round(recency, 4), adoption=round(adoption, 4)),
        penalties=penalties,
        explanation=explanation,
    )


def combined(relevance: float, parts: Mapping[str, float], penalties: Iterable[tuple[str, float]], ranking: Ranking) -> float:
    """Query-time score: relevance (in [0, 1]) with the stored parts, weighed by relevance, and penalties.

        score = relevance * (w.relevance + w.stars * stars + w.recency * recency + w.adoption * adoption)
                * penalties

    Popularity counts in proportion to how well a plugin matches: between two plugins that match
    equally it decides, but it can lift a plugin by at most (w.relevance + the other weights) /
    w.relevance (2.5 with the published weights), so a plugin that barely matches stays below
    one that matches well.
    """
    weights = ranking.weights
    value = relevance * (weights["relevance"] + sum(weights[p] * float(parts.get(p, 0.0)) for p in STATIC_PARTS))
    for _, factor in penalties:
        value *= factor
    return value


def score_all(plugins: list[PluginRecord], markets: list[MarketplaceRecord], now: str, ranking: Ranking) -> list[PluginRecord]:
    by_id = {m.id: m for m in markets}
    return [p.model_copy(update={"score": score(p, by_id.get(p.marketplace), now, ranking)}) for p in plugins]
