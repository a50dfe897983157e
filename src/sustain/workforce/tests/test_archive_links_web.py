"""Workforce records on the web: archive (after confirming, with a reason) and restore from
the staff member's workforce page and the briefing page, for roles the services allow; the
staff member's page links to their workforce records with what is overdue flagged; a theme's
page shows its briefings, their coverage and the records tagged with it — each page in a
fixed number of queries; the organisation's supervision interval sets when supervision is
next due (and so when it is overdue)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sustain.core.models import HistoryEntry
from sustain.incidents import services as incidents
from sustain.tenancy import services as tenancy
from sustain.tenancy.models import Organisation
from sustain.workforce import selectors, services
from sustain.workforce.models import Supervision

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
REASON = "Entered against the wrong person."


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def manager(location: Any, make_user: Any) -> Any:
    return make_user(location.organisation, "registered_manager", location=location)


def _supervision(location: Any, boss: Any, member: Any, days_ago: int = 7, **extra: Any) -> Any:
    return services.supervision_create(actor="test", organisation=location.organisation,
                                       location=location, supervisor=boss, supervisee=member,
                                       date=TODAY - dt.timedelta(days=days_ago), **extra)


def _briefing(location: Any, theme: Any, title: str = "MAR checks") -> Any:
    return services.briefing_create(
        actor="test", organisation=location.organisation, location=location, theme=theme,
        title=title, what_changed="x", why="y", what_good_looks_like="z",
        delivered_via="handover")


def test_manager_archives_and_restores_a_supervision(location: Any, staff: Any,
                                                     manager: Any) -> None:
    record = _supervision(location, staff("Boss"), member := staff("Member"))
    client = _client(manager)
    page_url = reverse("workforce:staff", kwargs={"uuid": member.uuid})
    archive = reverse("workforce:archive", kwargs={"kind": "supervisions", "uuid": record.uuid})
    restore = reverse("workforce:restore", kwargs={"kind": "supervisions", "uuid": record.uuid})
    assert archive in client.get(page_url).content.decode()
    assert client.get(archive).status_code == 200
    refused = client.post(archive, {"reason": "oops"})
    assert refused.status_code == 400 and "10 characters" in refused.content.decode()
    record.refresh_from_db()
    assert record.archived_at is None
    done = client.post(archive, {"reason": REASON})
    assert done.status_code == 302 and done["Location"] == page_url
    record.refresh_from_db()
    assert record.archived_at is not None
    html = client.get(page_url).content.decode()
    assert "No supervisions recorded." in html and restore not in html
    shown = client.get(page_url, {"archived": "1"}).content.decode()
    assert restore in shown and "Archived" in shown
    assert client.post(restore).status_code == 302
    record.refresh_from_db()
    assert record.archived_at is None
    assert list(HistoryEntry.objects.filter(object_uuid=record.uuid).order_by("pk")
                .values_list("action", flat=True)) == ["create", "archive", "restore"]


@pytest.mark.parametrize("kind", ["competencies", "training", "attestations", "briefings"])
def test_other_workforce_records_archive(kind: str, location: Any, staff: Any, manager: Any,
                                         theme: Any) -> None:
    member = staff("Member")
    org = location.organisation
    if kind == "competencies":
        record = services.competency_assessment_create(
            actor="test", organisation=org, location=location, assessor=staff("Boss"),
            staff=member, assessment_type="moving_and_handling", date=TODAY,
            outcome="competent")
    elif kind == "training":
        record = services.training_record_create(actor="test", organisation=org,
                                                 location=location, staff=member,
                                                 course="Fire safety", completed_on=TODAY)
    else:
        briefing = _briefing(location, theme)
        record = briefing if kind == "briefings" else services.attestation_create(
            actor="test", organisation=org, briefing=briefing, staff=member,
            statement_confirmed=True)
    page = reverse("workforce:briefing", kwargs={"uuid": record.uuid}) \
        if kind == "briefings" else reverse("workforce:staff", kwargs={"uuid": member.uuid})
    archive = reverse("workforce:archive", kwargs={"kind": kind, "uuid": record.uuid})
    client = _client(manager)
    assert archive in client.get(page).content.decode()
    assert client.post(archive, {"reason": REASON}).status_code == 302
    record.refresh_from_db()
    assert record.archived_at is not None
    assert client.post(reverse("workforce:restore", kwargs={"kind": kind, "uuid": record.uuid})
                       ).status_code == 302
    record.refresh_from_db()
    assert record.archived_at is None


def test_others_cannot_archive_workforce_records(location: Any, sibling_location: Any,
                                                 staff: Any, make_user: Any,
                                                 theme: Any) -> None:
    org = location.organisation
    record = _supervision(location, staff("Boss"), staff("Member"))
    briefing = _briefing(location, theme)
    url = reverse("workforce:archive", kwargs={"kind": "supervisions", "uuid": record.uuid})
    briefing_archive = reverse("workforce:archive",
                               kwargs={"kind": "briefings", "uuid": briefing.uuid})
    carer = _client(make_user(org, "care_staff", location=location))
    assert carer.post(url, {"reason": REASON}).status_code == 403  # no staff files
    page = carer.get(reverse("workforce:briefing", kwargs={"uuid": briefing.uuid}))
    assert page.status_code == 200 and briefing_archive not in page.content.decode()
    assert carer.post(briefing_archive, {"reason": REASON}).status_code == 403
    elsewhere = _client(make_user(org, "registered_manager", location=sibling_location))
    assert elsewhere.post(url, {"reason": REASON}).status_code == 404
    assert _client(make_user(org, "registered_manager", location=location)).post(
        reverse("workforce:archive", kwargs={"kind": "nonsense", "uuid": record.uuid}),
        {"reason": REASON}).status_code == 404
    record.refresh_from_db()
    briefing.refresh_from_db()
    assert record.archived_at is None and briefing.archived_at is None


def test_staff_page_links_to_workforce_records_with_overdue_flagged(
        location: Any, staff: Any, manager: Any, make_user: Any) -> None:
    org = location.organisation
    boss, member = staff("Boss"), staff("Member")
    _supervision(location, boss, member, days_ago=70)  # 8 weeks: overdue by 14 days
    services.competency_assessment_create(
        actor="test", organisation=org, location=location, assessor=boss, staff=member,
        assessment_type="medicines_administration", date=TODAY - dt.timedelta(days=400),
        outcome="competent", next_due=TODAY - dt.timedelta(days=35))
    # Expired, then renewed: not flagged.
    services.training_record_create(actor="test", organisation=org, location=location,
                                    staff=member, course="Fire safety",
                                    completed_on=TODAY - dt.timedelta(days=400),
                                    expires_on=TODAY - dt.timedelta(days=35))
    services.training_record_create(actor="test", organisation=org, location=location,
                                    staff=member, course="Fire safety",
                                    completed_on=TODAY - dt.timedelta(days=30),
                                    expires_on=TODAY + dt.timedelta(days=335))
    client = _client(manager)
    html = client.get(reverse("web:staff-detail", kwargs={"uuid": member.uuid})).content.decode()
    workforce = reverse("workforce:staff", kwargs={"uuid": member.uuid})
    for anchor in ("#sup-heading", "#comp-heading", "#training-heading", "#briefed-heading"):
        assert f"{workforce}{anchor}" in html
    assert "Overdue by 14 days" in html
    assert "1 overdue" in html and "Training records (2)" in html and "expired" not in html
    # The workforce page flags the same: the renewed course is not shown as expired.
    wf = client.get(workforce).content.decode()
    assert wf.count(">Expired<") == 0 and wf.count(">Overdue<") >= 1
    # Staff-file readers without workforce.view see no links.
    senior = _client(make_user(org, "senior_carer", location=location))
    page = senior.get(reverse("web:staff-detail", kwargs={"uuid": member.uuid}))
    assert page.status_code == 200 and workforce not in page.content.decode()


def test_staff_page_queries_do_not_grow(location: Any, staff: Any, manager: Any,
                                        theme: Any) -> None:
    org = location.organisation
    member, boss = staff("Member"), staff("Boss")
    client = _client(manager)
    urls = [reverse("web:staff-detail", kwargs={"uuid": member.uuid}),
            reverse("workforce:staff", kwargs={"uuid": member.uuid})]

    def grow(n: int) -> None:
        for i in range(n):
            _supervision(location, boss, member, days_ago=200 - i * 7)
            services.competency_assessment_create(
                actor="test", organisation=org, location=location, assessor=boss,
                staff=member, assessment_type="other", other_type=f"Skill {i}", date=TODAY,
                outcome="competent", next_due=TODAY + dt.timedelta(days=30))
            services.training_record_create(actor="test", organisation=org, location=location,
                                            staff=member, course=f"Course {i}",
                                            completed_on=TODAY)
            services.attestation_create(actor="test", organisation=org, staff=member,
                                        briefing=_briefing(location, theme, f"B{i}"),
                                        statement_confirmed=True)

    grow(1)
    few = [_queries(client, u) for u in urls]
    grow(5)
    assert [_queries(client, u) for u in urls] == few


def test_theme_page_shows_briefings_coverage_and_tagged_records(
        location: Any, staff: Any, manager: Any, theme: Any, make_user: Any) -> None:
    org = location.organisation
    done, waiting = staff("Done Person"), staff("Waiting Person")
    briefing = _briefing(location, theme, "What changed on MAR checks")
    services.attestation_create(actor="test", organisation=org, briefing=briefing, staff=done,
                                statement_confirmed=True)
    incident = incidents.incident_create(
        actor="test", organisation=org, location=location, type="medicines_error",
        severity="low", occurred_at=timezone.now() - dt.timedelta(hours=3), themes=[theme])
    untagged = incidents.incident_create(
        actor="test", organisation=org, location=location, type="fall", severity="low",
        occurred_at=timezone.now() - dt.timedelta(hours=3))
    supervision = _supervision(location, waiting, done)
    services.supervision_update(actor="test", supervision=supervision, expected_version=1,
                                changes={"themes": [theme]})
    client = _client(manager)
    html = client.get(reverse("themes:detail", kwargs={"uuid": theme.uuid})).content.decode()
    assert reverse("workforce:briefing", kwargs={"uuid": briefing.uuid}) in html
    assert "1 of 2 current staff (50.0%)" in html
    assert reverse("incidents:incident-detail", kwargs={"uuid": incident.uuid}) in html
    assert reverse("incidents:incident-detail", kwargs={"uuid": untagged.uuid}) not in html
    assert f"{reverse('incidents:incident-list')}?theme={theme.uuid}" in html
    assert reverse("workforce:staff", kwargs={"uuid": done.uuid}) in html  # the supervision
    listed = client.get(reverse("incidents:incident-list"), {"theme": str(theme.uuid)})
    assert incident.get_type_display() in listed.content.decode()
    assert str(untagged.uuid) not in listed.content.decode()
    # A board member sees the theme but neither briefings nor individual records.
    board = _client(make_user(org, "board_member", location=location))
    page = board.get(reverse("themes:detail", kwargs={"uuid": theme.uuid})).content.decode()
    assert "briefings-heading" not in page
    assert reverse("incidents:incident-detail", kwargs={"uuid": incident.uuid}) not in page


def test_theme_page_queries_do_not_grow(location: Any, staff: Any, manager: Any,
                                        theme: Any) -> None:
    org = location.organisation
    client = _client(manager)
    url = reverse("themes:detail", kwargs={"uuid": theme.uuid})
    boss = staff("Boss")

    def grow(n: int) -> None:
        for i in range(n):
            member = staff(f"Member {i}")
            briefing = _briefing(location, theme, f"Briefing {i}")
            services.attestation_create(actor="test", organisation=org, briefing=briefing,
                                        staff=member, statement_confirmed=True)
            incidents.incident_create(
                actor="test", organisation=org, location=location, type="fall",
                severity="low", occurred_at=timezone.now() - dt.timedelta(hours=i + 1),
                themes=[theme])
            _supervision(location, boss, member, themes=[theme])

    grow(1)
    few = _queries(client, url)
    grow(7)
    assert _queries(client, url) == few


def test_supervision_interval_comes_from_the_organisation(location: Any, staff: Any,
                                                          make_user: Any) -> None:
    org = location.organisation
    assert org.supervision_interval_weeks == 8
    admin = make_user(org, "administrator", scope="organisation")
    org = tenancy.organisation_update(actor=admin, organisation=org,
                                      expected_version=org.version,
                                      changes={"supervision_interval_weeks": 4})
    assert org.supervision_interval_weeks == 4
    location.organisation.refresh_from_db()
    boss, member = staff("Boss"), staff("Member")
    record = _supervision(location, boss, member, days_ago=30)
    assert record.next_due == TODAY - dt.timedelta(days=30) + dt.timedelta(weeks=4)
    status = selectors.staff_supervision_status(member, TODAY)
    assert status is not None and status.overdue and status.days_overdue == 2
    # Under the default 8 weeks the same supervision would not be overdue.
    other = _supervision(location, boss, staff("Other"), days_ago=30,
                         next_due=TODAY - dt.timedelta(days=30) + dt.timedelta(weeks=8))
    other_status = selectors.staff_supervision_status(other.supervisee, TODAY)
    assert other_status is not None and not other_status.overdue
    assert Supervision.objects.count() == 2


@override_settings(SUSTAIN_SUPERVISION_INTERVAL_WEEKS=6)
def test_new_organisations_take_the_setting(db: Any) -> None:
    org = tenancy.organisation_create(actor="test", name="Six Weekly Care", slug="six-weekly")
    assert Organisation.objects.get(pk=org.pk).supervision_interval_weeks == 6
    assert services.supervision_interval_weeks(org) == 6


def test_quick_entry_uses_the_organisations_interval(location: Any, staff: Any,
                                                     manager: Any) -> None:
    org = location.organisation
    tenancy.organisation_update(actor="test", organisation=org, expected_version=org.version,
                                changes={"supervision_interval_weeks": 3})
    boss, member = staff("Boss"), staff("Member")
    client = _client(manager)
    url = f"/workforce/supervisions/new/?location={location.uuid}"
    assert "3 weeks after the date" in client.get(url).content.decode()
    saved = client.post(url, {"date": TODAY.isoformat(), "supervisor": str(boss.uuid),
                              "supervisee": str(member.uuid), "topics": "MAR"})
    assert saved.status_code == 302
    assert Supervision.objects.get().next_due == TODAY + dt.timedelta(weeks=3)
