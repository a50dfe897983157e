from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "sustain.inspections"
    label = "inspections"
    verbose_name = "CQC inspections"
