"""Workflow bundles: each template of data/workflows/ filled with compatible plugins.

For every stage the Whoosh index is asked the stage's query (in its category and component
kind when the template names them; in every category when nothing in its own fits the stage); a candidate is *good* when its relevance is at least
``workflows.MIN_RELEVANCE`` of the stage's best match and its own name, description, keywords or
components say one of the query's words (or a synonym), not only its README or files, and one of
the stage's ``require`` words, if any, itself (``workflows.about_stage``; discover asks the same). Among the good ones, the pick is the best-ranked
plugin that is **compatible** with the picks already made:

- it passes Claude Code's validator (no errors), and it is the original, not a copy;
- it can be listed in another marketplace: its source is re-homed as a remote source pinned to
  the commit we read (a relative source becomes ``github`` or ``git-subdir``); a ``command``
  source, a local-only marketplace or a plugin whose entry is its only manifest cannot be;
- no command, skill or agent name and no entry name collides with another pick's;
- no two picks hook the same deciding event (one that can block or rewrite: see
  ``DECIDING_EVENTS``) with matchers that can match the same tool;
- it is not high risk, unless the template sets ``allow_high_risk`` (then it is flagged);
- among picks within ``MARKET_SLACK`` of the best score, one from a marketplace the bundle
  already uses wins (fewest marketplaces to trust).

Each stage keeps two alternatives. A stage with no good compatible candidate is reported
with the reason and left empty: it is never filled with a poor match.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from typing import Any, Literal

from agentops_index.bundles.workflows import Stage, Template, about_stage, matched_words
from agentops_index.search.hits import Hit, claude_hits, in_claude
from agentops_index.search.query import Searcher
from agentops_index.search.records import DECIDING_EVENTS, entry_name
from agentops_index.snapshot.models import Strict

MARKET_SLACK = 0.15  # a pick from a marketplace already used may score this much lower
CANDIDATES = 40
ALTERNATIVES = 2
BUNDLE_PREFIX = "agentops-"
_TOOL = re.compile(r"^[A-Za-z0-9_]+$")


Model = Strict  # the package's one base for the data it owns (snapshot/models.py)


class Pick(Model):
    id: str
    name: str  # the entry name users type before "@"
    marketplace: str
    slug: str
    score: float  # combined: relevance to the stage and the published static score
    relevance: float
    context_tokens: int
    risk: str | None
    flags: list[str] = []
    rationale: str


class BundleStage(Model):
    id: str
    role: str
    query: str
    input: str | None = None  # the state this stage receives, e.g. ${build.output}
    output: str | None = None  # the state it passes on
    pick: Pick | None = None
    alternatives: list[Pick] = []
    note: str | None = None  # why the stage is empty


class BundlePlugin(Model):
    id: str
    marketplace: str
    stage: str


class Bundle(Model):
    id: str
    title: str
    description: str
    workflow: Literal["sequential", "parallel", "conditional"]
    stages: list[BundleStage]
    aggregate: BundleStage | None = None
    if_: str | None = None
    when: str | None = None
    then: list[str] = []
    else_: list[str] = []
    plugins: list[BundlePlugin]
    marketplaces: list[str]
    context_tokens: int
    complete: bool
    empty_stages: list[str]
    flags: list[str]
    success_rate: float | None = None  # from recorded runs (data/metrics); None until there are some
    usage_count: int | None = None
    marketplace_name: str
    install: list[str]

    def as_json(self) -> dict[str, Any]:
        """The published shape: ``if`` and ``else`` spelled as the seeds spell them."""
        data = self.model_dump(mode="json")
        data["if"], data["else"] = data.pop("if_"), data.pop("else_")
        return data


# --- compatibility ---------------------------------------------------------------------------
# Everything below reads query records (search/records.py): the query store, not the snapshot.

Record = dict[str, Any]


def own_problem(record: Record, template: Template) -> str | None:
    """Why ``record`` can never be part of this template's bundle, or None."""
    if not in_claude(record):
        return f"not in a Claude Code catalog ({record['home']}'s)"
    if not record["valid"]:
        return f"{record['errors']} validator error(s)" if record["errors"] else "fails Claude Code's validator"
    if record["canonical_id"] and record["canonical_id"] != record["id"]:
        return f"a copy of {record['canonical_id']}"
    if record["dependencies"]:
        return "installs other plugins (a bundle of its own), so it is no stage's tool"
    if record["risk"] == "high" and not template.allow_high_risk:
        return "high risk, and the template does not allow high-risk picks"
    if record["source"] is None:
        return record["source_problem"] or "its source cannot be listed elsewhere"
    return None


def names(record: Record) -> set[tuple[str, str]]:
    return {
        (kind, name.lower())
        for kind, docs in (("command", record["commands"]), ("skill", record["skills"]), ("agent", record["agents"]))
        for name, _ in docs
    }


def _tools(matcher: str | None) -> set[str] | None:
    """The tools a hook matcher names; None when it can match any tool (empty, '*' or a regex)."""
    if matcher is None or matcher.strip() in ("", "*"):
        return None
    parts = [p.strip() for p in matcher.split("|")]
    return set(parts) if all(_TOOL.match(p) for p in parts) else None


def deciding_hooks(record: Record) -> list[tuple[str, set[str] | None]]:
    """The loadable hooks on deciding events (the record keeps only those) and the tools they match."""
    return [(event, _tools(matcher)) for event, matcher in record["hooks"] if event in DECIDING_EVENTS]


def conflict(record: Record, picked: Iterable[Record]) -> str | None:
    """Why ``record`` cannot join the picks already made, or None."""
    mine, hooks = names(record), deciding_hooks(record)
    for other in picked:
        if other["id"] == record["id"]:
            return "already picked for another stage"
        if entry_name(other["id"]) == entry_name(record["id"]):
            return f"its name {entry_name(record['id'])!r} is taken by {other['id']}"
        shared = sorted(mine & names(other))
        if shared:
            kind, name = shared[0]
            return f"its {kind} {name!r} collides with {other['id']}'s"
        for event, tools in hooks:
            for other_event, other_tools in deciding_hooks(other):
                if event == other_event and (tools is None or other_tools is None or tools & other_tools):
                    return f"its {event} hook and {other['id']}'s can act on the same tool calls"
    return None


# --- selection --------------------------------------------------------------------------------


