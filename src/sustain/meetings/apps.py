from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "sustain.meetings"
    label = "meetings"
    verbose_name = "Meetings and governance cycles"
