"""The ``agentops-index`` command line; the only place errors become exit codes.

Exit codes: 0 success, 1 failure (a failing verdict or an :class:`AgentopsError`),
2 usage errors (click's own).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from agentops_index import __version__

log = logging.getLogger("agentops_index")


def _color() -> bool | None:
    # https://no-color.org: any non-empty NO_COLOR turns colour off.
    return False if os.environ.get("NO_COLOR") else None


class Context:
    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity

    def echo(self, message: str = "", err: bool = False, **style: Any) -> None:
        if self.verbosity < 0 and not err:
            return
        click.echo(click.style(message, **style) if style else message, err=err, color=_color())


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


def main() -> None:
    """Console-script entry point."""
    from agentops_index.errors import AgentopsError

    try:
        cli.main(prog_name="agentops-index", standalone_mode=True)
    except AgentopsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
