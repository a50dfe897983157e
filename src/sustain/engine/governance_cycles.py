"""Governance cycles as calendar periods (a month by default, or a quarter).

A cycle is identified by an ordinal (months or quarters since year 0) so that "cycles elapsed"
is a subtraction. The governance-rhythm issue may replace calendar cycles by recorded ones; the
lifecycle rules only need `cycle_of` and `cycle_bounds`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class CycleKind(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


def cycle_of(day: dt.date, kind: CycleKind | str = CycleKind.MONTHLY) -> int:
    """The ordinal of the cycle containing `day`."""
    months = day.year * 12 + (day.month - 1)
    return months if CycleKind(kind) == CycleKind.MONTHLY else months // 3


def cycle_bounds(ordinal: int,
                 kind: CycleKind | str = CycleKind.MONTHLY) -> tuple[dt.date, dt.date]:
    """First and last day of the cycle with this ordinal."""
    months_per = 1 if CycleKind(kind) == CycleKind.MONTHLY else 3
    first_month = ordinal * months_per
    start = dt.date(first_month // 12, first_month % 12 + 1, 1)
    end_month = first_month + months_per
    end = dt.date(end_month // 12, end_month % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def full_cycles_between(start: dt.date, as_of: dt.date,
                        kind: CycleKind | str = CycleKind.MONTHLY) -> int:
    """Complete cycles after the one containing `start`, up to and excluding the current one.

    A theme verified on 10 March (monthly) has completed 0 cycles on 30 April, 1 on 1 May
    (April is complete) and 2 on 1 June.
    """
    return max(0, cycle_of(as_of, kind) - cycle_of(start, kind) - 1)
