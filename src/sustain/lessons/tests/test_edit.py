"""The lesson edit page and archive/restore: roles with lesson.manage over the lesson's places
change its text, where it applies and its owner; a stale version is refused ("someone else
changed this record") with nothing changed; a registered manager (no lesson.manage) gets
403; archiving takes the adoption rows with it and restoring brings them back."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from sustain.lessons import services
from sustain.lessons.models import Lesson

pytestmark = pytest.mark.django_db


def _lesson(org: Any, location: Any) -> Lesson:
    return services.lesson_create(
        actor="test", organisation=org, title="PRN protocols", what_happened="Two doses.",
        in_practice="Check PRN protocols at handover.", applies_to=[location],
        origin_location=location)


def _post(lesson: Lesson, **changes: Any) -> dict[str, Any]:
    data = {"version": lesson.version, "title": lesson.title,
            "what_happened": lesson.what_happened, "in_practice": lesson.in_practice,
            "applies_to": [str(loc.uuid) for loc in lesson.applies_to.all()],
            "owner": str(lesson.owner.uuid) if lesson.owner_id else ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_a_lesson(ql: Any, client_for: Any, org: Any, location: Any,
                       sibling_location: Any, owner: Any) -> None:
    lesson = _lesson(org, location)
    client = client_for(ql)
    detail = reverse("lessons:detail", kwargs={"uuid": lesson.uuid})
    edit = reverse("lessons:edit", kwargs={"uuid": lesson.uuid})
    assert edit in client.get(detail).content.decode()
    page = client.get(edit)
    assert page.status_code == 200 and "PRN protocols" in page.content.decode()
    resp = client.post(edit, _post(lesson, title="PRN protocols at every handover",
                                   applies_to=[str(location.uuid), str(sibling_location.uuid)],
                                   owner=str(owner.uuid)))
    assert resp.status_code == 302 and resp["Location"] == detail
    lesson.refresh_from_db()
    assert lesson.title == "PRN protocols at every handover" and lesson.owner == owner
    assert set(lesson.applies_to.all()) == {location, sibling_location}
    assert lesson.adoptions.filter(archived_at__isnull=True).count() == 2

    resp = client.post(edit, _post(lesson, applies_to=None, applies_to_all="on"))
    lesson.refresh_from_db()
    assert resp.status_code == 302 and lesson.applies_to_all


def test_stale_version_is_refused_and_nothing_changes(ql: Any, client_for: Any, org: Any,
                                                      location: Any) -> None:
    lesson = _lesson(org, location)
    seen = lesson.version
    services.lesson_update(actor="test", lesson=lesson, changes={"title": "Renamed"},
                           expected_version=seen)
    lesson.refresh_from_db()
    resp = client_for(ql).post(reverse("lessons:edit", kwargs={"uuid": lesson.uuid}),
                               _post(lesson, version=seen, in_practice="Overwritten"))
    assert resp.status_code == 400
    assert "Someone else changed this record" in resp.content.decode()
    lesson.refresh_from_db()
    assert lesson.title == "Renamed" and lesson.in_practice != "Overwritten"


def test_bad_input_names_the_field(ql: Any, client_for: Any, org: Any, location: Any) -> None:
    lesson = _lesson(org, location)
    resp = client_for(ql).post(reverse("lessons:edit", kwargs={"uuid": lesson.uuid}),
                               _post(lesson, title="", applies_to=[]))
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'href="#id_title"' in html
    lesson.refresh_from_db()
    assert lesson.title == "PRN protocols"


def test_only_lesson_managers_edit_or_archive(rm: Any, client_for: Any, org: Any,
                                              location: Any) -> None:
    lesson = _lesson(org, location)
    client = client_for(rm)
    detail = client.get(reverse("lessons:detail", kwargs={"uuid": lesson.uuid})).content.decode()
    assert reverse("lessons:edit", kwargs={"uuid": lesson.uuid}) not in detail
    assert reverse("lessons:archive", kwargs={"uuid": lesson.uuid}) not in detail
    assert client.get(reverse("lessons:edit", kwargs={"uuid": lesson.uuid})).status_code == 403
    assert client.post(reverse("lessons:edit", kwargs={"uuid": lesson.uuid}),
                       _post(lesson, title="Nope")).status_code == 403
    assert client.post(reverse("lessons:archive", kwargs={"uuid": lesson.uuid}),
                       {"reason": "Nope"}).status_code == 403
    lesson.refresh_from_db()
    assert lesson.title == "PRN protocols" and lesson.archived_at is None


def test_archive_and_restore(ql: Any, client_for: Any, org: Any, location: Any) -> None:
    lesson = _lesson(org, location)
    client = client_for(ql)
    archive = reverse("lessons:archive", kwargs={"uuid": lesson.uuid})
    detail = reverse("lessons:detail", kwargs={"uuid": lesson.uuid})
    assert archive in client.get(detail).content.decode()
    assert "Archive this lesson" in client.get(archive).content.decode()
    resp = client.post(archive, {"reason": "Recorded twice."})
    assert resp.status_code == 302 and resp["Location"] == detail
    lesson.refresh_from_db()
    assert lesson.archived_at is not None
    assert not lesson.adoptions.filter(archived_at__isnull=True).exists()
    page = client.get(detail).content.decode()
    assert reverse("lessons:restore", kwargs={"uuid": lesson.uuid}) in page
    assert client.get(reverse("lessons:edit", kwargs={"uuid": lesson.uuid})).status_code == 403
    client.post(reverse("lessons:restore", kwargs={"uuid": lesson.uuid}), {"reason": ""})
    lesson.refresh_from_db()
    assert lesson.archived_at is None
    assert lesson.adoptions.filter(archived_at__isnull=True).count() == 1
