from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "sustain.safeguarding"
    label = "safeguarding"
