"""API routes of the dashboards app, mounted under /api/v1/ (before the router, so that the
router's locations/{uuid}/ does not take locations/{uuid}/dashboard/)."""

from django.urls import path

from sustain.dashboards import api

urlpatterns = [
    path("provider-dashboard/", api.ProviderDashboardView.as_view(),
         name="api-provider-dashboard"),
    path("locations/<uuid:uuid>/dashboard/", api.LocationDashboardView.as_view(),
         name="api-location-dashboard"),
]
