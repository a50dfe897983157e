"""API payloads for escalation rules, firings and response tasks (ADR 0014).

Rules are written as YAML text (`yaml`); everything else about a rule (code, title, version)
comes from that text. Firings and tasks are read-only: they change through the services
(`tasks/{id}/complete/`, `tasks/{id}/cancel/`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sustain.core.api import UUIDRelatedField
from sustain.escalations.models import EscalationRule, EscalationTask, Firing
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible

TASK_STATES = ["open", "due_soon", "overdue", "escalated", "done", "cancelled", "withdrawn"]


def describe_yaml(text: str) -> str:
    """The rule in plain English, or "" when the text no longer parses."""
    try:
        from sustain.engine.escalation_rules import describe_rule, parse_rule

        return str(describe_rule(parse_rule(text, "rule")))
    except Exception:  # noqa: BLE001 - a stored rule that no longer parses is shown as text
        return ""


def task_state(task: EscalationTask, now: Any) -> str:
    """The task's state as of `now` (selectors.task_state), normalised for the API."""
    from sustain.escalations import selectors

    state = str(selectors.task_state(task, now))
    return state.replace(" ", "_")


class EscalationRuleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    yaml = serializers.CharField(help_text="The rule as YAML (ADR 0014): id, title, source, "
                                           "trigger, responses, ladder, escalate_after_days.",
                                 trim_whitespace=False)
    locations = UUIDRelatedField(queryset=Location.objects.all(), many=True, required=False,
                                 visible=filter_locations_visible,
                                 help_text="Where the rule runs; empty: every location.")
    active = serializers.BooleanField(required=False, default=True)
    description = serializers.SerializerMethodField(
        help_text="The rule in plain English.")
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = EscalationRule
        fields = ["id", "code", "rule_version", "title", "yaml", "description", "active",
                  "locations", "is_current", "version", "archived_at", "created_at",
                  "updated_at"]
        read_only_fields = ["code", "rule_version", "title", "is_current", "archived_at",
                            "created_at", "updated_at"]
        validators: list[Any] = []

    @extend_schema_field(serializers.CharField())
    def get_description(self, obj: EscalationRule) -> str:
        return describe_yaml(obj.yaml)


class RecordRefSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()
    label = serializers.CharField(required=False, allow_blank=True)
    at = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class EscalationTaskSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    firing = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    location = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    staff_member = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    person = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    owner_name = serializers.SerializerMethodField()
    rule_title = serializers.CharField(source="firing.rule_title", read_only=True)
    state = serializers.SerializerMethodField(
        help_text="As of now: " + ", ".join(TASK_STATES) + ".")
    fulfilled_records = RecordRefSerializer(many=True, read_only=True)

    class Meta:
        model = EscalationTask
        fields = ["id", "firing", "rule_title", "location", "response_index", "task_type",
                  "title", "subject", "staff_member", "person", "fulfilled_by_type",
                  "count_needed", "fulfilled_records", "owner_role", "owner", "owner_name",
                  "due_at", "original_due_at", "ladder", "escalate_after_days", "step",
                  "escalated_at", "at_board", "status",
                  "state", "done_at", "completion_note", "cancel_reason", "withdrawn_reason",
                  "version", "archived_at", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_owner_name(self, obj: EscalationTask) -> str:
        if obj.owner_id is None:
            return ""
        return str(obj.owner.get_full_name() or obj.owner.get_username())

    @extend_schema_field(serializers.ChoiceField(choices=TASK_STATES))
    def get_state(self, obj: EscalationTask) -> str:
        now = self.context.setdefault("now", timezone.now())
        return task_state(obj, now)


class FiringSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    location = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    rule = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    theme = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    staff_member = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    person = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    records = RecordRefSerializer(many=True, read_only=True)
    tasks = serializers.SerializerMethodField()

    class Meta:
        model = Firing
        fields = ["id", "location", "source", "rule_code", "rule_title", "rule_version",
                  "playbook_code", "rule", "theme", "key", "group_field", "group_value",
                  "group_label", "records", "subject", "staff_member", "person",
                  "triggered_at", "explanation", "status", "withdrawn_reason", "tasks",
                  "version", "archived_at", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(EscalationTaskSerializer(many=True))
    def get_tasks(self, obj: Firing) -> list[dict[str, Any]]:
        tasks = sorted(obj.tasks.all(), key=lambda t: t.response_index)
        return list(EscalationTaskSerializer(tasks, many=True, context=self.context).data)


class TaskCompleteSerializer(serializers.Serializer):
    record_type = serializers.CharField(
        required=False, allow_blank=True,
        help_text='The fulfilling record\'s type, e.g. "supervision", "competency_assessment".')
    record = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                   help_text="The fulfilling record's id.")
    note = serializers.CharField(required=False, allow_blank=True,
                                 help_text="Without a record: what was done.")
    version = serializers.IntegerField(help_text="The task's version you saw.")


class TaskCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True,
                                   help_text="Why the response is not needed (required).")
    version = serializers.IntegerField(help_text="The task's version you saw.")


class RulePreviewRequestSerializer(serializers.Serializer):
    yaml = serializers.CharField(trim_whitespace=False, help_text="The rule as YAML.")
    locations = serializers.ListField(child=serializers.UUIDField(), required=False,
                                      help_text="Where to run it; empty: every location.")
    days = serializers.IntegerField(required=False, default=90, min_value=1, max_value=730)


class PreviewLocationSerializer(serializers.Serializer):
    location = serializers.UUIDField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class RulePreviewSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many times the rule would have fired.")
    days = serializers.IntegerField()
    summary = serializers.CharField(help_text='"This rule would have fired N times in the '
                                              'last 90 days."')
    description = serializers.CharField()
    per_location = PreviewLocationSerializer(many=True)
    examples = serializers.ListField(child=serializers.CharField(),
                                     help_text="Plain-English explanations of some firings.")
