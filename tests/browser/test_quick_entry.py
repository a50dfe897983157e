"""Care staff record the end-of-shift medicines check on a 375 × 812 phone: date and shift
already set, one column, big touch targets, a discrepancy row added without losing what was
typed, the refusal shown by its field, the saved check shown; axe finds no serious or
critical problem on the form and the detail page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site, _user, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_medicines_check_quick_entry_on_a_phone(phone: Any, site: Site) -> None:
    from sustain.medicines.models import MedicinesCheck
    from sustain.tenancy import services as tenancy

    carer = _user(site.org, "carer.meds", "Cara", "Jones")
    tenancy.membership_create(actor="browser-tests", organisation=site.org, user=carer,
                              role="care_staff", scope="location", location=site.home)
    page = phone
    sign_in(page, site, "carer.meds")
    page.goto(f"{site.url}/medicines/new/")
    assert _no_sideways_scroll(page)
    assert _check(page, "medicines quick entry") == []
    assert page.get_by_label("Date", exact=True).input_value() != ""
    assert page.locator("input[name=shift]:checked").count() == 1
    for label in ("Location", "Date", "Checked by", "MAR charts checked"):
        box = page.get_by_label(label, exact=True).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, label
        assert box["height"] >= 40, label
    page.get_by_label("Checked by", exact=True).select_option(label="Staff Member 0")
    page.get_by_label("MAR charts checked", exact=True).fill("12")
    page.get_by_role("button", name="Add a discrepancy").tap()
    page.wait_for_selector("legend:has-text('Discrepancy 1')")
    assert page.get_by_label("MAR charts checked", exact=True).input_value() == "12"
    page.get_by_role("button", name="Save the check").tap()
    page.wait_for_selector(".error-summary")
    assert MedicinesCheck.objects.count() == 0
    assert _no_sideways_scroll(page)
    page.get_by_label("Type", exact=True).select_option(label="Missing signature")
    page.get_by_label("Action taken (optional)").fill("Signed late <checked with nurse>")
    page.get_by_role("button", name="Save the check").tap()
    page.wait_for_selector("h1:has-text('Medicines check')")
    main = page.locator("main").inner_text()
    assert "Missing signature" in main and "<checked with nurse>" in main
    assert MedicinesCheck.objects.get().charts_checked == 12
    assert _check(page, "medicines check detail") == []


def test_safeguarding_concern_quick_entry_on_a_phone(phone: Any, site: Site) -> None:
    from sustain.safeguarding.models import SafeguardingConcern
    from sustain.tenancy import services as tenancy

    carer = _user(site.org, "carer.sg", "Cara", "Jones")
    tenancy.membership_create(actor="browser-tests", organisation=site.org, user=carer,
                              role="care_staff", scope="location", location=site.home)
    page = phone
    sign_in(page, site, "carer.sg")
    page.goto(f"{site.url}/safeguarding/new/")
    assert _no_sideways_scroll(page)
    assert _check(page, "safeguarding quick entry") == []
    assert page.get_by_label("Raised at", exact=True).input_value() != ""
    page.get_by_label("Person", exact=True).select_option(index=1)
    page.get_by_label("Category", exact=True).select_option(label="Financial or material abuse")
    page.get_by_label("Raised by", exact=True).select_option(label="Staff Member 0")
    page.get_by_role("button", name="Record the concern").tap()
    page.wait_for_selector(".error-summary")
    assert "What happened or what you saw" in page.locator(".error-summary").inner_text()
    assert page.locator(".field-has-error").count() == 1
    assert SafeguardingConcern.objects.count() == 0
    page.get_by_label("What happened or what you saw", exact=True).fill(
        "Cash missing from purse <£20>")
    page.get_by_role("button", name="Record the concern").tap()
    page.wait_for_selector("h2:has-text('Timeline')")
    main = page.locator("main").inner_text()
    assert "<£20>" in main and "Shift lead notified" in main
    assert SafeguardingConcern.objects.count() == 1
    assert _check(page, "safeguarding concern detail") == []
