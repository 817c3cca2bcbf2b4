"""Typed page contexts: each page kind's fields are the contract with its template."""

from __future__ import annotations

from typing import Any

from agentops_index.analytics import Analytics, Gain
from agentops_index.bundles.fill import Bundle
from agentops_index.render.charts import LineChart
from agentops_index.render.diagram import Diagram
from agentops_index.snapshot.models import CategoryRecord, MarketplaceRecord, PluginRecord, Strict, Totals

Context = Strict  # the package's one base for the data it owns (snapshot/models.py)


class Site(Context):
    """What every page knows about the build."""

    name: str
    base_url: str  # absolute, ends with "/"
    generated_at: str
    generator: str
    totals: Totals
    bundles: int = 0  # how many workflow bundles the site has (the nav links them when there are any)


class Page(Context):
    """Fields every page has; ``path`` is the output file, ``root`` the way back to the site root."""

    path: str
    root: str
    title: str
    description: str
    canonical: str | None
    template: str


class Activity(Context):
    """What a plugin's card says of its activity, by the rule its search card follows
    (``search/records.py``: the plugin's repository metrics, else its marketplace's)."""

    stars: int | None = None  # None: no GitHub metrics
    date: str  # YYYY-MM-DD: the last push, else when its content last changed


class HomePage(Page):
    top: list[PluginRecord]  # by the published score
    ranked: bool = True  # False: no plugin has GitHub metrics, so "top" would be a list of ties
    newest: list[PluginRecord] = []  # by first seen, once the index has seen more than one day
    updated: list[PluginRecord] = []  # by the last push to the plugin's repository, where known
    bundles: list[Bundle] = []
    trending: list[Gain] = []  # stars gained in the last 7 days, from the history
    categories: list[CategoryRecord]
    marketplaces: list[MarketplaceRecord]
    shown: dict[str, int] = {}  # plugins a category lists, each copy group once, by slug
    activity: dict[str, Activity] = {}  # by plugin id, for the cards


class Link(Context):
    id: str
    slug: str


class PluginPage(Page):
    plugin: PluginRecord
    marketplace: MarketplaceRecord
    category: CategoryRecord
    canonical_slug: str | None = None
    record_file: str  # the file of api/v1/ that holds the plugin's record (its marketplace's, see pages.record_files)
    mirror_links: list[Link] = []
    related_links: list[Link] = []
    search_card: str = ""  # what a result shows and what ranks it, as an element id (render/browser_search.py)
    search_text: list[tuple[str, float]] = []  # what Pagefind indexes, with its weights


class Pagination(Context):
    """Where a long list page sits: its number, the count, and site paths of its neighbours."""

    number: int = 1
    count: int = 1
    previous: str | None = None
    next: str | None = None


class MarketplacePage(Page):
    marketplace: MarketplaceRecord
    plugins: list[PluginRecord]
    pagination: Pagination = Pagination()
    valid_plugins: int = 0  # of all its plugins, not this page's: what its badge says
    activity: dict[str, Activity] = {}  # by plugin id, for the cards


class CategoryPage(Page):
    category: CategoryRecord
    plugins: list[PluginRecord]
    shown: int  # plugins listed, each copy group once (category.plugins counts every listing)
    activity: dict[str, Activity] = {}  # by plugin id, for the cards
    pagination: Pagination = Pagination()


class CategoriesPage(Page):
    categories: list[CategoryRecord]
    shown: dict[str, int] = {}  # plugins a category lists, each copy group once, by slug


class MarketplacesPage(Page):
    marketplaces: list[MarketplaceRecord]


class NotFoundPage(Page):
    pass


class AboutPage(Page):
    pass


class ComparePage(Page):
    """compare/: two to four plugins side by side (the browser reads their records from api/v1/)."""


class StatusPage(Page):
    """status/: why a repository is or is not listed (it reads api/v1/sources.json in the browser)."""


class RankingPage(Page):
    weights: dict[str, float]
    scales: dict[str, float]
    penalties: dict[str, float]
    search: dict[str, Any] = {}  # the relevance constants of search/query.py, spelling.py and index.py
    example: list[tuple[str, str]] = []  # a worked example: (step, value)


class StatsPage(Page):
    categories: list[CategoryRecord]
    sources_by_state: dict[str, int]
    sources_by_origin: dict[str, int] = {}  # GitHub crawls: how many sources each way of finding them gave
    plugins_by_risk: dict[str, int]
    components: dict[str, int]
    valid_marketplaces: int
    # (client, plugins it lists, of which its rules accept, entries of its own catalogs, of which not indexed)
    clients: list[tuple[str, int, int, int, int]] = []
    analytics: Analytics = Analytics()
    growth: LineChart | None = None  # plugins and marketplaces per day
    churn: LineChart | None = None  # plugins added and removed per day


class SearchPage(Page):
    categories: list[CategoryRecord]
    marketplaces: list[str]
    licences: list[str]


class BundlesPage(Page):
    bundles: list[Bundle]


class BundlePage(Page):
    bundle: Bundle
    diagram: Diagram


class TombstonePage(Page):
    """A plugin that was in the index and is gone: its page stays, so links keep working."""

    removed: dict[str, object]
