"""Access specs for the workforce routes (see tests/access/specs.py).

`briefings/{id}/attest/` (self-attestation) is covered by
`src/sustain/workforce/tests/test_api.py`."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from sustain.engine.access import Perm
from sustain.people import services as people_services
from sustain.themes import services as theme_services
from sustain.workforce import services
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World

START = dt.date(2024, 1, 8)
_counter = itertools.count()


def _staff(world: World, where: str, name: str) -> Any:
    key = ("wf-staff", where, name)
    if key not in world.objects:
        world.objects[key] = people_services.staff_create(
            actor=ACTOR, organisation=world.org(where), locations=[world.location(where)],
            full_name=f"Matrix {name} {where}", job_role="Care assistant", start_date=START)
    return world.objects[key]


def _fresh_staff(world: World, where: str) -> Any:
    return people_services.staff_create(
        actor=ACTOR, organisation=world.org(where), locations=[world.location(where)],
        full_name=f"Matrix attester {next(_counter)}", job_role="Care assistant",
        start_date=START)


def _supervision(world: World, where: str) -> Any:
    return services.supervision_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        date=dt.date(2026, 1, 5), supervisor=_staff(world, where, "Supervisor"),
        supervisee=_staff(world, where, "Supervisee"), notes="Matrix supervision")


def _competency(world: World, where: str) -> Any:
    return services.competency_assessment_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        assessment_type="medicines_administration", assessor=_staff(world, where, "Supervisor"),
        staff=_staff(world, where, "Supervisee"), date=dt.date(2026, 1, 5), outcome="competent")


def _training(world: World, where: str) -> Any:
    return services.training_record_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        staff=_staff(world, where, "Supervisee"), course="Safeguarding adults",
        completed_on=dt.date(2026, 1, 5), expires_on=dt.date(2027, 1, 5))


def _theme(world: World, where: str) -> Any:
    key = ("wf-theme", where)
    if key not in world.objects:
        world.objects[key] = theme_services.theme_create(
            actor=ACTOR, organisation=world.org(where), location=world.location(where),
            title=f"Matrix briefed theme {where}", origin="inspection",
            as_of=dt.date(2026, 1, 5))
    return world.objects[key]


def _briefing(world: World, where: str) -> Any:
    return services.briefing_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        theme=_theme(world, where), title="Matrix briefing", what_changed="MAR checks at "
        "the end of every shift.", why="Omissions were missed.", what_good_looks_like="Every "
        "gap found and acted on before handover.", delivered_via="team_meeting")


def _attestation(world: World, where: str) -> Any:
    briefing = _briefing(world, where)
    world.objects[("wf-briefing", where)] = briefing
    world.objects[("wf-attester", where)] = _fresh_staff(world, where)
    return services.attestation_create(actor=ACTOR, organisation=world.org(where),
                                       briefing=briefing, staff=_fresh_staff(world, where),
                                       statement_confirmed=True)


def _record_payload(world: World, where: str) -> dict[str, Any]:
    return {"location": str(world.location(where).uuid)}


def _supervision_payload(world: World, where: str) -> dict[str, Any]:
    return _record_payload(world, where) | {
        "date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "supervisor": str(_staff(world, where, "Supervisor").uuid),
        "supervisee": str(_staff(world, where, "Supervisee").uuid),
        "topics": "Matrix topics"}


def _competency_payload(world: World, where: str) -> dict[str, Any]:
    return _record_payload(world, where) | {
        "assessment_type": "moving_and_handling", "date": "2026-01-10",
        "assessor": str(_staff(world, where, "Supervisor").uuid),
        "staff": str(_staff(world, where, "Supervisee").uuid), "outcome": "needs_support"}


def _training_payload(world: World, where: str) -> dict[str, Any]:
    return _record_payload(world, where) | {
        "staff": str(_staff(world, where, "Supervisee").uuid), "course": "Fire safety",
        "completed_on": "2026-01-10"}


def _briefing_payload(world: World, where: str) -> dict[str, Any]:
    return {"theme": str(_theme(world, where).uuid), "title": "Matrix new briefing",
            "what_changed": "Two-person check on controlled drugs.", "why": "Errors found.",
            "what_good_looks_like": "Both signatures every time.", "delivered_via": "handover"}


def _attestation_payload(world: World, where: str) -> dict[str, Any]:
    # Built with the record (a payload must write nothing); each request is rolled back.
    briefing = world.objects[("wf-briefing", where)]
    attester = world.objects[("wf-attester", where)]
    return {"briefing": str(briefing.uuid), "staff": str(attester.uuid),
            "statement_confirmed": True}


def _rule() -> Rule:
    return Rule(Perm.WORKFORCE_CHANGE)


SPECS_LIST: list[Spec] = [
    Spec("supervision", "location", Perm.WORKFORCE_VIEW, _supervision,
         create=_rule(), create_payload=_supervision_payload, location_field="location",
         update=_rule(), update_payload=lambda w, o: {"notes": "Matrix notes changed"},
         archive=_rule()),
    Spec("competency-assessment", "location", Perm.WORKFORCE_VIEW, _competency,
         create=_rule(), create_payload=_competency_payload, location_field="location",
         update=_rule(), update_payload=lambda w, o: {"notes": "Matrix observed"},
         archive=_rule()),
    Spec("training-record", "location", Perm.WORKFORCE_VIEW, _training,
         create=_rule(), create_payload=_training_payload, location_field="location",
         update=_rule(), update_payload=lambda w, o: {"course": "Fire safety refresher"},
         archive=_rule()),
    # Read by everyone asked to attest; the theme named fixes the location.
    Spec("briefing", "location", Perm.BRIEFING_ATTEST, _briefing,
         create=_rule(), create_payload=_briefing_payload, location_field="theme",
         update=_rule(), update_payload=lambda w, o: {"title": "Matrix briefing renamed"},
         archive=_rule()),
    # Managers record attestations for others here (self-attestation is `briefings/{id}/attest/`).
    Spec("attestation", "location", Perm.WORKFORCE_VIEW, _attestation,
         create=_rule(), create_payload=_attestation_payload, location_field="briefing",
         update=None, archive=_rule()),
]
