"""Server-side SVG for Making Data Count (MDC) XmR charts and Spiegelhalter funnel plots.

The same approach as `themes/charts.py`: the geometry is worked out here in Python (no
JavaScript, no chart library) and drawn by Django templates in `templates/charts/`, which
escape every text. Coordinates reach the templates as preformatted strings so that no locale
setting can turn "3.5" into "3,5".

Colours follow MDC (NHSRplotthedots `ptd_spc_colours`): grey common cause, blue improvement,
orange concern, purple neutral, red target. Colour is never the only cue: special-cause points
also have their own shape (improvement a diamond, concern a square, neutral a triangle), every
point carries a `<title>` in words, the icons have text labels, and the data table says what
each point shows. Text on the chart uses dark colours (≥ 4.5:1 on white); the pale MDC
colours are used only as fills inside a dark outline.

Public functions (each returns safe HTML):

- `spc_chart_svg(chart, *, title, unit, periods, target=None, rebase=None, chart_id=None)`
- `spc_table(chart, *, title, unit, periods, rebase=None)`
- `spc_icons(chart)` — the variation and assurance badges with their labels
- `spc_chart_html(...)` — the whole figure: icons, SVG, legend and the table in a `<details>`
- `funnel_chart_svg(funnel, *, title, unit, names, chart_id=None)`
- `funnel_table(funnel, *, title, unit, names)`
- `funnel_chart_html(...)` — the funnel figure with its table
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.text import slugify

from sustain.engine.funnel import POSITION_LABELS, Funnel, Judgement, Position
from sustain.engine.spc import SeriesChart, SeriesPoint
from sustain.web import spc_svg

# MDC colours (research §1.3).
COMMON = "#a6a6a6"
IMPROVEMENT = "#00b0f0"
CONCERN = "#e46c0a"
NEUTRAL = "#490092"
TARGET = "#de1b1b"
# Dark colours for outlines, lines and text (contrast on white in brackets).
OUTLINE = "#0b0c0c"  # 19:1
LINE = "#6f777b"  # 4.6:1: the grey line joining the points
LIMIT = "#4b5157"  # 7.6:1
TEXT = "#0b0c0c"
MUTED = "#4b5157"
TARGET_TEXT = "#b3261e"  # 6.3:1

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 60, 28, 28, 48
MAX_X_LABELS = 8

POINT_WORDS = {
    "common_cause": "Common cause variation",
    "special_cause_improvement": "Special cause improvement",
    "special_cause_concern": "Special cause concern",
    "special_cause_neutral_high": "Special cause variation, high (neither better nor worse)",
    "special_cause_neutral_low": "Special cause variation, low (neither better nor worse)",
}
RULE_WORDS = {
    "none": "",
    "outside_limits": "a point outside the process limits",
    "trend": "a run of points rising or falling (trend)",
    "two_in_three": "two of three points close to a limit",
    "shift": "a run of points on one side of the mean (shift)",
}
VARIATION_LABELS = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause improvement — higher values",
    "improvement_low": "Special cause improvement — lower values",
    "concern_high": "Special cause concern — higher values",
    "concern_low": "Special cause concern — lower values",
    "neutral_high": "Special cause variation — higher values (neither better nor worse)",
    "neutral_low": "Special cause variation — lower values (neither better nor worse)",
}
ASSURANCE_LABELS = {
    "none": "No assurance: no target, or the measure has no better direction",
    "consistent_pass": "Consistently passes target",
    "consistent_fail": "Consistently fails target",
    "inconsistent": "Hit and miss: the target may or may not be met",
}


def _c(v: float) -> str:
    """A coordinate for the SVG."""
    return f"{v:.1f}"


def fmt(x: float) -> str:
    """A value for people: at most two decimals, no trailing zeros, thousands separated."""
    if not math.isfinite(x):
        return "—"
    text = f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def with_unit(x: float, unit: str) -> str:
    if not math.isfinite(x):
        return "—"
    if not unit:
        return fmt(x)
    return f"{fmt(x)}{unit}" if unit == "%" else f"{fmt(x)} {unit}"


def _nice_step(span: float, count: int = 5) -> float:
    raw = span / max(count, 1)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _ticks(lo: float, hi: float) -> tuple[float, float, list[float]]:
    """A padded, rounded y range and its tick values."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if hi - lo <= 0:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    pad = (hi - lo) * 0.06
    lo, hi = (lo - pad if lo - pad >= 0 or lo < 0 else 0.0), hi + pad
    step = _nice_step(hi - lo)
    start = math.floor(lo / step) * step
    end = math.ceil(hi / step) * step
    ticks = []
    v = start
    while v <= end + step / 1000:
        ticks.append(round(v, 10))
        v += step
    return start, end, ticks


