"""REST resources: supervisions, competency assessments, training records, briefings (with a
self-attest action) and attestations. Writes go through `workforce.services`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sustain.core.api import TenantModelViewSet, UUIDRelatedField
from sustain.core.errors import InvalidInput
from sustain.engine.access import Perm
from sustain.people.models import StaffMember
from sustain.people.permissions import filter_staff_visible
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible
from sustain.workforce import permissions as perms
from sustain.workforce import services
from sustain.workforce.filters import (
    AttestationFilter,
    BriefingFilter,
    CompetencyAssessmentFilter,
    SupervisionFilter,
    TrainingRecordFilter,
)
from sustain.workforce.models import (
    Attestation,
    Briefing,
    CompetencyAssessment,
    Supervision,
    TrainingRecord,
)

COMMON = ["id", "location", "external_ref", "themes", "version", "archived_at", "created_at",
          "updated_at"]
READ_ONLY = ["archived_at", "created_at", "updated_at"]


def _staff(**kwargs: Any) -> UUIDRelatedField:
    return UUIDRelatedField(queryset=StaffMember.objects.all(), visible=filter_staff_visible,
                            **kwargs)


def _location() -> UUIDRelatedField:
    return UUIDRelatedField(queryset=Location.objects.all(), visible=filter_locations_visible)


def _themes() -> UUIDRelatedField:
    return UUIDRelatedField(queryset=Theme.objects.all(), visible=filter_themes_visible,
                            many=True, required=False,
                            help_text="Themes this record evidences (ids).")


class _RecordSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    location = _location()
    themes = _themes()
    version = serializers.IntegerField(read_only=True)


class SupervisionSerializer(_RecordSerializer):
    supervisor = _staff()
    supervisee = _staff()
    next_due = serializers.DateField(required=False,
                                     help_text="Defaults to the date plus the organisation's "
                                               "supervision interval (an organisation "
                                               "setting, 8 weeks by default).")

    class Meta:
        model = Supervision
        fields = COMMON + ["date", "supervisor", "supervisee", "topics", "notes",
                           "agreed_actions", "next_due"]
        read_only_fields = READ_ONLY
        validators: list[Any] = []


class CompetencyAssessmentSerializer(_RecordSerializer):
    assessor = _staff()
    staff = _staff()

    class Meta:
        model = CompetencyAssessment
        fields = COMMON + ["assessment_type", "other_type", "assessor", "staff", "date",
                           "outcome", "next_due", "notes"]
        read_only_fields = READ_ONLY
        validators: list[Any] = []


class TrainingRecordSerializer(_RecordSerializer):
    staff = _staff()

    class Meta:
        model = TrainingRecord
        fields = COMMON + ["staff", "course", "completed_on", "expires_on"]
        read_only_fields = READ_ONLY
        validators: list[Any] = []


class BriefingSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    theme = UUIDRelatedField(queryset=Theme.objects.all(), visible=filter_themes_visible,
                             help_text="The theme briefed on (its location is the briefing's).")
    location = serializers.UUIDField(source="location.uuid", read_only=True)
    delivered_by = _staff(required=False, allow_null=True)
    delivered_at = serializers.DateTimeField(required=False)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Briefing
        fields = ["id", "theme", "location", "title", "what_changed", "why",
                  "what_good_looks_like", "delivered_at", "delivered_via", "delivered_by",
                  "external_ref", "version", "archived_at", "created_at", "updated_at"]
        read_only_fields = READ_ONLY
        validators: list[Any] = []


class AttestationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    briefing = UUIDRelatedField(queryset=Briefing.objects.all(),
                                visible=perms.filter_briefings_visible)
    location = serializers.UUIDField(source="location.uuid", read_only=True)
    staff = _staff()
    attested_at = serializers.DateTimeField(required=False)
    statement_confirmed = serializers.BooleanField(
        help_text=f"Must be true: “{Attestation.STATEMENT}”")
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Attestation
        fields = ["id", "briefing", "location", "staff", "attested_at", "statement_confirmed",
                  "short_answer", "recorded_by_manager", "external_ref", "version",
                  "archived_at", "created_at", "updated_at"]
        read_only_fields = ["recorded_by_manager"] + READ_ONLY
        validators: list[Any] = []


class _WorkforceViewSet(TenantModelViewSet):
    view_permission = Perm.WORKFORCE_VIEW
    filter_visible = staticmethod(perms.filter_workforce_visible)
    create_service: Any = None
    update_service: Any = None
    archive_service: Any = None
    kwarg: str = ""

    def create_object(self, data: dict[str, Any]) -> Any:
        location = data.pop("location")
        return type(self).create_service(actor=self.request.user,
                                         organisation=location.organisation,
                                         location=location, **data)

    def update_object(self, obj: Any, data: dict[str, Any], expected_version: int) -> Any:
        return type(self).update_service(actor=self.request.user, changes=data,
                                         expected_version=expected_version,
                                         **{self.kwarg: obj})

    def archive_object(self, obj: Any, reason: str, restore: bool) -> Any:
        return type(self).archive_service(actor=self.request.user, reason=reason,
                                          restore=restore, **{self.kwarg: obj})


class SupervisionViewSet(_WorkforceViewSet):
    """Supervisions: who supervised whom, the themes discussed, agreed actions, next due."""

    queryset = Supervision.objects.select_related("location", "supervisor", "supervisee") \
        .prefetch_related("themes")
    serializer_class = SupervisionSerializer
    filterset_class = SupervisionFilter
    ordering_fields = ["date", "next_due", "created_at"]
    create_service = staticmethod(services.supervision_create)
    update_service = staticmethod(services.supervision_update)
    archive_service = staticmethod(services.supervision_archive)
    kwarg = "supervision"


class CompetencyAssessmentViewSet(_WorkforceViewSet):
    """Competency assessments (medicines administration, moving and handling, other)."""

    queryset = CompetencyAssessment.objects.select_related("location", "assessor", "staff") \
        .prefetch_related("themes")
    serializer_class = CompetencyAssessmentSerializer
    filterset_class = CompetencyAssessmentFilter
    ordering_fields = ["date", "next_due", "created_at"]
    create_service = staticmethod(services.competency_assessment_create)
    update_service = staticmethod(services.competency_assessment_update)
    archive_service = staticmethod(services.competency_assessment_archive)
    kwarg = "assessment"


class TrainingRecordViewSet(_WorkforceViewSet):
    """Training records: course, completed, expires."""

    queryset = TrainingRecord.objects.select_related("location", "staff") \
        .prefetch_related("themes")
    serializer_class = TrainingRecordSerializer
    filterset_class = TrainingRecordFilter
    ordering_fields = ["completed_on", "expires_on", "created_at"]
    create_service = staticmethod(services.training_record_create)
    update_service = staticmethod(services.training_record_update)
    archive_service = staticmethod(services.training_record_archive)
    kwarg = "record"


class AttestRequestSerializer(serializers.Serializer):
    statement_confirmed = serializers.BooleanField(
        help_text=f"Must be true: “{Attestation.STATEMENT}”")
    short_answer = serializers.CharField(required=False, allow_blank=True)


class BriefingViewSet(TenantModelViewSet):
    """"What changed and why" briefings on a theme. Everyone asked to attest can read them;
    `attest` records the signed-in member of staff's own attestation."""

    queryset = Briefing.objects.select_related("location", "theme", "delivered_by")
    serializer_class = BriefingSerializer
    filterset_class = BriefingFilter
    view_permission = Perm.BRIEFING_ATTEST
    filter_visible = staticmethod(perms.filter_briefings_visible)
    ordering_fields = ["delivered_at", "created_at"]

    def create_object(self, data: dict[str, Any]) -> Briefing:
        theme = data["theme"]
        return services.briefing_create(actor=self.request.user,
                                        organisation=theme.organisation,
                                        location=theme.location, **data)

    def update_object(self, obj: Briefing, data: dict[str, Any],
                      expected_version: int) -> Briefing:
        return services.briefing_update(actor=self.request.user, briefing=obj, changes=data,
                                        expected_version=expected_version)

    def archive_object(self, obj: Briefing, reason: str, restore: bool) -> Briefing:
        return services.briefing_archive(actor=self.request.user, briefing=obj, reason=reason,
                                         restore=restore)

    @extend_schema(
        request=AttestRequestSerializer,
        responses={201: AttestationSerializer,
                   400: OpenApiResponse(description="Not confirmed, or already attested."),
                   403: OpenApiResponse(description="No staff record linked to your account, "
                                                    "or your role cannot attest here.")},
    )
    @action(detail=True, methods=["post"])
    def attest(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Attest, as the signed-in member of staff, that you can explain what changed and
        why."""
        briefing = self.get_object()
        body = AttestRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        staff = getattr(request.user, "staff_member", None)
        if staff is None:
            raise InvalidInput("Your account is not linked to a staff record.",
                               {"staff": ["Ask a manager to link your account, or to record "
                                          "your attestation."]})
        obj = services.attestation_create(
            actor=request.user, organisation=briefing.organisation, briefing=briefing,
            staff=staff, statement_confirmed=body.validated_data["statement_confirmed"],
            short_answer=body.validated_data.get("short_answer", ""))
        return Response(AttestationSerializer(obj, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


class AttestationViewSet(TenantModelViewSet):
    """Attestations to briefings, one per member of staff per briefing. A manager records
    them here; staff attest for themselves with `briefings/{id}/attest/`."""

    queryset = Attestation.objects.select_related("location", "briefing", "staff")
    serializer_class = AttestationSerializer
    filterset_class = AttestationFilter
    view_permission = Perm.WORKFORCE_VIEW
    filter_visible = staticmethod(perms.filter_workforce_visible)
    ordering_fields = ["attested_at", "created_at"]
    http_method_names = ["get", "post", "head", "options"]

    def create_object(self, data: dict[str, Any]) -> Attestation:
        briefing = data.pop("briefing")
        return services.attestation_create(actor=self.request.user,
                                           organisation=briefing.organisation,
                                           briefing=briefing, **data)

    def archive_object(self, obj: Attestation, reason: str, restore: bool) -> Attestation:
        return services.attestation_archive(actor=self.request.user, attestation=obj,
                                            reason=reason, restore=restore)
