"""HTML forms. They only coerce input (types, required fields, choices scoped to what the user
may use); the rules themselves live in models and services, whose refusals are shown next to
the field they name (see `views.base.apply_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from sustain.tenancy.choices import RoleChoices, ScopeChoices, ServiceType


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class UUIDChoiceField(forms.ModelChoiceField):
    """Choose a related record by public UUID from an already scoped queryset."""

    def __init__(self, queryset: QuerySet, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", "Choose…")
        super().__init__(queryset=queryset, to_field_name="uuid", **kwargs)


class UUIDMultipleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, queryset: QuerySet, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(queryset=queryset, to_field_name="uuid", **kwargs)


def _lower_first(label: str) -> str:
    return label if label[:3].isupper() else label[:1].lower() + label[1:]


class SustainForm(forms.Form):
    """Plain-English error messages that name the field ("Enter the reference")."""

    label_suffix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = _lower_first(str(field.label or "value"))
            if isinstance(field, forms.ModelMultipleChoiceField):
                field.error_messages["required"] = f"Choose at least one of the {label}."
                field.error_messages["invalid_choice"] = "Choose from the list shown."
            elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                field.error_messages["required"] = f"Choose the {label}."
                field.error_messages["invalid_choice"] = "Choose from the list shown."
            else:
                field.error_messages["required"] = f"Enter the {label}."
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = "Enter a real date, for example 27/11/2026."
            elif isinstance(field, forms.TimeField):
                field.error_messages["invalid"] = "Enter a time, for example 08:00."
            elif isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = "Enter a whole number."


class VersionedForm(SustainForm):
    """An edit form carries the version the user saw, so a concurrent change is detected."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


# --- Locations -------------------------------------------------------------------------------

