"""Lesson and hand-over pages (`lessons:grid`, `lessons:create` with ?theme=, `lessons:detail`,
`lessons:edit`, `lessons:archive`, `lessons:restore`, `lessons:adoption`,
`lessons:handover-list`, `lessons:handover-detail`)."""

from django.urls import path

from sustain.lessons import views

app_name = "lessons"
urlpatterns = [
    path("", views.adoption_grid, name="grid"),
    path("new/", views.lesson_create, name="create"),
    path("<uuid:uuid>/", views.lesson_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.lesson_edit, name="edit"),
    path("<uuid:uuid>/archive/", views.lesson_archive, name="archive"),
    path("<uuid:uuid>/restore/", views.lesson_archive, {"restore": True}, name="restore"),
    path("adoptions/<uuid:uuid>/", views.adoption_update, name="adoption"),
    path("handover/", views.handover_list, name="handover-list"),
    path("handover/<uuid:uuid>/", views.handover_detail, name="handover-detail"),
    path("handover/<uuid:uuid>/acknowledge/", views.handover_acknowledge,
         name="handover-acknowledge"),
]
