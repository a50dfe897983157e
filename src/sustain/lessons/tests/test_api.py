"""The lessons API beyond the access matrix: creating a lesson makes its adoption rows,
recording adoption with evidence, refusals in the error envelope naming the field, and
acknowledging a hand-over note."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.lessons.models import HandoverNote, Lesson, LessonAdoption
from sustain.people import services as people_services
from sustain.themes import services as theme_services

pytestmark = pytest.mark.django_db


def _create(client: Any, **payload: Any) -> Any:
    body = {"title": "Check PRN protocols at handover", "what_happened": "PRN gaps.",
            "in_practice": "Shift leads check PRN protocols.", **payload}
    return client.post("/api/v1/lessons/", body, format="json")


def test_create_lesson_from_theme(ql: Any, token_client: Any, theme: Any,
                                  sibling_location: Any) -> None:
    client = token_client(ql)
    resp = _create(client, origin_theme=str(theme.uuid), applies_to=[str(sibling_location.uuid)])
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["source"] == "theme"
    assert body["origin_location"] == str(theme.location.uuid)
    assert body["adoption"]["total"] == 1 and body["adoption"]["not_started"] == 1
    assert body["adoption"]["percent_adopted"] == 0

    listed = client.get("/api/v1/lesson-adoptions/", {"lesson_id": body["id"]}).json()
    [row] = listed["results"]
    assert row["location"] == str(sibling_location.uuid) and row["status"] == "not_started"


def test_create_refuses_other_organisation_location(ql: Any, token_client: Any,
                                                    location: Any,
                                                    foreign_location: Any) -> None:
    resp = _create(token_client(ql), applies_to=[str(location.uuid),
                                                 str(foreign_location.uuid)])
    assert resp.status_code == 400
    body = resp.json()
    assert set(body) == {"message", "errors"} and "applies_to" in body["errors"]
    assert not Lesson.objects.exists()


def test_create_needs_somewhere_to_apply(ql: Any, token_client: Any) -> None:
    resp = _create(token_client(ql))
    assert resp.status_code == 400 and "applies_to" in resp.json()["errors"]


def test_adoption_create_is_not_offered(ql: Any, token_client: Any) -> None:
    resp = token_client(ql).post("/api/v1/lesson-adoptions/", {}, format="json")
    assert resp.status_code == 405
    assert set(resp.json()) == {"message", "errors"}


@pytest.fixture
def adoption(ql: Any, token_client: Any, location: Any) -> LessonAdoption:
    resp = _create(token_client(ql), applies_to=[str(location.uuid)])
    return LessonAdoption.objects.get(lesson__uuid=resp.json()["id"])


def test_manager_records_adoption_with_evidence(rm: Any, token_client: Any,
                                                adoption: LessonAdoption, theme: Any,
                                                briefing_at: Any) -> None:
    briefing = briefing_at(theme)
    client = token_client(rm)
    url = f"/api/v1/lesson-adoptions/{adoption.uuid}/"
    resp = client.patch(url, {"status": "adopted", "version": adoption.version},
                        format="json")
    assert resp.status_code == 400 and "evidence" in resp.json()["errors"]
    resp = client.patch(url, {"status": "adopted", "evidence_type": "workforce.briefing",
                              "evidence_id": str(briefing.uuid), "version": adoption.version},
                        format="json")
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert body["status"] == "adopted" and body["evidence_id"] == str(briefing.uuid)
    assert body["evidence_label"] == briefing.title and body["updated_by"] == str(rm.uuid)
    lesson = client.get(f"/api/v1/lessons/{adoption.lesson.uuid}/").json()
    assert lesson["adoption"]["adopted"] == 1 and lesson["adoption"]["percent_adopted"] == 100


def test_evidence_the_manager_cannot_see_is_not_found(rm: Any, token_client: Any,
                                                      adoption: LessonAdoption, org: Any,
                                                      sibling_location: Any,
                                                      briefing_at: Any) -> None:
    other = theme_services.theme_create(actor="test", organisation=org,
                                        location=sibling_location, title="x", origin="other")
    briefing = briefing_at(other)
    resp = token_client(rm).patch(
        f"/api/v1/lesson-adoptions/{adoption.uuid}/",
        {"status": "adopted", "evidence_type": "workforce.briefing",
         "evidence_id": str(briefing.uuid), "version": adoption.version}, format="json")
    assert resp.status_code == 400 and "evidence" in resp.json()["errors"]
    adoption.refresh_from_db()
    assert adoption.version == 1


def test_evidence_date_in_future_refused(rm: Any, token_client: Any,
                                         adoption: LessonAdoption) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    resp = token_client(rm).patch(
        f"/api/v1/lesson-adoptions/{adoption.uuid}/",
        {"status": "adopted", "evidence_note": "Seen", "evidence_date": tomorrow,
         "version": adoption.version}, format="json")
    assert resp.status_code == 400 and "evidence_date" in resp.json()["errors"]


def test_handover_note_read_and_acknowledge(rm: Any, token_client: Any, theme: Any,
                                            owner: Any, successor: Any) -> None:
    people_services.staff_update(actor=rm, staff=owner, expected_version=owner.version,
                                 changes={"leaving_date": timezone.localdate()})
    client = token_client(rm)
    [row] = client.get("/api/v1/handover-notes/", {"theme_id": str(theme.uuid)}).json()[
        "results"]
    assert row["state"] == "needs_new_owner" and row["to_owner"] is None
    assert row["content"]["theme"]["title"] == theme.title
    url = f"/api/v1/handover-notes/{row['id']}/acknowledge/"
    resp = client.post(url, {}, format="json")
    assert resp.status_code == 400 and "to_owner" in resp.json()["errors"]
    theme.refresh_from_db()
    client.patch(f"/api/v1/themes/{theme.uuid}/", {"owner": str(successor.uuid),
                                                    "version": theme.version}, format="json")
    resp = client.post(url, {}, format="json")
    assert resp.status_code == 200, resp.json()
    assert resp.json()["state"] == "acknowledged"
    assert HandoverNote.objects.get().acknowledged_by == rm


def test_handover_note_acknowledge_refused_for_care_staff(
        rm: Any, org: Any, location: Any, make_user: Any, token_client: Any, theme: Any,
        owner: Any, successor: Any) -> None:
    people_services.staff_update(actor=rm, staff=owner, expected_version=owner.version,
                                 changes={"leaving_date": timezone.localdate()})
    theme.refresh_from_db()
    theme_services.theme_update(actor=rm, theme=theme, changes={"owner": successor},
                                expected_version=theme.version)
    note = HandoverNote.objects.get()
    carer = make_user(org, "care_staff", location=location)
    resp = token_client(carer).post(f"/api/v1/handover-notes/{note.uuid}/acknowledge/", {},
                                    format="json")
    assert resp.status_code == 403
    note.refresh_from_db()
    assert note.acknowledged_at is None


def test_summary_counts_only_what_the_reader_sees(ql: Any, rm: Any, token_client: Any,
                                                  location: Any,
                                                  sibling_location: Any) -> None:
    resp = _create(token_client(ql), applies_to=[str(location.uuid),
                                                 str(sibling_location.uuid)])
    lesson_id = resp.json()["id"]
    assert resp.json()["adoption"]["total"] == 2
    assert token_client(ql).get(f"/api/v1/lessons/{lesson_id}/").json()["adoption"][
        "total"] == 2
    mine = token_client(rm).get(f"/api/v1/lessons/{lesson_id}/").json()["adoption"]
    assert mine["total"] == 1
