"""compute_values: library install, values for every location and completed period,
idempotent re-runs, updates when records change, one history entry per indicator per run, the
job record and the management command; imported values; the drill-down."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from sustain.core.errors import InvalidInput
from sustain.core.models import HistoryEntry
from sustain.governance.models import JobRun
from sustain.incidents.models import Incident
from sustain.indicators import selectors, services, tasks
from sustain.indicators.library import load_library
from sustain.indicators.models import Indicator, IndicatorValue
from sustain.people.tests.factories import PersonFactory

LONDON = ZoneInfo("Europe/London")
UNTIL = dt.date(2026, 4, 10)

pytestmark = pytest.mark.django_db


def fall(location: Any, day: dt.date) -> Incident:
    return Incident.objects.create(organisation=location.organisation, location=location,
                                   type="fall", severity="no_harm",
                                   occurred_at=dt.datetime(day.year, day.month, day.day, 10,
                                                           tzinfo=LONDON))


def values(code: str, location: Any) -> dict[dt.date, tuple[int, int, float | None]]:
    return {v.period_start: (v.numerator, v.denominator, v.value) for v in
            IndicatorValue.objects.filter(indicator__code=code, location=location)}


def test_periods() -> None:
    months = services.completed_periods("monthly", dt.date(2026, 1, 31), 3)
    assert [(p.start, p.end) for p in months] == [
        (dt.date(2025, 10, 1), dt.date(2025, 11, 1)), (dt.date(2025, 11, 1), dt.date(2025, 12, 1)),
        (dt.date(2025, 12, 1), dt.date(2026, 1, 1))]
    weeks = services.completed_periods("weekly", dt.date(2026, 3, 4), 2)  # a Wednesday
    assert [(p.start, p.end) for p in weeks] == [
        (dt.date(2026, 2, 16), dt.date(2026, 2, 23)), (dt.date(2026, 2, 23), dt.date(2026, 3, 2))]


def test_compute_is_idempotent_and_updates_changed_values(org: Any, location: Any,
                                                          sibling_location: Any) -> None:
    PersonFactory(location=location, admission_date=dt.date(2020, 1, 1))
    PersonFactory(location=location, admission_date=dt.date(2026, 3, 17))
    fall(location, dt.date(2026, 3, 2))
    fall(location, dt.date(2026, 3, 20))
    first = services.compute_values(organisation=org, until=UNTIL, months=3, weeks=2)
    library = load_library().indicators
    computed = [d for d in library if d.source == "computed"]
    assert first.installed == len(library)
    assert Indicator.objects.filter(organisation=org).count() == len(library)
    per_location = sum(2 if d.frequency == "weekly" else
                       (2 if d.code == "feedback-unanswered-30d" else 3) for d in computed)
    assert first.created == 2 * per_location and first.updated == 0
    falls = values("falls-rate", location)
    assert falls[dt.date(2026, 3, 1)] == (2, 31 + 15, 2 / 46 * 1000)
    assert falls[dt.date(2026, 1, 1)] == (0, 31, 0.0)
    assert values("falls-rate", sibling_location)[dt.date(2026, 3, 1)] == (0, 0, None)
    # feedback needs 30 days after the period: March (ends 1 Apr) is not complete on 10 Apr.
    assert set(values("feedback-unanswered-30d", location)) == {dt.date(2026, 1, 1),
                                                                 dt.date(2026, 2, 1)}
    entries = HistoryEntry.objects.filter(organisation=org).count()

    again = services.compute_values(organisation=org, until=UNTIL, months=3, weeks=2)
    assert (again.created, again.updated, again.installed) == (0, 0, 0)
    assert again.unchanged == first.created
    assert HistoryEntry.objects.filter(organisation=org).count() == entries

    fall(location, dt.date(2026, 3, 25))
    third = services.compute_values(organisation=org, until=UNTIL, months=3, weeks=2)
    assert (third.created, third.updated) == (0, 1)
    assert values("falls-rate", location)[dt.date(2026, 3, 1)] == (3, 46, 3 / 46 * 1000)
    falls_ind = Indicator.objects.get(organisation=org, code="falls-rate")
    latest = HistoryEntry.objects.filter(organisation=org).order_by("-seq").first()
    assert latest is not None and latest.object_uuid == falls_ind.uuid
    assert latest.message == ("Computed 0 new values and updated 1, periods from "
                              "1 Jan 2026 to 1 Mar 2026.")
    assert HistoryEntry.objects.filter(organisation=org).count() == entries + 1


def test_archived_indicator_is_not_computed_nor_reinstalled(org: Any, location: Any) -> None:
    services.library_install(actor="test", organisation=org)
    Indicator.objects.filter(organisation=org, code="complaints").update(
        archived_at=dt.datetime(2026, 1, 1, tzinfo=LONDON))
    services.compute_values(organisation=org, until=UNTIL, months=2)
    assert not IndicatorValue.objects.filter(indicator__code="complaints").exists()
    assert Indicator.objects.filter(organisation=org, code="complaints").count() == 1


def test_other_organisations_are_computed_apart(org: Any, location: Any,
                                                foreign_location: Any) -> None:
    PersonFactory(location=foreign_location, admission_date=dt.date(2020, 1, 1))
    fall(foreign_location, dt.date(2026, 3, 3))
    services.compute_values(until=UNTIL, months=1)
    assert values("falls-rate", foreign_location) == {dt.date(2026, 3, 1): (1, 31, 1000 / 31)}
    assert values("falls-rate", location) == {dt.date(2026, 3, 1): (0, 0, None)}
    ours = Indicator.objects.get(organisation=org, code="falls-rate")
    assert not IndicatorValue.objects.filter(indicator=ours, location=foreign_location).exists()


def test_job_and_command_are_recorded(org: Any, location: Any) -> None:
    tasks.compute(until=UNTIL)
    run = JobRun.objects.get(name="indicators.compute")
    assert run.outcome == JobRun.Outcome.SUCCEEDED and run.counts["created"] > 0
    out = io.StringIO()
    call_command("indicators", "compute", "--until", UNTIL.isoformat(), stdout=out)
    assert "0 values created, 0 updated" in out.getvalue()
    assert JobRun.objects.filter(name="indicators.compute").count() == 2


def test_records_behind_a_value(org: Any, location: Any) -> None:
    PersonFactory(location=location, admission_date=dt.date(2020, 1, 1))
    inside = fall(location, dt.date(2026, 3, 31))
    fall(location, dt.date(2026, 4, 1))
    services.compute_values(organisation=org, until=UNTIL, months=1)
    value = IndicatorValue.objects.get(indicator__code="falls-rate", location=location)
    behind = selectors.records_behind(value)
    assert behind.label == "falls"
    assert behind.records is not None and list(behind.records) == [inside]
    assert behind.records.count() == value.numerator


def test_imported_values(org: Any, location: Any, make_user: Any) -> None:
    services.library_install(actor="test", organisation=org)
    agency = Indicator.objects.get(organisation=org, code="agency-hours")
    manager = make_user(org, "registered_manager", location=location)
    row = services.ImportedValue(location, dt.date(2026, 3, 14), 120, 1600)
    result = services.values_import(actor=manager, indicator=agency, values=[row])
    assert result.created == 1
    assert values("agency-hours", location) == {dt.date(2026, 3, 1): (120, 1600, 7.5)}
    value = IndicatorValue.objects.get(indicator=agency)
    assert value.source == "imported" and value.period_end == dt.date(2026, 4, 1)
    assert selectors.records_behind(value).records is None
    assert services.values_import(actor=manager, indicator=agency, values=[row]).created == 0
    falls = Indicator.objects.get(organisation=org, code="falls-rate")
    with pytest.raises(InvalidInput):
        services.values_import(actor=manager, indicator=falls, values=[row])
    assert not IndicatorValue.objects.filter(indicator=falls).exists()


def test_queries_do_not_grow_with_records(org: Any, location: Any,
                                          sibling_location: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.library_install(actor="test", organisation=org)
    PersonFactory(location=location, admission_date=dt.date(2020, 1, 1))
    fall(location, dt.date(2026, 3, 2))
    with CaptureQueriesContext(connection) as few:
        services.compute_values(organisation=org, until=UNTIL, months=3, weeks=2)
    for n in range(30):
        PersonFactory(location=sibling_location if n % 2 else location,
                      admission_date=dt.date(2025, 1 + n % 12, 1))
        fall(sibling_location if n % 3 else location, dt.date(2026, 1 + n % 3, 1 + n % 28))
    IndicatorValue.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        services.compute_values(organisation=org, until=UNTIL, months=3, weeks=2)
    assert len(many) == len(few)
