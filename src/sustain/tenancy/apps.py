from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "sustain.tenancy"
    label = "tenancy"
    verbose_name = "Organisations and locations"
