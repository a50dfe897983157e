"""Medicines checks through the services: history, all-or-nothing discrepancies, refusals
naming the field with nothing written, weekly review, rates and repeated discrepancies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.core.errors import Conflict, InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.medicines import selectors, services
from sustain.medicines.models import Discrepancy, MedicinesCheck, WeeklyReview
from sustain.people.tests.factories import PersonFactory, StaffFactory

DAY = dt.date(2026, 1, 12)  # a Monday


@pytest.fixture
def staff(org: Any, location: Any) -> Any:
    return StaffFactory(organisation=org, locations=[location], full_name="Sam Carer")


@pytest.fixture
def recorder(org: Any, location: Any, make_user: Any) -> Any:
    return make_user(org, "care_staff", location=location)


@pytest.fixture
def manager(org: Any, location: Any, make_user: Any) -> Any:
    return make_user(org, "registered_manager", location=location)


def _create(actor: Any, org: Any, location: Any, staff: Any, **kw: Any) -> MedicinesCheck:
    fields = {"check_date": DAY, "shift": "day", "checked_by": staff, "charts_checked": 10}
    fields.update(kw)
    return services.medicines_check_create(actor=actor, organisation=org, location=location,
                                           **fields)


def test_create_with_discrepancies_records_history(org: Any, location: Any, staff: Any,
                                                   recorder: Any) -> None:
    person = PersonFactory(location=location)
    check = _create(recorder, org, location, staff, discrepancies=[
        {"type": "omission", "person": person, "staff_responsible": staff,
         "action_taken": "GP informed"},
        {"type": "stock"}])
    assert check.current_discrepancies[0].type == "omission"
    assert len(check.current_discrepancies) == 2
    entries = HistoryEntry.objects.filter(organisation=org)
    assert entries.filter(object_type="medicines.medicinescheck", action="create").count() == 1
    assert entries.filter(object_type="medicines.discrepancy", action="create").count() == 2


@pytest.mark.parametrize(("changes", "field"), [
    ({"check_date": timezone.localdate() + dt.timedelta(days=2)}, "check_date"),
    ({"charts_checked": -1}, "charts_checked"),
    ({"shift": "evening"}, "shift"),
    ({"shift": ""}, "shift"),  # not today: the shift cannot be defaulted
    ({"discrepancies": [{"type": "stock"}, {"type": "spilt"}]}, "discrepancies.1.type"),
    ({"discrepancies": [{"type": "omission", "colour": "red"}]}, "discrepancies.0"),
])
def test_refusals_name_the_field_and_write_nothing(org: Any, location: Any, staff: Any,
                                                   recorder: Any, changes: dict[str, Any],
                                                   field: str) -> None:
    before = HistoryEntry.objects.count()
    with pytest.raises(InvalidInput) as exc:
        _create(recorder, org, location, staff, **changes)
    assert field in exc.value.errors
    assert MedicinesCheck.objects.count() == 0
    assert Discrepancy.objects.count() == 0
    assert HistoryEntry.objects.count() == before


def test_staff_and_person_must_be_at_the_location(org: Any, location: Any,
                                                  sibling_location: Any, staff: Any,
                                                  recorder: Any) -> None:
    elsewhere = StaffFactory(organisation=org, locations=[sibling_location])
    person = PersonFactory(location=sibling_location)
    with pytest.raises(InvalidInput) as exc:
        _create(recorder, org, location, elsewhere, discrepancies=[
            {"type": "omission", "person": person, "staff_responsible": elsewhere}])
    assert set(exc.value.errors) == {"checked_by", "discrepancies.0.person",
                                     "discrepancies.0.staff_responsible"}
    assert MedicinesCheck.objects.count() == 0


def test_other_organisation_location_refused(org: Any, foreign_location: Any, staff: Any,
                                             recorder: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        _create(recorder, org, foreign_location, staff)
    assert "location" in exc.value.errors


def test_permission_needed_at_the_location(org: Any, location: Any, sibling_location: Any,
                                           make_user: Any) -> None:
    staff = StaffFactory(organisation=org, locations=[sibling_location])
    outsider = make_user(org, "care_staff", location=location)
    with pytest.raises(PermissionDenied):
        _create(outsider, org, sibling_location, staff)
    assert MedicinesCheck.objects.count() == 0


def test_shift_defaults_to_now_when_dated_today(org: Any, location: Any, staff: Any,
                                                recorder: Any) -> None:
    check = _create(recorder, org, location, staff, check_date=timezone.localdate(), shift="")
    assert check.shift in ("day", "night")


def test_duplicate_external_ref_refused(org: Any, location: Any, staff: Any,
                                        recorder: Any) -> None:
    _create(recorder, org, location, staff, external_ref="ROW-1")
    with pytest.raises(InvalidInput) as exc:
        _create(recorder, org, location, staff, external_ref="ROW-1")
    assert "external_ref" in exc.value.errors
    assert MedicinesCheck.objects.count() == 1


def test_update_replaces_discrepancies_and_checks_version(org: Any, location: Any,
                                                          staff: Any, recorder: Any) -> None:
    check = _create(recorder, org, location, staff, discrepancies=[{"type": "omission"}])
    updated = services.medicines_check_update(
        actor=recorder, check=check, expected_version=1,
        changes={"charts_checked": 11, "discrepancies": [{"type": "wrong_dose"}]})
    assert updated.version == 2 and updated.charts_checked == 11
    assert [d.type for d in updated.current_discrepancies] == ["wrong_dose"]
    assert Discrepancy.objects.filter(archived_at__isnull=False).count() == 1
    with pytest.raises(Conflict):
        services.medicines_check_update(actor=recorder, check=updated, expected_version=1,
                                        changes={"notes": "stale"})


def test_archive_and_restore(org: Any, location: Any, staff: Any, recorder: Any) -> None:
    check = _create(recorder, org, location, staff)
    archived = services.medicines_check_archive(actor=recorder, check=check, reason="Duplicate")
    assert archived.archived_at is not None
    restored = services.medicines_check_archive(actor=recorder, check=archived, restore=True)
    assert restored.archived_at is None


def test_weekly_review_covers_the_week(org: Any, location: Any, staff: Any, recorder: Any,
                                       manager: Any) -> None:
    inside = _create(recorder, org, location, staff, check_date=DAY + dt.timedelta(days=6))
    _create(recorder, org, location, staff, check_date=DAY + dt.timedelta(days=7))
    review = services.weekly_review_create(actor=manager, organisation=org, location=location,
                                           week_starting=DAY, pattern_noted="Nights.")
    assert list(review.checks_covered.all()) == [inside]
    assert review.reviewed_by == manager
    with pytest.raises(InvalidInput) as exc:
        services.weekly_review_create(actor=manager, organisation=org, location=location,
                                      week_starting=DAY)
    assert "week_starting" in exc.value.errors
    assert WeeklyReview.objects.count() == 1


def test_weekly_review_refusals(org: Any, location: Any, recorder: Any, manager: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.weekly_review_create(actor=manager, organisation=org, location=location,
                                      week_starting=DAY + dt.timedelta(days=1))
    assert "Monday" in exc.value.errors["week_starting"][0]
    with pytest.raises(InvalidInput) as exc:
        services.weekly_review_create(actor=manager, organisation=org, location=location,
                                      week_starting=DAY,
                                      reviewed_at=timezone.now() + dt.timedelta(hours=2))
    assert "reviewed_at" in exc.value.errors
    with pytest.raises(PermissionDenied):
        services.weekly_review_create(actor=recorder, organisation=org, location=location,
                                      week_starting=DAY)
    assert WeeklyReview.objects.count() == 0


def test_rates_and_repeated_discrepancies(org: Any, location: Any, staff: Any, recorder: Any,
                                          manager: Any) -> None:
    other = StaffFactory(organisation=org, locations=[location], full_name="Alex Other")
    _create(recorder, org, location, staff, charts_checked=10, discrepancies=[
        {"type": "omission", "staff_responsible": staff},
        {"type": "wrong_time", "staff_responsible": other}])
    _create(recorder, org, location, staff, check_date=DAY + dt.timedelta(days=20),
            charts_checked=10, discrepancies=[{"type": "omission", "staff_responsible": staff}])
    _create(recorder, org, location, staff, check_date=DAY - dt.timedelta(days=30),
            charts_checked=5, discrepancies=[{"type": "omission", "staff_responsible": other}])
    rates = selectors.discrepancy_rates(actor=manager, date_from=DAY,
                                        date_to=DAY + dt.timedelta(days=27))
    assert [(r.week_starting, r.charts_checked, r.discrepancies) for r in rates] == [
        (DAY, 10, 2), (DAY + dt.timedelta(days=14), 10, 1)]
    assert rates[0].rate == pytest.approx(0.2)
    repeated = selectors.repeated_discrepancies(actor=manager, as_of=DAY + dt.timedelta(days=20))
    assert [(r.staff, r.count) for r in repeated] == [(staff, 2)]
    # 28 days counted inclusively: the first discrepancy drops out on day 28.
    assert selectors.repeated_discrepancies(actor=manager,
                                            as_of=DAY + dt.timedelta(days=28)) == []
