"""REST resource `inspections/`: record an inspection with all its parts in one request
(all-or-nothing, errors naming row and field), read it nested, correct the header, archive it,
and create a theme from one of its findings."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sustain.core.api import TenantModelViewSet, UUIDRelatedField
from sustain.core.errors import PermissionDenied
from sustain.engine.access import Perm
from sustain.inspections import permissions as perms
from sustain.inspections import selectors, services
from sustain.inspections.filters import InspectionFilter
from sustain.inspections.models import (
    EnforcementAction,
    EnforcementStatus,
    Finding,
    Inspection,
    InspectionType,
    Rating,
    RegulationBreach,
)
from sustain.people.models import StaffMember
from sustain.people.permissions import filter_staff_visible
from sustain.playbooks.models import Playbook
from sustain.playbooks.permissions import filter_playbooks_visible
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible, has_perm_at

RATING_HELP = "One of: " + ", ".join(Rating.values) + "."


# --- reading -------------------------------------------------------------------------------


class BreachSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    regulation = serializers.CharField(source="regulation.code", read_only=True)
    regulation_title = serializers.CharField(source="regulation.__str__", read_only=True)

    class Meta:
        model = RegulationBreach
        fields = ["id", "regulation", "regulation_title", "summary", "version"]


class EnforcementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    enforcement_type = serializers.CharField(source="enforcement_type.code", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = EnforcementAction
        fields = ["id", "enforcement_type", "issued_on", "deadline", "status", "notes",
                  "overdue", "version"]

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, obj: EnforcementAction) -> bool:
        return selectors.is_overdue(obj)


class FindingSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    key_question = serializers.CharField(source="key_question.code", read_only=True)
    quality_statements = serializers.SerializerMethodField()
    themes = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = ["id", "text", "key_question", "quality_statements", "themes", "version"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_quality_statements(self, obj: Finding) -> list[str]:
        return [s.code for s in obj.quality_statements.all()]

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_themes(self, obj: Finding) -> list[str]:
        """Themes created from this finding that the reader may see."""
        return [str(t.uuid) for t in getattr(obj, "live_themes", [])]


class InspectionSerializer(serializers.ModelSerializer):
    """An inspection with its ratings, breaches, enforcement and findings (live rows)."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    location = serializers.UUIDField(source="location.uuid", read_only=True)
    ratings = serializers.SerializerMethodField()
    breaches = BreachSerializer(source="live_breaches", many=True, read_only=True)
    enforcement = EnforcementSerializer(source="live_enforcement", many=True, read_only=True)
    findings = FindingSerializer(source="live_findings", many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "location", "inspection_date", "publication_date", "inspection_type",
                  "overall_rating", "report_url", "summary", "ratings", "breaches",
                  "enforcement", "findings", "version", "archived_at", "created_at",
                  "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.ChoiceField(Rating.choices)))
    def get_ratings(self, obj: Inspection) -> dict[str, str]:
        """Key question code → rating."""
        return {r.key_question.code: r.rating for r in obj.live_ratings}


class _Delegating(serializers.Serializer):
    """Input serializers answer with the full nested inspection."""

    def to_representation(self, instance: Any) -> Any:
        return InspectionSerializer(instance, context=self.context).data


# --- writing -------------------------------------------------------------------------------


class BreachInSerializer(serializers.Serializer):
    regulation = serializers.CharField(required=False, allow_blank=True,
                                       help_text="Regulation code, e.g. RA2014-12.")
    summary = serializers.CharField(required=False, allow_blank=True)


class EnforcementInSerializer(serializers.Serializer):
    enforcement_type = serializers.CharField(required=False, allow_blank=True,
                                             help_text="Enforcement type code, e.g. "
                                                       "warning-notice.")
    issued_on = serializers.DateField(required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(EnforcementStatus.choices, required=False,
                                     default=EnforcementStatus.OPEN)
    notes = serializers.CharField(required=False, allow_blank=True)


class FindingInSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True)
    key_question = serializers.CharField(required=False, allow_blank=True,
                                         help_text="Key question code, e.g. safe.")
    quality_statements = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text="Quality statement codes in the framework in force, e.g. S8.")


class InspectionCreateSerializer(_Delegating):
    """The whole inspection in one request. Row errors are keyed `breaches.1.regulation`
    (rows count from 0); nothing is saved unless everything is valid."""

    location = UUIDRelatedField(queryset=Location.objects.all(), visible=filter_locations_visible)
    inspection_date = serializers.DateField()
    publication_date = serializers.DateField(required=False, allow_null=True)
    inspection_type = serializers.ChoiceField(InspectionType.choices)
    overall_rating = serializers.ChoiceField(Rating.choices)
    report_url = serializers.CharField(required=False, allow_blank=True, max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True)
    ratings = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text="Key question code → rating, for all five key questions. " + RATING_HELP)
    breaches = BreachInSerializer(many=True, required=False)
    enforcement = EnforcementInSerializer(many=True, required=False)
    findings = FindingInSerializer(many=True, required=False)


