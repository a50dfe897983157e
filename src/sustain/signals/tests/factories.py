"""A signal as detection writes it (through the tracked service)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sustain.core.services import tracked_create
from sustain.signals.models import Signal


def make_signal(indicator: Any, location: Any, *, direction: str = "concern",
                raised_days_ago: float = 0, owner: Any = None, period: dt.date | None = None,
                status: str | None = None) -> Signal:
    raised = timezone.now() - dt.timedelta(days=raised_days_ago)
    concern = direction == "concern"
    start = period or dt.date(2026, 3, 1)
    return tracked_create(actor="test", obj=Signal(
        organisation=indicator.organisation, indicator=indicator, location=location,
        period_start=start, period_end=start.replace(month=start.month % 12 + 1,
                                                     year=start.year + start.month // 12),
        direction=direction, method="poisson_gamma_changepoint(P>0.75)", strength=0.93,
        change_period_start=start,
        explanation="Poisson–Gamma changepoint: probability 0.93 that falls per 1,000 "
                    "occupied bed days rose from about 4.4 to 13 from March 2026.",
        raised_at=raised, due_at=raised + dt.timedelta(days=7) if concern else None,
        owner=owner, status=status or ("open" if concern else "noted")))
