"""Lessons across services (a lesson, where it applies, each location's adoption with its
evidence) and theme hand-over notes (what a new owner needs when the old one leaves)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel
from sustain.engine.lesson_rules import STATUS_LABELS, AdoptionStatus

AdoptionStatusChoices = models.TextChoices(  # type: ignore[misc]
    "AdoptionStatusChoices", [(s.name, (s.value, STATUS_LABELS[s])) for s in AdoptionStatus])


class Lesson(TenantScopedModel):
    """Something learnt at one place (often from a theme) that other locations should adopt."""

    class Source(models.TextChoices):
        THEME = "theme", _("Shared from a theme")
        FREE_STANDING = "free_standing", _("Free-standing")

    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("created from"), max_length=20, choices=Source.choices,
                              default=Source.FREE_STANDING)
    origin_theme = models.ForeignKey("themes.Theme", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="lessons",
                                     verbose_name=_("origin theme"))
    origin_location = models.ForeignKey("tenancy.Location", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("origin location"))
    what_happened = models.TextField(_("what happened"))
    in_practice = models.TextField(_("what it means in practice"))
    applies_to_all = models.BooleanField(_("applies to all locations"), default=False)
    applies_to = models.ManyToManyField("tenancy.Location", blank=True,
                                        related_name="lessons_applying",
                                        verbose_name=_("applies to"))
    owner = models.ForeignKey("people.StaffMember", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="owned_lessons",
                              verbose_name=_("owner"))

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("organisation", "created_at"),
                                name="lessons_lesson_org_created")]

    def __str__(self) -> str:
        return self.title

    def location_id_for_scope(self) -> int | None:
        return self.origin_location_id

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.origin_location_id and \
                self.origin_location.organisation_id != self.organisation_id:
            errors["origin_location"] = "The location belongs to another organisation."
        if self.origin_theme_id:
            theme = self.origin_theme
            if theme.organisation_id != self.organisation_id:
                errors["origin_theme"] = "The theme belongs to another organisation."
            elif self.origin_location_id and theme.location_id != self.origin_location_id:
                errors["origin_location"] = "The origin theme is at another location."
        if self.source == self.Source.THEME and not self.origin_theme_id:
            errors["origin_theme"] = "A lesson shared from a theme names the theme."
        if self.owner_id and self.owner.organisation_id != self.organisation_id:
            errors["owner"] = "The owner belongs to another organisation."
        if errors:
            raise ValidationError(errors)


class LessonAdoption(TenantScopedModel):
    """One location's adoption of one lesson. *Adopted* needs evidence: a record at this
    location (any kind: an audit, a briefing, a meeting, a supervision…) or a written note and
    its date."""

    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="adoptions",
                               verbose_name=_("lesson"))
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("location"))
    status = models.CharField(_("status"), max_length=20,
                              choices=AdoptionStatusChoices.choices,
                              default=AdoptionStatus.NOT_STARTED.value)
    status_since = models.DateField(_("in this status since"))
    # The evidence record: a generic reference (model label + public id + label at the time).
    evidence_type = models.CharField(_("evidence record type"), max_length=100, blank=True)
    evidence_uuid = models.UUIDField(_("evidence record id"), null=True, blank=True)
    evidence_label = models.CharField(_("evidence record"), max_length=200, blank=True)
    evidence_note = models.TextField(_("evidence note"), blank=True)
    evidence_date = models.DateField(_("evidence date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("last updated by"))
    status_updated_at = models.DateTimeField(_("status updated at"), null=True, blank=True)

    class Meta:
        ordering = ("lesson", "location__name")
        verbose_name = _("lesson adoption")
        constraints = [
            models.UniqueConstraint(
                fields=("lesson", "location"), name="lessons_lessonadoption_unique_lesson_location",
                violation_error_message=_("This lesson already has an adoption at this "
                                          "location.")),
        ]
        indexes = [models.Index(fields=("organisation", "location", "status"),
                                name="lessons_adopt_org_loc_status")]

    def __str__(self) -> str:
        return f"{self.lesson} at {self.location}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.location_id and self.location.organisation_id != self.organisation_id:
            errors["location"] = "The location belongs to another organisation."
        if self.lesson_id and self.lesson.organisation_id != self.organisation_id:
            errors["lesson"] = "The lesson belongs to another organisation."
        if bool(self.evidence_type) != bool(self.evidence_uuid):
            errors["evidence"] = "An evidence record needs both its type and its id."
        if errors:
            raise ValidationError(errors)


class HandoverNote(TenantScopedModel):
    """What whoever takes over a theme needs: its history, what changed and why, open items and
    key records. Generated when the owner's leaving date is set (or the owner changes) and
    completed when a new owner is assigned; the new owner acknowledges it."""

    class Reason(models.TextChoices):
        OWNER_LEAVING = "owner_leaving", _("The owner is leaving")
        OWNER_CHANGED = "owner_changed", _("The owner changed")

    theme = models.ForeignKey("themes.Theme", on_delete=models.PROTECT,
                              related_name="handover_notes", verbose_name=_("theme"))
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("location"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    from_owner = models.ForeignKey("people.StaffMember", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("from owner"))
    to_owner = models.ForeignKey("people.StaffMember", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="handover_notes",
                                 verbose_name=_("to owner"))
    leaving_date = models.DateField(_("owner's leaving date"), null=True, blank=True)
    content = models.JSONField(_("content"), default=dict)
    text = models.TextField(_("note"))
    generated_at = models.DateTimeField(_("generated at"))
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("acknowledged by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ("-generated_at", "-created_at")
        verbose_name = _("hand-over note")
        indexes = [models.Index(fields=("organisation", "theme", "acknowledged_at"),
                                name="lessons_handover_theme_ack")]

    def __str__(self) -> str:
        return f"Hand-over: {self.theme}"

    @property
    def state(self) -> str:
        if self.acknowledged_at:
            return "acknowledged"
        return "awaiting_acknowledgement" if self.to_owner_id else "needs_new_owner"

    @property
    def state_label(self) -> str:
        return {"acknowledged": "Acknowledged",
                "awaiting_acknowledgement": "Waiting for the new owner to acknowledge",
                "needs_new_owner": "Needs a new owner"}[self.state]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.theme_id and self.theme.organisation_id != self.organisation_id:
            errors["theme"] = "The theme belongs to another organisation."
        elif self.theme_id and self.location_id and self.theme.location_id != self.location_id:
            errors["location"] = "The note is kept at the theme's location."
        for name in ("from_owner", "to_owner"):
            staff = getattr(self, name) if getattr(self, f"{name}_id") else None
            if staff is not None and staff.organisation_id != self.organisation_id:
                errors[name] = "Not a member of staff in this organisation."
        if errors:
            raise ValidationError(errors)