class LocationForm(SustainForm):
    name = forms.CharField(label="Name", max_length=200)
    cqc_location_id = forms.CharField(
        label="CQC location id", max_length=20,
        help_text="As shown on the CQC website: 1- followed by digits, e.g. 1-123456789.")
    service_type = forms.ChoiceField(label="Service type", choices=ServiceType.choices)
    capacity = forms.IntegerField(label="Capacity (beds or people supported)", min_value=1)
    region = UUIDChoiceField(queryset=None, label="Region", required=False,  # type: ignore[arg-type]
                             empty_label="No region")
    address_line_1 = forms.CharField(label="Address line 1", max_length=200, required=False)
    address_line_2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    local_authority = forms.CharField(label="Local authority", max_length=120, required=False)
    registration_date = forms.DateField(label="Registration date", required=False,
                                        widget=DateInput)
    day_shift_start = forms.TimeField(label="Day shift starts", widget=TimeInput)
    night_shift_start = forms.TimeField(label="Night shift starts", widget=TimeInput)

    def __init__(self, *args: Any, regions: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["postcode"].widget.attrs["autocomplete"] = "postal-code"


class LocationEditForm(VersionedForm, LocationForm):
    registered_manager = UUIDChoiceField(
        queryset=None, label="Registered manager", required=False,  # type: ignore[arg-type]
        empty_label="None recorded",
        help_text="Staff currently recorded at this location.")

    def __init__(self, *args: Any, regions: QuerySet, managers: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, regions=regions, **kwargs)
        self.fields["registered_manager"].queryset = managers
        self.order_fields(["version", *LocationForm.base_fields, "registered_manager"])


class LocationFilterForm(SustainForm):
    q = forms.CharField(label="Name contains", required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))
    service_type = forms.ChoiceField(label="Service type", required=False,
                                     choices=[("", "Any"), *ServiceType.choices])
    region = UUIDChoiceField(queryset=None, label="Region", required=False,  # type: ignore[arg-type]
                             empty_label="Any")
    archived = forms.BooleanField(label="Include archived locations", required=False)

    def __init__(self, *args: Any, regions: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


# --- People supported -------------------------------------------------------------------------

class PersonForm(SustainForm):
    reference = forms.CharField(
        label="Reference", max_length=30,
        help_text="A pseudonymous reference, not a name: 2–30 letters, digits or hyphens.")
    initials = forms.CharField(label="Initials", max_length=4,
                               help_text="1 to 4 letters, e.g. JS.")
    location = UUIDChoiceField(queryset=None, label="Location")  # type: ignore[arg-type]
    admission_date = forms.DateField(label="Admission or start date", widget=DateInput)
    discharge_date = forms.DateField(label="Discharge or end date", required=False,
                                     widget=DateInput)

    def __init__(self, *args: Any, locations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["initials"].widget.attrs.update(autocapitalize="characters",
                                                    autocomplete="off")
        self.fields["reference"].widget.attrs.update(autocomplete="off", spellcheck="false")


class PersonEditForm(VersionedForm, PersonForm):
    pass


PERSON_STATUS = [("current", "Current"), ("discharged", "Discharged"),
                 ("archived", "Archived"), ("all", "All")]
STAFF_STATUS = [("current", "Current"), ("left", "Left"), ("archived", "Archived"),
                ("all", "All")]


class PersonFilterForm(SustainForm):
    q = forms.CharField(label="Reference contains", required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))
    location = UUIDChoiceField(queryset=None, label="Location", required=False,  # type: ignore[arg-type]
                               empty_label="All my locations")
    status = forms.ChoiceField(label="Status", choices=PERSON_STATUS, required=False)

    def __init__(self, *args: Any, locations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations


# --- Staff ------------------------------------------------------------------------------------

class StaffForm(SustainForm):
    full_name = forms.CharField(label="Full name", max_length=200)
    job_role = forms.CharField(label="Job role", max_length=100)
    staff_reference = forms.CharField(label="Staff reference", max_length=40, required=False,
                                      help_text="Optional, e.g. a payroll number.")
    locations = UUIDMultipleChoiceField(queryset=None, label="Locations")  # type: ignore[arg-type]
    start_date = forms.DateField(label="Start date", widget=DateInput)
    leaving_date = forms.DateField(label="Leaving date", required=False, widget=DateInput)
    user = UUIDChoiceField(queryset=None, label="User account", required=False,  # type: ignore[arg-type]
                           empty_label="No account",
                           help_text="Link a sign-in account if this person uses Sustain.")

    def __init__(self, *args: Any, locations: QuerySet, users: QuerySet | None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = locations
        self.fields["full_name"].widget.attrs["autocomplete"] = "off"
        if users is None:
            del self.fields["user"]
        else:
            self.fields["user"].queryset = users


class StaffEditForm(VersionedForm, StaffForm):
    pass


class StaffFilterForm(SustainForm):
    q = forms.CharField(label="Name contains", required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))
    location = UUIDChoiceField(queryset=None, label="Location", required=False,  # type: ignore[arg-type]
                               empty_label="All my locations")
    status = forms.ChoiceField(label="Status", choices=STAFF_STATUS, required=False)

    def __init__(self, *args: Any, locations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations


# --- Organisation administration ---------------------------------------------------------------

class UserCreateForm(SustainForm):
    username = forms.CharField(label="Username", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField(label="Email address", required=False)
    password = forms.CharField(
        label="Password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; not a common password, not all numbers and not "
                  "like the username.")
    password_confirm = forms.CharField(
        label="Repeat the password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_confirm") \
                and data["password"] != data["password_confirm"]:
            self.add_error("password_confirm", "The two passwords do not match.")
        return data


class MembershipForm(SustainForm):
    role = forms.ChoiceField(label="Role", choices=RoleChoices.choices)
    scope = forms.ChoiceField(label="Over", choices=ScopeChoices.choices,
                              widget=forms.RadioSelect)
    region = UUIDChoiceField(queryset=None, label="Region", required=False,  # type: ignore[arg-type]
                             help_text="Only for a region-wide role.")
    location = UUIDChoiceField(queryset=None, label="Location", required=False,  # type: ignore[arg-type]
                               help_text="Only for a role at one location.")

    def __init__(self, *args: Any, regions: QuerySet, locations: QuerySet,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["location"].queryset = locations


class RegionForm(SustainForm):
    name = forms.CharField(label="Region name", max_length=120)


class OrganisationSettingsForm(SustainForm):
    """An organisation's settings (administrators). The model validates the ranges."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    name = forms.CharField(label="Organisation name", max_length=200)
    cqc_provider_id = forms.CharField(label="CQC provider id", max_length=20, required=False)
    supervision_interval_weeks = forms.IntegerField(
        label="Supervision interval (weeks)",
        help_text="How often each member of staff should have a one-to-one supervision: 1 to "
                  "52 weeks. A new supervision is next due this many weeks after it, unless "
                  "another date is given; overdue supervision is judged against that date.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class ReasonForm(SustainForm):
    """Archive, restore, withdraw: an optional reason kept in history."""

    reason = forms.CharField(label="Reason (optional)", max_length=500, required=False)
