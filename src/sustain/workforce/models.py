"""Workforce records: supervision, competency assessments, training, and the "what changed and
why" briefings staff attest to. Rules about them (overdue, coverage) live in
`engine.workforce_rules`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel


def _external_ref_constraint(model: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=("organisation", "external_ref"), condition=~models.Q(external_ref=""),
        name=f"workforce_{model}_unique_org_external_ref",
        violation_error_message=_("This organisation already has a record with this external "
                                  "reference."))


class FieldsFirst(models.Model):
    """Report bad field values (e.g. an unparsable date from an import) before the cross-field
    rules run, so those rules only ever compare real values."""

    class Meta:
        abstract = True

    def full_clean(self, exclude: Any = None, validate_unique: bool = True,
                   validate_constraints: bool = True) -> None:
        wrong = {f.name: "Enter a date." for f in self._meta.concrete_fields
                 if isinstance(f, models.DateField) and not isinstance(
                     getattr(self, f.attname), str | dt.date | type(None))}
        if wrong:
            raise ValidationError(wrong)
        self.clean_fields(exclude=exclude)
        super().full_clean(exclude=exclude, validate_unique=validate_unique,
                           validate_constraints=validate_constraints)


class WorkforceRecord(FieldsFirst, TenantScopedModel):
    """Shared fields: the location, an import reference and the themes it evidences."""

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    themes = models.ManyToManyField("themes.Theme", blank=True, related_name="+",
                                    verbose_name=_("themes"))

    class Meta:
        abstract = True

    def _check_staff(self, errors: dict[str, str], *fields: str) -> None:
        """Each named staff member is in this organisation and works at the location."""
        for field in fields:
            staff = getattr(self, field, None)
            if staff is None:
                continue
            if staff.organisation_id != self.organisation_id:
                errors[field] = "Not a member of staff in this organisation."
            elif self.location_id and not staff.locations.filter(pk=self.location_id).exists():
                errors[field] = "This member of staff does not work at the location."

    def _check_location(self, errors: dict[str, str]) -> None:
        if self.location_id and self.location.organisation_id != self.organisation_id:
            errors["location"] = "The location belongs to another organisation."

    def _not_future(self, errors: dict[str, str], field: str) -> None:
        value = getattr(self, field)
        if isinstance(value, dt.date) and value > timezone.localdate():
            errors[field] = "This date cannot be in the future."


class Supervision(WorkforceRecord):
    """A one-to-one supervision: who supervised whom, what was discussed (the themes), the
    actions agreed, and when the next one is due."""

    date = models.DateField(_("date"))
    supervisor = models.ForeignKey("people.StaffMember", on_delete=models.PROTECT,
                                   related_name="supervisions_given",
                                   verbose_name=_("supervisor"))
    supervisee = models.ForeignKey("people.StaffMember", on_delete=models.PROTECT,
                                   related_name="supervisions", verbose_name=_("supervisee"))
    topics = models.TextField(_("topics discussed"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    agreed_actions = models.TextField(_("agreed actions"), blank=True)
    next_due = models.DateField(_("next due"))

    class Meta:
        ordering = ("-date", "created_at")
        constraints = [_external_ref_constraint("supervision")]
        indexes = [models.Index(fields=("organisation", "supervisee", "date"),
                                name="workforce_sup_org_staff_date"),
                   # A location's records by date (the escalation rules read them so).
                   models.Index(fields=("organisation", "location", "date"),
                                name="workforce_sup_org_loc_date")]

    def __str__(self) -> str:
        return f"Supervision of {self.supervisee} on {self.date}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self._check_location(errors)
        self._not_future(errors, "date")
        self._check_staff(errors, "supervisor", "supervisee")
        if self.supervisor_id and self.supervisor_id == self.supervisee_id:
            errors["supervisee"] = "Someone cannot supervise themselves."
        for field in ("supervisor", "supervisee"):
            staff = getattr(self, field, None)
            if field not in errors and staff is not None and self.date and (
                    staff.start_date > self.date
                    or (staff.leaving_date and staff.leaving_date < self.date)):
                errors[field] = "This member of staff was not working here on that date."
        if self.next_due and self.date and self.next_due <= self.date:
            errors["next_due"] = "The next supervision must be due after this one."
        if errors:
            raise ValidationError(errors)


class CompetencyAssessment(WorkforceRecord):
    """An assessment of a member of staff's competence in a task, and when to reassess."""

    class Type(models.TextChoices):
        MEDICINES = "medicines_administration", _("Medicines administration")
        MOVING_HANDLING = "moving_and_handling", _("Moving and handling")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        COMPETENT = "competent", _("Competent")
        NEEDS_SUPPORT = "needs_support", _("Needs support")
        NOT_YET = "not_yet_competent", _("Not yet competent")

    assessment_type = models.CharField(_("type"), max_length=30, choices=Type.choices)
    other_type = models.CharField(_("other type"), max_length=120, blank=True)
    assessor = models.ForeignKey("people.StaffMember", on_delete=models.PROTECT,
                                 related_name="assessments_made", verbose_name=_("assessor"))
    staff = models.ForeignKey("people.StaffMember", on_delete=models.PROTECT,
                              related_name="competency_assessments",
                              verbose_name=_("member of staff"))
    date = models.DateField(_("date"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    next_due = models.DateField(_("next due"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ("-date", "created_at")
        constraints = [_external_ref_constraint("competencyassessment")]
        indexes = [models.Index(fields=("organisation", "location", "date"),
                                name="workforce_comp_org_loc_date")]

    def __str__(self) -> str:
        return f"{self.type_label} — {self.staff} ({self.date})"

    @property
    def type_label(self) -> str:
        return self.other_type if self.assessment_type == self.Type.OTHER and self.other_type \
            else str(self.get_assessment_type_display())

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self._check_location(errors)
        self._not_future(errors, "date")
        self._check_staff(errors, "assessor", "staff")
        if self.assessment_type == self.Type.OTHER and not self.other_type.strip():
            errors["other_type"] = "Say what was assessed."
        if self.next_due and self.date and self.next_due <= self.date:
            errors["next_due"] = "The next assessment must be due after this one."
        if errors:
            raise ValidationError(errors)


class TrainingRecord(WorkforceRecord):
    """A course a member of staff completed, and when it expires."""

    staff = models.ForeignKey("people.StaffMember", on_delete=models.PROTECT,
                              related_name="training_records", verbose_name=_("member of staff"))
    course = models.CharField(_("course"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        ordering = ("-completed_on", "created_at")
        constraints = [_external_ref_constraint("trainingrecord")]
        indexes = [models.Index(fields=("organisation", "location", "completed_on"),
                                name="workforce_train_org_loc_done")]

    def __str__(self) -> str:
        return f"{self.course} — {self.staff}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self._check_location(errors)
        self._not_future(errors, "completed_on")
        self._check_staff(errors, "staff")
        if self.expires_on and self.completed_on and self.expires_on < self.completed_on:
            errors["expires_on"] = "Training cannot expire before it was completed."
        if errors:
            raise ValidationError(errors)


class Briefing(FieldsFirst, TenantScopedModel):
    """A "what changed and why" briefing on a theme, delivered to the team at a location."""

    class Via(models.TextChoices):
        TEAM_MEETING = "team_meeting", _("Team meeting")
        HANDOVER = "handover", _("Handover")
        INDUCTION = "induction", _("Induction")
        OTHER = "other", _("Other")

    theme = models.ForeignKey("themes.Theme", on_delete=models.PROTECT, related_name="briefings",
                              verbose_name=_("theme"))
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    title = models.CharField(_("title"), max_length=200)
    what_changed = models.TextField(_("what changed"))
    why = models.TextField(_("why"))
    what_good_looks_like = models.TextField(_("what good looks like"))
    delivered_at = models.DateTimeField(_("delivered at"))
    delivered_via = models.CharField(_("delivered via"), max_length=20, choices=Via.choices)
    delivered_by = models.ForeignKey("people.StaffMember", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="briefings_given",
                                     verbose_name=_("delivered by"))
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)

    class Meta:
        ordering = ("-delivered_at", "created_at")
        constraints = [_external_ref_constraint("briefing")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.theme_id and self.theme.organisation_id != self.organisation_id:
            errors["theme"] = "The theme belongs to another organisation."
        elif self.theme_id and self.location_id and self.theme.location_id != self.location_id:
            errors["theme"] = "The theme is at another location."
        if self.delivered_at and self.delivered_at > timezone.now():
            errors["delivered_at"] = "This time cannot be in the future."
        staff = self.delivered_by if self.delivered_by_id else None
        if staff is not None and staff.organisation_id != self.organisation_id:
            errors["delivered_by"] = "Not a member of staff in this organisation."
        if errors:
            raise ValidationError(errors)


class Attestation(FieldsFirst, TenantScopedModel):
    """A member of staff's statement that they can explain what changed and why."""

    STATEMENT = "I can explain what changed and why."

    briefing = models.ForeignKey(Briefing, on_delete=models.PROTECT, related_name="attestations",
                                 verbose_name=_("briefing"))
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    staff = models.ForeignKey("people.StaffMember", on_delete=models.PROTECT,
                              related_name="attestations", verbose_name=_("member of staff"))
    attested_at = models.DateTimeField(_("attested at"))
    statement_confirmed = models.BooleanField(_(STATEMENT), default=False)
    short_answer = models.TextField(_("in your own words (optional)"), blank=True)
    recorded_by_manager = models.BooleanField(default=False)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)

    class Meta:
        ordering = ("-attested_at", "created_at")
        constraints = [
            _external_ref_constraint("attestation"),
            models.UniqueConstraint(
                fields=("briefing", "staff"), name="workforce_attestation_one_per_staff",
                violation_error_message=_("This member of staff has already attested to this "
                                          "briefing.")),
        ]

    def __str__(self) -> str:
        return f"{self.staff} — {self.briefing}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not self.statement_confirmed:
            errors["statement_confirmed"] = ("Tick to confirm you can explain what changed and "
                                             "why.")
        if self.attested_at and self.attested_at > timezone.now():
            errors["attested_at"] = "This time cannot be in the future."
        staff = self.staff if self.staff_id else None
        if staff is not None:
            if staff.organisation_id != self.organisation_id:
                errors["staff"] = "Not a member of staff in this organisation."
            elif self.location_id and not staff.locations.filter(pk=self.location_id).exists():
                errors["staff"] = "This member of staff does not work at the location."
        if errors:
            raise ValidationError(errors)
