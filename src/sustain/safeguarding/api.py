"""REST resource `safeguarding-concerns/`: raise (POST), change (PATCH with `version`; the
review fields need `tracker.review`), archive/restore; each concern carries its computed
timeliness (rule, status, deadline, lateness)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sustain.core.api import TenantModelViewSet, UUIDRelatedField
from sustain.engine.access import Perm
from sustain.medicines.permissions import filter_staff_choosable
from sustain.people.models import PersonSupported, StaffMember
from sustain.people.permissions import filter_people_visible
from sustain.safeguarding import permissions as perms
from sustain.safeguarding import services
from sustain.safeguarding.filters import SafeguardingConcernFilter
from sustain.safeguarding.models import SafeguardingConcern
from sustain.safeguarding.selectors import timeliness
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible


class CheckSerializer(serializers.Serializer):
    rule = serializers.CharField()
    status = serializers.ChoiceField(choices=["on_time", "late", "missing", "pending",
                                              "not_applicable"])
    summary = serializers.CharField()
    deadline = serializers.DateTimeField(allow_null=True)
    late_by_minutes = serializers.IntegerField(allow_null=True)


class TimelinessSerializer(serializers.Serializer):
    shift_lead_notified = CheckSerializer()
    manager_review = CheckSerializer()
    referral = CheckSerializer()


class SafeguardingConcernSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    location = UUIDRelatedField(queryset=Location.objects.all(), visible=filter_locations_visible)
    raised_by = UUIDRelatedField(queryset=StaffMember.objects.all(),
                                 visible=filter_staff_choosable)
    person = UUIDRelatedField(queryset=PersonSupported.objects.all(),
                              visible=filter_people_visible)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    themes = UUIDRelatedField(queryset=Theme.objects.all(), visible=filter_themes_visible,
                              many=True, required=False)
    timeliness = serializers.SerializerMethodField()
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = SafeguardingConcern
        fields = ["id", "location", "raised_at", "raised_by", "person", "category",
                  "description", "shift_lead_notified_at", "manager_reviewed_at",
                  "reviewed_by", "decision", "la_referral_at", "la_reference",
                  "cqc_notified_at", "outcome", "closed_at", "external_ref", "themes",
                  "timeliness", "version", "archived_at", "created_at", "updated_at"]
        read_only_fields = ["archived_at", "created_at", "updated_at"]
        validators: list[Any] = []

    @extend_schema_field(TimelinessSerializer())
    def get_timeliness(self, obj: SafeguardingConcern) -> dict[str, Any]:
        found = timeliness(obj, timezone.now())
        names = ("shift_lead_notified", "manager_review", "referral")
        return {name: {"rule": check.rule, "status": check.status, "summary": line,
                       "deadline": check.deadline,
                       "late_by_minutes": (int(check.late_by.total_seconds() // 60)
                                           if check.late_by is not None else None)}
                for name, (line, check) in zip(names, found.lines(), strict=True)}


class SafeguardingConcernViewSet(TenantModelViewSet):
    """Safeguarding concerns. Times must not be in the future nor before the concern was
    raised; refusals name the field. Timeliness is computed, never stored."""

    queryset = SafeguardingConcern.objects.select_related(
        "location", "person", "raised_by", "reviewed_by").prefetch_related("themes")
    serializer_class = SafeguardingConcernSerializer
    filterset_class = SafeguardingConcernFilter
    view_permission = Perm.TRACKER_VIEW
    filter_visible = staticmethod(perms.filter_concerns_visible)
    ordering_fields = ["raised_at", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create_object(self, data: dict[str, Any]) -> SafeguardingConcern:
        user = self.request.user
        return services.safeguarding_concern_create(actor=user, organisation=user.organisation,
                                                    **data)

    def update_object(self, obj: SafeguardingConcern, data: dict[str, Any],
                      expected_version: int) -> SafeguardingConcern:
        if data.get("location") == obj.location:
            data.pop("location")
        return services.safeguarding_concern_update(
            actor=self.request.user, concern=obj, expected_version=expected_version,
            changes=data)

    def archive_object(self, obj: SafeguardingConcern, reason: str,
                       restore: bool) -> SafeguardingConcern:
        return services.safeguarding_concern_archive(actor=self.request.user, concern=obj,
                                                     reason=reason, restore=restore)
