"""Import jobs: one uploaded spreadsheet, its validation report and its commit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel


class ImportJob(TenantScopedModel):
    """An uploaded file of one import kind for one location, validated (dry run) and then
    committed all or nothing. `counts` holds progress and totals (rows read, valid, invalid,
    skipped as already imported, created); `report` holds the row problems
    (`{"problems": [{"row", "column", "message"}], "truncated": bool, "file": [...]}`)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATING = "validating", _("Validating")
        VALIDATED = "validated", _("Validated")
        COMMITTING = "committing", _("Committing")
        COMMITTED = "committed", _("Committed")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=60)
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT,
                                 related_name="import_jobs", verbose_name=_("location"))
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.UPLOADED)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))

    # The stored file is named by its SHA-256 and original name in history.
    history_exclude = ("id", "created_at", "updated_at", "counts", "report", "file")

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("import job")
        indexes = [models.Index(fields=("organisation", "status"),
                                name="imports_job_org_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} import {self.original_name or self.uuid}"

    @property
    def problem_count(self) -> int:
        return int(self.counts.get("invalid_rows", 0)) + len(self.report.get("file", []))
