"""REST resources: `lessons/` (with their adoption summary), `lesson-adoptions/` (one per
location a lesson applies to; progress and evidence) and `handover-notes/` (read, and
`acknowledge/`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sustain.core.api import ScopedReadViewSet, TenantModelViewSet, UUIDRelatedField
from sustain.engine.access import Perm
from sustain.lessons import permissions as perms
from sustain.lessons import selectors, services
from sustain.lessons.filters import HandoverNoteFilter, LessonAdoptionFilter, LessonFilter
from sustain.lessons.models import HandoverNote, Lesson, LessonAdoption
from sustain.people.models import StaffMember
from sustain.people.permissions import filter_staff_visible
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible


class AdoptionSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Locations the lesson applies to.")
    not_started = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    adopted = serializers.IntegerField()
    stalled = serializers.IntegerField(help_text="Not started after the stall threshold.")
    percent_adopted = serializers.IntegerField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    rule_version = serializers.CharField()


class LessonSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    origin_theme = UUIDRelatedField(queryset=Theme.objects.all(), visible=filter_themes_visible,
                                    required=False, allow_null=True,
                                    help_text="The theme the lesson comes from (optional).")
    origin_location = UUIDRelatedField(
        queryset=Location.objects.all(), visible=filter_locations_visible, required=False,
        allow_null=True, help_text="Where it was learnt (defaults to the theme's location).")
    applies_to = UUIDRelatedField(queryset=Location.objects.all(),
                                  visible=filter_locations_visible, many=True, required=False,
                                  help_text="The locations it applies to (ignored when "
                                            "applies_to_all).")
    owner = UUIDRelatedField(queryset=StaffMember.objects.all(), visible=filter_staff_visible,
                             required=False, allow_null=True)
    adoption = serializers.SerializerMethodField()
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Lesson
        fields = ["id", "title", "source", "origin_theme", "origin_location", "what_happened",
                  "in_practice", "applies_to_all", "applies_to", "owner", "adoption",
                  "version", "archived_at", "created_at", "updated_at"]
        read_only_fields = ["source", "archived_at", "created_at", "updated_at"]
        validators: list[Any] = []

    @extend_schema_field(AdoptionSummarySerializer)
    def get_adoption(self, lesson: Lesson) -> dict[str, Any]:
        rows = getattr(lesson, "active_adoptions", None)
        if rows is None:  # a record just written: re-read through the reader's scope
            request = self.context.get("request")
            rows = list(perms.filter_adoptions_visible(
                lesson.adoptions.filter(archived_at__isnull=True),
                request.user if request is not None else None))
        summary = selectors.lesson_summary(lesson, rows)
        return {"total": summary.total, "not_started": summary.not_started,
                "in_progress": summary.in_progress, "adopted": summary.adopted,
                "stalled": summary.stalled, "percent_adopted": summary.percent_adopted,
                "reasons": list(summary.reasons), "rule_version": summary.rule_version}


class LessonViewSet(TenantModelViewSet):
    """Lessons learnt at one location (often from a theme) for others to adopt. Creating one
    makes an adoption row, not started, for every location it applies to."""

    queryset = Lesson.objects.select_related("origin_theme", "origin_location", "owner") \
        .prefetch_related("applies_to")
    serializer_class = LessonSerializer
    filterset_class = LessonFilter
    view_permission = Perm.THEME_VIEW
    filter_visible = staticmethod(perms.filter_lessons_visible)
    ordering_fields = ["created_at", "title"]

    def get_queryset(self) -> QuerySet:
        """The adoption summary counts only the adoptions the reader may see."""
        visible = perms.filter_adoptions_visible(
            LessonAdoption.objects.filter(archived_at__isnull=True), self.request.user)
        return super().get_queryset().prefetch_related(
            Prefetch("adoptions", to_attr="active_adoptions", queryset=visible))

    def create_object(self, data: dict[str, Any]) -> Lesson:
        user = self.request.user
        return services.lesson_create(actor=user, organisation=user.organisation, **data)

    def update_object(self, obj: Lesson, data: dict[str, Any], expected_version: int) -> Lesson:
        return services.lesson_update(actor=self.request.user, lesson=obj, changes=data,
                                      expected_version=expected_version)

    def archive_object(self, obj: Lesson, reason: str, restore: bool) -> Lesson:
        return services.lesson_archive(actor=self.request.user, lesson=obj, reason=reason,
                                       restore=restore)


class LessonAdoptionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    lesson = serializers.UUIDField(source="lesson.uuid", read_only=True)
    lesson_title = serializers.CharField(source="lesson.title", read_only=True)
    location = serializers.UUIDField(source="location.uuid", read_only=True)
    location_name = serializers.CharField(source="location.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    evidence_type = serializers.CharField(
        required=False, allow_blank=True,
        help_text="The evidence record's kind as app.model, e.g. audits.audit, "
                  "workforce.briefing, workforce.supervision (blank clears it).")
    evidence_id = serializers.UUIDField(source="evidence_uuid", required=False,
                                        allow_null=True,
                                        help_text="The evidence record's id; it must be at "
                                                  "this location and visible to you.")
    updated_by = serializers.UUIDField(source="updated_by.uuid", read_only=True,
                                       allow_null=True, default=None)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = LessonAdoption
        fields = ["id", "lesson", "lesson_title", "location", "location_name", "status",
                  "status_label", "status_since", "evidence_type", "evidence_id",
                  "evidence_label", "evidence_note", "evidence_date", "notes", "updated_by",
                  "status_updated_at", "version", "archived_at", "created_at", "updated_at"]
        read_only_fields = ["status_since", "evidence_label", "status_updated_at",
                            "archived_at", "created_at", "updated_at"]
        validators: list[Any] = []


class LessonAdoptionViewSet(TenantModelViewSet):
    """Each location's adoption of a lesson: not started, in progress or adopted (adopted
    needs an evidence record at the location, or a note with its date). Rows are made by the
    lesson (for every location it applies to), so there is no create."""

    queryset = LessonAdoption.objects.select_related("lesson", "location", "updated_by")
    serializer_class = LessonAdoptionSerializer
    filterset_class = LessonAdoptionFilter
    view_permission = Perm.THEME_VIEW
    filter_visible = staticmethod(perms.filter_adoptions_visible)
    ordering_fields = ["status_since", "created_at"]

    @extend_schema(exclude=True)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise drf_exceptions.MethodNotAllowed("POST")

    def update_object(self, obj: LessonAdoption, data: dict[str, Any],
                      expected_version: int) -> LessonAdoption:
        if "evidence_uuid" in data:
            data["evidence_id"] = data.pop("evidence_uuid")
        return services.lesson_adoption_update(actor=self.request.user, adoption=obj,
                                               changes=data, expected_version=expected_version)

    def archive_object(self, obj: LessonAdoption, reason: str,
                       restore: bool) -> LessonAdoption:
        return services.lesson_adoption_archive(actor=self.request.user, adoption=obj,
                                                reason=reason, restore=restore)


class HandoverStaffSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    job_role = serializers.CharField()
    leaving_date = serializers.DateField(allow_null=True)


class HandoverNoteSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    theme = serializers.UUIDField(source="theme.uuid", read_only=True)
    theme_title = serializers.CharField(source="theme.title", read_only=True)
    location = serializers.UUIDField(source="location.uuid", read_only=True)
    from_owner = serializers.UUIDField(source="from_owner.uuid", read_only=True,
                                       allow_null=True, default=None)
    to_owner = serializers.UUIDField(source="to_owner.uuid", read_only=True, allow_null=True,
                                     default=None)
    state = serializers.CharField(read_only=True, help_text="needs_new_owner, "
                                  "awaiting_acknowledgement or acknowledged.")
    content = serializers.JSONField(read_only=True, help_text="The note as data: theme, "
                                    "history, changes, open_items, key_records.")
    acknowledged_by = serializers.UUIDField(source="acknowledged_by.uuid", read_only=True,
                                            allow_null=True, default=None)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = HandoverNote
        fields = ["id", "theme", "theme_title", "location", "reason", "from_owner",
                  "to_owner", "leaving_date", "state", "content", "text", "generated_at",
                  "acknowledged_by", "acknowledged_at", "version", "archived_at",
                  "created_at", "updated_at"]
        read_only_fields = fields


class HandoverNoteViewSet(ScopedReadViewSet):
    """Hand-over notes for themes whose owner is leaving or changed (generated by the
    system); the new owner acknowledges them."""

    queryset = HandoverNote.objects.select_related("theme", "location", "from_owner",
                                                   "to_owner", "acknowledged_by")
    serializer_class = HandoverNoteSerializer
    filterset_class = HandoverNoteFilter
    view_permission = Perm.THEME_VIEW
    filter_visible = staticmethod(perms.filter_handover_notes_visible)
    ordering_fields = ["generated_at", "created_at"]

    @extend_schema(request=None, responses={200: HandoverNoteSerializer,
                                            400: OpenApiResponse(description="No new owner "
                                                                 "yet, or already "
                                                                 "acknowledged"),
                                            403: OpenApiResponse(description="Not the new "
                                                                 "owner")})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The new owner (or someone who may change the theme) confirms they have read it."""
        note = self.get_object()
        with transaction.atomic():
            note = services.handover_acknowledge(actor=request.user, note=note)
        return Response(self.get_serializer(note).data)
