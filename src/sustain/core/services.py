"""Generic tracked writes: every create, update, archive and restore is validated, versioned
and recorded in history. Domain services call these after their own permission checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sustain.core import events
from sustain.core.errors import Conflict, InvalidInput, from_django_validation
from sustain.core.history import record_change, snapshot
from sustain.core.models import BaseModel

M = TypeVar("M", bound=BaseModel)


def _organisation_of(obj: BaseModel) -> Any:
    org = getattr(obj, "organisation", None)
    return org if org is not None else obj  # the Organisation is its own tenant


def _constraint_field_map(obj: BaseModel) -> dict[str, str]:
    """Map a unique constraint's message to the field it is about (not the tenant column)."""
    mapping: dict[str, str] = {}
    for constraint in obj._meta.constraints:
        fields = [f for f in getattr(constraint, "fields", ()) if f != "organisation"]
        message = getattr(constraint, "violation_error_message", None)
        if fields and message:
            mapping[str(message)] = fields[-1]
    return mapping


def full_clean_or_raise(obj: BaseModel, *, exclude: list[str] | None = None) -> None:
    """Run model validation; name the field for constraint failures too."""
    try:
        obj.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict") and "__all__" in exc.error_dict:
            mapping = _constraint_field_map(obj)
            errors = exc.message_dict
            general = []
            for message in errors.pop("__all__"):
                field = mapping.get(message)
                if field:
                    errors.setdefault(field, []).append(message)
                else:
                    general.append(message)
            if general:
                errors["non_field_errors"] = general
            exc = DjangoValidationError(errors)
        raise from_django_validation(exc) from exc


def _save(obj: BaseModel, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError as exc:
        raise InvalidInput("The record conflicts with an existing one.",
                           {"non_field_errors": [str(exc).splitlines()[0]]}) from exc


def tracked_create(*, actor: Any, obj: M, m2m: Mapping[str, Any] | None = None,
                   message: str = "") -> M:
    """Validate, insert and record a new record (with optional many-to-many values)."""
    with transaction.atomic():
        full_clean_or_raise(obj)
        _save(obj, force_insert=True)
        for name, values in (m2m or {}).items():
            getattr(obj, name).set(values)
        record_change(organisation=_organisation_of(obj), actor=actor, obj=obj,
                      action="create", before=None, after=snapshot(obj), message=message)
        events.emit(actor=actor, action="create", objs=[obj])
    return obj


def tracked_update(*, actor: Any, obj: M, changes: Mapping[str, Any],
                   expected_version: int | None, m2m: Mapping[str, Any] | None = None,
                   message: str = "") -> M:
    """Apply changes if nobody saved the record since `expected_version`; else raise Conflict.

    `expected_version=None` is for system writes only; user-facing callers pass the version
    the user saw.
    """
    model = type(obj)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=obj.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(
                f"This {model._meta.verbose_name} was changed by someone else "
                f"(version {current.version}, you edited version {expected_version}). "
                "Reload it and apply your change again.",
                {"version": [f"expected {expected_version}, current {current.version}"]},
            )
        before = snapshot(current)
        for field, value in changes.items():
            setattr(current, field, value)
        full_clean_or_raise(current)
        current.version += 1
        _save(current)
        for name, values in (m2m or {}).items():
            getattr(current, name).set(values)
        after = snapshot(current)
        if before != after or message:
            record_change(organisation=_organisation_of(current), actor=actor, obj=current,
                          action="update", before=before, after=after, message=message)
        events.emit(actor=actor, action="update", objs=[current],
                    fields={*changes, *(m2m or {})})
    return current


def tracked_archive(*, actor: Any, obj: M, reason: str = "", restore: bool = False,
                    changes: Mapping[str, Any] | None = None) -> M:
    """Archive (or restore) a record: it stays readable in history, never deleted.

    `changes` are field values set in the same step (e.g. deactivating an archived account).
    """
    model = type(obj)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=obj.pk)
        if restore and current.archived_at is None:
            raise InvalidInput("This record is not archived.")
        if not restore and current.archived_at is not None:
            raise InvalidInput("This record is already archived.")
        before = snapshot(current)
        current.archived_at = None if restore else timezone.now()
        for field, value in (changes or {}).items():
            setattr(current, field, value)
        current.version += 1
        _save(current)
        record_change(organisation=_organisation_of(current), actor=actor, obj=current,
                      action="restore" if restore else "archive", before=before,
                      after=snapshot(current), message=reason)
        events.emit(actor=actor, action="restore" if restore else "archive", objs=[current],
                    fields={"archived_at", *(changes or {})})
    return current
