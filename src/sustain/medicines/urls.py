"""Medicines check pages (`medicines:list`, `medicines:new` with ?location=, `medicines:detail`,
`medicines:archive`, `medicines:restore`,
`medicines:week` with ?location= and ?week=, `medicines:review-archive`,
`medicines:review-restore`)."""

from django.urls import path

from sustain.medicines import views

app_name = "medicines"
urlpatterns = [
    path("", views.check_list_page, name="list"),
    path("new/", views.check_new, name="new"),
    path("week/", views.week_review, name="week"),
    path("reviews/<uuid:uuid>/archive/", views.review_archive, name="review-archive"),
    path("reviews/<uuid:uuid>/restore/", views.review_archive, {"restore": True},
         name="review-restore"),
    path("<uuid:uuid>/", views.check_detail, name="detail"),
    path("<uuid:uuid>/archive/", views.check_archive, name="archive"),
    path("<uuid:uuid>/restore/", views.check_archive, {"restore": True}, name="restore"),
]
