"""Each provider returns the right items for the right person, and nothing for anyone else."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sustain.audits.models import Audit
from sustain.governance.models import Cadence, Occurrence
from sustain.people.tests.factories import StaffFactory
from sustain.themes.tests.factories import AuditTemplateFactory, ThemeFactory
from sustain.work import providers
from sustain.work.providers import collect
from sustain.work.tests.conftest import KINDS, give_items
from sustain.workforce.models import Attestation

pytestmark = pytest.mark.django_db


def _ids(made: dict[str, list[Any]], kind: str) -> set[Any]:
    """Supervision items are about the supervisee (their staff record), the rest the record."""
    if kind == "supervision":
        return {r.supervisee.uuid for r in made[kind]}
    return {r.uuid for r in made[kind]}


def _by_kind(items: list[Any]) -> dict[str, set[Any]]:
    found: dict[str, set[Any]] = {k: set() for k in KINDS}
    for item in items:
        found[item.kind].add(item.record_id)
    return found


def _fresh(user: Any) -> Any:
    """A new instance (no cached memberships or staff record)."""
    return type(user).objects.get(pk=user.pk)


def test_every_kind_is_registered() -> None:
    # the built-in kinds, and those other apps add (lessons: hand-overs, lessons to adopt;
    # escalations: response tasks; signals: concern signals to interpret)
    assert set(providers.registered()) == {*KINDS, "handover", "lesson", "escalation",
                                           "signal"}


def test_each_provider_returns_the_owners_items_and_nothing_for_others(
        manager: Any, carer: Any, foreigner: Any, location: Any, foreign_location: Any,
        today: dt.date) -> None:
    mine = give_items(manager, location, 2, today - dt.timedelta(days=1))
    theirs = give_items(carer, location, 1, today)
    foreign = give_items(foreigner, foreign_location, 1, today)
    until = today + dt.timedelta(days=30)

    got = _by_kind(collect(_fresh(manager), today, until))
    for kind in KINDS:
        expected = _ids(mine, kind)
        if kind == "supervision":  # the carer was never supervised: the manager's to give
            expected |= {carer.staff_member.uuid}
        if kind == "briefing":  # everyone working at the location is briefed
            expected |= _ids(theirs, kind)
        assert got[kind] == expected, kind
    carer_got = _by_kind(collect(_fresh(carer), today, until))
    for kind in KINDS:
        expected = _ids(theirs, kind)
        if kind == "briefing":
            expected |= _ids(mine, kind)
        assert carer_got[kind] == expected, kind
    foreign_got = _by_kind(collect(_fresh(foreigner), today, until))
    for kind in KINDS:
        assert foreign_got[kind] == _ids(foreign, kind), kind
        assert not foreign_got[kind] & _ids(mine, kind)


def test_items_carry_status_why_location_and_link(manager: Any, location: Any,
                                                  today: dt.date) -> None:
    give_items(manager, location, 1, today - dt.timedelta(days=3))
    items = collect(_fresh(manager), today, today + dt.timedelta(days=30))
    action = next(i for i in items if i.kind == "action")
    assert action.status == "overdue" and action.location == location.name
    assert action.url.endswith(f"#action-{action.record_id}")
    assert "You own this action" in action.why
    occ = next(i for i in items if i.kind == "occurrence")
    assert occ.due_time == dt.time(17) and "named as the owner" in occ.why
    briefing = next(i for i in items if i.kind == "briefing")
    # briefed 7 days before the first due day, attest within a week: due that day
    assert briefing.due_date == today - dt.timedelta(days=3)
    assert [i.sort_key for i in items] == sorted(i.sort_key for i in items)
    assert items[0].status == "overdue"


def test_done_cancelled_archived_and_beyond_the_horizon_are_left_out(
        manager: Any, location: Any, today: dt.date) -> None:
    made = give_items(manager, location, 3, today, step=dt.timedelta(days=40))
    until = today + dt.timedelta(days=50)  # items due today and +40 days; +80 is beyond
    action = made["action"][0]
    type(action).objects.filter(pk=action.pk).update(status="done", completed_on=today)
    review = made["care_plan_review"][0]
    type(review).objects.filter(pk=review.pk).update(completed_on=today)
    occ = made["occurrence"][0]
    Occurrence.objects.filter(pk=occ.pk).update(status="done_on_time", completed_at=occ.due_at)
    got = _by_kind(collect(_fresh(manager), today, until))
    assert got["action"] == {made["action"][1].uuid}
    assert got["care_plan_review"] == {made["care_plan_review"][1].uuid}
    assert got["occurrence"] == {made["occurrence"][1].uuid}
    assert got["audit"] == {a.uuid for a in made["audit"][:2]}


def test_attesting_removes_the_briefing(manager: Any, location: Any, today: dt.date) -> None:
    made = give_items(manager, location, 1, today)
    briefing = made["briefing"][0]
    Attestation.objects.create(organisation=location.organisation, location=location,
                               briefing=briefing, staff=manager.staff_member,
                               attested_at=briefing.delivered_at, statement_confirmed=True)
    got = _by_kind(collect(_fresh(manager), today, today + dt.timedelta(days=30)))
    assert got["briefing"] == set()


def test_briefings_only_for_themes_in_a_briefed_stage(manager: Any, location: Any,
                                                      today: dt.date) -> None:
    made = give_items(manager, location, 1, today)
    theme = made["briefing"][0].theme
    type(theme).objects.filter(pk=theme.pk).update(stage="identified")
    got = _by_kind(collect(_fresh(manager), today, today + dt.timedelta(days=30)))
    assert got["briefing"] == set()


def test_role_owned_occurrences_go_to_whoever_holds_the_role_there(
        manager: Any, carer: Any, make_user: Any, org: Any, location: Any,
        sibling_location: Any, today: dt.date) -> None:
    due = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
    here = Cadence.objects.create(organisation=org, location=location, title="MAR audit",
                                  owner_role="registered_manager", frequency="weekly",
                                  weekday=0, completes_with="note")
    there = Cadence.objects.create(organisation=org, location=sibling_location,
                                   title="Elsewhere", owner_role="registered_manager",
                                   frequency="weekly", weekday=0, completes_with="note")
    named = Cadence.objects.create(organisation=org, location=location, title="Named",
                                   owner_role="registered_manager", owner_person=carer,
                                   frequency="weekly", weekday=0, completes_with="note")
    org_wide = Cadence.objects.create(organisation=org, location=None, title="Provider review",
                                      owner_role="nominated_individual", frequency="quarterly",
                                      month=1, day_of_month=1, completes_with="note")
    occs = {c.title: Occurrence.objects.create(organisation=org, cadence=c,
                                               location=c.location, due_at=due,
                                               window_start=due - dt.timedelta(days=7))
            for c in (here, there, named, org_wide)}
    ni = make_user(org, "nominated_individual", scope="organisation")
    until = today + dt.timedelta(days=7)

    def occurrences(user: Any) -> set[str]:
        return {i.title for i in collect(_fresh(user), today, until) if i.kind == "occurrence"}

    assert occurrences(manager) == {"MAR audit"}
    assert occurrences(carer) == {"Named"}
    assert occurrences(ni) == {"Provider review"}
    assert occs["MAR audit"].uuid in {i.record_id for i in collect(_fresh(manager), today, until)}


def test_unassigned_audits_go_to_the_registered_manager(
        manager: Any, carer: Any, org: Any, location: Any, today: dt.date) -> None:
    template = AuditTemplateFactory(organisation=org)
    audit = Audit.objects.create(organisation=org, location=location, template=template,
                                 auditor=None, audit_date=today, due_date=today,
                                 status="draft")
    until = today + dt.timedelta(days=7)
    assert {i.record_id for i in collect(_fresh(manager), today, until)
            if i.kind == "audit"} == {audit.uuid}
    assert not [i for i in collect(_fresh(carer), today, until) if i.kind == "audit"]


def test_never_supervised_staff_go_to_the_registered_manager(
        manager: Any, carer: Any, org: Any, location: Any, today: dt.date) -> None:
    newbie = StaffFactory(organisation=org, locations=[location], full_name="New Starter",
                          start_date=today - dt.timedelta(days=40))
    until = today + dt.timedelta(days=7)
    sup = [i for i in collect(_fresh(manager), today, until) if i.kind == "supervision"]
    names = {i.title for i in sup}
    assert "Supervise New Starter" in names
    newbie_item = next(i for i in sup if i.record_id == newbie.uuid)
    assert newbie_item.status == "overdue"  # first due 28 days after starting
    assert "no supervision yet" in newbie_item.why
    # the registered manager's own and the carer's staff records were never supervised either
    assert "Supervise Rita Manager" not in names
    assert not [i for i in collect(_fresh(carer), today, until) if i.kind == "supervision"]


def test_theme_actions_of_an_archived_theme_are_left_out(manager: Any, location: Any,
                                                         today: dt.date) -> None:
    made = give_items(manager, location, 1, today)
    theme = made["action"][0].theme
    type(theme).objects.filter(pk=theme.pk).update(archived_at=dt.datetime.now(dt.UTC))
    got = _by_kind(collect(_fresh(manager), today, today + dt.timedelta(days=7)))
    assert got["action"] == set()


def test_nothing_for_anonymous_inactive_or_users_without_a_staff_record(
        make_user: Any, org: Any, location: Any, today: dt.date) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert collect(AnonymousUser(), today, today) == []
    loner = make_user(org, "care_staff", location=location)
    ThemeFactory(location=location, organisation=org)
    assert collect(loner, today, today + dt.timedelta(days=90)) == []
    manager = make_user(org, "registered_manager", location=location)
    give_items_user = manager
    from sustain.work.tests.conftest import staff_for

    staff_for(give_items_user, location)
    give_items(manager, location, 1, today)
    type(manager).objects.filter(pk=manager.pk).update(is_active=False)
    assert collect(_fresh(manager), today, today + dt.timedelta(days=7)) == []


def test_occurrences_due_at_the_end_of_the_day_are_untimed(manager: Any, org: Any,
                                                          location: Any,
                                                          today: dt.date) -> None:
    from sustain.engine.cadence_rules import LONDON

    cadence = Cadence.objects.create(organisation=org, location=location, title="Daily log",
                                     owner_person=manager, frequency="daily",
                                     completes_with="note")
    due = dt.datetime.combine(today, dt.time(23, 59, 59), tzinfo=LONDON)
    shift = dt.datetime.combine(today, dt.time(20, 0), tzinfo=LONDON)
    for at in (due, shift):
        Occurrence.objects.create(organisation=org, cadence=cadence, location=location,
                                  due_at=at, window_start=at - dt.timedelta(hours=12))
    items = [i for i in collect(_fresh(manager), today, today) if i.kind == "occurrence"]
    assert [(i.due_date, i.due_time, i.status) for i in items] == [
        (today, None, "today"), (today, dt.time(20, 0), "today")]


def test_titles_are_the_first_written_line(manager: Any, location: Any,
                                           today: dt.date) -> None:
    made = give_items(manager, location, 1, today)
    action = made["action"][0]
    type(action).objects.filter(pk=action.pk).update(
        description="\n  \nCheck the fridge temperatures\nand log them")
    item = next(i for i in collect(_fresh(manager), today, today) if i.kind == "action")
    assert item.title == "Check the fridge temperatures"
