"""Inline SVG charts for the stats page: geometry only, drawn by templates/_charts.html.

Every chart comes with its numbers as a table in the page, so it reads without the picture.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agentops_index.snapshot.models import Strict

WIDTH, HEIGHT, LEFT, BOTTOM, TOP_PAD, RIGHT_PAD = 640, 220, 48, 28, 12, 16


class Line(Strict):
    name: str
    css: str
    points: str  # "x,y x,y ..."


class Tick(Strict):
    at: float
    label: str


class LineChart(Strict):
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: int = HEIGHT - BOTTOM
    right: int = WIDTH - RIGHT_PAD
    lines: list[Line]
    y_ticks: list[Tick]
    x_ticks: list[Tick]


def _nice_max(value: float) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return int(value) + 1  # pragma: no cover


def line_chart(series: Sequence[Mapping[str, Any]], keys: list[tuple[str, str, str]]) -> LineChart | None:
    """``keys``: (field, label, css class). None with fewer than two points: nothing to draw."""
    if len(series) < 2:
        return None
    top = _nice_max(max(float(row[k]) for row in series for k, _, _ in keys))
    plot_w, plot_h = WIDTH - LEFT - RIGHT_PAD, HEIGHT - BOTTOM - TOP_PAD

    def x(i: int) -> float:
        return round(LEFT + plot_w * i / (len(series) - 1), 1)

    def y(v: float) -> float:
        return round(TOP_PAD + plot_h * (1 - v / top), 1)

    lines = [
        Line(name=label, css=css, points=" ".join(f"{x(i)},{y(float(row[k]))}" for i, row in enumerate(series)))
        for k, label, css in keys
    ]
    y_ticks = [
        Tick(at=y(top * f), label=f"{top * f:,.0f}" if float(top * f).is_integer() else f"{top * f:,.1f}") for f in (0, 0.5, 1)
    ]
    marks = sorted({0, len(series) // 2, len(series) - 1})
    x_ticks = [Tick(at=x(i), label=series[i]["date"][5:]) for i in marks]
    return LineChart(lines=lines, y_ticks=y_ticks, x_ticks=x_ticks)
