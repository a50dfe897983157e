"""A registered manager reads Oak House's drift in real headless Chromium: the drift index
and its band, the seven seed signs with their findings and the records behind them (an audit
opened from its link), the theme flagged for relapse review, tested assurance and the index
over the cycles; an earlier cycle from the table; the theme page's drift note. The drift page
also fits a 375 px phone. axe finds no serious or critical problem on any of them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser


def _no_sideways_scroll(p: Any) -> bool:
    return bool(p.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def _drifting(where: Site) -> Any:
    """Oak House drifts in October 2026 (every sign), with a tested-assurance gap."""
    from sustain.drift import services
    from sustain.drift.tests.conftest import AS_OF, OCT, Records

    records = Records(where.home)
    records.baseline()
    records.drifting_october()
    mar = records.template.__class__.objects.create(
        organisation=where.org, code="mar-audit", title="MAR chart", pass_mark=90,
        sections=records.template.sections)
    records.audit(due=OCT.replace(day=8), done=OCT.replace(day=6), score=97, template=mar)
    records.audit(due=None, done=OCT.replace(day=9), score=76, template=mar,
                  kind="independent")
    services.assess(organisation=where.org, as_of=AS_OF, cycles=3)
    return records


def test_a_manager_reads_the_drift_of_her_home(page: Any, site: Site) -> None:
    records = _drifting(site)
    sign_in(page, site, "rm.oak")
    page.goto(f"{site.url}/drift/locations/{site.home.uuid}/")
    page.wait_for_selector("h1:has-text('Drift: Oak House')")
    assert "Drift index, October 2026" in page.locator("#index-heading").inner_text()
    assert "Drift index 14 (drifting)" in page.locator("#drift-explanation").inner_text()
    signs = page.locator("ol.drift-signs > li")
    assert signs.count() == 7
    audits = page.locator("#sign-audits")
    assert "Drift (2)" in audits.locator("h3").inner_text()
    assert "were late or without analysis" in audits.inner_text()
    relapse = page.locator("section[aria-labelledby='relapse-heading']")
    assert "Medicines recording" in relapse.inner_text()
    assurance = page.locator("section[aria-labelledby='assurance-heading']")
    assert "Leadership should test whether assurance is credible" in assurance.inner_text()
    assert page.locator("section[aria-labelledby='history-heading'] tbody tr").count() == 3
    assert _check(page, "drift page") == []

    # The records behind a sign open their own pages.
    link = audits.locator("ul.drift-records a").first
    link.click()
    page.wait_for_url(f"{site.url}/audits/**")
    page.go_back()

    # An earlier cycle from the table.
    page.get_by_role("link", name="September 2026").click()
    page.wait_for_selector("h2:has-text('Drift index, September 2026')")
    assert _check(page, "drift page, September") == []

    # The theme page names the relapse flag and links back.
    page.goto(f"{site.url}/themes/{records.theme.uuid}/")
    note = page.locator("section[aria-labelledby='drift-flags-heading']")
    assert "Flagged for relapse review." in note.inner_text()
    assert _check(page, "theme page with drift flags") == []
    note.get_by_role("link").click()
    page.wait_for_selector("h1:has-text('Drift: Oak House')")


def test_the_drift_page_fits_a_phone(phone: Any, site: Site) -> None:
    _drifting(site)
    sign_in(phone, site, "rm.oak")
    phone.goto(f"{site.url}/drift/locations/{site.home.uuid}/")
    phone.wait_for_selector("h1:has-text('Drift: Oak House')")
    assert _no_sideways_scroll(phone)
    assert _check(phone, "drift page (phone)") == []
