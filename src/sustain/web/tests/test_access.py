"""Every page for every role: allowed → 200, role without the permission → 403, a record
outside the user's scope or in another organisation → 404, anonymous → sign-in page.

Expected statuses are derived from the role table in engine/access.py (the source of truth
for what a role may do) plus the scope each role is given in conftest.ROLE_SCOPE; explicit
spot checks below pin the most important cases by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from sustain.engine.access import ROLE_PERMISSIONS, Perm, Role
from sustain.web.tests.conftest import ROLE_SCOPE, World

ROLES = [r.value for r in Role]


@dataclass(frozen=True)
class Page:
    name: str
    view: Perm | None = None          # needed somewhere, else 403
    action: Perm | None = None        # needed over the record, else 403
    record: str | None = None         # attribute of World naming the record (by target)
    missing_view: int = 403           # status when the role lacks `view` everywhere
    label: str | None = None          # history pages: "app_label.model"

    def url(self, world: World, target: str) -> str:
        if self.record is None:
            return reverse(f"web:{self.name}")
        attr = {"own": self.record, "sibling": f"sibling_{self.record}",
                "foreign": f"foreign_{self.record}"}[target]
        if self.record == "location" and target != "own":
            attr = f"{target}_location"
        obj = getattr(world, attr)
        if self.label:
            return reverse("web:history", kwargs={"label": self.label, "uuid": obj.uuid})
        return reverse(f"web:{self.name}", kwargs={"uuid": obj.uuid})


PAGES = [
    Page("home"),
    Page("location-list", view=Perm.LOCATION_VIEW),
    Page("location-detail", view=Perm.LOCATION_VIEW, record="location"),
    Page("location-create", view=Perm.LOCATION_VIEW, action=Perm.LOCATION_CREATE),
    Page("location-edit", view=Perm.LOCATION_VIEW, action=Perm.LOCATION_CHANGE,
         record="location"),
    Page("person-list", view=Perm.PERSON_VIEW),
    Page("person-detail", view=Perm.PERSON_VIEW, record="person"),
    Page("person-create", view=Perm.PERSON_VIEW, action=Perm.PERSON_CHANGE),
    Page("person-edit", view=Perm.PERSON_VIEW, action=Perm.PERSON_CHANGE, record="person"),
    Page("staff-list", view=Perm.STAFF_VIEW),
    Page("staff-detail", view=Perm.STAFF_VIEW, record="staff"),
    Page("staff-create", view=Perm.STAFF_VIEW, action=Perm.STAFF_CHANGE),
    Page("staff-edit", view=Perm.STAFF_VIEW, action=Perm.STAFF_CHANGE, record="staff"),
    Page("org-admin", view=Perm.USER_MANAGE),
    Page("history", view=Perm.LOCATION_VIEW, action=Perm.HISTORY_VIEW, record="location",
         label="tenancy.location"),
    Page("history", view=Perm.PERSON_VIEW, action=Perm.HISTORY_VIEW, record="person",
         label="people.personsupported", missing_view=404),
    Page("history", view=Perm.STAFF_VIEW, action=Perm.HISTORY_VIEW, record="staff",
         label="people.staffmember", missing_view=404),
]


def expected(role: str, page: Page, target: str) -> int:
    grants = ROLE_PERMISSIONS[Role(role)]
    if page.view is not None and page.view not in grants:
        return page.missing_view
    if page.record is not None:
        if target == "foreign":
            return 404
        if target == "sibling" and ROLE_SCOPE[role] != "organisation":
            return 404
    if page.action is not None and page.action not in grants:
        return 403
    return 200


def _id(page: Page) -> str:
    return page.label or page.name


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_page_status_for_role_on_own_records(role: str, page: Page, world: World,
                                              role_user: Callable[[str], Any],
                                              client_for: Callable[[Any], Any]) -> None:
    client = client_for(role_user(role))
    response = client.get(page.url(world, "own"))
    assert response.status_code == expected(role, page, "own"), response.content[:300]


RECORD_PAGES = [p for p in PAGES if p.record is not None]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", RECORD_PAGES, ids=_id)
@pytest.mark.parametrize("target", ["sibling", "foreign"])
def test_records_outside_scope_are_not_found(role: str, page: Page, target: str, world: World,
                                             role_user: Callable[[str], Any],
                                             client_for: Callable[[Any], Any]) -> None:
    client = client_for(role_user(role))
    response = client.get(page.url(world, target))
    assert response.status_code == expected(role, page, target)


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_anonymous_is_sent_to_sign_in(page: Page, world: World, client: Any) -> None:
    url = page.url(world, "own")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
    assert "next=" in response["Location"]


POST_ONLY = ["location-archive", "location-restore", "person-archive", "person-restore",
             "staff-archive", "staff-restore"]


@pytest.mark.parametrize("name", POST_ONLY)
def test_archive_endpoints_refuse_get(name: str, world: World, role_user: Any,
                                      client_for: Any) -> None:
    record = {"location": world.location, "person": world.person,
              "staff": world.staff}[name.split("-")[0]]
    client = client_for(role_user("administrator"))
    assert client.get(reverse(f"web:{name}", kwargs={"uuid": record.uuid})).status_code == 405


# --- Spot checks written out by hand --------------------------------------------------------

def test_care_staff_cannot_open_staff_list(world: World, role_user: Any, client_for: Any) -> None:
    response = client_for(role_user("care_staff")).get(reverse("web:staff-list"))
    assert response.status_code == 403
    assert b"You do not have permission to see this page" in response.content


def test_board_member_sees_locations_but_not_people(world: World, role_user: Any,
                                                    client_for: Any) -> None:
    client = client_for(role_user("board_member"))
    assert client.get(reverse("web:location-list")).status_code == 200
    assert client.get(reverse("web:person-list")).status_code == 403
    url = reverse("web:person-detail", kwargs={"uuid": world.person.uuid})
    assert client.get(url).status_code == 403


def test_registered_manager_edits_own_location_only(world: World, role_user: Any,
                                                    client_for: Any) -> None:
    client = client_for(role_user("registered_manager"))
    own = reverse("web:location-edit", kwargs={"uuid": world.location.uuid})
    other = reverse("web:location-edit", kwargs={"uuid": world.sibling_location.uuid})
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404


def test_deputy_manager_cannot_edit_location(world: World, role_user: Any,
                                             client_for: Any) -> None:
    client = client_for(role_user("deputy_manager"))
    url = reverse("web:location-edit", kwargs={"uuid": world.location.uuid})
    assert client.get(url).status_code == 403


def test_foreign_location_is_404_even_for_administrator(world: World, role_user: Any,
                                                         client_for: Any) -> None:
    client = client_for(role_user("administrator"))
    url = reverse("web:location-detail", kwargs={"uuid": world.foreign_location.uuid})
    assert client.get(url).status_code == 404
    assert b"Page not found" in client.get(url).content


def test_unknown_history_kind_is_404(world: World, role_user: Any, client_for: Any) -> None:
    client = client_for(role_user("administrator"))
    url = reverse("web:history", kwargs={"label": "auth.group", "uuid": world.location.uuid})
    assert client.get(url).status_code == 404
