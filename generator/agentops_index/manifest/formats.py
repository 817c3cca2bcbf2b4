"""The shapes of marketplace.json and plugin.json (guides/FORMAT.md), as checker schemas.

What Claude Code checks with its schemas lives here; its other checks (names, paths on
disk, unknown keys, cross-file rules) live in ``checks.py``.
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz.distance import OSA

from agentops_index.manifest.schema import (
    Any_,
    Arr,
    Bool,
    Enum,
    Literal,
    Null,
    Num,
    Obj,
    Optional,
    Record,
    Schema,
    Str,
    Union,
    ends_with,
    exact_length,
    is_url,
    matches,
    non_empty,
    starts_with,
)

NO_SPACES_PLUGIN = 'Plugin name cannot contain spaces. Use kebab-case (e.g., "my-plugin")'
NO_SPACES_MARKETPLACE = 'Marketplace name cannot contain spaces. Use kebab-case (e.g., "my-marketplace")'
PATH_SEPARATORS = 'Marketplace name cannot contain path separators (/ or \\), ".." sequences, or be "."'
IMPERSONATES = "Marketplace name impersonates an official Anthropic/Claude marketplace"

HOOK_EVENTS = frozenset(
    [
        "PreToolUse",
        "PostToolUse",
        "PostToolUseFailure",
        "PostToolBatch",
        "Notification",
        "UserPromptSubmit",
        "UserPromptExpansion",
        "SessionStart",
        "SessionEnd",
        "Stop",
        "StopFailure",
        "SubagentStart",
        "SubagentStop",
        "PreCompact",
        "PostCompact",
        "PreModelSwitch",
        "PostModelSwitch",
        "PermissionRequest",
        "PermissionDenied",
        "Setup",
        "TeammateIdle",
        "TaskCreated",
        "TaskCompleted",
        "Elicitation",
        "ElicitationResult",
        "ConfigChange",
        "WorktreeCreate",
        "WorktreeRemove",
        "InstructionsLoaded",
        "CwdChanged",
        "FileChanged",
        "DirectoryAdded",
        "MessageDisplay",
    ]
)
HOOK_TYPES = frozenset({"command", "http", "prompt", "agent"})
GATING_EVENTS = ("PreToolUse", "PermissionRequest")


def _no_spaces(message: str) -> Any:
    return lambda s: message if re.search(r"\s", s) else None


def _marketplace_name_checks() -> tuple[Any, ...]:
    from agentops_index.manifest import names

    def separators(s: str) -> str | None:
        return PATH_SEPARATORS if ("/" in s or "\\" in s or ".." in s or s == ".") else None

    def impersonation(s: str) -> str | None:
        return IMPERSONATES if names.marketplace_impersonates(s) else None

    def reserved_use(s: str) -> str | None:
        use = names.RESERVED_MARKETPLACE_USES.get(s)
        return f'Marketplace name "{s}" is reserved for {use}' if use else None

    return (_no_spaces(NO_SPACES_MARKETPLACE), separators, impersonation, reserved_use)


SHA = Str(exact_length(40), matches(r"[0-9a-f]{40}", "Must be a full 40-character lowercase git commit SHA"))


def _archive_url(s: str) -> str | None:
    lowered = s.lower()
    host = re.sub(r"^https://", "", lowered).split("/")[0].split(":")[0]
    bad_host = host in {"localhost", "127.0.0.1", "[::1]", "169.254.169.254", "metadata.google.internal"}
    if not lowered.startswith("https://") or bad_host or host.startswith("169.254."):
        return "Archive URLs must use https:// and must not point at a loopback, link-local, or cloud-metadata host"
    return None


def relative_source(plugin_root_ok: bool) -> Schema:
    """The string form of a plugin source; bare names pass only beside a usable pluginRoot."""

    def check(s: str) -> str | None:
        if s == "." or s.startswith("./"):
            return None
        if plugin_root_ok and s and "/" not in s and "\\" not in s:
            return None
        return 'Invalid string: must start with "./"'

    return Str(check)


def plugin_source(plugin_root_ok: bool) -> Schema:
    ref = Optional(Str())
    return Union(
        relative_source(plugin_root_ok),
        Obj({"source": Literal("github"), "repo": Str(), "ref": ref, "sha": Optional(SHA)}),
        Obj({"source": Literal("url"), "url": Str(), "ref": ref, "sha": Optional(SHA)}),
        Obj({"source": Literal("git-subdir"), "url": Str(), "path": Str(), "ref": ref, "sha": Optional(SHA)}),
        Obj(
            {
                "source": Literal("npm"),
                "package": Str(),
                "version": Optional(Str()),
                "registry": Optional(Str()),
            }
        ),
        Obj(
            {
                "source": Literal("archive"),
                "url": Str(_archive_url),
                "sha256": Optional(Str(matches(r"[0-9a-fA-F]{64}", "Must be a 64-character hex SHA-256 digest"))),
            }
        ),
        Obj(
            {
                "source": Literal("command"),
                "command": Str(),
                "timeout": Optional(Num(1, 600)),
                "mode": Optional(Enum("copy", "link")),
            }
        ),
    )


REL = Str(starts_with("./"))
# zod reports "Invalid input" for a bad commands path: two string forms both get past the
# type check. Two identical options reproduce that.
_COMMAND_PATH = Union(REL, REL)
_COMMAND_OBJECT = Obj(
    {
        "source": Optional(Str()),
        "content": Optional(Str()),
        "description": Optional(Str()),
        "argumentHint": Optional(Str()),
        "model": Optional(Str()),
        "allowedTools": Optional(Arr(Str())),
    }
)
_AGENT_PATH = Str(starts_with("./"), ends_with(".md"))
_SKILL_PATH = Str(lambda s: None if s == "." or s.startswith("./") else 'Invalid string: must start with "./"')
_MONITOR_PATH = Str(starts_with("./"), ends_with(".json"))

_LSP_SERVER = Obj(
    {
        "command": Str(),
        "extensionToLanguage": Record(Str()),
        "args": Optional(Arr(Str())),
        "transport": Optional(Str()),
        "env": Optional(Record(Str())),
        "initializationOptions": Optional(Any_()),
        "settings": Optional(Any_()),
        "workspaceFolder": Optional(Str()),
        "startupTimeout": Optional(Num()),
        "shutdownTimeout": Optional(Num()),
        "requestTimeout": Optional(Num()),
        "restartOnCrash": Optional(Bool()),
        "maxRestarts": Optional(Num()),
        "diagnostics": Optional(Any_()),
    },
    strict=True,
)
_USER_CONFIG_OPTION = Obj(
    {
        "type": Enum("string", "number", "boolean", "directory", "file"),
        "title": Str(),
        "description": Str(),
        "required": Optional(Bool()),
        "default": Optional(Any_()),
        "options": Optional(Arr(Any_())),
        "multiple": Optional(Bool()),
        "sensitive": Optional(Bool()),
        "min": Optional(Num()),
        "max": Optional(Num()),
    },
    strict=True,
)
_AUTHOR = Obj({"name": Str(non_empty("Author name cannot be empty")), "email": Optional(Str()), "url": Optional(Str())})


def _paths(item: Schema) -> Schema:
    return Union(item, Arr(item))


# Fields shared by plugin.json and marketplace entries ("an entry also accepts every
# plugin.json field", FORMAT.md §1.2). ``name`` is handled by each owner.
PLUGIN_FIELDS: dict[str, Schema] = {
    "$schema": Optional(Str()),
    "displayName": Optional(Str()),
    "version": Optional(Str()),
    "description": Optional(Str()),
    "author": Optional(_AUTHOR),
    "homepage": Optional(Str(is_url)),
    "repository": Optional(Str()),
    "license": Optional(Str()),
    "keywords": Optional(Arr(Str())),
    "metadata": Optional(Obj({})),
    "defaultEnabled": Optional(Bool()),
    "dependencies": Optional(
        Arr(
            Union(
                Str(),
                Obj({"name": Str(), "marketplace": Optional(Str()), "version": Optional(Str())}),
            )
        )
    ),
    "settings": Optional(Obj({})),
    "userConfig": Optional(Record(_USER_CONFIG_OPTION)),
    "channels": Optional(
        Arr(
            Obj(
                {"server": Str(), "displayName": Optional(Str()), "userConfig": Optional(Obj({}))},
                strict=True,
            )
        )
    ),
    "skills": Optional(_paths(_SKILL_PATH)),
    "commands": Optional(Union(_COMMAND_PATH, Arr(_COMMAND_PATH), Record(_COMMAND_OBJECT))),
    "agents": Optional(_paths(_AGENT_PATH)),
    "hooks": Optional(Union(REL, Obj({}), Arr(Union(REL, Obj({}))))),
    "mcpServers": Optional(Union(Str(), Record(Obj({})), Arr(Union(Str(), Record(Obj({})))))),
    "lspServers": Optional(Union(REL, Record(_LSP_SERVER), Arr(Union(REL, Record(_LSP_SERVER))))),
    "outputStyles": Optional(_paths(REL)),
    "workflows": Optional(_paths(REL)),
    "themes": Optional(_paths(REL)),
    "monitors": Optional(_paths(_MONITOR_PATH)),
    "experimental": Optional(Obj({})),
    "engines": Optional(Any_()),  # checked apart (checks.engines): a wrong value is ignored, not refused
    "icon": Optional(Str()),
    "documentationUrl": Optional(Str()),
    "supportUrl": Optional(Str()),
    "privacyPolicyUrl": Optional(Str()),
    "termsOfServiceUrl": Optional(Str()),
    "types": Optional(Str()),
}

PLUGIN_MANIFEST = Obj({"name": Str(_no_spaces(NO_SPACES_PLUGIN)), **PLUGIN_FIELDS})
PLUGIN_KEYS = frozenset({"name", *PLUGIN_FIELDS})
# Read by Claude Code 2.1.328 in plugin.json without a check or a warning, but unknown in an entry.
PLUGIN_TOLERATED = frozenset({"support"})
# Directory-listing fields are plugin.json-only: in an entry they are unknown keys.
LISTING_ONLY = frozenset({"icon", "documentationUrl", "supportUrl", "privacyPolicyUrl", "termsOfServiceUrl", "types"})


def _relevance_signals(value: dict[str, Any]) -> str | None:
    keys = {"cli", "hosts", "filesRead", "manifestDeps", "cwd"}
    if not any(k in value for k in keys):
        return "must declare at least one signal (cli, hosts, filesRead, manifestDeps, or cwd)"
    return None


def entry_schema(plugin_root_ok: bool) -> Schema:
    fields = {k: v for k, v in PLUGIN_FIELDS.items() if k not in LISTING_ONLY}
    return Obj(
        {
            "name": Str(_no_spaces(NO_SPACES_PLUGIN)),
            "source": plugin_source(plugin_root_ok),
            "category": Optional(Str()),
            "tags": Optional(Arr(Str())),
            "strict": Optional(Bool()),
            "relevance": Optional(Obj({"topic": Optional(Str()), "signals": Obj({}, refine=_relevance_signals)})),
            "headers": Optional(Record(Str())),
            "headersHelper": Optional(Str()),
            **fields,
        }
    )


ENTRY_KEYS = frozenset(
    {"name", "source", "category", "tags", "strict", "relevance", "headers", "headersHelper"}
    | (set(PLUGIN_FIELDS) - LISTING_ONLY)
)
RELEVANCE_KEYS = frozenset({"topic", "signals"})
MARKETPLACE_KEYS = frozenset(
    {
        "$schema",
        "name",
        "owner",
        "plugins",
        "description",
        "version",
        "metadata",
        "forceRemoveDeletedPlugins",
        "allowCrossMarketplaceDependenciesOn",
        "renames",
    }
)
METADATA_KEYS = frozenset({"description", "version", "pluginRoot"})


def marketplace_schema(plugin_root_ok: bool) -> Schema:
    return Obj(
        {
            "$schema": Optional(Str()),
            "name": Str(*_marketplace_name_checks()),
            "owner": Obj(
                {
                    "name": Str(non_empty("Author name cannot be empty")),
                    "email": Optional(Str()),
                    "url": Optional(Str()),
                }
            ),
            "plugins": Arr(entry_schema(plugin_root_ok)),
            "description": Optional(Str()),
            "version": Optional(Str()),
            "metadata": Optional(
                Obj(
                    {
                        "description": Optional(Str()),
                        "version": Optional(Str()),
                        "pluginRoot": Optional(Str()),
                    }
                )
            ),
            "forceRemoveDeletedPlugins": Optional(Bool()),
            "allowCrossMarketplaceDependenciesOn": Optional(Arr(Str())),
            "renames": Optional(Record(Union(Str(), Null()))),
        }
    )


# Unknown keys whose usual home Claude Code names in its warning (2.1.328's table).
COMMON_FIELDS: dict[str, str] = {
    **dict.fromkeys(
        ("publisher", "categories", "icon", "contributes", "activationEvents", "preview"), "a VS Code/Cursor extension manifest"
    ),
    **dict.fromkeys(("main", "type", "files", "bin", "scripts", "private", "bugs", "contributors"), "an npm package.json"),
    **dict.fromkeys(("dxt_version", "mcpb_version", "user_config", "compatibility"), "an MCPB/DXT manifest"),
    **dict.fromkeys(("server", "tools", "prompts", "resources"), "an MCP server manifest"),
    **dict.fromkeys(
        ("logo", "readme", "changelog", "support", "privacy_policy", "privacy_policies", "terms_of_service", "_comment"),
        "manifests across many tools",
    ),
    **dict.fromkeys(("$id", "$comment"), "a JSON Schema document"),
}
CROSS_TOOL_SPELLINGS = {"user_config": "userConfig"}
ENTRY_ONLY_IN_PLUGIN = frozenset({"category", "tags"})


def near_field(key: str, known: frozenset[str]) -> str | None:
    """The known field an unknown one is probably a misspelling of, as Claude Code finds it:
    the same letters in another case, else the closest within one edit (three letters or
    fewer) or two (a swap of neighbours counts one). Fields of COMMON_FIELDS are not misspellings."""
    if key in COMMON_FIELDS:
        return None
    limit = 1 if len(key) <= 3 else 2
    best, best_distance = None, limit + 1
    for candidate in sorted(known):
        if abs(len(candidate) - len(key)) > limit:
            continue
        if candidate.lower() == key.lower():
            return candidate
        distance = OSA.distance(key, candidate, score_cutoff=limit)  # limit + 1 past the limit
        if distance < best_distance:
            best, best_distance = candidate, distance
    return best


def unknown_field_message(key: str, known: frozenset[str] = frozenset()) -> str:
    """Claude Code's warning for a field it does not know, beside the ``known`` ones."""
    near = near_field(key, known)
    if near is not None:
        return (
            f"Unknown field '{key}' — did you mean '{near}'? Claude Code ignores unrecognized fields at load time, "
            "so this field has no effect."
        )
    spelling = CROSS_TOOL_SPELLINGS.get(key)
    if spelling is not None and spelling in known:
        return (
            f"Field '{key}' is the cross-tool spelling of Claude Code's '{spelling}'. Rename it to '{spelling}' for "
            "Claude Code to read it (the option shapes differ slightly — re-run validate after renaming to check). "
            "As-is, Claude Code ignores it at load time."
        )
    where = COMMON_FIELDS.get(key)
    if where is None:
        return f"Unknown field '{key}'. Claude Code ignores it at load time."
    return (
        f"Unknown field '{key}' (commonly seen in {where}). Claude Code ignores unrecognized fields "
        "at load time, so it's safe to keep."
    )
