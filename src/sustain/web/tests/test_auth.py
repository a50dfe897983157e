"""Sign in (with lockout after repeated failures), sign out by POST, CSRF."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from sustain.accounts.tests.factories import TEST_PASSWORD
from sustain.web.tests.conftest import World


def test_sign_in_lands_on_home_with_my_locations(world: World, role_user: Any) -> None:
    user = role_user("registered_manager")
    client = Client()
    response = client.post(reverse("web:login"), {"username": user.username,
                                                  "password": TEST_PASSWORD}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("web:home")
    assert "Oak House" in html and "Elm Court" not in html
    assert "Registered manager" in html


def test_wrong_password_shows_message(world: World, role_user: Any) -> None:
    user = role_user("care_staff")
    response = Client().post(reverse("web:login"), {"username": user.username,
                                                    "password": "wrong"})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


def test_lockout_after_five_failures(world: World, role_user: Any) -> None:
    user = role_user("care_staff")
    client = Client()
    for _ in range(5):
        response = client.post(reverse("web:login"), {"username": user.username,
                                                      "password": "wrong"})
    response = client.post(reverse("web:login"), {"username": user.username,
                                                  "password": TEST_PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in locked for now" in html and "30 minutes" in html
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_post(world: World, role_user: Any, client_for: Any) -> None:
    client = client_for(role_user("care_staff"))
    assert client.get(reverse("web:logout")).status_code == 405
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert client.get(reverse("web:home")).status_code == 302


def test_csrf_is_enforced(world: World, role_user: Any) -> None:
    user = role_user("administrator")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("web:person-archive", kwargs={"uuid": world.person.uuid}))
    assert response.status_code == 403
    world.person.refresh_from_db()
    assert world.person.archived_at is None


def test_deactivated_user_is_signed_out(world: World, role_user: Any, client_for: Any) -> None:
    user = role_user("registered_manager")
    client = client_for(user)
    user.is_active = False
    user.save()
    assert client.get(reverse("web:home")).status_code == 302
