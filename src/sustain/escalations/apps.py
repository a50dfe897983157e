from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "sustain.escalations"
    label = "escalations"
    verbose_name = "Escalation rules, firings and response tasks"

    def ready(self) -> None:
        from sustain.escalations import subscriptions, work

        subscriptions.connect()
        work.register()
