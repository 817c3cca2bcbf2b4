"""``agentops-index validate``: judge a marketplace or a plugin directory as Claude Code does.

The verdicts, errors and warnings mirror ``claude plugin validate`` 2.1.328 (2.1.332 agrees), blind spots
included: a relative source directory that does not exist is not an error, remote
sources are not fetched, and a marketplace run reads plugin.json and hooks files but not
the front matter of commands, agents and skills (a plugin-directory run does).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from agentops_index.manifest import checks, formats, hook_checks, names
from agentops_index.manifest.checks import Sink
from agentops_index.manifest.findings import Report
from agentops_index.manifest.jsonfile import MARKETPLACE_CAP, JsonDocument, read_json

MARKETPLACE_FILE = ".claude-plugin/marketplace.json"
PLUGIN_FILE = ".claude-plugin/plugin.json"


def validate_path(target: Path) -> Report:
    """Validate a marketplace root, a plugin directory, or one of their manifest files."""
    target = Path(target)
    if target.is_file():
        if target.name == "marketplace.json":
            return validate_marketplace(_root_of(target), target)
        if target.name == "plugin.json":
            return validate_plugin(_root_of(target), target)
        report = Report(str(target))
        report.add(_unreadable(f"{target.name} is neither marketplace.json nor plugin.json"))
        return report
    if (target / MARKETPLACE_FILE).is_file():
        return validate_marketplace(target)
    if target.is_dir():
        return validate_plugin(target)
    report = Report(str(target))
    report.add(_unreadable(f"{target} does not exist or cannot be read"))
    return report


def _root_of(manifest: Path) -> Path:
    parent = manifest.parent
    return parent.parent if parent.name == ".claude-plugin" else parent


def _unreadable(message: str) -> Any:
    from agentops_index.manifest.findings import Finding

    return Finding("input.unreadable", "root", message)


# --- marketplaces -------------------------------------------------------------------------


def plugin_root_usable(value: Any) -> bool:
    """Whether ``metadata.pluginRoot`` is a relative path inside the marketplace."""
    if not isinstance(value, str) or not value or value.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", value):
        return False
    return ".." not in re.split(r"[\\/]", value)


def validate_marketplace(root: Path, manifest_path: Path | None = None) -> Report:
    manifest_path = manifest_path or root / MARKETPLACE_FILE
    report = Report(str(root), "marketplace")
    sink = Sink(report, file=MARKETPLACE_FILE)
    data = checks.read_bytes(manifest_path, MARKETPLACE_CAP)
    if data is None:
        sink.add("input.unreadable", "json", f"Cannot read {manifest_path}")
        return report
    doc = read_json(data, MARKETPLACE_CAP)
    if not checks.json_problem(sink, doc):
        check_marketplace(sink, doc.value, root)
    if (root / PLUGIN_FILE).is_file():
        _plugin_manifest_file(sink.child(file=PLUGIN_FILE), root, with_paths=False)
    return report


def check_marketplace(sink: Sink, value: Any, root: Path | None) -> None:
    """All of Claude Code's checks on a parsed marketplace.json (``root=None``: no disk reads)."""
    if not isinstance(value, dict):
        sink.issues(formats.marketplace_schema(False).check(value))
        return
    metadata = value.get("metadata")
    plugin_root = metadata.get("pluginRoot") if isinstance(metadata, dict) else None
    root_ok = plugin_root_usable(plugin_root)
    issues = formats.marketplace_schema(root_ok).check(value)
    sink.issues(issues)
    checks.unknown_keys(sink, value, formats.MARKETPLACE_KEYS, "")
    if isinstance(metadata, dict):
        checks.unknown_keys(sink, metadata, formats.METADATA_KEYS, "metadata.")
    name = value.get("name")
    if isinstance(name, str):
        checks.marketplace_name(sink, name)
        sink.official = name.lower() in names.OFFICIAL_MARKETPLACE_NAMES
    # Claude Code reads an entry's plugin.json only when the entry passed the schema (hooks always).
    failed = {i.path[1] for i in issues if len(i.path) > 1 and i.path[0] == "plugins" and isinstance(i.path[1], int)}
    plugins = value.get("plugins")
    if isinstance(plugins, list):
        for index, entry in enumerate(plugins):
            if isinstance(entry, dict):
                check_entry(sink, index, entry, plugin_root, root, read_manifest=index not in failed)
    if not issues:
        _whole_marketplace(sink, value)


