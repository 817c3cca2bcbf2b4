"""Answers for the agentops plugins' commands: prime, orchestrate and analyze.

- **prime** (``prime.py``): what a project is made of (from its files: manifests, lock files, CI, containers,
  infrastructure, docs) plus the user's words, turned into searches; plugins are ranked by
  how many of those topics they serve and by their score, each with the files that led to it.
- **orchestrate**: the workflow template that fits an intent, filled as a bundle (compatible
  picks, alternatives, the state each stage passes on), with a success probability from
  recorded runs, or "unknown" when there are none.
- **analyze**: how the top plugins compare (score parts, risk, context cost, components) and
  combine (the bundles that pick them, and which pairs clash and why).

Every answer is a plain dict of our fields, with third-party text only in plugin names and
descriptions (``present.fenced`` marks and escapes them).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

from agentops_index.assistant.answer import ANALYZE_LIMIT, ASSISTANT_FORMAT, ASSISTANT_VERSION, analysis
from agentops_index.assistant.discover import pick_template
from agentops_index.assistant.prime import prime, project_topics
from agentops_index.assistant.shapes import Analysis, Clash, Comparison, OrchestrateAnswer, Plan, Probability, Row, Step
from agentops_index.bundles.fill import Builder, Bundle, conflict
from agentops_index.bundles.workflows import load_templates
from agentops_index.errors import InputError
from agentops_index.metrics import Metrics
from agentops_index.search.hits import claude_first
from agentops_index.search.query import Searcher
from agentops_index.snapshot.categories import load_taxonomy

__all__ = ["analyze", "orchestrate", "prime", "project_topics", "success_probability"]


def success_probability(bundle: Bundle, metrics: Metrics) -> Probability:
    """Laplace-smoothed share of recorded successful runs of this bundle's picks, or unknown."""
    picks = tuple(sorted(p.id for p in bundle.plugins))
    runs = [r for r in metrics.runs if r.bundle == bundle.id and (not r.plugins or tuple(sorted(r.plugins)) == picks)]
    if not runs:
        return {"value": None, "runs": 0, "basis": "unknown: no recorded runs of this bundle yet"}
    successes = sum(r.success for r in runs)
    return {
        "value": round((successes + 1) / (len(runs) + 2), 4),
        "runs": len(runs),
        "basis": f"{successes} of {len(runs)} recorded runs succeeded (Laplace-smoothed: (s+1)/(n+2))",
    }


def orchestrate(intent: str, searcher: Searcher, base_url: str, metrics: Metrics) -> OrchestrateAnswer:
    words, cats, template, note = pick_template(intent, load_taxonomy().lexicon, load_templates())
    if template is None:
        return {"intent": intent, "keywords": words, "workflow": None, "note": "no workflow template fits these words"}
    plan = plan_of(Builder(searcher).bundle(template, base_url)[0], metrics)
    return {"intent": intent, "keywords": words, "categories": cats, "note": note, **plan}


def plan_of(bundle: Bundle, metrics: Metrics) -> Plan:
    """A filled template as orchestrate answers it: the workflow, its success probability, the
    steps and how to record the outcome (the site publishes one for each template)."""
    plan = bundle.as_json()
    steps: list[Step] = []
    for number, stage in enumerate([*bundle.stages, *([bundle.aggregate] if bundle.aggregate else [])], 1):
        steps.append(
            {
                "step": number,
                "stage": stage.id,
                "role": stage.role,
                "use": stage.pick.id if stage.pick else None,
                "receives": stage.input,
                "passes": stage.output,
                "record": f"agentops-index metrics record --bundle {bundle.id} --stage {stage.id} --seconds <seconds>",
            }
        )
    return {
        "workflow": plan,
        "success_probability": success_probability(bundle, metrics),
        "steps": steps,
        "record_outcome": f"agentops-index metrics record --bundle {bundle.id} --outcome success|failure",
    }


def comparison(searcher: Searcher, bundles: list[Bundle], limit: int = ANALYZE_LIMIT, ids: Sequence[str] = ()) -> Comparison:
    """The top ``limit`` plugins compared (or the plugins ``ids`` names, in that order): their rows,
    every clashing pair among them, and each bundle's picks. ``answer.analysis`` cuts it to a
    smaller top; the site publishes it for 50. An id the index does not have is an InputError."""
    if ids:
        found = searcher.store.records(ids)
        missing = [pid for pid in ids if pid not in found]
        if missing:
            raise InputError(
                f"analyze-plugins: no plugin {missing[0]} in the snapshot (ids are name@owner/repo, as search shows them)"
            )
        plugins = [found[pid] for pid in dict.fromkeys(ids)]
    else:
        # Valid Claude Code listings, one a plugin, by static score (other clients' are left out).
        plugins = claude_first(searcher.store.top, lambda p: p, limit)
    in_bundles: dict[str, list[str]] = {}
    for bundle in bundles:
        for pick in bundle.plugins:
            in_bundles.setdefault(pick.id, []).append(f"{bundle.id}/{pick.stage}")
    rows: list[Row] = []
    for p in plugins:
        rows.append(
            {
                "id": p["id"],
                "name": p["display_name"] or p["name"],
                "description": p["description"][:280],
                "category": p["category"],
                "score": p["static"],
                "parts": p["parts"],
                "penalties": [name for name, _ in p["penalties"]],
                "risk": p["risk"],
                "capabilities": p["capabilities"],
                "context_tokens": p["context_tokens"],
                "components": p["counts"],
                "bundles": in_bundles.get(p["id"], []),
            }
        )
    clashes: list[Clash] = []
    for a, b in combinations(plugins, 2):
        why = conflict(a, [b])
        if why:
            clashes.append({"plugins": [a["id"], b["id"]], "why": why})
    return {
        "plugins": rows,
        "clashes": clashes,
        "bundles": [{"bundle": b.id, "plugins": [p.id for p in b.plugins]} for b in bundles],
    }


def analyze(searcher: Searcher, bundles: list[Bundle], limit: int, ids: Sequence[str] = ()) -> Analysis:
    compared = comparison(searcher, bundles, limit, ids)
    return analysis(compared, len(compared["plugins"]) if ids else limit)


def assistant_file(searcher: Searcher, bundles: list[Bundle], base_url: str, header: dict[str, Any]) -> dict[str, Any]:
    """``api/v1/assistant.json.gz``: what the plugins' standard-library reader cannot compute
    (it has no bundle builder): orchestrate's plan for each workflow template, with the success
    probability of the runs contributed under data/metrics/, and the comparison of the top
    plugins for analyze-plugins."""
    from agentops_index.config import data_file
    from agentops_index.metrics import read_metrics

    contributed = data_file("metrics")
    metrics = read_metrics([contributed] if contributed else [])
    builder = Builder(searcher)
    plans = {t.id: plan_of(builder.bundle(t, base_url)[0], metrics) for t in sorted(load_templates(), key=lambda t: t.id)}
    return {
        **header,
        "format": ASSISTANT_FORMAT,
        "format_version": ASSISTANT_VERSION,
        "base_url": base_url,
        "plans": plans,
        "analyze": comparison(searcher, bundles, ANALYZE_LIMIT),
    }
