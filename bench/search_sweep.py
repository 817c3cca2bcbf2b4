"""What a ranking setting does on every judged set at once, against the settings as they are, in one run.

    .venv/bin/python bench/search_sweep.py [--snapshot PATH] [SETTING=VALUE[,SETTING=VALUE...] ...]

    .venv/bin/python bench/search_sweep.py NAME_WORD=0.2 NAME_COVER=0 class.n=0.9 class.d=0.7,class.k=0.9

Crawls data/sample, ../shared/corpus and ../shared/corpus-wide once (or reads ``--snapshot``),
prepares one index in a temporary cache, then runs every query of every
bench/search_judgments*.toml through ``Searcher.query`` with the settings as they are (the
baseline row) and once more for each argument: a comma-separated list of overrides, each a
constant of ``search/query.py`` (``NAME_WORD``, ``NAME_COVER``, ``SPREAD``, ``SYNONYM``, ...)
or a relevance class weight (``class.n``, ``class.d``, ``class.x1``, ...; see
``search/documents.py``). Scoring is bench/search_quality.py's (copies once, its own groups).

Each row gives nDCG@10 over the intents of all sets, then per set its nDCG@10 and its intents'
(``set=all/intents``). A setting is worth keeping only if the held-out sets (the ones their
headers say nobody tuned to) do not lose: the own set alone is too close to the code.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "bench"))

from search_quality import copy_groups, corpora_snapshot, load_judgments, score_query  # noqa: E402


def overrides(spec: str) -> dict[str, float]:
    out = {}
    for part in spec.split(","):
        name, sep, value = part.partition("=")
        if not sep:
            raise SystemExit(f"bench/search_sweep.py: {part!r}: want SETTING=VALUE")
        out[name.strip()] = float(value)
    return out


def applied(settings: dict[str, float]) -> dict[str, Any]:
    """Set ``settings``; return what they replaced (to put back)."""
    from agentops_index.search import query
    from agentops_index.search.documents import CLASSES

    before: dict[str, Any] = {}
    for name, value in settings.items():
        if name.startswith("class."):
            cls = name.removeprefix("class.")
            if cls not in CLASSES:
                raise SystemExit(f"bench/search_sweep.py: no relevance class {cls!r} (one of {', '.join(CLASSES)})")
            before[name] = CLASSES[cls]
            CLASSES[cls] = value
            # query.ORDER is the class table sorted once at import: sort it again.
            query.ORDER.clear()
            query.ORDER.update(sorted(CLASSES.items(), key=lambda item: item[1]))
        elif isinstance(getattr(query, name, None), int | float) and name.isupper():
            before[name] = getattr(query, name)
            setattr(query, name, type(before[name])(value))
        else:
            raise SystemExit(f"bench/search_sweep.py: {name!r} is neither a number of search/query.py nor class.<name>")
    return before


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--snapshot", type=Path, help="a snapshot to read instead of crawling the corpora")
    parser.add_argument("settings", nargs="*", help="SETTING=VALUE[,SETTING=VALUE...]: one row each")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    rows = [overrides(spec) for spec in args.settings]
    sets = {
        path.stem.removeprefix("search_judgments").strip("_") or "own": load_judgments(path)
        for path in sorted((ROOT / "bench").glob("search_judgments*.toml"))
    }
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        snapshot = args.snapshot
        if snapshot is None:
            snapshot = corpora_snapshot(Path(tmp), "bench/search_sweep.py")
        from agentops_index.search.session import open_searcher

        group = copy_groups(snapshot)
        with open_searcher(str(snapshot)) as searcher:
            for label, settings in [("as they are", {}), *zip(args.settings, rows, strict=True)]:
                before = applied(settings)
                searcher._cache.clear()  # postings are settings-free, but start each row alike
                searcher._cached = 0
                try:
                    cells, intents = [], []
                    for name, queries in sets.items():
                        ndcg, own_intents = [], []
                        for item in queries:
                            if not item.get("relevant"):
                                continue
                            got = [hit.id for hit in searcher.query(item["q"], limit=10).results]
                            value = score_query(got, item["relevant"], group)["ndcg"]
                            ndcg.append(value)
                            if item["kind"] == "intent":
                                own_intents.append(value)
                        intents += own_intents
                        part = f"/{sum(own_intents) / len(own_intents):.3f}" if own_intents else ""
                        cells.append(f"{name}={sum(ndcg) / len(ndcg):.3f}{part}")
                    print(f"{label:30} intents={sum(intents) / len(intents):.3f}  " + " ".join(cells), flush=True)
                finally:
                    applied(before)


if __name__ == "__main__":
    main()
