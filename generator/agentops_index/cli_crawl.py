"""The crawl side of the command line: crawl, discover-sources, merge and gate (registered by
``cli.py``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from agentops_index.cli_options import Context

UNREADABLE_SHOWN = 5  # sources whose reason the crawl prints; crawl-report.json has every one


def github_options(func: Any) -> Any:
    """--api-url and --token-env, for the commands that talk to GitHub."""
    func = click.option(
        "--token-env",
        default="GITHUB_TOKEN",
        show_default=True,
        help="Environment variable that holds the GitHub token (never printed).",
    )(func)
    return click.option(
        "--api-url",
        default="https://api.github.com",
        show_default=True,
        help="GitHub API base URL (GitHub Enterprise: https://HOST/api/v3).",
    )(func)


@click.command()
@click.option(
    "--from-dir",
    "from_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Read marketplaces from DIR instead of GitHub: one marketplace root, or a folder of "
    "owner__repo/ checkouts. Repeat to read several.",
)
@click.option(
    "--sources",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("data/sources.toml"),
    show_default=True,
    help="The curated marketplace repositories to crawl from GitHub.",
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="The last snapshot: unchanged repositories are reused without reading content, and first-seen dates carry over.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("data/snapshots/latest.json"),
    show_default=True,
    help="Where to write the snapshot; crawl-report.json is written beside it.",
)
@github_options
@click.option(
    "--max-requests",
    type=click.IntRange(min=1),
    default=None,
    help="Stop sending requests after N; what was not read is reported.",
)
@click.option(
    "--shard",
    default=None,
    metavar="K/N",
    help="Crawl only shard K of N (a stable split by repository); join the parts with `merge`.",
)
@click.option(
    "--discover",
    is_flag=True,
    help="Also find marketplaces by GitHub code search and by the repositories other marketplaces name.",
)
@click.option(
    "--discovered",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Also crawl the marketplaces `discover-sources` found (its --out file), instead of searching here.",
)
@click.option(
    "--categories",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Category taxonomy (TOML). Default: ./data/categories.toml, else the packaged copy.",
)
@click.pass_obj
def crawl(
    obj: Context,
    from_dirs: tuple[Path, ...],
    sources: Path,
    previous: Path | None,
    out: Path,
    api_url: str,
    token_env: str,
    max_requests: int | None,
    shard: str | None,
    discover: bool,
    discovered: Path | None,
    categories: Path | None,
) -> None:
    """Crawl marketplaces into a deterministic JSON snapshot and a crawl report.

    Without --from-dir, reads every repository in --sources through GitHub's GraphQL and
    REST APIs (at most 8 requests in flight). Every entry with a string name becomes one
    plugin record, with its findings; the report accounts for every entry (entries =
    recorded + skipped), names every marketplace that could not be read, and says what the
    run cost in requests and GraphQL points. Set SOURCE_DATE_EPOCH for reproducible output.
    """
    import contextlib
    import time

    from agentops_index.crawl import crawl_local
    from agentops_index.snapshot import store
    from agentops_index.snapshot.categories import load_taxonomy

    started = time.perf_counter()
    taxonomy = load_taxonomy(categories)
    before = store.load(previous) if previous else None
    usage = None
    if from_dirs:

        def progress(items: list[Any]) -> Any:
            if len(items) < 20 or obj.verbosity < 0 or not sys.stderr.isatty():
                return contextlib.nullcontext(items)
            return click.progressbar(items, label="Reading marketplaces", file=sys.stderr)

        result = crawl_local(list(from_dirs), taxonomy, progress=progress, previous=before)
    else:
        from agentops_index.crawl import crawl_github
        from agentops_index.sources.catalog import load_sources
        from agentops_index.sources.discovery import Found

        refs = load_sources(sources)
        if not os.environ.get(token_env):
            obj.echo(
                f"warning: ${token_env} is not set: GitHub answers GraphQL, which the crawl reads repositories with, only with a token",
                err=True,
            )
        result = crawl_github(
            refs,
            taxonomy,
            api_url,
            os.environ.get(token_env) or None,
            before,
            max_requests,
            shard=_shard(shard),
            discover=discover,
            discovered=Found.read(discovered) if discovered is not None else None,
        )
        usage = result.report.usage
    report_path = result.write(out)
    totals = result.snapshot.totals
    cost = (
        f" using {usage.requests} requests ({usage.graphql_requests} GraphQL, {usage.rest_requests} REST; {usage.graphql_points} points)"
        if usage
        else ""
    )
    from agentops_index.manifest.text import clean

    unreadable = result.report.unreadable
    for item in unreadable[:UNREADABLE_SHOWN]:  # why, where the user looks first (all of them: the report)
        obj.echo(clean(f"unreadable: {item.source}: {item.reason}", 300), err=True)  # no terminal escapes
    if len(unreadable) > UNREADABLE_SHOWN:
        obj.echo(f"unreadable: {len(unreadable) - UNREADABLE_SHOWN} more in {report_path}", err=True)
    by_client = result.report.clients
    if set(by_client) - {"claude"}:  # other clients' catalogs too: each one's entries, recorded or not
        obj.echo(
            "Entries by client: "
            + "; ".join(
                f"{c} {n.entries} entries, {n.recorded} with a record, {n.entries - n.recorded} not recorded"
                for c, n in by_client.items()
            )
        )
    obj.echo(
        f"Crawled {totals.marketplaces} marketplaces ({totals.unreadable} unreadable): {totals.entries} entries, "
        f"{totals.recorded} plugins recorded, {totals.skipped} skipped{cost} in {time.perf_counter() - started:.1f} s "
        f"-> {out} (report: {report_path})"
    )


@click.command("discover-sources")
@click.option(
    "--previous",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Last run's snapshot: its sources, and the repositories its marketplaces name, are candidates too.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Where to write what was found (JSON), for `crawl --discovered` and `merge --discovered`.",
)
@github_options
@click.option(
    "--max-requests",
    type=click.IntRange(min=1),
    default=None,
    help="Stop searching after N requests.",
)
@click.pass_obj
def discover_sources(
    obj: Context, previous: Path | None, out: Path, api_url: str, token_env: str, max_requests: int | None
) -> None:
    """Find marketplaces no source list names, once for every shard of a crawl.

    GitHub code search for .claude-plugin/marketplace.json (paced for its own rate limit),
    the repositories the previous snapshot's marketplaces name as plugin sources, and the
    previous snapshot's own sources. A search that fails is reported and the rest is still
    written, so a run that cannot search crawls last run's sources.
    """
    from agentops_index.crawl import discover_sources as find
    from agentops_index.snapshot import store

    found = find(
        api_url, os.environ.get(token_env) or None, store.load(previous) if previous else None, max_requests=max_requests
    )
    found.write(out)
    for error in found.errors[:5]:
        obj.echo(f"code search: {error}", err=True)
    obj.echo(
        f"Code search saw {len(found.code_search)} repositories ({_by_format(found.by_format)}; "
        f"{found.requests} requests, {len(found.errors)} errors); "
        f"{len(found.referenced)} repositories named by marketplaces, {len(found.earlier)} sources of the previous "
        f"snapshot -> {out}"
    )


def _by_format(counts: dict[str, int]) -> str:
    """ "7 with Claude's catalog, 2 with Codex's, 0 with Cursor's, 3 with skill files, 1 with an Agent Plugins plugin.json"."""
    names = {
        "claude": "Claude's catalog",
        "codex": "Codex's",
        "cursor": "Cursor's",
        "skill": "skill files",
        "cursor-plugin": "a Cursor plugin at the root",
        "agent-plugins": "an Agent Plugins plugin.json",
    }
    return ", ".join(f"{counts.get(k, 0)} with {name}" for k, name in names.items())


def _shard(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        k, n = (int(x) for x in value.split("/"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not K/N", param_hint="--shard") from None
    if not 1 <= k <= n:
        raise click.BadParameter(f"{value!r}: K must be between 1 and N", param_hint="--shard")
    return k, n


@click.command()
@click.argument("parts", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Where to write the joined snapshot (and crawl-report.json beside it).",
)
@click.option(
    "--categories",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Category taxonomy (TOML), as for crawl.",
)
@click.option(
    "--discovered",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="The `discover-sources` file the shards were given, for the report's discovery counts.",
)
@click.pass_obj
def merge(obj: Context, parts: tuple[Path, ...], out: Path, categories: Path | None, discovered: Path | None) -> None:
    """Join the snapshots of `crawl --shard K/N` runs into one, as an unsharded crawl writes it."""
    from agentops_index.crawl import merge as join
    from agentops_index.snapshot import store
    from agentops_index.snapshot.categories import load_taxonomy
    from agentops_index.sources.discovery import Found

    found = Found.read(discovered) if discovered is not None else None
    result = join([store.load(p) for p in parts], load_taxonomy(categories), found)
    result.write(out)
    totals = result.snapshot.totals
    obj.echo(f"Merged {len(parts)} parts: {totals.marketplaces} marketplaces, {totals.recorded} plugins -> {out}")


@click.command()
@click.argument("candidate", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--previous",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    required=True,
    help="The snapshot that is published now.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the verdict as JSON here (default: gate-report.json beside CANDIDATE).",
)
@click.pass_obj
def gate(obj: Context, candidate: Path, previous: Path, report_path: Path | None) -> None:
    """Refuse to publish a snapshot that shrinks the index or loses sources (exit 1).

    Checks the candidate against the published snapshot: sources available, sources newly
    invalid, share refreshed, plugin count (confirmed removals excepted) and the accounting
    identity. Sources never readable in either snapshot count in no check and are listed
    apart. The nightly workflow runs it between crawl and publish.
    """
    from agentops_index.gate import judge
    from agentops_index.snapshot import store

    verdict = judge(store.load(candidate), store.load(previous))
    store.write_atomic(report_path or candidate.with_name("gate-report.json"), store.dumps(verdict.as_dict()))
    for check in verdict.checks:
        obj.echo(f"{'pass' if check.passed else 'FAIL'}  {check.name}: {check.detail}", err=not check.passed)
    if verdict.never_readable:
        shown = ", ".join(f"{u.id} ({u.last_error or u.state})" for u in verdict.never_readable[:10])
        more = f" and {len(verdict.never_readable) - 10} more" if len(verdict.never_readable) > 10 else ""
        obj.echo(f"not counted: {len(verdict.never_readable)} sources never readable: {shown}{more}")
    if not verdict.passed:
        obj.echo(f"Gate refused {candidate}: keep publishing {previous}", err=True, fg="red")
        sys.exit(1)
    obj.echo(f"Gate passed: {candidate} may be published")


COMMANDS = (crawl, discover_sources, merge, gate)
