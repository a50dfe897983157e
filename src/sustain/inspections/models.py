"""CQC inspections of a location: ratings, regulation breaches, enforcement and findings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel


class Rating(models.TextChoices):
    OUTSTANDING = "outstanding", _("Outstanding")
    GOOD = "good", _("Good")
    REQUIRES_IMPROVEMENT = "requires-improvement", _("Requires improvement")
    INADEQUATE = "inadequate", _("Inadequate")
    NOT_RATED = "not-rated", _("Not rated")


class InspectionType(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive inspection")
    FOCUSED = "focused", _("Focused inspection")
    ASSESSMENT = "assessment", _("Assessment (single assessment framework)")


class Inspection(TenantScopedModel):
    """One CQC inspection or assessment of a location, with its published ratings."""

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT,
                                 related_name="inspections", verbose_name=_("location"))
    inspection_date = models.DateField(_("inspection date"))
    publication_date = models.DateField(_("report published"), null=True, blank=True)
    inspection_type = models.CharField(_("type"), max_length=20, choices=InspectionType.choices)
    overall_rating = models.CharField(_("overall rating"), max_length=30, choices=Rating.choices)
    report_url = models.URLField(_("report link"), blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ("-inspection_date",)
        indexes = [models.Index(fields=("location", "-inspection_date"),
                                name="inspections_location_date")]

    def __str__(self) -> str:
        return f"{self.location} — {self.inspection_date:%d %b %Y}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.location_id and self.location.organisation_id != self.organisation_id:
            errors["location"] = "The location belongs to another organisation."
        if self.publication_date and self.inspection_date and \
                self.publication_date < self.inspection_date:
            errors["publication_date"] = "The report cannot be published before the inspection."
        if errors:
            raise ValidationError(errors)


class _InspectionPart(TenantScopedModel):
    """A row that belongs to an inspection; it carries the location for scoping."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT,
                                   related_name="%(class)ss", verbose_name=_("inspection"))
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("location"))

    class Meta:
        abstract = True


class KeyQuestionRating(_InspectionPart):
    """The rating given for one key question (Safe, Effective, Caring, Responsive, Well-led)."""

    key_question = models.ForeignKey("reference.KeyQuestion", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("key question"))
    rating = models.CharField(_("rating"), max_length=30, choices=Rating.choices)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=("inspection", "key_question"),
            name="inspections_kqrating_unique_inspection_key_question",
            violation_error_message=_("This key question already has a rating."))]

    def __str__(self) -> str:
        return f"{self.key_question}: {self.get_rating_display()}"


class RegulationBreach(_InspectionPart):
    """A breach of a regulation found at the inspection."""

    regulation = models.ForeignKey("reference.Regulation", on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("regulation"))
    summary = models.TextField(_("summary"))

    class Meta:
        verbose_name_plural = _("regulation breaches")

    def __str__(self) -> str:
        return f"Breach of {self.regulation}"


class EnforcementStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ESCALATED = "escalated", _("Escalated")


class EnforcementAction(_InspectionPart):
    """Enforcement that followed the inspection (requirement notice, warning notice, …)."""

    enforcement_type = models.ForeignKey("reference.EnforcementType", on_delete=models.PROTECT,
                                         related_name="+", verbose_name=_("type"))
    issued_on = models.DateField(_("issued on"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=EnforcementStatus.choices,
                              default=EnforcementStatus.OPEN)
    notes = models.TextField(_("notes"), blank=True)

    def __str__(self) -> str:
        return f"{self.enforcement_type} ({self.get_status_display()})"

    def clean(self) -> None:
        if self.deadline and self.issued_on and self.deadline < self.issued_on:
            raise ValidationError({"deadline": "The deadline cannot be before the issue date."})


class Finding(_InspectionPart):
    """A finding in the report; it can become an improvement theme."""

    text = models.TextField(_("finding"))
    key_question = models.ForeignKey("reference.KeyQuestion", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("key question"))
    quality_statements = models.ManyToManyField("reference.QualityStatement", blank=True,
                                                related_name="+",
                                                verbose_name=_("quality statements"))

    def __str__(self) -> str:
        return self.text[:80]
