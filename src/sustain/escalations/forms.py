"""HTML forms for the escalation pages. They coerce input only; the services hold the rules
(a rule that does not validate, a record that does not fulfil the task, a missing reason come
back from the service, by field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from sustain.web.forms import SustainForm, UUIDChoiceField, UUIDMultipleChoiceField

STATE_TABS = [("outstanding", "All open"), ("due_soon", "Due soon"), ("overdue", "Overdue"),
              ("escalated", "Escalated"), ("done", "Done")]


class BoardFilterForm(SustainForm):
    rule_code = forms.ChoiceField(label="Rule", required=False)
    theme_id = UUIDChoiceField(queryset=None, label="Theme", required=False,  # type: ignore[arg-type]
                               empty_label="Any")
    staff_member_id = UUIDChoiceField(queryset=None, label="Staff member", required=False,  # type: ignore[arg-type]
                                      empty_label="Anyone")

    def __init__(self, *args: Any, rules: list[tuple[str, str]], themes: QuerySet,
                 staff: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule_code"].choices = [("", "Any"), *rules]
        self.fields["theme_id"].queryset = themes
        self.fields["staff_member_id"].queryset = staff
        self.fields["staff_member_id"].label_from_instance = lambda s: s.full_name


class CompleteTaskForm(SustainForm):
    record = forms.ChoiceField(
        label="The record that fulfils it", required=False,
        help_text="Records of the right kind at this location since the rule fired.")
    note = forms.CharField(
        label="Or write what was done", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only when there is no record to choose.")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, records: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = [("", "No record: I will write a note"), *records]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("record") and not (data.get("note") or "").strip():
            self.add_error("record", "Choose the record that fulfils the task, or write a "
                                     "note saying what was done.")
        return data


class CancelTaskForm(SustainForm):
    reason = forms.CharField(label="Why it is not needed", widget=forms.Textarea(
        attrs={"rows": 2}), help_text="Required. Kept in the task's history.")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "Enter why the task is cancelled."


class RuleForm(SustainForm):
    yaml = forms.CharField(
        label="Rule (YAML)", widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false",
                                                          "class": "code"}),
        strip=False,
        help_text="id, title, source (the policy sentence it implements), trigger, responses, "
                  "ladder and escalate_after_days. See the rules below for examples.")
    locations = UUIDMultipleChoiceField(
        queryset=None, label="Locations", required=False,  # type: ignore[arg-type]
        help_text="Leave all unticked for every location.")
    active = forms.BooleanField(label="Active (the rule runs)", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, locations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = locations
        self.fields["yaml"].error_messages["required"] = "Enter the rule."


class ArchiveRuleForm(SustainForm):
    reason = forms.CharField(label="Why the rule is archived", max_length=500,
                             widget=forms.TextInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
