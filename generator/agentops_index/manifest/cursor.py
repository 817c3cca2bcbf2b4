"""A Cursor catalog judged by Cursor's rules as published: its JSON Schemas and its CI's checks, re-implemented.

Cursor publishes no validator to run offline. Its official catalog (``cursor/plugins`` at
195d935) checks every change with ``scripts/validate-plugins.mjs`` (AJV): ``.cursor-plugin/marketplace.json``
against ``schemas/marketplace.schema.json`` (closed: no key outside the schema), then, for every
entry whose source is a folder, that the folder exists, that it holds ``.cursor-plugin/plugin.json``,
that this file validates against ``schemas/plugin.schema.json`` (closed too), and that its ``name``
is the entry's. Those rules are written out here as JSON Schema and checked with Python's
``jsonschema``, with JavaScript's regular expressions for ``pattern``; this is a re-implementation,
not Cursor's program. A folder is looked for under ``metadata.pluginRoot`` when the catalog sets one:
the schema does not name that key, third-party linters and the recorded verdicts honour it.
The tests hold the verdicts to those in ``../shared/corpus-formats/oracle/*.cursor-schema.json``
(Cursor's schema files applied with ``jsonschema`` as well). A problem's ``path`` is a JSON pointer
into the file it names.

Everything read is a stranger's: nothing here raises on what a repository holds.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentops_index.manifest.checks import NOT_FOLLOWED, inside, linked, load_json, present, regular_file
from agentops_index.manifest.jsonfile import MARKETPLACE_CAP

RULES = "Cursor's published schemas and CI checks, re-implemented (cursor/plugins 195d935)"
CATALOG = ".cursor-plugin/marketplace.json"
MANIFEST = ".cursor-plugin/plugin.json"
MAX_ENTRIES = 2000  # a catalog's entries judged (the largest real catalog has 95)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # a scheme: a remote source (urlsplit raises on some strings)
NAME = r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$"
SEMVER = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$"
)


@dataclass(frozen=True, slots=True)
class Problem:
    path: str  # a JSON pointer into ``file`` ("" for a check about the entry as a whole)
    message: str
    file: str = CATALOG


@dataclass(slots=True)
class CursorEntry:
    name: str | None
    source: Any
    folder: str | None  # the plugin folder relative to the repository root; None for a remote source
    problems: list[Problem] = field(default_factory=list)  # the entry's own checks (its folder and plugin.json)
    version: str | None = None
    unjudged: str | None = None  # why its plugin.json was not read (a symbolic link, never followed)

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(slots=True)
class CursorCatalog:
    problems: list[Problem] = field(default_factory=list)  # the catalog file's own
    entries: list[CursorEntry] = field(default_factory=list)
    name: str | None = None
    unjudged: str | None = None  # why the catalog was not read (a symbolic link, never followed)

    @property
    def valid(self) -> bool:
        return not self.problems and all(e.valid for e in self.entries)


def read(root: Path) -> CursorCatalog | None:
    """The verdict on a repository's Cursor catalog, or None when it has none."""
    if not present(root, CATALOG):
        return None
    catalog_path = regular_file(root, CATALOG)
    if catalog_path is None:
        return CursorCatalog(
            unjudged=NOT_FOLLOWED.format(CATALOG) if linked(root, CATALOG) else f"{CATALOG} is not a regular file: not judged"
        )
    doc = load_json(catalog_path, MARKETPLACE_CAP)
    if doc is None or not doc.ok:
        why = doc.problem.message if doc is not None and doc.problem is not None else "unreadable"
        return CursorCatalog([Problem("", why)])
    body = doc.value
    catalog = CursorCatalog(list(_problems(body, MARKETPLACE_SCHEMA, "")))
    if not isinstance(body, dict):
        return catalog
    catalog.name = body.get("name") if isinstance(body.get("name"), str) else None
    metadata = body.get("metadata")
    root_folder = metadata.get("pluginRoot") if isinstance(metadata, dict) else None
    plugins = body.get("plugins")
    read: dict[str, tuple[list[Problem], Any]] = {}  # by folder: one read of its plugin.json however many entries name it
    for raw in (plugins if isinstance(plugins, list) else [])[:MAX_ENTRIES]:
        if isinstance(raw, dict):
            catalog.entries.append(_entry(root, raw, root_folder if isinstance(root_folder, str) else None, read))
    return catalog


def _entry(root: Path, raw: dict[str, Any], plugin_root: str | None, read: dict[str, tuple[list[Problem], Any]]) -> CursorEntry:
    name = raw.get("name") if isinstance(raw.get("name"), str) else None
    source = raw.get("source")
    entry = CursorEntry(name, source, None)
    if not isinstance(source, str) or not source or _URL.match(source):
        return entry  # a remote source, or one the catalog's schema already refuses
    joined = posixpath.normpath(posixpath.join(plugin_root or ".", source))
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        entry.problems.append(Problem("", f'source directory "{source}" is outside the repository'))
        return entry
    entry.folder = joined
    folder = inside(root, joined)
    if folder is None or not folder.is_dir():
        entry.problems.append(Problem("", f'source directory "{source}" does not exist'))
        return entry
    if joined not in read:
        read[joined] = _manifest(folder, source)
    problems, manifest = read[joined]
    if manifest is LINK:
        entry.unjudged = NOT_FOLLOWED.format(f"{joined}/{MANIFEST}")
        return entry
    entry.problems.extend(problems)
    if isinstance(manifest, dict):
        version = manifest.get("version")
        entry.version = version if isinstance(version, str) else None
        if name is not None and manifest.get("name") != name:
            entry.problems.append(Problem("/name", f"{manifest.get('name')!r} is not the entry's name {name!r}", MANIFEST))
    return entry


