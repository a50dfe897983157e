"""A registered manager imports incidents in Chromium: uploads a CSV with one bad row, checks
it and sees the problem by row and column (nothing written), downloads the report, uploads
the corrected file, checks and commits it. axe finds no serious or critical problem on the
upload page and the report page; the report page works on a 375 × 812 phone (no sideways
scrolling of the page; the problems table scrolls in its own region)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser

HEADER = "external_ref,type,severity,occurred_at,person,description\n"
GOOD = "INC-B-1,fall,no_harm,2026-11-20 14:30,P000,Found on the floor by the bed.\n"
BAD = "INC-B-2,fall,low,2026-11-21 09:00,P999,<b>Slipped</b> in the bathroom.\n"
FIXED = BAD.replace("P999", "P001")


def _upload(page: Any, site: Site, name: str, body: str) -> None:
    page.goto(f"{site.url}/imports/")
    page.get_by_label("What the file holds").select_option(label="Incidents")
    page.get_by_label("Location").select_option(label="Oak House")
    page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": (HEADER + body).encode()})
    page.get_by_role("button", name="Upload and continue").click()
    page.wait_for_selector("h1:has-text('Import of incidents')")


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_manager_fixes_a_bad_row_and_commits(page: Any, phone: Any, site: Site) -> None:
    from sustain.incidents.models import Incident

    sign_in(page, site, "rm.oak")
    page.goto(f"{site.url}/imports/")
    assert page.get_by_role("link", name="CSV template for incidents").is_visible()
    assert _check(page, "imports upload page") == []

    _upload(page, site, "incidents.csv", GOOD + BAD)
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("table:has-text('Problems by row')")
    report_url = page.url
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    cells = rows.first.locator("th, td").all_inner_texts()
    assert cells[0] == "3" and cells[1] == "person" and "'P999'" in cells[2]
    main = page.locator("main").inner_text()
    assert "Failed" in main and "Nothing has been written" in main
    assert page.get_by_role("button", name="Commit").count() == 0
    assert Incident.objects.count() == 0
    report = page.request.get(
        site.url + page.get_by_role("link", name="Download the problems as CSV")
        .get_attribute("href"))
    assert report.status == 200 and "3,person," in report.text()
    assert _check(page, "import report page") == []

    sign_in(phone, site, "rm.oak")  # the same report on a phone
    phone.goto(report_url)
    assert phone.locator("main table").is_visible()
    assert _no_sideways_scroll(phone)
    region = phone.get_by_role("region", name="Problems by row")
    box = region.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    button = phone.get_by_role("button", name="Check the file").bounding_box()
    assert button is not None and button["height"] >= 40
    assert _check(phone, "import report page (phone)") == []

    _upload(page, site, "incidents-fixed.csv", GOOD + FIXED)
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("text=The file has no problems")
    assert Incident.objects.count() == 0
    page.get_by_role("button", name="Commit 2 rows").click()
    page.wait_for_selector("text=Imported: 2 records created")
    assert _check(page, "import committed page") == []
    assert sorted(Incident.objects.values_list("external_ref", flat=True)) == [
        "INC-B-1", "INC-B-2"]
    assert Incident.objects.get(external_ref="INC-B-2").person.reference == "P001"
