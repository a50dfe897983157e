from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "sustain.incidents"
    label = "incidents"
