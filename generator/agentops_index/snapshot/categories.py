"""Categories: free-form ``category`` strings mapped onto our taxonomy (data/categories.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from agentops_index.errors import ConfigError
from agentops_index.snapshot.slugs import segment

UNCATEGORIZED = "uncategorized"
DEFAULT_FILE = Path("data/categories.toml")


@dataclass(frozen=True, slots=True)
class Taxonomy:
    names: dict[str, str] = field(default_factory=dict)  # slug -> display name
    aliases: dict[str, str] = field(default_factory=dict)  # folded spelling -> slug

    def slug_for(self, raw: str | None) -> str:
        """Our category slug for an entry's raw ``category`` (already normalized text)."""
        if not raw or not raw.strip():
            return UNCATEGORIZED
        key = segment(raw, "")
        if not key:
            return UNCATEGORIZED
        return self.aliases.get(key, key)

    def name_for(self, slug: str) -> tuple[str, bool]:
        """Display name of a category slug and whether it is curated."""
        if slug in self.names:
            return self.names[slug], True
        if slug == UNCATEGORIZED:
            return "Uncategorized", False
        return slug.replace("-", " ").capitalize(), False


def packaged_file() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "categories.toml"


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read the taxonomy: ``path``, else ./data/categories.toml, else the copy in the package."""
    if path is None:
        candidates = [DEFAULT_FILE, packaged_file()]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            return Taxonomy()
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"categories {path}: {exc}") from exc
    names: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for index, item in enumerate(data.get("category", [])):
        where = f"categories {path}: category[{index}]"
        slug, name = item.get("slug"), item.get("name")
        if not isinstance(slug, str) or segment(slug, "") != slug:
            raise ConfigError(f"{where}.slug: must be lowercase letters, digits and hyphens")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{where}.name: must be a non-empty string")
        if slug in names:
            raise ConfigError(f"{where}.slug: {slug!r} is defined twice")
        names[slug] = name
        for alias in [slug, name, *item.get("aliases", [])]:
            if not isinstance(alias, str):
                raise ConfigError(f"{where}.aliases: every alias must be a string")
            key = segment(alias, "")
            if aliases.get(key, slug) != slug:
                raise ConfigError(f"{where}.aliases: {alias!r} already maps to {aliases[key]!r}")
            aliases[key] = slug
    return Taxonomy(names, aliases)
