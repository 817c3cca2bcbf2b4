"""Page contexts for a snapshot: which pages exist, at which paths, with what data."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, TypedDict
from urllib.parse import urlsplit

from agentops_index.analytics import Analytics
from agentops_index.bundles.fill import Bundle
from agentops_index.config import Ranking
from agentops_index.manifest.text import clean
from agentops_index.render import browser_search
from agentops_index.render import contexts as c
from agentops_index.render.charts import line_chart
from agentops_index.render.diagram import layout
from agentops_index.render.urls import relative_root
from agentops_index.search.records import project_all, updated_on
from agentops_index.search.store import arrange
from agentops_index.snapshot.models import CategoryRecord, MarketplaceRecord, PluginRecord, Snapshot
from agentops_index.sources import clients

SITE_NAME = "agentops-index"
STARTERS = 12
HOME_MARKETPLACES = 30  # the largest; marketplaces/ lists every one
HOME_LIST = 8
PAGE_SIZE = 200  # plugins per category or marketplace page (a page stays well under 1 MiB)
META_DESCRIPTION_CAP = 160


def plugin_url(plugin: PluginRecord) -> str:
    return f"plugins/{plugin.slug}/"


def record_files(snapshot: Snapshot) -> dict[str, list[tuple[str, list[PluginRecord]]]]:
    """The files of api/v1/ that hold the plugins' records, by marketplace id: the marketplace's
    own file, ``marketplaces/<slug>.json.gz``, with its first PAGE_SIZE plugins, then
    ``marketplaces/<slug>/page/<n>.json.gz`` for the next ones (the pages of its HTML list)."""
    by_market: dict[str, list[PluginRecord]] = defaultdict(list)
    for plugin in snapshot.plugins:
        by_market[plugin.marketplace].append(plugin)
    out: dict[str, list[tuple[str, list[PluginRecord]]]] = {}
    for market in snapshot.marketplaces:
        chunks = paginate(f"marketplaces/{market.slug}/", by_market.get(market.id, []))
        out[market.id] = [
            (f"marketplaces/{market.slug}.json.gz" if n == 0 else f"{folder.rstrip('/')}.json.gz", chunk)
            for n, (folder, _, chunk) in enumerate(chunks)
        ]
    return out


def record_file_of(files: dict[str, list[tuple[str, list[PluginRecord]]]]) -> dict[str, str]:
    """Plugin id -> the file of api/v1/ that holds its record."""
    return {plugin.id: name for parts in files.values() for name, chunk in parts for plugin in chunk}


class PageFields(TypedDict):
    path: str
    root: str
    title: str
    description: str
    canonical: str | None
    template: str


class HomeLists(TypedDict):
    top: list[PluginRecord]
    newest: list[PluginRecord]
    updated: list[PluginRecord]
    ranked: bool  # any GitHub metrics: without them the scores are ties, not a ranking


def _page(site: c.Site, path: str, template: str, title: str, description: str) -> PageFields:
    canonical_path = path.removesuffix("index.html")
    return {
        "path": path,
        "root": relative_root(path),
        "title": title,
        "description": clip(description, META_DESCRIPTION_CAP),
        "canonical": site.base_url + canonical_path if path != "404.html" else None,
        "template": template,
    }


def clip(value: str, cap: int) -> str:
    """Plain text cut at a word boundary, for meta tags and list views."""
    value = " ".join(clean(value, None).split())
    if len(value) <= cap:
        return value
    cut = value[: cap - 1].rsplit(" ", 1)[0] or value[: cap - 1]
    return cut.rstrip(",.;:") + "…"


def top_key(plugin: PluginRecord) -> tuple[object, ...]:
    """The published score first; among equals, valid plugins that ship the most, then by name."""
    shipped = sum(plugin.counts.model_dump().values())
    score = plugin.score.static if plugin.score else 0.0
    return (-score, not plugin.valid, -shipped, plugin.untrusted.name.text.lower(), plugin.id)


def home_lists(plugins: list[PluginRecord], analytics: Analytics) -> HomeLists:
    """Top by score; newest (from the history, else first-seen dates) and recently updated
    only where the data can tell plugins apart."""
    top = sorted(plugins, key=top_key)
    by_id = {p.id: p for p in plugins}
    newest: list[PluginRecord] = [by_id[n["id"]] for n in analytics.new if n["id"] in by_id][:HOME_LIST]
    if not newest and len({p.first_seen[:10] for p in plugins}) > 1:
        newest = sorted(top, key=lambda p: p.first_seen, reverse=True)[:HOME_LIST]
    pushed = [p for p in top if p.metrics and p.metrics.pushed_at]
    updated = sorted(pushed, key=lambda p: (p.metrics.pushed_at if p.metrics else None) or "", reverse=True)[:HOME_LIST]
    return {"top": top[:STARTERS], "newest": newest, "updated": updated, "ranked": any(p.metrics for p in plugins)}


def one_per_copy_group(plugins: list[PluginRecord], records: dict[str, dict[str, Any]]) -> list[PluginRecord]:
    """Each copy group once, by the listing search shows (``store.arrange``), in the given order:
    a list of plugins shows a plugin, not every marketplace's listing of it."""
    keep = {r["id"] for r, _group, place in arrange([records[p.id] for p in plugins]) if place == 0}
    return [p for p in plugins if p.id in keep]


