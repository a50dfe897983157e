"""Admin: cadences and occurrences (read-only here: they change through the services, the
API and the pages), and the "jobs"
list of background job runs (last run, duration, outcome, counts)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sustain.core.admin import ReadOnlyAdmin
from sustain.governance.models import Cadence, JobRun, Occurrence


@admin.register(Cadence)
class CadenceAdmin(ReadOnlyAdmin):
    list_display = ("title", "organisation", "location", "frequency", "owner_role",
                    "completes_with", "grace_days", "source", "archived_at")
    list_filter = ("frequency", "completes_with", "source")
    search_fields = ("title", "cadence_code", "playbook_code")


@admin.register(Occurrence)
class OccurrenceAdmin(ReadOnlyAdmin):
    list_display = ("cadence", "location", "due_at", "status", "completed_at", "record_label")
    list_filter = ("status",)
    date_hierarchy = "due_at"


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """The jobs list: every run of every background job, newest first."""

    list_display = ("name", "started_at", "finished_at", "duration", "outcome", "counts_text")
    list_filter = ("name", "outcome")
    readonly_fields = ("name", "started_at", "finished_at", "duration_ms", "outcome", "counts",
                       "error")

    @admin.display(description="duration")
    def duration(self, obj: JobRun) -> str:
        return "—" if obj.duration_ms is None else f"{obj.duration_ms / 1000:.1f} s"

    @admin.display(description="counts")
    def counts_text(self, obj: JobRun) -> str:
        return ", ".join(f"{k}: {v}" for k, v in sorted((obj.counts or {}).items()))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
