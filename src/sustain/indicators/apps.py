from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "sustain.indicators"
    label = "indicators"
    verbose_name = "Indicators and statistical process control"
