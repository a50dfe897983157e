"""A care worker attests to a "what changed and why" briefing on a 375 px phone; the manager's
workforce and coverage pages pass axe (no serious or critical violations)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import Site, _user, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser


def _briefing(site: Site) -> tuple[Any, Any]:
    from sustain.people import services as people
    from sustain.tenancy import services as tenancy
    from sustain.themes.tests.factories import ThemeFactory
    from sustain.workforce import services

    carer = _user(site.org, "carer.oak", "Cara", "Jones")
    tenancy.membership_create(actor="browser-tests", organisation=site.org, user=carer,
                              role="care_staff", scope="location", location=site.home)
    people.staff_create(actor="browser-tests", organisation=site.org, locations=[site.home],
                        full_name="Cara Jones", job_role="Care assistant",
                        start_date=timezone.localdate() - dt.timedelta(days=10), user=carer)
    theme = ThemeFactory(location=site.home, organisation=site.org, stage="recovering",
                         title="Medicines: end-of-shift MAR checks")
    briefing = services.briefing_create(
        actor="browser-tests", organisation=site.org, location=site.home, theme=theme,
        title="End-of-shift MAR checks", what_changed="Every MAR chart is checked before "
        "handover.", why="Omissions went unnoticed for days.", what_good_looks_like="No gap "
        "survives a shift.", delivered_via="handover",
        delivered_at=timezone.now() - dt.timedelta(days=20))
    return briefing, carer


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_attest_on_a_phone(phone: Any, site: Site) -> None:
    from sustain.workforce.models import Attestation

    briefing, _ = _briefing(site)
    page = phone
    sign_in(page, site, "carer.oak")
    page.goto(f"{site.url}/workforce/briefings/{briefing.uuid}/")
    assert _no_sideways_scroll(page)
    assert _check(page, "briefing on a phone") == []
    button = page.get_by_role("button", name="Attest")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 375
    button.tap()  # not ticked: refused, nothing saved
    page.wait_for_selector(".error-summary")
    assert "Tick to confirm" in page.locator("main").inner_text()
    assert not Attestation.objects.exists()
    page.get_by_label("I can explain what changed and why.").check()
    page.get_by_label("In your own words").fill("We check every chart before handover.")
    page.get_by_role("button", name="Attest").tap()
    page.wait_for_selector("text=your attestation has been recorded")
    assert "You attested on" in page.locator("main").inner_text()
    assert Attestation.objects.get().short_answer == "We check every chart before handover."
    assert _no_sideways_scroll(page)


def test_manager_pages_pass_axe(page: Any, site: Site) -> None:
    briefing, _ = _briefing(site)
    sign_in(page, site, "rm.oak")
    for path in ("/workforce/", "/workforce/coverage/",
                 f"/workforce/briefings/{briefing.uuid}/", "/workforce/supervisions/new/"):
        page.goto(f"{site.url}{path}")
        assert _check(page, path) == [], path
    page.goto(f"{site.url}/workforce/coverage/")
    main = page.locator("main").inner_text()
    assert "0.0% briefed" in main and "Cara Jones" in main