@dataclass(frozen=True, slots=True)
class PluginPages:
    """Each plugin's page context, made when the page is rendered: made all at once, the
    contexts of 30,000 plugins held 200 MB through the rendering."""

    site: c.Site
    markets: dict[str, MarketplaceRecord]
    categories: dict[str, CategoryRecord]
    slugs: dict[str, str]  # plugin id -> slug
    holders: dict[str, str]  # plugin id -> the file of api/v1/ that holds its record

    @classmethod
    def of(cls, snapshot: Snapshot, site: c.Site) -> PluginPages:
        return cls(
            site=site,
            markets={r.id: r for r in snapshot.marketplaces},
            categories={r.slug: r for r in snapshot.categories},
            slugs={p.id: p.slug for p in snapshot.plugins},
            holders=record_file_of(record_files(snapshot)),
        )

    @staticmethod
    def path(plugin: PluginRecord) -> str:
        return f"{plugin_url(plugin)}index.html"

    def canonical(self, plugin: PluginRecord) -> str:
        return self.site.base_url + plugin_url(plugin)

    def page(self, plugin: PluginRecord) -> c.PluginPage:
        slugs = self.slugs
        name = plugin.untrusted.name.text
        description = plugin.untrusted.description.text if plugin.untrusted.description else ""
        return c.PluginPage(
            **_page(self.site, self.path(plugin), "plugin.html", f"{name} ({plugin.marketplace})", description),
            plugin=plugin,
            marketplace=self.markets[plugin.marketplace],
            category=self.categories[plugin.category],
            canonical_slug=slugs.get(plugin.canonical_id or ""),
            record_file=self.holders[plugin.id],
            mirror_links=[c.Link(id=m, slug=slugs[m]) for m in plugin.mirrors if m in slugs],
            related_links=[c.Link(id=r, slug=slugs[r]) for r in plugin.related if r in slugs],
        )


