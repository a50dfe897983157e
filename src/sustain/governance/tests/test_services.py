"""Cadences and occurrences through the services: refusals by field, generation on the horizon
(idempotent), missed marking (idempotent), completion by records written (medicines checks,
audits, visits, supervisions) and by hand, and playbook instantiation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.audits import services as audit_services
from sustain.audits.tests.factories import ANALYSIS, CarePlanTemplateFactory
from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.engine.cadence_rules import LONDON, occurrences_between
from sustain.feedback import services as feedback_services
from sustain.governance import services
from sustain.governance.models import Cadence, Occurrence
from sustain.medicines import services as medicines_services
from sustain.people import services as people_services
from sustain.playbooks.models import Playbook
from sustain.playbooks.services import playbook_apply, playbooks_load
from sustain.themes import services as theme_services

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _base(**over: Any) -> dict[str, Any]:
    return {"title": "Monthly quality review", "owner_role": "registered_manager",
            "frequency": "monthly", "completes_with": "note", **over}


def _writes() -> tuple[int, int, int]:
    return Cadence.objects.count(), Occurrence.objects.count(), HistoryEntry.objects.count()


@pytest.mark.parametrize(("over", "fields"), [
    ({"owner_role": ""}, {"owner_role", "owner_person"}),
    ({"frequency": "annually", "month": 2, "day_of_month": 31}, {"day_of_month"}),
    ({"frequency": "monthly", "day_of_month": 0}, {"day_of_month"}),
    ({"frequency": "monthly", "day_of_month": 32}, {"day_of_month"}),
    ({"frequency": "weekly", "weekday": 9}, {"weekday"}),
    ({"frequency": "fortnightly", "month": 3}, {"month"}),
    ({"title": "  "}, {"title"}),
    ({"grace_days": 91}, {"grace_days"}),
    ({"completes_with": "audit", "completes_params": {"template": "no-such-audit"}},
     {"completes_params"}),
    ({"completes_with": "meeting", "completes_params": {"meeting_type": "picnic"}},
     {"completes_params"}),
    ({"completes_with": "visit", "completes_params": {"colour": "red"}}, {"completes_params"}),
    ({"completes_with": "party"}, {"completes_with"}),
    ({"frequency": "each_meeting", "completes_with": "note"}, {"completes_with"}),
    ({"frequency": "per_shift", "shift_ends": ["25:00"]}, {"shift_ends"}),
])
def test_bad_cadences_are_refused_by_field_and_nothing_is_written(
        manager: Any, org: Any, location: Any, over: dict[str, Any], fields: set[str]) -> None:
    before = _writes()
    with pytest.raises(InvalidInput) as caught:
        services.cadence_create(actor=manager, organisation=org, location=location,
                                **_base(**over))
    assert set(caught.value.errors) == fields
    assert _writes() == before


def test_no_owner_message(manager: Any, org: Any, location: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.cadence_create(actor=manager, organisation=org, location=location,
                                **_base(owner_role=""))
    assert "needs an owner" in caught.value.errors["owner_role"][0]


def test_owner_from_another_organisation_is_refused(manager: Any, org: Any, location: Any,
                                                   other_org: Any, make_user: Any) -> None:
    stranger = make_user(other_org, "registered_manager", scope="organisation")
    with pytest.raises(InvalidInput) as caught:
        services.cadence_create(actor=manager, organisation=org, location=location,
                                **_base(owner_role="", owner_person=stranger))
    assert set(caught.value.errors) == {"owner_person"}


def test_permission(make_user: Any, org: Any, location: Any, sibling_location: Any,
                    manager: Any) -> None:
    deputy = make_user(org, "deputy_manager", location=location)
    with pytest.raises(PermissionDenied):
        services.cadence_create(actor=deputy, organisation=org, location=location, **_base())
    with pytest.raises(PermissionDenied):
        services.cadence_create(actor=manager, organisation=org, location=sibling_location,
                                **_base())
    with pytest.raises(PermissionDenied):  # organisation-wide needs organisation scope
        services.cadence_create(actor=manager, organisation=org, location=None, **_base())
    assert not Cadence.objects.exists()


def test_create_generates_the_horizon_and_generation_is_idempotent(
        manager: Any, org: Any, location: Any) -> None:
    now = timezone.now()
    cadence = services.cadence_create(actor=manager, organisation=org, location=location,
                                      **_base(frequency="weekly", weekday=0), now=now)
    expected = occurrences_between(cadence.rule, now, now + dt.timedelta(days=56))
    rows = list(cadence.occurrences.order_by("due_at"))
    assert [o.due_at for o in rows] == [o.due_at for o in expected]
    assert all(o.window_start == e.window_start for o, e in zip(rows, expected, strict=True))
    assert all(o.due_at.astimezone(LONDON).weekday() == 0 for o in rows)
    note = HistoryEntry.objects.filter(object_uuid=cadence.uuid, action="update").get()
    assert note.message == (f"Generated {len(rows)} occurrences due "
                            f"{rows[0].due_at.astimezone(LONDON):%-d %b %Y} to "
                            f"{rows[-1].due_at.astimezone(LONDON):%-d %b %Y}.")
    history = HistoryEntry.objects.count()
    again = services.occurrences_generate(now=now)
    assert again.created == 0 and cadence.occurrences.count() == len(rows)
    assert HistoryEntry.objects.count() == history
    # A week later the horizon moves on by one.
    later = services.occurrences_generate(now=now + dt.timedelta(days=7))
    assert later.created == 1


def test_generation_resumes_where_it_left_off(manager: Any, org: Any, location: Any) -> None:
    now = timezone.now()
    cadence = services.cadence_create(actor=manager, organisation=org, location=location,
                                      **_base(frequency="daily"), now=now)
    count = cadence.occurrences.count()
    services.occurrences_generate(now=now + dt.timedelta(days=10))
    dues = list(cadence.occurrences.order_by("due_at").values_list("due_at", flat=True))
    assert len(dues) == count + 10
    assert all(b - a <= dt.timedelta(hours=25) for a, b in zip(dues, dues[1:], strict=False))


def test_each_meeting_cadences_have_no_timed_occurrences(manager: Any, org: Any,
                                                         location: Any) -> None:
    cadence = services.cadence_create(
        actor=manager, organisation=org, location=location,
        **_base(frequency="each_meeting", completes_with="meeting",
                completes_params={"meeting_type": "team_meeting"}))
    assert cadence.occurrences.count() == 0


def test_mark_missed_after_grace_and_idempotent(weekly_checks: Cadence) -> None:
    now = timezone.now()
    missed = services.occurrences_mark_missed(now=now)
    past = [o for o in weekly_checks.occurrences.all()
            if o.due_at + dt.timedelta(days=2) < now]
    assert missed == len(past) >= 3
    assert {o.status for o in past} == {"missed"}
    entry = HistoryEntry.objects.filter(object_uuid=past[0].uuid, action="update").get()
    assert "nothing done" in entry.message
    history = HistoryEntry.objects.count()
    assert services.occurrences_mark_missed(now=now) == 0
    assert HistoryEntry.objects.count() == history
    # Within grace: overdue, not missed.
    within = weekly_checks.occurrences.filter(due_at__lt=now,
                                              due_at__gte=now - dt.timedelta(days=2))
    assert all(o.status == "open" for o in within)


def _check(org: Any, location: Any, checker: Any, day: dt.date) -> Any:
    return medicines_services.medicines_check_create(
        actor="test", organisation=org, location=location, check_date=day, shift="day",
        checked_by=checker, charts_checked=10)


def _local(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LONDON).date()


def test_a_medicines_check_completes_the_week_it_falls_in(
        weekly_checks: Cadence, org: Any, location: Any, checker: Any) -> None:
    past = list(weekly_checks.occurrences.filter(due_at__lt=timezone.now() - dt.timedelta(
        days=3)).order_by("due_at"))
    target = past[-2]
    day = _local(target.window_start) + dt.timedelta(days=2)
    record = _check(org, location, checker, day)
    target.refresh_from_db()
    assert target.status == "done_on_time"
    assert target.record_uuid == record.uuid and target.record_label == str(record)
    assert _local(target.completed_at) == day
    assert set(weekly_checks.occurrences.exclude(pk=target.pk)
               .values_list("status", flat=True)) == {"open"}
    # A second check the same week completes nothing more.
    _check(org, location, checker, day + dt.timedelta(days=1))
    assert weekly_checks.occurrences.exclude(status="open").count() == 1
    # Correcting the check does not move the completion either.
    medicines_services.medicines_check_update(actor="test", check=record,
                                              expected_version=record.version,
                                              changes={"charts_checked": 11})
    assert weekly_checks.occurrences.exclude(status="open").count() == 1


def test_a_check_after_the_due_date_within_grace_closes_that_week_late(
        weekly_checks: Cadence, org: Any, location: Any, checker: Any) -> None:
    past = list(weekly_checks.occurrences.filter(due_at__lt=timezone.now() - dt.timedelta(
        days=8)).order_by("due_at"))
    target = past[-1]
    day = _local(target.due_at) + dt.timedelta(days=1)  # Monday, inside the grace
    _check(org, location, checker, day)
    target.refresh_from_db()
    assert target.status == "done_late"
    following = weekly_checks.occurrences.filter(due_at__gt=target.due_at).first()
    assert following.status == "open"


def test_a_check_at_another_location_completes_nothing(
        weekly_checks: Cadence, org: Any, sibling_location: Any) -> None:
    other = people_services.staff_create(
        actor="test", organisation=org, locations=[sibling_location], full_name="Other",
        job_role="Carer", start_date=dt.date(2023, 1, 1))
    _check(org, sibling_location, other, TODAY)
    assert not weekly_checks.occurrences.exclude(status="open").exists()


def test_finishing_this_weeks_audit_closes_this_weeks_occurrence(
        manager: Any, org: Any, location: Any) -> None:
    template = CarePlanTemplateFactory()
    cadence = services.cadence_create(
        actor=manager, organisation=org, location=location, title="MAR audit",
        owner_role="registered_manager", frequency="weekly",
        completes_with="audit", completes_params={"template": template.code})
    this_week = cadence.occurrences.order_by("due_at").first()
    assert this_week.window_start <= timezone.now() <= this_week.due_at
    audit = audit_services.audit_start(actor=manager, organisation=org, location=location,
                                       template=template, audit_date=TODAY,
                                       samples=["RH-1", "RH-2"])
    this_week.refresh_from_db()
    assert this_week.status == "open"  # a draft completes nothing
    audit = audit_services.audit_save(
        actor=manager, audit=audit, expected_version=audit.version,
        answers={"CP1": "yes", "CP2": "yes", "CP3": 4, "CP4": 0},
        sample_answers={"S1": {"RH-1": "yes", "RH-2": "yes"}}, analysis=ANALYSIS)
    audit = audit_services.audit_complete(actor=manager, audit=audit,
                                          expected_version=audit.version)
    this_week.refresh_from_db()
    assert this_week.status == "done_on_time"
    assert this_week.completed_by == manager and this_week.record_uuid == audit.uuid
    assert cadence.occurrences.filter(status="open").count() == cadence.occurrences.count() - 1


def test_an_audit_of_another_template_completes_nothing(manager: Any, org: Any,
                                                        location: Any) -> None:
    wanted, other = CarePlanTemplateFactory(), CarePlanTemplateFactory()
    cadence = services.cadence_create(
        actor=manager, organisation=org, location=location, title="MAR audit",
        owner_role="registered_manager", frequency="weekly",
        completes_with="audit", completes_params={"template": wanted.code})
    audit = audit_services.audit_start(actor=manager, organisation=org, location=location,
                                       template=other, audit_date=TODAY,
                                       samples=["RH-1", "RH-2"])
    audit = audit_services.audit_save(
        actor=manager, audit=audit, expected_version=audit.version,
        answers={"CP1": "yes", "CP2": "yes", "CP3": 4, "CP4": 0},
        sample_answers={"S1": {"RH-1": "yes", "RH-2": "yes"}}, analysis=ANALYSIS)
    audit_services.audit_complete(actor=manager, audit=audit, expected_version=audit.version)
    assert not cadence.occurrences.exclude(status="open").exists()


def _visit(org: Any, location: Any, visitor: Any, day: dt.date, kind: str = "provider") -> Any:
    return feedback_services.visit_create(
        actor="test", organisation=org, location=location, visitor=visitor, date=day,
        type=kind, looked_at="Medicines round and MAR charts")


def test_senior_visits_complete_the_months_visit(manager: Any, org: Any, location: Any,
                                                 checker: Any) -> None:
    cadence = services.cadence_create(
        actor=manager, organisation=org, location=location, title="Senior visit",
        owner_role="quality_lead", frequency="monthly", completes_with="visit",
        completes_params={"visit_type": "senior_visit"}, grace_days=7)
    _visit(org, location, checker, TODAY, kind="observation")  # not a senior visit
    assert not cadence.occurrences.exclude(status="open").exists()
    _visit(org, location, checker, TODAY)
    month = cadence.occurrences.order_by("due_at").first()
    assert month.status == "done_on_time"


def test_supervision_completes(manager: Any, org: Any, location: Any, checker: Any) -> None:
    from sustain.workforce import services as workforce_services

    supervisor = people_services.staff_create(
        actor="test", organisation=org, locations=[location], full_name="Pat Supervisor",
        job_role="Deputy manager", start_date=dt.date(2023, 1, 1))
    cadence = services.cadence_create(
        actor=manager, organisation=org, location=location, title="Supervisions",
        owner_role="deputy_manager", frequency="monthly", completes_with="supervision")
    workforce_services.supervision_create(actor="test", organisation=org, location=location,
                                          date=TODAY, supervisor=supervisor, supervisee=checker)
    assert cadence.occurrences.order_by("due_at").first().status == "done_on_time"


# --- manual completion ---------------------------------------------------------------------

@pytest.fixture
def monthly_visit(manager: Any, org: Any, location: Any) -> Cadence:
    return services.cadence_create(
        actor=manager, organisation=org, location=location, title="Senior visit",
        owner_role="quality_lead", frequency="monthly", completes_with="visit",
        completes_params={"visit_type": "senior_visit"}, grace_days=7)


def test_manual_completion_needs_a_record_or_a_reason(manager: Any,
                                                      monthly_visit: Cadence) -> None:
    occurrence = monthly_visit.occurrences.order_by("due_at").first()
    history = HistoryEntry.objects.count()
    with pytest.raises(InvalidInput) as caught:
        services.occurrence_complete(actor=manager, occurrence=occurrence, reason="done")
    assert set(caught.value.errors) == {"reason"}
    assert HistoryEntry.objects.count() == history
    done = services.occurrence_complete(
        actor=manager, occurrence=occurrence,
        reason="Visit by the nominated individual, report on paper in the office.")
    assert done.status == "done_on_time" and done.completed_by == manager
    assert done.manual_reason.startswith("Visit by")
    with pytest.raises(InvalidInput) as caught:
        services.occurrence_complete(actor=manager, occurrence=done, reason="Again, again.")
    assert set(caught.value.errors) == {"occurrence"}


def test_manual_completion_refuses_a_record_of_the_wrong_type_or_place(
        manager: Any, org: Any, location: Any, sibling_location: Any, checker: Any,
        monthly_visit: Cadence) -> None:
    occurrence = monthly_visit.occurrences.order_by("due_at").first()
    check = _check(org, location, checker, TODAY)
    with pytest.raises(InvalidInput) as caught:
        services.occurrence_complete(actor=manager, occurrence=occurrence, record=check)
    assert set(caught.value.errors) == {"record"}
    assert "completed by a senior visit" in caught.value.errors["record"][0]
    other = people_services.staff_create(
        actor="test", organisation=org, locations=[sibling_location], full_name="Other",
        job_role="Carer", start_date=dt.date(2023, 1, 1))
    elsewhere = _visit(org, sibling_location, other, TODAY)
    with pytest.raises(InvalidInput) as caught:
        services.occurrence_complete(actor=manager, occurrence=occurrence, record=elsewhere)
    assert caught.value.errors == {"record": ["This record is at another location."]}
    old = _visit(org, location, checker, TODAY - dt.timedelta(days=120))
    with pytest.raises(InvalidInput) as caught:
        services.occurrence_complete(actor=manager, occurrence=occurrence, record=old)
    assert "outside this occurrence's window" in caught.value.errors["record"][0]
    occurrence.refresh_from_db()
    assert occurrence.status == "open" and occurrence.version == 1


def test_permission_to_complete(make_user: Any, org: Any, location: Any,
                                monthly_visit: Cadence) -> None:
    carer = make_user(org, "senior_carer", location=location)
    occurrence = monthly_visit.occurrences.first()
    with pytest.raises(PermissionDenied):
        services.occurrence_complete(actor=carer, occurrence=occurrence,
                                     reason="I did it, honestly I did.")


# --- update and archive ---------------------------------------------------------------------

def test_changing_the_rule_replaces_the_future_occurrences(manager: Any, org: Any,
                                                           location: Any) -> None:
    cadence = services.cadence_create(actor=manager, organisation=org, location=location,
                                      **_base(frequency="weekly", weekday=0))
    before = cadence.occurrences.filter(archived_at__isnull=True).count()
    cadence = services.cadence_update(actor=manager, cadence=cadence,
                                      expected_version=cadence.version,
                                      changes={"weekday": 3})
    live = cadence.occurrences.filter(archived_at__isnull=True)
    assert live.count() in (before, before + 1)
    assert {o.due_at.astimezone(LONDON).weekday() for o in live} == {3}
    with pytest.raises(InvalidInput) as caught:
        services.cadence_update(actor=manager, cadence=cadence,
                                expected_version=cadence.version,
                                changes={"frequency": "annually", "month": 2,
                                         "day_of_month": 30, "weekday": None})
    assert set(caught.value.errors) == {"day_of_month"}
    archived = services.cadence_archive(actor=manager, cadence=cadence, reason="Not needed")
    assert archived.archived_at is not None
    assert not cadence.occurrences.filter(archived_at__isnull=True,
                                          due_at__gt=timezone.now()).exists()
    restored = services.cadence_archive(actor=manager, cadence=archived, restore=True)
    assert restored.occurrences.filter(archived_at__isnull=True).count() >= before


# --- playbooks ------------------------------------------------------------------------------

def test_applying_a_playbook_creates_its_cadences_once(manager: Any, org: Any,
                                                       location: Any) -> None:
    playbooks_load()
    theme = theme_services.theme_create(actor=manager, organisation=org, location=location,
                                        title="Medicines", origin="inspection")
    playbook = Playbook.objects.get(code="medicines-governance", organisation__isnull=True)
    theme, _ = playbook_apply(actor=manager, playbook=playbook, theme=theme)
    made = Cadence.objects.filter(location=location, source="playbook")
    spec_codes = {"end-of-shift-mar-check", "weekly-tracker-review",
                  "monthly-competency-observations", "quarterly-provider-review"}
    assert spec_codes <= set(made.values_list("cadence_code", flat=True))
    assert all(c.owner_role and c.playbook_code == "medicines-governance" for c in made)
    count = made.count()
    theme, _ = playbook_apply(actor=manager, playbook=playbook, theme=theme)
    assert made.count() == count
    check_cadence = made.get(cadence_code="end-of-shift-mar-check")
    assert check_cadence.frequency == "per_shift" and check_cadence.theme == theme
    assert check_cadence.occurrences.count() in range(111, 114)  # two a day for 8 weeks


def test_history_for_a_demo_builder(manager: Any, org: Any, location: Any,
                                    checker: Any) -> None:
    """A year generated for a location, records replayed without events, then reconciled:
    each record completes its week, the rest are missed; running it again changes nothing."""
    from sustain.core import events
    from sustain.engine.cadence_rules import local_moment

    cadence = services.cadence_create(
        actor=manager, organisation=org, location=location, title="Weekly visit",
        owner_role="quality_lead", frequency="weekly", completes_with="visit", generate=False)
    start = local_moment(TODAY - dt.timedelta(days=365), dt.time(0))
    result = services.location_history_generate(location=location, start=start,
                                                end=timezone.now())
    assert result.created == cadence.occurrences.count() in (52, 53)
    weeks = list(cadence.occurrences.order_by("due_at")[:10])
    with events.muted():
        for occ in weeks[::2]:
            _visit(org, location, checker, _local(occ.due_at) - dt.timedelta(days=1))
    assert services.occurrences_reconcile(location=location) == 5
    assert services.occurrences_reconcile(location=location) == 0
    services.occurrences_mark_missed()
    statuses = [o.status for o in cadence.occurrences.order_by("due_at")[:10]]
    assert statuses == ["done_on_time", "missed"] * 5
