"""Record adapters: model rows as the engine's `Rec`s (public ids, times, fields the catalogue
names), archived rows left out, the location's shift times for safeguarding concerns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sustain.engine.escalation_records import RECORD_TYPES
from sustain.engine.timeliness import LONDON
from sustain.escalations import records
from sustain.escalations.tests.conftest import (
    days_ago,
    discrepancy_check,
    mismatch_review,
    supervision,
)

pytestmark = pytest.mark.django_db

LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def test_every_catalogue_type_has_an_adapter_and_supplies_only_catalogue_fields(
        org: Any, location: Any, alex: Any, blake: Any, person: Any) -> None:
    from sustain.feedback.services import visit_create

    assert set(records.ADAPTERS) == set(RECORD_TYPES) - {"note"}
    discrepancy_check(org, location, days_ago(3), alex, blake)
    mismatch_review(org, location, days_ago(3), person, alex)
    supervision(org, location, days_ago(2), alex, blake)
    visit_create(actor="test", organisation=org, location=location, visitor=blake,
                 date=days_ago(1), type="observation", looked_at="Lunch")
    seen = set()
    for code in RECORD_TYPES:
        if code == "note":
            continue
        for rec in records.load(code, location, LONG_AGO):
            seen.add(code)
            assert set(rec.fields) <= set(RECORD_TYPES[code].fields), code
            assert rec.at.tzinfo is not None and rec.location_id == str(location.uuid)
            assert rec.label
    assert seen >= {"medicines_discrepancy", "care_plan_review", "supervision", "visit",
                    "observation"}


def test_discrepancy_rec_uses_public_ids_and_the_shift_start(
        org: Any, location: Any, alex: Any, blake: Any) -> None:
    check = discrepancy_check(org, location, dt.date(2026, 3, 3), alex, blake, shift="night")
    [rec] = records.load("medicines_discrepancy", location, LONG_AGO)
    d = check.discrepancies.get()
    assert rec.id == str(d.uuid) and rec.fields["staff_member"] == str(alex.uuid)
    assert rec.at == dt.datetime(2026, 3, 3, 20, 0, tzinfo=LONDON)
    assert rec.fields["shift"] == "night"
    assert rec.label == "MAR discrepancy (omission) on 3 Mar 2026, night shift, Alex Carer"


def test_archived_records_and_discrepancies_of_an_archived_check_are_left_out(
        org: Any, location: Any, alex: Any, blake: Any) -> None:
    from sustain.medicines.services import medicines_check_archive
    from sustain.workforce.services import supervision_archive

    check = discrepancy_check(org, location, days_ago(4), alex, blake)
    kept = discrepancy_check(org, location, days_ago(3), alex, blake)
    medicines_check_archive(actor="test", check=check, reason="Error")
    assert [r.id for r in records.load("medicines_discrepancy", location, LONG_AGO)] == [
        str(kept.discrepancies.get().uuid)]
    s = supervision(org, location, days_ago(2), alex, blake)
    assert len(records.load("supervision", location, LONG_AGO)) == 1
    supervision_archive(actor="test", supervision=s, reason="Entered twice by mistake")
    assert records.load("supervision", location, LONG_AGO) == []


def test_the_window_bounds_what_is_read(org: Any, location: Any, alex: Any,
                                        blake: Any) -> None:
    for n in (40, 20, 5):
        discrepancy_check(org, location, days_ago(n), alex, blake)
    since = dt.datetime.combine(days_ago(21), dt.time(0, 0), tzinfo=LONDON)
    assert len(records.load("medicines_discrepancy", location, since)) == 2


def test_a_safeguarding_concern_carries_the_end_of_its_shift(
        org: Any, location: Any, alex: Any, person: Any) -> None:
    from sustain.safeguarding.services import safeguarding_concern_create
    from sustain.tenancy.models import Location

    Location.objects.filter(pk=location.pk).update(day_shift_start=dt.time(7, 0),
                                                   night_shift_start=dt.time(19, 0))
    location.refresh_from_db()
    raised = dt.datetime.combine(days_ago(2), dt.time(10, 0), tzinfo=LONDON)
    concern = safeguarding_concern_create(
        actor="test", organisation=org, location=location, raised_at=raised, raised_by=alex,
        person=person, category="neglect", description="Seen")
    [rec] = records.load("safeguarding_concern", location, LONG_AGO)
    assert rec.id == str(concern.uuid)
    assert rec.fields["shift_end"] == dt.datetime.combine(days_ago(2), dt.time(19, 0),
                                                          tzinfo=LONDON)
    assert rec.fields["shift_lead_notified_at"] is None


def test_a_visit_is_an_observation_only_when_it_is_one(org: Any, location: Any,
                                                       blake: Any) -> None:
    from sustain.feedback.services import visit_create

    spot = visit_create(actor="test", organisation=org, location=location, visitor=blake,
                        date=days_ago(1), type="spot_check", looked_at="MAR")
    assert [r.type for r in records.recs_from_instance("feedback.visit", spot, location)] == [
        "visit"]
    seen = visit_create(actor="test", organisation=org, location=location, visitor=blake,
                        date=days_ago(1), type="observation", looked_at="Lunch")
    assert sorted(r.type for r in records.recs_from_instance("feedback.visit", seen,
                                                              location)) == [
        "observation", "visit"]
    assert records.types_of_model("medicines.medicinescheck") == ("medicines_discrepancy",)


def test_load_one_finds_a_record_of_the_organisation_only(
        org: Any, other_org: Any, location: Any, alex: Any, blake: Any) -> None:
    s = supervision(org, location, days_ago(1), alex, blake)
    found = records.load_one("supervision", org.pk, s.uuid)
    assert found is not None and found[1].id == str(s.uuid)
    assert records.load_one("supervision", other_org.pk, s.uuid) is None
    assert records.load_one("training", org.pk, s.uuid) is None
    assert records.load_one("supervision", org.pk, "not-a-uuid") is None


def test_types_changed_leaves_out_writes_that_cannot_move_a_record() -> None:
    check = "medicines.medicinescheck"
    assert records.types_changed(check, "create") == ()  # no discrepancies yet
    assert records.types_changed(check, "update", {"charts_checked", "notes"}) == ()
    assert records.types_changed(check, "update", {"check_date"}) == ("medicines_discrepancy",)
    assert records.types_changed(check, "update", None) == ("medicines_discrepancy",)
    assert records.types_changed(check, "archive") == ("medicines_discrepancy",)
    assert records.types_changed("medicines.discrepancy", "create") == (
        "medicines_discrepancy",)
    assert records.types_changed("workforce.supervision", "update", {"topics"}) == (
        "supervision",)


def test_sweep_rows_and_written_instances_give_identical_recs(
        org: Any, location: Any, alex: Any, blake: Any, person: Any) -> None:
    """`load` reads columns (`values_list`), the on-write path model instances: the same rows
    give the same `Rec`s, field for field, for every type (null foreign keys included)."""
    from django.apps import apps

    from sustain.feedback.services import visit_create
    from sustain.governance.models import Cadence, Occurrence
    from sustain.incidents.models import Complaint, Incident
    from sustain.meetings.services import meeting_create
    from sustain.safeguarding.models import SafeguardingConcern
    from sustain.themes.tests.factories import ActionFactory, AuditFactory, ThemeFactory
    from sustain.workforce.services import (
        competency_assessment_create,
        training_record_create,
    )

    when = dt.datetime.combine(days_ago(4), dt.time(14, 30), tzinfo=LONDON)
    discrepancy_check(org, location, days_ago(3), alex, blake, shift="night")
    discrepancy_check(org, location, days_ago(2), None, blake)          # no one named
    mismatch_review(org, location, days_ago(3), person, alex)
    supervision(org, location, days_ago(2), alex, blake)
    for about in (person, None):
        Incident.objects.create(organisation=org, location=location, type="fall",
                                severity="no_harm", person=about, description="Fell",
                                immediate_action="Checked", occurred_at=when)
        Complaint.objects.create(organisation=org, location=location, person=about,
                                 category="care", received_on=days_ago(5),
                                 response_due=days_ago(-20))
    SafeguardingConcern.objects.create(
        organisation=org, location=location, raised_at=when, raised_by=alex, person=person,
        category="neglect", description="Bruise",
        shift_lead_notified_at=when + dt.timedelta(hours=1))
    theme = ThemeFactory(location=location, organisation=org)
    AuditFactory(theme=theme, completed_at=when)
    AuditFactory(theme=None, location=location, organisation=org, completed_at=when,
                 score=None, passed=None, is_reaudit=False)
    ActionFactory(theme=theme, due_date=days_ago(1), owner=None)
    cadence = Cadence.objects.create(organisation=org, location=location, title="Walk-round",
                                     frequency="weekly", weekday=0, theme=theme,
                                     owner_role="registered_manager")
    Occurrence.objects.create(organisation=org, location=location, cadence=cadence,
                              due_at=when, window_start=when - dt.timedelta(days=7))
    competency_assessment_create(actor="test", organisation=org, location=location,
                                 staff=alex, assessor=blake, date=days_ago(2),
                                 assessment_type="medicines_administration", outcome="competent")
    training_record_create(actor="test", organisation=org, location=location, staff=alex,
                           course="Medicines", completed_on=days_ago(2))
    visit_create(actor="test", organisation=org, location=location, visitor=blake,
                 date=days_ago(1), type="observation", looked_at="Lunch", staff_observed=alex)
    visit_create(actor="test", organisation=org, location=location, visitor=blake,
                 date=days_ago(1), type="observation", looked_at="Tea")
    meeting_create(actor="test", organisation=org, location=location,
                   meeting_type="team_meeting", held_on=days_ago(6))

    from sustain.signals.tests.conftest import indicator
    from sustain.signals.tests.factories import make_signal

    falls = indicator(org)  # an overdue concern (uninterpreted) and an improvement
    make_signal(falls, location, raised_days_ago=10)
    make_signal(falls, location, raised_days_ago=3, direction="improvement",
                period=dt.date(2026, 4, 1))

    for code, adapter in records.ADAPTERS.items():
        assert adapter.columns, code
        model = apps.get_model(adapter.model)
        from_rows = records.load(code, location, LONG_AGO)
        from_instances = sorted(
            (rec for obj in model.objects.filter(location=location)
             for rec in records.recs_from_instance(adapter.model, obj, location)
             if rec.type == code), key=lambda r: (r.at, r.id))
        assert from_rows, code
        assert from_rows == from_instances, code
        for rec in from_rows:  # and `rec_from_instance` (the row's own location)
            obj = model.objects.get(uuid=rec.id)
            assert rec in records.recs_from_instance(adapter.model, obj, obj.location)
