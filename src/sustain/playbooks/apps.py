from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "sustain.playbooks"
    label = "playbooks"
    verbose_name = "Playbooks"
