from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "sustain.work"
    label = "work"
    verbose_name = "My work (queue, digest, calendar feed)"

    def ready(self) -> None:
        from sustain.work import providers

        providers.register_builtin()
