"""The in-browser search index: Pagefind over the plugin pages, run on the site before it is swapped in.

Pagefind (PyPI ``pagefind[bin]``) indexes the text of elements marked ``data-pagefind-body``
on plugin pages, with ``data-pagefind-weight`` following data/search.toml's boosts. Facets
and sorting do not use Pagefind filters: with filters, Pagefind 1.5.2 wrote different files
on two runs over the same input, and the site must be byte-identical across builds. They
come from Pagefind *meta* on each plugin page instead (``data-pagefind-meta``: slug,
category, marketplace, components, licence, highest signal, score, stars, last update), which
arrives with each result's fragment, so no catalogue-wide facet file is downloaded. Without filters Pagefind's output
is deterministic, which the build determinism test checks whole.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TIMEOUT = 900


def available() -> bool:
    try:
        import pagefind  # noqa: F401
    except ImportError:
        return False
    return True


def index(site: Path) -> str | None:
    """Build ``site/pagefind/``; a warning (not an error) when Pagefind is missing or fails."""
    if not available():
        return "pagefind is not installed: the search page will find nothing (pip install 'pagefind[bin]')"
    done = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--quiet"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        return f"pagefind failed ({done.returncode}): {done.stderr.strip()[-300:]}"
    return None
