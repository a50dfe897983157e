"""Forms: bad input is shown next to the field and writes nothing; a good edit writes one
history entry and the history page shows before → after; a stale version gets the conflict
message and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from sustain.core.models import HistoryEntry
from sustain.people import services as people_services
from sustain.people.models import PersonSupported, StaffMember
from sustain.tenancy import services as tenancy_services
from sustain.tenancy.models import Location
from sustain.web.tests.conftest import World

LOCATION_DATA = {
    "name": "Birch Lodge", "cqc_location_id": "1-555666777", "service_type": "care_home",
    "capacity": "32", "region": "", "address_line_1": "", "address_line_2": "", "town": "Leeds",
    "postcode": "LS2 7AB", "local_authority": "Leeds", "registration_date": "2020-03-01",
    "day_shift_start": "08:00", "night_shift_start": "20:00",
}


def _field_errors(response: Any, field: str) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get(field, [])]


@pytest.fixture
def admin_client(world: World, role_user: Any, client_for: Any) -> Any:
    return client_for(role_user("administrator"))


def test_create_location_writes_record_and_history(admin_client: Any, world: World) -> None:
    response = admin_client.post(reverse("web:location-create"), LOCATION_DATA)
    location = Location.objects.get(cqc_location_id="1-555666777", organisation=world.org)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:location-detail", kwargs={"uuid": location.uuid})
    entry = HistoryEntry.objects.get(object_uuid=location.uuid)
    assert entry.action == "create" and entry.after["name"] == "Birch Lodge"


def test_invalid_cqc_location_id_is_shown_on_the_field(admin_client: Any, world: World) -> None:
    before = (Location.objects.count(), HistoryEntry.objects.count())
    response = admin_client.post(reverse("web:location-create"),
                                 {**LOCATION_DATA, "cqc_location_id": "123456789"})
    assert response.status_code == 200
    errors = _field_errors(response, "cqc_location_id")
    assert errors and "1- followed by digits" in errors[0]
    html = response.content.decode()
    assert 'href="#id_cqc_location_id"' in html          # error summary links to the field
    assert 'id="id_cqc_location_id_error"' in html
    assert 'aria-invalid="true"' in html
    assert (Location.objects.count(), HistoryEntry.objects.count()) == before


def test_duplicate_location_is_refused_on_the_field(admin_client: Any, world: World) -> None:
    before = (Location.objects.count(), HistoryEntry.objects.count())
    response = admin_client.post(reverse("web:location-create"), {
        **LOCATION_DATA, "cqc_location_id": world.location.cqc_location_id})
    assert response.status_code == 200
    errors = _field_errors(response, "cqc_location_id")
    assert any("already has a location" in e for e in errors), errors
    assert (Location.objects.count(), HistoryEntry.objects.count()) == before


def test_same_cqc_id_in_another_organisation_is_allowed(admin_client: Any, world: World) -> None:
    response = admin_client.post(reverse("web:location-create"), {
        **LOCATION_DATA, "cqc_location_id": world.foreign_location.cqc_location_id})
    assert response.status_code == 302


def _staff_data(world: World, **overrides: str) -> dict[str, Any]:
    data = {"full_name": "Dana Smith", "job_role": "Senior carer", "staff_reference": "",
            "locations": [str(world.location.uuid)], "start_date": "2025-05-01",
            "leaving_date": "", "user": ""}
    data.update(overrides)
    return data


def test_staff_leaving_before_start_is_shown_on_the_field(admin_client: Any,
                                                          world: World) -> None:
    before = (StaffMember.objects.count(), HistoryEntry.objects.count())
    response = admin_client.post(reverse("web:staff-create"),
                                 _staff_data(world, leaving_date="2025-04-30"))
    assert response.status_code == 200
    assert _field_errors(response, "leaving_date") == [
        "The leaving date cannot be before the start date."]
    assert "There is a problem" in response.content.decode()
    assert (StaffMember.objects.count(), HistoryEntry.objects.count()) == before


def test_staff_edit_leaving_before_start_changes_nothing(admin_client: Any,
                                                         world: World) -> None:
    staff = world.staff
    url = reverse("web:staff-edit", kwargs={"uuid": staff.uuid})
    response = admin_client.post(url, {**_staff_data(world, full_name=staff.full_name,
                                                     start_date="2024-01-10",
                                                     leaving_date="2023-12-31"),
                                       "version": staff.version})
    assert response.status_code == 200
    assert _field_errors(response, "leaving_date")
    staff.refresh_from_db()
    assert staff.leaving_date is None and staff.version == 1
    assert not HistoryEntry.objects.filter(object_uuid=staff.uuid).exists()


def test_staff_location_outside_scope_is_not_a_choice(world: World, role_user: Any,
                                                      client_for: Any) -> None:
    client = client_for(role_user("registered_manager"))
    response = client.post(reverse("web:staff-create"), _staff_data(
        world, locations=[str(world.sibling_location.uuid)]))
    assert response.status_code == 200
    assert _field_errors(response, "locations")
    assert not StaffMember.objects.filter(full_name="Dana Smith").exists()


def test_person_create_by_registered_manager(world: World, role_user: Any,
                                             client_for: Any) -> None:
    client = client_for(role_user("registered_manager"))
    response = client.post(reverse("web:person-create"), {
        "reference": "OAK-002", "initials": "cd", "location": str(world.location.uuid),
        "admission_date": "2025-01-02", "discharge_date": ""})
    person = PersonSupported.objects.get(reference="OAK-002")
    assert response.status_code == 302
    assert person.initials == "CD" and person.location == world.location


def test_person_discharge_before_admission_is_refused(world: World, role_user: Any,
                                                      client_for: Any) -> None:
    client = client_for(role_user("registered_manager"))
    response = client.post(reverse("web:person-create"), {
        "reference": "OAK-003", "initials": "CD", "location": str(world.location.uuid),
        "admission_date": "2025-01-02", "discharge_date": "2024-12-31"})
    assert _field_errors(response, "discharge_date")
    assert not PersonSupported.objects.filter(reference="OAK-003").exists()


def test_location_edit_records_history_and_history_page_shows_it(
        admin_client: Any, world: World) -> None:
    location = world.location
    url = reverse("web:location-edit", kwargs={"uuid": location.uuid})
    form = admin_client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in {
        **LOCATION_DATA, "name": location.name, "cqc_location_id": location.cqc_location_id,
        "capacity": "44", "region": str(world.region.uuid), "registered_manager": "",
        "version": form.initial["version"]}.items()}
    response = admin_client.post(url, data)
    assert response.status_code == 302
    location.refresh_from_db()
    assert location.capacity == 44 and location.version == 2
    entry = HistoryEntry.objects.get(object_uuid=location.uuid, action="update")
    assert entry.before["capacity"] == 40 and entry.after["capacity"] == 44

    page = admin_client.get(reverse("web:history", kwargs={
        "label": "tenancy.location", "uuid": location.uuid}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Updated by" in html
    assert "<th scope=\"row\">Capacity (beds or people supported)</th><td>40</td><td>44</td>" \
        in html
    assert "<td>1 Mar 2020</td>" in html      # registration date in UK format


def test_stale_version_shows_conflict_and_changes_nothing(admin_client: Any,
                                                          world: World) -> None:
    person = world.person
    url = reverse("web:person-edit", kwargs={"uuid": person.uuid})
    seen_version = admin_client.get(url).context["form"].initial["version"]
    # Someone else saves first.
    people_services.person_update(actor=None, person=person, changes={"initials": "XY"},
                                  expected_version=person.version)
    response = admin_client.post(url, {
        "reference": person.reference, "initials": "ZZ", "location": str(world.location.uuid),
        "admission_date": "2024-01-01", "discharge_date": "", "version": seen_version})
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    person.refresh_from_db()
    assert person.initials == "XY" and person.version == 2


def test_location_conflict_message(admin_client: Any, world: World) -> None:
    location = world.location
    tenancy_services.location_update(actor=None, location=location,
                                     changes={"capacity": 50}, expected_version=1)
    url = reverse("web:location-edit", kwargs={"uuid": location.uuid})
    response = admin_client.post(url, {**LOCATION_DATA, "version": 1})
    assert "Someone else changed this record" in response.content.decode()
    location.refresh_from_db()
    assert location.name == "Oak House" and location.capacity == 50


def test_archive_and_restore_person(world: World, role_user: Any, client_for: Any) -> None:
    client = client_for(role_user("deputy_manager"))
    person = world.person
    client.post(reverse("web:person-archive", kwargs={"uuid": person.uuid}),
                {"reason": "Entered twice"})
    person.refresh_from_db()
    assert person.archived_at is not None
    entry = HistoryEntry.objects.get(object_uuid=person.uuid, action="archive")
    assert entry.message == "Entered twice"
    link = reverse("web:person-detail", kwargs={"uuid": person.uuid})
    listing = client.get(reverse("web:person-list")).content.decode()
    assert link not in listing
    archived = client.get(reverse("web:person-list") + "?status=archived").content.decode()
    assert link in archived
    client.post(reverse("web:person-restore", kwargs={"uuid": person.uuid}))
    person.refresh_from_db()
    assert person.archived_at is None


def test_care_staff_cannot_archive_person(world: World, role_user: Any,
                                          client_for: Any) -> None:
    client = client_for(role_user("care_staff"))
    response = client.post(reverse("web:person-archive", kwargs={"uuid": world.person.uuid}))
    assert response.status_code == 403
    world.person.refresh_from_db()
    assert world.person.archived_at is None


def test_archive_staff_and_location(admin_client: Any, world: World) -> None:
    admin_client.post(reverse("web:staff-archive", kwargs={"uuid": world.staff.uuid}))
    admin_client.post(reverse("web:location-archive", kwargs={"uuid": world.sibling_location.uuid}))
    world.staff.refresh_from_db()
    world.sibling_location.refresh_from_db()
    assert world.staff.archived_at is not None
    assert world.sibling_location.archived_at is not None
    link = reverse("web:location-detail", kwargs={"uuid": world.sibling_location.uuid})
    listing = admin_client.get(reverse("web:location-list")).content.decode()
    assert link not in listing
    assert link in admin_client.get(reverse("web:location-list") + "?archived=on") \
        .content.decode()
