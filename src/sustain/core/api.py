"""API base classes: scoped querysets before any view code, services for every write,
optimistic version checks, archive instead of delete, one error envelope."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Model, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions as drf_exceptions
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sustain.core.errors import InvalidInput, NotFound, PermissionDenied


class ScopedReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Read access: the queryset is scoped by `filter_visible` before any view code runs.

    Subclasses set `queryset`, `serializer_class`, `filterset_class` (or fields),
    `view_permission` (listing needs it somewhere, else 403) and `filter_visible`.
    """

    lookup_field = "uuid"
    view_permission: ClassVar[str | None] = None

    @staticmethod
    def filter_visible(qs: QuerySet, actor: Any) -> QuerySet:  # pragma: no cover - override
        return qs.none()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.view_permission is not None:
            from sustain.tenancy.permissions import has_perm_anywhere

            if not has_perm_anywhere(request.user, self.view_permission):
                raise PermissionDenied("Your role does not give access to these records.")

    def get_queryset(self) -> QuerySet:
        qs = super().get_queryset()
        include_archived = self.request.query_params.get("include_archived") in ("1", "true")
        if self.action == "list" and hasattr(qs.model, "archived_at") and not include_archived:
            qs = qs.filter(archived_at__isnull=True)
        return type(self).filter_visible(qs, self.request.user)


class TenantModelViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadViewSet):
    """Read + create + update + archive/restore. Writes go through services:

    - `create_object(data) -> Model`
    - `update_object(obj, data, expected_version) -> Model`
    - `archive_object(obj, reason, restore) -> Model`

    Every write is re-read through the scoped queryset inside the transaction and rolled back
    if the actor could not see the result.
    """

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create_object(self, data: dict[str, Any]) -> Model:  # pragma: no cover - override
        raise drf_exceptions.MethodNotAllowed("POST")

    def update_object(self, obj: Model, data: dict[str, Any],
                      expected_version: int) -> Model:  # pragma: no cover - override
        raise drf_exceptions.MethodNotAllowed("PATCH")

    def archive_object(self, obj: Model, reason: str,
                       restore: bool) -> Model:  # pragma: no cover - override
        raise drf_exceptions.MethodNotAllowed("POST")

    def _check_visible(self, obj: Model) -> None:
        if not type(self).filter_visible(type(obj)._default_manager.filter(pk=obj.pk),
                                         self.request.user).exists():
            raise PermissionDenied("The result would be outside what you may see.")

    def _expected_version(self, request: Request) -> int:
        raw = request.data.get("version") if hasattr(request.data, "get") else None
        if raw is None:
            raw = request.headers.get("If-Match", "").strip('"') or None
        try:
            return int(raw) if raw is not None else -1
        except (TypeError, ValueError):
            return -1

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            obj = self.create_object(dict(serializer.validated_data))
            self._check_visible(obj)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        expected = self._expected_version(request)
        if expected < 0:
            raise InvalidInput(
                "Send the record's current version so concurrent edits are not overwritten.",
                {"version": ["This field is required."]})
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            obj = self.update_object(instance, dict(serializer.validated_data), expected)
            self._check_visible(obj)
        return Response(self.get_serializer(obj).data)

    @extend_schema(
        request=inline_serializer("ArchiveRequest", {"reason": serializers.CharField(
            required=False, allow_blank=True)}),
        responses={200: OpenApiResponse(description="The archived record")},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Archive the record (it is never deleted; history keeps every version)."""
        obj = self.get_object()
        with transaction.atomic():
            obj = self.archive_object(obj, str(request.data.get("reason", "")), False)
        return Response(self.get_serializer(obj).data)

    @extend_schema(
        request=inline_serializer("RestoreRequest", {"reason": serializers.CharField(
            required=False, allow_blank=True)}),
        responses={200: OpenApiResponse(description="The restored record")},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Bring an archived record back."""
        obj = self.get_object()
        with transaction.atomic():
            obj = self.archive_object(obj, str(request.data.get("reason", "")), True)
        return Response(self.get_serializer(obj).data)


class UUIDRelatedField(serializers.SlugRelatedField):
    """Refer to related records by public UUID; the choices are scoped to what the actor sees."""

    def __init__(self, *, visible: Any = None, **kwargs: Any) -> None:
        self.visible = visible
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self) -> QuerySet:
        qs = super().get_queryset()
        request = self.context.get("request")
        if self.visible is not None and request is not None:
            return self.visible(qs, request.user)
        return qs


__all__ = ["NotFound", "PermissionDenied"]
