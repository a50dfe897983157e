"""Improvement themes, their evidence-gated stage history, and their action plans."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel
from sustain.engine.lifecycle import STAGE_LABELS, Stage

StageChoices = models.TextChoices(  # type: ignore[misc]
    "StageChoices", [(s.name, (s.value, STAGE_LABELS[s])) for s in Stage])


class Origin(models.TextChoices):
    INSPECTION = "inspection", _("Inspection finding")
    INTERNAL_AUDIT = "internal_audit", _("Internal audit")
    COMPLAINTS = "complaints", _("Complaint pattern")
    INCIDENTS = "incidents", _("Incident trend")
    COMMISSIONER = "commissioner", _("Commissioner concern")
    OTHER = "other", _("Other")


class Theme(TenantScopedModel):
    """A failure being fixed at a location, owned by a named person, moved through its stages
    only by evidence (see `engine.lifecycle`)."""

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT,
                                 related_name="themes", verbose_name=_("location"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    finding = models.ForeignKey("inspections.Finding", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="themes",
                                verbose_name=_("inspection finding"))
    quality_statements = models.ManyToManyField("reference.QualityStatement", blank=True,
                                                related_name="+",
                                                verbose_name=_("quality statements"))
    regulations = models.ManyToManyField("reference.Regulation", blank=True, related_name="+",
                                         verbose_name=_("regulations"))
    owner = models.ForeignKey("people.StaffMember", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="owned_themes",
                              verbose_name=_("owner"))
    playbook = models.ForeignKey("playbooks.Playbook", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="themes",
                                 verbose_name=_("playbook"))
    # The verification rule in force (copied from the playbook when applied).
    pass_mark = models.DecimalField(_("re-audit pass mark (%)"), max_digits=5,
                                    decimal_places=2, default=90)
    consecutive_passes = models.PositiveSmallIntegerField(_("passes in a row"), default=1)
    sustain_cycles = models.PositiveSmallIntegerField(_("sustain cycles"), default=2)
    embedding_channels = models.JSONField(_("embedding channels"), default=list, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=StageChoices.choices,
                             default=Stage.IDENTIFIED.value)
    stage_since = models.DateField(_("in this stage since"))
    verified_on = models.DateField(null=True, blank=True)
    sustaining_since = models.DateField(null=True, blank=True)
    relapsed_on = models.DateField(null=True, blank=True)
    evaluation = models.JSONField(_("last evaluation"), default=dict, blank=True)

    # The evaluation is a cached explanation, refreshed by the rules; not part of history.
    history_exclude = ("id", "created_at", "updated_at", "evaluation")

    class Meta:
        ordering = ("location__name", "title")
        indexes = [models.Index(fields=("organisation", "stage"), name="themes_theme_org_stage")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.location_id and self.location.organisation_id != self.organisation_id:
            errors["location"] = "The location belongs to another organisation."
        if self.owner_id and self.owner.organisation_id != self.organisation_id:
            errors["owner"] = "The owner belongs to another organisation."
        if self.finding_id and self.finding.location_id != self.location_id:
            errors["finding"] = "The finding is from another location's inspection."
        if errors:
            raise ValidationError(errors)


class ThemeTransition(TenantScopedModel):
    """One stage change: who or what moved it, when, why, and the evidence it rested on."""

    class MovedBy(models.TextChoices):
        RULES = "rules", _("The evidence rules")
        PERSON = "person", _("A person")

    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="transitions")
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    from_stage = models.CharField(max_length=20, choices=StageChoices.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=StageChoices.choices)
    effective_on = models.DateField(_("effective on"))
    moved_by = models.CharField(max_length=10, choices=MovedBy.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    evidence = models.JSONField(default=list, blank=True)
    rule_version = models.CharField(max_length=40)

    class Meta:
        ordering = ("theme", "created_at")

    def __str__(self) -> str:
        return f"{self.theme}: {self.from_stage or 'new'} → {self.to_stage}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    EFFECTIVE = "effective", _("Effective")
    CANCELLED = "cancelled", _("Cancelled")


class CheckMethod(models.TextChoices):
    REAUDIT = "reaudit", _("Re-audit")
    OBSERVATION = "observation", _("Observation of practice")
    RECORD_SAMPLE = "record_sample", _("Record sample")
    INDICATOR = "indicator", _("Indicator")


class Action(TenantScopedModel):
    """A step of a theme's plan. Done is not effective: effective needs its check to pass with
    linked evidence."""

    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="actions")
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("what will be done"))
    raised_on = models.DateField(_("raised on"), default=timezone.localdate)
    owner = models.ForeignKey("people.StaffMember", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="actions",
                              verbose_name=_("owner"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices,
                              default=ActionStatus.OPEN)
    completed_on = models.DateField(_("done on"), null=True, blank=True)
    cancelled_reason = models.TextField(_("why cancelled"), blank=True)
    check_method = models.CharField(_("effectiveness check"), max_length=20,
                                    choices=CheckMethod.choices, default=CheckMethod.REAUDIT)
    check_criterion = models.CharField(_("criterion"), max_length=300, blank=True)
    evidence_audit = models.ForeignKey("audits.Audit", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="verified_actions",
                                       verbose_name=_("evidence: audit"))
    evidence_note = models.TextField(_("evidence"), blank=True)
    verified_on = models.DateField(_("verified effective on"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    source_audit = models.ForeignKey("audits.Audit", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="raised_actions",
                                     verbose_name=_("raised from audit"))
    source_question = models.CharField(_("raised from question"), max_length=40, blank=True)

    class Meta:
        ordering = ("due_date", "created_at")
        indexes = [models.Index(fields=("organisation", "status", "due_date"),
                                name="themes_action_org_status_due")]

    def __str__(self) -> str:
        return self.description[:80]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.theme_id and self.theme.organisation_id != self.organisation_id:
            errors["theme"] = "The theme belongs to another organisation."
        if self.owner_id and self.owner.organisation_id != self.organisation_id:
            errors["owner"] = "The owner belongs to another organisation."
        if self.status == ActionStatus.CANCELLED and not self.cancelled_reason.strip():
            errors["cancelled_reason"] = "Say why the action is cancelled."
        if self.status in (ActionStatus.DONE, ActionStatus.EFFECTIVE) and not self.completed_on:
            errors["completed_on"] = "Give the date the action was done."
        if self.completed_on and self.raised_on and self.completed_on < self.raised_on:
            errors["completed_on"] = "The action cannot be done before it was raised."
        if self.due_date and self.raised_on and self.due_date < self.raised_on:
            errors["due_date"] = "The due date cannot be before the action was raised."
        if self.status == ActionStatus.EFFECTIVE and not (self.evidence_audit_id
                                                          or self.evidence_note.strip()):
            errors["evidence_note"] = "An action is effective only with evidence."
        if errors:
            raise ValidationError(errors)
