from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "sustain.workforce"
    label = "workforce"
