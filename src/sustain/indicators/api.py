"""REST resources (read-only): `indicators/` (the organisation's definitions) and
`indicator-values/` (values per location and period, each with its SPC fields)."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from sustain.core.api import ScopedReadViewSet
from sustain.engine.access import Perm
from sustain.indicators import permissions as perms
from sustain.indicators import selectors
from sustain.indicators.filters import IndicatorFilter, IndicatorValueFilter
from sustain.indicators.models import Indicator, IndicatorValue
from sustain.indicators.serializers import IndicatorSerializer, IndicatorValueSerializer


class IndicatorViewSet(ScopedReadViewSet):
    """The organisation's indicators (library copies and custom ones): how each value is
    computed (numerator / denominator × multiplier), direction, target, frequency, minimum
    points and kind (for alerting). Filter by `code`, `source`, `kind`, `frequency`,
    `direction`."""

    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    view_permission = Perm.THEME_VIEW
    filter_visible = staticmethod(perms.filter_indicators_visible)
    ordering_fields = ["name", "code"]


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
