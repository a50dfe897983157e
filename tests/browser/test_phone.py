"""On a 375 × 812 phone screen the person-create form fits the width, shows errors next to the
fields (with a focused summary) and saves."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site, sign_in

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_person_create_on_a_phone(phone: Any, site: Site) -> None:
    page = phone
    sign_in(page, site, "rm.oak")
    page.goto(f"{site.url}/people/")
    page.get_by_role("link", name="Add a person").click()
    page.wait_for_url(f"{site.url}/people/new/")
    assert _no_sideways_scroll(page)
    for label in ("Reference", "Initials", "Location", "Admission or start date",
                  "Discharge or end date (optional)"):
        field = page.get_by_label(label, exact=True)
        box = field.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, label
        assert box["height"] >= 24, label
    submit = page.get_by_role("button", name="Add person")
    box = submit.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 375

    # Bad input: shown next to the field and in a focused summary; nothing saved.
    page.get_by_label("Reference", exact=True).fill("P 1")
    page.get_by_label("Initials", exact=True).fill("JS")
    page.get_by_label("Location", exact=True).select_option(label="Oak House")
    page.get_by_label("Admission or start date").fill("2025-03-04")
    submit.tap()
    page.wait_for_selector(".error-summary")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.get_by_label("Reference", exact=True).get_attribute("aria-invalid") == "true"
    assert "letters, digits or hyphens" in page.locator("#id_reference_error").inner_text()
    assert _no_sideways_scroll(page)

    page.get_by_role("link", name="Reference:").click()
    assert page.evaluate("document.activeElement.id") == "id_reference"
    page.get_by_label("Reference", exact=True).fill("OAK-NEW-1")
    page.get_by_role("button", name="Add person").tap()
    page.wait_for_selector("h1:has-text('OAK-NEW-1')")
    main = page.locator("main").inner_text()
    assert "has been added" in main and "4 Mar 2025" in main and "Oak House" in main
    assert _no_sideways_scroll(page)
