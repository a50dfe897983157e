"""Every API route × every role × {own location, sibling location, another organisation}.

Routes are discovered from the router, so endpoints added later are covered as soon as they
are registered, and a route without a spec in `tests/access/specs.py` fails. Expected answers
come from `tests/access/oracle.py` (the spec plus the engine's access rules).

The world (organisations, locations, users, one record per spec and place) is built once for
the module inside a transaction that is rolled back at the end; each test runs in a savepoint
of it, rolled back after the test. This module's `db` fixture (overriding pytest-django's, so
the test database is still set up for it) does that without pytest-django's per-test TestCase
class and end-of-test constraint check (two statements on PostgreSQL, a scan of every table
on SQLite); the check runs after each successful write instead, the only requests that leave
rows behind. About 10,000 cases: what each one costs is what the matrix costs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from sustain.config.api_urls import router
from sustain.core.models import HistoryEntry
from tests.access.oracle import ACTIONS, Expect, expected
from tests.access.specs import SPECS, Spec
from tests.access.world import (
    LOCATION_WHERES,
    ORGANISATION_WHERES,
    SHARED,
    Principal,
    World,
    build_world,
    principals,
)

ROUTES: dict[str, str] = {basename: prefix for prefix, _, basename in router.registry}


def wheres(spec: Spec) -> tuple[str, ...]:
    return {"location": LOCATION_WHERES, "organisation": ORGANISATION_WHERES,
            "shared": (SHARED,)}[spec.level]


def _cases() -> Iterator[Any]:
    for basename in sorted(ROUTES):
        spec = SPECS.get(basename)
        if spec is None:
            continue  # reported by test_every_route_has_an_access_spec
        places = wheres(spec)
        for principal in principals():
            for where in places:
                for action in ACTIONS:
                    # A create that names no location is the same request wherever the
                    # record would be: run it once.
                    if action == "create" and spec.location_field is None and \
                            where != places[0]:
                        continue
                    yield pytest.param(basename, principal, where, action,
                                       id=f"{basename}-{principal.key}-{where}-{action}")


@pytest.mark.parametrize("basename", sorted(ROUTES))
def test_every_route_has_an_access_spec(basename: str) -> None:
    assert basename in SPECS, (
        f"The API route {ROUTES[basename]!r} (basename {basename!r}) has no access spec: add "
        "one to tests/access/specs.py saying where its records live and who may do what.")


@pytest.mark.parametrize("basename", sorted(SPECS))
def test_every_access_spec_has_a_route(basename: str) -> None:
    assert basename in ROUTES, f"Spec {basename!r} names no registered API route."


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
            for basename in ROUTES:
                spec = SPECS.get(basename)
                if spec is None:
                    continue
                for where in wheres(spec):
                    built.objects[(basename, where)] = spec.make(built, where)
            built.history_count = HistoryEntry.objects.count()
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def db(world: World, django_db_blocker: Any) -> Iterator[World]:
    """Overrides pytest-django's `db` here (the name tells it to set up the test database):
    one test's savepoint inside the world's transaction, so whatever the request wrote is
    rolled back and every case starts from the world as built."""
    with django_db_blocker.unblock():
        savepoint = transaction.atomic()
        savepoint.__enter__()
        try:
            yield world
        finally:
            transaction.set_rollback(True)
            savepoint.__exit__(None, None, None)


_CLIENTS: dict[str, APIClient] = {}


def _client(world: World, principal: Principal) -> APIClient:
    """One client per principal for the module: building a client's middleware chain is slow
    (WhiteNoise indexes every static file), and token requests keep no state between calls."""
    client = _CLIENTS.get(principal.key)
    if client is None:
        client = _CLIENTS[principal.key] = APIClient()
    client.credentials(**({} if principal.anonymous else
                          {"HTTP_AUTHORIZATION": f"Token {world.tokens[principal.key]}"}))
    client.cookies.clear()
    return client


def _request(world: World, spec: Spec, principal: Principal, where: str, action: str,
             obj: Any) -> Any:
    client = _client(world, principal)
    base = f"/api/v1/{ROUTES[spec.basename]}/"
    detail = f"{base}{obj.uuid}/"
    if action == "list":
        return client.get(base, {"page_size": 500})
    if action == "retrieve":
        return client.get(detail)
    if action == "create":
        payload = spec.create_payload(world, where) if spec.create_payload else {}
        return client.post(base, payload, format="json")
    if action == "update":
        payload = spec.update_payload(world, obj) if spec.update_payload else {}
        version = getattr(type(obj).objects.filter(pk=obj.pk).first(), "version", 1)
        return client.patch(detail, {**payload, "version": version}, format="json")
    return client.post(f"{detail}archive/", {"reason": "access matrix"}, format="json")


def _check_write(resp: Any, action: str, obj: Any, history_before: int) -> None:
    request_id = resp["X-Request-ID"]
    target = resp.json()["id"] if action == "create" else str(obj.uuid)
    entries = HistoryEntry.objects.filter(request_id=request_id, object_uuid=target)
    assert entries.filter(action=action if action != "update" else "update").exists(), (
        f"the {action} succeeded but recorded no history entry")
    assert HistoryEntry.objects.count() > history_before
    connection.check_constraints()  # what django_db's teardown checked for every test


@pytest.mark.parametrize(("basename", "principal", "where", "action"), list(_cases()))
def test_access(db: World, basename: str, principal: Principal, where: str,
                action: str) -> None:
    world = db
    spec = SPECS[basename]
    obj = world.objects[(basename, where)]
    expect: Expect = expected(world, spec, principal, where, action)
    # Every case starts from the world as built (the one before it was rolled back): a
    # count that differs here means a case leaked rows, and fails below.
    history_before = world.history_count
    version_before = getattr(obj, "version", None)

    resp = _request(world, spec, principal, where, action, obj)

    body = resp.json() if resp.get("Content-Type", "").startswith("application/json") else None
    assert resp.status_code == expect.status, (
        f"{principal.key} {action} {basename} at {where}: expected {expect.status}, "
        f"got {resp.status_code}: {body}")
    if resp.status_code >= 400:
        assert isinstance(body, dict) and set(body) == {"message", "errors"}, body
        assert HistoryEntry.objects.count() == history_before, "a refused request wrote history"
        if version_before is not None:
            current = type(obj).objects.filter(pk=obj.pk).values_list("version", flat=True)
            assert list(current) == [version_before], "a refused request changed the record"
    if expect.field is not None:
        assert expect.field in body["errors"], body
    if expect.present is not None:
        rows = body["results"] if isinstance(body, dict) else body
        assert (str(obj.uuid) in {row["id"] for row in rows}) == expect.present, (
            "listed" if not expect.present else "missing from the list")
    if action == "retrieve" and expect.status == 200:
        assert body["id"] == str(obj.uuid)
    if expect.writes:
        _check_write(resp, action, obj, history_before)
    elif action in ("list", "retrieve"):
        assert HistoryEntry.objects.count() == history_before
