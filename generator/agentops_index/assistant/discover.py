"""From an intent to plugins and a plan: the seeds' discovery algorithm, made real.

1. Keywords: the intent's words without stopwords (synonyms are added by the search).
2. Categories: the taxonomy categories whose lexicon (data/categories.toml ``keywords``)
   shares the most words with the intent.
3. Primary: the three best plugins for the keywords, by the published score.
4. Workflow: of the templates of data/workflows/ whose keywords the intent names, the one
   whose words overlap it most (its categories count too); none for a single task. Each stage
   is filled with the best plugin for the stage's query that is not already picked, with two
   alternatives. A stage with no match says so.
5. Complementary: the stage picks that are not primary picks.
"""

from __future__ import annotations

import re

from agentops_index.assistant.shapes import Complementary, DiscoverAnswer, Pick, StagePlan, WorkflowPlan
from agentops_index.bundles.workflows import Stage, Template, about_stage, load_templates
from agentops_index.search.hits import Answer, Hit, claude_hits
from agentops_index.search.query import Searcher
from agentops_index.search.terms import PLAIN_STOPWORDS as STOPWORDS
from agentops_index.search.terms import tokens
from agentops_index.snapshot.categories import load_taxonomy

INTENT_STOPWORDS = STOPWORDS | frozenset(
    [
        "i",
        "me",
        "my",
        "we",
        "our",
        "want",
        "need",
        "would",
        "like",
        "please",
        "how",
        "do",
        "make",
        "get",
        "set",
        "up",
        "something",
        "some",
        "help",
        "should",
        "could",
    ]
)
_WORD = re.compile(r"[a-z0-9][a-z0-9+#.-]*")


def keywords(intent: str) -> list[str]:
    seen: list[str] = []
    for word in _WORD.findall(intent.lower()):
        word = word.strip(".-")
        if len(word) > 1 and word not in INTENT_STOPWORDS and word not in seen:
            seen.append(word)
    return seen


