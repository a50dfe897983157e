from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "sustain.signals"
    label = "signals"
    verbose_name = "Indicator signals (alerts) and their interpretation"

    def ready(self) -> None:
        from sustain.signals import work

        work.register()
