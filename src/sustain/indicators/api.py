"""REST resources: `indicators/` (the organisation's definitions; custom ones are created,
changed and archived here with `indicator.manage`), `indicator-values/` (read-only: values
per location and period, each with its SPC fields) and `funnels/{code}/` (an indicator's
funnel plot over the locations the reader sees)."""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sustain.core.api import ScopedReadViewSet, TenantModelViewSet
from sustain.core.errors import NotFound, PermissionDenied
from sustain.engine.access import Perm
from sustain.indicators import permissions as perms
from sustain.indicators import selectors
from sustain.indicators.filters import IndicatorFilter, IndicatorValueFilter
from sustain.indicators.models import Indicator, IndicatorValue
from sustain.indicators.serializers import (
    ComputationSerializer,
    FunnelSerializer,
    IndicatorSerializer,
    IndicatorValueSerializer,
)
from sustain.tenancy.models import Organisation
from sustain.tenancy.permissions import actor_organisation_id, has_perm_anywhere


def _services() -> Any:
    from sustain.indicators import services

    return services


class IndicatorViewSet(TenantModelViewSet):
    """The organisation's indicators (library copies and custom ones): how each value is
    computed (numerator / denominator × multiplier), direction, target, frequency, minimum
    points and kind (for alerting). Filter by `code`, `source`, `kind`, `frequency`,
    `direction`.

    With `indicator.manage` over the organisation: `POST` creates a custom indicator
    (computed — `numerator` and `denominator` name computations, see `computations/` — or
    imported, `source: imported`, whose values come by the `indicator_values` import);
    `PATCH` (with `version`) changes one — a library copy only its `target`,
    `minimum_points` and `frequency`; `archive/` retires one (never deleted). Every
    problem is answered 400 naming the field."""

    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    view_permission = Perm.THEME_VIEW
    filter_visible = staticmethod(perms.filter_indicators_visible)
    ordering_fields = ["name", "code"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create_object(self, data: dict[str, Any]) -> Indicator:
        user = self.request.user
        org = Organisation.objects.get(pk=actor_organisation_id(user))
        return _services().indicator_create(actor=user, organisation=org, **data)

    def update_object(self, obj: Indicator, data: dict[str, Any],
                      expected_version: int) -> Indicator:
        return _services().indicator_update(actor=self.request.user, indicator=obj,
                                            expected_version=expected_version, changes=data)

    def archive_object(self, obj: Indicator, reason: str, restore: bool) -> Indicator:
        return _services().indicator_archive(actor=self.request.user, indicator=obj,
                                             reason=reason, restore=restore)

    @extend_schema(
        request={"multipart/form-data": {"type": "object", "properties": {
            "location": {"type": "string", "format": "uuid"},
            "file": {"type": "string", "format": "binary"},
            "commit": {"type": "boolean"}}}},
        responses={200: OpenApiResponse(description="Rows found and problems; `written`."),
                   400: OpenApiResponse(description="Problems: nothing written.")})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def upload(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Import an imported indicator's values at a location from a CSV or XLSX file
        (columns indicator_code, period, numerator, denominator). Without `commit` (a
        preview) or with any problem nothing is written; the problems name row and
        column."""
        import uuid as uuid_module

        from django.utils import timezone

        from sustain.core.errors import InvalidInput
        from sustain.indicators.upload import values_upload
        from sustain.tenancy.models import Location

        indicator = self.get_object()
        upload = request.FILES.get("file")
        try:
            key = uuid_module.UUID(str(request.data.get("location")))
        except ValueError:
            key = None
        location = Location.objects.filter(uuid=key, organisation_id=indicator.organisation_id,
                                           archived_at__isnull=True).first() if key else None
        if location is None or upload is None:
            raise InvalidInput("Give the location and the file.", {
                **({"location": ["Unknown location."]} if location is None else {}),
                **({"file": ["Attach the spreadsheet."]} if upload is None else {})})
        commit = str(request.data.get("commit", "")).lower() in ("1", "true", "yes")
        with transaction.atomic():
            result = values_upload(actor=request.user, indicator=indicator, location=location,
                                   fileobj=upload, size=upload.size,
                                   today=timezone.localdate(), write=commit)
        body = {"ok": result.ok, "written": result.written, "created": result.created,
                "updated": result.updated, "rows": len(result.rows),
                "file_problems": result.file_problems,
                "problems": [{"row": p.row, "column": p.column, "message": p.message}
                             for p in result.problems]}
        return Response(body, status=200 if result.ok else 400)

    @extend_schema(responses={200: ComputationSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def computations(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The named computations a computed indicator's numerator and denominator come
        from, each with what it counts."""
        from sustain.indicators.compute import COMPUTATIONS

        return Response(ComputationSerializer(
            [{"name": c.name, "label": c.label} for c in COMPUTATIONS.values()],
            many=True).data)


class IndicatorValueViewSet(ScopedReadViewSet):
    """Indicator values per location and period, with their integer numerator and denominator
    and the point's SPC fields (mean, limits, point type, rule, trial) computed over the
    location's whole series of the indicator. Filter by `indicator_id` or `indicator` (code),
    `location_id`, `period_from` / `period_to` (period start dates), `source`."""

    queryset = IndicatorValue.objects.select_related("indicator", "location")
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    view_permission = Perm.THEME_VIEW
    filter_visible = staticmethod(perms.filter_indicator_values_visible)
    ordering_fields = ["period_start", "created_at"]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        serializer = self.get_serializer(rows, many=True, context=self._context(rows))
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        return Response(self.get_serializer(obj, context=self._context([obj])).data)

    def _context(self, rows: list[IndicatorValue]) -> dict[str, Any]:
        return {**self.get_serializer_context(), "spc": selectors.spc_points(rows)}


def _number(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else x


def funnel_payload(view: Any) -> dict[str, Any]:
    """`selectors.funnel_for`'s answer as plain data."""
    f = view.funnel
    limits = view.limits()
    ind = view.indicator
    return {
        "indicator": {"id": str(ind.uuid), "code": ind.code, "name": ind.name,
                      "unit": ind.unit, "kind": ind.kind, "direction": ind.direction,
                      "multiplier": ind.multiplier},
        "window_start": view.window_start, "window_end": view.window_end,
        "kind": str(f.kind), "target": f.target,
        "overdispersion": {"n": f.overdispersion.n, "phi": _number(f.overdispersion.phi),
                           "tau2": f.overdispersion.tau2,
                           "adjusted": f.overdispersion.adjusted,
                           "explanation": f.overdispersion.explanation},
        "locations": [{"id": r.location.uuid, "name": r.location.name, "count": r.count,
                       "exposure": r.exposure, "rate": _number(r.unit.value),
                       "z": _number(r.unit.z), "z_adjusted": _number(r.unit.z_adjusted),
                       "position": str(r.unit.position), "judgement": str(r.unit.judgement),
                       "explanation": r.unit.explanation} for r in view.rows],
        "limits": [] if limits is None else [
            {"exposure": float(e), "lower95": float(a), "upper95": float(b),
             "lower998": float(c), "upper998": float(d)}
            for e, a, b, c, d in zip(limits.exposure, limits.lower95, limits.upper95,
                                     limits.lower998, limits.upper998, strict=True)],
        "rule_version": f.rule_version,
    }


class FunnelApi(APIView):
    """An indicator's funnel plot over the rolling 12 complete months."""

    @extend_schema(
        operation_id="funnel_retrieve", tags=["indicators"],
        summary="Funnel plot of an indicator",
        description=(
            "Every location the reader may see (`theme.view`) with its count (sum of "
            "numerators) and exposure (sum of denominators) over the 12 complete months "
            "before today, its rate, z-score (plain and adjusted for overdispersion), "
            "position against the 95 % and 99.8 % limits and judgement by the indicator's "
            "direction; the limits at 41 exposures for drawing; the overdispersion used "
            "(Spiegelhalter). Rate, rare-count and proportion indicators only (400 "
            "otherwise); 404 for an unknown code. `until` (ISO date) moves the window."),
        responses={200: FunnelSerializer, 400: OpenApiResponse(description="No funnel."),
                   404: OpenApiResponse(description="Unknown indicator code.")})
    def get(self, request: Request, code: str) -> Response:
        import datetime as dt

        from sustain.core.errors import InvalidInput

        user = request.user
        if not has_perm_anywhere(user, Perm.THEME_VIEW):
            raise PermissionDenied("Your role does not give access to these records.")
        indicator = perms.filter_indicators_visible(
            Indicator.objects.filter(code=code, archived_at__isnull=True), user).first()
        if indicator is None:
            raise NotFound(f"There is no indicator with the code {code!r}.")
        until = None
        if request.query_params.get("until"):
            try:
                until = dt.date.fromisoformat(request.query_params["until"])
            except ValueError as exc:
                raise InvalidInput("Give `until` as a date like 2026-11-27.",
                                   {"until": ["Enter a date like 2026-11-27."]}) from exc
        view = selectors.funnel_for(indicator, user, until=until)
        return Response(FunnelSerializer(funnel_payload(view)).data)
