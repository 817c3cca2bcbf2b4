"""The stage after the crawl: the outcomes of every source made into one snapshot.

History carried over from the previous snapshot (``first_seen``, ``last_changed``), static
scores (``rank.py``), copies and impersonation (``identity.py``), related plugins
(``search/related.py``), slugs (``snapshot/slugs.py``), categories, totals and the crawl report
with its accounting. Every source (local folders, the GitHub crawl, the shards' ``merge``) ends
here, so a new source never touches ranking.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from agentops_index import __version__, identity, rank
from agentops_index.config import Ranking, load_ranking
from agentops_index.search.related import compute as compute_related
from agentops_index.snapshot import models as m
from agentops_index.snapshot import report, slugs
from agentops_index.snapshot.categories import Taxonomy
from agentops_index.sources import clients
from agentops_index.sources.read import SourceOutcome


@dataclass(frozen=True, slots=True)
class CrawlResult:
    snapshot: m.Snapshot
    report: report.CrawlReport

    def write(self, out: Path) -> Path:
        """Write the snapshot to ``out`` and crawl-report.json beside it (both atomically)."""
        from agentops_index.snapshot.store import dumps, write_atomic

        report_path = out.with_name("crawl-report.json")
        write_atomic(out, dumps(self.snapshot))
        write_atomic(report_path, dumps(self.report.model_copy(update={"snapshot": out.name})))
        return report_path


def _sorted_plugins(plugins: list[m.PluginRecord]) -> list[m.PluginRecord]:
    return sorted(plugins, key=lambda p: (p.marketplace.lower(), p.marketplace, p.entry_index, p.id))


def carry_history(plugins: list[m.PluginRecord], previous: m.Snapshot | None) -> list[m.PluginRecord]:
    """first_seen from the previous snapshot; last_changed moves only when the content hash does."""
    if previous is None:
        return plugins
    before = {p.id: p for p in previous.plugins}
    out = []
    for plugin in plugins:
        old = before.get(plugin.id)
        if old is not None:
            changed = old.content_hash != plugin.content_hash
            plugin = plugin.model_copy(
                update={"first_seen": old.first_seen, "last_changed": plugin.last_changed if changed else old.last_changed}
            )
        out.append(plugin)
    return out


def finish(
    outcomes: list[SourceOutcome],
    taxonomy: Taxonomy,
    now: str,
    previous: m.Snapshot | None = None,
    ranking: Ranking | None = None,
) -> CrawlResult:
    """Assign slugs, score and relate plugins, sort everything, total it up, check the accounting."""
    markets = sorted((o.marketplace for o in outcomes if o.marketplace), key=lambda r: (r.id.lower(), r.id))
    plugins = _sorted_plugins(carry_history([p for o in outcomes for p in o.plugins], previous))
    ranking = ranking or load_ranking()
    # Identity needs scores (top names by stars, then static score); ranking then needs the
    # identity signals for its penalties: score, identify, score again.
    plugins = rank.score_all(plugins, markets, now, ranking)
    plugins = identity.apply(plugins, previous.plugins if previous else None)
    plugins = rank.score_all(plugins, markets, now, ranking)
    related = compute_related(plugins)
    # Other listings of the same plugin are linked as such, not as related plugins.
    plugins = [p.model_copy(update={"related": [r for r in related[p.id] if r not in p.mirrors]}) for p in plugins]
    statuses = sorted((o.status for o in outcomes), key=lambda s: (s.id.lower(), s.id, s.last_error or ""))

    market_slugs = slugs.assign([r.id for r in markets], {r.id: slugs.marketplace_base(r.id) for r in markets})
    plugin_slugs = slugs.assign([p.id for p in plugins], {p.id: slugs.plugin_base(p.id) for p in plugins})
    markets = [r.model_copy(update={"slug": market_slugs[r.id]}) for r in markets]
    plugins = [p.model_copy(update={"slug": plugin_slugs[p.id]}) for p in plugins]

    per_category = Counter(p.category for p in plugins)
    categories = []
    for slug in sorted(per_category):
        name, curated = taxonomy.name_for(slug)
        categories.append(m.CategoryRecord(slug=slug, name=name, curated=curated, plugins=per_category[slug]))

    entries = sum(r.entries + len(r.other_ids) for r in markets)  # another catalog's records: one entry each
    skipped = sum(len(r.skipped) for r in markets)
    totals = m.Totals(
        sources=len(statuses),
        marketplaces=len(markets),
        unreadable=sum(1 for s in statuses if s.state in ("invalid", "stale")),
        entries=entries,
        recorded=len(plugins),
        skipped=skipped,
        valid_plugins=sum(1 for p in plugins if p.valid),
        categories=len(categories),
    )
    snapshot = m.Snapshot(
        generator=f"agentops-index {__version__}",
        generated_at=now,
        totals=totals,
        sources=statuses,
        marketplaces=markets,
        plugins=plugins,
        categories=categories,
    )
    return CrawlResult(snapshot, crawl_report(snapshot))


def crawl_report(snapshot: m.Snapshot, name: str = "latest.json") -> report.CrawlReport:
    totals = snapshot.totals
    codes: Counter[str] = Counter()
    for market in snapshot.marketplaces:
        codes.update(f.code for f in market.findings)
    for plugin in snapshot.plugins:
        codes.update(f.code for f in plugin.findings if f.scope == "plugin" or f.severity == "note")
    return report.CrawlReport(
        generated_at=snapshot.generated_at,
        snapshot=name,
        totals=totals,
        accounting_holds=totals.entries == totals.recorded + totals.skipped,
        skipped=[
            report.ReportSkip(marketplace=r.id, index=s.index, reason=s.reason) for r in snapshot.marketplaces for s in r.skipped
        ],
        unreadable=[
            report.ReportUnreadable(source=s.id, reason=s.last_error or "unknown")
            for s in snapshot.sources
            if s.state in ("invalid", "stale")
        ],
        findings_by_code=dict(sorted(codes.items())),
        clients=clients.by_client(snapshot),
    )
