"""REST resources: `meetings/` (+ `meetings/challenge-trend/`), `agenda-items/`,
`minute-entries/` and the read-only `governance-cycles/`."""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sustain.careplans.models import CarePlanReview
from sustain.careplans.permissions import filter_reviews_visible
from sustain.core.api import ScopedReadViewSet, TenantModelViewSet, UUIDRelatedField
from sustain.core.api_errors import error_response
from sustain.core.errors import InvalidInput, NotFound
from sustain.engine.access import Perm
from sustain.engine.meeting_rules import FALLING_RUN, Ratio, Trend, percent
from sustain.meetings import permissions as perms
from sustain.meetings import selectors, services
from sustain.meetings.filters import (
    AgendaItemFilter,
    GovernanceCycleFilter,
    MeetingFilter,
    MinuteEntryFilter,
)
from sustain.meetings.models import TYPE_LABELS, AgendaItem, GovernanceCycle, Meeting, MinuteEntry
from sustain.people.models import StaffMember
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible, has_perm_at
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_actions_visible, filter_themes_visible

TYPE_CODES = list(TYPE_LABELS)
TRAILER = ["version", "archived_at", "created_at", "updated_at"]
READ_ONLY = ["archived_at", "created_at", "updated_at"]


def filter_staff_for_meetings(qs: QuerySet, actor: Any) -> QuerySet:
    """Staff who may be named on a meeting (chair, attendees, who asked): anyone in the
    organisation, for users who may see meetings."""
    from sustain.tenancy.permissions import actor_organisation_id, has_perm_anywhere

    org_id = actor_organisation_id(actor)
    if org_id is None or not has_perm_anywhere(actor, Perm.MEETING_VIEW):
        return qs.none()
    return qs.filter(organisation_id=org_id)


def _staff_field(**kwargs: Any) -> UUIDRelatedField:
    return UUIDRelatedField(queryset=StaffMember.objects.all(), visible=filter_staff_for_meetings,
                            **kwargs)


class RatioSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text="challenges ÷ (updates + "
                                   "challenges); null when neither was minuted")
    percent = serializers.CharField()
    updates = serializers.IntegerField()
    challenges = serializers.IntegerField()
    unsatisfied = serializers.IntegerField(help_text="challenges whose answer did not "
                                           "satisfy (still counted)")
    decisions = serializers.IntegerField()
    actions = serializers.IntegerField()
    updates_only = serializers.BooleanField()
    explanation = serializers.CharField()
    rule = serializers.CharField()


def ratio_data(ratio: Ratio) -> dict[str, Any]:
    c = ratio.counts
    return {"value": ratio.value, "percent": percent(ratio.value), "updates": c.updates,
            "challenges": c.challenges, "unsatisfied": c.unsatisfied,
            "decisions": c.decisions, "actions": c.actions,
            "updates_only": ratio.updates_only, "explanation": ratio.explanation,
            "rule": ratio.rule}


class MeetingSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    location = UUIDRelatedField(queryset=Location.objects.all(), visible=filter_locations_visible,
                                required=False, allow_null=True,
                                help_text="Where it was held; null for an organisation-level "
                                          "meeting (board, provider review).")
    meeting_type_label = serializers.CharField(source="type_label", read_only=True)
    chair = _staff_field(required=False, allow_null=True)
    attendees = _staff_field(many=True, required=False)
    challenge_ratio = serializers.SerializerMethodField()
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "location", "meeting_type", "meeting_type_label", "title", "held_on",
                  "starts_at", "chair", "attendees", "notes", "external_ref",
                  "challenge_ratio", *TRAILER]
        read_only_fields = READ_ONLY
        validators: list[Any] = []

    @extend_schema_field(RatioSerializer)
    def get_challenge_ratio(self, obj: Meeting) -> dict[str, Any]:
        ratios = self.context.get("ratios")
        ratio = ratios[obj.pk] if ratios and obj.pk in ratios else selectors.meeting_ratio(obj)
        return ratio_data(ratio)


class AgendaItemSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    meeting = UUIDRelatedField(queryset=Meeting.objects.all(),
                               visible=perms.filter_meetings_visible)
    theme = UUIDRelatedField(queryset=Theme.objects.all(), visible=filter_themes_visible,
                             required=False, allow_null=True)
    order = serializers.IntegerField(min_value=1, max_value=500, required=False)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "meeting", "title", "theme", "order", *TRAILER]
        read_only_fields = READ_ONLY


class MinuteEntrySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    meeting = UUIDRelatedField(queryset=Meeting.objects.all(),
                               visible=perms.filter_meetings_visible)
    agenda_item = UUIDRelatedField(queryset=AgendaItem.objects.all(),
                                   visible=perms.filter_meeting_parts_visible, required=False,
                                   allow_null=True)
    theme = UUIDRelatedField(queryset=Theme.objects.all(), visible=filter_themes_visible,
                             required=False, allow_null=True)
    asked_by = _staff_field(required=False, allow_null=True)
    care_plan_review = UUIDRelatedField(
        queryset=CarePlanReview.objects.all(), visible=filter_reviews_visible, required=False,
        allow_null=True, help_text="A care-plan review discussed (\"one care-plan update\").")
    action = UUIDRelatedField(visible=filter_actions_visible, read_only=True,
                              help_text="The theme action an action minute created.")
    action_owner = _staff_field(required=False, allow_null=True, write_only=True,
                                help_text="Action minutes: who will do it (required).")
    action_due_date = serializers.DateField(required=False, allow_null=True, write_only=True,
                                            help_text="Action minutes: when it is due "
                                                      "(required).")
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = MinuteEntry
        fields = ["id", "meeting", "agenda_item", "theme", "kind", "text", "question",
                  "asked_by", "answer", "satisfied", "decision", "care_plan_review", "action",
                  "action_owner", "action_due_date", *TRAILER]
        read_only_fields = READ_ONLY


class GovernanceCycleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = GovernanceCycle
        fields = ["id", "number", "kind", "ordinal", "start", "end", "label", "created_at"]
        read_only_fields = fields


class TrendCycleSerializer(serializers.Serializer):
    number = serializers.IntegerField(allow_null=True, help_text="null: no cycle record "
                                      "covers these dates (a calendar period)")
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    meetings = serializers.IntegerField()
    rated = serializers.IntegerField(help_text="meetings with updates or challenges")
    mean_ratio = serializers.FloatField(allow_null=True)
    percent = serializers.CharField()
    updates = serializers.IntegerField()
    challenges = serializers.IntegerField()
    unsatisfied = serializers.IntegerField()
    updates_only = serializers.IntegerField(help_text="meetings with updates and no challenge")
    explanation = serializers.CharField()


class TrendSerializer(serializers.Serializer):
    location = serializers.UUIDField(allow_null=True)
    meeting_type = serializers.CharField()
    meeting_type_label = serializers.CharField()
    falling = serializers.BooleanField()
    run = serializers.IntegerField()
    explanation = serializers.CharField()
    rule = serializers.CharField()
    meetings_outside = serializers.IntegerField()
    cycles = TrendCycleSerializer(many=True)


def trend_data(trend: Trend, location: Any, meeting_type: str) -> dict[str, Any]:
    return {
        "location": location.uuid if location is not None else None,
        "meeting_type": meeting_type, "meeting_type_label": TYPE_LABELS[meeting_type],
        "falling": trend.falling, "run": trend.run, "explanation": trend.explanation,
        "rule": trend.rule, "meetings_outside": trend.meetings_outside,
        "cycles": [{"number": c.period.number, "label": c.period.label,
                    "start": c.period.start, "end": c.period.end, "meetings": c.meetings,
                    "rated": c.rated, "mean_ratio": c.mean_ratio,
                    "percent": percent(c.mean_ratio), "updates": c.counts.updates,
                    "challenges": c.counts.challenges, "unsatisfied": c.counts.unsatisfied,
                    "updates_only": c.updates_only, "explanation": c.explanation}
                   for c in trend.cycles]}


def _int_param(raw: str | None, field: str, default: int, low: int, high: int) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise InvalidInput(f"Give {field} as a whole number from {low} to {high}.",
                           {field: [f"A whole number from {low} to {high}."]})
    return value


