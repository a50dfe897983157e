from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "sustain.meetings"
    label = "meetings"
    verbose_name = "Meetings and governance cycles"

    def ready(self) -> None:
        from sustain.meetings.embedding import register

        register()  # meetings are embedding channels of the themes they discuss
