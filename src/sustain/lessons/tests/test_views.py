"""Lesson and hand-over pages: the adoption grid (most stalled first, region filter), sharing
a theme as a lesson, the lesson page, the adoption form (evidence, refusal by field), and the
hand-over note with its acknowledge action."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.lessons import services
from sustain.lessons.models import HandoverNote, Lesson, LessonAdoption
from sustain.people import services as people_services
from sustain.themes import services as theme_services

pytestmark = pytest.mark.django_db


def _lesson(org: Any, title: str, applies: list[Any], days_ago: int = 0) -> Lesson:
    return services.lesson_create(
        actor="test", organisation=org, title=title, what_happened="Happened.",
        in_practice="Do this in practice.", applies_to=applies,
        as_of=timezone.localdate() - dt.timedelta(days=days_ago))


def test_grid_most_stalled_first_and_region_filter(ql: Any, client_for: Any, org: Any,
                                                   location: Any, sibling_location: Any,
                                                   region: Any) -> None:
    _lesson(org, "PRN protocols", [location, sibling_location], days_ago=60)
    fresh = _lesson(org, "Falls huddles", [location], days_ago=1)
    row = fresh.adoptions.get()
    services.lesson_adoption_update(actor="test", adoption=row,
                                    changes={"status": "in_progress"}, expected_version=1)
    client = client_for(ql)
    page = client.get("/lessons/").content.decode()
    # Each location has one stalled adoption, one not started and none adopted: the names
    # break the tie (Elm Court before Oak House).
    assert page.index("Elm Court") < page.index("Oak House")
    assert "PRN protocols" in page and "Falls huddles" in page
    assert "stalled" in page and "Does not apply" in page
    filtered = client.get("/lessons/", {"region": str(region.uuid)}).content.decode()
    assert "Oak House" in filtered and "Elm Court" not in filtered


def test_grid_orders_by_stalled_count(ql: Any, client_for: Any, org: Any, location: Any,
                                      sibling_location: Any) -> None:
    _lesson(org, "One", [location, sibling_location], days_ago=60)
    _lesson(org, "Two", [location], days_ago=60)
    page = client_for(ql).get("/lessons/").content.decode()
    # Oak House has two stalled adoptions, Elm Court one.
    assert page.index("Oak House") < page.index("Elm Court")


def test_share_theme_as_lesson(ql: Any, client_for: Any, theme: Any,
                               sibling_location: Any) -> None:
    client = client_for(ql)
    detail = client.get(f"/themes/{theme.uuid}/").content.decode()
    assert f"/lessons/new/?theme={theme.uuid}" in detail
    form = client.get("/lessons/new/", {"theme": str(theme.uuid)}).content.decode()
    assert "Lesson from Medicines governance" in form and "MAR gaps found" in form
    resp = client.post("/lessons/new/", {
        "origin_theme": str(theme.uuid), "title": "MAR gaps: check at handover",
        "what_happened": "MAR gaps found.", "in_practice": "Check MAR at every handover.",
        "origin_location": str(theme.location.uuid),
        "applies_to": [str(sibling_location.uuid)]})
    lesson = Lesson.objects.get()
    assert resp.status_code == 302 and resp.url == f"/lessons/{lesson.uuid}/"
    assert lesson.origin_theme == theme and lesson.source == "theme"
    page = client.get(resp.url).content.decode()
    assert "Elm Court" in page and "Not started" in page


def test_share_button_hidden_without_permission(rm: Any, client_for: Any, theme: Any) -> None:
    client = client_for(rm)
    assert "/lessons/new/" not in client.get(f"/themes/{theme.uuid}/").content.decode()
    assert client.get("/lessons/new/").status_code == 403


def test_create_refusal_names_the_field(ql: Any, client_for: Any) -> None:
    resp = client_for(ql).post("/lessons/new/", {"title": "T", "what_happened": "W",
                                                 "in_practice": "P"})
    assert resp.status_code == 200
    assert "Choose the locations it applies to" in resp.content.decode()
    assert not Lesson.objects.exists()


@pytest.fixture
def adoption(org: Any, location: Any) -> LessonAdoption:
    return _lesson(org, "PRN protocols", [location]).adoptions.get()


def test_adoption_form_with_evidence_record(rm: Any, client_for: Any, adoption: Any,
                                            theme: Any, briefing_at: Any) -> None:
    briefing = briefing_at(theme)
    client = client_for(rm)
    url = f"/lessons/adoptions/{adoption.uuid}/"
    page = client.get(url).content.decode()
    assert f"workforce.briefing:{briefing.uuid}" in page
    refused = client.post(url, {"version": 1, "status": "adopted"})
    assert refused.status_code == 200 and "Adopted needs evidence" in refused.content.decode()
    adoption.refresh_from_db()
    assert adoption.status == "not_started"
    resp = client.post(url, {"version": 1, "status": "adopted",
                             "evidence": f"workforce.briefing:{briefing.uuid}"})
    assert resp.status_code == 302
    adoption.refresh_from_db()
    assert adoption.status == "adopted" and adoption.evidence_uuid == briefing.uuid
    grid = client.get("/lessons/").content.decode()
    assert f'href="/workforce/briefings/{briefing.uuid}/"' in grid
    lesson_page = client.get(resp.url).content.decode()
    assert f'<a href="/workforce/briefings/{briefing.uuid}/">{briefing.title}</a>' in lesson_page


def test_adoption_form_forbidden_elsewhere(rm_sibling: Any, client_for: Any, adoption: Any,
                                           org: Any, location: Any, make_user: Any) -> None:
    # Not visible to a manager elsewhere: 404; visible but not theirs to update: 403.
    assert client_for(rm_sibling).get(f"/lessons/adoptions/{adoption.uuid}/").status_code \
        == 404
    carer = make_user(org, "care_staff", location=location)
    assert client_for(carer).get(f"/lessons/adoptions/{adoption.uuid}/").status_code == 403


def test_nav_has_lessons(rm: Any, client_for: Any) -> None:
    assert 'href="/lessons/"' in client_for(rm).get("/lessons/").content.decode()


def test_handover_pages_and_acknowledge(rm: Any, client_for: Any, theme: Any, owner: Any,
                                        successor: Any) -> None:
    people_services.staff_update(actor=rm, staff=owner, expected_version=owner.version,
                                 changes={"leaving_date": timezone.localdate()
                                          + dt.timedelta(days=5)})
    client = client_for(rm)
    listing = client.get("/lessons/handover/").content.decode()
    assert "Themes that need a new owner" in listing and "The owner leaves in 5 days." in listing
    assert "Themes that need a new owner" in client.get("/lessons/").content.decode()
    note = HandoverNote.objects.get()
    page = client.get(f"/lessons/handover/{note.uuid}/").content.decode()
    assert "Needs a new owner" in page and "I have read this hand-over" not in page
    theme.refresh_from_db()
    theme_services.theme_update(actor=rm, theme=theme, changes={"owner": successor},
                                expected_version=theme.version)
    page = client.get(f"/lessons/handover/{note.uuid}/").content.decode()
    assert "I have read this hand-over" in page
    resp = client.post(f"/lessons/handover/{note.uuid}/acknowledge/")
    assert resp.status_code == 302
    note.refresh_from_db()
    assert note.acknowledged_by == rm
    assert "Acknowledged" in client.get(f"/lessons/handover/{note.uuid}/").content.decode()
