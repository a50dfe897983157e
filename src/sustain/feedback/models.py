"""Feedback ("you said, we did") and senior visits / observations of practice."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel
from sustain.engine.feedback_rules import LABELS, ResponseStatus, response_status


def _external_ref_unique(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=("organisation", "external_ref"), condition=~Q(external_ref=""), name=name,
        violation_error_message="Another record already has this external reference.")


def _not_future(value: dt.date | None, field: str, errors: dict[str, str]) -> None:
    if value is not None and value > timezone.localdate():
        errors[field] = "This date cannot be in the future."


class Source(models.TextChoices):
    PERSON = "person", _("Person supported")
    FAMILY = "family", _("Family or friend")
    STAFF = "staff", _("Staff")
    COMMISSIONER = "commissioner", _("Commissioner")
    PROFESSIONAL = "professional", _("Professional")


class Channel(models.TextChoices):
    SURVEY = "survey", _("Survey")
    MEETING = "meeting", _("Meeting")
    CONVERSATION = "conversation", _("Conversation")
    REVIEW_SITE = "review_site", _("Review site")
    OTHER = "other", _("Other")


class VisitType(models.TextChoices):
    PROVIDER = "provider", _("Provider visit")
    SPOT_CHECK = "spot_check", _("Spot check")
    NIGHT = "night", _("Night visit")
    OBSERVATION = "observation", _("Observation of practice")


class Feedback(TenantScopedModel):
    """What someone told us, and what we did about it. Without a response 30 days after it
    was received it shows as unanswered (engine.feedback_rules)."""

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    source = models.CharField(_("from"), max_length=20, choices=Source.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    received_on = models.DateField(_("received on"))
    rating = models.PositiveSmallIntegerField(
        _("rating (1–5)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    text = models.TextField(_("what they said"))
    response = models.TextField(_("what we did (you said, we did)"), blank=True)
    responded_on = models.DateField(_("responded on"), null=True, blank=True)
    response_by = models.ForeignKey("people.StaffMember", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("response by"))
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    themes = models.ManyToManyField("themes.Theme", blank=True, related_name="+",
                                    verbose_name=_("themes"))

    class Meta:
        ordering = ("-received_on", "-pk")
        verbose_name_plural = "feedback"
        constraints = [_external_ref_unique("feedback_feedback_unique_external_ref")]
        indexes = [models.Index(fields=("organisation", "location", "received_on"),
                                name="feedback_loc_received")]

    def __str__(self) -> str:
        when = f" {self.received_on:%d %b %Y}" if self.received_on else ""
        return f"Feedback from {self.get_source_display().lower()}{when}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _not_future(self.received_on, "received_on", errors)
        _not_future(self.responded_on, "responded_on", errors)
        if self.responded_on and self.received_on and self.responded_on < self.received_on:
            errors["responded_on"] = "The response cannot be before the feedback was received."
        if self.responded_on and not self.response.strip():
            errors["response"] = "Say what was done in response."
        if self.response.strip() and not self.responded_on:
            errors["responded_on"] = "Give the date of the response."
        if errors:
            raise ValidationError(errors)

    def response_status(self, today: dt.date | None = None) -> ResponseStatus:
        return response_status(self.received_on, self.responded_on,
                               today or timezone.localdate())

    @property
    def response_label(self) -> str:
        return LABELS[self.response_status()]


class Visit(TenantScopedModel):
    """A senior visit or observation of practice: who looked at what, what they found and
    the actions raised."""

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    visitor = models.ForeignKey("people.StaffMember", on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("visitor"))
    visitor_role = models.CharField(_("visitor's role"), max_length=100, blank=True)
    # An observation of practice watches someone at work: who (optional; it lets an
    # escalation rule's "follow-up observation of the key worker" be fulfilled by it).
    staff_observed = models.ForeignKey("people.StaffMember", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("staff member observed"))
    date = models.DateField(_("date"))
    type = models.CharField(_("type of visit"), max_length=20, choices=VisitType.choices)
    looked_at = models.TextField(_("what was looked at"))
    findings = models.TextField(_("findings"), blank=True)
    actions_raised = models.TextField(_("actions raised"), blank=True)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    themes = models.ManyToManyField("themes.Theme", blank=True, related_name="+",
                                    verbose_name=_("themes"))

    class Meta:
        ordering = ("-date", "-pk")
        constraints = [_external_ref_unique("feedback_visit_unique_external_ref")]

    def __str__(self) -> str:
        when = f" {self.date:%d %b %Y}" if self.date else ""
        return f"{self.get_type_display()}{when}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _not_future(self.date, "date", errors)
        if errors:
            raise ValidationError(errors)
