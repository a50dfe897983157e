from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "sustain.demo"
    label = "demo"
    verbose_name = "Demo organisation"
