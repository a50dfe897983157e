"""HTML forms for medicines checks. They coerce input only; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from sustain.medicines.models import Discrepancy, Shift
from sustain.web.forms import DateInput, SustainForm, UUIDChoiceField

HAS_DISCREPANCIES = [("", "Any"), ("yes", "With discrepancies"), ("no", "Without")]


class StaffChoiceField(UUIDChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class CheckForm(SustainForm):
    location = UUIDChoiceField(queryset=None, label="Location")  # type: ignore[arg-type]
    check_date = forms.DateField(label="Date", widget=DateInput)
    shift = forms.ChoiceField(label="Shift", choices=Shift.choices,
                              widget=forms.RadioSelect)
    checked_by = StaffChoiceField(queryset=None, label="Checked by")  # type: ignore[arg-type]
    charts_checked = forms.IntegerField(label="MAR charts checked", min_value=0,
                                        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    notes = forms.CharField(label="Notes", required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, locations: QuerySet, staff: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]
        self.fields["checked_by"].queryset = staff  # type: ignore[attr-defined]


class DiscrepancyForm(SustainForm):
    type = forms.ChoiceField(label="Type", choices=[("", "Choose…"), *Discrepancy.Type.choices])
    person = UUIDChoiceField(queryset=None, label="Person", required=False)  # type: ignore[arg-type]
    staff_responsible = StaffChoiceField(queryset=None, label="Staff member responsible",  # type: ignore[arg-type]
                                         required=False)
    action_taken = forms.CharField(label="Action taken", required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, people: QuerySet, staff: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["staff_responsible"].queryset = staff  # type: ignore[attr-defined]


class CheckFilterForm(SustainForm):
    location = UUIDChoiceField(queryset=None, label="Location", required=False,  # type: ignore[arg-type]
                               empty_label="All my locations")
    date_from = forms.DateField(label="From", required=False, widget=DateInput)
    date_to = forms.DateField(label="To", required=False, widget=DateInput)
    has_discrepancies = forms.ChoiceField(label="Discrepancies", choices=HAS_DISCREPANCIES,
                                          required=False)
    archived = forms.BooleanField(label="Show archived checks too", required=False)

    def __init__(self, *args: Any, locations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]


class ReviewForm(SustainForm):
    pattern_noted = forms.CharField(label="Pattern noted", required=False,
                                    widget=forms.Textarea(attrs={"rows": 4}))
