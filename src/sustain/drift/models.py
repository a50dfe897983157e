"""One location's drift assessment for one governance cycle (ADR 0016).

Derived data, written by `services.assess` (the nightly early-warning job): the drift index
and its band, every measure of the seven seed signs with its finding and the records behind
it, the themes flagged for relapse review, the tested-assurance comparisons and the key-person
risks — each with the rule text and rule version, so every number can be explained and
recomputed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel


class Band(models.TextChoices):
    NONE = "none", _("No drift")
    WATCH = "watch", _("Watch")
    DRIFTING = "drifting", _("Drifting")


class DriftAssessment(TenantScopedModel):
    """The drift of one location in one governance cycle [cycle_start, cycle_end].

    - `signs`: one entry per measure {measure, sign, sign_label, label, value, score, finding,
      judged, unit, watch, drift, records: [{type, uuid, label}]}.
    - `relapse`: themes flagged for relapse review {theme, title, reason, signs, records}.
    - `assurance`: tested assurance per audit template {template, template_name, own_mean,
      independent_mean, gap, signal, finding, threshold, records}.
    - `key_person`: flagged themes {theme, title, reasons, people, records, dominant_share}.
    """

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    cycle_start = models.DateField(_("cycle start"))
    cycle_end = models.DateField(_("cycle end"))
    as_of = models.DateField(_("assessed as of"),
                             help_text=_("The day of the run that last changed it."))
    value = models.PositiveSmallIntegerField(_("drift index"))
    band = models.CharField(_("band"), max_length=20, choices=Band.choices)
    signs = models.JSONField(_("signs"), default=list, blank=True)
    explanation = models.TextField(_("explanation"))
    rule_version = models.CharField(_("rule version"), max_length=60)
    relapse = models.JSONField(_("themes flagged for relapse review"), default=list, blank=True)
    assurance = models.JSONField(_("tested assurance"), default=list, blank=True)
    key_person = models.JSONField(_("key-person risks"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ("location", "cycle_start")
        constraints = [
            models.UniqueConstraint(
                fields=("location", "cycle_start"), name="drift_assessment_unique_cycle",
                violation_error_message=_("This location already has a drift assessment for "
                                          "this cycle.")),
            models.CheckConstraint(condition=models.Q(value__lte=14),
                                   name="drift_assessment_value_range",
                                   violation_error_message=_("The drift index is 0 to 14.")),
        ]
        indexes = [models.Index(fields=("organisation", "location", "cycle_start"),
                                name="drift_assessment_org_loc")]

    def __str__(self) -> str:
        return f"Drift at {self.location_id} from {self.cycle_start}: {self.value}"

    @property
    def cycle_key(self) -> str:
        """The cycle as YYYY-MM (monthly cycles)."""
        return f"{self.cycle_start:%Y-%m}"

    @property
    def signals(self) -> list[dict]:
        return [g for g in self.assurance or [] if g.get("signal")]