def pages(
    snapshot: Snapshot,
    site: c.Site,
    ranking: Ranking | None = None,
    bundles: list[Bundle] | None = None,
    analytics: Analytics | None = None,
    records: list[dict[str, Any]] | None = None,
) -> list[c.Page]:
    """Every page's context but the plugins' own (``PluginPages`` makes each when it is
    rendered). ``records``: the plugins' query records in snapshot order, when the caller has
    projected them already (the build has, for the bundles and the API)."""
    analytics = analytics or Analytics()
    projected = records if records is not None else project_all(snapshot)
    markets = {r.id: r for r in snapshot.marketplaces}
    by_category: dict[str, list[PluginRecord]] = defaultdict(list)
    by_market: dict[str, list[PluginRecord]] = defaultdict(list)
    for plugin in snapshot.plugins:
        by_category[plugin.category].append(plugin)
        by_market[plugin.marketplace].append(plugin)
    record_of = {p.id: r for p, r in zip(snapshot.plugins, projected, strict=True)}
    listed = {slug: one_per_copy_group(sorted(members, key=top_key), record_of) for slug, members in by_category.items()}
    shown = {slug: len(members) for slug, members in listed.items()}

    def activity(plugins: list[PluginRecord]) -> dict[str, c.Activity]:
        return {p.id: activity_of(record_of[p.id]) for p in plugins}

    home = home_lists(one_per_copy_group(snapshot.plugins, record_of), analytics)

    out: list[c.Page] = [
        c.HomePage(
            **_page(site, "index.html", "index.html", SITE_NAME, "Find, judge and combine Claude Code plugins."),
            **home,
            activity=activity([*home["top"], *home["newest"], *home["updated"]]),
            shown=shown,
            bundles=bundles or [],
            trending=analytics.trending.get(7, []),
            categories=sorted(snapshot.categories, key=lambda r: (-r.plugins, r.slug)),
            marketplaces=sorted(snapshot.marketplaces, key=lambda r: (-len(r.plugin_ids), r.id.lower()))[:HOME_MARKETPLACES],
        ),
        c.CategoriesPage(
            **_page(site, "categories/index.html", "categories.html", "Categories", "Every plugin category."),
            categories=list(snapshot.categories),
            shown=shown,
        ),
        c.MarketplacesPage(
            **_page(site, "marketplaces/index.html", "marketplaces.html", "Marketplaces", "Every marketplace indexed."),
            marketplaces=list(snapshot.marketplaces),
        ),
        c.NotFoundPage(**(_page(site, "404.html", "404.html", "Page not found", "Page not found.") | {"root": base_path(site)})),
        c.AboutPage(
            **_page(site, "about/index.html", "about.html", "About", "What agentops-index is and how its data is gathered.")
        ),
        c.ComparePage(
            **_page(site, "compare/index.html", "compare.html", "Compare plugins", "Two to four plugins side by side.")
        ),
        c.StatusPage(
            **_page(
                site,
                "status/index.html",
                "status.html",
                "Why isn't it listed?",
                "Whether a marketplace repository is listed, and why not when it is not.",
            )
        ),
        c.RankingPage(
            **_page(
                site,
                "about/ranking/index.html",
                "ranking.html",
                "How plugins are ranked",
                "The published score, its weights and penalties.",
            ),
            weights=(ranking or Ranking()).weights,
            scales=(ranking or Ranking()).scales,
            penalties=(ranking or Ranking()).penalties,
            search=search_constants(),
            example=worked_example(ranking or Ranking()),
        ),
        _stats(snapshot, site, analytics),
        c.SearchPage(
            **_page(site, "search/index.html", "search.html", "Search", "Search every plugin in the index."),
            categories=list(snapshot.categories),
            marketplaces=sorted({p.marketplace for p in snapshot.plugins}, key=str.lower),
            licences=sorted({licence_of(p) for p in snapshot.plugins}),
        ),
    ]
    live_slugs = {p.slug for p in snapshot.plugins}
    for gone in analytics.removed:
        if gone["slug"] in live_slugs:
            continue  # a live plugin has the address now
        out.append(
            c.TombstonePage(
                **_page(
                    site,
                    f"plugins/{gone['slug']}/index.html",
                    "tombstone.html",
                    f"{gone['id']} (removed)",
                    f"{gone['id']} was removed from the index.",
                ),
                removed={**gone, "market_slug": markets[gone["marketplace"]].slug if gone["marketplace"] in markets else None},
            )
        )
    if bundles:
        out.append(
            c.BundlesPage(
                **_page(
                    site,
                    "bundles/index.html",
                    "bundles.html",
                    "Workflow bundles",
                    "Plugins that work together, installable as one marketplace.",
                ),
                bundles=bundles,
            )
        )
    for bundle in bundles or []:
        out.append(
            c.BundlePage(
                **_page(site, f"bundles/{bundle.id}/index.html", "bundle.html", f"{bundle.title} (bundle)", bundle.description),
                bundle=bundle,
                diagram=layout(bundle),
            )
        )
    for market in snapshot.marketplaces:
        name = market.untrusted.name.text if market.untrusted.name else market.id
        description = market.untrusted.description.text if market.untrusted.description else ""
        valid = sum(1 for p in by_market[market.id] if p.valid)  # what its badge says, on every page of it
        for folder, pagination, chunk in paginate(f"marketplaces/{market.slug}/", by_market[market.id]):
            out.append(
                c.MarketplacePage(
                    **_page(site, f"{folder}index.html", "marketplace.html", f"{name} ({market.id})", description),
                    marketplace=market,
                    plugins=chunk,
                    pagination=pagination,
                    valid_plugins=valid,
                    activity=activity(chunk),
                )
            )
    for category in snapshot.categories:
        ranked = listed.get(category.slug, [])
        for folder, pagination, chunk in paginate(f"categories/{category.slug}/", ranked):
            out.append(
                c.CategoryPage(
                    **_page(site, f"{folder}index.html", "category.html", category.name, f"{category.name} plugins."),
                    category=category,
                    plugins=chunk,
                    shown=len(ranked),
                    pagination=pagination,
                    activity=activity(chunk),
                )
            )
    return out


