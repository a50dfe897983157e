"""Medicines pages: quick entry (add a row, save, refusal shown by the field), list filters,
detail (free text escaped), weekly review; API round trip with nested discrepancies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sustain.medicines import services
from sustain.medicines.models import MedicinesCheck, WeeklyReview
from sustain.people.tests.factories import StaffFactory

DAY = dt.date(2026, 1, 12)


@pytest.fixture
def staff(org: Any, location: Any) -> Any:
    return StaffFactory(organisation=org, locations=[location], full_name="Sam Carer")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_quick_entry_add_row_then_save(org: Any, location: Any, staff: Any,
                                       make_user: Any) -> None:
    client = _client(make_user(org, "care_staff", location=location))
    page = client.get(reverse("medicines:new"))
    assert page.status_code == 200 and b"Add a discrepancy" in page.content
    data = {"location": str(location.uuid), "check_date": DAY.isoformat(), "shift": "day",
            "checked_by": str(staff.uuid), "charts_checked": "8", "rows": "0"}
    added = client.post(reverse("medicines:new"), {**data, "add_row": "1"})
    assert b"Discrepancy 1" in added.content and MedicinesCheck.objects.count() == 0
    bad = client.post(reverse("medicines:new"), {**data, "rows": "1", "d0-type": ""})
    assert bad.status_code == 200 and b"There is a problem" in bad.content
    assert MedicinesCheck.objects.count() == 0
    saved = client.post(reverse("medicines:new"), {
        **data, "rows": "1", "d0-type": "omission", "d0-staff_responsible": str(staff.uuid),
        "d0-action_taken": "Told the GP"})
    check = MedicinesCheck.objects.get()
    assert saved.status_code == 302 and saved["Location"] == reverse(
        "medicines:detail", kwargs={"uuid": check.uuid})
    assert [d.type for d in check.current_discrepancies] == ["omission"]


def test_future_date_refused_on_the_page(org: Any, location: Any, staff: Any,
                                         make_user: Any) -> None:
    client = _client(make_user(org, "care_staff", location=location))
    response = client.post(reverse("medicines:new"), {
        "location": str(location.uuid), "check_date": "2099-01-01", "shift": "day",
        "checked_by": str(staff.uuid), "charts_checked": "8", "rows": "0"})
    assert b"cannot be in the future" in response.content
    assert MedicinesCheck.objects.count() == 0
    both = client.post(reverse("medicines:new"), {
        "location": str(location.uuid), "check_date": "2099-01-01", "shift": "day",
        "checked_by": str(staff.uuid), "charts_checked": "-3", "rows": "1", "d0-type": ""})
    html = both.content.decode()
    assert "There is a problem with discrepancy 1" in html
    assert html.count('id="error-summary-title"') == 1 and html.count('id="d0-problem"') == 1


def test_list_detail_and_week(org: Any, location: Any, staff: Any, make_user: Any) -> None:
    manager = make_user(org, "registered_manager", location=location)
    check = services.medicines_check_create(
        actor=manager, organisation=org, location=location, check_date=DAY, shift="night",
        checked_by=staff, charts_checked=10, notes="<script>alert(1)</script>",
        discrepancies=[{"type": "wrong_dose", "staff_responsible": staff}])
    services.medicines_check_create(actor=manager, organisation=org, location=location,
                                    check_date=DAY, shift="day", checked_by=staff,
                                    charts_checked=10)
    client = _client(manager)
    listed = client.get(reverse("medicines:list"), {"has_discrepancies": "yes"})
    assert listed.status_code == 200
    assert listed.content.count(b"/medicines/" + str(check.uuid).encode()) == 1
    detail = client.get(reverse("medicines:detail", kwargs={"uuid": check.uuid}))
    assert b"&lt;script&gt;" in detail.content and b"<script>alert" not in detail.content
    week = client.get(reverse("medicines:week"), {"location": str(location.uuid),
                                                  "week": DAY.isoformat()})
    assert b"Sam Carer" in week.content and b"Record the review" in week.content
    client.post(reverse("medicines:week") + f"?location={location.uuid}&week={DAY}",
                {"pattern_noted": "Wrong doses on nights."})
    assert WeeklyReview.objects.get().checks_covered.count() == 2


def test_pages_need_the_permission(org: Any, location: Any, make_user: Any) -> None:
    client = _client(make_user(org, "board_member", location=location))
    assert client.get(reverse("medicines:list")).status_code == 403
    assert client.get(reverse("medicines:new")).status_code == 403


def test_api_nested_discrepancies(org: Any, location: Any, staff: Any, make_user: Any,
                                  token_client: Any) -> None:
    api = token_client(make_user(org, "care_staff", location=location))
    payload = {"location": str(location.uuid), "check_date": DAY.isoformat(), "shift": "day",
               "checked_by": str(staff.uuid), "charts_checked": 6,
               "discrepancies": [{"type": "omission"}, {"type": "nonsense"}]}
    bad = api.post("/api/v1/medicines-checks/", payload, format="json")
    assert bad.status_code == 400 and "discrepancies.1.type" in bad.json()["errors"]
    assert MedicinesCheck.objects.count() == 0
    payload["discrepancies"] = [{"type": "omission", "staff_responsible": str(staff.uuid)}]
    made = api.post("/api/v1/medicines-checks/", payload, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["discrepancies"][0]["staff_responsible"] == str(staff.uuid)
    changed = api.patch(f"/api/v1/medicines-checks/{body['id']}/",
                        {"version": 1, "discrepancies": []}, format="json")
    assert changed.status_code == 200 and changed.json()["discrepancies"] == []


def test_api_and_page_lists_do_not_grow_with_checks(org: Any, location: Any, staff: Any,
                                                    make_user: Any, token_client: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager = make_user(org, "registered_manager", location=location)
    api, client = token_client(manager), _client(manager)

    def add(n: int) -> None:
        for _ in range(n):
            services.medicines_check_create(
                actor=manager, organisation=org, location=location, check_date=DAY,
                shift="day", checked_by=staff, charts_checked=5,
                discrepancies=[{"type": "omission", "staff_responsible": staff}])

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as api_q:
            assert api.get("/api/v1/medicines-checks/").status_code == 200
        with CaptureQueriesContext(connection) as page_q:
            assert client.get(reverse("medicines:list")).status_code == 200
        return len(api_q), len(page_q)

    add(2)
    few = count()
    add(5)
    assert count() == few
