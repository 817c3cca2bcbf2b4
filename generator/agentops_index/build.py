"""The build orchestrator: a snapshot in, a static site out. Reads as a list of stage calls.

Every file is written as it is made into a temp directory beside ``out`` (nothing holds the
whole site in memory); the site is swapped in only when all of it rendered (and, under
``--strict``, when there were no warnings). Output depends only on the snapshot, the theme
and data/ (workflow templates, ranking), so two builds of one snapshot are byte-identical.
Given ``previous_site``, pages and markdown views whose inputs did not change are taken from
it (render/incremental.py), and the tree is still byte-identical to a full build.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from jinja2 import Environment, Template

from agentops_index.analytics import analyze, load_records, replay
from agentops_index.assistant.assist import assistant_file
from agentops_index.bundles.fill import make_bundles
from agentops_index.config import DEFAULT_BASE_URL, Ranking, load_ranking, load_search
from agentops_index.errors import AgentopsError, ConfigError
from agentops_index.render import badges, browser_search, feeds, site_files
from agentops_index.render import pages as page_list
from agentops_index.render.contexts import MarketplacePage, Page, PluginPage, Site
from agentops_index.render.environment import environment, render_template, templates_dir
from agentops_index.render.incremental import MANIFEST, Fingerprints, Manifest, Reuse, build_key
from agentops_index.render.pagefind_beside import SearchIndex
from agentops_index.render.processes import child_answer, forked, spawn
from agentops_index.render.writer import DuplicatePath, Writer
from agentops_index.search.queryfile import ASSISTANT_FILE
from agentops_index.search.records import project_all
from agentops_index.search.session import searcher_for
from agentops_index.snapshot import store
from agentops_index.snapshot.models import PluginRecord, Snapshot

PAGE_BUDGET = 1024 * 1024  # bytes; a bigger page is a warning (SECURITY.md T22)
log = logging.getLogger(__name__)


class _Clock:
    """Stage times of a build, logged at -v (INFO)."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        log.info("build: %s %.2f s", stage, now - self.last)
        self.last = now


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
    search_warning: str | None = None  # Pagefind missing or failed: the site has no search index
    search_pending: bool = False  # the search records are set aside; Pagefind is still to run (at the swap)


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
    previous_site: Path | None = None,
) -> BuildResult:
    """Render the site for ``snapshot_path`` into ``out`` (``search``: also index it for the browser;
    ``previous_site``: an earlier build to take unchanged pages from)."""
    clock = _Clock()
    out = Path(out)
    writer = Writer.staged(out)
    writer.previous = Path(previous_site) if previous_site is not None else None

    def render() -> BuildResult:
        snapshot = store.load(snapshot_path)
        clock.lap("load the snapshot")
        # The snapshot's million objects live to the end of the rendering: keep the collector
        # from walking them again and again while pages are rendered.
        gc.freeze()
        try:
            return _build(snapshot, Path(snapshot_path), writer, base_url, theme, history, previous_site, clock, search)
        finally:
            gc.unfreeze()

    try:
        # A big snapshot is loaded and rendered in a child process, so all of its memory is
        # gone, not merely freed, before Pagefind (a process as big as the build) starts.
        big = Path(snapshot_path).is_file() and Path(snapshot_path).stat().st_size >= FORK_FROM
        if big and hasattr(os, "fork"):
            result = forked(render)
            clock.lap("everything but the search index, in a child process")
        else:
            result = render()
    except BaseException:
        writer.discard()
        raise
    if strict and result.warnings:
        writer.discard()
        return result

    def search_index(tmp: Path) -> None:
        result.search_warning = browser_search.index(tmp)

    writer.commit(out, prepare=search_index if result.search_pending else None, count=result.files)
    clock.lap("search index and swap" if result.search_pending else "swap")
    if result.search_warning:  # the search index is no reason to keep the old site (--strict)
        result.warnings.append(result.search_warning)
    result.written = True
    return result


