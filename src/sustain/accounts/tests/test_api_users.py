"""`/api/v1/users/`: account administration for organisation-wide administrators."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from sustain.accounts.models import User
from sustain.accounts.tests.factories import TEST_PASSWORD, UserFactory
from sustain.core.models import HistoryEntry

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "violet-harbour-lantern-42"


@pytest.fixture
def admin(make_user: Any, org: Any) -> Any:
    return make_user(org, "administrator", scope="organisation")


@pytest.fixture
def client(admin: Any, token_client: Any) -> APIClient:
    return token_client(admin)


def _entries(obj_uuid: Any) -> list[HistoryEntry]:
    return list(HistoryEntry.objects.filter(object_uuid=obj_uuid).order_by("seq"))


def test_create_writes_history_without_the_password(client: APIClient, org: Any) -> None:
    resp = client.post("/api/v1/users/", {
        "username": "jsmith", "password": GOOD_PASSWORD, "first_name": "Jo",
        "last_name": "Smith", "email": "jo@example.org"}, format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert "password" not in body
    user = User.objects.get(uuid=body["id"])
    assert user.organisation == org
    assert user.check_password(GOOD_PASSWORD)
    [entry] = _entries(user.uuid)
    assert entry.action == "create"
    assert entry.after["username"] == "jsmith"
    assert "password" not in entry.after
    # The new account can sign in through the API.
    token = APIClient().post("/api/v1/auth/token", {"username": "jsmith",
                                                    "password": GOOD_PASSWORD}, format="json")
    assert token.status_code == 200


@pytest.mark.parametrize("password", ["short", "password1234", "12345678901234"])
def test_weak_password_is_refused_naming_the_field(client: APIClient, password: str) -> None:
    before = (User.objects.count(), HistoryEntry.objects.count())
    resp = client.post("/api/v1/users/", {"username": "weak", "password": password},
                       format="json")
    assert resp.status_code == 400
    assert list(resp.json()["errors"]) == ["password"]
    assert (User.objects.count(), HistoryEntry.objects.count()) == before


def test_password_similar_to_the_username_is_refused(client: APIClient) -> None:
    resp = client.post("/api/v1/users/", {"username": "margaretthatcher",
                                          "password": "margaretthatcher1"}, format="json")
    assert resp.status_code == 400
    assert "password" in resp.json()["errors"]


def test_duplicate_username_is_named(client: APIClient, admin: Any) -> None:
    resp = client.post("/api/v1/users/", {"username": admin.username,
                                          "password": GOOD_PASSWORD}, format="json")
    assert resp.status_code == 400
    assert "username" in resp.json()["errors"]


def test_update_needs_the_version_and_detects_conflicts(client: APIClient, org: Any) -> None:
    user = UserFactory(organisation=org, first_name="Ann")
    url = f"/api/v1/users/{user.uuid}/"
    missing = client.patch(url, {"first_name": "Anne"}, format="json")
    assert missing.status_code == 400
    assert "version" in missing.json()["errors"]
    first = client.patch(url, {"first_name": "Anne", "version": 1}, format="json")
    assert first.status_code == 200, first.json()
    second = client.patch(url, {"first_name": "Annie", "version": 1}, format="json")
    assert second.status_code == 409
    user.refresh_from_db()
    assert user.first_name == "Anne"
    [entry] = _entries(user.uuid)
    assert entry.before["first_name"] == "Ann"
    assert entry.after["first_name"] == "Anne"


def test_archive_deactivates_and_restore_reactivates(client: APIClient, org: Any) -> None:
    user = UserFactory(organisation=org)
    resp = client.post(f"/api/v1/users/{user.uuid}/archive/", {"reason": "left"},
                       format="json")
    assert resp.status_code == 200, resp.json()
    user.refresh_from_db()
    assert not user.is_active
    assert user.archived_at is not None
    entry = _entries(user.uuid)[-1]
    assert (entry.action, entry.message) == ("archive", "left")
    assert entry.after["is_active"] is False
    # Archived accounts drop out of the list, cannot sign in, and can be restored.
    listed = [row["id"] for row in client.get("/api/v1/users/").json()["results"]]
    assert str(user.uuid) not in listed
    assert APIClient().post("/api/v1/auth/token", {"username": user.username,
                                                   "password": TEST_PASSWORD},
                            format="json").status_code == 400
    assert client.post(f"/api/v1/users/{user.uuid}/restore/").status_code == 200
    user.refresh_from_db()
    assert user.is_active and user.archived_at is None


def test_administrators_cannot_archive_or_deactivate_themselves(client: APIClient,
                                                                admin: Any) -> None:
    assert client.post(f"/api/v1/users/{admin.uuid}/archive/").status_code == 400
    resp = client.patch(f"/api/v1/users/{admin.uuid}/", {"is_active": False, "version": 1},
                        format="json")
    assert resp.status_code == 400
    assert "is_active" in resp.json()["errors"]
    admin.refresh_from_db()
    assert admin.is_active


def test_users_of_another_organisation_are_not_found(client: APIClient,
                                                     other_org: Any) -> None:
    stranger = UserFactory(organisation=other_org)
    assert client.get(f"/api/v1/users/{stranger.uuid}/").status_code == 404
    listed = [row["id"] for row in client.get("/api/v1/users/").json()["results"]]
    assert str(stranger.uuid) not in listed


@pytest.mark.parametrize(("role", "scope"), [("registered_manager", "location"),
                                             ("administrator", "location"),
                                             ("nominated_individual", "organisation")])
def test_only_organisation_administrators_manage_users(role: str, scope: str, make_user: Any,
                                                       token_client: Any, org: Any,
                                                       location: Any) -> None:
    user = make_user(org, role, scope=scope, location=location)
    client = token_client(user)
    assert client.get("/api/v1/users/").status_code == 403
    resp = client.post("/api/v1/users/", {"username": "x1", "password": GOOD_PASSWORD},
                       format="json")
    assert resp.status_code == 403
    assert not User.objects.filter(username="x1").exists()
