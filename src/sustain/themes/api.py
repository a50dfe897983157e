"""REST resources: improvement themes (with their evidence-gated moves and timeline) and
their actions (with the effectiveness check)."""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sustain.audits.models import Audit
from sustain.audits.permissions import filter_audits_visible
from sustain.core.api import TenantModelViewSet, UUIDRelatedField
from sustain.core.api_errors import error_response
from sustain.core.errors import InvalidInput
from sustain.engine.access import Perm
from sustain.engine.governance_cycles import CycleKind
from sustain.engine.lifecycle import STAGE_LABELS, Stage
from sustain.inspections.models import Finding
from sustain.inspections.permissions import filter_inspections_visible
from sustain.people.models import StaffMember
from sustain.people.permissions import filter_staff_visible
from sustain.reference.models import QualityStatement, Regulation
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible
from sustain.themes import permissions as perms
from sustain.themes import selectors, services
from sustain.themes.embedding import embedding_payload, theme_embedding
from sustain.themes.filters import ActionFilter, ThemeFilter
from sustain.themes.models import Action, Theme


@extend_schema_field({"type": "string", "description":
                      "The reference code (e.g. S1, RA2014-12) or the record's id."})
class ReferenceCodeField(serializers.RelatedField):
    """A CQC reference row named by its code or its id; shown as its code."""

    default_error_messages = {
        "does_not_exist": "No current reference entry with the code or id {value}.",
        "ambiguous": "The code {value} names more than one entry: give its id instead.",
    }

    def to_representation(self, value: Any) -> str:
        return str(value.code)

    def to_internal_value(self, data: Any) -> Any:
        qs = self.get_queryset().filter(archived_at__isnull=True)
        text = str(data).strip()
        try:
            rows = list(qs.filter(uuid=uuid_module.UUID(text))[:2])
        except ValueError:
            rows = list(qs.filter(code=text)[:2])
        if not rows:
            self.fail("does_not_exist", value=text)
        if len(rows) > 1:
            self.fail("ambiguous", value=text)
        return rows[0]


class MilestonesSerializer(serializers.Serializer):
    verified_on = serializers.DateField(allow_null=True)
    sustaining_since = serializers.DateField(allow_null=True)
    relapsed_on = serializers.DateField(allow_null=True)


class EvaluationSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="The stage the evidence supports.")
    since = serializers.DateField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField(),
                                    help_text="Why the theme is at this stage.")
    missing = serializers.ListField(child=serializers.CharField(),
                                    help_text="What the next stage still needs.")
    evidence = serializers.ListField(child=serializers.CharField(),
                                     help_text="Ids of the records the judgement used.")
    rule_version = serializers.CharField()
    as_of = serializers.DateField(allow_null=True, help_text="The date it was evaluated for.")


class ActionCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Actions in the plan (not cancelled).")
    done = serializers.IntegerField(help_text="Done or effective.")
    effective = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Open or in progress past their due date.")


def _counts(theme: Theme) -> dict[str, int]:
    if not hasattr(theme, "actions_total"):
        theme = selectors.with_action_counts(Theme.objects.filter(pk=theme.pk)).get()
    return {"total": theme.actions_total, "done": theme.actions_done,
            "effective": theme.actions_effective, "overdue": theme.actions_overdue}


class ThemeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    location = UUIDRelatedField(queryset=Location.objects.all(), visible=filter_locations_visible)
    finding = UUIDRelatedField(queryset=Finding.objects.all(), visible=filter_inspections_visible,
                               required=False, allow_null=True)
    owner = UUIDRelatedField(queryset=StaffMember.objects.all(), visible=filter_staff_visible,
                             required=False, allow_null=True,
                             help_text="The staff member who owns the theme.")
    quality_statements = ReferenceCodeField(queryset=QualityStatement.objects.all(), many=True,
                                            required=False)
    regulations = ReferenceCodeField(queryset=Regulation.objects.all(), many=True,
                                     required=False)
    playbook = serializers.UUIDField(source="playbook.uuid", read_only=True, allow_null=True,
                                     default=None)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    milestones = serializers.SerializerMethodField()
    evaluation = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "location", "title", "description", "origin", "finding", "owner",
                  "quality_statements", "regulations", "playbook", "pass_mark",
                  "consecutive_passes", "sustain_cycles", "stage", "stage_label",
                  "stage_since", "milestones", "evaluation", "actions", "version",
                  "archived_at", "created_at", "updated_at"]
        read_only_fields = ["pass_mark", "consecutive_passes", "sustain_cycles", "stage",
                            "stage_since", "archived_at", "created_at", "updated_at"]
        validators: list[Any] = []

    @extend_schema_field(MilestonesSerializer)
    def get_milestones(self, theme: Theme) -> dict[str, Any]:
        return {"verified_on": theme.verified_on, "sustaining_since": theme.sustaining_since,
                "relapsed_on": theme.relapsed_on}

    @extend_schema_field(EvaluationSerializer)
    def get_evaluation(self, theme: Theme) -> dict[str, Any]:
        e = theme.evaluation or {}
        return {"stage": e.get("stage", theme.stage), "since": e.get("since"),
                "reasons": e.get("reasons", []), "missing": e.get("missing", []),
                "evidence": e.get("evidence", []), "rule_version": e.get("rule_version", ""),
                "as_of": e.get("as_of")}

    @extend_schema_field(ActionCountsSerializer)
    def get_actions(self, theme: Theme) -> dict[str, int]:
        return _counts(theme)


class TransitionRequestSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=[s.value for s in Stage],
                                     help_text="The stage to move the theme to.")
    reason = serializers.CharField(help_text="Why (written, at least 10 characters).")


class EvidenceLinkSerializer(serializers.Serializer):
    id = serializers.CharField()
    kind = serializers.CharField(help_text="action, audit, or record (not visible to you).")
    label = serializers.CharField()
    url = serializers.CharField(allow_null=True, help_text="The record in the API, if you "
                                                           "may see it.")


class TransitionSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="transition.uuid")
    from_stage = serializers.CharField(source="transition.from_stage")
    from_label = serializers.CharField()
    to_stage = serializers.CharField(source="transition.to_stage")
    to_label = serializers.CharField()
    effective_on = serializers.DateField(source="transition.effective_on")
    moved_by = serializers.CharField(source="transition.moved_by",
                                     help_text="rules (the evidence) or person.")
    actor = serializers.UUIDField(allow_null=True, help_text="Who, when a person moved it.")
    actor_name = serializers.CharField(allow_null=True)
    reason = serializers.CharField(source="transition.reason")
    evidence = EvidenceLinkSerializer(many=True)
    rule_version = serializers.CharField(source="transition.rule_version")
    recorded_at = serializers.DateTimeField(source="transition.created_at")


class EmbeddingRecordSerializer(serializers.Serializer):
    day = serializers.DateField()
    label = serializers.CharField()
    url = serializers.CharField(allow_null=True, help_text="The record's page.")


class EmbeddingCellSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    records = EmbeddingRecordSerializer(many=True)


class EmbeddingChannelSerializer(serializers.Serializer):
    channel = serializers.CharField()
    label = serializers.CharField()
    observed = serializers.BooleanField(help_text="False: Sustain cannot see this channel's "
                                                  "records yet; never counted as a gap.")
    cells = EmbeddingCellSerializer(many=True, help_text="One per cycle, in `cycles` order.")


class EmbeddingCycleSerializer(serializers.Serializer):
    ordinal = serializers.IntegerField()
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    coverage_percent = serializers.IntegerField(allow_null=True)
    active = serializers.ListField(child=serializers.CharField())
    gaps = serializers.ListField(child=serializers.CharField())


class EmbeddingSerializer(serializers.Serializer):
    rule = serializers.CharField()
    cycles = EmbeddingCycleSerializer(many=True)
    channels = EmbeddingChannelSerializer(many=True)
    explanation = serializers.ListField(child=serializers.CharField())


def api_url(basename: str, record: Any) -> str | None:
    """The record's API address, if that resource is registered."""
    if record is None:
        return None
    try:
        return reverse(f"{basename}-detail", kwargs={"uuid": record.uuid})
    except NoReverseMatch:
        return None


