"""Indicators and their values per location and period.

An `Indicator` is an organisation's copy of a definition from the library
(`data/indicators.yaml`, `library.py`) or a custom one: how its value is computed
(``numerator / denominator × multiplier`` from two named computations in `compute.py`, or
imported), its direction, target, frequency, minimum points and kind (for alerting).

An `IndicatorValue` is one location's value for one period, stored with the integer numerator
and denominator it came from, so that the records behind it can be listed
(`selectors.records_behind`). Computed values are written by the nightly job
(`services.compute_values`); imported ones (agency hours %, turnover %, occupancy) by an
import, with `source = "imported"`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel
from sustain.engine.indicator_schema import IMPROVEMENT


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", _("Higher is better")
    HIGHER_IS_WORSE = "higher_is_worse", _("Higher is worse")
    NEUTRAL = "neutral", _("Neutral")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class Kind(models.TextChoices):
    RARE_COUNT = "rare_count", _("Rare count (with exposure)")
    RATE = "rate", _("Rate (with exposure)")
    PROPORTION = "proportion", _("Proportion")
    CONTINUOUS = "continuous", _("Continuous measure")


class Source(models.TextChoices):
    COMPUTED = "computed", _("Computed from records")
    IMPORTED = "imported", _("Imported")


class Indicator(TenantScopedModel):
    """One organisation's indicator definition (a copy of a library definition or custom)."""

    code = models.SlugField(_("code"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices,
                              default=Source.COMPUTED)
    numerator = models.CharField(_("numerator"), max_length=80)
    denominator = models.CharField(_("denominator"), max_length=80)
    multiplier = models.FloatField(_("multiplier"), default=1.0)
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    target = models.FloatField(_("target"), null=True, blank=True)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices,
                                 default=Frequency.MONTHLY)
    minimum_points = models.PositiveSmallIntegerField(_("minimum points"), default=12)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_library = models.BooleanField(_("from the library"), default=False)

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=("organisation", "code"),
                                    name="indicator_unique_code_per_org"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def improvement(self) -> str:
        """The SPC engine's word for the direction: increase / decrease / neutral."""
        return IMPROVEMENT[self.direction]


class IndicatorValue(TenantScopedModel):
    """One location's value of one indicator for one period [period_start, period_end)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values",
                                  verbose_name=_("indicator"))
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("The day after the period."))
    numerator = models.BigIntegerField(_("numerator"))
    denominator = models.BigIntegerField(_("denominator"))
    value = models.FloatField(_("value"), null=True, blank=True,
                              help_text=_("Empty when the denominator is zero."))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices,
                              default=Source.COMPUTED)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ("indicator", "location", "period_start")
        constraints = [
            models.UniqueConstraint(fields=("indicator", "location", "period_start"),
                                    name="indicatorvalue_unique_period"),
        ]
        indexes = [models.Index(fields=("organisation", "location", "indicator", "period_start"),
                                name="indicatorvalue_org_loc_ind")]

    def __str__(self) -> str:
        return f"{self.indicator_id} at {self.location_id} from {self.period_start}"


def value_of(numerator: int, denominator: int, multiplier: float) -> float | None:
    """numerator / denominator × multiplier, or None when the denominator is zero."""
    if denominator == 0:
        return None
    return numerator / denominator * multiplier
