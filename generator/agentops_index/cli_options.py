"""What the commands share: options declared once so each means one thing everywhere, and the
context that prints (quiet, colour).

- ``--snapshot``: a snapshot as a path (a built site's folder too) or an http(s) URL. Query commands (search, discover,
  prime, orchestrate, analyze-plugins, bundles, patterns sync) read its query file when the site
  publishes one; ``build`` reads the snapshot itself. Both revalidate a URL by ETag.
- ``--json`` / ``--fenced``: the answer as JSON, or in the fenced form the Claude commands read.
- ``--base-url``: where the site is (or will be) served.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from agentops_index.assistant.present import FENCED_HELP, SNAPSHOT_HELP
from agentops_index.config import DEFAULT_BASE_URL

Decorator = Callable[[Any], Any]


def snapshot_option(help: str = SNAPSHOT_HELP) -> Decorator:
    return click.option("--snapshot", "snapshot_arg", default=None, metavar="PATH_OR_URL", help=help)


def output_options(json_help: str = "Print the answer as JSON.") -> Decorator:
    def apply(func: Any) -> Any:
        func = click.option("--fenced", "as_fenced", is_flag=True, help=FENCED_HELP)(func)
        return click.option("--json", "as_json", is_flag=True, help=json_help)(func)

    return apply


def base_url_option(help: str) -> Decorator:
    return click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, help=help)


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
