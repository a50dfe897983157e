"""Smoke: build the demo, then every demo account signs in and sees exactly its locations —
on the home page, the location list, location pages and the REST API."""

from __future__ import annotations

import html
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from sustain.demo import data
from sustain.tenancy.models import Location

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

ALL_LOCATIONS = sorted(spec.name for spec in data.LOCATIONS)


def expected_locations(username: str) -> list[str]:
    """What each account may see, worked out from the demo's specification alone."""
    spec = next(a for a in data.ACCOUNTS if a.username == username)
    if spec.scope == "organisation":
        return ALL_LOCATIONS
    if spec.scope == "region":
        return sorted(loc.name for loc in data.LOCATIONS if loc.region == spec.target)
    return [next(loc.name for loc in data.LOCATIONS if loc.key == spec.target)]


def listed(page: str) -> list[str]:
    text = html.unescape(page)
    return sorted(name for name in ALL_LOCATIONS if name in text)


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory, django_db_setup: Any,
             django_db_blocker: Any) -> Iterator[list[dict[str, Any]]]:
    """One demo build for the module, inside a transaction rolled back after its last test
    (each test's own transaction is a savepoint within it)."""
    target = tmp_path_factory.mktemp("demo") / "accounts.json"
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("demo", "--no-serve", "--accounts-json", str(target),
                         stdout=io.StringIO())
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield json.loads(target.read_text())
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def sign_in(account: dict[str, Any]) -> Client:
    client = Client()
    response = client.post(reverse("web:login"), {"username": account["username"],
                                                  "password": account["password"]})
    assert response.status_code == 302, (account["username"], response.status_code)
    return client


def test_every_role_has_an_account_whose_scope_matches_the_specification(accounts) -> None:
    assert sorted(a["role"] for a in accounts) == sorted(spec.role.value
                                                         for spec in data.ACCOUNTS)
    for account in accounts:
        assert account["locations"] == expected_locations(account["username"])


def test_each_account_sees_exactly_its_locations_on_the_web_pages(accounts) -> None:
    uuids = dict(Location.objects.values_list("name", "uuid"))
    for account in accounts:
        who = account["username"]
        expected = expected_locations(who)
        client = sign_in(account)
        home = client.get(reverse("web:home"))
        assert home.status_code == 200, who
        assert listed(home.content.decode()) == expected, who
        location_list = client.get(reverse("web:location-list"))
        assert location_list.status_code == 200, who
        assert listed(location_list.content.decode()) == expected, who
        for name, uuid in uuids.items():
            detail = client.get(reverse("web:location-detail", kwargs={"uuid": uuid}))
            if name in expected:
                assert detail.status_code == 200, (who, name)
            else:
                assert detail.status_code in (403, 404), (who, name, detail.status_code)


def test_a_wrong_password_does_not_sign_in(accounts) -> None:
    client = Client()
    response = client.post(reverse("web:login"), {"username": accounts[0]["username"],
                                                   "password": "not-the-password-1"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("web:location-list")).status_code == 302


def test_each_account_lists_only_its_locations_through_the_api(accounts) -> None:
    for account in accounts:
        who = account["username"]
        client = Client()
        token_response = client.post(
            "/api/v1/auth/token",
            data=json.dumps({"username": who, "password": account["password"]}),
            content_type="application/json")
        assert token_response.status_code == 200, (who, token_response.content)
        token = token_response.json()["token"]
        response = Client().get("/api/v1/locations/", {"page_size": 100},
                                HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 200, who
        names = sorted(row["name"] for row in response.json()["results"])
        assert names == expected_locations(who), who
