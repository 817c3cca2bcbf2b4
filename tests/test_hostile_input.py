"""Malformed and hostile manifests get a reason code, never a crash (SECURITY.md App. B, M-1..M-9, M-17)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentops_index.manifest import frontmatter
from agentops_index.manifest.findings import Report
from agentops_index.manifest.jsonfile import MANIFEST_CAP, MARKETPLACE_CAP, MAX_DEPTH, read_json
from agentops_index.manifest.models import parse_marketplace
from agentops_index.manifest.validate import validate_path

VALID = {"name": "t", "owner": {"name": "T"}, "description": "d", "plugins": [{"name": "p", "source": "./p"}]}

APPENDIX_B: list[tuple[str, bytes]] = [
    ("bom-bytes", b"\xef\xbb\xbf" + json.dumps(VALID).encode()),
    ("utf16-le", json.dumps(VALID).encode("utf-16-le")),
    ("utf16-be", json.dumps(VALID).encode("utf-16-be")),
    ("utf32", json.dumps(VALID).encode("utf-32")),
    ("invalid-utf8", b'{"name": "\xff\xfe"}'),
    ("overlong-utf8", b'{"name": "\xc0\xaf"}'),
    ("lone-surrogate-high", b'{"name": "t", "owner": {"name": "\\ud800"}, "plugins": []}'),
    ("lone-surrogate-low", b'{"name": "t", "owner": {"name": "\\udc00"}, "plugins": []}'),
    (
        "nul-and-c0-in-names",
        b'{"name": "t\\u0000\\u0007", "owner": {"name": "T"}, "plugins": [{"name": "a\\u0000b", "source": "./p"}]}',
    ),
    ("nan", b'{"name": NaN}'),
    ("infinity", b'{"name": Infinity}'),
    ("minus-infinity", b'{"name": -Infinity}'),
    ("huge-exponent", b'{"name": "t", "owner": {"name": "T"}, "plugins": [], "x": 1e400}'),
    ("minus-zero", b'{"name": "t", "owner": {"name": "T"}, "plugins": [], "x": -0}'),
    ("5000-digit-int", b'{"name": "t", "owner": {"name": "T"}, "plugins": [], "x": ' + b"9" * 5000 + b"}"),
    ("trailing-comma", b'{"name": "t",}'),
    ("line-comment", b'{// c\n"name": "t"}'),
    ("block-comment", b'{/* c */"name": "t"}'),
    ("single-quotes", b"{'name': 't'}"),
    ("unquoted-keys", b"{name: 't'}"),
    ("empty", b""),
    ("whitespace", b"  \n\t "),
    ("null", b"null"),
    ("top-array", b"[]"),
    ("top-string", b'"x"'),
    ("top-number", b"1"),
    ("truncated-50", json.dumps(VALID).encode()[: len(json.dumps(VALID)) // 2]),
    ("truncated-99", json.dumps(VALID).encode()[:-1]),
    ("two-objects", json.dumps(VALID).encode() * 2),
    ("depth-300", b"[" * 300 + b"]" * 300),
    ("depth-100k", b"[" * 100_000 + b"]" * 100_000),
    ("plugins-object", json.dumps({**VALID, "plugins": {"a": 1}}).encode()),
    ("entry-string", json.dumps({**VALID, "plugins": ["./p"]}).encode()),
    ("entry-no-name", json.dumps({**VALID, "plugins": [{"source": "./p"}]}).encode()),
    ("entry-name-number", json.dumps({**VALID, "plugins": [{"name": 5, "source": "./p"}]}).encode()),
    ("name-10k", json.dumps({**VALID, "plugins": [{"name": "a" * 10_000, "source": "./p"}]}).encode()),
    (
        "hostile-names",
        json.dumps(
            {
                **VALID,
                "plugins": [
                    {"name": n, "source": "./p"} for n in ["../index", "__proto__", "CON", "\U0001f600", "\u202eevil", "a\u200bb"]
                ],
            }
        ).encode(),
    ),
    ("duplicate-name-key", b'{"name": "safe", "name": "evil", "owner": {"name": "T"}, "plugins": []}'),
    ("duplicate-entries", json.dumps({**VALID, "plugins": [{"name": "p", "source": "./p"}] * 2}).encode()),
    ("1M-entries", json.dumps({**VALID, "plugins": [{"name": "p", "source": "./p"}] * 60_000}).encode()[: 2 << 20]),
    ("10MB-string", b'{"name": "' + b"x" * (10 << 20) + b'"}'),
    (
        "sources",
        json.dumps(
            {
                **VALID,
                "plugins": [
                    {"name": f"s{i}", "source": s}
                    for i, s in enumerate(
                        [
                            "/etc",
                            ".",
                            "../x",
                            "./a/../../b",
                            "C:\\x",
                            "%2e%2e%2f",
                            "\u2024\u2024/",
                            {"source": "nope"},
                            {"source": "github", "repo": "owner/repo/../../x"},
                            {"source": "github", "repo": "o/r", "ref": "--upload-pack=x", "sha": "HEAD~1"},
                            {"source": "url", "url": "http://169.254.169.254/"},
                            {"source": "url", "url": "http://[::1]/"},
                            {"source": "url", "url": "http://2130706433/"},
                            {"source": "url", "url": "file:///etc/passwd"},
                        ]
                    )
                ],
            }
        ).encode(),
    ),
]


def _market(tmp_path: Path, data: bytes) -> Path:
    (tmp_path / ".claude-plugin").mkdir(parents=True, exist_ok=True)
    (tmp_path / ".claude-plugin" / "marketplace.json").write_bytes(data)
    return tmp_path


@pytest.mark.parametrize("name,data", APPENDIX_B, ids=[c[0] for c in APPENDIX_B])
def test_malformed_marketplace_never_crashes(tmp_path: Path, name: str, data: bytes) -> None:
    report = validate_path(_market(tmp_path, data))
    assert report.verdict in {"pass", "warn", "fail"}
    for finding in report.findings:
        assert finding.code and finding.path and finding.message
        finding.message.encode("utf-8")  # M-6: every message survives encoding
    json.dumps(report.as_dict(), ensure_ascii=False).encode("utf-8")
    doc = read_json(data, MARKETPLACE_CAP)
    parse_marketplace(doc.value, report)  # the tolerant model never raises either


def _reason(data: bytes, cap: int = MANIFEST_CAP) -> str | None:
    doc = read_json(data, cap)
    return doc.problem.reason if doc.problem else None


def test_m1_huge_file_is_refused_before_parsing() -> None:
    assert _reason(b" " * (MARKETPLACE_CAP + 1), MARKETPLACE_CAP) == "too_large"


def test_m2_deep_nesting_has_a_reason_code_not_a_recursion_error() -> None:
    assert _reason(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)) == "invalid_json:depth"
    assert _reason(b"[" * 100 + b"]" * 100) is None
    assert _reason(b'["' + b"[" * 10_000 + b'"]') is None  # brackets inside strings do not count


def test_m3_duplicate_keys_last_wins_and_is_noted() -> None:
    doc = read_json(b'{"name": "safe-tool", "name": "evil"}')
    assert doc.value == {"name": "evil"}
    assert [code for code, _ in doc.notes] == ["duplicate_keys"]


@pytest.mark.parametrize("text", [b"NaN", b"Infinity", b"-Infinity", b'{"v": NaN}'])
def test_m4_non_finite_numbers_are_syntax_errors(text: bytes) -> None:
    doc = read_json(text)
    assert doc.problem is not None and doc.problem.reason == "invalid_json:syntax"
    assert "Unexpected identifier" in doc.problem.message


def test_m4_long_integers_become_numbers_not_errors() -> None:
    assert isinstance(read_json(b"9" * 5000).value, float)


def test_m5_bom_is_accepted_and_noted_invalid_bytes_replaced() -> None:
    doc = read_json(b'\xef\xbb\xbf{"a": 1}')
    assert doc.value == {"a": 1} and ("bom" in [c for c, _ in doc.notes])
    doc = read_json(b'{"a": "\xff"}')
    assert doc.value == {"a": "\ufffd"} and "invalid_encoding" in [c for c, _ in doc.notes]


def test_m6_surrogates_and_nul_do_not_break_reports(tmp_path: Path) -> None:
    report = validate_path(_market(tmp_path, b'{"name": "\\ud800", "owner": {"name": "\\u0000"}, "plugins": []}'))
    json.dumps(report.as_dict(), ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    "text,message",
    [
        (b"", "Unexpected EOF"),
        (b"{,}", "Expected '}'"),
        (b'{"a":1,}', "Property name must be a string literal"),
        (b"[1,]", "Unexpected comma at the end of array expression"),
        (b"#x", "Unrecognized token '#'"),
        (b"{'a': 1}", "Single quotes (') are not allowed in JSON"),
        (b'{"a": 1}{"b": 2}', "Unable to parse JSON string"),
        (b'{"a": "b', "Unterminated string"),
    ],
)
def test_m7_syntax_errors_read_like_claude_code(text: bytes, message: str) -> None:
    doc = read_json(text)
    assert doc.problem is not None
    assert doc.problem.message == f"Invalid JSON syntax: JSON Parse error: {message}"


def test_m8_unknown_source_types_become_stubs_and_unknown_keys_are_kept() -> None:
    value = {
        **VALID,
        "zzz": 1,
        "plugins": [{"name": "a", "source": {"source": "pip", "package": "x"}, "extra": 2}, {"name": "b", "source": "./b"}],
    }
    from agentops_index.manifest.checks import Sink
    from agentops_index.manifest.validate import check_marketplace

    report = Report("x")
    check_marketplace(Sink(report), value, None)
    market = parse_marketplace(value, report)
    assert [e.source.kind for e in market.entries] == ["unsupported", "relative"]
    assert market.entries[0].raw["extra"] == 2 and market.raw["zzz"] == 1
    assert not market.entries[0].valid and market.entries[1].valid


def test_m9_traversal_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    (secret / ".claude-plugin").mkdir(parents=True)
    (secret / ".claude-plugin" / "plugin.json").write_text('{"name": 5}')
    (secret / "hooks").mkdir()
    (secret / "hooks" / "hooks.json").write_text("{,}")
    root = tmp_path / "market"
    sources = ["../secret", "./a/../../secret", "./../secret", "/" + str(secret).lstrip("/")]
    _market(root, json.dumps({**VALID, "plugins": [{"name": f"p{i}", "source": s} for i, s in enumerate(sources)]}).encode())
    (root / "link").symlink_to(secret)
    report = validate_path(root)
    assert not any("plugin.json →" in f.path or f.file.endswith("hooks.json") for f in report.findings)
    market = parse_marketplace(json.loads((root / ".claude-plugin" / "marketplace.json").read_text()), report)
    assert {e.source.kind for e in market.entries} == {"invalid_source"}


def test_m9_symlinked_plugin_directory_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / ".claude-plugin").mkdir(parents=True)
    (outside / ".claude-plugin" / "plugin.json").write_text('{"name": 5}')
    root = tmp_path / "market"
    _market(root, json.dumps({**VALID, "plugins": [{"name": "p", "source": "./link"}]}).encode())
    (root / "link").symlink_to(outside)
    assert validate_path(root).verdict == "pass"


def test_m17_yaml_bombs_and_unsafe_tags_are_refused() -> None:
    bomb = "---\na: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n---\n"
    assert frontmatter.parse(bomb).error == "aliases"
    unsafe = "---\nname: !!python/object/apply:os.system ['echo hi']\n---\n"
    assert frontmatter.parse(unsafe).error == "yaml"
    huge = "---\ndescription: " + "x" * (70 << 10) + "\n---\n"
    assert frontmatter.parse(huge).error == "too_large"


def test_front_matter_falls_back_to_a_lenient_reading() -> None:
    text = '---\nname: a\ndescription: Use it.\nuser: "x" trailing\n---\n'
    parsed = frontmatter.parse(text)
    assert parsed.error == "yaml"
    assert parsed.text("description") == "Use it."
