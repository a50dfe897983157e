"""The CQC reference library as rows: shared by every organisation, read-only to users.

Rows are written only by `reference.services.reference_load` from the packaged YAML files;
each row points at the library version that last defined it. Key questions and regulations
are the stable anchors; quality statements and evidence categories belong to a framework
version (e.g. "saf-2024"), so a new framework is new rows, not changed ones.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from sustain.core.models import BaseModel
from sustain.engine.reference_schema import STATUS_MARKS, is_verified

STATUS_CHOICES = [(mark, mark) for mark in STATUS_MARKS]


class ReferenceLibrary(models.Model):
    """One stored version of one library file: raw content, checksum and when it was loaded."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    urn = models.CharField(_("URN"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    locale = models.CharField(_("locale"), max_length=10)
    framework_version = models.CharField(_("framework version"), max_length=40)
    sources = models.JSONField(_("sources"), default=list)
    dependencies = models.JSONField(_("dependencies"), default=list)
    filename = models.CharField(_("file name"), max_length=200)
    checksum = models.CharField(_("SHA-256 checksum"), max_length=64)
    content = models.TextField(_("raw content"))
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        ordering = ("urn", "-version")
        verbose_name = _("reference library")
        verbose_name_plural = _("reference libraries")
        constraints = [
            models.UniqueConstraint(fields=("urn", "version"),
                                    name="reference_library_unique_urn_version"),
        ]

    def __str__(self) -> str:
        return f"{self.urn} v{self.version}"


class ReferenceItem(BaseModel):
    """Common to every reference row: its library, order, status mark and sources."""

    library = models.ForeignKey(ReferenceLibrary, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("library"))
    position = models.PositiveIntegerField(_("position"), default=0)
    status = models.CharField(_("status"), max_length=40, choices=STATUS_CHOICES)
    status_note = models.TextField(_("status note"), blank=True)
    sources = models.JSONField(_("sources"), default=list)

    class Meta:
        abstract = True
        ordering = ("position",)

    @property
    def is_verified(self) -> bool:
        return is_verified(self.status)


class KeyQuestion(ReferenceItem):
    """One of CQC's five key questions (Safe, Effective, Caring, Responsive, Well-led)."""

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    definition = models.TextField(_("definition"))
    ambition = models.TextField(_("ambition"), blank=True)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("key question")
        constraints = [models.UniqueConstraint(fields=("code",),
                                               name="reference_keyquestion_unique_code")]

    def __str__(self) -> str:
        return self.name


class Regulation(ReferenceItem):
    """A regulation CQC enforces (fundamental standards and notification duties)."""

    code = models.CharField(_("code"), max_length=40)
    instrument = models.CharField(_("instrument"), max_length=300)
    number = models.CharField(_("regulation number"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))
    fundamental_standard = models.BooleanField(_("fundamental standard"), default=False)
    prosecutable = models.TextField(_("prosecution"), blank=True)
    paragraphs = models.JSONField(_("paragraphs"), default=list)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("regulation")
        constraints = [models.UniqueConstraint(fields=("code",),
                                               name="reference_regulation_unique_code")]

    def __str__(self) -> str:
        return f"Regulation {self.number}: {self.title}"


class EvidenceCategory(ReferenceItem):
    """One of the evidence categories of a framework version (six in the SAF)."""

    framework_version = models.CharField(_("framework version"), max_length=40)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("evidence category")
        verbose_name_plural = _("evidence categories")
        constraints = [models.UniqueConstraint(
            fields=("framework_version", "code"),
            name="reference_evidencecategory_unique_framework_code")]

    def __str__(self) -> str:
        return self.name


class QualityStatement(ReferenceItem):
    """A quality statement ("we statement") under a key question, in one framework version."""

    framework_version = models.CharField(_("framework version"), max_length=40)
    code = models.CharField(_("code"), max_length=40)
    key_question = models.ForeignKey(KeyQuestion, on_delete=models.PROTECT,
                                     related_name="quality_statements",
                                     verbose_name=_("key question"))
    title = models.CharField(_("title"), max_length=300)
    we_statement = models.TextField(_("we statement"))
    i_statements = models.JSONField(_("I statements"), default=list)
    i_statements_status = models.CharField(_("I statements status"), max_length=40,
                                           choices=STATUS_CHOICES)
    i_statements_note = models.TextField(_("I statements note"), blank=True)
    subtopics = models.JSONField(_("subtopics"), default=list)
    also_consider = models.JSONField(_("also consider"), default=list)
    cqc_page_last_updated = models.DateField(_("CQC page last updated"), null=True, blank=True)
    evidence_categories = models.ManyToManyField(EvidenceCategory, blank=True,
                                                 related_name="quality_statements",
                                                 verbose_name=_("evidence categories"))
    evidence_categories_status = models.CharField(_("evidence categories status"),
                                                  max_length=40, choices=STATUS_CHOICES)
    evidence_categories_note = models.TextField(_("evidence categories note"), blank=True)
    regulations = models.ManyToManyField(Regulation, related_name="quality_statements",
                                         blank=True, verbose_name=_("regulations"))
    regulations_status = models.CharField(_("regulations status"), max_length=40,
                                          choices=STATUS_CHOICES)
    regulations_note = models.TextField(_("regulations note"), blank=True)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("quality statement")
        constraints = [models.UniqueConstraint(
            fields=("framework_version", "code"),
            name="reference_qualitystatement_unique_framework_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def i_statements_verified(self) -> bool:
        return is_verified(self.i_statements_status)

    @property
    def evidence_categories_verified(self) -> bool:
        return is_verified(self.evidence_categories_status)

    @property
    def regulations_verified(self) -> bool:
        return is_verified(self.regulations_status)


class RatingLevel(ReferenceItem):
    """A CQC rating (Outstanding, Good, Requires improvement, Inadequate) and its score band."""

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank"))
    band_min_pct = models.PositiveSmallIntegerField(_("band from (%)"))
    band_max_pct = models.PositiveSmallIntegerField(_("band to (%)"))
    band_status = models.CharField(_("band status"), max_length=40, choices=STATUS_CHOICES)
    band_note = models.TextField(_("band note"), blank=True)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("rating level")
        constraints = [models.UniqueConstraint(fields=("code",),
                                               name="reference_ratinglevel_unique_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def band_verified(self) -> bool:
        return is_verified(self.band_status)


class ScoreLevel(ReferenceItem):
    """A quality statement score (1 to 4) and what it means."""

    value = models.PositiveSmallIntegerField(_("score"))
    description = models.CharField(_("description"), max_length=300)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("score level")
        constraints = [models.UniqueConstraint(fields=("value",),
                                               name="reference_scorelevel_unique_value")]

    def __str__(self) -> str:
        return f"{self.value}: {self.description}"


class EnforcementType(ReferenceItem):
    """A CQC enforcement power (requirement notice, warning notice, special measures, …)."""

    class Track(models.TextChoices):
        CIVIL = "civil", _("Civil")
        CRIMINAL = "criminal", _("Criminal")
        ACCOUNTABILITY = "accountability", _("Holding individuals to account")

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    description = models.TextField(_("description"))
    statute = models.TextField(_("statute"), blank=True)
    details = models.JSONField(_("details"), default=list)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("enforcement type")
        constraints = [models.UniqueConstraint(fields=("code",),
                                               name="reference_enforcementtype_unique_code")]

    def __str__(self) -> str:
        return self.name
