"""Theme pages in Chromium: the cross-location list and the theme page (with its chart, a
refused move and an open effectiveness check) have no serious or critical axe violations; the
refusal is announced in the error summary; a phone can reach the action steps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.browser.conftest import Site, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser


def _days_ago(n: int) -> dt.date:
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture
def theme(site: Site) -> Any:
    """Medicines governance at Oak House: one action done, one overdue, a failed and a
    passing re-audit (for the chart); a second theme at Ash Lodge for the list."""
    from sustain.themes import services
    from sustain.themes.tests.factories import AuditFactory

    actor = "browser-tests"
    theme = services.theme_create(actor=actor, organisation=site.org, location=site.home,
                                  title="Medicines governance", origin="inspection",
                                  as_of=_days_ago(90))
    services.action_create(actor=actor, theme=theme, description="Retrain night staff on MAR",
                           raised_on=_days_ago(90), due_date=_days_ago(60), status="done",
                           completed_on=_days_ago(50))
    services.action_create(actor=actor, theme=theme, description="Weekly MAR spot checks",
                           raised_on=_days_ago(90), due_date=_days_ago(5))
    AuditFactory(theme=theme, audit_date=_days_ago(40), score=71, passed=False)
    AuditFactory(theme=theme, audit_date=_days_ago(10), score=94, template__code="mar-2")
    services.theme_reevaluate(theme=theme)
    services.theme_create(actor=actor, organisation=site.org, location=site.neighbour,
                          title="Safeguarding escalation", origin="complaints")
    theme.refresh_from_db()
    return theme


def test_theme_list_is_accessible(page: Any, site: Site, theme: Any) -> None:
    sign_in(page, site, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Themes").click()
    page.wait_for_url(f"{site.url}/themes/")
    assert page.get_by_role("heading", level=1).inner_text() == "Improvement themes"
    rows = page.locator("table.theme-table tbody tr")
    assert rows.count() == 2
    assert "Action not done: Weekly MAR spot checks" in rows.nth(1).inner_text() or \
        "Action not done: Weekly MAR spot checks" in rows.nth(0).inner_text()
    assert _check(page, "theme list") == []
    page.get_by_label("Only themes with overdue actions").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**overdue=on**")
    assert page.locator("table.theme-table tbody tr").count() == 1


def test_theme_page_is_accessible_and_shows_a_refused_move(page: Any, site: Site,
                                                           theme: Any) -> None:
    sign_in(page, site, "rm.oak")
    page.goto(f"{site.url}/themes/{theme.uuid}/")
    assert page.locator("#next-heading").inner_text().startswith(
        "What is needed for the next stage")
    assert page.locator("svg.score-chart").is_visible()
    assert page.locator(".action-card.is-overdue").count() == 1
    assert _check(page, "theme page") == []
    # Open the effectiveness check of the done action: still accessible.
    page.locator("summary", has_text="Verify effective").first.click()
    assert page.get_by_label("Evidence: the audit").is_visible()
    assert _check(page, "theme page, verify open") == []
    # Try to move the theme to verified without the evidence.
    move = page.locator("#move")
    move.get_by_label("Move the theme to").select_option("verified")
    move.get_by_label("Reason", exact=True).fill("We are confident practice has changed.")
    move.get_by_role("button", name="Move the theme").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "The theme cannot move to verified yet." in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    refusal = page.locator(".refusal")
    assert "Action not done: Weekly MAR spot checks" in refusal.inner_text()
    assert _check(page, "theme page, refused move") == []
    theme.refresh_from_db()
    assert theme.stage == "recovering"


def test_action_steps_on_a_phone(phone: Any, site: Site, theme: Any) -> None:
    sign_in(phone, site, "rm.oak")
    phone.goto(f"{site.url}/themes/{theme.uuid}/")
    card = phone.locator(".action-card.is-overdue")
    card.locator("summary", has_text="Mark done").click()
    card.get_by_label("Done on").fill(_days_ago(0).isoformat())
    card.get_by_role("button", name="Mark done").click()
    phone.wait_for_url(f"**/themes/{theme.uuid}/**")
    assert "Done is not effective" in phone.locator(".messages").inner_text()
    theme.refresh_from_db()
    assert theme.stage == "actions_complete"
    assert _check(phone, "theme page (phone)") == []
