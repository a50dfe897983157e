"""GET /api/v1/provider-dashboard/ and GET /api/v1/locations/{uuid}/dashboard/: the facts of
the dashboard pages, with each location's risk score and its components."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sustain.core.api_errors import error_response
from sustain.core.errors import NotFound, PermissionDenied
from sustain.dashboards import panels, selectors
from sustain.dashboards.serializers import (
    LocationDashboardSerializer,
    ProviderDashboardSerializer,
)
from sustain.engine.access import Perm
from sustain.tenancy.permissions import has_perm_anywhere


def row_data(row: selectors.LocationRow) -> dict[str, Any]:
    score = row.score
    assert score is not None
    return {
        "rank": row.position, "location": row.location.uuid, "name": row.location.name,
        "rating": row.rating, "rating_label": row.rating_label,
        "inspection_date": row.inspection_date, "rating_shown": row.rating_known,
        "themes_by_stage": row.stages, "open_themes": row.open_themes,
        "drift": row.drift, "drift_shown": row.drift_known,
        "open_concern_signals": row.open_concerns,
        "overdue_interpretations": row.overdue_interpretations,
        "overdue_governance": row.overdue_governance,
        "open_escalations": row.open_tasks, "overdue_escalations": row.overdue_tasks,
        "risk": {"total": score.total, "explanation": score.explanation,
                 "rule_version": score.rule_version, "components": score.components},
    }


def provider_data(board: selectors.ProviderDashboard) -> dict[str, Any]:
    columns = board.heat_map.columns
    return {
        "generated_at": board.now, "rule": board.rule, "rule_version": board.rule_version,
        "locations": [row_data(r) for r in board.rows],
        "heat_map": {"columns": columns, "rows": [
            {"location": row.location.uuid, "name": row.location.name, "cells": [
                {"column": col.key, "stage": cell.stage, "label": cell.label,
                 "themes": cell.themes} for col, cell in zip(columns, cells, strict=True)]}
            for row, cells in board.heat_map.rows]},
    }


def location_data(d: panels.LocationDashboard, now: Any) -> dict[str, Any]:
    signals = None
    if d.signals is not None:
        signals = {"total": d.signals.total,
                   "overdue": d.signals.overdue, "items": [
                       {"uuid": i.signal.uuid, "indicator": i.signal.indicator.name,
                        "period_start": i.signal.period_start, "raised_at": i.signal.raised_at,
                        "due_at": i.signal.due_at, "overdue": i.overdue}
                       for i in d.signals.items]}
    themes = None
    if d.themes is not None:
        themes = [{"uuid": t.uuid, "title": t.title, "stage": g.stage, "stage_label": g.label,
                   "stage_since": t.stage_since} for g in d.themes for t in g.themes]
    governance = None
    if d.governance is not None:
        governance = {"total": d.governance.total, "items": [
            {"uuid": o.uuid, "title": o.cadence.title, "due_at": o.due_at}
            for o in d.governance.items]}
    escalations = None
    if d.escalations is not None:
        escalations = {"total": d.escalations.total, "overdue": d.escalations.overdue,
                       "items": [{"uuid": t.uuid, "title": t.title, "firing": t.firing.uuid,
                                  "due_at": t.due_at, "overdue": t.is_overdue}
                                 for t in d.escalations.items]}
    return {
        "generated_at": now, "location": row_data(d.row),
        "indicators": None if d.charts is None else d.charts.summaries,
        "signals": signals,
        "drift": d.row.drift if d.drift is not None else None,
        "themes": themes, "governance_overdue": governance, "escalations_open": escalations,
    }


class ProviderDashboardView(APIView):
    @extend_schema(
        operation_id="provider_dashboard_retrieve", summary="Provider dashboard",
        description=(
            "Every location the signed-in user may see (theme.view), highest risk first, "
            "with its latest CQC rating, open themes by stage, drift index, concern signals, "
            "overdue governance and open escalation tasks, and its risk score with each "
            "component's points and sentence (rule in `rule`, ADR 0018). A count the user's "
            "role does not show at a location is null and scores nothing. `heat_map`: "
            "locations × playbooks, each cell the most at-risk stage of that location's "
            "themes following the playbook."),
        responses={200: ProviderDashboardSerializer, 401: error_response("Not signed in."),
                   403: error_response("The role gives theme.view nowhere.")},
        tags=["dashboards"])
    def get(self, request: Request) -> Response:
        if not has_perm_anywhere(request.user, Perm.THEME_VIEW):
            raise PermissionDenied("Your role does not give access to these records.")
        board = selectors.provider_dashboard(request.user, timezone.now())
        return Response(ProviderDashboardSerializer(provider_data(board)).data)


class LocationDashboardView(APIView):
    @extend_schema(
        operation_id="location_dashboard_retrieve", summary="Location dashboard",
        description=(
            "One location's dashboard: its row of facts and risk score (as on the provider "
            "dashboard), indicator cards (latest variation and assurance icons), concern "
            "signals awaiting interpretation, drift (needs governance.view), themes by stage, "
            "overdue governance occurrences and open escalation tasks (the first 10 of each "
            "list, with totals). A panel the user's role does not show is null."),
        responses={200: LocationDashboardSerializer, 401: error_response("Not signed in."),
                   403: error_response("The role gives theme.view nowhere."),
                   404: error_response("No such location, or not visible to the user.")},
        tags=["dashboards"])
    def get(self, request: Request, uuid: Any) -> Response:
        user = request.user
        if not has_perm_anywhere(user, Perm.THEME_VIEW):
            raise PermissionDenied("Your role does not give access to these records.")
        place = selectors.visible_locations(user).filter(uuid=uuid).first()
        if place is None:
            raise NotFound("No such location.")
        now = timezone.now()
        dashboard = panels.location_dashboard(user, place, now, render=False)
        return Response(LocationDashboardSerializer(location_data(dashboard, now)).data)
