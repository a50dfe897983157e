"""SPC engine: the edge cases of SPC-RESEARCH.md §1 and hand-computed worked examples.

Rule tests call `rules.evaluate` with chosen limits (mean, MR̄) so each case isolates one rule;
the pipeline tests go through `spc_series` / `spc_batch`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sustain.engine.spc import (
    SPCOptions,
    spc_batch,
    spc_series,
    summarise,
)
from sustain.engine.spc import rules as spc_rules

NEAR = 2.0 * (2.66 / 3.0)  # the 2σ line in units of MR̄


def label(
    values: list[float],
    *,
    mean: float = 0.0,
    amr: float = 1.0,
    direction: int = spc_rules.INCREASE,
    **kwargs: object,
) -> tuple[list[str], list[str]]:
    y = np.array([values], dtype=np.float64)
    rule, _side, pt = spc_rules.evaluate(
        y, np.array([mean]), np.array([amr]), np.array([direction], dtype=np.int8), **kwargs  # type: ignore[arg-type]
    )
    names = spc_rules.RULE_NAMES
    types = spc_rules.POINT_TYPE_NAMES
    return [names[c] for c in rule[0]], [types[c] for c in pt[0]]


# ---- shift -----------------------------------------------------------------------------------


def test_seven_points_on_one_side_are_a_shift_and_all_seven_are_flagged() -> None:
    rules, types = label([-0.5, 0.5, 0.2, 0.3, 0.1, 0.4, 0.2, 0.3, -0.1])
    assert rules == ["none"] + ["shift"] * 7 + ["none"]
    assert types[1:8] == ["special_cause_improvement"] * 7


def test_six_points_on_one_side_are_not_a_shift_but_are_with_the_six_point_option() -> None:
    values = [-0.5, 0.5, 0.2, 0.3, 0.1, 0.4, 0.2, -0.3]
    assert label(values)[0] == ["none"] * 8
    assert label(values, shift_n=6)[0] == ["none"] + ["shift"] * 6 + ["none"]


def test_a_point_on_the_mean_breaks_a_shift() -> None:
    values = [0.5, 0.2, 0.3, 0.0, 0.1, 0.4, 0.2, 0.3]
    assert label(values)[0] == ["none"] * 8


def test_a_point_within_the_tolerance_of_the_mean_is_on_the_mean() -> None:
    mean = 1.93498452
    near_mean = mean * (1 + 1e-13)  # an ULP-sized difference, as R vs numpy means give
    values = [mean + 0.1] * 3 + [near_mean] + [mean + 0.1] * 4
    assert label(values, mean=mean)[0] == ["none"] * 8
    # ...but a real difference still counts as a side of the mean
    values[3] = mean + 1e-6
    assert label(values, mean=mean)[0] == ["shift"] * 8


def test_shift_below_with_decrease_is_improvement() -> None:
    rules, types = label([-0.1] * 7, direction=spc_rules.DECREASE)
    assert rules == ["shift"] * 7
    assert types == ["special_cause_improvement"] * 7
    assert label([-0.1] * 7, direction=spc_rules.INCREASE)[1] == ["special_cause_concern"] * 7
    assert label([-0.1] * 7, direction=spc_rules.NEUTRAL)[1] == ["special_cause_neutral_low"] * 7


# ---- trend -----------------------------------------------------------------------------------


def test_seven_strictly_increasing_points_are_a_trend() -> None:
    values = [-0.3, -0.2, -0.1, 0.05, 0.1, 0.2, 0.3]
    rules, types = label(values)
    assert rules == ["trend"] * 7
    assert types == ["special_cause_improvement"] * 7
    assert label(values, direction=spc_rules.DECREASE)[1] == ["special_cause_concern"] * 7


def test_six_points_are_not_a_trend_unless_the_six_point_option_is_on() -> None:
    values = [-0.3, -0.2, -0.1, 0.05, 0.1, 0.2]
    assert label(values)[0] == ["none"] * 6
    assert label(values, trend_n=6)[0] == ["trend"] * 6


def test_a_tie_breaks_a_trend() -> None:
    values = [-0.3, -0.2, -0.1, -0.1, 0.05, 0.1, 0.2, 0.3]
    assert label(values)[0] == ["none"] * 8


def test_decreasing_trend_and_the_peak_takes_the_step_to_the_right() -> None:
    # 7 increasing then 6 more decreasing: the peak ends one trend and starts the other; the
    # package labels it by the step to its right (decreasing).
    up = [-0.6, -0.4, -0.2, -0.05, 0.05, 0.2, 0.4]
    down = [0.3, 0.2, 0.1, -0.1, -0.2, -0.3]
    y = np.array([up + down])
    up_dir = np.array([1], dtype=np.int8)
    rule, side, _ = spc_rules.evaluate(y, np.array([0.0]), np.array([1.0]), up_dir)
    assert list(rule[0]) == [spc_rules.RULE_TREND] * 13
    assert list(side[0]) == [1] * 6 + [-1] * 7


def test_trend_beats_shift() -> None:
    values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]  # all above the mean and increasing
    assert label(values)[0] == ["trend"] * 7


# ---- two in three ----------------------------------------------------------------------------


def test_two_of_three_beyond_two_sigma_on_one_side_flags_only_those_two() -> None:
    assert label([2.0, 0.5, 2.0])[0] == ["two_in_three", "none", "two_in_three"]
    assert label([-2.0, -2.0, -0.5])[1] == ["special_cause_concern"] * 2 + ["common_cause"]


def test_opposite_sides_do_not_make_two_in_three() -> None:
    assert label([2.0, -0.5, 2.0])[0] == ["none"] * 3
    assert label([2.0, -2.0, 0.5])[0] == ["none"] * 3


def test_two_sigma_boundary_is_strict() -> None:
    at = NEAR * 1.0
    assert label([at, 0.5, at])[0] == ["none"] * 3
    just = math.nextafter(at, math.inf)
    assert label([just, 0.5, just])[0] == ["two_in_three", "none", "two_in_three"]


def test_three_sigma_boundary_is_strict_and_beyond_three_sigma_is_not_close_in_ptd() -> None:
    upl = 2.66 * 1.0
    # exactly on the upper limit: not outside, but beyond 2σ, so it counts as close
    assert label([upl, 0.5, 2.0])[0] == ["two_in_three", "none", "two_in_three"]
    beyond = math.nextafter(upl, math.inf)
    assert label([beyond, 0.5, 2.0])[0] == ["outside_limits", "none", "none"]


def test_mdc2023_counts_points_beyond_three_sigma_as_beyond_two_sigma() -> None:
    values = [3.0, 2.0, 0.5]
    assert label(values)[0] == ["outside_limits", "none", "none"]
    assert label(values, rules="mdc2023")[0] == ["outside_limits", "two_in_three", "none"]
    # ...still all three on one side
    assert label([3.0, 2.0, -0.5], rules="mdc2023")[0] == ["outside_limits", "none", "none"]


def test_two_in_three_beats_shift() -> None:
    values = [0.1, 0.2, 2.0, 0.3, 2.0, 0.2, 0.1]
    assert label(values)[0] == ["shift", "shift", "two_in_three", "shift", "two_in_three",
                                "shift", "shift"]


# ---- outside limits and precedence -----------------------------------------------------------


def test_outside_limits_is_strict_and_wins_over_everything() -> None:
    values = [0.1, 0.2, 0.3, 3.0, 0.4, 0.5, 0.6]  # a shift and a trend through an outlier
    rules, types = label(values)
    assert rules[3] == "outside_limits"
    assert rules == ["shift"] * 3 + ["outside_limits"] + ["shift"] * 3
    assert label([-3.0], direction=spc_rules.NEUTRAL)[1] == ["special_cause_neutral_low"]
    assert label([2.66])[0] == ["none"]


# ---- limits, screening and the fallback ------------------------------------------------------


def test_worked_example_fifteen_points() -> None:
    y = [10, 12, 11, 13, 12, 11, 10, 12, 30, 11, 12, 13, 12, 11, 12]
    chart = spc_series(y, "increase", target=20)
    # By hand: mean 192 / 15 = 12.8. Moving ranges 2,1,2,1,1,1,2,18,19,1,1,1,1,1 (sum 52,
    # MR̄ 52/14 = 3.714); screening drops 18 and 19 (≥ 3.267 × 3.714 = 12.13), so
    # MR̄ = 15 / 12 = 1.25: limits 12.8 ± 3.325.
    mean = 192 / 15
    amr = (2 + 1 + 2 + 1 + 1 + 1 + 2 + 1 + 1 + 1 + 1 + 1) / 12
    for p in chart.points:
        assert p.mean == pytest.approx(mean)
        assert p.upl == pytest.approx(mean + 2.66 * amr)
        assert p.lpl == pytest.approx(mean - 2.66 * amr)
    assert chart.points[0].upl == pytest.approx(16.125)
    # 30 is above the UPL: improvement. 10 is beyond 2σ (12.8 − 2.2167 = 10.58) but never with a
    # second close point in a window, and no run reaches 7.
    assert [p.rule for p in chart.points] == ["none"] * 8 + ["outside_limits"] + ["none"] * 6
    assert chart.points[8].point_type == "special_cause_improvement"
    assert chart.variation_icon == "common_cause"
    assert chart.assurance == "consistent_fail"  # target 20 above the UPL, higher is better
    assert spc_series(y, "decrease", target=20).assurance == "consistent_pass"
    assert spc_series(y, "increase", target=15).assurance == "inconsistent"
    assert spc_series(y, "increase", target=5).assurance == "consistent_pass"
    assert spc_series(y, "neutral", target=5).assurance == "none"
    assert spc_series(y, "increase").assurance == "none"
    assert not chart.trial and not chart.insufficient_variation
    # Unscreened (the MDC Excel tool): MR̄ 52 / 14, wider limits (22.68, still below 30).
    excel = spc_series(y, "increase", options=SPCOptions(screen=False))
    assert excel.points[0].upl == pytest.approx(mean + 2.66 * 52 / 14)
    assert excel.points[0].upl == pytest.approx(22.68, abs=0.01)
    assert excel.points[8].rule == "outside_limits"


def test_screening_to_zero_width_falls_back_to_the_unscreened_moving_range() -> None:
    y = [0.0] * 6 + [1.0] + [0.0] * 10  # a rare event: MRs 0 except two of 1
    chart = spc_series(y, "decrease")
    unscreened = 2 / 16  # MR̄ before screening; both 1s are ≥ 3.267 × 0.125 and dropped
    assert chart.insufficient_variation
    mean = 1 / 17
    assert chart.points[0].upl == pytest.approx(mean + 2.66 * unscreened)
    assert chart.points[0].upl > chart.points[0].mean
    plain = spc_series(y, "decrease", options=SPCOptions(screen=False))
    assert not plain.insufficient_variation
    assert plain.points[0].upl == chart.points[0].upl


def test_constant_series_has_zero_width_limits_flagged_and_no_signal() -> None:
    chart = spc_series([1.93498452] * 15, "increase")
    assert chart.insufficient_variation
    assert all(p.rule == "none" for p in chart.points)
    assert chart.points[0].upl == chart.points[0].lpl == chart.points[0].mean


def test_short_series_give_trial_limits_and_one_point_gives_none() -> None:
    eleven = spc_series([float(i % 3) for i in range(11)])
    twelve = spc_series([float(i % 3) for i in range(12)])
    assert eleven.trial and all(p.trial for p in eleven.points)
    assert not twelve.trial and not any(p.trial for p in twelve.points)
    one = spc_series([5.0], target=1.0)
    assert one.trial and one.insufficient_variation
    assert math.isnan(one.points[0].upl)
    assert one.points[0].rule == "none" and one.assurance == "none"
    empty = spc_series([])
    assert empty.points == () and empty.variation_icon == "common_cause"


def test_fix_after_freezes_the_limits_on_the_first_points() -> None:
    base = [10.0, 11.0] * 6  # 12 points: mean 10.5, MR̄ 1
    y = base + [20.0, 10.5, 10.0]
    chart = spc_series(y, options=SPCOptions(fix_after=12))
    assert chart.points[-1].mean == pytest.approx(10.5)
    assert chart.points[-1].upl == pytest.approx(10.5 + 2.66)
    assert chart.points[12].rule == "outside_limits"
    assert not chart.trial
    free = spc_series(y)
    assert free.points[0].mean == pytest.approx(sum(y) / len(y))
    with pytest.raises(ValueError):
        SPCOptions(fix_after=11)


def test_rebase_starts_a_new_group_and_runs_do_not_cross_it() -> None:
    first = [1.0, 3.0] * 5 + [2.5] * 4  # ends with 4 points above its mean (2.25)
    second = [10.5] * 3 + [10.0, 11.0] * 6  # starts with 3 above its own mean
    flags = [False] * len(first) + [True] + [False] * (len(second) - 1)
    chart = spc_series(first + second, rebase=flags)
    assert chart.points[0].mean == pytest.approx(sum(first) / len(first))
    assert chart.points[-1].mean == pytest.approx(sum(second) / len(second))
    # 4 + 3 points above their group's mean would be a shift of 7 without the rebase
    assert all(p.rule == "none" for p in chart.points[10:17])
    assert chart.trial is False  # the latest group has 15 points
    whole = spc_series(first + second)
    assert whole.points[0].mean == pytest.approx(sum(first + second) / 29)


def test_rebase_flag_on_a_series_first_point_changes_nothing() -> None:
    y = [1.0, 2.0, 3.0, 2.0, 1.0]
    a = spc_series(y)
    b = spc_series(y, rebase=[True, False, False, False, False])
    assert a == b


def test_latest_point_gives_the_variation_icon() -> None:
    y = [10.0, 11.0] * 7 + [30.0]
    assert spc_series(y, "increase").variation_icon == "improvement_high"
    assert spc_series(y, "decrease").variation_icon == "concern_high"
    assert spc_series(y, "neutral").variation_icon == "neutral_high"
    low = [10.0, 11.0] * 7 + [-9.0]
    assert spc_series(low, "increase").variation_icon == "concern_low"
    assert spc_series(low, "decrease").variation_icon == "improvement_low"
    # an earlier special cause does not set the icon (abspc's behaviour, not MDC's)
    assert spc_series([*y, 10.0], "increase").variation_icon == "common_cause"


def test_batch_summary_and_validation() -> None:
    values = np.array([10, 11, 10, 11, 30, 1, 2, 3], dtype=np.float64)
    offsets = np.array([0, 5, 5, 8])
    improvement = np.array([1, 0, -1], dtype=np.int8)
    result = spc_batch(values, offsets, improvement)
    summary = summarise(result, improvement, np.array([100.0, np.nan, 0.0]))
    assert list(summary.n) == [5, 0, 3]
    assert list(summary.trial) == [True, False, True]
    with pytest.raises(ValueError):
        spc_batch(values, np.array([0, 5]), np.array([1], dtype=np.int8))
    with pytest.raises(ValueError):
        spc_batch(np.array([1.0, np.nan]), np.array([0, 2]), np.array([1], dtype=np.int8))
    with pytest.raises(ValueError):
        spc_series([1.0], "up")
    with pytest.raises(ValueError, match="improvement"):
        spc_batch(values, offsets, np.array([1, 2, 0], dtype=np.int8))


# ---- published examples ----------------------------------------------------------------------


def test_deviations_vignette_example_screened_and_unscreened() -> None:
    # NHSRplotthedots vignettes/deviations.Rmd: UPL 4.60, mean 1.94, LPL −0.72 screened;
    # UPL 6.95, LPL −3.06 with screen_outliers = FALSE (the MDC Excel tool).
    y = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    screened = spc_series(y).points[0]
    assert (round(screened.upl, 2), round(screened.mean, 2), round(screened.lpl, 2)) == (
        4.60, 1.94, -0.72)
    excel = spc_series(y, options=SPCOptions(screen=False)).points[0]
    assert (round(excel.upl, 2), round(excel.lpl, 2)) == (6.95, -3.06)


def close_pattern(pattern: list[int], sides: list[int]) -> list[str]:
    """Values beyond 2σ (but inside 3σ) where pattern is 1, near the mean otherwise."""
    values = [side * (2.0 if c else 0.5) for c, side in zip(pattern, sides, strict=True)]
    return label(values, shift_n=99)[0]


def test_two_in_three_cases_from_the_package_tests() -> None:
    # tests/testthat/test-ptd_calculate_point_type.R, ptd_part_of_two_in_three
    two, none = "two_in_three", "none"
    assert close_pattern([0, 0, 1, 0, 1, 0, 0], [1] * 7) == [none, none, two, none, two, none,
                                                             none]
    assert close_pattern([1, 0, 0, 1], [1] * 4) == [none] * 4
    assert close_pattern([1, 0, 0, 1, 1], [1] * 5) == [none, none, none, two, two]
    assert close_pattern([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1]) == [none] * 7
    assert close_pattern([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1]) == [none] * 7


def test_trend_cases_from_the_package_tests() -> None:
    # ptd_seven_point_trend(c(2, 1:7, 3)) ends at the 8th point; 1:3, 3:6 has no trend
    values = [2.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 3.0]
    rules = label([v - 4.0 for v in values], amr=10.0)[0]
    assert rules == ["none"] + ["trend"] * 7 + ["none"]
    assert label([v - 4.0 for v in [1, 2, 3, 3, 4, 5, 6]], amr=10.0)[0] == ["none"] * 7


def test_spc_charts_matches_one_series_at_a_time() -> None:
    """The batch of several charts gives each series what `spc_series` gives it alone."""
    from sustain.engine.spc import spc_charts

    series: list[list[float]] = [[5, 6, 5, 7, 6, 5, 12, 13, 12, 14, 13, 12, 13, 14], [], [1.0],
                                 [80, 82, 79, 85, 90, 91, 92, 93, 94, 95, 96, 97]]
    words = ["decrease", "increase", "neutral", "increase"]
    targets = [6.0, None, None, 85.0]
    together = spc_charts(series, words, targets=targets)
    alone = [spc_series(v, w, target=t) for v, w, t in zip(series, words, targets, strict=True)]
    assert [repr(c) for c in together] == [repr(c) for c in alone]
    assert together[0].points[-1].point_type == "special_cause_concern"
