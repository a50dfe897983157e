"""People supported (pseudonymous) and staff members. No clinical record is kept here."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel

initials_validator = RegexValidator(
    regex=r"^[A-Z]{1,4}$", message=_("Enter 1 to 4 capital letters, e.g. JS."),
    code="invalid_initials")
reference_validator = RegexValidator(
    regex=r"^[A-Za-z0-9][A-Za-z0-9-]{1,29}$",
    message=_("Use 2–30 letters, digits or hyphens (a pseudonymous reference, not a name)."),
    code="invalid_reference")


class PersonSupported(TenantScopedModel):
    """Someone who receives care, recorded by reference and initials only."""

    reference = models.CharField(_("reference"), max_length=30, validators=[reference_validator])
    initials = models.CharField(_("initials"), max_length=4, validators=[initials_validator])
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT,
                                 related_name="people", verbose_name=_("location"))
    admission_date = models.DateField(_("admission or start date"))
    discharge_date = models.DateField(_("discharge or end date"), null=True, blank=True)

    class Meta:
        ordering = ("reference",)
        verbose_name = _("person supported")
        verbose_name_plural = _("people supported")
        constraints = [
            models.UniqueConstraint(
                fields=("organisation", "reference"),
                name="people_personsupported_unique_organisation_reference",
                violation_error_message=_("This organisation already has a person with this "
                                          "reference."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.initials})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.location_id and self.location.organisation_id != self.organisation_id:
            errors["location"] = "The location belongs to another organisation."
        if self.discharge_date and self.admission_date and \
                self.discharge_date < self.admission_date:
            errors["discharge_date"] = "The discharge date cannot be before the admission date."
        if errors:
            raise ValidationError(errors)


class StaffMember(TenantScopedModel):
    """A member of staff at one or more locations, optionally linked to a user account."""

    full_name = models.CharField(_("full name"), max_length=200)
    job_role = models.CharField(_("job role"), max_length=100)
    staff_reference = models.CharField(_("staff reference"), max_length=40, blank=True)
    locations = models.ManyToManyField("tenancy.Location", related_name="staff",
                                       verbose_name=_("locations"))
    start_date = models.DateField(_("start date"))
    leaving_date = models.DateField(_("leaving date"), null=True, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="staff_member",
                                verbose_name=_("user account"))

    class Meta:
        ordering = ("full_name",)
        verbose_name = _("staff member")
        constraints = [
            models.UniqueConstraint(
                fields=("organisation", "staff_reference"),
                condition=~models.Q(staff_reference=""),
                name="people_staffmember_unique_organisation_staff_reference",
                violation_error_message=_("This organisation already has a staff member with "
                                          "this staff reference."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def location_id_for_scope(self) -> int | None:
        # Staff can work at several locations; history entries stay organisation-scoped.
        return None

    @property
    def is_current(self) -> bool:
        from django.utils import timezone

        return self.leaving_date is None or self.leaving_date >= timezone.localdate()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.leaving_date and self.start_date and self.leaving_date < self.start_date:
            errors["leaving_date"] = "The leaving date cannot be before the start date."
        if self.user_id and self.user.organisation_id != self.organisation_id:
            errors["user"] = "The user account belongs to another organisation."
        if errors:
            raise ValidationError(errors)
