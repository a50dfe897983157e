"""REST resources: locations and memberships, and `organisation/` (your organisation's
settings)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sustain.accounts.models import User
from sustain.core.api import TenantModelViewSet, UUIDRelatedField
from sustain.core.api_errors import error_response
from sustain.core.errors import InvalidInput, NotFound
from sustain.engine.access import Perm
from sustain.people.models import StaffMember
from sustain.people.permissions import filter_staff_visible
from sustain.tenancy import permissions as perms
from sustain.tenancy import services
from sustain.tenancy.filters import LocationFilter, MembershipFilter
from sustain.tenancy.models import Location, Membership, Organisation, Region


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


class OrganisationSerializer(serializers.ModelSerializer):
    """The signed-in user's organisation and its settings."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "cqc_provider_id", "governance_cycle",
                  "supervision_interval_weeks", "version", "updated_at"]
        read_only_fields = ["slug", "governance_cycle", "updated_at"]


class OrganisationView(APIView):
    """`GET /api/v1/organisation/`: your organisation and its settings (any member).
    `PATCH` with `version`: change them (administrators; `supervision_interval_weeks` 1–52)."""

    def _organisation(self, request: Request) -> Organisation:
        org_id = perms.actor_organisation_id(request.user)
        organisation = Organisation.objects.filter(pk=org_id).first() if org_id else None
        if organisation is None:
            raise NotFound("You do not belong to an organisation.")
        return organisation

    @extend_schema(operation_id="organisation_retrieve", summary="Your organisation",
                   responses={200: OrganisationSerializer, 401: error_response("Not signed in."),
                              404: error_response("No organisation.")},
                   tags=["organisation"])
    def get(self, request: Request) -> Response:
        return Response(OrganisationSerializer(self._organisation(request)).data)

    @extend_schema(operation_id="organisation_partial_update",
                   summary="Change your organisation's settings",
                   request=OrganisationSerializer,
                   responses={200: OrganisationSerializer,
                              400: error_response("A value is refused (the field is named)."),
                              401: error_response("Not signed in."),
                              403: error_response("Not an administrator."),
                              404: error_response("No organisation."),
                              409: error_response("Changed by someone else since `version`.")},
                   tags=["organisation"])
    def patch(self, request: Request) -> Response:
        organisation = self._organisation(request)
        raw = request.data.get("version") if hasattr(request.data, "get") else None
        try:
            expected = int(raw)
        except (TypeError, ValueError):
            raise InvalidInput(  # noqa: B904
                "Send the organisation's current version so concurrent edits are not "
                "overwritten.", {"version": ["This field is required."]})
        serializer = OrganisationSerializer(organisation, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = services.organisation_update(
            actor=request.user, organisation=organisation,
            changes=dict(serializer.validated_data), expected_version=expected)
        return Response(OrganisationSerializer(updated).data)
