"""Find marketplaces nobody listed: GitHub code search, and repositories other marketplaces name.

Code search looks for each client's catalog path (Claude Code's, Codex's, Cursor's, :data:`QUERIES`)
and for skill files (standalone Agent Skills repositories). It returns at most 1,000 results per
query, so each search is sliced by file size and a slice that still reports more than 1,000 hits
is split in two until each slice can be paged through completely. Search has its own, small rate
limit: requests are spaced :data:`SEARCH_INTERVAL` seconds apart on the run's clock. Skill files
are far more numerous than catalogs, so their search stops at :data:`SKILL_SEARCH_REQUESTS` (said
in the run's errors); what it found is carried to later runs (``earlier``), so coverage grows
night by night.

Repositories named as plugin sources are taken from the previous snapshot, and so are the
sources an earlier run discovered, so a run whose search fails still crawls them. The nightly
runs discovery once (``agentops-index discover-sources``), writes what it found to a file
(``write``), and hands that file to every shard (``crawl --discovered``), so all shards split
the same source list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentops_index.manifest import skills
from agentops_index.snapshot import models as m
from agentops_index.snapshot import report
from agentops_index.sources.catalog import repo_id_ok
from agentops_index.sources.github import GitHub, GitHubError, RepoRef, json_object

# What each code search looks for, and the paths of its hits that count (a hit elsewhere, such
# as a marketplace.json in some other folder, is not a catalog). Skills: anywhere in a repository.
# A quoted term is matched in the file's text, as code search does.
QUERIES = {
    "claude": ("filename:marketplace.json path:.claude-plugin", (".claude-plugin/marketplace.json",)),
    "codex": ("filename:marketplace.json path:.agents/plugins", (".agents/plugins/marketplace.json",)),
    "cursor": ("filename:marketplace.json path:.cursor-plugin", (".cursor-plugin/marketplace.json",)),
    "skill": ("filename:SKILL.md", ()),
    # A single Cursor plugin: its manifest at the repository's root, with no catalog.
    "cursor-plugin": ("filename:plugin.json path:.cursor-plugin", (".cursor-plugin/plugin.json",)),
    # An Agent Plugins plugin: a root plugin.json that names the format's schema (others' plugin.json do not).
    "agent-plugins": ('"agent-plugins.org/schemas" filename:plugin.json', ("plugin.json",)),
}
SKILL_SEARCH_REQUESTS = 150  # about 16 minutes at SEARCH_INTERVAL
MAX_SIZE = 393_216  # code search indexes files under 384 KB
CAP = 1000
PER_PAGE = 100
SEARCH_INTERVAL = 6.5  # seconds: code search allows about 9-10 requests a minute


FOUND_FORMAT = 1
FOUND_CAP = 64 * 1024 * 1024  # bytes of a discovered-sources file read at most


@dataclass(slots=True)
class Found:
    code_search: set[str] = field(default_factory=set)
    referenced: set[str] = field(default_factory=set)
    earlier: set[str] = field(default_factory=set)  # sources of the previous snapshot (GitHub)
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    by_format: dict[str, int] = field(default_factory=dict)  # repositories each search found (a repository counts in each)

    def candidates(self, curated: set[str]) -> dict[str, m.SourceOrigin]:
        """Every discovered repository not in ``curated`` (lower-cased ids), with where it came
        from: this run's code search first, then an earlier run, then a naming marketplace."""
        out: dict[str, m.SourceOrigin] = {}
        seen = set(curated)
        # GitHub's own spelling (code search), then an earlier run's, then a marketplace's text.
        found: tuple[tuple[m.SourceOrigin, set[str]], ...] = (
            ("code_search", self.code_search),
            ("earlier", self.earlier),
            ("referenced", self.referenced),
        )
        for origin, ids in found:
            for repo_id in _ordered(ids):
                if repo_id.lower() not in seen:
                    seen.add(repo_id.lower())
                    out[repo_id] = origin
        return out

    def write(self, path: Path) -> None:
        from agentops_index.snapshot import store

        body = {
            "format": FOUND_FORMAT,
            "code_search": _ordered(self.code_search),
            "referenced": _ordered(self.referenced),
            "earlier": _ordered(self.earlier),
            "requests": self.requests,
            "errors": self.errors,
            "by_format": dict(sorted(self.by_format.items())),
        }
        store.write_atomic(path, store.dumps(body))

    @classmethod
    def read(cls, path: Path) -> Found:
        """A file ``write`` made; a clear one-line error naming the file and the field otherwise."""
        from agentops_index.errors import InputError

        try:
            with open(path, "rb") as handle:
                raw = handle.read(FOUND_CAP + 1)
        except OSError as exc:
            raise InputError(f"--discovered {path}: cannot read ({exc.strerror or exc})") from exc
        if len(raw) > FOUND_CAP:
            raise InputError(f"--discovered {path}: larger than {FOUND_CAP} bytes")
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise InputError(f"--discovered {path}: not JSON ({exc})") from exc
        if not isinstance(body, dict) or body.get("format") != FOUND_FORMAT:
            raise InputError(f"--discovered {path}: format: expected {FOUND_FORMAT}")
        found = cls()
        requests, errors = body.get("requests", 0), body.get("errors", [])
        if not isinstance(requests, int) or not isinstance(errors, list) or not all(isinstance(e, str) for e in errors):
            raise InputError(f"--discovered {path}: requests and errors: must be a number and a list of strings")
        found.requests, found.errors = requests, list(errors)
        by_format = body.get("by_format", {})  # absent in files from before other clients were searched
        if not isinstance(by_format, dict) or not all(isinstance(v, int) and not isinstance(v, bool) for v in by_format.values()):
            raise InputError(f"--discovered {path}: by_format: must map a format to a number")
        found.by_format = {str(k): v for k, v in by_format.items()}
        for key in ("code_search", "referenced", "earlier"):
            ids = body.get(key, [])
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise InputError(f"--discovered {path}: {key}: must be a list of owner/name")
            bad = [i for i in ids if not repo_id_ok(i)]
            if bad:  # one odd id is dropped and said, never the whole night's crawl
                found.errors.append(f"{key}: {len(bad)} ids that are not owner/name dropped, such as {bad[0][:100]!r}")
            setattr(found, key, {i for i in ids if repo_id_ok(i)})
        return found


