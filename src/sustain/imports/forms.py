"""Forms for the import pages."""

from __future__ import annotations

from typing import Any

from django import forms

from sustain.imports.registry import kinds


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds")
    location = forms.ModelChoiceField(queryset=None, label="Location",
                                      help_text="The rows are recorded at this location.")
    file = forms.FileField(label="Spreadsheet (CSV or XLSX)",
                           help_text="Use the template for the right columns. Nothing is "
                                     "written until you check the file and then commit it.")

    def __init__(self, *args: Any, locations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.name, k.label.capitalize())
                                       for k in kinds().values()]
        self.fields["location"].queryset = locations
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label="Records")
    location = forms.ModelChoiceField(queryset=None, label="Location", required=False,
                                      empty_label="Every location I can see",
                                      to_field_name="uuid")
    file_type = forms.ChoiceField(label="File type", choices=[("csv", "CSV"), ("xlsx", "XLSX")])

    def __init__(self, *args: Any, locations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.name, k.label.capitalize())
                                       for k in kinds().values()]
        self.fields["location"].queryset = locations
