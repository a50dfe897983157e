"""Admin: escalation rules, firings and tasks, read-only (they change through the services,
the API and the pages, so every change is in the organisation's history)."""

from __future__ import annotations

from django.contrib import admin

from sustain.core.admin import ReadOnlyAdmin
from sustain.escalations.models import EscalationRule, EscalationTask, Firing


@admin.register(EscalationRule)
class EscalationRuleAdmin(ReadOnlyAdmin):
    list_display = ("code", "rule_version", "title", "organisation", "is_current", "active",
                    "archived_at")
    list_filter = ("is_current", "active")
    search_fields = ("code", "title")


@admin.register(Firing)
class FiringAdmin(ReadOnlyAdmin):
    list_display = ("rule_title", "rule_version", "location", "group_label", "triggered_at",
                    "status")
    list_filter = ("status", "source")
    search_fields = ("rule_code", "rule_title", "group_label")
    date_hierarchy = "triggered_at"


@admin.register(EscalationTask)
class EscalationTaskAdmin(ReadOnlyAdmin):
    list_display = ("title", "location", "owner_role", "owner", "due_at", "step", "at_board",
                    "status")
    list_filter = ("status", "task_type", "at_board", "owner_role")
    search_fields = ("title",)
    date_hierarchy = "due_at"
