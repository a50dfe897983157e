"""Import pages (`imports:index`, `imports:job`, `imports:template`, `imports:export`)."""

from django.urls import path

from sustain.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export, name="export"),
    path("templates/<str:kind>.<str:file_type>", views.template, name="template"),
    path("<uuid:uuid>/", views.job_page, name="job"),
    path("<uuid:uuid>/validate/", views.validate, name="validate"),
    path("<uuid:uuid>/commit/", views.commit, name="commit"),
]