class Builder:
    """Fills templates from one query store, through its searcher."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._candidates: dict[tuple[Stage, bool], tuple[list[Hit], list[str], bool]] = {}

    def candidates(self, stage: Stage, template: Template) -> tuple[list[Hit], list[str], bool]:
        """Good, individually acceptable hits for a stage; what was turned away; whether the category had none."""
        key = (stage, template.allow_high_risk)
        if key in self._candidates:  # the second pass asks the same questions
            return self._candidates[key]
        synonyms = self.searcher.search_cfg.synonyms

        def fitting(category: str | None) -> list[Hit]:
            def fetch(limit: int) -> list[Hit]:
                return self.searcher.query(
                    stage.query, category=category, component=stage.component, limit=limit, correct=False, any_word=True
                ).results

            # Only what Claude Code installs can fill a stage: the first CANDIDATES Claude listings,
            # however many other clients' records rank among them (and before deciding to widen).
            return about_stage(claude_hits(fetch, CANDIDATES), stage, synonyms)

        # Nothing in the stage's category is about the stage: every category (discover does the same).
        hits, widened = fitting(stage.category), False
        if not hits and stage.category:
            hits = fitting(None)
            widened = bool(hits)
        good, refused = [], []
        for hit in hits:
            problem = own_problem(hit.record, template)
            if problem:
                refused.append(f"{hit.id}: {problem}")
            else:
                good.append(hit)
        self._candidates[key] = (good, refused, widened)
        return good, refused, widened

    def choose(self, hits: list[Hit], picked: list[Record], prefer: set[str]) -> tuple[Hit | None, list[Hit], list[str]]:
        compatible, refused = [], []
        for hit in hits:
            problem = conflict(hit.record, picked)
            if problem:
                refused.append(f"{hit.id}: {problem}")
            else:
                compatible.append(hit)
        if not compatible:
            return None, [], refused
        best = compatible[0]
        if best.marketplace not in prefer:
            near = [h for h in compatible if h.marketplace in prefer and h.score >= best.score * (1 - MARKET_SLACK)]
            best = near[0] if near else best
        return best, [h for h in compatible if h is not best][:ALTERNATIVES], refused

    def pick(self, hit: Hit, stage: Stage, template: Template, why: str) -> Pick:
        record = hit.record
        flags = []
        if record["risk"] == "high":
            flags.append("high risk: allowed by this template; read its signals before installing")
        where = f" in {stage.category}" if stage.category else ""
        words = ", ".join(matched_words(record, stage.query, self.searcher.search_cfg.synonyms))
        return Pick(
            id=record["id"],
            name=entry_name(record["id"]),
            marketplace=record["marketplace"],
            slug=record["slug"],
            score=round(hit.score, 4),
            relevance=round(hit.relevance, 4),
            context_tokens=record["context_tokens"],
            risk=record["risk"],
            flags=flags,
            rationale=f'{why} for "{stage.query}"{where}, on {words}: relevance {hit.relevance:.2f}, score {hit.score:.2f} ({hit.explanation})',
        )

    def fill(self, template: Template, prefer: set[str]) -> list[tuple[Stage, Hit | None, list[Hit], str | None, bool]]:
        steps = [*template.stages, *([template.aggregate] if template.aggregate else [])]
        picked: list[Record] = []
        used = set(prefer)
        out = []
        for stage in steps:
            good, refused, widened = self.candidates(stage, template)
            best, alternatives, clashes = self.choose(good, picked, used)
            note = None
            if best is None:
                turned = (refused + clashes)[:3]
                note = "no plugin matches this stage well enough" if not turned else "no compatible plugin: " + "; ".join(turned)
            else:
                picked.append(best.record)
                used.add(best.marketplace)
            out.append((stage, best, alternatives, note, widened))
        return out

    def bundle(self, template: Template, base_url: str) -> tuple[Bundle, dict[str, Any]]:
        # Two passes: the second prefers the marketplaces the first one used, so a stage whose
        # best plugin is the only one from its marketplace can move to a near-equal one.
        first = self.fill(template, set())
        counts: dict[str, int] = {}
        for _, hit, _, _, _ in first:
            if hit:
                counts[hit.marketplace] = counts.get(hit.marketplace, 0) + 1
        second = self.fill(template, {m for m, n in counts.items() if n > 1})
        used_first = {h.marketplace for _, h, _, _, _ in first if h}
        used_second = {h.marketplace for _, h, _, _, _ in second if h}
        filled = second if len(used_second) < len(used_first) else first
        return self._assemble(template, filled, base_url)

    def _assemble(
        self, template: Template, filled: list[tuple[Stage, Hit | None, list[Hit], str | None, bool]], base_url: str
    ) -> tuple[Bundle, dict[str, Any]]:
        outputs = {s.id: f"${{{s.passes}}}" for s in template.stages if s.passes}
        inputs = _inputs(template, outputs)
        stages = []
        records: dict[str, Record] = {}
        for stage, hit, alternatives, note, widened in filled:
            why = "best-ranked compatible match" + (f" (none in {stage.category}, so searched every category)" if widened else "")
            if hit:
                records[hit.id] = hit.record
            stages.append(
                BundleStage(
                    id=stage.id,
                    role=stage.role,
                    query=stage.query,
                    input=inputs.get(stage.id),
                    output=f"${{{stage.passes}}}" if stage.passes else None,
                    pick=self.pick(hit, stage, template, why) if hit else None,
                    alternatives=[self.pick(h, stage, template, "alternative") for h in alternatives],
                    note=note,
                )
            )
        aggregate = stages.pop() if template.aggregate else None
        picks = [s.pick for s in [*stages, *([aggregate] if aggregate else [])] if s.pick]
        stage_of = {s.pick.id: s.id for s in [*stages, *([aggregate] if aggregate else [])] if s.pick}
        markets = sorted({p.marketplace for p in picks})
        name = BUNDLE_PREFIX + template.id
        manifest = self.manifest(template, name, picks, records, base_url)
        url = f"{base_url}bundles/{template.id}/marketplace.json"
        condition = template.condition
        bundle = Bundle(
            id=template.id,
            title=template.title,
            description=template.description,
            workflow=template.pattern,  # type: ignore[arg-type]
            stages=stages,
            aggregate=aggregate,
            if_=condition.stage if condition else None,
            when=condition.when if condition else None,
            then=list(condition.then) if condition else [],
            else_=list(condition.otherwise) if condition else [],
            plugins=[BundlePlugin(id=p.id, marketplace=p.marketplace, stage=stage_of[p.id]) for p in picks],
            marketplaces=markets,
            context_tokens=sum(p.context_tokens for p in picks),
            complete=all(s.pick for s in [*stages, *([aggregate] if aggregate else [])]),
            empty_stages=[s.id for s in [*stages, *([aggregate] if aggregate else [])] if not s.pick],
            flags=[f"{p.id}: {flag}" for p in picks for flag in p.flags],
            marketplace_name=name,
            install=[f"/plugin marketplace add {url}", *(f"/plugin install {p.name}@{name}" for p in picks)],
        )
        return bundle, manifest

    def manifest(
        self, template: Template, name: str, picks: list[Pick], records: dict[str, Record], base_url: str
    ) -> dict[str, Any]:
        """The bundle's installable marketplace.json: every pick under its own name, sources pinned."""
        entries = []
        for pick in picks:
            record = records[pick.id]
            entry: dict[str, Any] = {"name": pick.name, "source": record["source"]}
            listed = f"From {record['marketplace']}. {record['description']}".strip()
            entry["description"] = listed[:300]
            entry["category"] = record["category"]
            entries.append(entry)
        return {
            "name": name,
            "owner": {"name": "agentops-index", "url": base_url},
            "description": f"{template.title}: a workflow bundle generated by agentops-index. {template.description}",
            "plugins": entries,
        }


