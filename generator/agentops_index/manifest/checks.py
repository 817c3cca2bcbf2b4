"""Claude Code's checks beyond its schemas: names, paths on disk, front matter (hooks files and
MCP servers: ``hook_checks.py``).

Every function appends :class:`Finding` objects to a :class:`Sink`, which knows how
Claude Code prefixes paths (``plugins[3] plugin.json → skills.0``) and which file the
findings belong to. Files are read through :func:`read_bytes`, which never follows a
symlink and never reads outside the root it is given.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from agentops_index.manifest import formats, frontmatter, names
from agentops_index.manifest.findings import Finding, Report, Severity
from agentops_index.manifest.jsonfile import MANIFEST_CAP, MARKDOWN_CAP, JsonDocument, read_json
from agentops_index.manifest.schema import Issue, dotted, js_type

_SURROGATES = re.compile("[\ud800-\udfff]")
DESKTOP_REJECT = "will reject the whole marketplace."
DESKTOP_DROP = "will drop this entry."


@dataclass(slots=True)
class Sink:
    """Where findings go: a report, a path prefix and a file label."""

    report: Report
    prefix: str = ""
    file: str = ""
    # Official Anthropic marketplaces may use Anthropic-looking plugin names.
    official: bool = False

    def add(self, code: str, path: str, message: str, severity: Severity = "error") -> None:
        # Messages quote names strangers wrote; a lone surrogate there must not make the
        # report unencodable (SECURITY.md M-6).
        message = _SURROGATES.sub("\ufffd", message)
        full = _SURROGATES.sub("\ufffd", f"{self.prefix}{path}" if self.prefix else path)
        self.report.add(Finding(code, full, message, severity, self.file))

    def issues(self, issues: list[Issue]) -> None:
        for issue in issues:
            self.add(issue_code(issue.message), dotted(issue.path), issue.message)

    def child(self, prefix: str = "", file: str | None = None) -> Sink:
        """A sink writing to the same report under another prefix or file."""
        return Sink(self.report, prefix, self.file if file is None else file, self.official)


def issue_code(message: str) -> str:
    """A stable code for a schema message."""
    if message.startswith("Invalid input: expected"):
        return "schema.invalid_type"
    if message.startswith("Invalid string"):
        return "schema.invalid_string"
    if message.startswith(("Too small", "Too big")):
        return "schema.out_of_range"
    if message.startswith("Unrecognized key"):
        return "schema.unrecognized_key"
    if message == "Invalid URL":
        return "schema.invalid_url"
    if message.startswith("Invalid input"):
        return "schema.invalid_input"
    if "name" in message.lower():
        return "name.invalid"
    return "schema.invalid"


# --- reading files safely ----------------------------------------------------------------


def inside(root: Path, relative: str) -> Path | None:
    """``root/relative`` if it stays inside ``root`` lexically and crosses no symlink; None too for a
    path the filesystem refuses to look at (a name over 255 bytes, a path over PATH_MAX), so no
    later probe of what a stranger named can raise."""
    parts = PurePosixPath(relative.replace("\\", "/")).parts
    if any(p == ".." for p in parts) or (parts and parts[0] == "/"):
        return None
    current = root
    for part in parts:
        if part in (".", ""):
            continue
        current = current / part
        try:
            if current.is_symlink():
                return None
        except (OSError, ValueError):  # ENAMETOOLONG and the like; ValueError: an embedded NUL
            return None
    return current


def present(root: Path, relative: str) -> bool:
    """Whether ``root/relative`` is there in any form, a symbolic link included (never followed)."""
    try:
        return os.path.lexists(root / relative)
    except (OSError, ValueError):
        return False


def linked(root: Path, relative: str) -> bool:
    """Whether ``root/relative`` is there but reached through a symbolic link, which we never follow."""
    return present(root, relative) and inside(root, relative) is None


def regular_file(root: Path, relative: str) -> Path | None:
    """``root/relative`` when it is a regular file reached through no symbolic link."""
    path = inside(root, relative)
    try:
        return path if path is not None and path.is_file() else None
    except OSError:
        return None


NOT_FOLLOWED = "not judged: {} is reached through a symbolic link, which agentops-index does not follow"


def read_bytes(path: Path, cap: int) -> bytes | None:
    """The bytes of a regular file (not a symlink), or None. Reads at most ``cap + 1`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not os.path.isfile(path):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(cap + 1)
    finally:
        os.close(fd)


def load_json(path: Path, cap: int = MANIFEST_CAP) -> JsonDocument | None:
    data = read_bytes(path, cap)
    return None if data is None else read_json(data, cap)


def json_problem(sink: Sink, doc: JsonDocument, suffix: str = "") -> bool:
    """Report a JSON document's notes and problem; True when it has no usable value."""
    for code, message in doc.notes:
        sink.add(code, "json", message, "note")
    if doc.problem is None:
        return False
    code = "json." + doc.problem.reason.split(":")[-1]
    sink.add(code, "json", doc.problem.message + suffix)
    return True


# --- names --------------------------------------------------------------------------------


def entry_name(sink: Sink, index: int, name: str) -> None:
    path = f"plugins[{index}].name"
    if not names.valid_id(name):
        sink.add(
            "name.invalid_id",
            path,
            f'Claude Code cannot install plugin "{name}". Each part of a plugin id (plugin@marketplace) '
            f'{names.ID_RULE} Change this entry\'s "name".',
        )
    _desktop(sink, path, f'Plugin name "{name}"', name, DESKTOP_DROP)
    plugin_name_origin(sink, path, name)


def plugin_name_origin(sink: Sink, path: str, name: str, standalone: bool = False) -> None:
    if sink.official:
        return
    if names.plugin_reserved(name):
        message = names.RESERVED_PLUGIN_MESSAGE.format(name=name)
        if standalone:
            message += " If this is one of Anthropic's own plugins, validate the marketplace that lists it."
        sink.add("name.reserved", path, message)
    elif names.plugin_reads_as_anthropic(name):
        sink.add("name.reads_as_anthropic", path, names.READS_AS_MESSAGE.format(name=name), "warning")


def marketplace_name(sink: Sink, name: str) -> None:
    if not names.valid_id(name):
        sink.add(
            "name.invalid_id",
            "name",
            f'Claude Code cannot install plugins from marketplace "{name}". Each part of a plugin id '
            f'(plugin@marketplace) {names.ID_RULE} Change the marketplace\'s "name".',
        )
    _desktop(sink, "name", f'Marketplace name "{name}"', name, DESKTOP_REJECT)


def _desktop(sink: Sink, path: str, subject: str, name: str, consequence: str) -> None:
    if names.desktop_ok(name):
        return
    accepts = "Claude Code accepts it, but the" if names.valid_id(name) else "The"
    sink.add(
        "name.desktop",
        path,
        f"{subject} is not accepted by Claude Desktop ({names.DESKTOP_RULE}). {accepts} {names.DESKTOP_SYNC} {consequence}",
        "warning",
    )


def engines(sink: Sink, holder: dict[str, Any], path: str) -> None:
    """``engines`` that is not an object is ignored at load time. (Claude Code 2.1.328 also
    refuses an ``engines["claude-code"]`` that is not a node-semver range; that check is not
    mirrored: tests/KNOWN_DISAGREEMENTS.md.)"""
    if "engines" in holder and not isinstance(holder["engines"], dict):
        sink.add(
            "field.engines_type",
            path,
            f'\'engines\' must be an object such as {{ "claude-code": ">=2.1.0" }}; got {js_type(holder["engines"])}. '
            "It will be ignored at load time.",
            "warning",
        )


def unknown_keys(sink: Sink, value: dict[str, Any], known: frozenset[str], base: str) -> None:
    for key in value:
        if key not in known:
            sink.add("field.unknown", f"{base}{key}", formats.unknown_field_message(key, known), "warning")


# --- plugin.json ----------------------------------------------------------------------------

# Fields whose single-string form Claude Code reports as element 0 ("agents[0]").
_INDEXED_SINGLETONS = frozenset({"agents", "skills", "hooks", "workflows"})
_PATH_FIELDS = (
    "commands",
    "agents",
    "skills",
    "hooks",
    "mcpServers",
    "lspServers",
    "outputStyles",
    "workflows",
    "themes",
    "monitors",
)
LOAD_FAILURE = "The runtime loader will report this as a load failure."
MCP_MISSING = "The plugin loader skips a missing MCP servers file without reporting it, so none of its servers will load."


def component_paths(manifest: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(field, reported path, declared path) for every component path string in a manifest."""
    for key in _PATH_FIELDS:
        value = manifest.get(key)
        if isinstance(value, str):
            yield key, (f"{key}[0]" if key in _INDEXED_SINGLETONS else key), value
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, str):
                    yield key, f"{key}[{index}]", item


def plugin_manifest(sink: Sink, manifest: Any, plugin_dir: Path | None, listed_as: str | None = None) -> None:
    """Claude Code's checks of one parsed plugin.json (schema, keys, names, paths).

    ``listed_as`` is the marketplace entry's name: a plugin.json name equal to it was
    already judged on the entry and is not reported twice.
    """
    if not isinstance(manifest, dict):
        sink.issues(formats.PLUGIN_MANIFEST.check(manifest))
        return
    schema_issues = formats.PLUGIN_MANIFEST.check(manifest)
    sink.issues(schema_issues)
    for key in manifest:
        if key in formats.ENTRY_ONLY_IN_PLUGIN:
            sink.add(
                "field.belongs_in_entry",
                key,
                f"Field '{key}' belongs in the marketplace entry (marketplace.json), not plugin.json. "
                "It's harmless here but unused — Claude Code ignores it at load time.",
                "warning",
            )
        elif key not in formats.PLUGIN_KEYS and key not in formats.PLUGIN_TOLERATED:
            sink.add("field.unknown", key, formats.unknown_field_message(key, formats.PLUGIN_KEYS), "warning")
    engines(sink, manifest, "engines")
    for key in ("monitors", "themes"):
        if key in manifest:
            sink.add(
                "field.experimental_top_level",
                key,
                f"'{key}' is an experimental component; declare it under 'experimental.{key}' instead "
                "of at the top level. Top-level still loads for now but will be removed in a future release.",
                "warning",
            )
    if plugin_dir is not None:
        _check_component_paths(sink, manifest, plugin_dir)
    if schema_issues:
        return  # Claude Code judges names and missing fields only once the schema passed
    name = manifest.get("name")
    if isinstance(name, str):
        if name != listed_as:
            plugin_name_origin(sink, "name", name, standalone=plugin_dir is not None and not sink.prefix)
        if not names.is_kebab(name):
            consequence = (
                "Claude Code accepts it, but the"
                if names.valid_id(name)
                else "Claude Code cannot install it from a marketplace that lists it under this name, and the"
            )
            sink.add(
                "name.not_kebab",
                "name",
                f'Plugin name "{name}" is not kebab-case. {consequence} Claude.ai marketplace sync requires '
                'kebab-case (lowercase letters, digits, and hyphens only, e.g., "my-plugin").',
                "warning",
            )
    for key, code, message in (
        ("version", "plugin.no_version", 'No version specified. Consider adding a version following semver (e.g., "1.0.0")'),
        (
            "description",
            "plugin.no_description",
            "No description provided. Adding a description helps users understand what your plugin does",
        ),
        ("author", "plugin.no_author", "No author information provided. Consider adding author details for plugin attribution"),
    ):
        if key not in manifest:
            sink.add(code, key, message, "warning")


def _check_component_paths(sink: Sink, manifest: dict[str, Any], plugin_dir: Path) -> None:
    for key, where, declared in component_paths(manifest):
        if ".." in re.split(r"[\\/]", declared):
            sink.add(
                "path.dotdot",
                where,
                f'Path contains ".." which could be a path traversal attempt: {declared}',
            )
            continue
        relative = declared[2:] if declared.startswith("./") else declared
        target = inside(plugin_dir, relative)
        if target is None or not (target.exists() or target.is_symlink()):
            tail = MCP_MISSING if key == "mcpServers" else LOAD_FAILURE
            sink.add("path.not_found", where, f"Path not found: {declared}. {tail}")
        elif key == "skills" and target.is_file():
            parent = "./" + str(PurePosixPath(relative).parent)
            sink.add(
                "path.is_file",
                where,
                "Path is a file; skills entries must be directories containing SKILL.md — point to the "
                f"parent directory '{parent}' instead: {declared}",
            )


def component_files(manifest: Any, plugin_dir: Path, key: str, default: str, suffix: str = "") -> list[Path]:
    """Files Claude Code reads for a merging component: ``default`` plus the manifest's paths.

    ``suffix`` keeps only paths with that ending (``mcpServers`` may also name .mcpb bundles).
    """
    found: list[Path] = []
    candidates = [default]
    if isinstance(manifest, dict):
        candidates += [declared.removeprefix("./") for field, _where, declared in component_paths(manifest) if field == key]
    for relative in candidates:
        target = inside(plugin_dir, relative)  # refuses "..", absolute paths and symlinks
        if target is not None and target.is_file() and target.name.endswith(suffix) and target not in found:
            found.append(target)
    return found


# --- hooks.json -------------------------------------------------------------------------------


def component_doc(sink: Sink, kind: str, path: Path) -> None:
    data = read_bytes(path, MARKDOWN_CAP)
    text = "" if data is None else data.decode("utf-8", errors="replace")
    parsed = frontmatter.parse(text)
    if not parsed.present:
        sink.add(
            "frontmatter.missing",
            "frontmatter",
            "No frontmatter block found. Add YAML frontmatter between --- delimiters at the top of the file "
            "to set description and other metadata.",
            "warning",
        )
        return
    if parsed.error is not None and kind in ("agent", "command"):
        runtime = (
            "this agent loads with its name taken from the filename and every other frontmatter field silently dropped"
            if kind == "agent"
            else "this command loads with empty metadata (all frontmatter fields silently dropped)"
        )
        sink.add(
            "frontmatter.yaml",
            "frontmatter",
            f"YAML frontmatter failed to parse: YAML Parse error: Unexpected token. At runtime {runtime}.",
        )
        return
    if parsed.error is not None or not isinstance(parsed.data.get("description"), str):
        sink.add(
            "frontmatter.no_description",
            "description",
            f"No description in frontmatter. A description helps users and Claude understand when to use this {kind}.",
            "warning",
        )