def _stems(words: list[str]) -> set[str]:
    out = set()
    for word in words:
        out.add(word)
        for suffix in ("ing", "ment", "s", "ed", "er"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                out.add(word[: -len(suffix)])
    return out


def categories(words: list[str], lexicon: dict[str, frozenset[str]]) -> list[str]:
    stems = _stems(words)
    scored = [(len(stems & _stems(sorted(vocab))), slug) for slug, vocab in lexicon.items()]
    return [slug for hits, slug in sorted(scored, key=lambda x: (-x[0], x[1])) if hits][:3]


def choose(templates: list[Template], words: list[str], cats: list[str]) -> Template | None:
    """The template the intent names: one of its ``keywords`` (words that name the workflow or
    its goal, not an area or a generic verb) must be among the intent's words; its other words
    and categories only rank the templates that qualify. None: no template fits, as for a single
    task ("write a changelog"), where a multi-stage plan would be mostly beside the point."""
    stems = _stems(words)
    best: tuple[float, str, Template] | None = None
    for template in templates:
        named = len(stems & _stems(list(template.keywords)))
        if not named:
            continue
        vocab = _stems(sorted(template.words))
        score: float = 2 * named + len(stems & vocab)
        score += sum(0.5 for s in template.stages if s.category in cats)
        if best is None or score > best[0]:
            best = (score, template.id, template)
    return best[2] if best else None


def _pick(hit: Hit, why: str) -> Pick:
    """A pick as the commands present it (``Hit.view``), with why it was picked."""
    return {**hit.view(), "reason": why}


def _fill(stage: Stage, words: list[str], searcher: Searcher, taken: set[str]) -> StagePlan:
    query = stage.query

    def usable(category: str | None) -> list[Hit]:
        # Enough to still have picks after the ones already taken and the installers are skipped:
        # a plugin that installs others (a bundle of its own, such as the ones this index writes)
        # is no stage's tool, as the bundles say too (bundles.own_problem).
        def fetch(limit: int) -> list[Hit]:
            return searcher.query(
                query, category=category, component=stage.component, limit=limit, correct=False, any_word=True
            ).results

        # Claude Code listings only (however many other clients' records rank among them), and
        # what the bundles accept for a stage: about the stage, not a near miss.
        shown = claude_hits(fetch, 8 + len(taken) + 8)
        about = about_stage(shown, stage, searcher.search_cfg.synonyms)
        return [h for h in about if h.id not in taken and not h.record["dependencies"]]

    candidates = usable(stage.category)
    if not candidates and stage.category:  # nothing usable in the stage's category: any category, as the bundles do
        candidates = usable(None)
    out: StagePlan = {
        "id": stage.id,
        "role": stage.role,
        "query": query,
        "passes": f"${{{stage.passes}}}" if stage.passes else None,
    }
    if not candidates:
        out["pick"], out["alternatives"] = None, []
        out["note"] = "no plugin in the index matches this stage"
        return out
    first = candidates[0]
    taken.add(first.id)
    out["pick"] = _pick(
        first,
        f'best match for "{query}"{" in " + stage.category if stage.category else ""} (relevance {first.relevance:.2f}; {first.explanation})',
    )
    out["alternatives"] = [_pick(h, "next best match") for h in candidates[1:3]]
    return out


FALLBACK_TEMPLATE = "plan-implement-review"


def pick_template(
    intent: str, lexicon: dict[str, frozenset[str]], templates: list[Template]
) -> tuple[list[str], list[str], Template | None, str | None]:
    """What orchestrate plans for an intent: its keywords, categories, the template that fits
    (else the general product-development one), and a note when it is that fallback."""
    words = keywords(intent)
    cats = categories(words, lexicon)
    template = choose(templates, words, cats)
    note = None
    if template is None:  # a plain "build me X": the general product-development workflow
        template = next((t for t in templates if t.id == FALLBACK_TEMPLATE), None)
        note = f"no workflow template matched these words; using the general {FALLBACK_TEMPLATE} workflow"
    return words, cats, template, note


def discover(
    intent: str,
    searcher: Searcher,
    lexicon: dict[str, frozenset[str]] | None = None,
    templates: list[Template] | None = None,
) -> DiscoverAnswer:
    """``lexicon`` and ``templates``: the categories' words and the workflow templates (default:
    the package's data files)."""
    words = keywords(intent)
    cats = categories(words, lexicon if lexicon is not None else load_taxonomy().lexicon)
    answers: list[Answer] = []  # the primary picks' searches: the first says what it corrected

    def fetch(limit: int) -> list[Hit]:
        answers.append(searcher.query(" ".join(words), limit=limit))
        return answers[-1].results

    shown = claude_hits(fetch, 3) if words else []
    primary_answer = answers[0] if answers else None
    primary: list[Pick] = []
    for hit in shown:
        # The words as the search found them (its stemmer: "committed" is "commit"), the intent's
        # own words once each ("issues", not "issue, issues").
        said = set(tokens(hit.name + " " + hit.description))
        matched = [w for w in words if said.intersection(tokens(w))]
        why = f"matches {', '.join(matched)}" if matched else "matches the intent in its keywords or components"
        primary.append(_pick(hit, f"{why}; score {hit.score:.2f} ({hit.explanation})"))
    template = choose(templates if templates is not None else load_templates(), words, cats)
    workflow: WorkflowPlan | None = None
    complementary: list[Complementary] = []
    if template is not None:
        # The best plugin for each stage, a primary pick or not (orchestrate and the bundles plan
        # the same way); a plugin fills one stage at most.
        taken: set[str] = set()
        stages = [_fill(stage, words, searcher, taken) for stage in template.stages]
        plan: WorkflowPlan = {"id": template.id, "title": template.title, "pattern": template.pattern, "stages": stages}
        if template.aggregate is not None:
            plan["aggregate"] = _fill(template.aggregate, words, searcher, taken)
        if template.condition is not None:
            c = template.condition
            plan["condition"] = {"if": c.stage, "when": c.when, "then": list(c.then), "else": list(c.otherwise)}
        workflow = plan
        primary_ids = {p["id"] for p in primary}
        for stage in [*stages, *([plan["aggregate"]] if "aggregate" in plan else [])]:
            chosen = stage.get("pick")
            if chosen and chosen["id"] not in primary_ids:
                complementary.append(
                    {**chosen, "stage": stage["id"], "reason": f"fills the {stage['id']} stage: {stage['role'].lower()}"}
                )
    return {
        "intent": intent,
        "keywords": words,
        "categories": cats,
        "did_you_mean": primary_answer.did_you_mean if primary_answer else None,
        "primary": primary,
        "complementary": complementary,
        "workflow": workflow,
    }
