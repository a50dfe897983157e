"""History page details (names of related records are resolved only when visible) and list
filters (including the HTMX fragment)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from sustain.people import services as people_services
from sustain.people.tests.factories import PersonFactory
from sustain.web.tests.conftest import World


def test_staff_history_names_only_visible_locations(world: World, role_user: Any,
                                                    client_for: Any) -> None:
    staff = people_services.staff_create(
        actor=None, organisation=world.org, locations=[world.location, world.sibling_location],
        full_name="Erin Both", job_role="Nurse", start_date=dt.date(2024, 2, 1))
    manager = client_for(role_user("registered_manager"))  # Oak House only
    html = manager.get(reverse("web:history", kwargs={
        "label": "people.staffmember", "uuid": staff.uuid})).content.decode()
    assert "Created by system" in html
    assert "Oak House" in html and "a record you cannot see" in html
    assert "Elm Court" not in html
    assert "1 Feb 2024" in html


def test_person_history_shows_move_between_locations(world: World, role_user: Any,
                                                     client_for: Any) -> None:
    admin = role_user("administrator")
    person = people_services.person_create(actor=admin, organisation=world.org,
                                           location=world.location, reference="MOVE-1",
                                           initials="MV", admission_date=dt.date(2024, 1, 5))
    people_services.person_update(actor=admin, person=person,
                                  changes={"location": world.sibling_location},
                                  expected_version=1)
    html = client_for(admin).get(reverse("web:history", kwargs={
        "label": "people.personsupported", "uuid": person.uuid})).content.decode()
    assert "<th scope=\"row\">Location</th><td>Oak House</td><td>Elm Court</td>" in html
    assert html.index("Created by") < html.index("Updated by")   # oldest first


def test_membership_and_user_history_for_admin_only(world: World, role_user: Any,
                                                    client_for: Any) -> None:
    admin = role_user("administrator")
    client = client_for(admin)
    membership = admin.memberships.get()
    for label, uuid in (("tenancy.membership", membership.uuid), ("accounts.user", admin.uuid)):
        url = reverse("web:history", kwargs={"label": label, "uuid": uuid})
        assert client.get(url).status_code == 200
        assert client_for(role_user("quality_lead")).get(url).status_code == 404


def test_location_list_filters(world: World, role_user: Any, client_for: Any) -> None:
    client = client_for(role_user("administrator"))
    oak = reverse("web:location-detail", kwargs={"uuid": world.location.uuid})
    elm = reverse("web:location-detail", kwargs={"uuid": world.sibling_location.uuid})
    by_name = client.get(reverse("web:location-list") + "?q=oak").content.decode()
    assert oak in by_name and elm not in by_name
    by_region = client.get(reverse("web:location-list")
                           + f"?region={world.region.uuid}").content.decode()
    assert oak in by_region and elm not in by_region
    by_type = client.get(reverse("web:location-list") + "?service_type=home_care")
    assert oak not in by_type.content.decode()


def test_location_list_htmx_returns_fragment(world: World, role_user: Any,
                                             client_for: Any) -> None:
    client = client_for(role_user("administrator"))
    response = client.get(reverse("web:location-list") + "?q=oak", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "<table>" in html
    assert 'hx-swap-oob="innerHTML:#result-count"' in html
    assert "Showing 1–1 of 1 locations" in html


def test_location_list_paginates(world: World, role_user: Any, client_for: Any) -> None:
    from sustain.tenancy.tests.factories import LocationFactory

    LocationFactory.create_batch(30, organisation=world.org)
    client = client_for(role_user("administrator"))
    first = client.get(reverse("web:location-list")).content.decode()
    assert "Page 1 of 2" in first and "Showing 1–25 of 32 locations" in first
    second = client.get(reverse("web:location-list") + "?page=2").content.decode()
    assert "Showing 26–32 of 32 locations" in second


def test_people_list_status_and_location_filters(world: World, role_user: Any,
                                                 client_for: Any) -> None:
    discharged = PersonFactory(location=world.location, reference="OAK-OLD",
                               discharge_date=dt.date(2024, 6, 1))
    client = client_for(role_user("administrator"))
    current = client.get(reverse("web:person-list")).content.decode()
    assert "OAK-001" in current and "OAK-OLD" not in current and "ELM-001" in current
    gone = client.get(reverse("web:person-list") + "?status=discharged").content.decode()
    assert "OAK-OLD" in gone and "OAK-001" not in gone
    assert "1 Jun 2024" in gone
    at_oak = client.get(reverse("web:person-list")
                        + f"?location={world.location.uuid}").content.decode()
    assert "OAK-001" in at_oak and "ELM-001" not in at_oak
    assert discharged.reference == "OAK-OLD"


def test_people_list_only_shows_scope(world: World, role_user: Any, client_for: Any) -> None:
    html = client_for(role_user("care_staff")).get(reverse("web:person-list")).content.decode()
    assert "OAK-001" in html and "ELM-001" not in html and "FOR-001" not in html


def test_staff_list_only_shows_scope(world: World, role_user: Any, client_for: Any) -> None:
    html = client_for(role_user("senior_carer")).get(reverse("web:staff-list")).content.decode()
    assert "Alice Oak" in html and "Bob Elm" not in html and "Carol Foreign" not in html


def test_actions_shown_follow_role(world: World, role_user: Any, client_for: Any) -> None:
    url = reverse("web:location-detail", kwargs={"uuid": world.location.uuid})
    edit = reverse("web:location-edit", kwargs={"uuid": world.location.uuid})
    care = client_for(role_user("care_staff")).get(url).content.decode()
    manager = client_for(role_user("registered_manager")).get(url).content.decode()
    assert edit not in care and "History" not in care and "Who holds roles here" not in care
    assert edit in manager and "History" in manager and "Who holds roles here" in manager
    assert "Archive location" not in manager
    nav_care = client_for(role_user("care_staff")).get(reverse("web:home")).content.decode()
    assert 'href="/staff/"' not in nav_care and 'href="/organisation/"' not in nav_care
    assert 'href="/framework/"' in nav_care


def test_htmx_history_restore_gets_whole_page(world: World, role_user: Any,
                                              client_for: Any) -> None:
    client = client_for(role_user("administrator"))
    response = client.get(reverse("web:staff-list") + "?q=alice", HTTP_HX_REQUEST="true",
                          HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]
