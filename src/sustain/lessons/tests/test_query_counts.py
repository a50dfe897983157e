"""The adoption grid page and the lessons API list run a number of queries that does not grow
with the number of lessons and locations."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sustain.lessons import services
from sustain.tenancy.tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def _lessons(org: Any, n: int, locations: list[Any]) -> None:
    for i in range(n):
        services.lesson_create(actor="test", organisation=org, title=f"Lesson {i}",
                               what_happened="W", in_practice="P", applies_to=locations)


def _count(client: Any, url: str) -> int:
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/lessons/", "/api/v1/lessons/", "/api/v1/lesson-adoptions/"])
def test_queries_constant_in_data_size(ql: Any, client_for: Any, token_client: Any, org: Any,
                                       location: Any, url: str) -> None:
    client = token_client(ql) if url.startswith("/api/") else client_for(ql)
    _lessons(org, 1, [location])
    small = _count(client, url)
    more = [LocationFactory(organisation=org) for _ in range(4)]
    _lessons(org, 5, [location, *more])
    assert _count(client, url) == small
