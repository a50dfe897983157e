"""REST resources for escalations (ADR 0014):

- `escalation-rules/`: organisation rules, current versions (create, update — a new version —
  and archive through the services; `POST escalation-rules/preview/` runs a draft rule over
  the last 90 days without saving it);
- `escalations/`: firings (read-only; filters; `?board=1` for firings with a task in the board
  report);
- `tasks/`: response tasks (read-only; `POST tasks/{id}/complete/` with the fulfilling record
  or a written note, `POST tasks/{id}/cancel/` with a reason).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions as drf_exceptions
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sustain.core.api import ScopedReadViewSet, TenantModelViewSet
from sustain.core.errors import InvalidInput
from sustain.engine.access import Perm
from sustain.escalations import permissions as perms
from sustain.escalations.filters import (
    EscalationRuleFilter,
    EscalationTaskFilter,
    FiringFilter,
)
from sustain.escalations.models import EscalationRule, EscalationTask, Firing
from sustain.escalations.serializers import (
    EscalationRuleSerializer,
    EscalationTaskSerializer,
    FiringSerializer,
    RulePreviewRequestSerializer,
    RulePreviewSerializer,
    TaskCancelSerializer,
    TaskCompleteSerializer,
    describe_yaml,
)


def _services() -> Any:
    """The escalation services (imported when first used)."""
    from sustain.escalations import services

    return services


def preview_payload(result: Any) -> dict[str, Any]:
    """`services.rule_preview`'s answer as plain data (for the API and the web page)."""
    return {"count": result.count, "days": result.days, "summary": result.summary,
            "description": "",
            "per_location": [{"location": p.location_id, "name": p.name, "count": p.count}
                             for p in result.locations],
            "examples": list(result.examples)}


class EscalationRuleViewSet(TenantModelViewSet):
    """Organisation escalation rules (current versions; `?include_archived=1` for archived
    ones). Create with `yaml` (and `locations`, empty: every location); an update with `yaml`,
    `active`, `locations` and `version` stores a new version (the earlier one is kept, so a
    firing names the exact rule it ran). A rule that does not validate is refused with the
    line and field in the errors."""

    queryset = EscalationRule.objects.prefetch_related("locations")
    serializer_class = EscalationRuleSerializer
    filterset_class = EscalationRuleFilter
    view_permission = Perm.ESCALATION_VIEW
    filter_visible = staticmethod(perms.filter_rules_visible)
    ordering_fields = ["code", "title", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet:
        qs = super().get_queryset()
        if self.action == "list":
            qs = qs.filter(is_current=True)
        return qs

    def create_object(self, data: dict[str, Any]) -> EscalationRule:
        user = self.request.user
        return _services().rule_create(
            actor=user, yaml_text=data["yaml"],
            location_ids=list(data.get("locations") or []))

    def update_object(self, obj: EscalationRule, data: dict[str, Any],
                      expected_version: int) -> EscalationRule:
        locations = data.get("locations")
        location_ids = list(locations) if locations is not None else list(obj.locations.all())
        return _services().rule_update(
            actor=self.request.user, rule=obj, expected_version=expected_version,
            yaml_text=data.get("yaml", obj.yaml), active=data.get("active", obj.active),
            location_ids=location_ids)

    def archive_object(self, obj: EscalationRule, reason: str,
                       restore: bool) -> EscalationRule:
        if restore:
            raise drf_exceptions.MethodNotAllowed(
                "POST", detail="An archived rule is not restored: add it again.")
        return _services().rule_archive(actor=self.request.user, rule=obj,
                                     expected_version=obj.version, reason=reason)

    @extend_schema(request=RulePreviewRequestSerializer, responses={
        200: RulePreviewSerializer,
        400: OpenApiResponse(description="The rule does not validate: the errors name the "
                                         "line and field (or `yaml`, `locations`).")})
    @action(detail=False, methods=["post"])
    def preview(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """How many times the draft rule would have fired in the last `days` (default 90)
        days, per location, with examples. Nothing is saved."""
        body = RulePreviewRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        result = _services().rule_preview(
            actor=request.user, yaml_text=data["yaml"],
            location_ids=[str(u) for u in data.get("locations") or []] or None,
            days=data["days"])
        payload = preview_payload(result)
        payload["description"] = describe_yaml(data["yaml"])
        return Response(RulePreviewSerializer(payload).data)


_TASKS = EscalationTask.objects.select_related("owner", "firing", "location", "staff_member",
                                               "person")


class FiringViewSet(ScopedReadViewSet):
    """Times a rule's trigger became true: the rule (code, version, title), the matching
    records, who or what it is about, and its response tasks with their state. Filters:
    `location_id`, `status`, `rule_code`, `theme_id`, `staff_member_id` (and more, see the
    parameters); `board=1`: firings with an open task in the board report."""

    queryset = Firing.objects.select_related(
        "location", "rule", "theme", "staff_member", "person").prefetch_related(
        Prefetch("tasks", queryset=_TASKS))
    serializer_class = FiringSerializer
    filterset_class = FiringFilter
    view_permission = Perm.ESCALATION_VIEW
    filter_visible = staticmethod(perms.filter_firings_visible)
    ordering_fields = ["triggered_at", "created_at"]



class EscalationTaskViewSet(ScopedReadViewSet):
    """Required responses: owner (role and person), due, place on the escalation ladder and
    what fulfilled them. `POST {id}/complete/` with the fulfilling record (`record_type` +
    `record`) or a written `note`, and the `version` you saw; a record that does not match
    the task (type, subject, place, after the trigger) is refused with the reason on `record`.
    `POST {id}/cancel/` needs a `reason`."""

    queryset = _TASKS
    serializer_class = EscalationTaskSerializer
    filterset_class = EscalationTaskFilter
    view_permission = Perm.ESCALATION_VIEW
    filter_visible = staticmethod(perms.filter_tasks_visible)
    ordering_fields = ["due_at", "created_at"]

    @extend_schema(request=TaskCompleteSerializer, responses={
        200: EscalationTaskSerializer,
        400: OpenApiResponse(description="Refused: the errors name `record`, `record_type`, "
                                         "`note` or `version`"),
        409: OpenApiResponse(description="The task changed since `version`")})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Complete the task with the record that fulfils it, or a written note."""
        task = self.get_object()
        body = TaskCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        record = data.get("record") or None
        record_type = data.get("record_type") or None
        if record is not None and record_type is None:
            record_type = task.fulfilled_by_type
        with transaction.atomic():
            done = _services().task_complete(
                actor=request.user, task=task, expected_version=data["version"],
                record_type=record_type if record is not None else None,
                record_id=str(record) if record is not None else None,
                note=data.get("note") or "")
        return Response(self.get_serializer(done, context={
            **self.get_serializer_context(), "now": timezone.now()}).data)

    @extend_schema(request=TaskCancelSerializer, responses={
        200: EscalationTaskSerializer,
        400: OpenApiResponse(description="Refused: the errors name `reason`"),
        409: OpenApiResponse(description="The task changed since `version`")})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Cancel the task (the reason is required and kept in the history)."""
        task = self.get_object()
        body = TaskCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        reason = (data.get("reason") or "").strip()
        if not reason:
            raise InvalidInput("Say why the task is cancelled.",
                               {"reason": ["Enter why the task is cancelled."]})
        with transaction.atomic():
            done = _services().task_cancel(actor=request.user, task=task,
                                        expected_version=data["version"], reason=reason)
        return Response(self.get_serializer(done).data)
