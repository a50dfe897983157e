"""The governance calendar feeds the embedding map: an occurrence completed in the cycle, of a
cadence created for the theme (or, not linked to a theme, from the theme's playbook at the
theme's location), puts the theme in the `governance_calendar` channel, once per occurrence,
labelled with the cadence's title; open occurrences, other themes' cadences, other locations
and archived cadences do not count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from sustain.governance import services
from sustain.governance.models import Cadence
from sustain.playbooks.models import Playbook
from sustain.tenancy.tests.factories import LocationFactory
from sustain.themes import services as themes
from sustain.themes.embedding import observed_channels, records_by_theme
from sustain.themes.models import Theme

pytestmark = pytest.mark.django_db
SYSTEM = "governance-tests"
START = timezone.now() - dt.timedelta(weeks=3)


def _theme(org: Any, location: Any, title: str, playbook: Any = None) -> Theme:
    theme = themes.theme_create(actor=SYSTEM, organisation=org, location=location, title=title,
                                origin="inspection", as_of=dt.date(2026, 6, 1))
    if playbook is not None:
        Theme.objects.filter(pk=theme.pk).update(playbook=playbook)
        theme.refresh_from_db()
    return theme


def _weekly(manager: Any, org: Any, location: Any, title: str, **extra: Any) -> Cadence:
    cadence = services.cadence_create(
        actor=SYSTEM, organisation=org, location=location, title=title,
        owner_role="registered_manager", frequency="weekly", weekday=0, completes_with="note",
        generate=False, **extra)
    services.occurrences_generate(cadences=[cadence], start=START)
    return cadence


def _complete_past(manager: Any, cadence: Cadence, n: int) -> list[Any]:
    due = list(cadence.occurrences.filter(due_at__lte=timezone.now()).order_by("due_at")[:n])
    return [services.occurrence_complete(actor=SYSTEM, occurrence=o,
                                         reason="Checked on the floor; no record kept.")
            for o in due]


def _playbook() -> Playbook:
    return Playbook.objects.create(code="medicines-test", version=1, title="Medicines",
                                   source="shipped", checksum="0" * 64, raw="", content={})


def test_completed_occurrences_of_the_themes_cadences_count(manager: Any, org: Any,
                                                            location: Any) -> None:
    assert "governance_calendar" in observed_channels()
    playbook = _playbook()
    medicines = _theme(org, location, "Medicines", playbook)
    falls = _theme(org, location, "Falls")
    linked = _weekly(manager, org, location, "Weekly MAR audit", theme=medicines)
    from_playbook = _weekly(manager, org, location, "Monthly competency", playbook=playbook,
                            source=Cadence.Source.PLAYBOOK, playbook_code="medicines-test",
                            cadence_code="competency")
    manual_same_place = _weekly(manager, org, location, "Fire drill")
    elsewhere = LocationFactory(organisation=org)
    other_place = _weekly(manager, org, elsewhere, "Elsewhere", playbook=playbook,
                          source=Cadence.Source.PLAYBOOK, playbook_code="medicines-test",
                          cadence_code="competency")
    archived = _weekly(manager, org, location, "Old audit", theme=medicines)
    _complete_past(manager, linked, 2)
    _complete_past(manager, from_playbook, 1)
    _complete_past(manager, manual_same_place, 2)
    _complete_past(manager, other_place, 2)
    _complete_past(manager, archived, 1)
    services.cadence_archive(actor=manager, cadence=archived, reason="Replaced by a new one.")
    assert linked.occurrences.filter(status="open").exists()  # open ones do not count

    today = timezone.localdate()
    found = records_by_theme([medicines.pk, falls.pk], today - dt.timedelta(weeks=4), today)
    mine = sorted((r.channel, r.label, r.day) for r in found[medicines.pk]
                  if r.channel == "governance_calendar")
    assert [label for _, label, _ in mine].count("Governance calendar: Weekly MAR audit") == 2
    assert [label for _, label, _ in mine].count("Governance calendar: Monthly competency") == 1
    assert len(mine) == 3 and {d for *_, d in mine} == {today}
    url = next(r.url for r in found[medicines.pk] if r.channel == "governance_calendar")
    assert url == f"{reverse('governance:calendar')}?location={location.uuid}"
    assert not [r for r in found.get(falls.pk, []) if r.channel == "governance_calendar"]

    # Outside the dates: nothing.
    assert not records_by_theme([medicines.pk], today + dt.timedelta(days=1),
                                today + dt.timedelta(days=30)).get(medicines.pk)
