"""Forms for the indicator pages. They only shape input: every rule is checked by
`services.indicator_create` / `indicator_update`, whose messages land on these fields."""

from __future__ import annotations

from typing import Any

from django import forms

from sustain.indicators.custom import computation_choices
from sustain.indicators.models import Direction, Frequency, Kind, Source

BLANK = [("", "Choose a computation")]


class IndicatorForm(forms.Form):
    code = forms.CharField(label="Code", max_length=80,
                           help_text="Lower-case letters, digits and hyphens, e.g. "
                                     "night-falls-rate. It cannot change later.")
    name = forms.CharField(label="Name", max_length=200)
    unit = forms.CharField(label="Unit", max_length=80,
                           help_text="What the value is in, e.g. % or per 1,000 bed days.")
    description = forms.CharField(label="Description", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.ChoiceField(label="Where the values come from", choices=Source.choices,
                               widget=forms.RadioSelect)
    numerator = forms.ChoiceField(label="Numerator (computed)", required=False,
                                  help_text="What is counted each period.")
    denominator = forms.ChoiceField(label="Denominator (computed)", required=False,
                                    help_text="What it is counted against.")
    imported_numerator = forms.CharField(label="Numerator (imported)", required=False,
                                         max_length=80,
                                         help_text="What the imported numerator counts, "
                                                   "e.g. agency_hours.")
    imported_denominator = forms.CharField(label="Denominator (imported)", required=False,
                                           max_length=80,
                                           help_text="e.g. hours_worked.")
    multiplier = forms.FloatField(label="Multiplier", initial=1,
                                  help_text="100 for a percentage, 1,000 for a rate per 1,000.")
    direction = forms.ChoiceField(label="Direction", choices=Direction.choices)
    target = forms.FloatField(label="Target", required=False,
                              help_text="Optional, in the indicator's unit.")
    frequency = forms.ChoiceField(label="Frequency", choices=Frequency.choices)
    minimum_points = forms.IntegerField(label="Minimum points", initial=12,
                                        help_text="Points needed before limits are drawn.")
    kind = forms.ChoiceField(label="Kind", choices=Kind.choices,
                             help_text="Decides the alerting method and whether a funnel "
                                       "plot is drawn.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = BLANK + computation_choices()
        self.fields["numerator"].choices = choices
        self.fields["denominator"].choices = choices

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values in the service's terms (the numerator and denominator from
        the pair that matches the source)."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        imported = data.get("source") == Source.IMPORTED
        num, den = data.pop("imported_numerator", ""), data.pop("imported_denominator", "")
        if imported:
            data["numerator"], data["denominator"] = num, den
        return data

    def place_errors(self, errors: dict[str, list[str]]) -> None:
        imported = self.data.get("source") == Source.IMPORTED
        for field, messages in errors.items():
            if imported and field in ("numerator", "denominator"):
                field = f"imported_{field}"
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class LibraryIndicatorForm(forms.Form):
    """What a library copy may change."""

    target = forms.FloatField(label="Target", required=False,
                              help_text="Optional, in the indicator's unit.")
    minimum_points = forms.IntegerField(label="Minimum points",
                                        help_text="Points needed before limits are drawn.")
    frequency = forms.ChoiceField(label="Frequency", choices=Frequency.choices,
                                  help_text="Changing it archives the values of the old "
                                            "frequency; the nightly job computes the new ones.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data

    def place_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class ArchiveForm(forms.Form):
    reason = forms.CharField(label="Why it is archived", required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)
