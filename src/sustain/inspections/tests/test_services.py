"""Inspection services: all-or-nothing recording with errors naming row and field, history for
every row, corrections as new versions, archive, permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.core.errors import Conflict, InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.inspections import services
from sustain.inspections.models import (
    EnforcementAction,
    Finding,
    Inspection,
    KeyQuestionRating,
    RegulationBreach,
)
from sustain.inspections.tests.conftest import INSPECTED_ON, payload
from sustain.reference.models import Regulation

pytestmark = pytest.mark.django_db

MODELS = (Inspection, KeyQuestionRating, RegulationBreach, EnforcementAction, Finding)


def counts() -> tuple[int, ...]:
    return (*(m.objects.count() for m in MODELS), HistoryEntry.objects.count())


def record(actor: Any, org: Any, location: Any, **overrides: Any) -> Inspection:
    return services.inspection_record(actor=actor, organisation=org, location=location,
                                      **payload(**overrides))


def test_records_every_row_with_history(manager: Any, org: Any, location: Any) -> None:
    inspection = record(manager, org, location)

    assert inspection.location == location and inspection.version == 1
    ratings = {r.key_question.code: r.rating for r in inspection.keyquestionratings.all()}
    assert ratings == payload()["ratings"]
    assert sorted(b.regulation.code for b in inspection.regulationbreachs.all()) == \
        ["RA2014-12", "RA2014-13"]
    [notice] = inspection.enforcementactions.all()
    assert (notice.enforcement_type.code, notice.deadline) == ("warning-notice",
                                                               dt.date(2026, 6, 30))
    findings = inspection.findings.order_by("pk")
    assert [list(f.quality_statements.values_list("code", flat=True)) for f in findings] == \
        [["S8"], ["S3"]]
    # One history entry per row (1 + 5 + 2 + 1 + 2), all by the manager, in one request.
    entries = HistoryEntry.objects.filter(action="create", actor=manager)
    assert entries.count() == 11
    assert entries.values("request_id").distinct().count() == 1
    assert set(entries.values_list("object_type", flat=True)) == {
        "inspections.inspection", "inspections.keyquestionrating",
        "inspections.regulationbreach", "inspections.enforcementaction", "inspections.finding"}
    finding_entry = entries.get(object_uuid=findings[0].uuid)
    assert len(finding_entry.after["quality_statements"]) == 1


def _bad_breach(data: dict[str, Any]) -> None:
    data["breaches"][1]["regulation"] = "RA2014-99"


def _bad_enforcement(data: dict[str, Any]) -> None:
    data["enforcement"][0]["deadline"] = dt.date(2026, 4, 1)  # before issue


def _bad_finding(data: dict[str, Any]) -> None:
    data["findings"][1]["quality_statements"] = ["S3", "Z9"]


def _missing_rating(data: dict[str, Any]) -> None:
    del data["ratings"]["caring"]


def _bad_rating(data: dict[str, Any]) -> None:
    data["ratings"]["safe"] = "excellent"


def _future(data: dict[str, Any]) -> None:
    data["inspection_date"] = timezone.localdate() + dt.timedelta(days=1)
    data["publication_date"] = None
    data["enforcement"] = []


def _published_before(data: dict[str, Any]) -> None:
    data["publication_date"] = INSPECTED_ON - dt.timedelta(days=1)


def _no_overall(data: dict[str, Any]) -> None:
    data["overall_rating"] = ""


def _blank_finding_text(data: dict[str, Any]) -> None:
    data["findings"][0]["text"] = "  "


def _unknown_field(data: dict[str, Any]) -> None:
    data["breaches"][0]["severity"] = "high"


def _issued_before_inspection(data: dict[str, Any]) -> None:
    data["enforcement"][0]["issued_on"] = INSPECTED_ON - dt.timedelta(days=3)


def _duplicate_breach(data: dict[str, Any]) -> None:
    data["breaches"][1]["regulation"] = "RA2014-12"


@pytest.mark.parametrize(("spoil", "key"), [
    (_bad_breach, "breaches.1.regulation"),
    (_bad_enforcement, "enforcement.0.deadline"),
    (_bad_finding, "findings.1.quality_statements"),
    (_missing_rating, "ratings.caring"),
    (_bad_rating, "ratings.safe"),
    (_future, "inspection_date"),
    (_published_before, "publication_date"),
    (_no_overall, "overall_rating"),
    (_blank_finding_text, "findings.0.text"),
    (_unknown_field, "breaches.0.severity"),
    (_issued_before_inspection, "enforcement.0.issued_on"),
    (_duplicate_breach, "breaches.1.regulation"),
])
def test_one_bad_value_anywhere_writes_nothing(manager: Any, org: Any, location: Any,
                                               spoil: Any, key: str) -> None:
    data = payload()
    spoil(data)
    before = counts()
    with pytest.raises(InvalidInput) as err:
        services.inspection_record(actor=manager, organisation=org, location=location, **data)
    assert list(err.value.errors) == [key], err.value.errors
    assert key in err.value.message
    assert counts() == before


def test_every_problem_is_reported_at_once(manager: Any, org: Any, location: Any) -> None:
    data = payload()
    for spoil in (_bad_breach, _bad_enforcement, _bad_finding, _missing_rating):
        spoil(data)
    before = counts()
    with pytest.raises(InvalidInput) as err:
        services.inspection_record(actor=manager, organisation=org, location=location, **data)
    assert set(err.value.errors) == {"breaches.1.regulation", "enforcement.0.deadline",
                                     "findings.1.quality_statements", "ratings.caring"}
    assert "Z9" in err.value.errors["findings.1.quality_statements"][0]
    assert "RA2014-99" in err.value.errors["breaches.1.regulation"][0]
    assert counts() == before


def test_same_location_and_date_twice_is_refused(manager: Any, org: Any,
                                                 location: Any) -> None:
    record(manager, org, location)
    before = counts()
    with pytest.raises(InvalidInput) as err:
        record(manager, org, location)
    assert "inspection_date" in err.value.errors
    assert counts() == before


def test_regulation_objects_and_codes_both_work(manager: Any, org: Any,
                                                location: Any) -> None:
    reg = Regulation.objects.get(code="RA2014-17")
    inspection = record(manager, org, location, breaches=[
        {"regulation": reg, "summary": "Audits missed the problems."}])
    assert inspection.regulationbreachs.get().regulation == reg


@pytest.mark.parametrize("role", ["care_staff", "deputy_manager", "board_member"])
def test_roles_without_inspection_change_are_refused(org: Any, location: Any, library: None,
                                                     make_user: Any, role: str) -> None:
    user = make_user(org, role, location=location)
    before = counts()
    with pytest.raises(PermissionDenied):
        record(user, org, location)
    assert counts() == before


def test_manager_of_another_location_is_refused(manager: Any, org: Any,
                                                sibling_location: Any) -> None:
    with pytest.raises(PermissionDenied):
        record(manager, org, sibling_location)
    assert Inspection.objects.count() == 0


def test_location_of_another_organisation_is_refused(manager: Any, org: Any,
                                                     foreign_location: Any) -> None:
    with pytest.raises(InvalidInput) as err:
        record(manager, org, foreign_location)
    assert "location" in err.value.errors
    assert Inspection.objects.count() == 0


# --- corrections ----------------------------------------------------------------------------


def test_header_update_is_a_new_version(manager: Any, org: Any, location: Any) -> None:
    inspection = record(manager, org, location)
    updated = services.inspection_update(actor=manager, inspection=inspection,
                                         changes={"overall_rating": "inadequate"},
                                         expected_version=1)
    assert (updated.overall_rating, updated.version) == ("inadequate", 2)
    entry = HistoryEntry.objects.get(object_uuid=inspection.uuid, action="update")
    assert (entry.before["overall_rating"], entry.after["overall_rating"]) == \
        ("requires-improvement", "inadequate")
    with pytest.raises(Conflict):
        services.inspection_update(actor=manager, inspection=updated,
                                   changes={"summary": "x"}, expected_version=1)


@pytest.mark.parametrize(("changes", "key"), [
    ({"inspection_date": "tomorrow"}, "inspection_date"),
    ({"publication_date": INSPECTED_ON - dt.timedelta(days=1)}, "publication_date"),
    ({"overall_rating": "brilliant"}, "overall_rating"),
    ({"location": None}, "location"),
])
def test_bad_header_update_changes_nothing(manager: Any, org: Any, location: Any,
                                           changes: dict[str, Any], key: str) -> None:
    inspection = record(manager, org, location)
    if changes.get("inspection_date") == "tomorrow":
        changes = {"inspection_date": timezone.localdate() + dt.timedelta(days=1)}
    before = counts()
    with pytest.raises(InvalidInput) as err:
        services.inspection_update(actor=manager, inspection=inspection, changes=changes,
                                   expected_version=1)
    assert key in err.value.errors
    assert counts() == before
    inspection.refresh_from_db()
    assert inspection.version == 1


def test_enforcement_update_records_status_and_refuses_bad_status(
        manager: Any, org: Any, location: Any) -> None:
    notice = record(manager, org, location).enforcementactions.get()
    met = services.enforcement_update(actor=manager, enforcement=notice,
                                      changes={"status": "met", "notes": "Re-inspected."},
                                      expected_version=1)
    assert (met.status, met.version) == ("met", 2)
    with pytest.raises(InvalidInput) as err:
        services.enforcement_update(actor=manager, enforcement=met,
                                    changes={"status": "forgotten"}, expected_version=2)
    assert "status" in err.value.errors
    with pytest.raises(InvalidInput) as err:
        services.enforcement_update(actor=manager, enforcement=met,
                                    changes={"issued_on": dt.date(2026, 5, 1)},
                                    expected_version=2)
    assert "issued_on" in err.value.errors


def test_rating_breach_and_finding_corrections_keep_history(manager: Any, org: Any,
                                                            location: Any) -> None:
    inspection = record(manager, org, location)
    rating = inspection.keyquestionratings.get(key_question__code="caring")
    rating = services.rating_update(actor=manager, rating=rating, value="outstanding",
                                    expected_version=1)
    breach = inspection.regulationbreachs.get(regulation__code="RA2014-13")
    breach = services.breach_update(actor=manager, breach=breach,
                                    changes={"regulation": "RA2014-17"}, expected_version=1)
    finding = inspection.findings.order_by("pk").first()
    finding = services.finding_update(actor=manager, finding=finding,
                                      changes={"quality_statements": ["S8", "W5"]},
                                      expected_version=1)
    assert (rating.rating, breach.regulation.code) == ("outstanding", "RA2014-17")
    assert sorted(finding.quality_statements.values_list("code", flat=True)) == ["S8", "W5"]
    updates = HistoryEntry.objects.filter(action="update")
    assert {e.object_uuid for e in updates} == {rating.uuid, breach.uuid, finding.uuid}
    assert all(e.before != e.after for e in updates)
    assert RegulationBreach.objects.count() == 2  # corrected, not replaced


def test_rows_added_later(manager: Any, org: Any, location: Any) -> None:
    inspection = record(manager, org, location)
    finding = services.finding_add(actor=manager, inspection=inspection,
                                   text="Care plans did not match practice.",
                                   key_question="responsive", quality_statements=["R1"])
    breach = services.breach_add(actor=manager, inspection=inspection, regulation="RA2014-9",
                                 summary="Plans not person-centred.")
    notice = services.enforcement_add(actor=manager, inspection=inspection,
                                      enforcement_type="requirement-notice",
                                      issued_on=dt.date(2026, 5, 1))
    assert (finding.inspection, breach.inspection, notice.inspection) == (inspection,) * 3
    with pytest.raises(InvalidInput) as err:
        services.breach_add(actor=manager, inspection=inspection, regulation="RA2014-9",
                            summary="Again.")
    assert list(err.value.errors) == ["regulation"]
    with pytest.raises(InvalidInput) as err:
        services.finding_add(actor=manager, inspection=inspection, text="",
                             key_question="nice")
    assert set(err.value.errors) == {"text", "key_question"}


def test_corrections_need_inspection_change(manager: Any, org: Any, location: Any,
                                            make_user: Any) -> None:
    inspection = record(manager, org, location)
    carer = make_user(org, "care_staff", location=location)
    before = counts()
    with pytest.raises(PermissionDenied):
        services.inspection_update(actor=carer, inspection=inspection,
                                   changes={"summary": "x"}, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.enforcement_update(actor=carer,
                                    enforcement=inspection.enforcementactions.get(),
                                    changes={"status": "met"}, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.inspection_archive(actor=carer, inspection=inspection, reason="mistake")
    assert counts() == before


def test_archive_needs_a_reason_and_restores(manager: Any, org: Any, location: Any) -> None:
    inspection = record(manager, org, location)
    with pytest.raises(InvalidInput) as err:
        services.inspection_archive(actor=manager, inspection=inspection, reason="")
    assert "reason" in err.value.errors
    archived = services.inspection_archive(actor=manager, inspection=inspection,
                                           reason="Recorded in error")
    assert archived.archived_at is not None
    assert HistoryEntry.objects.get(object_uuid=inspection.uuid, action="archive").message == \
        "Recorded in error"
    with pytest.raises(InvalidInput):
        services.finding_add(actor=manager, inspection=archived, text="Late.",
                             key_question="safe")
    # The date is free again once the wrong record is archived; restoring it then clashes.
    record(manager, org, location)
    with pytest.raises(InvalidInput) as err:
        services.inspection_archive(actor=manager, inspection=archived, reason="",
                                    restore=True)
    assert "inspection_date" in err.value.errors
