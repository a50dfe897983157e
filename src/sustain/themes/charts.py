"""The re-audit score chart on the theme page, drawn on the server as SVG coordinates (no
JavaScript, no chart library). The same figures are always shown as a table beside it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    day: dt.date
    score: float
    passed: bool
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[Point]
    line: str  # polyline points
    pass_mark: float
    pass_y: float
    y_ticks: list[tuple[float, int]]  # (y, value)
    x_labels: list[tuple[float, str]]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    summary: str


def _y(score: float) -> float:
    return round(TOP + (100 - max(0.0, min(100.0, score))) / 100 * (HEIGHT - TOP - BOTTOM), 1)


def _label(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def reaudit_chart(audits: list[Any], pass_mark: float) -> Chart | None:
    """Scores of the completed re-audits over time against the pass mark (None: no scores)."""
    rows = [(a.audit_date, float(a.score)) for a in audits
            if a.is_reaudit and a.status == "completed" and a.score is not None]
    if not rows:
        return None
    rows.sort(key=lambda r: r[0])
    first, last = rows[0][0], rows[-1][0]
    span = max((last - first).days, 1)
    inner = WIDTH - LEFT - RIGHT
    points = []
    for day, score in rows:
        x = LEFT + inner / 2 if first == last else LEFT + (day - first).days / span * inner
        passed = score >= pass_mark
        points.append(Point(round(x, 1), _y(score), day, score, passed,
                            f"{_label(day)}: {score:.0f}% ({'pass' if passed else 'below'})"))
    labels = [(points[0].x, _label(first))]
    if len(points) > 1:
        labels.append((points[-1].x, _label(last)))
    held = sum(p.passed for p in points)
    summary = (f"{len(points)} re-audit score{'s' if len(points) != 1 else ''} from "
               f"{_label(first)} to {_label(last)}; latest {points[-1].score:.0f}% against a "
               f"pass mark of {pass_mark:.0f}%; {held} of {len(points)} at or above it.")
    return Chart(WIDTH, HEIGHT, points, " ".join(f"{p.x},{p.y}" for p in points), pass_mark,
                 _y(pass_mark), [(_y(v), v) for v in (0, 25, 50, 75, 100)], labels,
                 LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM, summary)
