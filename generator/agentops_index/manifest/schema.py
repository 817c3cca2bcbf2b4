"""A small structural checker that reports problems the way Claude Code's zod schemas do.

Claude Code validates manifests with zod 4. Its messages ("Invalid input: expected
string, received number", "Invalid string: must start with \\"./\\"") and, above all,
*which* message a union yields, follow from two zod rules that this module copies:

* a type mismatch, a wrong literal or a failed union **aborts** its branch, while a
  failed refinement (a string that does not start with ``./``) does not;
* a union whose options all fail reports the issues of its only non-aborted option,
  and a bare ``Invalid input`` when none or several options got that far.

Paths are kept as tuples and printed zod's way (``plugins.0.source``, or ``root``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

PathPart = str | int
Path = tuple[PathPart, ...]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True, slots=True)
class Issue:
    """One schema problem at ``path``; ``abort`` marks zod's non-continuable issues."""

    path: Path
    message: str
    abort: bool = False


def dotted(path: Path) -> str:
    """Print a path as zod does: ``plugins.0.source``; the empty path is ``root``."""
    return ".".join(str(part) for part in path) if path else "root"


def js_type(value: Any) -> str:
    """Name a JSON value's type as zod's messages do."""
    if value is MISSING:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


Check = Callable[[Any], str | None]


class Schema:
    """A node of the checker; ``check`` returns every issue of ``value`` at ``path``."""

    def check(self, value: Any, path: Path = ()) -> list[Issue]:
        raise NotImplementedError


def _type_issue(path: Path, expected: str, value: Any) -> list[Issue]:
    return [Issue(path, f"Invalid input: expected {expected}, received {js_type(value)}", abort=True)]


class Str(Schema):
    def __init__(self, *checks: Check) -> None:
        self.checks = checks

    def check(self, value: Any, path: Path = ()) -> list[Issue]:
        if not isinstance(value, str):
            return _type_issue(path, "string", value)
        return [Issue(path, msg) for msg in (c(value) for c in self.checks) if msg]


class Bool(Schema):
    def check(self, value: Any, path: Path = ()) -> list[Issue]:
        return [] if isinstance(value, bool) else _type_issue(path, "boolean", value)


class Num(Schema):
    def __init__(self, minimum: float | None = None, maximum: float | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum

    def check(self, value: Any, path: Path = ()) -> list[Issue]:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _type_issue(path, "number", value)
        issues = []
        if self.minimum is not None and value < self.minimum:
            issues.append(Issue(path, f"Too small: expected number to be >={_num(self.minimum)}"))
        if self.maximum is not None and value > self.maximum:
            issues.append(Issue(path, f"Too big: expected number to be <={_num(self.maximum)}"))
        return issues


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class Null(Schema):
    def check(self, value: Any, path: Path = ()) -> list[Issue]:
        return [] if value is None else _type_issue(path, "null", value)


class Any_(Schema):
    def check(self, value: Any, path: Path = ()) -> list[Issue]:
        return [Issue(path, "Invalid input", abort=True)] if value is MISSING else []


class Literal(Schema):
    def __init__(self, expected: str) -> None:
        self.expected = expected

    def check(self, value: Any, path: Path = ()) -> list[Issue]:
        if value == self.expected:
            return []
        return [Issue(path, f'Invalid input: expected "{self.expected}"', abort=True)]


class Enum(Schema):
    def __init__(self, *options: str) -> None:
        self.options = options

    def check(self, value: Any, path: Path = ()) -> list[Issue]:
        if value in self.options:
            return []
        listed = "|".join(f'"{o}"' for o in self.options)
        return [Issue(path, f"Invalid option: expected one of {listed}", abort=True)]


class Optional(Schema):
    def __init__(self, inner: Schema) -> None:
        self.inner = inner

    def check(self, value: Any, path: Path = ()) -> list[Issue]:
        return [] if value is MISSING else self.inner.check(value, path)


class Arr(Schema):
    def __init__(self, item: Schema) -> None:
        self.item = item

    def check(self, value: Any, path: Path = ()) -> list[Issue]:
        if not isinstance(value, list):
            return _type_issue(path, "array", value)
        issues: list[Issue] = []
        for index, item in enumerate(value):
            issues.extend(self.item.check(item, (*path, index)))
        return issues


class Obj(Schema):
    """An object with known keys; unknown keys pass (Claude Code warns about them separately).

    ``strict`` objects refuse unknown keys as zod's strict objects do.
    """

    def __init__(
        self,
        shape: Mapping[str, Schema],
        strict: bool = False,
        refine: Callable[[dict[str, Any]], str | None] | None = None,
    ) -> None:
        self.shape, self.strict, self.refine = shape, strict, refine

    def check(self, value: Any, path: Path = ()) -> list[Issue]:
        if not isinstance(value, dict):
            return _type_issue(path, "object", value)
        issues: list[Issue] = []
        for key, schema in self.shape.items():
            issues.extend(schema.check(value.get(key, MISSING), (*path, key)))
        if self.strict:
            for key in value:
                if key not in self.shape:
                    issues.append(Issue(path, f'Unrecognized key: "{key}"'))
        if self.refine is not None and not issues:
            message = self.refine(value)
            if message:
                issues.append(Issue(path, message))
        return issues


class Record(Schema):
    def __init__(self, value: Schema) -> None:
        self.value = value

    def check(self, value: Any, path: Path = ()) -> list[Issue]:
        if not isinstance(value, dict):
            return _type_issue(path, "object", value)
        issues: list[Issue] = []
        for key, item in value.items():
            issues.extend(self.value.check(item, (*path, key)))
        return issues


class Union(Schema):
    def __init__(self, *options: Schema) -> None:
        self.options = options

    def check(self, value: Any, path: Path = ()) -> list[Issue]:
        results = []
        for option in self.options:
            issues = option.check(value, path)
            if not issues:
                return []
            results.append(issues)
        survivors = [r for r in results if not any(i.abort for i in r)]
        if len(survivors) == 1:
            return survivors[0]
        return [Issue(path, "Invalid input", abort=True)]


# --- string checks ---------------------------------------------------------------------


def starts_with(prefix: str) -> Check:
    return lambda s: None if s.startswith(prefix) else f'Invalid string: must start with "{prefix}"'


def ends_with(suffix: str) -> Check:
    return lambda s: None if s.endswith(suffix) else f'Invalid string: must end with "{suffix}"'


def exact_length(length: int) -> Check:
    def check(s: str) -> str | None:
        if len(s) < length:
            return f"Too small: expected string to have exactly {length} characters"
        if len(s) > length:
            return f"Too big: expected string to have exactly {length} characters"
        return None

    return check


def matches(pattern: str, message: str) -> Check:
    compiled = re.compile(pattern)
    return lambda s: None if compiled.fullmatch(s) else message


def non_empty(message: str) -> Check:
    return lambda s: None if s else message


def is_url(s: str) -> str | None:
    """zod's ``z.string().url()``: a WHATWG-parsable absolute URL with a scheme."""
    try:
        parts = urlsplit(s)
    except ValueError:
        return "Invalid URL"
    if not parts.scheme or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", parts.scheme):
        return "Invalid URL"
    if any(c.isspace() for c in s.strip()):
        return "Invalid URL"
    if parts.scheme.lower() in {"http", "https", "ws", "wss", "ftp"} and not parts.netloc:
        return "Invalid URL"
    return None
