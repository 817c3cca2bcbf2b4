"""The Jinja2 environment: autoescape on, StrictUndefined, a theme folder that can override.

Data reaches templates only as variables, never as template source (R-14). URLs in
``href``/``src`` come from ``url_for`` (ours, relative to the current page) or from the
``safe_url`` filter (theirs, R-3); a template lint in the tests enforces it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, Template, pass_context
from jinja2.runtime import Context

from agentops_index.errors import BuildError
from agentops_index.render import badges
from agentops_index.render.fixes import fix_for
from agentops_index.render.markdown import render_markdown
from agentops_index.render.urls import safe_url
from agentops_index.search.records import highest_signal, other_marketplaces, works_in
from agentops_index.snapshot.models import Text

if TYPE_CHECKING:
    from agentops_index.render.contexts import Page, Site


def templates_dir() -> Path:
    """The theme shipped with the package (in a wheel), or the repo's templates/ (a checkout)."""
    packaged = Path(__file__).resolve().parent.parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


def text_of(value: Text | str | None) -> str:
    """The display string of an untrusted ``Text`` (empty for None)."""
    if value is None:
        return ""
    return value.text if isinstance(value, Text) else str(value)


def number(value: int) -> str:
    return f"{value:,}"


@pass_context
def url_for(context: Context, target: str) -> str:
    """A link from the current page to ``target`` (a site path like ``plugins/a/b/c/``)."""
    page = context["page"]
    return f"{page.root}{target}"


def environment(theme: Path | None = None) -> Environment:
    loaders = [FileSystemLoader(str(theme))] if theme else []
    loaders.append(FileSystemLoader(str(templates_dir())))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    rendered: dict[str, Any] = {}

    def markdown(value: Text | str | None) -> Any:
        """Each markdown text is rendered once per build: listings of one plugin share their README."""
        text = text_of(value)
        if text not in rendered:
            rendered[text] = render_markdown(text)
        return rendered[text]

    env.filters.update(t=text_of, safe_url=safe_url, markdown=markdown, number=number)
    env.globals.update(
        url_for=url_for,
        badge=badges.view,
        fix_for=fix_for,
        highest_signal=highest_signal,
        other_marketplaces=other_marketplaces,
        works_in=works_in,
    )
    return env


def render_template(env: Environment, site: Site, templates: dict[str, Template], name: str, job: Page, path: str) -> str:
    """``name`` rendered for ``job``; a failure (a theme's or our template's mistake) is a
    BuildError that names the page and the template."""
    try:
        if name not in templates:
            templates[name] = env.get_template(name)
        return templates[name].render(page=job, site=site)
    except Exception as exc:
        raise BuildError(f"{path}: template {name} failed: {type(exc).__name__}: {exc}"[:1000]) from exc
