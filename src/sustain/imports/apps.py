from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "sustain.imports"
    label = "imports"
