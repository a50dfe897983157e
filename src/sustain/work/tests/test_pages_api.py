"""My work page (groups, empty state, constant query count), GET /api/v1/my-work/, and the
notification settings page (digest on/off)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sustain.core.models import HistoryEntry
from sustain.work.tests.conftest import KINDS, give_items

pytestmark = pytest.mark.django_db
PAGE = "/my-work/"
API = "/api/v1/my-work/"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_groups_items_by_urgency_with_why_and_link(manager: Any, location: Any,
                                                           today: dt.date) -> None:
    made = give_items(manager, location, 1, today - dt.timedelta(days=2))
    give_items(manager, location, 1, today + dt.timedelta(days=40))  # this quarter or later
    response = _client(manager).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    overdue = html.index('id="group-overdue"')
    today_h = html.index('id="group-today"')
    week = html.index('id="group-this-week"')
    quarter = html.index('id="group-this-quarter"')
    assert overdue < today_h < week < quarter
    action = made["action"][0]
    pos = html.index(f"#action-{action.uuid}")
    assert overdue < pos < today_h
    assert "You own this action on the theme" in html
    assert "Was due" in html and location.name in html
    assert reverse("work:settings") in html
    # linked from the main navigation
    assert f'<a href="{PAGE}" aria-current="page">My work</a>' in html


def test_the_page_says_when_nothing_is_due(manager: Any) -> None:
    html = _client(manager).get(PAGE).content.decode()
    assert "Nothing is due from you this quarter." in html
    assert "Nothing overdue." in html


def test_anonymous_users_are_sent_to_sign_in() -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]


def _page_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(PAGE)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _api_queries(client: Any) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(API)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["items"])


def test_query_count_is_the_same_with_1_and_30_items_per_provider(
        manager: Any, carer: Any, location: Any, today: dt.date, token_client: Any) -> None:
    give_items(manager, location, 1, today - dt.timedelta(days=3))
    client = _client(manager)
    api = token_client(manager)
    _page_queries(client)  # warm-up (session, content types)
    one = _page_queries(client)
    api_one, n_one = _api_queries(api)
    # all overdue, so all shown whatever the day of the quarter the test runs on
    give_items(manager, location, 29, today - dt.timedelta(days=70),
               step=dt.timedelta(days=2))
    give_items(carer, location, 30, today)  # someone else's work changes nothing either
    thirty = _page_queries(client)
    api_thirty, n_thirty = _api_queries(api)
    assert n_one >= len(KINDS) and n_thirty >= 30 * len(KINDS)
    assert one == thirty
    assert api_one == api_thirty


def test_api_anonymous_is_401_in_the_envelope(api_client: Any) -> None:
    response = api_client.get(API)
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"message", "errors"}


def test_api_lists_only_the_users_own_items(manager: Any, carer: Any, foreigner: Any,
                                            location: Any, foreign_location: Any,
                                            today: dt.date, token_client: Any) -> None:
    mine = give_items(manager, location, 1, today)
    theirs = give_items(carer, location, 1, today)
    foreign = give_items(foreigner, foreign_location, 1, today)
    body = token_client(manager).get(API).json()
    ids = {item["record_id"] for item in body["items"]}
    assert str(mine["action"][0].uuid) in ids
    for kind in ("action", "audit", "care_plan_review", "care_plan_action", "occurrence"):
        assert str(theirs[kind][0].uuid) not in ids
    for kind in KINDS:
        assert str(foreign[kind][0].uuid) not in ids
    item = next(i for i in body["items"] if i["record_id"] == str(mine["action"][0].uuid))
    assert item["status"] == "today" and item["kind"] == "action"
    assert item["location"] == location.name and item["why"]
    assert body["today"] == today.isoformat()
    statuses = [i["status"] for i in body["items"]]
    assert statuses == sorted(statuses, key=["overdue", "today", "this_week", "this_quarter",
                                             "later"].index)


def test_the_digest_can_be_turned_off_and_on(manager: Any) -> None:
    client = _client(manager)
    page = client.get(reverse("work:settings"))
    assert page.status_code == 200 and "Daily email" in page.content.decode()
    response = client.post(reverse("work:settings"),
                           {"digest_enabled": "no", "version": manager.version})
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.digest_enabled is False
    entry = HistoryEntry.objects.filter(object_uuid=manager.uuid).order_by("-pk").first()
    assert entry is not None and entry.action == "update" and entry.actor_id == manager.pk
    client.post(reverse("work:settings"), {"digest_enabled": "yes", "version": manager.version})
    manager.refresh_from_db()
    assert manager.digest_enabled is True


def test_a_stale_or_missing_choice_changes_nothing(manager: Any) -> None:
    client = _client(manager)
    response = client.post(reverse("work:settings"), {"version": manager.version})
    assert response.status_code == 400
    assert "Daily email digest" in response.content.decode()
    response = client.post(reverse("work:settings"),
                           {"digest_enabled": "no", "version": manager.version + 5})
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    manager.refresh_from_db()
    assert manager.digest_enabled is True
