"""Search quality on judged queries: nDCG@10, MRR and zero-result rate.

    .venv/bin/python bench/search_quality.py [--corpus ../shared/corpus/marketplaces]

Crawls data/sample plus the corpus (--from-dir), builds the index, runs every query of
bench/search_judgments.toml through `search` (synonyms, corrections and the combined score
included), and reports the figures overall and by query kind. Queries judged to have no
relevant plugin are left out of nDCG and MRR but count toward the zero-result rate.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))

from agentops_index.config import load_ranking, load_search  # noqa: E402
from agentops_index.crawl import crawl_local  # noqa: E402
from agentops_index.search.index import ensure, index_path, open_index  # noqa: E402
from agentops_index.search.query import Searcher  # noqa: E402
from agentops_index.snapshot import store  # noqa: E402
from agentops_index.snapshot.categories import load_taxonomy  # noqa: E402


def dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "marketplaces")
    parser.add_argument("--show", action="store_true", help="print each query's top 5")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    judged = tomllib.loads((ROOT / "bench" / "search_judgments.toml").read_text())["query"]
    dirs = [ROOT / "data" / "sample"] + ([args.corpus] if args.corpus.is_dir() else [])
    snapshot = crawl_local(dirs, load_taxonomy(ROOT / "data" / "categories.toml")).snapshot
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "latest.json"
        store.write_atomic(path, store.dumps(snapshot))
        search = load_search(ROOT / "data" / "search.toml")
        ensure(snapshot, index_path(path), search)
        ndcg, rr, zero = defaultdict(list), defaultdict(list), defaultdict(list)
        with Searcher(snapshot, open_index(index_path(path)), search, load_ranking(ROOT / "data" / "ranking.toml")) as s:
            for item in judged:
                answer = s.query(item["q"], limit=10)
                got = [h.id for h in answer.results]
                zero["all"].append(not got)
                zero[item["kind"]].append(not got)
                relevant: dict[str, int] = item["relevant"]
                if args.show:
                    print(f"{item['q']!r} -> {answer.did_you_mean or ''} {got[:5]}")
                if not relevant:
                    continue
                grades = [relevant.get(pid, 0) for pid in got]
                ideal = dcg(sorted(relevant.values(), reverse=True)[:10])
                for key in ("all", item["kind"]):
                    ndcg[key].append(dcg(grades) / ideal)
                    first = next((i for i, pid in enumerate(got) if relevant.get(pid, 0) >= 2), None)
                    rr[key].append(0.0 if first is None else 1 / (first + 1))
    print(f"{len(judged)} judged queries over {len(snapshot.plugins)} plugins ({len(snapshot.marketplaces)} marketplaces)")
    for key in ["all", *sorted(k for k in zero if k != "all")]:
        n = len(ndcg[key])

        def mean(xs):
            return sum(xs) / len(xs) if xs else float("nan")

        print(
            f"{key:8} queries {len(zero[key]):2}  nDCG@10 {mean(ndcg[key]):.3f}  MRR {mean(rr[key]):.3f}  zero-result rate {mean([float(z) for z in zero[key]]):.3f}  (judged {n})"
        )


if __name__ == "__main__":
    main()
