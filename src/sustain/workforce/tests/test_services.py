"""Workforce services: validation names the field and writes nothing; history is recorded;
overdue supervision and briefing coverage read the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.people.tests.factories import StaffFactory
from sustain.workforce import selectors, services
from sustain.workforce.models import (
    Attestation,
    Briefing,
    CompetencyAssessment,
    Supervision,
    TrainingRecord,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _supervision(location: Any, supervisor: Any, supervisee: Any, actor: Any = "test",
                 **fields: Any) -> Supervision:
    return services.supervision_create(actor=actor, organisation=location.organisation,
                                       location=location, supervisor=supervisor,
                                       supervisee=supervisee, **fields)


def test_supervision_defaults_next_due_to_eight_weeks_and_records_history(
        location: Any, staff: Any, make_user: Any, theme: Any) -> None:
    manager = make_user(location.organisation, "registered_manager", location=location)
    day = TODAY - dt.timedelta(days=3)
    record = _supervision(location, staff("Ann"), staff("Bob"), actor=manager, date=day,
                          themes=[theme], topics="MAR gaps", external_ref="SUP-1")
    assert record.next_due == day + dt.timedelta(weeks=8)
    assert list(record.themes.all()) == [theme]
    assert HistoryEntry.objects.filter(object_uuid=record.uuid, action="create").exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"date": TODAY + dt.timedelta(days=1)}, "date"),
    ({"next_due": TODAY - dt.timedelta(days=10)}, "next_due"),
    ({"same": True}, "supervisee"),
    ({"external_ref": "DUP"}, "external_ref"),
])
def test_supervision_refusals_name_the_field_and_write_nothing(
        location: Any, staff: Any, change: dict[str, Any], field: str) -> None:
    ann, bob = staff("Ann"), staff("Bob")
    _supervision(location, ann, bob, date=TODAY - dt.timedelta(days=30), external_ref="DUP")
    before = (Supervision.objects.count(), HistoryEntry.objects.count())
    same = change.pop("same", False)
    with pytest.raises(InvalidInput) as info:
        _supervision(location, ann, ann if same else bob,
                     **({"date": TODAY - dt.timedelta(days=2)} | change))
    assert field in info.value.errors
    assert (Supervision.objects.count(), HistoryEntry.objects.count()) == before


def test_supervision_refuses_staff_elsewhere_or_not_working_then(
        location: Any, sibling_location: Any, foreign_location: Any, staff: Any) -> None:
    elsewhere = StaffFactory(organisation=location.organisation, locations=[sibling_location])
    foreign = StaffFactory(organisation=foreign_location.organisation,
                           locations=[foreign_location])
    leaver = staff("Lee", leaving_date=TODAY - dt.timedelta(days=60))
    day = TODAY - dt.timedelta(days=5)
    for supervisee in (elsewhere, foreign, leaver):
        with pytest.raises(InvalidInput) as info:
            _supervision(location, staff(), supervisee, date=day)
        assert "supervisee" in info.value.errors
    assert not Supervision.objects.exists()


def test_permission_needs_workforce_change_at_the_location(
        location: Any, staff: Any, make_user: Any) -> None:
    carer = make_user(location.organisation, "care_staff", location=location)
    with pytest.raises(PermissionDenied):
        _supervision(location, staff(), staff(), actor=carer, date=TODAY)
    assert not Supervision.objects.exists()


def test_overdue_supervision_per_location(location: Any, staff: Any) -> None:
    late, fine, never, new = (staff("Late"), staff("Fine"), staff("Never"),
                              staff("New", start=TODAY - dt.timedelta(days=7)))
    staff("Gone", leaving_date=TODAY - dt.timedelta(days=1))
    boss = staff("Boss")
    _supervision(location, boss, late, date=TODAY - dt.timedelta(weeks=12))
    _supervision(location, boss, late, date=TODAY - dt.timedelta(weeks=10))
    _supervision(location, boss, fine, date=TODAY - dt.timedelta(weeks=2))
    _supervision(location, late, boss, date=TODAY - dt.timedelta(weeks=1))
    rows = {r.staff.full_name: r.status for r in selectors.supervision_statuses(location, TODAY)}
    assert set(rows) == {"Late", "Fine", "Never", "New", "Boss"}
    assert rows["Late"].overdue and rows["Late"].days_overdue == 14
    assert rows["Never"].overdue and rows["Never"].basis == "probation"
    assert not rows["Fine"].overdue and not rows["New"].overdue and not rows["Boss"].overdue
    first = selectors.supervision_statuses(location, TODAY)[0]
    assert first.staff == never  # started 2023: longest overdue
    assert selectors.staff_supervision_status(new, TODAY).overdue is False


def test_competency_and_training(location: Any, staff: Any) -> None:
    ann, bob = staff("Ann"), staff("Bob")
    org = location.organisation
    with pytest.raises(InvalidInput) as info:
        services.competency_assessment_create(
            actor="test", organisation=org, location=location, assessment_type="other",
            assessor=ann, staff=bob, date=TODAY, outcome="competent")
    assert "other_type" in info.value.errors
    done = services.competency_assessment_create(
        actor="test", organisation=org, location=location, assessment_type="other",
        other_type="PEG feeding", assessor=ann, staff=bob, date=TODAY, outcome="needs_support")
    assert done.type_label == "PEG feeding"
    with pytest.raises(InvalidInput) as info:
        services.training_record_create(actor="test", organisation=org, location=location,
                                        staff=bob, course="Fire", completed_on=TODAY,
                                        expires_on=TODAY - dt.timedelta(days=1))
    assert "expires_on" in info.value.errors
    assert not TrainingRecord.objects.exists()
    assert CompetencyAssessment.objects.count() == 1


def _briefing(theme: Any, **fields: Any) -> Briefing:
    return services.briefing_create(
        actor="test", organisation=theme.organisation, location=theme.location, theme=theme,
        title="End-of-shift MAR checks", what_changed="Every MAR chart checked at handover.",
        why="Omissions went unnoticed for days.", what_good_looks_like="No gap past a shift.",
        delivered_via="team_meeting", **fields)


def test_attestation_self_or_manager_and_once(location: Any, staff: Any, theme: Any,
                                              make_user: Any) -> None:
    briefing = _briefing(theme)
    carer_user = make_user(location.organisation, "care_staff", location=location)
    me, other = staff("Me", user=carer_user), staff("Other")
    with pytest.raises(InvalidInput) as info:
        services.attestation_create(actor=carer_user, organisation=location.organisation,
                                    briefing=briefing, staff=me, statement_confirmed=False)
    assert "statement_confirmed" in info.value.errors
    with pytest.raises(PermissionDenied):
        services.attestation_create(actor=carer_user, organisation=location.organisation,
                                    briefing=briefing, staff=other, statement_confirmed=True)
    mine = services.attestation_create(actor=carer_user, organisation=location.organisation,
                                       briefing=briefing, staff=me, statement_confirmed=True,
                                       short_answer=" We check every chart. ")
    assert not mine.recorded_by_manager and mine.short_answer == "We check every chart."
    with pytest.raises(InvalidInput) as info:
        services.attestation_create(actor=carer_user, organisation=location.organisation,
                                    briefing=briefing, staff=me, statement_confirmed=True)
    assert "staff" in info.value.errors
    manager = make_user(location.organisation, "deputy_manager", location=location)
    theirs = services.attestation_create(actor=manager, organisation=location.organisation,
                                         briefing=briefing, staff=other,
                                         statement_confirmed=True)
    assert theirs.recorded_by_manager
    assert Attestation.objects.count() == 2


def test_briefing_refuses_future_and_other_location(location: Any, sibling_location: Any,
                                                    theme: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        _briefing(theme, delivered_at=timezone.now() + dt.timedelta(hours=2))
    assert "delivered_at" in info.value.errors
    with pytest.raises(InvalidInput) as info:
        services.briefing_create(actor="test", organisation=theme.organisation,
                                 location=sibling_location, theme=theme, title="x",
                                 what_changed="x", why="x", what_good_looks_like="x",
                                 delivered_via="handover")
    assert "theme" in info.value.errors
    assert not Briefing.objects.exists()


def test_coverage_and_new_starters(location: Any, staff: Any, theme: Any) -> None:
    old_a, old_b = staff("Old A"), staff("Old B")
    staff("Leaver", leaving_date=TODAY - dt.timedelta(days=3))
    briefing = _briefing(theme, delivered_at=timezone.now() - dt.timedelta(days=20))
    newbie = staff("Newbie", start=TODAY - dt.timedelta(days=5))
    services.attestation_create(actor="test", organisation=location.organisation,
                                briefing=briefing, staff=old_a, statement_confirmed=True)
    result = selectors.theme_coverage(theme, TODAY)
    assert result.coverage.total == 3 and result.coverage.percent == 33.3
    assert result.not_attested == [old_b, newbie]
    assert result.new_starters == [newbie]
    assert [t.theme for t in selectors.location_coverage(
        location, type(theme).objects.all(), TODAY)] == [theme]
    assert selectors.themes_not_briefed_for(newbie, type(theme).objects.all(), TODAY) == [theme]
    assert selectors.themes_not_briefed_for(old_a, type(theme).objects.all(), TODAY) == []


def test_unparsed_date_is_refused_by_field_not_crash(location: Any, staff: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        _supervision(location, staff(), staff(), date="31/02/2026")
    assert "date" in info.value.errors or "next_due" in info.value.errors
    assert not Supervision.objects.exists()


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_junk = st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 10**6),
                  st.dates(min_value=TODAY + dt.timedelta(days=1)))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(date=_junk, next_due=_junk, course=st.one_of(st.just(""), st.text(max_size=3)))
def test_bad_rows_are_refused_without_crash_or_write(location: Any, staff: Any, date: Any,
                                                     next_due: Any, course: str) -> None:
    """Row-level creates as an import calls them: any bad value is refused by field."""
    ann = StaffFactory(organisation=location.organisation, locations=[location])
    before = (Supervision.objects.count(), TrainingRecord.objects.count())
    with pytest.raises(InvalidInput) as info:
        _supervision(location, ann, ann, date=date, next_due=next_due)
    assert info.value.errors
    with pytest.raises(InvalidInput):
        services.training_record_create(actor="test", organisation=location.organisation,
                                        location=location, staff=ann, course=course or "",
                                        completed_on=date, expires_on=next_due)
    assert (Supervision.objects.count(), TrainingRecord.objects.count()) == before
