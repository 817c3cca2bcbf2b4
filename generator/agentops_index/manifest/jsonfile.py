"""Reading JSON that strangers publish, the way Claude Code reads it, without ever crashing.

Claude Code runs on Bun, whose ``JSON.parse`` (JavaScriptCore) decides what is valid:
a UTF-8 BOM is accepted, invalid UTF-8 becomes U+FFFD, duplicate keys keep the last
value, ``NaN``, comments and trailing commas are errors. :func:`read_json` follows
those rules and phrases syntax errors as JavaScriptCore does, so our findings read like
``claude plugin validate``'s. On top of that it enforces what the stdlib does not: a
byte cap (SECURITY.md M-1), a nesting cap checked before parsing (M-2, no
``RecursionError``), and integers of any length (M-4).

Our own observations (BOM, duplicate keys, replaced bytes) come back as ``notes``:
Claude Code says nothing about them, so they are not validator warnings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# SECURITY.md M-1 caps, in bytes.
MARKETPLACE_CAP = 1 << 20
MANIFEST_CAP = 256 << 10
MARKDOWN_CAP = 512 << 10
# Deeper documents are refused before parsing; real manifests nest fewer than 10 levels.
MAX_DEPTH = 256


@dataclass(frozen=True, slots=True)
class JsonProblem:
    """Why a document could not be read: a reason code and a Claude-Code-style message."""

    reason: str  # invalid_json:syntax | invalid_json:depth | too_large | invalid_encoding
    message: str
    line: int = 0
    column: int = 0


@dataclass(slots=True)
class JsonDocument:
    """The outcome of reading one JSON file: a value or a problem, plus notes."""

    value: Any = None
    problem: JsonProblem | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)  # (code, message)

    @property
    def ok(self) -> bool:
        return self.problem is None


def decode_text(data: bytes) -> tuple[str, list[tuple[str, str]]]:
    """Decode bytes as Bun does (BOM dropped, bad bytes become U+FFFD), noting both."""
    notes: list[tuple[str, str]] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        notes.append(("bom", "file starts with a UTF-8 byte order mark (accepted)"))
    text = data.decode("utf-8", errors="replace")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        notes.append(("invalid_encoding", f"bytes that are not UTF-8 at offset {exc.start} were replaced by U+FFFD"))
    return text, notes


def read_json(data: bytes, cap: int = MANIFEST_CAP) -> JsonDocument:
    """Parse untrusted JSON bytes; never raises."""
    if len(data) > cap:
        return JsonDocument(problem=JsonProblem("too_large", f"File is {len(data):,} bytes; the limit is {cap:,} bytes"))
    text, notes = decode_text(data)
    doc = JsonDocument(notes=notes)
    depth, where = _max_depth(text)
    if depth > MAX_DEPTH:
        line, col = _line_col(text, where)
        doc.problem = JsonProblem("invalid_json:depth", f"JSON nests deeper than {MAX_DEPTH} levels", line, col)
        return doc
    duplicates: list[str] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                duplicates.append(key)
            out[key] = value
        return out

    try:
        doc.value = json.loads(
            text,
            object_pairs_hook=pairs_hook,
            parse_constant=_reject_constant,
            parse_int=_parse_int,
        )
    except _ConstantError as exc:
        doc.problem = JsonProblem("invalid_json:syntax", f'Invalid JSON syntax: JSON Parse error: Unexpected identifier "{exc}"')
    except json.JSONDecodeError as exc:
        doc.problem = JsonProblem(
            "invalid_json:syntax",
            "Invalid JSON syntax: JSON Parse error: " + _jsc_message(text, exc),
            exc.lineno,
            exc.colno,
        )
    except (RecursionError, ValueError) as exc:  # belt and braces: the depth scan should stop these
        doc.problem = JsonProblem("invalid_json:syntax", f"Invalid JSON syntax: {type(exc).__name__}")
    if duplicates:
        keys = ", ".join(sorted(set(duplicates))[:10])
        doc.notes.append(("duplicate_keys", f"duplicate keys, the last value wins: {keys}"))
    if doc.value is not None and _ESCAPED_SURROGATE.search(text):
        doc.value = _whole(doc.value)
    return doc


# "\ud800" with no partner parses to a lone surrogate, which no UTF-8 output can hold (an id made
# of such a name crashed the crawl): each becomes U+FFFD, as a browser shows it. Pairs are joined
# by the parser already, so whatever surrogate is left is alone.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _whole(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_whole(v) for v in value]
    if isinstance(value, dict):
        return {_whole(k): _whole(v) for k, v in value.items()}
    return value


class _ConstantError(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _ConstantError(name)


def _parse_int(digits: str) -> int | float:
    # JavaScript numbers are doubles; Python refuses ints over 4,300 digits (ValueError).
    return int(digits) if len(digits) <= 300 else float(digits)


def _structural(text: str, end: int | None = None) -> Iterator[tuple[int, str]]:
    """(index, char) of every character outside JSON strings, up to ``end``."""
    in_string = escaped = False
    for index, char in enumerate(text[:end] if end is not None else text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        else:
            yield index, char


def _max_depth(text: str) -> tuple[int, int]:
    """Deepest bracket nesting outside strings, and where it was first reached."""
    depth = deepest = where = 0
    for index, char in _structural(text):
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, index
                if deepest > MAX_DEPTH:
                    break
        elif char in "]}":
            depth -= 1
    return deepest, where


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _open_container(text: str, pos: int) -> str:
    """The innermost bracket open at ``pos`` (``{``, ``[`` or empty)."""
    stack: list[str] = []
    for _index, char in _structural(text, pos):
        if char in "[{":
            stack.append(char)
        elif char in "]}" and stack:
            stack.pop()
    return stack[-1] if stack else ""


def _previous_token(text: str, pos: int) -> str:
    rest = text[:pos].rstrip()
    return rest[-1] if rest else ""


def _jsc_message(text: str, exc: json.JSONDecodeError) -> str:
    """Phrase a Python JSON error the way JavaScriptCore phrases the same input."""
    pos = exc.pos
    char = text[pos] if pos < len(text) else ""
    if exc.msg == "Extra data":
        return "Unable to parse JSON string"
    if exc.msg.startswith("Unterminated string") or exc.msg.startswith("Invalid control character"):
        return "Unterminated string"
    if not text[pos:].strip():
        return "Unexpected EOF"
    if char == "'":
        return "Single quotes (') are not allowed in JSON"
    if exc.msg == "Expecting value":
        if char in "]}" and _previous_token(text, pos) == ",":
            kind = "array" if char == "]" else "object"
            return f"Unexpected comma at the end of {kind} expression"
        if char.isalpha() or char == "_":
            word = char
            for follow in text[pos + 1 : pos + 40]:
                if not (follow.isalnum() or follow == "_"):
                    break
                word += follow
            return f'Unexpected identifier "{word}"'
        return f"Unrecognized token '{char}'"
    if exc.msg.startswith("Expecting property name"):
        if _previous_token(text, pos) == ",":
            return "Property name must be a string literal"
        if char in ",:[]{}" or char.isdigit() or char == "-":
            return "Expected '}'"
        return f"Unrecognized token '{char}'"
    if exc.msg.startswith("Expecting ',' delimiter"):
        return "Expected ']'" if _open_container(text, pos) == "[" else "Expected '}'"
    if exc.msg.startswith("Expecting ':' delimiter"):
        return "Expected ':' before value in object property definition"
    return exc.msg