def _build(
    snapshot: Snapshot,
    snapshot_path: Path,
    writer: Writer,
    base_url: str,
    theme: Path | None,
    history: Path | None,
    previous_site: Path | None,
    clock: _Clock,
    search: bool = True,
) -> BuildResult:
    """Everything but the search index, written into the staging directory of ``writer``
    (``search``: with the records Pagefind will read, set aside)."""
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
    records = project_all(snapshot)  # the query records: the bundles' store, api/v1/query.json.gz, search files
    ranking = load_ranking()
    # With the memory for it, the browser's search index is made beside the rest from here on (SearchIndex).
    with SearchIndex.start(writer, snapshot, snapshot_path, records, site, env, ranking, search) as indexing:
        records_in_pages = search and not indexing.beside  # else the search records' child writes them
        metric_problems: list[str] = []
        # The search index is prepared first: on a big site Whoosh forks writers, and no thread may be
        # running then. Then the JSON API, whose gzip files the writer's thread compresses while the
        # bundles and the page contexts are made (written by writer.settle() before the pages).
        with searcher_for(snapshot, snapshot_path, records=records) as searcher:
            clock.lap("search index for the bundles")
            published = site_files.api(writer, snapshot, records, Reuse(writer, manifest.files, previous, previous_site))
            clock.lap("JSON API")
            made = make_bundles(searcher, site.base_url, metric_problems)
            helper = assistant_file(
                searcher,
                [bundle for bundle, _ in made],
                site.base_url,
                {"_notice": snapshot.notice, "generator": snapshot.generator, "generated_at": snapshot.generated_at},
            )
            search_files = browser_search.files(records, searcher.store, load_search(), ranking)
        clock.lap("bundles and search files")
        site = site.model_copy(update={"bundles": len(made)})
        result.warnings.extend(metric_problems)
        days = replay(load_records(history if history is not None else snapshot_path.parent / "history"))
        changes = analyze(snapshot, days, {bundle.id: [p.id for p in bundle.plugins] for bundle, _ in made})
        all_pages = page_list.pages(snapshot, site, ranking, [bundle for bundle, _ in made], changes, records)
        plugin_pages = page_list.PluginPages.of(snapshot, site)  # each made as it is rendered
        clock.lap("history and page contexts")

        site_files.bundle_files(writer, made)
        for page in all_pages:  # each marketplace's badge says what its page says (each plugin's: below)
            if isinstance(page, MarketplacePage) and page.pagination.number == 1:
                market = page.marketplace
                writer.add(f"marketplaces/{market.slug}/badge.svg", badges.marketplace_badge(market, page.valid_plugins))
        writer.add_gzipped(f"api/v1/{ASSISTANT_FILE}", store.dumps(helper, compact=True))
        listed = [(page.path, page.canonical) for page in all_pages]
        listed += [(plugin_pages.path(p), plugin_pages.canonical(p)) for p in snapshot.plugins]
        for path, body in site_files.sitemaps(listed, snapshot.generated_at, site.base_url).items():
            writer.add(path, body)
        writer.add("feed.xml", feeds.atom(snapshot, site.base_url, days))
        writer.add("llms.txt", feeds.llms_txt(snapshot, site.base_url))
        writer.add("robots.txt", feeds.robots(site.base_url))
        for path, body in search_files.items():
            writer.add(path, body)
        writer.add("search/marketplaces.json", site_files.marketplace_list(snapshot))
        site_files.static(writer, [*(t / "static" for t in theme_folders), templates_dir() / "static"])
        clock.lap("feed, sitemap, llms.txt, search files, static")

        writer.settle()  # before the page workers are forked: no thread left running
        clock.lap("the JSON API's gzip files")

        # Pages and markdown views: the bulk of the work, shared out between processes on a big site.
        # Each plugin's markdown view next to its page, then the other pages: a worker takes a run
        # of plugins (and touches only their part of the snapshot) and a share of the other pages.
        jobs: list[_Job] = [job for p in snapshot.plugins for job in (p, _PluginPageJob(p, plugin_pages.path(p)))]
        jobs += all_pages
        paths = [_path(job) for job in jobs] + [_badge_path(p) for p in snapshot.plugins]
        claimed = set(writer.paths)
        for path in paths:  # the workers cannot see each other's paths: refuse a second output here
            if path in claimed:
                raise DuplicatePath(f"two outputs for {path}")
            claimed.add(path)
        renderer = _Renderer(
            writer,
            site,
            env,
            published,
            Fingerprints(published, site),
            site_files.LinkCheck(page_list.base_path(site), known=claimed),
            previous if previous_site is not None else None,
            previous_site,
            records_in_pages,
            {r["id"]: r for r in records} if records_in_pages else {},
            ranking,
            plugin_pages,
        )
        done = _share(renderer, jobs, 2 * len(snapshot.plugins), _workers(len(jobs)))
        clock.lap("pages and markdown views")
        for part in done:
            writer.paths.update(part.paths)
            writer.size += part.size
            writer.reused += part.reused
            manifest.files.update(part.files)
            manifest.warnings.update(part.warnings)
            for target, referrers in part.wanted.items():
                renderer.links.wanted.setdefault(target, []).extend(referrers)
        for problem in renderer.links.problems(writer.paths):
            manifest.warnings.setdefault(problem.partition(":")[0], []).append(problem)
        manifest.files = dict(sorted(manifest.files.items()))
        for path in sorted(manifest.warnings):
            manifest.warnings[path].sort()
            result.warnings.extend(manifest.warnings[path])
        writer.add(MANIFEST, manifest.dumps())
        clock.lap("links and manifest")
        result.search_warning = indexing.finish()
        result.search_pending = records_in_pages  # and Pagefind runs at the swap
        clock.lap("waiting for the search index")
        result.files, result.bytes, result.reused = len(writer.paths), writer.size, writer.reused
        return result


PARALLEL_FROM = 2000  # pages and views; below this, forking costs more than it saves
FORK_FROM = 32 * 1024 * 1024  # snapshot bytes from which the rendering runs in a child process


def _workers(jobs: int) -> int:
    """Processes for the pages: two on a big site (the budget machine has two cores), else one."""
    if jobs < PARALLEL_FROM or not hasattr(os, "fork"):
        return 1
    return max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


