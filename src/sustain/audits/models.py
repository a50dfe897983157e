"""Audit templates (versioned), audit runs with sampled items, and their attachments."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sustain.core.models import BaseModel, TenantScopedModel


class AuditTemplate(BaseModel):
    """A structured check: sections of questions, a pass mark, a sample. Versioned: a change
    makes a new version; audits keep the version they were run against.

    `sections` is validated by `engine.playbook_schema` and has the shape
    [{"title": str, "questions": [{"code", "text", "answer_type", "weight", "critical",
    "per_sample", "required", "scale_max", "at_least", "at_most", "help"}]}].
    """

    organisation = models.ForeignKey("tenancy.Organisation", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organisation"))
    code = models.SlugField(_("code"), max_length=80)
    template_version = models.PositiveIntegerField(_("template version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    pass_mark = models.DecimalField(_("pass mark (%)"), max_digits=5, decimal_places=2,
                                    validators=[MinValueValidator(0), MaxValueValidator(100)])
    sample_size = models.PositiveIntegerField(_("sample size"), default=0)
    sample_label = models.CharField(_("what is sampled"), max_length=80, blank=True)
    min_analysis_length = models.PositiveIntegerField(_("minimum analysis length"), default=120)
    sections = models.JSONField(_("sections and questions"))
    playbook = models.ForeignKey("playbooks.Playbook", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="audit_templates")

    class Meta:
        ordering = ("title", "-template_version")
        constraints = [
            models.UniqueConstraint(fields=("code", "template_version"),
                                    condition=models.Q(organisation__isnull=True),
                                    name="audits_template_unique_shared_code_version"),
            models.UniqueConstraint(fields=("organisation", "code", "template_version"),
                                    name="audits_template_unique_org_code_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.template_version})"


class Audit(TenantScopedModel):
    """One audit run at a location against a template version; optionally a re-audit of a
    theme. Completed audits are scored by the engine and cannot be edited, only corrected by
    a new audit."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        COMPLETED = "completed", _("Completed")

    class Kind(models.TextChoices):
        SELF = "self", _("Service's own audit")
        INDEPENDENT = "independent", _("Independent (provider) sample")

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT,
                                 related_name="audits", verbose_name=_("location"))
    template = models.ForeignKey(AuditTemplate, on_delete=models.PROTECT, related_name="audits",
                                 verbose_name=_("template"))
    theme = models.ForeignKey("themes.Theme", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="audits", verbose_name=_("theme"))
    is_reaudit = models.BooleanField(_("re-audit"), default=False)
    earlier_audit = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="reaudits", verbose_name=_("earlier audit"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SELF)
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("auditor"))
    audit_date = models.DateField(_("audit date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    samples = models.JSONField(_("sampled items"), default=list, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    sample_answers = models.JSONField(_("answers per sampled item"), default=dict, blank=True)
    item_notes = models.JSONField(_("notes on failed items"), default=dict, blank=True)
    analysis = models.TextField(_("analysis"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.DRAFT)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2, null=True,
                                blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    critical_failures = models.JSONField(default=list, blank=True)
    failed_items = models.JSONField(default=list, blank=True)
    scoring_version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ("-audit_date", "-created_at")
        indexes = [models.Index(fields=("organisation", "location", "audit_date"),
                                name="audits_audit_org_loc_date_idx")]

    def __str__(self) -> str:
        label = "Re-audit" if self.is_reaudit else "Audit"
        return f"{label}: {self.template.title} at {self.location} ({self.audit_date:%d %b %Y})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.location_id and self.location.organisation_id != self.organisation_id:
            errors["location"] = "The location belongs to another organisation."
        if self.template_id and self.template.organisation_id not in (None, self.organisation_id):
            errors["template"] = "The template belongs to another organisation."
        if self.theme_id and self.theme.location_id != self.location_id:
            errors["theme"] = "The theme belongs to another location."
        if self.earlier_audit_id and self.earlier_audit.location_id != self.location_id:
            errors["earlier_audit"] = "The earlier audit was at another location."
        if self.is_reaudit and not self.theme_id:
            errors["theme"] = "A re-audit tests a theme: choose the theme."
        if errors:
            raise ValidationError(errors)


def attachment_path(instance: AuditAttachment, filename: str) -> str:
    """Content-addressed under the organisation (the SHA-256 names the folder) and unique per
    upload (the record's id names the file), so a stored file is never overwritten."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return (f"attachments/{instance.organisation_id}/{instance.sha256[:2]}/{instance.sha256}/"
            f"{instance.uuid}{suffix}")


class AuditAttachment(TenantScopedModel):
    """Evidence attached to an audit (a photo, a scanned MAR chart). Stored once, with its
    SHA-256, never overwritten."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="attachments")
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    question_code = models.CharField(_("question"), max_length=40, blank=True)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    # The stored path derives from the SHA-256 and the record's id, both in history.
    history_exclude = ("id", "created_at", "updated_at", "file")

    def __str__(self) -> str:
        return self.original_name
