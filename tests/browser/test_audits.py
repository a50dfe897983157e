"""Completing an audit in Chromium on a tablet (1024 × 768) and a phone (375 × 812): start it
with two sampled care plans, answer ordinary and per-sample questions (a table of columns on
the tablet, one card per care plan on the phone), raise an action in place, attach evidence,
be refused without the written analysis, add it and complete. axe finds no serious or critical
violation on the start page, the sheet, the refusal and the completed view."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import Site, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "tablet": {"viewport": {"width": 1024, "height": 768}, "has_touch": True},
    "phone": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x03" * 100


@pytest.fixture(params=sorted(VIEWPORTS))
def device(request: Any, browser: Any) -> Iterator[tuple[str, Any]]:
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London",
                                  **VIEWPORTS[request.param])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield request.param, page
    context.close()


@pytest.fixture
def audit_world(site: Site, settings: Any, tmp_path: Any) -> Any:
    from sustain.audits.tests.factories import CarePlanTemplateFactory
    from sustain.themes import services as themes

    settings.MEDIA_ROOT = str(tmp_path / "media")
    template = CarePlanTemplateFactory(title="Care plan quality audit", min_analysis_length=60)
    theme = themes.theme_create(actor=site.manager, organisation=site.org, location=site.home,
                                title="Care planning", origin="inspection",
                                as_of=timezone.localdate() - dt.timedelta(days=20))
    return template, theme


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box


def test_complete_an_audit(device: tuple[str, Any], site: Site, audit_world: Any) -> None:
    name, page = device
    template, theme = audit_world
    sign_in(page, site, "rm.oak")
    page.get_by_role("link", name="Audits", exact=True).click()
    page.get_by_role("link", name="Start an audit").click()
    page.wait_for_url(f"{site.url}/audits/new/")
    assert _check(page, f"start ({name})") == []
    page.get_by_label("Location", exact=True).select_option(label="Oak House")
    page.get_by_label("Audit template").select_option(value=str(template.uuid))
    page.get_by_label("Theme (optional)", exact=True).select_option(value=str(theme.uuid))
    page.get_by_label("Sampled items").fill("RH-014\nRH-015")
    page.get_by_role("button", name="Start the audit").click()
    page.wait_for_selector("h1:has-text('Audit: Care plan quality audit')")
    assert _no_sideways_scroll(page)

    # Per-sample questions: one column per care plan on the tablet, one card each on a phone.
    first = _box(page, "xpath=(//h4[@class='sample-heading'])[1]")
    second = _box(page, "xpath=(//h4[@class='sample-heading'])[2]")
    if name == "tablet":
        assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"] + 50
        assert page.locator(".grid-qtext").first.is_visible()
    else:
        assert second["y"] > first["y"] + 50 and abs(first["x"] - second["x"]) < 2
        assert not page.locator(".grid-qtext").first.is_visible()
    for label in ("a-CP1-yes", "s-S1-0-yes", "s-S1-1-no"):
        box = _box(page, f"label[for='{label}']")
        assert box["height"] >= 44 and box["x"] + box["width"] <= page.viewport_size["width"]
    assert _check(page, f"sheet ({name})") == []

    page.locator("label[for='a-CP1-yes']").click()
    page.locator("label[for='a-CP2-yes']").click()
    page.locator("#a-CP3").fill("4")
    page.locator("#a-CP4").fill("0")
    page.locator("label[for='s-S1-0-yes']").click()
    page.locator("label[for='s-S1-1-no']").click()

    # Raise an action from a question without leaving the page (htmx).
    page.get_by_role("link", name="Raise an action from S1").click()
    page.locator("#id_ra-S1-description").fill("Review RH-015's mobility plan with family")
    due = timezone.localdate() + dt.timedelta(days=7)
    page.locator("#id_ra-S1-due_date").fill(due.isoformat())
    page.get_by_role("button", name="Raise action from S1").click()
    page.wait_for_selector("#raise-S1 .message-success")
    assert page.locator("label[for='s-S1-1-no'] input").is_checked()  # answers kept

    # Attach evidence in place: stored with its SHA-256.
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "mar-chart.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_role("button", name="Attach file").click()
    page.wait_for_selector("text=mar-chart.png has been attached")
    assert hashlib.sha256(PNG).hexdigest() in page.locator("#attachments").inner_text()
    assert page.locator("label[for='a-CP1-yes'] input").is_checked()

    # Completing without the analysis is refused, naming what is missing.
    page.get_by_role("button", name="Complete the audit").click()
    page.wait_for_selector(".error-summary")
    summary = page.locator(".error-summary")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    text = summary.inner_text()
    assert "cannot be completed yet" in text and "analysis of at least 60" in text
    assert "note on failed item S1" in text
    assert page.locator("#analysis").get_attribute("aria-invalid") == "true"
    assert _no_sideways_scroll(page)
    assert _check(page, f"refusal ({name})") == []
    summary.get_by_role("link", name="Write an analysis").click()
    assert page.evaluate("document.activeElement.id") == "analysis"

    page.locator("#n-S1").fill("RH-015's plan omits the walking frame introduced last month.")
    page.locator("#analysis").fill(
        "Four of five checks held. One plan had not caught up with a change in mobility; the "
        "key worker will review it with the family and we will re-check at the next clinic.")
    page.get_by_role("button", name="Complete the audit").click()
    page.wait_for_selector("text=The audit is complete")
    main = page.locator("main").inner_text()
    # Weights 2,1,1,1,1; S1 scores 1 of 2 care plans: 5.5 of 6 = 91.67%, over the 90% mark.
    assert "Passed against a pass mark of 90%" in main and "91.67%" in main
    assert "walking frame" in main and "Review RH-015's mobility plan" in main
    assert hashlib.sha256(PNG).hexdigest() in main
    assert _no_sideways_scroll(page)
    assert _check(page, f"completed ({name})") == []


def test_a_large_sample_scrolls_inside_its_table(device: tuple[str, Any], site: Site,
                                                 audit_world: Any) -> None:
    """Ten sampled MAR charts: the page never scrolls sideways; on a tablet the table of
    columns scrolls inside its own (keyboard-reachable) region."""
    from sustain.audits import services
    from sustain.audits.tests.factories import CarePlanTemplateFactory

    name, page = device
    template = CarePlanTemplateFactory(title="MAR chart audit", sample_size=10,
                                       sample_label="MAR chart")
    audit = services.audit_start(actor=site.manager, organisation=site.org,
                                 location=site.home, template=template,
                                 audit_date=timezone.localdate(),
                                 samples=[f"MAR-{i:02d}" for i in range(10)])
    sign_in(page, site, "rm.oak")
    page.goto(f"{site.url}/audits/{audit.uuid}/")
    assert page.locator(".sample-card").count() == 10
    assert _no_sideways_scroll(page)
    region = page.get_by_role("region", name="Each sampled care plan: answers per sampled item")
    assert region.get_attribute("tabindex") == "0"
    if name == "tablet":
        assert page.evaluate("(() => { const r = document.querySelector('.grid-scroll'); "
                             "return r.scrollWidth > r.clientWidth; })()")
    page.locator("label[for='s-S1-9-no']").scroll_into_view_if_needed()
    page.locator("label[for='s-S1-9-no']").click()
    assert page.locator("#s-S1-9-no").is_checked()
