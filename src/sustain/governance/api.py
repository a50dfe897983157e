"""REST resources: `cadences/` (create, update, archive/restore) and `occurrences/` (read,
filters; `POST occurrences/{id}/complete/` with a record or a reason)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sustain.accounts.models import User
from sustain.accounts.permissions import filter_colleagues_visible
from sustain.core.api import ScopedReadViewSet, TenantModelViewSet, UUIDRelatedField
from sustain.engine import cadence_rules as engine
from sustain.engine.access import ROLE_LABELS, Perm
from sustain.governance import permissions as perms
from sustain.governance import services
from sustain.governance.filters import CadenceFilter, OccurrenceFilter
from sustain.governance.models import Cadence, CompletesWith, Occurrence
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible


class CadenceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    location = UUIDRelatedField(queryset=Location.objects.all(), visible=filter_locations_visible,
                                required=False, allow_null=True,
                                help_text="Empty: the whole organisation.")
    owner_role = serializers.CharField(
        required=False, allow_blank=True,
        help_text="The owning role: " + ", ".join(r.value for r in ROLE_LABELS) + ".")
    owner_person = UUIDRelatedField(queryset=User.objects.all(),
                                    visible=filter_colleagues_visible, required=False,
                                    allow_null=True)
    frequency = serializers.ChoiceField(choices=Cadence.FREQUENCY_CHOICES)
    weekday = serializers.IntegerField(required=False, allow_null=True,
                                       help_text="0 Monday … 6 Sunday (weekly, fortnightly).")
    day_of_month = serializers.IntegerField(required=False, allow_null=True,
                                            help_text="1–31, or -1 for the last day.")
    month = serializers.IntegerField(required=False, allow_null=True)
    shift_ends = serializers.ListField(child=serializers.CharField(), required=False)
    completes_with = serializers.ChoiceField(choices=CompletesWith.choices)
    completes_params = serializers.DictField(required=False)
    grace_days = serializers.IntegerField(required=False)
    theme = UUIDRelatedField(queryset=Theme.objects.all(), visible=filter_themes_visible,
                             required=False, allow_null=True)
    rule_text = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cadence
        fields = ["id", "location", "title", "owner_role", "owner_person", "frequency",
                  "weekday", "day_of_month", "month", "shift_ends", "rule_text",
                  "completes_with", "completes_params", "grace_days", "theme", "source",
                  "playbook_code", "cadence_code", "source_text", "version", "archived_at",
                  "created_at", "updated_at"]
        read_only_fields = ["source", "playbook_code", "cadence_code", "source_text",
                            "archived_at", "created_at", "updated_at"]
        validators: list[Any] = []


class CadenceViewSet(TenantModelViewSet):
    """Recurring governance work: what, where (a location, or the whole organisation when
    `location` is empty), whose (a role and/or a person: one is required), how often, what
    completes it, and the grace days. Creating or changing the rule generates the occurrences
    on the 8-week horizon. Impossible rules (31 February, day 0) are refused by field."""

    queryset = Cadence.objects.select_related("location", "owner_person", "theme")
    serializer_class = CadenceSerializer
    filterset_class = CadenceFilter
    view_permission = Perm.GOVERNANCE_VIEW
    filter_visible = staticmethod(perms.filter_cadences_visible)
    ordering_fields = ["title", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create_object(self, data: dict[str, Any]) -> Cadence:
        user = self.request.user
        return services.cadence_create(actor=user, organisation=user.organisation, **data)

    def update_object(self, obj: Cadence, data: dict[str, Any],
                      expected_version: int) -> Cadence:
        return services.cadence_update(actor=self.request.user, cadence=obj,
                                       expected_version=expected_version, changes=data)

    def archive_object(self, obj: Cadence, reason: str, restore: bool) -> Cadence:
        return services.cadence_archive(actor=self.request.user, cadence=obj, reason=reason,
                                        restore=restore)


class OccurrenceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    cadence = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    title = serializers.CharField(source="cadence.title", read_only=True)
    owner = serializers.CharField(source="cadence.owner_text", read_only=True)
    location = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    completed_by = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    record_type = serializers.SerializerMethodField()
    record = serializers.UUIDField(source="record_uuid", read_only=True)
    state = serializers.SerializerMethodField(
        help_text="due / overdue / done_on_time / done_late / missed, as of now")
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = Occurrence
        fields = ["id", "cadence", "title", "owner", "location", "due_at", "window_start",
                  "status", "state", "explanation", "completed_at", "completed_by",
                  "record_type", "record", "record_label", "manual_reason", "version",
                  "archived_at", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_record_type(self, obj: Occurrence) -> str | None:
        if obj.record_type_id is None:
            return None
        return f"{obj.record_type.app_label}.{obj.record_type.model}"

    def _classified(self, obj: Occurrence) -> engine.Classification:
        now = self.context.setdefault("now", timezone.now())
        if obj.status == Occurrence.Status.MISSED:
            # Marked missed: classify as of just after the grace ended.
            now = engine.grace_ends(obj.due_at, obj.cadence.grace_days) + \
                dt.timedelta(seconds=1)
            return engine.classify(due_at=obj.due_at, grace_days=obj.cadence.grace_days,
                                   completed_at=None, now=now, rule=obj.cadence.rule)
        return engine.classify(due_at=obj.due_at, grace_days=obj.cadence.grace_days,
                               completed_at=obj.completed_at, now=now, rule=obj.cadence.rule)

    @extend_schema_field(serializers.ChoiceField(choices=[s.value for s in engine.Status]))
    def get_state(self, obj: Occurrence) -> str:
        return self._classified(obj).status.value

    @extend_schema_field(serializers.CharField())
    def get_explanation(self, obj: Occurrence) -> str:
        text = self._classified(obj).explanation
        if obj.manual_reason:
            text += f" Completed by hand: {obj.manual_reason}"
        return text


class CompleteSerializer(serializers.Serializer):
    record_type = serializers.CharField(required=False, allow_blank=True,
                                        help_text='The record\'s type, e.g. "audits.audit", '
                                                  '"feedback.visit".')
    record = serializers.UUIDField(required=False, allow_null=True,
                                   help_text="The record's id.")
    reason = serializers.CharField(required=False, allow_blank=True,
                                   help_text="Without a record: what was done (required).")
    version = serializers.IntegerField(required=False,
                                       help_text="The occurrence's version you saw.")


class OccurrenceViewSet(ScopedReadViewSet):
    """Occurrences of cadences (generated; read-only here). Filter by `location_id`,
    `cadence_id`, `status` (due, overdue, open, done, done_on_time, done_late, missed),
    `due_from` / `due_to`, `owner_role`, `owner_person_id`. `POST {id}/complete/` completes
    one by hand: with a record (`record_type` + `record`) of the right kind, location and date,
    or a written `reason`."""

    queryset = Occurrence.objects.select_related("cadence", "cadence__owner_person",
                                                 "location", "completed_by", "record_type")
    serializer_class = OccurrenceSerializer
    filterset_class = OccurrenceFilter
    view_permission = Perm.GOVERNANCE_VIEW
    filter_visible = staticmethod(perms.filter_occurrences_visible)
    ordering_fields = ["due_at", "created_at"]

    @extend_schema(request=CompleteSerializer, responses={
        200: OccurrenceSerializer,
        400: OpenApiResponse(description="Refused: the errors name `record`, `record_type`, "
                                         "`reason` or `occurrence`")})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Complete the occurrence by hand (a record of the right kind, or a reason)."""
        occurrence = self.get_object()
        body = CompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with transaction.atomic():
            record = None
            if data.get("record"):
                record = services.find_record(actor=request.user, occurrence=occurrence,
                                              record_type=data.get("record_type") or "",
                                              record_id=data["record"])
            done = services.occurrence_complete(
                actor=request.user, occurrence=occurrence, record=record,
                reason=data.get("reason") or "", expected_version=data.get("version"))
        return Response(self.get_serializer(done).data)
