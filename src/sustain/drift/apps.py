from django.apps import AppConfig


class DriftConfig(AppConfig):
    name = "sustain.drift"
    label = "drift"
    verbose_name = "Drift signs, drift index, tested assurance and key-person risk"
