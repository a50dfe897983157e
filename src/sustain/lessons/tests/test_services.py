"""Lessons and their adoption through the services: where they apply, who may write them,
evidence for "adopted", and refusals that name the field and change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.lessons import services
from sustain.lessons.models import Lesson, LessonAdoption
from sustain.tenancy import services as tenancy_services
from sustain.themes import services as theme_services

pytestmark = pytest.mark.django_db


def _lesson(actor: Any, org: Any, **kwargs: Any) -> Lesson:
    fields = {"title": "Check PRN protocols at handover",
              "what_happened": "PRN doses given without protocols.",
              "in_practice": "Shift leads check PRN protocols at every handover.", **kwargs}
    return services.lesson_create(actor=actor, organisation=org, **fields)


def _counts() -> tuple[int, int, int]:
    return (Lesson.objects.count(), LessonAdoption.objects.count(),
            HistoryEntry.objects.count())


def test_create_makes_an_adoption_row_per_location(ql: Any, org: Any, location: Any,
                                                    sibling_location: Any) -> None:
    lesson = _lesson(ql, org, origin_location=location, applies_to=[location, sibling_location])
    rows = list(lesson.adoptions.order_by("location__name"))
    assert [(a.location, a.status) for a in rows] == [
        (sibling_location, "not_started"), (location, "not_started")]
    assert all(a.status_since == timezone.localdate() for a in rows)
    assert lesson.source == Lesson.Source.FREE_STANDING
    assert HistoryEntry.objects.filter(object_uuid=lesson.uuid, action="create").exists()
    assert HistoryEntry.objects.filter(object_type="lessons.lessonadoption").count() == 2


def test_from_a_theme_takes_its_location(ql: Any, org: Any, theme: Any,
                                         sibling_location: Any) -> None:
    lesson = _lesson(ql, org, origin_theme=theme, applies_to=[sibling_location])
    assert lesson.source == Lesson.Source.THEME
    assert lesson.origin_location == theme.location


def test_all_locations_includes_locations_added_later(ql: Any, org: Any, location: Any,
                                                      sibling_location: Any,
                                                      foreign_location: Any) -> None:
    lesson = _lesson(ql, org, applies_to_all=True)
    assert set(lesson.adoptions.values_list("location", flat=True)) == {
        location.pk, sibling_location.pk}
    new = tenancy_services.location_create(
        actor="test", organisation=org, name="Birch Lodge", cqc_location_id="1-555000111",
        service_type="care_home", capacity=20)
    assert lesson.adoptions.filter(location=new, status="not_started").exists()
    # Running the sync again changes nothing.
    assert services.sync_adoptions(actor="test", lesson=lesson) == 0


def test_region_lead_writes_only_within_the_region(org: Any, region: Any, location: Any,
                                                   sibling_location: Any,
                                                   make_user: Any) -> None:
    lead = make_user(org, "quality_lead", scope="region", region=region)
    before = _counts()
    with pytest.raises(PermissionDenied):
        _lesson(lead, org, applies_to=[location, sibling_location])
    with pytest.raises(PermissionDenied):
        _lesson(lead, org, applies_to_all=True)
    assert _counts() == before
    assert _lesson(lead, org, applies_to=[location]).adoptions.count() == 1


def test_registered_manager_cannot_write_lessons(rm: Any, org: Any, location: Any) -> None:
    with pytest.raises(PermissionDenied):
        _lesson(rm, org, applies_to=[location])
    assert Lesson.objects.count() == 0


@pytest.mark.parametrize("where", ["foreign", "none"])
def test_bad_locations_are_refused_by_field(ql: Any, org: Any, location: Any,
                                            foreign_location: Any, where: str) -> None:
    before = _counts()
    applies = [location, foreign_location] if where == "foreign" else []
    with pytest.raises(InvalidInput) as info:
        _lesson(ql, org, applies_to=applies)
    assert "applies_to" in info.value.errors
    assert _counts() == before


def test_origin_theme_of_another_organisation_refused(ql: Any, org: Any, other_org: Any,
                                                      foreign_location: Any,
                                                      location: Any) -> None:
    foreign_theme = theme_services.theme_create(
        actor="test", organisation=other_org, location=foreign_location, title="Elsewhere",
        origin="other")
    with pytest.raises(InvalidInput) as info:
        _lesson(ql, org, origin_theme=foreign_theme, applies_to=[location])
    assert "origin_theme" in info.value.errors
    assert Lesson.objects.count() == 0


def test_update_moves_adoptions_with_where_it_applies(ql: Any, org: Any, location: Any,
                                                      sibling_location: Any) -> None:
    lesson = _lesson(ql, org, applies_to=[location, sibling_location])
    lesson = services.lesson_update(actor=ql, lesson=lesson, changes={
        "applies_to": [location]}, expected_version=lesson.version)
    sibling_row = lesson.adoptions.get(location=sibling_location)
    assert sibling_row.archived_at is not None
    lesson = services.lesson_update(actor=ql, lesson=lesson, changes={
        "applies_to": [location, sibling_location]}, expected_version=lesson.version)
    sibling_row.refresh_from_db()
    assert sibling_row.archived_at is None
    assert lesson.adoptions.count() == 2  # restored, not duplicated


def test_archive_and_restore_lesson(ql: Any, org: Any, location: Any) -> None:
    lesson = _lesson(ql, org, applies_to=[location])
    services.lesson_archive(actor=ql, lesson=lesson, reason="Recorded twice")
    assert lesson.adoptions.get().archived_at is not None
    services.lesson_archive(actor=ql, lesson=lesson, restore=True)
    assert lesson.adoptions.get().archived_at is None


# --- adoption ---------------------------------------------------------------------------


@pytest.fixture
def adoption(ql: Any, org: Any, location: Any, sibling_location: Any) -> LessonAdoption:
    lesson = _lesson(ql, org, applies_to=[location, sibling_location])
    return lesson.adoptions.get(location=location)


def test_in_progress_needs_no_evidence(rm: Any, adoption: LessonAdoption) -> None:
    saved = services.lesson_adoption_update(actor=rm, adoption=adoption, changes={
        "status": "in_progress"}, expected_version=adoption.version)
    assert saved.status == "in_progress" and saved.updated_by == rm
    assert saved.status_updated_at is not None
    entry = HistoryEntry.objects.filter(object_uuid=adoption.uuid, action="update").get()
    assert entry.message == "Adoption: in progress."


def test_adopted_without_evidence_is_refused(rm: Any, adoption: LessonAdoption) -> None:
    before = _counts()
    with pytest.raises(InvalidInput) as info:
        services.lesson_adoption_update(actor=rm, adoption=adoption, changes={
            "status": "adopted"}, expected_version=adoption.version)
    assert "evidence" in info.value.errors
    adoption.refresh_from_db()
    assert adoption.status == "not_started" and adoption.version == 1
    assert _counts() == before


def test_adopted_with_a_record_at_the_location(rm: Any, adoption: LessonAdoption, org: Any,
                                               location: Any, briefing_at: Any) -> None:
    theme = theme_services.theme_create(actor="test", organisation=org, location=location,
                                        title="PRN", origin="other")
    briefing = briefing_at(theme)
    saved = services.lesson_adoption_update(actor=rm, adoption=adoption, changes={
        "status": "adopted", "evidence_type": "workforce.briefing",
        "evidence_id": str(briefing.uuid)}, expected_version=adoption.version)
    assert saved.status == "adopted"
    assert (saved.evidence_type, saved.evidence_uuid) == ("workforce.briefing", briefing.uuid)
    assert saved.evidence_label == briefing.title


def test_evidence_at_another_location_is_refused(rm: Any, adoption: LessonAdoption, org: Any,
                                                 sibling_location: Any, ql: Any,
                                                 briefing_at: Any) -> None:
    theme = theme_services.theme_create(actor="test", organisation=org,
                                        location=sibling_location, title="PRN", origin="other")
    briefing = briefing_at(theme)
    # The quality lead sees both locations: the refusal is about the place, not visibility.
    with pytest.raises(InvalidInput) as info:
        services.lesson_adoption_update(actor=ql, adoption=adoption, changes={
            "status": "adopted", "evidence_type": "workforce.briefing",
            "evidence_id": str(briefing.uuid)}, expected_version=adoption.version)
    assert "evidence" in info.value.errors
    assert "another location" in info.value.message
    adoption.refresh_from_db()
    assert adoption.status == "not_started" and adoption.evidence_uuid is None


@pytest.mark.parametrize(("kind", "ref"), [
    ("tenancy.location", None), ("people.staffmember", None), ("no.such", None),
    ("workforce.briefing", "not-a-uuid"), ("workforce.briefing", "random")])
def test_bad_evidence_references_refused(rm: Any, adoption: LessonAdoption, location: Any,
                                         kind: str, ref: str | None) -> None:
    import uuid

    ref = {None: str(location.uuid), "random": str(uuid.uuid4())}.get(ref, ref)
    with pytest.raises(InvalidInput) as info:
        services.lesson_adoption_update(actor=rm, adoption=adoption, changes={
            "status": "adopted", "evidence_type": kind, "evidence_id": ref},
            expected_version=adoption.version)
    assert "evidence" in info.value.errors


def test_adopted_with_a_note_needs_its_date(rm: Any, adoption: LessonAdoption) -> None:
    with pytest.raises(InvalidInput) as info:
        services.lesson_adoption_update(actor=rm, adoption=adoption, changes={
            "status": "adopted", "evidence_note": "Seen at the 3 pm handover."},
            expected_version=adoption.version)
    assert "evidence_date" in info.value.errors
    saved = services.lesson_adoption_update(actor=rm, adoption=adoption, changes={
        "status": "adopted", "evidence_note": "Seen at the 3 pm handover.",
        "evidence_date": timezone.localdate() - dt.timedelta(days=1)},
        expected_version=adoption.version)
    assert saved.status == "adopted"


def test_manager_elsewhere_cannot_update(rm_sibling: Any, adoption: LessonAdoption) -> None:
    with pytest.raises(PermissionDenied):
        services.lesson_adoption_update(actor=rm_sibling, adoption=adoption, changes={
            "status": "in_progress"}, expected_version=adoption.version)


def test_stale_version_conflicts(rm: Any, adoption: LessonAdoption) -> None:
    from sustain.core.errors import Conflict

    services.lesson_adoption_update(actor=rm, adoption=adoption, changes={
        "status": "in_progress"}, expected_version=1)
    with pytest.raises(Conflict):
        services.lesson_adoption_update(actor=rm, adoption=adoption, changes={
            "status": "not_started"}, expected_version=1)


def test_archived_lesson_cannot_be_adopted(ql: Any, rm: Any, adoption: LessonAdoption) -> None:
    services.lesson_archive(actor=ql, lesson=adoption.lesson, reason="Superseded")
    adoption.refresh_from_db()
    with pytest.raises(InvalidInput):
        services.lesson_adoption_update(actor=rm, adoption=adoption, changes={
            "status": "in_progress"}, expected_version=adoption.version)
