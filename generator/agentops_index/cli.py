"""The ``agentops-index`` command line (with ``cli_crawl.py`` and ``cli_assist.py``, the only
place errors become exit codes).

Exit codes: 0 success, 1 failure (a failing verdict or an :class:`AgentopsError`),
2 usage errors (click's own).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from agentops_index import __version__
from agentops_index.assistant.present import emit
from agentops_index.cli_options import Context, base_url_option, output_options, snapshot_option
from agentops_index.config import COMPONENT_KINDS

log = logging.getLogger("agentops_index")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="agentops-index", message="%(prog)s %(version)s")
@click.option("-v", "--verbose", count=True, help="Say more: once for progress detail, twice for debug logs.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and machine-readable output.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Index Claude Code plugin marketplaces into a searchable static catalog.

    agentops-index reads marketplace.json files and the plugins they list, judges them
    as Claude Code does, and builds a static site and JSON API from the result.
    """
    level = logging.WARNING - 10 * min(verbose, 2) if not quiet else logging.ERROR
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Context(-1 if quiet else verbose)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report on stdout, whatever the input.")
@click.option("--strict", is_flag=True, help="Fail on warnings too, as `claude plugin validate --strict` does.")
@click.pass_obj
def validate(obj: Context, path: Path, as_json: bool, strict: bool) -> None:
    """Validate a marketplace or plugin the way `claude plugin validate` does.

    PATH is a marketplace root (holding .claude-plugin/marketplace.json), a plugin
    directory, or a marketplace.json or plugin.json file. Errors and warnings match
    Claude Code's; notes are agentops-index's own observations and never fail.
    Exit status: 0 unless the verdict is fail (or warn under --strict).
    """
    from agentops_index.manifest.validate import validate_path

    report = validate_path(path)
    failed = report.verdict == "fail" or (strict and report.verdict == "warn")
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        for finding in report.errors:
            obj.echo(f"error   {finding.path}: {finding.message}", err=True)
        for finding in report.warnings:
            obj.echo(f"warning {finding.path}: {finding.message}")
        if obj.verbosity > 0:
            for finding in report.notes:
                obj.echo(f"note    {finding.path}: {finding.message}")
        mark = {"pass": "✔ Validation passed", "warn": "✔ Validation passed with warnings", "fail": "✘ Validation failed"}
        colour = {"pass": "green", "warn": "yellow", "fail": "red"}[report.verdict]
        obj.echo(
            f"{mark[report.verdict]}: {len(report.errors)} errors, {len(report.warnings)} warnings ({path})",
            err=failed,
            fg=colour,
        )
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report on stdout.")
@click.pass_obj
def clients(obj: Context, path: Path, as_json: bool) -> None:
    """How each agent client reads a repository, each by its own rules.

    PATH is a repository checkout. Claude Code's catalog is judged as `claude plugin
    validate` judges it; Codex as its CLI (0.171.0) adds and installs (it reads its own
    catalog, else Claude's, else Cursor's); Cursor by its published schemas and CI checks;
    Agent Skills by the agentskills.io reference validator. Exit status: 1 when any verdict fails.
    """
    from agentops_index.manifest.clients import failed, lines, report

    value = report(path)
    if as_json:
        click.echo(json.dumps(value, indent=2, ensure_ascii=False))
    else:
        colour = {"ok": "green", "warn": "yellow", "fail": "red", "info": None}
        for level, line in lines(value):
            obj.echo(line, fg=colour[level])
    sys.exit(1 if failed(value) or not value["clients"] else 0)