def _whole_marketplace(sink: Sink, value: dict[str, Any]) -> None:
    """Checks Claude Code runs only once the schema passed."""
    plugins: list[dict[str, Any]] = value["plugins"]
    counts: dict[str, int] = {}
    for entry in plugins:
        counts[entry["name"]] = counts.get(entry["name"], 0) + 1
    for index, entry in enumerate(plugins):
        if counts[entry["name"]] > 1:
            sink.add(
                "plugin.duplicate_name",
                f"plugins[{index}].name",
                f'Duplicate plugin name "{entry["name"]}" found in marketplace',
            )
    renames = value.get("renames") or {}
    listed = set(counts)
    for old, new in renames.items():
        seen = {old}
        while isinstance(new, str) and new not in listed and new in renames and new not in seen:
            seen.add(new)
            new = renames[new]
        if isinstance(new, str) and new not in listed:
            sink.add(
                "renames.unresolved",
                f"renames.{old}",
                "chain does not resolve (target-missing) — target must be a name in plugins[], a key in renames, or null",
            )
    if not plugins:
        sink.add("marketplace.no_plugins", "plugins", "Marketplace has no plugins defined", "warning")
    metadata: dict[str, Any] = value["metadata"] if isinstance(value.get("metadata"), dict) else {}
    if not value.get("description") and not metadata.get("description"):
        sink.add(
            "marketplace.no_description",
            "description",
            "No marketplace description provided. Adding a description helps users understand what this marketplace offers",
            "warning",
        )


def resolve_relative_source(source: str, plugin_root: Any) -> str | None:
    """The directory (relative to the marketplace root) a string source names, or None."""
    if source == "." or source.startswith("./"):
        return source
    if plugin_root_usable(plugin_root) and source and "/" not in source and "\\" not in source:
        return f"{plugin_root.rstrip('/')}/{source}"
    return None


def check_entry(
    sink: Sink, index: int, entry: dict[str, Any], plugin_root: Any, root: Path | None, read_manifest: bool = True
) -> None:
    base = f"plugins[{index}]."
    checks.unknown_keys(sink, entry, formats.ENTRY_KEYS, base)
    checks.engines(sink, entry, f"{base}engines")
    relevance = entry.get("relevance")
    if isinstance(relevance, dict):
        checks.unknown_keys(sink, relevance, formats.RELEVANCE_KEYS, f"{base}relevance.")
    name = entry.get("name")
    if isinstance(name, str):
        checks.entry_name(sink, index, name)
    source = entry.get("source")
    if ("headers" in entry or "headersHelper" in entry) and not (isinstance(source, dict) and source.get("source") == "archive"):
        sink.add(
            "source.headers_unused",
            f"{base}headers",
            f'Plugin "{name}" sets headers/headersHelper, which only apply to "archive" sources; they have no '
            "effect on this entry.",
            "warning",
        )
    if not isinstance(source, str):
        return
    if ".." in re.split(r"[\\/]", source):
        suggestion = "./" + source[3:] if source.startswith("../") else "./plugins/my-plugin"
        sink.add(
            "source.dotdot",
            f"{base}source",
            f'Path contains "..": {source}. Plugin source paths are resolved relative to the marketplace root '
            "(the directory containing .claude-plugin/), not relative to marketplace.json. "
            f'Use "{suggestion}" instead of "{source}".',
        )
        return
    if not (source == "." or source.startswith("./")) and "/" not in source and "\\" not in source and source:
        if plugin_root is None:
            sink.add(
                "source.bare_without_root",
                f"{base}source",
                f'Bare source name "{source}" requires metadata.pluginRoot. Use "./relative/path", or set '
                'metadata.pluginRoot (e.g. "./plugins") to allow bare names.',
            )
        elif not plugin_root_usable(plugin_root):
            sink.add(
                "source.bad_plugin_root",
                f"{base}source",
                f'Bare source name "{source}" cannot resolve: metadata.pluginRoot ("{plugin_root}") must be a '
                'relative path inside the marketplace (e.g. "./plugins").',
            )
    relative = resolve_relative_source(source, plugin_root)
    if root is None or relative is None:
        return
    plugin_dir = checks.inside(root, relative)
    if plugin_dir is None or not plugin_dir.is_dir():
        return  # Claude Code does not check that the directory exists
    entry_sink = sink.child(prefix=f"plugins[{index}] plugin.json → ")
    manifest = _plugin_manifest_file(entry_sink, plugin_dir, with_paths=True, listed_as=name) if read_manifest else None
    if isinstance(manifest, dict):
        _version_mismatch(sink, index, entry, manifest, relative)
    for hooks_path in checks.component_files(manifest, plugin_dir, "hooks", "hooks/hooks.json"):
        doc = checks.load_json(hooks_path)
        label = str(hooks_path.relative_to(root))
        if doc is not None:
            hook_checks.hooks_file(sink.child(prefix="", file=label), doc)


