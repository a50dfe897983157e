"""Care staff record an incident on a 375 × 812 phone from the Records index: one column,
no sideways scrolling, errors next to the field, saved record shown; axe finds no serious or
critical problem on the form, the detail page and the list."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site, _user, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_care_staff_quick_incident_on_a_phone(phone: Any, site: Site) -> None:
    from sustain.tenancy import services as tenancy

    carer = _user(site.org, "carer.oak", "Cara", "Jones")
    tenancy.membership_create(actor="browser-tests", organisation=site.org, user=carer,
                              role="care_staff", scope="location", location=site.home)
    page = phone
    sign_in(page, site, "carer.oak")
    page.goto(f"{site.url}/records/")
    page.get_by_role("link", name="Record an incident").click()
    page.wait_for_url(f"{site.url}/records/incidents/new/")
    assert _no_sideways_scroll(page)
    assert _check(page, "incident quick entry") == []
    for label in ("Location", "Type", "Severity", "Occurred at"):
        box = page.get_by_label(label, exact=True).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, label
        assert box["height"] >= 40, label
    page.get_by_label("Type", exact=True).select_option(label="Pressure ulcer")
    page.get_by_label("Severity", exact=True).select_option(label="Low harm")
    page.get_by_label("What happened (optional)").fill("Red area on heel <found at 7am>")
    page.get_by_role("button", name="Save incident").tap()
    page.wait_for_selector(".error-summary")
    assert "category" in page.locator("main").inner_text()
    assert _no_sideways_scroll(page)
    page.get_by_label("Pressure ulcer category (optional)").select_option(label="Category 2")
    page.get_by_role("button", name="Save incident").tap()
    page.wait_for_selector("h1:has-text('Pressure ulcer')")
    main = page.locator("main").inner_text()
    assert "has been saved" in main and "<found at 7am>" in main and "Category 2" in main
    assert _check(page, "incident detail") == []
    page.goto(f"{site.url}/records/incidents/")
    assert _no_sideways_scroll(page) or page.locator(".table-wrap").count() == 1
    assert _check(page, "incident list") == []
