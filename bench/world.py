"""A benchmark world: 30,000 plugins made of real marketplace text, built once and cached.

    .venv/bin/python bench/world.py [--plugins 30000] [--seed 0] [--copies 0.3]

``world()`` returns the path of a snapshot (the format of data/snapshots/latest.json) built so:

1. The real marketplaces of ../shared/corpus and ../shared/corpus-wide are read with the
   crawl's own code (``discover``, ``read_local``): 4,542 plugins of real names, descriptions,
   keywords, components, findings and signals (corpus-wide's tier B has full bodies).
2. They are listed again under other owners, ``<owner>-w<k>/<repo>`` in round k, until exactly
   ``plugins`` exist (the last marketplace is cut at an entry). Of the relisted plugins a
   fraction ``copies`` are exact copies (the ecosystem has mirrors and forks: same files, same
   ``tree_hash``, one copy group). The others are remixes: the entry keeps its own name,
   source, category and install command, its files (components, counts, plugin findings,
   signals, README) come from a real plugin in the same resolution state and its description,
   keywords and tags from another, so vocabulary, lengths and duplication stay real. A remix
   has its own ``tree_hash``: its files differ, a remote source moves to a fork
   (``<owner>-w<k>``) and a missing relative directory gets the same suffix. Every content
   hash is the one assemble.plugin_record gives the record (it covers the id, so copies'
   differ too); unreadable sources are relisted as they are.
3. Every marketplace and every plugin with its own GitHub repository gets ``RepoMetrics``
   drawn per repository from the seed: heavy-tailed stars, forks and watchers that follow
   them, pushes over the last two years, some archived, licences and topics.
4. ``enrich.finish`` scores, identifies (canonical ids, mirrors), relates and slugs it as in a
   real crawl, at the fixed time :data:`NOW`, so the same arguments on the same corpus give
   the same bytes.

The file is cached under $XDG_CACHE_HOME/agentops-index/bench/ (else ~/.cache/...), keyed by
the arguments, this file and the corpus folders' file list and sizes: a second call only
walks the corpus (0.2 s). A cold build of 30,000 takes about 45 s with a 1.2 GB peak and
writes 218 MB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))

from agentops_index import __version__  # noqa: E402
from agentops_index.enrich import finish  # noqa: E402
from agentops_index.snapshot import hashes, store  # noqa: E402
from agentops_index.snapshot import models as m  # noqa: E402
from agentops_index.snapshot.categories import load_taxonomy  # noqa: E402
from agentops_index.sources.local import discover  # noqa: E402
from agentops_index.sources.read import SourceOutcome, read_local  # noqa: E402

CORPORA = (ROOT.parent / "shared" / "corpus" / "marketplaces", ROOT.parent / "shared" / "corpus-wide" / "marketplaces")
NOW = "2026-09-01T00:00:00Z"  # the world's crawl time: fixed, after the corpus's last commit (2026-08)
_NOW = datetime(2026, 9, 1, tzinfo=UTC)
# Fields of a record that assemble.plugin_record leaves out of its content hash, or has not set yet.
_UNHASHED = {"slug", "metrics", "content_hash", "first_seen", "last_changed", "score", "related", "canonical_id", "mirrors"}
_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
_URL_OWNER = re.compile(r"^((?:[a-z+]+://)?(?:[^/@]+@)?[^/:]+[/:])([^/]+)(/.*)$")
LICENCES = [("MIT", 45), (None, 28), ("Apache-2.0", 14), ("NOASSERTION", 4), ("GPL-3.0", 3), ("BSD-3-Clause", 2), ("ISC", 2)]
LICENCES += [("MPL-2.0", 1), ("AGPL-3.0", 1)]
TOPICS = [
    "claude-code",
    "claude-code-plugin",
    "claude-code-plugins",
    "claude-code-marketplace",
    "claude",
    "anthropic",
    "ai",
    "llm",
    "agents",
    "ai-agents",
    "subagents",
    "skills",
    "agent-skills",
    "mcp",
    "mcp-server",
    "developer-tools",
    "automation",
    "productivity",
    "devops",
    "security",
    "testing",
    "code-review",
    "documentation",
    "workflow",
    "prompt-engineering",
]


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/agentops-index/bench, else ~/.cache/agentops-index/bench (XDG ignores relative paths)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "agentops-index" / "bench"


def corpus_dirs() -> list[Path]:
    """The two corpus folders; a clear error when they are not beside the repository."""
    missing = [d for d in CORPORA if not d.is_dir()]
    if missing:
        raise FileNotFoundError(
            f"bench/world.py needs the real marketplace corpus: {', '.join(str(d) for d in missing)} not found "
            f"(../shared/corpus and ../shared/corpus-wide beside the repository)"
        )
    return list(CORPORA)


def corpus_digest(dirs: list[Path]) -> str:
    """A digest of every corpus file's relative path and size (content edits that keep sizes go unseen)."""
    digest = hashlib.sha256()
    for directory in dirs:
        digest.update(f"{directory.parent.name}\0".encode())
        for top, folders, files in os.walk(directory):
            folders.sort()
            here = Path(top).relative_to(directory).as_posix()
            for name in sorted(files):
                size = os.lstat(os.path.join(top, name)).st_size
                digest.update(f"{here}/{name}\0{size}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


RECIPE_MODULES = (
    "crawl.py",
    "enrich.py",
    "identity.py",
    "rank.py",
    "signals.py",
    "snapshot/assemble.py",
    "snapshot/hashes.py",
    "snapshot/models.py",
    "snapshot/slugs.py",
    "search/related.py",
    "sources/clients.py",
    "sources/read.py",
)
RECIPE_DATA = ("categories.toml", "ranking.toml")  # the taxonomy, and the ranking's weights and scales


def world(plugins: int = 30000, seed: int = 0, copies: float = 0.3, cache: Path | None = None) -> Path:
    """The path of the cached world snapshot for these arguments, building it first if needed."""
    if plugins < 1 or not 0.0 <= copies <= 1.0:
        raise ValueError(f"world: plugins must be >= 1 and copies in [0, 1] (got {plugins}, {copies})")
    dirs = corpus_dirs()
    key = hashlib.sha256()
    for part in (f"{plugins}\0{seed}\0{copies!r}\0{m.SCHEMA_VERSION}\0{__version__}\0", corpus_digest(dirs)):
        key.update(part.encode())
    key.update(Path(__file__).read_bytes())  # a new recipe is a new world
    for module in RECIPE_MODULES:  # and so is a new crawl, identity or ranking
        key.update((ROOT / "generator" / "agentops_index" / module).read_bytes())
    for name in RECIPE_DATA:
        key.update((ROOT / "data" / name).read_bytes())
    folder = Path(cache) if cache is not None else cache_dir()
    stem = f"world-{plugins}-seed{seed}-copies{copies:g}"
    path = folder / f"{stem}-{key.hexdigest()[:16]}.json"
    if path.is_file():
        return path
    print(f"world: building {plugins:,} plugins into {path} (cached afterwards)", file=sys.stderr)
    data = dumps(build(dirs, plugins, seed, copies))
    store.write_atomic(path, data)
    for stale in folder.glob(f"{stem}-*.json"):
        if stale != path:
            stale.unlink(missing_ok=True)  # the same arguments on an older corpus or recipe
    return path


# --- building ----------------------------------------------------------------------------------


def build(dirs: list[Path], plugins: int, seed: int, copies: float) -> m.Snapshot:
    """Read the corpus, relist it up to ``plugins`` plugins, add metrics and finish it like a crawl."""
    taxonomy = load_taxonomy(ROOT / "data" / "categories.toml")
    sources, unusable = discover(dirs)
    real = [read_local(source, taxonomy, NOW) for source in sources]
    real += [
        SourceOutcome(m.SourceStatus(id=u.id, kind="github", state="invalid", last_error=u.reason, consecutive_failures=1))
        for u in unusable
    ]
    every = [p for o in real for p in o.plugins]
    if not every:
        raise ValueError("world: the corpus holds no plugins")
    by_state: dict[str, list[m.PluginRecord]] = defaultdict(list)
    for plugin in every:
        by_state[plugin.resolved.state].append(plugin)
    rng = random.Random(seed)
    taken = {o.status.id.lower() for o in real}
    outcomes: list[SourceOutcome] = []
    count, round_ = 0, 0
    while count < plugins:
        order = real[:]
        rng.shuffle(order)
        for outcome in order:
            if count >= plugins:
                break
            if round_:
                new_id = _relisted_id(outcome.status.id, round_, taken)
                outcome = relist(outcome, new_id, round_, rng, copies, by_state, every)
            if len(outcome.plugins) > plugins - count:
                outcome = cut(outcome, plugins - count)
            count += len(outcome.plugins)
            outcomes.append(with_metrics(outcome, seed))
        round_ += 1
    del real, every, by_state
    return finish(outcomes, taxonomy, NOW).snapshot


def _relisted_id(source_id: str, round_: int, taken: set[str]) -> str:
    """``<owner>-w<k>/<repo>``, the owner cut to GitHub's 39 characters and made unique."""
    owner, _, repo = source_id.partition("/")
    for extra in range(1000):
        suffix = f"-w{round_}" + (f"-{extra}" if extra else "")
        candidate = f"{_fork_owner(owner, suffix)}/{repo}"
        if candidate.lower() not in taken:
            taken.add(candidate.lower())
            return candidate
    raise ValueError(f"world: no free relisted id for {source_id}")


def _moved(plugin_id: str, old: str, new: str) -> str:
    head, _, tail = plugin_id.rpartition(f"@{old}")  # tail: "" or "#<index>" for a duplicate name
    return f"{head}@{new}{tail}"


def _add_command(install: m.Install, market_id: str) -> m.Install:
    if install.marketplace_add is None:
        return install
    return install.model_copy(update={"marketplace_add": f"/plugin marketplace add {market_id}"})


def relist(
    outcome: SourceOutcome,
    new_id: str,
    round_: int,
    rng: random.Random,
    copies: float,
    by_state: dict[str, list[m.PluginRecord]],
    every: list[m.PluginRecord],
) -> SourceOutcome:
    """One real marketplace under another owner: each plugin an exact copy or a remix."""
    old_id = outcome.status.id
    plugins = []
    for plugin in outcome.plugins:
        update = {
            "id": _moved(plugin.id, old_id, new_id),
            "marketplace": new_id,
            "install": _add_command(plugin.install, new_id),
        }
        if rng.random() >= copies:
            files = _donor(rng, by_state[plugin.resolved.state], plugin)
            words = _donor(rng, every, plugin)
            update.update(remix(plugin, files, words, round_))
        plugins.append(rehash(plugin.model_copy(update=update)))
    status = outcome.status.model_copy(update={"id": new_id})
    market = outcome.marketplace
    if market is not None:
        market = market.model_copy(
            update={
                "id": new_id,
                "plugin_ids": [p.id for p in plugins],
                "install": _add_command(market.install, new_id),
            }
        )
    return SourceOutcome(status, market, plugins)


def _donor(rng: random.Random, pool: list[m.PluginRecord], plugin: m.PluginRecord) -> m.PluginRecord:
    for _ in range(4):
        other = rng.choice(pool)
        if other.id != plugin.id:
            return other
    return other


def remix(plugin: m.PluginRecord, files: m.PluginRecord, words: m.PluginRecord, round_: int) -> dict[str, object]:
    """The fields that make ``plugin`` a distinct plugin: ``files``' files and ``words``' words."""
    found = [f for f in plugin.findings if f.scope != "plugin"]
    found += [_rebased(f, files, plugin) for f in files.findings if f.scope == "plugin"]
    errors = sum(1 for f in found if f.severity == "error")
    warnings = sum(1 for f in found if f.severity == "warning")
    untrusted = plugin.untrusted.model_copy(
        update={
            "description": words.untrusted.description,
            "keywords": words.untrusted.keywords,
            "tags": words.untrusted.tags,
            "readme_excerpt": files.untrusted.readme_excerpt,
        }
    )
    update: dict[str, object] = {
        "valid": errors == 0,
        "errors": errors,
        "warnings": warnings,
        "findings": found,
        "components": files.components,
        "counts": files.counts,
        "signals": files.signals,
        "risk": files.risk,
        "capabilities": files.capabilities,
        "runtimes": files.runtimes,
        "context_tokens": files.context_tokens,
        "declared_not_loadable": files.declared_not_loadable,
        "untrusted": untrusted,
    }
    if plugin.resolved.state == "local":
        update["resolved"] = plugin.resolved.model_copy(
            update={"manifest": files.resolved.manifest, "conflict": files.resolved.conflict}
        )
        # Its files are the donor's with other words in plugin.json: another tree.
        mix = hashlib.sha256()
        for part in (files.tree_hash or "", plugin.untrusted.name.text, _text(untrusted.description)):
            mix.update(part.encode("utf-8", "surrogatepass") + b"\0")
        for item in (*untrusted.keywords, *untrusted.tags):
            mix.update(item.text.encode("utf-8", "surrogatepass") + b"\0")
        update["tree_hash"] = "files:" + mix.hexdigest()[:32]
    else:
        source = _forked(plugin.source, round_)
        update["source"] = source
        if plugin.resolved.repo is not None:
            update["resolved"] = plugin.resolved.model_copy(update={"repo": source.repo})
        # The crawl's own hash of an unread source (hashes.tree_hash: no folder, the entry's source alone).
        entry = SimpleNamespace(source=source, raw={})
        update["tree_hash"] = hashes.tree_hash(None, entry, plugin.marketplace)  # type: ignore[arg-type]
    return update


def _text(value: m.Text | None) -> str:
    return value.text if value is not None else ""


def _rebased(f: m.FindingRecord, donor: m.PluginRecord, plugin: m.PluginRecord) -> m.FindingRecord:
    """A donor's plugin finding as it reads under ``plugin``'s directory and entry index."""
    old, new = donor.resolved.plugin_dir or ".", plugin.resolved.plugin_dir or "."
    rest: str | None = f.file
    if old != ".":
        rest = "" if f.file == old else f.file[len(old) + 1 :] if f.file.startswith(old + "/") else None
    file = f.file if rest is None else (rest if new == "." else f"{new}/{rest}" if rest else new)
    path = f.path.replace(f"plugins[{donor.entry_index}]", f"plugins[{plugin.entry_index}]", 1)
    return f.model_copy(update={"file": file, "path": path}) if (file, path) != (f.file, f.path) else f


def _forked(source: m.SourceRecord, round_: int) -> m.SourceRecord:
    """A remote source moved to a fork (``<owner>-w<k>``); a missing relative directory renamed."""
    fork = f"-w{round_}"
    update: dict[str, str] = {}
    if source.repo:
        owner, _, name = source.repo.partition("/")
        update["repo"] = f"{_fork_owner(owner, fork)}/{name}"
    if source.url:
        match = _URL_OWNER.match(source.url)
        update["url"] = f"{match.group(1)}{_fork_owner(match.group(2), fork)}{match.group(3)}" if match else f"{source.url}{fork}"
    if source.package:
        update["package"] = f"{source.package}{fork}"
    if source.kind == "relative" and source.path:
        update["path"] = f"{source.path.rstrip('/')}{fork}"
    return source.model_copy(update=update)


def _fork_owner(owner: str, suffix: str) -> str:
    return f"{owner[: 39 - len(suffix)].rstrip('-')}{suffix}"


def rehash(plugin: m.PluginRecord) -> m.PluginRecord:
    """The content hash assemble.plugin_record gives these fields (it covers the id, so copies differ too)."""
    body = plugin.model_dump(mode="json", by_alias=True, exclude=_UNHASHED)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return plugin.model_copy(update={"content_hash": "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()})


def cut(outcome: SourceOutcome, keep: int) -> SourceOutcome:
    """The marketplace as if its manifest ended after its ``keep``-th plugin entry."""
    plugins = outcome.plugins[:keep]
    end = plugins[-1].entry_index + 1 if plugins else 0
    market = outcome.marketplace
    assert market is not None  # only marketplaces with plugins get cut
    skipped = [s for s in market.skipped if s.index < end]
    market = market.model_copy(update={"entries": end, "plugin_ids": [p.id for p in plugins], "skipped": skipped})
    status = outcome.status.model_copy(update={"entries": end, "recorded": len(plugins), "skipped": len(skipped)})
    return SourceOutcome(status, market, plugins)


def dumps(snapshot: m.Snapshot) -> bytes:
    """``store.dumps(snapshot)``, byte for byte, from one ``store.dumps`` per plugin spliced into the rest.

    One whole-snapshot dump holds the full dict tree, the encoder's chunks and the text at
    once (2.9 GB at 30,000 plugins); plugin by plugin it stays under half of that.
    """
    rest = snapshot.model_dump(mode="json", by_alias=True, exclude={"plugins"})
    rest["plugins"] = []
    head, hole, tail = store.dumps(rest).partition(b'\n  "plugins": [],\n')
    assert hole and b'\n  "plugins": [],\n' not in tail
    # A plugin sits two levels deep: its lines move four spaces right (JSON strings hold no raw newline).
    items = [store.dumps(p).rstrip(b"\n").replace(b"\n", b"\n    ") for p in snapshot.plugins]
    return b"".join([head, b'\n  "plugins": [\n    ', b",\n    ".join(items), b"\n  ],\n", tail])


# --- metrics -----------------------------------------------------------------------------------


def _own_repo(plugin: m.PluginRecord) -> str | None:
    repo = plugin.source.repo
    return repo.removesuffix(".git") if repo and _REPO.match(repo) else None


def with_metrics(outcome: SourceOutcome, seed: int) -> SourceOutcome:
    """GitHub metrics for the marketplace and for plugins that live in a repository of their own."""
    market = outcome.marketplace
    if market is not None and market.origin == "github":
        market = market.model_copy(update={"metrics": metrics(market.id, seed)})
    plugins = []
    for plugin in outcome.plugins:
        repo = _own_repo(plugin)
        plugins.append(plugin.model_copy(update={"metrics": metrics(repo, seed)}) if repo else plugin)
    return SourceOutcome(outcome.status, market, plugins)


def _fork_parent(repo: str) -> str | None:
    owner, _, name = repo.partition("/")
    match = re.fullmatch(r"(.+)-w\d+(?:-\d+)?", owner)
    return f"{match.group(1)}/{name}" if match else None


def metrics(repo: str, seed: int) -> m.RepoMetrics:
    """One repository's metrics, drawn from the seed and its id alone (every listing agrees)."""
    r = random.Random(f"{seed}/{repo.lower()}")
    parent = _fork_parent(repo)
    fork_of = parent if parent and r.random() < 0.4 else None
    # Log-normal stars: a median of about 4, one repository in nine over 50, one in 250 over 1,000.
    stars = min(int(math.exp(r.gauss(0.7 if fork_of else 1.5, 2.05))), 120_000)
    forks = int(stars * math.exp(r.gauss(math.log(0.12), 0.7)))
    watchers = int(stars * math.exp(r.gauss(math.log(0.03), 0.5))) + (r.random() < 0.8)
    open_issues = int(stars * math.exp(r.gauss(math.log(0.02), 1.0)))
    age = timedelta(days=730 * r.random() ** 1.6, seconds=r.randrange(86400))  # recent pushes are commoner
    pushed = _NOW - age
    created = pushed - timedelta(days=r.uniform(0, 500), seconds=r.randrange(86400))
    archived = r.random() < (0.08 if age.days > 365 else 0.01)
    licence = r.choices([name for name, _ in LICENCES], [w for _, w in LICENCES])[0]
    topics = sorted(r.sample(TOPICS, r.choice((0, 0, 0, 0, 1, 2, 3, 4, 6))))
    return m.RepoMetrics(
        stars=stars,
        forks=forks,
        watchers=watchers,
        open_issues=open_issues,
        created_at=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        pushed_at=pushed.strftime("%Y-%m-%dT%H:%M:%SZ"),
        archived=archived,
        fork_of=fork_of,
        license=licence,
        topics=topics,
        head_oid=hashlib.sha1(f"{seed}/{repo.lower()}".encode()).hexdigest(),
    )


# --- command line ------------------------------------------------------------------------------


def totals(path: Path) -> dict[str, int]:
    """The snapshot's totals, read from its tail: sorted keys put "totals" last."""
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - 4096))
        tail = handle.read().decode("utf-8", errors="replace")
    start = tail.rindex('"totals": ') + len('"totals": ')
    value, _ = json.JSONDecoder().raw_decode(tail[start:])
    return dict(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugins", type=int, default=30000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--copies", type=float, default=0.3)
    args = parser.parse_args()
    start = time.perf_counter()
    try:
        path = world(args.plugins, args.seed, args.copies)
    except (FileNotFoundError, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from None
    seconds = time.perf_counter() - start
    counts = totals(path)
    print(path)
    print(
        f"{counts['recorded']:,} plugins, {counts['marketplaces']:,} marketplaces, "
        f"{path.stat().st_size:,} snapshot bytes, {seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
