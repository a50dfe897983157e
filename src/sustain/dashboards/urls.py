"""Pages of the dashboards app: `dashboards:provider` (/dashboard/) and `dashboards:location`
(/dashboard/locations/<uuid>/)."""

from django.urls import path

from sustain.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.provider, name="provider"),
    path("locations/<uuid:uuid>/", views.location, name="location"),
]
