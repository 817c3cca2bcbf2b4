"""Related plugins: the plugins that share the most informative terms with each plugin.

Each plugin is reduced to its :data:`TERMS_PER_PLUGIN` rarest terms (name parts, keywords,
tags, category, component names, description words); candidates share at least one of
them and are scored by the summed inverse document frequency of what they share. Terms that
occur in more than :data:`MAX_POSTINGS` plugins say nothing about similarity and are
skipped, which also keeps this linear in practice. Copies of the same plugin (the same name
listed by another marketplace, or the same copy group: ``identity``) are left out: they are
mirrors, not related plugins. A related plugin listed by several marketplaces is named once, by
its canonical listing: six places are six plugins, not one plugin's copies.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

from agentops_index.search.terms import PLAIN_STOPWORDS as STOPWORDS
from agentops_index.snapshot.models import PluginRecord

RELATED = 6
TERMS_PER_PLUGIN = 12
MAX_POSTINGS = 60
_WORD = re.compile(r"[a-z0-9]+")


def terms_of(plugin: PluginRecord) -> set[str]:
    u = plugin.untrusted
    texts = [u.name.text, u.display_name.text if u.display_name else "", plugin.category]
    texts += [k.text for k in u.keywords] + [t.text for t in u.tags]
    texts += [d.untrusted.name.text for d in (*plugin.components.commands, *plugin.components.agents, *plugin.components.skills)]
    texts.append(u.description.text if u.description else "")
    return {w for text in texts for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in STOPWORDS}


def compute(plugins: list[PluginRecord]) -> dict[str, list[str]]:
    """Related plugin ids for every plugin id, best first (ties broken by id)."""
    all_terms = [terms_of(p) for p in plugins]
    df = Counter(t for terms in all_terms for t in terms)
    n = max(len(plugins), 1)
    idf = {t: math.log(n / c) for t, c in df.items()}
    kept = [
        sorted((t for t in terms if df[t] <= MAX_POSTINGS and df[t] > 1), key=lambda t: (-idf[t], t))[:TERMS_PER_PLUGIN]
        for terms in all_terms
    ]
    postings: dict[str, list[int]] = defaultdict(list)
    for index, terms in enumerate(kept):
        for term in terms:
            postings[term].append(index)
    names = [p.untrusted.name.text.lower() for p in plugins]
    ids = {p.id for p in plugins}
    # A listing's copy group, named by the listing it shows (its canonical one, when crawled).
    groups = [p.canonical_id if p.canonical_id in ids else p.id for p in plugins]
    out: dict[str, list[str]] = {}
    for index, terms in enumerate(kept):
        scores: dict[int, float] = defaultdict(float)
        for term in terms:
            for other in postings[term]:
                if other != index and names[other] != names[index] and groups[other] != groups[index]:
                    scores[other] += idf[term]
        picked: list[str] = []
        for other, _ in sorted(scores.items(), key=lambda item: (-round(item[1], 9), plugins[item[0]].id)):
            if groups[other] not in picked:
                picked.append(groups[other])
                if len(picked) == RELATED:
                    break
        out[plugins[index].id] = picked
    return out
