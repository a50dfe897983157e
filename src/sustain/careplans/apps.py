from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "sustain.careplans"
    label = "careplans"
    verbose_name = "Care-plan reviews"
