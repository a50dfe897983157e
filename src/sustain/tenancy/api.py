"""REST resources: locations and memberships."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sustain.accounts.models import User
from sustain.core.api import TenantModelViewSet, UUIDRelatedField
from sustain.engine.access import Perm
from sustain.people.models import StaffMember
from sustain.people.permissions import filter_staff_visible
from sustain.tenancy import permissions as perms
from sustain.tenancy import services
from sustain.tenancy.filters import LocationFilter, MembershipFilter
from sustain.tenancy.models import Location, Membership, Region


def _regions_visible(qs: Any, actor: Any) -> Any:
    return qs.filter(organisation_id=perms.actor_organisation_id(actor))


def _users_visible(qs: Any, actor: Any) -> Any:
    return qs.filter(organisation_id=perms.actor_organisation_id(actor))


class LocationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    region = UUIDRelatedField(queryset=Region.objects.all(), visible=_regions_visible,
                              required=False, allow_null=True)
    registered_manager = UUIDRelatedField(queryset=StaffMember.objects.all(),
                                          visible=filter_staff_visible, required=False,
                                          allow_null=True)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Location
        fields = ["id", "cqc_location_id", "name", "service_type", "capacity", "region",
                  "address_line_1", "address_line_2", "town", "postcode", "local_authority",
                  "registration_date", "registered_manager", "day_shift_start",
                  "night_shift_start", "version", "archived_at", "created_at", "updated_at"]
        read_only_fields = ["archived_at", "created_at", "updated_at"]
        # Uniqueness is checked by the service (named constraint), not the serializer.
        validators: list[Any] = []


class LocationViewSet(TenantModelViewSet):
    """CQC-registered services the user may see."""

    queryset = Location.objects.select_related("region", "registered_manager")
    serializer_class = LocationSerializer
    filterset_class = LocationFilter
    view_permission = Perm.LOCATION_VIEW
    filter_visible = staticmethod(perms.filter_locations_visible)
    ordering_fields = ["name", "cqc_location_id", "capacity"]

    def create_object(self, data: dict[str, Any]) -> Location:
        return services.location_create(actor=self.request.user,
                                        organisation=self.request.user.organisation, **data)

    def update_object(self, obj: Location, data: dict[str, Any],
                      expected_version: int) -> Location:
        return services.location_update(actor=self.request.user, location=obj, changes=data,
                                        expected_version=expected_version)

    def archive_object(self, obj: Location, reason: str, restore: bool) -> Location:
        return services.location_archive(actor=self.request.user, location=obj, reason=reason,
                                         restore=restore)


class MembershipSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    user = UUIDRelatedField(queryset=User.objects.all(), visible=_users_visible)
    region = UUIDRelatedField(queryset=Region.objects.all(), visible=_regions_visible,
                              required=False, allow_null=True)
    location = UUIDRelatedField(queryset=Location.objects.all(),
                                visible=perms.filter_locations_visible, required=False,
                                allow_null=True)
    username = serializers.CharField(source="user.username", read_only=True)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "username", "role", "scope", "region", "location", "version",
                  "archived_at", "created_at"]
        read_only_fields = ["archived_at", "created_at"]


class MembershipViewSet(TenantModelViewSet):
    """Who holds which role over which scope. Granted and withdrawn, never edited in place."""

    queryset = Membership.objects.select_related("user", "region", "location")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    view_permission = Perm.MEMBERSHIP_VIEW
    filter_visible = staticmethod(perms.filter_memberships_visible)
    http_method_names = ["get", "post", "head", "options"]

    def create_object(self, data: dict[str, Any]) -> Membership:
        return services.membership_create(actor=self.request.user,
                                          organisation=self.request.user.organisation, **data)

    def archive_object(self, obj: Membership, reason: str, restore: bool) -> Membership:
        return services.membership_archive(actor=self.request.user, membership=obj,
                                           reason=reason, restore=restore)
