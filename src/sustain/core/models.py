"""Base models and the tamper-evident history log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TenantQuerySet(models.QuerySet):
    """Every tenant-owned query starts from `.for_organisation(org)`."""

    def for_organisation(self, organisation: object) -> TenantQuerySet:
        return self.filter(organisation=organisation)

    def active(self) -> TenantQuerySet:
        return self.filter(archived_at__isnull=True)


class BaseModel(models.Model):
    """Public UUID, timestamps, an optimistic-lock version and archiving (never deletion)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Fields left out of history snapshots (bookkeeping, not content).
    history_exclude: tuple[str, ...] = ("id", "created_at", "updated_at")

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def location_id_for_scope(self) -> int | None:
        """The location this record belongs to, for access checks and history scoping."""
        return getattr(self, "location_id", None)


class TenantScopedModel(BaseModel):
    """A record owned by exactly one organisation (the tenant)."""

    organisation = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+", db_index=True,
        verbose_name=_("organisation"),
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class HistoryHead(models.Model):
    """The latest link of each organisation's chain; locked while appending."""

    organisation = models.OneToOneField("tenancy.Organisation", on_delete=models.PROTECT,
                                        related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"history head {self.seq} of organisation {self.organisation_id}"


class HistoryEntry(models.Model):
    """One change to one record: who, when, which request, before and after. Append-only.

    Entries form a hash chain per organisation (see `engine.history_chain`).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        ARCHIVE = "archive", _("Archived")
        RESTORE = "restore", _("Restored")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_repr = models.CharField(max_length=200)
    request_id = models.CharField(max_length=64, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100)  # "app_label.model"
    object_uuid = models.UUIDField(db_index=True)
    object_repr = models.CharField(max_length=200)
    location_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    message = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ("organisation_id", "seq")
        constraints = [
            models.UniqueConstraint(fields=("organisation", "seq"),
                                    name="core_historyentry_unique_organisation_seq"),
        ]
        indexes = [models.Index(fields=("object_type", "object_uuid"),
                                name="core_history_object_idx")]
        verbose_name_plural = "history entries"

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr} by {self.actor_repr}"

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field that differs."""
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
