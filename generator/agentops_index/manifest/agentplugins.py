"""Agent Plugins 1.0 (agent-plugins.org): a plugin folder with a root ``plugin.json``, judged by the spec.

A repository (or a plugin folder) whose root ``plugin.json`` names the Agent Plugins schema
(``$schema`` under ``https://agent-plugins.org/schemas/``) is an Agent Plugins plugin. No
client ships an offline validator for the format, so the verdict is the spec's own 1.0.0 JSON
Schemas (``agentplugins/agent-plugins-spec`` ``schemas/1.0.0/plugin.schema.json`` and
``mcp.schema.json``, written out below and checked with ``jsonschema``) plus the spec's
semantic rules for ``mcp.json`` servers (§7.2.1: a stdio ``command`` is one token, a bare
name or ``./...``; a remote ``url`` is https, http only for loopback). The spec reports and
ignores unknown top-level manifest keys (§5.2), so those are warnings; every other violation
is an error. Components sit at fixed places (§6.1): ``skills/<name>/SKILL.md`` one level deep,
and ``mcp.json``; nothing in ``plugin.json`` points elsewhere.

The tests hold the verdicts to ``../shared/corpus-formats/oracle/*.agent-plugins-schema.json``
(the same schemas applied with ``jsonschema``). Everything read is a stranger's: nothing here
raises on what a repository holds.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from agentops_index.manifest.checks import NOT_FOLLOWED, linked, load_json, present, regular_file

RULES = "Agent Plugins 1.0.0 schemas and MCP rules (agentplugins/agent-plugins-spec bd38355), re-implemented"
MANIFEST = "plugin.json"
MCP_FILE = "mcp.json"
PREFIX = "https://agent-plugins.org/schemas/"  # a root plugin.json whose $schema starts so claims the format
PLUGIN_SCHEMA_ID = PREFIX + "1.0.0/plugin.schema.json"
MCP_SCHEMA_ID = PREFIX + "1.0.0/mcp.schema.json"
MAX_PROBLEMS = 50  # reported a file (a stranger's file can violate a schema thousands of times)

_STRING = {"type": "string"}
PLUGIN_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "$schema": {"const": PLUGIN_SCHEMA_ID},
        "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "pattern": r"^(?!.*(?:--|\.\.))[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$",
        },
        "version": _STRING,
        "description": _STRING,
        "author": {
            "type": "object",
            "properties": {"name": _STRING, "email": _STRING, "url": _STRING},
            "additionalProperties": False,
        },
        "homepage": _STRING,
        "repository": _STRING,
        "license": _STRING,
        "keywords": {"type": "array", "items": _STRING},
        "extensions": {"type": "object", "additionalProperties": {"type": "object"}},
    },
    "required": ["$schema", "name"],
    "additionalProperties": False,
}
_HEADERS = {"type": "object", "additionalProperties": _STRING}


def _remote(kind: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"type": {"const": kind}, "url": {"type": "string", "minLength": 1}, "headers": _HEADERS},
        "required": ["type", "url"],
        "additionalProperties": False,
    }


MCP_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "$schema": {"const": MCP_SCHEMA_ID},
        "mcpServers": {"type": "object", "additionalProperties": {"$ref": "#/$defs/server"}},
    },
    "required": ["$schema", "mcpServers"],
    "additionalProperties": False,
    "$defs": {
        "server": {"oneOf": [{"$ref": "#/$defs/stdio"}, {"$ref": "#/$defs/http"}, {"$ref": "#/$defs/sse"}]},
        "stdio": {
            "type": "object",
            "properties": {
                "type": {"const": "stdio"},
                "command": {"type": "string", "minLength": 1},
                "args": {"type": "array", "items": _STRING},
                "env": {
                    "type": "object",
                    "propertyNames": {"not": {"enum": ["PLUGIN_ROOT", "PLUGIN_DATA"]}},
                    "additionalProperties": _STRING,
                },
                "cwd": {"type": "string", "pattern": r"^(?:\./|\$\{PLUGIN_ROOT\}(?:/|$)|\$\{PLUGIN_DATA\}(?:/|$))"},
            },
            "required": ["type", "command"],
            "additionalProperties": False,
        },
        "http": _remote("streamable-http"),
        "sse": _remote("sse"),
    },
}
_BARE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._+-]*")  # a command found on PATH: one token, no separator
_LOCAL = re.compile(r"\./[A-Za-z0-9._/+-]+")  # a command shipped in the plugin


@dataclass(frozen=True, slots=True)
class Problem:
    file: str  # plugin.json or mcp.json
    path: str  # a JSON pointer into it ("" for the document)
    message: str
    severity: str = "error"  # "warning": reported and ignored by the spec (unknown top-level keys)


@dataclass(slots=True)
class AgentPlugin:
    """One folder's Agent Plugins manifest, its MCP file, and what the spec's rules say of them."""

    manifest: dict[str, Any]
    mcp: dict[str, Any] | None = None  # mcp.json when it parses to an object
    problems: list[Problem] = field(default_factory=list)
    unjudged: str | None = None  # why mcp.json was not read (a symbolic link, never followed)

    @property
    def name(self) -> str | None:
        value = self.manifest.get("name")
        return value if isinstance(value, str) else None

    @property
    def valid(self) -> bool:
        return self.unjudged is None and not any(p.severity == "error" for p in self.problems)


def claimed(folder: Path) -> dict[str, Any] | None:
    """The folder's root ``plugin.json`` when it is an Agent Plugins manifest (a JSON object whose
    ``$schema`` names the format), else None. A linked file is never followed: it claims nothing."""
    path = regular_file(folder, MANIFEST)
    doc = load_json(path) if path is not None else None
    value = doc.value if doc is not None and doc.ok else None
    if isinstance(value, dict) and isinstance(value.get("$schema"), str) and value["$schema"].startswith(PREFIX):
        return value
    return None


def read(folder: Path) -> AgentPlugin | None:
    """The Agent Plugins plugin at ``folder`` with its verdict, or None when it is not one."""
    manifest = claimed(folder)
    if manifest is None:
        return None
    found = AgentPlugin(manifest=manifest)
    found.problems += _schema_problems(manifest, PLUGIN_SCHEMA, MANIFEST)
    if linked(folder, MCP_FILE):
        found.unjudged = NOT_FOLLOWED.format(MCP_FILE)
    elif present(folder, MCP_FILE):
        path = regular_file(folder, MCP_FILE)
        doc = load_json(path) if path is not None else None
        if doc is None or not doc.ok:
            found.problems.append(Problem(MCP_FILE, "", doc.problem.message if doc and doc.problem else "cannot be read"))
        else:
            found.mcp = doc.value if isinstance(doc.value, dict) else None
            found.problems += _schema_problems(doc.value, MCP_SCHEMA, MCP_FILE)
            found.problems += _server_problems(doc.value)
    return found


def _schema_problems(value: Any, schema: dict[str, Any], file: str) -> list[Problem]:
    from jsonschema import Draft202012Validator

    out = []
    for error in sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: [str(p) for p in e.absolute_path]):
        pointer = "".join(f"/{p}" for p in error.absolute_path)
        unknown = error.validator == "additionalProperties" and pointer == "" and file == MANIFEST
        out.append(Problem(file, pointer, error.message, "warning" if unknown else "error"))
        if len(out) == MAX_PROBLEMS:
            break
    return out


def _loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _server_problems(value: Any) -> list[Problem]:
    """The spec's rules on each server that its schema cannot say (§7.2.1)."""
    servers = value.get("mcpServers") if isinstance(value, dict) else None
    out: list[Problem] = []
    for name, spec in servers.items() if isinstance(servers, dict) else ():
        if not isinstance(spec, dict):
            continue
        where = f"/mcpServers/{name}"
        command, url = spec.get("command"), spec.get("url")
        if spec.get("type") == "stdio" and isinstance(command, str) and command:
            if "${" in command or not (
                _BARE.fullmatch(command) or (_LOCAL.fullmatch(command) and ".." not in command.split("/"))
            ):
                out.append(
                    Problem(
                        MCP_FILE, f"{where}/command", "must be one token: a bare executable name or a ./ path inside the plugin"
                    )
                )
        elif spec.get("type") in ("streamable-http", "sse") and isinstance(url, str) and url:
            try:
                parts = urlsplit(url)
                scheme, host = parts.scheme, parts.hostname
            except ValueError:
                scheme, host = "", None
            if not (scheme == "https" or (scheme == "http" and _loopback(host))):
                out.append(Problem(MCP_FILE, f"{where}/url", "must be an https URL (http only for a loopback address)"))
        if len(out) == MAX_PROBLEMS:
            break
    return out
