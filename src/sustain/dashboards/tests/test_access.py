"""Role by role: the dashboards API for every principal of the access matrix against the
own, sibling and foreign locations (see tests/access/specs_dashboards.py for why this is not
in the matrix itself, and for the expectations)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient
from tests.access.specs_dashboards import PANEL_PERMS, READ, ROW_PERMS
from tests.access.world import (
    FOREIGN,
    LOCATION_WHERES,
    Principal,
    World,
    build_world,
    principals,
)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def db(world: World, django_db_blocker: Any) -> Iterator[World]:
    """Overrides pytest-django's `db` (the name tells it to set up the test database), as
    in tests/test_access_matrix.py: each case in a savepoint inside the world's transaction."""
    with django_db_blocker.unblock():
        savepoint = transaction.atomic()
        savepoint.__enter__()
        try:
            yield world
        finally:
            transaction.set_rollback(True)
            savepoint.__exit__(None, None, None)


def _client(world: World, principal: Principal) -> APIClient:
    client = APIClient()
    if not principal.anonymous:
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[principal.key]}")
    return client


@pytest.mark.parametrize("principal", principals(), ids=lambda p: p.key)
def test_dashboards_api_access(db: World, principal: Principal,
                               django_db_blocker: Any) -> None:
    world = db
    with django_db_blocker.unblock():
        client = _client(world, principal)
        anywhere = not world.scope(principal, READ).is_empty
        resp = client.get("/api/v1/provider-dashboard/")
        if principal.anonymous:
            assert resp.status_code == 401
        elif not anywhere:
            assert resp.status_code == 403, resp.content
        else:
            assert resp.status_code == 200, resp.content
            listed = {r["name"] for r in resp.json()["locations"]}
            expected = {world.location(w).name for w in LOCATION_WHERES
                        if world.covers(principal, READ, w)}
            assert listed == expected
            assert world.location(FOREIGN).name not in listed
        for where in LOCATION_WHERES:
            place = world.location(where)
            resp = client.get(f"/api/v1/locations/{place.uuid}/dashboard/")
            if principal.anonymous:
                assert resp.status_code == 401
                continue
            if not anywhere:
                assert resp.status_code == 403, (where, resp.content)
                continue
            if not world.covers(principal, READ, where):
                assert resp.status_code == 404, (where, resp.content)
                continue
            assert resp.status_code == 200, (where, resp.content)
            data = resp.json()
            for panel, perm in PANEL_PERMS.items():
                shown = world.covers(principal, perm, where)
                assert (data[panel] is not None) == shown, (where, panel)
            row = data["location"]
            for name, perm in ROW_PERMS.items():
                shown = world.covers(principal, perm, where)
                value = row[name]
                if isinstance(value, bool):
                    assert value == shown, (where, name)
                else:
                    assert (value is not None) == shown, (where, name)
