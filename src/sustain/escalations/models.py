"""Escalation rules (organisation rule sets), their firings and the response tasks.

A rule's text is YAML validated by `engine.escalation_rules` (ADR 0014). Playbook rules are
read from the applied playbook; organisation rules are stored here, one row per version
(an edit adds a version; earlier versions stay, so a firing always names the exact rule it
ran). A `Firing` is one time a rule's trigger became true: the records that matched, the
rule version, and its tasks. An `EscalationTask` is one required response with an owner, a
deadline, a place on the escalation ladder and what fulfilled it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel
from sustain.engine.access import ROLE_LABELS

ROLE_CHOICES = [(r.value, label) for r, label in ROLE_LABELS.items()] + [
    ("board", "Board report")]


class EscalationRule(TenantScopedModel):
    """One version of an organisation-level rule (YAML text, validated on save)."""

    code = models.SlugField(_("rule id"), max_length=80)
    rule_version = models.PositiveIntegerField(_("rule version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    yaml = models.TextField(_("rule (YAML)"))
    checksum = models.CharField(max_length=64)
    is_current = models.BooleanField(_("current version"), default=True)
    active = models.BooleanField(_("active"), default=True)
    # Empty: every location of the organisation.
    locations = models.ManyToManyField("tenancy.Location", blank=True, related_name="+",
                                       verbose_name=_("locations"))

    class Meta:
        ordering = ("code", "-rule_version")
        constraints = [
            models.UniqueConstraint(fields=("organisation", "code", "rule_version"),
                                    name="escalations_rule_unique_version",
                                    violation_error_message="This rule already has that "
                                                            "version."),
            models.UniqueConstraint(fields=("organisation", "code"),
                                    condition=Q(is_current=True, archived_at__isnull=True),
                                    name="escalations_rule_one_current",
                                    violation_error_message="A rule with this id already "
                                                            "exists."),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.rule_version})"


class Firing(TenantScopedModel):
    """One time a rule's trigger became true at a location."""

    class Source(models.TextChoices):
        PLAYBOOK = "playbook", _("Playbook rule")
        ORGANISATION = "organisation", _("Organisation rule")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("All responses done")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    source = models.CharField(_("rule from"), max_length=20, choices=Source.choices)
    rule_code = models.CharField(_("rule id"), max_length=80)
    rule_title = models.CharField(_("rule"), max_length=200)
    rule_version = models.CharField(_("rule version"), max_length=80)
    playbook_code = models.CharField(_("playbook"), max_length=80, blank=True)
    rule = models.ForeignKey(EscalationRule, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="firings", verbose_name=_("organisation rule"))
    theme = models.ForeignKey("themes.Theme", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("theme"))
    key = models.CharField(_("firing key"), max_length=64)
    group_field = models.CharField(_("grouped by"), max_length=40, blank=True)
    group_value = models.CharField(_("group"), max_length=80, blank=True)
    group_label = models.CharField(_("about"), max_length=200, blank=True)
    # [{"type": "medicines_discrepancy", "id": "…", "label": "…", "at": "ISO"}]
    records = models.JSONField(_("matching records"), default=list)
    subject = models.JSONField(_("subject"), default=dict, blank=True)
    staff_member = models.ForeignKey("people.StaffMember", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("staff member"))
    person = models.ForeignKey("people.PersonSupported", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person supported"))
    triggered_at = models.DateTimeField(_("triggered at"))
    explanation = models.TextField(_("why it fired"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.OPEN)
    withdrawn_reason = models.TextField(_("why withdrawn"), blank=True)

    class Meta:
        ordering = ("-triggered_at", "pk")
        constraints = [
            models.UniqueConstraint(fields=("organisation", "rule_code", "key"),
                                    name="escalations_firing_unique_key",
                                    violation_error_message="This rule already fired on "
                                                            "these records."),
        ]
        indexes = [
            models.Index(fields=("organisation", "location", "status"),
                         name="escalations_firing_loc_status"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_title} — {self.group_label or self.location}"


class EscalationTask(TenantScopedModel):
    """One required response to a firing: owner, deadline, ladder step, what fulfilled it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    firing = models.ForeignKey(Firing, on_delete=models.PROTECT, related_name="tasks",
                               verbose_name=_("firing"))
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    response_index = models.PositiveSmallIntegerField(_("response"))
    task_type = models.CharField(_("task"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    subject = models.JSONField(_("subject"), default=dict, blank=True)
    staff_member = models.ForeignKey("people.StaffMember", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("staff member"))
    person = models.ForeignKey("people.PersonSupported", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person supported"))
    fulfilled_by_type = models.CharField(_("fulfilled by"), max_length=40)
    fulfilled_by_where = models.JSONField(default=dict, blank=True)
    count_needed = models.PositiveSmallIntegerField(_("records needed"), default=1)
    # [{"type": "supervision", "id": "…", "label": "…", "at": "ISO"}]
    fulfilled_records = models.JSONField(_("fulfilling records"), default=list, blank=True)
    owner_role = models.CharField(_("owner (role)"), max_length=40, choices=ROLE_CHOICES)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    due_at = models.DateTimeField(_("due"))
    original_due_at = models.DateTimeField(_("first due"))
    # The rule's ladder and days per step as they were when the task was created (a later
    # edit of the rule does not move tasks already on their way up).
    ladder = models.JSONField(_("escalation ladder"), default=list, blank=True)
    escalate_after_days = models.PositiveSmallIntegerField(_("days at each step"), default=3)
    step = models.PositiveSmallIntegerField(_("ladder step"), default=0)
    escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True)
    at_board = models.BooleanField(_("in the board report"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    completion_note = models.TextField(_("note"), blank=True)
    cancel_reason = models.TextField(_("why cancelled"), blank=True)
    withdrawn_reason = models.TextField(_("why withdrawn"), blank=True)

    class Meta:
        ordering = ("due_at", "pk")
        constraints = [
            models.UniqueConstraint(fields=("firing", "response_index"),
                                    name="escalations_task_unique_response",
                                    violation_error_message="This firing already has that "
                                                            "task."),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="escalations_task_cancel_has_reason"),
        ]
        indexes = [
            models.Index(fields=("organisation", "location", "status", "due_at"),
                         name="escalations_task_loc_due"),
            models.Index(fields=("status", "due_at"), name="escalations_task_status_due"),
        ]

    def __str__(self) -> str:
        return self.title