def _version_mismatch(sink: Sink, index: int, entry: dict[str, Any], manifest: dict[str, Any], relative: str) -> None:
    declared, actual = entry.get("version"), manifest.get("version")
    if isinstance(declared, str) and isinstance(actual, str) and declared != actual:
        where = f"{relative.removeprefix('./').rstrip('/')}/{PLUGIN_FILE}".lstrip("/")
        if relative in (".", "./"):
            where = PLUGIN_FILE
        sink.add(
            "version.mismatch",
            f"plugins[{index}].version",
            f'Entry declares version "{declared}" but {where} says "{actual}". At install time, plugin.json wins '
            "(calculatePluginVersion precedence) — the entry version is silently ignored. "
            f'Update this entry to "{actual}" to match.',
            "warning",
        )


def _plugin_manifest_file(sink: Sink, plugin_dir: Path, with_paths: bool, listed_as: Any = None) -> Any:
    """Check ``plugin_dir/.claude-plugin/plugin.json`` if present; return its parsed value."""
    path = checks.inside(plugin_dir, PLUGIN_FILE)
    if path is None or not path.is_file():
        return None
    doc = checks.load_json(path)
    if doc is None or checks.json_problem(sink, doc):
        return None
    listed = listed_as if isinstance(listed_as, str) else None
    checks.plugin_manifest(sink, doc.value, plugin_dir if with_paths else None, listed)
    return doc.value


# --- plugin directories ---------------------------------------------------------------------


def validate_plugin(plugin_dir: Path, manifest_path: Path | None = None) -> Report:
    report = Report(str(plugin_dir), "plugin")
    sink = Sink(report, file=PLUGIN_FILE)
    manifest_path = manifest_path or plugin_dir / PLUGIN_FILE
    manifest: Any = None
    if manifest_path.is_file():
        doc = checks.load_json(manifest_path)
        if doc is None:
            sink.add("input.unreadable", "json", f"Cannot read {manifest_path}")
        elif not checks.json_problem(sink, doc):
            manifest = doc.value
            checks.plugin_manifest(sink, manifest, plugin_dir)
    elif not ((plugin_dir / "skills").is_dir() or (plugin_dir / "SKILL.md").is_file()):
        sink.add(
            "manifest.missing",
            "directory",
            "No manifest found in directory. Expected .claude-plugin/marketplace.json or .claude-plugin/plugin.json",
        )
        return report
    if (plugin_dir / "CLAUDE.md").is_file():
        sink.add(
            "plugin.claude_md",
            "root",
            "CLAUDE.md at the plugin root is not loaded as project context. To ship context with your plugin, "
            "use a skill (skills/<name>/SKILL.md) instead.",
            "warning",
        )
    for hooks_path in checks.component_files(manifest, plugin_dir, "hooks", "hooks/hooks.json"):
        doc = checks.load_json(hooks_path)
        if doc is not None:
            hook_checks.hooks_file(sink.child(file=str(hooks_path.relative_to(plugin_dir))), doc)
    for mcp_path in checks.component_files(manifest, plugin_dir, "mcpServers", ".mcp.json", suffix=".json"):
        doc = checks.load_json(mcp_path)
        if doc is not None:
            hook_checks.mcp_file(sink.child(file=str(mcp_path.relative_to(plugin_dir))), doc)
    from agentops_index.manifest.components import markdown_components

    for kind, path in markdown_components(plugin_dir, manifest if isinstance(manifest, dict) else {}):
        checks.component_doc(sink.child(file=str(path.relative_to(plugin_dir))), kind, path)
    return report


def parse_marketplace_bytes(data: bytes) -> tuple[JsonDocument, Report]:
    """Validate marketplace.json bytes with no directory around them (remote listings)."""
    report = Report("marketplace.json", "marketplace")
    sink = Sink(report, file=MARKETPLACE_FILE)
    doc = read_json(data, MARKETPLACE_CAP)
    if not checks.json_problem(sink, doc):
        check_marketplace(sink, doc.value, None)
    return doc, report
