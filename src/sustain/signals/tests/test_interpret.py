"""interpret: permission, field errors, place of theme and action, only open concerns,
history; selectors; "My work"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.signals import selectors, services
from sustain.signals.models import Signal
from sustain.signals.tests.factories import make_signal
from sustain.signals.work import signal_items
from sustain.themes.tests.factories import ThemeFactory

pytestmark = pytest.mark.django_db

MEANING = "Falls rose after two residents with high falls risk were admitted in March."
RESPONSE = "Falls huddles daily; physio review of both residents booked for this week."


def test_interpret_records_who_when_and_history(falls: Any, location: Any,
                                                manager: Any) -> None:
    s = make_signal(falls, location, owner=manager)
    theme = ThemeFactory(organisation=location.organisation, location=location)
    done = services.interpret(actor=manager, signal=s, meaning=MEANING, response=RESPONSE,
                              theme=theme)
    assert (done.status, done.meaning, done.theme, done.interpreted_by) == (
        "interpreted", MEANING, theme, manager)
    assert done.interpreted_at is not None
    entry = HistoryEntry.objects.filter(object_uuid=s.uuid, action="update").get()
    assert entry.message == "Interpreted."


def test_short_text_is_refused_by_field_and_changes_nothing(falls: Any, location: Any,
                                                            manager: Any) -> None:
    s = make_signal(falls, location)
    with pytest.raises(InvalidInput) as exc:
        services.interpret(actor=manager, signal=s, meaning="Chance", response=" ")
    assert set(exc.value.errors) == {"meaning", "response"}
    assert "20 characters" in exc.value.errors["meaning"][0]
    s.refresh_from_db()
    assert s.status == "open"


def test_theme_elsewhere_is_refused(falls: Any, location: Any, sibling_location: Any,
                                    manager: Any) -> None:
    s = make_signal(falls, location)
    elsewhere = ThemeFactory(organisation=location.organisation, location=sibling_location)
    with pytest.raises(InvalidInput) as exc:
        services.interpret(actor=manager, signal=s, meaning=MEANING, response=RESPONSE,
                           theme=elsewhere)
    assert list(exc.value.errors) == ["theme"]


def test_permission_is_needed_at_the_location(falls: Any, location: Any, carer: Any,
                                              make_user: Any, org: Any,
                                              sibling_location: Any) -> None:
    s = make_signal(falls, location)
    other_manager = make_user(org, "registered_manager", location=sibling_location)
    for actor in (carer, other_manager):
        with pytest.raises(PermissionDenied):
            services.interpret(actor=actor, signal=s, meaning=MEANING, response=RESPONSE)


def test_only_open_concern_signals_are_interpreted(falls: Any, location: Any,
                                                   manager: Any) -> None:
    improvement = make_signal(falls, location, direction="improvement")
    with pytest.raises(InvalidInput):
        services.interpret(actor=manager, signal=improvement, meaning=MEANING,
                           response=RESPONSE)
    done = services.interpret(actor=manager, signal=make_signal(falls, location),
                              meaning=MEANING, response=RESPONSE)
    with pytest.raises(InvalidInput):
        services.interpret(actor=manager, signal=done, meaning=MEANING, response=RESPONSE)


def test_selectors(falls: Any, location: Any, sibling_location: Any, manager: Any,
                   quality_lead: Any) -> None:
    late = make_signal(falls, location, raised_days_ago=9)
    soon = make_signal(falls, location, period=dt.date(2026, 4, 1))
    make_signal(falls, location, period=dt.date(2026, 5, 1), direction="improvement")
    make_signal(falls, sibling_location)
    ids = [location.pk, sibling_location.pk]
    assert selectors.open_concerns(ids) == {location.pk: 2, sibling_location.pk: 1}
    assert selectors.overdue_count(ids) == {location.pk: 1}
    assert list(selectors.awaiting(manager)) == [late, soon]
    assert len(selectors.awaiting(quality_lead)) == 3
    assert list(selectors.awaiting(quality_lead, [sibling_location.pk])) != []


def test_my_work_lists_the_owners_open_concern_signals(falls: Any, location: Any,
                                                       manager: Any) -> None:
    s = make_signal(falls, location, owner=manager, raised_days_ago=8)
    make_signal(falls, location, owner=manager, direction="improvement",
                period=dt.date(2026, 4, 1))
    today = timezone.localdate()
    items = signal_items(manager, today, today + dt.timedelta(days=30))
    assert [i.record_id for i in items] == [s.uuid]
    assert items[0].status == "overdue"
    assert items[0].url == f"/signals/{s.uuid}/"
    s.status = Signal.Status.INTERPRETED
    s.save()
    assert signal_items(manager, today, today + dt.timedelta(days=30)) == []
