"""The provider and location dashboards through their pages and API: risk order with the
explanation, the heat map, panels by permission, default deny, and a fixed query count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sustain.dashboards.tests import builders as b
from sustain.tenancy.tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org: Any, location: Any, sibling_location: Any, foreign_location: Any) -> Any:
    """Oak House: requires improvement, a relapsed and a recovering falls theme, overdue
    governance and an overdue escalation. Elm Court: good, one embedded medicines theme.
    Foreign Home (another organisation): inadequate, never visible."""
    falls = b.playbook("falls-and-risk", "Falls and risk")
    meds = b.playbook("medicines-governance", "Medicines governance")
    b.inspection(location, "requires-improvement", dt.date(2025, 6, 1))
    b.inspection(location, "inadequate", dt.date(2024, 1, 1))  # older: not the latest
    b.inspection(sibling_location, "good", dt.date(2025, 3, 1))
    b.inspection(foreign_location, "inadequate", dt.date(2025, 3, 1))
    b.theme(location, "Falls at night", "relapsed", falls)
    b.theme(location, "Bed rails", "recovering", falls)
    b.theme(location, "Call bells", "identified")
    b.theme(sibling_location, "MAR gaps", "embedded", meds)
    b.theme(foreign_location, "Foreign theme", "relapsed", falls)
    b.overdue_occurrence(location)
    b.overdue_occurrence(location, title="Monthly audit")
    b.task(location, -30)  # overdue
    b.task(location, 48)
    b.task(foreign_location, -30)
    return {"oak": location, "elm": sibling_location, "foreign": foreign_location}


def test_provider_page_lists_visible_locations_in_risk_order(client: Any, make_user: Any,
                                                            org: Any, world: Any) -> None:
    user = make_user(org, "quality_lead", scope="organisation")
    client.force_login(user)
    resp = client.get(reverse("dashboards:provider"))
    assert resp.status_code == 200
    board = resp.context["board"]
    names = [r.location.name for r in board.rows]
    assert names == ["Oak House", "Elm Court"]  # Foreign Home never
    oak = board.rows[0]
    assert oak.rating == "requires-improvement"
    assert oak.stages == {"relapsed": 1, "recovering": 1, "identified": 1}
    assert oak.overdue_governance == 2 and oak.open_tasks == 2 and oak.overdue_tasks == 1
    parts = {c.key: c.points for c in oak.score.components}
    assert parts == {"rating": 5, "themes": 4 + 2 + 3, "drift": 0, "signals": 0,
                     "governance": 2, "escalations": 2 + 2}
    html = resp.content.decode()
    assert "Foreign Home" not in html
    assert "Latest overall rating Requires improvement (5 points)." in html
    # The heat map: playbook columns by title, then the themes without one.
    titles = [c.title for c in board.heat_map.columns]
    assert titles == ["Falls and risk", "Medicines governance", "Other themes"]
    oak_cells = board.heat_map.rows[0][1]
    assert [c.label for c in oak_cells] == ["Relapsed", "No theme", "Identified"]
    assert len(oak_cells[0].themes) == 2
    assert '<th scope="col">Falls and risk</th>' in html
    assert "2 themes" in html


def test_provider_api_gives_the_same_facts_with_risk_components(token_client: Any,
                                                                make_user: Any, org: Any,
                                                                world: Any) -> None:
    user = make_user(org, "quality_lead", scope="organisation")
    resp = token_client(user).get("/api/v1/provider-dashboard/")
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert [r["name"] for r in data["locations"]] == ["Oak House", "Elm Court"]
    oak = data["locations"][0]
    assert oak["rank"] == 1 and oak["rating"] == "requires-improvement"
    assert oak["risk"]["total"] == 5 + 9 + 2 + 4
    assert {c["key"] for c in oak["risk"]["components"]} == {
        "rating", "themes", "drift", "signals", "governance", "escalations"}
    assert all(c["sentence"] for c in oak["risk"]["components"])
    assert oak["overdue_escalations"] == 1 and oak["themes_by_stage"]["relapsed"] == 1
    assert [c["title"] for c in data["heat_map"]["columns"]] == [
        "Falls and risk", "Medicines governance", "Other themes"]
    assert data["heat_map"]["rows"][0]["cells"][0]["stage"] == "relapsed"
    assert data["rule_version"] == "risk-rank-1"


def test_roles_see_only_their_locations_and_facts(client: Any, make_user: Any, org: Any,
                                                  world: Any) -> None:
    # Care staff at Elm Court: only Elm Court; no governance or escalations (not their role).
    carer = make_user(org, "care_staff", location=world["elm"])
    client.force_login(carer)
    rows = client.get(reverse("dashboards:provider")).context["board"].rows
    assert [r.location.name for r in rows] == ["Elm Court"]
    assert rows[0].overdue_governance is None and rows[0].open_tasks is None
    assert client.get(reverse("dashboards:location", args=[world["oak"].uuid])).status_code \
        == 404
    page = client.get(reverse("dashboards:location", args=[world["elm"].uuid]))
    assert page.status_code == 200
    d = page.context["d"]
    assert d.governance is None and d.escalations is None and d.drift is None
    assert d.themes is not None
    assert "governance-heading" not in page.content.decode()
    assert "escalations-heading" not in page.content.decode()


def test_default_deny(client: Any, make_user: Any, org: Any, other_org: Any, world: Any,
                      token_client: Any) -> None:
    commissioner = make_user(org, "commissioner", scope="organisation")  # no theme.view
    client.force_login(commissioner)
    assert client.get(reverse("dashboards:provider")).status_code == 403
    assert client.get(reverse("dashboards:location", args=[world["oak"].uuid])).status_code \
        == 404
    api = token_client(commissioner)
    assert api.get("/api/v1/provider-dashboard/").status_code == 403
    assert api.get(f"/api/v1/locations/{world['oak'].uuid}/dashboard/").status_code == 403
    outsider = make_user(other_org, "quality_lead", scope="organisation")
    api = token_client(outsider)
    assert api.get(f"/api/v1/locations/{world['oak'].uuid}/dashboard/").status_code == 404
    assert [r["name"] for r in api.get("/api/v1/provider-dashboard/").json()["locations"]] \
        == ["Foreign Home"]
    client.logout()
    assert client.get(reverse("dashboards:provider")).status_code == 302  # to sign in
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/provider-dashboard/").status_code == 401


def test_location_page_and_api_panels(client: Any, token_client: Any, make_user: Any,
                                      org: Any, world: Any) -> None:
    manager = make_user(org, "registered_manager", location=world["oak"])
    client.force_login(manager)
    resp = client.get(reverse("dashboards:location", args=[world["oak"].uuid]))
    assert resp.status_code == 200
    d = resp.context["d"]
    assert [g.stage for g in d.themes] == ["relapsed", "identified", "recovering"]
    assert d.governance.total == 2 and d.escalations.total == 2 and d.escalations.overdue == 1
    html = resp.content.decode()
    assert "Overdue governance (2)" in html and "Open escalations (2, 1 overdue)" in html
    assert f"/escalations/location/{world['oak'].uuid}/" in html
    assert f"/governance/?location={world['oak'].uuid}" in html
    data = token_client(manager).get(f"/api/v1/locations/{world['oak'].uuid}/dashboard/").json()
    assert data["location"]["name"] == "Oak House"
    assert data["location"]["risk"]["total"] == d.row.score.total
    assert data["governance_overdue"]["total"] == 2
    assert [t["overdue"] for t in data["escalations_open"]["items"]] == [True, False]
    assert [t["stage"] for t in data["themes"]] == ["relapsed", "identified", "recovering"]


def _queries(client: Any, url: str) -> int:
    """Queries of one request with the indicator cards drawn (not from the cache)."""
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_locations_and_themes(client: Any, make_user: Any,
                                                             org: Any, world: Any) -> None:
    user = make_user(org, "quality_lead", scope="organisation")
    client.force_login(user)
    url = reverse("dashboards:provider")
    api = "/api/v1/provider-dashboard/"
    loc_url = reverse("dashboards:location", args=[world["oak"].uuid])
    _falls_series(world["oak"], [5, 6, 5, 4, 6, 5, 5, 6, 4, 5, 6, 5, 5, 7])
    before = (_queries(client, url), _queries(client, api), _queries(client, loc_url))
    book = b.playbook("safe-staffing", "Safe staffing")
    for n in range(6):
        place = LocationFactory(organisation=org, name=f"Extra {n}")
        b.inspection(place, "good", dt.date(2025, 1, 1))
        b.theme(place, f"Staffing {n}", "verified", book)
        b.theme(place, f"Other {n}", "identified")
        b.overdue_occurrence(place)
        b.task(place, -5)
    b.theme(world["oak"], "More falls", "recovering", book)
    b.overdue_occurrence(world["oak"], title="Extra check")
    b.task(world["oak"], -2)
    _falls_series(world["oak"], [3, 4, 3, 5, 4, 3, 4], code="falls-with-harm")
    after = (_queries(client, url), _queries(client, api), _queries(client, loc_url))
    assert after == before
    assert before[0] <= 12 and before[2] <= 20, before


def _falls_series(location: Any, values: list[int], code: str = "falls-rate") -> Any:
    return b.indicator_series(location, values, code)


def test_indicator_cards_on_the_page_and_icons_in_the_api(client: Any, token_client: Any,
                                                          make_user: Any, org: Any,
                                                          world: Any) -> None:
    from sustain.indicators.models import IndicatorValue

    oak = world["oak"]
    _falls_series(oak, [5, 6, 5, 4, 6, 5, 5, 6, 4, 5, 6, 5, 5, 30])  # the last one stands out
    manager = make_user(org, "registered_manager", location=oak)
    client.force_login(manager)
    url = reverse("dashboards:location", args=[oak.uuid])
    first = client.get(url)
    assert not first.context["d"].charts.cached
    html = first.content.decode()
    assert "Indicators (1)" in html and "Falls per 1,000 occupied bed days" in html
    assert "<svg" in html
    again = client.get(url).context["d"].charts
    assert again.cached and again.html == first.context["d"].charts.html
    data = token_client(manager).get(f"/api/v1/locations/{oak.uuid}/dashboard/").json()
    [card] = data["indicators"]
    assert card["code"] == "falls-rate"
    assert card["variation_icon"] == "concern_high"
    assert card["variation_icon"] == first.context["d"].charts.summaries[0].variation_icon
    # A changed value is drawn again (the cached cards are keyed on what they show).
    IndicatorValue.objects.filter(location=oak, numerator=30).update(numerator=5, value=5)
    after = client.get(url).context["d"].charts
    assert not after.cached
    assert after.summaries[0].variation_icon == "common_cause"
