"""DRF plumbing that settings import by path: pagination and the one error envelope.

Kept apart from `core.api` so DRF can import it while its own modules are loading."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sustain.core.errors import ApplicationError, from_django_validation


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF error detail (nested dicts/lists) → {"field" or "field.sub" or "row.N": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "non_field_errors" if key == "non_field_errors" and not prefix else \
                f"{prefix}{key}"
            for k, v in _flatten(value, f"{name}.").items():
                out.setdefault(k, []).extend(v)
            if not isinstance(value, dict | list):
                out.setdefault(name, []).append(str(value))
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            out[prefix.rstrip(".") or "non_field_errors"] = [str(v) for v in detail]
        else:
            for i, value in enumerate(detail):
                for k, v in _flatten(value, f"{prefix}{i}.").items():
                    out.setdefault(k, []).extend(v)
    else:
        out[prefix.rstrip(".") or "non_field_errors"] = [str(detail)]
    return out


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error leaves as `{"message": str, "errors": {field: [str]}}`."""
    if isinstance(exc, DjangoValidationError):
        exc = from_django_validation(exc)
    if isinstance(exc, ApplicationError):
        return Response({"message": exc.message, "errors": exc.errors}, status=exc.status_code)
    if isinstance(exc, Http404):
        return Response({"message": "Not found.", "errors": {}}, status=404)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        errors = _flatten(exc.detail)
        fields = [f for f in errors if f != "non_field_errors"]
        message = ("Please correct: " + ", ".join(fields) + ".") if fields else \
            "; ".join(errors.get("non_field_errors", ["Invalid input."]))
        response.data = {"message": message, "errors": errors}
    else:
        detail = getattr(exc, "detail", str(exc))
        response.data = {"message": str(detail), "errors": {}}
    return response
