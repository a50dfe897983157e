"""HTML forms of the signals pages. They coerce input only; the service holds the rules
(the length of what is written, the place of the theme or action)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from sustain.signals.models import Signal
from sustain.web.forms import SustainForm, UUIDChoiceField


class SignalFilterForm(SustainForm):
    location = UUIDChoiceField(queryset=None, label="Location", required=False,  # type: ignore[arg-type]
                               empty_label="All locations")
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "Any"), *Signal.Status.choices])
    direction = forms.ChoiceField(label="Direction", required=False,
                                  choices=[("", "Any"), *Signal.Direction.choices])

    def __init__(self, *args: Any, locations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations


class InterpretForm(SustainForm):
    meaning = forms.CharField(
        label="What it means", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you think has changed and why, having looked at the records behind "
                  "it (at least 20 characters).")
    response = forms.CharField(
        label="What is being done", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The response: who is doing what, by when (at least 20 characters).")
    theme = UUIDChoiceField(queryset=None, label="Theme", required=False,  # type: ignore[arg-type]
                            empty_label="None",
                            help_text="The theme at this location this belongs to, if any.")
    action = UUIDChoiceField(queryset=None, label="Action", required=False,  # type: ignore[arg-type]
                             empty_label="None",
                             help_text="The action at this location that responds to it, if "
                                       "any.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, themes: QuerySet, actions: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes
        self.fields["action"].queryset = actions
        self.fields["action"].label_from_instance = lambda a: a.description[:100]
