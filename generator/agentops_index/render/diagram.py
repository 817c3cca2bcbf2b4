"""The stages of a bundle laid out as boxes and arrows, for an inline SVG (templates/_diagram.html).

Only geometry and our own labels are computed here; the template escapes every label, and a
plugin name (a stranger's text) is cut to fit its box.
"""

from __future__ import annotations

from agentops_index.bundles.fill import Bundle, BundleStage
from agentops_index.snapshot.models import Strict

W, H, GAP_X, GAP_Y, PAD = 180, 56, 48, 28, 12
LABEL_CAP = 24


class Node(Strict):
    x: int
    y: int
    title: str
    subtitle: str
    kind: str = "stage"  # stage | empty | decision | aggregate


class Edge(Strict):
    x1: int
    y1: int
    x2: int
    y2: int
    label: str = ""


class Diagram(Strict):
    width: int
    height: int
    box_width: int = W
    box_height: int = H
    nodes: list[Node]
    edges: list[Edge]


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_CAP else text[: LABEL_CAP - 1] + "…"


def _node(stage: BundleStage, x: int, y: int, kind: str = "stage") -> Node:
    if stage.pick is None:
        return Node(x=x, y=y, title=stage.id, subtitle="no good candidate", kind="empty")
    return Node(x=x, y=y, title=stage.id, subtitle=_cut(stage.pick.name), kind=kind)


def _right(a: Node, b: Node, label: str = "") -> Edge:
    return Edge(x1=a.x + W, y1=a.y + H // 2, x2=b.x, y2=b.y + H // 2, label=label)


def layout(bundle: Bundle) -> Diagram:
    by_id = {s.id: s for s in bundle.stages}
    nodes: list[Node] = []
    edges: list[Edge] = []
    if bundle.workflow == "parallel":
        for i, stage in enumerate(bundle.stages):
            nodes.append(_node(stage, PAD, PAD + i * (H + GAP_Y)))
        column = len(bundle.stages) * (H + GAP_Y) - GAP_Y
        if bundle.aggregate:
            sink = _node(bundle.aggregate, PAD + W + 2 * GAP_X, PAD + (column - H) // 2, "aggregate")
            edges += [_right(n, sink) for n in nodes]
            nodes.append(sink)
        return Diagram(width=2 * PAD + 2 * W + 2 * GAP_X, height=2 * PAD + column, nodes=nodes, edges=edges)
    if bundle.workflow == "conditional" and bundle.if_:
        branches = set(bundle.then) | set(bundle.else_)
        before = [s for s in bundle.stages if s.id not in branches]
        rows = max(len(bundle.then), len(bundle.else_), 1)
        middle = PAD + H + GAP_Y
        x = PAD
        previous = None
        for stage in before:
            node = _node(stage, x, middle)
            if previous:
                edges.append(_right(previous, node))
            nodes.append(node)
            previous, x = node, x + W + GAP_X
        decision = Node(x=x, y=middle, title=f"if {bundle.if_}", subtitle=bundle.when or "", kind="decision")
        if previous:
            edges.append(_right(previous, decision))
        nodes.append(decision)
        for branch, y, label in ((bundle.then, PAD, "yes"), (bundle.else_, middle + H + GAP_Y, "no")):
            bx, last = x + W + GAP_X, decision
            for stage_id in branch:
                node = _node(by_id[stage_id], bx, y)
                edges.append(_right(last, node, label if last is decision else ""))
                nodes.append(node)
                last, bx = node, bx + W + GAP_X
        width = x + W + GAP_X + rows * (W + GAP_X) - GAP_X + PAD
        return Diagram(width=width, height=2 * PAD + 3 * H + 2 * GAP_Y, nodes=nodes, edges=edges)
    x, previous = PAD, None
    for stage in bundle.stages:
        node = _node(stage, x, PAD)
        if previous:
            edges.append(_right(previous, node))
        nodes.append(node)
        previous, x = node, x + W + GAP_X
    return Diagram(width=x - GAP_X + PAD, height=2 * PAD + H, nodes=nodes, edges=edges)
