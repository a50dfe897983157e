"""The playbook library in Chromium: the playbook page passes axe (no serious or critical
violation), a registered manager applies a playbook to a theme, and an administrator's
invalid upload shows file:line: field errors in an accessible error summary."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser


@pytest.fixture
def library(site: Site) -> Any:
    from sustain.playbooks.services import playbooks_load
    from sustain.themes import services as themes

    playbooks_load()
    return themes.theme_create(actor="browser-tests", organisation=site.org,
                               location=site.home, title="Medicines governance",
                               origin="inspection")


def test_playbook_page_is_accessible_and_applies_to_a_theme(page: Any, site: Site,
                                                            library: Any) -> None:
    sign_in(page, site, "rm.oak")
    page.get_by_role("link", name="Playbooks").first.click()
    page.get_by_role("link", name="Medicines governance").click()
    assert page.locator("main h1").inner_text() == "Medicines governance"
    assert _check(page, "playbook page") == []
    page.get_by_text("Show the YAML").click()
    assert page.get_by_text("code: medicines-governance").is_visible()
    page.get_by_label("Theme", exact=True).select_option(label="Medicines governance — Oak House")
    page.get_by_role("button", name="Apply playbook").click()
    page.wait_for_selector(".message-success")
    assert "re-audit pass mark 90 %" in page.locator(".message-success").inner_text()
    assert _check(page, "playbook page after applying") == []
    library.refresh_from_db()
    assert library.playbook.code == "medicines-governance"


def test_upload_errors_on_a_phone(phone: Any, site: Site, library: Any) -> None:
    sign_in(phone, site, "admin")
    phone.goto(f"{site.url}/playbooks/upload/")
    phone.get_by_label("Or paste the YAML").fill("code: mine\nversion: 1\ncolour: red\n")
    phone.get_by_role("button", name="Check and add playbook").click()
    phone.wait_for_selector(".error-summary")
    summary = phone.locator(".error-summary").inner_text()
    assert "pasted.yaml:3: colour: unknown field" in summary
    assert _check(phone, "playbook upload with errors (phone)") == []
