"""The error envelope in the OpenAPI schema, and a JSON 404 for unknown API paths.

Every API error leaves as `{"message": str, "errors": {field: [str]}}` (see `core.drf`). Paths
under /api/ that match no route get the same envelope instead of Django's HTML page.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import Resolver404, resolve
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorEnvelopeSerializer(serializers.Serializer):
    """What every error response looks like."""

    message = serializers.CharField(help_text="A sentence a person can act on.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field (or `non_field_errors`); empty when not about a field.")


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorEnvelopeSerializer, description=description)


def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """404 in the envelope; hints at the trailing slash when that is the only difference."""
    message = "Not found."
    if not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            message = f"Not found. Did you mean {request.path_info}/ (with a trailing slash)?"
    return JsonResponse({"message": message, "errors": {}}, status=404)
