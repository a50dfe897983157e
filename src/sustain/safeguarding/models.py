"""Safeguarding concerns (the seed's Operational Example 3): raised by staff, notified to the
shift lead before the end of the shift, reviewed by the Registered Manager within 24 hours,
referred to the local authority when that is the decision, and closed with an outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel


class SafeguardingConcern(TenantScopedModel):
    """One safeguarding concern about a person supported, and each step taken on it."""

    class Category(models.TextChoices):
        """The types of abuse and neglect in the Care Act 2014 statutory guidance."""

        PHYSICAL = "physical", _("Physical abuse")
        DOMESTIC = "domestic", _("Domestic abuse")
        SEXUAL = "sexual", _("Sexual abuse")
        PSYCHOLOGICAL = "psychological", _("Psychological or emotional abuse")
        FINANCIAL = "financial", _("Financial or material abuse")
        MODERN_SLAVERY = "modern_slavery", _("Modern slavery")
        DISCRIMINATORY = "discriminatory", _("Discriminatory abuse")
        ORGANISATIONAL = "organisational", _("Organisational or institutional abuse")
        NEGLECT = "neglect", _("Neglect and acts of omission")
        SELF_NEGLECT = "self_neglect", _("Self-neglect")

    class Decision(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", _("No further action")
        INTERNAL_ACTION = "internal_action", _("Internal action")
        REFERRAL = "referral", _("Referral to the local authority")

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT,
                                 related_name="safeguarding_concerns", verbose_name=_("location"))
    raised_at = models.DateTimeField(_("raised at"))
    raised_by = models.ForeignKey("people.StaffMember", on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("raised by"))
    person = models.ForeignKey("people.PersonSupported", on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("person"))
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    description = models.TextField(_("what happened or was seen"))
    shift_lead_notified_at = models.DateTimeField(_("shift lead notified at"), null=True,
                                                  blank=True)
    manager_reviewed_at = models.DateTimeField(_("manager reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("reviewed by"))
    decision = models.CharField(_("decision"), max_length=30, choices=Decision.choices,
                                blank=True)
    la_referral_at = models.DateTimeField(_("local authority referral made at"), null=True,
                                          blank=True)
    la_reference = models.CharField(_("local authority reference"), max_length=100, blank=True)
    cqc_notified_at = models.DateTimeField(_("CQC notification sent at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    themes = models.ManyToManyField("themes.Theme", blank=True, related_name="+",
                                    verbose_name=_("themes"))

    class Meta:
        ordering = ("-raised_at",)
        constraints = [models.UniqueConstraint(
            fields=("organisation", "external_ref"), condition=~Q(external_ref=""),
            name="safeguarding_concern_unique_external_ref",
            violation_error_message="Another record in this organisation has this external "
                                    "reference.")]
        indexes = [models.Index(fields=("organisation", "location", "raised_at"),
                                name="safeguarding_org_loc_raised")]

    def __str__(self) -> str:
        return f"Safeguarding concern: {self.get_category_display()} ({self.raised_at:%d %b %Y})"