async def code_search(
    github: GitHub,
    found: Found,
    interval: float = SEARCH_INTERVAL,
    cap: int = CAP,
    budgets: dict[str, int] | None = None,
) -> None:
    """Every repository with a client's catalog, or with skill files, that code search can see;
    a search stops at its budget of requests (``budgets``, by format; skills: SKILL_SEARCH_REQUESTS)."""
    last: list[float] = []
    limits = {"skill": SKILL_SEARCH_REQUESTS, **(budgets or {})}
    for kind, (query, paths) in QUERIES.items():
        hits: set[str] = set()
        await _search(github, found, (kind, query, paths, limits.get(kind)), hits, (interval, cap, last))
        found.by_format[kind] = len(hits)
        found.code_search |= hits


async def _search(
    github: GitHub,
    found: Found,
    what: tuple[str, str, tuple[str, ...], int | None],
    into: set[str],
    pace: tuple[float, int, list[float]],
) -> None:
    kind, query, paths, budget = what
    interval, cap, last = pace
    spent = [0]

    async def page(lo: int, hi: int, number: int) -> dict[str, Any] | None:
        if budget is not None and spent[0] >= budget:
            if spent[0] == budget:
                spent[0] += 1
                found.errors.append(f"{kind}: stopped after {budget} requests; the rest is left to later runs")
            return None
        if last:
            wait = last[0] + interval - github.throttle.clock.monotonic()
            if wait > 0:
                await github.throttle.clock.sleep(wait)
        last[:] = [github.throttle.clock.monotonic()]
        found.requests += 1
        spent[0] += 1
        params = {"q": f"{query} size:{lo}..{hi}", "per_page": str(PER_PAGE), "page": str(number)}
        where = f"{kind} size:{lo}..{hi} page {number}"
        try:
            status, _, _, answer = await github._request("GET", "/search/code", check=json_object, params=params)
        except GitHubError as exc:
            found.errors.append(f"{where}: {exc}")
            return None
        if status != 200:
            message = answer.get("message") if isinstance(answer, dict) else None
            found.errors.append(f"{where}: HTTP {status}" + (f" ({message[:200]})" if isinstance(message, str) else ""))
            return None
        return answer if isinstance(answer, dict) else None

    async def search(lo: int, hi: int) -> None:
        first = await page(lo, hi, 1)
        if first is None:
            return
        total = int(first.get("total_count") or 0)
        if total > cap and hi > lo:
            middle = (lo + hi) // 2
            await search(lo, middle)
            await search(middle + 1, hi)
            return
        _collect(first, into, paths)
        for number in range(2, (min(total, cap) + PER_PAGE - 1) // PER_PAGE + 1):
            answer = await page(lo, hi, number)
            if answer is not None:
                _collect(answer, into, paths)

    await search(0, MAX_SIZE)


async def search_for(github: GitHub, previous: m.Snapshot | None, interval: float | None = None, cap: int | None = None) -> Found:
    """Everything discovery finds: code search (its errors recorded, never raised), the
    repositories the previous snapshot's marketplaces name, and the previous snapshot's sources."""
    found = Found(referenced=referenced(previous), earlier=earlier(previous))
    await code_search(github, found, SEARCH_INTERVAL if interval is None else interval, cap or CAP)
    return found


def earlier(previous: m.Snapshot | None) -> set[str]:
    """The sources an earlier run discovered that the previous snapshot still crawls. Curated
    ones are not carried: a repository taken off the source file is not crawled again unless
    discovery finds it anew."""
    if previous is None:
        return set()
    carried = ("code_search", "referenced", "earlier")
    return {s.id for s in previous.sources if s.kind == "github" and s.state != "removed" and s.origin in carried}


def referenced(previous: m.Snapshot | None) -> set[str]:
    """GitHub repositories that marketplaces in the previous snapshot name as plugin sources
    (their text: only well-formed owner/name ids are taken)."""
    if previous is None:
        return set()
    return {p.resolved.repo for p in previous.plugins if p.resolved.repo and repo_id_ok(p.resolved.repo)}


def _collect(answer: dict[str, Any], into: set[str], paths: tuple[str, ...]) -> None:
    """The repositories of the hits at ``paths`` (none given: of skill files anywhere)."""
    for item in answer.get("items") or []:
        repo = (item.get("repository") or {}).get("full_name") if isinstance(item, dict) else None
        path = item.get("path") if isinstance(item, dict) else None
        if not isinstance(repo, str) or not repo_id_ok(repo) or not isinstance(path, str):
            continue
        if path in paths or (not paths and path.rsplit("/", 1)[-1] in skills.FILES):
            into.add(repo)


def _ordered(ids: set[str]) -> list[str]:
    """Ids by lower case, then by spelling: the same order in every process (a set's is not)."""
    return sorted(ids, key=lambda s: (s.lower(), s))


def as_refs(ids: set[str] | dict[str, Any]) -> list[RepoRef]:
    out = []
    for repo_id in _ordered(set(ids)):
        owner, _, name = repo_id.partition("/")
        if owner and name:
            out.append(RepoRef(owner, name))
    return out


def discovery_stats(curated: int, candidates: dict[str, m.SourceOrigin], crawled: set[str], found: Found) -> report.Discovery:
    """Where the sources came from: the curated list, and each kind of discovery (counted once)."""
    kinds = list(candidates.values())
    return report.Discovery(
        curated=curated,
        code_search=kinds.count("code_search"),
        referenced=kinds.count("referenced"),
        earlier=kinds.count("earlier"),
        without_marketplace=sum(1 for repo_id in candidates if repo_id.lower() not in crawled),
        requests=found.requests,
        errors=found.errors,
        by_format=dict(sorted(found.by_format.items())),
    )
