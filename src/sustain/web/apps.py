from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sustain.web"
    label = "web"
    verbose_name = "Web interface"