def _ident(text: str, fallback: str) -> str:
    slug = slugify(text)[:40] or fallback
    return re.sub(r"[^a-z0-9-]", "", slug) or fallback


@dataclass(frozen=True)
class Marker:
    """One plotted point."""

    x: str
    y: str
    shape: str  # circle | diamond | square | triangle
    path: str  # SVG path for non-circles ("" for circle)
    fill: str
    stroke: str
    r: str
    label: str  # words for the <title>
    css: str
    href: str = ""  # a link from the point (e.g. to the records behind it), or none


def _marker(x: float, y: float, kind: str, label: str) -> Marker:
    if kind == "improvement":
        s = 7.0
        path = f"M{_c(x)} {_c(y - s)}L{_c(x + s)} {_c(y)}L{_c(x)} {_c(y + s)}L{_c(x - s)} {_c(y)}Z"
        return Marker(_c(x), _c(y), "diamond", path, IMPROVEMENT, OUTLINE, "7", label,
                      "point-improvement")
    if kind == "concern":
        s = 5.5
        path = (f"M{_c(x - s)} {_c(y - s)}H{_c(x + s)}V{_c(y + s)}H{_c(x - s)}Z")
        return Marker(_c(x), _c(y), "square", path, CONCERN, OUTLINE, "6", label,
                      "point-concern")
    if kind == "neutral":
        s = 7.0
        path = (f"M{_c(x)} {_c(y - s)}L{_c(x + s)} {_c(y + s * 0.8)}"
                f"L{_c(x - s)} {_c(y + s * 0.8)}Z")
        return Marker(_c(x), _c(y), "triangle", path, NEUTRAL, OUTLINE, "7", label,
                      "point-neutral")
    return Marker(_c(x), _c(y), "circle", "", COMMON, LIMIT, "4", label, "point-common")


def _point_kind(point_type: str) -> str:
    if point_type == "special_cause_improvement":
        return "improvement"
    if point_type == "special_cause_concern":
        return "concern"
    if point_type.startswith("special_cause_neutral"):
        return "neutral"
    return "common"


def point_words(p: SeriesPoint) -> str:
    """What one point shows, in words."""
    words = POINT_WORDS.get(p.point_type, p.point_type)
    rule = RULE_WORDS.get(p.rule, "")
    return f"{words}: {rule}" if rule and p.point_type != "common_cause" else words


def _groups(points: Sequence[SeriesPoint], rebase: Sequence[bool] | None) -> list[range]:
    """Runs of points sharing their limits (a new run at a rebase or when the limits change)."""
    out: list[range] = []
    start = 0
    for i in range(1, len(points)):
        a, b = points[i - 1], points[i]
        same = all(
            (math.isnan(u) and math.isnan(v)) or u == v
            for u, v in ((a.mean, b.mean), (a.lpl, b.lpl), (a.upl, b.upl))
        ) and a.trial == b.trial
        if not same or (rebase is not None and i < len(rebase) and rebase[i]):
            out.append(range(start, i))
            start = i
    if points:
        out.append(range(start, len(points)))
    return out


@dataclass(frozen=True)
class Segment:
    x1: str
    x2: str
    mean_y: str | None
    lpl_y: str | None
    upl_y: str | None
    trial: bool
    label_x: str
    label_y: str
    first: bool


@dataclass(frozen=True)
class Row:
    period: str
    value: str
    mean: str
    lpl: str
    upl: str
    words: str
    trial: bool
    kind: str


