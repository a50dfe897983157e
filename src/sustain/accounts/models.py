"""User accounts. A user belongs to one organisation; what they see comes from memberships."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. System superusers may have no organisation."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("tenancy.Organisation", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="users",
                                     verbose_name=_("organisation"))
    version = models.PositiveIntegerField(default=1, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    digest_enabled = models.BooleanField(
        _("daily email digest"), default=True,
        help_text=_("Email me each morning what is overdue or due this week."))

    history_exclude = ("id", "password", "last_login", "date_joined")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def location_id_for_scope(self) -> int | None:
        return None