def activity_of(record: dict[str, Any]) -> c.Activity:
    """A card's stars and date, from the query record: the rule the search card follows."""
    return c.Activity(stars=record["stars"], date=updated_on(record))


def paginate(folder: str, items: list[PluginRecord]) -> list[tuple[str, c.Pagination, list[PluginRecord]]]:
    """Split a long list into pages of PAGE_SIZE: ``folder`` first, then ``folder``page/2/ ..."""
    count = max(1, -(-len(items) // PAGE_SIZE))

    def path(number: int) -> str:
        return folder if number == 1 else f"{folder}page/{number}/"

    return [
        (
            path(n),
            c.Pagination(number=n, count=count, previous=path(n - 1) if n > 1 else None, next=path(n + 1) if n < count else None),
            items[(n - 1) * PAGE_SIZE : n * PAGE_SIZE],
        )
        for n in range(1, count + 1)
    ]


_LICENCE = re.compile(r"^[A-Za-z0-9.+-]{1,40}$")


def licence_of(plugin: PluginRecord) -> str:
    """A facet value: the SPDX id GitHub reports, else the declared one if it looks like one."""
    if plugin.metrics and plugin.metrics.license:
        return plugin.metrics.license
    declared = plugin.untrusted.license.text if plugin.untrusted.license else ""
    return declared if _LICENCE.match(declared) else ("other" if declared else "unknown")


def search_constants() -> dict[str, Any]:
    """What the about/ranking page publishes of how relevance is measured (the code's own values)."""
    from agentops_index.config import load_search
    from agentops_index.search import index, query, spelling

    cfg = load_search()
    return {
        "classes": index.CLASSES,
        "buckets": index.BUCKETS,
        "text_ceiling": query.TEXT_CEILING,
        "spread": query.SPREAD,
        "spread_cap": query.SPREAD_CAP,
        "name_word": query.NAME_WORD,
        "name_word_rare": query.NAME_WORD_RARE,
        "name_cover": query.NAME_COVER,
        "common": query.COMMON,
        "common_floor": query.COMMON_FLOOR,
        "floor": query.FLOOR,
        "synonym": query.SYNONYM,
        "weak_weight": cfg.weak_weight,
        "weak_words": sorted(cfg.weak_words),
        "synonyms": len(cfg.synonyms),
        "translations": len(cfg.translations),
        "translated_words": len({" ".join(v) for v in cfg.translations.values()}),
        "function_words": len(cfg.function_words),
        "function_phrases": len(cfg.function_phrases),
        "compound_suffixes": list(cfg.compound_suffixes),
        "long_word": spelling.LONG_WORD,
        "phonetic_from": spelling.PHONETIC_FROM,
        "phonetic_edits": spelling.PHONETIC_EDITS,
        "min_unnamed_uses": spelling.MIN_UNNAMED_USES,
        "min_correction": spelling.MIN_CORRECTION,
        "component_text": browser_search.COMPONENT_TEXT,
    }


def worked_example(ranking: Ranking) -> list[tuple[str, str]]:
    """The formula applied to one made-up plugin, step by step, with the published constants."""
    import math

    from agentops_index import rank
    from agentops_index.search import index, query

    n, df_a, df_b = 10_000, 50, 800
    idf_a, idf_b = math.log(1 + n / (1 + df_a)), math.log(1 + n / (1 + df_b))
    share_a, share_b = idf_a / (idf_a + idf_b), idf_b / (idf_a + idf_b)
    extra = query.SPREAD / query.SPREAD_CAP
    name, desc = index.CLASSES["n"], index.CLASSES["d"]
    held_a = share_a * ((1 - query.SPREAD) * name + extra) + share_a * extra  # name and description
    held_b = share_b * ((1 - query.SPREAD) * desc + extra)  # description only
    relevance = query.TEXT_CEILING * (held_a + held_b)
    parts = {"stars": 0.5, "recency": 0.8, "adoption": 0.2}
    score = rank.combined(relevance, parts, [], ranking)
    lift = score / relevance
    return [
        ("Query", "terraform plan, over 10,000 plugins"),
        ("Rarity of terraform (50 plugins say it)", f"ln(1 + 10000 / 51) = {idf_a:.3f}"),
        ("Rarity of plan (800 plugins say it)", f"ln(1 + 10000 / 801) = {idf_b:.3f}"),
        ("Shares of the query", f"terraform {share_a:.3f}, plan {share_b:.3f}"),
        (
            "terraform: in the name, and again in the description",
            f"{share_a:.3f} x ({1 - query.SPREAD:.2f} x {name:g} + {extra:.2f}) + {share_a:.3f} x {extra:.2f} = {held_a:.3f}",
        ),
        ("plan: in the description only", f"{share_b:.3f} x ({1 - query.SPREAD:.2f} x {desc:g} + {extra:.2f}) = {held_b:.3f}"),
        ("Relevance", f"{query.TEXT_CEILING:g} x ({held_a:.3f} + {held_b:.3f}) = {relevance:.3f}"),
        (
            "Popularity (stars 0.5, recency 0.8, adoption 0.2)",
            " + ".join([f"{ranking.weights['relevance']:g}"] + [f"{ranking.weights[p]:g} x {v:g}" for p, v in parts.items()])
            + f" = {lift:.2f}",
        ),
        ("Score (no penalties)", f"{relevance:.3f} x {lift:.2f} = {score:.3f}"),
    ]


def search_record(record: dict[str, Any], ranking: Ranking) -> dict[str, Any]:
    """A plugin page's hidden search record (render/browser_search.py says what the browser does
    with it), from its query record. The build makes it as the page is rendered, in the page
    workers, and only when the site is indexed for search: it is no part of the page itself."""
    card, texts = browser_search.page_search(record, ranking)
    return {"search_card": card, "search_text": texts}


ORIGIN_WORDS = {  # how the stats page says where sources came from (SourceStatus.origin)
    "curated": "the curated source list",
    "code_search": "GitHub code search",
    "referenced": "other marketplaces naming them",
    "earlier": "an earlier night's discovery",
}


def _stats(snapshot: Snapshot, site: c.Site, analytics: Analytics) -> c.StatsPage:
    counted = clients.totals(snapshot.sources)  # other clients' catalog entries, as the crawl report has them
    states = Counter(s.state for s in snapshot.sources)
    origins: Counter[str] = Counter(s.origin for s in snapshot.sources if s.origin)
    risks = Counter(p.risk or "none" for p in snapshot.plugins)
    components = {
        name: sum(getattr(p.counts, name) for p in snapshot.plugins)
        for name in ("commands", "agents", "skills", "hooks", "mcp_servers", "lsp_servers")
    }
    return c.StatsPage(
        **_page(site, "stats/index.html", "stats.html", "Statistics", "Totals across every marketplace indexed."),
        categories=sorted(snapshot.categories, key=lambda r: (-r.plugins, r.slug)),
        sources_by_state=dict(sorted(states.items())),
        sources_by_origin={ORIGIN_WORDS[o]: origins[o] for o in ORIGIN_WORDS if origins[o]},
        plugins_by_risk={k: risks[k] for k in ("high", "elevated", "notice", "info", "none") if risks[k]},
        components=components,
        valid_marketplaces=sum(1 for m in snapshot.marketplaces if m.valid),
        clients=[
            (
                "Claude Code",
                sum(1 for p in snapshot.plugins if p.client == "claude"),
                sum(1 for p in snapshot.plugins if p.client == "claude" and p.valid),
                sum(m.entries for m in snapshot.marketplaces if m.client == "claude"),
                sum(len(m.skipped) for m in snapshot.marketplaces if m.client == "claude"),
            ),
            *(
                (
                    name,
                    sum(1 for p in snapshot.plugins if any(v.client == key for v in p.clients)),
                    sum(1 for p in snapshot.plugins if any(v.client == key and v.valid for v in p.clients)),
                    counted[key].entries if key in counted else 0,
                    counted[key].skipped if key in counted else 0,
                )
                for key, name in (
                    ("codex", "Codex"),
                    ("cursor", "Cursor"),
                    ("skill", "Agent Skills (standalone)"),
                    ("agent-plugins", "Agent Plugins 1.0"),
                )
            ),
        ],
        analytics=analytics,
        growth=line_chart(analytics.series, [("plugins", "Plugins", "s1"), ("marketplaces", "Marketplaces", "s2")]),
        churn=line_chart(analytics.series[1:], [("added", "Added", "s1"), ("removed", "Removed", "s3")]),
    )


def base_path(site: c.Site) -> str:
    """404.html is served at any depth, so its links start from the site's absolute path."""
    path = urlsplit(site.base_url).path or "/"
    return path if path.endswith("/") else path + "/"