@dataclass
class SpcView:
    ident: str
    title: str
    unit: str
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: str = _c(LEFT)
    plot_right: str = _c(WIDTH - RIGHT)
    plot_top: str = _c(TOP)
    plot_bottom: str = _c(HEIGHT - BOTTOM)
    markers: list[Marker] = field(default_factory=list)
    line: str = ""
    segments: list[Segment] = field(default_factory=list)
    y_ticks: list[tuple[str, str]] = field(default_factory=list)
    x_labels: list[tuple[str, str, str]] = field(default_factory=list)  # x, text, anchor
    x_label_y: str = _c(HEIGHT - BOTTOM + 22)
    target_y: str | None = None
    target_label: str = ""
    target_label_y: str = ""
    desc: str = ""
    rows: list[Row] = field(default_factory=list)
    variation_icon: str = "common_cause"
    variation_label: str = ""
    variation_kind: str = "common"
    variation_letter: str = ""
    assurance: str = "none"
    assurance_label: str = ""
    trial: bool = False
    insufficient_variation: bool = False
    kinds: list[str] = field(default_factory=list)  # point kinds present, for the legend
    colours: dict[str, str] = field(default_factory=dict)
    linked: bool = False  # the points are links: the SVG is a group, not one image

    @property
    def svg(self) -> SafeString:
        """The chart as an `<svg>` element (`spc_svg.svg`; the templates print this)."""
        return spc_svg.svg(self)


def _variation_kind(icon: str) -> tuple[str, str]:
    if icon == "common_cause":
        return "common", ""
    kind = icon.split("_")[0]
    return kind, "H" if icon.endswith("_high") else "L"


COLOURS = {"common": COMMON, "improvement": IMPROVEMENT, "concern": CONCERN,
           "neutral": NEUTRAL, "target": TARGET, "outline": OUTLINE, "line": LINE,
           "limit": LIMIT, "text": TEXT, "muted": MUTED, "target_text": TARGET_TEXT}


def _icon_view(chart: SeriesChart, view: SpcView) -> SpcView:
    """The chart-wide words of a view: colours, icons and their labels, trial limits."""
    view.colours = COLOURS
    view.variation_icon = chart.variation_icon
    view.variation_label = VARIATION_LABELS.get(chart.variation_icon, chart.variation_icon)
    view.variation_kind, view.variation_letter = _variation_kind(chart.variation_icon)
    view.assurance = chart.assurance
    view.assurance_label = ASSURANCE_LABELS.get(chart.assurance, chart.assurance)
    view.trial = chart.trial
    view.insufficient_variation = chart.insufficient_variation
    return view