class InspectionUpdateSerializer(_Delegating):
    """Header corrections; send the version you read (or an If-Match header)."""

    inspection_date = serializers.DateField(required=False)
    publication_date = serializers.DateField(required=False, allow_null=True)
    inspection_type = serializers.ChoiceField(InspectionType.choices, required=False)
    overall_rating = serializers.ChoiceField(Rating.choices, required=False)
    report_url = serializers.CharField(required=False, allow_blank=True, max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, write_only=True)


class CreateThemeSerializer(serializers.Serializer):
    finding = UUIDRelatedField(queryset=Finding.objects.all(),
                               visible=perms.filter_inspections_visible)
    title = serializers.CharField(max_length=200)
    owner = UUIDRelatedField(queryset=StaffMember.objects.all(), visible=filter_staff_visible,
                             required=False, allow_null=True)
    playbook = UUIDRelatedField(queryset=Playbook.objects.all(),
                                visible=filter_playbooks_visible, required=False,
                                allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)

    def validate_finding(self, finding: Finding) -> Finding:
        if finding.inspection_id != self.context["inspection"].pk:
            raise serializers.ValidationError("This finding belongs to another inspection.")
        return finding


class ThemeCreatedSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    title = serializers.CharField()
    origin = serializers.CharField()
    stage = serializers.CharField()
    location = serializers.UUIDField(source="location.uuid")
    finding = serializers.UUIDField(source="finding.uuid")
    owner = serializers.SerializerMethodField()
    playbook = serializers.SerializerMethodField()
    quality_statements = serializers.SerializerMethodField()
    regulations = serializers.SerializerMethodField()

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_owner(self, theme: Any) -> str | None:
        return str(theme.owner.uuid) if theme.owner_id else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_playbook(self, theme: Any) -> str | None:
        return str(theme.playbook.uuid) if theme.playbook_id else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_quality_statements(self, theme: Any) -> list[str]:
        return sorted(s.code for s in theme.quality_statements.all())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_regulations(self, theme: Any) -> list[str]:
        return sorted(r.code for r in theme.regulations.all())


# --- the resource --------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=InspectionCreateSerializer,
                         responses={201: InspectionSerializer}),
    update=extend_schema(request=InspectionUpdateSerializer,
                         responses={200: InspectionSerializer}),
    partial_update=extend_schema(request=InspectionUpdateSerializer,
                                 responses={200: InspectionSerializer}),
    archive=extend_schema(responses={200: InspectionSerializer}),
    restore=extend_schema(responses={200: InspectionSerializer}),
)
class InspectionViewSet(TenantModelViewSet):
    """CQC inspections of locations, with ratings, breaches, enforcement and findings."""

    queryset = Inspection.objects.all()
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter
    view_permission = Perm.INSPECTION_VIEW
    filter_visible = staticmethod(perms.filter_inspections_visible)
    ordering_fields = ["inspection_date", "publication_date"]

    def get_queryset(self) -> QuerySet:
        return selectors.with_parts(super().get_queryset(), self.request.user) \
            .order_by("-inspection_date", "-pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "create":
            return InspectionCreateSerializer
        if self.action in ("update", "partial_update"):
            return InspectionUpdateSerializer
        return InspectionSerializer

    def _fresh(self, obj: Model) -> Inspection:
        """The saved inspection re-read with its parts (as the reader may see them)."""
        found = self.get_queryset().filter(pk=obj.pk).first()
        if found is None:
            raise PermissionDenied("The result would be outside what you may see.")
        return found

    def create_object(self, data: dict[str, Any]) -> Inspection:
        user = self.request.user
        return self._fresh(services.inspection_record(
            actor=user, organisation=user.organisation, **data))

    def update_object(self, obj: Model, data: dict[str, Any],
                      expected_version: int) -> Inspection:
        data.pop("version", None)
        return self._fresh(services.inspection_update(
            actor=self.request.user, inspection=obj, changes=data,
            expected_version=expected_version))

    def archive_object(self, obj: Model, reason: str, restore: bool) -> Inspection:
        return self._fresh(services.inspection_archive(
            actor=self.request.user, inspection=obj, reason=reason, restore=restore))

    @extend_schema(request=CreateThemeSerializer, responses={201: ThemeCreatedSerializer})
    @action(detail=True, methods=["post"], url_path="create-theme")
    def create_theme(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Open an improvement theme from one of this inspection's findings (optionally
        applying a playbook). The theme takes the finding's quality statements and the
        breached regulations that match it."""
        inspection = self.get_object()
        if not has_perm_at(request.user, Perm.THEME_CHANGE, inspection.location_id):
            raise PermissionDenied("Your role cannot open themes at this location.")
        serializer = CreateThemeSerializer(data=request.data, context={
            **self.get_serializer_context(), "inspection": inspection})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            theme = services.finding_create_theme(
                actor=request.user, finding=data["finding"], title=data["title"],
                owner=data.get("owner"), playbook=data.get("playbook"),
                description=data.get("description", ""))
        return Response(ThemeCreatedSerializer(theme).data, status=status.HTTP_201_CREATED)
