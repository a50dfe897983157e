"""The server-side SVG charts: MDC XmR charts and funnel plots (`sustain.web.spc_charts`).

Series go through the real SPC engine (`spc_series`), so the chart is checked against what the
engine says about each point; the SVG is parsed with xml.etree to prove it is well-formed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from sustain.engine.funnel import Judgement, Position, funnel
from sustain.engine.spc import SeriesChart, SeriesPoint, spc_series
from sustain.web import spc_charts
from sustain.web.spc_charts import (
    ASSURANCE_LABELS,
    COMMON,
    CONCERN,
    IMPROVEMENT,
    MAX_X_LABELS,
    NEUTRAL,
    VARIATION_LABELS,
    funnel_chart_html,
    funnel_chart_svg,
    funnel_table,
    spc_chart_html,
    spc_chart_svg,
    spc_icons,
    spc_table,
)

SVG = "{http://www.w3.org/2000/svg}"
STABLE = [5, 6, 5, 7, 6, 5, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 5, 6]


def months(n: int) -> list[str]:
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return [f"{names[i % 12]} {2024 + i // 12}" for i in range(n)]


def parse(text: str) -> ET.Element:
    """Our own output, not untrusted input: the standard parser is fine here."""
    return ET.fromstring(text)  # noqa: S314


def svg_of(chart: SeriesChart, **kw: Any) -> ET.Element:
    kw.setdefault("title", "Falls per 1,000 occupied bed days")
    kw.setdefault("unit", "per 1,000 bed days")
    kw.setdefault("periods", months(len(chart.points)))
    return parse(spc_chart_svg(chart, **kw))


def points_of(root: ET.Element) -> list[ET.Element]:
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "points")
    return list(group)


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def kind_of(el: ET.Element) -> str:
    return (el.get("class") or "").removeprefix("point-")


# ---------------------------------------------------------------------------------------------
# XmR charts


def test_common_cause_only_draws_every_point_grey_and_round() -> None:
    chart = spc_series(STABLE, "increase")
    assert all(p.point_type == "common_cause" for p in chart.points)
    root = svg_of(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 640 320" and root.get("width") == "100%"
    pts = points_of(root)
    assert len(pts) == len(STABLE)
    assert {p.tag for p in pts} == {f"{SVG}circle"}
    assert {p.get("fill") for p in pts} == {COMMON}
    # One mean line, two dashed limits, no trial label (20 points), no target.
    assert len([e for e in root.iter(f"{SVG}line") if e.get("class") == "mean"]) == 1
    limits = [e for e in root.iter(f"{SVG}line") if e.get("class") in ("upl", "lpl")]
    assert len(limits) == 2 and all(e.get("stroke-dasharray") for e in limits)
    assert "Trial limits" not in texts(root)
    assert not any(g.get("class") == "target" for g in root.iter(f"{SVG}g"))
    # Title and desc name the chart and the latest point in words.
    assert root.find(f"{SVG}title").text == "Falls per 1,000 occupied bed days"
    desc = root.find(f"{SVG}desc").text
    assert "Latest, Aug 2025: 6 per 1,000 bed days, common cause variation." in desc
    assert "Variation: Common cause variation." in desc
    assert root.get("aria-labelledby") == (f"{root.find(f'{SVG}title').get('id')} "
                                           f"{root.find(f'{SVG}desc').get('id')}")


def test_a_shift_colours_its_points_blue_diamonds_for_improvement() -> None:
    values = [5, 6, 5, 7, 6, 5, 6, 5, 6, 7, 5, 6] + [6.5, 6.8, 6.6, 6.9, 6.7, 6.6, 6.8, 6.9]
    chart = spc_series(values, "increase")
    special = [i for i, p in enumerate(chart.points) if p.rule == "shift"]
    assert special, "the engine should see a shift in this series"
    root = svg_of(chart)
    pts = points_of(root)
    for i, p in enumerate(chart.points):
        expected = "improvement" if p.point_type == "special_cause_improvement" else "common"
        assert kind_of(pts[i]) == expected
        if expected == "improvement":
            assert pts[i].tag == f"{SVG}path" and pts[i].get("fill") == IMPROVEMENT
            assert "Special cause improvement: a run of points on one side of the mean" in (
                pts[i].find(f"{SVG}title").text)
    # The same series with lower as better is a concern: orange squares.
    worse = svg_of(spc_series(values, "decrease"))
    assert {p.get("fill") for i, p in enumerate(points_of(worse)) if i in special} == {CONCERN}
    table = spc_table(chart, title="Falls", unit="", periods=months(len(values)))
    assert table.count("(shift)") == len(special)


def test_a_point_outside_the_limits_is_an_orange_concern_with_icon_and_words() -> None:
    values = STABLE[:15] + [14]
    chart = spc_series(values, "decrease")
    assert chart.points[-1].rule == "outside_limits"
    assert chart.variation_icon == "concern_high"
    root = svg_of(chart)
    last = points_of(root)[-1]
    assert last.tag == f"{SVG}path" and last.get("fill") == CONCERN
    assert last.get("class") == "point-concern"
    assert all(kind_of(p) == "common" for p in points_of(root)[:-1])
    desc = root.find(f"{SVG}desc").text
    assert "special cause concern: a point outside the process limits" in desc
    assert "Special cause concern — higher values" in desc
    icons = parse(spc_icons(chart))
    labels = ["".join(s.itertext()) for s in icons.iter("span")]
    assert labels == ["Special cause concern — higher values"]
    badge = icons.find(f"li/{SVG}svg/{SVG}circle")
    assert badge is not None and badge.get("stroke") == CONCERN
    assert "".join(icons.find(f"li/{SVG}svg/{SVG}text").itertext()) == "H"


def test_neutral_special_cause_is_purple() -> None:
    chart = spc_series(STABLE[:15] + [14], "neutral")
    last = points_of(svg_of(chart))[-1]
    assert last.get("fill") == NEUTRAL and kind_of(last) == "neutral"
    assert chart.variation_icon == "neutral_high"
    assert VARIATION_LABELS["neutral_high"] in spc_icons(chart)


def test_trial_limits_are_labelled_on_the_chart_in_the_desc_and_the_table() -> None:
    values = STABLE[:8]
    chart = spc_series(values, "increase")
    assert chart.trial
    root = svg_of(chart)
    assert "Trial limits" in texts(root)
    assert "trial limits (fewer than 12 points)" in root.find(f"{SVG}desc").text
    table = spc_table(chart, title="Falls", unit="", periods=months(8))
    assert table.count("(trial limits)") == 8
    html = spc_chart_html(chart, title="Falls", unit="", periods=months(8))
    assert "trial limits: fewer than 12 points" in html
    # Twenty points: no trial label anywhere.
    full = spc_series(STABLE, "increase")
    assert "trial limits" not in spc_chart_html(full, title="F", unit="",
                                                periods=months(20)).lower()


@pytest.mark.parametrize(("target", "expected"), [
    (20.0, "consistent_fail"),   # higher is better and the target is above the upper limit
    (1.0, "consistent_pass"),    # below the lower limit
    (6.0, "inconsistent"),       # within the limits
    (None, "none"),
])
def test_each_assurance_icon_and_the_target_line(target: float | None, expected: str) -> None:
    chart = spc_series(STABLE, "increase", target=target)
    assert chart.assurance == expected
    root = svg_of(chart, target=target)
    target_groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "target"]
    icons = parse(spc_icons(chart))
    items = icons.findall("li")
    if target is None:
        assert target_groups == []
        assert len(items) == 1 and items[0].get("data-icon") == "common_cause"
        return
    assert len(target_groups) == 1
    assert f"Target {spc_charts.fmt(target)} per 1,000 bed days" in texts(root)
    line = target_groups[0].find(f"{SVG}line")
    assert line is not None and line.get("stroke") == spc_charts.TARGET
    assert items[1].get("data-icon") == expected
    assert "".join(items[1].find("span").itertext()) == ASSURANCE_LABELS[expected]
    letter = "".join(items[1].find(f"{SVG}svg/{SVG}text").itertext())
    assert letter == {"consistent_fail": "F", "consistent_pass": "P", "inconsistent": "?"}[
        expected]
    assert f"Assurance: {ASSURANCE_LABELS[expected]}." in root.find(f"{SVG}desc").text


def test_target_line_sits_at_the_target_value() -> None:
    chart = spc_series(STABLE, "increase", target=6.0)
    root = svg_of(chart, target=6.0)
    mean_y = float(next(e for e in root.iter(f"{SVG}line") if e.get("class") == "mean")
                   .get("y1"))
    target_y = float(next(g for g in root.iter(f"{SVG}g") if g.get("class") == "target")
                     .find(f"{SVG}line").get("y1"))
    mean = chart.points[-1].mean
    # Higher values are drawn higher (smaller y): the target 6 is above a mean below 6.
    assert mean < 6.0 and target_y < mean_y


def test_a_rebase_breaks_the_limits_into_two_groups() -> None:
    values = STABLE[:14] + [9, 10, 9, 11, 10, 9, 10, 9, 10, 11, 9, 10, 10]
    rebase = [False] * 14 + [True] + [False] * 12
    chart = spc_series(values, "increase", rebase=rebase)
    root = svg_of(chart, rebase=rebase)
    means = [e for e in root.iter(f"{SVG}line") if e.get("class") == "mean"]
    assert len(means) == 2
    first, second = means
    assert float(first.get("x2")) < float(second.get("x1"))  # a gap between the groups
    assert float(second.get("y1")) < float(first.get("y1"))  # the later mean is higher
    assert "Limits recalculated" in texts(root)
    assert len([e for e in root.iter(f"{SVG}line") if e.get("class") == "upl"]) == 2
    # An explicit rebase where the limits happen to be equal still breaks the line.
    same = spc_series(STABLE + STABLE, "increase", rebase=[False] * 20 + [True] + [False] * 19)
    root2 = svg_of(same, rebase=[False] * 20 + [True] + [False] * 19)
    assert len([e for e in root2.iter(f"{SVG}line") if e.get("class") == "mean"]) == 2


def test_a_hostile_title_unit_and_period_are_escaped() -> None:
    hostile = '</title><script>alert("x")</script>&'
    chart = spc_series(STABLE[:12], "increase")
    periods = months(11) + ['<img src=x onerror="alert(1)">']
    out = spc_chart_html(chart, title=hostile, unit="<b>u</b>", periods=periods, target=6)
    assert "<script" not in out and "<img" not in out and "<b>" not in out
    root = parse(out)  # the whole figure is well-formed XML
    svg = root.find(f".//{SVG}svg[@class='spc-chart']")
    assert svg is not None and svg.find(f"{SVG}title").text == hostile
    assert periods[-1] in texts(svg)
    assert any(periods[-1] == "".join(th.itertext()) for th in root.iter("th"))


def test_the_table_has_one_row_per_point_with_words() -> None:
    values = STABLE[:15] + [14]
    chart = spc_series(values, "decrease")
    periods = months(16)
    root = parse(str(spc_table(chart, title="Falls", unit="%", periods=periods)))
    table = root.find("table")
    assert table is not None
    heads = ["".join(th.itertext()) for th in table.findall("thead/tr/th")]
    assert heads == ["Period", "Value (%)", "Mean", "Lower limit", "Upper limit",
                     "What it shows"]
    rows = table.findall("tbody/tr")
    assert len(rows) == 16
    for row, period, p in zip(rows, periods, chart.points, strict=True):
        cells = ["".join(c.itertext()) for c in row]
        assert cells[0] == period
        assert cells[1] == spc_charts.fmt(p.value)
        assert cells[2] == spc_charts.fmt(p.mean)
        assert cells[3] == spc_charts.fmt(p.lpl) and cells[4] == spc_charts.fmt(p.upl)
    assert "".join(rows[-1][5].itertext()) == (
        "Special cause concern: a point outside the process limits")
    assert "".join(rows[0][5].itertext()) == "Common cause variation"


def test_the_whole_figure_has_icons_chart_legend_and_a_collapsed_table() -> None:
    chart = spc_series(STABLE[:15] + [14], "decrease", target=4)
    root = parse(str(spc_chart_html(chart, title="Falls", unit="", periods=months(16),
                                            target=4)))
    assert root.tag == "figure"
    assert root.find("ul[@class='spc-icons']") is not None
    region = root.find("div[@class='chart-scroll']")
    assert region is not None and region.get("tabindex") == "0" and region.get("role") == "region"
    details = root.find("figcaption/details")
    assert details is not None and details.get("open") is None
    assert "".join(details.find("summary").itertext()) == "Show the chart's data as a table"
    legend = ["".join(li.itertext()).strip() for li in root.iter("li")
              if li.find(f"{SVG}svg") is not None and li.get("class") is None]
    assert legend == ["Common cause (grey circle)", "Special cause concern (orange square)"]


@pytest.mark.parametrize("n", [2, 8, 9, 16, 25, 60])
def test_many_points_thin_the_period_labels_but_keep_the_latest(n: int) -> None:
    values = (STABLE * 3)[:n]
    periods = months(n)
    root = svg_of(spc_series(values, "increase"), periods=periods)
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "x-axis")
    labels = ["".join(t.itertext()) for t in axis]
    assert 2 <= len(labels) <= MAX_X_LABELS
    assert labels[0] == periods[0] and labels[-1] == periods[-1]
    xs = [float(t.get("x")) for t in axis]
    # "Sep 2024" is about 55 units wide at 13 px: centred labels never overlap.
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= 60
    assert all(t.get("text-anchor") == "middle" for t in axis)
    assert len(points_of(root)) == n


def test_rates_are_not_drawn_below_zero() -> None:
    root = parse(funnel_chart_svg(_funnel(), title="F", unit="", names=NAMES))
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "y-axis")
    ticks = [float("".join(t.itertext()).replace(",", "")) for t in axis.iter(f"{SVG}text")]
    assert min(ticks) == 0


def test_flat_series_and_a_single_point_render_without_nan() -> None:
    for values in ([4.0] * 14, [3.0]):
        chart = spc_series(values, "increase")
        out = spc_chart_svg(chart, title="Flat", unit="", periods=months(len(values)))
        root = parse(out)
        assert "nan" not in out.lower() and "inf" not in out.lower()
        assert len(points_of(root)) == len(values)
    flat = spc_series([4.0] * 14, "increase")
    if flat.insufficient_variation:
        assert "rare-event chart" in spc_chart_svg(flat, title="Flat", unit="",
                                                   periods=months(14))


def test_an_empty_series_and_a_wrong_number_of_periods() -> None:
    empty = SeriesChart(points=(), variation_icon="common_cause", assurance="none", trial=True,
                        insufficient_variation=False)
    root = parse(spc_chart_svg(empty, title="Nothing", unit="", periods=[]))
    assert points_of(root) == []
    assert root.find(f"{SVG}desc").text == "Nothing: no data yet."
    assert "No data yet." in spc_table(empty, title="Nothing", unit="", periods=[])
    with pytest.raises(ValueError, match="periods"):
        spc_chart_svg(spc_series(STABLE, "increase"), title="x", unit="", periods=months(3))


def test_limits_of_nan_are_not_drawn() -> None:
    p = SeriesPoint(value=1.0, mean=1.0, lpl=float("nan"), upl=float("nan"),
                    point_type="common_cause", rule="none", trial=True)
    chart = SeriesChart(points=(p, p), variation_icon="common_cause", assurance="none",
                        trial=True, insufficient_variation=True)
    out = spc_chart_svg(chart, title="Rare", unit="", periods=["a", "b"])
    root = parse(out)
    assert [e.get("class") for e in root.iter(f"{SVG}line") if e.get("class")] == ["mean"]
    assert "nan" not in out.lower()
    table = spc_table(chart, title="Rare", unit="", periods=["a", "b"])
    assert table.count("<td class=\"num\">—</td>") == 4


def test_two_charts_on_one_page_have_their_own_ids() -> None:
    chart = spc_series(STABLE, "increase")
    a = parse(spc_chart_svg(chart, title="Falls", unit="", periods=months(20)))
    b = parse(spc_chart_svg(chart, title="Falls", unit="", periods=months(20),
                                    chart_id="oak-falls"))
    assert a.find(f"{SVG}title").get("id") != b.find(f"{SVG}title").get("id")
    assert b.find(f"{SVG}title").get("id") == "oak-falls-title"


# ---------------------------------------------------------------------------------------------
# Funnel plots


KEYS = ["oak", "ash", "elm", "yew", "fir", "new"]
NAMES = {"oak": "Oak House", "ash": "Ash Lodge", "elm": "Elm Court", "yew": "Yew Tree",
         "fir": 'Fir <script>alert("x")</script>', "new": "New Place"}


def _funnel() -> Any:
    # Falls per 1,000 occupied bed days; Oak far above, Elm far below, New has no exposure.
    return funnel(KEYS, [60, 18, 1, 22, 15, 0], [6000, 9000, 8000, 10000, 7000, 0],
                  kind="rate", direction="higher_is_worse", multiplier=1000, adjust=False,
                  unit_label=" per 1,000 bed days")


def test_funnel_svg_draws_limits_target_and_every_judged_location() -> None:
    f = _funnel()
    out = funnel_chart_svg(f, title="Falls per 1,000 bed days", unit="per 1,000 bed days",
                           names=NAMES)
    assert "<script" not in out
    root = parse(out)
    assert root.get("role") == "img"
    curves = {p.get("class"): p.get("d") for p in root.iter(f"{SVG}path")
              if p.get("class") in ("upper95", "lower95", "upper998", "lower998")}
    assert set(curves) == {"upper95", "lower95", "upper998", "lower998"}
    assert all(d and d.startswith("M") and d.count("L") >= 40 for d in curves.values())
    judged = [u for u in f.units if u.position is not Position.NOT_JUDGED]
    pts = points_of(root)
    assert len(pts) == len(judged) == 5
    by_name = {p.find(f"{SVG}title").text.split(":")[0]: p for p in pts}
    assert set(by_name) == {NAMES[u.key] for u in judged}
    oak = next(u for u in f.units if u.key == "oak")
    elm = next(u for u in f.units if u.key == "elm")
    assert oak.judgement is Judgement.CONCERN and elm.judgement is Judgement.BETTER
    assert by_name["Oak House"].get("fill") == CONCERN
    assert by_name["Elm Court"].get("fill") == IMPROVEMENT
    labels = texts(root)
    for u in f.units:
        out_of_line = u.position not in (Position.INSIDE, Position.NOT_JUDGED)
        assert (NAMES[u.key] in labels) is out_of_line
    target = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "target")
    assert f"Average {spc_charts.fmt(f.target)} per 1,000 bed days" in texts(target)
    desc = root.find(f"{SVG}desc").text
    assert "Out of line in the worse direction: Oak House." in desc
    assert "Out of line in the better direction: Elm Court." in desc
    # Higher values sit higher: Oak's point is above Elm's.
    def cy(el: ET.Element) -> float:
        return float(el.get("cy") or el.get("d").split()[1].split("L")[0].split("H")[0])
    assert cy(by_name["Oak House"]) < cy(by_name["Elm Court"])


def test_funnel_limits_narrow_with_exposure() -> None:
    root = parse(funnel_chart_svg(_funnel(), title="F", unit="", names=NAMES))
    upper = next(p for p in root.iter(f"{SVG}path") if p.get("class") == "upper95").get("d")
    ys = [float(seg.split()[1]) for seg in upper[1:].split("L")]
    assert ys == sorted(ys)  # y grows downwards: the upper limit falls as exposure grows


def test_funnel_table_lists_every_location_including_the_unjudged() -> None:
    f = _funnel()
    root = parse(str(funnel_table(f, title="Falls", unit="per 1,000", names=NAMES)))
    rows = root.findall("table/tbody/tr")
    assert len(rows) == len(KEYS)
    first = ["".join(c.itertext()) for c in rows[0]]
    assert first[0] == "Oak House"
    assert first[3] == spc_charts.fmt(f.units[0].value)
    heads = ["".join(th.itertext()) for th in root.findall("table/thead/tr/th")]
    assert heads[3] == "Value (per 1,000)"
    assert first[4] == "above the 99.8 % limit"
    assert "Out of line in the worse direction." in first[5]
    last = ["".join(c.itertext()) for c in rows[-1]]
    assert last[0] == "New Place" and last[3] == "—" and last[4] == "not judged (no exposure)"
    assert "".join(rows[4][0].itertext()) == NAMES["fir"]  # escaped, not markup


def test_funnel_figure_and_a_funnel_with_no_exposure() -> None:
    html = funnel_chart_html(_funnel(), title="Falls", unit="", names=NAMES)
    root = parse(str(html))
    assert root.find("figcaption/details/summary") is not None
    assert "No overdispersion" in "".join(root.find("figcaption/p").itertext()) or \
        "not estimated" in "".join(root.find("figcaption/p").itertext())
    empty = funnel(["a"], [0], [0], kind="rate")
    svg = parse(funnel_chart_svg(empty, title="Nothing", unit="", names={}))
    assert points_of(svg) == []
    assert "no location has any exposure" in svg.find(f"{SVG}desc").text


# ---------------------------------------------------------------------------------------------
# The minimal page holding both figures, for the browser test (tests/browser/test_spc_charts.py).


def _page_html() -> str:
    static = Path(spc_charts.__file__).resolve().parent.parent / "static" / "sustain"
    css = (static / "sustain.css").read_text() + (static / "charts.css").read_text()
    values = STABLE[:15] + [14]
    spc = spc_chart_html(spc_series(values, "decrease", target=4), title="Falls",
                         unit="per 1,000 bed days", periods=months(16), target=4)
    trial = spc_chart_html(spc_series(STABLE[:8], "increase"), title="Compliments",
                           unit="", periods=months(8))
    fun = funnel_chart_html(_funnel(), title="Falls by home", unit="per 1,000 bed days",
                            names=NAMES)
    return (f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Charts</title><style>{css}</style></head><body><main id=\"main\">"
            f"<h1>Charts</h1>{spc}{trial}{fun}</main></body></html>")
