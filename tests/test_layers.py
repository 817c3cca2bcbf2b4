"""The package's import graph: no cycles, every module in a layer, and the pipeline never
reaches into the two products.

Every import counts: at the top of a module, inside a function, and under ``TYPE_CHECKING``
(a cycle there still couples two modules). The pipeline (sources, crawl, enrich, snapshot,
manifest, rank, identity, signals, search) imports neither the bundles (templates, filling,
plugins, learning) nor the assistant (the answers of the Claude commands).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "generator" / "agentops_index"
PIPELINE = (
    "sources", "crawl", "enrich", "snapshot", "manifest", "rank", "identity", "signals", "search", "config", "errors",
    "metrics", "gate", "analytics",
)  # fmt: skip
BUNDLES = ("bundles",)  # templates, filling, plugins, learning (agentops_index/bundles/)
ASSISTANT = ("assistant",)  # the Claude commands' answers (agentops_index/assistant/)
# What puts the others together: the site (build may publish the bundles and the assistant's
# files) and the command line.
APP = ("build", "render", "cli", "cli_assist", "cli_crawl", "cli_options", "__init__", "__main__")


def graph() -> dict[str, set[str]]:
    """Module -> the modules of the package it imports (dotted names without ``agentops_index.``)."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        modules[".".join(p for p in parts if p != "__init__")] = path
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            found: list[str] = []
            if isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: max(0, len(package.split(".")) - node.level + 1)] if package else []
                    base = "agentops_index." + ".".join([*up, *([base] if base else [])])
                # "from a.b import c": the module a.b.c when there is one, else a.b itself.
                found = [f"{base}.{a.name}" if _short(f"{base}.{a.name}") in modules else base for a in node.names]
            for target in found:
                short = _short(target)
                if target.startswith("agentops_index") and short in modules and short != name:
                    edges[name].add(short)
    return edges


def _short(dotted: str) -> str:
    return dotted.removeprefix("agentops_index").lstrip(".")


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def _top(name: str) -> str:
    return name.split(".")[0]


def test_no_import_cycles() -> None:
    edges = graph()
    assert len(edges) > 50 and {"enrich", "sources.read", "snapshot.models"} <= edges["crawl"]  # the graph is read
    assert cycles(edges) == []


def test_every_module_has_a_layer() -> None:
    """A new module is placed in one of the layers above, so the directions cover it."""
    layers = PIPELINE + BUNDLES + ASSISTANT + APP
    assert sorted({_top(name) for name in graph()} - set(layers) - {""}) == []


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_pipeline_imports_neither_the_bundles_nor_the_assistant() -> None:
    wrong = sorted(
        f"{source} -> {target}"
        for source, targets in graph().items()
        if _top(source) in PIPELINE
        for target in targets
        if _top(target) in BUNDLES + ASSISTANT
    )
    assert wrong == []


def test_the_bundles_never_import_the_assistant() -> None:
    wrong = sorted(
        f"{source} -> {target}"
        for source, targets in graph().items()
        if _top(source) in BUNDLES
        for target in targets
        if _top(target) in ASSISTANT
    )
    assert wrong == []


def test_no_module_is_over_500_lines() -> None:
    """A module that grows past this holds two things: split it where they part."""
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text("utf-8").splitlines())) > 500}
    assert long == {}
