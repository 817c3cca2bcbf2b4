"""docs/architecture.md and docs/security.md name real modules and files, so they cannot drift silently."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "architecture.md"
SECURITY = REPO / "docs" / "security.md"
# A repository path in backticks: generator/..., templates/..., tests/..., data/..., ...
PATH = re.compile(r"`((?:generator|templates|tests|data|scripts|bench|plugins|patterns|docs)/[^`\s<>*]+)`")


@pytest.mark.parametrize("doc,least", [(DOC, 40), (SECURITY, 12)], ids=["architecture", "security"])
def test_every_path_the_docs_name_exists(doc: Path, least: int) -> None:
    text = doc.read_text(encoding="utf-8")
    named = sorted(set(PATH.findall(text)))
    assert len(named) >= least, named  # the document is about the code: it names it
    missing = [p for p in named if not (REPO / p.rstrip("/")).exists()]
    assert missing == []


def test_every_module_of_the_package_is_named() -> None:
    """A new module is placed in the architecture when it is added."""
    text = DOC.read_text(encoding="utf-8")
    package = REPO / "generator" / "agentops_index"
    modules = [p for p in package.rglob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    unnamed = [str(p.relative_to(package)) for p in modules if str(p.relative_to(package)) not in text]
    allowed = {
        "cli.py",
        "config.py",
        "errors.py",
        "analytics.py",
        "render/charts.py",
        "render/diagram.py",
        "search/postings.py",
        "sources/checkout.py",
        "manifest/findings.py",
        "manifest/frontmatter.py",
        "manifest/names.py",
    }
    assert sorted(set(unnamed) - allowed) == []
