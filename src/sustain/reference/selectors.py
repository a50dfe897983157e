"""Reads of the reference library for pages and other apps."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from sustain.reference.models import (
    KeyQuestion,
    QualityStatement,
    ReferenceLibrary,
)


def framework_version_in_force() -> str | None:
    """The framework version whose quality statements apply now.

    `SUSTAIN_FRAMEWORK_VERSION` decides when set; otherwise the framework of the
    quality-statements library loaded most recently.
    """
    configured = getattr(settings, "SUSTAIN_FRAMEWORK_VERSION", None)
    if configured:
        return str(configured)
    lib = ReferenceLibrary.objects.filter(kind="quality-statements") \
        .order_by("-loaded_at", "-version").first()
    return lib.framework_version if lib else None


def key_questions() -> QuerySet[KeyQuestion]:
    return KeyQuestion.objects.filter(archived_at__isnull=True).select_related("library")


def statements_in_force(framework_version: str | None = None) -> QuerySet[QualityStatement]:
    """Current quality statements of a framework version (the one in force by default)."""
    version = framework_version or framework_version_in_force()
    return QualityStatement.objects.filter(framework_version=version, archived_at__isnull=True) \
        .select_related("key_question", "library") \
        .order_by("key_question__position", "position")
