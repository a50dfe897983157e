from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "sustain.dashboards"
    label = "dashboards"
    verbose_name = "Location and provider dashboards"
