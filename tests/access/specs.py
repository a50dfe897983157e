"""One access spec per API route (router basename). Add one entry for every new endpoint:
here, or in `tests/access/specs_<app>.py` (a module with its own `SPECS_LIST`) beside it.

A spec says where its records live, how to build one there, and which permission each action
needs. The matrix in `tests/test_access_matrix.py` runs every route on the router for every
principal × {own location, sibling location in the same organisation, another organisation}
and fails for a route without a spec.

- `level`: "location" (the record belongs to a location), "organisation" (to the organisation
  as a whole) or "shared" (reference data common to every organisation).
- `read`: the permission needed to list and retrieve (None: every signed-in organisation user).
- `create` / `update` / `archive`: a `Rule` (permission and whether it must cover the record's
  location ("object") or the whole organisation), or None when the action does not exist:
  create/update then answer 405 and archive has no route (404).
- `create_payload(world, where)`: the JSON body creating a record at `where`;
  `location_field` names the payload field that points at the location (a location the user
  cannot see is refused as a 400 naming that field). `update_payload(world, obj)`: a valid
  change (the test adds the version).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sustain.accounts import services as account_services
from sustain.core.models import HistoryEntry
from sustain.engine.access import Perm
from sustain.people import services as people_services
from sustain.tenancy import services as tenancy_services
from tests.access.world import ACTOR, World

Maker = Callable[[World, str], Any]
Payload = Callable[[World, str], dict[str, Any]]


@dataclass(frozen=True)
class Rule:
    perm: Perm
    level: str = "object"  # "object": must cover the record's location; "organisation": org-wide


@dataclass(frozen=True)
class Spec:
    basename: str
    level: str
    read: Perm | None
    make: Maker
    create: Rule | None = None
    create_payload: Payload | None = None
    location_field: str | None = None
    update: Rule | None = None
    update_payload: Callable[[World, Any], dict[str, Any]] | None = None
    archive: Rule | None = None


# --- builders ----------------------------------------------------------------------------

def _location(world: World, where: str) -> Any:
    return world.location(where)


def _person(world: World, where: str) -> Any:
    return people_services.person_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        reference=f"MX-{where}", initials="MX", admission_date=dt.date(2024, 1, 1))


def _staff(world: World, where: str) -> Any:
    return people_services.staff_create(
        actor=ACTOR, organisation=world.org(where), locations=[world.location(where)],
        full_name=f"Matrix Staff {where}", job_role="Care assistant",
        start_date=dt.date(2023, 1, 1))


def _membership(world: World, where: str) -> Any:
    return tenancy_services.membership_create(
        actor=ACTOR, organisation=world.org(where), user=world.spare_user(where),
        role="care_staff", scope="location", location=world.location(where))


def _history_entry(world: World, where: str) -> Any:
    person = people_services.person_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        reference=f"MXH-{where}", initials="MH", admission_date=dt.date(2024, 1, 1))
    return HistoryEntry.objects.get(object_uuid=person.uuid, action="create")


def _user(world: World, where: str) -> Any:
    return account_services.user_create(
        actor=ACTOR, organisation=world.org(where), username=f"matrix-user-{where}",
        password="matrix-Password-2024!", first_name="Matrix")


def shared_row(basename: str) -> Maker:
    """The first row of a shared reference route (loading the packaged library if empty)."""

    def make(world: World, where: str) -> Any:
        from django.core.management import call_command

        from sustain.config.api_urls import router

        [viewset] = [v for _, v, b in router.registry if b == basename]
        model = viewset.queryset.model
        if not model.objects.exists():
            call_command("load_reference", verbosity=0)
        return model.objects.order_by("pk").first()

    return make


# --- payloads ----------------------------------------------------------------------------

def _location_payload(world: World, where: str) -> dict[str, Any]:
    return {"cqc_location_id": "1-999000111", "name": "Matrix New Home",
            "service_type": "care_home", "capacity": 12}


def _person_payload(world: World, where: str) -> dict[str, Any]:
    return {"reference": "MX-NEW", "initials": "NW", "admission_date": "2024-02-01",
            "location": str(world.location(where).uuid)}


def _staff_payload(world: World, where: str) -> dict[str, Any]:
    return {"full_name": "Matrix New Starter", "job_role": "Care assistant",
            "start_date": "2024-03-01", "locations": [str(world.location(where).uuid)]}


def _membership_payload(world: World, where: str) -> dict[str, Any]:
    return {"user": str(world.spare_user(where).uuid), "role": "senior_carer",
            "scope": "location", "location": str(world.location(where).uuid)}


def _user_payload(world: World, where: str) -> dict[str, Any]:
    return {"username": "matrix-newbie", "password": "another-Matrix-pass-77",
            "first_name": "New"}


SPECS_LIST: list[Spec] = [
    Spec("location", "location", Perm.LOCATION_VIEW, _location,
         create=Rule(Perm.LOCATION_CREATE, "organisation"), create_payload=_location_payload,
         update=Rule(Perm.LOCATION_CHANGE),
         update_payload=lambda w, o: {"name": "Matrix Renamed"},
         archive=Rule(Perm.LOCATION_CREATE, "organisation")),
    Spec("membership", "location", Perm.MEMBERSHIP_VIEW, _membership,
         create=Rule(Perm.MEMBERSHIP_CHANGE), create_payload=_membership_payload,
         location_field="location", update=None,
         archive=Rule(Perm.MEMBERSHIP_CHANGE)),
    Spec("person", "location", Perm.PERSON_VIEW, _person,
         create=Rule(Perm.PERSON_CHANGE), create_payload=_person_payload,
         location_field="location", update=Rule(Perm.PERSON_CHANGE),
         update_payload=lambda w, o: {"initials": "ZY"},
         archive=Rule(Perm.PERSON_CHANGE)),
    Spec("staff", "location", Perm.STAFF_VIEW, _staff,
         create=Rule(Perm.STAFF_CHANGE), create_payload=_staff_payload,
         location_field="locations", update=Rule(Perm.STAFF_CHANGE),
         update_payload=lambda w, o: {"job_role": "Senior carer"},
         archive=Rule(Perm.STAFF_CHANGE)),
    Spec("history", "location", Perm.HISTORY_VIEW, _history_entry),
    Spec("user", "organisation", Perm.USER_MANAGE, _user,
         create=Rule(Perm.USER_MANAGE, "organisation"), create_payload=_user_payload,
         update=Rule(Perm.USER_MANAGE, "organisation"),
         update_payload=lambda w, o: {"first_name": "Renamed"},
         archive=Rule(Perm.USER_MANAGE, "organisation")),
    # Shared CQC reference data: read by every signed-in organisation user, never written.
    Spec("quality-statement", "shared", None, shared_row("quality-statement")),
    Spec("regulation", "shared", None, shared_row("regulation")),
    Spec("evidence-category", "shared", None, shared_row("evidence-category")),
    Spec("key-question", "shared", None, shared_row("key-question")),
    Spec("rating-level", "shared", None, shared_row("rating-level")),
    Spec("enforcement-type", "shared", None, shared_row("enforcement-type")),
]



def _extension_specs() -> list[Spec]:
    """Specs kept beside their domain: `tests/access/specs_<app>.py`, each with a SPECS_LIST."""
    import importlib
    import pkgutil

    import tests.access as package

    found: list[Spec] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("specs_"):
            module = importlib.import_module(f"tests.access.{info.name}")
            found.extend(module.SPECS_LIST)
    return found


SPECS_LIST = SPECS_LIST + _extension_specs()
SPECS: dict[str, Spec] = {spec.basename: spec for spec in SPECS_LIST}
assert len(SPECS) == len(SPECS_LIST), "two specs share a basename"
