"""Workforce API beyond the access matrix: defaults, self-attestation, the error envelope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.workforce import services
from sustain.workforce.models import Attestation, Supervision

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_supervision_create_defaults_next_due(location: Any, staff: Any, make_user: Any,
                                              token_client: Any, theme: Any) -> None:
    client = token_client(make_user(location.organisation, "registered_manager",
                                    location=location))
    ann, bob = staff("Ann"), staff("Bob")
    resp = client.post("/api/v1/supervisions/", {
        "location": str(location.uuid), "date": TODAY.isoformat(), "supervisor": str(ann.uuid),
        "supervisee": str(bob.uuid), "themes": [str(theme.uuid)], "topics": "MAR"},
        format="json")
    assert resp.status_code == 201, resp.json()
    assert resp.json()["next_due"] == (TODAY + dt.timedelta(weeks=8)).isoformat()
    bad = client.post("/api/v1/supervisions/", {
        "location": str(location.uuid), "date": (TODAY + dt.timedelta(days=2)).isoformat(),
        "supervisor": str(ann.uuid), "supervisee": str(bob.uuid)}, format="json")
    assert bad.status_code == 400 and "date" in bad.json()["errors"]
    assert Supervision.objects.count() == 1


def test_self_attestation(location: Any, staff: Any, make_user: Any, token_client: Any,
                          theme: Any) -> None:
    briefing = services.briefing_create(
        actor="test", organisation=location.organisation, location=location, theme=theme,
        title="MAR checks", what_changed="x", why="y", what_good_looks_like="z",
        delivered_via="handover")
    linked = make_user(location.organisation, "care_staff", location=location)
    me = staff("Me", user=linked)
    unlinked = make_user(location.organisation, "care_staff", location=location)
    url = f"/api/v1/briefings/{briefing.uuid}/attest/"
    refused = token_client(unlinked).post(url, {"statement_confirmed": True}, format="json")
    assert refused.status_code == 400 and "staff" in refused.json()["errors"]
    client = token_client(linked)
    unticked = client.post(url, {"statement_confirmed": False}, format="json")
    assert unticked.status_code == 400 and "statement_confirmed" in unticked.json()["errors"]
    assert client.get(f"/api/v1/briefings/{briefing.uuid}/").status_code == 200
    ok = client.post(url, {"statement_confirmed": True, "short_answer": "Check every chart"},
                     format="json")
    assert ok.status_code == 201, ok.json()
    assert ok.json()["staff"] == str(me.uuid)
    again = client.post(url, {"statement_confirmed": True}, format="json")
    assert again.status_code == 400 and "staff" in again.json()["errors"]
    assert Attestation.objects.count() == 1


def test_attestations_filter_by_external_ref(location: Any, staff: Any, make_user: Any,
                                             token_client: Any, theme: Any) -> None:
    briefing = services.briefing_create(
        actor="test", organisation=location.organisation, location=location, theme=theme,
        title="MAR checks", what_changed="x", why="y", what_good_looks_like="z",
        delivered_via="handover")
    for name, ref in (("Ann", "ATT-1"), ("Bob", "ATT-2")):
        services.attestation_create(actor="test", organisation=location.organisation,
                                    briefing=briefing, staff=staff(name),
                                    statement_confirmed=True, external_ref=ref)
    client = token_client(make_user(location.organisation, "registered_manager",
                                    location=location))
    found = client.get("/api/v1/attestations/", {"external_ref": "ATT-2"}).json()
    rows = found["results"] if isinstance(found, dict) else found
    assert [r["external_ref"] for r in rows] == ["ATT-2"]
