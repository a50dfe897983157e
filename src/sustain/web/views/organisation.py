"""Organisation administration (administrators): user accounts, roles (memberships),
regions and locations. Roles are withdrawn by archiving the membership, never deleted."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sustain.accounts import services as account_services
from sustain.accounts.models import User
from sustain.core.errors import ApplicationError
from sustain.tenancy import services as tenancy_services
from sustain.tenancy.models import Location, Membership, Organisation, Region
from sustain.tenancy.permissions import actor_organisation_id, can_manage_users
from sustain.web.forms import (
    MembershipForm,
    OrganisationSettingsForm,
    ReasonForm,
    RegionForm,
    UserCreateForm,
)
from sustain.web.views.base import get_visible_or_404, paginate, require, run_service
from sustain.web.views.history import filter_users_visible
from sustain.web.views.home import role_label, scope_label


def _require_admin(request: HttpRequest) -> None:
    require(can_manage_users(request.user))


def _org_id(request: HttpRequest) -> int | None:
    return actor_organisation_id(request.user)


def _active_memberships() -> Prefetch:
    return Prefetch("memberships", to_attr="active_memberships",
                    queryset=Membership.objects.filter(archived_at__isnull=True)
                    .select_related("region", "location").order_by("role"))


@login_required
def org_admin(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    org_id = _org_id(request)
    users = User.objects.filter(organisation_id=org_id).prefetch_related(
        _active_memberships()).order_by("-is_active", "username")
    page = paginate(request, users, per_page=50)
    rows = [(u, [(role_label(m.role), scope_label(m)) for m in u.active_memberships])
            for u in page]
    regions = Region.objects.filter(organisation_id=org_id).order_by("name")
    location_count = Location.objects.filter(organisation_id=org_id,
                                             archived_at__isnull=True).count()
    return render(request, "web/organisation/index.html", {
        "page": page, "rows": rows, "regions": regions, "location_count": location_count,
        "region_form": RegionForm(auto_id="region_%s"),
    })


@login_required
def org_settings(request: HttpRequest) -> HttpResponse:
    """The organisation's settings: name, CQC provider id, supervision interval."""
    _require_admin(request)
    organisation = Organisation.objects.get(pk=_org_id(request))
    initial = {name: getattr(organisation, name) for name in tenancy_services.ORGANISATION_SETTINGS}
    initial["version"] = organisation.version
    form = OrganisationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        changes = {k: v for k, v in data.items() if v != initial[k]}
        saved = run_service(form, lambda: tenancy_services.organisation_update(
            actor=request.user, organisation=organisation, changes=changes,
            expected_version=version))
        if saved is not None:
            messages.success(request, "The organisation's settings have been saved.")
            return redirect("web:org-admin")
    return render(request, "web/organisation/settings.html", {
        "form": form, "organisation": organisation})


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "password_confirm"}
        user = run_service(form, lambda: account_services.user_create(
            actor=request.user, organisation=request.user.organisation, **data))
        if user is not None:
            messages.success(request, f"The account {user.username} has been created. "
                                      "Now give it a role.")
            return redirect("web:org-user-detail", uuid=user.uuid)
    return render(request, "web/organisation/user_form.html", {"form": form})


def _scoped_choices(request: HttpRequest) -> dict[str, QuerySet]:
    org_id = _org_id(request)
    return {
        "regions": Region.objects.filter(organisation_id=org_id,
                                         archived_at__isnull=True).order_by("name"),
        "locations": Location.objects.filter(organisation_id=org_id,
                                             archived_at__isnull=True).order_by("name"),
    }


def _get_user(request: HttpRequest, uuid: Any) -> User:
    return get_visible_or_404(User.objects.all(), filter_users_visible, request.user, uuid)


@login_required
def user_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    _require_admin(request)
    account = _get_user(request, uuid)
    memberships = Membership.objects.filter(user=account).select_related(
        "region", "location").order_by("archived_at", "role")
    form = MembershipForm(request.POST or None, **_scoped_choices(request),
                          initial={"scope": "location"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        membership = run_service(form, lambda: tenancy_services.membership_create(
            actor=request.user, organisation=request.user.organisation, user=account,
            role=data["role"], scope=data["scope"],
            region=data["region"] if data["scope"] == "region" else None,
            location=data["location"] if data["scope"] == "location" else None))
        if membership is not None:
            messages.success(request, f"{account.username} is now "
                                      f"{role_label(membership.role)} over "
                                      f"{scope_label(membership)}.")
            return redirect("web:org-user-detail", uuid=account.uuid)
    return render(request, "web/organisation/user_detail.html", {
        "account": account,
        "memberships": [(m, role_label(m.role), scope_label(m)) for m in memberships],
        "form": form,
        "is_self": account.pk == request.user.pk,
    })


def _set_active(request: HttpRequest, uuid: Any, active: bool) -> HttpResponse:
    _require_admin(request)
    account = _get_user(request, uuid)
    try:
        if active:
            account_services.user_reactivate(actor=request.user, user=account)
        else:
            account_services.user_deactivate(actor=request.user, user=account)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        done = "reactivated" if active else "deactivated"
        messages.success(request, f"The account {account.username} has been {done}.")
    return redirect("web:org-user-detail", uuid=account.uuid)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, uuid: Any) -> HttpResponse:
    return _set_active(request, uuid, active=False)


@login_required
@require_POST
def user_reactivate(request: HttpRequest, uuid: Any) -> HttpResponse:
    return _set_active(request, uuid, active=True)


@login_required
@require_POST
def membership_withdraw(request: HttpRequest, uuid: Any) -> HttpResponse:
    _require_admin(request)
    membership = get_visible_or_404(
        Membership.objects.select_related("user", "region", "location"),
        lambda qs, actor: qs.filter(organisation_id=actor_organisation_id(actor)),
        request.user, uuid)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        tenancy_services.membership_archive(actor=request.user, membership=membership,
                                            reason=reason)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{role_label(membership.role)} over "
                                  f"{scope_label(membership)} withdrawn from "
                                  f"{membership.user.username}.")
    return redirect("web:org-user-detail", uuid=membership.user.uuid)


@login_required
def region_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = RegionForm(request.POST or None, auto_id="region_%s")
    if request.method == "POST" and form.is_valid():
        region = run_service(form, lambda: tenancy_services.region_create(
            actor=request.user, organisation=request.user.organisation,
            name=form.cleaned_data["name"]))
        if region is not None:
            messages.success(request, f"The region {region.name} has been added.")
            return redirect("web:org-admin")
    return render(request, "web/organisation/region_form.html", {"form": form})


