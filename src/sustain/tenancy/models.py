"""The tenant (Organisation), its Regions, its CQC-registered Locations, and Memberships."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sustain.core.models import BaseModel, TenantScopedModel
from sustain.tenancy.choices import GovernanceCycle, RoleChoices, ScopeChoices, ServiceType

cqc_location_id_validator = RegexValidator(
    regex=r"^1-\d{6,12}$",
    message=_("Enter a CQC location id: 1- followed by digits, e.g. 1-123456789."),
    code="invalid_cqc_location_id",
)
postcode_validator = RegexValidator(
    regex=r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$",
    message=_("Enter a UK postcode, e.g. LS1 4AB."),
    code="invalid_postcode",
)


def default_supervision_interval_weeks() -> int:
    """A new organisation's supervision interval: `SUSTAIN_SUPERVISION_INTERVAL_WEEKS` (8)."""
    return int(getattr(settings, "SUSTAIN_SUPERVISION_INTERVAL_WEEKS", 8))


class Organisation(BaseModel):
    """A care provider: the tenant. Every domain row belongs to exactly one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    cqc_provider_id = models.CharField(_("CQC provider id"), max_length=20, blank=True)
    governance_cycle = models.CharField(_("governance cycle"), max_length=20,
                                        choices=GovernanceCycle.choices,
                                        default=GovernanceCycle.MONTHLY)
    supervision_interval_weeks = models.PositiveSmallIntegerField(
        _("supervision interval (weeks)"), default=default_supervision_interval_weeks,
        validators=[MinValueValidator(1, _("The supervision interval is at least 1 week.")),
                    MaxValueValidator(52, _("The supervision interval is at most 52 weeks."))],
        help_text=_("How often each member of staff should have a one-to-one supervision, in "
                    "weeks (1 to 52). A new supervision's next due date is its date plus this "
                    "interval, unless another date is given; overdue supervision is judged "
                    "against that date."))

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Region(TenantScopedModel):
    """An optional grouping of locations (a quality lead may cover one)."""

    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(
                fields=("organisation", "name"), name="tenancy_region_unique_organisation_name",
                violation_error_message=_("This organisation already has a region of that name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Location(TenantScopedModel):
    """A CQC-registered service: a care home, a home-care branch or a supported-living service."""

    cqc_location_id = models.CharField(_("CQC location id"), max_length=20,
                                       validators=[cqc_location_id_validator])
    name = models.CharField(_("name"), max_length=200)
    service_type = models.CharField(_("service type"), max_length=30,
                                    choices=ServiceType.choices)
    capacity = models.PositiveIntegerField(_("capacity (beds or people supported)"),
                                           validators=[MinValueValidator(1)])
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="locations", verbose_name=_("region"))
    address_line_1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line_2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    town = models.CharField(_("town or city"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True,
                                validators=[postcode_validator])
    local_authority = models.CharField(_("local authority"), max_length=120, blank=True)
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    registered_manager = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.PROTECT,
        related_name="managed_locations", verbose_name=_("registered manager"))
    day_shift_start = models.TimeField(_("day shift starts"), default=dt.time(8, 0))
    night_shift_start = models.TimeField(_("night shift starts"), default=dt.time(20, 0))

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(
                fields=("organisation", "cqc_location_id"),
                name="tenancy_location_unique_organisation_cqc_location_id",
                violation_error_message=_(
                    "This organisation already has a location with this CQC location id."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def location_id_for_scope(self) -> int | None:
        return self.pk

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.region_id and self.region.organisation_id != self.organisation_id:
            errors["region"] = "The region belongs to another organisation."
        if (self.registered_manager_id
                and self.registered_manager.organisation_id != self.organisation_id):
            errors["registered_manager"] = "The registered manager belongs to another organisation."
        if self.day_shift_start == self.night_shift_start:
            errors["night_shift_start"] = "The night shift must start at a different time."
        if self.postcode:
            self.postcode = self.postcode.upper().strip()
        if errors:
            raise ValidationError(errors)


class Membership(TenantScopedModel):
    """One role for one user over one scope: the whole organisation, a region or a location."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="memberships", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=30, choices=RoleChoices.choices)
    scope = models.CharField(_("scope"), max_length=20, choices=ScopeChoices.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="memberships", verbose_name=_("region"))
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="memberships", verbose_name=_("location"))

    class Meta:
        ordering = ("user__username", "role")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(scope="organisation", region__isnull=True, location__isnull=True)
                    | models.Q(scope="region", region__isnull=False, location__isnull=True)
                    | models.Q(scope="location", region__isnull=True, location__isnull=False)
                ),
                name="tenancy_membership_scope_matches_target",
                violation_error_message=_(
                    "A membership names a region only for region scope and a location only "
                    "for location scope."),
            ),
        ]

    def __str__(self) -> str:
        target = {"organisation": "whole organisation", "region": str(self.region),
                  "location": str(self.location)}.get(self.scope, "")
        return f"{self.user} — {self.get_role_display()} ({target})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.user_id and self.user.organisation_id != self.organisation_id:
            errors["user"] = "The user belongs to another organisation."
        if self.location_id and self.location.organisation_id != self.organisation_id:
            errors["location"] = "The location belongs to another organisation."
        if self.region_id and self.region.organisation_id != self.organisation_id:
            errors["region"] = "The region belongs to another organisation."
        if self.scope == ScopeChoices.LOCATION and not self.location_id:
            errors["location"] = "Choose the location for a location-scoped role."
        if self.scope == ScopeChoices.REGION and not self.region_id:
            errors["region"] = "Choose the region for a region-scoped role."
        if self.scope == ScopeChoices.ORGANISATION and (self.location_id or self.region_id):
            errors["scope"] = "An organisation-wide role names no region or location."
        if errors:
            raise ValidationError(errors)


__all__ = ["Location", "Membership", "Organisation", "Region", "uuid"]
