"""Organisation settings (name, CQC provider id, supervision interval): changed by the
organisation's administrators through `organisation_update` — on the web settings page and
at `/api/v1/organisation/` — with the version guarding concurrent edits, bad values refused
naming the field with nothing changed, and every change in history."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sustain.core.errors import Conflict, InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.tenancy import services
from sustain.tenancy.models import Organisation

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin(org: Any, make_user: Any) -> Any:
    return make_user(org, "administrator", scope="organisation")


def test_service_changes_the_interval_with_history(org: Any, admin: Any) -> None:
    updated = services.organisation_update(actor=admin, organisation=org, expected_version=1,
                                           changes={"supervision_interval_weeks": 6})
    assert Organisation.objects.get(pk=org.pk).supervision_interval_weeks == 6
    entry = HistoryEntry.objects.filter(object_uuid=org.uuid).latest("pk")
    assert entry.action == "update" and entry.actor == admin
    assert updated.version == 2


@pytest.mark.parametrize("weeks", [0, 53, -1])
def test_out_of_range_is_refused_naming_the_field(org: Any, admin: Any, weeks: int) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.organisation_update(actor=admin, organisation=org, expected_version=1,
                                     changes={"supervision_interval_weeks": weeks})
    assert "supervision_interval_weeks" in exc.value.errors
    fresh = Organisation.objects.get(pk=org.pk)
    assert (fresh.supervision_interval_weeks, fresh.version) == (8, 1)


def test_only_the_organisations_administrators(org: Any, other_org: Any, location: Any,
                                               make_user: Any) -> None:
    for user in (make_user(org, "registered_manager", location=location),
                 make_user(org, "nominated_individual", scope="organisation"),
                 make_user(other_org, "administrator", scope="organisation")):
        with pytest.raises(PermissionDenied):
            services.organisation_update(actor=user, organisation=org, expected_version=1,
                                         changes={"supervision_interval_weeks": 4})
    with pytest.raises(InvalidInput):
        services.organisation_update(actor="test", organisation=org, expected_version=1,
                                     changes={"slug": "renamed"})
    with pytest.raises(Conflict):
        services.organisation_update(actor="test", organisation=org, expected_version=7,
                                     changes={"supervision_interval_weeks": 4})
    assert Organisation.objects.get(pk=org.pk).version == 1


def test_web_settings_page(org: Any, admin: Any, location: Any, make_user: Any) -> None:
    client = _client(admin)
    assert reverse("web:org-settings") in client.get(reverse("web:org-admin")).content.decode()
    page = client.get(reverse("web:org-settings"))
    assert page.status_code == 200 and b'name="supervision_interval_weeks"' in page.content
    data = {"version": 1, "name": org.name, "cqc_provider_id": "",
            "supervision_interval_weeks": "60"}
    refused = client.post(reverse("web:org-settings"), data)
    html = refused.content.decode()
    assert 'href="#id_supervision_interval_weeks"' in html and "at most 52 weeks" in html
    assert Organisation.objects.get(pk=org.pk).supervision_interval_weeks == 8
    saved = client.post(reverse("web:org-settings"), {**data, "supervision_interval_weeks": "4"})
    assert saved.status_code == 302
    assert Organisation.objects.get(pk=org.pk).supervision_interval_weeks == 4
    stale = client.post(reverse("web:org-settings"), {**data, "supervision_interval_weeks": "5"})
    assert "Someone else changed this record" in stale.content.decode()
    assert Organisation.objects.get(pk=org.pk).supervision_interval_weeks == 4
    manager = _client(make_user(org, "registered_manager", location=location))
    assert manager.get(reverse("web:org-settings")).status_code == 403
    assert manager.post(reverse("web:org-settings"), {**data, "version": 2,
                                                      "supervision_interval_weeks": "3"}
                        ).status_code == 403
    assert Organisation.objects.get(pk=org.pk).supervision_interval_weeks == 4


def test_api_read_and_change(org: Any, admin: Any, location: Any, make_user: Any,
                             token_client: Any, api_client: Any) -> None:
    assert api_client.get("/api/v1/organisation/").status_code == 401
    manager = token_client(make_user(org, "registered_manager", location=location))
    read = manager.get("/api/v1/organisation/")
    assert read.status_code == 200
    assert read.json()["supervision_interval_weeks"] == 8 and read.json()["id"] == str(org.uuid)
    refused = manager.patch("/api/v1/organisation/", {"version": 1,
                                                      "supervision_interval_weeks": 4},
                            format="json")
    assert refused.status_code == 403 and set(refused.json()) == {"message", "errors"}
    api = token_client(admin)
    missing = api.patch("/api/v1/organisation/", {"supervision_interval_weeks": 4},
                        format="json")
    assert missing.status_code == 400 and "version" in missing.json()["errors"]
    bad = api.patch("/api/v1/organisation/", {"version": 1, "supervision_interval_weeks": 0},
                    format="json")
    assert bad.status_code == 400 and "supervision_interval_weeks" in bad.json()["errors"]
    ok = api.patch("/api/v1/organisation/", {"version": 1, "supervision_interval_weeks": 4},
                   format="json")
    assert ok.status_code == 200, ok.json()
    assert ok.json()["supervision_interval_weeks"] == 4 and ok.json()["version"] == 2
    stale = api.patch("/api/v1/organisation/", {"version": 1, "supervision_interval_weeks": 6},
                      format="json")
    assert stale.status_code == 409
    assert Organisation.objects.get(pk=org.pk).supervision_interval_weeks == 4
