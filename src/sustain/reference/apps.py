from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "sustain.reference"
    label = "reference"
    verbose_name = "CQC reference library"
