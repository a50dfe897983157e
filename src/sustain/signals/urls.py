"""Pages of the signals app."""

from django.urls import path  # noqa: F401

app_name = "signals"
urlpatterns: list = []
