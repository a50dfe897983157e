"""Recording an inspection in Chromium on a tablet (1024 × 768) and a phone (375 × 812): be
refused with every problem summarised, fill the details and five ratings, add a second breach
row (focus moves to it), tick a quality statement grouped under its key question, record, then
create a theme from the finding. axe finds no serious or critical violation on the empty form,
the refusal, the detail page and the location page's rating history."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import Site, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "tablet": {"viewport": {"width": 1024, "height": 768}, "has_touch": True},
    "phone": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
}


@pytest.fixture(params=sorted(VIEWPORTS))
def device(request: Any, browser: Any) -> Iterator[tuple[str, Any]]:
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London",
                                  **VIEWPORTS[request.param])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield request.param, page
    context.close()


def test_record_an_inspection_then_a_theme(device: tuple[str, Any], site: Site) -> None:
    from sustain.inspections.models import Inspection
    from sustain.reference.services import reference_load
    from sustain.themes.models import Theme

    reference_load()
    name, page = device
    sign_in(page, site, "rm.oak")
    page.goto(f"{site.url}/locations/{site.home.uuid}/")
    page.get_by_role("link", name="Record an inspection").click()
    page.wait_for_selector("h1:has-text('Record an inspection')")
    assert _check(page, f"record form ({name})") == []

    # Nothing filled in: refused, every problem listed, focus on the summary.
    page.get_by_role("button", name="Record inspection", exact=True).last.click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert summary.get_by_role("link", name="Well-led:").count() == 1
    assert Inspection.objects.count() == 0
    assert _check(page, f"record form with errors ({name})") == []

    page.get_by_label("Date of the inspection").fill("2026-03-10")
    page.get_by_label("Type of inspection").select_option("comprehensive")
    page.get_by_label("Overall rating").select_option("requires-improvement")
    for kq, value in (("Safe", "inadequate"), ("Effective", "good"), ("Caring", "good"),
                      ("Responsive", "good"), ("Well-led", "requires-improvement")):
        page.get_by_label(kq, exact=True).select_option(value)
    breach = page.locator("#breaches-row-0")
    breach.get_by_label("Regulation").select_option("RA2014-12")
    breach.get_by_label("What was breached").fill("MAR charts were not accurate.")
    page.get_by_role("button", name="Add another breach").click()
    page.wait_for_selector("#breaches-row-1")
    assert page.evaluate("document.activeElement.id") == "breaches-row-1"
    assert page.locator("#breaches-row-0").get_by_label("What was breached").input_value() == \
        "MAR charts were not accurate."
    second = page.locator("#breaches-row-1")
    second.get_by_label("Regulation").select_option("RA2014-13")
    second.get_by_label("What was breached").fill("Concerns were not escalated.")
    finding = page.locator("#findings-row-0")
    finding.get_by_label("Finding").fill("Medicines were not managed safely.")
    finding.get_by_label("Key question").select_option("safe")
    finding.locator("summary", has_text="Safe").click()
    finding.get_by_label("S8", exact=False).first.check()
    page.get_by_role("button", name="Record inspection", exact=True).last.click()
    page.wait_for_selector("h1:has-text('Inspection of Oak House')")
    inspection = Inspection.objects.get()
    assert inspection.regulationbreachs.count() == 2
    assert _check(page, f"inspection detail ({name})") == []

    page.get_by_text("Create a theme from this finding").click()
    page.get_by_label("Theme title").fill("Medicines governance")
    page.get_by_role("button", name="Create theme").click()
    page.wait_for_load_state()
    theme = Theme.objects.get()
    assert (theme.title, theme.finding.inspection) == ("Medicines governance", inspection)

    page.goto(f"{site.url}/locations/{site.home.uuid}/")
    assert page.get_by_role("heading", name="Rating history").is_visible()
    assert page.locator(".ratings-table").get_by_text("10 Mar 2026").is_visible()
    assert _check(page, f"location with rating history ({name})") == []
