"""SPC engine properties (hypothesis): agreement with a plain per-point reference written
straight from the NHSRplotthedots v0.2.2 rules, batch = one series at a time, shift
invariance, scale equivariance and direction symmetry.

Values are multiples of 1/4 so sums and shifts are exact in binary floating point.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sustain.engine.spc import POINT_TYPE_NAMES, RULE_NAMES, SPCOptions, spc_batch, summarise

IMPROVEMENT = POINT_TYPE_NAMES.index("special_cause_improvement")
CONCERN = POINT_TYPE_NAMES.index("special_cause_concern")


def reference(
    y: list[float],
    direction: int,
    *,
    screen: bool = True,
    shift_n: int = 7,
    trend_n: int = 7,
    fix_after: int | None = None,
    mdc2023: bool = False,
) -> tuple[float, float, list[str], list[str]]:
    """One limits group, point by point, as the R code reads."""
    n = len(y)
    nb = n if fix_after is None else min(n, fix_after)
    base = y[:nb]
    mean = sum(base) / nb
    mrs = [abs(base[i] - base[i - 1]) for i in range(1, nb)]
    amr = sum(mrs) / len(mrs) if mrs else math.nan
    if screen and mrs:
        kept = [m for m in mrs if m < 3.267 * amr]
        screened = sum(kept) / len(kept) if kept else math.nan
        amr = screened if screened > 0 else amr
    upl, lpl = mean + 2.66 * amr, mean - 2.66 * amr
    near = 2 * (2.66 / 3) * amr
    tol = 1e-9 * max(abs(mean), 1.0)
    rel = [1 if v - mean > tol else -1 if v - mean < -tol else 0 for v in y]
    outside = [r != 0 and (v > upl or v < lpl) for v, r in zip(y, rel, strict=True)]
    close = [
        r != 0 and abs(v - mean) > near and (mdc2023 or not o)
        for v, r, o in zip(y, rel, outside, strict=True)
    ]
    shift_end = [
        i >= shift_n - 1 and rel[i] != 0 and all(rel[i - k] == rel[i] for k in range(shift_n))
        for i in range(n)
    ]
    shift = [any(shift_end[i : i + shift_n]) for i in range(n)]
    step = [0] + [(y[i] > y[i - 1]) - (y[i] < y[i - 1]) for i in range(1, n)]
    trend_end = [
        i >= trend_n - 1
        and step[i] != 0
        and all(step[i - k] == step[i] for k in range(trend_n - 1))
        for i in range(n)
    ]
    trend = [any(trend_end[i : i + trend_n]) for i in range(n)]
    two = [False] * n
    for s in range(n - 2):
        if sum(close[s : s + 3]) >= 2 and abs(sum(rel[s : s + 3])) == 3:
            for i in range(s, s + 3):
                two[i] = two[i] or close[i]
    rules: list[str] = []
    types: list[str] = []
    for i in range(n):
        if outside[i]:
            rule, side = "outside_limits", rel[i]
        elif trend[i]:
            right = i + 1 < n and trend[i + 1]
            chosen = step[i + 1] if right else step[i]
            rule, side = "trend", 1 if chosen == 1 else -1
        elif two[i]:
            rule, side = "two_in_three", rel[i]
        elif shift[i]:
            rule, side = "shift", rel[i]
        else:
            rule, side = "none", 0
        rules.append(rule)
        if side == 0:
            types.append("common_cause")
        elif direction == 0:
            types.append("special_cause_neutral_high" if side > 0 else "special_cause_neutral_low")
        else:
            good = side * direction > 0
            types.append("special_cause_improvement" if good else "special_cause_concern")
    return mean, amr, rules, types


quarters = st.integers(-40, 40).map(lambda k: k / 4)


@st.composite
def shaped(draw: st.DrawFn) -> list[float]:
    """Noise, random walks (trends, shifts), runs of equal values and spikes, mixed."""
    n = draw(st.integers(1, 40))
    kind = draw(st.sampled_from(["noise", "walk", "spiky"]))
    if kind == "noise":
        return draw(st.lists(quarters, min_size=n, max_size=n))
    steps = draw(st.lists(st.integers(-2, 3), min_size=n, max_size=n))
    y = [float(v) / 4 for v in np.cumsum(steps)]
    if kind == "spiky":
        for i in draw(st.lists(st.integers(0, n - 1), max_size=4)):
            y[i] += draw(st.sampled_from([-12.0, -3.0, 3.0, 12.0]))
    return y


series = shaped()
directions = st.sampled_from([-1, 0, 1])
option_sets = st.builds(
    SPCOptions,
    screen=st.booleans(),
    shift_n=st.sampled_from([6, 7]),
    trend_n=st.sampled_from([6, 7]),
    fix_after=st.sampled_from([None, 12, 15]),
    rules=st.sampled_from(["ptd", "mdc2023"]),
)


def run(values: list[float], direction: int, options: SPCOptions, **kw: Any) -> Any:
    y = np.array(values, dtype=np.float64)
    return spc_batch(y, np.array([0, len(values)]), np.array([direction], dtype=np.int8),
                     options=options, **kw)


@settings(max_examples=300, deadline=None)
@given(series, directions, option_sets)
def test_agrees_with_the_point_by_point_reference(
    values: list[float], direction: int, options: SPCOptions
) -> None:
    result = run(values, direction, options)
    mean, amr, rules, types = reference(
        values, direction, screen=options.screen, shift_n=options.shift_n,
        trend_n=options.trend_n, fix_after=options.fix_after, mdc2023=options.rules == "mdc2023",
    )
    assert [RULE_NAMES[c] for c in result.rule] == rules
    assert [POINT_TYPE_NAMES[c] for c in result.point_type] == types
    assert result.groups.mean[0] == mean
    if math.isnan(amr):
        assert math.isnan(result.groups.amr[0])
    else:
        assert result.groups.amr[0] == amr


@st.composite
def ragged_batches(draw: st.DrawFn) -> tuple[list[list[float]], list[int], list[list[bool]]]:
    batch = draw(st.lists(st.lists(quarters, min_size=0, max_size=30), min_size=1, max_size=12))
    dirs = draw(st.lists(directions, min_size=len(batch), max_size=len(batch)))
    flags = [draw(st.lists(st.booleans().map(lambda b: b and draw(st.booleans())),
                           min_size=len(s), max_size=len(s))) for s in batch]
    return batch, dirs, flags


@settings(max_examples=150, deadline=None)
@given(ragged_batches(), option_sets)
def test_a_ragged_batch_equals_each_series_on_its_own(
    batch: tuple[list[list[float]], list[int], list[list[bool]]], options: SPCOptions
) -> None:
    seqs, dirs, flags = batch
    values = np.array([v for s in seqs for v in s], dtype=np.float64)
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in seqs])]).astype(np.int64)
    rebase = np.array([f for fl in flags for f in fl], dtype=np.bool_)
    improvement = np.array(dirs, dtype=np.int8)
    together = spc_batch(values, offsets, improvement, rebase=rebase, options=options)
    summary = summarise(together, improvement)
    means = together.point_mean()
    for s, seq in enumerate(seqs):
        lo, hi = int(offsets[s]), int(offsets[s + 1])
        alone = run(seq, dirs[s], options, rebase=np.array(flags[s], dtype=np.bool_))
        assert list(together.rule[lo:hi]) == list(alone.rule)
        assert list(together.point_type[lo:hi]) == list(alone.point_type)
        np.testing.assert_array_equal(means[lo:hi], alone.point_mean())
        one = summarise(alone, improvement[s : s + 1])
        assert summary.variation_icon[s] == one.variation_icon[0]
        assert summary.trial[s] == one.trial[0]
        assert summary.insufficient_variation[s] == one.insufficient_variation[0]


@settings(max_examples=150, deadline=None)
@given(series, directions, option_sets, st.integers(-400, 400).map(lambda k: k / 4))
def test_adding_a_constant_moves_the_limits_and_keeps_the_labels(
    values: list[float], direction: int, options: SPCOptions, c: float
) -> None:
    a = run(values, direction, options)
    b = run([v + c for v in values], direction, options)
    assert list(a.rule) == list(b.rule)
    assert list(a.point_type) == list(b.point_type)
    np.testing.assert_allclose(b.groups.mean, a.groups.mean + c, rtol=0, atol=1e-9)
    np.testing.assert_allclose(b.groups.upl, a.groups.upl + c, rtol=0, atol=1e-9)
    np.testing.assert_allclose(b.groups.lpl, a.groups.lpl + c, rtol=0, atol=1e-9)


def no_ties(values: list[float]) -> bool:
    return all(values[i] != values[i - 1] for i in range(1, len(values)))


@settings(max_examples=150, deadline=None)
@given(series, directions, option_sets, st.sampled_from([0.25, 0.5, 2.0, 4.0, 8.0]))
def test_scaling_by_a_positive_factor_scales_the_limits_and_keeps_the_labels(
    values: list[float], direction: int, options: SPCOptions, a: float
) -> None:
    one = run(values, direction, options)
    scaled = run([v * a for v in values], direction, options)
    assert list(one.rule) == list(scaled.rule)
    assert list(one.point_type) == list(scaled.point_type)
    np.testing.assert_allclose(scaled.groups.upl, one.groups.upl * a, rtol=1e-12)
    np.testing.assert_allclose(scaled.groups.lpl, one.groups.lpl * a, rtol=1e-12)


@settings(max_examples=150, deadline=None)
@given(series, st.sampled_from([-1, 1]), option_sets, st.sampled_from([-0.5, -1.0, -2.0]))
def test_negative_scaling_swaps_improvement_and_concern_unless_direction_flips(
    values: list[float], direction: int, options: SPCOptions, a: float
) -> None:
    # A zero step in a trend reads as "decreasing" in the package, which is not symmetric, so
    # series with ties are left out here (ties are covered by the reference test).
    assume(no_ties(values))
    one = run(values, direction, options)
    flipped = [v * a for v in values]
    same_direction = run(flipped, direction, options)
    swap = {IMPROVEMENT: CONCERN, CONCERN: IMPROVEMENT}
    assert list(same_direction.rule) == list(one.rule)
    assert [int(p) for p in same_direction.point_type] == [
        swap.get(int(p), int(p)) for p in one.point_type
    ]
    np.testing.assert_allclose(same_direction.groups.upl, one.groups.lpl * a, rtol=1e-12)
    other_direction = run(flipped, -direction, options)
    assert list(other_direction.point_type) == list(one.point_type)


@settings(max_examples=150, deadline=None)
@given(series, option_sets)
def test_reversing_the_direction_swaps_improvement_and_concern(
    values: list[float], options: SPCOptions
) -> None:
    up = run(values, 1, options)
    down = run(values, -1, options)
    neutral = run(values, 0, options)
    swap = {IMPROVEMENT: CONCERN, CONCERN: IMPROVEMENT}
    assert [int(p) for p in down.point_type] == [swap.get(int(p), int(p)) for p in up.point_type]
    assert list(up.rule) == list(down.rule) == list(neutral.rule)
    special = [int(r) != 0 for r in up.rule]
    assert [int(p) >= 3 for p in neutral.point_type] == special
