"""A registered manager follows an escalation in real headless Chromium: two MAR
discrepancies by the same staff member fire the organisation's rule; on the location's board
the manager opens the firing, reads the rule in plain English and sees the two matched
records (linked to their medicines checks) and the overdue supervision task; then enters a
supervision of that staff member through the ordinary workforce page and, back on the firing
page, sees the supervision task done, named by the supervision. The board and the firing page
also fit a 375 px phone. axe finds no serious or critical problem on the board, the firing
page (before and after) and the rule library."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.escalations.tests.conftest import SUPERVISION_RULE as RULE
from tests.browser.conftest import Site, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser



def _no_sideways_scroll(p: Any) -> bool:
    return bool(p.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def _fired(where: Site) -> Any:
    """The rule, a checker, and two discrepancies by "Staff Member 0" at Oak House."""
    from sustain.escalations import services
    from sustain.escalations.models import Firing
    from sustain.medicines.services import medicines_check_create
    from sustain.people import services as people
    from sustain.people.models import StaffMember

    services.rule_create(actor=where.admin, yaml_text=RULE, location_ids=[where.home.uuid])
    member = StaffMember.objects.get(full_name="Staff Member 0")
    checker = people.staff_create(actor="browser-tests", organisation=where.org,
                                  locations=[where.home], full_name="Cara Checker",
                                  job_role="Senior carer", start_date=dt.date(2022, 1, 1))
    today = timezone.localdate()
    for days in (6, 4):
        medicines_check_create(
            actor="browser-tests", organisation=where.org, location=where.home,
            check_date=today - dt.timedelta(days=days), shift="day", checked_by=checker,
            charts_checked=12, discrepancies=[{"type": "omission",
                                               "staff_responsible": member}])
    return Firing.objects.get()


def test_a_supervision_entered_on_the_workforce_page_closes_the_task(
        page: Any, site: Site) -> None:
    firing = _fired(site)
    task = firing.tasks.get()
    assert task.status == "open"
    sign_in(page, site, "rm.oak")

    # The board of Oak House, reached from the location page.
    page.goto(f"{site.url}/locations/{site.home.uuid}/")
    page.get_by_role("link", name="Escalations at Oak House").click()
    page.wait_for_selector("h1:has-text('Escalations: Oak House')")
    row = page.locator("ul.task-list > li", has_text="Immediate supervision on the "
                                                     "discrepancies")
    assert row.count() == 1
    text = row.inner_text()
    assert "Staff Member 0" in text and "Rhian Morgan (registered manager)" in text
    assert "overdue by" in text and "Step 1: Registered manager" in text
    assert _check(page, "board") == []

    # The firing page: the rule, its source, the two matched records and the task.
    row.get_by_role("link").click()
    page.wait_for_selector("h1:has-text('Repeated MAR discrepancy by the same staff member')")
    assert "When " in page.locator("#rule-description").inner_text()
    assert "Any repeated discrepancy triggered immediate supervision" in \
        page.locator("blockquote.rule-source").inner_text()
    matched = page.locator("ol.matched-records li")
    assert matched.count() == 2
    assert all("Staff Member 0" in matched.nth(i).inner_text() for i in range(2))
    assert matched.locator("a[href^='/medicines/']").count() == 2
    response = page.locator("article.response", has_text="Immediate supervision")
    assert "Overdue" in response.locator("h3").inner_text()
    assert response.get_by_role("button", name="Mark done").count() == 1
    assert _check(page, "firing (open)") == []
    firing_url = page.url

    # The manager enters the supervision the ordinary way.
    page.goto(f"{site.url}/workforce/supervisions/new/?location={site.home.uuid}")
    page.get_by_label("Date", exact=True).fill(timezone.localdate().isoformat())
    page.get_by_label("Supervisor").select_option(label="Cara Checker")
    page.get_by_label("Supervisee").select_option(label="Staff Member 0")
    page.get_by_label("Topics discussed").fill("The two missed signatures on the MAR.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=The supervision has been recorded.")

    # Back on the firing page the task is done, named by the supervision.
    page.goto(firing_url)
    response = page.locator("article.response", has_text="Immediate supervision")
    assert "Done" in response.locator("h3").inner_text()
    fulfilled = response.locator("dd", has_text="Supervision of Staff Member 0")
    assert fulfilled.count() == 1
    assert response.get_by_role("button", name="Mark done").count() == 0
    assert "Done" in response.locator("ol.ladder").inner_text()
    assert _check(page, "firing (done)") == []
    task.refresh_from_db()
    assert task.status == "done" and len(task.fulfilled_records) == 1

    # The rule library shows the rule with its YAML.
    page.goto(f"{site.url}/escalations/rules/")
    assert page.locator("h3", has_text="Repeated MAR discrepancy").count() == 1
    assert _check(page, "rule library") == []


def test_board_and_firing_page_fit_a_phone(phone: Any, site: Site) -> None:
    firing = _fired(site)
    sign_in(phone, site, "rm.oak")
    phone.goto(f"{site.url}/escalations/")
    phone.wait_for_selector("h1:has-text('Escalations: all locations')")
    assert _no_sideways_scroll(phone)
    phone.goto(f"{site.url}/escalations/firings/{firing.uuid}/")
    phone.wait_for_selector("h1:has-text('Repeated MAR discrepancy')")
    assert _no_sideways_scroll(phone)
    button = phone.get_by_role("button", name="Mark done")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 375
    # Cancelling without a reason is refused next to the field; nothing changes.
    phone.locator("summary", has_text="Cancel this task").tap()
    phone.get_by_role("button", name="Cancel the task").tap()
    phone.wait_for_selector(".error-summary")
    assert "Enter why the task is cancelled." in phone.locator("main").inner_text()
    assert _check(phone, "firing (cancel refused, phone)") == []
    assert firing.tasks.get().status == "open"


def test_an_administrator_previews_and_saves_an_organisation_rule(
        page: Any, site: Site) -> None:
    from sustain.escalations.models import EscalationRule

    sign_in(page, site, "admin")
    page.goto(f"{site.url}/escalations/rules/")
    page.get_by_role("link", name="Add an organisation rule").click()
    page.wait_for_selector("h1:has-text('Add an organisation rule')")
    assert _check(page, "rule form") == []
    box = page.get_by_label("Rule (YAML)")
    box.fill(RULE.replace("within_days: 28", "within_days: 0"))
    page.get_by_label("Oak House").check()
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector(".error-summary")
    line = 1 + RULE.splitlines().index("  within_days: 28")
    assert f":{line}:" in page.locator(".error-summary").inner_text()
    assert "within_days" in page.locator(".error-summary").inner_text()
    assert page.locator("#id_yaml").get_attribute("aria-invalid") == "true"
    assert _check(page, "rule form (refused)") == []
    page.get_by_label("Rule (YAML)").fill(RULE)
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector("#preview-count")
    assert page.locator("#preview-count").inner_text() == \
        "This rule would have fired 0 times in the last 90 days."
    assert _check(page, "rule form (preview)") == []
    assert not EscalationRule.objects.exists()
    page.get_by_role("button", name="Save the rule").click()
    page.wait_for_selector("h1:has-text('Escalation rule library')")
    assert "saved (version 1)" in page.locator(".messages").inner_text()
    rule = EscalationRule.objects.get()
    assert list(rule.locations.values_list("name", flat=True)) == ["Oak House"]
    page.goto(f"{site.url}/escalations/board/")
    assert "Nothing has reached the board." in page.locator("main").inner_text()
    assert _check(page, "board report") == []
