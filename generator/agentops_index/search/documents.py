"""A query record as the index sees it: its terms by relevance class, and its columns.

Standard library only: the Whoosh index (``index.py``) and the plugins' reader, which keeps the
same documents in SQLite (``sqlpostings.py``), are written from these same documents, so both
hold the same terms and answer alike. The classes and their weights are described in
``index.py``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from agentops_index import rank
from agentops_index.config import Ranking
from agentops_index.search import terms
from agentops_index.search.store import field_texts, kinds

CLASSES = {"n": 1.0, "k": 0.8, "c1": 0.8, "c2": 0.5, "c3": 0.25, "d": 0.6, "x1": 0.3, "x2": 0.2, "x3": 0.1, "w": 0.2}
FIELD_CLASS = {
    "name": "n",
    "display_name": "n",
    "keywords": "k",
    "tags": "k",
    "components": "c",
    "description": "d",
    "component_descriptions": "x",
    "category": "w",
    "marketplace": "w",
    "author": "w",
}
BUCKETS = (9, 36)  # components: up to 9 is bucket 1, up to 36 bucket 2, more bucket 3


def bucket(record: dict[str, Any]) -> str:
    counts = record["counts"]
    parts = sum(counts.get(k, 0) for k in ("commands", "agents", "skills", "mcp_servers"))
    return "1" if parts <= BUCKETS[0] else "2" if parts <= BUCKETS[1] else "3"


def class_terms(record: dict[str, Any]) -> dict[str, set[str]]:
    """The record's stemmed terms by relevance class; a term of the name or keywords (the fixed
    strongest weights) is not repeated in weaker classes."""
    size = bucket(record)
    out: dict[str, set[str]] = {cls: set() for cls in CLASSES}
    for field, values in field_texts(record).items():
        cls = FIELD_CLASS[field]
        cls = cls + size if cls in ("c", "x") else cls
        for value in values:
            out[cls].update(terms.tokens(value))
    out["k"] -= out["n"]
    for cls in CLASSES:
        if cls not in ("n", "k"):
            out[cls] -= out["n"] | out["k"]
    return out


def fingerprint(record: dict[str, Any], extra: Any) -> str:
    body = json.dumps([record, extra], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def document(record: dict[str, Any], group: str, rep: int, ranking: Ranking) -> dict[str, Any]:
    found = class_terms(record)
    mult = rank.combined(1.0, record["parts"], record["penalties"], ranking)
    doc: dict[str, Any] = {
        "id": record["id"],
        "fingerprint": fingerprint(record, [group, rep, ranking.weights]),
        "grp": group,
        "category": record["category"],
        "marketplace": record["marketplace"].lower(),
        "component": ",".join(kinds(record)),
        "client": ",".join(record.get("clients", ["claude"])),
        "mult": round(mult * 1_000_000),
        "static": round(record["static"] * 1_000_000),
        "rep": rep,
        "nlen": len(found["n"]),
    }
    if rep:
        doc["copy"] = "1"
    for cls, values in found.items():
        if values:
            doc[cls] = " ".join(sorted(values))
    return doc
