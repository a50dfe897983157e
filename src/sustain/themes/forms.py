"""Forms for the theme pages. They coerce input and scope choices to what the user may use;
the rules (stages, evidence, permissions) live in the services and the engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from sustain.engine.lifecycle import STAGE_LABELS, Stage
from sustain.themes.models import CheckMethod, Origin
from sustain.web.forms import (
    DateInput,
    SustainForm,
    UUIDChoiceField,
    UUIDMultipleChoiceField,
    VersionedForm,
)


class StatementChoiceField(UUIDMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.title}"


class RegulationChoiceField(UUIDMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"Regulation {obj.number}: {obj.title}"


class ThemeFields(SustainForm):
    title = forms.CharField(label="Title", max_length=200,
                            help_text="The failure being fixed, e.g. \"Medicines governance\".")
    origin = forms.ChoiceField(label="Where it came from", choices=Origin.choices)
    owner = UUIDChoiceField(queryset=None, label="Owner", required=False,  # type: ignore[arg-type]
                            empty_label="Nobody yet",
                            help_text="The staff member accountable for the theme.")
    quality_statements = StatementChoiceField(
        queryset=None, label="Quality statements", required=False)  # type: ignore[arg-type]
    regulations = RegulationChoiceField(queryset=None, label="Regulations",  # type: ignore[arg-type]
                                        required=False)
    description = forms.CharField(label="Description", required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text="What was found, and what good looks like.")

    def __init__(self, *args: Any, staff: QuerySet, statements: QuerySet,
                 regulations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff
        self.fields["quality_statements"].queryset = statements
        self.fields["regulations"].queryset = regulations


class ThemeForm(ThemeFields):
    location = UUIDChoiceField(queryset=None, label="Location")  # type: ignore[arg-type]

    def __init__(self, *args: Any, locations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.order_fields(["location", "title", "origin", "owner", "quality_statements",
                           "regulations", "description"])


class ThemeEditForm(VersionedForm, ThemeFields):
    pass


class ThemeFilterForm(SustainForm):
    location = UUIDChoiceField(queryset=None, label="Location", required=False,  # type: ignore[arg-type]
                               empty_label="All my locations")
    stage = forms.ChoiceField(label="Stage", required=False, choices=[
        ("", "Any stage"), *[(s.value, STAGE_LABELS[s]) for s in Stage]])
    key_question = forms.ChoiceField(label="Key question", required=False)
    owner = UUIDChoiceField(queryset=None, label="Owner", required=False,  # type: ignore[arg-type]
                            empty_label="Anyone")
    origin = forms.ChoiceField(label="Origin", required=False,
                               choices=[("", "Any origin"), *Origin.choices])
    overdue = forms.BooleanField(label="Only themes with overdue actions", required=False)

    def __init__(self, *args: Any, locations: QuerySet, owners: QuerySet,
                 key_questions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["owner"].queryset = owners
        self.fields["key_question"].choices = [("", "Any key question"), *key_questions]


class MoveForm(SustainForm):
    target = forms.ChoiceField(label="Move the theme to")
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Why, in writing: it is kept in the theme's timeline.")

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "Choose a stage…")] + [
            (s.value, STAGE_LABELS[s]) for s in Stage if s.value != current]


class ActionForm(SustainForm):
    description = forms.CharField(label="What will be done", widget=forms.Textarea(
        attrs={"rows": 3}))
    owner = UUIDChoiceField(queryset=None, label="Owner", required=False,  # type: ignore[arg-type]
                            empty_label="Nobody yet")
    due_date = forms.DateField(label="Due date", widget=DateInput)
    check_method = forms.ChoiceField(
        label="How its effect will be checked", choices=CheckMethod.choices,
        help_text="Done is not effective: the action counts as effective only when this "
                  "check passes with evidence.")
    check_criterion = forms.CharField(
        label="What counts as a pass", max_length=300, required=False,
        help_text="For example \"re-audit score ≥ 90 %\" or \"5 of 5 care plans match "
                  "observed practice\".")

    def __init__(self, *args: Any, staff: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff


class ActionEditForm(VersionedForm, ActionForm):
    pass


class ActionProgressForm(SustainForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ActionDoneForm(ActionProgressForm):
    completed_on = forms.DateField(label="Done on", widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("completed_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class ActionCancelForm(ActionProgressForm):
    cancelled_reason = forms.CharField(label="Reason for cancelling",
                                       widget=forms.Textarea(attrs={"rows": 2}))


def audit_label(audit: Any) -> str:
    kind = "Re-audit" if audit.is_reaudit else "Audit"
    score = f" — {audit.score:.0f}%" if audit.score is not None else ""
    return f"{kind}: {audit.template.title}, {audit.audit_date.day} " \
           f"{audit.audit_date:%b %Y}{score}"


class ActionVerifyForm(SustainForm):
    """The effectiveness check. The audit choices are evaluated once by the page and shared
    by every action's form (no query per form)."""

    evidence_audit = forms.ChoiceField(
        label="Evidence: the audit", required=False,
        help_text="A completed, passing (re-)audit of this theme after the action was done.")
    evidence_note = forms.CharField(
        label="Evidence: what was observed or sampled", required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For an observation, record sample or indicator: what, when, by whom.")
    verified_on = forms.DateField(label="Checked on", widget=DateInput)

    def __init__(self, *args: Any, audits: Sequence[Any], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("verified_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.audits = {str(a.uuid): a for a in audits}
        self.fields["evidence_audit"].choices = [("", "No audit")] + [
            (key, audit_label(a)) for key, a in self.audits.items()]

    def clean_evidence_audit(self) -> Any:
        key = self.cleaned_data.get("evidence_audit") or ""
        return self.audits.get(key)
