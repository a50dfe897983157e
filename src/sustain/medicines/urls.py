"""Medicines check pages (`medicines:list`, `medicines:new` with ?location=, `medicines:detail`,
`medicines:archive`, `medicines:restore`,
`medicines:week` with ?location= and ?week=)."""

from django.urls import path

from sustain.medicines import views

app_name = "medicines"
urlpatterns = [
    path("", views.check_list_page, name="list"),
    path("new/", views.check_new, name="new"),
    path("week/", views.week_review, name="week"),
    path("<uuid:uuid>/", views.check_detail, name="detail"),
    path("<uuid:uuid>/archive/", views.check_archive, name="archive"),
    path("<uuid:uuid>/restore/", views.check_archive, {"restore": True}, name="restore"),
]
