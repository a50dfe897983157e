"""Funnel plots: `selectors.funnel_for` on constructed values, the `funnels/{code}/` API
(role by role, other organisations, unknown codes, continuous measures) and the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.indicators import selectors, services
from sustain.indicators.models import Indicator, IndicatorValue
from sustain.tenancy.tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

UNTIL = dt.date(2026, 11, 15)  # window: Nov 2025 to Oct 2026


def month(k: int) -> tuple[dt.date, dt.date]:
    """The k-th month of the window (0: Nov 2025)."""
    i = 2025 * 12 + 10 + k
    start = dt.date(i // 12, i % 12 + 1, 1)
    j = i + 1
    return start, dt.date(j // 12, j % 12 + 1, 1)


def spread(indicator: Indicator, location: Any, numerator: int, denominator: int) -> None:
    """numerator and denominator spread over the 12 months of the window (remainders in the
    first months), plus a value outside the window that must not count."""
    for k in range(12):
        start, end = month(k)
        n = numerator // 12 + (1 if k < numerator % 12 else 0)
        d = denominator // 12 + (1 if k < denominator % 12 else 0)
        IndicatorValue.objects.create(
            organisation=indicator.organisation, indicator=indicator, location=location,
            period_start=start, period_end=end, numerator=n, denominator=d,
            value=n / d * indicator.multiplier if d else None, computed_at=timezone.now())
    IndicatorValue.objects.create(
        organisation=indicator.organisation, indicator=indicator, location=location,
        period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 12, 1), numerator=999,
        denominator=1, value=999.0, computed_at=timezone.now())


@pytest.fixture
def falls(org: Any) -> Indicator:
    services.library_install(actor="test", organisation=org)
    return Indicator.objects.get(organisation=org, code="falls-rate")


@pytest.fixture
def homes(org: Any, falls: Indicator) -> dict[str, Any]:
    """Ten homes at about 6 falls per 1,000 bed days, a big and a small one at exactly that
    rate, and an outlier at 3 times it."""
    out = {}
    for i, (num, den) in enumerate([(60, 10000), (55, 9500), (66, 10500), (58, 10200),
                                    (62, 9800), (57, 9900), (63, 10100), (61, 10000)]):
        out[f"home{i}"] = LocationFactory(organisation=org, name=f"Home {i}")
        spread(falls, out[f"home{i}"], num, den)
    out["big"] = LocationFactory(organisation=org, name="Big House")
    spread(falls, out["big"], 240, 40000)
    out["small"] = LocationFactory(organisation=org, name="Small House")
    spread(falls, out["small"], 12, 2000)
    out["outlier"] = LocationFactory(organisation=org, name="Outlier House")
    spread(falls, out["outlier"], 180, 10000)
    return out


def _by_name(view: selectors.FunnelView) -> dict[str, selectors.FunnelLocation]:
    return {r.location.name: r for r in view.rows}


def test_outlier_flagged_big_and_small_at_the_same_rate_within(
        org: Any, falls: Indicator, homes: dict[str, Any], make_user: Any) -> None:
    lead = make_user(org, "quality_lead", scope="organisation")
    view = selectors.funnel_for(falls, lead, until=UNTIL)
    rows = _by_name(view)
    assert (view.window_start, view.window_end) == (dt.date(2025, 11, 1), dt.date(2026, 11, 1))
    assert rows["Outlier House"].count == 180 and rows["Outlier House"].exposure == 10000
    assert rows["Outlier House"].unit.judgement == "concern"
    assert rows["Outlier House"].unit.position in ("above_95", "above_99_8")
    for name in ("Big House", "Small House"):
        assert rows[name].unit.position == "inside", rows[name].unit.explanation
        assert rows[name].unit.value == pytest.approx(6.0)
    assert rows["Big House"].exposure == 40000 and rows["Small House"].exposure == 2000
    # The 999 falls of Nov 2026 (outside the window) are not counted anywhere.
    assert sum(r.count for r in view.rows) < 999


def test_only_visible_locations_take_part(org: Any, falls: Indicator,
                                          homes: dict[str, Any], make_user: Any) -> None:
    manager = make_user(org, "registered_manager", location=homes["small"])
    view = selectors.funnel_for(falls, manager, until=UNTIL)
    assert [r.location.name for r in view.rows] == ["Small House"]


def test_api_answers_the_funnel(org: Any, falls: Indicator, homes: dict[str, Any],
                                make_user: Any, token_client: Any) -> None:
    client = token_client(make_user(org, "nominated_individual", scope="organisation"))
    res = client.get("/api/v1/funnels/falls-rate/", {"until": "2026-11-15"})
    assert res.status_code == 200, res.content
    body = res.json()
    rows = {r["name"]: r for r in body["locations"]}
    assert rows["Outlier House"]["judgement"] == "concern"
    assert rows["Outlier House"]["rate"] == pytest.approx(18.0)
    assert rows["Small House"]["position"] == "inside"
    assert body["target"] == pytest.approx(914 / 132000 * 1000)
    assert body["kind"] == "rate" and len(body["limits"]) == 41
    assert body["limits"][0]["exposure"] == pytest.approx(2000)
    assert body["limits"][0]["upper95"] > body["limits"][-1]["upper95"]  # it narrows
    assert set(body["overdispersion"]) == {"n", "phi", "tau2", "adjusted", "explanation"}
    assert body["overdispersion"]["n"] == 11


def test_api_refuses_unknown_foreign_and_continuous(org: Any, other_org: Any,
                                                     falls: Indicator, make_user: Any,
                                                     token_client: Any) -> None:
    services.library_install(actor="test", organisation=other_org)
    client = token_client(make_user(org, "quality_lead", scope="organisation"))
    assert client.get("/api/v1/funnels/no-such-code/").status_code == 404
    # Once ours is archived the code exists only in the other organisation: still 404.
    services.indicator_archive(actor=make_user(org, "quality_lead", scope="organisation"),
                               indicator=falls)
    assert client.get("/api/v1/funnels/falls-rate/").status_code == 404
    res = client.get("/api/v1/funnels/audit-score/")
    assert res.status_code == 400
    assert "continuous" in res.json()["message"]
    assert "indicator" in res.json()["errors"]


@pytest.mark.parametrize(("role", "scope", "status"), [
    ("quality_lead", "organisation", 200), ("nominated_individual", "organisation", 200),
    ("registered_manager", "location", 200), ("care_staff", "location", 200),
    ("commissioner", "organisation", 403)])
def test_api_by_role(org: Any, location: Any, falls: Indicator, make_user: Any,
                     token_client: Any, role: str, scope: str, status: int) -> None:
    user = make_user(org, role, scope=scope, location=location)
    assert token_client(user).get("/api/v1/funnels/falls-rate/").status_code == status


def test_anonymous_is_refused(falls: Indicator, api_client: Any) -> None:
    assert api_client.get("/api/v1/funnels/falls-rate/").status_code == 401


def test_page_names_and_links_every_location(org: Any, falls: Indicator,
                                             homes: dict[str, Any], make_user: Any,
                                             client: Any) -> None:
    client.force_login(make_user(org, "quality_lead", scope="organisation"))
    res = client.get(f"/indicators/{falls.uuid}/funnel/")
    assert res.status_code == 200
    html = res.content.decode()
    assert "funnel-chart" in html
    for home in homes.values():
        assert f"?location={home.uuid}" in html
    audit = Indicator.objects.get(organisation=org, code="audit-score")
    res = client.get(f"/indicators/{audit.uuid}/funnel/")
    assert res.status_code == 400 and "continuous" in res.content.decode()
