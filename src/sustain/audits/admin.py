"""Django admin for audits: read-only. Audits are started, saved and completed only through
the audit services (the completion sheet and the API), so every change is checked, scored and
recorded in history; templates come from the playbook library."""

from __future__ import annotations

from django.contrib import admin

from sustain.audits.models import Audit, AuditAttachment, AuditTemplate
from sustain.core.admin import ArchivedFilter, ReadOnlyAdmin


@admin.register(AuditTemplate)
class AuditTemplateAdmin(ReadOnlyAdmin):
    list_display = ("title", "code", "template_version", "organisation", "pass_mark",
                    "sample_size", "archived_at")
    list_filter = (ArchivedFilter, "organisation")
    search_fields = ("title", "code")


@admin.register(Audit)
class AuditAdmin(ReadOnlyAdmin):
    list_display = ("template", "location", "audit_date", "status", "is_reaudit", "score",
                    "passed", "organisation", "archived_at")
    list_filter = (ArchivedFilter, "status", "is_reaudit", "kind", "organisation")
    list_select_related = ("template", "location", "organisation")
    date_hierarchy = "audit_date"


@admin.register(AuditAttachment)
class AuditAttachmentAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "audit", "question_code", "size", "sha256", "created_at")
    list_select_related = ("audit__template", "audit__location")
    search_fields = ("original_name", "sha256")
