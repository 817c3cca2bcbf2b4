"""The build orchestrator: a snapshot in, a static site out. Reads as a list of stage calls.

Every file is written as it is made into a temp directory beside ``out`` (nothing holds the
whole site in memory); the site is swapped in only when all of it rendered (and, under
``--strict``, when there were no warnings). Output depends only on the snapshot, the theme
and data/ (workflow templates, ranking), so two builds of one snapshot are byte-identical.
Given ``previous_site``, pages and markdown views whose inputs did not change are taken from
it (render/incremental.py), and the tree is still byte-identical to a full build.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from agentops_index.analytics import analyze, load_records, replay
from agentops_index.bundles import Bundle, build_bundles
from agentops_index.config import DEFAULT_BASE_URL, data_file, load_ranking
from agentops_index.errors import ConfigError
from agentops_index.learning import read_metrics
from agentops_index.render import browser_search, feeds, site_files
from agentops_index.render import pages as page_list
from agentops_index.render.contexts import Site
from agentops_index.render.environment import environment, templates_dir
from agentops_index.render.incremental import MANIFEST, Fingerprints, Manifest, build_key
from agentops_index.render.writer import Writer
from agentops_index.search.query import Searcher
from agentops_index.search.session import searcher_for
from agentops_index.snapshot import store
from agentops_index.snapshot.models import Snapshot
from agentops_index.workflows import load_templates

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
    reused: int = 0  # files taken from the previous build (incremental builds)


def base_url_of(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"--base-url {value!r}: must be an absolute http(s) URL without query or fragment")
    return value if value.endswith("/") else value + "/"


def make_bundles(
    snapshot: Snapshot,
    snapshot_path: Path,
    base_url: str,
    problems: list[str] | None = None,
    searcher: Searcher | None = None,
) -> list[tuple[Bundle, dict[str, Any]]]:
    """Every workflow template's bundle, with its marketplace.json (none for an empty index).

    Success rates and usage counts come from the runs contributed under data/metrics/; a bad
    line there is added to ``problems`` and skipped. A caller that already has a searcher over
    the snapshot passes it, so the index is not checked and opened twice.
    """
    templates = load_templates()
    if not templates or not snapshot.plugins:
        return []
    contributed = data_file("metrics")
    metrics = read_metrics([contributed] if contributed else [])
    if problems is not None:
        problems.extend(metrics.problems)
    if searcher is not None:
        return build_bundles(snapshot, searcher, templates, base_url, metrics.summary())
    with searcher_for(snapshot, snapshot_path) as opened:
        return build_bundles(snapshot, opened, templates, base_url, metrics.summary())


def build(
    snapshot_path: Path,
    out: Path,
    base_url: str = DEFAULT_BASE_URL,
    theme: Path | None = None,
    strict: bool = False,
    search: bool = True,
    history: Path | None = None,
    previous_site: Path | None = None,
) -> BuildResult:
    """Render the site for ``snapshot_path`` into ``out`` (``search``: also index it for the browser;
    ``previous_site``: an earlier build to take unchanged pages from)."""
    snapshot = store.load(snapshot_path)
    # The snapshot's million objects live to the end of the build: keep the collector from
    # walking them again and again while pages are rendered.
    gc.freeze()
    try:
        return _build(snapshot, Path(snapshot_path), Path(out), base_url, theme, strict, search, history, previous_site)
    finally:
        gc.unfreeze()


def _build(
    snapshot: Snapshot,
    snapshot_path: Path,
    out: Path,
    base_url: str,
    theme: Path | None,
    strict: bool,
    search: bool,
    history: Path | None,
    previous_site: Path | None,
) -> BuildResult:
    site = Site(
        name=page_list.SITE_NAME,
        base_url=base_url_of(base_url),
        generated_at=snapshot.generated_at,
        generator=snapshot.generator,
        totals=snapshot.totals,
    )
    env = environment(theme)
    theme_folders = [theme] if theme else []
    key = build_key([*theme_folders, templates_dir()], site.base_url)
    previous = Manifest.read(previous_site, key) if previous_site is not None else None
    manifest = Manifest(key)
    result = BuildResult(
        plugins=len(snapshot.plugins), marketplaces=len(snapshot.marketplaces), categories=len(snapshot.categories)
    )

    metric_problems: list[str] = []
    made = make_bundles(snapshot, snapshot_path, site.base_url, metric_problems)
    site = site.model_copy(update={"bundles": len(made)})
    result.warnings.extend(metric_problems)
    days = replay(load_records(history if history is not None else snapshot_path.parent / "history"))
    changes = analyze(snapshot, days, {bundle.id: [p.id for p in bundle.plugins] for bundle, _ in made})
    all_pages = page_list.pages(snapshot, site, load_ranking(), [bundle for bundle, _ in made], changes)

    writer = Writer.staged(out)
    try:

        def reused(path: str, fingerprint: str) -> bool:
            """Take ``path`` from the previous build when it was made from the same inputs."""
            manifest.files[path] = fingerprint
            if previous is None or previous.files.get(path) != fingerprint or previous_site is None:
                return False
            if not writer.reuse(path, previous_site / path):
                return False
            if path in previous.warnings:
                manifest.warnings[path] = previous.warnings[path]
            return True

        published = site_files.api(writer, snapshot)
        fingerprints = Fingerprints(published, site)
        site_files.bundle_files(writer, made)
        writer.add("sitemap.xml", site_files.sitemap(all_pages, snapshot.generated_at))
        writer.add("feed.xml", feeds.atom(snapshot, site.base_url, days))
        writer.add("llms.txt", feeds.llms_txt(snapshot, site.base_url))
        writer.add("robots.txt", feeds.robots(site.base_url))
        writer.add("search/vocabulary.json", site_files.vocabulary(snapshot))
        writer.add("search/marketplaces.json", site_files.marketplace_list(snapshot))
        for plugin in snapshot.plugins:
            path, record_file = f"plugins/{plugin.slug}/index.md", published.files[plugin.id]
            if not reused(path, fingerprints.of([published.plugins[plugin.id], record_file])):
                writer.add(path, feeds.plugin_markdown(plugin, site.base_url, record_file))
        site_files.static(writer, [*(t / "static" for t in theme_folders), templates_dir() / "static"])

        links = site_files.LinkCheck(page_list.base_path(site), known=writer.paths | {page.path for page in all_pages})
        templates = {name: env.get_template(name) for name in sorted({page.template for page in all_pages})}
        for page in all_pages:
            if reused(page.path, fingerprints.page(page)):
                continue
            html = templates[page.template].render(page=page, site=site)
            size = len(html.encode("utf-8"))
            if size > PAGE_BUDGET:
                manifest.warnings[page.path] = [f"{page.path}: {size} bytes is over the 1 MiB page budget"]
            links.page(page.path, html)
            writer.add(page.path, html)
        for problem in links.problems(writer.paths):
            manifest.warnings.setdefault(problem.partition(":")[0], []).append(problem)
        for path in sorted(manifest.warnings):
            result.warnings.extend(manifest.warnings[path])
        writer.add(MANIFEST, manifest.dumps())
    except BaseException:
        writer.discard()
        raise

    result.files, result.bytes, result.reused = len(writer.paths), writer.size, writer.reused
    if strict and result.warnings:
        writer.discard()
        return result
    search_warnings: list[str] = []

    def search_index(tmp: Path) -> None:
        warning = browser_search.index(tmp) if search else None
        if warning:
            search_warnings.append(warning)

    del all_pages, published, fingerprints, links, changes, made
    writer.commit(out, prepare=search_index)
    result.warnings.extend(search_warnings)
    result.written = True
    return result
