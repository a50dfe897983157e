"""Signals: alerts raised on an indicator's series at a location, and their interpretation.

A `Signal` is one *new* change found by the alerting (`engine.alerting`, ADR 0015) in the
period whose value raised it: a **concern** (the change is in the worse direction) or an
**improvement**. A concern must be interpreted in writing by its owner (the registered
manager at the location) by `due_at`: what it means, what is being done, linked to a theme
or action; an improvement is noted. A signal whose alert no longer holds after its values
were corrected is withdrawn with a reason, never deleted (ADR 0017).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel


class Signal(TenantScopedModel):
    """One alert on one indicator at one location for one period (concern or improvement)."""

    class Direction(models.TextChoices):
        CONCERN = "concern", _("Concern")
        IMPROVEMENT = "improvement", _("Improvement")

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting interpretation")
        INTERPRETED = "interpreted", _("Interpreted")
        NOTED = "noted", _("Noted (improvement)")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT,
                                  related_name="signals", verbose_name=_("indicator"))
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("location"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("The day after the period."))
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    method = models.CharField(_("method"), max_length=60)
    strength = models.FloatField(_("strength"))
    change_period_start = models.DateField(_("change from"), null=True, blank=True)
    explanation = models.TextField(_("explanation"))
    raised_at = models.DateTimeField(_("raised at"))
    due_at = models.DateTimeField(_("interpret by"), null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("owner"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.OPEN)
    meaning = models.TextField(_("what it means"), blank=True)
    response = models.TextField(_("what is being done"), blank=True)
    theme = models.ForeignKey("themes.Theme", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("theme"))
    action = models.ForeignKey("themes.Action", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+", verbose_name=_("action"))
    interpreted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="+",
                                       verbose_name=_("interpreted by"))
    interpreted_at = models.DateTimeField(_("interpreted at"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("why withdrawn"), blank=True)

    class Meta:
        ordering = ("-period_start", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("indicator", "location", "period_start", "direction"),
                name="signal_unique_period_direction",
                violation_error_message="This indicator already has a signal in this "
                                        "direction for this period at this location."),
        ]
        indexes = [
            models.Index(fields=("organisation", "location", "status"),
                         name="signal_org_loc_status"),
            models.Index(fields=("indicator", "location", "period_start"),
                         name="signal_ind_loc_period"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} signal on {self.indicator_id} at " \
               f"{self.location_id} for {self.period_start}"

    @property
    def is_concern(self) -> bool:
        return self.direction == self.Direction.CONCERN
