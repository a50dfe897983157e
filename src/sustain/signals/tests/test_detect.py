"""detect_signals on constructed series: a step gives one concern signal with its method,
strength and words; a rerun adds nothing; corrected values withdraw it; improvements; the
recent window; neutral indicators; owners and deadlines; history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sustain.core.models import HistoryEntry
from sustain.escalations.models import EscalationRule
from sustain.signals import services
from sustain.signals.models import Signal
from sustain.signals.tests.conftest import UNTIL, indicator, month, step, write_series

pytestmark = pytest.mark.django_db

STEP_AT = 37  # March 2026


def test_a_step_in_a_rate_gives_one_concern_signal(org: Any, location: Any,
                                                    sibling_location: Any, falls: Any,
                                                    manager: Any) -> None:
    write_series(falls, location, step(4, 12, STEP_AT))
    write_series(falls, sibling_location, [4] * 40)
    result = services.detect_signals(organisation=org, until=UNTIL)
    signals = list(Signal.objects.all())
    assert len(signals) == 1, [(s.period_start, s.direction) for s in signals]
    s = signals[0]
    assert (s.location, s.direction, s.status) == (location, "concern", "open")
    assert month(STEP_AT) <= s.period_start <= month(STEP_AT + 2)
    assert s.method.startswith("poisson_gamma_changepoint")
    assert s.strength > 0.75
    assert s.change_period_start == month(STEP_AT)
    assert s.explanation.startswith("Poisson–Gamma changepoint: probability ")
    assert "falls per 1,000 occupied bed days rose from about 4.4 to 13.3 from March 2026" \
        in s.explanation
    assert s.owner == manager
    assert s.due_at == s.raised_at + dt.timedelta(days=services.INTERPRET_DAYS)
    assert result.counts()["raised"] == 1
    assert HistoryEntry.objects.filter(object_uuid=falls.uuid,
                                       message__startswith="Signals: 1 new concern").exists()


def test_rerun_adds_no_duplicate(org: Any, location: Any, falls: Any) -> None:
    write_series(falls, location, step(4, 12, STEP_AT))
    services.detect_signals(organisation=org, until=UNTIL)
    again = services.detect_signals(organisation=org, until=UNTIL)
    assert Signal.objects.count() == 1
    assert again.raised == 0 and again.withdrawn == 0 and again.unchanged == 1


def test_corrected_values_withdraw_the_signal_and_it_can_come_back(org: Any, location: Any,
                                                                     falls: Any) -> None:
    write_series(falls, location, step(4, 12, STEP_AT))
    services.detect_signals(organisation=org, until=UNTIL)
    write_series(falls, location, [4] * 40)  # the falls were miscounted
    result = services.detect_signals(organisation=org, until=UNTIL)
    s = Signal.objects.get()
    assert result.withdrawn == 1
    assert s.status == "withdrawn"
    assert "no longer finds this change" in s.withdrawn_reason
    assert HistoryEntry.objects.filter(object_uuid=s.uuid, action="update").exists()
    write_series(falls, location, step(4, 12, STEP_AT))
    services.detect_signals(organisation=org, until=UNTIL)
    s.refresh_from_db()
    assert (s.status, s.withdrawn_reason) == ("open", "")


def test_improvement_signal_is_noted(org: Any, location: Any) -> None:
    mar = indicator(org, "mar-discrepancy-rate", name="MAR discrepancy rate", kind="rate",
                    multiplier=100.0)
    write_series(mar, location, step(12, 2, STEP_AT), denominator=400)
    services.detect_signals(organisation=org, until=UNTIL)
    s = Signal.objects.get()
    assert (s.direction, s.status, s.due_at, s.owner) == ("improvement", "noted", None, None)
    assert "MAR discrepancy rate fell from about" in s.explanation


def test_higher_is_better_reverses_the_direction(org: Any, location: Any) -> None:
    training = indicator(org, "training", name="Training compliance", kind="proportion",
                         direction="higher_is_better", multiplier=100.0)
    write_series(training, location, step(95, 70, STEP_AT), denominator=100)
    services.detect_signals(organisation=org, until=UNTIL)
    s = Signal.objects.get()
    assert s.direction == "concern"
    assert s.method.startswith("beta_binomial_changepoint")
    assert "training compliance fell from about 95 to 70" in s.explanation


def test_old_changes_are_not_news_and_neutral_indicators_do_not_signal(
        org: Any, location: Any) -> None:
    old = indicator(org, "old", name="Old step")
    write_series(old, location, step(4, 12, 20))  # a step two years ago
    neutral = indicator(org, "occupancy", name="Occupancy", direction="neutral")
    write_series(neutral, location, step(4, 12, STEP_AT))
    services.detect_signals(organisation=org, until=UNTIL)
    assert not Signal.objects.exists()


def test_detection_installs_the_shipped_rule_once(org: Any, location: Any, falls: Any) -> None:
    services.detect_signals(organisation=org, until=UNTIL)
    rule = EscalationRule.objects.get(organisation=org, code="uninterpreted-signal")
    assert rule.active and not rule.locations.exists()
    rule.archived_at = rule.updated_at
    rule.save()
    services.detect_signals(organisation=org, until=UNTIL)
    assert EscalationRule.objects.filter(organisation=org).count() == 1


def test_missing_periods_are_left_out(org: Any, location: Any, sibling_location: Any,
                                      falls: Any) -> None:
    write_series(falls, location, step(4, 12, STEP_AT))
    write_series(falls, sibling_location, step(4, 12, STEP_AT))
    from sustain.indicators.models import IndicatorValue

    IndicatorValue.objects.filter(location=sibling_location, period_start=month(10)).delete()
    services.detect_signals(organisation=org, until=UNTIL)
    assert set(Signal.objects.values_list("location_id", flat=True)) == {
        location.pk, sibling_location.pk}


def test_a_baseline_straddling_an_earlier_change_does_not_announce_it_again(
        org: Any, location: Any) -> None:
    """A step 20 months before the recent periods sits inside the later windows' baselines:
    the previous block was already in concern, so no new signal."""
    old = indicator(org, "older", name="Older step")
    write_series(old, location, step(4, 12, 20))
    services.detect_signals(organisation=org, until=UNTIL)
    assert not Signal.objects.filter(indicator=old).exists()


def test_weekly_series(org: Any, location: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from sustain.indicators.models import IndicatorValue, value_of

    weekly = indicator(org, "weekly-falls", name="Falls per 1,000 bed days (weekly)")
    weekly.frequency = "weekly"
    weekly.save()
    monday = dt.date(2026, 6, 8)
    for k in range(60):
        start = monday - dt.timedelta(weeks=60 - k)
        num = 12 if k >= 56 else 3
        IndicatorValue.objects.create(
            organisation=org, indicator=weekly, location=location, period_start=start,
            period_end=start + dt.timedelta(weeks=1), numerator=num, denominator=210,
            value=value_of(num, 210, 1000.0), computed_at=timezone.now())
    services.detect_signals(organisation=org, until=UNTIL)
    s = Signal.objects.get(indicator=weekly)
    assert s.direction == "concern" and "from the week of" in s.explanation
