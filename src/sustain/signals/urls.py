"""Pages of the signals app."""

from django.urls import path

from sustain.signals import views

app_name = "signals"
urlpatterns = [
    path("", views.signal_list, name="list"),
    path("<uuid:uuid>/", views.signal_detail, name="detail"),
]
