"""manifest/skills.py against the reference validator's verdicts on real skills
(../shared/corpus-formats/oracle/*.agentskills.json) and on crafted and hostile ones."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from agentops_index.manifest import skills
from agentops_index.manifest.jsonfile import MARKDOWN_CAP
from tests.oracle import FORMATS, formats_oracle


@pytest.mark.parametrize("folder", formats_oracle(".agentskills.json"))
def test_agrees_with_the_reference_validator_on_every_real_skill(folder: str) -> None:
    """The same skill folders found, and for each the same error messages in the same order."""
    if folder == "(absent)":
        pytest.skip(f"the formats corpus is not at {FORMATS} (it lives in ../shared/corpus-formats)")
    verdict = json.loads((FORMATS / "oracle" / f"{folder}.agentskills.json").read_text())
    mine = {v.folder: v for v in skills.judge_all(FORMATS / "marketplaces" / folder)}
    assert sorted(mine) == sorted(r["dir"] for r in verdict["results"])
    for result in verdict["results"]:
        assert list(mine[result["dir"]].errors) == result["errors"], result["dir"]
        assert mine[result["dir"]].valid == (result["exit"] == 0)


def skill(root: Path, folder: str, text: str | bytes, file: str = "SKILL.md") -> Path:
    path = root / folder
    path.mkdir(parents=True, exist_ok=True)
    (path / file).write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_the_spec_rules(tmp_path: Path) -> None:
    skill(
        tmp_path, "skills/good", "---\nname: good\ndescription: Does one thing well.\nlicense: MIT\nmetadata:\n  a: 1\n---\nbody"
    )
    skill(tmp_path, "skills/Upper", "---\nname: Upper\ndescription: x\n---\n")
    skill(tmp_path, "skills/other", "---\nname: mismatch\ndescription: x\n---\n")
    skill(tmp_path, "skills/claude-only", "---\nname: claude-only\ndescription: x\ndisable-model-invocation: true\n---\n")
    skill(tmp_path, "skills/nameless", "---\ndescription: x\n---\n")
    skill(tmp_path, "skills/plain", "no front matter")
    skill(tmp_path, "skills/lower", "---\nname: lower\ndescription: x\n---\n", file="skill.md")
    got = {v.folder: v for v in skills.judge_all(tmp_path)}
    assert got["skills/good"].valid and got["skills/good"].name == "good"
    assert got["skills/lower"].valid
    assert any("must be lowercase" in e for e in got["skills/Upper"].errors)
    assert got["skills/other"].errors == ("Directory name 'other' must match skill name 'mismatch'",)
    assert got["skills/claude-only"].errors[0].startswith("Unexpected fields in frontmatter: disable-model-invocation.")
    assert got["skills/nameless"].errors == ("Missing required field in frontmatter: name",)
    assert got["skills/plain"].errors == ("SKILL.md must start with YAML frontmatter (---)",)


def test_hostile_skills_are_refused_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "SKILL.md").write_text("---\nname: secret\ndescription: x\n---\n")
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink(outside, root / "linked-folder")  # a folder link is not walked
    (root / "linked-file").mkdir()
    os.symlink(outside / "SKILL.md", root / "linked-file" / "SKILL.md")  # a file link is not read
    skill(root, "huge", b"---\nname: huge\ndescription: " + b"x" * (MARKDOWN_CAP + 1) + b"\n---\n")
    skill(root, "bomb", "---\nname: &a bomb\ndescription: *a\n---\n")
    skill(root, "flow", "---\n{name: flow, description: x}\n---\n")
    skill(root, "bytes", b"---\nname: bytes\ndescription: \xff\xfe\n---\n")
    skill(root, "bom", "\ufeff---\nname: bom\ndescription: x\n---\n")
    skill(root, "wide", "---\nname: wide\ndescription: x\nmetadata:\n" + "".join(f"  k{i}: v\n" for i in range(800)) + "---\n")
    deep = "/".join(["d"] * 12)
    for depth in (skills.MAX_DEPTH, skills.MAX_DEPTH + 1):
        skill(root, "deep/" + "/".join(["d"] * (depth - 1)), "---\nname: d\ndescription: x\n---\n")
    skill(root, "deep/" + deep, "---\nname: d\ndescription: x\n---\n")
    got = {v.folder: v for v in skills.judge_all(root)}
    assert "linked-folder" not in got
    assert got["linked-file"].errors == ("SKILL.md is a symbolic link (not followed)",)
    assert "over" in got["huge"].errors[0]
    assert not got["bomb"].valid and not got["flow"].valid
    assert got["bytes"].errors == ("SKILL.md is not UTF-8 (byte 29)",)  # the reference fails to decode it too
    assert got["bom"].errors == ("SKILL.md must start with YAML frontmatter (---)",)  # as the reference reads it
    assert got["wide"].errors == (f"front matter is over {skills.FRONT_MATTER_CAP:,} bytes (not parsed)",)
    deep_found = sorted(len(Path(f).parts) for f in got if f.startswith("deep/"))
    assert deep_found == [skills.MAX_DEPTH]  # a skill MAX_DEPTH folders down is found, deeper ones are not


def test_front_matter_with_many_items_is_refused_before_parsing(tmp_path: Path) -> None:
    """StrictYAML's time grows with the number of items, not bytes: 2,000 one-character list items
    (4 KB) took 6.7 s. Front matter over FRONT_MATTER_LINES lines is not parsed."""
    skill(tmp_path, "items", "---\nname: items\ndescription: x\n" + "-\n" * 2000 + "---\n")
    (verdict,) = skills.judge_all(tmp_path)
    assert verdict.errors == (f"front matter is over {skills.FRONT_MATTER_LINES} lines (not parsed)",)
