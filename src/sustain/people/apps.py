from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "sustain.people"
    label = "people"
    verbose_name = "People supported and staff"
