"""Indicator pages in real headless Chromium: a quality lead opens the indicator list, the
falls chart of Oak House (MDC chart with its data table and links to the records behind each
value) and the falls funnel plot across the three locations, at 1280 px and on a 375 px
phone. axe finds no serious or critical problem on any of them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import Site, _user, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser

FALLS = [3, 4, 2, 3, 3, 4, 2, 3, 4, 3, 2, 3, 3, 12]


def _months(n: int) -> list[tuple[dt.date, dt.date]]:
    """The last n complete months before today, oldest first."""
    today = timezone.localdate()
    out = []
    for k in range(n, 0, -1):
        i = today.year * 12 + today.month - 1 - k
        j = i + 1
        out.append((dt.date(i // 12, i % 12 + 1, 1), dt.date(j // 12, j % 12 + 1, 1)))
    return out


def _world(site: Site) -> Any:
    from sustain.indicators import services
    from sustain.indicators.models import Indicator, IndicatorValue
    from sustain.tenancy import services as tenancy

    services.library_install(actor="browser-tests", organisation=site.org)
    falls = Indicator.objects.get(organisation=site.org, code="falls-rate")
    for place, scale, den in ((site.home, 1, 1000), (site.neighbour, 3, 900),
                              (site.elsewhere, 1, 300)):
        for (start, end), n in zip(_months(len(FALLS)), FALLS, strict=True):
            IndicatorValue.objects.create(
                organisation=site.org, indicator=falls, location=place, period_start=start,
                period_end=end, numerator=n * scale, denominator=den,
                value=n * scale / den * 1000, computed_at=timezone.now())
    lead = _user(site.org, "ql", "Quinn", "Lead")
    tenancy.membership_create(actor="browser-tests", organisation=site.org, user=lead,
                              role="quality_lead", scope="organisation")
    return falls


def _no_sideways_scroll(p: Any) -> bool:
    return bool(p.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


@pytest.mark.parametrize("viewport", ["page", "phone"])
def test_indicator_chart_and_funnel_pages(request: Any, site: Site, viewport: str) -> None:
    p = request.getfixturevalue(viewport)
    falls = _world(site)
    sign_in(p, site, "ql")
    p.goto(f"{site.url}/indicators/?location={site.home.uuid}")
    assert p.get_by_role("heading", name="Indicators at Oak House").is_visible()
    assert _check(p, f"indicator list {viewport}") == []
    p.get_by_role("link", name="Falls per 1,000 occupied bed days").first.click()
    p.wait_for_selector("svg.spc-chart")
    assert p.locator("#indicator-chart").count() == 1
    assert p.get_by_text("Special cause concern — higher values").first.is_visible()
    assert _check(p, f"indicator detail {viewport}") == []
    assert _no_sideways_scroll(p)
    # The newest point of the chart opens the records behind its value.
    p.locator("svg.spc-chart g.points a").last.click()
    p.wait_for_selector("h2#records-heading")
    assert "/indicators/values/" in p.url
    assert _check(p, f"records behind {viewport}") == []
    p.goto(f"{site.url}/indicators/{falls.uuid}/funnel/")
    p.wait_for_selector("svg.funnel-chart")
    link = p.locator("table a", has_text="Ash Lodge")
    assert link.count() == 1
    assert link.get_attribute("href").endswith(f"?location={site.neighbour.uuid}")
    assert _check(p, f"funnel {viewport}") == []
    assert _no_sideways_scroll(p)


@pytest.mark.parametrize("viewport", ["page", "phone"])
def test_custom_indicator_form_and_upload_page(request: Any, site: Site, viewport: str) -> None:
    """A quality lead adds a custom indicator (a refused save shows its errors by field) and
    opens the upload page of an imported series; axe is clean and nothing scrolls sideways."""
    from sustain.indicators.models import Indicator

    p = request.getfixturevalue(viewport)
    _world(site)
    sign_in(p, site, "ql")
    p.goto(f"{site.url}/indicators/new/")
    p.get_by_role("button", name="Save the indicator").click()
    p.wait_for_selector(".error-summary")
    assert Indicator.objects.filter(organisation=site.org, from_library=False).count() == 0
    assert _check(p, f"indicator form with errors {viewport}") == []
    assert _no_sideways_scroll(p)
    agency = Indicator.objects.get(organisation=site.org, code="agency-hours")
    p.goto(f"{site.url}/indicators/{agency.uuid}/upload/")
    assert p.get_by_role("button", name="Check the file").is_visible()
    assert _check(p, f"upload page {viewport}") == []
    assert _no_sideways_scroll(p)
