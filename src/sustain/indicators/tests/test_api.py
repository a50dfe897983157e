"""`indicators/` and `indicator-values/`: visibility, filters, and SPC fields computed over the
location's series."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sustain.engine.spc import spc_series
from sustain.indicators import services
from sustain.indicators.models import Indicator, IndicatorValue

pytestmark = pytest.mark.django_db

# 14 months: stable around 3, then a jump (outside the limits) in the last month.
NUMERATORS = [3, 4, 2, 3, 3, 4, 2, 3, 4, 3, 2, 3, 3, 12]


def months(n: int) -> list[dt.date]:
    return [dt.date(2025 + (i // 12), i % 12 + 1, 1) for i in range(n)]


def add_series(indicator: Indicator, location: Any, numerators: list[int],
               denominator: int = 1000) -> list[IndicatorValue]:
    out = []
    for start, num in zip(months(len(numerators)), numerators, strict=True):
        end = dt.date(start.year + (start.month // 12), start.month % 12 + 1, 1)
        out.append(IndicatorValue.objects.create(
            organisation=indicator.organisation, indicator=indicator, location=location,
            period_start=start, period_end=end, numerator=num, denominator=denominator,
            value=num / denominator * indicator.multiplier, computed_at=timezone.now()))
    return out


@pytest.fixture
def falls(org: Any) -> Indicator:
    services.library_install(actor="test", organisation=org)
    return Indicator.objects.get(organisation=org, code="falls-rate")


def test_values_carry_spc_fields(falls: Indicator, location: Any, make_user: Any,
                                 token_client: Any) -> None:
    add_series(falls, location, NUMERATORS)
    client = token_client(make_user(location.organisation, "registered_manager",
                                    location=location))
    with CaptureQueriesContext(connection) as queries:
        res = client.get("/api/v1/indicator-values/", {"indicator": "falls-rate",
                                                        "location_id": str(location.uuid)})
    assert res.status_code == 200, res.content
    rows = res.json()["results"]
    assert len(rows) == len(NUMERATORS)
    expected = spc_series([n / 1000 * 1000 for n in NUMERATORS], "decrease")
    by_start = {r["period_start"]: r for r in rows}
    last = by_start["2026-02-01"]
    assert (last["numerator"], last["denominator"], last["value"]) == (12, 1000, 12.0)
    assert last["spc"]["point_type"] == "special_cause_concern"
    assert last["spc"]["rule"] == "outside_limits"
    assert last["spc"]["trial"] is False
    assert last["spc"]["mean"] == pytest.approx(expected.points[-1].mean)
    assert last["spc"]["upl"] == pytest.approx(expected.points[-1].upl)
    first = by_start["2025-01-01"]
    assert first["spc"]["point_type"] == expected.points[0].point_type
    assert first["indicator_code"] == "falls-rate" and first["direction"] == "higher_is_worse"
    assert len(queries) < 12  # no query per value


def test_short_series_is_trial_and_no_value_has_no_spc(falls: Indicator, location: Any,
                                                       make_user: Any,
                                                       token_client: Any) -> None:
    values = add_series(falls, location, [2, 3, 4])
    empty = values[0]
    IndicatorValue.objects.filter(pk=empty.pk).update(denominator=0, value=None)
    client = token_client(make_user(location.organisation, "quality_lead",
                                    scope="organisation"))
    res = client.get(f"/api/v1/indicator-values/{values[2].uuid}/")
    assert res.status_code == 200
    assert res.json()["spc"]["trial"] is True
    assert res.json()["spc"]["mean"] == pytest.approx(3.5)  # 3 and 4; empty left out
    res = client.get(f"/api/v1/indicator-values/{empty.uuid}/")
    assert res.json()["spc"] is None


def test_filters(falls: Indicator, org: Any, location: Any, sibling_location: Any,
                 make_user: Any, token_client: Any) -> None:
    add_series(falls, location, [1, 2, 3, 4])
    add_series(falls, sibling_location, [5, 6])
    complaints = Indicator.objects.get(organisation=org, code="complaints")
    add_series(complaints, location, [1])
    client = token_client(make_user(org, "quality_lead", scope="organisation"))

    def starts(**params: str) -> list[tuple[str, str]]:
        res = client.get("/api/v1/indicator-values/", params)
        assert res.status_code == 200, res.content
        return sorted((r["indicator_code"], r["period_start"]) for r in res.json()["results"])

    assert len(starts()) == 7
    assert starts(indicator_id=str(complaints.uuid)) == [("complaints", "2025-01-01")]
    assert len(starts(location_id=str(sibling_location.uuid))) == 2
    assert starts(indicator="falls-rate", location_id=str(location.uuid),
                  period_from="2025-02-01", period_to="2025-03-01") == [
        ("falls-rate", "2025-02-01"), ("falls-rate", "2025-03-01")]
    res = client.get("/api/v1/indicators/", {"code": "falls-rate"})
    assert [r["code"] for r in res.json()["results"]] == ["falls-rate"]


def test_visibility(falls: Indicator, org: Any, other_org: Any, location: Any,
                    sibling_location: Any, foreign_location: Any, make_user: Any,
                    token_client: Any) -> None:
    add_series(falls, location, [1])
    add_series(falls, sibling_location, [2])
    services.library_install(actor="test", organisation=other_org)
    theirs = Indicator.objects.get(organisation=other_org, code="falls-rate")
    foreign = add_series(theirs, foreign_location, [3])[0]
    manager = token_client(make_user(org, "registered_manager", location=location))
    res = manager.get("/api/v1/indicator-values/")
    assert [r["location"] for r in res.json()["results"]] == [str(location.uuid)]
    assert manager.get(f"/api/v1/indicator-values/{foreign.uuid}/").status_code == 404
    codes = {r["id"] for r in manager.get("/api/v1/indicators/",
                                          {"page_size": 100}).json()["results"]}
    assert str(falls.uuid) in codes and str(theirs.uuid) not in codes
    assert manager.get(f"/api/v1/indicators/{theirs.uuid}/").status_code == 404
    commissioner = token_client(make_user(org, "commissioner", scope="organisation"))
    assert commissioner.get("/api/v1/indicator-values/").status_code == 403
    assert commissioner.get("/api/v1/indicators/").status_code == 403
