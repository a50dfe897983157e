"""A registered manager records a lesson's adoption, with its evidence, on a 375 × 812 phone:
the adoption grid links to the form, the form fits the screen, "adopted" without evidence is
refused by its field, choosing a briefing at the home saves it, and the lesson page shows the
evidence; axe finds no serious or critical problem on the grid, the form and the lesson."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Site, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_manager_records_adoption_with_evidence_on_a_phone(phone: Any, site: Site) -> None:
    from sustain.lessons import services as lessons
    from sustain.lessons.models import LessonAdoption
    from sustain.themes import services as themes
    from sustain.workforce import services as workforce

    lesson = lessons.lesson_create(
        actor="browser-tests", organisation=site.org, title="Check PRN protocols at handover",
        what_happened="Two PRN doses were given without a protocol at Ash Lodge.",
        in_practice="Shift leads check every PRN protocol at the 2 pm handover.",
        origin_location=site.neighbour, applies_to=[site.home, site.elsewhere])
    theme = themes.theme_create(actor="browser-tests", organisation=site.org,
                                location=site.home, title="Medicines governance",
                                origin="internal_audit")
    workforce.briefing_create(
        actor="browser-tests", organisation=site.org, location=site.home, theme=theme,
        title="PRN protocol briefing", what_changed="PRN protocols checked at handover.",
        why="Learnt at Ash Lodge.", what_good_looks_like="Every PRN dose has a protocol.",
        delivered_via="team_meeting")

    page = phone
    sign_in(page, site, "rm.oak")
    page.goto(f"{site.url}/lessons/")
    assert _check(page, "adoption grid") == []
    page.get_by_role("link", name=re.compile(r"Check PRN protocols at handover at Oak House")
                     ).tap()
    page.wait_for_selector("h1:has-text('Adoption at Oak House')")
    assert _no_sideways_scroll(page)
    assert _check(page, "adoption form") == []
    for label in ("Evidence record (optional)", "Evidence date (optional)"):
        box = page.get_by_label(label, exact=True).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, label
        assert box["height"] >= 40, label

    page.get_by_label("Adopted", exact=True).check()
    page.get_by_role("button", name="Save adoption").tap()
    page.wait_for_selector(".error-summary")
    assert "Adopted needs evidence" in page.locator("main").inner_text()
    assert _no_sideways_scroll(page)
    assert _check(page, "adoption form with errors") == []
    assert LessonAdoption.objects.get(lesson=lesson, location=site.home).status == "not_started"

    page.get_by_label("Adopted", exact=True).check()
    page.get_by_label("Evidence record (optional)", exact=True).select_option(
        label="PRN protocol briefing")
    page.get_by_role("button", name="Save adoption").tap()
    page.wait_for_selector("h1:has-text('Check PRN protocols at handover')")
    main = page.locator("main").inner_text()
    assert "Oak House: adopted saved." in main and "PRN protocol briefing" in main
    assert "1 of 1 location adopted (100%)" in main  # the manager sees only their home
    assert _check(page, "lesson page") == []
    adoption = LessonAdoption.objects.get(lesson=lesson, location=site.home)
    assert adoption.status == "adopted" and adoption.evidence_type == "workforce.briefing"
