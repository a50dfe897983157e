"""A registered manager opens My work on a 375 × 812 phone from the main navigation, sees an
overdue theme action they own in the Overdue group (with why it is theirs; beside it, the
supervision due for a member of staff never supervised), and opens it on the
theme page; then creates a calendar link on the notification settings page. axe finds no
serious or critical problem on either page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.browser.conftest import Site, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_manager_sees_an_overdue_action_and_opens_it_on_a_phone(phone: Any, site: Site) -> None:
    from django.utils import timezone

    from sustain.people import services as people
    from sustain.themes import services as themes

    today = timezone.localdate()
    staff = people.staff_create(actor="browser-tests", organisation=site.org,
                                locations=[site.home], full_name="Rhian Morgan",
                                job_role="Registered manager", start_date=dt.date(2022, 1, 1),
                                user=site.manager)
    theme = themes.theme_create(actor="browser-tests", organisation=site.org,
                                location=site.home, title="Medicines governance",
                                origin="internal_audit")
    action = themes.action_create(
        actor="browser-tests", theme=theme, description="Retrain night staff on PRN protocols",
        owner=staff, raised_on=today - dt.timedelta(days=30),
        due_date=today - dt.timedelta(days=3))

    page = phone
    sign_in(page, site, "rm.oak")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="My work").tap()
    page.wait_for_selector("h1:has-text('My work')")
    assert _no_sideways_scroll(page)
    assert _check(page, "my work") == []

    overdue = page.locator("section[aria-labelledby='group-overdue']")
    # the action, and the supervision of Oak House's never-supervised member of staff
    assert "Overdue (2)" in overdue.locator("h2").inner_text()
    assert "You own this action" in overdue.inner_text()
    assert "Supervise Staff Member 0" in overdue.inner_text()
    assert "Oak House" in overdue.inner_text()
    link = overdue.get_by_role("link", name="Retrain night staff on PRN protocols")
    box = link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    link.tap()
    page.wait_for_selector("h1:has-text('Medicines governance')")
    assert page.url.endswith(f"#action-{action.uuid}")
    assert page.locator(f"#action-{action.uuid}").is_visible()

    page.goto(f"{site.url}/my-work/")
    page.get_by_role("link", name="Notification settings").tap()
    page.wait_for_selector("h1:has-text('Notification settings')")
    assert _check(page, "notification settings") == []
    page.get_by_label("Name (optional)").fill("Outlook")
    page.get_by_role("button", name="Create a calendar link").tap()
    address = page.get_by_label("Calendar address")
    assert address.input_value().startswith(f"{site.url}/calendar/")
    assert _no_sideways_scroll(page)
    assert _check(page, "new calendar link") == []
