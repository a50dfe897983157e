"""People and staff services: history with before/after, refusals that change nothing, and
optimistic concurrency."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sustain.core.errors import Conflict, InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.people import services
from sustain.people.models import PersonSupported, StaffMember
from sustain.tenancy import services as tenancy_services
from sustain.tenancy.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user: Any, org: Any, location: Any) -> Any:
    return make_user(org, "registered_manager", location=location)


def _history(obj: Any) -> list[HistoryEntry]:
    return list(HistoryEntry.objects.filter(object_uuid=obj.uuid).order_by("seq"))


def _counts() -> tuple[int, int, int, int]:
    return (PersonSupported.objects.count(), StaffMember.objects.count(),
            Membership.objects.count(), HistoryEntry.objects.count())


def test_person_create_update_archive_write_history(manager: Any, org: Any,
                                                    location: Any) -> None:
    person = services.person_create(actor=manager, organisation=org, location=location,
                                    reference="R-100", initials="ab",
                                    admission_date=dt.date(2024, 5, 1))
    assert person.initials == "AB"
    updated = services.person_update(actor=manager, person=person,
                                     changes={"discharge_date": dt.date(2024, 9, 1)},
                                     expected_version=1)
    assert updated.version == 2
    services.person_archive(actor=manager, person=updated, reason="Discharged home")
    created, changed, archived = _history(person)
    assert (created.action, created.before) == ("create", None)
    assert created.after["reference"] == "R-100"
    assert created.after["location"] == str(location.uuid)
    assert created.actor == manager
    assert created.location_id == location.pk
    assert changed.action == "update"
    assert (changed.before["discharge_date"], changed.after["discharge_date"]) == \
        (None, "2024-09-01")
    assert archived.action == "archive"
    assert archived.message == "Discharged home"
    assert archived.before["archived_at"] is None and archived.after["archived_at"]


def test_staff_create_update_archive_write_history(manager: Any, org: Any, location: Any,
                                                   make_user: Any,
                                                   sibling_location: Any) -> None:
    admin = make_user(org, "administrator", scope="organisation")
    staff = services.staff_create(actor=manager, organisation=org, locations=[location],
                                  full_name="Pat Jones", job_role="Carer",
                                  start_date=dt.date(2023, 1, 9))
    services.staff_update(actor=admin, staff=staff,
                          changes={"job_role": "Senior carer",
                                   "locations": [location, sibling_location]},
                          expected_version=1)
    services.staff_archive(actor=admin, staff=staff, reason="Left")
    created, changed, archived = _history(staff)
    assert created.after["locations"] == [str(location.uuid)]
    assert created.location_id is None  # staff span locations: organisation-level history
    assert changed.before["job_role"] == "Carer"
    assert changed.after["job_role"] == "Senior carer"
    assert sorted(changed.after["locations"]) == sorted([str(location.uuid),
                                                         str(sibling_location.uuid)])
    assert archived.action == "archive"


def test_leaving_date_before_start_date_is_refused_on_create(manager: Any, org: Any,
                                                             location: Any) -> None:
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        services.staff_create(actor=manager, organisation=org, locations=[location],
                              full_name="Early Leaver", job_role="Carer",
                              start_date=dt.date(2024, 6, 1), leaving_date=dt.date(2024, 5, 1))
    assert list(caught.value.errors) == ["leaving_date"]
    assert "leaving date" in caught.value.errors["leaving_date"][0].lower()
    assert _counts() == before


def test_leaving_date_before_start_date_is_refused_on_update(manager: Any, org: Any,
                                                             location: Any) -> None:
    staff = services.staff_create(actor=manager, organisation=org, locations=[location],
                                  full_name="Sam", job_role="Carer",
                                  start_date=dt.date(2024, 6, 1))
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        services.staff_update(actor=manager, staff=staff,
                              changes={"leaving_date": dt.date(2024, 1, 1)},
                              expected_version=1)
    assert "leaving_date" in caught.value.errors
    assert _counts() == before
    staff.refresh_from_db()
    assert (staff.leaving_date, staff.version) == (None, 1)


def test_membership_at_another_organisations_location_is_refused(
        make_user: Any, org: Any, foreign_location: Any) -> None:
    admin = make_user(org, "administrator", scope="organisation")
    target = make_user(org, "care_staff", scope="organisation")
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        tenancy_services.membership_create(actor=admin, organisation=org, user=target,
                                           role="registered_manager", scope="location",
                                           location=foreign_location)
    assert "location" in caught.value.errors
    assert _counts() == before


def test_person_at_another_organisations_location_is_refused(manager: Any, org: Any,
                                                             foreign_location: Any) -> None:
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        services.person_create(actor=manager, organisation=org, location=foreign_location,
                               reference="R-200", initials="CD",
                               admission_date=dt.date(2024, 1, 1))
    assert list(caught.value.errors) == ["location"]
    assert _counts() == before


def test_staff_at_another_organisations_location_is_refused(manager: Any, org: Any,
                                                            location: Any,
                                                            foreign_location: Any) -> None:
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        services.staff_create(actor=manager, organisation=org,
                              locations=[location, foreign_location], full_name="X",
                              job_role="Carer", start_date=dt.date(2024, 1, 1))
    assert "locations" in caught.value.errors
    assert _counts() == before


def test_roles_without_change_permission_are_refused(make_user: Any, org: Any,
                                                     location: Any) -> None:
    carer = make_user(org, "care_staff", location=location)
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.person_create(actor=carer, organisation=org, location=location,
                               reference="R-300", initials="EF",
                               admission_date=dt.date(2024, 1, 1))
    with pytest.raises(PermissionDenied):
        services.staff_create(actor=carer, organisation=org, locations=[location],
                              full_name="Y", job_role="Carer", start_date=dt.date(2024, 1, 1))
    assert _counts() == before


def test_manager_cannot_change_staff_at_a_location_they_do_not_manage(
        manager: Any, org: Any, location: Any, sibling_location: Any) -> None:
    staff = services.staff_create(actor="system", organisation=org,
                                  locations=[sibling_location], full_name="Z",
                                  job_role="Carer", start_date=dt.date(2024, 1, 1))
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.staff_update(actor=manager, staff=staff, changes={"locations": [location]},
                              expected_version=1)
    assert _counts() == before


def test_second_update_with_the_same_version_conflicts(manager: Any, org: Any,
                                                       location: Any) -> None:
    person = services.person_create(actor=manager, organisation=org, location=location,
                                    reference="R-400", initials="GH",
                                    admission_date=dt.date(2024, 1, 1))
    # Two people opened the record at version 1.
    first_copy = PersonSupported.objects.get(pk=person.pk)
    second_copy = PersonSupported.objects.get(pk=person.pk)
    services.person_update(actor=manager, person=first_copy, changes={"initials": "GJ"},
                           expected_version=first_copy.version)
    history_before = HistoryEntry.objects.count()
    with pytest.raises(Conflict) as caught:
        services.person_update(actor=manager, person=second_copy, changes={"initials": "GK"},
                               expected_version=second_copy.version)
    assert "version" in caught.value.errors
    assert "changed by someone else" in caught.value.message
    person.refresh_from_db()
    assert (person.initials, person.version) == ("GJ", 2)
    assert HistoryEntry.objects.count() == history_before


def test_staff_update_conflict_keeps_the_first_value(manager: Any, org: Any,
                                                     location: Any) -> None:
    staff = services.staff_create(actor=manager, organisation=org, locations=[location],
                                  full_name="Alex", job_role="Carer",
                                  start_date=dt.date(2024, 1, 1))
    services.staff_update(actor=manager, staff=staff, changes={"job_role": "Team leader"},
                          expected_version=1)
    with pytest.raises(Conflict):
        services.staff_update(actor=manager, staff=staff, changes={"job_role": "Cook"},
                              expected_version=1)
    staff.refresh_from_db()
    assert staff.job_role == "Team leader"
