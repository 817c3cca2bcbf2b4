"""Standalone Agent Skills as records: repositories of skills with no plugin catalog.

A skill is a folder with ``SKILL.md`` (agentskills.io). Many repositories publish skills with no
catalog at all (``skills/<name>/SKILL.md``), and agents read them wherever they are copied:
Claude Code from ``~/.claude/skills/``, Codex from ``~/.agents/skills/``. A repository with no
Claude, Codex or Cursor catalog but with skills is a marketplace of its own: each skill folder
is a record ``skill:<folder name>@<owner/repo>`` (``client`` "skill"), judged by the Agent
Skills reference validator (``manifest/skills.py``), with how to copy it where each of those
clients reads it (one line a client, a fresh temporary clone, nothing overwritten; none for a
skill that fails its checks or holds a symbolic link). A skill folder whose name cannot be an id
(not UTF-8, or a control character) or past ``skills.MAX_SKILLS`` is counted as skipped. Skills
inside a plugin are that plugin's components, as before; skills beside a catalog, outside every
folder of its plugins (``beside``), are records the same way, listed as the catalog's
``other_ids`` and counted under "skill". Nothing here raises on what a repository holds.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from agentops_index.manifest import skills
from agentops_index.manifest.checks import inside
from agentops_index.manifest.models import Marketplace, MarketplaceEntry, PluginSource
from agentops_index.manifest.text import NAME_CAP, clean
from agentops_index.snapshot import assemble
from agentops_index.snapshot import models as m
from agentops_index.snapshot.categories import Taxonomy
from agentops_index.sources import clients
from agentops_index.sources.checkout import BESIDE
from agentops_index.sources.other import Read, parts_of, read_other, without_catalog

# Where each client that reads Agent Skills looks for a user's own (FORMATS.md §3; the clients' docs).
READERS = (("Claude Code", "~/.claude/skills"), ("Codex", "~/.agents/skills"))
_SEGMENT = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._-]{0,127}")  # never "." or "..": checked apart
MAX_COUNTED = 100_000  # skill folders counted a repository (the first skills.MAX_SKILLS are records)


def _usable(relative: str) -> bool:
    """Whether a folder's path can be an id and a page: UTF-8 (a name that is not arrives with
    surrogate escapes, which no output can hold), and no control, format or line-separator
    character that would break a line of llms.txt or a page."""
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in relative)


def found(root: Path, places: list[Path] | None = None, leave: Callable[[str], bool] | None = None) -> tuple[list[str], int]:
    """The repository's skill folders (relative, posix; "." for a skill at its root), the first
    ``skills.MAX_SKILLS`` usable ones; and how many others there are (unusable names, past the
    cap), counted as skipped. ``places``: only the skills under these folders; ``leave``: folders
    that are not counted at all (a plugin's own)."""
    out: list[str] = []
    skipped = 0
    number = 0
    for folder in (f for place in places or [root] for f in skills.folders(place)):
        relative = folder.relative_to(root).as_posix()
        if leave is not None and leave(relative):
            continue
        if number == MAX_COUNTED:
            break
        number += 1
        if len(out) < skills.MAX_SKILLS and _usable(relative):
            out.append(relative)
        else:
            skipped += 1
    return out, skipped


def _linked(folder: Path) -> bool:
    """Whether anything in the folder is a symbolic link: a copy would keep it, pointing anywhere
    on the user's machine (``~/.ssh``), so no copy command is offered."""
    for _here, dirs, files in os.walk(folder, followlinks=False):
        here = Path(_here)
        if any((here / name).is_symlink() for name in (*dirs, *files)):
            return True
    return False


def install(source_id: str, origin: str, folder: str, name: str) -> list[str]:
    """One shell line a reader that copies the skill where it looks: a fresh temporary clone
    (never a shared /tmp folder someone else may have filled), no overwriting of a skill already
    there, built only from plain names."""
    owner, _, repo = source_id.partition("/")
    segments = [] if folder == "." else folder.split("/")
    if origin != "github" or not all(_SEGMENT.fullmatch(p) and p not in (".", "..") for p in [owner, repo, *segments, name]):
        return []
    clone = f'd=$(mktemp -d) && git clone --depth 1 https://github.com/{owner}/{repo}.git "$d/r"'
    what = '"$d/r"' if folder == "." else f'"$d/r/{folder}"'
    drop = ' && rm -rf "$d/r/.git"' if folder == "." else ""
    return [
        f"{clone}{drop} && mkdir -p {where} && test ! -e {where}/{name} && cp -R {what} {where}/{name}  # {who}"
        for who, where in READERS
    ]


def _file(folder: Path) -> str:
    return next((name for name in skills.FILES if (folder / name).is_file()), skills.FILES[0])


def records(root: Path, source_id: str, origin: str, folders: list[str], context: tuple[Taxonomy, str]) -> list[m.PluginRecord]:
    """One record a skill folder, with the reference validator's verdict as its findings."""
    taxonomy, now = context
    market = Marketplace(name=None, raw={})
    out: list[m.PluginRecord] = []
    used: set[str] = set()
    for index, folder in enumerate(folders):
        name = (folder if folder != "." else source_id).rsplit("/", 1)[-1]
        verdict = skills.judge(root / folder, root)
        problems = list(verdict.errors)
        commands = install(source_id, origin, folder, name) if verdict.valid else []
        if commands and _linked(root / folder):
            commands = []
            problems.append("the folder holds a symbolic link: a copy would keep it, so no copy command is shown")
        where = f"{folder}/{_file(root / folder)}" if folder != "." else _file(root)
        view = m.ClientView(
            client="skill",
            catalog=where,
            valid=verdict.valid,
            rules=skills.RULES,
            install=commands,
            untrusted=clients.untrusted(name, None, problems),
        )
        entry = MarketplaceEntry(index=index, name=name, raw={}, source=PluginSource(kind="relative", path=f"./{folder}"))
        parts = parts_of(root, folder, (), entry)
        doc = parts.inventory.skills[0] if parts.inventory.skills else None
        parts.plugin_json = {"description": doc.description} if doc is not None and doc.description else None
        findings = [
            m.FindingRecord(
                code="skill.invalid", severity="error", path=folder, message=clean(e, assemble.FINDING_CAP), scope="entry"
            )
            for e in verdict.errors
        ]
        note = "a standalone Agent Skill, not a plugin: copy its folder where your agent reads skills"
        home = assemble.Home(client="skill", findings=findings, views=[view], note=note)
        record = assemble.plugin_record(source_id, origin, market, entry, parts, taxonomy, now, home=home)
        if record.id in used:
            record = record.model_copy(update={"id": f"{record.id}#{index}"})
        used.add(record.id)
        out.append(record)
    return out


def _within(folder: str, plugin_dir: str) -> bool:
    return plugin_dir == "." or folder == plugin_dir or folder.startswith(plugin_dir + "/")


def beside(
    root: Path, source_id: str, origin: str, plugins: list[m.PluginRecord], context: tuple[Taxonomy, str]
) -> tuple[list[m.PluginRecord], dict[str, m.ClientCount]]:
    """The records of a repository's skills kept where skills are published (``BESIDE``) and
    outside every folder its catalog's plugins read (``plugins``, the records made so far), and
    their count; none when there are none. Folders whose name cannot be an id, or past
    ``skills.MAX_SKILLS``, are counted as skipped, as in a repository of skills."""
    dirs = {clients.folder_of(p.resolved.plugin_dir) or "." for p in plugins if clients.in_repository(p)}
    places = [path for place in BESIDE if (path := inside(root, place)) is not None and path.is_dir()]
    if "." in dirs or not places:
        return [], {}
    outside, skipped = found(root, places, lambda folder: any(_within(folder, d) for d in dirs))
    if not outside and not skipped:
        return [], {}
    made = records(root, source_id, origin, outside, context)
    taken = {r.id for r in plugins}
    made = [r if r.id not in taken else r.model_copy(update={"id": f"{r.id}#beside"}) for r in made]
    return made, {"skill": m.ClientCount(entries=len(made) + skipped, recorded=len(made), skipped=skipped)}


def read_other_and_skills(root: Path, source_id: str, origin: str, taxonomy: Taxonomy, now: str) -> Read | None:
    """``other.read_other`` (a repository with Codex's or Cursor's catalog and not Claude's), with
    the records of the skills beside that catalog (``beside``)."""
    read = read_other(root, source_id, origin, taxonomy, now)
    if read is None:
        return read
    status, market, plugins = read
    if market is None:
        return read
    made, count = beside(root, source_id, origin, plugins, (taxonomy, now))
    if not made:
        return read
    market = market.model_copy(update={"other_ids": [*market.other_ids, *(r.id for r in made)]})
    counted = dict(sorted(clients.merged(status.clients, count).items()))
    status = status.model_copy(
        update={"entries": status.entries + len(made), "recorded": status.recorded + len(made), "clients": counted}
    )
    return status, market, plugins + made


def read_skills(root: Path, source_id: str, origin: str, taxonomy: Taxonomy, now: str) -> Read | None:
    """A repository with no catalog but skills: a marketplace of them; None when it has none."""
    folders, skipped = found(root)
    if not folders:
        return None
    made = records(root, source_id, origin, folders, (taxonomy, now))
    note = "Agent Skills with no catalog: copy a skill where your agent reads skills"
    untrusted = m.MarketplaceUntrusted(name=assemble.text(source_id.rsplit("/", 1)[-1], NAME_CAP))
    # The marketplace's entries are its records; the skill folders that are not are counted here.
    count = m.ClientCount(entries=len(made) + skipped, recorded=len(made), skipped=skipped)
    return without_catalog(source_id, origin, made, ("skill", note, untrusted), count)
