"""Workforce pages (`workforce:index` with ?location=, `workforce:coverage`,
`workforce:staff`, `workforce:briefing`,
`workforce:archive` and `workforce:restore` with kind = supervisions, competencies, training,
attestations or briefings)."""

from django.urls import path

from sustain.workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.index, name="index"),
    path("coverage/", views.coverage, name="coverage"),
    path("staff/<uuid:uuid>/", views.staff_page, name="staff"),
    path("supervisions/new/", views.record_create, {"kind": "supervision"},
         name="supervision-create"),
    path("competencies/new/", views.record_create, {"kind": "competency"},
         name="competency-create"),
    path("training/new/", views.record_create, {"kind": "training"}, name="training-create"),
    path("briefings/new/", views.briefing_create, name="briefing-create"),
    path("briefings/<uuid:uuid>/", views.briefing_detail, name="briefing"),
    path("<str:kind>/<uuid:uuid>/archive/", views.archive, name="archive"),
    path("<str:kind>/<uuid:uuid>/restore/", views.archive, {"restore": True}, name="restore"),
]
