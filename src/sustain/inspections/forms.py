"""Forms for recording and correcting inspections. They only coerce input (dates, choices from
the reference library); what is required and what is consistent is decided by the services,
whose refusals are placed next to the field and row they name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from sustain.inspections.models import EnforcementStatus, InspectionType, Rating
from sustain.reference.models import EnforcementType, KeyQuestion, QualityStatement, Regulation
from sustain.web.forms import DateInput, SustainForm, VersionedForm

BLANK = [("", "Choose…")]


def rating_field_name(code: str) -> str:
    return "rating_" + code.replace("-", "_")


class _Base(SustainForm):
    """Every field optional at the form level; `optional_fields` are the ones marked so."""

    optional_fields: frozenset[str] = frozenset()


class InspectionForm(_Base):
    """The inspection's details and one rating per key question."""

    inspection_date = forms.DateField(label="Date of the inspection", widget=DateInput,
                                      required=False,
                                      help_text="The (first) day the inspectors visited.")
    publication_date = forms.DateField(label="Report published", widget=DateInput,
                                       required=False)
    inspection_type = forms.ChoiceField(label="Type of inspection", required=False,
                                        choices=BLANK + list(InspectionType.choices))
    overall_rating = forms.ChoiceField(label="Overall rating", required=False,
                                       choices=BLANK + list(Rating.choices))
    report_url = forms.URLField(label="Link to the report", required=False,
                                assume_scheme="https", max_length=200)
    summary = forms.CharField(label="Summary", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    optional_fields = frozenset({"publication_date", "report_url", "summary"})

    def __init__(self, *args: Any, key_questions: Iterable[KeyQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_questions = list(key_questions)
        for kq in self.key_questions:
            self.fields[rating_field_name(kq.code)] = forms.ChoiceField(
                label=kq.name, required=False, choices=BLANK + list(Rating.choices),
                error_messages={"invalid_choice": "Choose from the list shown."})

    def rating_fields(self) -> list[forms.BoundField]:
        return [self[rating_field_name(kq.code)] for kq in self.key_questions]

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("inspection_date", "publication_date",
                                        "inspection_type", "overall_rating", "report_url",
                                        "summary")]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        kwargs = {name: data.get(name) for name in ("inspection_date", "publication_date")}
        kwargs.update({name: data.get(name) or "" for name in (
            "inspection_type", "overall_rating", "report_url", "summary")})
        kwargs["ratings"] = {kq.code: data.get(rating_field_name(kq.code)) or ""
                             for kq in self.key_questions}
        return kwargs

    def field_for(self, key: str) -> str | None:
        """The form field a service error key names (`ratings.safe` → `rating_safe`)."""
        name = rating_field_name(key.split(".", 1)[1]) if key.startswith("ratings.") else key
        return name if name in self.fields else None


class InspectionEditForm(VersionedForm):
    """Correct the inspection's details (a new version; the old one stays in history)."""

    inspection_date = InspectionForm.base_fields["inspection_date"]
    publication_date = InspectionForm.base_fields["publication_date"]
    inspection_type = InspectionForm.base_fields["inspection_type"]
    overall_rating = InspectionForm.base_fields["overall_rating"]
    report_url = InspectionForm.base_fields["report_url"]
    summary = InspectionForm.base_fields["summary"]
    optional_fields = InspectionForm.optional_fields


class RowForm(_Base):
    """One repeatable row; a row left empty is skipped."""

    noun = "row"

    def row_data(self) -> dict[str, Any]:
        raise NotImplementedError

    def is_blank(self) -> bool:
        return not self.has_changed()


class BreachForm(RowForm):
    noun = "Breach"
    regulation = forms.ModelChoiceField(queryset=Regulation.objects.none(), required=False,
                                        to_field_name="code", label="Regulation",
                                        empty_label="Choose…")
    summary = forms.CharField(label="What was breached", required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, regulations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regulation"].queryset = regulations  # type: ignore[attr-defined]

    def row_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"regulation": data.get("regulation"), "summary": data.get("summary", "")}


class EnforcementForm(RowForm):
    noun = "Enforcement action"
    enforcement_type = forms.ModelChoiceField(queryset=EnforcementType.objects.none(),
                                              required=False, to_field_name="code",
                                              label="Type", empty_label="Choose…")
    issued_on = forms.DateField(label="Issued on", widget=DateInput, required=False)
    deadline = forms.DateField(label="Deadline", widget=DateInput, required=False)
    status = forms.ChoiceField(label="Status", choices=EnforcementStatus.choices,
                               required=False, initial=EnforcementStatus.OPEN)
    notes = forms.CharField(label="Notes", required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    optional_fields = frozenset({"deadline", "notes"})

    def __init__(self, *args: Any, enforcement_types: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enforcement_type"].queryset = enforcement_types  # type: ignore[attr-defined]

    def row_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"enforcement_type": data.get("enforcement_type"),
                "issued_on": data.get("issued_on"), "deadline": data.get("deadline"),
                "status": data.get("status") or EnforcementStatus.OPEN,
                "notes": data.get("notes", "")}


class FindingForm(RowForm):
    noun = "Finding"
    text = forms.CharField(label="Finding", required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="What the report says, in a sentence or two.")
    key_question = forms.ModelChoiceField(queryset=KeyQuestion.objects.none(), required=False,
                                          to_field_name="code", label="Key question",
                                          empty_label="Choose…")
    quality_statements = forms.ModelMultipleChoiceField(
        queryset=QualityStatement.objects.none(), required=False, to_field_name="code",
        label="Quality statements", widget=forms.CheckboxSelectMultiple)
    optional_fields = frozenset({"quality_statements"})

    def __init__(self, *args: Any, key_questions: Any = None, statements: Any = None,
                 statement_groups: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key_question"].queryset = key_questions  # type: ignore[attr-defined]
        self.fields["quality_statements"].queryset = statements  # type: ignore[attr-defined]
        self._groups = statement_groups or {}

    def statement_groups(self) -> list[tuple[str, list[Any], bool]]:
        """The statement checkboxes grouped by key question: (name, widgets, any ticked)."""
        groups: dict[str, list[Any]] = {}
        for widget in self["quality_statements"]:
            name = self._groups.get(str(widget.data["value"]), "Other")
            groups.setdefault(name, []).append(widget)
        return [(name, widgets, any(w.data["selected"] for w in widgets))
                for name, widgets in groups.items()]

    def row_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"text": data.get("text", ""), "key_question": data.get("key_question"),
                "quality_statements": list(data.get("quality_statements") or [])}


class _RowFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, form_kwargs: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, form_kwargs=form_kwargs, **kwargs)

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = True  # an untouched row is skipped, never an error
        form.use_required_attribute = False
        return form


def row_formset(form: type[RowForm], max_rows: int = 50) -> type[forms.BaseFormSet]:
    return forms.formset_factory(form, formset=_RowFormSet, extra=1, max_num=max_rows,
                                 validate_max=True, absolute_max=max_rows)


BreachFormSet = row_formset(BreachForm)
EnforcementFormSet = row_formset(EnforcementForm)
FindingFormSet = row_formset(FindingForm)


class CreateThemeForm(SustainForm):
    """Open a theme from a finding."""

    title = forms.CharField(label="Theme title", max_length=200)
    owner = forms.ModelChoiceField(queryset=None, required=False, to_field_name="uuid",
                                   label="Owner", empty_label="Nobody yet")
    playbook = forms.ModelChoiceField(queryset=None, required=False, to_field_name="uuid",
                                      label="Playbook", empty_label="None for now")
    optional_fields = frozenset({"owner", "playbook"})

    def __init__(self, *args: Any, staff: Any, playbooks: Any, **kwargs: Any) -> None:
        """`staff` and `playbooks` are querysets (None: no playbook to offer); the options are
        read once, so a page with many of these forms runs one query for each list."""
        super().__init__(*args, **kwargs)
        self._use("owner", staff, "Nobody yet", lambda s: s.full_name)
        if playbooks is None:
            del self.fields["playbook"]
        else:
            self._use("playbook", playbooks, "None for now",
                      lambda p: f"{p.title} (version {p.version})")

    def _use(self, name: str, rows: Any, empty: str, label: Any) -> None:
        field = self.fields[name]
        field.queryset = rows  # type: ignore[attr-defined]
        field.choices = [("", empty)] + [  # type: ignore[attr-defined]
            (str(row.uuid), label(row)) for row in rows]


class EnforcementUpdateForm(VersionedForm):
    status = forms.ChoiceField(label="Status", choices=EnforcementStatus.choices)
    deadline = forms.DateField(label="Deadline", widget=DateInput, required=False)
    notes = forms.CharField(label="Notes", required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    optional_fields = frozenset({"deadline", "notes"})


class ArchiveForm(SustainForm):
    reason = forms.CharField(label="Why is it archived?", max_length=500,
                             help_text="For example, “recorded in error: wrong location”.")
