"""HTML forms for cadences and completing occurrences. They coerce input only; the services
hold the rules (an impossible rule or a missing owner comes back from the service, by field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from sustain.engine.access import ROLE_LABELS
from sustain.engine.playbook_schema import TRACKER_TYPES
from sustain.governance.models import Cadence, CompletesWith
from sustain.web.forms import SustainForm, UUIDChoiceField, VersionedForm

WEEKDAYS = [("", "—"), ("0", "Monday"), ("1", "Tuesday"), ("2", "Wednesday"),
            ("3", "Thursday"), ("4", "Friday"), ("5", "Saturday"), ("6", "Sunday")]
DAYS = [("", "—"), ("-1", "The last day"), *[(str(d), str(d)) for d in range(1, 32)]]
MONTHS = [("", "—"), *[(str(i), name) for i, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)]]
PARAM_FIELDS = ("template", "audit_kind", "meeting_type", "competency", "tracker",
                "visit_type")


class PersonChoiceField(UUIDChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


def _int_or_none(value: str) -> int | None:
    return int(value) if value not in ("", None) else None


class CadenceForm(VersionedForm):
    location = UUIDChoiceField(queryset=None, label="Location", required=False,  # type: ignore[arg-type]
                               empty_label="The whole organisation",
                               help_text="Leave as the whole organisation for provider-level "
                                         "work (you need a role over the whole organisation).")
    title = forms.CharField(label="Title", max_length=200)
    owner_role = forms.ChoiceField(label="Owner (role)", required=False, choices=[
        ("", "—"), *[(r.value, label) for r, label in ROLE_LABELS.items()]])
    owner_person = PersonChoiceField(queryset=None, label="Owner (person)", required=False,  # type: ignore[arg-type]
                                     empty_label="—",
                                     help_text="A role, a person or both: a cadence needs an "
                                               "owner.")
    frequency = forms.ChoiceField(label="How often", choices=Cadence.FREQUENCY_CHOICES)
    weekday = forms.ChoiceField(label="Day of the week (weekly, every two weeks)",
                                choices=WEEKDAYS, required=False,
                                help_text="Empty: Sunday, the end of the week.")
    day_of_month = forms.ChoiceField(label="Day of the month (monthly, quarterly, six-monthly, "
                                           "annually)", choices=DAYS, required=False,
                                     help_text="Empty: the last day. A day a short month "
                                               "lacks means its last day.")
    month = forms.ChoiceField(label="Month (annually; quarterly 1–3, six-monthly 1–6)",
                              choices=MONTHS, required=False,
                              help_text="Quarterly: the first month it is due, e.g. March "
                                        "for March, June, September and December.")
    shift_ends = forms.CharField(label="Shift end times (per shift)", required=False,
                                 help_text="Local times, separated by commas, e.g. 08:00, "
                                           "20:00.")
    completes_with = forms.ChoiceField(label="Completed by", choices=CompletesWith.choices)
    template = forms.ChoiceField(label="Audit template", required=False, choices=[])
    audit_kind = forms.ChoiceField(label="Kind of audit", required=False, choices=[
        ("", "Any"), ("self", "Service's own audit"),
        ("independent", "Independent (provider) sample")])
    meeting_type = forms.ChoiceField(label="Meeting type", required=False, choices=[])
    competency = forms.CharField(label="Competency", required=False,
                                 help_text="e.g. medicines administration")
    tracker = forms.ChoiceField(label="Tracker", required=False, choices=[
        ("", "—"), *TRACKER_TYPES.items()])
    visit_type = forms.ChoiceField(label="Visit type", required=False, choices=[
        ("", "—"), ("senior_visit", "Senior visit"), ("observation", "Observation of practice")])
    grace_days = forms.IntegerField(label="Grace days", min_value=0, initial=0,
                                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                    help_text="Days after the due date before it counts as "
                                              "missed.")

    def __init__(self, *args: Any, locations: QuerySet, people: QuerySet,
                 templates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]
        self.fields["owner_person"].queryset = people  # type: ignore[attr-defined]
        self.fields["template"].choices = [("", "—"), *templates]  # type: ignore[attr-defined]
        from sustain.governance.services import meeting_types

        self.fields["meeting_type"].choices = [  # type: ignore[attr-defined]
            ("", "—"), *meeting_types().items()]
        if "version" in self.fields and not self.is_bound and not self.initial.get("version"):
            self.fields["version"].required = False

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        params = {name: data[name].strip() if isinstance(data[name], str) else data[name]
                  for name in PARAM_FIELDS if data.get(name)}
        ends = [part.strip() for part in (data.get("shift_ends") or "").split(",")
                if part.strip()]
        return {"location": data.get("location"), "title": data["title"],
                "owner_role": data.get("owner_role") or "",
                "owner_person": data.get("owner_person"), "frequency": data["frequency"],
                "weekday": _int_or_none(data.get("weekday", "")),
                "day_of_month": _int_or_none(data.get("day_of_month", "")),
                "month": _int_or_none(data.get("month", "")), "shift_ends": ends,
                "completes_with": data["completes_with"], "completes_params": params,
                "grace_days": data.get("grace_days") or 0}

    @staticmethod
    def initial_from(cadence: Cadence) -> dict[str, Any]:
        params = cadence.completes_params or {}
        return {"location": cadence.location, "title": cadence.title,
                "owner_role": cadence.owner_role, "owner_person": cadence.owner_person,
                "frequency": cadence.frequency,
                "weekday": "" if cadence.weekday is None else str(cadence.weekday),
                "day_of_month": "" if cadence.day_of_month is None
                else str(cadence.day_of_month),
                "month": "" if cadence.month is None else str(cadence.month),
                "shift_ends": ", ".join(cadence.shift_ends or []),
                "completes_with": cadence.completes_with, "grace_days": cadence.grace_days,
                "version": cadence.version,
                **{name: params.get(name, "") for name in PARAM_FIELDS}}


class CompleteForm(SustainForm):
    record = forms.ChoiceField(label="The record that completes it", required=False,
                               choices=[], widget=forms.RadioSelect)
    reason = forms.CharField(label="Or: what was done (without a record)", required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="At least 10 characters, e.g. where the evidence is.")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, records: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = [("", "No record: I give a reason"), *records]  # type: ignore[attr-defined]