def timeline_rows(theme: Theme, actor: Any) -> list[dict[str, Any]]:
    rows = []
    for transition, links in selectors.theme_timeline(theme, actor):
        person = transition.actor
        rows.append({
            "transition": transition,
            "from_label": STAGE_LABELS[Stage(transition.from_stage)]
            if transition.from_stage else "",
            "to_label": STAGE_LABELS[Stage(transition.to_stage)],
            "actor": person.uuid if person else None,
            "actor_name": (person.get_full_name() or person.username) if person else None,
            "evidence": [{"id": link.id, "kind": link.kind, "label": link.label,
                          "url": api_url(link.kind, link.record)} for link in links],
        })
    return rows


class ThemeViewSet(TenantModelViewSet):
    """Improvement themes. The stage moves with the evidence (see `engine.lifecycle`); a
    person may move it only where the rules allow, with a written reason."""

    queryset = Theme.objects.select_related("location", "owner", "playbook", "finding") \
        .prefetch_related("quality_statements", "regulations")
    serializer_class = ThemeSerializer
    filterset_class = ThemeFilter
    view_permission = Perm.THEME_VIEW
    filter_visible = staticmethod(perms.filter_themes_visible)
    ordering_fields = ["title", "stage", "stage_since", "created_at"]

    def get_queryset(self) -> QuerySet:
        return selectors.with_action_counts(super().get_queryset())

    def create_object(self, data: dict[str, Any]) -> Theme:
        location = data.pop("location")
        return services.theme_create(actor=self.request.user,
                                     organisation=self.request.user.organisation,
                                     location=location, **data)

    def update_object(self, obj: Theme, data: dict[str, Any], expected_version: int) -> Theme:
        location = data.pop("location", obj.location)
        if location != obj.location:
            raise InvalidInput("A theme stays at its location.", {"location": [
                "A theme cannot move to another location: open a new theme there."]})
        return services.theme_update(actor=self.request.user, theme=obj, changes=data,
                                     expected_version=expected_version)

    def archive_object(self, obj: Theme, reason: str, restore: bool) -> Theme:
        return services.theme_archive(actor=self.request.user, theme=obj, reason=reason,
                                      restore=restore)

    @extend_schema(
        request=TransitionRequestSerializer,
        responses={200: ThemeSerializer,
                   400: error_response("Refused: `errors.target` lists what the evidence "
                                       "still lacks (nothing was changed)."),
                   403: error_response("Your role cannot move this theme.")},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Move the theme to another stage, where the rules allow, with a written reason.
        A move the evidence does not support is refused with what is missing."""
        theme = self.get_object()
        body = TransitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            theme = services.theme_transition(actor=request.user, theme=theme,
                                              target=body.validated_data["target"],
                                              reason=body.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=theme.pk)).data)

    @extend_schema(responses={200: TransitionSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Every stage change, oldest first: from/to, when, whether the rules or a person
        moved it (and who), the reason, the evidence and the rule version."""
        theme = self.get_object()
        return Response(TransitionSerializer(timeline_rows(theme, request.user),
                                             many=True).data)

    @extend_schema(responses={200: EmbeddingSerializer}, filters=False)
    @action(detail=True, methods=["get"])
    def embedding(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The embedding map: the theme's channels × the current and previous governance
        cycles — records tagged with the theme in each channel, counts, coverage and gaps,
        with the rule."""
        theme = self.get_object()
        kind = CycleKind(theme.organisation.governance_cycle)
        payload = embedding_payload(theme_embedding(theme), kind)
        return Response(EmbeddingSerializer(payload).data)


# --- actions ------------------------------------------------------------------------------


class ActionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    theme = UUIDRelatedField(queryset=Theme.objects.all(), visible=perms.filter_themes_visible)
    location = serializers.UUIDField(source="location.uuid", read_only=True)
    owner = UUIDRelatedField(queryset=StaffMember.objects.all(), visible=filter_staff_visible,
                             required=False, allow_null=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    evidence_audit = serializers.UUIDField(source="evidence_audit.uuid", read_only=True,
                                           allow_null=True, default=None)
    verified_by = serializers.UUIDField(source="verified_by.uuid", read_only=True,
                                        allow_null=True, default=None)
    source_audit = UUIDRelatedField(queryset=Audit.objects.all(), visible=filter_audits_visible,
                                    required=False, allow_null=True,
                                    help_text="The audit the action was raised from.")
    overdue = serializers.SerializerMethodField()
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Action
        fields = ["id", "theme", "location", "description", "owner", "raised_on", "due_date",
                  "status", "status_label", "completed_on", "cancelled_reason",
                  "check_method", "check_criterion", "evidence_audit", "evidence_note",
                  "verified_on", "verified_by", "source_audit", "source_question", "overdue",
                  "version", "archived_at", "created_at", "updated_at"]
        read_only_fields = ["evidence_note", "verified_on", "archived_at", "created_at",
                            "updated_at"]
        validators: list[Any] = []

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, obj: Action) -> bool:
        return obj.status in selectors.OPEN_STATUSES and obj.due_date < timezone.localdate()


class VerifyRequestSerializer(serializers.Serializer):
    evidence_audit = serializers.UUIDField(required=False, allow_null=True,
                                           help_text="The (re-)audit that shows the change.")
    evidence_note = serializers.CharField(required=False, allow_blank=True,
                                          help_text="For an observation, record sample or "
                                                    "indicator: what was seen, when, by whom.")
    verified_on = serializers.DateField(required=False, allow_null=True)


class ActionViewSet(TenantModelViewSet):
    """Steps of themes' action plans. Done is not effective: `verify` runs the
    effectiveness check, which needs passing evidence."""

    queryset = Action.objects.select_related("theme", "location", "owner", "evidence_audit",
                                             "verified_by", "source_audit")
    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    view_permission = Perm.THEME_VIEW
    filter_visible = staticmethod(perms.filter_actions_visible)
    ordering_fields = ["due_date", "raised_on", "status", "created_at"]

    def create_object(self, data: dict[str, Any]) -> Action:
        theme = data.pop("theme")
        return services.action_create(actor=self.request.user, theme=theme, **data)

    def update_object(self, obj: Action, data: dict[str, Any], expected_version: int) -> Action:
        theme = data.pop("theme", obj.theme)
        if theme != obj.theme:
            raise InvalidInput("An action stays on its theme.", {"theme": [
                "An action cannot move to another theme: raise a new one there."]})
        for fixed in ("source_audit", "source_question"):
            if fixed in data and data.pop(fixed) != getattr(obj, fixed):
                raise InvalidInput("Where an action was raised from cannot change.",
                                   {fixed: ["This cannot change."]})
        return services.action_update(actor=self.request.user, action=obj, changes=data,
                                      expected_version=expected_version)

    def archive_object(self, obj: Action, reason: str, restore: bool) -> Action:
        return services.action_archive(actor=self.request.user, action=obj, reason=reason,
                                       restore=restore)

    @extend_schema(
        request=VerifyRequestSerializer,
        responses={200: ActionSerializer,
                   400: error_response("The check did not pass: the errors say why (nothing "
                                       "was changed)."),
                   403: OpenApiResponse(description="Your role cannot verify actions.")},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Run the effectiveness check: the action becomes effective only when the linked
        evidence passes (a completed, passing re-audit after the action was done, at the
        action's location; or a written record of an observation or sample)."""
        obj = self.get_object()
        body = VerifyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        audit = None
        audit_id = body.validated_data.get("evidence_audit")
        if audit_id is not None:
            audit = filter_audits_visible(Audit.objects.filter(uuid=audit_id),
                                          request.user).first()
            if audit is None:
                raise InvalidInput("The evidence audit was not found.",
                                   {"evidence_audit": ["No audit you may see has this id."]})
        with transaction.atomic():
            obj = services.action_verify(
                actor=request.user, action=obj, evidence_audit=audit,
                evidence_note=body.validated_data.get("evidence_note") or "",
                verified_on=body.validated_data.get("verified_on"))
        return Response(self.get_serializer(obj).data)

