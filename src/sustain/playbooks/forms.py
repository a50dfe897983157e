"""Forms for the playbook library: upload an organisation playbook, apply one to a theme."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from sustain.web.forms import SustainForm, UUIDChoiceField

MAX_FILE_BYTES = 2_000_000


class PlaybookUploadForm(SustainForm):
    """A YAML file or pasted YAML text (one of the two)."""

    file = forms.FileField(
        label="Playbook file", required=False,
        help_text="A YAML file (.yaml or .yml), UTF-8, at most 2 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,text/yaml"}))
    yaml = forms.CharField(
        label="Or paste the YAML", required=False,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        help_text="Start from a shipped playbook's YAML and change the code.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, text = data.get("file"), (data.get("yaml") or "")
        if upload is None and not text.strip():
            self.add_error("file", "Choose a playbook file or paste its YAML.")
        elif upload is not None and text.strip():
            self.add_error("yaml", "Give a file or pasted YAML, not both.")
        elif upload is not None:
            if upload.size > MAX_FILE_BYTES:
                self.add_error("file", "The file is larger than 2 MB.")
            else:
                try:
                    data["text"] = upload.read().decode("utf-8")
                    data["filename"] = upload.name
                except UnicodeDecodeError:
                    self.add_error("file", "The file is not UTF-8 text.")
        else:
            data["text"], data["filename"] = text, "pasted.yaml"
        return data

    @property
    def source_field(self) -> str:
        return "file" if self.cleaned_data.get("file") is not None else "yaml"


class ApplyPlaybookForm(SustainForm):
    theme = UUIDChoiceField(queryset=None, label="Theme",  # type: ignore[arg-type]
                            help_text="Themes you may change. Applying sets the theme's "
                                      "verification rule, sustain cycles and embedding "
                                      "channels, and adds the playbook's quality statements "
                                      "and regulations.")

    def __init__(self, *args: Any, themes: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes
        self.fields["theme"].label_from_instance = (  # type: ignore[attr-defined]
            lambda t: f"{t.title} — {t.location.name}")
