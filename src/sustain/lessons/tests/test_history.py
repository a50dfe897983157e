"""History of lessons and adoptions: the lesson page and the adoption page link to the
record's history for whoever holds history.view where it lives; the history page opens and
shows the change; a board member (no history.view) sees no link and cannot open it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from sustain.lessons import services

pytestmark = pytest.mark.django_db


def _history(obj: Any) -> str:
    return reverse("web:history", kwargs={"label": obj._meta.label_lower, "uuid": obj.uuid})


def test_lesson_and_adoption_history(rm: Any, client_for: Any, org: Any, location: Any,
                                     make_user: Any) -> None:
    lesson = services.lesson_create(
        actor="test", organisation=org, title="PRN protocols", what_happened="Happened.",
        in_practice="Check PRN protocols at handover.", applies_to=[location],
        origin_location=location)
    adoption = lesson.adoptions.get()
    services.lesson_adoption_update(actor="test", adoption=adoption,
                                    changes={"status": "in_progress"}, expected_version=1)
    client = client_for(rm)
    detail = client.get(reverse("lessons:detail", kwargs={"uuid": lesson.uuid})).content.decode()
    assert _history(lesson) in detail
    page = client.get(_history(lesson))
    assert page.status_code == 200 and "PRN protocols" in page.content.decode()
    form = client.get(reverse("lessons:adoption", kwargs={"uuid": adoption.uuid}))
    assert _history(adoption) in form.content.decode()
    page = client.get(_history(adoption))
    assert page.status_code == 200 and "In progress" in page.content.decode()

    board = client_for(make_user(org, "board_member", scope="organisation"))
    detail = board.get(reverse("lessons:detail", kwargs={"uuid": lesson.uuid}))
    assert _history(lesson) not in detail.content.decode()
    assert board.get(_history(lesson)).status_code in (403, 404)
