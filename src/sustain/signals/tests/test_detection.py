"""The pure detection (no database): block windows, both directions stacked, the carried
concern, short series, and the words of the explanation."""

from __future__ import annotations

import datetime as dt

import numpy as np

from sustain.engine.alerting.windows import Series, detect
from sustain.signals.explain import explanation, number

N = 40
BLOCKS = [(2023 * 12 + 1 + k) // 6 for k in range(N)]  # half-years, from Feb 2023
RECENT = list(range(N - 6, N))


def rates(*rows: list[int]) -> Series:
    num = np.array(rows, dtype=np.float64)
    den = np.full(num.shape, 900.0)
    return Series(kind="rate", sign=1.0, numerator=num, denominator=den,
                  value=num / den * 1000, multiplier=1000.0)


def found(s: Series, targets: list[int] = RECENT) -> set[tuple[int, int, str]]:
    return {(f.row, f.column, f.direction)
            for f in detect(s, targets, BLOCKS, baseline=24, lead=6, minimum=12)}


def test_a_recent_step_alerts_once_in_its_direction() -> None:
    up, down, flat = [4] * 37 + [12] * 3, [12] * 37 + [4] * 3, [4] * N
    assert found(rates(up, down, flat)) == {(0, 38, "concern"), (1, 38, "improvement")}


def test_results_do_not_depend_on_later_periods_or_the_targets_asked() -> None:
    up = [4] * 37 + [12] * 3
    assert found(rates(up), [38]) == found(rates(up)) == found(rates(up), [37, 38])


def test_an_old_change_is_not_announced_again() -> None:
    assert found(rates([4] * 20 + [12] * 20)) == set()


def test_a_series_too_short_to_judge_raises_nothing() -> None:
    short = rates([4] * 8 + [40] * 2)
    blocks = BLOCKS[:10]
    assert detect(short, [8, 9], blocks, baseline=24, lead=6, minimum=12) == []


def test_continuous_measures_use_the_cusum_and_report_the_latest_value() -> None:
    values = np.array([[90.0, 92, 91, 93, 90, 92] * 6 + [70, 70, 70, 70]])
    s = Series(kind="continuous", sign=-1.0, numerator=values, denominator=values,
               value=values, multiplier=1.0)
    out = detect(s, RECENT, BLOCKS, baseline=24, lead=6, minimum=12)
    assert [(f.column, f.direction) for f in out] == [(36, "concern")]
    assert out[0].method.startswith("tabular_cusum")
    assert out[0].after == 70.0 and 90 < out[0].before < 93


def test_the_explanation_in_words() -> None:
    text = explanation(method="poisson_gamma_changepoint(P>0.75)", strength=0.912,
                       indicator="Falls per 1,000 occupied bed days", before=4.06, after=7.81,
                       change=dt.date(2026, 6, 1), period=dt.date(2026, 7, 1), weekly=False)
    assert text == ("Poisson–Gamma changepoint: probability 0.91 that falls per 1,000 occupied "
                    "bed days rose from about 4.1 to 7.8 from June 2026.")
    assert number(0.456) == "0.46" and number(12.0) == "12" and number(1234.5) == "1,234"
