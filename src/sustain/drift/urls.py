"""Pages of the drift app: `drift:location` (/drift/locations/<uuid>/)."""

from django.urls import path

from sustain.drift import views

app_name = "drift"
urlpatterns = [
    path("locations/<uuid:uuid>/", views.location_drift, name="location"),
]
