"""`GET locations/{uuid}/drift/` and the drift page for every principal of the access world ×
{own, sibling, foreign} location (the targeted test named in tests/access/specs_drift.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient
from tests.access.specs_drift import drift_url, expected_drift_status
from tests.access.world import LOCATION_WHERES, build_world, principals

from sustain.drift import services

pytestmark = pytest.mark.django_db


def test_drift_api_and_page_for_every_role(db: Any) -> None:
    world = build_world()
    for org in (world.org_a, world.org_b):
        services.assess(organisation=org, as_of=dt.date(2026, 11, 15), cycles=1)
    seen = set()
    for principal in principals():
        api = APIClient()
        page = Client()
        if not principal.anonymous:
            api.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[principal.key]}")
            page.force_login(world.users[principal.key])
        for where in LOCATION_WHERES:
            want = expected_drift_status(world, principal, where)
            seen.add(want)
            resp = api.get(drift_url(world, where))
            assert resp.status_code == want, (principal.key, where, resp.content)
            body = resp.json()
            if want == 200:
                assert body["assessment"]["cycle"] == "2026-10"
                assert body["location"] == str(world.location(where).uuid)
            else:
                assert set(body) == {"message", "errors"}
            html = page.get(f"/drift/locations/{world.location(where).uuid}/")
            assert html.status_code == (302 if want == 401 else want), (principal.key, where)
    assert seen == {200, 401, 403, 404}
