"""The `inspections/` API: nested create (all-or-nothing), nested read, header corrections with
a version, archive, and `create-theme`. Role × place coverage is in the access matrix."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sustain.core.models import HistoryEntry
from sustain.inspections import services
from sustain.inspections.models import Finding, Inspection
from sustain.inspections.tests.conftest import payload
from sustain.people.tests.factories import StaffFactory
from sustain.themes.models import Theme

pytestmark = pytest.mark.django_db
URL = "/api/v1/inspections/"


def as_json(location: Any, **overrides: Any) -> dict[str, Any]:
    data = payload(**overrides)
    for key in ("inspection_date", "publication_date"):
        if isinstance(data.get(key), dt.date):
            data[key] = data[key].isoformat()
    for row in data["enforcement"]:
        for key in ("issued_on", "deadline"):
            if isinstance(row.get(key), dt.date):
                row[key] = row[key].isoformat()
    return {"location": str(location.uuid), **data}


@pytest.fixture
def api(token_client: Any, manager: Any) -> Any:
    return token_client(manager)


def test_create_nested_and_read_it_back(api: Any, location: Any) -> None:
    resp = api.post(URL, as_json(location), format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["ratings"]["safe"] == "inadequate" and len(body["ratings"]) == 5
    assert [b["regulation"] for b in body["breaches"]] == ["RA2014-12", "RA2014-13"]
    assert body["enforcement"][0]["enforcement_type"] == "warning-notice"
    assert body["findings"][0]["quality_statements"] == ["S8"]
    assert body["findings"][0]["themes"] == []
    # Every row written in this request has its history entry under the request's id.
    entries = HistoryEntry.objects.filter(request_id=resp["X-Request-ID"], action="create")
    assert entries.count() == 11
    detail = api.get(f"{URL}{body['id']}/")
    assert detail.status_code == 200
    assert detail.json() == body


def test_bad_rows_answer_400_naming_row_and_field_and_write_nothing(api: Any,
                                                                    location: Any) -> None:
    data = as_json(location)
    data["breaches"][1]["regulation"] = "RA2014-99"
    data["findings"][0]["key_question"] = "kind"
    del data["ratings"]["caring"]
    before = HistoryEntry.objects.count()
    resp = api.post(URL, data, format="json")
    assert resp.status_code == 400
    body = resp.json()
    assert set(body) == {"message", "errors"}
    assert set(body["errors"]) == {"breaches.1.regulation", "findings.0.key_question",
                                   "ratings.caring"}
    assert "breaches.1.regulation" in body["message"]
    assert Inspection.objects.count() == 0 and Finding.objects.count() == 0
    assert HistoryEntry.objects.count() == before


def test_badly_formed_row_is_named_too(api: Any, location: Any) -> None:
    data = as_json(location)
    data["enforcement"][0]["issued_on"] = "25/04/2026"
    resp = api.post(URL, data, format="json")
    assert resp.status_code == 400
    assert list(resp.json()["errors"]) == ["enforcement.0.issued_on"]
    assert Inspection.objects.count() == 0


def test_patch_header_needs_the_version(api: Any, location: Any) -> None:
    created = api.post(URL, as_json(location), format="json").json()
    detail = f"{URL}{created['id']}/"
    assert api.patch(detail, {"summary": "x"}, format="json").json()["errors"] == {
        "version": ["This field is required."]}
    resp = api.patch(detail, {"overall_rating": "inadequate", "version": 1}, format="json")
    assert resp.status_code == 200, resp.json()
    assert (resp.json()["overall_rating"], resp.json()["version"]) == ("inadequate", 2)
    assert len(resp.json()["findings"]) == 2  # still answered nested
    stale = api.patch(detail, {"summary": "late", "version": 1}, format="json")
    assert stale.status_code == 409
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()  # noqa: DTZ011
    bad = api.patch(detail, {"inspection_date": future, "version": 2}, format="json")
    assert bad.status_code == 400 and "inspection_date" in bad.json()["errors"]
    assert Inspection.objects.get().version == 2


def test_archive_takes_it_out_of_the_list(api: Any, location: Any) -> None:
    created = api.post(URL, as_json(location), format="json").json()
    resp = api.post(f"{URL}{created['id']}/archive/", {"reason": "Recorded in error"},
                    format="json")
    assert resp.status_code == 200 and resp.json()["archived_at"]
    assert api.get(URL).json()["results"] == []
    assert [r["id"] for r in api.get(URL, {"include_archived": "1"}).json()["results"]] == \
        [created["id"]]


def test_list_queries_do_not_grow_with_inspections(api: Any, manager: Any, org: Any,
                                                   location: Any) -> None:
    def record(day: int) -> None:
        services.inspection_record(actor=manager, organisation=org, location=location,
                                   **payload(inspection_date=dt.date(2025, 1, day),
                                             publication_date=None, enforcement=[]))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(URL).status_code == 200
        return len(ctx.captured_queries)

    record(1)
    small = count()
    for day in range(2, 12):
        record(day)
    assert count() == small


# --- create-theme ----------------------------------------------------------------------------


@pytest.fixture
def inspection(manager: Any, org: Any, location: Any) -> Inspection:
    return services.inspection_record(actor=manager, organisation=org, location=location,
                                      **payload())


def test_create_theme_from_a_finding(api: Any, inspection: Inspection, org: Any,
                                     location: Any) -> None:
    owner = StaffFactory(organisation=org, locations=[location])
    finding = inspection.findings.get(quality_statements__code="S8")
    resp = api.post(f"{URL}{inspection.uuid}/create-theme/", {
        "finding": str(finding.uuid), "title": "Medicines governance",
        "owner": str(owner.uuid)}, format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert (body["origin"], body["stage"], body["finding"], body["owner"]) == (
        "inspection", "identified", str(finding.uuid), str(owner.uuid))
    assert body["quality_statements"] == ["S8"]
    assert body["regulations"] == ["RA2014-12"]  # Reg 13 is safeguarding, not medicines
    assert HistoryEntry.objects.filter(request_id=resp["X-Request-ID"],
                                       object_uuid=body["id"]).exists()
    read = api.get(f"{URL}{inspection.uuid}/").json()
    themes = {f["id"]: f["themes"] for f in read["findings"]}
    assert themes[str(finding.uuid)] == [body["id"]]
    again = api.post(f"{URL}{inspection.uuid}/create-theme/", {
        "finding": str(finding.uuid), "title": "Twice"}, format="json")
    assert again.status_code == 400 and "finding" in again.json()["errors"]
    assert Theme.objects.count() == 1


def test_create_theme_refusals(api: Any, inspection: Inspection, manager: Any, org: Any,
                               location: Any, sibling_location: Any, make_user: Any,
                               token_client: Any) -> None:
    finding = inspection.findings.first()
    url = f"{URL}{inspection.uuid}/create-theme/"
    # A finding of another inspection is named as the bad field.
    other = services.inspection_record(actor=manager, organisation=org, location=location,
                                       **payload(inspection_date=dt.date(2025, 6, 1),
                                                 enforcement=[], publication_date=None))
    resp = api.post(url, {"finding": str(other.findings.first().uuid), "title": "T"},
                    format="json")
    assert resp.status_code == 400 and list(resp.json()["errors"]) == ["finding"]
    # An owner who does not work at the location.
    stranger = StaffFactory(organisation=org, locations=[sibling_location])
    resp = api.post(url, {"finding": str(finding.uuid), "title": "T",
                          "owner": str(stranger.uuid)}, format="json")
    assert resp.status_code == 400 and "owner" in resp.json()["errors"]
    assert api.post(url, {"finding": str(finding.uuid), "title": ""},
                    format="json").json()["errors"] == {"title": ["This field may not be blank."]}
    # Care staff see inspections but cannot open themes.
    carer = token_client(make_user(org, "care_staff", location=location))
    assert carer.post(url, {"finding": str(finding.uuid), "title": "T"},
                      format="json").status_code == 403
    # Someone who cannot see the inspection gets 404.
    elsewhere = token_client(make_user(org, "registered_manager", location=sibling_location))
    assert elsewhere.post(url, {"finding": str(finding.uuid), "title": "T"},
                          format="json").status_code == 404
    assert Theme.objects.count() == 0
