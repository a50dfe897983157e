"""My work's own records: the personal calendar feed tokens (only a hash of each secret is
stored) and the record of daily digests sent (one per user per day, so a second run sends
nothing)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel


class CalendarToken(TenantScopedModel):
    """A secret link to a person's calendar feed. The secret is shown once, when created; only
    its SHA-256 is kept. Revoking archives the token (it then matches nothing)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="calendar_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=80, blank=True,
                            help_text=_("Where you use it, e.g. \u201cOutlook on my laptop\u201d."))
    token_hash = models.CharField(_("token hash (SHA-256)"), max_length=64, editable=False)

    history_exclude = ("id", "created_at", "updated_at", "token_hash")

    class Meta:
        ordering = ("-created_at", "pk")
        verbose_name = _("calendar feed link")
        constraints = [
            models.UniqueConstraint(fields=("token_hash",), name="work_calendartoken_unique_hash"),
        ]
        indexes = [models.Index(fields=("user", "archived_at"), name="work_caltoken_user")]

    def __str__(self) -> str:
        return self.name or f"Calendar link created {self.created_at:%d %b %Y}"


class DigestSent(models.Model):
    """Bookkeeping, not a domain record (no history chain): one row per user per day a digest
    was sent. The unique constraint makes the daily job idempotent, also when two runs
    overlap."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("user"))
    on_date = models.DateField(_("for the day"))
    sent_at = models.DateTimeField(_("sent at"))
    item_count = models.PositiveIntegerField(_("items"), default=0)

    class Meta:
        ordering = ("-on_date", "pk")
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [
            models.UniqueConstraint(fields=("user", "on_date"), name="work_digest_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"Digest for {self.user_id} on {self.on_date:%d %b %Y}"
