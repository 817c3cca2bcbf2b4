"""Claude Code's checks of hooks files and MCP server declarations (``hooks/hooks.json``,
``.mcp.json`` and their inline forms): events, matchers, handlers, commands that use
``${CLAUDE_PLUGIN_ROOT}`` unquoted, servers' commands and URLs."""

from __future__ import annotations

import re
from typing import Any

from agentops_index.manifest import formats
from agentops_index.manifest.checks import Sink, json_problem
from agentops_index.manifest.jsonfile import JsonDocument
from agentops_index.manifest.schema import MISSING, js_type

_UNQUOTED_ROOT_TAIL = (
    "If the expanded path contains a space the command can split into several words and fail. Wrap the "
    'placeholder in double quotes, or use exec form: {"command": "<executable>", "args": '
    '["${CLAUDE_PLUGIN_ROOT}/..."]}.'
)


def unquoted_plugin_root(command: str) -> bool:
    """Whether ``${CLAUDE_PLUGIN_ROOT}`` occurs outside double (or single) quotes."""
    quote = ""
    index = 0
    while index < len(command):
        char = command[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 2
                continue
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "\\":
            index += 2
            continue
        elif command.startswith("${CLAUDE_PLUGIN_ROOT}", index):
            return True
        index += 1
    return False


GUARD_UNLOADABLE = (
    "a PreToolUse/PermissionRequest hook that cannot be loaded may be what guards the permissions declared "
    "beside it, so nothing it sits in is applied until the entry is fixed or removed"
)


def _received(value: Any) -> str:
    """A JSON value's type as Claude Code's hook messages name it ("a string", "undefined")."""
    if value is MISSING or value is None:
        return "undefined" if value is MISSING else "null"
    kind = js_type(value)
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def hooks_file(sink: Sink, data: JsonDocument) -> None:
    if json_problem(sink, data, ". At runtime this breaks the entire plugin load."):
        return
    value = data.value
    if not isinstance(value, dict):
        sink.add("schema.invalid_type", "root", f"Invalid input: expected object, received {js_type(value)}")
        return
    # A hooks value that is not an event map cannot be read at all, and Claude Code
    # treats it as if it might hold permission-gating hooks.
    gating = [e for e in formats.GATING_EVENTS if e in value] or ("hooks" in value and not isinstance(value["hooks"], dict))
    if gating:
        sink.add(
            "hooks.outside_wrapper",
            "hooks",
            f'PreToolUse/PermissionRequest is declared at the top level, outside the "hooks" object — {GUARD_UNLOADABLE}',
        )
    elif "hooks" not in value and "modules" not in value:
        sink.add(
            "hooks.missing",
            "root",
            "hooks.json must have `hooks` (the hook matchers) or `modules` (hooks modules), or both",
        )
    events = value.get("hooks")
    if isinstance(events, dict):
        hook_events(sink, events)


def hook_events(sink: Sink, events: dict[str, Any]) -> None:
    for event, matchers in events.items():
        if event not in formats.HOOK_EVENTS:
            sink.add("hooks.unknown_event", "hooks", f"hooks.{event}: unknown hook event; entry ignored at runtime", "warning")
            continue
        if not isinstance(matchers, list):
            continue
        for m_index, matcher in enumerate(matchers):
            handlers = matcher.get("hooks", MISSING) if isinstance(matcher, dict) else MISSING
            if not isinstance(matcher, dict) or not isinstance(handlers, list):
                problem = (
                    f"Hook matcher must be an object; received {_received(matcher)}"
                    if not isinstance(matcher, dict)
                    else f'Hook matcher "hooks" must be an array of hook entries; received {_received(handlers)}'
                )
                # A guard that cannot be loaded refuses the plugin; any other event's entry is dropped.
                if event in formats.GATING_EVENTS:
                    sink.add("hooks.bad_matcher", "hooks", f"hooks.{event}.{m_index}: {problem} — {GUARD_UNLOADABLE}")
                else:
                    sink.add(
                        "hooks.bad_matcher", "hooks", f"hooks.{event}.{m_index}: {problem}; entry ignored at runtime", "warning"
                    )
                continue
            for h_index, handler in enumerate(handlers):
                if not isinstance(handler, dict):
                    continue
                kind = handler.get("type")
                if kind not in formats.HOOK_TYPES:
                    sink.add(
                        "hooks.unknown_type",
                        "hooks",
                        f'hooks.{event}.{m_index}.hooks.{h_index}: Unknown hook type "{kind}"; entry ignored at runtime',
                        "warning",
                    )
                    continue
                command = handler.get("command")
                if kind == "command" and isinstance(command, str) and unquoted_plugin_root(command):
                    sink.add(
                        "hooks.unquoted_plugin_root",
                        f"hooks.{event}",
                        f"Shell command uses ${{CLAUDE_PLUGIN_ROOT}} without quotes: {command}. {_UNQUOTED_ROOT_TAIL}",
                        "warning",
                    )


# --- .mcp.json (plugin directories only) -----------------------------------------------------

MCP_BAD_URL = (
    'url is not a valid absolute URL (for example "https://host/path"). The plugin loader marks this server '
    "as invalid config and it never connects."
)
MCP_NO_TYPE = (
    'server has a "url" but no "type". Remote servers must set "type" to "http" (or "sse" / "ws"); without it '
    'the entry is parsed as a stdio server, fails for lacking "command", and is silently dropped at load.'
)
MCP_CLEARTEXT = (
    "url uses http:// to a non-loopback host — requests, headers and any credentials travel in cleartext. "
    "Use https://; plugin directories may reject insecure remote server urls."
)
_LOOPBACK = re.compile(r"^(?:localhost|127(?:\.\d+){3}|\[::1\])(?::\d+)?$", re.IGNORECASE)


def mcp_file(sink: Sink, data: JsonDocument) -> None:
    if json_problem(sink, data):
        return
    servers = data.value
    if isinstance(servers, dict) and isinstance(servers.get("mcpServers"), dict):
        servers = servers["mcpServers"]
    if not isinstance(servers, dict):
        return
    for name, spec in servers.items():
        if isinstance(spec, dict):
            mcp_server(sink, f"mcpServers.{name}", spec)


def mcp_server(sink: Sink, base: str, spec: dict[str, Any]) -> None:
    url = spec.get("url")
    if "url" in spec and "type" not in spec:
        sink.add("mcp.url_without_type", f"{base}.type", MCP_NO_TYPE)
        return
    if "url" not in spec:
        if not isinstance(spec.get("command"), str):
            sink.add(
                "mcp.no_command",
                f"{base}.command",
                f"Invalid input: expected string, received {js_type(spec.get('command', MISSING))}. "
                "The plugin loader silently drops this server at load.",
            )
        return
    # Empty URLs and ${VAR} placeholders are filled in at load time; Claude Code accepts them.
    if not isinstance(url, str) or not url or "${" in url:
        return
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://([^\s/?#]+)", url)
    if not match:
        sink.add("mcp.invalid_url", f"{base}.url", MCP_BAD_URL)
    elif match.group(1).lower() in ("http", "ws") and not _LOOPBACK.match(match.group(2).rsplit("@", 1)[-1]):
        sink.add("mcp.cleartext_url", f"{base}.url", MCP_CLEARTEXT, "warning")


# --- markdown components (plugin directories only) -------------------------------------------
