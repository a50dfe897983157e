"""Fixtures for My work: people with staff records, and a builder that gives someone n items of
every kind (so tests can compare 1 with 30)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from sustain.audits.models import Audit
from sustain.careplans.models import CarePlanAction, CarePlanReview
from sustain.engine.cadence_rules import LONDON
from sustain.governance.models import Cadence, Occurrence
from sustain.people.tests.factories import PersonFactory, StaffFactory
from sustain.themes.tests.factories import ActionFactory, AuditTemplateFactory, ThemeFactory
from sustain.workforce.models import Briefing, Supervision

KINDS = ("occurrence", "action", "audit", "care_plan_review", "care_plan_action",
         "supervision", "briefing")


def staff_for(user: Any, location: Any, **kwargs: Any) -> Any:
    return StaffFactory(organisation=location.organisation, locations=[location], user=user,
                        full_name=kwargs.pop("full_name", user.get_full_name() or "Staff"),
                        **kwargs)


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def manager(make_user: Any, org: Any, location: Any) -> Any:
    user = make_user(org, "registered_manager", location=location, first_name="Rita",
                     last_name="Manager", email="rita@example.org")
    staff_for(user, location, full_name="Rita Manager")
    return user


@pytest.fixture
def carer(make_user: Any, org: Any, location: Any) -> Any:
    user = make_user(org, "senior_carer", location=location, first_name="Carl",
                     last_name="Carer", email="carl@example.org")
    staff_for(user, location, full_name="Carl Carer")
    return user


@pytest.fixture
def foreigner(make_user: Any, other_org: Any, foreign_location: Any) -> Any:
    user = make_user(other_org, "registered_manager", location=foreign_location,
                     first_name="Fay", last_name="Foreign", email="fay@example.org")
    staff_for(user, foreign_location, full_name="Fay Foreign")
    return user


def give_items(user: Any, location: Any, n: int, first_due: dt.date,
               step: dt.timedelta = dt.timedelta(days=1)) -> dict[str, list[Any]]:
    """n records of every kind due from `user` at `location`, due first_due, +step, …"""
    org = location.organisation
    staff = user.staff_member
    made: dict[str, list[Any]] = {k: [] for k in KINDS}
    theme = ThemeFactory(location=location, organisation=org, stage="recovering",
                         title=f"Medicines for {user.username}")
    template = AuditTemplateFactory(organisation=org)
    cadence = Cadence.objects.create(
        organisation=org, location=location, title=f"Weekly check by {user.username}",
        owner_person=user, frequency="weekly", weekday=0, completes_with="note")
    person = PersonFactory(location=location, organisation=org)
    for i in range(n):
        due = first_due + step * i
        made["action"].append(ActionFactory(
            theme=theme, owner=staff, due_date=due, raised_on=due - dt.timedelta(days=30),
            description=f"Action {i} for {user.username}"))
        made["audit"].append(Audit.objects.create(
            organisation=org, location=location, template=template, auditor=user,
            audit_date=due - dt.timedelta(days=5), due_date=due, status="draft"))
        made["care_plan_review"].append(CarePlanReview.objects.create(
            organisation=org, location=location, person=person, key_worker=staff,
            due_date=due))
        made["care_plan_action"].append(CarePlanAction.objects.create(
            organisation=org, location=location, person=person, who=staff, due_date=due,
            what=f"Update the falls plan {i}"))
        supervisee = StaffFactory(organisation=org, locations=[location],
                                  full_name=f"Supervisee {user.username} {i}",
                                  start_date=dt.date(2020, 1, 1))
        made["supervision"].append(Supervision.objects.create(
            organisation=org, location=location, supervisor=staff, supervisee=supervisee,
            date=due - dt.timedelta(weeks=8), next_due=due))
        briefing_theme = ThemeFactory(location=location, organisation=org, stage="sustaining",
                                      title=f"Briefed theme {user.username} {i}")
        delivered = dt.datetime.combine(due - dt.timedelta(days=7), dt.time(10),
                                        tzinfo=LONDON)
        made["briefing"].append(Briefing.objects.create(
            organisation=org, location=location, theme=briefing_theme,
            title=f"What changed {i}", what_changed="The MAR is checked at each round.",
            why="Missed doses.", what_good_looks_like="No gaps.", delivered_at=delivered,
            delivered_via="team_meeting"))
        due_at = dt.datetime.combine(due, dt.time(17), tzinfo=LONDON)
        made["occurrence"].append(Occurrence.objects.create(
            organisation=org, cadence=cadence, location=location, due_at=due_at,
            window_start=due_at - dt.timedelta(days=7)))
    return made


@pytest.fixture
def items_for() -> Callable[..., dict[str, list[Any]]]:
    return give_items
