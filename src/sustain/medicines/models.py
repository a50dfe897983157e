"""End-of-shift medicines (MAR chart) checks, the discrepancies they find, and the manager's
weekly review of them (the seed's Operational Example: medicines)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel


def _external_ref_unique(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=("organisation", "external_ref"), condition=~Q(external_ref=""), name=name,
        violation_error_message="Another record in this organisation has this external "
                                "reference.")


class Shift(models.TextChoices):
    DAY = "day", _("Day")
    NIGHT = "night", _("Night")


class MedicinesCheck(TenantScopedModel):
    """One end-of-shift check of people's MAR charts at a location: who checked, how many
    charts, and the discrepancies found (rows of `Discrepancy`)."""

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT,
                                 related_name="medicines_checks", verbose_name=_("location"))
    check_date = models.DateField(_("date"))
    shift = models.CharField(_("shift"), max_length=10, choices=Shift.choices)
    checked_by = models.ForeignKey("people.StaffMember", on_delete=models.PROTECT,
                                   related_name="medicines_checks", verbose_name=_("checked by"))
    charts_checked = models.PositiveIntegerField(_("MAR charts checked"))
    notes = models.TextField(_("notes"), blank=True)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    themes = models.ManyToManyField("themes.Theme", blank=True, related_name="+",
                                    verbose_name=_("themes"))

    class Meta:
        ordering = ("-check_date", "-created_at")
        constraints = [_external_ref_unique("medicines_check_unique_external_ref")]
        indexes = [models.Index(fields=("organisation", "location", "check_date"),
                                name="medicines_check_org_loc_date")]

    def __str__(self) -> str:
        return f"Medicines check {self.check_date:%d %b %Y} ({self.get_shift_display()})"

    @property
    def current_discrepancies(self) -> list[Discrepancy]:
        """The discrepancies not archived (prefetched as `prefetched_discrepancies`)."""
        found = getattr(self, "prefetched_discrepancies", None)
        if found is None:
            found = list(self.discrepancies.filter(archived_at__isnull=True).select_related(
                "person", "staff_responsible").order_by("pk"))
        return found


class Discrepancy(TenantScopedModel):
    """One discrepancy found by a medicines check, the person and staff member it concerns
    (optional) and what was done about it."""

    class Type(models.TextChoices):
        OMISSION = "omission", _("Omission")
        MISSING_SIGNATURE = "missing_signature", _("Missing signature")
        WRONG_DOSE = "wrong_dose", _("Wrong dose")
        WRONG_TIME = "wrong_time", _("Wrong time")
        STOCK = "stock", _("Stock discrepancy")
        CONTROLLED_DRUG = "controlled_drug", _("Controlled-drug record")
        OTHER = "other", _("Other")

    check_record = models.ForeignKey(MedicinesCheck, on_delete=models.PROTECT,
                                     related_name="discrepancies", verbose_name=_("check"))
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    type = models.CharField(_("type"), max_length=30, choices=Type.choices)
    person = models.ForeignKey("people.PersonSupported", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    staff_responsible = models.ForeignKey("people.StaffMember", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+",
                                          verbose_name=_("staff member responsible"))
    action_taken = models.TextField(_("action taken"), blank=True)

    class Meta:
        ordering = ("check_record", "created_at", "pk")
        verbose_name_plural = "discrepancies"
        # A location's discrepancies by check (the escalation rules read them by location).
        indexes = [models.Index(fields=("organisation", "location", "check_record"),
                                name="medicines_disc_org_loc_check")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.check_record})"


class WeeklyReview(TenantScopedModel):
    """The manager's weekly review of a location's medicines checks: the week (starting
    Monday), who reviewed it and when, the pattern noted, and the checks it covered."""

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT,
                                 related_name="medicines_reviews", verbose_name=_("location"))
    week_starting = models.DateField(_("week starting (Monday)"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"))
    pattern_noted = models.TextField(_("pattern noted"), blank=True)
    checks_covered = models.ManyToManyField(MedicinesCheck, blank=True, related_name="reviews",
                                            verbose_name=_("checks covered"))
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    themes = models.ManyToManyField("themes.Theme", blank=True, related_name="+",
                                    verbose_name=_("themes"))

    class Meta:
        ordering = ("-week_starting", "-reviewed_at")
        constraints = [
            _external_ref_unique("medicines_review_unique_external_ref"),
            models.UniqueConstraint(
                fields=("location", "week_starting"), condition=Q(archived_at__isnull=True),
                name="medicines_review_unique_location_week",
                violation_error_message="This week already has a review at this location."),
        ]

    def __str__(self) -> str:
        return f"Medicines review, week of {self.week_starting:%d %b %Y}"
