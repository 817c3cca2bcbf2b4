"""Whoosh index and query speed on 30,000 generated plugins, against a plain in-memory BM25.

    .venv/bin/python bench/search_speed.py [--plugins 30000] [--queries 200]

One run: a full index build, an incremental update of 300 changed plugins, and 200 varied
queries (one to four words, some with facets) through `Searcher.query` (synonyms,
corrections and the combined score included) with p50/p99 latency. The baseline, in the same
run, is a plain BM25 over the same text (an inverted index in Python dicts, no fields, no
boosts): it shows what Whoosh's field machinery costs. Goals: p99 <= 20 ms, full index <= 15 s.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))

from agentops_index.config import load_ranking, load_search  # noqa: E402
from agentops_index.search.index import ensure, index_path, open_index  # noqa: E402
from agentops_index.search.query import Searcher  # noqa: E402
from agentops_index.snapshot import models as m  # noqa: E402

WORDS = [
    "review",
    "test",
    "deploy",
    "kubernetes",
    "docker",
    "terraform",
    "security",
    "secret",
    "scan",
    "lint",
    "format",
    "python",
    "typescript",
    "react",
    "vue",
    "database",
    "sql",
    "postgres",
    "query",
    "migration",
    "api",
    "docs",
    "documentation",
    "changelog",
    "release",
    "commit",
    "branch",
    "git",
    "pull",
    "request",
    "agent",
    "skill",
    "command",
    "hook",
    "mcp",
    "server",
    "monitor",
    "log",
    "metric",
    "alert",
    "incident",
    "cost",
    "cloud",
    "aws",
    "gcp",
    "azure",
    "notebook",
    "data",
    "pipeline",
    "dbt",
    "chart",
    "design",
    "figma",
    "accessibility",
    "css",
    "component",
    "storybook",
    "refactor",
    "bug",
    "debug",
    "performance",
    "profile",
    "cache",
    "memory",
    "note",
    "plan",
    "sprint",
    "roadmap",
    "triage",
    "issue",
    "onboarding",
    "tutorial",
    "explain",
    "diagram",
    "mermaid",
    "adr",
    "architecture",
]
CATEGORIES = ["development", "testing", "devops", "security", "documentation", "data", "design", "productivity"]


def text(rng: random.Random, n: int) -> str:
    # Zipf-like: a few words are everywhere, most are rare.
    return " ".join(
        WORDS[min(int(rng.paretovariate(1.1)) - 1, len(WORDS) - 1)] if rng.random() < 0.5 else rng.choice(WORDS) for _ in range(n)
    )


def t(value: str) -> m.Text:
    return m.Text(text=value, orig_len=len(value))


def plugins(count: int, seed: int = 1) -> list[m.PluginRecord]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{i}"
        market = f"org{i % 300}/market{i % 3000}"
        doc = m.DocComponent(
            kind="command",
            frontmatter_ok=True,
            untrusted=m.DocUntrusted(name=t(rng.choice(WORDS)), path=t("commands/x.md"), description=t(text(rng, 8))),
        )
        out.append(
            m.PluginRecord(
                id=f"{name}@{market}",
                slug=f"{market}/{name}",
                marketplace=market,
                entry_index=i % 10,
                category=rng.choice(CATEGORIES),
                valid=rng.random() > 0.05,
                errors=0,
                warnings=0,
                findings=[],
                source=m.SourceRecord(kind="relative", path=f"./plugins/{name}"),
                resolved=m.Resolution(state="local"),
                install=m.Install(marketplace_add=None, plugin_install=None),
                components=m.Components(commands=[doc]),
                counts=m.Counts(commands=1, mcp_servers=int(rng.random() < 0.2)),
                content_hash=f"sha256:{i}",
                first_seen="2026-01-01T00:00:00Z",
                last_changed="2026-01-01T00:00:00Z",
                score=m.ScoreRecord(
                    static=rng.random(),
                    parts=m.ScoreParts(stars=rng.random(), recency=rng.random(), adoption=rng.random()),
                    explanation="generated",
                ),
                untrusted=m.PluginUntrusted(
                    name=t(name), description=t(text(rng, 18)), keywords=[t(rng.choice(WORDS)) for _ in range(3)]
                ),
            )
        )
    return out


def snapshot_of(records: list[m.PluginRecord]) -> m.Snapshot:
    totals = m.Totals(
        sources=0,
        marketplaces=0,
        unreadable=0,
        entries=len(records),
        recorded=len(records),
        skipped=0,
        valid_plugins=len(records),
        categories=0,
    )
    return m.Snapshot(
        generator="bench",
        generated_at="2026-01-01T00:00:00Z",
        totals=totals,
        sources=[],
        marketplaces=[],
        plugins=records,
        categories=[],
    )


class PlainBM25:
    """The baseline: one bag of words per plugin, Okapi BM25 (k1 1.2, b 0.75)."""

    def __init__(self, records: list[m.PluginRecord]) -> None:
        self.ids = [r.id for r in records]
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths = []
        for index, r in enumerate(records):
            words = (
                f"{r.untrusted.name.text} {r.untrusted.description.text if r.untrusted.description else ''} {' '.join(k.text for k in r.untrusted.keywords)}".lower()
                .replace("-", " ")
                .split()
            )
            self.lengths.append(len(words))
            for word, tf in Counter(words).items():
                self.postings[word].append((index, tf))
        self.avg = sum(self.lengths) / max(len(self.lengths), 1)

    def query(self, q: str, limit: int = 10) -> list[str]:
        scores: Counter[int] = Counter()
        n = len(self.ids)
        for word in q.lower().split():
            plist = self.postings.get(word, [])
            idf = math.log(1 + (n - len(plist) + 0.5) / (len(plist) + 0.5))
            for doc, tf in plist:
                scores[doc] += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * self.lengths[doc] / self.avg))
        return [self.ids[d] for d, _ in scores.most_common(limit)]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugins", type=int, default=30000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    records = plugins(args.plugins)
    snapshot = snapshot_of(records)
    search, ranking = load_search(ROOT / "data" / "search.toml"), load_ranking(ROOT / "data" / "ranking.toml")
    rng = random.Random(7)
    queries = [" ".join(rng.sample(WORDS, rng.randint(1, 4))) for _ in range(args.queries)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "latest.json"
        start = time.perf_counter()
        ensure(snapshot, index_path(path), search)
        full = time.perf_counter() - start
        changed = [r.model_copy(update={"content_hash": r.content_hash + "x"}) for r in records[:300]]
        start = time.perf_counter()
        update = ensure(snapshot_of(changed + records[300:]), index_path(path), search)
        incremental = time.perf_counter() - start
        assert update.updated == 300
        size = sum(f.stat().st_size for f in index_path(path).iterdir())
        start = time.perf_counter()
        baseline = PlainBM25(records)
        baseline_build = time.perf_counter() - start
        with Searcher(snapshot, open_index(index_path(path)), search, ranking) as s:
            s.query("warm up")
            ours = []
            for i, q in enumerate(queries):
                started = time.perf_counter()
                s.query(q, category=CATEGORIES[i % len(CATEGORIES)] if i % 4 == 0 else None, limit=10)
                ours.append((time.perf_counter() - started) * 1000)
        theirs = []
        for q in queries:
            started = time.perf_counter()
            baseline.query(q)
            theirs.append((time.perf_counter() - started) * 1000)
    print(f"{args.plugins} plugins, {args.queries} queries")
    print(
        f"full index      {full:6.1f} s  (plain BM25 build {baseline_build:.1f} s: {full / baseline_build:.1f}x)  index {size / 1e6:.1f} MB"
    )
    print(f"incremental 300 {incremental:6.2f} s  (copy aside, update, swap)")
    print(
        f"query p50       {statistics.median(ours):6.1f} ms  (plain BM25 {statistics.median(theirs):.1f} ms: {statistics.median(ours) / statistics.median(theirs):.1f}x)"
    )
    print(
        f"query p99       {pct(ours, 0.99):6.1f} ms  (plain BM25 {pct(theirs, 0.99):.1f} ms: {pct(ours, 0.99) / pct(theirs, 0.99):.1f}x)"
    )


if __name__ == "__main__":
    main()
