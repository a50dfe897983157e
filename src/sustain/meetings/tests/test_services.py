"""Meeting services: history, optimistic locking, refusals that name the field and change
nothing, action minutes creating theme actions, and governance cycles that agree with the
calendar rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.core.errors import Conflict, InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.engine.governance_cycles import cycle_bounds, cycle_of, full_cycles_between
from sustain.meetings import selectors, services
from sustain.meetings.models import GovernanceCycle, Meeting, MinuteEntry
from sustain.meetings.tests.helpers import SYSTEM, staff, theme
from sustain.themes.models import Action

pytestmark = pytest.mark.django_db

HELD = dt.date(2026, 11, 12)


@pytest.fixture
def rm(make_user: Any, org: Any, location: Any) -> Any:
    return make_user(org, "registered_manager", location=location)


@pytest.fixture
def meeting(rm: Any, org: Any, location: Any) -> Meeting:
    return services.meeting_create(actor=rm, organisation=org, location=location,
                                   meeting_type="governance_meeting", held_on=HELD,
                                   title="November quality meeting")


def _history(obj: Any) -> list[str]:
    return list(HistoryEntry.objects.filter(object_uuid=obj.uuid).order_by("seq")
                .values_list("action", flat=True))


def test_create_and_update_meeting_with_history_and_locking(rm: Any, meeting: Meeting,
                                                            org: Any, location: Any) -> None:
    chair = staff(org, location, "Chris Chair")
    updated = services.meeting_update(actor=rm, meeting=meeting,
                                      changes={"chair": chair, "attendees": [chair]},
                                      expected_version=meeting.version)
    assert updated.version == 2 and list(updated.attendees.all()) == [chair]
    assert _history(meeting) == ["create", "update"]
    with pytest.raises(Conflict):
        services.meeting_update(actor=rm, meeting=meeting, changes={"notes": "stale"},
                                expected_version=1)
    assert Meeting.objects.get(pk=meeting.pk).notes == ""


def test_minutes_and_challenge_ratio(rm: Any, meeting: Meeting, org: Any,
                                     location: Any) -> None:
    asker = staff(org, location, "Quinn Quality")
    for text in ("Falls down to 3 this month", "Two MAR audits completed"):
        services.minute_entry_create(actor=rm, meeting=meeting, kind="update", text=text)
    challenge = services.minute_entry_create(
        actor=rm, meeting=meeting, kind="challenge", question="Why was one audit late?",
        asked_by=asker, answer="Sickness on nights", satisfied=False)
    services.minute_entry_create(actor=rm, meeting=meeting, kind="decision",
                                 decision="Move the audit to days")
    ratio = selectors.meeting_ratio(meeting)
    assert ratio.value == pytest.approx(1 / 3)
    assert (ratio.counts.updates, ratio.counts.challenges, ratio.counts.unsatisfied,
            ratio.counts.decisions) == (2, 1, 1, 1)
    assert "1 challenge out of 3 updates and challenges (33%)" in ratio.explanation
    assert _history(challenge) == ["create"]
    # An archived minute leaves the ratio.
    services.minute_entry_archive(actor=rm, entry=challenge, reason="Minuted twice in error")
    assert selectors.meeting_ratio(meeting).value == 0


def test_action_minute_creates_a_tracked_theme_action(rm: Any, meeting: Meeting, org: Any,
                                                      location: Any) -> None:
    owner = staff(org, location, "Olu Owner")
    topic = theme(org, location)
    item = services.agenda_item_create(actor=rm, meeting=meeting, title="Medicines",
                                       theme=topic)
    entry = services.minute_entry_create(
        actor=rm, meeting=meeting, kind="action", agenda_item=item,
        text="Re-audit night MAR charts", action_owner=owner,
        action_due_date=dt.date(2026, 12, 10))
    assert entry.theme == topic  # from the agenda item
    action = Action.objects.get(pk=entry.action_id)
    assert (action.theme, action.owner, action.due_date, action.raised_on) == (
        topic, owner, dt.date(2026, 12, 10), HELD)
    assert action.description == "Re-audit night MAR charts"
    assert _history(action) == ["create"] and _history(entry) == ["create"]
    entries = HistoryEntry.objects.filter(object_uuid__in=[action.uuid, entry.uuid])
    assert len({e.request_id for e in entries}) == 1  # one user action, one group


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"kind": "challenge", "question": " ", "answer": "Yes"}, "question"),
    ({"kind": "challenge", "question": "Why?", "satisfied": True}, "answer"),
    ({"kind": "update", "text": ""}, "text"),
    ({"kind": "decision", "text": "We talked"}, "decision"),
    ({"kind": "gossip", "text": "x"}, "kind"),
    ({"kind": "action", "text": "Re-audit", "action_due_date": dt.date(2026, 12, 1)},
     "action_owner"),
    ({"kind": "update", "text": "x", "action_due_date": dt.date(2026, 12, 1)},
     "action_due_date"),
])
def test_bad_minutes_are_refused_by_field(rm: Any, meeting: Meeting, org: Any, location: Any,
                                          kwargs: dict[str, Any], field: str) -> None:
    if kwargs["kind"] == "action":
        kwargs = {**kwargs, "theme": theme(org, location)}
    before = HistoryEntry.objects.count()
    with pytest.raises(InvalidInput) as refused:
        services.minute_entry_create(actor=rm, meeting=meeting, **kwargs)
    assert field in refused.value.errors
    assert MinuteEntry.objects.count() == 0 and Action.objects.count() == 0
    assert HistoryEntry.objects.count() == before


def test_action_without_owner_or_due_date_creates_nothing(rm: Any, meeting: Meeting,
                                                          org: Any, location: Any) -> None:
    topic = theme(org, location)
    before = HistoryEntry.objects.count()
    with pytest.raises(InvalidInput) as refused:
        services.minute_entry_create(actor=rm, meeting=meeting, kind="action", theme=topic,
                                     text="Re-audit")
    assert {"action_owner", "action_due_date"} <= set(refused.value.errors)
    with pytest.raises(InvalidInput) as refused:
        services.minute_entry_create(actor=rm, meeting=meeting, kind="action",
                                     text="Re-audit", action_owner=staff(org, location),
                                     action_due_date=dt.date(2026, 12, 1))
    assert "theme" in refused.value.errors
    assert Action.objects.count() == 0 and MinuteEntry.objects.count() == 0
    assert HistoryEntry.objects.count() == before + 1  # only the staff member created


def test_minutes_of_a_future_meeting_are_refused(rm: Any, org: Any, location: Any) -> None:
    future = services.meeting_create(actor=rm, organisation=org, location=location,
                                     meeting_type="team_meeting",
                                     held_on=timezone.localdate() + dt.timedelta(days=3))
    with pytest.raises(InvalidInput) as refused:
        services.minute_entry_create(actor=rm, meeting=future, kind="update", text="Early")
    assert "meeting" in refused.value.errors
    assert MinuteEntry.objects.count() == 0


def test_a_meeting_with_minutes_cannot_move_into_the_future(rm: Any, meeting: Meeting) -> None:
    services.minute_entry_create(actor=rm, meeting=meeting, kind="update", text="Done")
    with pytest.raises(InvalidInput) as refused:
        services.meeting_update(actor=rm, meeting=meeting, changes={
            "held_on": timezone.localdate() + dt.timedelta(days=7)},
            expected_version=meeting.version)
    assert "held_on" in refused.value.errors
    assert Meeting.objects.get(pk=meeting.pk).held_on == HELD


def test_theme_of_another_organisation_or_location_is_refused(
        rm: Any, meeting: Meeting, other_org: Any, foreign_location: Any, org: Any,
        sibling_location: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.agenda_item_create(actor=rm, meeting=meeting, title="Theirs",
                                    theme=theme(other_org, foreign_location))
    assert refused.value.errors["theme"] == ["No such theme in this organisation."]
    with pytest.raises(InvalidInput) as refused:
        services.minute_entry_create(actor=rm, meeting=meeting, kind="update", text="x",
                                     theme=theme(org, sibling_location, "Falls"))
    assert "theme" in refused.value.errors
    assert MinuteEntry.objects.count() == 0


def test_staff_of_another_organisation_is_refused(rm: Any, org: Any, location: Any,
                                                  other_org: Any,
                                                  foreign_location: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.meeting_create(actor=rm, organisation=org, location=location,
                                meeting_type="board", held_on=HELD,
                                chair=staff(other_org, foreign_location))
    assert "chair" in refused.value.errors
    assert Meeting.objects.count() == 0


def test_permission_at_the_location(make_user: Any, org: Any, location: Any,
                                    sibling_location: Any) -> None:
    rm = make_user(org, "registered_manager", location=location)
    carer = make_user(org, "senior_carer", location=location)
    with pytest.raises(PermissionDenied):
        services.meeting_create(actor=rm, organisation=org, location=sibling_location,
                                meeting_type="team_meeting", held_on=HELD)
    with pytest.raises(PermissionDenied):
        services.meeting_create(actor=carer, organisation=org, location=location,
                                meeting_type="team_meeting", held_on=HELD)
    with pytest.raises(PermissionDenied):  # organisation level needs organisation scope
        services.meeting_create(actor=rm, organisation=org, location=None,
                                meeting_type="board", held_on=HELD)
    ni = make_user(org, "nominated_individual", scope="organisation")
    board = services.meeting_create(actor=ni, organisation=org, location=None,
                                    meeting_type="board", held_on=HELD)
    assert board.location is None
    assert Meeting.objects.count() == 1


def test_care_plan_update_discussed_at_a_team_meeting(rm: Any, org: Any,
                                                     location: Any) -> None:
    from sustain.careplans.services import care_plan_review_create
    from sustain.people.services import person_create

    person = person_create(actor=SYSTEM, organisation=org, location=location,
                           reference="R-01", initials="AB", admission_date=dt.date(2024, 1, 1))
    review = care_plan_review_create(actor=SYSTEM, organisation=org, location=location,
                                     person=person, due_date=dt.date(2026, 11, 1))
    team = services.meeting_create(actor=rm, organisation=org, location=location,
                                   meeting_type="team_meeting", held_on=HELD)
    entry = services.minute_entry_create(actor=rm, meeting=team, kind="update",
                                         text="Mobility plan changed after two falls",
                                         care_plan_review=review)
    assert entry.care_plan_review == review


# --- governance cycles --------------------------------------------------------------------

def test_cycles_are_idempotent_and_agree_with_the_calendar_rule(org: Any) -> None:
    made = services.governance_cycles_ensure(organisation=org, up_to=dt.date(2026, 11, 27),
                                             since=dt.date(2025, 10, 3))
    assert [c.number for c in made] == list(range(1, 15))
    assert made[-1].label == "Cycle 14 — November 2026"
    assert services.governance_cycles_ensure(organisation=org,
                                             up_to=dt.date(2026, 11, 27)) == []
    assert GovernanceCycle.objects.filter(organisation=org).count() == 14
    for cycle in GovernanceCycle.objects.filter(organisation=org):
        assert (cycle.start, cycle.end) == cycle_bounds(cycle.ordinal, org.governance_cycle)
        assert cycle_of(cycle.start, org.governance_cycle) == cycle.ordinal
        assert _history(cycle) == ["create"]
    # The lifecycle's "cycles elapsed" is the difference of record numbers minus one.
    verified = dt.date(2026, 3, 10)
    by_day = {c.number: c for c in GovernanceCycle.objects.filter(organisation=org)}
    n_verified = next(n for n, c in by_day.items() if c.start <= verified <= c.end)
    n_today = next(n for n, c in by_day.items() if c.start <= dt.date(2026, 11, 27) <= c.end)
    assert full_cycles_between(verified, dt.date(2026, 11, 27)) == n_today - n_verified - 1


def test_quarterly_cycles_and_the_periodic_job(org: Any) -> None:
    from sustain.tenancy.tests.factories import OrganisationFactory

    other_org = OrganisationFactory(governance_cycle="quarterly")
    services.governance_cycles_ensure(organisation=other_org, up_to=dt.date(2026, 1, 1),
                                      since=dt.date(2025, 5, 20))
    result = services.governance_cycles_ensure_all(up_to=dt.date(2026, 11, 27))
    assert result["organisations"] == 2 and result["created"] > 0
    assert services.governance_cycles_ensure_all(up_to=dt.date(2026, 11, 27))["created"] == 0
    quarters = list(GovernanceCycle.objects.filter(organisation=other_org))
    assert [(c.start, c.end) for c in quarters][:2] == [
        (dt.date(2025, 4, 1), dt.date(2025, 6, 30)), (dt.date(2025, 7, 1), dt.date(2025, 9, 30))]
    assert quarters[-1].label == "Cycle 7 — October to December 2026"


def test_trend_per_cycle_for_a_drifting_quality_meeting(rm: Any, org: Any,
                                                        location: Any) -> None:
    services.governance_cycles_ensure(organisation=org, up_to=dt.date(2026, 11, 27),
                                      since=dt.date(2026, 1, 1))
    plan = {dt.date(2026, 8, 13): (2, 2), dt.date(2026, 9, 10): (4, 0),
            dt.date(2026, 10, 8): (5, 0), dt.date(2026, 11, 12): (3, 0)}
    for day, (updates, challenges) in plan.items():
        m = services.meeting_create(actor=rm, organisation=org, location=location,
                                    meeting_type="governance_meeting", held_on=day)
        for i in range(updates):
            services.minute_entry_create(actor=rm, meeting=m, kind="update", text=f"U{i}")
        for i in range(challenges):
            services.minute_entry_create(actor=rm, meeting=m, kind="challenge",
                                         question=f"Why {i}?")
    trend = selectors.trend_for(organisation=org, location=location,
                                meeting_type="governance_meeting",
                                as_of=dt.date(2026, 11, 27), cycles=4)
    assert [c.period.label for c in trend.cycles] == [
        "Cycle 8 — August 2026", "Cycle 9 — September 2026", "Cycle 10 — October 2026",
        "Cycle 11 — November 2026"]
    assert [c.mean_ratio for c in trend.cycles] == [0.5, 0, 0, 0]
    assert trend.falling
