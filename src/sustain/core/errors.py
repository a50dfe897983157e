"""Application errors: one hierarchy, one envelope `{"message", "errors": {field: [...]}}`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError as DjangoValidationError


class ApplicationError(Exception):
    """A refusal the user can understand.

    `errors` maps a field (or row, or file:line) to messages.
    """

    status_code = 400

    def __init__(self, message: str, errors: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}


class InvalidInput(ApplicationError):
    status_code = 400


class PermissionDenied(ApplicationError):
    status_code = 403


class NotFound(ApplicationError):
    status_code = 404


class Conflict(ApplicationError):
    """Someone else changed the record since it was read: the save would overwrite their work."""

    status_code = 409


def from_django_validation(exc: DjangoValidationError, message: str | None = None) -> InvalidInput:
    """Turn Django's ValidationError into our envelope, keeping field names."""
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    else:
        errors = {"non_field_errors": [str(m) for m in exc.messages]}
    if message is None:
        fields = [f for f in errors if f != "non_field_errors"]
        if fields:
            message = "Please correct: " + ", ".join(fields) + "."
        else:
            message = "; ".join(errors.get("non_field_errors", ["Invalid input."]))
    return InvalidInput(message, errors)
