"""data/search.toml as load_search derived it, kept in the user's cache: the same settings as a
parse, never stale, and never needed (a read-only or broken cache only costs the parse)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from agentops_index import config
from agentops_index.config import cache_root, load_search

SETTINGS = (
    '[synonyms]\npr = ["pull request", "merge request"]\n'
    '[weak_words]\nweight = 0.25\nwords = ["better", "files"]\n'
    '[translations]\ntest = ["prueba", "Prüfung"]\nreview = ["revisión"]\n'
    '[function_words]\nwords = ["de", "für"]\n'
    '[compounds]\nsuffixes = ["js", "kit"]\n'
    '[function_phrases]\nphrases = ["en busca de"]\n'
)


def _memos() -> list[Path]:
    return sorted((cache_root() / "config").glob("search-*.json"))


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Records each real parse of a settings file."""
    seen: list[Path] = []
    parse = config._parse_search

    def counting(found: Path, raw: bytes) -> config.Search:
        seen.append(found)
        return parse(found, raw)

    monkeypatch.setattr(config, "_parse_search", counting)
    return seen


def test_the_kept_settings_equal_a_parse_and_spare_the_next_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "search.toml"
    path.write_text(SETTINGS, "utf-8")
    parses = _parses(monkeypatch)
    first = load_search(path)
    assert parses == [path] and len(_memos()) == 1
    again = load_search(path)
    assert parses == [path], "the second load read the kept settings"
    assert again == first
    assert first.translations["prufung"] == ("test",) and first.function_phrases == (("en", "busca", "de"),)
    assert first.compound_suffixes == ("kit", "js") and first.weak_weight == 0.25


def test_an_edited_file_is_parsed_again_never_answered_from_the_kept_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same path, same size and mtime even: the key is the file's bytes."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "search.toml"
    path.write_text(SETTINGS, "utf-8")
    before = os.stat(path)
    assert load_search(path).synonyms["pr"] == ["pull request", "merge request"]
    path.write_text(SETTINGS.replace("merge request", "change request"), "utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert load_search(path).synonyms["pr"] == ["pull request", "change request"]
    assert len(_memos()) == 1, "one kept copy a settings file, replaced"


def test_a_file_with_problems_is_refused_every_time_and_never_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "search.toml"
    path.write_text("[weak_words]\nweight = 3\n", "utf-8")
    for _ in range(2):
        with pytest.raises(config.ConfigError, match=r"search.toml: \[weak_words\].weight"):
            load_search(path)
    assert _memos() == []


def test_a_broken_kept_copy_is_parsed_again_and_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "search.toml"
    path.write_text(SETTINGS, "utf-8")
    made = load_search(path)
    (memo,) = _memos()
    body = json.loads(memo.read_text("utf-8"))
    for broken in ("{not json", json.dumps({**body, "search": {**body["search"], "translations": 7}}), json.dumps([body])):
        memo.write_text(broken, "utf-8")
        assert load_search(path) == made
        assert json.loads(memo.read_text("utf-8")) == body


def test_a_read_only_cache_only_costs_the_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: a read-only folder is writable all the same")
    root = tmp_path / "cache"
    root.mkdir()
    root.chmod(stat.S_IRUSR | stat.S_IXUSR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(root))
    path = tmp_path / "search.toml"
    path.write_text(SETTINGS, "utf-8")
    try:
        assert load_search(path) == load_search(path)
        assert not (root / "agentops-index").exists()
    finally:
        root.chmod(stat.S_IRWXU)


def test_a_cache_path_that_cannot_be_a_folder_only_costs_the_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same where root cannot be refused: the cache's place is taken by a file."""
    (tmp_path / "cache").write_text("not a folder", "utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "search.toml"
    path.write_text(SETTINGS, "utf-8")
    parses = _parses(monkeypatch)
    assert load_search(path) == load_search(path)
    assert len(parses) == 2


def test_the_shipped_settings_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """data/search.toml itself (hundreds of translations and phrases): kept and read back equal."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    parsed = load_search()
    kept = load_search()
    assert kept == parsed and kept.translations and kept.function_phrases
    # In the file's order too (== compares dictionaries without it): synonym forms follow it.
    assert list(kept.synonyms) == list(parsed.synonyms) and list(kept.translations) == list(parsed.translations)
    assert len(_memos()) == 1


def test_the_cache_keeps_a_few_settings_files_and_no_leftovers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = cache_root() / "config"
    folder.mkdir(parents=True)
    left = folder / ".search-0123456789abcdef.json.99.abcd.tmp"
    left.write_text("{", "utf-8")
    os.utime(left, (0, 0))
    fresh = folder / ".search-fedcba9876543210.json.98.dcba.tmp"  # another process writing now
    fresh.write_text("{", "utf-8")
    for n in range(config.MEMOS + 3):
        path = tmp_path / f"search-{n}.toml"
        path.write_text(SETTINGS, "utf-8")
        load_search(path)
    assert len(_memos()) == config.MEMOS
    assert not left.exists() and fresh.exists()
    assert load_search(path) == load_search(tmp_path / "search-0.toml")


def test_code_without_a_source_file_parses_every_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Imported from an archive, the code cannot be told from another version: nothing is kept."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(config, "__file__", str(tmp_path / "gone" / "config.py"))
    path = tmp_path / "search.toml"
    path.write_text(SETTINGS, "utf-8")
    parses = _parses(monkeypatch)
    assert load_search(path) == load_search(path)
    assert len(parses) == 2 and _memos() == []
