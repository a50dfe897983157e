"""Cadences (recurring governance obligations) and their occurrences, and the record of each
background job run (shown in the admin's "jobs" list).

A `Cadence` says what is due, where (a location, or the whole organisation), from whom (a
role and/or a named person), how often (the fields of `engine.cadence_rules.CadenceRule`),
what completes it (an audit of a template, a meeting of a type, a supervision, a competency
assessment, a tracker entry or review, a senior visit, or a written note) and the grace
period. Occurrences are generated ahead on a rolling horizon (`services.occurrences_generate`)
and completed automatically when the linked record is written, or by hand with the record or a
reason.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel
from sustain.engine.access import ROLE_LABELS
from sustain.engine.cadence_rules import FREQUENCY_LABELS, LAST_DAY, CadenceRule, describe

MAX_GRACE_DAYS = 90


class CompletesWith(models.TextChoices):
    AUDIT = "audit", _("An audit of a template")
    MEETING = "meeting", _("A meeting of a type")
    SUPERVISION = "supervision", _("A supervision")
    COMPETENCY = "competency", _("A competency assessment")
    TRACKER_ENTRY = "tracker_entry", _("A tracker entry (e.g. a medicines check)")
    TRACKER_REVIEW = "tracker_review", _("A tracker review (e.g. the weekly medicines review)")
    VISIT = "visit", _("A senior visit")
    NOTE = "note", _("A written note (no linked record)")


class Cadence(TenantScopedModel):
    """A recurring obligation: what, where, whose, how often, what completes it."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Set up by hand")
        PLAYBOOK = "playbook", _("From a playbook")

    FREQUENCY_CHOICES = [(k.value, v) for k, v in FREQUENCY_LABELS.items()]

    location = models.ForeignKey("tenancy.Location", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"),
                                 help_text=_("Empty: the whole organisation."))
    title = models.CharField(_("title"), max_length=200)
    owner_role = models.CharField(_("owner (role)"), max_length=40, blank=True,
                                  choices=[(r.value, label) for r, label in ROLE_LABELS.items()])
    owner_person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("owner (person)"))
    frequency = models.CharField(_("frequency"), max_length=20, choices=FREQUENCY_CHOICES)
    weekday = models.PositiveSmallIntegerField(
        _("day of the week"), null=True, blank=True,
        choices=[(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"),
                 (4, "Friday"), (5, "Saturday"), (6, "Sunday")])
    day_of_month = models.SmallIntegerField(
        _("day of the month"), null=True, blank=True,
        help_text=_("1 to 31, or -1 for the last day of the month."))
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True,
        help_text=_("Annually: the month (1–12). Quarterly: the first due month (1–3). "
                    "Six-monthly: 1–6."))
    shift_ends = models.JSONField(_("shift end times"), default=list, blank=True,
                                  help_text=_('Per shift: local times shifts end, e.g. '
                                              '["08:00", "20:00"].'))
    completes_with = models.CharField(_("completed by"), max_length=20,
                                      choices=CompletesWith.choices)
    completes_params = models.JSONField(
        _("completion details"), default=dict, blank=True,
        help_text=_('What exactly completes it: {"template": code, "audit_kind": '
                    '"self"|"independent"}, {"meeting_type": …}, {"competency": …}, '
                    '{"tracker": "medicines_checks"}, {"visit_type": '
                    '"senior_visit"|"observation"}.'))
    grace_days = models.PositiveSmallIntegerField(
        _("grace days"), default=0, validators=[MaxValueValidator(MAX_GRACE_DAYS)])
    source = models.CharField(_("source"), max_length=20, choices=Source.choices,
                              default=Source.MANUAL)
    playbook = models.ForeignKey("playbooks.Playbook", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("playbook"))
    playbook_code = models.CharField(_("playbook code"), max_length=80, blank=True)
    cadence_code = models.CharField(_("cadence code"), max_length=80, blank=True)
    theme = models.ForeignKey("themes.Theme", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("theme"))
    source_text = models.TextField(_("source (quoted)"), blank=True)

    class Meta:
        ordering = ("title", "pk")
        constraints = [
            models.CheckConstraint(
                condition=~Q(owner_role="") | Q(owner_person__isnull=False),
                name="governance_cadence_has_owner",
                violation_error_message="A cadence needs an owner: a role or a person."),
            models.UniqueConstraint(
                fields=("organisation", "location", "playbook_code", "cadence_code"),
                condition=Q(source="playbook", archived_at__isnull=True),
                name="governance_cadence_unique_playbook_code",
                violation_error_message="This playbook cadence already exists here."),
        ]
        indexes = [models.Index(fields=("organisation", "location"),
                                name="governance_cadence_org_loc")]

    def __str__(self) -> str:
        return self.title

    @property
    def rule(self) -> CadenceRule:
        from sustain.governance.rules import rule_of

        return rule_of(self)

    @property
    def rule_text(self) -> str:
        return describe(self.rule)

    @property
    def owner_text(self) -> str:
        parts = [str(self.get_owner_role_display())] if self.owner_role else []
        if self.owner_person_id:
            person = self.owner_person
            parts.append(person.get_full_name() or person.get_username())
        return " / ".join(parts)

    @property
    def day_text(self) -> str:
        return "last day" if self.day_of_month == LAST_DAY else str(self.day_of_month or "")


