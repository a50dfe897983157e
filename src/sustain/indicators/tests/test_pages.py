"""Indicator pages (list, detail, records behind a value) and `selectors.location_charts`:
what they show, to whom, and 404 for other organisations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sustain.indicators import selectors, services
from sustain.indicators.models import Indicator, IndicatorValue
from sustain.indicators.tests.test_api import NUMERATORS, add_series

pytestmark = pytest.mark.django_db


@pytest.fixture
def falls(org: Any) -> Indicator:
    services.library_install(actor="test", organisation=org)
    return Indicator.objects.get(organisation=org, code="falls-rate")


def test_location_charts_one_query_for_values(org: Any, falls: Indicator,
                                              location: Any) -> None:
    add_series(falls, location, NUMERATORS)
    complaints = Indicator.objects.get(organisation=org, code="complaints")
    add_series(complaints, location, [1, 2, 1, 3])
    indicators = list(Indicator.objects.filter(organisation=org))
    with CaptureQueriesContext(connection) as queries:
        cards = selectors.location_charts(location, indicators)
    assert len(queries) == 1
    assert [c.indicator.code for c in cards] == ["complaints", "falls-rate"]
    falls_card = cards[1]
    assert falls_card.variation_icon == "concern_high"
    assert falls_card.latest is not None and falls_card.latest.numerator == 12
    html = str(falls_card.chart_html)
    assert 'viewBox="0 0 400 220"' in html and "<title" in html
    assert "Special cause concern" in str(falls_card.icons_html)
    assert selectors.location_charts(location, []) == []


def test_list_shows_latest_value_and_icons(org: Any, falls: Indicator, location: Any,
                                           sibling_location: Any, make_user: Any,
                                           client: Any) -> None:
    add_series(falls, location, NUMERATORS)
    client.force_login(make_user(org, "registered_manager", location=location))
    res = client.get("/indicators/")
    assert res.status_code == 200
    html = res.content.decode()
    assert "Falls per 1,000 occupied bed days" in html
    assert "12 per 1,000 occupied bed days (Feb 2026)" in html
    assert "Special cause concern — higher values" in html
    assert client.get(f"/indicators/?location={sibling_location.uuid}").status_code == 404


def test_detail_chart_table_and_drill_down(org: Any, falls: Indicator, location: Any,
                                           sibling_location: Any, make_user: Any,
                                           client: Any) -> None:
    values = add_series(falls, location, NUMERATORS)
    client.force_login(make_user(org, "registered_manager", location=location))
    res = client.get(f"/indicators/{falls.uuid}/?location={location.uuid}")
    assert res.status_code == 200
    html = res.content.decode()
    assert 'id="indicator-chart"' in html and "spc-chart" in html
    assert "falls divided by people supported (occupied bed days), × 1,000" in html
    assert f"/indicators/values/{values[-1].uuid}/" in html
    # Each point of the chart links to the records behind it (the SVG is then a group).
    start = html.index('<svg class="spc-chart"')
    svg = html[start:html.index("</svg>", start)]
    assert all(f'<a href="/indicators/values/{v.uuid}/"' in svg for v in values)
    assert 'role="group"' in svg
    assert f"/indicators/{falls.uuid}/funnel/" in html
    # The records behind a value: the falls at the location in that month, no others.
    from sustain.incidents.services import incident_create

    for where, day, kind in ((location, 10, "fall"), (location, 11, "medicines_error"),
                             (sibling_location, 12, "fall"), (location, 3, "fall")):
        incident_create(actor="test", organisation=org, location=where, type=kind,
                        severity="low", occurred_at=timezone.make_aware(
                            dt.datetime(2026, 2 if day != 3 else 3, day, 14, 0)))
    res = client.get(f"/indicators/values/{values[-1].uuid}/")
    assert res.status_code == 200
    html = res.content.decode()
    assert "The falls counted in the numerator" in html
    assert "10 Feb 2026" in html
    assert "11 Feb 2026" not in html and "12 Feb 2026" not in html and "03 Mar" not in html


def test_imported_value_says_so(org: Any, location: Any, make_user: Any,
                                client: Any) -> None:
    services.library_install(actor="test", organisation=org)
    agency = Indicator.objects.get(organisation=org, code="agency-hours")
    value = IndicatorValue.objects.create(
        organisation=org, indicator=agency, location=location, period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 2, 1), numerator=300, denominator=4000, value=7.5,
        source="imported", computed_at=timezone.now())
    client.force_login(make_user(org, "registered_manager", location=location))
    html = client.get(f"/indicators/values/{value.uuid}/").content.decode()
    assert "was imported with its numerator and denominator" in html


def test_other_organisations_and_other_locations_are_404(org: Any, other_org: Any,
                                                         falls: Indicator, location: Any,
                                                         sibling_location: Any,
                                                         foreign_location: Any,
                                                         make_user: Any, client: Any) -> None:
    services.library_install(actor="test", organisation=other_org)
    theirs = Indicator.objects.get(organisation=other_org, code="falls-rate")
    foreign = add_series(theirs, foreign_location, [1])[0]
    sibling = add_series(falls, sibling_location, [2])[0]
    client.force_login(make_user(org, "registered_manager", location=location))
    assert client.get(f"/indicators/{theirs.uuid}/").status_code == 404
    assert client.get(f"/indicators/{theirs.uuid}/funnel/").status_code == 404
    assert client.get(f"/indicators/values/{foreign.uuid}/").status_code == 404
    assert client.get(f"/indicators/values/{sibling.uuid}/").status_code == 404
    assert client.get(f"/indicators/{falls.uuid}/?location={sibling_location.uuid}"
                      ).status_code == 404
    client.force_login(make_user(org, "commissioner", scope="organisation"))
    assert client.get("/indicators/").status_code == 403


def test_chart_card_partial(org: Any, falls: Indicator, location: Any) -> None:
    from django.template.loader import render_to_string

    add_series(falls, location, NUMERATORS)
    card = selectors.location_charts(location)[0]
    html = render_to_string("indicators/_chart_card.html", {"card": card})
    assert f"/indicators/{falls.uuid}/?location={location.uuid}" in html
    assert 'viewBox="0 0 400 220"' in html and "Special cause concern" in html
    # The contract's variables work too (indicator, location, chart_html, icons).
    html = render_to_string("indicators/_chart_card.html", {
        "indicator": falls, "location": location, "chart_html": card.chart_html,
        "icons": card.icons_html})
    assert f"/indicators/{falls.uuid}/?location={location.uuid}" in html
    assert html.count("<svg") == 2  # the variation icon (no target: no assurance) and chart


def test_records_behind_are_scoped_to_the_reader(org: Any, falls: Indicator, location: Any,
                                                 make_user: Any, client: Any) -> None:
    """A board member sees the value (theme.view) but not the incidents behind it."""
    from sustain.incidents.services import incident_create

    value = add_series(falls, location, NUMERATORS)[-1]
    incident_create(actor="test", organisation=org, location=location, type="fall",
                    severity="low",
                    occurred_at=timezone.make_aware(dt.datetime(2026, 2, 10, 14, 0)))
    client.force_login(make_user(org, "board_member", scope="organisation"))
    html = client.get(f"/indicators/values/{value.uuid}/").content.decode()
    assert "10 Feb 2026" not in html
    assert "1 more record counted here is not shown" in html
