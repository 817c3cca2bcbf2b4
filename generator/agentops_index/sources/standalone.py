"""Standalone Agent Skills as records: repositories of skills with no plugin catalog.

A skill is a folder with ``SKILL.md`` (agentskills.io). Many repositories publish skills with no
catalog at all (``skills/<name>/SKILL.md``), and agents read them wherever they are copied:
Claude Code from ``~/.claude/skills/``, Codex from ``~/.agents/skills/``. A repository with no
Claude, Codex or Cursor catalog but with skills is a marketplace of its own: each skill folder
is a record ``skill:<folder name>@<owner/repo>`` (``client`` "skill"), judged by the Agent
Skills reference validator (``manifest/skills.py``), with how to copy it where each of those
clients reads it. Skills inside a plugin are that plugin's components, as before; skills beside
a catalog, outside its plugins, are not records yet. Nothing here raises on what a repository
holds.
"""

from __future__ import annotations

import re
from pathlib import Path

from agentops_index.manifest import skills
from agentops_index.manifest.models import Marketplace, MarketplaceEntry, PluginSource
from agentops_index.manifest.text import NAME_CAP, clean
from agentops_index.snapshot import assemble
from agentops_index.snapshot import models as m
from agentops_index.snapshot.categories import Taxonomy
from agentops_index.sources import clients
from agentops_index.sources.other import Read, parts_of

# Where each client that reads Agent Skills looks for a user's own (FORMATS.md §3; the clients' docs).
READERS = (("Claude Code", "~/.claude/skills"), ("Codex", "~/.agents/skills"))
_SEGMENT = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._-]{0,127}")  # never "." or "..": checked apart


def _inside(folder: str, plugin_folders: set[str]) -> bool:
    return any(p in (".", "") or folder == p or folder.startswith(p.rstrip("/") + "/") for p in plugin_folders)


def found(root: Path, plugin_folders: set[str]) -> list[str]:
    """The skill folders (relative, posix) no plugin folder holds, the first ``skills.MAX_SKILLS``."""
    out: list[str] = []
    for folder in skills.folders(root):
        relative = folder.relative_to(root).as_posix()
        if relative != "." and not _inside(relative, plugin_folders):
            out.append(relative)
        if len(out) == skills.MAX_SKILLS:
            break
    return out


def install(source_id: str, origin: str, folder: str, name: str) -> list[str]:
    """Shell lines that copy the skill where each reader looks, built only from plain names."""
    owner, _, repo = source_id.partition("/")
    parts = [owner, repo, *folder.split("/"), name]
    if origin != "github" or not all(_SEGMENT.fullmatch(p) and p not in (".", "..") for p in parts):
        return []
    lines = [f"git clone --depth 1 https://github.com/{owner}/{repo}.git /tmp/{repo}"]
    lines += [f"mkdir -p {where} && cp -R /tmp/{repo}/{folder} {where}/{name}  # {who}" for who, where in READERS]
    return lines


def records(root: Path, source_id: str, origin: str, folders: list[str], context: tuple[Taxonomy, str]) -> list[m.PluginRecord]:
    """One record a skill folder, with the reference validator's verdict as its findings."""
    taxonomy, now = context
    market = Marketplace(name=None, raw={})
    out: list[m.PluginRecord] = []
    used: set[str] = set()
    for index, folder in enumerate(folders):
        name = folder.rsplit("/", 1)[-1]
        verdict = skills.judge(root / folder, root)
        view = m.ClientView(
            client="skill",
            catalog=f"{folder}/SKILL.md",
            valid=verdict.valid,
            rules=skills.RULES,
            install=install(source_id, origin, folder, name) if verdict.valid else [],
            untrusted=clients.untrusted(name, None, list(verdict.errors)),
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


def read_skills(root: Path, source_id: str, origin: str, taxonomy: Taxonomy, now: str) -> Read | None:
    """A repository with no catalog but skills: a marketplace of them; None when it has none."""
    folders = found(root, set())
    if not folders:
        return None
    made = records(root, source_id, origin, folders, (taxonomy, now))
    market = m.MarketplaceRecord(
        id=source_id,
        slug="",
        origin=origin,  # type: ignore[arg-type]
        valid=True,
        errors=0,
        warnings=0,
        findings=[],
        entries=len(made),
        plugin_ids=[r.id for r in made],
        skipped=[],
        install=m.Install(
            marketplace_add=None,
            plugin_install=None,
            note="Agent Skills with no catalog: copy a skill where your agent reads skills",
        ),
        client="skill",
        untrusted=m.MarketplaceUntrusted(name=assemble.text(source_id.rsplit("/", 1)[-1], NAME_CAP)),
    )
    count = {"skill": m.ClientCount(entries=len(made), recorded=len(made), skipped=0)}
    status = m.SourceStatus(
        id=source_id,
        kind=origin,  # type: ignore[arg-type]
        state="fresh",
        entries=len(made),
        recorded=len(made),
        skipped=0,
        clients=count,
    )
    return status, market, made
