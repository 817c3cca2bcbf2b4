"""Local directories as marketplace sources: one marketplace root, or a folder of checkouts.

A folder of checkouts names each child ``owner__repo`` (the layout of
``../shared/corpus/marketplaces``); the name becomes the GitHub id ``owner/repo``. A
marketplace root that is not named that way gets the stable id ``local/<name>`` from its
marketplace.json ``name`` (or its folder name), so the id never depends on where the
checkout happens to live. A root with another client's catalog or Agent Skills and no Claude
catalog is one repository too (``local/<folder name>``, or ``owner/repo`` for a checkout), read
by ``sources/other.py`` or ``sources/standalone.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from agentops_index.errors import InputError
from agentops_index.manifest import agentplugins
from agentops_index.manifest.checks import present, read_bytes
from agentops_index.manifest.jsonfile import MARKETPLACE_CAP, read_json
from agentops_index.manifest.validate import MARKETPLACE_FILE
from agentops_index.snapshot.models import Origin
from agentops_index.snapshot.slugs import segment

# GitHub owners: letters, digits and single hyphens; repos also allow "." and "_".
_CHECKOUT = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))__([A-Za-z0-9._-]{1,100})$")


@dataclass(frozen=True, slots=True)
class LocalSource:
    id: str
    root: Path
    origin: Origin


@dataclass(frozen=True, slots=True)
class Unusable:
    id: str
    reason: str
    root: Path | None = None  # the checkout, when there is one (its other clients' catalogs are read)
    origin: Origin = "github"  # "local": a root given to --from-dir that is no owner__repo checkout


def checkout_id(name: str) -> str | None:
    """``owner/repo`` for a folder named ``owner__repo``, else None."""
    match = _CHECKOUT.match(name)
    if not match or match.group(2) in (".", ".."):
        return None
    return f"{match.group(1)}/{match.group(2)}"


def _has_marketplace(folder: Path) -> bool:
    return (folder / MARKETPLACE_FILE).is_file() and not (folder / ".claude-plugin").is_symlink()


# Another client's catalog, or Agent Skills, at a root given to --from-dir (sources/other.py and
# sources/standalone.py read it): a repository, not a folder of checkouts.
OTHER_ROOT_FILES = (
    ".agents/plugins/marketplace.json",
    ".cursor-plugin/marketplace.json",
    ".cursor-plugin/plugin.json",
    "SKILL.md",
)


def _has_other(folder: Path) -> bool:
    return (
        agentplugins.claimed(folder) is not None
        or any(present(folder, f) for f in OTHER_ROOT_FILES)
        or any(present(child, "SKILL.md") for child in sorted((folder / "skills").glob("*"))[:1000] if child.is_dir())
    )


def _local_id(root: Path) -> str:
    data = read_bytes(root / MARKETPLACE_FILE, MARKETPLACE_CAP)
    doc = read_json(data, MARKETPLACE_CAP) if data is not None else None
    name = doc.value.get("name") if doc is not None and doc.ok and isinstance(doc.value, dict) else None
    if isinstance(name, str) and segment(name, ""):
        return f"local/{segment(name)}"
    return f"local/{segment(root.resolve().name, 'marketplace')}"


def _source(folder: Path) -> LocalSource:
    github = checkout_id(folder.resolve().name)
    if github is not None:
        return LocalSource(github, folder, "github")
    return LocalSource(_local_id(folder), folder, "local")


def discover(directories: list[Path]) -> tuple[list[LocalSource], list[Unusable]]:
    """Every marketplace under the given directories, and the checkouts that hold none.

    Raises :class:`InputError` for a directory that does not exist (our input, not theirs).
    The first source with a given id wins; later ones are reported as duplicates.
    """
    found: list[LocalSource] = []
    unusable: list[Unusable] = []
    seen: set[str] = set()

    def add(source: LocalSource) -> None:
        key = source.id.lower()  # GitHub ids are case-insensitive
        if key in seen:
            unusable.append(Unusable(source.id, "duplicate_source: an earlier --from-dir already gave this id"))
        else:
            seen.add(key)
            found.append(source)

    for directory in directories:
        directory = Path(directory)
        if not directory.is_dir():
            raise InputError(f"--from-dir {directory}: not a directory")
        if _has_marketplace(directory):
            add(_source(directory))
            continue
        if _has_other(directory):  # one repository of another client's, or of skills
            github = checkout_id(directory.resolve().name)
            found_id = github or f"local/{segment(directory.resolve().name, 'repository')}"
            if found_id.lower() in seen:
                unusable.append(Unusable(found_id, "duplicate_source: an earlier --from-dir already gave this id"))
            else:
                seen.add(found_id.lower())
                reason = f"no_marketplace: no {MARKETPLACE_FILE}"
                unusable.append(Unusable(found_id, reason, directory, "github" if github else "local"))
            continue
        children = sorted((c for c in directory.iterdir() if c.is_dir() and not c.is_symlink()), key=lambda p: p.name)
        for child in children:
            if _has_marketplace(child):
                add(_source(child))
            elif (other := checkout_id(child.name)) is not None:
                # No Claude catalog: another client's may give its records (sources/other.py), so
                # its id is taken like any source's (the first --from-dir that gives it wins).
                if other.lower() in seen:
                    unusable.append(Unusable(other, "duplicate_source: an earlier --from-dir already gave this id"))
                else:
                    seen.add(other.lower())
                    unusable.append(Unusable(other, f"no_marketplace: no {MARKETPLACE_FILE}", child))
        if not children and not _has_marketplace(directory):
            raise InputError(f"--from-dir {directory}: neither a marketplace root nor a folder of checkouts")
    return found, unusable
