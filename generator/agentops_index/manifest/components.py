"""What a plugin contains: default component locations and the replace/add/merge rules.

FORMAT.md §3.1: ``commands`` and ``agents`` in a manifest **replace** the default
``commands/`` and ``agents/`` folders, ``skills`` **adds** to ``skills/``, and ``hooks``,
``mcpServers`` and ``lspServers`` **merge** with ``hooks/hooks.json``, ``.mcp.json`` and
``.lsp.json``. The manifest is plugin.json, the marketplace entry, or both (``strict``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from agentops_index.manifest import frontmatter
from agentops_index.manifest.checks import component_paths, inside, load_json, read_bytes
from agentops_index.manifest.formats import HOOK_EVENTS
from agentops_index.manifest.jsonfile import MARKDOWN_CAP

MAX_FILES = 2000  # per plugin and kind; a plugin with more is listed up to this many


def _relative(declared: str) -> str:
    return declared[2:] if declared.startswith("./") else declared


def _markdown_under(folder: Path) -> list[Path]:
    if folder.is_symlink() or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*.md")):
        if path.is_file() and not path.is_symlink():
            found.append(path)
            if len(found) >= MAX_FILES:
                break
    return found


def _declared(plugin_dir: Path, manifest: dict[str, Any], key: str) -> list[Path] | None:
    """Existing paths a manifest declares for ``key``, or None when it declares none."""
    if key not in manifest:
        return None
    out: list[Path] = []
    for field_name, _where, declared in component_paths(manifest):
        if field_name == key:
            target = inside(plugin_dir, _relative(declared))
            if target is not None and target.exists():
                out.append(target)
    if key == "commands" and isinstance(manifest.get("commands"), dict):
        for spec in manifest["commands"].values():
            if isinstance(spec, dict) and isinstance(spec.get("source"), str):
                target = inside(plugin_dir, _relative(spec["source"]))
                if target is not None and target.exists():
                    out.append(target)
    return out


def markdown_components(plugin_dir: Path, manifest: dict[str, Any]) -> Iterator[tuple[str, Path]]:
    """(kind, file) for every command, agent and skill file Claude Code would load."""
    for kind, key in (("command", "commands"), ("agent", "agents")):
        declared = _declared(plugin_dir, manifest, key)
        roots = declared if declared is not None else [plugin_dir / key]
        for root in roots:
            files = [root] if root.is_file() else _markdown_under(root)
            for path in files:
                yield kind, path
    for path in skill_files(plugin_dir, manifest):
        yield "skill", path


def skill_files(plugin_dir: Path, manifest: dict[str, Any]) -> list[Path]:
    folders = [plugin_dir / "skills"]
    declared = _declared(plugin_dir, manifest, "skills")
    if declared is None and not (plugin_dir / "skills").is_dir() and (plugin_dir / "SKILL.md").is_file():
        return [plugin_dir / "SKILL.md"]
    folders.extend(declared or [])
    found: list[Path] = []
    for folder in folders:
        if folder.is_symlink() or not folder.is_dir():
            continue
        direct = folder / "SKILL.md"
        candidates = [direct] if direct.is_file() else sorted(folder.glob("*/SKILL.md"))
        for path in candidates:
            if path.is_file() and not path.is_symlink() and path not in found:
                found.append(path)
    return found[:MAX_FILES]


@dataclass(slots=True)
class ComponentDoc:
    kind: str  # command | agent | skill
    name: str
    path: str  # relative to the plugin directory
    description: str | None = None
    frontmatter_error: str | None = None
    allowed_tools: str | None = None


@dataclass(slots=True)
class HookHandler:
    event: str
    type: str
    matcher: str | None = None
    command: str | None = None
    url: str | None = None
    known_event: bool = True
    loadable: bool = True
    file: str = ""


@dataclass(slots=True)
class ServerDecl:
    name: str
    transport: str  # stdio | http | sse | ws | unknown
    command: str | None = None
    args: list[str] = field(default_factory=list)
    url: str | None = None
    file: str = ""


@dataclass(slots=True)
class Inventory:
    commands: list[ComponentDoc] = field(default_factory=list)
    agents: list[ComponentDoc] = field(default_factory=list)
    skills: list[ComponentDoc] = field(default_factory=list)
    hooks: list[HookHandler] = field(default_factory=list)
    mcp_servers: list[ServerDecl] = field(default_factory=list)
    lsp_servers: list[ServerDecl] = field(default_factory=list)


def _doc(kind: str, plugin_dir: Path, path: Path) -> ComponentDoc:
    data = read_bytes(path, MARKDOWN_CAP) or b""
    parsed = frontmatter.parse(data.decode("utf-8", errors="replace"))
    relative = str(path.relative_to(plugin_dir))
    if kind == "skill":
        default = path.parent.name if path.parent != plugin_dir else plugin_dir.name
    else:
        default = str(PurePosixPath(relative).with_suffix(""))
        default = default.split("/", 1)[1] if "/" in default else default
        default = default.replace("/", ":")
    name = parsed.text("name") if kind != "command" else None
    tools = parsed.text("allowed-tools") or parsed.text("tools")
    if parsed.error is None:
        raw = parsed.data.get("allowed-tools", parsed.data.get("tools"))
        if isinstance(raw, list):
            tools = ", ".join(str(t) for t in raw)
    return ComponentDoc(
        kind=kind,
        name=name or default,
        path=relative,
        description=parsed.text("description"),
        frontmatter_error=parsed.error,
        allowed_tools=tools,
    )


def _hooks_from(events: Any, file: str, loadable: bool) -> list[HookHandler]:
    out: list[HookHandler] = []
    if not isinstance(events, dict):
        return out
    for event, matchers in events.items():
        if not isinstance(matchers, list):
            continue
        for matcher in matchers:
            if not isinstance(matcher, dict) or not isinstance(matcher.get("hooks"), list):
                continue
            pattern = matcher.get("matcher") if isinstance(matcher.get("matcher"), str) else None
            for handler in matcher["hooks"]:
                if not isinstance(handler, dict):
                    continue
                kind = str(handler["type"]) if isinstance(handler.get("type"), str) else "unknown"
                out.append(
                    HookHandler(
                        event=str(event),
                        type=kind,
                        matcher=pattern,
                        command=handler.get("command") if isinstance(handler.get("command"), str) else None,
                        url=handler.get("url") if isinstance(handler.get("url"), str) else None,
                        known_event=event in HOOK_EVENTS,
                        loadable=loadable and event in HOOK_EVENTS,
                        file=file,
                    )
                )
    return out


def _hooks_document(value: Any, file: str) -> list[HookHandler]:
    if not isinstance(value, dict):
        return []
    handlers = _hooks_from(value.get("hooks"), file, loadable=True)
    # Events outside the "hooks" wrapper do not load, but they are still declared.
    stray = {k: v for k, v in value.items() if k in HOOK_EVENTS}
    return handlers + _hooks_from(stray, file, loadable=False)


def _servers(value: Any, file: str) -> list[ServerDecl]:
    if isinstance(value, dict) and isinstance(value.get("mcpServers"), dict):
        value = value["mcpServers"]
    if not isinstance(value, dict):
        return []
    out = []
    for name, spec in value.items():
        if not isinstance(spec, dict):
            continue
        url = spec.get("url") if isinstance(spec.get("url"), str) else None
        kind = str(spec["type"]) if isinstance(spec.get("type"), str) else ("http" if url else "stdio")
        args = (
            [str(a) for a in spec.get("args", []) if isinstance(a, str | int | float)]
            if isinstance(spec.get("args"), list)
            else []
        )
        command = spec.get("command") if isinstance(spec.get("command"), str) else None
        out.append(ServerDecl(str(name), kind, command, args, url, file))
    return out


def _merged(plugin_dir: Path, manifest: dict[str, Any], key: str, default_file: str) -> tuple[list[Any], list[str]]:
    """JSON documents for a merging component: the default file plus manifest paths/inline."""
    documents: list[Any] = []
    files: list[str] = []
    default = inside(plugin_dir, default_file)
    if default is not None and default.is_file():
        doc = load_json(default)
        if doc is not None and doc.ok:
            documents.append(doc.value)
            files.append(default_file)
    value = manifest.get(key)
    items = value if isinstance(value, list) else [value] if value is not None else []
    for item in items:
        if isinstance(item, str):
            target = inside(plugin_dir, _relative(item))
            if target is not None and target.is_file() and _relative(item) != default_file:
                doc = load_json(target)
                if doc is not None and doc.ok:
                    documents.append(doc.value)
                    files.append(_relative(item))
        elif isinstance(item, dict):
            documents.append({"hooks": item} if key == "hooks" and "hooks" not in item else item)
            files.append("plugin.json")
    return documents, files


def inventory(plugin_dir: Path, manifest: dict[str, Any]) -> Inventory:
    """Everything a plugin declares, read from its directory and its effective manifest."""
    inv = Inventory()
    for kind, path in markdown_components(plugin_dir, manifest):
        getattr(inv, kind + "s").append(_doc(kind, plugin_dir, path))
    for document, file in zip(*_merged(plugin_dir, manifest, "hooks", "hooks/hooks.json"), strict=True):
        inv.hooks.extend(_hooks_document(document, file))
    for document, file in zip(*_merged(plugin_dir, manifest, "mcpServers", ".mcp.json"), strict=True):
        inv.mcp_servers.extend(_servers(document, file))
    for document, file in zip(*_merged(plugin_dir, manifest, "lspServers", ".lsp.json"), strict=True):
        inv.lsp_servers.extend(_servers(document, file))
    return inv


def _cursor_hooks(value: Any, file: str) -> list[HookHandler]:
    """Hooks in Cursor's shape (``{"version": 1, "hooks": {"stop": [{"command": ...}]}}``); a file
    in Claude Code's shape (handlers under a matcher's ``hooks``) is read as Claude's."""
    events = value.get("hooks") if isinstance(value, dict) else None
    out: list[HookHandler] = []
    for event, handlers in events.items() if isinstance(events, dict) else ():
        for handler in handlers if isinstance(handlers, list) else ():
            if isinstance(handler, dict) and isinstance(handler.get("hooks"), list):
                out += _hooks_from({event: [handler]}, file, loadable=True)
            elif isinstance(handler, dict):
                command = handler.get("command") if isinstance(handler.get("command"), str) else None
                kind = str(handler["type"]) if isinstance(handler.get("type"), str) else "command" if command else "unknown"
                matcher = handler.get("matcher") if isinstance(handler.get("matcher"), str) else None
                out.append(HookHandler(event=str(event), type=kind, matcher=matcher, command=command, file=file))
    return out


