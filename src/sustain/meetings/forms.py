"""Forms for the meeting pages: they coerce input and scope the choices; the rules live in the
services and `engine.meeting_rules`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from sustain.engine.meeting_rules import ENTRY_KIND_LABELS, EntryKind
from sustain.meetings.models import TYPE_LABELS, TYPE_ORDER
from sustain.web.forms import (
    DateInput,
    SustainForm,
    TimeInput,
    UUIDChoiceField,
    UUIDMultipleChoiceField,
    VersionedForm,
)

NONE: Any = None  # querysets are set per request
ORGANISATION = "organisation"


class MeetingForm(SustainForm):
    location = forms.ChoiceField(label="Where", choices=())
    meeting_type = forms.ChoiceField(label="Meeting type",
                                     choices=[("", "Choose…")] + [(c, TYPE_LABELS[c])
                                                                  for c in TYPE_ORDER])
    held_on = forms.DateField(label="Held on", widget=DateInput)
    starts_at = forms.TimeField(label="Start time", required=False, widget=TimeInput)
    title = forms.CharField(label="Title", max_length=200, required=False)
    chair = UUIDChoiceField(queryset=NONE, label="Chair", required=False)
    attendees = UUIDMultipleChoiceField(queryset=NONE, label="Attendees", required=False)
    notes = forms.CharField(label="Notes", required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, places: list[tuple[str, str]], staff: QuerySet,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = places
        self.fields["chair"].queryset = staff
        self.fields["attendees"].queryset = staff


class MeetingEditForm(VersionedForm, MeetingForm):
    """Change a meeting's details (it stays where it was held)."""

    def __init__(self, *args: Any, staff: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, places=[], staff=staff, **kwargs)
        del self.fields["location"]


class ArchiveEntryForm(SustainForm):
    reason = forms.CharField(label="Why remove this minute?", max_length=500)


class AgendaItemForm(SustainForm):
    title = forms.CharField(label="Agenda item", max_length=200)
    theme = UUIDChoiceField(queryset=NONE, label="Theme", required=False, empty_label="None")

    def __init__(self, *args: Any, themes: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes


SATISFIED_CHOICES = [("", "Not recorded yet"), ("yes", "Yes, satisfied"),
                     ("no", "No, not satisfied")]


class EntryForm(SustainForm):
    """One minute. Which fields matter depends on the kind (the page shows only those when
    scripts run; the service refuses what a kind lacks, naming the field)."""

    kind = forms.ChoiceField(label="Kind of entry", widget=forms.RadioSelect,
                             choices=[(k.value, ENTRY_KIND_LABELS[k]) for k in EntryKind])
    agenda_item = UUIDChoiceField(queryset=NONE, label="Agenda item", required=False,
                                  empty_label="None")
    text = forms.CharField(label="What was said", required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    question = forms.CharField(label="Question asked", required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    asked_by = UUIDChoiceField(queryset=NONE, label="Asked by", required=False)
    answer = forms.CharField(label="Answer given", required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    satisfied = forms.ChoiceField(label="Did the answer satisfy the person who asked?",
                                  required=False, choices=SATISFIED_CHOICES,
                                  widget=forms.RadioSelect)
    decision = forms.CharField(label="Decision", required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    theme = UUIDChoiceField(queryset=NONE, label="Theme", required=False, empty_label="None")
    action_owner = UUIDChoiceField(queryset=NONE, label="Action owner", required=False)
    action_due_date = forms.DateField(label="Action due", required=False, widget=DateInput)
    care_plan_review = UUIDChoiceField(queryset=NONE, label="Care-plan review discussed",
                                       required=False, empty_label="None")

    # The kinds each field is for (the page hides the others when scripts run).
    KINDS: dict[str, tuple[str, ...]] = {
        "text": ("update", "action"), "question": ("challenge",), "asked_by": ("challenge",),
        "answer": ("challenge",), "satisfied": ("challenge",), "decision": ("decision",),
        "action_owner": ("action",), "action_due_date": ("action",),
        "care_plan_review": ("update",),
    }

    def __init__(self, *args: Any, agenda: QuerySet, staff: QuerySet, themes: QuerySet,
                 reviews: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = agenda
        for name in ("asked_by", "action_owner"):
            self.fields[name].queryset = staff
        self.fields["theme"].queryset = themes
        self.fields["care_plan_review"].queryset = reviews
        self.fields["text"].help_text = ("For an update, what was reported; for an action, "
                                         "what will be done.")
        self.fields["theme"].help_text = "An action is tracked on this theme's plan."

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        satisfied = data.pop("satisfied", "")
        data["satisfied"] = {"yes": True, "no": False}.get(satisfied)
        return data
