"""Playbooks: data-defined recipes for an improvement theme (shipped or provider-written)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sustain.core.models import BaseModel


class Playbook(BaseModel):
    """One version of a playbook. Shipped playbooks have no organisation and are shared;
    a provider's own playbooks belong to its organisation. Content is the validated YAML."""

    class Source(models.TextChoices):
        SHIPPED = "shipped", _("Shipped with Sustain")
        ORGANISATION = "organisation", _("Written by the provider")

    organisation = models.ForeignKey("tenancy.Organisation", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organisation"))
    code = models.SlugField(_("code"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    raw = models.TextField(_("YAML"))
    content = models.JSONField(_("validated content"))

    class Meta:
        ordering = ("title", "-version")
        constraints = [
            models.UniqueConstraint(fields=("code", "version"),
                                    condition=models.Q(organisation__isnull=True),
                                    name="playbooks_playbook_unique_shipped_code_version"),
            models.UniqueConstraint(fields=("organisation", "code", "version"),
                                    name="playbooks_playbook_unique_organisation_code_version",
                                    violation_error_message=_(
                                        "This organisation already has this playbook version.")),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    # BaseModel has a `version` field for optimistic locking; playbook versions are immutable
    # rows, so the lock version is the content version here.
