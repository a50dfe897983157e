"""Organisation administration: accounts (password validators, deactivate), roles (grant,
withdraw = archive), regions; each write recorded in history; other organisations untouched."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from sustain.accounts import services as account_services
from sustain.accounts.models import User
from sustain.accounts.tests.factories import UserFactory
from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.tenancy.models import Membership, Region
from sustain.web.tests.conftest import World

GOOD_PASSWORD = "lantern-orchard-47-mossy"


@pytest.fixture
def admin(world: World, role_user: Any) -> Any:
    return role_user("administrator")


@pytest.fixture
def admin_client(admin: Any, client_for: Any) -> Any:
    return client_for(admin)


def _new_user(**overrides: str) -> dict[str, str]:
    data = {"username": "new.carer", "first_name": "Nia", "last_name": "Jones",
            "email": "nia@example.org", "password": GOOD_PASSWORD,
            "password_confirm": GOOD_PASSWORD}
    data.update(overrides)
    return data


def test_admin_creates_user_with_history(admin_client: Any, world: World) -> None:
    response = admin_client.post(reverse("web:org-user-create"), _new_user())
    user = User.objects.get(username="new.carer")
    assert response.status_code == 302
    assert user.organisation == world.org and user.check_password(GOOD_PASSWORD)
    entry = HistoryEntry.objects.get(object_uuid=user.uuid, action="create")
    assert "password" not in entry.after


@pytest.mark.parametrize("password", ["short1", "password123456", "1234567890123"])
def test_weak_password_is_refused_on_the_field(admin_client: Any, password: str) -> None:
    response = admin_client.post(reverse("web:org-user-create"),
                                 _new_user(password=password, password_confirm=password))
    assert response.status_code == 200
    assert response.context["form"].errors.get("password")
    assert not User.objects.filter(username="new.carer").exists()


def test_mismatched_passwords_are_refused(admin_client: Any) -> None:
    response = admin_client.post(reverse("web:org-user-create"),
                                 _new_user(password_confirm=GOOD_PASSWORD + "x"))
    assert response.context["form"].errors.get("password_confirm")
    assert not User.objects.filter(username="new.carer").exists()


def test_duplicate_username_is_refused(admin_client: Any, admin: Any) -> None:
    response = admin_client.post(reverse("web:org-user-create"),
                                 _new_user(username=admin.username))
    assert response.context["form"].errors.get("username")
    assert User.objects.filter(username=admin.username).count() == 1


def test_grant_and_withdraw_role(admin_client: Any, world: World) -> None:
    account = UserFactory(organisation=world.org)
    url = reverse("web:org-user-detail", kwargs={"uuid": account.uuid})
    response = admin_client.post(url, {"role": "registered_manager", "scope": "location",
                                       "location": str(world.location.uuid), "region": ""})
    assert response.status_code == 302
    membership = Membership.objects.get(user=account)
    assert membership.location == world.location and membership.role == "registered_manager"
    admin_client.post(reverse("web:org-membership-withdraw", kwargs={"uuid": membership.uuid}),
                      {"reason": "Moved on"})
    membership.refresh_from_db()
    assert membership.archived_at is not None
    actions = list(HistoryEntry.objects.filter(object_uuid=membership.uuid)
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["create", "archive"]


def test_grant_role_needs_its_target(admin_client: Any, world: World) -> None:
    account = UserFactory(organisation=world.org)
    url = reverse("web:org-user-detail", kwargs={"uuid": account.uuid})
    response = admin_client.post(url, {"role": "quality_lead", "scope": "region",
                                       "region": "", "location": ""})
    assert response.status_code == 200
    assert response.context["form"].errors.get("region")
    assert not Membership.objects.filter(user=account).exists()


def test_grant_role_at_foreign_location_is_refused(admin_client: Any, world: World) -> None:
    account = UserFactory(organisation=world.org)
    url = reverse("web:org-user-detail", kwargs={"uuid": account.uuid})
    response = admin_client.post(url, {"role": "care_staff", "scope": "location",
                                       "location": str(world.foreign_location.uuid)})
    assert response.context["form"].errors.get("location")
    assert not Membership.objects.filter(user=account).exists()


def test_foreign_user_is_not_found(admin_client: Any, world: World) -> None:
    foreign = UserFactory(organisation=world.other_org)
    url = reverse("web:org-user-detail", kwargs={"uuid": foreign.uuid})
    assert admin_client.get(url).status_code == 404
    deactivate = reverse("web:org-user-deactivate", kwargs={"uuid": foreign.uuid})
    assert admin_client.post(deactivate).status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active


def test_deactivate_and_reactivate(admin_client: Any, world: World) -> None:
    account = UserFactory(organisation=world.org)
    admin_client.post(reverse("web:org-user-deactivate", kwargs={"uuid": account.uuid}))
    account.refresh_from_db()
    assert not account.is_active
    admin_client.post(reverse("web:org-user-reactivate", kwargs={"uuid": account.uuid}))
    account.refresh_from_db()
    assert account.is_active
    assert HistoryEntry.objects.filter(object_uuid=account.uuid, action="update").count() == 2


def test_admin_cannot_deactivate_self(admin_client: Any, admin: Any) -> None:
    admin_client.post(reverse("web:org-user-deactivate", kwargs={"uuid": admin.uuid}))
    admin.refresh_from_db()
    assert admin.is_active


def test_add_region_and_duplicate(admin_client: Any, world: World) -> None:
    url = reverse("web:org-region-create")
    assert admin_client.post(url, {"name": "South"}).status_code == 302
    response = admin_client.post(url, {"name": "South"})
    assert response.status_code == 200
    assert response.context["form"].errors.get("name")
    assert Region.objects.filter(organisation=world.org, name="South").count() == 1


def test_non_admin_cannot_administer(world: World, role_user: Any, client_for: Any) -> None:
    client = client_for(role_user("registered_manager"))
    account = UserFactory(organisation=world.org)
    assert client.get(reverse("web:org-user-create")).status_code == 403
    assert client.post(reverse("web:org-user-deactivate",
                               kwargs={"uuid": account.uuid})).status_code == 403
    assert client.post(reverse("web:org-region-create"), {"name": "X"}).status_code == 403
    account.refresh_from_db()
    assert account.is_active


# --- accounts.services directly ----------------------------------------------------------------

def test_user_create_refuses_non_admin(world: World, role_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        account_services.user_create(actor=role_user("registered_manager"),
                                     organisation=world.org, username="x1",
                                     password=GOOD_PASSWORD)


def test_user_create_refuses_other_organisation(world: World, admin: Any) -> None:
    with pytest.raises(PermissionDenied):
        account_services.user_create(actor=admin, organisation=world.other_org,
                                     username="x2", password=GOOD_PASSWORD)


def test_user_create_password_errors_name_the_field(world: World, admin: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        account_services.user_create(actor=admin, organisation=world.org, username="x3",
                                     password="short")
    assert "password" in exc.value.errors
    assert not User.objects.filter(username="x3").exists()
