"""REST resources: `medicines-checks/` (with nested discrepancies) and `medicines-reviews/`."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from rest_framework import serializers

from sustain.core.api import TenantModelViewSet, UUIDRelatedField
from sustain.engine.access import Perm
from sustain.medicines import permissions as perms
from sustain.medicines import services
from sustain.medicines.filters import MedicinesCheckFilter, WeeklyReviewFilter
from sustain.medicines.models import Discrepancy, MedicinesCheck, WeeklyReview
from sustain.people.models import PersonSupported, StaffMember
from sustain.people.permissions import filter_people_visible
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible


class DiscrepancySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    type = serializers.ChoiceField(choices=Discrepancy.Type.choices)
    person = UUIDRelatedField(queryset=PersonSupported.objects.all(),
                              visible=filter_people_visible, required=False, allow_null=True)
    staff_responsible = UUIDRelatedField(queryset=StaffMember.objects.all(),
                                         visible=perms.filter_staff_choosable, required=False,
                                         allow_null=True)
    action_taken = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = Discrepancy
        fields = ["id", "type", "person", "staff_responsible", "action_taken"]


class MedicinesCheckSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    location = UUIDRelatedField(queryset=Location.objects.all(), visible=filter_locations_visible)
    checked_by = UUIDRelatedField(queryset=StaffMember.objects.all(),
                                  visible=perms.filter_staff_choosable)
    shift = serializers.ChoiceField(choices=MedicinesCheck._meta.get_field("shift").choices,
                                    required=False, allow_blank=True,
                                    help_text="Defaults to the shift running now when the "
                                              "check is dated today.")
    themes = UUIDRelatedField(queryset=Theme.objects.all(), visible=filter_themes_visible,
                              many=True, required=False)
    discrepancies = DiscrepancySerializer(many=True, required=False,
                                          source="current_discrepancies")
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = MedicinesCheck
        fields = ["id", "location", "check_date", "shift", "checked_by", "charts_checked",
                  "notes", "external_ref", "themes", "discrepancies", "version", "archived_at",
                  "created_at", "updated_at"]
        read_only_fields = ["archived_at", "created_at", "updated_at"]
        validators: list[Any] = []


def _service_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "current_discrepancies" in data:
        data["discrepancies"] = [dict(row) for row in data.pop("current_discrepancies")]
    return data


class MedicinesCheckViewSet(TenantModelViewSet):
    """End-of-shift MAR checks. POST records a check with its discrepancies (all or nothing;
    refusals name `discrepancies.<index>.<field>`, counting from 0); PATCH corrects it (with
    `version`; a `discrepancies` list replaces the current rows)."""

    queryset = MedicinesCheck.objects.select_related("location", "checked_by").prefetch_related(
        "themes", Prefetch("discrepancies", to_attr="prefetched_discrepancies",
                           queryset=Discrepancy.objects.filter(archived_at__isnull=True)
                           .select_related("person", "staff_responsible").order_by("pk")))
    serializer_class = MedicinesCheckSerializer
    filterset_class = MedicinesCheckFilter
    view_permission = Perm.TRACKER_VIEW
    filter_visible = staticmethod(perms.filter_checks_visible)
    ordering_fields = ["check_date", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create_object(self, data: dict[str, Any]) -> MedicinesCheck:
        user = self.request.user
        return services.medicines_check_create(actor=user, organisation=user.organisation,
                                               **_service_fields(data))

    def update_object(self, obj: MedicinesCheck, data: dict[str, Any],
                      expected_version: int) -> MedicinesCheck:
        data = _service_fields(data)
        if data.get("location") == obj.location:
            data.pop("location")
        return services.medicines_check_update(actor=self.request.user, check=obj,
                                               expected_version=expected_version, changes=data)

    def archive_object(self, obj: MedicinesCheck, reason: str,
                       restore: bool) -> MedicinesCheck:
        return services.medicines_check_archive(actor=self.request.user, check=obj,
                                                reason=reason, restore=restore)


class WeeklyReviewSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    location = UUIDRelatedField(queryset=Location.objects.all(), visible=filter_locations_visible)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewed_at = serializers.DateTimeField(required=False)
    checks_covered = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    themes = UUIDRelatedField(queryset=Theme.objects.all(), visible=filter_themes_visible,
                              many=True, required=False)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = WeeklyReview
        fields = ["id", "location", "week_starting", "reviewed_by", "reviewed_at",
                  "pattern_noted", "checks_covered", "external_ref", "themes", "version",
                  "archived_at", "created_at", "updated_at"]
        read_only_fields = ["archived_at", "created_at", "updated_at"]
        validators: list[Any] = []


class WeeklyReviewViewSet(TenantModelViewSet):
    """The manager's weekly review of a location's medicines checks (POST records one; it
    covers the week's current checks). Reviews are not edited: archive and record again."""

    queryset = WeeklyReview.objects.select_related("location", "reviewed_by").prefetch_related(
        "checks_covered", "themes")
    serializer_class = WeeklyReviewSerializer
    filterset_class = WeeklyReviewFilter
    view_permission = Perm.TRACKER_VIEW
    filter_visible = staticmethod(perms.filter_reviews_visible)
    ordering_fields = ["week_starting", "reviewed_at"]
    http_method_names = ["get", "post", "head", "options"]

    def create_object(self, data: dict[str, Any]) -> WeeklyReview:
        user = self.request.user
        return services.weekly_review_create(actor=user, organisation=user.organisation, **data)

    def archive_object(self, obj: WeeklyReview, reason: str, restore: bool) -> WeeklyReview:
        return services.weekly_review_archive(actor=self.request.user, review=obj,
                                              reason=reason, restore=restore)
