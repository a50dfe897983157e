from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "sustain.feedback"
    label = "feedback"
