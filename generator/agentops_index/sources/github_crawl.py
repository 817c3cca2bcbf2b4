"""Crawl marketplaces on GitHub: batched metrics, one tree per changed repository, batched blobs.

1. One GraphQL request per 100 marketplaces: metrics, head oid, marketplace.json text, and
   whether Codex's or Cursor's catalog is there. A repository with neither catalog of Claude's
   but another client's is read from that one (``sources/other.py``); one with no catalog at all
   is read for standalone skills (``sources/standalone.py``) unless it is a plugin's source (a
   marketplace names it, this run or the last): its tree says whether it has any.
2. The same for every GitHub repository a plugin entry names as its source.
3. A marketplace whose head oid (and whose plugin repositories' head oids) equal those in
   ``--previous`` is reused without reading content.
4. Everything else gets one recursive tree read per repository and batched blob reads,
   is laid out as a virtual checkout, and is read by the same code as ``crawl --from-dir``.
Sources on other hosts are recorded as ``source.external_source_not_crawled``, never contacted.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from agentops_index.manifest import agentplugins, codex, cursor, skills
from agentops_index.manifest.findings import Report
from agentops_index.manifest.jsonfile import MARKETPLACE_CAP, read_json
from agentops_index.manifest.models import MarketplaceEntry, github_repo, parse_marketplace
from agentops_index.manifest.validate import MARKETPLACE_FILE, resolve_relative_source
from agentops_index.snapshot import assemble
from agentops_index.snapshot import models as m
from agentops_index.snapshot.categories import Taxonomy
from agentops_index.sources import checkout, clients
from agentops_index.sources.github import GitHub, GitHubError, RepoInfo, RepoRef, TreeEntry
from agentops_index.sources.local import LocalSource
from agentops_index.sources.read import SourceOutcome, read_local

GITHUB_KINDS = ("github", "url", "git-subdir")
TOMBSTONE_RUNS = 3

# The snapshot version from which an unchanged repository's records and status can be reused as
# they are: 3 added a plugin's other clients' views, 4 a source's count of their entries, 5 the
# records of plugins only another client's catalog names.
REUSABLE_SINCE = 5
CLIENT_RULES = {
    "codex": codex.CLIENT,
    "cursor": cursor.RULES,
    "skill": skills.RULES,
    "agent-plugins": agentplugins.RULES,
}  # a view judged by other rules is judged again


def plugin_repo(entry: MarketplaceEntry) -> tuple[RepoRef, str] | None:
    """(repository, subdirectory) of an entry whose source is on GitHub, else None."""
    source = entry.source
    if source.kind not in GITHUB_KINDS:
        return None
    repo = source.repo if source.kind == "github" else github_repo(source.url or "")
    if not repo or "/" not in repo:
        return None
    owner, _, name = repo.partition("/")
    sub = (source.path or "").strip("/") if source.kind == "git-subdir" else ""
    return RepoRef(owner, name.removesuffix(".git"), source.sha or source.ref), sub


def _key(ref: RepoRef) -> str:
    return f"{ref.id.lower()}@{ref.ref or ''}"


@dataclass(slots=True)
class Checkout:
    ref: RepoRef
    info: RepoInfo
    plugin_dirs: list[str]
    root: Path | None = None
    error: str | None = None
    truncated: bool = False
    layout: checkout.Plan | None = None
    tree: list[TreeEntry] = field(default_factory=list)  # the repository's files, as GitHub listed them
    extra: dict[str, bytes] = field(default_factory=dict)
    others_failed: bool = False  # the second round (folders only other catalogs name) failed
    fetch_as: RepoRef | None = None  # the repository's current name, when GitHub renamed it
    # A marketplace's repository: "" with Claude's catalog; without, "other" (Codex's or Cursor's) or
    # "skills" (looked for). None: a plugin's own repository.
    alone: str | None = None

    @property
    def target(self) -> RepoRef:
        return self.fetch_as or self.ref


def current_name(ref: RepoRef, info: RepoInfo) -> RepoRef | None:
    """The new name of a renamed repository (GraphQL follows renames, REST answers 301), else None."""
    if info.name_with_owner and info.name_with_owner.lower() != ref.id.lower() and "/" in info.name_with_owner:
        owner, _, name = info.name_with_owner.partition("/")
        return RepoRef(owner, name, ref.ref)
    return None


class GitHubCrawl:
    def __init__(
        self,
        github: GitHub,
        taxonomy: Taxonomy,
        now: str,
        previous: m.Snapshot | None,
        workdir: Path,
        optional: set[str] | None = None,
        unprobed: set[str] | None = None,
    ) -> None:
        self.optional = optional or set()
        self.unprobed = {i.lower() for i in unprobed or ()}  # plugin sources: never read as skills repositories
        self.github = github
        self.taxonomy = taxonomy
        self.now = now
        self.workdir = workdir
        self.previous_markets = {r.id.lower(): r for r in (previous.marketplaces if previous else [])}
        # Records and statuses from before other clients' views and counts (REUSABLE_SINCE) have
        # neither: read every repository again rather than republish them without.
        self.reusable = previous is None or previous._written_as >= REUSABLE_SINCE
        self.previous_status = {s.id.lower(): s for s in (previous.sources if previous else [])}
        self.previous_plugins: dict[str, list[m.PluginRecord]] = defaultdict(list)
        for plugin in previous.plugins if previous else []:
            self.previous_plugins[plugin.marketplace.lower()].append(plugin)
        self.remote: dict[str, Checkout] = {}
        self.remote_by_repo: dict[str, Checkout] = {}  # the same checkouts by lowercased repository id

    def _remote_by_repo(self, repo: str | None) -> Checkout | None:
        return self.remote_by_repo.get(repo.lower()) if repo else None

    # --- the run -----------------------------------------------------------------------------

    async def run(self, refs: list[RepoRef]) -> list[SourceOutcome]:
        infos = {ref.id: info for ref, info in zip(refs, await self.github.repositories(refs), strict=True)}
        outcomes: list[SourceOutcome] = []
        parsed: dict[str, list[MarketplaceEntry]] = {}
        folders: dict[str, list[str]] = {}
        for ref in refs:
            info = infos[ref.id]
            if info.found and info.marketplace is not None:
                parsed[ref.id], folders[ref.id] = self._parse(info.marketplace)
        remote_refs = self._remote_refs(refs, parsed)
        # A plugin's own repository is that plugin, not a repository of standalone skills too.
        self.unprobed |= {r.id.lower() for r in remote_refs.values()}
        remote_infos = await self.github.repositories(list(remote_refs.values())) if remote_refs else []
        for (key, ref), info in zip(remote_refs.items(), remote_infos, strict=True):
            self.remote[key] = Checkout(ref, info, [])
            self.remote_by_repo.setdefault(ref.id.lower(), self.remote[key])
        to_read: list[Checkout] = []
        for ref in refs:
            info = infos[ref.id]
            alone = self._alone(ref, info)
            if ref.id in self.optional and alone is None and ref.id.lower() not in self.previous_markets:
                # A discovered repository that is gone or holds nothing to read is not a source
                # (one that had a marketplace last run is: it goes stale, then is tombstoned).
                continue
            before = self.previous_status.get(ref.id.lower())
            if alone == "skills" and before is not None and before.last_error == self._nothing(ref, info.head_oid):
                alone = None  # looked for at this commit already: nothing there (no tree read again)
            if not info.found or alone is None:
                outcomes.append(self._failed(ref, info.error or self._nothing(ref, info.head_oid), info))
            elif self._unchanged(ref, info):
                outcomes.append(self._reuse(ref, info))
            elif alone:
                to_read.append(Checkout(ref, info, [], alone=alone))
            else:
                to_read.append(
                    Checkout(
                        ref, info, folders[ref.id], extra={MARKETPLACE_FILE: (info.marketplace or "").encode("utf-8")}, alone=""
                    )
                )
        for remote in self.remote.values():
            remote.fetch_as = current_name(remote.ref, remote.info)
        for item in to_read:
            item.fetch_as = current_name(item.ref, item.info)
        subdirs: dict[str, set[str]] = defaultdict(set)  # remote repository key -> plugin folders wanted
        for item in to_read:
            for entry in parsed.get(item.ref.id, []):
                found = plugin_repo(entry)
                if found:
                    subdirs[_key(found[0])].add(found[1])
        remote_to_read = [c for k, c in self.remote.items() if k in subdirs and c.info.found]
        for remote in remote_to_read:
            remote.plugin_dirs = sorted(subdirs[_key(remote.ref)])
        await self._fetch([*to_read, *remote_to_read])
        await self._fetch_others(to_read)  # the marketplaces read here, not the plugin repositories
        for item in to_read:
            looked = item.alone == "skills" and item.error is None  # probed for skills or a root plugin
            if looked and item.layout is None:
                item.error = self._nothing(item.ref, item.info.head_oid)
            outcome = self._read(item)
            if (
                looked
                and outcome.marketplace is None
                and item.ref.id in self.optional
                and item.ref.id.lower() not in self.previous_markets
            ):
                continue  # discovered, and nothing there to read (a root plugin.json may be no Agent Plugins manifest)
            outcomes.append(outcome)
        return outcomes

    def _alone(self, ref: RepoRef, info: RepoInfo) -> str | None:
        """ "" for a repository with Claude's catalog; "other" with only Codex's or Cursor's;
        "skills" with none, to be looked for in its tree; None: nothing to read."""
        if not info.found:
            return None
        if info.marketplace is not None:
            return ""
        if info.others:
            return "other"
        return None if ref.id.lower() in self.unprobed else "skills"

    @staticmethod
    def _nothing(ref: RepoRef, oid: str | None) -> str:
        """Why a repository is not a marketplace; naming the commit lets the next run that sees
        the same commit skip looking again."""
        at = f"commit {oid}" if oid else (ref.ref or "the default branch")
        return f"no_marketplace: no plugin catalog ({MARKETPLACE_FILE} or another client's) nor skills at {at}"

    def _parse(self, text: str) -> tuple[list[MarketplaceEntry], list[str]]:
        """The entries of a marketplace.json, and every folder its relative sources name.

        The folders come from the raw ``plugins`` list, unnamed entries included: the
        validator reads their plugin.json too, so the virtual checkout must hold it.
        """
        doc = read_json(text.encode("utf-8"), MARKETPLACE_CAP)
        if not doc.ok or not isinstance(doc.value, dict):
            return [], []
        entries = parse_marketplace(doc.value, Report("marketplace.json")).entries
        metadata = doc.value.get("metadata")
        plugin_root = metadata.get("pluginRoot") if isinstance(metadata, dict) else None
        plugins = doc.value.get("plugins")
        dirs = set()
        for raw in plugins if isinstance(plugins, list) else []:
            source = raw.get("source") if isinstance(raw, dict) else None
            relative = resolve_relative_source(source, plugin_root) if isinstance(source, str) else None
            if relative is not None:
                dirs.add(relative.removeprefix("./").strip("/"))
        return entries, sorted(dirs)

    def _remote_refs(self, refs: list[RepoRef], parsed: dict[str, list[MarketplaceEntry]]) -> dict[str, RepoRef]:
        out: dict[str, RepoRef] = {}
        for ref in refs:
            for entry in parsed.get(ref.id, []):
                found = plugin_repo(entry)
                if found:
                    out.setdefault(_key(found[0]), found[0])
        return dict(sorted(out.items()))

    # --- reuse and failure -------------------------------------------------------------------

    def _unchanged(self, ref: RepoRef, info: RepoInfo) -> bool:
        before = self.previous_markets.get(ref.id.lower())
        if before is None or before.metrics is None or before.metrics.head_oid != info.head_oid or not info.head_oid:
            return False
        if not self.reusable:
            return False
        for plugin in self.previous_plugins[ref.id.lower()]:
            if any(v.rules != CLIENT_RULES[v.client] for v in plugin.clients):
                return False  # judged by rules this crawl no longer applies
            if plugin.resolved.repo and plugin.source.kind in GITHUB_KINDS:
                remote = self._remote_by_repo(plugin.resolved.repo)
                now_oid = remote.info.head_oid if remote and remote.info.found else None
                if now_oid != plugin.resolved.oid:
                    return False
        return True

    def _metrics(self, info: RepoInfo) -> m.RepoMetrics | None:
        return m.RepoMetrics(**info.metrics) if info.found and info.metrics else None

    def _reuse(self, ref: RepoRef, info: RepoInfo) -> SourceOutcome:
        before = self.previous_markets[ref.id.lower()]
        plugins = []
        for plugin in self.previous_plugins[ref.id.lower()]:
            remote = self._remote_by_repo(plugin.resolved.repo)
            plugins.append(plugin.model_copy(update={"metrics": self._metrics(remote.info)}) if remote else plugin)
        status_before = self.previous_status.get(ref.id.lower())
        status = m.SourceStatus(
            id=before.id,
            kind="github",
            state="fresh",
            entries=before.entries + len(before.other_ids),  # as read_local and read_other count them
            recorded=len(plugins),
            skipped=len(before.skipped),
            clients=status_before.clients if status_before else {},  # the same commit: the same catalogs
        )
        return SourceOutcome(status, before.model_copy(update={"metrics": self._metrics(info)}), plugins)

    def _failed(self, ref: RepoRef, reason: str, info: RepoInfo | None = None, state: str = "stale") -> SourceOutcome:
        """A source that could not be read this run (SECURITY.md §6.3).

        Gone (not found) counts a tombstone and is removed at the third in a row; any other
        failure keeps the last good data from --previous, marked stale (or invalid when the
        marketplace was read but does not parse) with ``stale_since`` and ``last_error``.
        """
        reason = self.github.safe(reason)
        before = self.previous_markets.get(ref.id.lower())
        status_before = self.previous_status.get(ref.id.lower())
        failures = (status_before.consecutive_failures if status_before else 0) + 1
        gone = reason.startswith(("not_found:", "gone:"))
        tombstones = (status_before.tombstones if status_before else 0) + 1 if gone else 0
        since = status_before.stale_since if status_before and status_before.stale_since else self.now
        common = {
            "id": before.id if before else ref.id,
            "kind": "github",
            "last_error": reason,
            "consecutive_failures": failures,
            "tombstones": tombstones,
            "clients": status_before.clients if status_before else {},  # last good data, as its records
        }
        if tombstones >= TOMBSTONE_RUNS:
            return SourceOutcome(m.SourceStatus.model_validate({**common, "state": "removed", "stale_since": since}))
        if before is not None:
            plugins = self.previous_plugins[ref.id.lower()]
            status = m.SourceStatus.model_validate(
                {
                    **common,
                    "state": state,
                    "stale_since": since,
                    "entries": before.entries + len(before.other_ids),
                    "recorded": len(plugins),
                    "skipped": len(before.skipped),
                }
            )
            return SourceOutcome(status, before, list(plugins))
        return SourceOutcome(m.SourceStatus.model_validate({**common, "state": "invalid"}))

    # --- reading -----------------------------------------------------------------------------

    async def _fetch(self, items: list[Checkout]) -> None:
        """Trees (one request each, concurrently), then every wanted file in batched reads."""

        async def tree(item: Checkout) -> None:
            try:
                entries, truncated = await self.github.tree(item.target, item.info.head_oid or "HEAD")
                item.tree = entries
                also = frozenset[str]()
                if item.alone == "skills":  # standalone skills, or a root Agent Plugins plugin
                    item.plugin_dirs, also = checkout.skill_dirs(entries), checkout.root_plugin_files(entries)
                    if checkout.single_cursor_plugin(entries):  # the repository is the plugin: read it whole
                        item.plugin_dirs = ["."]
                    if not item.plugin_dirs and not also:
                        return
                dirs = item.plugin_dirs
                if item.alone in ("", "other"):  # a catalog's repository: the skills beside it too (standalone.beside)
                    dirs = [*dirs, *(d for d in checkout.skill_dirs(entries) if f"{d}/".startswith(checkout.BESIDE))]
                item.layout = checkout.plan(entries, dirs, truncated, also)
            except GitHubError as exc:
                item.error = str(exc)

        await asyncio.gather(*(tree(item) for item in items))
        wanted = [(i.target, i.info.head_oid or "HEAD", e.path, e.size) for i in items if i.layout for e in i.layout.fetch]
        contents, failed = await self.github.blobs(wanted) if wanted else ({}, {})
        for item in items:
            if item.target.id in failed:
                item.error, item.layout = failed[item.target.id], None
        by_repo: dict[str, dict[str, bytes | None]] = defaultdict(dict)
        for (repo, path), data in contents.items():
            by_repo[repo][path] = data
        for number, item in enumerate(items):
            if item.layout is None:
                continue
            item.root = self.workdir / f"repo{number}-{item.ref.owner}__{item.ref.name}"
            files = by_repo.get(item.target.id, {})
            checkout.materialize(item.root, item.layout, files, item.extra)
            item.truncated = item.layout.truncated

    async def _fetch_others(self, items: list[Checkout]) -> None:
        """A second round for the folders only Codex's or Cursor's catalog names (their catalogs
        came with the first): their files, so those plugins are read as --from-dir reads them
        (sources/other.py). Only repositories that have such folders cost a request more."""
        plans: dict[str, tuple[Checkout, checkout.Plan]] = {}
        for item in items:
            if item.root is None or item.layout is None:
                continue
            named = clients.readings(item.root, item.ref.id, "github").named
            theirs = {f for folders in named.values() for f in folders if f} - set(item.plugin_dirs)
            if theirs:
                done = {e.path for e in item.layout.fetch}
                more = checkout.plan(item.tree, sorted(theirs), item.layout.truncated)
                more.fetch = [e for e in more.fetch if e.path not in done and e.path not in checkout.ROOT_FILES]
                plans[item.target.id] = (item, more)
        wanted = [(i.target, i.info.head_oid or "HEAD", e.path, e.size) for i, p in plans.values() for e in p.fetch]
        if not wanted:
            return
        contents, failed = await self.github.blobs(wanted)
        for (repo, path), data in contents.items():
            planned = plans.get(repo)
            root = planned[0].root if planned else None
            if root is not None and repo not in failed:
                target = root / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data or b"")
        for repo, (item, more) in plans.items():
            item.truncated = item.truncated or more.truncated
            item.others_failed = repo in failed  # their plugins are left out (counted as skipped), not misjudged

    def _read(self, item: Checkout) -> SourceOutcome:
        if item.root is None:
            return self._failed(item.ref, item.error or "fetch_failed", item.info)
        if item.alone:
            outcome = self._read_alone(item, item.root)
        else:
            source = LocalSource(item.ref.id, item.root, "github")
            outcome = read_local(
                source,
                self.taxonomy,
                self.now,
                resolve=self._resolve,
                metrics=self._metrics(item.info),
                others=not item.others_failed,
            )
        if outcome.status.state == "invalid":
            return self._failed(item.ref, outcome.status.last_error or "invalid", item.info, state="invalid")
        notes = []
        if item.truncated:
            notes.append(
                m.FindingRecord(
                    code="crawl.truncated",
                    severity="note",
                    path="root",
                    message="the repository is too large to read whole; some plugin files were not read",
                )
            )
        if item.fetch_as is not None:
            notes.append(
                m.FindingRecord(
                    code="repo.renamed",
                    severity="note",
                    path="root",
                    message=f"GitHub now calls this repository {item.fetch_as.id}; update data/sources.toml",
                )
            )
        if notes and outcome.marketplace is not None:
            outcome.marketplace = outcome.marketplace.model_copy(update={"findings": [*outcome.marketplace.findings, *notes]})
        return outcome

    def _read_alone(self, item: Checkout, root: Path) -> SourceOutcome:
        """A repository with no Claude catalog, read as ``crawl --from-dir`` reads one
        (``sources/folders.py``): Codex's or Cursor's catalog, else its skills."""
        from agentops_index.sources.agentplugin import read_agent_plugin, read_cursor_single
        from agentops_index.sources.standalone import read_other_and_skills, read_skills

        if item.others_failed:  # its plugins' files did not come: never judge empty placeholders
            return self._failed(item.ref, "fetch_failed: the folders its catalog names could not be read", item.info)
        read = read_other_and_skills(root, item.ref.id, "github", self.taxonomy, self.now)
        read = read or read_agent_plugin(root, item.ref.id, "github", self.taxonomy, self.now)
        read = read or read_cursor_single(root, item.ref.id, "github", self.taxonomy, self.now)
        read = read or read_skills(root, item.ref.id, "github", self.taxonomy, self.now)
        if read is None:
            return self._failed(item.ref, self._nothing(item.ref, item.info.head_oid), item.info)
        status, market, plugins = read
        if market is not None:
            market = market.model_copy(update={"metrics": self._metrics(item.info)})
        return SourceOutcome(status, market, plugins)

    def _resolve(self, entry: MarketplaceEntry) -> tuple[assemble.PluginParts, m.RepoMetrics | None]:
        found = plugin_repo(entry)
        if found is None:
            return assemble.remote_plugin(
                entry, "source.external_source_not_crawled", "is on a host this crawl never contacts"
            ), None
        ref, sub = found
        remote = self.remote.get(_key(ref))
        if remote is None or not remote.info.found:
            why = f"names {ref.id}, which GitHub does not serve ({(remote.info.error if remote else None) or 'not found'})"
            return assemble.remote_plugin(entry, "source.not_found", self.github.safe(why)), None
        if remote.root is None:
            return assemble.remote_plugin(entry, "source.fetch_failed", f"could not be read: {remote.error}"), self._metrics(
                remote.info
            )
        plugin_dir = remote.root / sub if sub else remote.root
        if ".." in Path(sub).parts or not plugin_dir.is_dir():
            parts = assemble.remote_plugin(
                entry, "source.missing_directory", f"names {sub or '.'} in {ref.id}, which is not a directory there"
            )
            return parts, self._metrics(remote.info)
        parts = assemble.read_plugin_dir(entry, plugin_dir, sub or ".", repo=ref.id, oid=remote.info.head_oid)
        return parts, self._metrics(remote.info)


async def crawl(
    refs: list[RepoRef],
    github: GitHub,
    taxonomy: Taxonomy,
    now: str,
    previous: m.Snapshot | None,
    optional: set[str] | None = None,
    unprobed: set[str] | None = None,
) -> list[SourceOutcome]:
    """Crawl ``refs`` through ``github``; virtual checkouts live in a temp dir for the run only.

    ``optional`` ids (discovered, not curated) are dropped rather than reported when they turn
    out to hold no marketplace; ``unprobed`` ones (found only as plugins' sources) are not read
    for standalone skills when they have no catalog.
    """
    with tempfile.TemporaryDirectory(prefix="agentops-crawl-") as tmp:
        return await GitHubCrawl(github, taxonomy, now, previous, Path(tmp), optional, unprobed).run(refs)
