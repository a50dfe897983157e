"""The `indicator_signal` adapter and the shipped rule end to end: a concern signal past its
interpretation deadline is "uninterpreted" and raises the quality lead's review task at any
location; interpreting it withdraws the firing and its task (the engine's withdrawal)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.escalations import records as rec_io
from sustain.escalations import services as esc
from sustain.escalations.models import EscalationTask, Firing
from sustain.signals import services as signal_services
from sustain.signals.tests.conftest import indicator
from sustain.signals.tests.factories import make_signal

pytestmark = pytest.mark.django_db

MEANING = "Falls rose after two residents with high falls risk were admitted in March."
RESPONSE = "Falls huddles daily; physio review of both residents booked for this week."


def test_adapter_names_the_signal_state(org: Any, location: Any) -> None:
    falls = indicator(org)
    fresh = make_signal(falls, location)
    late = make_signal(falls, location, raised_days_ago=10, period=dt.date(2026, 4, 1))
    better = make_signal(falls, location, direction="improvement", period=dt.date(2026, 5, 1))
    now = timezone.now()
    recs = {r.id: r for r in rec_io.load("indicator_signal", location,
                                         now - dt.timedelta(days=90), now)}
    assert recs[str(fresh.uuid)].fields["signal"] == "concern"
    assert recs[str(late.uuid)].fields["signal"] == "uninterpreted"
    assert recs[str(late.uuid)].at == late.due_at
    assert recs[str(better.uuid)].fields["signal"] == "improvement"
    # the same Rec from the instance (on write) and from the row (the sweep)
    inst = rec_io.recs_from_instance("signals.signal", fresh, location)[0]
    assert inst == recs[str(fresh.uuid)]
    # an evaluation at an earlier time sees the late one as still within its deadline
    before = rec_io.load("indicator_signal", location, now - dt.timedelta(days=90),
                         now - dt.timedelta(days=5))
    assert {r.fields["signal"] for r in before} == {"concern"}


def test_uninterpreted_signal_raises_a_review_task_and_interpreting_withdraws_it(
        org: Any, location: Any, make_user: Any) -> None:
    manager = make_user(org, "registered_manager", location=location)
    lead = make_user(org, "quality_lead", scope="organisation")
    falls = indicator(org)
    assert signal_services.install_rule(org)
    s = make_signal(falls, location, raised_days_ago=3, owner=manager)
    esc.sweep(organisation=org)
    assert not Firing.objects.exists()  # not due yet
    s.due_at = timezone.now() - dt.timedelta(hours=2)
    s.save()
    esc.sweep(organisation=org)
    firing = Firing.objects.get()
    task = EscalationTask.objects.get(firing=firing)
    assert (firing.rule_code, task.title, task.owner) == (
        "uninterpreted-signal", "Review the unexplained signal", lead)
    assert "not interpreted in time" in firing.explanation
    s.refresh_from_db()
    signal_services.interpret(actor=manager, signal=s, meaning=MEANING, response=RESPONSE)
    firing.refresh_from_db()
    task.refresh_from_db()
    assert firing.status == "withdrawn" and task.status == "withdrawn"
    assert "no longer signals a concern not interpreted in time" in firing.withdrawn_reason
