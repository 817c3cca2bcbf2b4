"""Tolerant models of what strangers publish: marketplaces, entries, sources, plugin manifests.

These are *input* models (``extra="allow"``, nothing required): they keep every key, and
turning raw JSON into them never raises. Validity is decided by ``validate.py``; each
entry carries the findings whose JSON path lies under it, so one bad entry never sinks
its marketplace. The strict snapshot models we own live in ``snapshot/``.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from agentops_index.manifest.findings import Finding, Report
from agentops_index.manifest.validate import plugin_root_usable, resolve_relative_source
from agentops_index.snapshot.models import SourceKind

COMPONENT_KEYS = ("commands", "agents", "skills", "hooks", "outputStyles", "themes")
_GITHUB_URL = re.compile(r"^(?:https?://|git@)(?:www\.)?github\.com[/:]([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")
_OWNER_REPO = re.compile(r"^([A-Za-z0-9][\w.-]*)/([\w.-]+)$")


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=False)


class PluginSource(Loose):
    """A plugin ``source`` in any of its forms; ``kind`` says which, or why none applies."""

    kind: SourceKind
    path: str | None = None  # relative: directory from the marketplace root; git-subdir: subdirectory
    repo: str | None = None  # owner/repo when the source is on GitHub
    url: str | None = None
    ref: str | None = None
    sha: str | None = None
    package: str | None = None
    version: str | None = None
    registry: str | None = None
    sha256: str | None = None
    command: str | None = None


def github_repo(url: str) -> str | None:
    """``owner/repo`` of a github.com URL or shorthand, else None."""
    match = _GITHUB_URL.match(url.strip())
    if match:
        return f"{match.group(1)}/{match.group(2)}"
    match = _OWNER_REPO.match(url.strip())
    return f"{match.group(1)}/{match.group(2)}" if match and ".." not in url else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_source(raw: Any, plugin_root: Any, problems: bool) -> PluginSource:
    """Classify a raw ``source``; ``problems`` marks an entry whose source has validator errors."""
    if isinstance(raw, str):
        relative = resolve_relative_source(raw, plugin_root)
        if relative is None or problems:
            return PluginSource(kind="invalid_source", path=raw)
        return PluginSource(kind="relative", path=relative)
    if not isinstance(raw, dict) or problems:
        return PluginSource(kind="unsupported" if isinstance(raw, dict) else "invalid_source")
    kind = raw.get("source")
    common = {"ref": _text(raw.get("ref")), "sha": _text(raw.get("sha"))}
    if kind == "github":
        return PluginSource(kind="github", repo=_text(raw.get("repo")), **common)
    if kind == "url":
        url = _text(raw.get("url")) or ""
        return PluginSource(kind="url", url=url, repo=github_repo(url), path=_text(raw.get("path")), **common)
    if kind == "git-subdir":
        url = _text(raw.get("url")) or ""
        return PluginSource(kind="git-subdir", url=url, repo=github_repo(url), path=_text(raw.get("path")), **common)
    if kind == "npm":
        return PluginSource(
            kind="npm",
            package=_text(raw.get("package")),
            version=_text(raw.get("version")),
            registry=_text(raw.get("registry")),
        )
    if kind == "archive":
        return PluginSource(kind="archive", url=_text(raw.get("url")), sha256=_text(raw.get("sha256")))
    if kind == "command":
        return PluginSource(kind="command", command=_text(raw.get("command")))
    return PluginSource(kind="unsupported")


class MarketplaceEntry(Loose):
    """One ``plugins[]`` entry, standing alone."""

    index: int
    name: str | None = None
    raw: dict[str, Any] = {}
    source: PluginSource
    strict: bool = True
    findings: list[Finding] = []

    @property
    def valid(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def component_fields(self) -> dict[str, Any]:
        return {k: self.raw[k] for k in COMPONENT_KEYS if k in self.raw}


class Marketplace(Loose):
    """A parsed marketplace.json: its own fields, its entries, and the findings about it."""

    name: str | None = None
    owner_name: str | None = None
    description: str | None = None
    version: str | None = None
    plugin_root: str | None = None
    raw: dict[str, Any] = {}
    entries: list[MarketplaceEntry] = []
    skipped: list[tuple[int, str]] = []  # (index, reason) of entries without a string name
    findings: list[Finding] = []  # those not under any entry
    readable: bool = True


_ENTRY_PATH = re.compile(r"^plugins(?:\[(\d+)\]|\.(\d+))(?:[ .\[]|$)")


def entry_index(path: str) -> int | None:
    match = _ENTRY_PATH.match(path)
    if not match:
        return None
    return int(match.group(1) or match.group(2))


def parse_marketplace(value: Any, report: Report) -> Marketplace:
    """Build the tolerant model from a parsed marketplace.json and its validation report."""
    if not isinstance(value, dict):
        return Marketplace(readable=False, findings=list(report.findings))
    per_entry: dict[int, list[Finding]] = {}
    general: list[Finding] = []
    for finding in report.findings:
        index = entry_index(finding.path)
        (per_entry.setdefault(index, []) if index is not None else general).append(finding)
    metadata: dict[str, Any] = value["metadata"] if isinstance(value.get("metadata"), dict) else {}
    owner: dict[str, Any] = value["owner"] if isinstance(value.get("owner"), dict) else {}
    plugin_root = metadata.get("pluginRoot")
    market = Marketplace(
        name=_text(value.get("name")),
        owner_name=_text(owner.get("name")),
        description=_text(value.get("description")) or _text(metadata.get("description")),
        version=_text(value.get("version")) or _text(metadata.get("version")),
        plugin_root=plugin_root if plugin_root_usable(plugin_root) else None,
        raw=value,
        findings=general,
    )
    plugins = value.get("plugins")
    for index, raw in enumerate(plugins if isinstance(plugins, list) else []):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            market.skipped.append((index, "entry_not_object" if not isinstance(raw, dict) else "name_not_string"))
            continue
        findings = per_entry.get(index, [])
        source_problem = any(
            f.severity == "error" and re.search(rf"^plugins(\[{index}\]|\.{index})\.source", f.path) for f in findings
        )
        market.entries.append(
            MarketplaceEntry(
                index=index,
                name=raw["name"],
                raw=raw,
                source=parse_source(raw.get("source"), plugin_root, source_problem),
                strict=raw.get("strict") is not False,
                findings=findings,
            )
        )
    return market


def effective_manifest(entry: MarketplaceEntry, plugin_json: dict[str, Any] | None) -> tuple[dict[str, Any], str | None]:
    """The manifest Claude Code loads for an entry (FORMAT.md §1.3) and a conflict, if any.

    Without plugin.json the entry is the manifest. With it, ``strict: true`` keeps
    plugin.json as the authority and appends the entry's component fields; ``strict: false``
    uses plugin.json alone, and an entry that also declares components fails to load.
    """
    if plugin_json is None:
        return dict(entry.raw), None
    merged = dict(plugin_json)
    components = entry.component_fields()
    if not entry.strict:
        if components:
            return merged, f"Plugin {entry.name} has conflicting manifests: strict is false but the entry declares " + ", ".join(
                sorted(components)
            )
        return merged, None
    for key, value in components.items():
        if key == "hooks" and isinstance(value, dict) and isinstance(merged.get("hooks"), dict):
            merged["hooks"] = {**merged["hooks"], **value}
        elif key in merged:
            left = merged[key] if isinstance(merged[key], list) else [merged[key]]
            right = value if isinstance(value, list) else [value]
            merged[key] = left + right
        else:
            merged[key] = value
    for key, value in entry.raw.items():
        merged.setdefault(key, value)
    return merged, None
