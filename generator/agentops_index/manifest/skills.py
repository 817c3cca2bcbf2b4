"""Agent Skills (agentskills.io): finding a repository's skills and judging each by the spec's rules.

A skill is a folder holding ``SKILL.md`` (YAML front matter, then Markdown). The verdict is the
reference validator's, ``skills-ref`` 0.1.1 (``agentskills validate DIR``), whose own rule code
is called here on what we read: the front matter must parse (StrictYAML, as the reference reads
it), ``name`` (lowercase letters, digits and single hyphens, at most 64, equal to the folder's
name) and ``description`` (at most 1,024) are required, ``compatibility`` is at most 500, and no
other key than ``license``, ``allowed-tools`` and ``metadata`` is allowed. Claude Code and other
clients accept more keys (``disable-model-invocation``, ``argument-hint``, ``model``...), so a
skill Claude Code loads may fail here: the verdict says whose rules it applies.

We read the file ourselves (capped, symlinks refused) and hand its text to the reference's
parser, so a stranger's repository cannot make the validator read anything else. The tests hold
the verdicts to those ``skills-ref`` gave on every skill of ``../shared/corpus-formats``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from agentops_index.manifest.checks import present, read_bytes
from agentops_index.manifest.jsonfile import MARKDOWN_CAP

RULES = "skills-ref 0.1.1 (the agentskills.io reference validator)"
FILES = ("SKILL.md", "skill.md")  # the reference prefers the first
SKIPPED_FOLDERS = frozenset({".git", "node_modules"})
MAX_DEPTH = 8  # folders below the repository root searched for skills
FRONT_MATTER_CAP = 4 * 1024  # bytes; the largest of 2,772 real skills (both corpora) is 1.6 KB, and 8 KB parses in 0.5 s
FRONT_MATTER_LINES = 64  # the longest of those is 32 lines; StrictYAML's time grows with items, not bytes ("-" x 2,000: 6.7 s)
MAX_SKILLS = 1000  # judged a repository (the largest real ones ship a few hundred)


@dataclass(frozen=True, slots=True)
class SkillVerdict:
    folder: str  # relative to the repository root
    name: str | None  # the front matter's name, when it has one
    errors: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.errors


def folders(root: Path) -> Iterator[Path]:
    """Every folder under ``root`` holding a skill file, in path order; no symlink is followed."""
    for here, dirs, files in os.walk(root, followlinks=False):
        depth = Path(here).relative_to(root).parts
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS and len(depth) < MAX_DEPTH)
        if any(name in files for name in FILES):
            yield Path(here)


def judge(folder: Path, root: Path) -> SkillVerdict:
    """The reference validator's verdict on one skill folder.

    Read as the reference reads it (strict UTF-8, a byte order mark kept, so it fails the "starts
    with ---" rule as there), but capped: front matter over FRONT_MATTER_CAP is refused before
    StrictYAML sees it (its parse time grows with the square of the size: 8 KB takes 0.5 s), and a
    linked SKILL.md is refused, not followed. So it departs from the reference on front matter over
    the cap, which the reference would parse, however long that takes."""
    from skills_ref.errors import ParseError  # type: ignore[import-untyped]
    from skills_ref.parser import parse_frontmatter  # type: ignore[import-untyped]
    from skills_ref.validator import validate_metadata  # type: ignore[import-untyped]

    relative = folder.relative_to(root).as_posix()
    there = [folder / name for name in FILES if present(folder, name)]
    if not there:
        return SkillVerdict(relative, None, ("Missing required file: SKILL.md",))
    found = there[0]
    if found.is_symlink():
        return SkillVerdict(relative, None, (f"{found.name} is a symbolic link (not followed)",))
    data = read_bytes(found, MARKDOWN_CAP)
    if data is None:
        return SkillVerdict(relative, None, (f"{found.name} could not be read",))
    if len(data) > MARKDOWN_CAP:
        return SkillVerdict(relative, None, (f"{found.name} is over {MARKDOWN_CAP:,} bytes",))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return SkillVerdict(relative, None, (f"{found.name} is not UTF-8 (byte {exc.start})",))
    head = text.split("---", 2)
    if text.startswith("---") and len(head) == 3 and len(head[1].encode("utf-8")) > FRONT_MATTER_CAP:
        return SkillVerdict(relative, None, (f"front matter is over {FRONT_MATTER_CAP:,} bytes (not parsed)",))
    if text.startswith("---") and len(head) == 3 and head[1].count("\n") > FRONT_MATTER_LINES:
        return SkillVerdict(relative, None, (f"front matter is over {FRONT_MATTER_LINES} lines (not parsed)",))
    try:
        metadata, _body = parse_frontmatter(text)
    except ParseError as exc:
        return SkillVerdict(relative, None, (str(exc),))
    except Exception as exc:  # a stranger's YAML must never stop a crawl
        return SkillVerdict(relative, None, (f"Invalid YAML in frontmatter: {type(exc).__name__}",))
    name = metadata.get("name")
    return SkillVerdict(relative, name if isinstance(name, str) else None, tuple(validate_metadata(metadata, folder)))


def judge_all(root: Path) -> list[SkillVerdict]:
    """Every skill of the repository, the first MAX_SKILLS in path order."""
    out: list[SkillVerdict] = []
    for folder in folders(root):
        if len(out) == MAX_SKILLS:
            break
        out.append(judge(folder, root))
    return out
