"""The provider dashboard in real headless Chromium: an administrator sees every location in
risk order (Oak House, inadequate with a recovering falls theme and overdue governance, first;
Ash Lodge, never inspected with a relapsed medicines theme, second; the good home last), opens
the explanation of a row, reaches a heat-map cell and a row link with the keyboard alone and
follows the row link to the location dashboard (with an indicator chart card). axe finds no
serious or critical problem at 1280 px and at 375 px, where the tables and charts scroll inside
their own regions and the page does not scroll sideways."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.browser.conftest import Site, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser

ORDER = ["Oak House", "Ash Lodge", "Riverside Home Care"]


def _no_sideways_scroll(p: Any) -> bool:
    return bool(p.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def _facts(where: Site) -> None:
    from sustain.dashboards.tests import builders as b

    falls = b.playbook("falls-and-risk", "Falls and risk")
    meds = b.playbook("medicines-governance", "Medicines governance")
    b.inspection(where.home, "inadequate", dt.date(2025, 9, 1))
    b.inspection(where.elsewhere, "good", dt.date(2025, 5, 1))
    b.theme(where.home, "Falls at night", "recovering", falls)
    b.theme(where.neighbour, "MAR gaps", "relapsed", meds)
    b.theme(where.elsewhere, "Call bells", "embedded")
    b.overdue_occurrence(where.home)
    b.indicator_series(where.home, [5, 6, 5, 4, 6, 5, 5, 6, 4, 5, 6, 5, 5, 30])
    b.theme(where.foreign, "Hilltop theme", "relapsed", falls)


def _rows(p: Any) -> list[str]:
    return [t.strip() for t in p.locator("table.risk-table tbody th a").all_inner_texts()]


def _tab_to(p: Any, selector: str, limit: int = 80) -> bool:
    """Press Tab until the focused element matches `selector` (keyboard only)."""
    for _ in range(limit):
        p.keyboard.press("Tab")
        if p.evaluate("(s) => document.activeElement && document.activeElement.matches(s)",
                      selector):
            return True
    return False


def test_provider_dashboard_in_risk_order_with_keyboard_and_axe(page: Any, site: Site) -> None:
    _facts(site)
    sign_in(page, site, "admin")
    page.goto(f"{site.url}/dashboard/")
    page.wait_for_selector("h1:has-text('Provider dashboard')")
    assert _rows(page) == ORDER
    assert "Hilltop" not in page.locator("main").inner_text()
    first = page.locator("table.risk-table tbody tr").first
    assert "Inadequate" in first.inner_text() and "Recovering" in first.inner_text()
    assert _check(page, "provider dashboard") == []

    # The heat map: one column per playbook, stages written out.
    heads = page.locator("table.heat-map thead th").all_inner_texts()
    assert heads == ["Location", "Falls and risk", "Medicines governance", "Other themes"]
    ash = page.locator("table.heat-map tbody tr", has_text="Ash Lodge")
    assert ash.locator("td").nth(1).inner_text().strip().startswith("Relapsed")

    # Keyboard: a heat-map cell link, then back to the top and on to the first row's link.
    assert _tab_to(page, "table.heat-map td.heat-cell a[href*='/themes/']")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Recovering" in focused and "Falls at night" in focused
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.goto(f"{site.url}/dashboard/")
    assert _tab_to(page, "table.risk-table tbody tr:first-child th a")
    # The explanation opens with the keyboard too.
    assert _tab_to(page, "table.risk-table tbody tr:first-child summary", limit=5)
    page.keyboard.press("Enter")
    why = page.locator("table.risk-table tbody tr").first.locator(".risk-components")
    assert why.is_visible()
    assert "Latest overall rating Inadequate (10 points)." in why.inner_text()
    assert _check(page, "provider dashboard (explanation open)") == []

    # Following a row link by keyboard leads to that location's dashboard.
    page.goto(f"{site.url}/dashboard/")
    assert _tab_to(page, "table.risk-table tbody tr:first-child th a")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Dashboard: Oak House')")
    assert page.locator("#governance-heading").inner_text() == "Overdue governance (1)"
    assert page.locator("#charts-heading").inner_text() == "Indicators (1)"
    assert page.locator(".chart-cards svg").count() >= 1
    assert _check(page, "location dashboard") == []


def test_provider_dashboard_fits_a_phone(phone: Any, site: Site) -> None:
    _facts(site)
    sign_in(phone, site, "admin")
    phone.goto(f"{site.url}/dashboard/")
    phone.wait_for_selector("h1:has-text('Provider dashboard')")
    assert _rows(phone) == ORDER
    assert _no_sideways_scroll(phone)
    assert _check(phone, "provider dashboard (phone)") == []
    phone.goto(f"{site.url}/dashboard/locations/{site.home.uuid}/")
    phone.wait_for_selector("h1:has-text('Dashboard: Oak House')")
    assert phone.locator(".chart-cards svg").count() >= 1
    assert _no_sideways_scroll(phone)
    assert _check(phone, "location dashboard (phone)") == []