def _inputs(template: Template, outputs: dict[str, str]) -> dict[str, str]:
    """What each stage receives: the previous stage's output (sequential), the deciding stage's
    output (the branches of a conditional), every stage's output (a parallel aggregate)."""
    ids = [s.id for s in template.stages]
    received: dict[str, str] = {}
    if template.pattern == "sequential":
        for before, after in itertools.pairwise(ids):
            if before in outputs:
                received[after] = outputs[before]
    elif template.pattern == "parallel" and template.aggregate:
        given = [outputs[i] for i in ids if i in outputs]
        if given:
            received[template.aggregate.id] = ", ".join(given)
    elif template.condition:
        c = template.condition
        branches = set(c.then) | set(c.otherwise)
        pre = [i for i in ids if i not in branches]
        for before, after in itertools.pairwise(pre):
            if before in outputs:
                received[after] = outputs[before]
        for branch in (c.then, c.otherwise):
            previous = c.stage
            for stage_id in branch:
                if previous in outputs:  # a stage in both branches receives either state
                    earlier = received.get(stage_id)
                    received[stage_id] = (
                        f"{earlier} or {outputs[previous]}" if earlier and earlier != outputs[previous] else outputs[previous]
                    )
                previous = stage_id
    return received


def build_bundles(
    searcher: Searcher, templates: list[Template], base_url: str, metrics: dict[str, Any] | None = None
) -> list[tuple[Bundle, dict[str, Any]]]:
    """Every template's bundle with its marketplace.json, in template id order."""
    builder = Builder(searcher)
    out = []
    for template in sorted(templates, key=lambda t: t.id):
        bundle, manifest = builder.bundle(template, base_url)
        learned = (metrics or {}).get(template.id)
        if learned:
            bundle = bundle.model_copy(update={"success_rate": learned["success_rate"], "usage_count": learned["usage_count"]})
        out.append((bundle, manifest))
    return out


def make_bundles(searcher: Searcher, base_url: str, problems: list[str] | None = None) -> list[tuple[Bundle, dict[str, Any]]]:
    """Every workflow template's bundle, with its marketplace.json (none for an empty index).

    Success rates and usage counts come from the runs contributed under data/metrics/; a bad
    line there is added to ``problems`` and skipped.
    """
    from agentops_index.bundles.workflows import load_templates
    from agentops_index.config import data_file
    from agentops_index.metrics import read_metrics

    templates = load_templates()
    if not templates or not searcher.store.count():
        return []
    contributed = data_file("metrics")
    metrics = read_metrics([contributed] if contributed else [])
    if problems is not None:
        problems.extend(metrics.problems)
    return build_bundles(searcher, templates, base_url, metrics.summary())


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
