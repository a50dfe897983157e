from django.apps import AppConfig
from django.apps import apps as django_apps


class WorkConfig(AppConfig):
    name = "sustain.work"
    label = "work"
    verbose_name = "My work (queue, digest, calendar feed)"

    def ready(self) -> None:
        from sustain.work import providers

        providers.register_builtin()
        # Apps that offer their own kinds of work (each registers with `providers.register`).
        if django_apps.is_installed("sustain.lessons"):
            try:
                from sustain.lessons import work as lessons_work
            except ImportError:
                pass
            else:
                lessons_work.register()
