"""axe-core (bundled by axe-playwright-python) on the main pages: no violation of impact
"serious" or "critical" against WCAG 2.0–2.2 A/AA and axe best practices."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site, sign_in

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                         "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}


def _check(page: Any, what: str) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    for v in violations:  # printed for debugging (pytest shows it on failure or with -s)
        nodes = "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        print(f"[axe] {what}: {v['impact']} {v['id']} — {v['help']} ({nodes})")  # noqa: T201
    return [v for v in violations if v["impact"] in BLOCKING]


def test_sign_in_page(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/accounts/login/")
    assert _check(page, "login") == []
    page.get_by_role("button", name="Sign in").click()       # empty: errors shown
    page.wait_for_selector(".error-summary")
    assert _check(page, "login with errors") == []


@pytest.mark.parametrize("path", ["/", "/locations/", "/locations/{home}/", "/people/",
                                  "/staff/", "/organisation/", "/locations/{home}/edit/",
                                  "/history/tenancy.location/{home}/", "/people/new/",
                                  "/organisation/users/{admin}/", "/organisation/settings/",
                                  "/my-work/settings/", "/lessons/handover/"])
def test_pages_for_administrator(page: Any, site: Site, path: str) -> None:
    sign_in(page, site, "admin")
    page.goto(site.url + path.format(home=site.home.uuid, admin=site.admin.uuid))
    assert page.locator("main h1").is_visible()
    assert _check(page, path) == []


def test_form_with_errors_and_phone_layout(phone: Any, site: Site) -> None:
    sign_in(phone, site, "rm.oak")
    phone.goto(f"{site.url}/staff/new/")
    phone.get_by_label("Full name").fill("Test Person")
    phone.get_by_label("Job role").fill("Carer")
    phone.get_by_label("Start date").fill("2025-05-02")
    phone.get_by_label("Leaving date (optional)").fill("2025-05-01")
    phone.get_by_role("button", name="Add staff member").click()
    phone.wait_for_selector(".error-summary")
    assert _check(phone, "staff form with errors (phone)") == []
