from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "sustain.audits"
    label = "audits"
    verbose_name = "Audits and re-audits"
