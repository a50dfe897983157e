"""A registered manager interprets a concern signal in real headless Chromium: falls at Oak
House stepped up in the stored indicator values; detection raised a concern signal owned by
the manager; the manager opens it from the signals list (awaiting interpretation first),
reads the explanation beside the MDC chart, sends the form with too little written (refused
by field, nothing changes), then with what it means and what is being done, and sees the
interpretation recorded. The list and the signal page fit a 375 px phone. axe finds no
serious or critical problem on the list and on the signal page (empty, refused, interpreted)
at 1280 px and at 375 px."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import Site, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser

MEANING = "Falls rose after two residents with high falls risk were admitted in March."
RESPONSE = "Falls huddles daily; physio review of both residents booked for this week."


def _no_sideways_scroll(p: Any) -> bool:
    return bool(p.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def _signal(where: Site) -> Any:
    """A falls rate at Oak House stepping from 4 to 12 per 1,000 bed days three months
    before the last complete month; detection's concern signal."""
    from sustain.core.services import tracked_create
    from sustain.indicators.models import Indicator, IndicatorValue, value_of
    from sustain.signals import services
    from sustain.signals.models import Signal

    falls = tracked_create(actor="browser-tests", obj=Indicator(
        organisation=where.org, code="falls-rate", name="Falls per 1,000 occupied bed days",
        unit="per 1,000 occupied bed days", numerator="falls",
        denominator="occupied_bed_days", multiplier=1000.0, direction="higher_is_worse",
        kind="rate"))
    until = timezone.localdate()
    last = until.replace(day=1)
    now = timezone.now()
    for k in range(40, 0, -1):
        index = last.year * 12 + last.month - 1 - k
        start = dt.date(index // 12, index % 12 + 1, 1)
        end = dt.date((index + 1) // 12, (index + 1) % 12 + 1, 1)
        num = 12 if k <= 4 else 4
        IndicatorValue.objects.create(
            organisation=where.org, indicator=falls, location=where.home, period_start=start,
            period_end=end, numerator=num, denominator=900,
            value=value_of(num, 900, 1000.0), computed_at=now)
    services.detect_signals(organisation=where.org, until=until)
    return Signal.objects.get(direction="concern")


def test_a_manager_interprets_a_concern_signal(page: Any, site: Site) -> None:
    signal = _signal(site)
    assert signal.owner == site.manager
    sign_in(page, site, "rm.oak")
    page.goto(f"{site.url}/signals/")
    page.wait_for_selector("h1:has-text('Signals')")
    assert _check(page, "signals list") == []
    page.get_by_role("link", name="Falls per 1,000 occupied bed days: Oak House").first.click()
    page.wait_for_selector("h1:has-text('Concern signal')")
    assert "Poisson–Gamma changepoint" in page.locator("main").inner_text()
    assert page.locator("svg").count() >= 1
    assert _check(page, "signal (open)") == []

    page.get_by_label("What it means").fill("Chance.")
    page.get_by_role("button", name="Record the interpretation").click()
    page.wait_for_selector(".error-summary")
    assert "at least 20 characters" in page.locator("main").inner_text()
    assert _check(page, "signal (refused)") == []
    signal.refresh_from_db()
    assert signal.status == "open"

    page.get_by_label("What it means").fill(MEANING)
    page.get_by_label("What is being done").fill(RESPONSE)
    page.get_by_role("button", name="Record the interpretation").click()
    page.wait_for_selector("text=Interpretation recorded.")
    assert MEANING in page.locator("main").inner_text()
    assert _check(page, "signal (interpreted)") == []
    signal.refresh_from_db()
    assert (signal.status, signal.interpreted_by) == ("interpreted", site.manager)


def test_signals_fit_a_phone(phone: Any, site: Site) -> None:
    signal = _signal(site)
    sign_in(phone, site, "rm.oak")
    phone.goto(f"{site.url}/signals/")
    phone.wait_for_selector("h1:has-text('Signals')")
    assert _no_sideways_scroll(phone)
    assert _check(phone, "signals list (phone)") == []
    phone.goto(f"{site.url}/signals/{signal.uuid}/")
    phone.wait_for_selector("h1:has-text('Concern signal')")
    assert _no_sideways_scroll(phone)
    button = phone.get_by_role("button", name="Record the interpretation")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 375
    assert _check(phone, "signal (phone)") == []
