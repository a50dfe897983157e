"""`POST /api/v1/auth/token` and `GET /api/v1/me/`."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from sustain.accounts.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


def _token(client: APIClient, username: str, password: str) -> Any:
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def test_token_for_good_credentials_works_on_later_requests(make_user: Any, org: Any,
                                                            location: Any) -> None:
    user = make_user(org, "registered_manager", location=location)
    client = APIClient()
    resp = _token(client, user.username, TEST_PASSWORD)
    assert resp.status_code == 200, resp.json()
    token = resp.json()["token"]
    assert len(token) >= 40
    # The same token comes back on a second sign-in.
    assert _token(client, user.username, TEST_PASSWORD).json()["token"] == token
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    user.refresh_from_db()
    assert user.last_login is not None


def test_bad_password_is_400_in_the_envelope(make_user: Any, org: Any, location: Any) -> None:
    user = make_user(org, "care_staff", location=location)
    resp = _token(APIClient(), user.username, "wrong-password")
    assert resp.status_code == 400
    body = resp.json()
    assert set(body) == {"message", "errors"}
    assert "Unable to sign in" in body["message"]


def test_unknown_user_gets_the_same_answer(db: Any) -> None:
    resp = _token(APIClient(), "nobody-here", "whatever-password")
    assert resp.status_code == 400
    assert "Unable to sign in" in resp.json()["message"]


def test_missing_fields_are_named(db: Any) -> None:
    resp = APIClient().post(TOKEN_URL, {"username": "x"}, format="json")
    assert resp.status_code == 400
    assert list(resp.json()["errors"]) == ["password"]


@pytest.mark.parametrize("change", ["inactive", "archived"])
def test_inactive_and_archived_accounts_are_refused(change: str, make_user: Any, org: Any,
                                                    location: Any) -> None:
    user = make_user(org, "registered_manager", location=location)
    if change == "inactive":
        user.is_active = False
    else:
        user.archived_at = timezone.now()
    user.save()
    resp = _token(APIClient(), user.username, TEST_PASSWORD)
    assert resp.status_code == 400
    assert "token" not in resp.json()


def test_repeated_failures_lock_the_account_out(make_user: Any, org: Any,
                                                location: Any) -> None:
    user = make_user(org, "registered_manager", location=location)
    other = make_user(org, "registered_manager", location=location)
    client = APIClient()
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [_token(client, user.username, "wrong-password").status_code
                for _ in range(limit)]
    assert statuses[:-1] == [400] * (limit - 1)
    assert statuses[-1] == 429  # the attempt that reaches the limit locks the account
    # Now even the right password is refused, with a clear message in the envelope.
    locked = _token(client, user.username, TEST_PASSWORD)
    assert locked.status_code == 429
    assert set(locked.json()) == {"message", "errors"}
    assert "Too many failed sign-in attempts" in locked.json()["message"]
    # Another account from the same address is unaffected.
    assert _token(client, other.username, TEST_PASSWORD).status_code == 200


def test_success_resets_the_failure_count(make_user: Any, org: Any, location: Any) -> None:
    user = make_user(org, "registered_manager", location=location)
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _token(client, user.username, "wrong-password").status_code == 400
    assert _token(client, user.username, TEST_PASSWORD).status_code == 200
    assert _token(client, user.username, "wrong-password").status_code == 400


def test_me_requires_authentication(db: Any) -> None:
    resp = APIClient().get("/api/v1/me/")
    assert resp.status_code == 401
    assert set(resp.json()) == {"message", "errors"}


def test_me_lists_memberships_and_where_each_permission_applies(
        make_user: Any, token_client: Any, org: Any, location: Any,
        sibling_location: Any) -> None:
    from sustain.tenancy.tests.factories import MembershipFactory

    user = make_user(org, "registered_manager", location=location)
    MembershipFactory(user=user, organisation=org, role="care_staff", scope="location",
                      location=sibling_location)
    body = token_client(user).get("/api/v1/me/").json()
    assert body["organisation"] == {"id": str(org.uuid), "name": org.name, "slug": org.slug}
    assert sorted((m["role"], m["location"]) for m in body["memberships"]) == sorted([
        ("registered_manager", str(location.uuid)), ("care_staff", str(sibling_location.uuid)),
    ])
    perms = body["permissions"]
    assert perms["location.view"] == {"whole_organisation": False,
                                      "locations": sorted([str(location.uuid),
                                                           str(sibling_location.uuid)])}
    assert perms["staff.change"] == {"whole_organisation": False,
                                     "locations": [str(location.uuid)]}
    assert perms["user.manage"] == {"whole_organisation": False, "locations": []}


def test_me_for_an_organisation_administrator(make_user: Any, token_client: Any,
                                              org: Any) -> None:
    admin = make_user(org, "administrator", scope="organisation")
    body = token_client(admin).get("/api/v1/me/").json()
    assert body["memberships"][0]["scope"] == "organisation"
    assert body["memberships"][0]["location"] is None
    assert all(p["whole_organisation"] for p in body["permissions"].values())


def test_me_for_a_region_scoped_user(make_user: Any, token_client: Any, org: Any,
                                     region: Any, location: Any, sibling_location: Any) -> None:
    lead = make_user(org, "quality_lead", scope="region", region=region)
    body = token_client(lead).get("/api/v1/me/").json()
    assert body["memberships"][0]["region"] == str(region.uuid)
    assert body["permissions"]["location.view"]["locations"] == [str(location.uuid)]
    assert body["permissions"]["location.change"]["locations"] == []


def test_a_user_without_memberships_may_do_nothing(token_client: Any, org: Any) -> None:
    user = UserFactory(organisation=org)
    body = token_client(user).get("/api/v1/me/").json()
    assert body["memberships"] == []
    assert not any(p["whole_organisation"] or p["locations"]
                   for p in body["permissions"].values())
