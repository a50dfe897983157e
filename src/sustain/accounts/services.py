"""Use cases for user accounts: create (with the password validators) and deactivate.

Accounts are never deleted: a deactivated user cannot sign in, and every change is recorded in
the organisation's history (the password hash is never part of a snapshot).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError

from sustain.accounts.models import User
from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.tenancy import permissions as perms
from sustain.tenancy.models import Organisation


def _is_system(actor: Any) -> bool:
    return actor is None or isinstance(actor, str)


def _check_admin(actor: Any, organisation_id: int | None, message: str) -> None:
    """Only an organisation-wide administrator of the same organisation manages accounts."""
    if _is_system(actor):
        return
    if organisation_id is None or actor.organisation_id != organisation_id \
            or not perms.can_manage_users(actor):
        raise PermissionDenied(message)


def user_create(*, actor: Any, organisation: Organisation, username: str, password: str,
                first_name: str = "", last_name: str = "", email: str = "") -> User:
    """Create a user account in `organisation` (administrators only).

    The password must pass the configured validators; failures are reported against the
    `password` field and nothing is written.
    """
    _check_admin(actor, organisation.pk, "Only an administrator can add user accounts.")
    user = User(organisation=organisation, username=username.strip(),
                first_name=first_name.strip(), last_name=last_name.strip(),
                email=email.strip())
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise InvalidInput("Please choose a stronger password.",
                           {"password": [str(m) for m in exc.messages]}) from exc
    user.set_password(password)
    return tracked_create(actor=actor, obj=user)  # type: ignore[type-var]


def user_set_active(*, actor: Any, user: User, active: bool,
                    expected_version: int | None = None) -> User:
    """Deactivate (or reactivate) an account. Administrators cannot deactivate themselves."""
    _check_admin(actor, user.organisation_id,
                 "Only an administrator of this organisation can change this account.")
    if not _is_system(actor) and actor.pk == user.pk and not active:
        raise InvalidInput("You cannot deactivate your own account.",
                           {"non_field_errors": ["You cannot deactivate your own account."]})
    if user.is_active == active:
        state = "active" if active else "deactivated"
        raise InvalidInput(f"This account is already {state}.")
    result = tracked_update(actor=actor, obj=user,  # type: ignore[type-var]
                            changes={"is_active": active}, expected_version=expected_version,
                            message="Account reactivated" if active else "Account deactivated")
    perms.forget_scope(user)
    return result


def user_deactivate(*, actor: Any, user: User, expected_version: int | None = None) -> User:
    """Stop an account from signing in. Its history and memberships stay readable."""
    return user_set_active(actor=actor, user=user, active=False,
                           expected_version=expected_version)


def user_reactivate(*, actor: Any, user: User, expected_version: int | None = None) -> User:
    """Let a deactivated account sign in again."""
    return user_set_active(actor=actor, user=user, active=True,
                           expected_version=expected_version)


USER_UPDATE_FIELDS = ("first_name", "last_name", "email", "is_active")


def user_update(*, actor: Any, user: User, changes: dict[str, Any],
                expected_version: int | None) -> User:
    """Change an account's name, email or whether it may sign in (administrators only).

    The username and password are not changed here. Administrators cannot deactivate their
    own account; a concurrent change since `expected_version` raises Conflict.
    """
    _check_admin(actor, user.organisation_id,
                 "Only an administrator of this organisation can change this account.")
    unknown = sorted(set(changes) - set(USER_UPDATE_FIELDS))
    if unknown:
        raise InvalidInput("These fields cannot be changed here: " + ", ".join(unknown) + ".",
                           {f: ["This field cannot be changed here."] for f in unknown})
    if not _is_system(actor) and actor.pk == user.pk and changes.get("is_active") is False:
        raise InvalidInput("You cannot deactivate your own account.",
                           {"is_active": ["You cannot deactivate your own account."]})
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    result = tracked_update(actor=actor, obj=user,  # type: ignore[type-var]
                            changes=cleaned, expected_version=expected_version)
    perms.forget_scope(user)
    return result


def user_archive(*, actor: Any, user: User, reason: str = "", restore: bool = False) -> User:
    """Archive an account (it is deactivated and can no longer sign in), or restore it.

    Nothing is deleted: the account, its memberships and its history stay readable.
    """
    _check_admin(actor, user.organisation_id,
                 "Only an administrator of this organisation can archive this account.")
    if not _is_system(actor) and actor.pk == user.pk and not restore:
        raise InvalidInput("You cannot archive your own account.",
                           {"non_field_errors": ["You cannot archive your own account."]})
    result = tracked_archive(actor=actor, obj=user,  # type: ignore[type-var]
                             reason=reason, restore=restore, changes={"is_active": restore})
    perms.forget_scope(user)
    return result
