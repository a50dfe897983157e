"""Inspection pages: the record form (happy path, bad input that saves nothing, add a row),
the detail page (enforcement, finding → theme), corrections, archive, and the location page's
rating history with a constant query count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sustain.core.models import HistoryEntry
from sustain.inspections import services
from sustain.inspections.models import (
    EnforcementAction,
    Finding,
    Inspection,
    KeyQuestionRating,
    RegulationBreach,
)
from sustain.inspections.tests.conftest import payload
from sustain.people.tests.factories import StaffFactory
from sustain.themes.models import Theme

pytestmark = pytest.mark.django_db
MODELS = (Inspection, KeyQuestionRating, RegulationBreach, EnforcementAction, Finding, Theme,
          HistoryEntry)


def counts() -> list[int]:
    return [m.objects.count() for m in MODELS]


@pytest.fixture
def client(manager: Any) -> Client:
    c = Client()
    c.force_login(manager)
    return c


def record_url(location: Any) -> str:
    return reverse("inspections:record", kwargs={"uuid": location.uuid})


def form_data(breaches: list[dict[str, str]] | None = None,
              enforcement: list[dict[str, str]] | None = None,
              findings: list[dict[str, Any]] | None = None, **header: str) -> dict[str, Any]:
    """POST data as the browser sends it, with one empty row after the filled ones."""
    data: dict[str, Any] = {
        "inspection-inspection_date": "2026-03-10", "inspection-publication_date": "",
        "inspection-inspection_type": "comprehensive",
        "inspection-overall_rating": "requires-improvement", "inspection-report_url": "",
        "inspection-summary": "", "inspection-rating_safe": "inadequate",
        "inspection-rating_effective": "good", "inspection-rating_caring": "good",
        "inspection-rating_responsive": "good",
        "inspection-rating_well_led": "requires-improvement",
    }
    data.update({f"inspection-{k}": v for k, v in header.items()})
    rows = {"breaches": breaches if breaches is not None else [
                {"regulation": "RA2014-12", "summary": "MAR charts not accurate."}],
            "enforcement": enforcement or [],
            "findings": findings if findings is not None else [
                {"text": "Medicines were not managed safely.", "key_question": "safe",
                 "quality_statements": ["S8"]}]}
    blank = {"enforcement": {"status": "open"}}
    for prefix, filled in rows.items():
        all_rows = [*filled, blank.get(prefix, {})]
        data[f"{prefix}-TOTAL_FORMS"] = str(len(all_rows))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for i, row in enumerate(all_rows):
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = value
    return data


def test_record_form_shows_every_part(client: Client, location: Any) -> None:
    resp = client.get(record_url(location))
    assert resp.status_code == 200
    html = resp.content.decode()
    for name in ("Safe", "Effective", "Caring", "Responsive", "Well-led"):
        assert f">{name}</label>" in html
    assert "Regulation 12: Safe care and treatment" in html
    assert "Warning notice" in html
    assert "<summary>Safe</summary>" in html  # statements grouped by key question
    for label in ("Add another breach", "Add another enforcement action",
                  "Add another finding"):
        assert label in html


def test_record_happy_path(client: Client, location: Any) -> None:
    data = form_data(enforcement=[{"enforcement_type": "warning-notice",
                                   "issued_on": "2026-04-02", "deadline": "2026-06-30",
                                   "status": "open", "notes": ""}],
                     findings=[{"text": "Medicines were not managed safely.",
                                "key_question": "safe", "quality_statements": ["S8"]},
                               {"text": "Safeguarding concerns were not escalated.",
                                "key_question": "safe", "quality_statements": ["S3"]}])
    resp = client.post(record_url(location), data)
    inspection = Inspection.objects.get()
    assert resp.status_code == 302
    assert resp["Location"] == reverse("inspections:detail", kwargs={"uuid": inspection.uuid})
    assert inspection.keyquestionratings.get(key_question__code="well-led").rating == \
        "requires-improvement"
    assert inspection.regulationbreachs.count() == 1  # the empty row is skipped
    assert inspection.enforcementactions.get().deadline == dt.date(2026, 6, 30)
    assert [f.quality_statements.get().code for f in inspection.findings.order_by("pk")] == \
        ["S8", "S3"]


def test_bad_input_everywhere_is_reported_at_once_and_saves_nothing(
        client: Client, location: Any) -> None:
    data = form_data(
        breaches=[{"regulation": "RA2014-12", "summary": "MAR charts not accurate."},
                  {"regulation": "", "summary": "Something about safeguarding."}],
        enforcement=[{"enforcement_type": "warning-notice", "issued_on": "31/02/2026",
                      "status": "open"}],
        rating_caring="")
    before = counts()
    resp = client.post(record_url(location), data)
    assert resp.status_code == 200
    assert counts() == before
    problems = [str(p) for p in resp.context["problems"]]
    html = resp.content.decode()
    assert "There is a problem" in html and "Nothing has been saved." in html
    labels = {p.label for p in resp.context["problems"]}
    assert {"Caring", "Breach 2, regulation", "Enforcement action 1, issued on"} <= labels, \
        problems
    # Each message also sits beside its field, and the summary links to it.
    breaches = resp.context["breaches"]
    assert breaches.forms[1].errors["regulation"] == ["Choose the regulation."]
    assert 'href="#id_breaches-1-regulation"' in html
    assert resp.context["form"].errors["rating_caring"]
    # What was typed is kept.
    assert 'value="Something about safeguarding."' in html or \
        "Something about safeguarding." in html


def test_add_another_row_keeps_input_and_saves_nothing(client: Client,
                                                       location: Any) -> None:
    data = form_data(breaches=[{"regulation": "RA2014-12", "summary": "Kept text."}])
    data["add"] = "breaches"
    before = counts()
    resp = client.post(record_url(location), data)
    assert resp.status_code == 200 and counts() == before
    assert len(resp.context["breaches"].forms) == 3
    html = resp.content.decode()
    assert "Breach 3" in html and "Kept text." in html
    assert "There is a problem" not in html
    assert 'id="breaches-row-2" tabindex="-1" data-focus-on-load' in html


@pytest.mark.parametrize("role", ["care_staff", "deputy_manager", "commissioner"])
def test_record_form_needs_inspection_change(org: Any, location: Any, make_user: Any,
                                             library: None, role: str) -> None:
    c = Client()
    c.force_login(make_user(org, role, location=location))
    assert c.get(record_url(location)).status_code == 403
    assert c.post(record_url(location), form_data()).status_code == 403
    assert Inspection.objects.count() == 0


def test_other_organisations_location_is_not_found(client: Client,
                                                   foreign_location: Any) -> None:
    assert client.get(record_url(foreign_location)).status_code == 404


# --- detail, corrections, finding → theme -------------------------------------------------


@pytest.fixture
def inspection(manager: Any, org: Any, location: Any) -> Inspection:
    return services.inspection_record(actor=manager, organisation=org, location=location,
                                      **payload(enforcement=[{
                                          "enforcement_type": "warning-notice",
                                          "issued_on": dt.date(2026, 4, 1),
                                          "deadline": dt.date(2026, 5, 1)}]))


def detail_url(inspection: Inspection) -> str:
    return reverse("inspections:detail", kwargs={"uuid": inspection.uuid})


def test_detail_page(client: Client, inspection: Inspection) -> None:
    resp = client.get(detail_url(inspection))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert '<th scope="row">Well-led</th>' in html
    assert "Regulation 13:" in html
    assert "Overdue" in html  # open, deadline 1 May 2026 has passed
    assert html.count("Create a theme from this finding") == 2
    assert "Medicines were not managed safely" in html  # title prefilled


def test_create_theme_from_the_page(client: Client, inspection: Inspection, org: Any,
                                    location: Any) -> None:
    owner = StaffFactory(organisation=org, locations=[location], full_name="Rita Manager")
    finding = inspection.findings.get(quality_statements__code="S8")
    url = reverse("inspections:create-theme", kwargs={"uuid": inspection.uuid,
                                                      "finding_uuid": finding.uuid})
    prefix = f"theme-{finding.pk}"
    bad = client.post(url, {f"{prefix}-title": "", f"{prefix}-owner": str(owner.uuid)})
    assert bad.status_code == 400 and Theme.objects.count() == 0
    assert "Enter the theme title" in bad.content.decode()
    resp = client.post(url, {f"{prefix}-title": "Medicines governance",
                             f"{prefix}-owner": str(owner.uuid)})
    assert resp.status_code == 302
    theme = Theme.objects.get()
    assert (theme.finding, theme.owner, theme.origin) == (finding, owner, "inspection")
    assert list(theme.regulations.values_list("code", flat=True)) == ["RA2014-12"]
    html = client.get(detail_url(inspection)).content.decode()
    assert "Improvement theme:" in html and "Medicines governance" in html
    assert html.count("Create a theme from this finding") == 1


def test_care_staff_see_the_inspection_but_no_forms(inspection: Inspection, org: Any,
                                                    location: Any, make_user: Any) -> None:
    c = Client()
    c.force_login(make_user(org, "care_staff", location=location))
    html = c.get(detail_url(inspection)).content.decode()
    assert "Create a theme" not in html and "Archive this inspection" not in html
    finding = inspection.findings.first()
    url = reverse("inspections:create-theme", kwargs={"uuid": inspection.uuid,
                                                      "finding_uuid": finding.uuid})
    assert c.post(url, {f"theme-{finding.pk}-title": "T"}).status_code == 403
    assert Theme.objects.count() == 0


def test_enforcement_update_and_conflict(client: Client, inspection: Inspection) -> None:
    notice = inspection.enforcementactions.get()
    url = reverse("inspections:enforcement-update", kwargs={"uuid": inspection.uuid,
                                                            "action_uuid": notice.uuid})
    p = f"enforcement-{notice.pk}"
    resp = client.post(url, {f"{p}-status": "met", f"{p}-deadline": "2026-05-01",
                             f"{p}-notes": "Re-inspected.", f"{p}-version": "1"})
    assert resp.status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.version) == ("met", 2)
    stale = client.post(url, {f"{p}-status": "open", f"{p}-deadline": "",
                              f"{p}-notes": "", f"{p}-version": "1"})
    assert stale.status_code == 400 and "Someone else changed" in stale.content.decode()
    notice.refresh_from_db()
    assert notice.status == "met"


def test_correct_details_is_a_new_version(client: Client, inspection: Inspection) -> None:
    url = reverse("inspections:edit", kwargs={"uuid": inspection.uuid})
    assert client.get(url).status_code == 200
    data = {"inspection_date": "2026-03-10", "publication_date": "2026-04-20",
            "inspection_type": "comprehensive", "overall_rating": "inadequate",
            "report_url": "", "summary": "Corrected.", "version": "1"}
    bad = client.post(url, {**data, "publication_date": "2026-03-01"})
    assert bad.status_code == 200 and "before the inspection" in bad.content.decode()
    assert client.post(url, data).status_code == 302
    inspection.refresh_from_db()
    assert (inspection.overall_rating, inspection.version) == ("inadequate", 2)
    assert HistoryEntry.objects.filter(object_uuid=inspection.uuid, action="update").exists()


def test_archive_needs_a_reason(client: Client, inspection: Inspection,
                                location: Any) -> None:
    url = reverse("inspections:archive", kwargs={"uuid": inspection.uuid})
    client.post(url, {"archive-reason": ""})
    inspection.refresh_from_db()
    assert inspection.archived_at is None
    client.post(url, {"archive-reason": "Recorded in error"})
    inspection.refresh_from_db()
    assert inspection.archived_at is not None
    page = client.get(reverse("web:location-detail", kwargs={"uuid": location.uuid}))
    assert "No inspections recorded yet." in page.content.decode()


def test_history_page_opens_for_an_inspection(client: Client, inspection: Inspection) -> None:
    url = reverse("web:history", kwargs={"label": "inspections.inspection",
                                         "uuid": inspection.uuid})
    assert client.get(url).status_code == 200


# --- the location page ------------------------------------------------------------------------


def _record_on(manager: Any, org: Any, location: Any, day: dt.date, overall: str) -> Any:
    return services.inspection_record(actor=manager, organisation=org, location=location,
                                      **payload(inspection_date=day, publication_date=None,
                                                enforcement=[], overall_rating=overall))


def test_location_page_shows_rating_history_newest_first(client: Client, manager: Any,
                                                         org: Any, location: Any) -> None:
    _record_on(manager, org, location, dt.date(2024, 5, 1), "good")
    _record_on(manager, org, location, dt.date(2026, 2, 1), "requires-improvement")
    html = client.get(reverse("web:location-detail", kwargs={"uuid": location.uuid})) \
        .content.decode()
    assert "Rating history" in html and "Record an inspection" in html
    assert html.index("1 Feb 2026") < html.index("1 May 2024")
    assert 'Latest overall rating: <span class="rating rating-requires-improvement">' in html


def test_care_staff_see_history_without_the_record_button(manager: Any, org: Any,
                                                          location: Any,
                                                          make_user: Any) -> None:
    _record_on(manager, org, location, dt.date(2025, 5, 1), "good")
    c = Client()
    c.force_login(make_user(org, "care_staff", location=location))
    html = c.get(reverse("web:location-detail", kwargs={"uuid": location.uuid})) \
        .content.decode()
    assert "Rating history" in html and "1 May 2025" in html
    assert "Record an inspection" not in html


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_location_page_queries_do_not_grow_with_inspections(client: Client, manager: Any,
                                                            org: Any, location: Any) -> None:
    url = reverse("web:location-detail", kwargs={"uuid": location.uuid})
    _record_on(manager, org, location, dt.date(2020, 1, 1), "good")
    small = _queries(client, url)
    for year in range(2021, 2026):
        for month in (1, 4, 7, 10):
            _record_on(manager, org, location, dt.date(year, month, 1), "good")
    assert _queries(client, url) == small


def test_detail_page_queries_do_not_grow_with_rows(client: Client, manager: Any, org: Any,
                                                   location: Any) -> None:
    few = _record_on(manager, org, location, dt.date(2025, 1, 1), "good")
    many = services.inspection_record(
        actor=manager, organisation=org, location=location,
        **payload(inspection_date=dt.date(2025, 6, 1), publication_date=None,
                  enforcement=[{"enforcement_type": "requirement-notice",
                                "issued_on": dt.date(2025, 6, 2 + i)} for i in range(8)],
                  findings=[{"text": f"Finding {i}.", "key_question": "safe",
                             "quality_statements": ["S1", "S2"]} for i in range(12)]))
    assert _queries(client, detail_url(few)) == _queries(client, detail_url(many))


def test_playbook_select_appears_once_playbooks_exist(client: Client,
                                                      inspection: Inspection) -> None:
    from sustain.playbooks.services import playbooks_load

    assert ">Playbook</label>" not in client.get(detail_url(inspection)).content.decode()
    from sustain.playbooks.models import Playbook

    playbooks_load()
    html = client.get(detail_url(inspection)).content.decode()
    assert ">Playbook <span class=\"optional\">(optional)</span></label>" in html
    latest = Playbook.objects.filter(code="medicines-governance").latest("version")
    assert f"Medicines governance (version {latest.version})" in html


def test_location_list_shows_latest_rating_in_constant_queries(
        org: Any, region: Any, make_user: Any, library: None) -> None:
    from sustain.tenancy.tests.factories import LocationFactory

    admin = make_user(org, "administrator", scope="organisation")
    c = Client()
    c.force_login(admin)
    url = reverse("web:location-list")
    homes = [LocationFactory(organisation=org, region=region, name=f"Home {i:02d}")
             for i in range(12)]
    _record_on(admin, org, homes[0], dt.date(2023, 1, 1), "inadequate")
    latest = _record_on(admin, org, homes[0], dt.date(2025, 9, 1), "good")
    small = _queries(c, url)
    for home in homes[1:]:
        _record_on(admin, org, home, dt.date(2024, 3, 1), "requires-improvement")
        _record_on(admin, org, home, dt.date(2025, 3, 1), "outstanding")
    assert _queries(c, url) == small
    html = c.get(url).content.decode()
    assert f'href="{reverse("inspections:detail", kwargs={"uuid": latest.uuid})}">Good' in html
    assert html.count(">Outstanding<") == 11 and "Inadequate" not in html
