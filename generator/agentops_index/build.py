"""The build orchestrator: a snapshot in, a static site out. Reads as a list of stage calls.

Everything is rendered in memory first; the site is swapped in only when all of it
rendered (and, under ``--strict``, when there were no warnings). Output depends only on
the snapshot, the theme and data/ (workflow templates, ranking), so two builds of one snapshot
are byte-identical.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from agentops_index.analytics import analyze, load_records, replay
from agentops_index.bundles import make_bundles
from agentops_index.config import DEFAULT_BASE_URL, load_ranking, load_search
from agentops_index.errors import ConfigError
from agentops_index.render import browser_search, feeds, site_files
from agentops_index.render import pages as page_list
from agentops_index.render.contexts import Site
from agentops_index.render.environment import environment, templates_dir
from agentops_index.render.writer import Writer
from agentops_index.search.records import project_all
from agentops_index.search.session import searcher_for
from agentops_index.snapshot import store

PAGE_BUDGET = 1024 * 1024  # bytes; a bigger page is a warning (SECURITY.md T22)


@dataclass(slots=True)
class BuildResult:
    files: int = 0
    bytes: int = 0
    plugins: int = 0
    marketplaces: int = 0
    categories: int = 0
    warnings: list[str] = field(default_factory=list)
    written: bool = False


def base_url_of(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"--base-url {value!r}: must be an absolute http(s) URL without query or fragment")
    return value if value.endswith("/") else value + "/"


def build(
    snapshot_path: Path,
    out: Path,
    base_url: str = DEFAULT_BASE_URL,
    theme: Path | None = None,
    strict: bool = False,
    search: bool = True,
    history: Path | None = None,
) -> BuildResult:
    """Render the site for ``snapshot_path`` into ``out`` (``search``: also index it for the browser)."""
    snapshot = store.load(snapshot_path)
    site = Site(
        name=page_list.SITE_NAME,
        base_url=base_url_of(base_url),
        generated_at=snapshot.generated_at,
        generator=snapshot.generator,
        totals=snapshot.totals,
    )
    env = environment(theme)
    writer = Writer()
    result = BuildResult(
        plugins=len(snapshot.plugins), marketplaces=len(snapshot.marketplaces), categories=len(snapshot.categories)
    )

    metric_problems: list[str] = []
    records = project_all(snapshot)  # the query records: the bundles' store and api/v1/query.json
    with searcher_for(snapshot, Path(snapshot_path), records=records) as searcher:
        made = make_bundles(searcher, site.base_url, metric_problems)
    site = site.model_copy(update={"bundles": len(made)})
    result.warnings.extend(metric_problems)
    days = replay(load_records(history if history is not None else Path(snapshot_path).parent / "history"))
    changes = analyze(snapshot, days, {bundle.id: [p.id for p in bundle.plugins] for bundle, _ in made})
    ranking = load_ranking()
    all_pages = page_list.pages(snapshot, site, ranking, [bundle for bundle, _ in made], changes)
    for page in all_pages:
        html = env.get_template(page.template).render(page=page, site=site)
        if len(html.encode("utf-8")) > PAGE_BUDGET:
            result.warnings.append(f"{page.path}: {len(html.encode('utf-8'))} bytes is over the 1 MiB page budget")
        writer.add(page.path, html)
    site_files.api(writer, snapshot, records)
    site_files.bundle_files(writer, made)
    writer.add("sitemap.xml", site_files.sitemap(all_pages, snapshot.generated_at))
    writer.add("feed.xml", feeds.atom(snapshot, site.base_url, days))
    writer.add("llms.txt", feeds.llms_txt(snapshot, site.base_url))
    writer.add("robots.txt", feeds.robots(site.base_url))
    for path, body in browser_search.files(records, load_search(), ranking).items():
        writer.add(path, body)
    writer.add("search/marketplaces.json", site_files.marketplace_list(snapshot))
    for plugin in snapshot.plugins:
        writer.add(f"plugins/{plugin.slug}/index.md", feeds.plugin_markdown(plugin, site.base_url))
    site_files.static(writer, ([theme / "static"] if theme else []) + [templates_dir() / "static"])
    result.warnings.extend(site_files.broken_links(writer.files, page_list.base_path(site)))

    result.files, result.bytes = len(writer.files), writer.size
    if strict and result.warnings:
        return result
    search_warnings: list[str] = []

    def search_index(tmp: Path) -> None:
        warning = browser_search.index(tmp) if search else None
        if warning:
            search_warnings.append(warning)

    writer.commit(out, prepare=search_index)
    result.warnings.extend(search_warnings)
    result.written = True
    return result