@cli.command()
@snapshot_option(
    "The snapshot to render: a path or an http(s) URL of a snapshot or a site (its api/v1/snapshot.json is"
    " downloaded whole, then revalidated by ETag; history is not fetched)."
    " Default: ./data/snapshots/latest.json, else the sample snapshot shipped in the package."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("site"),
    show_default=True,
    help="Output directory; replaced atomically, and only if it is empty or an earlier build.",
)
@base_url_option("Absolute URL the site is served from (canonical links, sitemap.xml, 404.html links).")
@click.option(
    "--theme",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="A folder of templates (and static/) that override the built-in theme file by file.",
)
@click.option("--strict", is_flag=True, help="Fail, and leave the old site in place, on any build warning.")
@click.option("--no-search", "no_search", is_flag=True, help="Skip the in-browser search index (Pagefind), for quick previews.")
@click.option(
    "--history",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The folder of daily history records (default: history/ beside the snapshot).",
)
@click.option(
    "--previous-site",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="An earlier build (often the same folder as --out): pages whose inputs did not change are "
    "taken from it, per its build-manifest.json, and only the others are rendered. The result is "
    "byte-identical to a full build.",
)
@click.pass_obj
def build(
    obj: Context,
    snapshot_arg: str | None,
    out: Path,
    base_url: str,
    theme: Path | None,
    strict: bool,
    no_search: bool,
    history: Path | None,
    previous_site: Path | None,
) -> None:
    """Render the static site and JSON API from a snapshot, offline.

    Pages for every plugin, marketplace and category, a markdown view per plugin, api/v1/
    (the whole snapshot, each marketplace's file with its plugins' records, index.json that
    names the file of each plugin, the JSON Schema), sitemap.xml and 404.html. Output depends
    only on the snapshot and the theme: two builds of one snapshot are byte-identical.
    """
    import time

    from agentops_index.build import build as run_build
    from agentops_index.config import data_file
    from agentops_index.errors import InputError

    started = time.perf_counter()
    if snapshot_arg is not None and not snapshot_arg.strip():
        raise InputError("--snapshot: empty; give a snapshot's path or URL, or leave the option out")
    if snapshot_arg and snapshot_arg.startswith(("https://", "http://")):
        from agentops_index.search.session import fetch, snapshot_url

        snapshot_path: Path | None = fetch(snapshot_url(snapshot_arg))
    else:
        snapshot_path = Path(snapshot_arg) if snapshot_arg else data_file("snapshots/latest.json")
    if snapshot_path is None:
        raise InputError("--snapshot: none given, and neither ./data/snapshots/latest.json nor a packaged snapshot exists")
    if snapshot_path.is_dir():
        raise InputError(f"--snapshot {snapshot_path}: a folder, not a snapshot file")
    result = run_build(
        snapshot_path,
        out,
        base_url,
        theme=theme,
        strict=strict,
        search=not no_search,
        history=history,
        previous_site=previous_site,
    )
    for warning in result.warnings:
        obj.echo(f"warning {warning}", err=True)
    if not result.written:
        obj.echo(f"Build failed under --strict: {len(result.warnings)} warnings; {out} left as it was", err=True, fg="red")
        sys.exit(1)
    obj.echo(
        f"Built {result.plugins:,} plugins from {result.marketplaces:,} marketplaces in {result.categories:,} categories "
        f"({result.files:,} files, {result.bytes / 1e6:.1f} MB"
        + (f", {result.reused:,} taken from the previous build" if previous_site is not None else "")
        + f") in {time.perf_counter() - started:.1f} s -> {out}/"
        + (f" ({len(result.warnings)} warnings)" if result.warnings else "")
    )


@cli.group()
def history() -> None:
    """The daily history records behind stats/ growth charts, trending and the feed."""


