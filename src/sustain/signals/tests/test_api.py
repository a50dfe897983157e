"""signals/ API: list and filters, retrieve, interpret (200, 400 by field, 403, 404), scope."""

from __future__ import annotations

from typing import Any

import pytest

from sustain.signals.tests.factories import make_signal
from sustain.signals.tests.test_interpret import MEANING, RESPONSE
from sustain.themes.tests.factories import ActionFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def client_of(token_client: Any, user: Any) -> Any:
    return token_client(user)


def test_list_filters_and_retrieve(token_client: Any, falls: Any, location: Any,
                                   sibling_location: Any, quality_lead: Any,
                                   foreign_location: Any, make_user: Any) -> None:
    import datetime as dt

    late = make_signal(falls, location, raised_days_ago=9)
    make_signal(falls, sibling_location, direction="improvement")
    c = token_client(quality_lead)
    body = c.get("/api/v1/signals/").json()
    assert body["count"] == 2
    assert {r["direction"] for r in body["results"]} == {"concern", "improvement"}
    assert c.get(f"/api/v1/signals/?location_id={location.uuid}").json()["count"] == 1
    assert c.get("/api/v1/signals/?direction=improvement").json()["count"] == 1
    assert c.get("/api/v1/signals/?status=open").json()["count"] == 1
    assert c.get("/api/v1/signals/?indicator=falls-rate").json()["count"] == 2
    assert c.get("/api/v1/signals/?indicator=other").json()["count"] == 0
    overdue = c.get("/api/v1/signals/?overdue=1").json()
    assert [r["id"] for r in overdue["results"]] == [str(late.uuid)]
    assert overdue["results"][0]["overdue"] is True
    one = c.get(f"/api/v1/signals/{late.uuid}/").json()
    assert one["indicator_code"] == "falls-rate" and one["location"] == str(location.uuid)
    del dt


def test_interpret_api(token_client: Any, falls: Any, location: Any, manager: Any) -> None:
    s = make_signal(falls, location)
    action = ActionFactory(theme=ThemeFactory(organisation=location.organisation,
                                              location=location))
    c = token_client(manager)
    bad = c.post(f"/api/v1/signals/{s.uuid}/interpret/", {"meaning": "x", "response": "y"},
                 format="json")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) >= {"meaning", "response"}
    ok = c.post(f"/api/v1/signals/{s.uuid}/interpret/", {
        "meaning": MEANING, "response": RESPONSE, "action": str(action.uuid),
        "version": s.version}, format="json")
    assert ok.status_code == 200, ok.json()
    assert ok.json()["status"] == "interpreted"
    assert ok.json()["action"] == str(action.uuid)


def test_interpret_403_and_404(token_client: Any, falls: Any, location: Any, carer: Any,
                               make_user: Any, org: Any, sibling_location: Any,
                               other_org: Any) -> None:
    s = make_signal(falls, location)
    payload = {"meaning": MEANING, "response": RESPONSE}
    assert token_client(carer).post(f"/api/v1/signals/{s.uuid}/interpret/", payload,
                                    format="json").status_code == 403
    elsewhere = make_user(org, "registered_manager", location=sibling_location)
    assert token_client(elsewhere).post(f"/api/v1/signals/{s.uuid}/interpret/", payload,
                                        format="json").status_code == 404
    foreign = make_user(other_org, "quality_lead", scope="organisation")
    assert token_client(foreign).get(f"/api/v1/signals/{s.uuid}/").status_code == 404
    s.refresh_from_db()
    assert s.status == "open"


def test_schema_builds_without_warnings_for_signals(api_client: Any, quality_lead: Any,
                                                    capsys: Any) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/signals/{id}/interpret/" in schema["paths"] or \
        "/api/v1/signals/{uuid}/interpret/" in schema["paths"]
    err = capsys.readouterr().err
    assert "signals" not in err.lower(), err
