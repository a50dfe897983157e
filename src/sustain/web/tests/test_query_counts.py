"""The location list and detail pages run the same number of SQL queries for an organisation
with 3 locations as for one with 300 (and with few or many people, staff and roles), for an
organisation-wide user and for a region-scoped user. Query counts, not timings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sustain.accounts.models import User
from sustain.people.models import PersonSupported, StaffMember
from sustain.tenancy.models import Location, Membership

_seq = iter(range(10**6))


def add_locations(org: Any, region: Any, n: int) -> list[Location]:
    """n locations in `region`, each with two people and a staff member."""
    locations = Location.objects.bulk_create([
        Location(organisation=org, region=region, name=f"Home {i:04d}",
                 cqc_location_id=f"1-{700000000 + next(_seq)}", service_type="care_home",
                 capacity=30)
        for i in range(n)])
    locations = list(Location.objects.filter(pk__in=[loc.pk for loc in locations]))
    PersonSupported.objects.bulk_create([
        PersonSupported(organisation=org, location=loc, reference=f"R-{next(_seq)}",
                        initials="AB", admission_date=dt.date(2024, 1, 1))
        for loc in locations for _ in range(2)])
    staff = StaffMember.objects.bulk_create([
        StaffMember(organisation=org, full_name=f"Staff {next(_seq)}", job_role="Carer",
                    start_date=dt.date(2023, 1, 1)) for _ in locations])
    through = StaffMember.locations.through
    through.objects.bulk_create([through(staffmember_id=s.pk, location_id=loc.pk)
                                 for s, loc in zip(staff, locations, strict=True)])
    return locations


def add_people_staff_roles(org: Any, location: Location, n: int) -> None:
    """n more people, staff and role holders at one location."""
    PersonSupported.objects.bulk_create([
        PersonSupported(organisation=org, location=location, reference=f"X-{next(_seq)}",
                        initials="CD", admission_date=dt.date(2024, 1, 1)) for _ in range(n)])
    staff = StaffMember.objects.bulk_create([
        StaffMember(organisation=org, full_name=f"Extra {next(_seq)}", job_role="Carer",
                    start_date=dt.date(2023, 1, 1)) for _ in range(n)])
    through = StaffMember.locations.through
    through.objects.bulk_create([through(staffmember_id=s.pk, location_id=location.pk)
                                 for s in staff])
    users = User.objects.bulk_create([
        User(organisation=org, username=f"holder{next(_seq)}") for _ in range(n)])
    Membership.objects.bulk_create([
        Membership(organisation=org, user=u, role="care_staff", scope="location",
                   location=location) for u in users])


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture(params=["organisation", "region"])
def viewer(request: Any, org: Any, region: Any, make_user: Any) -> Client:
    role = "administrator" if request.param == "organisation" else "quality_lead"
    user = make_user(org, role, scope=request.param, region=region)
    client = Client()
    client.force_login(user)
    return client


def test_location_list_queries_constant(viewer: Client, org: Any, region: Any) -> None:
    add_locations(org, region, 3)
    url = reverse("web:location-list")
    small = count_queries(viewer, url)
    add_locations(org, region, 297)
    large = count_queries(viewer, url)
    assert Location.objects.filter(organisation=org).count() == 300
    assert small == large, (small, large)
    # Filtering and paging keep the count too.
    assert count_queries(viewer, url + "?q=Home&service_type=care_home&page=3") == large


def test_location_detail_queries_constant(viewer: Client, org: Any, region: Any) -> None:
    locations = add_locations(org, region, 3)
    target = locations[0]
    url = reverse("web:location-detail", kwargs={"uuid": target.uuid})
    small = count_queries(viewer, url)
    add_locations(org, region, 297)
    add_people_staff_roles(org, target, 300)
    large = count_queries(viewer, url)
    assert small == large, (small, large)


def test_home_queries_constant(viewer: Client, org: Any, region: Any) -> None:
    add_locations(org, region, 3)
    small = count_queries(viewer, reverse("web:home"))
    add_locations(org, region, 297)
    assert count_queries(viewer, reverse("web:home")) == small


def test_people_and_staff_lists_queries_constant(viewer: Client, org: Any,
                                                 region: Any) -> None:
    locations = add_locations(org, region, 3)
    urls = [reverse("web:person-list"), reverse("web:staff-list"),
            reverse("web:person-list") + f"?location={locations[0].uuid}"]
    small = [count_queries(viewer, u) for u in urls]
    add_locations(org, region, 297)
    add_people_staff_roles(org, locations[0], 100)
    assert [count_queries(viewer, u) for u in urls] == small