class Occurrence(TenantScopedModel):
    """One due instance of a cadence: when it is due, the window a record counts in, and how
    it ended (done on time, done late, missed) with the record or reason that completed it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE_ON_TIME = "done_on_time", _("Done on time")
        DONE_LATE = "done_late", _("Done late")
        MISSED = "missed", _("Missed")

    # The tenant and cadence keys are not indexed on their own: reads use the composite index
    # (organisation, location, due time) and the partial unique index (cadence, due time) of
    # live rows, and every index slows the bulk generation.
    organisation = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False,
        verbose_name=_("organisation"))
    cadence = models.ForeignKey(Cadence, on_delete=models.PROTECT, related_name="occurrences",
                                verbose_name=_("cadence"), db_index=False)
    # No single-column indexes on location, completed_by or record_type: reads go through
    # (organisation, location, due_at), and every index slows the bulk generation.
    location = models.ForeignKey("tenancy.Location", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"), db_index=False)
    due_at = models.DateTimeField(_("due"))
    window_start = models.DateTimeField(_("counts from"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.OPEN)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("completed by"), db_index=False)
    record_type = models.ForeignKey("contenttypes.ContentType", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("record type"), db_index=False)
    record_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    record_uuid = models.UUIDField(_("record"), null=True, blank=True)
    record_label = models.CharField(_("record"), max_length=200, blank=True)
    manual_reason = models.TextField(_("reason (completed by hand)"), blank=True)

    class Meta:
        ordering = ("due_at", "pk")
        constraints = [
            models.UniqueConstraint(fields=("cadence", "due_at"),
                                    condition=Q(archived_at__isnull=True),
                                    name="governance_occurrence_unique_cadence_due",
                                    violation_error_message="This cadence already has an "
                                                            "occurrence due then."),
            models.CheckConstraint(
                condition=Q(status="open") | Q(status="missed") | Q(completed_at__isnull=False),
                name="governance_occurrence_done_has_time"),
        ]
        indexes = [
            models.Index(fields=("organisation", "location", "due_at"),
                         name="governance_occ_org_loc_due"),
            models.Index(fields=("status", "due_at"), name="governance_occ_status_due"),
        ]

    def __str__(self) -> str:
        from sustain.engine.cadence_rules import LONDON

        return f"{self.cadence.title}, due {self.due_at.astimezone(LONDON):%d %b %Y}"


class JobRun(models.Model):
    """One run of a background job: when, how long, how it ended, what it counted. Written by
    `governance.jobs.job_run` (bookkeeping, not a domain record: no history chain)."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("job"), max_length=100, db_index=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveBigIntegerField(_("duration (ms)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices,
                               default=Outcome.RUNNING)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ("-started_at", "-pk")
        verbose_name = _("job run")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=("name", "-started_at"), name="governance_jobrun_name")]

    def __str__(self) -> str:
        return f"{self.name} at {self.started_at:%d %b %Y %H:%M} ({self.outcome})"
