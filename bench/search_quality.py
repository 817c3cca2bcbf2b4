"""Search quality on judged queries, by kind of query: nDCG@10, MRR, success@1, typo recovery, zero results.

    .venv/bin/python bench/search_quality.py [--snapshot PATH] [--code DIR] [--show] [--kind KIND] [--engine cli|reader]

Crawls data/sample, ../shared/corpus and ../shared/corpus-wide together (``--from-dir``; or
reads ``--snapshot``), runs every query of bench/search_judgments.toml through the search
(``open_searcher(...).query(q, limit=10)``: synonyms, corrections, copy collapsing and the
combined score included) and prints the figures overall and by kind. ``--code DIR`` imports
agentops_index from another checkout's generator/ (the same bench measures the code before a
change). The cache goes to a temporary directory, so nothing is reused from earlier runs.

Copies are scored as one plugin, with groups made here, not by the code under test: listings
with the same normalized name and the same non-empty normalized description, or the same
source (a folder that exists, a repository and path, a URL) and description, are one group. A
result earns the best grade of its group once; a second listing of a group already shown earns
nothing; the ideal ranking counts each group once.

- nDCG@10: gain 2^grade - 1, log2 discount.
- MRR: 1 / rank of the first result graded 2 or 3.
- success@1 (name queries): the first result is graded 3.
- typo recovery (typo queries): a result graded 3 is in the top 3.
- zero-result rate: queries that return nothing (queries of kind ``none`` have no good answer).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import tempfile
import time
import tomllib
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPORA = [ROOT / "data" / "sample", SHARED / "corpus" / "marketplaces", SHARED / "corpus-wide" / "marketplaces"]
KINDS = ("name", "typo", "topic", "intent", "foreign", "none")


def dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def copy_groups(snapshot_path: Path) -> dict[str, str]:
    """plugin id -> group key, made here from the snapshot's JSON, not by the code under test:
    listings are one plugin when they carry the same normalized name and the same non-empty
    normalized description, or resolve to the same source (a folder that exists in one
    marketplace's repository, or the same repository and path, or URL) and the same
    description, as the search-quality issue defines copies (its "same source" alone would join
    entries that pick different components out of one folder, which a snapshot of front matter
    cannot always tell apart); a missing folder or an empty description never groups."""
    import json

    data = json.loads(snapshot_path.read_bytes())
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    for plugin in data["plugins"]:
        pid, u = plugin["id"], plugin["untrusted"]
        find(pid)
        description = _norm((u.get("description") or {}).get("text", ""))
        if description:
            join(pid, f"text:{_norm(u['name']['text'])}|{description}")
        source, resolved = plugin.get("source") or {}, plugin.get("resolved") or {}
        # Entries can pick different components out of one folder (different plugins), and a
        # snapshot of front matter does not always say which: a shared source groups listings
        # only when their descriptions agree too (stricter than the rule, never looser).
        if not description:
            continue
        if source.get("kind") == "relative" and resolved.get("state") == "local" and resolved.get("plugin_dir"):
            join(pid, f"folder:{plugin['marketplace'].lower()}:{resolved['plugin_dir'].strip('/')}|{description}")
        elif source.get("url"):
            join(pid, f"url:{source['url'].lower().removesuffix('.git')}|{source.get('path') or ''}|{description}")
        elif source.get("repo"):
            join(pid, f"repo:{source['repo'].lower()}|{source.get('path') or ''}|{description}")
    return {plugin["id"]: find(plugin["id"]) for plugin in data["plugins"]}


def score_query(got: list[str], relevant: dict[str, int], group: dict[str, str]) -> dict[str, float]:
    seen: set[str] = set()
    grades = []
    for pid in got:
        key = group.get(pid, pid)
        grade = 0
        if key not in seen:
            grade = max((g for other, g in relevant.items() if group.get(other, other) == key), default=0)
            seen.add(key)
        grades.append(grade)
    best: dict[str, int] = {}
    for pid, g in relevant.items():
        key = group.get(pid, pid)
        best[key] = max(best.get(key, 0), g)
    ideal = dcg(sorted(best.values(), reverse=True)[:10])
    first = next((i for i, g in enumerate(grades) if g >= 2), None)
    return {
        "ndcg": dcg(grades[:10]) / ideal if ideal else float("nan"),
        "mrr": 0.0 if first is None else 1 / (first + 1),
        "success1": float(bool(grades) and grades[0] == 3),
        "top3": float(any(g == 3 for g in grades[:3])),
    }


def corpora_snapshot(folder: Path, who: str) -> Path:
    """The snapshot of ``CORPORA`` crawled together, written into ``folder`` (``who`` names the
    bench in the message when a corpus is missing)."""
    missing = [str(d) for d in CORPORA if not d.is_dir()]
    if missing:
        sys.exit(f"{who}: corpus folders missing: {', '.join(missing)}")
    from agentops_index.crawl import crawl_local
    from agentops_index.snapshot import store
    from agentops_index.snapshot.categories import load_taxonomy

    result = crawl_local(CORPORA, load_taxonomy(ROOT / "data" / "categories.toml"))
    snapshot = folder / "latest.json"
    store.write_atomic(snapshot, store.dumps(result.snapshot))
    return snapshot


def load_judgments(path: Path) -> list[dict[str, Any]]:
    return tomllib.loads(path.read_text())["query"]


def reader_searcher(snapshot: Path, cache: Path) -> Any:
    """The plugins' generated reader (plugins/agentops-core/bin/agentops_answer) over the query
    file the site would publish for ``snapshot``: what the Claude commands rank with."""
    from agentops_index.search.records import query_file_bytes
    from agentops_index.search.session import records_of
    from agentops_index.snapshot import store

    loaded = store.load(snapshot)
    raw = query_file_bytes(loaded, records_of(loaded)[1])
    sys.path.insert(0, str(ROOT / "plugins" / "agentops-core" / "bin"))
    from agentops_answer import answer_source, sqlpostings  # type: ignore[import-not-found]
    from agentops_answer.query import Searcher  # type: ignore[import-not-found]

    search, ranking = answer_source.settings()
    folder = answer_source.prepare(raw, "query file", ranking, cache)
    return Searcher(folder, search, ranking, sqlpostings.SqlPostings(folder / "store.sqlite"))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--snapshot", type=Path, help="a snapshot to read instead of crawling the corpora")
    parser.add_argument("--code", type=Path, default=ROOT / "generator", help="the generator/ folder to import")
    parser.add_argument("--judgments", type=Path, default=ROOT / "bench" / "search_judgments.toml")
    parser.add_argument("--kind", help="only queries of this kind")
    parser.add_argument("--show", action="store_true", help="print each query's top 5 with grades")
    parser.add_argument(
        "--engine",
        choices=("cli", "reader"),
        default="cli",
        help="rank with the CLI (Whoosh) or with the plugins' generated standard-library reader (SQLite postings)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    judged = [q for q in load_judgments(args.judgments) if not args.kind or q["kind"] == args.kind]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        snapshot = args.snapshot
        if snapshot is None:
            snapshot = corpora_snapshot(Path(tmp), "bench/search_quality.py")
        else:
            copy = Path(tmp) / "latest.json"  # the old code writes its index beside the snapshot
            copy.write_bytes(snapshot.read_bytes())
            snapshot = copy
        from agentops_index.search.session import open_searcher

        group = copy_groups(snapshot)
        figures: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        started = time.perf_counter()
        searcher = open_searcher(str(snapshot)) if args.engine == "cli" else reader_searcher(snapshot, Path(tmp) / "reader")
        prepared = time.perf_counter() - started
        with searcher as s:
            for item in judged:
                answer = s.query(item["q"], limit=10)
                got = [h.id for h in answer.results]
                relevant: dict[str, int] = item.get("relevant", {})
                result = score_query(got, relevant, group)
                for key in ("all", item["kind"]):
                    bucket = figures[key]
                    bucket["zero"].append(float(not got))
                    if relevant:
                        bucket["ndcg"].append(result["ndcg"])
                        bucket["mrr"].append(result["mrr"])
                    if item["kind"] == "name":
                        bucket["success1"].append(result["success1"])
                    if item["kind"] == "typo":
                        bucket["top3"].append(result["top3"])
                if args.show:
                    marks = [f"{relevant.get(pid, 0)}:{pid}" for pid in got[:5]]
                    print(f"{item['kind']:7} {item['q']!r} -> {answer.did_you_mean or ''} ndcg={result['ndcg']:.2f}")
                    for mark in marks:
                        print(f"          {mark}")
        total = sum(1 for _ in group)
    print(
        f"{len(judged)} judged queries over {total} plugins, engine {args.engine}"
        f" (index prepared in {prepared:.1f} s; code: {args.code})"
    )

    def mean(xs: list[float]) -> str:
        return f"{sum(xs) / len(xs):.3f}" if xs else "  -  "

    print(f"{'kind':8} {'queries':>7} {'nDCG@10':>8} {'MRR':>6} {'succ@1':>7} {'typo@3':>7} {'zero':>6}")
    for key in ["all", *[k for k in KINDS if k in figures]]:
        f = figures[key]
        print(
            f"{key:8} {len(f['zero']):7d} {mean(f['ndcg']):>8} {mean(f['mrr']):>6} {mean(f['success1']):>7} "
            f"{mean(f['top3']):>7} {mean(f['zero']):>6}"
        )


if __name__ == "__main__":
    main()
