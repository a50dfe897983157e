"""Governance calendar pages and API: the calendar (overdue, this week, counts and rate per
cadence), the cadence form (impossible rule refused by its field), "mark complete" with a
record or a reason, and the API's filters and `complete/` action."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sustain.core.models import HistoryEntry
from sustain.feedback import services as feedback_services
from sustain.governance import services
from sustain.governance.models import Cadence, Occurrence

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_calendar_shows_overdue_week_and_rates(manager: Any, location: Any,
                                               weekly_checks: Cadence) -> None:
    now = timezone.now()
    services.occurrences_mark_missed(now=now)
    client = _client(manager)
    page = client.get(reverse("governance:calendar") + f"?location={location.uuid}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Governance calendar: " + location.name in html
    missed = weekly_checks.occurrences.filter(status="missed").count()
    assert missed >= 3
    row = html.split("Weekly MAR check</a>")[1].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in row.split('<td class="num">')[1:]]
    assert cells == ["0", "0", str(missed), "0.0%"]
    assert "Weekly on Sunday" in row
    assert "Mark complete" in html
    # The nav and the location page link to it.
    assert reverse("governance:calendar") in html
    detail = client.get(reverse("web:location-detail", kwargs={"uuid": location.uuid}))
    assert f"{reverse('governance:calendar')}?location={location.uuid}" in detail.content.decode()


def test_calendar_query_count_does_not_grow_with_data(manager: Any, org: Any,
                                                      location: Any) -> None:
    client = _client(manager)
    url = reverse("governance:calendar") + f"?location={location.uuid}"
    services.cadence_create(actor=manager, organisation=org, location=location, title="A",
                            owner_role="registered_manager", frequency="daily",
                            completes_with="note")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(3):
        services.cadence_create(actor=manager, organisation=org, location=location,
                                title=f"B{n}", owner_role="registered_manager",
                                frequency="weekly", completes_with="note")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_care_staff_see_no_calendar(make_user: Any, org: Any, location: Any) -> None:
    carer = make_user(org, "care_staff", location=location)
    assert _client(carer).get(reverse("governance:calendar")).status_code == 403


def test_cadence_form_refuses_an_impossible_rule_by_its_field(manager: Any,
                                                              location: Any) -> None:
    client = _client(manager)
    url = reverse("governance:cadence-new") + f"?location={location.uuid}"
    assert client.get(url).status_code == 200
    data = {"location": str(location.uuid), "title": "Fire safety review",
            "owner_role": "registered_manager", "frequency": "annually", "month": "2",
            "day_of_month": "31", "completes_with": "note", "grace_days": "0"}
    bad = client.post(url, data)
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "February has no day 31" in html and 'id="id_day_of_month"' in html
    assert not Cadence.objects.exists()
    no_owner = client.post(url, {**data, "owner_role": "", "day_of_month": "28"})
    assert "needs an owner" in no_owner.content.decode() and not Cadence.objects.exists()
    done = client.post(url, {**data, "day_of_month": "28"})
    assert done.status_code == 302
    cadence = Cadence.objects.get()
    assert (cadence.month, cadence.day_of_month) == (2, 28)
    edit = client.get(reverse("governance:cadence-edit", kwargs={"uuid": cadence.uuid}))
    assert edit.status_code == 200 and b"Fire safety review" in edit.content
    saved = client.post(reverse("governance:cadence-edit", kwargs={"uuid": cadence.uuid}),
                        {**data, "day_of_month": "1", "month": "3",
                         "version": str(cadence.version)})
    assert saved.status_code == 302
    cadence.refresh_from_db()
    assert (cadence.month, cadence.day_of_month, cadence.version) == (3, 1, 2)


def test_mark_complete_with_a_record_or_a_reason(manager: Any, org: Any, location: Any,
                                                 checker: Any) -> None:
    from sustain.core import events
    from sustain.engine.cadence_rules import local_date

    cadence = services.cadence_create(
        actor=manager, organisation=org, location=location, title="Senior visit",
        owner_role="quality_lead", frequency="weekly", completes_with="visit", grace_days=7)
    services.occurrences_generate(cadences=[cadence],
                                  start=timezone.now() - dt.timedelta(weeks=3))
    past, current = cadence.occurrences.filter(
        due_at__lt=timezone.now() - dt.timedelta(days=8)).order_by("-due_at")[0], \
        cadence.occurrences.filter(due_at__gte=timezone.now()).order_by("due_at")[0]
    client = _client(manager)
    url = reverse("governance:complete", kwargs={"uuid": current.uuid})
    page = client.get(url)
    assert page.status_code == 200 and b"No record: I give a reason" in page.content
    short = client.post(url, {"reason": "ok", "version": "1"})
    assert "at least 10 characters" in short.content.decode()
    current.refresh_from_db()
    assert current.status == "open"
    done = client.post(url, {"reason": "Paper visit report filed in the office.",
                             "version": "1"})
    assert done.status_code == 302
    current.refresh_from_db()
    assert current.status == "done_on_time" and current.manual_reason
    # A visit in last week's window, written without events (as an import's COPY is), is
    # offered on last week's occurrence and completes it.
    with events.muted():
        visit = feedback_services.visit_create(
            actor="test", organisation=org, location=location, visitor=checker,
            date=local_date(past.due_at) - dt.timedelta(days=2), type="provider",
            looked_at="Care records")
    url = reverse("governance:complete", kwargs={"uuid": past.uuid})
    page = client.get(url).content.decode()
    assert f"feedback.visit:{visit.uuid}" in page
    done = client.post(url, {"record": f"feedback.visit:{visit.uuid}", "version": "1"})
    assert done.status_code == 302
    past.refresh_from_db()
    assert past.record_uuid == visit.uuid and past.status == "done_on_time"


# --- API --------------------------------------------------------------------------------------

def test_api_filters_and_complete(token_client: Any, manager: Any, org: Any, location: Any,
                                  weekly_checks: Cadence, checker: Any) -> None:
    client = token_client(manager)
    services.occurrences_mark_missed()
    listed = client.get("/api/v1/occurrences/", {"location_id": str(location.uuid),
                                                 "status": "missed"}).json()
    assert listed["count"] == weekly_checks.occurrences.filter(status="missed").count() >= 3
    assert {row["state"] for row in listed["results"]} == {"missed"}
    assert "nothing done" in listed["results"][0]["explanation"]
    due = client.get("/api/v1/occurrences/", {"status": "due"}).json()
    assert due["count"] == weekly_checks.occurrences.filter(
        status="open", due_at__gte=timezone.now()).count()
    upcoming = weekly_checks.occurrences.filter(status="open").order_by("due_at").first()
    url = f"/api/v1/occurrences/{upcoming.uuid}/complete/"
    visit = feedback_services.visit_create(
        actor="test", organisation=org, location=location, visitor=checker, date=TODAY,
        type="provider", looked_at="MAR charts")
    history = HistoryEntry.objects.count()
    refused = client.post(url, {"reason": ""}, format="json")
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {"reason"}
    wrong = client.post(url, {"record_type": "feedback.visit", "record": str(visit.uuid)},
                        format="json")
    assert wrong.status_code == 400 and set(wrong.json()["errors"]) == {"record_type"}
    assert HistoryEntry.objects.count() == history
    done = client.post(url, {"reason": "Checked on paper during the power cut.",
                             "version": upcoming.version}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] in ("done_on_time", "done_late")


def test_api_cadence_create_refuses_impossible_rule(token_client: Any, manager: Any,
                                                    location: Any) -> None:
    client = token_client(manager)
    body = {"location": str(location.uuid), "title": "Annual review",
            "owner_role": "registered_manager", "frequency": "annually", "month": 2,
            "day_of_month": 31, "completes_with": "note"}
    resp = client.post("/api/v1/cadences/", body, format="json")
    assert resp.status_code == 400
    assert "February has no day 31" in resp.json()["errors"]["day_of_month"][0]
    resp = client.post("/api/v1/cadences/", {**body, "owner_role": "", "day_of_month": 1},
                       format="json")
    assert resp.status_code == 400 and "owner_role" in resp.json()["errors"]
    assert not Cadence.objects.exists() and not Occurrence.objects.exists()
    resp = client.post("/api/v1/cadences/", {**body, "day_of_month": 1}, format="json")
    assert resp.status_code == 201
    assert resp.json()["rule_text"] == "Every year on 1 February"


def test_cadence_and_occurrence_history(manager: Any, org: Any, location: Any,
                                        sibling_location: Any, make_user: Any,
                                        weekly_checks: Cadence) -> None:
    """The cadence form and the "mark complete" page link to the record's history for whoever
    holds history.view at its location; the history page shows the change and links back to
    the calendar; a manager of another home cannot open it."""
    services.cadence_update(actor=manager, cadence=weekly_checks, expected_version=1,
                            changes={"grace_days": 3})
    occurrence = weekly_checks.occurrences.filter(status="open").order_by("due_at").first()
    client = _client(manager)
    urls = {}
    for obj, page in ((weekly_checks, reverse("governance:cadence-edit",
                                              kwargs={"uuid": weekly_checks.uuid})),
                      (occurrence, reverse("governance:complete",
                                           kwargs={"uuid": occurrence.uuid}))):
        urls[obj] = reverse("web:history", kwargs={"label": obj._meta.label_lower,
                                                   "uuid": obj.uuid})
        assert urls[obj] in client.get(page).content.decode()
    html = client.get(urls[weekly_checks]).content.decode()
    assert "Weekly MAR check" in html
    assert f"{reverse('governance:calendar')}?location={location.uuid}" in html
    assert client.get(urls[occurrence]).status_code == 200
    other = _client(make_user(org, "registered_manager", location=sibling_location))
    assert other.get(urls[weekly_checks]).status_code in (403, 404)
    assert other.get(urls[occurrence]).status_code in (403, 404)
