"""Inspection pages (the `inspections` URL namespace)."""

from django.urls import path

from sustain.inspections import views

app_name = "inspections"
urlpatterns = [
    path("locations/<uuid:uuid>/inspections/new/", views.inspection_create, name="record"),
    path("inspections/<uuid:uuid>/", views.inspection_detail, name="detail"),
    path("inspections/<uuid:uuid>/edit/", views.inspection_edit, name="edit"),
    path("inspections/<uuid:uuid>/archive/", views.inspection_archive, name="archive"),
    path("inspections/<uuid:uuid>/restore/", views.inspection_restore, name="restore"),
    path("inspections/<uuid:uuid>/findings/<uuid:finding_uuid>/create-theme/",
         views.finding_create_theme, name="create-theme"),
    path("inspections/<uuid:uuid>/enforcement/<uuid:action_uuid>/",
         views.enforcement_update, name="enforcement-update"),
]