@history.command("append")
@click.argument("snapshot_path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("data/history"),
    show_default=True,
    help="The history folder to add the snapshot's day to.",
)
@click.pass_obj
def history_append(obj: Context, snapshot_path: Path, folder: Path) -> None:
    """Record SNAPSHOT's day: what changed since the previous record (a re-run replaces the day)."""
    from agentops_index.analytics import append
    from agentops_index.snapshot import store

    path, size = append(folder, store.load(snapshot_path))
    obj.echo(f"history: {path} ({size:,} bytes)")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the snapshot, with the other published files' shapes in its $defs
    (the same file the site serves at api/v1/schema.json)."""
    from agentops_index.render.site_files import schema as published_schema
    from agentops_index.snapshot.store import dumps

    click.echo(dumps(published_schema()).decode("utf-8"), nl=False)


@cli.command()
@click.argument("query", required=False, default="")
@snapshot_option()
@click.option("--category", default=None, help="Only plugins in this category (its slug, e.g. devops).")
@click.option("--marketplace", default=None, help="Only plugins listed by this marketplace (owner/repo).")
@click.option(
    "--component",
    type=click.Choice(COMPONENT_KINDS),
    default=None,
    help="Only plugins that ship this kind of component.",
)
@click.option(
    "--client",
    type=click.Choice(("claude", "codex", "cursor", "skill", "agent-plugins")),
    default=None,
    help="Only plugins this client's catalog offers and its own rules accept (Claude Code: its validator passes them; skill: standalone Agent Skills the reference validator passes).",
)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True, help="How many results to show.")
@click.option(
    "--all-listings",
    is_flag=True,
    help="Show every marketplace's listing of a plugin, not one result per plugin with the others in also_in.",
)
@output_options("Print {query, did_you_mean, total, results} as JSON.")
@click.pass_obj
def search(
    obj: Context,
    query: str,
    snapshot_arg: str | None,
    category: str | None,
    marketplace: str | None,
    component: str | None,
    client: str | None,
    limit: int,
    all_listings: bool,
    as_json: bool,
    as_fenced: bool,
) -> None:
    """Search plugins by name, description, keywords, components and more.

    The plugin you name comes first (in any spelling: pr-review-toolkit, PRReviewToolkit),
    then plugins by how well they match, popularity breaking ties; see the site's
    about/ranking/ page. A misspelled word is corrected and the answer says so. A plugin
    listed by several marketplaces is one result; --all-listings shows each listing. The
    query store and Whoosh index are kept in your cache ($XDG_CACHE_HOME/agentops-index, else
    ~/.cache/agentops-index), never beside the snapshot.
    """
    from agentops_index.assistant.present import headline
    from agentops_index.search.session import open_searcher

    with open_searcher(snapshot_arg) as searcher:
        answer = searcher.query(query, category, marketplace, component, limit, collapse=not all_listings, client=client)
    if emit(answer.as_dict(), as_json, as_fenced, headline("search", answer.as_dict())):
        return
    if answer.did_you_mean:
        obj.echo(f"No good match for {query!r}; showing results for {answer.did_you_mean!r}.")
    for number, hit in enumerate(answer.results, 1):
        also = f"  (also in {len(hit.also_in)} other marketplace{'s' if len(hit.also_in) != 1 else ''})" if hit.also_in else ""
        obj.echo(f"{number:2}. {hit.name}  [{hit.id}]  score {hit.score:.3f}{also}")
        if hit.description:
            obj.echo(f"    {hit.description[:160]}")
    if answer.results and query.strip():  # a newcomer compared this score with the plugin page's, which has no query
        obj.echo("Scores are for this query: how well each matches, times popularity (a plugin page's score has no query).")
    obj.echo(
        f"{answer.total} {'plugin matches' if answer.total == 1 else 'plugins match'}"
        + (f", showing {len(answer.results)}" if answer.total > len(answer.results) else "")
    )


@cli.command()
@click.argument("intent")
@snapshot_option()
@output_options("Print {intent, keywords, categories, primary, complementary, workflow} as JSON.")
@click.pass_obj
def discover(obj: Context, intent: str, snapshot_arg: str | None, as_json: bool, as_fenced: bool) -> None:
    """Turn what you want to do into plugins: the best matches, what complements them, and a plan.

    Extracts keywords from INTENT, classifies it into categories, searches, and fills the
    best-matching workflow template of data/workflows/ stage by stage, with a reason for
    every pick.
    """
    from agentops_index.assistant.discover import discover as run_discover
    from agentops_index.assistant.present import headline
    from agentops_index.search.session import open_searcher

    with open_searcher(snapshot_arg) as searcher:
        plan = run_discover(intent, searcher)
    if emit(plan, as_json, as_fenced, headline("discover", plan)):
        return
    obj.echo(
        f"Intent: {intent}  (keywords: {', '.join(plan['keywords']) or 'none'}; categories: {', '.join(plan['categories']) or 'none'})"
    )
    obj.echo("Best matches:")
    for pick in plan["primary"]:
        obj.echo(f"  - {pick['name']} [{pick['id']}]: {pick['reason']}")
    workflow = plan["workflow"]
    if workflow:
        obj.echo(f"Workflow: {workflow['title']} ({workflow['pattern']})")
        for stage in [*workflow["stages"], *([workflow["aggregate"]] if "aggregate" in workflow else [])]:
            chosen = stage.get("pick")
            if chosen is None:
                obj.echo(f"  {stage['id']}: {stage['role']} -> no good candidate")
                continue
            # What the bundles would refuse, said where the pick is (discover suggests; it does not install).
            flags = [
                text
                for text, on in (
                    ("high risk: read its signals", chosen["risk"] == "high"),
                    ("fails Claude Code's validator", chosen["valid"] is False),
                )
                if on
            ]
            obj.echo(
                f"  {stage['id']}: {stage['role']} -> {chosen['name']} [{chosen['id']}]{' (' + '; '.join(flags) + ')' if flags else ''}"
            )


@cli.command("bundles")
@snapshot_option()
@base_url_option("Where the site's bundles/<id>/marketplace.json live.")
@click.option("--id", "only", metavar="ID", help="Only the bundle of this workflow template.")
@output_options("Print the bundles as api/v1/bundles.json lists them.")
@click.option(
    "--write-plugins",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write the thin plugins whose dependencies are the devops and product-development bundles' picks into this folder.",
)
@click.pass_obj
def bundles_command(
    obj: Context,
    snapshot_arg: str | None,
    base_url: str,
    only: str | None,
    as_json: bool,
    as_fenced: bool,
    write_plugins: Path | None,
) -> None:
    """Fill every workflow template of data/workflows/ with compatible plugins.

    Each stage gets the best-ranked plugin that passes the validator, clashes with no other
    pick (names, deciding hooks), is not high risk unless the template allows it, and keeps
    the marketplaces few; two alternatives; an empty stage says why. `build` publishes the
    same bundles with their installable marketplace.json.
    """
    from agentops_index.build import base_url_of
    from agentops_index.bundles.fill import make_bundles
    from agentops_index.errors import InputError
    from agentops_index.search.session import open_searcher

    with open_searcher(snapshot_arg) as searcher:
        made = [b for b, _ in make_bundles(searcher, base_url_of(base_url)) if only in (None, b.id)]
    if only and not made:
        raise InputError(f"--id {only}: no workflow template has this id")
    if write_plugins is not None:
        from agentops_index.bundles.plugins import write_bundle_plugins

        for written in write_bundle_plugins(made, write_plugins, base_url_of(base_url)):
            obj.echo(f"wrote {written}")
        return
    complete = sum(1 for b in made if b.complete)
    if emit(
        [b.as_json() for b in made], as_json, as_fenced, [f"agentops-index bundles: {len(made)} bundles, {complete} complete"]
    ):
        return
    for bundle in made:
        state = "complete" if bundle.complete else f"empty: {', '.join(bundle.empty_stages)}"
        obj.echo(f"{bundle.title} [{bundle.id}] ({bundle.workflow}, {state}; ~{bundle.context_tokens} tokens)")
        for stage in [*bundle.stages, *([bundle.aggregate] if bundle.aggregate else [])]:
            if stage.pick:
                others = ", ".join(a.id for a in stage.alternatives) or "none"
                obj.echo(f"  {stage.id}: {stage.pick.id}  (alternatives: {others})")
            else:
                obj.echo(f"  {stage.id}: no pick: {stage.note}")
        for flag in bundle.flags:
            obj.echo(f"  flag: {flag}")
        for line in bundle.install:
            obj.echo(f"    {line}")


@cli.command("check-site")
@click.argument("site", type=click.Path(path_type=Path, file_okay=False), default=Path("site"))
@base_url_option("The base URL the site was built for (404.html links start from its path).")
@click.pass_obj
def check_site_command(obj: Context, site: Path, base_url: str) -> None:
    """Validate a built site: required files, JSON, pages for every record, internal links, budgets.

    Exit status 1 when anything is wrong; the nightly run publishes only a site that passes.
    """
    from agentops_index.render.check import check_site

    problems = check_site(site, base_url)
    for problem in problems:
        obj.echo(f"problem {problem}", err=True)
    if problems:
        obj.echo(f"check-site {site}: {len(problems)} problems", err=True, fg="red")
        sys.exit(1)
    obj.echo(f"check-site {site}: no problems")


@cli.command()
@click.argument("site", type=click.Path(path_type=Path, file_okay=False, exists=True), default=Path("site"))
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port on 127.0.0.1 to serve the site on."
)
@click.pass_obj
def serve(obj: Context, site: Path, port: int) -> None:
    """Preview a built site on http://127.0.0.1:PORT/ until interrupted (404.html for missing pages)."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Handler(SimpleHTTPRequestHandler):
        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            page = site / "404.html"
            if code == 404 and page.is_file():
                body = page.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().send_error(code, message, explain)

        def log_message(self, format: str, *args: Any) -> None:
            if obj.verbosity > 0:
                super().log_message(format, *args)

    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=str(site)))
    obj.echo(f"Serving {site}/ on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _register_commands() -> None:
    """crawl, discover-sources, merge and gate live in cli_crawl.py; prime, orchestrate,
    analyze-plugins, patterns and metrics in cli_assist.py."""
    from agentops_index import cli_assist, cli_crawl

    for command in (*cli_crawl.COMMANDS, *cli_assist.COMMANDS):
        cli.add_command(command)


_register_commands()


def main() -> None:
    """Console-script entry point."""
    from agentops_index.errors import AgentopsError

    try:
        cli.main(prog_name="agentops-index", standalone_mode=True)
    except AgentopsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
