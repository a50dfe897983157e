"""The drift page and `GET locations/{uuid}/drift/`: content, links only to records the reader
may see, earlier cycles, and the schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from sustain.drift import services
from sustain.drift.tests.conftest import AS_OF, Records

pytestmark = pytest.mark.django_db


@pytest.fixture
def drifting(records: Records) -> Records:
    records.baseline()
    records.drifting_october()
    services.assess(organisation=records.org, as_of=AS_OF, cycles=3)
    return records


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_api_latest_assessment(drifting: Records, make_user: Any) -> None:
    rm = make_user(drifting.org, "registered_manager", location=drifting.location)
    resp = _api(rm).get(f"/api/v1/locations/{drifting.location.uuid}/drift/")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    a = body["assessment"]
    assert (a["cycle"], a["value"], a["band"]) == ("2026-10", 14, "drifting")
    assert a["cycle_label"] == "October 2026" and "How it is scored" in a["explanation"]
    assert [s["score"] for s in a["signs"]] == [2] * 7
    audits = a["signs"][0]
    assert audits["sign"] == "audits" and audits["measures"][0]["unit"] == "share"
    rec = audits["measures"][0]["records"][0]
    assert rec["type"] == "audit" and rec["url"] == f"/audits/{rec['uuid']}/"
    sup = a["signs"][1]["measures"][0]["records"][0]
    assert sup["type"] == "supervision" and sup["url"].startswith("/workforce/staff/")
    assert a["relapse"][0]["theme"] == str(drifting.theme.uuid)
    assert [h["cycle"] for h in body["history"]] == ["2026-08", "2026-09", "2026-10"]
    assert body["history"][-1]["value"] == 14


def test_api_earlier_cycle_and_bad_cycle(drifting: Records, make_user: Any) -> None:
    rm = make_user(drifting.org, "registered_manager", location=drifting.location)
    base = f"/api/v1/locations/{drifting.location.uuid}/drift/"
    resp = _api(rm).get(base, {"cycle": "2026-09"})
    assert resp.status_code == 200 and resp.json()["assessment"]["cycle"] == "2026-09"
    resp = _api(rm).get(base, {"cycle": "September"})
    assert resp.status_code == 400 and "cycle" in resp.json()["errors"]
    resp = _api(rm).get(base, {"cycle": "2025-01"})
    assert resp.status_code == 404 and resp.json()["message"].startswith("No drift assessment")


def test_api_not_assessed_yet(location: Any, make_user: Any) -> None:
    rm = make_user(location.organisation, "registered_manager", location=location)
    body = _api(rm).get(f"/api/v1/locations/{location.uuid}/drift/").json()
    assert body["assessment"] is None and body["history"] == []


def test_links_only_to_records_the_reader_may_see(drifting: Records, make_user: Any) -> None:
    """A board member sees governance but not supervisions or feedback: their labels are
    shown without a link."""
    board = make_user(drifting.org, "board_member", scope="organisation")
    a = _api(board).get(f"/api/v1/locations/{drifting.location.uuid}/drift/").json()[
        "assessment"]
    by_sign = {s["sign"]: s for s in a["signs"]}
    sup = by_sign["supervision"]["measures"][0]["records"]
    assert sup and all(r["url"] is None and r["label"] for r in sup)
    fb = by_sign["feedback"]["measures"][0]["records"]
    assert fb and all(r["url"] is None for r in fb)
    audits = by_sign["audits"]["measures"][0]["records"]
    assert all(r["url"] for r in audits)  # board members may see audits


def test_page_shows_the_index_signs_records_and_history(drifting: Records,
                                                         make_user: Any) -> None:
    rm = make_user(drifting.org, "registered_manager", location=drifting.location)
    resp = _page(rm).get(f"/drift/locations/{drifting.location.uuid}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Drift index, October 2026" in html and "Drifting" in html
    for label in ("Audits completed late or without analysis",
                  "Supervision discussions becoming generic", "Risk reviews losing detail",
                  "People&#x27;s feedback no longer influencing action",
                  "Senior visits becoming less frequent", "Action plans closing without re-audit",
                  "Quality meetings focusing on updates rather than challenge"):
        assert label in html, label
    assert "Medicines recording" in html and "Relapse review" in html
    assert 'href="/audits/' in html and "Supervision of Carer" in html
    assert '?cycle=2026-09' in html
    earlier = _page(rm).get(f"/drift/locations/{drifting.location.uuid}/?cycle=2026-09")
    assert "Drift index, September 2026" in earlier.content.decode()
    assert _page(rm).get(f"/drift/locations/{drifting.location.uuid}/?cycle=2020-01") \
        .status_code == 404


def test_page_not_assessed_and_panel(location: Any, make_user: Any) -> None:
    from django.template.loader import render_to_string

    rm = make_user(location.organisation, "registered_manager", location=location)
    html = _page(rm).get(f"/drift/locations/{location.uuid}/").content.decode()
    assert "Not assessed yet" in html
    assert "Not assessed yet" in render_to_string("drift/_panel.html", {"assessment": None})


def test_panel_with_an_assessment(drifting: Records) -> None:
    from django.template.loader import render_to_string

    from sustain.drift.selectors import latest_by_location

    a = latest_by_location([drifting.location.pk])[drifting.location.pk]
    html = render_to_string("drift/_panel.html", {"assessment": a, "drift_url": "/x/"})
    assert "Drift index <strong>14</strong>" in html and "October 2026" in html
    assert "1 theme flagged for relapse review" in html and 'href="/x/"' in html


def test_page_access(drifting: Records, make_user: Any, sibling_location: Any) -> None:
    url = f"/drift/locations/{drifting.location.uuid}/"
    carer = make_user(drifting.org, "care_staff", location=drifting.location)
    assert _page(carer).get(url).status_code == 403
    elsewhere = make_user(drifting.org, "registered_manager", location=sibling_location)
    assert _page(elsewhere).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # sign in first


def test_schema_builds_with_the_drift_route() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    op = schema["paths"]["/api/v1/locations/{uuid}/drift/"]["get"]
    assert op["operationId"] == "location_drift_retrieve"
    assert {p["name"] for p in op["parameters"]} >= {"uuid", "cycle"}


def test_history_dates(drifting: Records) -> None:
    from sustain.drift.selectors import history

    assert history(drifting.location)[0].cycle_end == dt.date(2026, 8, 31)


def test_theme_page_shows_relapse_and_key_person_flags(drifting: Records,
                                                       make_user: Any) -> None:
    url = f"/themes/{drifting.theme.uuid}/"
    drifting.manager.leaving_date = dt.date(2026, 11, 1)
    drifting.manager.save()
    services.assess(organisation=drifting.org, as_of=AS_OF, cycles=1)
    rm = make_user(drifting.org, "registered_manager", location=drifting.location)
    html = _page(rm).get(url).content.decode()
    assert "Drift, October 2026" in html and "Flagged for relapse review." in html
    assert "Key-person risk." in html and "Rhian Morgan owns this theme and has left" in html
    assert f"/drift/locations/{drifting.location.uuid}/?cycle=2026-10" in html
    carer = make_user(drifting.org, "care_staff", location=drifting.location)
    page = _page(carer).get(url)
    assert page.status_code == 200 and "Flagged for relapse review" not in page.content.decode()
