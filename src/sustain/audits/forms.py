"""HTML forms for audits. They coerce input only; the rules live in the services, whose
refusals are shown next to the field they name. The completion sheet is not a Django form:
its fields come from the template (see `views_sheet`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from sustain.audits.models import Audit, AuditTemplate
from sustain.audits.questions import sample_noun
from sustain.web.forms import DateInput, SustainForm, UUIDChoiceField

STATUS_FILTERS = [("", "Any"), ("draft", "In progress"), ("completed", "Completed"),
                  ("overdue", "Overdue (in progress past its due date)"),
                  ("late", "Completed late"), ("archived", "Archived")]
REAUDIT_FILTERS = [("", "Audits and re-audits"), ("yes", "Re-audits only"),
                   ("no", "First audits only")]


def latest_versions(templates: QuerySet) -> list[AuditTemplate]:
    """The newest version of each template (older versions stay readable on old audits)."""
    newest: dict[tuple[Any, str], AuditTemplate] = {}
    for t in templates.order_by("title", "-template_version"):
        key = (t.organisation_id, t.code)
        if key not in newest:
            newest[key] = t
    return sorted(newest.values(), key=lambda t: t.title)


class TemplateChoiceField(UUIDChoiceField):
    def label_from_instance(self, obj: AuditTemplate) -> str:
        if obj.sample_size:
            return (f"{obj.title} (v{obj.template_version}) — samples {obj.sample_size} "
                    f"{sample_noun(obj, obj.sample_size)}")
        return f"{obj.title} (v{obj.template_version})"


class ThemeChoiceField(UUIDChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} — {obj.location.name}"


class AuditFilterForm(SustainForm):
    location = UUIDChoiceField(queryset=None, label="Location", required=False,  # type: ignore[arg-type]
                               empty_label="All my locations")
    template = UUIDChoiceField(queryset=None, label="Template", required=False,  # type: ignore[arg-type]
                               empty_label="Any template",
                               help_text="Every version of the template.")
    theme = ThemeChoiceField(queryset=None, label="Theme", required=False,  # type: ignore[arg-type]
                             empty_label="Any theme")
    status = forms.ChoiceField(label="Status", choices=STATUS_FILTERS, required=False)
    reaudit = forms.ChoiceField(label="Re-audit", choices=REAUDIT_FILTERS, required=False)

    def __init__(self, *args: Any, locations: QuerySet, templates: QuerySet, themes: QuerySet,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["template"].queryset = templates
        self.fields["theme"].queryset = themes


def split_samples(text: str) -> list[str]:
    """One reference per line (commas also separate)."""
    refs = []
    for line in text.replace(",", "\n").splitlines():
        if line.strip():
            refs.append(line.strip())
    return refs


class SamplesField(forms.CharField):
    """Shown as needed (most templates sample); the service checks the count against the
    chosen template and names `samples` when too few are given."""

    def validate(self, value: Any) -> None:
        return None


class AuditStartForm(SustainForm):
    location = UUIDChoiceField(queryset=None, label="Location")  # type: ignore[arg-type]
    template = TemplateChoiceField(queryset=None, label="Audit template")  # type: ignore[arg-type]
    theme = ThemeChoiceField(
        queryset=None, label="Theme", required=False,  # type: ignore[arg-type]
        empty_label="Not linked to a theme",
        help_text="Link the audit to the improvement theme it tests, so its score counts "
                  "towards the theme and actions can be raised from it.")
    is_reaudit = forms.BooleanField(
        label="This is a re-audit of the theme", required=False,
        help_text="A re-audit tests whether practice changed after the theme's actions. It is "
                  "compared question by question with the theme's latest audit of the same "
                  "template.")
    kind = forms.ChoiceField(label="Kind of audit", choices=Audit.Kind.choices,
                             initial=Audit.Kind.SELF, widget=forms.RadioSelect)
    audit_date = forms.DateField(label="Audit date", widget=DateInput)
    due_date = forms.DateField(label="Due date", required=False, widget=DateInput,
                               help_text="When the audit was due (for audits on a schedule).")
    samples = SamplesField(
        label="Sampled items",
        widget=forms.Textarea(attrs={"rows": 5, "autocapitalize": "characters",
                                     "spellcheck": "false"}),
        help_text="One reference per line: a person's reference (e.g. RH-014) or a label "
                  "(e.g. Room 4 MAR chart). Use references, never names. The template says "
                  "how many to sample; leave this empty only if it samples nothing.")

    def __init__(self, *args: Any, locations: QuerySet, templates: list[AuditTemplate],
                 themes: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        ids = [t.pk for t in templates]
        self.fields["template"].queryset = AuditTemplate.objects.filter(pk__in=ids).order_by(
            "title")
        self.fields["theme"].queryset = themes
        self.fields["audit_date"].initial = timezone.localdate()

    def clean_samples(self) -> list[str]:
        return split_samples(self.cleaned_data.get("samples") or "")


class RaiseActionForm(SustainForm):
    description = forms.CharField(label="What will be done", max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label="Due date", widget=DateInput)
    owner = UUIDChoiceField(queryset=None, label="Owner", required=False,  # type: ignore[arg-type]
                            empty_label="No owner yet")

    def __init__(self, *args: Any, staff: QuerySet, prefix: str = "", **kwargs: Any) -> None:
        super().__init__(*args, prefix=prefix or None, **kwargs)
        self.fields["owner"].queryset = staff
        self.fields["description"].error_messages["required"] = "Say what will be done."


class AttachmentForm(SustainForm):
    file = forms.FileField(label="File", help_text="A photo, scan, PDF or office document, up "
                           "to 20 MB. Stored with its SHA-256 fingerprint; never overwritten.")
    question_code = forms.ChoiceField(label="About question", required=False)

    def __init__(self, *args: Any, questions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question_code"].choices = [("", "The whole audit"), *questions]
        self.fields["file"].widget.attrs["accept"] = (
            "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp")
