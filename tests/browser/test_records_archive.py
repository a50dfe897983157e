"""A registered manager archives an incident recorded twice (Archive → confirm with a reason
→ archived, gone from the list, back with "Show archived records too") and restores it; axe
finds no serious or critical problem on the detail page, the confirmation page (also with
its error) and the archived record's page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.browser.conftest import Site, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser


def test_manager_archives_then_restores_an_incident(page: Any, site: Site) -> None:
    from django.utils import timezone

    from sustain.core.models import HistoryEntry
    from sustain.incidents import services
    from sustain.incidents.models import Incident

    incident = services.incident_create(
        actor="browser-tests", organisation=site.org, location=site.home, type="fall",
        severity="low", occurred_at=timezone.now() - dt.timedelta(hours=2),
        description="Found on the floor by the bed")
    detail = f"{site.url}/records/incidents/{incident.uuid}/"
    sign_in(page, site, "rm.oak")
    page.goto(detail)
    assert _check(page, "incident detail with archive button") == []
    page.get_by_role("link", name=re.compile(r"^Archive")).click()
    page.wait_for_url(f"{detail}archive/")
    assert _check(page, "archive confirmation") == []
    assert Incident.objects.get(pk=incident.pk).archived_at is None  # asking changes nothing

    page.get_by_label("Reason").fill("Twice")
    page.get_by_role("button", name="Archive incident").click()
    page.wait_for_selector(".error-summary")
    assert "at least 10 characters" in page.locator("main").inner_text()
    assert _check(page, "archive confirmation with an error") == []
    page.get_by_label("Reason").fill("Recorded twice for the same fall.")
    page.get_by_role("button", name="Archive incident").click()
    page.wait_for_url(detail)
    main = page.locator("main").inner_text()
    assert "has been archived" in main and "Archived" in main
    assert _check(page, "archived incident") == []

    page.goto(f"{site.url}/records/incidents/")
    assert page.locator(f"a[href='/records/incidents/{incident.uuid}/']").count() == 0
    page.get_by_label("Show archived records too").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_selector(f"a[href='/records/incidents/{incident.uuid}/']")

    page.goto(detail)
    page.get_by_role("button", name=re.compile(r"^Restore")).click()
    page.wait_for_selector("text=has been restored")
    assert Incident.objects.get(pk=incident.pk).archived_at is None
    assert page.get_by_role("link", name=re.compile(r"^Archive")).count() == 1
    actions = list(HistoryEntry.objects.filter(object_uuid=incident.uuid).order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["create", "archive", "restore"]
