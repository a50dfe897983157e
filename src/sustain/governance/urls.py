"""Governance calendar pages (`governance:calendar` with ?location=, `governance:cadence-new`
with ?location=, `governance:cadence-edit`, `governance:complete`)."""

from django.urls import path

from sustain.governance import views

app_name = "governance"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("cadences/new/", views.cadence_new, name="cadence-new"),
    path("cadences/<uuid:uuid>/", views.cadence_edit, name="cadence-edit"),
    path("occurrences/<uuid:uuid>/complete/", views.occurrence_complete_page, name="complete"),
]
