"""Django admin for the reference library: view only (rows come from `sustain load-reference`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sustain.reference.models import (
    EnforcementType,
    EvidenceCategory,
    KeyQuestion,
    QualityStatement,
    RatingLevel,
    ReferenceLibrary,
    Regulation,
    ScoreLevel,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete: the library files are the only way to change these rows."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReferenceLibrary)
class ReferenceLibraryAdmin(ReadOnlyAdmin):
    list_display = ("urn", "version", "kind", "framework_version", "filename", "loaded_at")
    list_filter = ("kind",)
    search_fields = ("urn", "name")


@admin.register(KeyQuestion)
class KeyQuestionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "status", "library")


@admin.register(QualityStatement)
class QualityStatementAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "key_question", "framework_version", "status")
    list_filter = ("framework_version", "key_question", "status")
    search_fields = ("code", "title", "we_statement")


@admin.register(EvidenceCategory)
class EvidenceCategoryAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "framework_version", "status")


@admin.register(Regulation)
class RegulationAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "fundamental_standard", "status")
    search_fields = ("code", "title")


@admin.register(RatingLevel)
class RatingLevelAdmin(ReadOnlyAdmin):
    list_display = ("name", "rank", "band_min_pct", "band_max_pct", "status")


@admin.register(ScoreLevel)
class ScoreLevelAdmin(ReadOnlyAdmin):
    list_display = ("value", "description", "status")


@admin.register(EnforcementType)
class EnforcementTypeAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "track", "status")
    list_filter = ("track",)
