"""HTML forms for lessons, adoption updates and hand-over acknowledgement. They only coerce
input; the rules are in the services (whose refusals are shown by the field they name)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from sustain.engine.lesson_rules import STATUS_LABELS, AdoptionStatus
from sustain.web.forms import (
    DateInput,
    SustainForm,
    UUIDChoiceField,
    UUIDMultipleChoiceField,
    VersionedForm,
)


class LessonForm(SustainForm):
    title = forms.CharField(label="Title", max_length=200)
    what_happened = forms.CharField(label="What happened", widget=forms.Textarea(
        attrs={"rows": 4}), help_text="What was found and what was done about it.")
    in_practice = forms.CharField(label="What it means in practice", widget=forms.Textarea(
        attrs={"rows": 4}), help_text="What other services should do differently.")
    origin_location = UUIDChoiceField(queryset=None, label="Where it was learnt",  # type: ignore[arg-type]
                                      required=False, empty_label="Not one location")
    applies_to_all = forms.BooleanField(label="Applies to all locations (including ones "
                                              "added later)", required=False)
    applies_to = UUIDMultipleChoiceField(queryset=None, label="Applies to",  # type: ignore[arg-type]
                                         required=False,
                                         help_text="Choose the locations, unless it applies "
                                                   "to all.")
    owner = UUIDChoiceField(queryset=None, label="Owner", required=False,  # type: ignore[arg-type]
                            empty_label="Nobody yet")

    def __init__(self, *args: Any, locations: QuerySet, staff: QuerySet,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["origin_location"].queryset = locations
        self.fields["applies_to"].queryset = locations
        self.fields["owner"].queryset = staff


class LessonEditForm(VersionedForm):
    """Change a lesson's text, where it applies and its owner; the version the user saw is
    carried so a concurrent change is refused, not overwritten."""

    title = forms.CharField(label="Title", max_length=200)
    what_happened = forms.CharField(label="What happened", widget=forms.Textarea(
        attrs={"rows": 4}), help_text="What was found and what was done about it.")
    in_practice = forms.CharField(label="What it means in practice", widget=forms.Textarea(
        attrs={"rows": 4}), help_text="What other services should do differently.")
    applies_to_all = forms.BooleanField(label="Applies to all locations (including ones "
                                              "added later)", required=False)
    applies_to = UUIDMultipleChoiceField(queryset=None, label="Applies to",  # type: ignore[arg-type]
                                         required=False,
                                         help_text="Choose the locations, unless it applies "
                                                   "to all. A location taken off keeps its "
                                                   "adoption record, archived.")
    owner = UUIDChoiceField(queryset=None, label="Owner", required=False,  # type: ignore[arg-type]
                            empty_label="Nobody yet")

    def __init__(self, *args: Any, locations: QuerySet, staff: QuerySet,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applies_to"].queryset = locations
        self.fields["owner"].queryset = staff

    def changes_from(self, lesson: Any) -> dict[str, Any]:
        """Only what differs from the lesson as it is (where it applies compared as a set)."""
        data = self.changes()
        out = {k: v for k, v in data.items()
               if k != "applies_to" and getattr(lesson, k) != v}
        chosen = {loc.pk for loc in data.get("applies_to") or []}
        if not data.get("applies_to_all") and \
                chosen != set(lesson.applies_to.values_list("pk", flat=True)):
            out["applies_to"] = list(data.get("applies_to") or [])
        return out


STATUS_CHOICES = [(s.value, STATUS_LABELS[s]) for s in AdoptionStatus]


class AdoptionForm(VersionedForm):
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES,
                               widget=forms.RadioSelect)
    evidence = forms.ChoiceField(
        label="Evidence record", required=False,
        help_text="A record at this location that shows the lesson in practice: an audit, a "
                  "briefing, a meeting, a supervision…")
    evidence_note = forms.CharField(
        label="Evidence note", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="If there is no record to choose: what shows the lesson is adopted.")
    evidence_date = forms.DateField(label="Evidence date", required=False, widget=DateInput)
    notes = forms.CharField(label="Notes", required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, evidence_choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [("", "No record"), *evidence_choices]

    def changes(self) -> dict[str, Any]:
        data = super().changes()
        kind, _, ref = (data.pop("evidence") or "").partition(":")
        data["evidence_type"] = kind
        data["evidence_id"] = ref or None
        return data


class GridFilterForm(SustainForm):
    region = UUIDChoiceField(queryset=None, label="Region", required=False,  # type: ignore[arg-type]
                             empty_label="All regions")

    def __init__(self, *args: Any, regions: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
