"""A registered manager keeps the governance rhythm on a phone (375 × 812): sets up a weekly
(Sunday) audit cadence at their home through the cadence form, sees this week's occurrence
due on the governance calendar, opens "Mark complete" (and leaves it: the audit will do it),
starts and completes the audit through the audit pages, and is back on the calendar to see
the occurrence done on time with the audit named. axe finds no serious or critical problem on
the calendar (before and after), the cadence form (empty and refused) and the "mark complete"
page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


@pytest.fixture
def mar_template(site: Site) -> Any:
    from sustain.audits.tests.factories import CarePlanTemplateFactory

    return CarePlanTemplateFactory(
        code="mar-weekly", title="Weekly MAR audit", sample_size=0, min_analysis_length=0,
        sections=[{"title": "MAR charts", "questions": [
            {"code": "M1", "text": "Are all MAR charts signed for every dose?",
             "answer_type": "yes_no"}]}])


def test_a_weekly_audit_occurrence_is_completed_by_finishing_the_audit(
        phone: Any, site: Site, mar_template: Any) -> None:
    from sustain.governance.models import Occurrence

    page = phone
    sign_in(page, site, "rm.oak")
    page.goto(f"{site.url}/governance/")
    page.wait_for_selector("h1:has-text('Governance calendar: Oak House')")
    assert _check(page, "calendar (empty)") == []

    # Set up the cadence: refused without a title (named), then saved.
    page.get_by_role("link", name="Add a cadence").first.tap()
    page.wait_for_selector("h1:has-text('Add a cadence')")
    assert _no_sideways_scroll(page)
    assert _check(page, "cadence form") == []
    page.get_by_label("Location").select_option(label="Oak House")
    page.get_by_label("Owner (role)").select_option(value="registered_manager")
    page.get_by_label("How often").select_option(value="weekly")
    page.get_by_label("Day of the week (weekly, every two weeks)").select_option(value="6")
    page.get_by_label("Completed by").select_option(value="audit")
    page.get_by_label("Audit template").select_option(value="mar-weekly")
    page.get_by_role("button", name="Set up the cadence").tap()
    page.wait_for_selector(".error-summary")
    assert "Title" in page.locator(".error-summary").inner_text()
    assert page.locator("#id_title").get_attribute("aria-invalid") == "true"
    assert _check(page, "cadence form (refused)") == []
    page.get_by_label("Title").fill("Weekly MAR audit")
    page.get_by_role("button", name="Set up the cadence").tap()
    page.wait_for_selector("h1:has-text('Governance calendar: Oak House')")

    # This week's occurrence is due (Sunday is in this week, Monday to Sunday).
    week = page.locator("section[aria-labelledby='week-heading']")
    row = week.locator("li.occurrence", has_text="Weekly MAR audit")
    assert row.count() == 1 and "Due" in row.inner_text()
    assert _no_sideways_scroll(page)
    assert _check(page, "calendar (due)") == []
    link = row.get_by_role("link", name="Mark complete")
    uuid = link.get_attribute("href").rstrip("/").split("/")[-2]
    occurrence = Occurrence.objects.get(uuid=uuid)
    assert occurrence.status == "open"
    link.tap()
    page.wait_for_selector("h1:has-text('Mark complete: Weekly MAR audit')")
    assert _no_sideways_scroll(page)
    assert _check(page, "mark complete") == []

    # Finish this week's MAR audit instead.
    page.goto(f"{site.url}/audits/new/")
    page.get_by_label("Location", exact=True).select_option(label="Oak House")
    page.get_by_label("Audit template").select_option(value=str(mar_template.uuid))
    page.get_by_role("button", name="Start the audit").tap()
    page.wait_for_selector("h1:has-text('Audit: Weekly MAR audit')")
    page.locator("label[for='a-M1-yes']").tap()
    if page.locator("#analysis").count():
        page.locator("#analysis").fill("All charts signed this week.")
    page.get_by_role("button", name="Complete the audit").tap()
    page.wait_for_selector("text=The audit is complete")

    page.goto(f"{site.url}/governance/?location={site.home.uuid}")
    page.wait_for_selector("h1:has-text('Governance calendar: Oak House')")
    row = page.locator("section[aria-labelledby='week-heading'] li.occurrence",
                       has_text="Weekly MAR audit")
    text = row.inner_text()
    assert "Done on time" in text and "Done " in text and "Weekly MAR audit" in text
    assert row.get_by_role("link", name="Mark complete").count() == 0
    occurrence.refresh_from_db()
    assert occurrence.status == "done_on_time" and occurrence.record_uuid is not None
    assert _no_sideways_scroll(page)
    assert _check(page, "calendar (done)") == []
    # moderate problems too: the page's landmarks have distinct names
    from axe_playwright_python.sync_playwright import Axe

    ids = {v["id"] for v in Axe().run(page).response["violations"]}
    assert "landmark-unique" not in ids
