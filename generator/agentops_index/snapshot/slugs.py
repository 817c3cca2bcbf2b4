"""URL slugs made by us, never taken from what a stranger wrote.

A slug is one or more segments of ``[a-z0-9-]``, joined by ``/``. Plugin pages live at
``plugins/<owner>/<repo>/<name>/``; marketplace pages at ``marketplaces/<owner>/<repo>/``.
When two ids slugify to the same string (case, accents, punctuation), *every* member of
the group gets a short hash of its id appended, so a slug never depends on input order.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

MAX_SEGMENT = 60
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def segment(value: str, fallback: str = "x") -> str:
    """One slug segment: ASCII-folded, lowercase, runs of other characters become ``-``."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", folded.lower()).strip("-")[:MAX_SEGMENT].strip("-")
    return slug or fallback


def short_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def assign(ids: Iterable[str], base: dict[str, str]) -> dict[str, str]:
    """Final slugs for ``ids`` given their base slugs; colliding groups all get hashes."""
    groups: dict[str, list[str]] = defaultdict(list)
    for item in ids:
        groups[base[item]].append(item)
    out: dict[str, str] = {}
    for slug, members in groups.items():
        for item in members:
            out[item] = slug if len(members) == 1 else f"{slug}-{short_hash(item)}"
    # A hashed slug could in principle equal another base slug; hash again until unique.
    seen: dict[str, str] = {}
    for item in sorted(out):
        slug = out[item]
        while slug in seen and seen[slug] != item:
            slug = f"{slug}-{short_hash(slug + item)}"
        seen[slug] = item
        out[item] = slug
    return out


def marketplace_base(marketplace_id: str) -> str:
    owner, _, repo = marketplace_id.partition("/")
    return f"{segment(owner)}/{segment(repo)}"


def plugin_base(plugin_id: str) -> str:
    name, _, marketplace_id = plugin_id.rpartition("@")
    return f"{marketplace_base(marketplace_id)}/{segment(name, 'plugin')}"