class _PluginPageJob(NamedTuple):
    """A plugin's page, whose context ``PluginPages`` makes when it is rendered."""

    plugin: PluginRecord
    path: str


_Job = PluginRecord | _PluginPageJob | Page  # a markdown view and badge, a plugin's page, another page


def _path(job: _Job) -> str:
    return f"plugins/{job.slug}/index.md" if isinstance(job, PluginRecord) else job.path


def _badge_path(plugin: PluginRecord) -> str:
    return f"plugins/{plugin.slug}/badge.svg"


@dataclass(slots=True)
class _Done:
    """What one process made of its share of the pages: paths, bytes, fingerprints, warnings, links."""

    paths: list[str] = field(default_factory=list)
    size: int = 0
    reused: int = 0
    files: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    wanted: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)


@dataclass(slots=True)
class _Renderer:
    """Renders pages and markdown views, or takes them from the previous build when their
    fingerprint did not change."""

    writer: Writer
    site: Site
    env: Environment
    published: site_files.Published
    fingerprints: Fingerprints
    links: site_files.LinkCheck
    previous: Manifest | None
    previous_site: Path | None
    search_records: bool = True  # set aside each plugin's record for Pagefind (not when the build skips search)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # query records by plugin id, for those
    ranking: Ranking = field(default_factory=Ranking)
    plugin_pages: page_list.PluginPages | None = None

    def run(self, jobs: list[_Job]) -> _Done:
        writer = Writer(self.writer.staging, self.writer.previous)
        links = site_files.LinkCheck(self.links.base_path, self.links.known)
        done = _Done()
        templates: dict[str, Template] = {}
        reuse = Reuse(writer, done.files, self.previous, self.previous_site)
        for job in jobs:
            if isinstance(job, _PluginPageJob):
                assert self.plugin_pages is not None, "plugin pages to render need their maker"
                job = self.plugin_pages.page(job.plugin)  # made now, gone once rendered
            if isinstance(job, PluginRecord):
                path, record_file = _path(job), self.published.files[job.id]
                fingerprint = self.fingerprints.of([self.published.plugins[job.id], record_file])
            else:
                path, fingerprint = job.path, self.fingerprints.page(job)
                record = self.records.get(job.plugin.id) if self.search_records and isinstance(job, PluginPage) else None
                if record is not None:
                    # What Pagefind indexes for the page, beside the site rather than in the page.
                    card = job.model_copy(update=page_list.search_record(record, self.ranking))
                    writer.set_aside(path, self._render(templates, browser_search.SEARCH_RECORD, card, path))
            if isinstance(job, PluginRecord):
                # The markdown view and the README badge are made from the record alone.
                if not reuse(path, fingerprint):
                    writer.add(path, feeds.plugin_markdown(job, self.site.base_url, record_file))
                if not reuse(_badge_path(job), fingerprint):
                    writer.add(_badge_path(job), badges.plugin_badge(job))
                continue
            if reuse(path, fingerprint):
                if self.previous is not None and path in self.previous.warnings:
                    done.warnings[path] = self.previous.warnings[path]
                continue
            html = self._render(templates, job.template, job, path)
            size = len(html.encode("utf-8"))
            if size > PAGE_BUDGET:
                done.warnings[path] = [f"{path}: {size} bytes is over the 1 MiB page budget"]
            links.page(path, html)
            writer.add(path, html)
        done.paths, done.size, done.reused, done.wanted = sorted(writer.paths), writer.size, writer.reused, links.wanted
        return done

    def _render(self, templates: dict[str, Template], name: str, job: Page, path: str) -> str:
        return render_template(self.env, self.site, templates, name, job, path)


def _share(renderer: _Renderer, jobs: list[_Job], runs: int, workers: int) -> list[_Done]:
    """Run ``renderer`` over ``jobs`` in ``workers`` processes: this one and forked children,
    each writing its share of the files into the staging directory: a contiguous part of the
    first ``runs`` jobs and every ``workers``-th of the rest. Each file depends only on its own
    inputs, so the tree is the same whatever the split."""
    if workers <= 1:
        return [renderer.run(jobs)]

    def share(index: int) -> list[_Job]:
        return jobs[index * runs // workers : (index + 1) * runs // workers] + jobs[runs + index :: workers]

    children = [spawn(functools.partial(renderer.run, share(index))) for index in range(1, workers)]
    done: list[_Done] = []
    failure: str | None = None
    ours: AgentopsError | None = None
    try:
        done.append(renderer.run(share(0)))
    finally:
        for pid, read in children:
            answer = child_answer(pid, read, "a page worker died without an answer")
            if answer[0] == "ok":
                done.append(answer[1])
            elif isinstance(answer[1], AgentopsError):
                ours = ours or answer[1]  # a page that cannot be built, said as such
            else:
                failure = failure or answer[2]
    if ours is not None:
        raise ours
    if failure:
        raise RuntimeError(f"rendering pages failed in a worker process:\n{failure}")
    return done
