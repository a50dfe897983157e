"""Workforce pages: lists with overdue highlighted, quick entry, staff page, coverage, briefing
with the attest button; free text escaped; other locations' records not shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sustain.workforce import services
from sustain.workforce.models import Attestation, Supervision

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager(location: Any, make_user: Any) -> Any:
    return make_user(location.organisation, "registered_manager", location=location)


def test_index_lists_overdue_first_and_escapes(location: Any, staff: Any, manager: Any) -> None:
    boss, late = staff("Boss Person"), staff("Late <b>Person</b>")
    services.supervision_create(actor="test", organisation=location.organisation,
                                location=location, supervisor=boss, supervisee=late,
                                date=TODAY - dt.timedelta(weeks=10))
    services.training_record_create(actor="test", organisation=location.organisation,
                                    location=location, staff=late, course="<script>x</script>",
                                    completed_on=TODAY - dt.timedelta(days=400),
                                    expires_on=TODAY - dt.timedelta(days=35))
    page = _client(manager).get(f"/workforce/?location={location.uuid}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Late &lt;b&gt;Person&lt;/b&gt;" in html and "<script>x" not in html
    assert "Overdue by 14 days" in html and "Expired" in html
    assert 'class="is-overdue"' in html


def test_quick_entry_supervision(location: Any, staff: Any, manager: Any) -> None:
    boss, bob = staff("Boss"), staff("Bob")
    client = _client(manager)
    url = f"/workforce/supervisions/new/?location={location.uuid}"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"date": (TODAY + dt.timedelta(days=1)).isoformat(),
                            "supervisor": str(boss.uuid), "supervisee": str(bob.uuid)})
    assert bad.status_code == 200 and "cannot be in the future" in bad.content.decode()
    assert not Supervision.objects.exists()
    ok = client.post(url, {"date": TODAY.isoformat(), "supervisor": str(boss.uuid),
                           "supervisee": str(bob.uuid), "topics": "MAR"})
    assert ok.status_code == 302
    assert Supervision.objects.get().next_due == TODAY + dt.timedelta(weeks=8)


def test_care_staff_cannot_see_workforce_but_can_attest(location: Any, staff: Any,
                                                        make_user: Any, theme: Any) -> None:
    carer = make_user(location.organisation, "care_staff", location=location)
    me = staff("Carer", user=carer)
    briefing = services.briefing_create(
        actor="test", organisation=location.organisation, location=location, theme=theme,
        title="MAR <i>checks</i>", what_changed="End-of-shift check", why="Omissions",
        what_good_looks_like="No gaps", delivered_via="handover")
    client = _client(carer)
    assert client.get("/workforce/").status_code == 403
    url = f"/workforce/briefings/{briefing.uuid}/"
    page = client.get(url)
    assert page.status_code == 200 and "MAR &lt;i&gt;checks&lt;/i&gt;" in page.content.decode()
    assert 'name="attest"' in page.content.decode()
    unticked = client.post(url, {"attest": "1", "short_answer": "x"})
    assert "Tick to confirm" in unticked.content.decode()
    assert not Attestation.objects.exists()
    done = client.post(url, {"attest": "1", "statement_confirmed": "on"})
    assert done.status_code == 302
    assert Attestation.objects.get().staff == me
    assert 'name="attest"' not in client.get(url).content.decode()
    # Recording for someone else needs a manager.
    other = staff("Other")
    assert client.post(url, {"record": "1", "record-staff": str(other.uuid),
                             "record-statement_confirmed": "on"}).status_code == 403


def test_coverage_and_staff_pages(location: Any, sibling_location: Any, staff: Any,
                                  manager: Any, theme: Any, make_user: Any) -> None:
    old, newbie = staff("Old Hand"), staff("New Starter", start=TODAY - dt.timedelta(days=3))
    briefing = services.briefing_create(
        actor="test", organisation=location.organisation, location=location, theme=theme,
        title="MAR checks", what_changed="x", why="y", what_good_looks_like="z",
        delivered_via="team_meeting", delivered_at=timezone.now() - dt.timedelta(days=10))
    client = _client(manager)
    recorded = client.post(f"/workforce/briefings/{briefing.uuid}/", {
        "record": "1", "record-staff": str(old.uuid), "record-statement_confirmed": "on"})
    assert recorded.status_code == 302
    html = client.get(f"/workforce/coverage/?location={location.uuid}").content.decode()
    assert "50.0% briefed" in html and "New Starter" in html and "New starters not briefed" in html
    staff_html = client.get(f"/workforce/staff/{newbie.uuid}/").content.decode()
    assert theme.title in staff_html and "Not yet briefed" in staff_html
    assert client.get(f"/workforce/briefings/new/?theme={theme.uuid}").status_code == 200
    # A manager elsewhere sees neither the staff member nor the briefing.
    elsewhere = make_user(location.organisation, "registered_manager",
                          location=sibling_location)
    other = _client(elsewhere)
    assert other.get(f"/workforce/staff/{newbie.uuid}/").status_code == 404
    assert other.get(f"/workforce/briefings/{briefing.uuid}/").status_code == 404


def test_nav_shows_workforce_for_workforce_view(location: Any, manager: Any,
                                                make_user: Any) -> None:
    assert 'href="/workforce/"' in _client(manager).get("/").content.decode()
    carer = make_user(location.organisation, "care_staff", location=location)
    assert 'href="/workforce/"' not in _client(carer).get("/").content.decode()


def test_location_page_summary(location: Any, staff: Any, manager: Any, make_user: Any,
                               theme: Any) -> None:
    staff("Never Supervised")
    html = _client(manager).get(f"/locations/{location.uuid}/").content.decode()
    assert "1 of 1 current staff overdue" in html and theme.title in html
    board = make_user(location.organisation, "board_member", location=location)
    page = _client(board).get(f"/locations/{location.uuid}/")
    assert page.status_code == 200 and "workforce-heading" not in page.content.decode()


def test_workforce_and_coverage_queries_do_not_grow(location: Any, staff: Any,
                                                    manager: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sustain.themes.tests.factories import ThemeFactory

    client = _client(manager)
    urls = [f"/workforce/?location={location.uuid}",
            f"/workforce/coverage/?location={location.uuid}"]

    def grow(n: int) -> None:
        for i in range(n):
            boss, member = staff(f"Boss {i}"), staff(f"Member {i}")
            services.supervision_create(actor="test", organisation=location.organisation,
                                        location=location, supervisor=boss, supervisee=member,
                                        date=TODAY - dt.timedelta(days=i + 1))
            theme = ThemeFactory(location=location, organisation=location.organisation,
                                 stage="sustaining")
            briefing = services.briefing_create(
                actor="test", organisation=location.organisation, location=location,
                theme=theme, title="b", what_changed="x", why="y", what_good_looks_like="z",
                delivered_via="handover")
            services.attestation_create(actor="test", organisation=location.organisation,
                                        briefing=briefing, staff=member,
                                        statement_confirmed=True)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    grow(1)
    small = [count(u) for u in urls]
    grow(6)
    assert [count(u) for u in urls] == small
