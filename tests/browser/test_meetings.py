"""A registered manager records a monthly quality meeting on a 375 × 812 phone and minutes it
one entry after another — an update, a challenge (refused without its question, then saved
unsatisfied) and an action tracked on a theme — with no sideways scrolling; the page shows the
challenge ratio with its counts; axe finds no serious or critical problem."""

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


def test_record_a_meeting_with_update_challenge_and_action_on_a_phone(phone: Any,
                                                                     site: Site) -> None:
    from django.utils import timezone

    from sustain.meetings.models import Meeting, MinuteEntry
    from sustain.themes import services as themes
    from sustain.themes.models import Action

    themes.theme_create(actor="browser-tests", organisation=site.org, location=site.home,
                        title="Medicines governance", origin="inspection",
                        as_of=dt.date(2026, 6, 1))
    page = phone
    sign_in(page, site, "rm.oak")
    page.goto(f"{site.url}/meetings/?location={site.home.uuid}")
    assert _check(page, "meetings index (empty)") == []
    page.get_by_role("link", name="Record a meeting").tap()
    page.wait_for_url(f"{site.url}/meetings/new/*")
    assert _no_sideways_scroll(page)
    assert _check(page, "record a meeting") == []
    page.get_by_label("Meeting type").select_option(label="Monthly quality meeting")
    page.get_by_label("Chair").select_option(label="Staff Member 0")
    page.get_by_role("button", name="Save meeting").tap()
    page.wait_for_selector("h1:has-text('Monthly quality meeting')")
    assert "has been recorded" in page.locator("main").inner_text()
    assert _no_sideways_scroll(page)

    # An update (the default kind).
    page.get_by_label("What was said").fill("Falls fell from 7 to 3 this month")
    page.get_by_role("button", name="Add minute").tap()
    page.wait_for_selector("text=Update added.")

    # A challenge without its question is refused by its field; the answer fields show.
    page.get_by_label("Challenge", exact=True).check()
    assert page.get_by_label("What was said").is_hidden()
    page.get_by_label("Answer given").fill("Night staff sickness")
    page.get_by_role("button", name="Add minute").tap()
    page.wait_for_selector(".error-summary")
    assert "A challenge records the question asked." in page.locator("main").inner_text()
    assert _check(page, "minute refused") == []
    page.get_by_label("Question asked").fill("Why were two MAR audits late?")
    page.get_by_label("Asked by").select_option(label="Staff Member 0")
    page.get_by_label("No, not satisfied").check()
    page.get_by_role("button", name="Add minute").tap()
    page.wait_for_selector("text=Challenge added.")

    # An action, tracked on the theme's plan.
    page.get_by_label("Action", exact=True).check()
    page.get_by_label("What was said").fill("Re-audit night MAR charts weekly")
    page.get_by_label("Theme").select_option(label="Medicines governance")
    page.get_by_label("Action owner").select_option(label="Staff Member 0")
    due = timezone.localdate() + dt.timedelta(days=14)
    page.get_by_label("Action due").fill(due.isoformat())
    page.get_by_role("button", name="Add minute").tap()
    page.wait_for_selector("text=Action added and tracked on the theme's action plan.")

    main = page.locator("main").inner_text()
    assert "50% (1 challenge, 1 update)" in main
    assert "Why were two MAR audits late?" in main and "Tracked action" in main
    assert _no_sideways_scroll(page)
    assert _check(page, "meeting detail") == []

    meeting = Meeting.objects.get()
    assert sorted(MinuteEntry.objects.filter(meeting=meeting).values_list("kind", flat=True)) \
        == ["action", "challenge", "update"]
    action = Action.objects.get()
    assert action.description == "Re-audit night MAR charts weekly"
    assert MinuteEntry.objects.get(kind="challenge").satisfied is False

    page.goto(f"{site.url}/meetings/?location={site.home.uuid}")
    assert "Monthly quality meeting" in page.locator("main").inner_text()
    assert _check(page, "meetings index") == []
