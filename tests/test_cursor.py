"""manifest/cursor.py against the verdicts of Cursor's schemas and CI checks on real catalogs
(../shared/corpus-formats/oracle) and on crafted ones."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from agentops_index.manifest import cursor
from tests.oracle import FORMATS, formats_oracle


@pytest.mark.parametrize("folder", formats_oracle(".cursor-schema.json"))
def test_agrees_with_cursors_rules_on_every_real_catalog(folder: str) -> None:
    """Every problem of the catalog and of each entry (its folder and plugin.json), with its
    JSON pointer, file and message, and the verdict as a whole."""
    if folder == "(absent)":
        pytest.skip(f"the formats corpus is not at {FORMATS} (it lives in ../shared/corpus-formats)")
    verdict = json.loads((FORMATS / "oracle" / f"{folder}.cursor-schema.json").read_text())
    got = cursor.read(FORMATS / "marketplaces" / folder)
    assert got is not None
    assert sorted((p.path, p.message) for p in got.problems) == sorted(
        (e["path"], e["message"]) for e in verdict["marketplace_errors"]
    )
    assert [e.name for e in got.entries] == [e["name"] for e in verdict["entries"]]
    for theirs, mine in zip(verdict["entries"], got.entries, strict=True):
        # The recorded folders were partial copies: "does not exist in this folder".
        expected = sorted(
            (e["path"], e.get("file", cursor.CATALOG), e["message"].replace(" in this folder", "")) for e in theirs["errors"]
        )
        assert sorted((p.path, p.file, p.message) for p in mine.problems) == expected, mine.name
    assert got.valid == verdict["valid"]


def repo(tmp_path: Path, catalog: Any, plugins: dict[str, Any] | None = None) -> Path:
    (tmp_path / ".cursor-plugin").mkdir(parents=True, exist_ok=True)
    (tmp_path / cursor.CATALOG).write_text(catalog if isinstance(catalog, str) else json.dumps(catalog))
    for folder, manifest in (plugins or {}).items():
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        if manifest is not None:
            (tmp_path / folder / ".cursor-plugin").mkdir()
            (tmp_path / folder / cursor.MANIFEST).write_text(manifest if isinstance(manifest, str) else json.dumps(manifest))
    return tmp_path


def test_a_valid_catalog_and_its_entries(tmp_path: Path) -> None:
    got = cursor.read(
        repo(
            tmp_path,
            {
                "name": "m",
                "owner": {"name": "o", "email": "o@example.test"},
                "plugins": [{"name": "a", "source": "a"}, {"name": "b", "source": "./plugins/b"}],
            },
            {
                "a": {"name": "a", "version": "1.0.0", "author": {"name": "x"}},
                "plugins/b": {"name": "b", "minClientVersions": {"cursor": "3.13.0"}},
            },
        )
    )
    assert got is not None and got.valid and got.name == "m"
    assert [(e.folder, e.version) for e in got.entries] == [("a", "1.0.0"), ("plugins/b", None)]


def test_each_rule_names_its_file_and_place(tmp_path: Path) -> None:
    catalog = {
        "name": "m",
        "version": "1",
        "metadata": {"pluginRoot": "plugins", "anything": True},
        "plugins": [
            {"name": "Bad_Name", "source": "bad"},
            {"name": "gone", "source": "gone"},
            {"name": "bare", "source": "bare"},
            {"name": "other", "source": "other"},
            {"name": "closed", "source": "closed", "category": "x"},
            {"name": "far", "source": "../../far"},
            {"name": "remote", "source": "https://example.test/r.git"},
            {"name": "v", "source": "v", "minClientVersions": {"cursor": "never"}},
        ],
    }
    plugins = {
        "plugins/bad": {"name": "Bad_Name"},
        "plugins/bare": None,
        "plugins/other": {"name": "someone", "author": {"name": "a", "url": "https://a.test"}},
        "plugins/closed": "{broken",
        "plugins/v": {"name": "v"},
    }
    got = cursor.read(repo(tmp_path, catalog, plugins))
    assert got is not None and not got.valid
    assert ("/", "Additional properties are not allowed ('version' was unexpected)") in [
        (p.path, p.message) for p in got.problems
    ]
    paths = {p.path for p in got.problems}
    assert {"/plugins/0/name", "/plugins/4", "/plugins/7/minClientVersions/cursor"} <= paths
    by = {e.name: e for e in got.entries}
    assert by["Bad_Name"].problems[0].file == cursor.MANIFEST and by["Bad_Name"].problems[0].path == "/name"
    assert by["gone"].problems == [cursor.Problem("", 'source directory "gone" does not exist')]
    assert by["bare"].problems == [cursor.Problem("", f"{cursor.MANIFEST} is missing from bare")]
    messages = [(p.path, p.message) for p in by["other"].problems]
    assert ("/author", "Additional properties are not allowed ('url' was unexpected)") in messages
    assert ("/name", "'someone' is not the entry's name 'other'") in messages
    assert by["closed"].problems[0].file == cursor.MANIFEST and "JSON" in by["closed"].problems[0].message
    assert by["far"].problems == [cursor.Problem("", 'source directory "../../far" is outside the repository')]
    assert by["remote"].valid and by["remote"].folder is None
    assert by["v"].valid  # the entry's folder is fine; its catalog line is not (the catalog's problem)


def test_no_catalog_is_no_verdict(tmp_path: Path) -> None:
    assert cursor.read(tmp_path) is None


@pytest.mark.parametrize(
    "catalog",
    [
        "[]",
        "null",
        "{oops",
        '{"name": 1, "plugins": [1, null, "x", {"name": ["a"], "source": {"k": 1}}]}',
        '{"name": "m", "metadata": {"pluginRoot": 5}, "plugins": [{"name": "a", "source": "a"}]}',
        '{"name": "m", "plugins": [{"name": "a", "source": "/etc"}]}',
        '{"name": "m", "plugins": {"a": 1}}',
        '{"name": "m", "plugins": [{"name": "a", "source": "http://[x"}]}',
        '{"name": "m", "plugins": [{"name": "a", "source": "' + "a" * 300 + '"}]}',
        '{"name": "m", "metadata": {"pluginRoot": "' + "b" * 300 + '"}, "plugins": [{"name": "a", "source": "a"}]}',
    ],
)
def test_never_raises_on_what_strangers_publish(tmp_path: Path, catalog: str) -> None:
    got = cursor.read(repo(tmp_path, catalog, {"a": '{"name": "a", "hooks": 3, "variables": {"type": "x"}}'}))
    assert got is not None  # and nothing raised


def test_links_out_of_the_repository_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "p" / ".cursor-plugin").mkdir(parents=True)
    (outside / "p" / ".cursor-plugin" / "plugin.json").write_text('{"name": "secret-name"}')
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink(outside, root / "lnk")
    got = cursor.read(repo(root, {"name": "m", "metadata": {"pluginRoot": "lnk"}, "plugins": [{"name": "p", "source": "p"}]}))
    assert got is not None and got.entries[0].problems == [cursor.Problem("", 'source directory "p" does not exist')]
    linked = tmp_path / "linked"
    linked.mkdir()
    os.symlink(root / ".cursor-plugin", linked / ".cursor-plugin")
    linked_verdict = cursor.read(linked)
    assert linked_verdict is not None and linked_verdict.unjudged and linked_verdict.entries == []


def test_patterns_are_read_as_javascript_reads_them(tmp_path: Path) -> None:
    """Cursor's CI runs AJV: "$" is the end of the string and "\\d" is ASCII, unlike Python's re."""
    got = cursor.read(
        repo(
            tmp_path,
            {
                "name": "m",
                "plugins": [
                    {"name": "abc\n", "source": "https://x.test/a.git"},
                    {"name": "a\u0661", "source": "https://x.test/b.git"},
                ],
            },
        )
    )
    assert got is not None
    assert [p.path for p in got.problems] == ["/plugins/0/name", "/plugins/1/name"]
