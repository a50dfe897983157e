"""Incidents, complaints and compliments: what went wrong (and right) at a location, with the
investigation, learning and statutory duties that follow."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel

COMPLAINT_RESPONSE_DAYS = 28


class IncidentType(models.TextChoices):
    FALL = "fall", _("Fall")
    FALL_WITH_HARM = "fall_with_harm", _("Fall with harm")
    PRESSURE_ULCER = "pressure_ulcer", _("Pressure ulcer")
    MEDICINES_ERROR = "medicines_error", _("Medicines error")
    NEAR_MISS = "near_miss", _("Near miss")
    BEHAVIOUR = "behaviour", _("Behaviour that challenges")
    MISSING_PERSON = "missing_person", _("Missing person")
    INJURY = "injury", _("Injury")
    OTHER = "other", _("Other")


class UlcerCategory(models.TextChoices):
    CATEGORY_1 = "1", _("Category 1")
    CATEGORY_2 = "2", _("Category 2")
    CATEGORY_3 = "3", _("Category 3")
    CATEGORY_4 = "4", _("Category 4")
    UNSTAGEABLE = "unstageable", _("Unstageable")
    DEEP_TISSUE = "deep_tissue", _("Deep tissue injury")


class Severity(models.TextChoices):
    NO_HARM = "no_harm", _("No harm")
    LOW = "low", _("Low harm")
    MODERATE = "moderate", _("Moderate harm")
    SEVERE = "severe", _("Severe harm")
    DEATH = "death", _("Death")


class From(models.TextChoices):
    PERSON = "person", _("Person supported")
    FAMILY = "family", _("Family or friend")
    PROFESSIONAL = "professional", _("Professional")
    OTHER = "other", _("Other")


class Upheld(models.TextChoices):
    YES = "yes", _("Upheld")
    NO = "no", _("Not upheld")
    PARTLY = "partly", _("Partly upheld")


def _external_ref_unique(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=("organisation", "external_ref"), condition=~Q(external_ref=""), name=name,
        violation_error_message="Another record already has this external reference.")


def _not_future_date(value: dt.date | None, field: str, errors: dict[str, str]) -> None:
    if value is not None and value > timezone.localdate():
        errors[field] = "This date cannot be in the future."


def _not_future_time(value: dt.datetime | None, field: str, errors: dict[str, str]) -> None:
    if value is not None and value > timezone.now() + dt.timedelta(minutes=5):
        errors[field] = "This time cannot be in the future."


class Incident(TenantScopedModel):
    """Something that happened (or nearly happened) to someone: recorded on the shift,
    investigated, learned from; duty of candour and CQC notification tracked."""

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    type = models.CharField(_("type"), max_length=30, choices=IncidentType.choices)
    ulcer_category = models.CharField(_("pressure ulcer category"), max_length=20, blank=True,
                                      choices=UlcerCategory.choices)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    person = models.ForeignKey("people.PersonSupported", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person supported"))
    staff_involved = models.ManyToManyField("people.StaffMember", blank=True, related_name="+",
                                            verbose_name=_("staff involved"))
    description = models.TextField(_("what happened"), blank=True)
    immediate_action = models.TextField(_("immediate action taken"), blank=True)
    investigation = models.TextField(_("investigation"), blank=True)
    learning = models.TextField(_("learning"), blank=True)
    duty_of_candour_applies = models.BooleanField(_("duty of candour applies"), default=False)
    duty_of_candour_done_at = models.DateTimeField(_("duty of candour done at"), null=True,
                                                   blank=True)
    cqc_notification_required = models.BooleanField(_("CQC notification required"),
                                                    default=False)
    cqc_notified_at = models.DateTimeField(_("CQC notified at"), null=True, blank=True)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    themes = models.ManyToManyField("themes.Theme", blank=True, related_name="+",
                                    verbose_name=_("themes"))

    class Meta:
        ordering = ("-occurred_at", "-pk")
        constraints = [_external_ref_unique("incidents_incident_unique_external_ref")]
        indexes = [models.Index(fields=("organisation", "location", "occurred_at"),
                                name="incidents_incident_loc_time")]

    def __str__(self) -> str:
        when = timezone.localtime(self.occurred_at).strftime("%d %b %Y") \
            if self.occurred_at else ""
        return f"{self.get_type_display()} {when}".strip()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _not_future_time(self.occurred_at, "occurred_at", errors)
        if self.type == IncidentType.PRESSURE_ULCER and not self.ulcer_category:
            errors["ulcer_category"] = "Give the pressure ulcer's category."
        if self.type != IncidentType.PRESSURE_ULCER and self.ulcer_category:
            errors["ulcer_category"] = "A category is only for pressure ulcers."
        for done, flag, label in (
                ("duty_of_candour_done_at", "duty_of_candour_applies", "duty of candour"),
                ("cqc_notified_at", "cqc_notification_required", "CQC notification")):
            value = getattr(self, done)
            if value is None:
                continue
            _not_future_time(value, done, errors)
            if not getattr(self, flag):
                errors[done] = f"Record that the {label} applies before recording it done."
            elif self.occurred_at and value < self.occurred_at:
                errors[done] = "This cannot be before the incident happened."
        if errors:
            raise ValidationError(errors)

    @property
    def open_duties(self) -> list[str]:
        """Statutory duties still to be done."""
        duties = []
        if self.duty_of_candour_applies and not self.duty_of_candour_done_at:
            duties.append("Duty of candour")
        if self.cqc_notification_required and not self.cqc_notified_at:
            duties.append("CQC notification")
        return duties


class Complaint(TenantScopedModel):
    """A complaint received: responded to within the due date (28 days by default)."""

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    received_on = models.DateField(_("received on"))
    received_from = models.CharField(_("from"), max_length=20, choices=From.choices)
    category = models.CharField(_("category"), max_length=100)
    summary = models.TextField(_("summary"))
    person = models.ForeignKey("people.PersonSupported", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person supported"))
    response_due = models.DateField(_("response due"), null=True, blank=True)
    response_sent_on = models.DateField(_("response sent on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    upheld = models.CharField(_("upheld"), max_length=10, blank=True, choices=Upheld.choices)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    themes = models.ManyToManyField("themes.Theme", blank=True, related_name="+",
                                    verbose_name=_("themes"))

    class Meta:
        ordering = ("-received_on", "-pk")
        constraints = [_external_ref_unique("incidents_complaint_unique_external_ref")]

    def __str__(self) -> str:
        return f"Complaint: {self.category}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.response_due is None and self.received_on:
            self.response_due = self.received_on + dt.timedelta(days=COMPLAINT_RESPONSE_DAYS)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _not_future_date(self.received_on, "received_on", errors)
        _not_future_date(self.response_sent_on, "response_sent_on", errors)
        if self.received_on and self.response_sent_on and \
                self.response_sent_on < self.received_on:
            errors["response_sent_on"] = "The response cannot be sent before the complaint " \
                                         "was received."
        if self.received_on and self.response_due and self.response_due < self.received_on:
            errors["response_due"] = "The response cannot be due before the complaint was " \
                                     "received."
        if self.upheld and not self.response_sent_on:
            errors["upheld"] = "Record the response before the decision on upholding."
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.response_sent_on is None and self.response_due is not None \
            and self.response_due < today


class Compliment(TenantScopedModel):
    """A compliment received: evidence of what is going well."""

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    received_on = models.DateField(_("received on"))
    received_from = models.CharField(_("from"), max_length=20, choices=From.choices)
    summary = models.TextField(_("summary"))
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    themes = models.ManyToManyField("themes.Theme", blank=True, related_name="+",
                                    verbose_name=_("themes"))

    class Meta:
        ordering = ("-received_on", "-pk")
        constraints = [_external_ref_unique("incidents_compliment_unique_external_ref")]

    def __str__(self) -> str:
        return f"Compliment {self.received_on:%d %b %Y}" if self.received_on else "Compliment"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _not_future_date(self.received_on, "received_on", errors)
        if errors:
            raise ValidationError(errors)
