"""REST resources: people supported and staff."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sustain.accounts.models import User
from sustain.core.api import TenantModelViewSet, UUIDRelatedField
from sustain.engine.access import Perm
from sustain.people import permissions as perms
from sustain.people import services
from sustain.people.filters import PersonFilter, StaffFilter
from sustain.people.models import PersonSupported, StaffMember
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import actor_organisation_id, filter_locations_visible


class PersonSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    location = UUIDRelatedField(queryset=Location.objects.all(), visible=filter_locations_visible)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = PersonSupported
        fields = ["id", "reference", "initials", "location", "admission_date", "discharge_date",
                  "version", "archived_at", "created_at", "updated_at"]
        read_only_fields = ["archived_at", "created_at", "updated_at"]
        validators: list[Any] = []


class PersonViewSet(TenantModelViewSet):
    """People supported, by pseudonymous reference and initials."""

    queryset = PersonSupported.objects.select_related("location")
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    view_permission = Perm.PERSON_VIEW
    filter_visible = staticmethod(perms.filter_people_visible)
    ordering_fields = ["reference", "admission_date"]

    def create_object(self, data: dict[str, Any]) -> PersonSupported:
        return services.person_create(actor=self.request.user,
                                      organisation=self.request.user.organisation, **data)

    def update_object(self, obj: PersonSupported, data: dict[str, Any],
                      expected_version: int) -> PersonSupported:
        return services.person_update(actor=self.request.user, person=obj, changes=data,
                                      expected_version=expected_version)

    def archive_object(self, obj: PersonSupported, reason: str,
                       restore: bool) -> PersonSupported:
        return services.person_archive(actor=self.request.user, person=obj, reason=reason,
                                       restore=restore)


def _users_visible(qs: Any, actor: Any) -> Any:
    return qs.filter(organisation_id=actor_organisation_id(actor))


class StaffSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    locations = UUIDRelatedField(queryset=Location.objects.all(), many=True,
                                 visible=filter_locations_visible)
    user = UUIDRelatedField(queryset=User.objects.all(), visible=_users_visible,
                            required=False, allow_null=True)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = StaffMember
        fields = ["id", "full_name", "job_role", "staff_reference", "locations", "start_date",
                  "leaving_date", "user", "version", "archived_at", "created_at", "updated_at"]
        read_only_fields = ["archived_at", "created_at", "updated_at"]
        validators: list[Any] = []


class StaffViewSet(TenantModelViewSet):
    """Staff members and the locations they work at."""

    queryset = StaffMember.objects.prefetch_related("locations").select_related("user")
    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    view_permission = Perm.STAFF_VIEW
    filter_visible = staticmethod(perms.filter_staff_visible)
    ordering_fields = ["full_name", "start_date"]

    def create_object(self, data: dict[str, Any]) -> StaffMember:
        return services.staff_create(actor=self.request.user,
                                     organisation=self.request.user.organisation, **data)

    def update_object(self, obj: StaffMember, data: dict[str, Any],
                      expected_version: int) -> StaffMember:
        return services.staff_update(actor=self.request.user, staff=obj, changes=data,
                                     expected_version=expected_version)

    def archive_object(self, obj: StaffMember, reason: str, restore: bool) -> StaffMember:
        return services.staff_archive(actor=self.request.user, staff=obj, reason=reason,
                                      restore=restore)