def spc_view(chart: SeriesChart, *, title: str, unit: str, periods: Sequence[str],
             target: float | None = None, rebase: Sequence[bool] | None = None,
             chart_id: str | None = None, size: tuple[int, int] | None = None,
             links: Sequence[str] | None = None, table: bool = True) -> SpcView:
    """The geometry and words of one XmR chart (what the templates draw). `size` (width,
    height in SVG units, default 640 × 320) draws a smaller chart, e.g. for a dashboard card:
    the text keeps its size, so it stays readable when the card is narrow. `links` (one URL
    per point, "" for none) makes each point a link, e.g. to the records behind it."""
    points = chart.points
    if len(periods) != len(points):
        raise ValueError("periods must name every point of the chart")
    if links is not None and len(links) != len(points):
        raise ValueError("links must give one URL (or '') per point")
    width, height = size or (WIDTH, HEIGHT)
    view = _icon_view(chart, SpcView(
        ident=chart_id or f"spc-{_ident(title, 'chart')}", title=title, unit=unit,
        width=width, height=height, plot_right=_c(width - RIGHT),
        plot_bottom=_c(height - BOTTOM), x_label_y=_c(height - BOTTOM + 22)))
    view.rows = [  # the data table's rows (`table=False`: only the SVG is drawn)
        Row(periods[i], fmt(p.value), fmt(p.mean), fmt(p.lpl), fmt(p.upl),
            point_words(p), p.trial, _point_kind(p.point_type))
        for i, p in enumerate(points)
    ] if table else []
    if not points:
        view.desc = f"{title}: no data yet."
        return view

    values = [v for p in points for v in (p.value, p.mean, p.lpl, p.upl) if math.isfinite(v)]
    if target is not None and math.isfinite(target):
        values.append(target)
    lo, hi, ticks = _ticks(min(values), max(values))
    top, bottom = TOP, height - BOTTOM
    left, right = LEFT + 8, width - RIGHT - 8
    n = len(points)

    def sx(i: float) -> float:
        return (left + right) / 2 if n == 1 else left + i * (right - left) / (n - 1)

    def sy(v: float) -> float:
        return bottom - (v - lo) / (hi - lo) * (bottom - top)

    view.y_ticks = [(_c(sy(t)), fmt(t)) for t in ticks]
    step = max(1, math.ceil(n / (MAX_X_LABELS if width == WIDTH
                                 else max(2, MAX_X_LABELS * width // WIDTH))))
    shown = list(range(0, n, step))
    if shown[-1] != n - 1:  # always name the latest period, never crowding its neighbour
        if n - 1 - shown[-1] < step and len(shown) > 1:
            shown[-1] = n - 1
        else:
            shown.append(n - 1)
    for i in shown:
        view.x_labels.append((_c(sx(i)), periods[i], "middle"))

    view.line = " ".join(f"{_c(sx(i))},{_c(sy(p.value))}" for i, p in enumerate(points))
    for i, p in enumerate(points):
        words = (f"{periods[i]}: {with_unit(p.value, unit)}. {point_words(p)}."
                 + (" Trial limits." if p.trial else ""))
        marker = _marker(sx(i), sy(p.value), _point_kind(p.point_type), words)
        view.markers.append(replace(marker, href=links[i]) if links else marker)
    view.linked = any(m.href for m in view.markers)
    view.kinds = [k for k in ("common", "improvement", "concern", "neutral")
                  if any(m.css == f"point-{k}" for m in view.markers)]

    half = 0 if n == 1 else (right - left) / (n - 1) / 2
    for j, grp in enumerate(_groups(points, rebase)):
        p = points[grp.start]
        x1 = sx(grp.start) - (half if j == 0 else half * 0.6)
        x2 = sx(grp.stop - 1) + (half if grp.stop == n else half * 0.6)
        x1, x2 = max(x1, float(LEFT)), min(x2, float(width - RIGHT))
        if n == 1:
            x1, x2 = float(LEFT), float(width - RIGHT)

        def y_or_none(v: float) -> str | None:
            return _c(sy(v)) if math.isfinite(v) else None

        upl_y = sy(p.upl) if math.isfinite(p.upl) else top + 14
        view.segments.append(Segment(_c(x1), _c(x2), y_or_none(p.mean), y_or_none(p.lpl),
                                     y_or_none(p.upl), p.trial, _c(x1 + 4),
                                     _c(max(upl_y - 5, top + 10)), j == 0))

    if target is not None and math.isfinite(target):
        ty = sy(target)
        view.target_y = _c(ty)
        view.target_label = f"Target {with_unit(target, unit)}"
        view.target_label_y = _c(ty - 5 if ty - 5 > top + 10 else ty + 14)

    last = points[-1]
    parts = [f"{title}, {n} point{'s' if n != 1 else ''} from {periods[0]} to {periods[-1]}.",
             f"Latest, {periods[-1]}: {with_unit(last.value, unit)}, {point_words(last).lower()}."]
    if math.isfinite(last.mean):
        parts.append(f"Mean {with_unit(last.mean, unit)}"
                     + (f", process limits {fmt(last.lpl)} to "
                        f"{fmt(last.upl)}." if math.isfinite(last.lpl)
                        and math.isfinite(last.upl) else "."))
    if chart.trial:
        parts.append("The limits are trial limits (fewer than 12 points).")
    if chart.insufficient_variation:
        parts.append("Too little variation for usable limits; a rare-event chart is advised.")
    parts.append(f"Variation: {view.variation_label}.")
    if target is not None and math.isfinite(target):
        parts.append(f"Target {with_unit(target, unit)}. Assurance: {view.assurance_label}.")
    view.desc = " ".join(parts)
    return view


def _render(template: str, **context: object) -> SafeString:
    return SafeString(render_to_string(template, context).strip())


def spc_chart_svg(chart: SeriesChart, *, title: str, unit: str, periods: list[str],
                  target: float | None = None, rebase: Sequence[bool] | None = None,
                  chart_id: str | None = None,
                  size: tuple[int, int] | None = None) -> SafeString:
    """An XmR chart in the MDC style as an `<svg>` element (role img, title and desc);
    `size` as in `spc_view`."""
    view = spc_view(chart, title=title, unit=unit, periods=periods, target=target,
                    rebase=rebase, chart_id=chart_id, size=size, table=False)
    return view.svg


def spc_table(chart: SeriesChart, *, title: str, unit: str, periods: list[str],
              rebase: Sequence[bool] | None = None) -> SafeString:
    """The chart's data as a table: period, value, mean, limits and what each point shows."""
    view = spc_view(chart, title=title, unit=unit, periods=periods, rebase=rebase)
    return _render("charts/_spc_table.html", chart=view)


def spc_icons(chart: SeriesChart, *, title: str = "", unit: str = "",
              periods: list[str] | None = None) -> SafeString:
    """The variation and assurance icons as small SVG badges, each with its label."""
    del periods, unit  # the badges need no geometry (kept for callers that pass them)
    view = _icon_view(chart, SpcView(ident=f"spc-{_ident(title, 'chart')}", title=title,
                                     unit=""))
    return _render("charts/_spc_icons.html", chart=view)


def spc_chart_html(chart: SeriesChart, *, title: str, unit: str, periods: list[str],
                   target: float | None = None, rebase: Sequence[bool] | None = None,
                   chart_id: str | None = None,
                   links: Sequence[str] | None = None) -> SafeString:
    """The whole figure: icons, chart, legend and the data table (collapsed, one click open);
    `links` as in `spc_view`."""
    view = spc_view(chart, title=title, unit=unit, periods=periods, target=target,
                    rebase=rebase, chart_id=chart_id, links=links)
    return _render("charts/spc_chart.html", chart=view)


# ---------------------------------------------------------------------------------------------
# Funnel plots


@dataclass(frozen=True)
class FunnelRow:
    name: str
    count: str
    exposure: str
    value: str
    position: str
    words: str
    kind: str


@dataclass
class FunnelView:
    ident: str
    title: str
    unit: str
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: str = _c(LEFT)
    plot_right: str = _c(WIDTH - RIGHT)
    plot_top: str = _c(TOP)
    plot_bottom: str = _c(HEIGHT - BOTTOM)
    clip_x: str = _c(LEFT)
    clip_y: str = _c(TOP)
    clip_w: str = _c(WIDTH - LEFT - RIGHT)
    clip_h: str = _c(HEIGHT - TOP - BOTTOM)
    markers: list[Marker] = field(default_factory=list)
    labels: list[tuple[str, str, str, str]] = field(default_factory=list)  # x, y, anchor, text
    curves: dict[str, str] = field(default_factory=dict)
    target_y: str = ""
    target_label: str = ""
    y_ticks: list[tuple[str, str]] = field(default_factory=list)
    x_ticks: list[tuple[str, str]] = field(default_factory=list)
    x_label_y: str = _c(HEIGHT - BOTTOM + 20)
    axis_title_y: str = _c(HEIGHT - 6)
    desc: str = ""
    rows: list[FunnelRow] = field(default_factory=list)
    overdispersion: str = ""
    kinds: list[str] = field(default_factory=list)
    colours: dict[str, str] = field(default_factory=dict)


_FUNNEL_KIND = {Judgement.CONCERN: "concern", Judgement.BETTER: "improvement",
                Judgement.HIGH: "neutral", Judgement.LOW: "neutral", Judgement.NONE: "common"}


def funnel_view(funnel: Funnel, *, title: str, unit: str, names: Mapping[str, str],
                chart_id: str | None = None) -> FunnelView:
    """The geometry and words of one funnel plot."""
    view = FunnelView(ident=chart_id or f"funnel-{_ident(title, 'chart')}", title=title,
                      unit=unit)
    view.colours = {"common": COMMON, "improvement": IMPROVEMENT, "concern": CONCERN,
                    "neutral": NEUTRAL, "target": TARGET, "outline": OUTLINE, "line": LINE,
                    "limit": LIMIT, "text": TEXT, "muted": MUTED, "target_text": TARGET_TEXT}
    view.overdispersion = funnel.overdispersion.explanation
    for u in funnel.units:
        view.rows.append(FunnelRow(
            names.get(u.key, u.key), fmt(u.count), fmt(u.exposure),
            fmt(u.value) if u.value is not None else "—",
            POSITION_LABELS[u.position], u.explanation, _FUNNEL_KIND[u.judgement]))
    judged = [u for u in funnel.units if u.value is not None and u.exposure > 0]
    if not judged:
        view.desc = f"{title}: no location has any exposure in the window yet."
        return view

    max_e = max(u.exposure for u in judged)
    x_hi = max_e * 1.05
    vals = [u.value for u in judged if u.value is not None] + [funnel.target]
    # Show the limits at the smallest exposure plotted, not towards infinity at 0.
    min_e = min(u.exposure for u in judged)
    edge = funnel.limits([min_e, max_e])
    vals += [float(edge.lower998[0]), float(edge.upper998[0]), float(edge.upper998[1]),
             float(edge.lower998[1])]
    lo, hi, ticks = _ticks(min(vals), max(vals))
    top, bottom = TOP, HEIGHT - BOTTOM
    left, right = LEFT, WIDTH - RIGHT

    def sx(e: float) -> float:
        return left + e / x_hi * (right - left)

    def sy(v: float) -> float:
        return bottom - (v - lo) / (hi - lo) * (bottom - top)

    view.y_ticks = [(_c(sy(t)), fmt(t)) for t in ticks]
    xstep = _nice_step(x_hi, 4)
    view.x_ticks = [(_c(sx(k * xstep)), fmt(k * xstep))
                    for k in range(int(x_hi // xstep) + 1)]
    start = max(min_e * 0.5, x_hi / 200)
    xs = [start + (x_hi - start) * k / 80 for k in range(81)]
    lim = funnel.limits(xs)

    def path(ys: Sequence[float]) -> str:
        pts = [(sx(e), sy(min(max(float(y), lo - (hi - lo)), hi + (hi - lo))))
               for e, y in zip(xs, ys, strict=True) if math.isfinite(float(y))]
        return "M" + "L".join(f"{_c(x)} {_c(y)}" for x, y in pts) if pts else ""

    view.curves = {"upper95": path(lim.upper95), "lower95": path(lim.lower95),
                   "upper998": path(lim.upper998), "lower998": path(lim.lower998)}
    view.target_y = _c(sy(funnel.target))
    view.target_label = f"Average {with_unit(funnel.target, unit)}"
    out_of_line = 0
    for u in judged:
        assert u.value is not None
        name = names.get(u.key, u.key)
        kind = _FUNNEL_KIND[u.judgement]
        x, y = sx(u.exposure), sy(u.value)
        view.markers.append(_marker(x, y, kind, f"{name}: {u.explanation}"))
        if u.position is not Position.INSIDE:
            out_of_line += 1
            anchor = "end" if x > (left + right) / 2 else "start"
            view.labels.append((_c(x - 9 if anchor == "end" else x + 9), _c(y + 4), anchor,
                                name))
    view.kinds = [k for k in ("common", "improvement", "concern", "neutral")
                  if any(m.css == f"point-{k}" for m in view.markers)]
    concern = [names.get(u.key, u.key) for u in judged if u.judgement is Judgement.CONCERN]
    better = [names.get(u.key, u.key) for u in judged if u.judgement is Judgement.BETTER]
    parts = [f"{title}: {len(judged)} locations against an average of "
             f"{with_unit(funnel.target, unit)}, with 95 % and 99.8 % limits that narrow as "
             f"exposure grows."]
    parts.append(f"{out_of_line} outside the 95 % limits." if out_of_line
                 else "Every location is inside the 95 % limits.")
    if concern:
        parts.append("Out of line in the worse direction: " + ", ".join(concern) + ".")
    if better:
        parts.append("Out of line in the better direction: " + ", ".join(better) + ".")
    view.desc = " ".join(parts)
    return view


def funnel_chart_svg(funnel: Funnel, *, title: str, unit: str, names: Mapping[str, str],
                     chart_id: str | None = None) -> SafeString:
    """A funnel plot as an `<svg>`: value against exposure, the average, 95 % and 99.8 %
    limits, every location a point with a `<title>`, out-of-line locations named."""
    view = funnel_view(funnel, title=title, unit=unit, names=names, chart_id=chart_id)
    return _render("charts/_funnel_svg.html", chart=view)


def funnel_table(funnel: Funnel, *, title: str, unit: str,
                 names: Mapping[str, str]) -> SafeString:
    """The funnel's data as a table: location, count, exposure, value, position, words."""
    view = funnel_view(funnel, title=title, unit=unit, names=names)
    return _render("charts/_funnel_table.html", chart=view)


def funnel_chart_html(funnel: Funnel, *, title: str, unit: str, names: Mapping[str, str],
                      chart_id: str | None = None) -> SafeString:
    """The funnel figure with its legend and data table (collapsed, one click open)."""
    view = funnel_view(funnel, title=title, unit=unit, names=names, chart_id=chart_id)
    return _render("charts/funnel_chart.html", chart=view)
