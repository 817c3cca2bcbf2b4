"""Who really publishes a plugin, whether it is the original, and what changed since last time.

Index-wide signals, added once every record exists:

- ``impersonation`` (high): Claude Code's reserved names; a name whose UTS #39 confusable
  skeleton (the ``confusables`` package, built from Unicode's confusables.txt) or whose
  letters without punctuation (npm's rule) equal a top plugin's name from another publisher;
  mixed scripts; Warehouse's typo classes (one character omitted, repeated, swapped or
  replaced) against the top names. The publisher is the GitHub owner of the listing
  marketplace (or of the plugin's own repository), never the ``author`` text.
- ``duplicate_of`` (info): listings of one plugin are one group (:func:`groups`). Two listings
  are one plugin when they come from the same source (the same repository and path, URL or
  package, at any ref), have the same files (not empty), or carry the same name and the same
  description (both not empty, compared after NFKC, case folding and dropping punctuation and
  white space); a group is everything those relations link, directly or through other
  listings. A relative path alone, a missing folder or empty files never link anything. The
  listing in the repository the group's sources point at (else one by that repository's owner)
  is canonical, then the earliest seen, most starred, by id; the others name it and get the
  ``duplicate`` ranking penalty so search shows the original first. Every record stays, and
  every member lists the others in ``mirrors``.
- ``changed_since`` (notice; high when a hook or MCP command changed): per-field hashes of
  hooks, MCP servers, tools and description against the previous snapshot.
- ``provenance`` (info): where the plugin comes from and how it is pinned.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import NamedTuple

import confusables

from agentops_index.manifest import names
from agentops_index.snapshot.models import EvidenceRecord, EvidenceUntrusted, Level, PluginRecord, SignalRecord, Text

TOP_NAMES = 200  # the most-starred distinct names other names are compared with
MIN_TYPO_LENGTH = 5  # shorter names are too close to each other to call a typo a squat
_PUNCT = re.compile(r"[-_.\s]+")


def publisher(plugin: PluginRecord) -> str:
    """The GitHub owner that publishes a plugin (its own repository, else its marketplace's)."""
    repo = plugin.resolved.repo if plugin.resolved.state == "local" and plugin.resolved.repo else plugin.marketplace
    return repo.split("/", 1)[0].lower()


def _signal(code: str, level: Level, summary: str, excerpt: str | None = None) -> SignalRecord:
    text = Text(text=excerpt, orig_len=len(excerpt)) if excerpt else None
    return SignalRecord(
        code=code, level=level, summary=summary, evidence=[EvidenceRecord(file="", untrusted=EvidenceUntrusted(excerpt=text))]
    )


def _folded(name: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", name).lower())


def _scripts(name: str) -> set[str]:
    out = set()
    for char in name:
        if char.isalpha():
            label = unicodedata.name(char, "UNKNOWN").split(" ")[0]
            out.add("LATIN" if label in ("LATIN", "FULLWIDTH") else label)
    return out


def _one_typo(a: str, b: str) -> bool:
    """Warehouse's typo classes: one character omitted, added, repeated, replaced or two swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _skeletons(name: str) -> set[str]:
    """Folded confusable skeletons of a name; plain lowercase ASCII letters are their own."""
    folded = _folded(name)
    if re.fullmatch(r"[a-z]*", folded):
        return {folded}
    try:
        variants = confusables.normalize(name.lower(), prioritize_alpha=True)
    except (KeyError, ValueError, RecursionError):
        variants = []
    return {_folded(v) for v in variants[:64]} | {folded}


def impersonation(
    plugins: list[PluginRecord], official_owners: frozenset[str] = frozenset({"anthropics"})
) -> dict[str, SignalRecord]:
    """The impersonation signal of every plugin that earns one, by id."""
    ranked = sorted(plugins, key=lambda p: (-(p.metrics.stars if p.metrics else 0), -(p.score.static if p.score else 0), p.id))
    position = {p.id: i for i, p in enumerate(ranked)}
    top: dict[str, tuple[str, str, int]] = {}  # folded name -> (lowercased name, publisher, rank)
    for index, plugin in enumerate(ranked):
        key = _folded(plugin.untrusted.name.text)
        if key and key not in top and len(top) < TOP_NAMES:
            top[key] = (plugin.untrusted.name.text.lower(), publisher(plugin), index)
    out: dict[str, SignalRecord] = {}
    for plugin in plugins:
        name, owner = plugin.untrusted.name.text, publisher(plugin)
        # A squatter copies a name that is more popular than itself: compare with those only.
        better = [(k, n, o) for k, (n, o, rank) in top.items() if rank < position[plugin.id]]
        reason = _reason(name, owner, better, official_owners)
        if reason:
            out[plugin.id] = _signal("impersonation", "high", f"the name {reason}", name)
    return out


def _reason(name: str, owner: str, top: list[tuple[str, str, str]], official_owners: frozenset[str]) -> str | None:
    if owner not in official_owners and (names.plugin_reserved(name) or names.plugin_reads_as_anthropic(name)):
        return "uses a name reserved for Anthropic's own plugins"
    if len(_scripts(name)) > 1:
        return "mixes letters from different scripts"
    folded, skeletons = _folded(name), _skeletons(name)
    for other, other_name, other_owner in top:
        if other_owner == owner:
            continue
        if other == folded:
            if name.lower() != other_name:
                return "differs from a popular plugin's name only in punctuation or letter forms"
            continue  # the same name from another publisher: a mirror or a coincidence, not a lookalike
        if other in skeletons:
            return "looks like a popular plugin's name (confusable characters)"
        if len(other) >= MIN_TYPO_LENGTH and _one_typo(folded, other):
            return "is one typo away from a popular plugin's name"
    return None


class Group(NamedTuple):
    """One listing's place in its group: the original, the other listings, and why it belongs."""

    canonical: str
    mirrors: list[str]  # the other ids of the group, sorted
    shared: list[str]  # what it shares with another listing: "source", "files", "name and description"


_KINDS = {"source": "source", "files": "files", "about": "name and description"}


def comparable(value: str) -> str:
    """NFKC, case-folded, without punctuation or white space: how names and descriptions are compared."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return "".join(c for c in folded if not c.isspace() and not unicodedata.category(c).startswith("P"))


def identity_keys(plugin: PluginRecord) -> list[str]:
    """The keys a listing is grouped by: its files and source (``tree_hash``), its name and description."""
    keys = (plugin.tree_hash or "").split()
    name = comparable(plugin.untrusted.name.text)
    description = comparable(plugin.untrusted.description.text) if plugin.untrusted.description else ""
    if name and description:
        keys.append("about:" + hashlib.sha256(f"{name}\0{description}".encode("utf-8", "surrogatepass")).hexdigest()[:32])
    return keys


def _lives_in(plugin: PluginRecord) -> str | None:
    """The repository a listing's files come from: its source's, or its own marketplace's for a folder of it."""
    source = plugin.source
    repo = source.repo or (plugin.marketplace if source.kind == "relative" else None)
    return repo.lower().removesuffix(".git") if repo else None


def _home(listed: list[PluginRecord]) -> Callable[[PluginRecord], int]:
    """How close each listing is to where the plugin lives: 0 listed by the repository most of the
    group's listings take their files from (then the one seen first; the author's own catalog), 1 by
    that repository's owner, 2 elsewhere. ``superpowers@obra/superpowers`` is the original of the
    listings whose source is ``obra/superpowers``, however their ids sort."""
    lives = {p.id: _lives_in(p) for p in listed}
    repos = Counter(r for r in lives.values() if r)
    if not repos:
        return lambda p: 2

    def first(repo: str) -> tuple[str, int]:  # seen first, then most starred, of the listings there
        there = [p for p in listed if lives[p.id] == repo]
        return min(p.first_seen for p in there), -max((p.metrics.stars if p.metrics else 0) for p in there)

    origin = min(repos, key=lambda r: (-repos[r], *first(r), r))  # the most listings' files, then seen first
    owner = origin.split("/", 1)[0]

    def rank(plugin: PluginRecord) -> int:
        market = plugin.marketplace.lower()
        return 0 if market == origin else 1 if market.split("/", 1)[0] == owner else 2

    return rank


def groups(plugins: list[PluginRecord]) -> dict[str, Group]:
    """The group of every plugin that another listing shares a source, files or name and description with."""
    parent = list(range(len(plugins)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    shared: dict[int, set[str]] = defaultdict(set)
    for index, plugin in enumerate(plugins):
        for key in identity_keys(plugin):
            other = first.setdefault(key, index)
            if other != index:
                kind = _KINDS[key.split(":", 1)[0]]
                shared[index].add(kind)
                shared[other].add(kind)
                parent[root(index)] = root(other)
    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(plugins)):
        members[root(index)].append(index)
    out: dict[str, Group] = {}
    for group in members.values():
        if len(group) < 2:
            continue
        listed = [plugins[i] for i in group]
        home = _home(listed)
        # A Claude Code listing first: the original is what bundles and the Claude commands offer
        # (another client's record of the same plugin is shown as a copy of it, never the reverse).
        canonical = min(
            listed, key=lambda p: (p.client != "claude", home(p), p.first_seen, -(p.metrics.stars if p.metrics else 0), p.id)
        ).id
        ids = sorted(p.id for p in listed)
        for index, plugin in zip(group, listed, strict=True):
            kinds = [k for k in _KINDS.values() if k in shared[index]]
            out[plugin.id] = Group(canonical, [i for i in ids if i != plugin.id], kinds)
    return out


def _field_hashes(plugin: PluginRecord) -> dict[str, str]:
    def digest(value: str) -> str:
        return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]

    c = plugin.components
    return {
        "hooks": digest(
            "|".join(
                f"{h.untrusted.event.text}:{h.type}:{h.untrusted.command.text if h.untrusted.command else ''}:{h.untrusted.url.text if h.untrusted.url else ''}"
                for h in c.hooks
            )
        ),
        "mcp": digest(
            "|".join(
                f"{s.untrusted.name.text}:{s.untrusted.command.text if s.untrusted.command else ''}:{' '.join(a.text for a in s.untrusted.args)}:{s.untrusted.url.text if s.untrusted.url else ''}"
                for s in c.mcp_servers
            )
        ),
        "tools": digest(
            "|".join(
                d.untrusted.allowed_tools.text if d.untrusted.allowed_tools else "" for d in (*c.commands, *c.agents, *c.skills)
            )
        ),
        "description": digest(plugin.untrusted.description.text if plugin.untrusted.description else ""),
    }


def changed_since(plugin: PluginRecord, before: PluginRecord | None) -> SignalRecord | None:
    if before is None or before.content_hash == plugin.content_hash:
        return None
    now, then = _field_hashes(plugin), _field_hashes(before)
    changed = [k for k in now if now[k] != then[k]]
    if not changed:
        return None
    level: Level = "high" if {"hooks", "mcp"} & set(changed) else "notice"
    return _signal("changed_since", level, f"changed since the last crawl: {', '.join(changed)}", None)


def provenance(plugin: PluginRecord) -> SignalRecord:
    source = plugin.source
    pin = "pinned to a commit" if source.sha else f"at ref {source.ref}" if source.ref else "at the default branch"
    parts = [f"{source.kind} source", pin if source.kind in ("github", "url", "git-subdir") else ""]
    metrics = plugin.metrics
    if metrics:
        parts += [f"{metrics.stars:,} stars", f"licence {metrics.license or 'none'}"]
        if metrics.archived:
            parts.append("archived")
        if metrics.fork_of:
            parts.append("a fork")
    return _signal("provenance", "info", "; ".join(p for p in parts if p), None)


def apply(plugins: list[PluginRecord], previous: list[PluginRecord] | None = None) -> list[PluginRecord]:
    """Add the index-wide signals, canonical ids and the other listings of each plugin's group
    (``mirrors``, on every member); recompute each plugin's risk."""
    from agentops_index.signals import highest

    flagged = impersonation(plugins)
    grouped = groups(plugins)
    before = {p.id: p for p in previous or []}
    out = []
    for plugin in plugins:
        extra = [s for s in plugin.signals if s.code not in ("impersonation", "duplicate_of", "changed_since", "provenance")]
        extra.append(provenance(plugin))
        if plugin.id in flagged:
            extra.append(flagged[plugin.id])
        group = grouped.get(plugin.id)
        canonical, mirrors = (group.canonical, group.mirrors) if group else (None, [])
        if group and canonical != plugin.id:
            why = ", ".join(f"same {kind}" for kind in group.shared)
            extra.append(_signal("duplicate_of", "info", f"another listing of an earlier plugin ({why})", canonical))
        change = changed_since(plugin, before.get(plugin.id))
        if change:
            extra.append(change)
        out.append(
            plugin.model_copy(
                update={
                    "signals": extra,
                    "risk": highest([s.level for s in extra]),
                    "canonical_id": canonical,
                    "mirrors": mirrors,
                }
            )
        )
    return out