def cursor_inventory(plugin_dir: Path, manifest: dict[str, Any]) -> Inventory:
    """What Cursor loads from a plugin folder: its commands, agents and skills as Claude's are
    found, hooks in Cursor's shape (``hooks/hooks.json`` or the manifest's), and the MCP servers
    of ``mcp.json`` (no leading dot) or the manifest's ``mcpServers``."""
    inv = inventory(plugin_dir, {k: v for k, v in manifest.items() if k not in ("hooks", "mcpServers", "lspServers")})
    inv.hooks, inv.mcp_servers, inv.lsp_servers = [], [], []
    for document, file in zip(*_merged(plugin_dir, manifest, "hooks", "hooks/hooks.json"), strict=True):
        inv.hooks.extend(_cursor_hooks(document, file))
    for document, file in zip(*_merged(plugin_dir, manifest, "mcpServers", "mcp.json"), strict=True):
        inv.mcp_servers.extend(_servers(document, file))
    return inv


def inline_inventory(manifest: dict[str, Any]) -> Inventory:
    """What an entry declares inline when its files cannot be read (remote sources)."""
    inv = Inventory()
    hooks = manifest.get("hooks")
    if isinstance(hooks, dict):
        inv.hooks.extend(_hooks_document(hooks if "hooks" in hooks else {"hooks": hooks}, "marketplace.json"))
    inv.mcp_servers.extend(_servers(manifest.get("mcpServers"), "marketplace.json"))
    inv.lsp_servers.extend(_servers(manifest.get("lspServers"), "marketplace.json"))
    return inv