class MeetingViewSet(TenantModelViewSet):
    """Meetings with their challenge ratio (challenges ÷ updates + challenges)."""

    queryset = Meeting.objects.select_related("location", "chair", "organisation") \
        .prefetch_related("attendees")
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    view_permission = Perm.MEETING_VIEW
    filter_visible = staticmethod(perms.filter_meetings_visible)
    ordering_fields = ["held_on", "created_at"]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "ratios": selectors.ratios_for(rows)}
        data = self.get_serializer_class()(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def create_object(self, data: dict[str, Any]) -> Meeting:
        location = data.pop("location", None)
        organisation = location.organisation if location is not None else \
            self.request.user.organisation
        return services.meeting_create(actor=self.request.user, organisation=organisation,
                                       location=location, **data)

    def update_object(self, obj: Meeting, data: dict[str, Any],
                      expected_version: int) -> Meeting:
        return services.meeting_update(actor=self.request.user, meeting=obj, changes=data,
                                       expected_version=expected_version)

    def archive_object(self, obj: Meeting, reason: str, restore: bool) -> Meeting:
        return services.meeting_archive(actor=self.request.user, meeting=obj, reason=reason,
                                        restore=restore)

    @extend_schema(
        parameters=[
            OpenApiParameter("meeting_type", OpenApiTypes.STR, required=True,
                             enum=TYPE_CODES),
            OpenApiParameter("location", OpenApiTypes.UUID, description="The location's id; "
                             "leave out for organisation-level meetings."),
            OpenApiParameter("cycles", OpenApiTypes.INT, description="How many governance "
                             "cycles back (1–24, default 6)."),
            OpenApiParameter("run", OpenApiTypes.INT, description="Falling when this many "
                             f"latest meetings were updates only (1–12, default "
                             f"{FALLING_RUN})."),
        ],
        filters=False,
        responses={200: TrendSerializer, 400: error_response("A parameter is missing or "
                                                             "wrong (named in errors)."),
                   404: error_response("No such location that you may see meetings of.")},
    )
    @action(detail=False, methods=["get"], url_path="challenge-trend")
    def challenge_trend(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The challenge ratio of one meeting type at one place per governance cycle (mean of
        the meetings' ratios), and whether it is falling, with the rule and the counts."""
        params = request.query_params
        meeting_type = params.get("meeting_type", "")
        if meeting_type not in TYPE_LABELS:
            raise InvalidInput("Choose the meeting type.", {"meeting_type": [
                "One of: " + ", ".join(TYPE_LABELS) + "."]})
        cycles = _int_param(params.get("cycles"), "cycles", selectors.DEFAULT_CYCLES, 1, 24)
        run = _int_param(params.get("run"), "run", FALLING_RUN, 1, 12)
        location = None
        raw = params.get("location")
        if raw:
            try:
                key = uuid_module.UUID(raw)
            except ValueError:
                raise InvalidInput("The location is not an id.",
                                   {"location": ["Give the location's id."]}) from None
            location = filter_locations_visible(Location.objects.all(), request.user) \
                .filter(uuid=key).first()
            if location is None or not has_perm_at(request.user, Perm.MEETING_VIEW,
                                                   location.pk):
                raise NotFound("No such location.")
        elif not has_perm_at(request.user, Perm.MEETING_VIEW, None):
            raise NotFound("Organisation-level meetings need access to the whole "
                           "organisation: give a location.")
        organisation = request.user.organisation
        trend = selectors.trend_for(
            organisation=organisation, location=location, meeting_type=meeting_type,
            as_of=timezone.localdate(), cycles=cycles, run=run,
            meetings=perms.filter_meetings_visible(Meeting.objects.all(), request.user))
        return Response(TrendSerializer(trend_data(trend, location, meeting_type)).data)


class AgendaItemViewSet(TenantModelViewSet):
    """Agenda items of meetings (optionally about a theme)."""

    queryset = AgendaItem.objects.select_related("meeting", "meeting__location", "theme")
    serializer_class = AgendaItemSerializer
    filterset_class = AgendaItemFilter
    view_permission = Perm.MEETING_VIEW
    filter_visible = staticmethod(perms.filter_meeting_parts_visible)
    ordering_fields = ["order", "created_at"]

    def create_object(self, data: dict[str, Any]) -> AgendaItem:
        meeting = data.pop("meeting")
        return services.agenda_item_create(actor=self.request.user, meeting=meeting, **data)

    def update_object(self, obj: AgendaItem, data: dict[str, Any],
                      expected_version: int) -> AgendaItem:
        return services.agenda_item_update(actor=self.request.user, item=obj, changes=data,
                                           expected_version=expected_version)

    def archive_object(self, obj: AgendaItem, reason: str, restore: bool) -> AgendaItem:
        return services.agenda_item_archive(actor=self.request.user, item=obj, reason=reason,
                                            restore=restore)


class MinuteEntryViewSet(TenantModelViewSet):
    """Typed minutes: update, challenge (question, who asked, answer, satisfied), decision,
    action (creates a tracked theme action: give `theme`, `action_owner`, `action_due_date`)."""

    queryset = MinuteEntry.objects.select_related(
        "meeting", "meeting__location", "agenda_item", "theme", "asked_by", "action",
        "care_plan_review")
    serializer_class = MinuteEntrySerializer
    filterset_class = MinuteEntryFilter
    view_permission = Perm.MEETING_VIEW
    filter_visible = staticmethod(perms.filter_meeting_parts_visible)
    ordering_fields = ["created_at"]

    def create_object(self, data: dict[str, Any]) -> MinuteEntry:
        meeting = data.pop("meeting")
        return services.minute_entry_create(actor=self.request.user, meeting=meeting, **data)

    def update_object(self, obj: MinuteEntry, data: dict[str, Any],
                      expected_version: int) -> MinuteEntry:
        for name in ("action_owner", "action_due_date"):
            if data.get(name) is None:
                data.pop(name, None)
        return services.minute_entry_update(actor=self.request.user, entry=obj, changes=data,
                                            expected_version=expected_version)

    def archive_object(self, obj: MinuteEntry, reason: str, restore: bool) -> MinuteEntry:
        return services.minute_entry_archive(actor=self.request.user, entry=obj, reason=reason,
                                             restore=restore)


class GovernanceCycleViewSet(ScopedReadViewSet):
    """The organisation's numbered governance cycles (read-only; recorded by the periodic
    job from the organisation's governance-cycle setting)."""

    queryset = GovernanceCycle.objects.all()
    serializer_class = GovernanceCycleSerializer
    filterset_class = GovernanceCycleFilter
    view_permission = Perm.MEETING_VIEW
    filter_visible = staticmethod(perms.filter_cycles_visible)
    ordering_fields = ["start", "number"]
