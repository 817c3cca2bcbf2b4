"""Who really publishes a plugin, whether it is the original, and what changed since last time.

Index-wide signals, added once every record exists:

- ``impersonation`` (high): Claude Code's reserved names; a name whose UTS #39 confusable
  skeleton (the ``confusables`` package, built from Unicode's confusables.txt) or whose
  letters without punctuation (npm's rule) equal a top plugin's name from another publisher;
  mixed scripts; Warehouse's typo classes (one character omitted, repeated, swapped or
  replaced) against the top names. The publisher is the GitHub owner of the listing
  marketplace (or of the plugin's own repository), never the ``author`` text.
- ``duplicate_of`` (info): plugins with the same files (``tree_hash``) are one group; the
  earliest seen (then most starred, then by id) is canonical, the others name it and get the
  ``duplicate`` ranking penalty so search shows the original first. Every record stays.
- ``changed_since`` (notice; high when a hook or MCP command changed): per-field hashes of
  hooks, MCP servers, tools and description against the previous snapshot.
- ``provenance`` (info): where the plugin comes from and how it is pinned.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict

import confusables

from agentops_index.manifest import names
from agentops_index.snapshot.models import EvidenceRecord, EvidenceUntrusted, PluginRecord, SignalRecord, Text

TOP_NAMES = 200  # the most-starred distinct names other names are compared with
MIN_TYPO_LENGTH = 5  # shorter names are too close to each other to call a typo a squat
_PUNCT = re.compile(r"[-_.\s]+")


def publisher(plugin: PluginRecord) -> str:
    """The GitHub owner that publishes a plugin (its own repository, else its marketplace's)."""
    repo = plugin.resolved.repo if plugin.resolved.state == "local" and plugin.resolved.repo else plugin.marketplace
    return repo.split("/", 1)[0].lower()


def _signal(code: str, level: str, summary: str, excerpt: str | None = None) -> SignalRecord:
    text = Text(text=excerpt, orig_len=len(excerpt)) if excerpt else None
    return SignalRecord(
        code=code, level=level, summary=summary, evidence=[EvidenceRecord(file="", untrusted=EvidenceUntrusted(excerpt=text))]
    )  # type: ignore[arg-type]


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


def groups(plugins: list[PluginRecord]) -> dict[str, tuple[str, list[str]]]:
    """canonical id and mirror ids for every plugin whose files another plugin also publishes."""
    by_hash: dict[str, list[PluginRecord]] = defaultdict(list)
    for plugin in plugins:
        if plugin.tree_hash:
            by_hash[plugin.tree_hash].append(plugin)
    out: dict[str, tuple[str, list[str]]] = {}
    for members in by_hash.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda p: (p.first_seen, -(p.metrics.stars if p.metrics else 0), p.id))
        canonical = members[0].id
        ids = [p.id for p in members]
        for plugin in members:
            out[plugin.id] = (canonical, [i for i in ids if i != plugin.id])
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
    level = "high" if {"hooks", "mcp"} & set(changed) else "notice"
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
    """Add the index-wide signals, canonical ids and mirrors; recompute each plugin's risk."""
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
        canonical, mirrors = grouped.get(plugin.id, (None, []))
        if canonical and canonical != plugin.id:
            extra.append(_signal("duplicate_of", "info", "the same files as an earlier plugin", canonical))
        change = changed_since(plugin, before.get(plugin.id))
        if change:
            extra.append(change)
        out.append(
            plugin.model_copy(
                update={
                    "signals": extra,
                    "risk": highest([s.level for s in extra]),
                    "canonical_id": canonical,
                    "mirrors": mirrors if canonical == plugin.id else [],
                }
            )
        )
    return out
