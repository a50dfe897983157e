from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "sustain.themes"
    label = "themes"
    verbose_name = "Improvement themes and actions"
