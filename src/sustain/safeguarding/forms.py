"""HTML forms for safeguarding concerns (they coerce input; the services hold the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from sustain.safeguarding.models import SafeguardingConcern
from sustain.web.forms import SustainForm, UUIDChoiceField

STATUS = [("", "Open (unreviewed first)"), ("unreviewed", "Not reviewed"),
          ("overdue", "Review overdue"), ("closed", "Closed"), ("all", "All")]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class StaffChoiceField(UUIDChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class PersonChoiceField(UUIDChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} ({obj.initials})"


class ConcernForm(SustainForm):
    location = UUIDChoiceField(queryset=None, label="Location")  # type: ignore[arg-type]
    person = PersonChoiceField(queryset=None, label="Person")  # type: ignore[arg-type]
    category = forms.ChoiceField(label="Category",
                                 choices=[("", "Choose…"), *SafeguardingConcern.Category.choices])
    description = forms.CharField(label="What happened or what you saw",
                                  widget=forms.Textarea(attrs={"rows": 4}))
    raised_at = forms.DateTimeField(label="Raised at", widget=DateTimeInput)
    raised_by = StaffChoiceField(queryset=None, label="Raised by")  # type: ignore[arg-type]
    shift_lead_notified_at = forms.DateTimeField(
        label="Shift lead notified at", required=False, widget=DateTimeInput,
        help_text="Tell the shift lead before the end of your shift.")

    def __init__(self, *args: Any, locations: QuerySet, people: QuerySet, staff: QuerySet,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["raised_by"].queryset = staff  # type: ignore[attr-defined]


class ConcernEditForm(SustainForm):
    """Correct the raised details of a concern (the concern stays at its location)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    raised_at = forms.DateTimeField(label="Raised at", widget=DateTimeInput)
    raised_by = StaffChoiceField(queryset=None, label="Raised by")  # type: ignore[arg-type]
    person = PersonChoiceField(queryset=None, label="Person")  # type: ignore[arg-type]
    category = forms.ChoiceField(label="Category",
                                 choices=[("", "Choose…"), *SafeguardingConcern.Category.choices])
    description = forms.CharField(label="What happened or what you saw",
                                  widget=forms.Textarea(attrs={"rows": 4}))
    shift_lead_notified_at = forms.DateTimeField(
        label="Shift lead notified at", required=False, widget=DateTimeInput,
        help_text="Cannot be before the concern was raised.")

    def __init__(self, *args: Any, people: QuerySet, staff: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["raised_by"].queryset = staff  # type: ignore[attr-defined]


class ReviewForm(SustainForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(label="Decision", choices=SafeguardingConcern.Decision.choices,
                                 widget=forms.RadioSelect)
    reviewed_at = forms.DateTimeField(label="Reviewed at", required=False, widget=DateTimeInput,
                                      help_text="Leave empty for now.")
    la_referral_at = forms.DateTimeField(label="Local authority referral made at",
                                         required=False, widget=DateTimeInput)
    la_reference = forms.CharField(label="Local authority reference", required=False,
                                   max_length=100)
    cqc_notified_at = forms.DateTimeField(label="CQC notification sent at", required=False,
                                          widget=DateTimeInput)


class CloseForm(SustainForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    outcome = forms.CharField(label="Outcome", widget=forms.Textarea(attrs={"rows": 3}))


class ConcernFilterForm(SustainForm):
    location = UUIDChoiceField(queryset=None, label="Location", required=False,  # type: ignore[arg-type]
                               empty_label="All my locations")
    status = forms.ChoiceField(label="Show", choices=STATUS, required=False)
    archived = forms.BooleanField(label="Show archived concerns too", required=False)

    def __init__(self, *args: Any, locations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]
