"""Django admin: history read-only, no deletes, and every admin write recorded in history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client, RequestFactory

from sustain.accounts.models import User
from sustain.core.models import HistoryEntry
from sustain.people.tests.factories import PersonFactory
from sustain.tenancy.models import Location

pytestmark = pytest.mark.django_db

FOUNDATION_APPS = ("core", "accounts", "tenancy", "people", "reference")


@pytest.fixture
def superuser(db: Any) -> User:
    return User.objects.create_superuser("sysadmin", "sys@example.org",
                                         "a-long-admin-password-1")


@pytest.fixture
def client(superuser: User) -> Client:
    c = Client()
    c.force_login(superuser)
    return c


def _location_form(org: Any, **overrides: Any) -> dict[str, Any]:
    data = {"organisation": org.pk, "cqc_location_id": "1-555000111", "name": "Ash Lodge",
            "service_type": "care_home", "capacity": "20", "region": "", "address_line_1": "",
            "address_line_2": "", "town": "", "postcode": "LS2 7AB", "local_authority": "",
            "registration_date": "", "registered_manager": "", "day_shift_start": "08:00",
            "night_shift_start": "20:00", "expected_version": ""}
    data.update(overrides)
    return data


def test_every_foundation_model_is_registered_and_none_can_be_deleted(superuser: User) -> None:
    request = RequestFactory().get("/admin/")
    request.user = superuser
    for model in apps.get_models():
        if model._meta.app_label not in FOUNDATION_APPS:
            continue
        assert model in admin.site._registry, f"{model._meta.label} is not in the admin"
        model_admin = admin.site._registry[model]
        assert not model_admin.has_delete_permission(request), model._meta.label
        assert "delete_selected" not in model_admin.get_actions(request), model._meta.label


def test_history_is_read_only(client: Client, org: Any) -> None:
    from sustain.tenancy import services

    services.location_create(actor="test", organisation=org, cqc_location_id="1-555000999",
                             name="Birch", service_type="care_home", capacity=5)
    entry = HistoryEntry.objects.get()
    assert client.get("/admin/core/historyentry/").status_code == 200
    assert client.get("/admin/core/historyentry/add/").status_code == 403
    detail = client.get(f"/admin/core/historyentry/{entry.pk}/change/")
    assert detail.status_code == 200  # view only
    assert client.post(f"/admin/core/historyentry/{entry.pk}/change/",
                       {"message": "edited"}).status_code == 403
    assert client.post(f"/admin/core/historyentry/{entry.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.message == ""


def test_adding_and_changing_in_the_admin_records_history(client: Client, org: Any,
                                                          superuser: User) -> None:
    resp = client.post("/admin/tenancy/location/add/", _location_form(org))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    location = Location.objects.get(cqc_location_id="1-555000111")
    created = HistoryEntry.objects.get(object_uuid=location.uuid)
    assert (created.action, created.actor, created.message) == ("create", superuser,
                                                                "Added in the admin")
    resp = client.post(f"/admin/tenancy/location/{location.pk}/change/",
                       _location_form(org, name="Ash Lodge North", expected_version="1"))
    assert resp.status_code == 302
    location.refresh_from_db()
    assert (location.name, location.version) == ("Ash Lodge North", 2)
    updated = HistoryEntry.objects.filter(object_uuid=location.uuid).latest("seq")
    assert updated.action == "update"
    assert (updated.before["name"], updated.after["name"]) == ("Ash Lodge", "Ash Lodge North")


def test_a_stale_admin_form_is_refused(client: Client, org: Any) -> None:
    client.post("/admin/tenancy/location/add/", _location_form(org))
    location = Location.objects.get(cqc_location_id="1-555000111")
    client.post(f"/admin/tenancy/location/{location.pk}/change/",
                _location_form(org, name="First edit", expected_version="1"))
    resp = client.post(f"/admin/tenancy/location/{location.pk}/change/",
                       _location_form(org, name="Second edit", expected_version="1"))
    assert resp.status_code == 200
    assert "Someone else changed this record" in resp.content.decode()
    location.refresh_from_db()
    assert location.name == "First edit"


def test_delete_is_refused_and_archive_is_offered(client: Client, location: Any) -> None:
    person = PersonFactory(location=location, admission_date=dt.date(2024, 1, 1))
    assert client.post(f"/admin/people/personsupported/{person.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    resp = client.post("/admin/people/personsupported/", {
        "action": "archive_selected", "_selected_action": [person.pk]})
    assert resp.status_code == 302
    person.refresh_from_db()
    assert person.archived_at is not None
    entry = HistoryEntry.objects.get(object_uuid=person.uuid)
    assert (entry.action, entry.message) == ("archive", "Archived in the admin")


def test_archiving_an_account_deactivates_it(client: Client, make_user: Any, org: Any,
                                             location: Any) -> None:
    user = make_user(org, "care_staff", location=location)
    resp = client.post("/admin/accounts/user/", {"action": "archive_selected",
                                                 "_selected_action": [user.pk]})
    assert resp.status_code == 302
    user.refresh_from_db()
    assert user.archived_at is not None and not user.is_active
    assert HistoryEntry.objects.get(object_uuid=user.uuid).action == "archive"


def test_adding_an_account_in_the_admin(client: Client, org: Any) -> None:
    resp = client.post("/admin/accounts/user/add/", {
        "username": "newcarer", "organisation": org.pk, "password1": "a-Strong-pass-phrase-9",
        "password2": "a-Strong-pass-phrase-9", "usable_password": "true"})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    user = User.objects.get(username="newcarer")
    assert user.check_password("a-Strong-pass-phrase-9")
    entry = HistoryEntry.objects.get(object_uuid=user.uuid)
    assert entry.action == "create" and "password" not in entry.after


def test_changing_an_account_in_the_admin(client: Client, make_user: Any, org: Any,
                                          location: Any) -> None:
    user = make_user(org, "care_staff", location=location, first_name="Jo")
    assert client.get(f"/admin/accounts/user/{user.pk}/change/").status_code == 200
    resp = client.post(f"/admin/accounts/user/{user.pk}/change/", {
        "username": user.username, "first_name": "Joanne", "last_name": user.last_name,
        "email": "", "is_active": "on", "organisation": org.pk, "expected_version": "1"})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    user.refresh_from_db()
    assert (user.first_name, user.version) == ("Joanne", 2)
    entry = HistoryEntry.objects.filter(object_uuid=user.uuid).latest("seq")
    assert (entry.before["first_name"], entry.after["first_name"]) == ("Jo", "Joanne")
