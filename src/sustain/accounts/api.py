"""REST resources for accounts: API tokens, the signed-in user (`me/`) and user administration."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate, user_logged_in
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sustain.accounts import services
from sustain.accounts.filters import UserFilter
from sustain.accounts.models import User
from sustain.accounts.permissions import filter_users_visible
from sustain.core.api import TenantModelViewSet
from sustain.core.api_errors import error_response
from sustain.core.errors import ApplicationError, InvalidInput
from sustain.engine.access import ROLE_LABELS, Perm, Role
from sustain.tenancy.models import Location, Membership
from sustain.tenancy.permissions import location_scope

BAD_CREDENTIALS = "Unable to sign in with the username and password given."


class SignInLockedError(ApplicationError):
    """Sign-in refused because of repeated failures (django-axes lockout)."""

    status_code = 429


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False,
                                     style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")


def _lockout_message(request: Any) -> str:
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    wait = f"Try again in {minutes} minutes" if minutes else "Try again later"
    return (f"Too many failed sign-in attempts for this account. {wait}, or ask an "
            "administrator to unlock it.")


class AuthTokenView(APIView):
    """Exchange a username and password for an API token (one token per user).

    Failed attempts count towards the sign-in lockout (django-axes), exactly as on the web
    sign-in page. Deactivated and archived accounts are refused.
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_create",
        summary="Get an API token",
        description=(
            "Send `{\"username\", \"password\"}`; use the returned token on every other request "
            "as `Authorization: Token <token>`. Repeated failures lock the account for a while "
            "(HTTP 429)."),
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer,
                   400: error_response("Missing fields, or the username and password do not "
                                       "match an active account."),
                   429: error_response("Locked out after repeated failed attempts.")},
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        http_request = request._request
        user = authenticate(request=http_request,
                            username=serializer.validated_data["username"],
                            password=serializer.validated_data["password"])
        if getattr(http_request, "axes_locked_out", False):
            # Answer in the API envelope ourselves rather than axes' HTML lockout page.
            http_request.axes_locked_out = False
            raise SignInLockedError(_lockout_message(http_request))
        if user is None or not user.is_active or getattr(user, "archived_at", None):
            raise InvalidInput(BAD_CREDENTIALS, {"non_field_errors": [BAD_CREDENTIALS]})
        # A successful sign-in: resets the failure count and records last_login.
        user_logged_in.send(sender=type(user), request=http_request, user=user)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MembershipSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    role = serializers.CharField()
    role_label = serializers.CharField()
    scope = serializers.CharField()
    region = serializers.UUIDField(source="region.uuid", allow_null=True, default=None)
    region_name = serializers.CharField(source="region.name", allow_null=True, default=None)
    location = serializers.UUIDField(source="location.uuid", allow_null=True, default=None)
    location_name = serializers.CharField(source="location.name", allow_null=True,
                                          default=None)


class PermissionScopeSerializer(serializers.Serializer):
    whole_organisation = serializers.BooleanField(
        help_text="True: every location of the organisation, including ones added later.")
    locations = serializers.ListField(
        child=serializers.UUIDField(),
        help_text="The locations covered (empty when `whole_organisation` is true).")


class MeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField()
    display_name = serializers.CharField()
    organisation = inline_serializer("MeOrganisation", {
        "id": serializers.UUIDField(), "name": serializers.CharField(),
        "slug": serializers.CharField()}, allow_null=True)
    memberships = MembershipSummarySerializer(many=True)
    permissions = serializers.DictField(
        child=PermissionScopeSerializer(),
        help_text="For each permission, where the user may use it.")


class MeView(APIView):
    """The signed-in user, their organisation, roles and where each permission applies."""

    @extend_schema(operation_id="me_retrieve", summary="The signed-in user",
                   responses={200: MeSerializer, 401: error_response("Not signed in.")},
                   tags=["me"])
    def get(self, request: Request) -> Response:
        user = request.user
        org = getattr(user, "organisation", None)
        memberships = []
        if org is not None:
            rows = Membership.objects.filter(user=user, organisation=org,
                                             archived_at__isnull=True) \
                .select_related("region", "location").order_by("role", "pk")
            for m in rows:
                m.role_label = ROLE_LABELS.get(Role(m.role), m.role)  # type: ignore[attr-defined]
                memberships.append(m)
        scopes = {perm: location_scope(user, perm) for perm in Perm}
        ids = set().union(*(s.location_ids for s in scopes.values()))
        uuids = dict(Location.objects.filter(pk__in=sorted(ids)).values_list("pk", "uuid")) \
            if ids else {}
        data = {
            "id": user.uuid, "username": user.username, "first_name": user.first_name,
            "last_name": user.last_name, "email": user.email,
            "display_name": user.display_name,
            "organisation": ({"id": org.uuid, "name": org.name, "slug": org.slug}
                             if org is not None else None),
            "memberships": memberships,
            "permissions": {
                str(perm): {"whole_organisation": scope.whole_organisation,
                            "locations": sorted(str(uuids[i]) for i in scope.location_ids
                                                if i in uuids)}
                for perm, scope in scopes.items()},
        }
        return Response(MeSerializer(data).data)


class UserSerializer(serializers.ModelSerializer):
    """An account as administrators see it (never the password)."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    version = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "display_name",
                  "is_active", "version", "archived_at", "last_login", "date_joined"]
        read_only_fields = ["username", "is_active", "archived_at", "last_login",
                            "date_joined"]


class UserCreateSerializer(UserSerializer):
    """A new account: the password is checked by the configured password validators."""

    password = serializers.CharField(write_only=True, trim_whitespace=False,
                                     style={"input_type": "password"})

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "password"]
        read_only_fields = ["is_active", "archived_at", "last_login", "date_joined"]


class UserUpdateSerializer(UserSerializer):
    """Name, email and whether the account may sign in; send the `version` you read."""

    class Meta(UserSerializer.Meta):
        read_only_fields = ["username", "archived_at", "last_login", "date_joined"]


class UserViewSet(TenantModelViewSet):
    """User accounts of the organisation (administrators over the whole organisation)."""

    queryset = User.objects.all()
    serializer_class = UserSerializer
    filterset_class = UserFilter
    ordering_fields = ["username", "last_name", "date_joined"]
    ordering = ["username"]
    view_permission = Perm.USER_MANAGE
    filter_visible = staticmethod(filter_users_visible)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "create":
            return UserCreateSerializer
        if self.action in ("update", "partial_update"):
            return UserUpdateSerializer
        return UserSerializer

    def create_object(self, data: dict[str, Any]) -> User:
        return services.user_create(actor=self.request.user,
                                    organisation=self.request.user.organisation, **data)

    def update_object(self, obj: User, data: dict[str, Any], expected_version: int) -> User:
        return services.user_update(actor=self.request.user, user=obj, changes=data,
                                    expected_version=expected_version)

    def archive_object(self, obj: User, reason: str, restore: bool) -> User:
        return services.user_archive(actor=self.request.user, user=obj, reason=reason,
                                     restore=restore)
