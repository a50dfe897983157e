"""Forms for the workforce pages: they coerce input and scope the choices; the rules live in
the services and `engine.workforce_rules`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from sustain.web.forms import (
    DateInput,
    SustainForm,
    UUIDChoiceField,
    UUIDMultipleChoiceField,
)
from sustain.workforce.models import Attestation, Briefing, CompetencyAssessment

NONE: Any = None  # querysets are set per request


class _ThemeTagged(SustainForm):
    themes = UUIDMultipleChoiceField(queryset=NONE, label="Themes", required=False)

    def __init__(self, *args: Any, staff: QuerySet, themes: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = themes
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and name != "themes":
                field.queryset = staff


class SupervisionForm(_ThemeTagged):
    date = forms.DateField(label="Date", widget=DateInput)
    supervisor = UUIDChoiceField(queryset=NONE, label="Supervisor")
    supervisee = UUIDChoiceField(queryset=NONE, label="Supervisee")
    topics = forms.CharField(label="Topics discussed", required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(label="Notes", required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))
    agreed_actions = forms.CharField(label="Agreed actions", required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    next_due = forms.DateField(label="Next due", widget=DateInput, required=False,
                               help_text="Leave blank for the organisation's supervision "
                                         "interval.")
    field_order = ["date", "supervisor", "supervisee", "themes", "topics", "notes",
                   "agreed_actions", "next_due"]


class CompetencyForm(_ThemeTagged):
    staff = UUIDChoiceField(queryset=NONE, label="Member of staff")
    assessment_type = forms.ChoiceField(label="Type", choices=CompetencyAssessment.Type.choices)
    other_type = forms.CharField(label="If other, what was assessed", required=False,
                                 max_length=120)
    assessor = UUIDChoiceField(queryset=NONE, label="Assessor")
    date = forms.DateField(label="Date", widget=DateInput)
    outcome = forms.ChoiceField(label="Outcome", choices=CompetencyAssessment.Outcome.choices,
                                widget=forms.RadioSelect)
    next_due = forms.DateField(label="Next due", widget=DateInput, required=False)
    notes = forms.CharField(label="Notes", required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["staff", "assessment_type", "other_type", "assessor", "date", "outcome",
                   "next_due", "notes", "themes"]


class TrainingForm(_ThemeTagged):
    staff = UUIDChoiceField(queryset=NONE, label="Member of staff")
    course = forms.CharField(label="Course", max_length=200)
    completed_on = forms.DateField(label="Completed on", widget=DateInput)
    expires_on = forms.DateField(label="Expires on", widget=DateInput, required=False)
    field_order = ["staff", "course", "completed_on", "expires_on", "themes"]


class BriefingForm(SustainForm):
    title = forms.CharField(label="Title", max_length=200)
    what_changed = forms.CharField(label="What changed", widget=forms.Textarea(attrs={"rows": 3}))
    why = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}))
    what_good_looks_like = forms.CharField(label="What good looks like",
                                           widget=forms.Textarea(attrs={"rows": 3}))
    delivered_at = forms.DateTimeField(
        label="Delivered at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                         format="%Y-%m-%dT%H:%M"))
    delivered_via = forms.ChoiceField(label="Delivered via", choices=Briefing.Via.choices)
    delivered_by = UUIDChoiceField(queryset=NONE, label="Delivered by", required=False)

    def __init__(self, *args: Any, staff: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delivered_by"].queryset = staff
        self.fields["delivered_at"].error_messages["invalid"] = "Enter a date and time."


class AttestForm(SustainForm):
    statement_confirmed = forms.BooleanField(label=Attestation.STATEMENT, required=False)
    short_answer = forms.CharField(label="In your own words, what changed and why?",
                                   required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RecordAttestationForm(AttestForm):
    staff = UUIDChoiceField(queryset=NONE, label="Member of staff")
    field_order = ["staff", "statement_confirmed", "short_answer"]

    def __init__(self, *args: Any, staff: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff
