"""API routes of the drift app, mounted under /api/v1/ (before the router, so that the
router's locations/{id}/ does not take them)."""

from django.urls import path

from sustain.drift.api import LocationDriftView

urlpatterns = [
    path("locations/<uuid:uuid>/drift/", LocationDriftView.as_view(), name="api-location-drift"),
]
