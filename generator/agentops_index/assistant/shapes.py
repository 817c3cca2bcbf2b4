"""The shapes of the assistant's answers: what discover, prime, orchestrate and analyze-plugins
print as JSON, and what the published assistant file holds.

They are ``TypedDict``s, not models: the answers are JSON objects printed as they are built, and
this module is copied into the agentops plugins' reader, which has the standard library only
(``reader_copy.MODULES``). mypy checks every key written and read against them.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from agentops_index.search.hits import PickView


class Pick(PickView):
    reason: str  # why it was picked, in words


class Complementary(Pick):
    stage: str  # the workflow stage it fills


class StagePlan(TypedDict):
    id: str
    role: str
    query: str
    passes: str | None
    pick: NotRequired[Pick | None]
    alternatives: NotRequired[list[Pick]]
    note: NotRequired[str]


# "if" and "else" are the seeds' keys, and words Python keeps for itself.
Condition = TypedDict("Condition", {"if": str, "when": str, "then": list[str], "else": list[str]})


class WorkflowPlan(TypedDict):
    id: str
    title: str
    pattern: str
    stages: list[StagePlan]
    aggregate: NotRequired[StagePlan]
    condition: NotRequired[Condition]


class DiscoverAnswer(TypedDict):
    intent: str
    keywords: list[str]
    categories: list[str]
    did_you_mean: str | None
    primary: list[Pick]
    complementary: list[Complementary]
    workflow: WorkflowPlan | None


class Because(TypedDict):
    topic: str  # the query: the user's words or a topic found in the project
    files: list[str]  # the project's files that show the topic, or ["(your words)"]


class Recommendation(PickView):
    fit: float
    because: list[Because]


class PrimeAnswer(TypedDict):
    project: str
    topics: dict[str, list[str]]
    words: str
    recommendations: list[Recommendation]


class Probability(TypedDict):
    value: float | None  # Laplace-smoothed share of successful runs; None without runs
    runs: int
    basis: str


class Step(TypedDict):
    step: int
    stage: str
    role: str
    use: str | None
    receives: str | None
    passes: str | None
    record: str


class Plan(TypedDict):
    workflow: dict[str, Any]  # bundles.fill.Bundle.as_json(): the bundle as the site publishes it
    success_probability: Probability
    steps: list[Step]
    record_outcome: str


class OrchestrateAnswer(TypedDict):
    intent: str
    keywords: list[str]
    categories: NotRequired[list[str]]
    note: str | None
    workflow: dict[str, Any] | None
    success_probability: NotRequired[Probability]
    steps: NotRequired[list[Step]]
    record_outcome: NotRequired[str]


class Row(TypedDict):
    """One plugin in analyze-plugins' comparison."""

    id: str
    name: str
    description: str
    category: str
    score: float
    parts: dict[str, float]
    penalties: list[str]
    risk: str
    capabilities: list[str]
    context_tokens: int
    components: dict[str, int]
    bundles: list[str]  # "<bundle>/<stage>" of each bundle that picks it


class Clash(TypedDict):
    plugins: list[str]  # two plugin ids
    why: str


class BundlePicks(TypedDict):
    bundle: str
    plugins: list[str]


class Comparison(TypedDict):
    plugins: list[Row]
    clashes: list[Clash]
    bundles: list[BundlePicks]


class Analysis(TypedDict):
    limit: int
    plugins: list[Row]
    combine_in_bundles: list[BundlePicks]
    clashes_total: int
    clashes: list[Clash]