LINK = object()  # a plugin.json reached through a symbolic link


def single(root: Path) -> tuple[list[Problem], Any] | None:
    """A repository that is one Cursor plugin, as Cursor's template makes one (its folder's
    contents at the root, one ``.cursor-plugin/plugin.json``, no catalog): that manifest checked
    against Cursor's plugin schema; None when the root has no such manifest."""
    if not present(root, MANIFEST):
        return None
    return _manifest(root, "the repository root")


def _manifest(folder: Path, source: str) -> tuple[list[Problem], Any]:
    """A plugin folder's plugin.json checked against Cursor's plugin schema: (problems, its value;
    LINK when it is a symbolic link, None when it could not be read)."""
    if linked(folder, MANIFEST):
        return [], LINK
    manifest_path = regular_file(folder, MANIFEST)
    if manifest_path is None:
        return [Problem("", f"{MANIFEST} is missing from {source}")], None
    doc = load_json(manifest_path)
    if doc is None or not doc.ok:
        why = doc.problem.message if doc is not None and doc.problem is not None else "unreadable"
        return [Problem("", why, MANIFEST)], None
    return list(_problems(doc.value, PLUGIN_SCHEMA, "", MANIFEST)), doc.value


# --- the two schemas, as JSON Schema (draft-07) keywords the checker below understands ------

_STRING: dict[str, Any] = {"type": "string"}
_NON_EMPTY: dict[str, Any] = {"type": "string", "minLength": 1}
_SEMVER: dict[str, Any] = {"type": "string", "pattern": SEMVER}
_MIN_CLIENT_VERSIONS: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "properties": {"cursor": _SEMVER},
    "additionalProperties": _SEMVER,
}
_STRINGS: dict[str, Any] = {"type": "array", "items": _STRING}
_STRING_OR_STRINGS: dict[str, Any] = {"oneOf": [_STRING, _STRINGS]}
_OBJECT: dict[str, Any] = {"type": "object"}

MARKETPLACE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "plugins"],
    "additionalProperties": False,
    "properties": {
        "name": _NON_EMPTY,
        "owner": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {"name": _NON_EMPTY, "email": {"type": "string", "format": "email"}},
        },
        "metadata": {"type": "object", "additionalProperties": True, "properties": {"description": _STRING}},
        "plugins": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "source"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1, "pattern": NAME},
                    "source": _NON_EMPTY,
                    "description": _STRING,
                    "minClientVersions": _MIN_CLIENT_VERSIONS,
                },
            },
        },
    },
}

PLUGIN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "pattern": NAME},
        "displayName": _STRING,
        "description": _STRING,
        "version": _STRING,
        "minClientVersions": _MIN_CLIENT_VERSIONS,
        "author": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {"name": _NON_EMPTY, "email": {"type": "string", "format": "email"}},
        },
        "publisher": _NON_EMPTY,
        "homepage": {"type": "string", "format": "uri"},
        "repository": {"type": "string", "format": "uri"},
        "license": _STRING,
        "logo": _STRING,
        "keywords": _STRINGS,
        "category": _STRING,
        "tags": _STRINGS,
        "commands": _STRING_OR_STRINGS,
        "agents": _STRING_OR_STRINGS,
        "skills": _STRING_OR_STRINGS,
        "rules": _STRING_OR_STRINGS,
        "hooks": {"oneOf": [_STRING, _OBJECT]},
        "variables": {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"const": "object"},
                "properties": _OBJECT,
                "required": {"type": "array", "items": _STRING, "uniqueItems": True},
            },
        },
        "mcpServers": {"oneOf": [_STRING, _OBJECT, {"type": "array", "items": {"oneOf": [_STRING, _OBJECT]}}]},
    },
}


# --- checked by jsonschema, the engine Cursor's rules were recorded with --------------------

_VALIDATORS: dict[int, Any] = {}


def _problems(value: Any, schema: dict[str, Any], path: str, file: str = CATALOG) -> Iterator[Problem]:
    """Every way ``value`` breaks ``schema``, as JSON pointers below ``path`` and jsonschema's messages.

    Formats are checked as jsonschema checks them without optional packages: ``email`` wants an
    "@"; ``uri`` is not checked (Cursor's CI, with ajv-formats, would check it)."""
    validator = _VALIDATORS.get(id(schema))
    if validator is None:
        from jsonschema import Draft7Validator, ValidationError
        from jsonschema.validators import extend

        def pattern(_validator: Any, wanted: str, instance: Any, _schema: Any) -> Iterator[ValidationError]:
            if isinstance(instance, str) and not _js_regex(wanted).search(instance):
                yield ValidationError(f"{instance!r} does not match {wanted!r}")

        checker = extend(Draft7Validator, {"pattern": pattern})  # type: ignore[no-untyped-call]
        validator = _VALIDATORS[id(schema)] = checker(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    for error in sorted(validator.iter_errors(value), key=lambda e: [str(p) for p in e.absolute_path]):
        pointer = path + "".join("/" + _escape(str(part)) for part in error.absolute_path)
        yield Problem(pointer or "/", error.message, file)


def _js_regex(pattern: str) -> re.Pattern[str]:
    """A schema pattern as JavaScript reads it (AJV, in Cursor's CI), not as Python does: ``\\d`` and
    ``\\w`` are ASCII, and a final ``$`` is the end of the string (Python's also matches before a
    final newline, so ``"abc\\n"`` would pass as a name)."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern, re.ASCII)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
