from django.apps import AppConfig


class LessonsConfig(AppConfig):
    """Lessons across services and theme hand-over (see docs/adr/0011)."""

    name = "sustain.lessons"
    label = "lessons"
    verbose_name = "Lessons and hand-over"

    def ready(self) -> None:
        from sustain.core import events
        from sustain.lessons import handlers

        events.subscribe("people.staffmember", handlers.on_staff_written)
        events.subscribe("themes.theme", handlers.on_theme_written)
        events.subscribe("tenancy.location", handlers.on_location_written)
