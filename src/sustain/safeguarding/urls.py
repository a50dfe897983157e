"""Safeguarding pages (`safeguarding:list`, `safeguarding:new` with ?location=,
`safeguarding:detail`,
`safeguarding:edit`, `safeguarding:archive`, `safeguarding:restore`)."""

from django.urls import path

from sustain.safeguarding import views

app_name = "safeguarding"
urlpatterns = [
    path("", views.concern_list_page, name="list"),
    path("new/", views.concern_new, name="new"),
    path("<uuid:uuid>/", views.concern_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.concern_edit, name="edit"),
    path("<uuid:uuid>/archive/", views.concern_archive, name="archive"),
    path("<uuid:uuid>/restore/", views.concern_archive, {"restore": True}, name="restore"),
]
