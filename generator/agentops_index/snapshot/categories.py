"""Categories: free-form ``category`` strings mapped onto our taxonomy (data/categories.toml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from agentops_index.config import data_file, read_toml
from agentops_index.errors import ConfigError
from agentops_index.snapshot.slugs import segment

UNCATEGORIZED = "uncategorized"


@dataclass(frozen=True, slots=True)
class Taxonomy:
    names: dict[str, str] = field(default_factory=dict)  # slug -> display name
    aliases: dict[str, str] = field(default_factory=dict)  # folded spelling -> slug
    lexicon: dict[str, frozenset[str]] = field(default_factory=dict)  # slug -> intent words

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


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read the taxonomy: ``path``, else ./data/categories.toml, else the copy in the package."""
    found = data_file("categories.toml", path)
    if found is None:
        return Taxonomy()
    path = found
    data = read_toml(path)
    names: dict[str, str] = {}
    aliases: dict[str, str] = {}
    lexicon: dict[str, frozenset[str]] = {}
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
        keywords = item.get("keywords", [])
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise ConfigError(f"{where}.keywords: must be a list of strings")
        words = {w for text in [slug, name, *item.get("aliases", []), *keywords] for w in segment(text, "").split("-") if w}
        lexicon[slug] = frozenset(words)
    return Taxonomy(names, aliases, lexicon)
